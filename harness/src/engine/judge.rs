//! Judging one driven request: the verdict's divergences from the policy's intent
//! ([`crate::divergence`]) plus `execution` divergences — a target that panicked, hung, reset
//! the connection, answered garbage, or answered a browser's request with a 5xx.

use crate::divergence::{Divergence, PolicyCheck};
use crate::engine::driver::{Driven, SendError};
use crate::policy::Policy;
use crate::request::BrowserRequest;

/// How one browser request fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Every divergence found; empty when the target did what the policy means.
    Judged(Vec<Divergence>),
    /// The harness could not send the request (see [`SendError::Unsendable`]): neither a pass
    /// nor a divergence.
    Skipped(String),
}

/// Judges one driven request against the policy. For many requests under one policy, build a
/// [`Judge`] once.
pub fn judge(policy: &Policy, request: &BrowserRequest, driven: &Driven) -> Judgement {
    Judge::new(policy).judge(request, driven)
}

/// [`judge`] for one policy and many requests: what depends only on the policy is derived once
/// ([`PolicyCheck`]).
pub struct Judge<'p> {
    check: PolicyCheck<'p>,
}

impl<'p> Judge<'p> {
    pub fn new(policy: &'p Policy) -> Judge<'p> {
        Judge { check: PolicyCheck::new(policy) }
    }

    pub fn policy(&self) -> &'p Policy {
        self.check.policy()
    }

    /// See [`judge`].
    pub fn judge(&self, request: &BrowserRequest, driven: &Driven) -> Judgement {
        let mut found = match &driven.verdict {
            Some(verdict) => self.check.divergences(request, verdict),
            None => Vec::new(),
        };
        for sent in &driven.sent {
            let what = sent.kind();
            let line = || format!("{} {}", sent.request.method, sent.request.url);
            match &sent.answer {
                Err(SendError::Unsendable(why)) => return Judgement::Skipped(why.clone()),
                Err(SendError::Target(error)) => {
                    found.push(Divergence::execution(format!("the {what} {} got no answer: {error}", line())))
                }
                // A browser's request, preflight or not, is never a reason for a server error
                // (SRV-15: "do not return 500"): the middleware or the app failed on it.
                Ok(response) if response.status >= 500 => found.push(Divergence::execution(format!(
                    "the {what} {} was answered with status {}: the server failed on a request browsers send",
                    line(),
                    response.status
                ))),
                Ok(_) => {}
            }
        }
        Judgement::Judged(found)
    }
}

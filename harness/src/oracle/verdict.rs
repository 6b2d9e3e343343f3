//! What the oracle says a browser does: [`Verdict`].

use crate::oracle::cache::CacheEntry;
use crate::response::{ServerResponse, WireRequest};
use crate::rule::Rule;

/// A request sent and the response it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Shared with the driver's record of what it sent.
    pub request: std::sync::Arc<WireRequest>,
    pub response: std::sync::Arc<ServerResponse>,
}

/// How a response is filtered for script (Fetch's "response tainting").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tainting {
    /// Same-origin (or WebSocket): no CORS protocol.
    Basic,
    /// Cross-origin in `cors` mode: the CORS check applies.
    Cors,
    /// Cross-origin in `no-cors` mode: script sees nothing.
    Opaque,
}

/// One URL of the request's URL list: its preflight (if any) and its actual request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub url: std::sync::Arc<url::Url>,
    pub tainting: Tainting,
    /// The CORS-preflight flag was set for this hop (a preflight was needed, PRE-1).
    pub preflight_needed: bool,
    /// The preflight sent and its answer; `None` if none was needed or the cache had it.
    pub preflight: Option<Exchange>,
    /// The actual request sent and its answer; `None` if the preflight failed first.
    pub actual: Option<Exchange>,
}

/// Why a request failed, in the terms a web developer sees in the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub rule: Rule,
    /// Most explanations are fixed sentences: borrowed, they cost nothing on the many
    /// requests that fail a check (a generated probe is more often refused than not).
    pub explanation: std::borrow::Cow<'static, str>,
}

impl Failure {
    pub(crate) fn new(rule: Rule, explanation: impl Into<std::borrow::Cow<'static, str>>) -> Failure {
        Failure { rule, explanation: explanation.into() }
    }
}

/// What script ends up with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `fetch()` rejects before anything is sent (forbidden method, invalid header).
    ScriptError(Failure),
    /// The fetch fails with a network error: script sees a TypeError / status 0 (CHK-7).
    NetworkError(Failure),
    /// The response is shared with script: its status and the header names script can read
    /// (lowercase, sorted, only names present in the response).
    Shared { status: u16, exposed: Vec<String> },
    /// A `no-cors` response: the fetch resolves but script reads nothing (MISC-1).
    Opaque,
}

/// The oracle's answer for one browser request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    /// Every URL the browser fetched, in order (one per redirect hop).
    pub hops: Vec<Hop>,
    /// Preflight-cache entries created or refreshed by this request (CACHE-1).
    pub cache_entries: Vec<CacheEntry>,
    /// With credentials attached, a `Set-Cookie` in some response was processed, even if the
    /// response was not shared (MISC-4).
    pub cookies_stored: bool,
    /// The CORS-unsafe request-header names as this browser computed them for the first hop
    /// (SAFE-3 under the profile: what a preflight asks about, whether or not one was sent).
    /// A policy's `allow_headers` is judged against these.
    pub unsafe_header_names: Vec<String>,
}

impl Verdict {
    /// The response is readable by script.
    pub fn readable(&self) -> bool {
        matches!(self.outcome, Outcome::Shared { .. })
    }

    /// The rule that made the request fail, if it failed.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::ScriptError(f) | Outcome::NetworkError(f) => Some(f),
            _ => None,
        }
    }

    /// Header names script can read, when the response is shared.
    pub fn exposed_headers(&self) -> Option<&[String]> {
        match &self.outcome {
            Outcome::Shared { exposed, .. } => Some(exposed),
            _ => None,
        }
    }

    /// The preflight the browser sent on the first hop.
    pub fn first_preflight(&self) -> Option<&WireRequest> {
        self.hops.first()?.preflight.as_ref().map(|e| &*e.request)
    }

    /// The last actual request that reached a server.
    pub fn last_actual(&self) -> Option<&WireRequest> {
        self.hops.iter().rev().find_map(|h| h.actual.as_ref()).map(|e| &*e.request)
    }
}

/// The responder had no answer for a request the browser sends: the scripted server is
/// incomplete. Reported instead of guessing an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no scripted answer for the {} {} request", if .request.is_preflight() { "preflight" } else { "actual" }, .request.url)]
pub struct Unanswered {
    pub request: std::sync::Arc<WireRequest>,
}

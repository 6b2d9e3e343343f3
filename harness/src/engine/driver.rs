//! The driver: one browser request against one live [`Target`], exactly as a browser sends it.
//!
//! The oracle is pure and synchronous: it asks a [`Responder`] for each answer. The driver
//! lets the oracle decide everything — whether a preflight is needed and what it carries
//! (PRE-1..3), whether the actual request follows, which redirect to follow (RED-*) — by
//! *replaying* it: evaluate with the answers collected so far; when the oracle needs one more
//! answer it stops with [`Unanswered`] naming the exact wire request; the driver sends that
//! request to the target, records the answer and evaluates again. The oracle is deterministic
//! and takes about a microsecond, so the replay costs nothing next to a target round trip,
//! and the browser logic stays in one place (no second, async copy of the fetch algorithm).

use std::sync::Arc;
use std::time::Duration;

use crate::oracle::cache::PreflightCache;
use crate::oracle::verdict::{Unanswered, Verdict};
use crate::profile::{BrowserProfile, CHROMIUM};
use crate::request::BrowserRequest;
use crate::response::{Responder, ServerResponse, WireRequest};
use crate::service_target::guarded;
use crate::target::{Target, TargetError};

/// How the driver sends requests.
#[derive(Debug, Clone, Copy)]
pub struct DriverSettings {
    /// The browser the oracle models.
    pub profile: &'static BrowserProfile,
    /// How long one request may take, on top of the target's own timeout (a target that
    /// breaks its contract and hangs is still cut off).
    pub timeout: Duration,
}

impl Default for DriverSettings {
    fn default() -> DriverSettings {
        DriverSettings { profile: &CHROMIUM, timeout: Duration::from_secs(5) }
    }
}

/// Requests the oracle's browser sends for one browser request: at most 20 redirects
/// (RED-2), each with at most a preflight and an actual request.
const MAX_REQUESTS: usize = 2 * 21 + 1;

/// One request on the wire and what came back.
#[derive(Debug, Clone)]
pub struct Sent {
    pub request: WireRequest,
    pub answer: Result<Arc<ServerResponse>, SendError>,
}

impl Sent {
    /// `preflight` or `request`, for explanations.
    pub fn kind(&self) -> &'static str {
        if self.request.is_preflight() { "preflight" } else { "request" }
    }
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The target failed: panic, hang, reset, garbage. An `execution` divergence.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The harness cannot put this request on the wire (bytes the `http` crate rejects). Not
    /// the target's fault: the probe is counted as skipped.
    #[error("the harness cannot send this request: {0}")]
    Unsendable(String),
}

/// What happened to one browser request.
#[derive(Debug, Clone)]
pub struct Driven {
    /// Every request sent, in order, with its answer.
    pub sent: Vec<Sent>,
    /// The oracle's verdict over the answers; `None` when a request got no answer (the
    /// browser would see a network error, but the cause is the target's failure, reported as
    /// such).
    pub verdict: Option<Verdict>,
}

impl Driven {
    /// The first request that got no answer, and why.
    pub fn failure(&self) -> Option<(&Sent, &SendError)> {
        self.sent.iter().find_map(|s| s.answer.as_ref().err().map(|e| (s, e)))
    }
}

/// Sends `request` to `target` as a browser would and asks the oracle what script sees.
/// Never panics or hangs because of the target: failures end up in [`Driven::sent`].
pub async fn drive(target: &dyn Target, request: &BrowserRequest, settings: &DriverSettings) -> Driven {
    let mut answers: Vec<Arc<ServerResponse>> = Vec::new();
    let mut sent: Vec<Sent> = Vec::new();
    loop {
        let mut replay = Replay { sent: &sent, answers: &answers, next: 0 };
        // A fresh cache per browser request: probes are independent questions. (Unique URLs
        // play the same role in a real browser.)
        let evaluated = crate::oracle::evaluate(request, &mut replay, settings.profile, &mut PreflightCache::new(), 0);
        let wire = match evaluated {
            Ok(verdict) => return Driven { sent, verdict: Some(verdict) },
            Err(Unanswered { request }) => request,
        };
        if sent.len() >= MAX_REQUESTS {
            // The oracle bounds redirects (RED-2); reaching this is a harness bug, reported
            // rather than looped on.
            let error = SendError::Unsendable(format!("the oracle asked for more than {MAX_REQUESTS} requests"));
            sent.push(Sent { request: wire, answer: Err(error) });
            return Driven { sent, verdict: None };
        }
        let answer = send(target, &wire, settings.timeout).await;
        match answer {
            Ok(response) => {
                answers.push(Arc::clone(&response));
                sent.push(Sent { request: wire, answer: Ok(response) });
            }
            Err(error) => {
                sent.push(Sent { request: wire, answer: Err(error) });
                return Driven { sent, verdict: None };
            }
        }
    }
}

/// One wire request to the target, with the driver's own timeout and panic guard.
async fn send(target: &dyn Target, wire: &WireRequest, timeout: Duration) -> Result<Arc<ServerResponse>, SendError> {
    let request = wire.to_http().map_err(|e| SendError::Unsendable(e.to_string()))?;
    let response = guarded(target.send(request), timeout).await?;
    Ok(Arc::new(ServerResponse::from_http(&response)))
}

/// Answers the oracle from the answers collected so far, in order; `None` for the first
/// request not yet sent.
struct Replay<'a> {
    sent: &'a [Sent],
    answers: &'a [Arc<ServerResponse>],
    next: usize,
}

impl Responder for Replay<'_> {
    fn respond(&mut self, request: &WireRequest) -> Option<Arc<ServerResponse>> {
        let answer = self.answers.get(self.next)?;
        // The oracle is deterministic: the k-th request of every replay is the one sent.
        debug_assert_eq!(&self.sent[self.next].request, request, "the oracle replayed a different request");
        self.next += 1;
        Some(Arc::clone(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;
    use crate::target::TargetFuture;
    use bytes::Bytes;
    use std::sync::Mutex;

    /// Answers every request with the given lines and records what arrived.
    struct Echo {
        seen: Mutex<Vec<http::Request<Bytes>>>,
        answer: fn(&http::Request<Bytes>) -> Result<http::Response<Bytes>, TargetError>,
    }

    impl Target for Echo {
        fn name(&self) -> &str {
            "echo"
        }
        fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
            let answer = (self.answer)(&request);
            self.seen.lock().unwrap().push(request);
            Box::pin(async move { answer })
        }
    }

    fn allow_all(request: &http::Request<Bytes>) -> Result<http::Response<Bytes>, TargetError> {
        let origin = request.headers().get("origin").cloned().unwrap();
        let mut b = http::Response::builder().status(200).header("access-control-allow-origin", origin);
        if let Some(m) = request.headers().get("access-control-request-method") {
            b = b.header("access-control-allow-methods", m.clone());
        }
        if let Some(h) = request.headers().get("access-control-request-headers") {
            b = b.header("access-control-allow-headers", h.clone());
        }
        Ok(b.body(Bytes::new()).unwrap())
    }

    fn request(method: &str) -> BrowserRequest {
        BrowserRequest::fetch(
            Origin::parse_serialized(b"https://app.example").unwrap(),
            url::Url::parse("http://api.example.test/data").unwrap(),
        )
        .method(method)
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
    }

    #[test]
    fn pre1_a_simple_request_sends_only_the_actual_request() {
        let target = Echo { seen: Mutex::default(), answer: allow_all };
        let driven = rt().block_on(drive(&target, &request("GET"), &DriverSettings::default()));
        let seen = target.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].method(), "GET");
        assert_eq!(seen[0].headers()["origin"], "https://app.example");
        assert!(driven.verdict.unwrap().readable());
    }

    #[test]
    fn pre3_a_preflighted_request_sends_the_preflight_without_author_headers_then_the_request() {
        let target = Echo { seen: Mutex::default(), answer: allow_all };
        let request = request("PUT").header("X-Token", "secret");
        let driven = rt().block_on(drive(&target, &request, &DriverSettings::default()));
        let seen = target.seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].method(), "OPTIONS");
        assert_eq!(seen[0].headers()["access-control-request-method"], "PUT");
        assert_eq!(seen[0].headers()["access-control-request-headers"], "x-token");
        assert!(seen[0].headers().get("x-token").is_none(), "no author headers on a preflight");
        assert_eq!(seen[1].method(), "PUT");
        assert_eq!(seen[1].headers()["x-token"], "secret");
        assert!(driven.verdict.unwrap().readable());
        assert_eq!(driven.sent.len(), 2);
    }

    #[test]
    fn pre5_a_failed_preflight_stops_before_the_actual_request() {
        let target = Echo {
            seen: Mutex::default(),
            answer: |_| Ok(http::Response::builder().status(403).body(Bytes::new()).unwrap()),
        };
        let driven = rt().block_on(drive(&target, &request("DELETE"), &DriverSettings::default()));
        assert_eq!(target.seen.lock().unwrap().len(), 1);
        assert!(!driven.verdict.unwrap().readable());
    }

    #[test]
    fn a_failing_target_ends_the_request_with_its_error() {
        let target = Echo { seen: Mutex::default(), answer: |_| Err(TargetError::ConnectionReset("gone".into())) };
        let driven = rt().block_on(drive(&target, &request("PUT"), &DriverSettings::default()));
        assert!(driven.verdict.is_none());
        let (sent, error) = driven.failure().unwrap();
        assert_eq!(sent.kind(), "preflight");
        assert_eq!(error, &SendError::Target(TargetError::ConnectionReset("gone".into())));
    }

    #[test]
    fn a_target_that_breaks_its_contract_is_still_cut_off() {
        struct Hangs;
        impl Target for Hangs {
            fn name(&self) -> &str {
                "hangs"
            }
            fn send(&self, _: http::Request<Bytes>) -> TargetFuture<'_> {
                Box::pin(std::future::pending())
            }
        }
        struct Panics;
        impl Target for Panics {
            fn name(&self) -> &str {
                "panics"
            }
            fn send(&self, _: http::Request<Bytes>) -> TargetFuture<'_> {
                Box::pin(async { panic!("in the handler") })
            }
        }
        let settings = DriverSettings { timeout: Duration::from_millis(20), ..DriverSettings::default() };
        let driven = rt().block_on(drive(&Hangs, &request("GET"), &settings));
        assert_eq!(driven.failure().unwrap().1, &SendError::Target(TargetError::Timeout(settings.timeout)));
        let driven = rt().block_on(drive(&Panics, &request("GET"), &settings));
        assert_eq!(driven.failure().unwrap().1, &SendError::Target(TargetError::Panic("in the handler".into())));
    }
}

//! The driver: one browser request against one live [`Target`], exactly as a browser sends it.
//!
//! The oracle is pure and synchronous: it asks a [`Responder`] for each answer. The driver
//! lets the oracle decide everything — whether a preflight is needed and what it carries
//! (PRE-1..3), whether the actual request follows, which redirect to follow (RED-*) — and
//! answers from the target: when the target answers at once (in-process middleware almost
//! always does), the evaluation just goes on; when it does not, the oracle stops with
//! [`Unanswered`], the driver awaits the answer and *replays* the evaluation with the answers
//! collected so far. The oracle is deterministic and takes about a microsecond, so a replay
//! costs nothing next to a network round trip, and the browser logic stays in one place (no
//! second, async copy of the fetch algorithm).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::oracle::cache::PreflightCache;
use crate::oracle::verdict::{Unanswered, Verdict};
use crate::profile::{BrowserProfile, CHROMIUM};
use crate::request::BrowserRequest;
use crate::response::{Responder, ServerResponse, WireRequest};
use crate::service_target::Guard;
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
    /// Shared with the verdict's exchange for it when the target answered on the first poll;
    /// after a replay (a target that answered later) the verdict holds the replay's equal copy.
    pub request: Arc<WireRequest>,
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
    let mut live = Live { target, timeout: settings.timeout, sent: Vec::new(), next: 0, pending: None };
    loop {
        live.next = 0;
        // A fresh cache per browser request: probes are independent questions. (Unique URLs
        // play the same role in a real browser.)
        let evaluated = crate::oracle::evaluate(request, &mut live, settings.profile, &mut PreflightCache::new(), 0);
        if let Some((wire, answer)) = live.pending.take() {
            // The target did not answer on the first poll: wait for it, then replay.
            let answer = answer.await;
            let failed = answer.is_err();
            live.sent.push(Sent { request: wire, answer });
            if failed {
                return Driven { sent: live.sent, verdict: None };
            }
            continue;
        }
        return match evaluated {
            Ok(verdict) => Driven { sent: live.sent, verdict: Some(verdict) },
            // The last request got no answer (recorded in `sent`).
            Err(Unanswered { .. }) => Driven { sent: live.sent, verdict: None },
        };
    }
}

/// A request's answer on its way.
type Answer<'a> = Pin<Box<dyn Future<Output = Result<Arc<ServerResponse>, SendError>> + Send + 'a>>;

/// Answers the oracle: first from the answers collected so far, in order; then by sending the
/// next request. An in-process target usually answers on the first poll, and the evaluation
/// simply goes on (one oracle pass per browser request); one that does not (a served target)
/// leaves its answer `pending`, the oracle stops with [`Unanswered`], and the driver awaits
/// the answer and replays.
struct Live<'a> {
    target: &'a dyn Target,
    timeout: Duration,
    sent: Vec<Sent>,
    /// The next recorded answer to replay.
    next: usize,
    pending: Option<(Arc<WireRequest>, Answer<'a>)>,
}

impl Responder for Live<'_> {
    fn respond(&mut self, request: &Arc<WireRequest>) -> Option<Arc<ServerResponse>> {
        if let Some(sent) = self.sent.get(self.next) {
            // The oracle is deterministic: the k-th request of every replay is the one sent.
            debug_assert_eq!(&sent.request, request, "the oracle replayed a different request");
            self.next += 1;
            return sent.answer.as_ref().ok().cloned();
        }
        if self.sent.len() >= MAX_REQUESTS {
            // The oracle bounds redirects (RED-2); reaching this is a harness bug, reported
            // rather than looped on.
            let error = SendError::Unsendable(format!("the oracle asked for more than {MAX_REQUESTS} requests"));
            self.sent.push(Sent { request: request.clone(), answer: Err(error) });
            return None;
        }
        // The target's call under the driver's own timeout and panic guard, polled once here:
        // an in-process target has answered by then, and nothing more is allocated.
        let mut call = match request.to_http() {
            Ok(http) => Guard::new(self.target.send(http), self.timeout),
            Err(e) => {
                self.sent.push(Sent { request: request.clone(), answer: Err(SendError::Unsendable(e.to_string())) });
                self.next += 1;
                return None;
            }
        };
        let mut context = Context::from_waker(Waker::noop());
        match Pin::new(&mut call).poll(&mut context) {
            Poll::Ready(answer) => {
                let answer = received(answer);
                let response = answer.as_ref().ok().cloned();
                self.sent.push(Sent { request: request.clone(), answer });
                self.next += 1;
                response
            }
            Poll::Pending => {
                self.pending = Some((request.clone(), Box::pin(async move { received(call.await) })));
                None
            }
        }
    }
}

/// A target's answer as the oracle reads it.
fn received(answer: Result<http::Response<bytes::Bytes>, TargetError>) -> Result<Arc<ServerResponse>, SendError> {
    Ok(Arc::new(ServerResponse::from_http(&answer?)))
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

    /// A target that answers only after yielding (like a socket): the driver awaits and
    /// replays, with the same result as an immediate answer.
    #[test]
    fn a_target_that_answers_later_gives_the_same_exchange() {
        struct Later(Echo);
        impl Target for Later {
            fn name(&self) -> &str {
                "later"
            }
            fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
                let answer = self.0.send(request);
                Box::pin(async move {
                    tokio::task::yield_now().await;
                    answer.await
                })
            }
        }
        let request = request("PUT").header("X-Token", "secret");
        let later = Later(Echo { seen: Mutex::default(), answer: allow_all });
        let now = Echo { seen: Mutex::default(), answer: allow_all };
        let a = rt().block_on(drive(&later, &request, &DriverSettings::default()));
        let b = rt().block_on(drive(&now, &request, &DriverSettings::default()));
        assert_eq!(later.0.seen.lock().unwrap().len(), 2, "each request is sent once");
        assert_eq!(a.verdict, b.verdict);
        assert_eq!(a.sent.len(), 2);
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

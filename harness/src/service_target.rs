//! Running a tower `Service` in-process as a [`Target`]: no sockets, but the same failure
//! handling as a served target (a panic or a hang becomes a [`TargetError`]).

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use crate::target::{Target, TargetError, TargetFuture};
use bytes::{Buf, Bytes};
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;

/// How long a target may take to answer one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A tower service called directly, on the caller's task: a panic in the middleware or
/// handler is caught and reported, and a hang (a future that never completes) is cut off by
/// the timeout. A service that *blocks its thread* is not interrupted in-process: serve
/// untrusted targets instead ([`crate::served`]), which run on their own thread.
pub struct ServiceTarget<S> {
    name: String,
    service: S,
    timeout: Duration,
}

impl<S> ServiceTarget<S> {
    pub fn new(name: impl Into<String>, service: S) -> ServiceTarget<S> {
        ServiceTarget { name: name.into(), service, timeout: DEFAULT_TIMEOUT }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> ServiceTarget<S> {
        self.timeout = timeout;
        self
    }
}

impl<S, B> Target for ServiceTarget<S>
where
    S: tower::Service<http::Request<Full<Bytes>>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Display + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Display,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let service = self.service.clone();
        let call = Box::pin(async move {
            let response = service
                .oneshot(request.map(Full::new))
                .await
                .map_err(|e| TargetError::Malformed(format!("the service failed: {e}")))?;
            let (parts, body) = response.into_parts();
            let body = collect(body)
                .await
                .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
            Ok(http::Response::from_parts(parts, body))
        });
        guard(call, self.timeout)
    }
}

/// A response body as one `Bytes`: a single chunk (the usual case) without copying it or
/// allocating a chunk list, as `BodyExt::collect` does.
async fn collect<B: http_body::Body>(body: B) -> Result<Bytes, B::Error> {
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut more: Option<bytes::BytesMut> = None;
    while let Some(frame) = body.as_mut().frame().await {
        let Ok(mut data) = frame?.into_data() else { continue }; // trailers
        let chunk = data.copy_to_bytes(data.remaining());
        match (&first, &mut more) {
            (None, _) => first = Some(chunk),
            (Some(_), Some(more)) => more.extend_from_slice(&chunk),
            (Some(first), None) => {
                let mut all = bytes::BytesMut::from(&first[..]);
                all.extend_from_slice(&chunk);
                more = Some(all);
            }
        }
    }
    Ok(match (first, more) {
        (_, Some(more)) => more.freeze(),
        (Some(first), None) => first,
        (None, None) => Bytes::new(),
    })
}

/// A target's boxed call with the same guarantees as [`guarded`] (a panic becomes
/// [`TargetError::Panic`], a call still pending after `timeout` becomes
/// [`TargetError::Timeout`]) at less cost: the call stays in its own box, so the guard adds a
/// 40-byte future around a pointer instead of a second copy of the call's state, and the
/// timer is created only if the call does not finish on its first poll. For in-process
/// targets whose middleware answers in about a microsecond (see `targets/README.md`).
pub fn guard<'a>(call: TargetFuture<'a>, timeout: Duration) -> TargetFuture<'a> {
    Box::pin(Guard::new(call, timeout))
}

/// The future of [`guard`]: every field is `Unpin`, so no projection is needed. The driver
/// polls it unboxed.
pub(crate) struct Guard<'a> {
    call: TargetFuture<'a>,
    timeout: Duration,
    timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<'a> Guard<'a> {
    pub(crate) fn new(call: TargetFuture<'a>, timeout: Duration) -> Guard<'a> {
        Guard { call, timeout, timer: None }
    }
}

impl Future for Guard<'_> {
    type Output = Result<http::Response<Bytes>, TargetError>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        use std::task::Poll;
        let this = &mut *self;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| this.call.as_mut().poll(cx))) {
            Err(panic) => Poll::Ready(Err(TargetError::Panic(panic_message(panic)))),
            Ok(Poll::Ready(result)) => Poll::Ready(result),
            Ok(Poll::Pending) => {
                let timeout = this.timeout;
                let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(TargetError::Timeout(timeout))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

/// Runs a call with a timeout, turning a panic into [`TargetError::Panic`]. The timer is
/// armed only if the call does not finish on its first poll: most in-process middleware
/// answers immediately, and arming a timer per call would cost more than the middleware.
pub async fn guarded<T>(
    call: impl Future<Output = Result<T, TargetError>>,
    timeout: Duration,
) -> Result<T, TargetError> {
    use futures_util::FutureExt;
    let mut call = std::pin::pin!(std::panic::AssertUnwindSafe(call).catch_unwind());
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(call.as_mut().poll(cx))).await;
    let outcome = match first {
        std::task::Poll::Ready(outcome) => outcome,
        std::task::Poll::Pending => match tokio::time::timeout(timeout, call).await {
            Err(_) => return Err(TargetError::Timeout(timeout)),
            Ok(outcome) => outcome,
        },
    };
    match outcome {
        Err(panic) => Err(TargetError::Panic(panic_message(panic))),
        Ok(result) => result,
    }
}

/// Awaits a spawned call: a panic becomes [`TargetError::Panic`], a hang past `timeout`
/// aborts the task and becomes [`TargetError::Timeout`].
pub async fn join_with_timeout<T>(
    task: tokio::task::JoinHandle<Result<T, TargetError>>,
    timeout: Duration,
) -> Result<T, TargetError> {
    let abort = task.abort_handle();
    match tokio::time::timeout(timeout, task).await {
        Err(_) => {
            abort.abort();
            Err(TargetError::Timeout(timeout))
        }
        Ok(Err(join)) if join.is_panic() => Err(TargetError::Panic(panic_message(join.into_panic()))),
        Ok(Err(join)) => Err(TargetError::ConnectionReset(format!("the call was cancelled: {join}"))),
        Ok(Ok(result)) => result,
    }
}

/// The text of a panic payload, when it has one.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "a panic without a message".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn guarded_reports_panics_and_timeouts() {
        let panicking = async { panic!("boom") };
        let result: Result<(), _> = guarded(panicking, Duration::from_secs(1)).await;
        assert_eq!(result, Err(TargetError::Panic("boom".into())));
        let hanging = std::future::pending::<Result<(), TargetError>>();
        assert_eq!(
            guarded(hanging, Duration::from_millis(10)).await,
            Err(TargetError::Timeout(Duration::from_millis(10)))
        );
        assert_eq!(guarded(async { Ok(7) }, Duration::from_secs(1)).await, Ok(7));
    }

    #[tokio::test]
    async fn guard_reports_panics_and_timeouts_and_passes_answers() {
        let panicking: TargetFuture<'_> = Box::pin(async { panic!("boom") });
        assert_eq!(guard(panicking, Duration::from_secs(1)).await.err(), Some(TargetError::Panic("boom".into())));
        // A panic on a later poll, after the timer is armed, is still a panic.
        let late: TargetFuture<'_> = Box::pin(async {
            tokio::task::yield_now().await;
            panic!("later")
        });
        assert_eq!(guard(late, Duration::from_secs(1)).await.err(), Some(TargetError::Panic("later".into())));
        let hanging: TargetFuture<'_> = Box::pin(std::future::pending());
        assert_eq!(
            guard(hanging, Duration::from_millis(10)).await.err(),
            Some(TargetError::Timeout(Duration::from_millis(10)))
        );
        let slow: TargetFuture<'_> = Box::pin(async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            Ok(http::Response::new(Bytes::from_static(b"late")))
        });
        assert_eq!(guard(slow, Duration::from_secs(1)).await.unwrap().body(), "late");
    }

    #[tokio::test]
    async fn collect_joins_chunks_and_skips_trailers() {
        use http_body_util::StreamBody;
        let frames = vec![
            Ok::<_, std::convert::Infallible>(http_body::Frame::data(Bytes::from_static(b"o"))),
            Ok(http_body::Frame::data(Bytes::from_static(b"k"))),
            Ok(http_body::Frame::trailers(http::HeaderMap::new())),
            Ok(http_body::Frame::data(Bytes::from_static(b"!"))),
        ];
        let body = StreamBody::new(futures_util::stream::iter(frames));
        assert_eq!(collect(body).await.unwrap(), "ok!");
        assert_eq!(collect(Full::new(Bytes::from_static(b"one"))).await.unwrap(), "one");
        assert_eq!(collect(http_body_util::Empty::<Bytes>::new()).await.unwrap(), "");
    }
}

//! Running a tower `Service` in-process as a [`Target`]: no sockets, but the same failure
//! handling as a served target (a panic or a hang becomes a [`TargetError`]).

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use crate::target::{Target, TargetError, TargetFuture};
use bytes::Bytes;
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
        let timeout = self.timeout;
        let call = async move {
            let response = service
                .oneshot(request.map(Full::new))
                .await
                .map_err(|e| TargetError::Malformed(format!("the service failed: {e}")))?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
            Ok(http::Response::from_parts(parts, body.to_bytes()))
        };
        Box::pin(guarded(call, timeout))
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
}

//! Running a tower `Service` in-process as a [`Target`]: no sockets, but the same failure
//! handling as a served target (a panic or a hang becomes a [`TargetError`]).

use std::fmt::Display;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::target::{Target, TargetError, TargetFuture};
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;

/// How long a target may take to answer one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A tower service called directly. Each call runs on its own task, so a panic in the
/// middleware or handler is caught and reported, and a hang is cut off by the timeout.
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
        Box::pin(async move {
            let task = tokio::spawn(async move {
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
            });
            join_with_timeout(task, timeout).await
        })
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

//! What the harness tests: a [`Target`] answers HTTP requests. Adapters for real middlewares
//! live in the `cors-targets` crate; this crate only defines the contract, so the oracle
//! never depends on a web framework.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;

/// The future a [`Target`] returns.
pub type TargetFuture<'a> = Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, TargetError>> + Send + 'a>>;

/// A server under test: in-process (a middleware called directly) or across a socket.
pub trait Target: Send + Sync {
    /// Stable name for reports, e.g. `tower-http` or `tower-http (served)`.
    fn name(&self) -> &str;

    /// Sends one request and returns the whole response. Implementations must turn every
    /// failure of the server (panic, hang, reset, garbage) into a [`TargetError`]; they never
    /// panic or hang themselves.
    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_>;
}

/// How a target failed to answer: each becomes an `execution` divergence, never a harness
/// crash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the target panicked: {0}")]
    Panic(String),
    #[error("no response within {0:?}")]
    Timeout(Duration),
    #[error("the connection was reset or closed before a whole response: {0}")]
    ConnectionReset(String),
    #[error("the response is not valid HTTP: {0}")]
    Malformed(String),
    #[error("the target could not be reached: {0}")]
    Unreachable(String),
}

//! The adapter contract: from a neutral policy to a running target. It lives in the harness
//! (like [`Target`]) so that any crate — the built-in adapters, the historical pins, a user's
//! own middleware — can hand adapters to the engine.

use crate::policy::Policy;
use crate::target::Target;

/// A policy feature a middleware cannot express. The matrix shows the adapter as "n/a" for
/// that policy instead of testing a silent approximation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{adapter} cannot express {feature}: {reason}")]
pub struct Unsupported {
    pub adapter: &'static str,
    /// The policy feature, in the policy file's terms (e.g. `origins = ["https://*.a.example"]`).
    pub feature: String,
    pub reason: String,
}

/// Builds targets for one middleware from a neutral policy.
pub trait Adapter: Sync {
    /// The middleware's name, e.g. `tower-http`.
    fn name(&self) -> &'static str;

    /// The crate and version the adapter is built against, e.g. `tower-http 0.7.1`.
    fn version(&self) -> &'static str;

    /// The middleware called in-process (no sockets).
    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported>;

    /// The middleware served by its own server on `127.0.0.1:0`, reached over loopback. The
    /// server stops when the target is dropped.
    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported>;
}

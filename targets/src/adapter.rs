//! The adapter contract: from a neutral policy to a running target, and the registry.

use cors_harness::policy::Policy;
use cors_harness::target::Target;

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

/// Every adapter compiled in, the reference server first. Adding a middleware: one module
/// plus one line here (and its cargo feature).
pub fn adapters() -> Vec<&'static dyn Adapter> {
    let mut all: Vec<&'static dyn Adapter> = vec![&crate::reference::REFERENCE];
    #[cfg(feature = "tower-http")]
    all.push(&crate::tower_http::TOWER_HTTP);
    #[cfg(feature = "actix-cors")]
    all.push(&crate::actix_cors::ACTIX_CORS);
    #[cfg(feature = "poem")]
    all.push(&crate::poem::POEM);
    #[cfg(feature = "salvo")]
    all.push(&crate::salvo::SALVO);
    #[cfg(feature = "warp")]
    all.push(&crate::warp::WARP);
    #[cfg(feature = "rocket-cors")]
    all.push(&crate::rocket_cors::ROCKET_CORS);
    all
}

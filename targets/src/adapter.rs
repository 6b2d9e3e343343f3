//! The adapter registry. The contract ([`Adapter`], [`Unsupported`]) is the harness's.

pub use cors_harness::adapter::{Adapter, Unsupported};

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
    #[cfg(feature = "ntex-cors")]
    all.push(&crate::ntex_cors::NTEX_CORS);
    #[cfg(feature = "trillium-cors")]
    all.push(&crate::trillium_cors::TRILLIUM_CORS);
    #[cfg(feature = "viz")]
    all.push(&crate::viz::VIZ);
    all
}

//! cors-targets-historical: **old releases** of Rust CORS middlewares, each with a known CORS
//! bug that a later release fixed, as [`Target`](cors_harness::target::Target)s. They are
//! not default targets: they exist so the harness can prove it rediscovers real bugs.
//!
//! | module | pinned release | bug (fixed in) |
//! |---|---|---|
//! | [`tower_http_0_2_0`] | tower-http 0.2.0 (yanked) | no `Vary: Origin` (0.2.1) |
//! | [`tower_http_0_3_0`] | tower-http 0.3.0 | an origin list sent as one `Access-Control-Allow-Origin: a,b` (0.3.1) |
//! | [`actix_cors_0_5_0`] | actix-cors 0.5.0 on actix-web 3 | `allow_any_header()` allows every origin (0.5.1) |
//! | [`warp_0_3_0`] | warp 0.3.0 | `Access-Control-Request-Headers` with spaces refused (0.3.1) |
//! | [`salvo_cors_0_93_0`] | salvo-cors 0.93.0 | `*` with `Access-Control-Allow-Credentials: true` when credentials come from a closure (0.94.0) |
//!
//! tower-http 0.3.4 (`AllowOrigin::list(["*"])` accepted with credentials, fixed in 0.3.5) is
//! the separate workspace `tower-http-0.3.4/`: cargo allows only one 0.3.x release of a crate
//! in one dependency graph, and 0.3.0 is here.
//!
//! Each module documents its policy translation and carries the upstream reference; each
//! target is called in-process (no sockets). Each module's `ADAPTER` is the engine's
//! [`Adapter`] for its release ([`adapters`]), so `cors-harness matrix` (this crate's binary,
//! the same command line as the main one) runs the conformance catalogue and generated probes
//! against it. `tests/` asserts, for each, that the buggy behaviour is present, by hand and as
//! an engine finding.
#![forbid(unsafe_code)]

use cors_harness::adapter::Adapter;

pub mod actix_cors_0_5_0;
pub mod salvo_cors_0_93_0;
pub mod tower_http_0_2_0;
pub mod tower_http_0_3_0;
pub mod warp_0_3_0;

pub use cors_historical_common::{HistoricalAdapter, Unsupported, fixed, header_values};

/// Every pinned release of this workspace as an engine adapter, in the order of the table
/// above (tower-http 0.3.4 has its own workspace and adapter).
pub fn adapters() -> Vec<&'static dyn Adapter> {
    vec![
        &tower_http_0_2_0::ADAPTER,
        &tower_http_0_3_0::ADAPTER,
        &actix_cors_0_5_0::ADAPTER,
        &warp_0_3_0::ADAPTER,
        &salvo_cors_0_93_0::ADAPTER,
    ]
}

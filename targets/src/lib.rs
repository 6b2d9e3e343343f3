//! cors-targets: the CORS middlewares of the Rust web ecosystem, each configured from one
//! neutral [`Policy`](cors_harness::policy::Policy), as [`Target`](cors_harness::target::Target)s
//! the harness can drive: in-process, or served on `127.0.0.1`.
//!
//! - [`adapter`]: the [`Adapter`](adapter::Adapter) contract and the registry of adapters.
//! - [`app`]: the application every middleware wraps (the same answers everywhere).
//! - [`reference`]: the reference server, answering exactly as the policy intends.
//! - [`in_process`] / [`served`]: running a tower service directly or on loopback.
//! - one module per middleware, each behind a cargo feature.
#![forbid(unsafe_code)]

pub mod adapter;
pub mod app;
pub mod convert;
pub mod faults;
pub mod http1_client;
pub mod in_process;
pub mod reference;
pub mod served;
pub mod shared;

#[cfg(feature = "actix-cors")]
pub mod actix_cors;
#[cfg(feature = "ntex-cors")]
pub mod ntex_cors;
#[cfg(feature = "poem")]
pub mod poem;
#[cfg(feature = "rocket-cors")]
pub mod rocket_cors;
#[cfg(feature = "salvo")]
pub mod salvo;
#[cfg(feature = "tower-http")]
pub mod tower_http;
#[cfg(feature = "trillium-cors")]
pub mod trillium_cors;
#[cfg(feature = "viz")]
pub mod viz;
#[cfg(feature = "warp")]
pub mod warp;

pub use adapter::{Adapter, Unsupported, adapters};

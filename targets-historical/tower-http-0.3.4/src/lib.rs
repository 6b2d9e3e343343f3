//! tower-http **0.3.4** (`tower_http::cors::Cors`, `http` 0.2).
//!
//! **Known bug**: `AllowOrigin::list` accepts a literal `*` and treats it as one more origin
//! to compare byte for byte, and the middleware's check against `*` with credentials
//! (`ensure_usable_cors_rules`, which panics for `AllowOrigin::any()` with
//! `allow_credentials(true)`) looks only at a constant origin, not inside a list. So
//! `AllowOrigin::list(["*"])` with `allow_credentials(true)`:
//!
//! - is accepted, where `any()` with credentials is refused;
//! - answers a real origin (`Origin: https://a.example`) with **no**
//!   `Access-Control-Allow-Origin` at all (the owner meant "any origin"; nothing is allowed),
//!   but still with `Access-Control-Allow-Credentials: true`;
//! - answers a request whose `Origin` is the literal `*` with `Access-Control-Allow-Origin: *`
//!   **and** `Access-Control-Allow-Credentials: true` (SRV-5), the combination the check exists
//!   to prevent. (Browsers never send `Origin: *`; the harness can.)
//!
//! Reported in <https://github.com/tower-rs/tower-http/issues/284>; fixed in tower-http 0.3.5 by
//! <https://github.com/tower-rs/tower-http/pull/285> ("Panic if `*` is used with
//! `AllowOrigin::list`"), which refuses the configuration when it is built.
//!
//! This target is a **fixed configuration** reproducing the bug, not built from a policy:
//!
//! ```text
//! Cors::new(app)
//!     .allow_origin(AllowOrigin::list(["*"]))
//!     .allow_methods(AllowMethods::list([GET, HEAD, POST, PUT]))
//!     .allow_headers(AllowHeaders::list(["content-type"]))
//!     .allow_credentials(true)
//! ```
//!
//! It corresponds to the policy `origins = ["*"]`, `methods = ["GET", "HEAD", "POST", "PUT"]`,
//! `allow_headers = ["content-type"]`, `credentials = true` (which the policy loader accepts with
//! the SRV-5 warning), written the way issue #284's reporter wrote it. That policy is
//! `../policies/any-origin-credentials.toml`; the adapter ([`ADAPTER`], `--target
//! tower-http-0.3.4`) checks that the policy it is given means exactly that and is "n/a" for any
//! other ([`cors_historical_common::fixed::check`]).
//!
//! This crate is its own workspace (cargo allows one tower-http 0.3.x per dependency graph, and
//! `cors-targets-historical` pins 0.3.0).
#![forbid(unsafe_code)]

use cors_harness::policy::Policy;
use cors_harness::target::Target;
use cors_historical_common::app::App02;
use cors_historical_common::{HistoricalAdapter, Http02Target, Unsupported, fixed};
use tower_http_0_3_4::cors::{AllowHeaders, AllowMethods, AllowOrigin, Cors};

pub use cors_historical_common::header_values;

/// The target's name.
pub const NAME: &str = "tower-http 0.3.4";

/// The engine's adapter: `cors-harness matrix --target tower-http-0.3.4 --policy
/// targets-historical/policies/any-origin-credentials.toml` (this workspace's binary, feature
/// `cli`).
pub static ADAPTER: HistoricalAdapter = HistoricalAdapter {
    name: "tower-http-0.3.4",
    version: "tower-http 0.3.4 (http 0.2; fixed configuration)",
    build,
    server: "a hyper 0.14 server (the http 0.2 stack)",
};

/// [`wildcard_in_list_with_credentials`] if `policy` is the one it stands for
/// (`policies/any-origin-credentials.toml`), else [`Unsupported`].
pub fn build(policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
    fixed::check(
        NAME,
        "AllowOrigin::list([\"*\"]) with allow_credentials(true), GET/HEAD/POST/PUT, content-type",
        policy,
    )?;
    Ok(wildcard_in_list_with_credentials())
}

/// The fixed configuration described in the crate documentation, around the application,
/// called in-process.
pub fn wildcard_in_list_with_credentials() -> Box<dyn Target> {
    Box::new(Http02Target::new(NAME, cors()))
}

/// The middleware of [`wildcard_in_list_with_credentials`].
pub fn cors() -> Cors<App02> {
    Cors::new(App02)
        .allow_origin(AllowOrigin::list([http02::HeaderValue::from_static("*")]))
        .allow_methods(AllowMethods::list([
            http02::Method::GET,
            http02::Method::HEAD,
            http02::Method::POST,
            http02::Method::PUT,
        ]))
        .allow_headers(AllowHeaders::list([http02::header::CONTENT_TYPE]))
        .allow_credentials(true)
}

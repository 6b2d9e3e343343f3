//! tower-http **0.3.0** (`tower_http::cors::Cors`, `http` 0.2): the rewritten middleware
//! (tower-rs/tower-http#237) in its first release.
//!
//! **Known bug**: `AllowOrigin::list` joins the origins into one constant
//! `Access-Control-Allow-Origin: https://a.example,https://b.example`, sent to every request
//! whatever its `Origin`, like the method and header lists. No browser accepts a list there
//! (CHK-2 wants exactly the request's origin), so a policy with two or more exact origins
//! allows none of them. Reported in <https://github.com/tower-rs/tower-http/issues/255>, fixed
//! in tower-http 0.3.1 (changelog: "Only send a single origin in `Access-Control-Allow-Origin`
//! header when a list of allowed origins is configured") by commit
//! <https://github.com/tower-rs/tower-http/commit/a256facde5f82d2858246e79d6a6cb677011b4ef>
//! ("cors: Fix handling of multiple allowed origins").
//!
//! | policy | tower-http 0.3.0 |
//! |---|---|
//! | exact origins only | `AllowOrigin::list` (the buggy constructor) |
//! | `null`, subdomain patterns | `AllowOrigin::predicate` (the policy's own origin match) |
//! | `origins = ["*"]` | `AllowOrigin::any()`; with credentials `AllowOrigin::mirror_request()` |
//! | `methods` | `AllowMethods::list`; `["*"]`: `any()`, with credentials `mirror_request()` |
//! | `allow_headers` | `AllowHeaders::list`; `["*"]`: `any()`, with credentials `mirror_request()` |
//! | `expose_headers` | `ExposeHeaders::list`; `["*"]`: `any()`; with credentials **n/a** |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(Duration)` |
//! | `private_network` | **n/a** (not in 0.3) |
//!
//! The same translation as `cors-targets`' tower-http 0.7 adapter, so a difference between
//! the two comes from the release, not from the adapter.

use std::sync::Arc;
use std::time::Duration;

use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::Target;
use cors_historical_common::app::App02;
use cors_historical_common::{HistoricalAdapter, Http02Target, Unsupported};
use tower_http_0_3_0::cors::{AllowHeaders, AllowMethods, AllowOrigin, Cors, ExposeHeaders};

use crate::tower_http_0_2_0::header_name;

/// The target's name.
pub const NAME: &str = "tower-http 0.3.0";

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    cors_historical_common::unsupported(NAME, feature, reason)
}

/// The engine's adapter: `cors-harness matrix --target tower-http-0.3.0`.
pub static ADAPTER: HistoricalAdapter = HistoricalAdapter {
    name: "tower-http-0.3.0",
    version: "tower-http 0.3.0 (http 0.2)",
    build,
    server: "a hyper 0.14 server (the http 0.2 stack)",
};

/// tower-http 0.3.0's `Cors` around the application, configured from `policy`, called
/// in-process.
pub fn build(policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
    Ok(Box::new(Http02Target::new(NAME, cors(policy)?)))
}

/// Translates the neutral policy into tower-http 0.3.0's configuration. Never one the
/// middleware refuses (it panics on its first `poll_ready` for `*` with credentials).
pub fn cors(policy: &Policy) -> Result<Cors<App02>, Unsupported> {
    let credentials = policy.credentials;
    if policy.private_network {
        return Err(unsupported("private_network = true", "tower-http 0.3 has no private-network support"));
    }
    let allow_origin = match &policy.origins {
        AllowedOrigins::Any if credentials => AllowOrigin::mirror_request(),
        AllowedOrigins::Any => AllowOrigin::any(),
        AllowedOrigins::List(rules) if rules.iter().all(|r| matches!(r, OriginRule::Exact(_))) => {
            AllowOrigin::list(rules.iter().map(|r| {
                http02::HeaderValue::from_str(&r.to_string()).expect("a serialized origin is a valid header value")
            }))
        }
        AllowedOrigins::List(_) => {
            let origins = Arc::new(policy.origins.clone());
            AllowOrigin::predicate(move |origin, _| origin_allowed(&origins, origin.as_bytes()))
        }
    };
    let allow_methods = match &policy.methods {
        AllowedMethods::Any if credentials => AllowMethods::mirror_request(),
        AllowedMethods::Any => AllowMethods::any(),
        AllowedMethods::List(methods) => AllowMethods::list(
            methods
                .iter()
                .map(|m| http02::Method::from_bytes(m.as_str().as_bytes()).expect("policy methods are tokens")),
        ),
    };
    let allow_headers = match &policy.allow_headers {
        AllowedNames::Any if credentials => AllowHeaders::mirror_request(),
        AllowedNames::Any => AllowHeaders::any(),
        AllowedNames::List(names) => AllowHeaders::list(names.iter().map(header_name)),
    };
    let expose_headers = match &policy.expose_headers {
        AllowedNames::Any if credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "ExposeHeaders::any() sends `*` (inert for credentialed requests, EXP-2) and the middleware refuses it with credentials",
            ));
        }
        AllowedNames::Any => ExposeHeaders::any(),
        AllowedNames::List(names) => ExposeHeaders::list(names.iter().map(header_name)),
    };
    let mut cors = Cors::new(App02)
        .allow_origin(allow_origin)
        .allow_methods(allow_methods)
        .allow_headers(allow_headers)
        .expose_headers(expose_headers)
        .allow_credentials(credentials);
    if let Some(seconds) = policy.max_age {
        cors = cors.max_age(Duration::from_secs(seconds));
    }
    Ok(cors)
}

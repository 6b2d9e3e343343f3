//! tower-http **0.2.0** (`tower_http::cors::Cors`, `http` 0.2), the release that first had
//! the CORS middleware. The release is yanked on crates.io; the committed `Cargo.lock` pins it.
//!
//! **Known bug**: no `Vary: Origin` on any response, although the middleware echoes the
//! request's `Origin` for an origin list or predicate (and answers preflights with the request's
//! origin even for `any()`). A shared cache can then serve one origin's
//! `Access-Control-Allow-Origin` to another (VARY-1..3). Reported in
//! <https://github.com/tower-rs/tower-http/issues/198>, fixed in tower-http 0.2.1 by
//! <https://github.com/tower-rs/tower-http/pull/199> ("`Cors`: Set `Vary` header", on actual
//! responses; preflight responses got theirs in 0.2.2, <https://github.com/tower-rs/tower-http/pull/216>).
//!
//! | policy | tower-http 0.2.0 |
//! |---|---|
//! | exact origins only | `Origin::list` |
//! | `null`, subdomain patterns | `Origin::predicate` (the policy's own origin match) |
//! | `origins = ["*"]` | `any()`; with credentials `Origin::predicate(\|_, _\| true)` (echo) |
//! | `methods` | `allow_methods(Vec<Method>)`: the policy's methods plus `GET`, `HEAD`, `POST` (METH-1; 0.2.0 refuses a preflight for any method not listed); `["*"]`: `any()`; with credentials **n/a** |
//! | `allow_headers` | `allow_headers(Vec<HeaderName>)` (unset when empty); `["*"]`: `any()`; with credentials **n/a** |
//! | `expose_headers` | `expose_headers(Vec<HeaderName>)` (unset when empty); `["*"]`: `any()`; with credentials **n/a** |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(Duration)` |
//! | `private_network` | **n/a** (not in 0.2.0) |
//!
//! Other behaviour of this release that the harness reports rather than hides: a request from
//! a disallowed origin gets `401 Unauthorized` without reaching the application (preflight or
//! not); a preflight with a disallowed method gets `200` without CORS headers; the request
//! headers of a preflight are never checked (the configured list is sent as is).

use std::sync::Arc;
use std::time::Duration;

use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::Target;
use cors_historical_common::app::App02;
use cors_historical_common::{HistoricalAdapter, Http02Target, Unsupported};
use tower_http_0_2_0::cors::{Cors, Origin, any};

/// The target's name.
pub const NAME: &str = "tower-http 0.2.0";

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    cors_historical_common::unsupported(NAME, feature, reason)
}

/// The engine's adapter: `cors-harness matrix --target tower-http-0.2.0`.
pub static ADAPTER: HistoricalAdapter = HistoricalAdapter {
    name: "tower-http-0.2.0",
    version: "tower-http 0.2.0 (yanked; http 0.2)",
    build,
    server: "a hyper 0.14 server (the http 0.2 stack)",
};

/// tower-http 0.2.0's `Cors` around the application, configured from `policy`, called
/// in-process.
pub fn build(policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
    Ok(Box::new(Http02Target::new(NAME, cors(policy)?)))
}

/// Translates the neutral policy into tower-http 0.2.0's configuration.
pub fn cors(policy: &Policy) -> Result<Cors<App02>, Unsupported> {
    let credentials = policy.credentials;
    if policy.private_network {
        return Err(unsupported("private_network = true", "tower-http 0.2.0 has no private-network support"));
    }
    let mut cors = Cors::new(App02);
    cors = match &policy.origins {
        // 0.2.0 would send `*` with `Access-Control-Allow-Credentials: true` (it checks
        // nothing); echoing is what the policy means.
        AllowedOrigins::Any if credentials => cors.allow_origin(Origin::predicate(|_, _| true)),
        AllowedOrigins::Any => cors.allow_origin(any()),
        AllowedOrigins::List(rules) if rules.iter().all(|r| matches!(r, OriginRule::Exact(_))) => {
            cors.allow_origin(Origin::list(rules.iter().map(|r| {
                http02::HeaderValue::from_str(&r.to_string()).expect("a serialized origin is a valid header value")
            })))
        }
        AllowedOrigins::List(_) => {
            let origins = Arc::new(policy.origins.clone());
            cors.allow_origin(Origin::predicate(move |origin, _| origin_allowed(&origins, origin.as_bytes())))
        }
    };
    cors = match &policy.methods {
        AllowedMethods::Any if credentials => {
            return Err(unsupported(
                "methods = [\"*\"] with credentials = true",
                "any() sends `*`, which a credentialed preflight takes literally (PRE-8); 0.2.0 cannot mirror the request",
            ));
        }
        AllowedMethods::Any => cors.allow_methods(any()),
        // 0.2.0 refuses a preflight whose method is not in the list, safelisted or not.
        AllowedMethods::List(listed) => {
            let mut methods = vec![http02::Method::GET, http02::Method::HEAD, http02::Method::POST];
            for m in listed {
                let m = http02::Method::from_bytes(m.as_str().as_bytes()).expect("policy methods are tokens");
                if !methods.contains(&m) {
                    methods.push(m);
                }
            }
            cors.allow_methods(methods)
        }
    };
    cors = match &policy.allow_headers {
        AllowedNames::Any if credentials => {
            return Err(unsupported(
                "allow_headers = [\"*\"] with credentials = true",
                "any() sends `*`, which a credentialed preflight takes literally (PRE-9); 0.2.0 cannot mirror the request",
            ));
        }
        AllowedNames::Any => cors.allow_headers(any()),
        AllowedNames::List(names) if names.is_empty() => cors,
        AllowedNames::List(names) => cors.allow_headers(names.iter().map(header_name).collect::<Vec<_>>()),
    };
    cors = match &policy.expose_headers {
        AllowedNames::Any if credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "any() sends `*` (inert for credentialed requests, EXP-2); 0.2.0 cannot list the response's own names",
            ));
        }
        AllowedNames::Any => cors.expose_headers(any()),
        AllowedNames::List(names) if names.is_empty() => cors,
        AllowedNames::List(names) => cors.expose_headers(names.iter().map(header_name).collect::<Vec<_>>()),
    };
    if credentials {
        cors = cors.allow_credentials(true);
    }
    if let Some(seconds) = policy.max_age {
        cors = cors.max_age(Duration::from_secs(seconds));
    }
    Ok(cors)
}

pub(crate) fn header_name(name: &cors_harness::policy::HeaderName) -> http02::HeaderName {
    http02::HeaderName::from_bytes(name.as_str().as_bytes()).expect("policy header names are tokens")
}

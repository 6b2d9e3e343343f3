//! warp **0.3.0** (`warp::cors()` wrapping a filter; hyper 0.14, tokio 1).
//!
//! **Known bug**: a preflight's `Access-Control-Request-Headers` is split on `,` without
//! trimming, so `content-type, x-foo` (a space after the comma, as older browsers and many
//! clients send it) checks the name ` x-foo`, which is not a header name, and the preflight is
//! refused with `403` although every header is allowed. `content-type,x-foo` passes. Fixed in
//! warp 0.3.1 (changelog: "Fix CORS to allow spaces when checking
//! `Access-Control-Request-Headers`") by <https://github.com/seanmonstar/warp/pull/792>.
//!
//! | policy | warp 0.3.0 |
//! |---|---|
//! | exact origins | `allow_origins` |
//! | `null`, subdomain patterns | **n/a** (an exact list only) |
//! | `origins = ["*"]` | `allow_any_origin()` (always echoes the request's origin) |
//! | `methods` | `allow_methods`: the policy's methods plus `GET`, `HEAD`, `POST` (METH-1); `["*"]`: **n/a** |
//! | `allow_headers` | `allow_headers`; `["*"]`: **n/a** |
//! | `expose_headers` | `expose_headers`; `["*"]`: **n/a** |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(Duration)` |
//! | `private_network` | **n/a** |
//!
//! In warp 0.3.0 a request from a disallowed origin, or a refused preflight, is rejected: the
//! answer is warp's rejection response, `403 Forbidden` with the reason as text.
//!
//! In-process, the filter is turned into a tower service (`warp::service`) and called on the
//! caller's task; it needs no runtime of its own (hyper 0.14 already uses tokio 1).

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy};
use cors_harness::target::{Target, TargetError, TargetFuture};
use cors_historical_common::{DEFAULT_TIMEOUT, HistoricalAdapter, Unsupported, app, compat, guarded};
use warp_0_3_0::Filter;
use warp_0_3_0::hyper::Body;

/// The target's name.
pub const NAME: &str = "warp 0.3.0";

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    cors_historical_common::unsupported(NAME, feature, reason)
}

/// The engine's adapter: `cors-harness matrix --target warp-0.3.0`.
pub static ADAPTER: HistoricalAdapter = HistoricalAdapter {
    name: "warp-0.3.0",
    version: "warp 0.3.0 (hyper 0.14)",
    build,
    server: "warp 0.3's `server` feature (hyper 0.14's TCP server, off here)",
};

/// warp 0.3.0's `cors()` around the application, configured from `policy`, called
/// in-process.
pub fn build(policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
    let cors = builder(policy)?;
    let filter = warp_0_3_0::any().map(app_response).with(cors);
    Ok(Box::new(WarpTarget { service: warp_0_3_0::service(filter), timeout: DEFAULT_TIMEOUT }))
}

/// Translates the neutral policy into warp 0.3.0's `cors()` builder.
pub fn builder(policy: &Policy) -> Result<warp_0_3_0::cors::Builder, Unsupported> {
    if policy.private_network {
        return Err(unsupported("private_network = true", "warp's cors() has no private-network support"));
    }
    let mut cors = warp_0_3_0::cors();
    match &policy.origins {
        AllowedOrigins::Any => cors = cors.allow_any_origin(),
        AllowedOrigins::List(rules) => {
            let mut exact = Vec::with_capacity(rules.len());
            for rule in rules {
                match rule {
                    OriginRule::Exact(_) => exact.push(rule.to_string()),
                    _ => {
                        return Err(unsupported(
                            &format!("origins = [\"{rule}\"]"),
                            "warp's cors() takes exact origins only (no predicate)",
                        ));
                    }
                }
            }
            // `allow_origins` panics on an origin it cannot parse: that is "cannot express".
            let attempt = std::panic::catch_unwind(move || cors.allow_origins(exact.iter().map(String::as_str)));
            cors = attempt.map_err(|_| unsupported("origins", "warp 0.3.0 could not parse one of the origins"))?;
        }
    }
    match &policy.methods {
        AllowedMethods::Any => {
            return Err(unsupported("methods = [\"*\"]", "warp's cors() has no way to allow any method"));
        }
        AllowedMethods::List(listed) => {
            let mut methods = vec![http02::Method::GET, http02::Method::HEAD, http02::Method::POST];
            for m in listed {
                let m = http02::Method::from_bytes(m.as_str().as_bytes()).expect("policy methods are tokens");
                if !methods.contains(&m) {
                    methods.push(m);
                }
            }
            cors = cors.allow_methods(methods);
        }
    }
    match &policy.allow_headers {
        AllowedNames::Any => {
            return Err(unsupported("allow_headers = [\"*\"]", "warp's cors() has no way to allow any request header"));
        }
        AllowedNames::List(names) => cors = cors.allow_headers(names.iter().map(|n| n.as_str())),
    }
    match &policy.expose_headers {
        AllowedNames::Any => {
            return Err(unsupported("expose_headers = [\"*\"]", "warp's cors() has no way to expose every header"));
        }
        AllowedNames::List(names) => cors = cors.expose_headers(names.iter().map(|n| n.as_str())),
    }
    if policy.credentials {
        cors = cors.allow_credentials(true);
    }
    if let Some(seconds) = policy.max_age {
        cors = cors.max_age(Duration::from_secs(seconds));
    }
    Ok(cors)
}

/// The application's response for warp (`http` 0.2 with a hyper 0.14 body).
fn app_response() -> http02::Response<Body> {
    app::response_02().map(Body::from)
}

struct WarpTarget<S> {
    service: S,
    timeout: Duration,
}

impl<S> Target for WarpTarget<S>
where
    S: tower_service::Service<http02::Request<Body>, Response = http02::Response<Body>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    fn name(&self) -> &str {
        NAME
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let mut service = self.service.clone();
        let call = async move {
            let request = compat::request_to_02(request)?.map(Body::from);
            let response = match service.call(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let (parts, body) = response.into_parts();
            let body = warp_0_3_0::hyper::body::to_bytes(body)
                .await
                .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
            compat::response_from_02(http02::Response::from_parts(parts, body))
        };
        Box::pin(guarded(call, self.timeout))
    }
}

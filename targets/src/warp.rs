//! warp 0.4's `warp::cors()` filter wrapping a `warp::any()` route, with the rejection it
//! raises recovered into a response: `warp::any().map(app).with(cors).recover(forbidden)`.
//!
//! | policy | warp `cors()` |
//! |---|---|
//! | exact origins only | `allow_origins(list)` (each origin checked to survive warp's `headers::Origin` round trip byte-exactly) |
//! | `null`, subdomain patterns | unsupported: warp has no origin predicate, and `allow_origin("null")` panics ("missing scheme") |
//! | `origins = []` | `allow_origins([])`: an empty set, every `Origin` refused |
//! | `origins = ["*"]` | `allow_any_origin()`: warp echoes every `Origin` (never `*`), with or without credentials |
//! | `methods` | `allow_methods(GET, HEAD, POST + listed)`: warp refuses a preflight whose method is not in its set, and the policy always allows the safelisted methods (METH-1) |
//! | `methods = ["*"]` | unsupported: no "any method" (an empty set refuses every preflight) |
//! | `allow_headers` | `allow_headers(list)`; `[]`: nothing configured (every preflight with `Access-Control-Request-Headers` refused) |
//! | `allow_headers = ["*"]` | unsupported: no "any header" |
//! | `expose_headers` | `expose_headers(list)`; `["*"]`: `expose_header("*")`; with credentials: unsupported |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(Duration)` (any `u64`); unset: none configured, no header |
//! | `private_network` | unsupported (no private-network access support) |
//!
//! **Refusals.** warp does not answer a refused CORS request itself: the filter *rejects* with
//! `CorsForbidden` (a disallowed origin on any request carrying `Origin`, or a disallowed
//! preflight method or header), and the wrapped route never runs. The adapter recovers that
//! rejection as warp's documentation teaches (`Filter::recover`, `Rejection::find`) into what
//! warp itself would answer for it unrecovered: `403 Forbidden`, `Content-Type: text/plain;
//! charset=utf-8`, body `CORS request forbidden: origin not allowed` (or `request-method not
//! allowed`, `header not allowed`). Any other rejection (none can occur: the route is
//! `warp::any()`) goes on to warp's default reply.
//!
//! **Running.** In-process: `warp::service(filter)` (a tower service over http 1.x types) in a
//! [`ServiceTarget`], whose `guarded` turns a panic or hang into a `TargetError`. Served:
//! warp's own server, `warp::serve(filter).incoming(listener).graceful(shutdown)`, on the
//! listener of [`Server::spawn`] (hyper-util's auto HTTP/1.1 + HTTP/2 connection builder); the
//! graceful drain after shutdown is capped at one second.
//!
//! warp keeps its method and header lists in `HashSet`s, each with its own random hasher, and
//! renders the `Access-Control-Allow-*`/`-Expose-Headers` values when the `Cors` is built. As
//! for poem, the adapter builds one `Cors` per policy while any target of that policy is alive,
//! so the in-process and the served target list in the same order.

use std::sync::Arc;
use std::time::Duration;

use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy};
use cors_harness::target::{Target, TargetFuture};
use warp::filters::cors::{Cors, CorsForbidden};
use warp::http::StatusCode;
use warp::{Filter, Rejection, Reply};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::ServiceTarget;
use crate::served::{ServedTarget, Server};
use crate::shared::PerPolicy;

pub struct WarpAdapter;

pub static WARP: WarpAdapter = WarpAdapter;

const NAME: &str = "warp";

/// How long in-flight connections may drain after the served target is dropped.
const DRAIN: Duration = Duration::from_secs(1);

impl Adapter for WarpAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "warp 0.4.3"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let cors = shared_cors(policy)?;
        let inner = ServiceTarget::new(NAME, warp::service(routes(&cors)));
        Ok(Box::new(WarpTarget { inner: Box::new(inner), _cors: cors }))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let cors = shared_cors(policy)?;
        let filter = routes(&cors);
        let server = Server::spawn(NAME, move |listener, shutdown| async move {
            let stopping = Arc::new(tokio::sync::Notify::new());
            let signal = {
                let stopping = Arc::clone(&stopping);
                async move {
                    let _ = shutdown.await;
                    stopping.notify_one();
                }
            };
            let server = warp::serve(filter).incoming(listener).graceful(signal).run();
            tokio::select! {
                () = server => {}
                () = async {
                    stopping.notified().await;
                    tokio::time::sleep(DRAIN).await;
                } => {}
            }
        })
        .map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        let inner = ServedTarget::new(format!("{NAME} (served)"), server);
        Ok(Box::new(WarpTarget { inner: Box::new(inner), _cors: cors }))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// The application (every method and path answers the same) wrapped in `cors`, refusals
/// recovered into warp's own 403 answer (see the module doc).
fn routes(cors: &Cors) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone + Send + Sync + 'static {
    warp::any().map(crate::app::response).with(cors.clone()).recover(forbidden)
}

/// What warp answers for an unrecovered `CorsForbidden`, spelled out as a warp user's
/// `recover` handler does it.
async fn forbidden(rejection: Rejection) -> Result<warp::reply::Response, Rejection> {
    match rejection.find::<CorsForbidden>() {
        Some(forbidden) => Ok(warp::reply::with_status(forbidden.to_string(), StatusCode::FORBIDDEN).into_response()),
        None => Err(rejection),
    }
}

/// Configured `Cors` instances of the live targets, by policy (see the module doc).
static SHARED: PerPolicy<Cors> = PerPolicy::new();

/// The `Cors` for `policy`: the one a live target already uses, or a new one.
fn shared_cors(policy: &Policy) -> Result<Arc<Cors>, Unsupported> {
    SHARED.get_or_build(policy, cors)
}

/// Translates the neutral policy into warp's configuration.
pub fn cors(policy: &Policy) -> Result<Cors, Unsupported> {
    let credentials = policy.credentials;
    let mut cors = warp::cors().allow_credentials(credentials);
    cors = match &policy.origins {
        AllowedOrigins::Any => cors.allow_any_origin(),
        AllowedOrigins::List(rules) => {
            let mut origins = Vec::with_capacity(rules.len());
            for rule in rules {
                origins.push(exact_origin(rule)?);
            }
            // Even when empty: `allow_origins([])` configures an empty set (nothing allowed),
            // whereas configuring no origin at all would mean "any".
            cors.allow_origins(origins.iter().map(String::as_str))
        }
    };
    cors = match &policy.methods {
        AllowedMethods::Any => {
            return Err(unsupported(
                "methods = [\"*\"]",
                "cors() has no \"any method\": it accepts only the methods configured, and none configured refuses every preflight",
            ));
        }
        AllowedMethods::List(methods) => {
            let mut list = Vec::with_capacity(methods.len() + 3);
            for method in ["GET", "HEAD", "POST"].into_iter().chain(methods.iter().map(|m| m.as_str())) {
                let method = warp::http::Method::from_bytes(method.as_bytes())
                    .map_err(|e| unsupported(&format!("methods = [\"{method}\"]"), &e.to_string()))?;
                list.push(method);
            }
            cors.allow_methods(list)
        }
    };
    cors = match &policy.allow_headers {
        AllowedNames::Any => {
            return Err(unsupported(
                "allow_headers = [\"*\"]",
                "cors() has no \"any header\": it accepts only the header names configured",
            ));
        }
        AllowedNames::List(names) => cors.allow_headers(header_names("allow_headers", names)?),
    };
    cors = match &policy.expose_headers {
        AllowedNames::Any if credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "`*` is inert for credentialed requests (EXP-2) and cors() has no way to list the response's own header names",
            ));
        }
        AllowedNames::Any => cors.expose_header("*"),
        AllowedNames::List(names) => cors.expose_headers(header_names("expose_headers", names)?),
    };
    if let Some(seconds) = policy.max_age {
        cors = cors.max_age(Duration::from_secs(seconds));
    }
    if policy.private_network {
        return Err(unsupported("private_network = true", "cors() has no private-network access support"));
    }
    Ok(cors.build())
}

/// An exact origin as warp stores it, or why it cannot be configured. warp parses each origin
/// into a `headers::Origin` (a `Uri`'s scheme and authority, panicking if that fails) and
/// compares the request's `Origin` byte-exactly with its re-serialization: only an origin that
/// parses and re-serializes to itself is configured faithfully.
fn exact_origin(rule: &OriginRule) -> Result<String, Unsupported> {
    let origin = match rule {
        OriginRule::Exact(_) => rule.to_string(),
        OriginRule::Null => {
            return Err(unsupported(
                "origins = [\"null\"]",
                "cors() has no origin predicate, and allow_origin(\"null\") panics (\"missing scheme\"): only scheme://host origins can be listed",
            ));
        }
        OriginRule::Subdomains(pattern) => {
            return Err(unsupported(
                &format!("origins = [\"{pattern}\"]"),
                "cors() has no origin predicate or pattern: only an exact set of origins, or any origin",
            ));
        }
    };
    let parts = warp::http::Uri::try_from(origin.as_str()).map(warp::http::Uri::into_parts).ok();
    let round_trip = parts.and_then(|parts| {
        let path_ok = parts.path_and_query.as_ref().is_none_or(|p| p.as_str() == "/");
        match (parts.scheme, parts.authority) {
            (Some(scheme), Some(authority)) if path_ok => Some(format!("{scheme}://{authority}")),
            _ => None,
        }
    });
    if round_trip.as_deref() != Some(origin.as_str()) {
        return Err(unsupported(
            &format!("origins = [\"{origin}\"]"),
            &format!("warp stores origins as headers::Origin, which makes {round_trip:?} of it"),
        ));
    }
    Ok(origin)
}

fn header_names(
    key: &str,
    names: &[cors_harness::policy::HeaderName],
) -> Result<Vec<warp::http::HeaderName>, Unsupported> {
    names
        .iter()
        .map(|name| {
            warp::http::HeaderName::from_bytes(name.as_str().as_bytes())
                .map_err(|e| unsupported(&format!("{key} = [\"{name}\"]"), &e.to_string()))
        })
        .collect()
}

/// A target (in-process or served) keeping the shared `Cors` alive while it runs.
struct WarpTarget {
    inner: Box<dyn Target>,
    _cors: Arc<Cors>,
}

impl Target for WarpTarget {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn send(&self, request: http::Request<bytes::Bytes>) -> TargetFuture<'_> {
        self.inner.send(request)
    }
}

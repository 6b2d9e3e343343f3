//! poem 3's `Cors` middleware on a `Route`: `cors.transform(Route::new().at("/*path", app))`,
//! which is what `Route::with(cors)` does.
//!
//! | policy | poem `Cors` |
//! |---|---|
//! | exact origins only | `allow_origins(list)` |
//! | `null`, subdomain patterns, or no origin at all | `allow_origins_fn` (the policy's own origin match); an empty set would mean "any" in poem |
//! | `origins = ["*"]` | no origin configured: poem then echoes every `Origin` (never `*`), with or without credentials |
//! | `methods` | `allow_methods(GET, HEAD, POST + listed)`: poem answers 403 to a preflight whose method is not in its set, and the policy always allows the safelisted methods (METH-1) |
//! | `methods = ["*"]` | no method configured: poem accepts any requested method and lists its nine standard methods |
//! | `allow_headers` | `allow_headers(list)`; `[]`: unsupported (an empty set means "any" in poem) |
//! | `allow_headers = ["*"]` | no header configured: poem echoes `Access-Control-Request-Headers` (with or without credentials) |
//! | `expose_headers` | `expose_headers(list)`; `["*"]`: `expose_header("*")`; with credentials: unsupported |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(i32)`; no `max_age`: unsupported (poem always sends one, 86400 by default) |
//! | `private_network` | unsupported (no private-network support) |
//!
//! poem keeps its lists in `HashSet`s, each with its own random hasher, so two `Cors` built from
//! the same policy can list methods and headers in different orders. The adapter builds one
//! `Cors` per policy while any target of that policy is alive, and both the in-process and the
//! served target transform that same `Cors`: they answer byte-for-byte alike.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::{Target, TargetError, TargetFuture};
use poem::middleware::{Cors, Middleware};
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Body, Endpoint, Request, RequestParts, Response, ResponseParts, Route};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::{DEFAULT_TIMEOUT, guard};
use crate::served::{ServedTarget, Server};
use crate::shared::PerPolicy;

pub struct PoemAdapter;

pub static POEM: PoemAdapter = PoemAdapter;

const NAME: &str = "poem";

impl Adapter for PoemAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "poem 3.1"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let cors = shared_cors(policy)?;
        let endpoint = Arc::new(cors.transform(route()));
        Ok(Box::new(PoemTarget { name: NAME.to_owned(), endpoint, timeout: DEFAULT_TIMEOUT, _cors: cors }))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let cors = shared_cors(policy)?;
        let endpoint = cors.transform(route());
        let server = Server::spawn(NAME, move |listener, shutdown| async move {
            let acceptor = match poem::listener::TcpAcceptor::from_tokio(listener) {
                Ok(acceptor) => acceptor,
                Err(_) => return, // the client then sees the connection refused
            };
            let stop = async move {
                let _ = shutdown.await;
            };
            let _ = poem::Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(endpoint, stop, Some(Duration::from_secs(1)))
                .await;
        })
        .map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        Ok(Box::new(PoemServed { inner: ServedTarget::new(format!("{NAME} (served)"), server), _cors: cors }))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// The application behind the middleware: every method and path answers the same.
struct App;

impl Endpoint for App {
    type Output = Response;

    async fn call(&self, _request: Request) -> poem::Result<Response> {
        let (parts, body) = crate::app::response().into_parts();
        let parts = ResponseParts {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            extensions: parts.extensions,
        };
        Ok(Response::from_parts(parts, Body::from(body)))
    }
}

fn route() -> Route {
    // `/*path` matches `/` too.
    Route::new().at("/*path", App)
}

/// Configured `Cors` instances of the live targets, by policy (see the module doc).
static SHARED: PerPolicy<Cors> = PerPolicy::new();

/// The `Cors` for `policy`: the one a live target already uses, or a new one.
fn shared_cors(policy: &Policy) -> Result<Arc<Cors>, Unsupported> {
    SHARED.get_or_build(policy, cors)
}

/// Translates the neutral policy into poem's configuration.
pub fn cors(policy: &Policy) -> Result<Cors, Unsupported> {
    let credentials = policy.credentials;
    let mut cors = Cors::new().allow_credentials(credentials);
    cors = match &policy.origins {
        // No origin configured: poem allows (and echoes) every origin.
        AllowedOrigins::Any => cors,
        AllowedOrigins::List(rules) if !rules.is_empty() && rules.iter().all(|r| matches!(r, OriginRule::Exact(_))) => {
            cors.allow_origins(rules.iter().map(|r| r.to_string()))
        }
        AllowedOrigins::List(_) => {
            let origins = policy.origins.clone();
            cors.allow_origins_fn(move |origin| origin_allowed(&origins, origin.as_bytes()))
        }
    };
    cors = match &policy.methods {
        AllowedMethods::Any => cors,
        AllowedMethods::List(methods) => {
            cors.allow_methods(["GET", "HEAD", "POST"].into_iter().chain(methods.iter().map(|m| m.as_str())))
        }
    };
    cors = match &policy.allow_headers {
        AllowedNames::Any => cors,
        AllowedNames::List(names) if names.is_empty() => {
            return Err(unsupported(
                "allow_headers = []",
                "Cors treats an empty allow_headers set as \"any\": it echoes Access-Control-Request-Headers and accepts every header",
            ));
        }
        AllowedNames::List(names) => cors.allow_headers(names.iter().map(|n| n.as_str())),
    };
    cors = match &policy.expose_headers {
        AllowedNames::Any if credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "`*` is inert for credentialed requests (EXP-2) and Cors has no way to list the response's own header names",
            ));
        }
        AllowedNames::Any => cors.expose_header("*"),
        AllowedNames::List(names) => cors.expose_headers(names.iter().map(|n| n.as_str())),
    };
    cors = match policy.max_age {
        None => {
            return Err(unsupported(
                "no max_age",
                "Cors always sends Access-Control-Max-Age (86400 unless set); it cannot leave it out",
            ));
        }
        Some(seconds) => match i32::try_from(seconds) {
            Ok(seconds) => cors.max_age(seconds),
            Err(_) => {
                return Err(unsupported(&format!("max_age = {seconds}"), "Cors takes the max-age as an i32"));
            }
        },
    };
    if policy.private_network {
        return Err(unsupported("private_network = true", "Cors has no private-network access support"));
    }
    Ok(cors)
}

/// The endpoint called in-process, on the caller's task, under the shared panic and timeout
/// guard.
struct PoemTarget<E> {
    name: String,
    endpoint: Arc<E>,
    timeout: Duration,
    _cors: Arc<Cors>,
}

impl<E: Endpoint<Output = Response> + 'static> Target for PoemTarget<E> {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let endpoint = Arc::clone(&self.endpoint);
        let timeout = self.timeout;
        guard(
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                let loopback = Addr::SocketAddr(([127, 0, 0, 1], 0).into());
                let parts = RequestParts::from((
                    parts,
                    LocalAddr(loopback.clone()),
                    RemoteAddr(loopback),
                    http::uri::Scheme::HTTP,
                ));
                let response = endpoint.get_response(Request::from_parts(parts, Body::from(body))).await;
                let (parts, body) = response.into_parts();
                let body = body
                    .into_bytes()
                    .await
                    .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
                let mut response = http::Response::new(body);
                *response.status_mut() = parts.status;
                *response.version_mut() = parts.version;
                *response.headers_mut() = parts.headers;
                Ok(response)
            }),
            timeout,
        )
    }
}

/// The served target, keeping the shared `Cors` alive while it runs.
struct PoemServed {
    inner: ServedTarget,
    _cors: Arc<Cors>,
}

impl Target for PoemServed {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        self.inner.send(request)
    }
}

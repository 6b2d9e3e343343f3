//! trillium-cors 0.1's `Cors` handler ahead of the application, on trillium 1.4 (served by
//! trillium-tokio).
//!
//! trillium 1.4.1 and trillium-http 1.6.2 and later use standard-library APIs stabilized after
//! Rust 1.95 (`uint_bit_width`, `Option::map_or_default`) without declaring a `rust-version`, so
//! the resolver cannot avoid them: the workspace pins trillium =1.4.0, trillium-http =1.6.1 and
//! trillium-server-common =0.7.11 (the last releases that build on 1.95).
//!
//! | policy | trillium-cors |
//! |---|---|
//! | exact origins | `Cors::allow_origins` (URL-parsed `url::Origin`s: compared after normalization, the echo is the parsed origin's serialization) |
//! | subdomain patterns | `Cors::allow_origin_fn` (the policy's own match on the parsed origin's serialization) |
//! | `null` | unsupported (opaque origins are refused before any policy is consulted) |
//! | `origins = ["*"]` | `Cors::allow_any_origin()` (`*`); with credentials: unsupported (`allow_credentials` panics: it refuses to echo any origin) |
//! | `methods` | `allow_methods` (trillium `Method`s; `GET`, `HEAD`, `POST` are always approved); a method trillium does not know, or not in upper case: unsupported; `["*"]`: unsupported |
//! | `allow_headers` | `allow_headers`; `[]`: the default (safelisted only); `["*"]`: `allow_any_header()` (`*`, or the requested names with credentials) |
//! | `expose_headers` | `expose_headers`; `["*"]`: `expose_any_header()`; with credentials: unsupported |
//! | `credentials` | `allow_credentials()` |
//! | `max_age` | `max_age(Duration)` |
//! | `private_network` | unsupported (no private-network support) |
//!
//! Documented behaviour the harness may report (`tests/trillium_cors.rs`): every response varies
//! on `Origin` (preflights also on the request method and headers) unless any origin is
//! allowed; a refused preflight is a `204` without CORS headers; `accept`,
//! `accept-language` and `content-language` are approved in a preflight even when not listed;
//! preflight methods are parsed case-insensitively (`patch` is taken for `PATCH`).
//!
//! In-process, the handler runs on a synthetic connection (`trillium_http::Conn::new_synthetic`,
//! what trillium-testing uses) on the caller's task, with the server's default `Server` header
//! and its header finalization; a request method trillium's HTTP/1.1 parser rejects gets the
//! `501` the server answers with, without reaching the handler.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::{Target, TargetError, TargetFuture};
use trillium::{Conn, Handler, HeaderName, HeaderValue, KnownHeaderName, Method, Status, Transport};
use trillium_cors::{Cors, Origin};
use trillium_http::HttpContext;

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::{DEFAULT_TIMEOUT, guard};
use crate::served::{ServedTarget, Server};

pub struct TrilliumCorsAdapter;

pub static TRILLIUM_CORS: TrilliumCorsAdapter = TrilliumCorsAdapter;

const NAME: &str = "trillium-cors";

impl Adapter for TrilliumCorsAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "trillium-cors 0.1 (trillium 1.4)"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let handler = (cors(policy)?, App);
        Ok(Box::new(TrilliumTarget::new(handler)))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let handler = (cors(policy)?, App);
        let server = Server::spawn(NAME, move |listener, shutdown| async move {
            let config = trillium_tokio::config().without_signals().with_prebound_server(listener);
            tokio::select! {
                () = config.run_async(handler) => {}
                // Dropping the server stops accepting; open connections end with the runtime.
                _ = shutdown => {}
            }
        })
        .map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        Ok(Box::new(ServedTarget::new(format!("{NAME} (served)"), server)))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// Translates the neutral policy into trillium-cors' configuration.
pub fn cors(policy: &Policy) -> Result<Cors, Unsupported> {
    let mut cors = match &policy.origins {
        AllowedOrigins::Any if policy.credentials => {
            return Err(unsupported(
                "origins = [\"*\"] with credentials = true",
                "allow_credentials() panics on allow_any_origin(): trillium-cors refuses to echo any origin",
            ));
        }
        AllowedOrigins::Any => Cors::allow_any_origin(),
        AllowedOrigins::List(rules) => {
            if rules.iter().any(|r| matches!(r, OriginRule::Null)) {
                return Err(unsupported(
                    "origins = [\"null\"]",
                    "Cors refuses opaque origins before consulting its origin list or predicate",
                ));
            }
            if rules.iter().all(|r| matches!(r, OriginRule::Exact(_))) {
                let exact: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
                Cors::allow_origins(exact.iter().map(String::as_str))
            } else {
                let origins = policy.origins.clone();
                Cors::allow_origin_fn(move |origin: &Origin| {
                    origin_allowed(&origins, origin.ascii_serialization().as_bytes())
                })
            }
        }
    };
    if policy.credentials {
        cors = cors.allow_credentials();
    }
    cors = match &policy.methods {
        AllowedMethods::Any => {
            return Err(unsupported(
                "methods = [\"*\"]",
                "allow_methods takes a list of trillium Methods: no way to allow any method",
            ));
        }
        AllowedMethods::List(listed) => {
            let mut methods = Vec::new();
            for name in listed {
                match name.as_str().parse::<Method>() {
                    Ok(method) if method.as_str() == name.as_str() => methods.push(method),
                    _ => {
                        return Err(unsupported(
                            &format!("methods = [\"{name}\"]"),
                            "not one of trillium's Methods (which it parses case-insensitively, so a lower-case \
                             name would stand for the upper-case one)",
                        ));
                    }
                }
            }
            cors.allow_methods(methods)
        }
    };
    cors = match &policy.allow_headers {
        AllowedNames::Any => cors.allow_any_header(),
        AllowedNames::List(names) if names.is_empty() => cors,
        AllowedNames::List(names) => cors.allow_headers(names.iter().map(|n| HeaderName::from(n.as_str().to_owned()))),
    };
    cors = match &policy.expose_headers {
        AllowedNames::Any if policy.credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "`*` is inert for credentialed requests (EXP-2) and Cors has no way to list the response's own \
                 header names",
            ));
        }
        AllowedNames::Any => cors.expose_any_header(),
        AllowedNames::List(names) if names.is_empty() => cors,
        AllowedNames::List(names) => cors.expose_headers(names.iter().map(|n| HeaderName::from(n.as_str().to_owned()))),
    };
    if let Some(seconds) = policy.max_age {
        cors = cors.max_age(Duration::from_secs(seconds));
    }
    if policy.private_network {
        return Err(unsupported("private_network = true", "Cors has no private-network access support"));
    }
    Ok(cors)
}

/// The application behind the handler: every method and path answers the same.
struct App;

impl Handler for App {
    async fn run(&self, mut conn: Conn) -> Conn {
        for (name, value) in crate::app::RESPONSE_HEADERS {
            conn.response_headers_mut().append(name, value);
        }
        conn.ok(crate::app::BODY)
    }
}

// ------------------------------------------------------------------------------------------------
// In-process

/// The handler run in-process on synthetic connections, with the server's shared context.
struct TrilliumTarget<H> {
    handler: Arc<H>,
    context: Arc<HttpContext>,
    timeout: Duration,
}

impl<H: Handler> TrilliumTarget<H> {
    fn new(handler: H) -> TrilliumTarget<H> {
        // `Handler::init` is async but neither handler awaits anything in it; the context is
        // the server's default one.
        let context = Arc::new(HttpContext::default());
        TrilliumTarget { handler: Arc::new(handler), context, timeout: DEFAULT_TIMEOUT }
    }
}

impl<H: Handler> Target for TrilliumTarget<H> {
    fn name(&self) -> &str {
        NAME
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let handler = Arc::clone(&self.handler);
        let context = Arc::clone(&self.context);
        guard(Box::pin(call(handler, context, request)), self.timeout)
    }
}

/// One request through the handler, as trillium's HTTP/1.1 server runs it: `run`, then
/// `before_send`, then the header finalization (`Date`, framing).
async fn call<H: Handler>(
    handler: Arc<H>,
    context: Arc<HttpContext>,
    request: http::Request<Bytes>,
) -> Result<http::Response<Bytes>, TargetError> {
    let (parts, body) = request.into_parts();
    let method = match parts.method.as_str().parse::<Method>() {
        Ok(method) if method.as_str() == parts.method.as_str() => method,
        // trillium's request-line parser knows a fixed set of upper-case methods and answers
        // 501 to any other token before a handler runs.
        _ => return not_implemented(),
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let mut conn = trillium_http::Conn::new_synthetic(method, path, body.to_vec()).with_context(context);
    if body.is_empty() {
        conn.request_headers_mut().remove(KnownHeaderName::ContentLength);
    }
    if !parts.headers.contains_key(http::header::HOST)
        && let Some(authority) = parts.uri.authority()
    {
        conn.request_headers_mut().append(KnownHeaderName::Host, authority.as_str().to_owned());
    }
    for (name, value) in &parts.headers {
        if name == http::header::CONTENT_LENGTH {
            continue; // new_synthetic set it from the body
        }
        // Known names (most CORS headers) without an allocation.
        conn.request_headers_mut().append(HeaderName::from(name.as_str()).into_owned(), value.as_bytes().to_vec());
    }
    // The server's default response headers (trillium-server-common adds `Server`).
    conn.response_headers_mut().insert(KnownHeaderName::Server, trillium::headers::server_header());

    let conn = handler.run(Conn::from(conn)).await;
    let mut conn = handler.before_send(conn).await;
    AsMut::<trillium_http::Conn<Box<dyn Transport>>>::as_mut(&mut conn).finalize_headers();

    let bad = |e: &dyn std::fmt::Display| TargetError::Malformed(format!("not convertible from trillium: {e}"));
    let status = conn.status().unwrap_or(Status::NotFound);
    let mut headers = http::HeaderMap::with_capacity(conn.response_headers().len());
    for (name, values) in conn.response_headers() {
        let name = http::HeaderName::from_bytes(name.as_ref().as_bytes()).map_err(|e| bad(&e))?;
        for value in values {
            let value: &HeaderValue = value;
            headers.append(&name, http::HeaderValue::from_bytes(value.as_ref()).map_err(|e| bad(&e))?);
        }
    }
    let body = match conn.take_response_body() {
        None => Bytes::new(),
        Some(body) => Bytes::from(
            body.into_bytes()
                .await
                .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?
                .into_owned(),
        ),
    };
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(status as u16).map_err(|e| bad(&e))?;
    *response.headers_mut() = headers;
    Ok(response)
}

/// trillium-http's answer to a request line with an unknown method.
fn not_implemented() -> Result<http::Response<Bytes>, TargetError> {
    http::Response::builder()
        .status(501)
        .header("server", trillium::headers::server_header().as_ref())
        .header("connection", "close")
        .body(Bytes::new())
        .map_err(|e| TargetError::Malformed(e.to_string()))
}

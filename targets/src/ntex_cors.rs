//! ntex-cors 3.2's `Cors` middleware on an ntex 3 `App` (tokio runtime).
//!
//! ntex 3 is the newest line that builds on Rust 1.95: ntex 4.x and ntex-cors 4.1 declare
//! `rust-version = 1.97` (ntex-cors 4.0.0 builds on 1.95 but only with a 4.0 beta of ntex).
//! ntex-cors 4's CORS logic is the 3.2 code ported to the new service API.
//!
//! | policy | ntex-cors |
//! |---|---|
//! | exact origins, `null` | `allowed_origin` (a string set, compared byte-exactly; `null` is just another string) |
//! | subdomain patterns | unsupported (no predicate or pattern API) |
//! | `origins = ["*"]` | no origin configured (`All`) with `send_wildcard()`; with credentials without it, which echoes the request's `Origin` (its documented behaviour) |
//! | `methods` | `allowed_methods`: the policy's methods plus `GET`, `HEAD`, `POST` (METH-1; ntex-cors checks every preflight's method against its set); `["*"]`: unsupported (a fixed set only) |
//! | `allow_headers` | `allowed_headers`; `["*"]`: none configured (`All`: echoes `Access-Control-Request-Headers`); `[]`: unsupported (an empty set stays `All`, which allows every header) |
//! | `expose_headers` | `expose_headers`; `["*"]`: `expose_headers(["*"])`; with credentials: unsupported |
//! | `credentials` | `supports_credentials()` |
//! | `max_age` | `max_age(usize)` |
//! | `private_network` | unsupported (no private-network support) |
//!
//! What ntex-cors does that the harness reports rather than hides (`tests/ntex_cors.rs`,
//! `ntex_cors_quirks_as_reported`): an actual request from a disallowed origin is refused with
//! 400 instead of reaching the application; every `OPTIONS` is taken for a preflight (one
//! without `Access-Control-Request-Method` or without `Origin` gets 400); a preflight answer
//! has no `Vary`; method and header lists come in hash order, different for each instance.
//!
//! ntex services are `!Send` and run inside an ntex `System`, so the in-process target is a
//! [`ThreadTarget`]: a thread with its own `System` and service receives requests over a
//! channel (as in the actix-cors adapter); the served target runs ntex's own `HttpServer` (one worker) on a
//! thread of its own, since an ntex `System` cannot start inside another runtime.

use std::panic::AssertUnwindSafe;
use std::rc::Rc;

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy};
use cors_harness::target::{Target, TargetError};
use cors_harness::thread_target::{Job, ThreadTarget};
use ntex::http::header::{HeaderName as NtexHeaderName, HeaderValue as NtexHeaderValue};
use ntex::http::{Method as NtexMethod, StatusCode as NtexStatusCode};
use ntex::web::test::TestRequest;
use ntex::web::{self, App, HttpResponse};
use ntex_cors::Cors;
use tokio::sync::{mpsc, oneshot};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::panic_message;
use crate::served::{ServedTarget, Server};

pub struct NtexCorsAdapter;

pub static NTEX_CORS: NtexCorsAdapter = NtexCorsAdapter;

const NAME: &str = "ntex-cors";

impl Adapter for NtexCorsAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "ntex-cors 3.2 (ntex 3)"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let config = CorsConfig::new(policy)?;
        // ntex services are `!Send` and need an ntex `System`: a thread owns both.
        let target = ThreadTarget::spawn(NAME, "ntex", move |jobs| {
            ntex::rt::System::new("cors-harness", ntex::rt::DefaultRuntime).block_on(run(config, jobs));
        })
        .map_err(|e| unsupported("a thread for ntex", &e.to_string()))?;
        Ok(Box::new(target))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let config = CorsConfig::new(policy)?;
        let server = Server::spawn(NAME, move |listener, shutdown| serve(config, listener, shutdown))
            .map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        Ok(Box::new(ServedTarget::new(format!("{NAME} (served)"), server)))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// Translates the neutral policy into ntex-cors' configuration. The middleware holds `Rc`s:
/// build it on the thread that runs the service.
pub fn cors(policy: &Policy) -> Result<ntex_cors::CorsFactory<web::DefaultError>, Unsupported> {
    Ok(CorsConfig::new(policy)?.cors())
}

/// The policy, translated and checked once; `Send`, so every thread builds its own
/// [`Cors`] (which holds `Rc`s) from it.
#[derive(Debug, Clone)]
struct CorsConfig {
    /// `None`: any origin (`send_wildcard()` unless credentials).
    origins: Option<Vec<String>>,
    methods: Vec<NtexMethod>,
    /// `None`: any header (echoed).
    allow_headers: Option<Vec<NtexHeaderName>>,
    expose_headers: Vec<NtexHeaderName>,
    credentials: bool,
    max_age: Option<usize>,
}

impl CorsConfig {
    fn new(policy: &Policy) -> Result<CorsConfig, Unsupported> {
        let origins = match &policy.origins {
            AllowedOrigins::Any => None,
            AllowedOrigins::List(rules) => {
                let mut origins = Vec::new();
                for rule in rules {
                    match rule {
                        OriginRule::Exact(_) | OriginRule::Null => origins.push(rule.to_string()),
                        OriginRule::Subdomains(_) => {
                            return Err(unsupported(
                                &format!("origins = [\"{rule}\"]"),
                                "Cors compares the Origin with a set of strings: it has no pattern or predicate",
                            ));
                        }
                    }
                }
                if origins.is_empty() {
                    return Err(unsupported("origins = []", "Cors with no origin configured allows every origin"));
                }
                Some(origins)
            }
        };
        let methods = match &policy.methods {
            AllowedMethods::Any => {
                return Err(unsupported(
                    "methods = [\"*\"]",
                    "Cors checks every preflight's method against a fixed set (by default the seven \
                     common methods): it cannot allow any method",
                ));
            }
            AllowedMethods::List(listed) => {
                let mut methods = vec![NtexMethod::GET, NtexMethod::HEAD, NtexMethod::POST];
                for m in listed {
                    let m = NtexMethod::from_bytes(m.as_str().as_bytes()).expect("policy methods are tokens");
                    if !methods.contains(&m) {
                        methods.push(m);
                    }
                }
                methods
            }
        };
        let name = |n: &cors_harness::policy::HeaderName| {
            NtexHeaderName::from_bytes(n.as_str().as_bytes()).expect("policy header names are tokens")
        };
        let allow_headers = match &policy.allow_headers {
            AllowedNames::Any => None,
            AllowedNames::List(listed) if listed.is_empty() => {
                return Err(unsupported(
                    "allow_headers = []",
                    "Cors with no header configured allows (and echoes) every requested header",
                ));
            }
            AllowedNames::List(listed) => Some(listed.iter().map(name).collect()),
        };
        let expose_headers = match &policy.expose_headers {
            AllowedNames::Any if policy.credentials => {
                return Err(unsupported(
                    "expose_headers = [\"*\"] with credentials = true",
                    "`*` is inert for credentialed requests (EXP-2) and Cors has no way to list the response's \
                     own header names",
                ));
            }
            AllowedNames::Any => vec![NtexHeaderName::from_static("*")],
            AllowedNames::List(listed) => listed.iter().map(name).collect(),
        };
        let max_age = match policy.max_age {
            None => None,
            Some(seconds) => Some(usize::try_from(seconds).map_err(|_| {
                unsupported(&format!("max_age = {seconds}"), "Cors::max_age takes a usize, too small on this platform")
            })?),
        };
        if policy.private_network {
            return Err(unsupported("private_network = true", "Cors has no private-network access support"));
        }
        Ok(CorsConfig { origins, methods, allow_headers, expose_headers, credentials: policy.credentials, max_age })
    }

    /// The middleware. ntex-cors panics in `finish` on a configuration it refuses; the
    /// translation above never produces one (`*` with credentials is never asked for).
    fn cors(&self) -> ntex_cors::CorsFactory<web::DefaultError> {
        let mut cors = Cors::new();
        match &self.origins {
            None if !self.credentials => cors = cors.send_wildcard(),
            None => {}
            Some(origins) => {
                for origin in origins {
                    cors = cors.allowed_origin(origin);
                }
            }
        }
        cors = cors.allowed_methods(self.methods.iter().cloned());
        if let Some(names) = &self.allow_headers {
            cors = cors.allowed_headers(names.iter().cloned());
        }
        if !self.expose_headers.is_empty() {
            cors = cors.expose_headers(self.expose_headers.iter().cloned());
        }
        if self.credentials {
            cors = cors.supports_credentials();
        }
        if let Some(seconds) = self.max_age {
            cors = cors.max_age(seconds);
        }
        cors.finish()
    }
}

/// The application behind the middleware: every method and path answers the same. (A macro:
/// ntex's `App` type names its whole middleware stack.)
macro_rules! app {
    ($config:expr) => {
        App::new().middleware($config.cors()).default_service(web::to(|| async { app_response() }))
    };
}

/// [`crate::app::response`] as an ntex response.
fn app_response() -> HttpResponse {
    let response = crate::app::response();
    let status = NtexStatusCode::from_u16(response.status().as_u16()).expect("the app's status is valid");
    let mut builder = HttpResponse::build(status);
    for (name, value) in response.headers() {
        let value = NtexHeaderValue::from_bytes(value.as_bytes()).expect("the app's header values are valid");
        builder.header(name.clone(), value);
    }
    builder.body(response.into_body().to_vec())
}

// ------------------------------------------------------------------------------------------------
// In-process

/// The ntex thread: initializes the app, then runs each request on its own local task,
/// catching its panics.
async fn run(config: CorsConfig, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let app = Rc::new(web::test::init_service(app!(config)).await);
    while let Some(Job { request, mut reply }) = jobs.recv().await {
        let app = Rc::clone(&app);
        ntex::rt::spawn(async move {
            let call = async move {
                let request = to_ntex(request)?.to_request();
                // An error is answered the way ntex's server answers it.
                match app.call(request).await {
                    Ok(mut response) => {
                        let body = response.take_body();
                        from_ntex(response.status(), response.headers(), body).await
                    }
                    Err(error) => {
                        let mut response = ntex::http::error::ResponseError::error_response(&error);
                        let body = response.take_body();
                        from_ntex(response.status(), response.headers(), body).await
                    }
                }
            };
            let call = futures_util::FutureExt::catch_unwind(AssertUnwindSafe(call));
            tokio::select! {
                result = call => {
                    let result = result.unwrap_or_else(|payload| Err(TargetError::Panic(panic_message(payload))));
                    let _ = reply.send(result);
                }
                // The caller gave up (timeout): drop the call.
                () = reply.closed() => {}
            }
        });
    }
}

/// An http 1 request as ntex's test request: method, path and query, headers (repeated names
/// kept, in order, raw bytes), body. The URI's authority becomes the `Host` header, as on the
/// wire.
fn to_ntex(request: http::Request<Bytes>) -> Result<TestRequest, TargetError> {
    let bad = |e: &dyn std::fmt::Display| TargetError::Unreachable(format!("not convertible for ntex: {e}"));
    let (parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut ntex = TestRequest::default().method(parts.method.clone()).uri(path);
    if !parts.headers.contains_key(http::header::HOST)
        && let Some(authority) = parts.uri.authority()
    {
        let host = NtexHeaderValue::from_str(authority.as_str()).map_err(|e| bad(&e))?;
        ntex = ntex.header(http::header::HOST, host);
    }
    for (name, value) in &parts.headers {
        let value = NtexHeaderValue::from_bytes(value.as_bytes()).map_err(|e| bad(&e))?;
        ntex = ntex.header(name.clone(), value);
    }
    // `set_payload` adds `Content-Length`: only for a body, as a client would.
    if !body.is_empty() {
        ntex = ntex.set_payload(body.to_vec());
    }
    Ok(ntex)
}

/// An ntex response (its status, headers and body) as an http 1 response with the whole body.
async fn from_ntex(
    status: NtexStatusCode,
    headers: &ntex::http::HeaderMap,
    mut body: ntex::http::body::ResponseBody<ntex::http::body::Body>,
) -> Result<http::Response<Bytes>, TargetError> {
    let bad = |e: &dyn std::fmt::Display| TargetError::Malformed(format!("not convertible from ntex: {e}"));
    let mut builder = http::Response::builder().status(status.as_u16());
    for (name, value) in headers {
        let value = http::HeaderValue::from_bytes(value.as_bytes()).map_err(|e| bad(&e))?;
        builder = builder.header(name.clone(), value);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = ntex::util::stream_recv(&mut body).await {
        let chunk = chunk.map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
        bytes.extend_from_slice(&chunk);
    }
    builder.body(Bytes::from(bytes)).map_err(|e| bad(&e))
}

// ------------------------------------------------------------------------------------------------
// Served

/// Runs ntex's `HttpServer` (one worker) on the bound listener until `shutdown` fires (or the
/// target is dropped), then stops it without waiting for in-flight requests. ntex's `System`
/// cannot start inside the served thread's tokio runtime, so it gets a thread of its own.
async fn serve(config: CorsConfig, listener: tokio::net::TcpListener, shutdown: oneshot::Receiver<()>) {
    let Ok(listener) = listener.into_std() else { return };
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name(format!("target {NAME} server")).spawn(move || {
        ntex::rt::System::new("cors-harness served", ntex::rt::DefaultRuntime).block_on(async move {
            let server = web::server(async move || app!(config))
                .workers(1)
                .disable_signals()
                .shutdown_timeout(ntex::time::Seconds(1))
                .listen(listener);
            // An error here leaves nothing listening: requests then fail as unreachable.
            let Ok(server) = server else { return };
            let server = server.run();
            let _ = stopped.await;
            server.stop(false).await;
        });
    });
    let Ok(thread) = thread else { return };
    let _ = shutdown.await;
    let _ = stop.send(());
    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
}

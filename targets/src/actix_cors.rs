//! actix-cors' `Cors` middleware on an actix-web `App`.
//!
//! | policy | actix-cors |
//! |---|---|
//! | exact origins | `allowed_origin` (byte-exact `HeaderValue` set, SRV-3) |
//! | `null`, subdomain patterns | `allowed_origin_fn` (the policy's own origin match), beside the exact ones |
//! | `origins = ["*"]` | `allow_any_origin().send_wildcard()`; with credentials `allow_any_origin()`, which echoes the request's `Origin` (its documented behaviour without `send_wildcard`) |
//! | disallowed origin | `block_on_origin_mismatch(false)`: the application still answers actual requests, without `Access-Control-Allow-Origin`; a preflight is refused with 400 |
//! | `methods` | `allowed_methods`: the policy's methods plus `GET`, `HEAD`, `POST`, which the policy always allows (METH-1) and actix-cors would otherwise refuse in a preflight; `["*"]`: unsupported |
//! | `allow_headers` | `allowed_headers`; `["*"]`: `allow_any_header()` (echoes `Access-Control-Request-Headers`, with or without credentials) |
//! | `expose_headers` | `expose_headers`; `["*"]`: `expose_any_header()` (lists the response's header names, with or without credentials) |
//! | `credentials` | `supports_credentials()` |
//! | `max_age` | `max_age(usize)` |
//! | `private_network` | `allow_private_network_access()` (cargo feature `draft-private-network-access`) |
//!
//! What actix-cors does that the harness reports rather than hides (see
//! `tests/actix_cors.rs`, `actix_cors_quirks_as_reported`): `Access-Control-Allow-Credentials`,
//! `Access-Control-Expose-Headers` and (when asked) `Access-Control-Allow-Private-Network` also
//! go on responses to disallowed origins and requests without `Origin` (SRV-17, SRV-20); a
//! refused preflight is a 400 without `Vary` (VARY-3); an `OPTIONS` with
//! `Access-Control-Request-Method` but no `Origin` is answered as a preflight (SRV-1); the
//! method and header lists come in hash order, different for each instance.
//!
//! actix services are `!Send` and must run inside an actix `System`, so the in-process target
//! is a [`ThreadTarget`]: a thread with its own `System` and service receives requests over a
//! channel; the
//! served target runs actix-web's own `HttpServer` (one worker, no keep-alive).

use std::rc::Rc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName as ActixHeaderName, HeaderValue as ActixHeaderValue};
use actix_web::http::{KeepAlive, Method as ActixMethod, StatusCode as ActixStatusCode};
use actix_web::test::TestRequest;
use actix_web::{App, HttpResponse, HttpServer, web};
use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::{Target, TargetError};
use cors_harness::thread_target::{Job, ThreadTarget};
use tokio::sync::{mpsc, oneshot};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::panic_message;
use crate::served::{ServedTarget, Server};

pub struct ActixCorsAdapter;

pub static ACTIX_CORS: ActixCorsAdapter = ActixCorsAdapter;

const NAME: &str = "actix-cors";

impl Adapter for ActixCorsAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "actix-cors 0.7 (actix-web 4)"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let config = CorsConfig::new(policy)?;
        // actix services are `!Send` and need an actix `System`: a thread owns both.
        let target = ThreadTarget::spawn(NAME, "actix-web", move |jobs| {
            actix_web::rt::System::new().block_on(run(config, jobs));
        })
        .map_err(|e| unsupported("a thread for actix-web", &e.to_string()))?;
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

/// Translates the neutral policy into actix-cors' configuration. `Cors` is `!Send` (it holds
/// `Rc`s): build it on the thread that runs the service.
pub fn cors(policy: &Policy) -> Result<Cors, Unsupported> {
    Ok(CorsConfig::new(policy)?.cors())
}

/// The policy, translated and checked once; `Send`, so every thread (and every `HttpServer`
/// worker) builds its own [`Cors`] from it.
#[derive(Debug, Clone)]
struct CorsConfig {
    origins: Origins,
    methods: Vec<ActixMethod>,
    /// `None`: any header.
    allow_headers: Option<Vec<ActixHeaderName>>,
    /// `None`: any header.
    expose_headers: Option<Vec<ActixHeaderName>>,
    credentials: bool,
    max_age: Option<usize>,
    private_network: bool,
}

#[derive(Debug, Clone)]
enum Origins {
    /// `allow_any_origin()`, with `send_wildcard()` when `wildcard`.
    Any { wildcard: bool },
    /// `allowed_origin` for each exact origin; `allowed_origin_fn` for the other rules.
    List { exact: Vec<String>, other: Option<AllowedOrigins> },
}

impl CorsConfig {
    fn new(policy: &Policy) -> Result<CorsConfig, Unsupported> {
        let origins = match &policy.origins {
            AllowedOrigins::Any => Origins::Any { wildcard: !policy.credentials },
            AllowedOrigins::List(rules) => {
                let (exact, other): (Vec<&OriginRule>, Vec<&OriginRule>) =
                    rules.iter().partition(|r| matches!(r, OriginRule::Exact(_)));
                Origins::List {
                    exact: exact.iter().map(|r| r.to_string()).collect(),
                    other: (!other.is_empty()).then(|| AllowedOrigins::List(other.into_iter().cloned().collect())),
                }
            }
        };
        let methods = match &policy.methods {
            AllowedMethods::Any => {
                return Err(unsupported(
                    "methods = [\"*\"]",
                    "allow_any_method() allows the nine standard methods only: a preflight for any other token \
                     (`patch`, `PROPFIND`) is refused with 400",
                ));
            }
            AllowedMethods::List(listed) => {
                let mut methods: Vec<ActixMethod> = vec![ActixMethod::GET, ActixMethod::HEAD, ActixMethod::POST];
                for m in listed {
                    let m = ActixMethod::from_bytes(m.as_str().as_bytes()).expect("policy methods are tokens");
                    if !methods.contains(&m) {
                        methods.push(m);
                    }
                }
                methods
            }
        };
        let names = |names: &AllowedNames| match names {
            AllowedNames::Any => None,
            AllowedNames::List(listed) => Some(
                listed
                    .iter()
                    .map(|n| {
                        ActixHeaderName::from_bytes(n.as_str().as_bytes()).expect("policy header names are tokens")
                    })
                    .collect(),
            ),
        };
        let max_age = match policy.max_age {
            None => None,
            Some(seconds) => Some(usize::try_from(seconds).map_err(|_| {
                unsupported(&format!("max_age = {seconds}"), "Cors::max_age takes a usize, too small on this platform")
            })?),
        };
        let config = CorsConfig {
            origins,
            methods,
            allow_headers: names(&policy.allow_headers),
            expose_headers: names(&policy.expose_headers),
            credentials: policy.credentials,
            max_age,
            private_network: policy.private_network,
        };
        // actix-cors reports a bad configuration only when the middleware is built (it logs the
        // reason and the app fails to start): find out now, not in a server thread.
        if config.cors().new_transform(actix_web::test::ok_service()).into_inner().is_err() {
            return Err(unsupported(
                &policy.to_toml().replace('\n', "; "),
                "actix-cors refused the translated configuration at startup",
            ));
        }
        Ok(config)
    }

    fn cors(&self) -> Cors {
        // The policy's meaning for a disallowed origin: the application still answers, without
        // CORS headers (0.7's default, set explicitly).
        let mut cors = Cors::default().block_on_origin_mismatch(false);
        match &self.origins {
            Origins::Any { wildcard } => {
                cors = cors.allow_any_origin();
                if *wildcard {
                    cors = cors.send_wildcard();
                }
            }
            Origins::List { exact, other } => {
                for origin in exact {
                    cors = cors.allowed_origin(origin);
                }
                if let Some(other) = other.clone() {
                    cors = cors.allowed_origin_fn(move |origin, _| origin_allowed(&other, origin.as_bytes()));
                }
            }
        }
        cors = cors.allowed_methods(self.methods.iter().cloned());
        cors = match &self.allow_headers {
            None => cors.allow_any_header(),
            Some(names) => cors.allowed_headers(names.iter().cloned()),
        };
        cors = match &self.expose_headers {
            None => cors.expose_any_header(),
            Some(names) => cors.expose_headers(names.iter().cloned()),
        };
        if self.credentials {
            cors = cors.supports_credentials();
        }
        cors = cors.max_age(self.max_age);
        if self.private_network {
            cors = cors.allow_private_network_access();
        }
        cors
    }
}

/// The application behind the middleware: every method and path answers the same.
fn app(
    config: &CorsConfig,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody + use<>>,
        Error = actix_web::Error,
        InitError = (),
    > + use<>,
> {
    App::new().wrap(config.cors()).default_service(web::to(|| async { app_response() }))
}

/// [`crate::app::response`] as an actix-web response (http 1 → http 0.2 types).
fn app_response() -> HttpResponse {
    let response = crate::app::response();
    let status = ActixStatusCode::from_u16(response.status().as_u16()).expect("the app's status is valid");
    let mut builder = HttpResponse::build(status);
    for (name, value) in response.headers() {
        let name = ActixHeaderName::from_bytes(name.as_str().as_bytes()).expect("the app's header names are valid");
        let value = ActixHeaderValue::from_bytes(value.as_bytes()).expect("the app's header values are valid");
        builder.append_header((name, value));
    }
    builder.body(response.into_body())
}

// ------------------------------------------------------------------------------------------------
// In-process

/// The actix thread: initializes the app, then runs each request on its own local task.
async fn run(config: CorsConfig, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let app = Rc::new(actix_web::test::init_service(app(&config)).await);
    while let Some(Job { request, mut reply }) = jobs.recv().await {
        let app = Rc::clone(&app);
        actix_web::rt::spawn(async move {
            let mut call = actix_web::rt::spawn(async move {
                let request = to_actix(request)?.to_request();
                // An error is answered the way actix-web's server answers it.
                let response = match app.call(request).await {
                    Ok(response) => response.into_parts().1.map_into_boxed_body(),
                    Err(error) => error.error_response(),
                };
                from_actix(response).await
            });
            tokio::select! {
                joined = &mut call => {
                    let result = match joined {
                        Ok(result) => result,
                        Err(join) if join.is_panic() => Err(TargetError::Panic(panic_message(join.into_panic()))),
                        Err(join) => Err(TargetError::ConnectionReset(format!("the call was cancelled: {join}"))),
                    };
                    let _ = reply.send(result);
                }
                // The caller gave up (timeout): stop the call.
                () = reply.closed() => call.abort(),
            }
        });
    }
}

/// An http 1 request as actix-web's test request (http 0.2 types): method, path and query,
/// headers (repeated names kept, in order, raw bytes), body. The URI's authority becomes the
/// `Host` header, as on the wire.
fn to_actix(request: http::Request<Bytes>) -> Result<TestRequest, TargetError> {
    let bad = |e: &dyn std::fmt::Display| TargetError::Unreachable(format!("not convertible for actix-web: {e}"));
    let (parts, body) = request.into_parts();
    let method = ActixMethod::from_bytes(parts.method.as_str().as_bytes()).map_err(|e| bad(&e))?;
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut actix = TestRequest::default().method(method).uri(path);
    if !parts.headers.contains_key(http::header::HOST)
        && let Some(authority) = parts.uri.authority()
    {
        let host = ActixHeaderValue::from_str(authority.as_str()).map_err(|e| bad(&e))?;
        actix = actix.append_header((actix_web::http::header::HOST, host));
    }
    for (name, value) in &parts.headers {
        let name = ActixHeaderName::from_bytes(name.as_str().as_bytes()).map_err(|e| bad(&e))?;
        let value = ActixHeaderValue::from_bytes(value.as_bytes()).map_err(|e| bad(&e))?;
        actix = actix.append_header((name, value));
    }
    // `set_payload` adds `Content-Length`: only for a body, as a client would.
    if !body.is_empty() {
        actix = actix.set_payload(body);
    }
    Ok(actix)
}

/// An actix-web response as an http 1 response with the whole body.
async fn from_actix(response: HttpResponse) -> Result<http::Response<Bytes>, TargetError> {
    let bad = |e: &dyn std::fmt::Display| TargetError::Malformed(format!("not convertible from actix-web: {e}"));
    let mut builder = http::Response::builder().status(response.status().as_u16());
    for (name, value) in response.headers() {
        let name = http::HeaderName::from_bytes(name.as_str().as_bytes()).map_err(|e| bad(&e))?;
        let value = http::HeaderValue::from_bytes(value.as_bytes()).map_err(|e| bad(&e))?;
        builder = builder.header(name, value);
    }
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
    builder.body(body).map_err(|e| bad(&e))
}

// ------------------------------------------------------------------------------------------------
// Served

/// Runs actix-web's `HttpServer` on the bound listener until `shutdown` fires (or the target
/// is dropped), then stops it without waiting for in-flight requests.
async fn serve(config: CorsConfig, listener: tokio::net::TcpListener, shutdown: oneshot::Receiver<()>) {
    let Ok(listener) = listener.into_std() else { return };
    let server = HttpServer::new(move || app(&config))
        .workers(1)
        .keep_alive(KeepAlive::Disabled)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener);
    // An error here leaves nothing listening: requests then fail as unreachable.
    let Ok(server) = server else { return };
    let mut server = server.run();
    let handle = server.handle();
    tokio::select! {
        _ = &mut server => return,
        _ = shutdown => {}
    }
    // The stop command is carried out by the server future itself.
    let stopped = handle.stop(false);
    let _ = server.await;
    stopped.await;
}

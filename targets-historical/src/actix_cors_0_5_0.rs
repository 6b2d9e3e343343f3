//! actix-cors **0.5.0** (`actix_cors::Cors` on actix-web 3, actix-rt 1 / tokio 0.2).
//!
//! **Known bug**: `Cors::allow_any_header()` sets the *origin* allowlist to "any" instead of
//! the header allowlist. Built from a policy with exact origins and `allow_headers = ["*"]`
//! (`allowed_origin(a)` then `allow_any_header()`, in that order), every origin is allowed and
//! echoed in `Access-Control-Allow-Origin`, while preflights asking for any request header are
//! refused. (Calling `allow_any_header()` *before* `allowed_origin` hides the bug:
//! `allowed_origin` replaces "any" with a list again.) Fixed in actix-cors 0.5.1 by
//! <https://github.com/actix/actix-extras/pull/121> ("Fix `allow_any_header` method, now set
//! the correct field").
//!
//! | policy | actix-cors 0.5.0 |
//! |---|---|
//! | exact origins | `allowed_origin` |
//! | `null`, subdomain patterns | `allowed_origin_fn` (the policy's own origin match), beside the exact ones |
//! | `origins = ["*"]` | `allow_any_origin().send_wildcard()`; with credentials `allow_any_origin()` (echoes) |
//! | `methods` | `allowed_methods`: the policy's methods plus `GET`, `HEAD`, `POST` (METH-1); `["*"]`: **n/a** (`allow_any_method` allows the standard methods only) |
//! | `allow_headers` | `allowed_headers`; `["*"]`: `allow_any_header()` (the buggy method) |
//! | `expose_headers` | `expose_headers`; `["*"]`: `expose_any_header()` |
//! | `credentials` | `supports_credentials()` |
//! | `max_age` | `max_age(usize)` |
//! | `private_network` | **n/a** (not in 0.5) |
//!
//! Built in the order of `cors-targets`' actix-cors 0.7 adapter (origins, methods, headers,
//! exposed headers, credentials, max-age). In 0.5.0 a request from a disallowed origin gets
//! `400 Bad Request` without reaching the application (preflight or not).
//!
//! actix services are `!Send` and need an actix `System` (actix-rt 1, i.e. a tokio 0.2
//! runtime): the target owns a thread with its own `System` and service and receives requests
//! over a channel (tokio 1's channels, which need no runtime). A panic in the service becomes
//! [`TargetError::Panic`]; a call past the timeout is abandoned and becomes
//! [`TargetError::Timeout`]. Dropping the target ends the thread.

use std::panic::AssertUnwindSafe;

use actix_cors_0_5_0::Cors;
use actix_web_3::body::MessageBody;
use actix_web_3::dev::{Service, ServiceResponse, Transform};
use actix_web_3::http::{HeaderName as ActixHeaderName, HeaderValue as ActixHeaderValue, Method as ActixMethod};
use actix_web_3::test::TestRequest;
use actix_web_3::{App, HttpResponse, web};
use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::{Target, TargetError};
use cors_harness::thread_target::{Job, ThreadTarget};
use cors_historical_common::{HistoricalAdapter, Unsupported, app, compat, panic_message};
use futures_util::FutureExt;
use tokio::sync::mpsc;

/// The target's name.
pub const NAME: &str = "actix-cors 0.5.0";

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    cors_historical_common::unsupported(NAME, feature, reason)
}

/// The engine's adapter: `cors-harness matrix --target actix-cors-0.5.0`.
pub static ADAPTER: HistoricalAdapter = HistoricalAdapter {
    name: "actix-cors-0.5.0",
    version: "actix-cors 0.5.0 (actix-web 3)",
    build,
    server: "actix-web 3's HTTP server on actix-rt 1 (tokio 0.2)",
};

/// actix-cors 0.5.0's `Cors` on an actix-web 3 `App`, configured from `policy`, called
/// in-process on its own thread.
pub fn build(policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
    let config = CorsConfig::new(policy)?;
    // actix services are `!Send` and need an actix `System`: a thread owns both. It reports
    // once the middleware is built: a configuration actix-cors refuses (it says so only when
    // the middleware is created) is `Unsupported`, not a target that fails every call.
    let (started, startup) = std::sync::mpsc::channel();
    let target = ThreadTarget::spawn(NAME, "actix-web", move |jobs| {
        actix_web_3::rt::System::new(NAME).block_on(run(config, started, jobs));
    })
    .map_err(|e| unsupported("a thread for actix-web", &e.to_string()))?;
    match startup.recv() {
        Ok(Ok(())) => Ok(Box::new(target)),
        Ok(Err(reason)) => Err(unsupported("the translated configuration", &reason)),
        Err(_) => {
            let reason = target.join().unwrap_or_else(|| "the thread ended".into());
            Err(unsupported("starting actix-web", &reason))
        }
    }
}

/// The policy, translated and checked; `Send`, so the actix thread builds its `!Send` [`Cors`]
/// from it.
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
        if policy.private_network {
            return Err(unsupported("private_network = true", "actix-cors 0.5 has no private-network support"));
        }
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
                    "allow_any_method() allows the standard methods only: a preflight for any other token is refused",
                ));
            }
            AllowedMethods::List(listed) => {
                let mut methods = vec![ActixMethod::GET, ActixMethod::HEAD, ActixMethod::POST];
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
        Ok(CorsConfig {
            origins,
            methods,
            allow_headers: names(&policy.allow_headers),
            expose_headers: names(&policy.expose_headers),
            credentials: policy.credentials,
            max_age,
        })
    }

    fn cors(&self) -> Cors {
        let mut cors = Cors::default();
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
        cors.max_age(self.max_age)
    }
}

/// [`app::response_02`] as an actix-web 3 response.
fn app_response() -> HttpResponse {
    let response = app::response_02();
    let mut builder = HttpResponse::build(response.status());
    for (name, value) in response.headers() {
        builder.header(name.clone(), value.clone());
    }
    builder.body(response.body().to_vec())
}

/// The actix thread: builds the middleware (reporting a refused configuration), then answers
/// one request at a time.
async fn run(
    config: CorsConfig,
    started: std::sync::mpsc::Sender<Result<(), String>>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
) {
    if config.cors().new_transform(actix_web_3::test::ok_service()).await.is_err() {
        let _ = started.send(Err("actix-cors 0.5.0 refused it when building the middleware".into()));
        return;
    }
    let mut service = actix_web_3::test::init_service(
        App::new().wrap(config.cors()).default_service(web::to(|| std::future::ready(app_response()))),
    )
    .await;
    let _ = started.send(Ok(()));
    while let Some(Job { request, mut reply }) = jobs.recv().await {
        let call = AssertUnwindSafe(async {
            let request = to_actix(request)?.to_request();
            match service.call(request).await {
                Ok(response) => from_actix(response).await,
                // An error is answered the way actix-web's server answers it.
                Err(error) => from_actix(TestRequest::default().to_srv_response(HttpResponse::from(error))).await,
            }
        })
        .catch_unwind();
        let result = tokio::select! {
            result = call => match result {
                Ok(result) => result,
                Err(panic) => Err(TargetError::Panic(panic_message(panic))),
            },
            // The caller gave up (timeout): abandon the call.
            () = reply.closed() => continue,
        };
        let _ = reply.send(result);
    }
}

/// An http 1 request as actix-web 3's test request: method, path and query, headers (repeated
/// names kept, in order, raw bytes), body. The URI's authority becomes the `Host` header, as
/// on the wire.
fn to_actix(request: http::Request<Bytes>) -> Result<TestRequest, TargetError> {
    let (parts, body) = compat::request_to_02(request)?.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut actix = TestRequest::default().method(parts.method).version(parts.version).uri(path);
    if !parts.headers.contains_key(http02::header::HOST)
        && let Some(authority) = parts.uri.authority()
    {
        let host = ActixHeaderValue::from_str(authority.as_str())
            .map_err(|e| TargetError::Unreachable(format!("not convertible for actix-web: {e}")))?;
        actix = actix.header(http02::header::HOST, host);
    }
    for (name, value) in &parts.headers {
        actix = actix.header(name.clone(), value.clone());
    }
    // `set_payload` adds `Content-Length`: only for a body, as a client would.
    if !body.is_empty() {
        actix = actix.set_payload(body.to_vec());
    }
    Ok(actix)
}

/// An actix-web 3 response as an http 1 response with the whole body.
async fn from_actix<B: MessageBody + Unpin>(
    response: ServiceResponse<B>,
) -> Result<http::Response<Bytes>, TargetError> {
    let mut converted = http02::Response::new(Bytes::new());
    *converted.status_mut() = response.status();
    *converted.version_mut() = response.response().head().version;
    for (name, value) in response.headers() {
        converted.headers_mut().append(name.clone(), value.clone());
    }
    let body = actix_web_3::test::read_body(response).await;
    *converted.body_mut() = Bytes::copy_from_slice(&body);
    compat::response_from_02(converted)
}

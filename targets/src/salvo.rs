//! salvo 1's `Cors` handler (`salvo::cors`, i.e. salvo-cors) as a `Service` hoop, as its
//! documentation requires (on the `Router`, preflights for unrouted paths would miss it).
//!
//! | policy | salvo `Cors` |
//! |---|---|
//! | exact origins only | `AllowOrigin::list` |
//! | `null`, subdomain patterns | `AllowOrigin::dynamic` (the policy's own origin match) |
//! | `origins = ["*"]` | `AllowOrigin::any()`; with credentials `AllowOrigin::mirror_request()` |
//! | `methods` | `AllowMethods::list`; `["*"]`: `any()`, with credentials `mirror_request()` |
//! | `allow_headers` | `AllowHeaders::list`; `["*"]`: `any()`, with credentials `mirror_request()` |
//! | `expose_headers` | `ExposeHeaders::list`; `["*"]`: `any()`; with credentials: unsupported |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(u64)` |
//! | `private_network` | `AllowPrivateNetwork::dynamic` (allowed origins only, SRV-20) |
//!
//! In-process, a request goes through the same `HyperHandler` (`Service::hyper_handler`) the
//! server gives each connection: `Service::handle`, salvo's test entry point, wraps exactly
//! that but needs salvo's `test` feature, which compiles brotli, flate2 and zstd.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::{Target, TargetError, TargetFuture};
use http_body_util::BodyExt;
use salvo::conn::tcp::TcpAcceptor;
use salvo::cors::{AllowHeaders, AllowMethods, AllowOrigin, AllowPrivateNetwork, Cors, ExposeHeaders};
use salvo::hyper::service::Service as _;
use salvo::{ConnCtrl, Depot, FlowCtrl, Handler, Request, Response, Router, Service, async_trait};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::{DEFAULT_TIMEOUT, guard};
use crate::served::{ServedTarget, Server};

pub struct SalvoAdapter;

pub static SALVO: SalvoAdapter = SalvoAdapter;

const NAME: &str = "salvo";

impl Adapter for SalvoAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "salvo 1.1 (salvo-cors 1.1)"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let service = Arc::new(service(policy)?);
        Ok(Box::new(SalvoTarget { name: NAME.to_owned(), service, timeout: DEFAULT_TIMEOUT }))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let service = service(policy)?;
        let server = Server::spawn(NAME, move |listener, shutdown| async move {
            let acceptor = match TcpAcceptor::try_from(listener) {
                Ok(acceptor) => acceptor,
                Err(_) => return, // the client then sees the connection refused
            };
            let server = salvo::Server::new(acceptor);
            let handle = server.handle();
            tokio::spawn(async move {
                let _ = shutdown.await;
                handle.stop_graceful(Duration::from_secs(1));
            });
            let _ = server.try_serve(service).await;
        })
        .map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        Ok(Box::new(ServedTarget::new(format!("{NAME} (served)"), server)))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// The application behind the handler: every method and path answers the same.
struct App;

#[async_trait]
impl Handler for App {
    async fn handle(&self, _req: &mut Request, _depot: &mut Depot, res: &mut Response, _ctrl: &mut FlowCtrl) {
        let (parts, body) = crate::app::response().into_parts();
        res.status_code(parts.status);
        for (name, value) in &parts.headers {
            res.headers_mut().append(name.clone(), value.clone());
        }
        res.body(body);
    }
}

/// The application with the CORS handler as a service hoop.
fn service(policy: &Policy) -> Result<Service, Unsupported> {
    let router = Router::with_path("{**rest}").goal(App);
    Ok(Service::new(router).hoop(cors(policy)?.into_handler()))
}

/// Translates the neutral policy into salvo-cors' configuration. Never one `into_handler`
/// refuses (it panics on `*` with credentials).
pub fn cors(policy: &Policy) -> Result<Cors, Unsupported> {
    let credentials = policy.credentials;
    let origins = Arc::new(policy.origins.clone());
    let allow_origin = match &policy.origins {
        // `into_handler` refuses `*` with credentials; echoing is how it serves "any origin".
        AllowedOrigins::Any if credentials => AllowOrigin::mirror_request(),
        AllowedOrigins::Any => AllowOrigin::any(),
        AllowedOrigins::List(rules) if rules.iter().all(|r| matches!(r, OriginRule::Exact(_))) => {
            AllowOrigin::list(rules.iter().map(crate::convert::origin_value))
        }
        AllowedOrigins::List(_) => {
            let origins = Arc::clone(&origins);
            AllowOrigin::dynamic(move |origin, _, _| origin.filter(|o| origin_allowed(&origins, o.as_bytes())).cloned())
        }
    };
    let allow_methods = match &policy.methods {
        AllowedMethods::Any if credentials => AllowMethods::mirror_request(),
        AllowedMethods::Any => AllowMethods::any(),
        AllowedMethods::List(methods) => AllowMethods::list(methods.iter().map(crate::convert::method)),
    };
    let allow_headers = match &policy.allow_headers {
        AllowedNames::Any if credentials => AllowHeaders::mirror_request(),
        AllowedNames::Any => AllowHeaders::any(),
        AllowedNames::List(names) => AllowHeaders::list(names.iter().map(crate::convert::header_name)),
    };
    let expose_headers = match &policy.expose_headers {
        AllowedNames::Any if credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "ExposeHeaders::any() sends `*` (inert for credentialed requests, EXP-2) and into_handler refuses it with credentials; it has no way to list the response's own header names",
            ));
        }
        AllowedNames::Any => ExposeHeaders::any(),
        AllowedNames::List(names) => ExposeHeaders::list(names.iter().map(crate::convert::header_name)),
    };
    let mut cors = Cors::new()
        .allow_origin(allow_origin)
        .allow_methods(allow_methods)
        .allow_headers(allow_headers)
        .expose_headers(expose_headers)
        .allow_credentials(credentials);
    if let Some(seconds) = policy.max_age {
        cors = cors.max_age(seconds);
    }
    if policy.private_network {
        let origins = Arc::clone(&origins);
        cors = cors.allow_private_network(AllowPrivateNetwork::dynamic(move |origin, _, _| {
            origin.is_some_and(|o| origin_allowed(&origins, o.as_bytes()))
        }));
    }
    Ok(cors)
}

/// The service called in-process, on the caller's task, under the shared panic and timeout
/// guard.
struct SalvoTarget {
    name: String,
    service: Arc<Service>,
    timeout: Duration,
}

impl Target for SalvoTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let service = Arc::clone(&self.service);
        let timeout = self.timeout;
        guard(
            Box::pin(async move {
                let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                let handler = service.hyper_handler(
                    loopback.into(),
                    loopback.into(),
                    http::uri::Scheme::HTTP,
                    None,
                    ConnCtrl::new(),
                    None,
                );
                let response = handler
                    .call(request)
                    .await
                    .map_err(|e| TargetError::Malformed(format!("the service failed: {e}")))?;
                let (parts, body) = response.into_parts();
                let body = body
                    .collect()
                    .await
                    .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
                // A 1xx, 204 or 304 response has no body on the wire (RFC 9110 §6.4.1), and salvo's
                // server (hyper) drops one. salvo-cors answers a preflight by turning the
                // application's response into a 204 and keeps the body the application wrote.
                let status = parts.status;
                let body = if status.is_informational()
                    || status == http::StatusCode::NO_CONTENT
                    || status == http::StatusCode::NOT_MODIFIED
                {
                    Bytes::new()
                } else {
                    body.to_bytes()
                };
                Ok(http::Response::from_parts(parts, body))
            }),
            timeout,
        )
    }
}

//! salvo-cors **0.93.0** (`salvo_cors::Cors` as a service hoop, salvo_core 0.93; `http` 1,
//! hyper 1, tokio 1).
//!
//! **Known bug**: `Cors::into_handler` refuses `Access-Control-Allow-Origin: *` together with
//! credentials only when credentials are the constant `AllowCredentials::yes()` /
//! `allow_credentials(true)`. Credentials decided by a closure (`AllowCredentials::dynamic`)
//! bypass that check, so `AllowOrigin::any()` with a closure answering `true` sends
//! `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`, a
//! combination no browser accepts for a credentialed request (CHK-3, SRV-5). Fixed in
//! salvo-cors 0.94.0 by <https://github.com/salvo-rs/salvo/pull/1560> ("Drop CORS credentials
//! header when Allow-Origin resolves to wildcard").
//!
//! This target is a **fixed configuration** reproducing the bug, not built from a policy:
//! [`any_origin_dynamic_credentials`] is
//!
//! ```text
//! Cors::new()
//!     .allow_origin(AllowOrigin::any())
//!     .allow_methods(AllowMethods::list([GET, HEAD, POST, PUT]))
//!     .allow_headers(AllowHeaders::list(["content-type"]))
//!     .allow_credentials(AllowCredentials::dynamic(|_, _, _| true))
//! ```
//!
//! It corresponds to the policy `origins = ["*"]`, `methods = ["GET", "HEAD", "POST", "PUT"]`,
//! `allow_headers = ["content-type"]`, `credentials = true` (which the policy loader accepts
//! with the SRV-5 warning), translated the way salvo-cors 0.93.0 lets it through. That policy
//! is `policies/any-origin-credentials.toml`; the adapter ([`ADAPTER`], `--target
//! salvo-cors-0.93.0`) checks that the policy it is given means exactly that and is "n/a" for
//! any other ([`cors_historical_common::fixed::check`]).
//!
//! In-process, a request goes through the same `HyperHandler` (`Service::hyper_handler`) the
//! server gives each connection, on its own tokio 1 task.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_harness::target::{Target, TargetError, TargetFuture};
use cors_historical_common::{DEFAULT_TIMEOUT, HistoricalAdapter, Unsupported, app, fixed, panic_message};
use http_body_util::BodyExt;
use salvo_core_0_93_0::hyper::service::Service as _;
use salvo_core_0_93_0::{Depot, FlowCtrl, Handler, Request, Response, Router, Service, async_trait};
use salvo_cors_0_93_0::{AllowCredentials, AllowHeaders, AllowMethods, AllowOrigin, Cors};

/// The target's name.
pub const NAME: &str = "salvo-cors 0.93.0";

/// The engine's adapter: `cors-harness matrix --target salvo-cors-0.93.0 --policy
/// targets-historical/policies/any-origin-credentials.toml`.
pub static ADAPTER: HistoricalAdapter = HistoricalAdapter {
    name: "salvo-cors-0.93.0",
    version: "salvo-cors 0.93.0 (salvo_core 0.93; fixed configuration)",
    build,
    server: "salvo_core 0.93's server features (off: default-features = false)",
};

/// [`any_origin_dynamic_credentials`] if `policy` is the one it stands for
/// (`policies/any-origin-credentials.toml`), else [`Unsupported`].
pub fn build(policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
    fixed::check(
        NAME,
        "AllowOrigin::any() with AllowCredentials::dynamic(|_, _, _| true), GET/HEAD/POST/PUT, content-type",
        policy,
    )?;
    Ok(any_origin_dynamic_credentials())
}

/// The fixed configuration described in the module documentation, around the application,
/// called in-process.
pub fn any_origin_dynamic_credentials() -> Box<dyn Target> {
    let cors = Cors::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods(AllowMethods::list([
            http::Method::GET,
            http::Method::HEAD,
            http::Method::POST,
            http::Method::PUT,
        ]))
        .allow_headers(AllowHeaders::list([http::header::CONTENT_TYPE]))
        .allow_credentials(AllowCredentials::dynamic(|_, _, _| true));
    let router = Router::with_path("{**rest}").goal(App);
    let service = Service::new(router).hoop(cors.into_handler());
    Box::new(SalvoTarget { service: Arc::new(service), timeout: DEFAULT_TIMEOUT })
}

/// The application behind the handler: every method and path answers the same.
struct App;

#[async_trait]
impl Handler for App {
    async fn handle(&self, _req: &mut Request, _depot: &mut Depot, res: &mut Response, _ctrl: &mut FlowCtrl) {
        res.status_code(http::StatusCode::OK);
        for (name, value) in app::RESPONSE_HEADERS {
            res.headers_mut().append(name, http::HeaderValue::from_static(value));
        }
        res.body(Bytes::from_static(app::BODY.as_bytes()));
    }
}

struct SalvoTarget {
    service: Arc<Service>,
    timeout: Duration,
}

impl Target for SalvoTarget {
    fn name(&self) -> &str {
        NAME
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let service = Arc::clone(&self.service);
        let timeout = self.timeout;
        Box::pin(async move {
            let task = tokio::spawn(async move {
                let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                let handler =
                    service.hyper_handler(loopback.into(), loopback.into(), http::uri::Scheme::HTTP, None, None);
                let response = handler
                    .call(request)
                    .await
                    .map_err(|e| TargetError::Malformed(format!("the service failed: {e}")))?;
                let (parts, body) = response.into_parts();
                let body = body
                    .collect()
                    .await
                    .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?;
                // A 204 has no body on the wire (RFC 9110 §6.4.1); salvo-cors turns a preflight's
                // application response into a 204 and keeps the body the application wrote.
                let body = if parts.status == http::StatusCode::NO_CONTENT { Bytes::new() } else { body.to_bytes() };
                Ok(http::Response::from_parts(parts, body))
            });
            let abort = task.abort_handle();
            match tokio::time::timeout(timeout, task).await {
                Err(_) => {
                    abort.abort();
                    Err(TargetError::Timeout(timeout))
                }
                Ok(Err(join)) if join.is_panic() => Err(TargetError::Panic(panic_message(join.into_panic()))),
                Ok(Err(join)) => Err(TargetError::ConnectionReset(format!("the call was cancelled: {join}"))),
                Ok(Ok(result)) => result,
            }
        })
    }
}

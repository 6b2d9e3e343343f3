//! tower-http's `CorsLayer` on an axum router.
//!
//! | policy | tower-http |
//! |---|---|
//! | exact origins only | `AllowOrigin::list` |
//! | `null`, subdomain patterns | `AllowOrigin::predicate` (the policy's own origin match) |
//! | `origins = ["*"]` | `AllowOrigin::any()`; with credentials `AllowOrigin::mirror_request()` |
//! | `methods` | `AllowMethods::list`; `["*"]`: `any()`, with credentials `mirror_request()` |
//! | `allow_headers` | `AllowHeaders::list`; `["*"]`: `any()`, with credentials `mirror_request()` |
//! | `expose_headers` | `ExposeHeaders::list`; `["*"]`: `any()`; with credentials: unsupported |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(Duration)` |
//! | `private_network` | `AllowPrivateNetwork::predicate` (allowed origins only, SRV-20) |

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, origin_allowed};
use cors_harness::target::Target;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, AllowPrivateNetwork, CorsLayer, ExposeHeaders};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::ServiceTarget;
use crate::served::{ServedTarget, Server};

pub struct TowerHttpAdapter;

pub static TOWER_HTTP: TowerHttpAdapter = TowerHttpAdapter;

const NAME: &str = "tower-http";

impl Adapter for TowerHttpAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "tower-http 0.7 (axum 0.8)"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        Ok(Box::new(ServiceTarget::new(NAME, router(policy)?)))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let server =
            Server::tower(NAME, router(policy)?).map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        Ok(Box::new(ServedTarget::new(format!("{NAME} (served)"), server)))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// The application behind the layer: every method and path answers the same.
fn router(policy: &Policy) -> Result<Router, Unsupported> {
    let app = Router::new().fallback(|| async { crate::app::response().map(axum::body::Body::from) });
    Ok(app.layer(layer(policy)?))
}

/// Translates the neutral policy into tower-http's configuration.
pub fn layer(policy: &Policy) -> Result<CorsLayer, Unsupported> {
    let credentials = policy.credentials;
    let origins = Arc::new(policy.origins.clone());
    let allow_origin = match &policy.origins {
        // tower-http refuses `*` with credentials; echoing is how it serves "any origin".
        AllowedOrigins::Any if credentials => AllowOrigin::mirror_request(),
        AllowedOrigins::Any => AllowOrigin::any(),
        AllowedOrigins::List(rules) if rules.iter().all(|r| matches!(r, OriginRule::Exact(_))) => {
            AllowOrigin::list(rules.iter().map(crate::convert::origin_value))
        }
        AllowedOrigins::List(_) => {
            let origins = Arc::clone(&origins);
            AllowOrigin::predicate(move |origin, _| origin_allowed(&origins, origin.as_bytes()))
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
                "ExposeHeaders::any() sends `*` (inert for credentialed requests, EXP-2) and the layer refuses it with credentials; it has no way to list the response's own header names",
            ));
        }
        AllowedNames::Any => ExposeHeaders::any(),
        AllowedNames::List(names) => ExposeHeaders::list(names.iter().map(crate::convert::header_name)),
    };
    let mut layer = CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods(allow_methods)
        .allow_headers(allow_headers)
        .expose_headers(expose_headers)
        .allow_credentials(credentials);
    if let Some(seconds) = policy.max_age {
        layer = layer.max_age(Duration::from_secs(seconds));
    }
    if policy.private_network {
        let origins = Arc::clone(&origins);
        layer = layer.allow_private_network(AllowPrivateNetwork::predicate(move |origin, _| {
            origin_allowed(&origins, origin.as_bytes())
        }));
    }
    Ok(layer)
}

//! The reference server: the oracle's server half. It answers exactly as the policy intends
//! and as a correct CORS server should (digest SRV-*), so it is the baseline every adapter is
//! compared with, and must show no divergence on any policy.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, Policy, origin_allowed};
use cors_harness::target::Target;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http_body_util::Full;

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::ServiceTarget;
use crate::served::{ServedTarget, Server};

/// The reference adapter (registered first in [`crate::adapters`]).
pub struct ReferenceAdapter;

pub static REFERENCE: ReferenceAdapter = ReferenceAdapter;

impl Adapter for ReferenceAdapter {
    fn name(&self) -> &'static str {
        "reference"
    }

    fn version(&self) -> &'static str {
        concat!("cors-targets ", env!("CARGO_PKG_VERSION"))
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        Ok(Box::new(ServiceTarget::new("reference", ReferenceService::new(policy))))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let server = Server::tower("reference", ReferenceService::new(policy)).map_err(|e| Unsupported {
            adapter: "reference",
            feature: "serving on 127.0.0.1".into(),
            reason: e.to_string(),
        })?;
        Ok(Box::new(ServedTarget::new("reference (served)", server)))
    }
}

/// The reference server as a tower service over any request body (it reads none).
#[derive(Clone)]
pub struct ReferenceService {
    policy: Arc<Policy>,
}

impl ReferenceService {
    pub fn new(policy: &Policy) -> ReferenceService {
        ReferenceService { policy: Arc::new(policy.clone()) }
    }
}

impl<B> tower::Service<http::Request<B>> for ReferenceService {
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        std::future::ready(Ok(answer(&self.policy, request.method(), request.headers()).map(Full::new)))
    }
}

const ACRM: &str = "access-control-request-method";
const ACRH: &str = "access-control-request-headers";

/// The reference answer to one request.
pub fn answer(policy: &Policy, method: &http::Method, headers: &HeaderMap) -> http::Response<Bytes> {
    // A browser sends exactly one Origin; anything else is treated as no trustworthy origin.
    let mut origins = headers.get_all(header::ORIGIN).iter();
    let origin = match (origins.next(), origins.next()) {
        (Some(o), None) => Some(o),
        _ => None,
    };
    let allowed = origin.filter(|o| origin_allowed(&policy.origins, o.as_bytes()));
    // VARY-2: `*` is constant only for "any origin" without credentials; every other
    // answer depends on the Origin (SRV-9).
    let constant_star = matches!(policy.origins, AllowedOrigins::Any) && !policy.credentials;

    // SRV-1: a preflight is OPTIONS with Origin and Access-Control-Request-Method.
    if method == http::Method::OPTIONS && origin.is_some() && headers.contains_key(ACRM) {
        return preflight(policy, headers, allowed, constant_star);
    }

    let mut response = crate::app::response();
    let out = response.headers_mut();
    if constant_star {
        // VARY-2: send the constant answer on every response, CORS or not.
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        expose(policy, out);
        return response;
    }
    out.append(header::VARY, HeaderValue::from_static("Origin")); // SRV-9, VARY-3
    if let Some(origin) = allowed {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()); // SRV-6
        if policy.credentials {
            out.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true")); // SRV-7
        }
        expose(policy, out);
    }
    response
}

/// SRV-10..15, SRV-18, SRV-20.
fn preflight(
    policy: &Policy,
    headers: &HeaderMap,
    allowed: Option<&HeaderValue>,
    constant_star: bool,
) -> http::Response<Bytes> {
    let mut response = http::Response::builder().status(204).body(Bytes::new()).expect("static response");
    let out = response.headers_mut();
    // The answer echoes the requested method and headers: it varies on them (VARY-3).
    let vary = if constant_star {
        "Access-Control-Request-Method, Access-Control-Request-Headers"
    } else {
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    };
    out.insert(header::VARY, HeaderValue::from_static(vary));
    let Some(origin) = allowed else {
        return response; // SRV-18: no CORS headers for a disallowed origin.
    };
    let acao = if constant_star { HeaderValue::from_static("*") } else { origin.clone() };
    out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, acao);
    if policy.credentials {
        out.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }

    // SRV-12: echo the requested method when the policy allows it; otherwise list what is
    // allowed, and the browser refuses the request (SRV-15).
    let requested = headers.get(ACRM).map(HeaderValue::as_bytes).unwrap_or_default();
    let method_allowed = matches!(requested, b"GET" | b"HEAD" | b"POST")
        || std::str::from_utf8(requested).is_ok_and(|m| policy.methods.contains(m));
    let methods = if method_allowed {
        HeaderValue::from_bytes(requested).ok()
    } else {
        match &policy.methods {
            AllowedMethods::Any => None,
            AllowedMethods::List(list) => list_value(list.iter().map(|m| m.as_str())),
        }
    };
    if let Some(methods) = methods {
        out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, methods);
    }

    // SRV-13: echo the requested header names the policy allows (by name, so Authorization
    // is covered explicitly, SAFE-6), never `*`.
    let requested: Vec<String> = headers
        .get_all(ACRH)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .filter_map(|name| std::str::from_utf8(name).ok())
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty() && HeaderName::from_bytes(name.as_bytes()).is_ok())
        .collect();
    let allowed_names = requested.iter().filter(|name| policy.allow_headers.contains(name)).map(String::as_str);
    if let Some(names) = list_value(allowed_names) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, names);
    }

    if let Some(max_age) = policy.max_age {
        out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(max_age)); // SRV-14
    }
    let pna_requested = headers.get("access-control-request-private-network").is_some_and(|v| v == "true");
    if policy.private_network && pna_requested {
        out.insert("access-control-allow-private-network", HeaderValue::from_static("true")); // SRV-20
    }
    response
}

/// SRV-8: `Access-Control-Expose-Headers` for an allowed actual response.
fn expose(policy: &Policy, out: &mut HeaderMap) {
    let value = match &policy.expose_headers {
        // `*` works only without credentials (EXP-2); with them, name every header the
        // application sends (never Set-Cookie, which is not exposable).
        AllowedNames::Any if !policy.credentials => Some(HeaderValue::from_static("*")),
        AllowedNames::Any => {
            list_value(crate::app::RESPONSE_HEADERS.iter().map(|(name, _)| *name).filter(|name| *name != "set-cookie"))
        }
        AllowedNames::List(names) => list_value(names.iter().map(|n| n.as_str())),
    };
    if let Some(value) = value {
        out.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
    }
}

/// `a, b, c`, or `None` for an empty list.
fn list_value<'a>(items: impl Iterator<Item = &'a str>) -> Option<HeaderValue> {
    let joined = items.collect::<Vec<_>>().join(", ");
    if joined.is_empty() { None } else { HeaderValue::from_str(&joined).ok() }
}

//! Policy names as `http` 1.x values, for the middlewares configured with `http` types. The
//! policy validated them (tokens, serialized origins), so these conversions cannot fail.

use cors_harness::policy::{HeaderName, MethodName, OriginRule};

pub fn method(method: &MethodName) -> http::Method {
    http::Method::from_bytes(method.as_str().as_bytes()).expect("policy methods are tokens")
}

pub fn header_name(name: &HeaderName) -> http::HeaderName {
    http::HeaderName::from_bytes(name.as_str().as_bytes()).expect("policy header names are tokens")
}

/// An exact origin rule as the header value a middleware echoes.
pub fn origin_value(rule: &OriginRule) -> http::HeaderValue {
    http::HeaderValue::from_str(&rule.to_string()).expect("a serialized origin is a valid header value")
}

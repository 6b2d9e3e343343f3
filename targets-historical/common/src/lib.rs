//! What the historical CORS targets share, whatever `http` version their middleware uses:
//!
//! - [`Unsupported`]: a policy feature an old middleware cannot express (the harness's
//!   `cors_harness::adapter::Unsupported`, so a matrix shows it as "n/a"), and [`unsupported`]
//!   to make one;
//! - [`app`]: the application every middleware wraps, the same answer as `cors-targets`'
//!   `src/app.rs` (status 200, four headers, body `ok`), as an `http` 0.2 tower service;
//! - [`compat`]: byte-exact conversions between `http` 1 (the harness) and `http` 0.2 (the old
//!   middlewares): method, URI, version, header names and values, repeated headers, body;
//! - [`Http02Target`]: an `http` 0.2 tower service called in-process as a
//!   `cors_harness::target::Target`;
//! - [`guarded`]: a call with a timeout, a panic turned into [`TargetError::Panic`];
//! - [`HistoricalAdapter`]: a pinned release as the engine's
//!   [`Adapter`](cors_harness::adapter::Adapter) (in-process only), and [`fixed`]: the policy a
//!   fixed configuration stands for, checked before it runs.
#![forbid(unsafe_code)]

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::adapter::Adapter;
use cors_harness::policy::Policy;
use cors_harness::target::{Target, TargetError, TargetFuture};

pub use cors_harness::adapter::Unsupported;

/// An [`Unsupported`] for `adapter` (e.g. `tower-http 0.2.0`): `feature` in the policy file's
/// terms (e.g. `private_network = true`), `reason` why the release cannot express it.
pub fn unsupported(adapter: &'static str, feature: impl Into<String>, reason: impl Into<String>) -> Unsupported {
    Unsupported { adapter, feature: feature.into(), reason: reason.into() }
}

/// A pinned release as an engine [`Adapter`] (`cors-harness matrix --target <name>`), called
/// in-process only.
///
/// `served` is "n/a": serving an old release needs its own server stack (hyper 0.14 for the
/// `http` 0.2 middlewares, actix-web 3's server on actix-rt 1 / tokio 0.2, salvo_core 0.93's
/// server features) plus a loopback client, none of which this workspace builds, to keep its CI
/// build small. In-process, the harness calls the very service such a server would call, with
/// the request converted byte for byte ([`compat`]).
pub struct HistoricalAdapter {
    /// The `--target` name: crate and version, e.g. `tower-http-0.2.0`.
    pub name: &'static str,
    /// What the target is built against, e.g. `tower-http 0.2.0 (yanked; http 0.2)`.
    pub version: &'static str,
    /// The target for a policy, or why the release cannot express it.
    pub build: fn(&Policy) -> Result<Box<dyn Target>, Unsupported>,
    /// The server stack `served` would need (for its "n/a" reason).
    pub server: &'static str,
}

impl Adapter for HistoricalAdapter {
    fn name(&self) -> &'static str {
        self.name
    }

    fn version(&self) -> &'static str {
        self.version
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        (self.build)(policy)
    }

    fn served(&self, _policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        Err(unsupported(
            self.name,
            "--served",
            format!(
                "serving it needs {} and a loopback client, which targets-historical does not build \
                 (in-process only: the harness calls the same service a server would)",
                self.server
            ),
        ))
    }
}

/// Fixed configurations: targets that reproduce one configuration of a release instead of
/// translating a policy (salvo-cors 0.93.0, tower-http 0.3.4). Their adapters run only under
/// the policy they stand for, [`ANY_ORIGIN_CREDENTIALS`]; any other policy is [`Unsupported`]
/// (the oracle would judge the configuration against what it does not mean).
pub mod fixed {
    use cors_harness::policy::{AllowedMethods, AllowedNames, Policy};

    use super::{Unsupported, unsupported};

    /// Where [`ANY_ORIGIN_CREDENTIALS`] lives, relative to `targets-historical/`.
    pub const ANY_ORIGIN_CREDENTIALS_FILE: &str = "policies/any-origin-credentials.toml";

    /// `policies/any-origin-credentials.toml`: any origin, `GET`/`HEAD`/`POST`/`PUT`,
    /// `content-type`, with credentials.
    pub const ANY_ORIGIN_CREDENTIALS: &str = include_str!("../../policies/any-origin-credentials.toml");

    /// [`ANY_ORIGIN_CREDENTIALS`], parsed (it loads with the SRV-5 warning only).
    pub fn any_origin_credentials() -> Policy {
        Policy::from_toml_str(ANY_ORIGIN_CREDENTIALS, ANY_ORIGIN_CREDENTIALS_FILE)
            .expect("policies/any-origin-credentials.toml is valid")
            .policy
    }

    /// `Ok` when `policy` means what [`any_origin_credentials`] means (methods compared beyond
    /// the always-allowed `GET`, `HEAD`, `POST`; header lists as sets); otherwise
    /// [`Unsupported`] naming the keys that differ. `configuration` describes the fixed
    /// configuration for the reason.
    pub fn check(adapter: &'static str, configuration: &str, policy: &Policy) -> Result<(), Unsupported> {
        let expected = any_origin_credentials();
        let differ: Vec<&str> = [
            ("origins", policy.origins != expected.origins),
            ("methods", extra_methods(&policy.methods) != extra_methods(&expected.methods)),
            ("allow_headers", names(&policy.allow_headers) != names(&expected.allow_headers)),
            ("expose_headers", names(&policy.expose_headers) != names(&expected.expose_headers)),
            ("credentials", policy.credentials != expected.credentials),
            ("max_age", policy.max_age != expected.max_age),
            ("private_network", policy.private_network != expected.private_network),
        ]
        .into_iter()
        .filter_map(|(key, differs)| differs.then_some(key))
        .collect();
        if differ.is_empty() {
            return Ok(());
        }
        Err(unsupported(
            adapter,
            format!("a policy other than {ANY_ORIGIN_CREDENTIALS_FILE} ({} differ)", differ.join(", ")),
            format!(
                "the target is one fixed configuration ({configuration}) and stands for \
                 {ANY_ORIGIN_CREDENTIALS_FILE} only"
            ),
        ))
    }

    /// Listed methods beyond `GET`, `HEAD`, `POST` (always allowed, METH-1), sorted; `None`
    /// for `*`.
    fn extra_methods(methods: &AllowedMethods) -> Option<Vec<&str>> {
        match methods {
            AllowedMethods::Any => None,
            AllowedMethods::List(listed) => {
                let mut extra: Vec<&str> =
                    listed.iter().map(|m| m.as_str()).filter(|m| !matches!(*m, "GET" | "HEAD" | "POST")).collect();
                extra.sort_unstable();
                Some(extra)
            }
        }
    }

    /// Listed names, sorted; `None` for `*`.
    fn names(names: &AllowedNames) -> Option<Vec<&str>> {
        match names {
            AllowedNames::Any => None,
            AllowedNames::List(listed) => {
                let mut names: Vec<&str> = listed.iter().map(|n| n.as_str()).collect();
                names.sort_unstable();
                Some(names)
            }
        }
    }
}

/// How long a target may take to answer one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The application behind every middleware (the same as `cors-targets`' `src/app.rs`).
pub mod app {
    use std::convert::Infallible;
    use std::future::{Ready, ready};
    use std::task::{Context, Poll};

    use bytes::Bytes;

    /// Headers the application sets on every response.
    pub const RESPONSE_HEADERS: [(&str, &str); 4] = [
        ("content-type", "text/plain; charset=utf-8"),
        ("x-total-count", "3"),
        ("x-request-id", "cors-harness"),
        ("set-cookie", "session=1; Path=/"),
    ];

    /// The body of every application response.
    pub const BODY: &str = "ok";

    /// The application's response as an `http` 0.2 response (status 200).
    pub fn response_02() -> http02::Response<Bytes> {
        let mut builder = http02::Response::builder().status(200);
        for (name, value) in RESPONSE_HEADERS {
            builder = builder.header(name, value);
        }
        builder.body(Bytes::from_static(BODY.as_bytes())).expect("static response is valid")
    }

    /// The application as an `http` 0.2 tower service: every method and path answers
    /// [`response_02`].
    #[derive(Debug, Clone, Copy, Default)]
    pub struct App02;

    impl<B> tower_service::Service<http02::Request<B>> for App02 {
        type Response = http02::Response<Bytes>;
        type Error = Infallible;
        type Future = Ready<Result<http02::Response<Bytes>, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http02::Request<B>) -> Self::Future {
            ready(Ok(response_02()))
        }
    }
}

/// Conversions between `http` 1 and `http` 0.2, through bytes and strings.
pub mod compat {
    use bytes::Bytes;
    use cors_harness::target::TargetError;

    fn not_convertible(what: &str, e: &dyn std::fmt::Display) -> TargetError {
        TargetError::Unreachable(format!("the request is not convertible to http 0.2 ({what}): {e}"))
    }

    fn bad_response(what: &str, e: &dyn std::fmt::Display) -> TargetError {
        TargetError::Malformed(format!("the response is not convertible from http 0.2 ({what}): {e}"))
    }

    pub fn version_to_02(version: http::Version) -> http02::Version {
        match version {
            http::Version::HTTP_09 => http02::Version::HTTP_09,
            http::Version::HTTP_10 => http02::Version::HTTP_10,
            http::Version::HTTP_2 => http02::Version::HTTP_2,
            http::Version::HTTP_3 => http02::Version::HTTP_3,
            _ => http02::Version::HTTP_11,
        }
    }

    pub fn version_from_02(version: http02::Version) -> http::Version {
        match version {
            http02::Version::HTTP_09 => http::Version::HTTP_09,
            http02::Version::HTTP_10 => http::Version::HTTP_10,
            http02::Version::HTTP_2 => http::Version::HTTP_2,
            http02::Version::HTTP_3 => http::Version::HTTP_3,
            _ => http::Version::HTTP_11,
        }
    }

    /// Every header, in order, repeated names kept, values byte for byte.
    pub fn headers_to_02(headers: &http::HeaderMap) -> Result<http02::HeaderMap, TargetError> {
        let mut out = http02::HeaderMap::with_capacity(headers.len());
        for (name, value) in headers {
            let name =
                http02::HeaderName::from_bytes(name.as_str().as_bytes()).map_err(|e| not_convertible("name", &e))?;
            let value = http02::HeaderValue::from_bytes(value.as_bytes()).map_err(|e| not_convertible("value", &e))?;
            out.append(name, value);
        }
        Ok(out)
    }

    /// Every header, in order, repeated names kept, values byte for byte.
    pub fn headers_from_02(headers: &http02::HeaderMap) -> Result<http::HeaderMap, TargetError> {
        let mut out = http::HeaderMap::with_capacity(headers.len());
        for (name, value) in headers {
            let name = http::HeaderName::from_bytes(name.as_str().as_bytes()).map_err(|e| bad_response("name", &e))?;
            let value = http::HeaderValue::from_bytes(value.as_bytes()).map_err(|e| bad_response("value", &e))?;
            out.append(name, value);
        }
        Ok(out)
    }

    /// An `http` 1 request as an `http` 0.2 request with the same method, URI, version,
    /// headers and body.
    pub fn request_to_02<B>(request: http::Request<B>) -> Result<http02::Request<B>, TargetError> {
        let (parts, body) = request.into_parts();
        let method =
            http02::Method::from_bytes(parts.method.as_str().as_bytes()).map_err(|e| not_convertible("method", &e))?;
        let uri: http02::Uri = parts.uri.to_string().parse().map_err(|e| not_convertible("uri", &e))?;
        let mut out = http02::Request::new(body);
        *out.method_mut() = method;
        *out.uri_mut() = uri;
        *out.version_mut() = version_to_02(parts.version);
        *out.headers_mut() = headers_to_02(&parts.headers)?;
        Ok(out)
    }

    /// An `http` 0.2 response (whole body) as an `http` 1 response.
    pub fn response_from_02(response: http02::Response<Bytes>) -> Result<http::Response<Bytes>, TargetError> {
        let (parts, body) = response.into_parts();
        let status = http::StatusCode::from_u16(parts.status.as_u16()).map_err(|e| bad_response("status", &e))?;
        let mut out = http::Response::new(body);
        *out.status_mut() = status;
        *out.version_mut() = version_from_02(parts.version);
        *out.headers_mut() = headers_from_02(&parts.headers)?;
        Ok(out)
    }
}

/// An `http` 0.2 tower service (e.g. an old tower-http `Cors` around [`app::App02`]) called
/// directly, on the caller's task, with the request converted byte-exactly.
pub struct Http02Target<S> {
    name: String,
    service: S,
    timeout: Duration,
}

impl<S> Http02Target<S> {
    pub fn new(name: impl Into<String>, service: S) -> Http02Target<S> {
        Http02Target { name: name.into(), service, timeout: DEFAULT_TIMEOUT }
    }
}

impl<S> Target for Http02Target<S>
where
    S: tower_service::Service<http02::Request<Bytes>, Response = http02::Response<Bytes>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    S::Error: Display + Send + 'static,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let mut service = self.service.clone();
        let timeout = self.timeout;
        let call = async move {
            let request = compat::request_to_02(request)?;
            std::future::poll_fn(|cx| service.poll_ready(cx))
                .await
                .map_err(|e| TargetError::Malformed(format!("the service is not ready: {e}")))?;
            let response =
                service.call(request).await.map_err(|e| TargetError::Malformed(format!("the service failed: {e}")))?;
            compat::response_from_02(response)
        };
        Box::pin(guarded(call, timeout))
    }
}

/// Runs a call with a timeout, turning a panic (in the call or while it is created) into
/// [`TargetError::Panic`]. The timer is armed only if the call does not finish on its first
/// poll (as in `cors-targets`' `in_process::guarded`).
pub async fn guarded<T>(
    call: impl Future<Output = Result<T, TargetError>>,
    timeout: Duration,
) -> Result<T, TargetError> {
    use futures_util::FutureExt;
    let mut call = std::pin::pin!(std::panic::AssertUnwindSafe(call).catch_unwind());
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(call.as_mut().poll(cx))).await;
    let outcome = match first {
        std::task::Poll::Ready(outcome) => outcome,
        std::task::Poll::Pending => match tokio::time::timeout(timeout, call).await {
            Err(_) => return Err(TargetError::Timeout(timeout)),
            Ok(outcome) => outcome,
        },
    };
    match outcome {
        Err(panic) => Err(TargetError::Panic(panic_message(panic))),
        Ok(result) => result,
    }
}

/// The text of a panic payload, when it has one.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "a panic without a message".to_owned(),
        },
    }
}

/// Header values of `name` in a response, as strings (lossy), in order.
pub fn header_values(response: &http::Response<Bytes>, name: &str) -> Vec<String> {
    response.headers().get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_keep_bytes_and_repeats() {
        let request = http::Request::builder()
            .method("PATCH")
            .uri("http://api.example.test:8080/a/b?x=1")
            .header("Origin", "https://app.example")
            .header("X-A", "1")
            .header("x-a", &b"\xff two"[..])
            .body(Bytes::from_static(b"body"))
            .unwrap();
        let converted = compat::request_to_02(request).unwrap();
        assert_eq!(converted.method().as_str(), "PATCH");
        assert_eq!(converted.uri().to_string(), "http://api.example.test:8080/a/b?x=1");
        let values: Vec<&[u8]> = converted.headers().get_all("x-a").iter().map(|v| v.as_bytes()).collect();
        assert_eq!(values, [&b"1"[..], &b"\xff two"[..]]);
        assert_eq!(converted.body(), &Bytes::from_static(b"body"));

        let mut response = http02::Response::new(Bytes::from_static(b"ok"));
        *response.status_mut() = http02::StatusCode::NO_CONTENT;
        response.headers_mut().append("vary", http02::HeaderValue::from_static("origin"));
        response.headers_mut().append("vary", http02::HeaderValue::from_static("accept"));
        let back = compat::response_from_02(response).unwrap();
        assert_eq!(back.status(), 204);
        assert_eq!(header_values(&back, "vary"), ["origin", "accept"]);
    }
}

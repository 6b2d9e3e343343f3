//! Shared by the targets tests: the example policies and a deterministic request set.

#![allow(dead_code)]

use bytes::Bytes;
use cors_harness::policy::Policy;

/// The example policies shipped with the harness (`harness/tests/policies/*.toml`).
pub fn example_policies() -> Vec<(String, Policy)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../harness/tests/policies");
    let mut out: Vec<(String, Policy)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), Policy::load(&p).unwrap().policy))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 5, "expected the example policies");
    out
}

/// Origins around a policy's allowed ones: exact, near misses, null, garbage.
pub fn probe_origins() -> Vec<&'static str> {
    vec![
        "https://app.example.com",
        "https://admin.example.com",
        "https://api.example.com",
        "https://a.b.example.com",
        "https://example.com",
        "http://app.example.com",
        "https://app.example.com.evil.test",
        "https://evilexample.com",
        "https://APP.example.com",
        "https://app.example.com:8443",
        "null",
        "https://evil.test",
    ]
}

/// A few hundred requests a browser could send: preflights and actual requests.
pub fn requests() -> Vec<http::Request<Bytes>> {
    let mut out = Vec::new();
    for origin in probe_origins() {
        for (method, acrh) in [
            ("PUT", None),
            ("PATCH", Some("content-type")),
            ("DELETE", Some("authorization,x-request-id")),
            ("patch", None),
            ("GET", Some("x-custom")),
        ] {
            let mut b = http::Request::builder()
                .method("OPTIONS")
                .uri("http://api.example.test/data?page=1")
                .header("origin", origin)
                .header("accept", "*/*")
                .header("access-control-request-method", method);
            if let Some(h) = acrh {
                b = b.header("access-control-request-headers", h);
            }
            out.push(b.body(Bytes::new()).unwrap());
        }
        for method in ["GET", "POST", "PUT", "HEAD"] {
            out.push(
                http::Request::builder()
                    .method(method)
                    .uri("http://api.example.test/data")
                    .header("origin", origin)
                    .header("accept", "*/*")
                    .body(Bytes::new())
                    .unwrap(),
            );
        }
    }
    out.push(http::Request::builder().uri("http://api.example.test/").body(Bytes::new()).unwrap());
    out.push(http::Request::builder().method("OPTIONS").uri("http://api.example.test/").body(Bytes::new()).unwrap());
    out
}

/// A response as comparable data: status and header lines (lowercase names, stable order
/// within a name), without the headers that legitimately differ between runs and transports
/// (and without the body of a HEAD response, which never reaches the wire).
pub fn comparable(method: &http::Method, response: &http::Response<Bytes>) -> (u16, Vec<(String, String)>, Bytes) {
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "date" | "content-length" | "transfer-encoding" | "connection"))
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .map(|(n, v)| {
            // These lists are sets to a browser (HDR-3); some middlewares (actix-cors) emit them
            // in hash order, which differs between two instances: compare the items, sorted.
            if matches!(
                n.as_str(),
                "access-control-allow-methods" | "access-control-allow-headers" | "access-control-expose-headers"
            ) {
                let mut items: Vec<&str> = v.split(',').map(str::trim).collect();
                items.sort_unstable();
                let v = items.join(",");
                return (n, v);
            }
            (n, v)
        })
        .collect();
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let body = if method == http::Method::HEAD { Bytes::new() } else { response.body().clone() };
    (response.status().as_u16(), headers, body)
}

/// A policy from TOML text (panics on an invalid one: test input).
pub fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml, "test.toml").unwrap().policy
}

/// Sends one request to the adapter's in-process target for `policy`.
pub async fn send(
    adapter: &dyn cors_targets::Adapter,
    policy: &Policy,
    request: http::Request<Bytes>,
) -> http::Response<Bytes> {
    adapter.in_process(policy).unwrap().send(request).await.unwrap()
}

/// A request with `method` from `origin` to `/x`.
pub fn request(method: &str, origin: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .method(method)
        .uri("http://api.example.test/x")
        .header("origin", origin)
        .body(Bytes::new())
        .unwrap()
}

/// `GET /x` from `origin`.
pub fn get(origin: &str) -> http::Request<Bytes> {
    request("GET", origin)
}

/// A preflight from `origin` for `method` and, optionally, an `Access-Control-Request-Headers` value.
pub fn preflight(origin: &str, method: &str, headers: Option<&str>) -> http::Request<Bytes> {
    let (mut parts, body) = request("OPTIONS", origin).into_parts();
    parts.headers.insert("access-control-request-method", method.parse().unwrap());
    if let Some(h) = headers {
        parts.headers.insert("access-control-request-headers", h.parse().unwrap());
    }
    http::Request::from_parts(parts, body)
}

/// A header's value as text.
pub fn header<'a>(r: &'a http::Response<Bytes>, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

/// A list header's items, trimmed and sorted (middlewares render lists in any order).
pub fn items(r: &http::Response<Bytes>, name: &str) -> Vec<String> {
    let mut items: Vec<String> =
        header(r, name).unwrap_or("").split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    items.sort();
    items
}

/// The response varies on `Origin`.
pub fn varies_on_origin(r: &http::Response<Bytes>) -> bool {
    r.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("origin"))
}

/// Answers the oracle's requests by sending them to a target. Use from a blocking thread
/// (`tokio::task::spawn_blocking`): it blocks on the runtime for each request.
pub struct TargetResponder<'a> {
    pub target: &'a dyn cors_harness::target::Target,
    pub runtime: tokio::runtime::Handle,
}

impl cors_harness::response::Responder for TargetResponder<'_> {
    fn respond(
        &mut self,
        request: &std::sync::Arc<cors_harness::response::WireRequest>,
    ) -> Option<std::sync::Arc<cors_harness::response::ServerResponse>> {
        let http_request = request.to_http().expect("browser requests are valid HTTP");
        let response = self.runtime.block_on(self.target.send(http_request)).ok()?;
        Some(std::sync::Arc::new(cors_harness::response::ServerResponse::from_http(&response)))
    }
}

/// Browser requests around the example policies: every parsable probe origin × methods ×
/// header sets × credentials modes.
pub fn browser_requests() -> Vec<cors_harness::BrowserRequest> {
    use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin};
    let header_sets: [&[(&str, &str)]; 4] = [
        &[],
        &[("Content-Type", "application/json")],
        &[("X-Request-Id", "1"), ("X-CSRF-Token", "t")],
        &[("Authorization", "Bearer t")],
    ];
    let mut out = Vec::new();
    for origin in probe_origins() {
        // Pages only have origins a browser can serialize (not `https://APP.example.com`).
        let Ok(page) = Origin::parse_serialized(origin.as_bytes()) else { continue };
        for method in ["GET", "POST", "PUT", "PATCH", "patch", "DELETE"] {
            for headers in header_sets {
                for credentials in [CredentialsMode::Omit, CredentialsMode::Include] {
                    let mut request =
                        BrowserRequest::fetch(page.clone(), url::Url::parse("https://api.example.test/data").unwrap())
                            .method(method)
                            .credentials(credentials);
                    request.headers = HeaderList::from_pairs(headers.iter().copied());
                    out.push(request);
                }
            }
        }
    }
    out
}

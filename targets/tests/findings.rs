//! Reproductions of the entries in FINDINGS.md: each test shows the finding as it stands
//! (and fails when the middleware changes, so the entry gets revisited).

use std::sync::Arc;

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_harness::profile::CHROMIUM;
use cors_harness::response::{Responder, ServerResponse, WireRequest};
use cors_harness::target::Target;
use cors_harness::{BrowserRequest, Origin, Rule};
use cors_targets::Adapter;

/// Answers the oracle's requests from a target (on a blocking thread).
struct Via<'a>(&'a dyn Target, tokio::runtime::Handle);

impl Responder for Via<'_> {
    fn respond(&mut self, request: &WireRequest) -> Option<Arc<ServerResponse>> {
        let response = self.1.block_on(self.0.send(request.to_http().unwrap())).unwrap();
        Some(Arc::new(ServerResponse::from_http(&response)))
    }
}

/// FINDINGS.md F1: tower-http `AllowHeaders::any()` answers `Access-Control-Allow-Headers: *`,
/// which browsers never apply to `Authorization` (PRE-9, SAFE-6): a policy meaning "any
/// header" cannot authenticate cross-origin with a bearer token.
#[cfg(feature = "tower-http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f1_tower_http_any_headers_never_covers_authorization() {
    let policy = Policy::from_toml_str("origins = [\"*\"]\nallow_headers = [\"*\"]", "f1.toml").unwrap().policy;
    let target = cors_targets::tower_http::TOWER_HTTP.in_process(&policy).unwrap();
    let preflight = http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .body(Bytes::new())
        .unwrap();
    let response = target.send(preflight).await.unwrap();
    assert_eq!(response.headers()["access-control-allow-headers"], "*");

    let verdict = fetch_with_authorization(target).await;
    assert_eq!(verdict.failure().map(|f| f.rule), Some(Rule::Pre9));
    // The reference server echoes the requested name instead, and the browser lets it through.
    let verdict = fetch_with_authorization(cors_targets::reference::REFERENCE.in_process(&policy).unwrap()).await;
    assert!(verdict.readable(), "{:?}", verdict.failure());
}

/// What a browser does with `fetch(url, {headers: {Authorization: "Bearer token"}})` from
/// `https://app.example.com` against `target`.
async fn fetch_with_authorization(target: Box<dyn Target>) -> cors_harness::Verdict {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let request = BrowserRequest::fetch(
            Origin::parse_serialized(b"https://app.example.com").unwrap(),
            url::Url::parse("http://api.example.test/data").unwrap(),
        )
        .header("Authorization", "Bearer token");
        cors_harness::evaluate_once(&request, &mut Via(target.as_ref(), handle), &CHROMIUM).unwrap()
    })
    .await
    .unwrap()
}

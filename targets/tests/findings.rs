//! Reproductions of the entries in FINDINGS.md: each test shows the finding as it stands
//! (and fails when the middleware changes, so the entry gets revisited).

mod support;

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_harness::profile::{BrowserProfile, CHROMIUM, SPEC};
use cors_harness::target::Target;
use cors_harness::{BrowserRequest, Origin, Rule};
use cors_targets::Adapter;
use support::TargetResponder;

/// FINDINGS.md F1: tower-http `AllowHeaders::any()` answers `Access-Control-Allow-Headers: *`,
/// which the standard never applies to `Authorization` (PRE-9, SAFE-6): a policy meaning "any
/// header" cannot authenticate cross-origin with a bearer token in an engine that enforces it
/// (today's Chromium and Firefox do not).
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

    let verdict = fetch_with_authorization(target, &SPEC).await;
    assert_eq!(verdict.failure().map(|f| f.rule), Some(Rule::Pre9));
    // Chromium (and Firefox) let `*` cover it without credentials (BROWSER-DEVIATIONS.md row 5).
    let target = cors_targets::tower_http::TOWER_HTTP.in_process(&policy).unwrap();
    assert!(fetch_with_authorization(target, &CHROMIUM).await.readable());
    // The reference server echoes the requested name instead, and the standard lets it through.
    let verdict =
        fetch_with_authorization(cors_targets::reference::REFERENCE.in_process(&policy).unwrap(), &SPEC).await;
    assert!(verdict.readable(), "{:?}", verdict.failure());
}

/// What a browser does with `fetch(url, {headers: {Authorization: "Bearer token"}})` from
/// `https://app.example.com` against `target`.
async fn fetch_with_authorization(target: Box<dyn Target>, profile: &'static BrowserProfile) -> cors_harness::Verdict {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let request = BrowserRequest::fetch(
            Origin::parse_serialized(b"https://app.example.com").unwrap(),
            url::Url::parse("http://api.example.test/data").unwrap(),
        )
        .header("Authorization", "Bearer token");
        cors_harness::evaluate_once(
            &request,
            &mut TargetResponder { target: target.as_ref(), runtime: handle },
            profile,
        )
        .unwrap()
    })
    .await
    .unwrap()
}

fn exact_policy(extra: &str) -> Policy {
    let toml = format!(
        "origins = [\"https://app.example.com\", \"https://admin.example.com\"]\nmethods = [\"GET\", \"PUT\"]\n{extra}"
    );
    Policy::from_toml_str(&toml, "findings.toml").unwrap().policy
}

fn get_from(origin: &str) -> http::Request<Bytes> {
    http::Request::get("http://api.example.test/data").header("origin", origin).body(Bytes::new()).unwrap()
}

fn varies_on_origin(response: &http::Response<Bytes>) -> bool {
    response.headers().get_all("vary").iter().any(|v| {
        v.to_str()
            .unwrap_or_default()
            .split(',')
            .any(|item| item.trim().eq_ignore_ascii_case("origin") || item.trim() == "*")
    })
}

/// FINDINGS.md F4: poem answers an allowed origin from a list without `Vary: Origin` (SRV-9).
#[cfg(feature = "poem")]
#[tokio::test]
async fn f4_poem_echoes_listed_origins_without_vary() {
    // poem needs a non-empty header list and a max-age to express the policy at all.
    let policy = exact_policy("allow_headers = [\"content-type\"]\nmax_age = 600");
    let target = cors_targets::poem::POEM.in_process(&policy).unwrap();
    let response = target.send(get_from("https://admin.example.com")).await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "https://admin.example.com");
    assert!(!varies_on_origin(&response), "poem now sends Vary: Origin; revisit F4");
    // The reference server varies.
    let reference = cors_targets::reference::REFERENCE.in_process(&policy).unwrap();
    assert!(varies_on_origin(&reference.send(get_from("https://admin.example.com")).await.unwrap()));
}

/// FINDINGS.md F5: poem's `allow_origin_regex` panics on an `Origin` header with a non-ASCII
/// byte (`HeaderValue::to_str().unwrap()`), so any client can make the handler panic.
#[cfg(feature = "poem")]
#[tokio::test]
async fn f5_poem_allow_origin_regex_panics_on_non_ascii_origin() {
    use poem::{Endpoint, EndpointExt};
    let endpoint = poem::endpoint::make_sync(|_| "hello")
        .with(poem::middleware::Cors::new().allow_origin_regex("https://*.example.com"));
    let request = |origin: &[u8]| {
        poem::Request::builder().header("origin", http::HeaderValue::from_bytes(origin).unwrap()).finish()
    };
    let endpoint = std::sync::Arc::new(endpoint);
    let ok = std::sync::Arc::clone(&endpoint);
    let fine =
        tokio::spawn(
            async move { ok.call(request(b"https://a.example.com")).await.map(|_| ()).map_err(|e| e.to_string()) },
        );
    assert!(fine.await.is_ok(), "an ASCII origin is handled");
    let crash = tokio::spawn(async move {
        endpoint.call(request(b"https://\xe9.example.com")).await.map(|_| ()).map_err(|e| e.to_string())
    });
    let joined = crash.await;
    assert!(joined.as_ref().is_err_and(|e| e.is_panic()), "poem no longer panics; revisit F5: {joined:?}");
}

/// FINDINGS.md F6: salvo's Cors hoop lets the application run on preflights: the 204 carries
/// the application's `Set-Cookie` (SRV-16).
#[cfg(feature = "salvo")]
#[tokio::test]
async fn f6_salvo_preflights_run_the_application() {
    let target = cors_targets::salvo::SALVO.in_process(&exact_policy("")).unwrap();
    let preflight = http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PUT")
        .body(Bytes::new())
        .unwrap();
    let response = target.send(preflight).await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.headers().contains_key("set-cookie"), "salvo no longer runs the app on preflights; revisit F6");
}

/// FINDINGS.md F7: salvo sends `Access-Control-Allow-Credentials` (and the other CORS headers
/// but `Access-Control-Allow-Origin`) to disallowed origins (SRV-17, SRV-18).
#[cfg(feature = "salvo")]
#[tokio::test]
async fn f7_salvo_sends_cors_headers_to_disallowed_origins() {
    let policy = exact_policy("credentials = true\nexpose_headers = [\"x-request-id\"]");
    let target = cors_targets::salvo::SALVO.in_process(&policy).unwrap();
    let response = target.send(get_from("https://evil.test")).await.unwrap();
    assert!(!response.headers().contains_key("access-control-allow-origin"));
    assert_eq!(response.headers()["access-control-allow-credentials"], "true", "revisit F7");
    assert_eq!(response.headers()["access-control-expose-headers"], "x-request-id", "revisit F7");
}

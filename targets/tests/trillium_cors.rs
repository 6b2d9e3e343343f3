//! The trillium-cors adapter configures `Cors` as its documentation describes, one policy
//! feature at a time, and refuses what `Cors` cannot express.
#![cfg(feature = "trillium-cors")]

use std::time::{Duration, Instant};

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::trillium_cors::TRILLIUM_CORS;

mod support;

use support::{get, header, items, policy, preflight, varies_on_origin};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&TRILLIUM_CORS, policy, request).await
}

fn vary(r: &http::Response<Bytes>) -> Vec<String> {
    let mut names: Vec<String> = r
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(',').map(|s| s.trim().to_ascii_lowercase()).collect::<Vec<_>>())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn srv6_exact_origins_are_echoed_others_refused_and_all_vary() {
    let p = policy(r#"origins = ["https://app.example.com", "https://admin.example.com"]"#);
    let r = send(&p, get("https://admin.example.com")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://admin.example.com"));
    assert_eq!(r.body(), "ok");
    assert!(varies_on_origin(&r));
    for near_miss in ["https://app.example.com.evil.test", "http://app.example.com", "https://app.example.com:8443"] {
        let r = send(&p, get(near_miss)).await;
        // Disallowed: the application still answers, without CORS headers, varying on Origin.
        assert_eq!(r.status(), 200, "{near_miss}");
        assert_eq!(header(&r, "access-control-allow-origin"), None, "{near_miss}");
        assert!(varies_on_origin(&r), "{near_miss}");
    }
    // Even a request without Origin says the answer depends on it.
    let r = send(&p, http::Request::get("http://api.example.test/x").body(Bytes::new()).unwrap()).await;
    assert!(varies_on_origin(&r));
}

#[tokio::test]
async fn origins_are_compared_and_echoed_as_parsed_urls() {
    // Documented: an origin is scheme, host and port; the echo is the parsed origin's
    // serialization, never the request's bytes.
    let p = policy(r#"origins = ["https://app.example.com"]"#);
    for (sent, echoed) in [
        ("https://APP.example.com", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
    ] {
        assert_eq!(header(&send(&p, get(sent)).await, "access-control-allow-origin"), Some(echoed), "{sent}");
    }
}

#[tokio::test]
async fn chk2_any_origin_is_star_and_does_not_vary() {
    let r = send(&policy(r#"origins = ["*"]"#), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&r, "access-control-allow-credentials"), None);
    assert!(!varies_on_origin(&r));
}

#[tokio::test]
async fn srv4_subdomain_patterns_use_the_policy_match() {
    let p = policy(r#"origins = ["https://exact.test", "https://*.example.com"]"#);
    for allowed in ["https://exact.test", "https://a.b.example.com"] {
        assert_eq!(header(&send(&p, get(allowed)).await, "access-control-allow-origin"), Some(allowed), "{allowed}");
    }
    for near_miss in ["https://example.com", "https://evilexample.com", "http://a.example.com", "null"] {
        assert_eq!(header(&send(&p, get(near_miss)).await, "access-control-allow-origin"), None, "{near_miss}");
    }
}

#[tokio::test]
async fn srv12_srv13_srv14_preflight_lists_methods_headers_and_max_age() {
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nallow_headers = [\"x-request-id\"]\nmax_age = 600\ncredentials = true",
    );
    let r = send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id"))).await;
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    assert_eq!(items(&r, "access-control-allow-methods"), ["PUT"]);
    // trillium writes the header names it knows in their canonical case.
    assert_eq!(header(&r, "access-control-allow-headers"), Some("X-Request-Id"));
    assert_eq!(header(&r, "access-control-max-age"), Some("600"));
    assert_eq!(vary(&r), ["access-control-request-headers", "access-control-request-method", "origin"]);
    assert!(r.body().is_empty(), "a preflight is not forwarded to the application");
    // The safelisted methods are approved without being listed (METH-1).
    let r = send(&p, preflight("https://app.example.com", "POST", None)).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
}

#[tokio::test]
async fn refused_preflights_are_204_without_cors_headers() {
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nallow_headers = [\"x-request-id\"]");
    for (origin, method, headers) in [
        ("https://evil.test", "PUT", None),
        ("https://app.example.com", "DELETE", None),
        ("https://app.example.com", "PUT", Some("x-custom")),
        ("https://app.example.com", "PUT", Some("x-request-id,authorization")),
    ] {
        let r = send(&p, preflight(origin, method, headers)).await;
        assert_eq!(r.status(), 204, "{origin} {method} {headers:?}");
        assert_eq!(header(&r, "access-control-allow-origin"), None, "{origin} {method} {headers:?}");
        assert!(r.body().is_empty());
    }
}

#[tokio::test]
async fn allow_headers_star_is_star_and_the_requested_names_with_credentials() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"*\"]");
    let r = send(&p, preflight("https://app.example.com", "GET", Some("authorization,x-custom"))).await;
    assert_eq!(header(&r, "access-control-allow-headers"), Some("*"));
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"*\"]\ncredentials = true");
    let r = send(&p, preflight("https://app.example.com", "GET", Some("authorization,x-custom"))).await;
    assert_eq!(items(&r, "access-control-allow-headers"), ["authorization", "x-custom"]);
}

#[tokio::test]
async fn exp1_expose_lists_and_star_on_actual_responses_only() {
    let p = policy("origins = [\"https://app.example.com\"]\nexpose_headers = [\"x-total-count\", \"etag\"]");
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(items(&r, "access-control-expose-headers"), ["ETag", "x-total-count"]);
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(header(&r, "access-control-expose-headers"), None);
    let p = policy("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]");
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(header(&r, "access-control-expose-headers"), Some("*"));
}

/// Documented choices the harness may report as divergences from the neutral policy.
#[tokio::test]
async fn trillium_cors_choices_as_reported() {
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"PATCH\"]");
    // The CORS-safelisted request-header names are approved without being listed.
    let r = send(&p, preflight("https://app.example.com", "GET", Some("accept-language"))).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(header(&r, "access-control-allow-headers"), None);
    // The preflight's method is parsed case-insensitively (`patch` is not `PATCH` to a
    // browser, METH-3).
    let r = send(&p, preflight("https://app.example.com", "patch", None)).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(header(&r, "access-control-allow-methods"), Some("PATCH"));
    // An OPTIONS without Access-Control-Request-Method reaches the application.
    let r = send(&p, support::request("OPTIONS", "https://app.example.com")).await;
    assert_eq!(r.body(), "ok");
}

#[tokio::test]
async fn what_cors_cannot_express_is_unsupported_not_approximated() {
    for (toml, feature) in [
        ("origins = [\"https://app.example.com\", \"null\"]", "null"),
        ("origins = [\"*\"]\ncredentials = true", "credentials"),
        ("origins = [\"https://app.example.com\"]\nmethods = [\"*\"]", "methods"),
        ("origins = [\"https://app.example.com\"]\nmethods = [\"FROB\"]", "FROB"),
        ("origins = [\"https://app.example.com\"]\nprivate_network = true", "private_network"),
        ("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\ncredentials = true", "expose_headers"),
    ] {
        let p = policy(toml);
        let err = TRILLIUM_CORS.in_process(&p).err().unwrap_or_else(|| panic!("unsupported: {toml}"));
        assert_eq!(err.adapter, "trillium-cors");
        assert!(err.feature.contains(feature), "{feature}: {err}");
        assert_eq!(TRILLIUM_CORS.served(&p).err(), Some(err));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_answers_like_in_process_and_stops_when_dropped() {
    let p = policy("origins = [\"https://app.example.com\"]\ncredentials = true\nmethods = [\"PUT\"]");
    let in_process = TRILLIUM_CORS.in_process(&p).unwrap();
    let served = TRILLIUM_CORS.served(&p).unwrap();
    for request in [
        get("https://app.example.com"),
        get("https://evil.test"),
        preflight("https://app.example.com", "PUT", None),
        support::request("patch", "https://app.example.com"),
    ] {
        let a = in_process.send(request.clone()).await.unwrap();
        let b = served.send(request.clone()).await.unwrap();
        assert_eq!(
            support::comparable(request.method(), &a),
            support::comparable(request.method(), &b),
            "{} {:?}",
            request.method(),
            request.headers()
        );
    }
    let started = Instant::now();
    drop(served);
    assert!(started.elapsed() < Duration::from_secs(3), "stopping took {:?}", started.elapsed());
}

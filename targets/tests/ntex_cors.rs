//! The ntex-cors adapter configures `Cors` as its documentation and source describe, one policy
//! feature at a time, and its in-process target (an ntex `System` on its own thread) behaves
//! like a target.
#![cfg(feature = "ntex-cors")]

use std::time::{Duration, Instant};

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::ntex_cors::NTEX_CORS;

mod support;

use support::{get, header, items, policy, preflight, varies_on_origin};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&NTEX_CORS, policy, request).await
}

const BASE: &str = "allow_headers = [\"x-request-id\"]\nmax_age = 600\n";

#[tokio::test]
async fn srv6_exact_origins_and_null_are_echoed_and_vary() {
    let p =
        policy(&format!("origins = [\"https://app.example.com\", \"https://admin.example.com\", \"null\"]\n{BASE}"));
    for allowed in ["https://admin.example.com", "null"] {
        let r = send(&p, get(allowed)).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "access-control-allow-origin"), Some(allowed));
        assert_eq!(r.headers().get_all("access-control-allow-origin").iter().count(), 1);
        assert!(varies_on_origin(&r));
        assert_eq!(header(&r, "access-control-allow-credentials"), None);
        assert_eq!(r.body(), "ok");
    }
}

#[tokio::test]
async fn chk2_any_origin_is_star_without_credentials_and_echoed_with() {
    let r = send(&policy(&format!("origins = [\"*\"]\n{BASE}")), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&r, "access-control-allow-credentials"), None);
    let r = send(&policy(&format!("origins = [\"*\"]\ncredentials = true\n{BASE}")), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    assert!(varies_on_origin(&r));
}

#[tokio::test]
async fn srv12_srv13_srv14_preflight_lists_methods_headers_and_max_age() {
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nallow_headers = [\"x-request-id\"]\nmax_age = 600",
    );
    let r = send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id"))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    // The safelisted methods are always allowed by the policy (METH-1), so they are listed too.
    assert_eq!(items(&r, "access-control-allow-methods"), ["GET", "HEAD", "POST", "PUT"]);
    assert_eq!(header(&r, "access-control-allow-headers"), Some("x-request-id"));
    assert_eq!(header(&r, "access-control-max-age"), Some("600"));
    assert!(r.body().is_empty(), "a preflight is not forwarded to the application");
    // POST is not in the policy's list but always allowed: the preflight succeeds.
    let r = send(&p, preflight("https://app.example.com", "POST", Some("X-Request-ID"))).await;
    assert_eq!(r.status(), 200, "header names match case-insensitively");
}

#[tokio::test]
async fn pre8_pre10_refused_preflights_are_400_without_cors_headers() {
    let p =
        policy("origins = [\"https://app.example.com\"]\nmethods = [\"PATCH\"]\nallow_headers = [\"x-request-id\"]");
    for (origin, method, headers) in [
        ("https://app.example.com", "DELETE", None),
        // Methods other than the six normalized ones are case-sensitive (METH-3).
        ("https://app.example.com", "patch", None),
        ("https://app.example.com", "PATCH", Some("x-custom")),
        ("https://app.example.com", "PATCH", Some("x-request-id,authorization")),
        ("https://evil.test", "PATCH", None),
    ] {
        let r = send(&p, preflight(origin, method, headers)).await;
        assert_eq!(r.status(), 400, "{origin} {method} {headers:?}");
        assert_eq!(header(&r, "access-control-allow-origin"), None, "{origin} {method} {headers:?}");
    }
}

#[tokio::test]
async fn allow_headers_star_echoes_the_request_headers() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"*\"]\ncredentials = true");
    let r = send(&p, preflight("https://app.example.com", "GET", Some("authorization,x-custom"))).await;
    assert_eq!(r.status(), 200);
    // Not `*`, which a credentialed request would ignore (PRE-10), and authorization included.
    assert_eq!(header(&r, "access-control-allow-headers"), Some("authorization,x-custom"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn exp1_expose_headers_are_listed_and_star_is_sent() {
    let p = policy(&format!(
        "origins = [\"https://app.example.com\"]\nexpose_headers = [\"x-total-count\", \"etag\"]\n{BASE}"
    ));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(items(&r, "access-control-expose-headers"), ["etag", "x-total-count"]);
    let p = policy(&format!("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\n{BASE}"));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(header(&r, "access-control-expose-headers"), Some("*"));
}

/// What ntex-cors does beyond the policy's meaning: the harness reports these as divergences.
#[tokio::test]
async fn ntex_cors_quirks_as_reported() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\n{BASE}"));
    // A disallowed origin's actual request never reaches the application: 400.
    for near_miss in ["https://app.example.com.evil.test", "https://APP.example.com", "http://app.example.com"] {
        let r = send(&p, get(near_miss)).await;
        assert_eq!(r.status(), 400, "{near_miss}");
        assert_eq!(header(&r, "access-control-allow-origin"), None, "{near_miss}");
    }
    // Every OPTIONS is a preflight: without Access-Control-Request-Method, or without Origin, 400.
    let r = send(&p, support::request("OPTIONS", "https://app.example.com")).await;
    assert_eq!(r.status(), 400);
    let r = send(&p, http::Request::options("http://api.example.test/x").body(Bytes::new()).unwrap()).await;
    assert_eq!(r.status(), 400);
    // A request without Origin passes untouched.
    let r = send(&p, http::Request::get("http://api.example.test/x").body(Bytes::new()).unwrap()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "vary"), None);
    // A successful preflight does not vary on Origin (VARY-3).
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(r.status(), 200);
    assert!(!varies_on_origin(&r));
}

#[tokio::test]
async fn what_cors_cannot_express_is_unsupported_not_approximated() {
    for (toml, feature) in [
        ("origins = [\"https://*.example.com\"]\nallow_headers = [\"x-a\"]", "origins"),
        ("origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]\nmethods = [\"*\"]", "methods"),
        ("origins = [\"https://app.example.com\"]", "allow_headers = []"),
        (
            "origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]\nprivate_network = true",
            "private_network",
        ),
        (
            "origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]\nexpose_headers = [\"*\"]\ncredentials = true",
            "expose_headers",
        ),
    ] {
        let p = policy(toml);
        let err = NTEX_CORS.in_process(&p).err().unwrap_or_else(|| panic!("unsupported: {toml}"));
        assert_eq!(err.adapter, "ntex-cors");
        assert!(err.feature.contains(feature), "{feature}: {err}");
        assert_eq!(NTEX_CORS.served(&p).err(), Some(err));
    }
}

#[tokio::test]
async fn requests_keep_repeated_headers_and_bodies() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\n{BASE}"));
    let request = http::Request::post("http://api.example.test/x")
        .header("origin", "https://app.example.com")
        .header("origin", "https://evil.test")
        .body(Bytes::from_static(b"payload"))
        .unwrap();
    let r = send(&p, request).await;
    assert_eq!(r.status(), 200);
    // ntex-cors reads the first `Origin` line.
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(r.body(), "ok");
    assert_eq!(r.headers().get_all("set-cookie").iter().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_answers_like_in_process_and_stops_when_dropped() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\ncredentials = true\n{BASE}"));
    let served = NTEX_CORS.served(&p).unwrap();
    let r = served.send(get("https://app.example.com")).await.unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    assert_eq!(r.body(), "ok");
    let r = served.send(get("https://evil.test")).await.unwrap();
    assert_eq!(r.status(), 400);
    let started = Instant::now();
    drop(served);
    assert!(started.elapsed() < Duration::from_secs(3), "stopping took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_and_a_prompt_drop() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\n{BASE}"));
    let target = std::sync::Arc::new(NTEX_CORS.in_process(&p).unwrap());
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let target = std::sync::Arc::clone(&target);
            tokio::spawn(async move { target.send(get("https://app.example.com")).await })
        })
        .collect();
    for call in calls {
        let r = call.await.unwrap().unwrap();
        assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    }
    let target = std::sync::Arc::into_inner(target).expect("no call holds the target");
    let started = Instant::now();
    drop(target);
    assert!(started.elapsed() < Duration::from_secs(1), "stopping took {:?}", started.elapsed());
}

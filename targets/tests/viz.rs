//! The viz adapter configures viz's CORS middleware as its API offers, one policy feature at a
//! time, refuses what it cannot express, and shows what the middleware does with it.
#![cfg(feature = "viz")]

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::viz::VIZ;

mod support;

use support::{get, header, items, policy, preflight, varies_on_origin};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&VIZ, policy, request).await
}

const BASE: &str = "allow_headers = [\"x-request-id\"]\n";

#[tokio::test]
async fn srv6_exact_origins_and_null_are_echoed_and_vary() {
    let p =
        policy(&format!("origins = [\"https://app.example.com\", \"https://admin.example.com\", \"null\"]\n{BASE}"));
    for allowed in ["https://admin.example.com", "null"] {
        let r = send(&p, get(allowed)).await;
        assert_eq!(r.status(), 200, "{allowed}");
        assert_eq!(header(&r, "access-control-allow-origin"), Some(allowed));
        assert!(varies_on_origin(&r));
        assert_eq!(header(&r, "access-control-allow-credentials"), None);
        assert_eq!(r.body(), "ok");
    }
    let p = policy(&format!("origins = [\"https://app.example.com\"]\ncredentials = true\n{BASE}"));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn srv12_srv13_preflight_lists_methods_and_headers() {
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nallow_headers = [\"x-request-id\"]");
    let r = send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id"))).await;
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(items(&r, "access-control-allow-methods"), ["GET", "HEAD", "POST", "PUT"]);
    assert_eq!(header(&r, "access-control-allow-headers"), Some("x-request-id"));
    assert!(r.body().is_empty());
    // A method the policy does not allow is refused.
    let r = send(&p, preflight("https://app.example.com", "DELETE", None)).await;
    assert_eq!(r.status(), 403);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn exp1_expose_lists_and_star() {
    let p = policy(&format!(
        "origins = [\"https://app.example.com\"]\nexpose_headers = [\"x-total-count\", \"etag\"]\n{BASE}"
    ));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(items(&r, "access-control-expose-headers"), ["etag", "x-total-count"]);
    let p = policy(&format!("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\n{BASE}"));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(header(&r, "access-control-expose-headers"), Some("*"));
}

/// What viz's middleware does beyond the policy's meaning (read from its source): the harness
/// reports these as divergences.
#[tokio::test]
async fn viz_cors_quirks_as_reported() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"x-request-id\"]\nmax_age = 600");
    // A disallowed origin is refused with 403 even on an actual request: the app never runs.
    for near_miss in ["https://app.example.com.evil.test", "https://APP.example.com", "http://app.example.com"] {
        let r = send(&p, get(near_miss)).await;
        assert_eq!(r.status(), 403, "{near_miss}");
        assert_ne!(r.body(), "ok", "{near_miss}");
    }
    // A preflight passes when any one requested header is allowed, and lists only the allowed.
    let r = send(&p, preflight("https://app.example.com", "GET", Some("x-request-id,x-evil"))).await;
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "access-control-allow-headers"), Some("x-request-id"));
    // max_age is stored but never sent.
    assert_eq!(header(&r, "access-control-max-age"), None);
    // Without Access-Control-Request-Headers, and no header configured: `*`.
    let p = policy("origins = [\"https://app.example.com\"]");
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "access-control-allow-headers"), Some("*"));
    // With headers requested and none configured: refused.
    let r = send(&p, preflight("https://app.example.com", "GET", Some("x-a"))).await;
    assert_eq!(r.status(), 403);
    // methods = ["*"] is an empty set: any method passes the check, none is listed.
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"*\"]");
    let r = send(&p, preflight("https://app.example.com", "PROPFIND", None)).await;
    assert_eq!(r.status(), 204);
    assert_eq!(items(&r, "access-control-allow-methods"), Vec::<String>::new());
    // A request without Origin passes untouched.
    let r = send(&p, http::Request::get("http://api.example.test/x").body(Bytes::new()).unwrap()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn what_the_middleware_cannot_express_is_unsupported_not_approximated() {
    for (toml, feature) in [
        ("origins = [\"*\"]", "origins"),
        ("origins = [\"https://*.example.com\"]", "origins"),
        ("origins = [\"https://app.example.com\"]\nallow_headers = [\"*\"]", "allow_headers"),
        ("origins = [\"https://app.example.com\"]\nprivate_network = true", "private_network"),
        ("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\ncredentials = true", "expose_headers"),
    ] {
        let p = policy(toml);
        let err = VIZ.in_process(&p).err().unwrap_or_else(|| panic!("unsupported: {toml}"));
        assert_eq!(err.adapter, "viz");
        assert!(err.feature.contains(feature), "{feature}: {err}");
        assert_eq!(VIZ.served(&p).err(), Some(err));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_answers_like_in_process() {
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"PUT\", \"PATCH\"]\nallow_headers = [\"x-a\", \"x-b\"]",
    );
    let in_process = VIZ.in_process(&p).unwrap();
    let served = VIZ.served(&p).unwrap();
    for request in [
        get("https://app.example.com"),
        get("https://evil.test"),
        preflight("https://app.example.com", "PUT", Some("x-a")),
        http::Request::head("http://api.example.test/x").body(Bytes::new()).unwrap(),
    ] {
        let a = in_process.send(request.clone()).await.unwrap();
        let b = served.send(request.clone()).await.unwrap();
        assert_eq!(support::comparable(request.method(), &a), support::comparable(request.method(), &b));
    }
}

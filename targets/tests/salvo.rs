//! The salvo adapter configures salvo-cors' `Cors` as its documentation describes, one policy
//! feature at a time.
#![cfg(feature = "salvo")]

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::salvo::SALVO;

mod support;

use support::{get, header, policy, preflight};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&SALVO, policy, request).await
}

#[tokio::test]
async fn srv6_exact_origins_are_echoed_and_vary() {
    let p = policy(r#"origins = ["https://app.example.com", "https://admin.example.com"]"#);
    let r = send(&p, get("https://admin.example.com")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.body().as_ref(), b"ok");
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://admin.example.com"));
    assert!(r.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().eq_ignore_ascii_case("origin")));
    for near_miss in ["https://app.example.com.evil.test", "https://APP.example.com", "null"] {
        assert_eq!(header(&send(&p, get(near_miss)).await, "access-control-allow-origin"), None, "{near_miss}");
    }
}

#[tokio::test]
async fn chk2_any_origin_is_star_without_credentials_and_mirrored_with() {
    let r = send(&policy(r#"origins = ["*"]"#), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    let r = send(&policy("origins = [\"*\"]\ncredentials = true"), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn srv4_null_and_subdomain_patterns_use_the_policy_match() {
    let p = policy(r#"origins = ["https://*.example.com", "null"]"#);
    for allowed in ["https://a.b.example.com", "null"] {
        assert_eq!(header(&send(&p, get(allowed)).await, "access-control-allow-origin"), Some(allowed));
    }
    for near_miss in
        ["https://example.com", "https://evilexample.com", "https://a.example.com.evil.test", "http://a.example.com"]
    {
        assert_eq!(header(&send(&p, get(near_miss)).await, "access-control-allow-origin"), None, "{near_miss}");
    }
}

#[tokio::test]
async fn srv12_srv13_srv14_preflight_lists_methods_headers_and_max_age() {
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nallow_headers = [\"x-request-id\"]\nmax_age = 600",
    );
    let r = send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id"))).await;
    assert_eq!(r.status(), 204);
    // No body on a 204, in-process as on the wire.
    assert!(r.body().is_empty());
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(header(&r, "access-control-allow-methods"), Some("GET,PUT"));
    assert_eq!(header(&r, "access-control-allow-headers"), Some("x-request-id"));
    assert_eq!(header(&r, "access-control-max-age"), Some("600"));
}

#[tokio::test]
async fn wildcards_with_credentials_mirror_instead_of_panicking() {
    // salvo-cors' `into_handler` panics on `*` with credentials: the adapter mirrors instead.
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"*\"]\nallow_headers = [\"*\"]\ncredentials = true",
    );
    let r = send(&p, preflight("https://app.example.com", "PURGE", Some("x-a,x-b"))).await;
    assert_eq!(header(&r, "access-control-allow-methods"), Some("PURGE"));
    assert_eq!(header(&r, "access-control-allow-headers"), Some("x-a,x-b"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"*\"]\nallow_headers = [\"*\"]");
    let r = send(&p, preflight("https://app.example.com", "PURGE", Some("x-a"))).await;
    assert_eq!(header(&r, "access-control-allow-methods"), Some("*"));
    assert_eq!(header(&r, "access-control-allow-headers"), Some("*"));
}

#[tokio::test]
async fn exp2_expose_star_with_credentials_is_unsupported_not_approximated() {
    let p = policy("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\ncredentials = true");
    let err = SALVO.in_process(&p).err().expect("unsupported");
    assert!(err.feature.contains("expose_headers"), "{err}");
    assert_eq!(SALVO.served(&p).err(), Some(err));
    let p = policy("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]");
    assert_eq!(header(&send(&p, get("https://app.example.com")).await, "access-control-expose-headers"), Some("*"));
}

#[tokio::test]
async fn srv20_private_network_only_for_allowed_origins() {
    let p = policy("origins = [\"https://app.example.com\"]\nprivate_network = true");
    let mut request = preflight("https://app.example.com", "GET", None);
    request.headers_mut().insert("access-control-request-private-network", "true".parse().unwrap());
    assert_eq!(header(&send(&p, request).await, "access-control-allow-private-network"), Some("true"));
    let mut request = preflight("https://evil.test", "GET", None);
    request.headers_mut().insert("access-control-request-private-network", "true".parse().unwrap());
    assert_eq!(header(&send(&p, request).await, "access-control-allow-private-network"), None);
}

#[tokio::test]
async fn served_answers_like_in_process() {
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nmax_age = 60");
    let served = SALVO.served(&p).unwrap();
    let r = served.send(preflight("https://app.example.com", "PUT", None)).await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "access-control-allow-methods"), Some("PUT"));
    let r = served.send(get("https://app.example.com")).await.unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(r.body().as_ref(), b"ok");
}

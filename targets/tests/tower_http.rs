//! The tower-http adapter configures `CorsLayer` as its documentation describes, one policy
//! feature at a time.
#![cfg(feature = "tower-http")]

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::tower_http::TOWER_HTTP;

mod support;

use support::{get, header, policy, preflight};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&TOWER_HTTP, policy, request).await
}

#[tokio::test]
async fn srv6_exact_origins_are_echoed_and_vary() {
    let p = policy(r#"origins = ["https://app.example.com", "https://admin.example.com"]"#);
    let r = send(&p, get("https://admin.example.com")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://admin.example.com"));
    assert!(r.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("origin")));
    let r = send(&p, get("https://app.example.com.evil.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), None);
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
async fn srv4_subdomain_patterns_use_the_policy_match() {
    let p = policy(r#"origins = ["https://*.example.com"]"#);
    assert!(header(&send(&p, get("https://a.b.example.com")).await, "access-control-allow-origin").is_some());
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
    assert!(r.status().is_success());
    assert_eq!(header(&r, "access-control-allow-methods"), Some("GET,PUT"));
    assert_eq!(header(&r, "access-control-allow-headers"), Some("x-request-id"));
    assert_eq!(header(&r, "access-control-max-age"), Some("600"));
}

#[tokio::test]
async fn exp2_expose_star_with_credentials_is_unsupported_not_approximated() {
    let p = policy("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\ncredentials = true");
    let err = TOWER_HTTP.in_process(&p).err().expect("unsupported");
    assert!(err.feature.contains("expose_headers"), "{err}");
    assert!(TOWER_HTTP.served(&p).is_err());
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

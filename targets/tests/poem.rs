//! The poem adapter configures `Cors` as its documentation describes, one policy feature at a
//! time, and refuses what `Cors` cannot express.
#![cfg(feature = "poem")]

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::poem::POEM;

mod support;

use support::{get, header, items, policy, preflight};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&POEM, policy, request).await
}

const BASE: &str = "allow_headers = [\"x-request-id\"]\nmax_age = 600\n";

#[tokio::test]
async fn srv6_exact_origins_are_echoed_others_refused() {
    let p = policy(&format!("origins = [\"https://app.example.com\", \"https://admin.example.com\"]\n{BASE}"));
    let r = send(&p, get("https://admin.example.com")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://admin.example.com"));
    assert_eq!(r.body().as_ref(), b"ok");
    for near_miss in ["https://app.example.com.evil.test", "https://APP.example.com", "null"] {
        let r = send(&p, get(near_miss)).await;
        assert_eq!(header(&r, "access-control-allow-origin"), None, "{near_miss}");
    }
}

#[tokio::test]
async fn chk2_any_origin_is_echoed_with_or_without_credentials() {
    let r = send(&policy(&format!("origins = [\"*\"]\n{BASE}")), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), None);
    let r = send(&policy(&format!("origins = [\"*\"]\ncredentials = true\n{BASE}")), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn srv4_null_and_subdomain_patterns_use_the_policy_match() {
    let p = policy(&format!("origins = [\"https://*.example.com\", \"null\"]\n{BASE}"));
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
async fn an_empty_origin_list_allows_nothing() {
    // poem reads an empty origin set as "any": the adapter must not leave it empty.
    let p = Policy::default().with_allow_headers(cors_harness::policy::AllowedNames::list(["x-a"]).unwrap());
    let p = p.with_max_age(5);
    assert_eq!(header(&send(&p, get("https://x.test")).await, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn srv12_srv13_srv14_preflight_lists_methods_headers_and_max_age() {
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nallow_headers = [\"x-request-id\"]\nmax_age = 600",
    );
    let r = send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id"))).await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(items(&r, "access-control-allow-methods"), ["GET", "HEAD", "POST", "PUT"]);
    assert_eq!(items(&r, "access-control-allow-headers"), ["x-request-id"]);
    assert_eq!(header(&r, "access-control-max-age"), Some("600"));
    // METH-1: the safelisted methods pass poem's method check without being listed.
    let r = send(&p, preflight("https://app.example.com", "GET", Some("x-request-id"))).await;
    assert!(r.status().is_success(), "{}", r.status());
    // A method the policy does not allow is refused.
    let r = send(&p, preflight("https://app.example.com", "DELETE", None)).await;
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn exp1_expose_lists_and_star() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\nexpose_headers = [\"x-total-count\"]\n{BASE}"));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(header(&r, "access-control-expose-headers"), Some("x-total-count"));
    let p = policy(&format!("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\n{BASE}"));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(header(&r, "access-control-expose-headers"), Some("*"));
}

#[tokio::test]
async fn what_cors_cannot_express_is_unsupported_not_approximated() {
    for (toml, feature) in [
        ("origins = [\"https://app.example.com\"]\nmax_age = 600", "allow_headers = []"),
        ("origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]", "no max_age"),
        ("origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]\nmax_age = 3000000000", "max_age"),
        (
            "origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]\nmax_age = 5\nprivate_network = true",
            "private_network",
        ),
        (
            "origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]\nmax_age = 5\nexpose_headers = [\"*\"]\ncredentials = true",
            "expose_headers",
        ),
    ] {
        let p = policy(toml);
        let err = POEM.in_process(&p).err().unwrap_or_else(|| panic!("unsupported: {toml}"));
        assert!(err.feature.contains(feature), "{feature}: {err}");
        assert_eq!(POEM.served(&p).err(), Some(err));
    }
}

#[tokio::test]
async fn in_process_and_served_list_in_the_same_order() {
    // poem's lists come from HashSets with per-instance random hashers: the two targets of one
    // policy must share one `Cors`, or their lists differ in order.
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"PUT\", \"PATCH\", \"DELETE\"]\nallow_headers = [\"x-a\", \"x-b\", \"x-c\", \"x-d\"]\nmax_age = 5",
    );
    let in_process = POEM.in_process(&p).unwrap();
    let served = POEM.served(&p).unwrap();
    let request = preflight("https://app.example.com", "PUT", Some("x-a"));
    let a = in_process.send(request.clone()).await.unwrap();
    let b = served.send(request).await.unwrap();
    for name in ["access-control-allow-methods", "access-control-allow-headers"] {
        assert!(header(&a, name).is_some(), "{name}");
        assert_eq!(header(&a, name), header(&b, name), "{name}");
    }
}

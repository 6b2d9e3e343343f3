//! The warp adapter configures `warp::cors()` as its documentation describes, one policy
//! feature at a time, refuses what the filter cannot express, and recovers warp's refusals into
//! warp's own 403 answer.
#![cfg(feature = "warp")]

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::warp::WARP;

mod support;

use support::{get, header, items, policy, preflight, request};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&WARP, policy, request).await
}

/// No `Access-Control-*` header at all.
fn no_cors_headers(r: &http::Response<Bytes>) -> bool {
    r.headers().keys().all(|name| !name.as_str().starts_with("access-control-"))
}

/// warp's own answer to a `CorsForbidden` rejection, recovered by the adapter.
fn assert_forbidden(r: &http::Response<Bytes>, detail: &str) {
    assert_eq!(r.status(), 403);
    assert_eq!(header(r, "content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.body().as_ref(), format!("CORS request forbidden: {detail}").as_bytes());
    assert!(no_cors_headers(r), "{:?}", r.headers());
}

const BASE: &str = "allow_headers = [\"x-request-id\"]\nmax_age = 600\n";

#[tokio::test]
async fn srv6_exact_origins_are_echoed_others_refused_with_403() {
    let p = policy(&format!("origins = [\"https://app.example.com\", \"http://localhost:8080\"]\n{BASE}"));
    for allowed in ["https://app.example.com", "http://localhost:8080"] {
        let r = send(&p, get(allowed)).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "access-control-allow-origin"), Some(allowed));
        assert_eq!(header(&r, "x-total-count"), Some("3"), "the application answered");
        assert_eq!(r.body().as_ref(), b"ok");
    }
    for near_miss in [
        "https://app.example.com.evil.test",
        "https://APP.example.com",
        "https://app.example.com:443",
        "https://app.example.com/",
        "http://localhost",
        "null",
    ] {
        // warp rejects every request carrying a disallowed Origin: the application never runs.
        assert_forbidden(&send(&p, get(near_miss)).await, "origin not allowed");
        assert_forbidden(&send(&p, request("POST", near_miss)).await, "origin not allowed");
        assert_forbidden(&send(&p, preflight(near_miss, "GET", None)).await, "origin not allowed");
    }
}

#[tokio::test]
async fn srv2_requests_without_origin_reach_the_application_untouched() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\ncredentials = true\n{BASE}"));
    for method in ["GET", "OPTIONS", "DELETE"] {
        let r =
            send(&p, http::Request::builder().method(method).uri("http://x.test/").body(Bytes::new()).unwrap()).await;
        assert_eq!(r.status(), 200, "{method}");
        assert_eq!(r.body().as_ref(), b"ok", "{method}");
        assert!(no_cors_headers(&r), "{method}: {:?}", r.headers());
    }
}

#[tokio::test]
async fn srv1_options_without_request_method_is_not_a_preflight() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\n{BASE}"));
    let r = send(&p, request("OPTIONS", "https://app.example.com")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.body().as_ref(), b"ok", "the application answers an OPTIONS without ACRM");
    assert_eq!(header(&r, "access-control-allow-methods"), None);
}

#[tokio::test]
async fn an_empty_origin_list_allows_nothing() {
    // Configuring no origin at all would mean "any" in warp: the adapter configures an empty set.
    let p = Policy::default().with_allow_headers(cors_harness::policy::AllowedNames::list(["x-a"]).unwrap());
    assert_forbidden(&send(&p, get("https://x.test")).await, "origin not allowed");
    assert_forbidden(&send(&p, preflight("https://x.test", "GET", None)).await, "origin not allowed");
}

#[tokio::test]
async fn chk2_any_origin_is_echoed_never_star_with_or_without_credentials() {
    let r = send(&policy(&format!("origins = [\"*\"]\n{BASE}")), get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), None);
    let r = send(&policy(&format!("origins = [\"*\"]\n{BASE}")), get("null")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("null"));
    let p = policy(&format!("origins = [\"*\"]\ncredentials = true\n{BASE}"));
    let r = send(&p, get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    let r = send(&p, preflight("https://x.test", "GET", Some("x-request-id"))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn srv7_srv11_credentials_on_actual_requests_and_preflights() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\ncredentials = true\n{BASE}"));
    assert_eq!(
        header(&send(&p, get("https://app.example.com")).await, "access-control-allow-credentials"),
        Some("true")
    );
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    // Without credentials the header is left out (never `false`).
    let p = policy(&format!("origins = [\"https://app.example.com\"]\n{BASE}"));
    assert_eq!(header(&send(&p, get("https://app.example.com")).await, "access-control-allow-credentials"), None);
}

#[tokio::test]
async fn srv10_srv12_srv13_srv14_preflight_lists_methods_headers_and_max_age() {
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"PUT\", \"PATCH\"]\nallow_headers = [\"x-request-id\", \"content-type\"]\nmax_age = 600",
    );
    let r = send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id"))).await;
    assert_eq!(r.status(), 200);
    assert!(r.body().is_empty(), "SRV-16: the application does not answer preflights");
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(items(&r, "access-control-allow-methods"), ["GET", "HEAD", "PATCH", "POST", "PUT"]);
    assert_eq!(items(&r, "access-control-allow-headers"), ["content-type", "x-request-id"]);
    assert_eq!(header(&r, "access-control-max-age"), Some("600"));
    // METH-1: the safelisted methods pass warp's method check without being listed.
    let r = send(&p, preflight("https://app.example.com", "GET", Some("content-type"))).await;
    assert_eq!(r.status(), 200);
    // A method the policy does not allow is refused; methods are compared byte-exactly (METH-3).
    assert_forbidden(
        &send(&p, preflight("https://app.example.com", "DELETE", None)).await,
        "request-method not allowed",
    );
    assert_forbidden(
        &send(&p, preflight("https://app.example.com", "patch", None)).await,
        "request-method not allowed",
    );
    // So is a header it does not allow; header names are compared case-insensitively.
    assert_forbidden(
        &send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id,x-other"))).await,
        "header not allowed",
    );
    let r = send(&p, preflight("https://app.example.com", "PUT", Some("X-Request-ID,Content-Type"))).await;
    assert_eq!(r.status(), 200);
}

/// warp 0.3.0 refused `Access-Control-Request-Headers: content-type, x-foo` (the space after the
/// comma, HDR-4); fixed in 0.3.1 (seanmonstar/warp#792). warp 0.4 trims each item.
#[tokio::test]
async fn hdr4_request_headers_with_spaces_after_commas_are_accepted() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"content-type\", \"x-foo\"]");
    for list in ["content-type, x-foo", "content-type,x-foo", "content-type ,  x-foo", "x-foo"] {
        let r = send(&p, preflight("https://app.example.com", "POST", Some(list))).await;
        assert_eq!(r.status(), 200, "{list:?}: {:?}", r.body());
        assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"), "{list:?}");
    }
}

#[tokio::test]
async fn no_allowed_headers_refuses_every_requested_header() {
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]");
    let r = send(&p, preflight("https://app.example.com", "PUT", None)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-max-age"), None, "no max_age, no header");
    assert_forbidden(
        &send(&p, preflight("https://app.example.com", "PUT", Some("content-type"))).await,
        "header not allowed",
    );
}

#[tokio::test]
async fn exp1_srv8_expose_lists_and_star() {
    let p = policy(&format!(
        "origins = [\"https://app.example.com\"]\nexpose_headers = [\"x-total-count\", \"x-request-id\"]\n{BASE}"
    ));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(items(&r, "access-control-expose-headers"), ["x-request-id", "x-total-count"]);
    let p = policy(&format!("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\n{BASE}"));
    let r = send(&p, get("https://app.example.com")).await;
    assert_eq!(header(&r, "access-control-expose-headers"), Some("*"));
    let p = policy(&format!("origins = [\"https://app.example.com\"]\n{BASE}"));
    assert_eq!(header(&send(&p, get("https://app.example.com")).await, "access-control-expose-headers"), None);
}

#[tokio::test]
async fn max_age_takes_any_u64() {
    let p = policy("origins = [\"https://app.example.com\"]\nmax_age = 3000000000");
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(header(&r, "access-control-max-age"), Some("3000000000"));
}

#[tokio::test]
async fn what_cors_cannot_express_is_unsupported_not_approximated() {
    for (toml, feature) in [
        ("origins = [\"null\"]", "null"),
        ("origins = [\"https://app.example.com\", \"null\"]", "null"),
        ("origins = [\"https://*.example.com\"]", "https://*.example.com"),
        ("origins = [\"https://app.example.com\"]\nmethods = [\"*\"]", "methods"),
        ("origins = [\"https://app.example.com\"]\nallow_headers = [\"*\"]", "allow_headers"),
        ("origins = [\"https://app.example.com\"]\nprivate_network = true", "private_network"),
        ("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\ncredentials = true", "expose_headers"),
    ] {
        let p = policy(toml);
        let err = WARP.in_process(&p).err().unwrap_or_else(|| panic!("unsupported: {toml}"));
        assert_eq!(err.adapter, "warp");
        assert!(err.feature.contains(feature), "{feature}: {err}");
        assert_eq!(WARP.served(&p).err(), Some(err));
    }
}

#[tokio::test]
async fn unusual_but_valid_origins_are_configured_byte_exactly() {
    let origins = ["http://[::1]:8080", "https://xn--bcher-kva.example", "http://127.0.0.1:3000", "http://localhost"];
    let list = origins.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(", ");
    let p = policy(&format!("origins = [{list}]"));
    for origin in origins {
        assert_eq!(header(&send(&p, get(origin)).await, "access-control-allow-origin"), Some(origin), "{origin}");
    }
}

#[tokio::test]
async fn in_process_and_served_answer_alike_and_list_in_the_same_order() {
    // warp renders its lists from HashSets with per-instance random hashers: the two targets of
    // one policy share one `Cors`, so their lists come in the same order.
    let p = policy(
        "origins = [\"https://app.example.com\"]\nmethods = [\"PUT\", \"PATCH\", \"DELETE\"]\nallow_headers = [\"x-a\", \"x-b\", \"x-c\", \"x-d\"]\nexpose_headers = [\"x-total-count\", \"x-request-id\"]\nmax_age = 5",
    );
    let in_process = WARP.in_process(&p).unwrap();
    let served = WARP.served(&p).unwrap();
    assert_eq!(served.name(), "warp (served)");
    let request = preflight("https://app.example.com", "PUT", Some("x-a"));
    let a = in_process.send(request.clone()).await.unwrap();
    let b = served.send(request).await.unwrap();
    for name in ["access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers"] {
        assert!(header(&a, name).is_some(), "{name}");
        assert_eq!(header(&a, name), header(&b, name), "{name}");
    }
    // The refusal is the same over the wire.
    let r = served.send(get("https://evil.test")).await.unwrap();
    assert_forbidden(&r, "origin not allowed");
}

// ---------------------------------------------------------------------------------------------
// warp's behaviour against the spec digest, as it stands (these fail when warp changes).

/// SRV-9: warp never sends `Vary: Origin`, although `Access-Control-Allow-Origin` echoes the
/// request's origin (a list, or "any origin", which warp also echoes) and refusals depend on it.
#[tokio::test]
async fn srv9_warp_never_sends_vary() {
    for toml in ["origins = [\"https://app.example.com\", \"https://admin.example.com\"]", "origins = [\"*\"]"] {
        let p = policy(toml);
        for r in [
            send(&p, get("https://app.example.com")).await,
            send(&p, preflight("https://app.example.com", "GET", None)).await,
            send(&p, get("https://evil.test")).await,
            send(&p, http::Request::get("http://x.test/").body(Bytes::new()).unwrap()).await,
        ] {
            assert_eq!(header(&r, "vary"), None, "{toml}: {:?}", r.headers());
        }
    }
}

/// HDR-4: empty list elements must be tolerated, but warp refuses
/// `Access-Control-Request-Headers: content-type,,x-foo` (browsers never send one, so harmless).
#[tokio::test]
async fn hdr4_warp_refuses_empty_list_elements() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"content-type\", \"x-foo\"]");
    for list in ["content-type,,x-foo", "content-type,", ",x-foo"] {
        assert_forbidden(
            &send(&p, preflight("https://app.example.com", "POST", Some(list))).await,
            "header not allowed",
        );
    }
}

/// With no header allowed, warp's preflight still carries an empty
/// `Access-Control-Allow-Headers` line (an empty `#` list: valid, HDR-4).
#[tokio::test]
async fn warp_sends_an_empty_allow_headers_line() {
    let p = policy("origins = [\"https://app.example.com\"]");
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(header(&r, "access-control-allow-headers"), Some(""));
}

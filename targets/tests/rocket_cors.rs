//! The rocket_cors adapter configures the `Cors` fairing as the crate documents, one policy
//! feature at a time, refuses what `CorsOptions` cannot express, and runs the same Rocket
//! application in-process (local client) and on Rocket's own server.
#![cfg(feature = "rocket-cors")]

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use cors_targets::rocket_cors::ROCKET_CORS;

mod support;

use support::{get, header, items, policy, preflight, request, varies_on_origin};

async fn send(policy: &Policy, request: http::Request<Bytes>) -> http::Response<Bytes> {
    support::send(&ROCKET_CORS, policy, request).await
}

/// No `Access-Control-*` header at all.
fn no_cors_headers(r: &http::Response<Bytes>) -> bool {
    r.headers().keys().all(|name| !name.as_str().starts_with("access-control-"))
}

/// A refusal: the fairing's error route fails with `status`, Rocket's default catcher answers
/// (HTML for a request without `Accept: application/json`), no CORS header, no application.
fn assert_refused(r: &http::Response<Bytes>, status: u16) {
    assert_eq!(r.status(), status, "{:?} {:?}", r.headers(), r.body());
    assert_eq!(header(r, "content-type"), Some("text/html; charset=utf-8"));
    assert!(String::from_utf8_lossy(r.body()).contains(&status.to_string()), "{:?}", r.body());
    assert_eq!(header(r, "x-total-count"), None, "the application did not answer");
    assert!(no_cors_headers(r), "{:?}", r.headers());
}

/// The application answered (status 200, its headers and body).
fn assert_app(r: &http::Response<Bytes>) {
    assert_eq!(r.status(), 200, "{:?} {:?}", r.headers(), r.body());
    assert_eq!(header(r, "x-total-count"), Some("3"));
    assert_eq!(r.body().as_ref(), b"ok");
}

const BASE: &str = "allow_headers = [\"x-request-id\"]\nmax_age = 600\n";

#[tokio::test]
async fn srv6_exact_origins_are_echoed_others_refused_with_403() {
    let p = policy(&format!("origins = [\"https://app.example.com\", \"http://localhost:8080\"]\n{BASE}"));
    for allowed in ["https://app.example.com", "http://localhost:8080"] {
        let r = send(&p, get(allowed)).await;
        assert_app(&r);
        assert_eq!(header(&r, "access-control-allow-origin"), Some(allowed));
    }
    for refused in ["https://app.example.com.evil.test", "https://evilexample.com", "http://localhost", "null"] {
        assert_refused(&send(&p, get(refused)).await, 403);
        assert_refused(&send(&p, request("POST", refused)).await, 403);
        assert_refused(&send(&p, preflight(refused, "GET", None)).await, 403);
    }
}

#[tokio::test]
async fn srv2_requests_without_origin_reach_the_application_untouched() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\ncredentials = true\n{BASE}"));
    for method in ["GET", "OPTIONS", "DELETE", "PATCH"] {
        let r = send(&p, http::Request::builder().method(method).uri("http://x.test/a/b").body(Bytes::new()).unwrap())
            .await;
        assert_app(&r);
        assert!(no_cors_headers(&r), "{method}: {:?}", r.headers());
    }
}

#[tokio::test]
async fn an_empty_origin_list_allows_nothing() {
    let p = Policy::default();
    assert_refused(&send(&p, get("https://x.test")).await, 403);
    assert_refused(&send(&p, preflight("https://x.test", "GET", None)).await, 403);
}

#[tokio::test]
async fn chk2_any_origin_is_star_without_credentials_and_echoed_with() {
    let p = policy(&format!("origins = [\"*\"]\n{BASE}"));
    for origin in ["https://x.test", "null"] {
        let r = send(&p, get(origin)).await;
        assert_app(&r);
        assert_eq!(header(&r, "access-control-allow-origin"), Some("*"), "send_wildcard");
        assert!(!varies_on_origin(&r), "constant ACAO, no Vary");
    }
    let p = policy(&format!("origins = [\"*\"]\ncredentials = true\n{BASE}"));
    let r = send(&p, get("https://x.test")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://x.test"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    assert!(varies_on_origin(&r), "SRV-9: echoing all origins, rocket_cors adds Vary: Origin");
    let r = send(&p, preflight("null", "GET", Some("x-request-id"))).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("null"));
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn null_and_subdomain_rules_match_exactly_what_the_policy_matches() {
    let p = policy(&format!(
        "origins = [\"null\", \"https://*.example.com\", \"http://*.example.test:8080\", \"https://example.org\"]\n{BASE}"
    ));
    for allowed in [
        "null",
        "https://app.example.com",
        "https://a.b.example.com",
        "https://xn--bcher-kva.example.com",
        "http://app.example.test:8080",
        "https://example.org",
    ] {
        let r = send(&p, get(allowed)).await;
        assert_app(&r);
        assert_eq!(header(&r, "access-control-allow-origin"), Some(allowed), "{allowed}");
    }
    for refused in [
        "https://example.com",
        "https://.example.com",
        "http://app.example.com",
        "https://app.example.com:8443",
        "https://app.example.com.evil.test",
        "https://evilexample.com",
        "https://appXexample.com",
        "http://app.example.test",
        "http://app.example.test:8081",
        "https://sub.example.org",
    ] {
        assert_refused(&send(&p, get(refused)).await, 403);
    }
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
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(items(&r, "access-control-allow-methods"), ["GET", "HEAD", "PATCH", "POST", "PUT"]);
    // The requested headers are echoed (after checking), not the configured list.
    assert_eq!(items(&r, "access-control-allow-headers"), ["x-request-id"]);
    assert_eq!(header(&r, "access-control-max-age"), Some("600"));
    // METH-1: the safelisted methods pass without being listed in the policy.
    let r = send(&p, preflight("https://app.example.com", "POST", Some("Content-Type"))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(items(&r, "access-control-allow-headers"), ["Content-Type"], "echoed as sent");
    // A method or header the policy does not allow is refused with 403.
    assert_refused(&send(&p, preflight("https://app.example.com", "DELETE", None)).await, 403);
    assert_refused(&send(&p, preflight("https://app.example.com", "PUT", Some("x-request-id, x-other"))).await, 403);
    // An unknown request method does not parse: 400.
    assert_refused(&send(&p, preflight("https://app.example.com", "PROPFIND", None)).await, 400);
}

#[tokio::test]
async fn hdr4_request_headers_with_spaces_after_commas_are_accepted() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"content-type\", \"x-foo\"]");
    for list in ["content-type, x-foo", "content-type,x-foo", "content-type ,  x-foo", "x-foo", ""] {
        let r = send(&p, preflight("https://app.example.com", "POST", Some(list))).await;
        assert_eq!(r.status(), 200, "{list:?}: {:?}", r.body());
        assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"), "{list:?}");
    }
}

#[tokio::test]
async fn allow_headers_empty_refuses_every_header_and_star_echoes_them() {
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]");
    let r = send(&p, preflight("https://app.example.com", "PUT", None)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-max-age"), None, "no max_age, no header");
    assert_eq!(header(&r, "access-control-allow-headers"), None);
    assert_refused(&send(&p, preflight("https://app.example.com", "PUT", Some("content-type"))).await, 403);
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"*\"]");
    let r = send(&p, preflight("https://app.example.com", "GET", Some("x-a,Authorization"))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(items(&r, "access-control-allow-headers"), ["Authorization", "x-a"]);
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
async fn max_age_takes_any_u64_on_64_bit() {
    let p = policy("origins = [\"https://app.example.com\"]\nmax_age = 3000000000");
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(header(&r, "access-control-max-age"), Some("3000000000"));
}

#[tokio::test]
async fn what_cors_options_cannot_express_is_unsupported_not_approximated() {
    for (toml, feature) in [
        ("origins = [\"https://app.example.com\"]\nmethods = [\"*\"]", "methods"),
        ("origins = [\"https://app.example.com\"]\nmethods = [\"PROPFIND\"]", "PROPFIND"),
        ("origins = [\"https://app.example.com\"]\nmethods = [\"patch\"]", "patch"),
        ("origins = [\"https://app.example.com\"]\nprivate_network = true", "private_network"),
        ("origins = [\"https://app.example.com\"]\nexpose_headers = [\"*\"]\ncredentials = true", "expose_headers"),
    ] {
        let p = policy(toml);
        let err = ROCKET_CORS.in_process(&p).err().unwrap_or_else(|| panic!("unsupported: {toml}"));
        assert_eq!(err.adapter, "rocket_cors");
        assert!(err.feature.contains(feature), "{feature}: {err}");
        assert_eq!(ROCKET_CORS.served(&p).err(), Some(err));
    }
}

#[tokio::test]
async fn unusual_but_valid_origins_are_configured() {
    let origins = ["http://[::1]:8080", "https://xn--bcher-kva.example", "http://127.0.0.1:3000", "http://localhost"];
    let list = origins.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(", ");
    let p = policy(&format!("origins = [{list}]"));
    for origin in origins {
        assert_eq!(header(&send(&p, get(origin)).await, "access-control-allow-origin"), Some(origin), "{origin}");
    }
}

#[tokio::test]
async fn in_process_and_served_answer_alike() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\n{BASE}"));
    let in_process = ROCKET_CORS.in_process(&p).unwrap();
    let served = ROCKET_CORS.served(&p).unwrap();
    assert_eq!(served.name(), "rocket_cors (served)");
    for request in [
        preflight("https://app.example.com", "PUT", Some("x-request-id")),
        get("https://evil.test"),
        request("OPTIONS", "https://app.example.com"),
        request("PROPFIND", "https://app.example.com"),
        http::Request::get("http://x.test/p?q=1").header("origin", "garbage").body(Bytes::new()).unwrap(),
    ] {
        let a = in_process.send(request.clone()).await.unwrap();
        let b = served.send(request.clone()).await.unwrap();
        assert_eq!(support::comparable(request.method(), &a), support::comparable(request.method(), &b), "{request:?}");
    }
    // Rocket has no variant for PROPFIND: its server answers 400 from the catcher, without
    // routing or fairings, and so does the in-process target.
    let r = in_process.send(request("PROPFIND", "https://app.example.com")).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(header(&r, "server"), None, "no dispatch, no Server header");
    drop(served); // stops Rocket: must not hang
}

/// The fairing's error route is mounted at rank 0 by default, after Rocket's default rank of a
/// catch-all `/<path..>` route (-1): refused requests, rewritten to `GET /cors/403`, then reach
/// the application's catch-all `GET` route and are answered `200 ok`. The adapter ranks the
/// error route at -2 as rocket_cors's documentation asks.
#[tokio::test]
async fn default_fairing_rank_is_shadowed_by_a_catch_all_route() {
    let p = policy(&format!("origins = [\"https://app.example.com\"]\n{BASE}"));
    let options = cors_targets::rocket_cors::options(&p).unwrap().fairing_route_rank(0);
    let rocket = cors_targets::rocket_cors::rocket(options.to_cors().unwrap());
    let client = rocket::local::asynchronous::Client::untracked(rocket).await.unwrap();
    let r = client.delete("/x").header(rocket::http::Header::new("origin", "https://evil.test")).dispatch().await;
    assert_eq!(r.status().code, 200, "the application answered a refused request");
    assert_eq!(r.headers().get_one("access-control-allow-origin"), None);
    assert_eq!(r.into_string().await.as_deref(), Some("ok"));
    // With the adapter's rank, the same request is refused.
    assert_refused(&send(&p, request("DELETE", "https://evil.test")).await, 403);
}

// ---------------------------------------------------------------------------------------------
// rocket_cors's behaviour against the spec digest, as it stands (these fail when it changes).

/// SRV-9: no `Vary: Origin` when ACAO echoes a listed origin (only when "all origins" is
/// echoed), nor on refusals.
#[tokio::test]
async fn srv9_no_vary_for_listed_origins() {
    let p = policy("origins = [\"https://app.example.com\", \"https://admin.example.com\"]");
    for r in [
        send(&p, get("https://app.example.com")).await,
        send(&p, preflight("https://app.example.com", "GET", None)).await,
        send(&p, get("https://evil.test")).await,
        send(&p, http::Request::get("http://x.test/").body(Bytes::new()).unwrap()).await,
    ] {
        assert!(!varies_on_origin(&r), "{:?}", r.headers());
    }
}

/// SRV-16: an allowed preflight is answered by the application (its 200, body and headers),
/// since the catch-all `OPTIONS` route matches; the fairing only turns a *route-less* OPTIONS
/// into a 204.
#[tokio::test]
async fn srv16_allowed_preflights_reach_the_application() {
    let p = policy("origins = [\"https://app.example.com\"]");
    let r = send(&p, preflight("https://app.example.com", "GET", None)).await;
    assert_app(&r);
    assert_eq!(header(&r, "set-cookie"), Some("session=1; Path=/"));
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
}

/// SRV-1: an `OPTIONS` with an allowed `Origin` but no `Access-Control-Request-Method` is not a
/// preflight and should reach the application; rocket_cors treats every OPTIONS with `Origin` as
/// a preflight and refuses it with 400 (`MissingRequestMethod`).
#[tokio::test]
async fn srv1_options_without_request_method_is_refused_with_400() {
    let p = policy("origins = [\"https://app.example.com\"]");
    assert_refused(&send(&p, request("OPTIONS", "https://app.example.com")).await, 400);
}

/// SRV-3/SRV-6: origins are compared after URL parsing, not byte-exactly, and the echoed ACAO is
/// the normalized serialization, not the request's bytes; `null` is matched case-insensitively.
#[tokio::test]
async fn srv3_origins_are_normalized_before_matching_and_echo() {
    let p = policy("origins = [\"https://app.example.com\", \"null\"]");
    for (sent, echoed) in [
        ("https://APP.example.com", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("https://app.example.com/some/path", "https://app.example.com"),
        ("HTTPS://app.example.com", "https://app.example.com"),
        ("NULL", "null"),
    ] {
        let r = send(&p, get(sent)).await;
        assert_app(&r);
        assert_eq!(header(&r, "access-control-allow-origin"), Some(echoed), "{sent}");
    }
    // The same normalization applies to the regex of a subdomain rule.
    let p = policy("origins = [\"https://*.example.com\"]");
    let r = send(&p, get("https://App.Example.com:443/")).await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://app.example.com"));
}

/// SRV-17: an `Origin` that does not parse as a URL fails every request, even with
/// `origins = ["*"]` (the application never runs), and the answer is garbled: `on_request`
/// routes it to the 400 error route, whose catcher renders "400: Bad Request", then
/// `on_response` fails to parse the `Origin` again and sets the status to 500 ("most likely a
/// bug"), keeping the 400 body.
#[tokio::test]
async fn srv17_an_unparsable_origin_gets_status_500_with_a_400_body() {
    let p = policy("origins = [\"*\"]");
    for origin in ["garbage", "https://", ""] {
        let r = send(&p, get(origin)).await;
        assert_eq!(r.status(), 500, "{origin:?}");
        assert!(String::from_utf8_lossy(r.body()).contains("<h1>400: Bad Request</h1>"), "{origin:?}");
        assert!(no_cors_headers(&r), "{:?}", r.headers());
        assert_eq!(header(&r, "x-total-count"), None, "the application did not answer");
    }
}

/// HDR-4: empty list elements must be tolerated; rocket_cors splits on `,` and keeps the empty
/// name, which is never allowed: 403. With `allow_headers = ["*"]` the empty item is echoed.
#[tokio::test]
async fn hdr4_empty_list_elements_are_refused_or_echoed() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"content-type\", \"x-foo\"]");
    for list in ["content-type,,x-foo", "content-type,", ",x-foo"] {
        assert_refused(&send(&p, preflight("https://app.example.com", "POST", Some(list))).await, 403);
    }
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"*\"]");
    let r = send(&p, preflight("https://app.example.com", "POST", Some("x-a,,x-b"))).await;
    assert_eq!(items(&r, "access-control-allow-headers"), ["x-a", "x-b"]);
    assert_eq!(header(&r, "access-control-allow-headers").unwrap().split(',').count(), 3, "an empty item");
}

/// HDR-3: only the first `Access-Control-Request-Headers` line is read; a second line's names are
/// neither checked nor echoed.
#[tokio::test]
async fn hdr3_only_the_first_request_headers_line_counts() {
    let p = policy("origins = [\"https://app.example.com\"]\nallow_headers = [\"x-a\"]");
    let mut r = preflight("https://app.example.com", "GET", Some("x-a"));
    r.headers_mut().append("access-control-request-headers", "x-not-allowed".parse().unwrap());
    let r = send(&p, r).await;
    assert_eq!(r.status(), 200, "x-not-allowed was not checked");
    assert_eq!(items(&r, "access-control-allow-headers"), ["x-a"]);
}

/// METH-3: `Access-Control-Request-Method` is parsed case-insensitively, so `patch` passes a
/// check for `PATCH` (a browser sends `patch` unnormalized and then fails on `PATCH`, PRE-8).
#[tokio::test]
async fn meth3_request_method_is_matched_case_insensitively() {
    let p = policy("origins = [\"https://app.example.com\"]\nmethods = [\"PATCH\"]");
    let r = send(&p, preflight("https://app.example.com", "patch", None)).await;
    assert_eq!(r.status(), 200);
    assert!(items(&r, "access-control-allow-methods").contains(&"PATCH".to_owned()));
}

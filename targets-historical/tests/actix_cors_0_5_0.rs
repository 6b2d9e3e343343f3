//! actix-cors 0.5.0: `allowed_origin(a).allow_any_header()` allows every origin, because
//! `allow_any_header` resets the origin list (SRV-3). Upstream: fixed in 0.5.1 by
//! actix/actix-extras#121 ("Fix `allow_any_header` method, now set the correct field").

use bytes::Bytes;
use cors_harness::policy::{AllowedNames, AllowedOrigins, Policy};
use cors_targets_historical::{actix_cors_0_5_0, header_values};

fn get(origin: &str) -> http::Request<Bytes> {
    http::Request::get("http://api.example.test/data").header("origin", origin).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn srv3_actix_cors_0_5_0_allow_any_header_allows_every_origin() {
    let policy =
        Policy::new(AllowedOrigins::parse_list(["https://a.example"]).unwrap()).with_allow_headers(AllowedNames::Any);
    let target = actix_cors_0_5_0::build(&policy).unwrap();

    // The bug (actix/actix-extras#121): an origin outside the list is allowed and echoed.
    let response = target.send(get("https://evil.example")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header_values(&response, "access-control-allow-origin"), ["https://evil.example"]);
    assert_eq!(response.body(), &Bytes::from_static(b"ok"));

    // ... while "any header" is not what it allows: a preflight asking for one is refused.
    let preflight = http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", "https://a.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-foo")
        .body(Bytes::new())
        .unwrap();
    let response = target.send(preflight).await.unwrap();
    assert_eq!(response.status(), 400, "the header list stayed empty");
    assert_eq!(header_values(&response, "access-control-allow-origin"), Vec::<String>::new());

    // Control: with a header list instead of `*`, the origin list holds.
    let listed = policy.clone().with_allow_headers(AllowedNames::list(["x-foo"]).unwrap());
    let target = actix_cors_0_5_0::build(&listed).unwrap();
    let response = target.send(get("https://evil.example")).await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(header_values(&response, "access-control-allow-origin"), Vec::<String>::new());
    let response = target.send(get("https://a.example")).await.unwrap();
    assert_eq!(header_values(&response, "access-control-allow-origin"), ["https://a.example"]);
}

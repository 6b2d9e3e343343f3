//! warp 0.3.0 refuses a preflight whose `Access-Control-Request-Headers` has a space after a
//! comma (`content-type, x-foo`), although every listed header is allowed (PRE-9). Upstream:
//! fixed in 0.3.1 by seanmonstar/warp#792 ("CORS: Allow spaces in
//! Access-Control-Request-Headers values").

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, Policy};
use cors_targets_historical::{header_values, warp_0_3_0};

fn preflight(request_headers: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", "https://a.example")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", request_headers)
        .body(Bytes::new())
        .unwrap()
}

#[tokio::test]
async fn pre9_warp_0_3_0_refuses_request_headers_with_spaces() {
    let policy = Policy::new(AllowedOrigins::parse_list(["https://a.example"]).unwrap())
        .with_methods(AllowedMethods::list(["PUT"]).unwrap())
        .with_allow_headers(AllowedNames::list(["content-type", "x-foo"]).unwrap());
    let target = warp_0_3_0::build(&policy).unwrap();

    // The bug (seanmonstar/warp#792): ` x-foo` is checked with its leading space.
    let response = target.send(preflight("content-type, x-foo")).await.unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(header_values(&response, "access-control-allow-origin"), Vec::<String>::new());
    assert!(String::from_utf8_lossy(response.body()).contains("header not allowed"));

    // Control: the same names without the space pass.
    let response = target.send(preflight("content-type,x-foo")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header_values(&response, "access-control-allow-origin"), ["https://a.example"]);
}

//! salvo-cors 0.93.0: any origin with credentials decided by a closure sends
//! `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` (SRV-5; a
//! credentialed request then fails CHK-3). Upstream: fixed in 0.94.0 by salvo-rs/salvo#1560
//! ("Drop CORS credentials header when Allow-Origin resolves to wildcard").

use bytes::Bytes;
use cors_targets_historical::{header_values, salvo_cors_0_93_0};

#[tokio::test]
async fn srv5_salvo_cors_0_93_0_sends_wildcard_with_credentials() {
    let target = salvo_cors_0_93_0::any_origin_dynamic_credentials();

    let get = http::Request::get("http://api.example.test/data")
        .header("origin", "https://a.example")
        .header("cookie", "session=1")
        .body(Bytes::new())
        .unwrap();
    let response = target.send(get).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header_values(&response, "access-control-allow-origin"), ["*"]);
    assert_eq!(header_values(&response, "access-control-allow-credentials"), ["true"]);
    assert_eq!(response.body(), &Bytes::from_static(b"ok"));

    let preflight = http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", "https://a.example")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type")
        .body(Bytes::new())
        .unwrap();
    let response = target.send(preflight).await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(header_values(&response, "access-control-allow-origin"), ["*"]);
    assert_eq!(header_values(&response, "access-control-allow-credentials"), ["true"]);
}

//! tower-http 0.3.4 accepts `AllowOrigin::list(["*"])` with credentials: a real origin gets no
//! `Access-Control-Allow-Origin`, the literal `Origin: *` gets `*` with
//! `Access-Control-Allow-Credentials: true` (SRV-5). Upstream: tower-rs/tower-http#284, fixed
//! in 0.3.5 by tower-rs/tower-http#285 (the configuration panics when built).

use bytes::Bytes;
use cors_targets_historical_tower_http_0_3_4::{header_values, wildcard_in_list_with_credentials};

fn get(origin: &str) -> http::Request<Bytes> {
    http::Request::get("http://api.example.test/data").header("origin", origin).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn srv5_tower_http_0_3_4_wildcard_in_list_with_credentials() {
    // Accepted: building and calling it does not panic (0.3.5 panics in `AllowOrigin::list`;
    // `AllowOrigin::any()` with credentials panics in 0.3.4 too, on the first call).
    let target = wildcard_in_list_with_credentials();

    // `*` compared as an origin: `Origin: *` is echoed, with credentials (tower-rs/tower-http#285).
    let response = target.send(get("*")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header_values(&response, "access-control-allow-origin"), ["*"]);
    assert_eq!(header_values(&response, "access-control-allow-credentials"), ["true"]);

    // A real origin, meant to be allowed, gets no Access-Control-Allow-Origin
    // (tower-rs/tower-http#284), but credentials all the same.
    let response = target.send(get("https://a.example")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header_values(&response, "access-control-allow-origin"), Vec::<String>::new());
    assert_eq!(header_values(&response, "access-control-allow-credentials"), ["true"]);

    // The same for a preflight.
    let preflight = http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", "*")
        .header("access-control-request-method", "PUT")
        .body(Bytes::new())
        .unwrap();
    let response = target.send(preflight).await.unwrap();
    assert_eq!(header_values(&response, "access-control-allow-origin"), ["*"]);
    assert_eq!(header_values(&response, "access-control-allow-credentials"), ["true"]);
}

#[test]
#[should_panic(
    expected = "Cannot combine `Access-Control-Allow-Credentials: true` with `Access-Control-Allow-Origin: *`"
)]
fn control_any_origin_with_credentials_is_refused() {
    // The check the list bypasses: `AllowOrigin::any()` with credentials panics on first use.
    use tower_http_0_3_4::cors::{AllowOrigin, Cors};
    use tower_service::Service;
    let mut cors =
        Cors::new(cors_historical_common::app::App02).allow_origin(AllowOrigin::any()).allow_credentials(true);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = Service::<http02::Request<Bytes>>::poll_ready(&mut cors, &mut cx);
}

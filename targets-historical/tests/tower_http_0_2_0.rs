//! tower-http 0.2.0 answers without `Vary: Origin` although its `Access-Control-Allow-Origin`
//! depends on the request's `Origin` (VARY-1). Upstream: tower-rs/tower-http#198, fixed in
//! 0.2.1 by tower-rs/tower-http#199 (actual responses) and in 0.2.2 by #216 (preflights).

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedOrigins, Policy};
use cors_targets_historical::{header_values, tower_http_0_2_0};

fn policy() -> Policy {
    Policy::new(AllowedOrigins::parse_list(["https://a.example", "https://b.example"]).unwrap())
        .with_methods(AllowedMethods::list(["GET", "HEAD", "POST", "PUT"]).unwrap())
}

#[tokio::test]
async fn vary1_tower_http_0_2_0_echoes_the_origin_without_vary() {
    let target = tower_http_0_2_0::build(&policy()).unwrap();
    for origin in ["https://a.example", "https://b.example"] {
        let get =
            http::Request::get("http://api.example.test/data").header("origin", origin).body(Bytes::new()).unwrap();
        let response = target.send(get).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header_values(&response, "access-control-allow-origin"), [origin]);
        // The bug (tower-rs/tower-http#198): the answer depends on `Origin`, and says nothing.
        assert_eq!(header_values(&response, "vary"), Vec::<String>::new(), "tower-http 0.2.0 sends no Vary");
        assert_eq!(response.body(), &Bytes::from_static(b"ok"));

        let preflight = http::Request::builder()
            .method("OPTIONS")
            .uri("http://api.example.test/data")
            .header("origin", origin)
            .header("access-control-request-method", "PUT")
            .body(Bytes::new())
            .unwrap();
        let response = target.send(preflight).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header_values(&response, "access-control-allow-origin"), [origin]);
        assert_eq!(header_values(&response, "vary"), Vec::<String>::new(), "tower-http 0.2.0 sends no Vary");
    }
}

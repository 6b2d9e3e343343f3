//! tower-http 0.3.0 sends an origin list as one `Access-Control-Allow-Origin` value, to every
//! request (CHK-2: a browser accepts only its own origin). Upstream: tower-rs/tower-http#255,
//! fixed in 0.3.1 by commit a256fac ("cors: Fix handling of multiple allowed origins").

use bytes::Bytes;
use cors_harness::policy::{AllowedOrigins, Policy};
use cors_targets_historical::{header_values, tower_http_0_3_0};

#[tokio::test]
async fn chk2_tower_http_0_3_0_sends_the_origin_list_as_one_value() {
    let policy = Policy::new(AllowedOrigins::parse_list(["https://a.example", "https://b.example"]).unwrap());
    let target = tower_http_0_3_0::build(&policy).unwrap();
    // The allowed origins, a disallowed one: all get the same joined list.
    for origin in ["https://a.example", "https://b.example", "https://evil.example"] {
        let get =
            http::Request::get("http://api.example.test/data").header("origin", origin).body(Bytes::new()).unwrap();
        let response = target.send(get).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            header_values(&response, "access-control-allow-origin"),
            ["https://a.example,https://b.example"],
            "tower-http 0.3.0 joins the list (tower-rs/tower-http#255)"
        );
    }
}

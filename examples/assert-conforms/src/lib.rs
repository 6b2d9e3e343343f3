//! A small axum API whose CORS is configured with tower-http's `CorsLayer` — the kind of
//! application a team ships — and, in `tests/cors.rs`, the one test that proves its CORS
//! means what its policy says: `cors_harness::assert_conforms(app(), &policy)`.

use axum::Router;
use axum::routing::get;
use http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The application with the CORS configuration the team meant: one front-end origin, reads
/// and writes, one custom request header, one exposed response header, cookies allowed.
pub fn app() -> Router {
    api().layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::exact(HeaderValue::from_static("https://app.example.com")))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([http::header::CONTENT_TYPE, HeaderName::from_static("x-request-id")])
            .expose_headers([HeaderName::from_static("x-request-id")])
            .allow_credentials(true),
    )
}

/// The same application with a common mistake: "make CORS work" by mirroring every request.
pub fn app_with_permissive_cors() -> Router {
    api().layer(CorsLayer::very_permissive())
}

fn api() -> Router {
    Router::new().route(
        "/data",
        get(|| async { ([("x-request-id", "42")], "[]") })
            .post(|| async { "created" })
            .put(|| async { "updated" })
            .delete(|| async { "deleted" }),
    )
}

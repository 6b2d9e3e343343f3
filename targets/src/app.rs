//! The application behind every middleware: the same answer for every method and path, so
//! any difference between targets comes from their CORS handling.

use bytes::Bytes;

/// Headers the application sets on every response. Some are safelisted (EXP-1), some need
/// `Access-Control-Expose-Headers`, one is never exposed (`Set-Cookie`).
pub const RESPONSE_HEADERS: [(&str, &str); 4] = [
    ("content-type", "text/plain; charset=utf-8"),
    ("x-total-count", "3"),
    ("x-request-id", "cors-harness"),
    ("set-cookie", "session=1; Path=/"),
];

/// The body of every application response.
pub const BODY: &str = "ok";

/// The application's response (status 200).
pub fn response() -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(200);
    for (name, value) in RESPONSE_HEADERS {
        builder = builder.header(name, value);
    }
    builder.body(Bytes::from_static(BODY.as_bytes())).expect("static response is valid")
}

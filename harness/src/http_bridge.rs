//! Conversions between the oracle's byte-exact types and the `http` crate's, for targets and
//! drivers that speak `http::Request` / `http::Response`.
//!
//! The oracle keeps raw bytes (a server may send header bytes `http` rejects); these
//! conversions are lossless from `http` to the oracle and fail, rather than silently fix,
//! the other way.

use bytes::Bytes;

use crate::header::{Header, HeaderList};
use crate::response::{ServerResponse, WireRequest};

/// A wire request the `http` crate cannot represent (invalid method or header bytes).
#[derive(Debug, thiserror::Error)]
#[error("the request cannot be expressed with the http crate: {0}")]
pub struct NotHttp(String);

impl WireRequest {
    /// The request as an `http::Request` with an empty body, header order and repeats kept.
    pub fn to_http(&self) -> Result<http::Request<Bytes>, NotHttp> {
        let mut builder = http::Request::builder()
            .method(http::Method::from_bytes(self.method.as_bytes()).map_err(|e| NotHttp(e.to_string()))?)
            .uri(self.url.as_str());
        for h in self.headers.iter() {
            let name = http::HeaderName::from_bytes(&h.name).map_err(|e| NotHttp(e.to_string()))?;
            let value = http::HeaderValue::from_maybe_shared(h.value.clone()).map_err(|e| NotHttp(e.to_string()))?;
            builder = builder.header(name, value);
        }
        builder.body(Bytes::new()).map_err(|e| NotHttp(e.to_string()))
    }
}

impl ServerResponse {
    /// The status and header lines of an `http::Response` (names come out lowercase, as
    /// `http` stores them; header names are case-insensitive, HDR-1).
    pub fn from_http<B>(response: &http::Response<B>) -> ServerResponse {
        let mut headers = HeaderList(Vec::with_capacity(response.headers().len()));
        for (name, value) in response.headers() {
            headers.push(Header {
                name: Bytes::copy_from_slice(name.as_str().as_bytes()),
                value: Bytes::copy_from_slice(crate::header::normalize_value(value.as_bytes())),
            });
        }
        ServerResponse { status: response.status().as_u16(), headers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hdr2_round_trip_keeps_repeated_headers_in_order() {
        let response = http::Response::builder()
            .status(204)
            .header("Access-Control-Allow-Origin", "https://a.example")
            .header("access-control-allow-origin", " https://b.example ")
            .body(())
            .unwrap();
        let ours = ServerResponse::from_http(&response);
        assert_eq!(ours.status, 204);
        assert_eq!(
            ours.headers.get("access-control-allow-origin").as_deref(),
            Some(&b"https://a.example, https://b.example"[..])
        );
    }

    #[test]
    fn meth4_wire_requests_convert_and_invalid_ones_fail() {
        let url = std::sync::Arc::new(url::Url::parse("http://api.example.test/x?y").unwrap());
        let request = WireRequest {
            method: "patch".into(),
            url: url.clone(),
            headers: HeaderList::from_pairs([("Origin", "http://web.example.test"), ("X-A", "1"), ("x-a", "2")]),
            credentials_attached: false,
        };
        let http_request = request.to_http().unwrap();
        assert_eq!(http_request.method().as_str(), "patch");
        assert_eq!(http_request.uri(), "http://api.example.test/x?y");
        assert_eq!(http_request.headers().get_all("x-a").iter().count(), 2);
        let bad = WireRequest { method: "GE T".into(), ..request };
        assert!(bad.to_http().is_err());
    }
}

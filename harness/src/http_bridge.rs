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
        let method = http::Method::from_bytes(self.method.as_bytes()).map_err(|e| NotHttp(e.to_string()))?;
        let mut headers = http::HeaderMap::with_capacity(self.headers.len());
        for h in self.headers.iter() {
            let name = match request_name(&h.name) {
                Some(name) => name,
                None => http::HeaderName::from_bytes(&h.name).map_err(|e| NotHttp(e.to_string()))?,
            };
            let value = http::HeaderValue::from_maybe_shared(h.value.clone()).map_err(|e| NotHttp(e.to_string()))?;
            headers.try_append(name, value).map_err(|e| NotHttp(e.to_string()))?;
        }
        // Checked after the headers, as the builder did.
        let uri = uri(self.url.as_str())?;
        // As `http::request::Builder` would build it (HTTP/1.1, no extensions), without its
        // per-step `Result` plumbing.
        let mut request = http::Request::new(Bytes::new());
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }
}

/// `url` as an `http::Uri`. A run sends every request of a target to the same few URLs: the
/// last one parsed on this thread is kept (a comparison and two reference counts instead of a
/// parse).
fn uri(url: &str) -> Result<http::Uri, NotHttp> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(Box<str>, http::Uri)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| {
        if let Some((text, uri)) = last.as_ref()
            && **text == *url
        {
            return Ok(uri.clone());
        }
        let uri = http::Uri::try_from(url).map_err(|e| NotHttp(e.to_string()))?;
        *last = Some((url.into(), uri.clone()));
        Ok(uri)
    })
}

impl ServerResponse {
    /// The status and header lines of an `http::Response` (names come out lowercase, as
    /// `http` stores them; header names are case-insensitive, HDR-1). The lines share one
    /// buffer: one allocation per response.
    pub fn from_http<B>(response: &http::Response<B>) -> ServerResponse {
        let map = response.headers();
        fn value(v: &http::HeaderValue) -> &[u8] {
            crate::header::normalize_value(v.as_bytes())
        }
        let total: usize = map.iter().map(|(n, v)| n.as_str().len() + value(v).len()).sum();
        let mut buffer = bytes::BytesMut::with_capacity(total);
        for (name, v) in map {
            buffer.extend_from_slice(name.as_str().as_bytes());
            buffer.extend_from_slice(value(v));
        }
        let mut buffer = buffer.freeze();
        let mut headers = HeaderList(Vec::with_capacity(map.len()));
        for (name, v) in map {
            let name = buffer.split_to(name.as_str().len());
            let value = buffer.split_to(value(v).len());
            headers.push(Header { name, value });
        }
        ServerResponse { status: response.status().as_u16(), headers }
    }
}

/// The names the browser itself puts on CORS requests, without parsing (`from_bytes` gives the
/// same standard names for any case of these bytes).
fn request_name(name: &[u8]) -> Option<http::HeaderName> {
    use http::header::*;
    let (candidate, known) = match name.len() {
        6 if name[0].eq_ignore_ascii_case(&b'o') => (&b"origin"[..], ORIGIN),
        6 => (&b"accept"[..], ACCEPT),
        15 => (&b"accept-language"[..], ACCEPT_LANGUAGE),
        29 => (&b"access-control-request-method"[..], ACCESS_CONTROL_REQUEST_METHOD),
        30 => (&b"access-control-request-headers"[..], ACCESS_CONTROL_REQUEST_HEADERS),
        _ => return None,
    };
    name.eq_ignore_ascii_case(candidate).then_some(known)
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
    fn request_names_are_what_from_bytes_gives() {
        for name in [
            "Origin",
            "origin",
            "ACCEPT",
            "Access-Control-Request-Method",
            "access-control-request-headers",
            "Accept-Language",
        ] {
            assert_eq!(request_name(name.as_bytes()), Some(http::HeaderName::from_bytes(name.as_bytes()).unwrap()));
        }
        assert_eq!(request_name(b"x-origin"), None);
        assert_eq!(request_name(b"orig-n"), None);
        assert_eq!(request_name(b"accepx"), None);
        assert_eq!(request_name(b"origin "), None);
    }

    #[test]
    fn the_remembered_uri_is_the_parsed_one() {
        for url in ["http://a.test/x?y", "http://b.test/", "http://a.test/x?y", "http://a.test/x?z"] {
            assert_eq!(uri(url).unwrap(), http::Uri::try_from(url).unwrap());
        }
        assert!(uri("http://a b/").is_err());
    }

    #[test]
    fn from_http_shares_one_buffer_and_normalizes_values() {
        let response = http::Response::builder()
            .header("x-total-count", " 3 ")
            .header("vary", "origin")
            .header("x-empty", "  ")
            .body(())
            .unwrap();
        let ours = ServerResponse::from_http(&response);
        assert_eq!(ours.headers, HeaderList::from_pairs([("x-total-count", "3"), ("vary", "origin"), ("x-empty", "")]));
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

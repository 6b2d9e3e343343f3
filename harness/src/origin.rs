//! Origins (ORIG-1, ORIG-2): tuple origins and the opaque origin, and their serialization.

use std::fmt;

/// The origin of a page or of a URL.
///
/// A tuple origin is stored in its canonical parts; [`Origin::serialize`] gives the bytes a
/// browser puts in the `Origin` header (ORIG-1). Opaque origins all serialize to `null` (ORIG-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    Tuple(TupleOrigin),
    Opaque,
}

/// `(scheme, host, port)`, with `port` `None` when it is the scheme's default.
///
/// Shared: every generated request, wire request and policy rule holds one, and a clone is a
/// reference count rather than three allocations.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TupleOrigin(std::sync::Arc<TupleParts>);

#[derive(PartialEq, Eq, Hash)]
struct TupleParts {
    scheme: String,
    host: url::Host<String>,
    port: Option<u16>,
    /// The ORIG-1 serialization, computed once: it is compared on every CORS check...
    serialized: String,
    /// ...and copied into every `Origin` header, so also kept as shared bytes.
    serialized_bytes: bytes::Bytes,
}

/// Why bytes are not a serialized origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("an origin is ASCII text; these bytes are not UTF-8")]
    NotUtf8,
    #[error("not a URL: {0}")]
    NotUrl(String),
    #[error("an origin has no path (not even a trailing slash), query or fragment")]
    HasPath,
    #[error("an origin has no user name or password")]
    HasUserinfo,
    #[error("scheme {0:?} has no tuple origin: a browser sends `null` for it")]
    OpaqueScheme(String),
    #[error("not in serialized form; a browser sends {canonical:?}")]
    NotCanonical { canonical: String },
}

impl Origin {
    /// The origin of a URL, as the URL standard defines it: http(s)/ws(s)/ftp URLs have tuple
    /// origins, everything else (data:, file:, blob: without inner origin, ...) is opaque.
    pub fn of_url(url: &url::Url) -> Origin {
        match url.origin() {
            url::Origin::Tuple(scheme, host, port) => {
                let port = (Some(port) != default_port(&scheme)).then_some(port);
                Origin::Tuple(TupleOrigin::new(scheme, host, port))
            }
            url::Origin::Opaque(_) => Origin::Opaque,
        }
    }

    /// Parses bytes that must be exactly a serialized origin (`https://a.example:8443` or
    /// `null`), as found in an `Origin` header or written in a policy file. Never panics.
    ///
    /// Anything a browser would not send byte for byte is an error naming what is wrong: a
    /// trailing slash or path, userinfo, uppercase letters or a default port (with the form a
    /// browser sends instead).
    pub fn parse_serialized(bytes: &[u8]) -> Result<Origin, OriginError> {
        if bytes == b"null" {
            return Ok(Origin::Opaque);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| OriginError::NotUtf8)?;
        let url = url::Url::parse(text).map_err(|e| OriginError::NotUrl(e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OriginError::HasUserinfo);
        }
        let origin = Origin::of_url(&url);
        let Origin::Tuple(tuple) = &origin else {
            return Err(OriginError::OpaqueScheme(url.scheme().to_owned()));
        };
        if text == tuple.0.serialized {
            return Ok(origin);
        }
        // The URL parser appends "/" to an empty path, so compare against the serialization
        // with the text's own path to tell "has a path" from "written in another form".
        if url.query().is_some() || url.fragment().is_some() || text.ends_with('/') || url.path() != "/" {
            return Err(OriginError::HasPath);
        }
        Err(OriginError::NotCanonical { canonical: tuple.serialize().to_owned() })
    }

    /// The bytes of the `Origin` header for this origin (ORIG-1, ORIG-2).
    pub fn serialize(&self) -> &str {
        match self {
            Origin::Tuple(t) => t.serialize(),
            Origin::Opaque => "null",
        }
    }

    /// Same origin: both tuple and equal. An opaque origin is same-origin only with itself,
    /// which a serialized form cannot express, so two `Opaque` values are never same-origin.
    pub fn same_origin(&self, other: &Origin) -> bool {
        match (self, other) {
            (Origin::Tuple(a), Origin::Tuple(b)) => {
                a.0.scheme == b.0.scheme && a.0.host == b.0.host && a.0.port == b.0.port
            }
            _ => false,
        }
    }

    /// Same origin as the origin of `url`, without building that origin (this runs for every
    /// hop of every verdict).
    pub fn same_origin_as_url(&self, url: &url::Url) -> bool {
        match self {
            Origin::Tuple(t) => {
                has_tuple_origin(url)
                    && url.scheme() == t.0.scheme
                    && url.port_or_known_default().unwrap_or(0) == t.effective_port()
                    && same_host(url, &t.0.host)
            }
            Origin::Opaque => false,
        }
    }

    /// The serialization as shared bytes, for header values.
    pub fn serialized_bytes(&self) -> bytes::Bytes {
        match self {
            Origin::Tuple(t) => t.0.serialized_bytes.clone(),
            Origin::Opaque => bytes::Bytes::from_static(b"null"),
        }
    }

    pub fn as_tuple(&self) -> Option<&TupleOrigin> {
        match self {
            Origin::Tuple(t) => Some(t),
            Origin::Opaque => None,
        }
    }
}

impl TupleOrigin {
    fn new(scheme: String, host: url::Host<String>, port: Option<u16>) -> TupleOrigin {
        let serialized = match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        };
        let serialized_bytes = bytes::Bytes::copy_from_slice(serialized.as_bytes());
        TupleOrigin(std::sync::Arc::new(TupleParts { scheme, host, port, serialized, serialized_bytes }))
    }

    /// The ORIG-1 serialization.
    pub fn serialize(&self) -> &str {
        &self.0.serialized
    }

    pub fn scheme(&self) -> &str {
        &self.0.scheme
    }

    pub fn host(&self) -> &url::Host<String> {
        &self.0.host
    }

    /// The port, `None` when it is the scheme's default (and so absent from the serialization).
    pub fn port(&self) -> Option<u16> {
        self.0.port
    }

    /// The port a connection uses, default ports filled in.
    pub fn effective_port(&self) -> u16 {
        self.0.port.or_else(|| default_port(&self.0.scheme)).unwrap_or(0)
    }
}

/// As the derived `Debug` of the plain struct it was: reports and test output stay the same.
impl fmt::Debug for TupleOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &*self.0;
        f.debug_struct("TupleOrigin")
            .field("scheme", &t.scheme)
            .field("host", &t.host)
            .field("port", &t.port)
            .field("serialized", &t.serialized)
            .field("serialized_bytes", &t.serialized_bytes)
            .finish()
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.serialize())
    }
}

/// True if the origins of two URLs are the same tuple origin (allocation-free).
pub fn same_origin_urls(a: &url::Url, b: &url::Url) -> bool {
    has_tuple_origin(a)
        && a.scheme() == b.scheme()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.host() == b.host()
}

fn has_tuple_origin(url: &url::Url) -> bool {
    default_port(url.scheme()).is_some() && url.host().is_some()
}

fn same_host(url: &url::Url, host: &url::Host<String>) -> bool {
    match (url.host(), host) {
        (Some(url::Host::Domain(a)), url::Host::Domain(b)) => a == b,
        (Some(url::Host::Ipv4(a)), url::Host::Ipv4(b)) => a == *b,
        (Some(url::Host::Ipv6(a)), url::Host::Ipv6(b)) => a == *b,
        _ => false,
    }
}

/// Default ports of the special schemes that have tuple origins (URL standard).
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ser(s: &str) -> String {
        Origin::of_url(&url::Url::parse(s).unwrap()).serialize().to_owned()
    }

    #[test]
    fn orig1_serialization_drops_default_port_path_and_userinfo() {
        assert_eq!(ser("https://A.Example:443/x?y#z"), "https://a.example");
        assert_eq!(ser("http://a.example:80/"), "http://a.example");
        assert_eq!(ser("http://a.example:8080/"), "http://a.example:8080");
        assert_eq!(ser("https://user:pw@a.example/"), "https://a.example");
        assert_eq!(ser("http://[0:0::1]:8000/"), "http://[::1]:8000");
        assert_eq!(ser("https://bücher.example/"), "https://xn--bcher-kva.example");
    }

    #[test]
    fn orig2_opaque_origins_serialize_to_null() {
        assert_eq!(ser("data:text/html,hi"), "null");
        assert_eq!(ser("file:///etc/passwd"), "null");
        assert_eq!(Origin::parse_serialized(b"null"), Ok(Origin::Opaque));
        assert!(Origin::parse_serialized(b"NULL").is_err());
    }

    #[test]
    fn parse_serialized_is_strict_and_explains() {
        assert!(Origin::parse_serialized(b"https://a.example").is_ok());
        assert_eq!(Origin::parse_serialized(b"https://a.example/"), Err(OriginError::HasPath));
        assert_eq!(Origin::parse_serialized(b"https://a.example/x"), Err(OriginError::HasPath));
        assert_eq!(
            Origin::parse_serialized(b"https://A.example"),
            Err(OriginError::NotCanonical { canonical: "https://a.example".into() })
        );
        assert_eq!(
            Origin::parse_serialized(b"https://a.example:443"),
            Err(OriginError::NotCanonical { canonical: "https://a.example".into() })
        );
        assert_eq!(Origin::parse_serialized(b"https://u@a.example"), Err(OriginError::HasUserinfo));
        assert_eq!(Origin::parse_serialized(b"\xff"), Err(OriginError::NotUtf8));
        assert!(matches!(Origin::parse_serialized(b"a.example"), Err(OriginError::NotUrl(_))));
        assert!(matches!(Origin::parse_serialized(b"data:,x"), Err(OriginError::OpaqueScheme(_))));
    }

    #[test]
    fn same_origin_shortcuts_agree_with_building_the_origin() {
        let urls = [
            "https://a.example/",
            "https://a.example:443/x",
            "http://a.example/",
            "https://A.example:8443/",
            "http://[::1]:80/",
            "http://127.0.0.1/",
            "data:,x",
            "file:///x",
            "ws://a.example/",
        ];
        for a in urls {
            let ua = url::Url::parse(a).unwrap();
            for b in urls {
                let ub = url::Url::parse(b).unwrap();
                let built = Origin::of_url(&ua).same_origin(&Origin::of_url(&ub));
                assert_eq!(same_origin_urls(&ua, &ub), built, "{a} {b}");
                assert_eq!(Origin::of_url(&ua).same_origin_as_url(&ub), built, "{a} {b}");
            }
        }
    }

    #[test]
    fn same_origin_compares_tuples_only() {
        let a = Origin::parse_serialized(b"https://a.example").unwrap();
        let a2 = Origin::of_url(&url::Url::parse("https://a.example:443/p").unwrap());
        assert!(a.same_origin(&a2));
        assert!(!Origin::Opaque.same_origin(&Origin::Opaque));
        assert!(!a.same_origin(&Origin::parse_serialized(b"http://a.example").unwrap()));
    }
}

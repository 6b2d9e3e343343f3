//! The CORS-preflight request and the validation of its response (PRE-3..12).

use bytes::Bytes;

use crate::header::{HeaderList, ListValues};
use crate::method;
use crate::oracle::verdict::Failure;
use crate::profile::{BrowserProfile, MaxAgeParsing};
use crate::response::ServerResponse;
use crate::rule::Rule;

/// The default max-age when the header is absent or invalid (PRE-11).
pub const DEFAULT_MAX_AGE: u64 = 5;

/// PRE-3: the headers of the preflight for a request with this method and unsafe names.
pub fn preflight_headers(
    origin: bytes::Bytes,
    method: &str,
    unsafe_names: &[String],
    private_network: bool,
) -> HeaderList {
    use crate::header::Header;
    use bytes::Bytes;
    let mut h = HeaderList(Vec::with_capacity(5));
    h.push(Header::from_static(b"Accept", b"*/*"));
    h.push(Header { name: Bytes::from_static(b"Access-Control-Request-Method"), value: method_bytes(method) });
    if !unsafe_names.is_empty() {
        h.push(Header {
            name: Bytes::from_static(b"Access-Control-Request-Headers"),
            value: Bytes::from(unsafe_names.join(",")),
        });
    }
    if private_network {
        h.push(Header::from_static(b"Access-Control-Request-Private-Network", b"true"));
    }
    h.push(Header { name: Bytes::from_static(b"Origin"), value: origin });
    h
}

/// A method as header bytes: the common ones static, others copied.
fn method_bytes(method: &str) -> Bytes {
    const COMMON: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    match COMMON.iter().find(|m| **m == method) {
        Some(m) => Bytes::from_static(m.as_bytes()),
        None => Bytes::copy_from_slice(method.as_bytes()),
    }
}

/// A passed preflight: what it allows, for the cache (CACHE-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightGrant {
    pub methods: Vec<Bytes>,
    pub header_names: Vec<Bytes>,
    pub max_age: u64,
}

/// What the validation needs to know about the actual request.
pub struct PreflightFor<'a> {
    pub origin: &'a str,
    pub method: &'a str,
    pub include: bool,
    pub use_cors_preflight: bool,
    /// The actual request's header list (for PRE-9 Authorization).
    pub headers: &'a HeaderList,
    /// Its CORS-unsafe request-header names (SAFE-3), for PRE-10.
    pub unsafe_names: &'a [String],
    pub private_network: bool,
    /// Apply the CORS check (CHK-*) to the answer; a profile may skip it for a preflight to
    /// the page's own origin.
    pub check_origin: bool,
}

/// PRE-4..12: does this preflight response let the actual request go?
pub fn validate(
    resp: &ServerResponse,
    req: &PreflightFor<'_>,
    profile: &BrowserProfile,
) -> Result<PreflightGrant, Failure> {
    if super::redirect::is_redirect_status(resp.status) {
        // PRE-4: preflights are fetched with redirect mode "manual", so this is just a non-ok status.
        return Err(Failure::new(
            Rule::Pre5,
            format!(
                "the preflight was answered with a redirect ({}), which preflights never follow (PRE-4); it needs a 2xx status",
                resp.status
            ),
        ));
    }
    if !(200..300).contains(&resp.status) {
        return Err(Failure::new(
            Rule::Pre5,
            format!("the preflight was answered with status {}, not 2xx", resp.status),
        ));
    }
    if req.check_origin {
        super::check::preflight_cors_check(&resp.headers, req.origin, req.include)?;
    }

    let methods = match resp.headers.token_list_shared("access-control-allow-methods") {
        ListValues::Failure => {
            return Err(Failure::new(
                Rule::Pre6,
                "Access-Control-Allow-Methods is not a comma-separated list of method tokens",
            ));
        }
        ListValues::Absent if req.use_cors_preflight && profile.use_cors_preflight_grants_method => {
            vec![Bytes::copy_from_slice(req.method.as_bytes())] // PRE-7
        }
        ListValues::Absent => Vec::new(),
        ListValues::Items(items) => items,
    };
    let header_names: Vec<Bytes> = match resp.headers.token_list_shared("access-control-allow-headers") {
        ListValues::Failure => {
            return Err(Failure::new(
                Rule::Pre6,
                "Access-Control-Allow-Headers is not a comma-separated list of header-name tokens",
            ));
        }
        ListValues::Absent => Vec::new(),
        ListValues::Items(items) => items,
    };

    // PRE-8: listed byte-exactly, safelisted, or `*` without credentials.
    let method_listed = methods.iter().any(|m| m == req.method.as_bytes());
    let star = |list: &[Bytes]| list.iter().any(|i| i == &b"*"[..]);
    if !method_listed && !method::is_cors_safelisted(req.method) && (req.include || !star(&methods)) {
        let mut why = format!("method {:?} is not in Access-Control-Allow-Methods", req.method);
        if methods.iter().any(|m| m.eq_ignore_ascii_case(req.method.as_bytes())) {
            why.push_str(" (methods are case-sensitive)");
        } else if req.include && star(&methods) {
            why.push_str(" (* does not apply to credentialed requests)");
        }
        return Err(Failure::new(Rule::Pre8, why));
    }

    // PRE-9: Authorization must be listed explicitly (a profile's `*` may cover it without
    // credentials: BROWSER-DEVIATIONS.md row 5).
    let listed = |name: &str| header_names.iter().any(|h| h.eq_ignore_ascii_case(name.as_bytes()));
    let star_covers_authorization = profile.wildcard_covers_authorization && !req.include && star(&header_names);
    if req.headers.contains("authorization") && !listed("authorization") && !star_covers_authorization {
        let why = if profile.wildcard_covers_authorization && !req.include {
            "the request sends Authorization, which Access-Control-Allow-Headers does not allow (by name or *)"
        } else {
            "the request sends Authorization, which Access-Control-Allow-Headers must list by name (* does not cover it)"
        };
        return Err(Failure::new(Rule::Pre9, why));
    }

    // PRE-10: every unsafe name listed, or `*` without credentials.
    for name in req.unsafe_names {
        if !listed(name) && (req.include || !star(&header_names)) {
            let mut why = format!("request header {name:?} is not in Access-Control-Allow-Headers");
            if req.include && star(&header_names) {
                why.push_str(" (* does not apply to credentialed requests)");
            }
            return Err(Failure::new(Rule::Pre10, why));
        }
    }

    if profile.private_network_access && req.private_network {
        match resp.headers.get("access-control-allow-private-network") {
            Some(v) if &v[..] == b"true" => {}
            _ => {
                return Err(Failure::new(
                    Rule::Pna1,
                    "the private-network preflight lacks Access-Control-Allow-Private-Network: true",
                ));
            }
        }
    }

    Ok(PreflightGrant { methods, header_names, max_age: max_age(&resp.headers, profile) })
}

/// PRE-11/12: `Access-Control-Max-Age`, defaulting to 5 seconds, read and capped as the
/// profile says.
pub fn max_age(headers: &HeaderList, profile: &BrowserProfile) -> u64 {
    let count = headers.count("access-control-max-age");
    let value = if count == 1 { headers.get("access-control-max-age") } else { None };
    let parsed = value.as_deref().and_then(parse_delta_seconds);
    let age = match (parsed, profile.max_age_parsing) {
        (Some(age), _) => age,
        (None, _) if count == 0 => DEFAULT_MAX_AGE,
        (None, MaxAgeParsing::Standard) => DEFAULT_MAX_AGE, // a failure, or a repeated single-value header
        (None, MaxAgeParsing::InvalidIsZero) if value.as_deref().is_some_and(|v| v.trim_ascii().is_empty()) => {
            DEFAULT_MAX_AGE
        }
        (None, MaxAgeParsing::InvalidIsZero) => 0,
        (None, MaxAgeParsing::NegativeIsZero) => {
            let negative = value.as_deref().is_some_and(|v| {
                let v = v.trim_ascii();
                v.len() > 1 && v[0] == b'-' && v[1..].iter().all(u8::is_ascii_digit)
            });
            if negative { 0 } else { DEFAULT_MAX_AGE }
        }
    };
    match profile.max_age_cap {
        Some(cap) => age.min(cap),
        None => age,
    }
}

/// `delta-seconds = 1*DIGIT`; values beyond u64 saturate (they are capped or "forever").
fn parse_delta_seconds(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u64, |acc, d| acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{CHROMIUM, SPEC};

    fn ages(pairs: &[(&str, &str)], profile: &BrowserProfile) -> u64 {
        max_age(&HeaderList::from_pairs(pairs.iter().copied()), profile)
    }

    #[test]
    fn pre11_max_age_parsing() {
        assert_eq!(ages(&[], &SPEC), 5);
        assert_eq!(ages(&[("access-control-max-age", "600")], &SPEC), 600);
        assert_eq!(ages(&[("access-control-max-age", "0")], &SPEC), 0);
        for bad in ["", "-1", "1.5", "10s", "5, 5", "+3"] {
            assert_eq!(ages(&[("access-control-max-age", bad)], &SPEC), 5, "{bad:?}");
        }
        assert_eq!(ages(&[("access-control-max-age", "600"), ("access-control-max-age", "600")], &SPEC), 5);
        assert_eq!(ages(&[("access-control-max-age", "99999999999999999999999")], &SPEC), u64::MAX);
    }

    #[test]
    fn pre12_profiles_cap_max_age() {
        assert_eq!(ages(&[("access-control-max-age", "86400")], &CHROMIUM), 7200);
        assert_eq!(ages(&[("access-control-max-age", "86400")], &SPEC), 86400);
        assert_eq!(ages(&[("access-control-max-age", "600")], &CHROMIUM), 600);
    }

    #[test]
    fn pre3_preflight_headers_shape() {
        let h = preflight_headers(
            Bytes::from_static(b"http://o.test"),
            "patch",
            &["content-type".into(), "x-a".into()],
            false,
        );
        assert_eq!(h.get("access-control-request-method").as_deref(), Some(&b"patch"[..]));
        assert_eq!(h.get("access-control-request-headers").as_deref(), Some(&b"content-type,x-a"[..]));
        assert_eq!(h.get("accept").as_deref(), Some(&b"*/*"[..]));
        assert!(
            !preflight_headers(Bytes::from_static(b"null"), "PUT", &[], false)
                .contains("access-control-request-headers")
        );
    }
}

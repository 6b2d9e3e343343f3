//! CORS-safelisted and forbidden request headers (SAFE-1..7) and safelisted response-header
//! names (EXP-1).

use crate::header::HeaderList;
use crate::mime;
use crate::profile::SafelistQuirks;

/// Longest value a safelisted header may have (SAFE-1).
pub const MAX_SAFELISTED_VALUE: usize = 128;
/// Largest total of safelisted value bytes before they all count as unsafe (SAFE-3).
pub const MAX_SAFELISTED_TOTAL: usize = 1024;

/// SAFE-2: bytes that make `accept` and `content-type` values unsafe.
pub fn is_cors_unsafe_byte(b: u8) -> bool {
    UNSAFE_BYTE[usize::from(b)]
}

/// SAFE-1: bytes allowed in `accept-language` and `content-language` values.
fn is_language_byte(b: u8) -> bool {
    LANGUAGE_BYTE[usize::from(b)]
}

/// Byte classes as tables: these run over every byte of every safelisted header value.
static UNSAFE_BYTE: [bool; 256] = byte_table(false);
static LANGUAGE_BYTE: [bool; 256] = byte_table(true);

const fn byte_table(language: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = if language { language_byte_rule(b as u8) } else { unsafe_byte_rule(b as u8) };
        b += 1;
    }
    table
}

const fn language_byte_rule(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
}

const fn unsafe_byte_rule(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(b, b'"' | b'(' | b')' | b':' | b'<' | b'>' | b'?' | b'@' | b'[' | b'\\' | b']' | b'{' | b'}' | 0x7f)
}

/// SAFE-1: is `(name, value)` a CORS-safelisted request header?
pub fn is_cors_safelisted_request_header(name: &[u8], value: &[u8]) -> bool {
    is_cors_safelisted_request_header_with(name, value, SafelistQuirks::STANDARD)
}

/// SAFE-1 as an engine applies it (`quirks`: its documented differences).
pub fn is_cors_safelisted_request_header_with(name: &[u8], value: &[u8], quirks: SafelistQuirks) -> bool {
    let value = if quirks.checks_trimmed_value { crate::header::normalize_value(value) } else { value };
    if value.len() > MAX_SAFELISTED_VALUE {
        return false;
    }
    if name.eq_ignore_ascii_case(b"accept") {
        !value.iter().any(|&b| is_cors_unsafe_byte(b) || (quirks.non_ascii_accept_unsafe && b >= 0x80))
    } else if name.eq_ignore_ascii_case(b"accept-language") || name.eq_ignore_ascii_case(b"content-language") {
        value.iter().all(|&b| is_language_byte(b))
    } else if name.eq_ignore_ascii_case(b"content-type") {
        if value.iter().any(|&b| is_cors_unsafe_byte(b) || (quirks.content_type_comma_unsafe && b == b',')) {
            return false;
        }
        mime::essence_is(value, &["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"])
    } else if name.eq_ignore_ascii_case(b"range") {
        is_simple_range(value, quirks)
    } else {
        false
    }
}

/// SAFE-1 `range`: `bytes=START-` or `bytes=START-END` with START <= END, digits only.
fn is_simple_range(value: &[u8], quirks: SafelistQuirks) -> bool {
    let unit = value.get(..6);
    let unit_ok = match unit {
        Some(u) if quirks.range_unit_case_insensitive => u.eq_ignore_ascii_case(b"bytes="),
        Some(u) => u == b"bytes=",
        None => false,
    };
    if !unit_ok {
        return false;
    }
    let rest = &value[6..];
    let Some(dash) = rest.iter().position(|&b| b == b'-') else { return false };
    let (start, end) = (&rest[..dash], &rest[dash + 1..]);
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if !digits(start) || !(end.is_empty() || digits(end)) {
        return false;
    }
    // Chromium and Firefox parse both numbers as int64: beyond 2^63-1 (leading zeros allowed) fails.
    let fits_i64 = |s: &[u8]| {
        let first = s.iter().position(|&b| b != b'0').unwrap_or(s.len());
        let s = &s[first..];
        s.len() < 19 || (s.len() == 19 && s <= &b"9223372036854775807"[..])
    };
    if quirks.range_numbers_fit_i64 && !(fits_i64(start) && fits_i64(end)) {
        return false;
    }
    if end.is_empty() {
        return true;
    }
    // Compare as decimal numbers of any length: strip leading zeros, then length, then bytes.
    let strip = |s: &[u8]| -> Vec<u8> {
        let first = s.iter().position(|&b| b != b'0').unwrap_or(s.len());
        s[first..].to_vec()
    };
    let (s, e) = (strip(start), strip(end));
    (s.len(), &s) <= (e.len(), &e)
}

/// SAFE-4: headers a script cannot set. `value` matters for the method-override headers.
pub fn is_forbidden_request_header(name: &[u8], value: &[u8]) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    if FORBIDDEN.iter().any(|f| name.eq_ignore_ascii_case(f.as_bytes())) {
        return true;
    }
    let starts = |prefix: &[u8]| name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix);
    if starts(b"proxy-") || starts(b"sec-") {
        return true;
    }
    if [&b"x-http-method"[..], b"x-http-method-override", b"x-method-override"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
    {
        return value.split(|&b| b == b',').any(|item| {
            let item = crate::header::normalize_value(item);
            std::str::from_utf8(item).is_ok_and(crate::method::is_forbidden)
        });
    }
    false
}

/// SAFE-3: the CORS-unsafe request-header names of a header list: lowercase, deduplicated,
/// sorted by bytes. Safelisted values above a total of 1024 bytes make every safelisted name
/// unsafe too.
pub fn cors_unsafe_request_header_names(headers: &HeaderList) -> Vec<String> {
    cors_unsafe_request_header_names_with(headers, SafelistQuirks::STANDARD)
}

/// SAFE-3 as an engine applies it (`quirks`: its documented differences).
pub fn cors_unsafe_request_header_names_with(headers: &HeaderList, quirks: SafelistQuirks) -> Vec<String> {
    let safelisted = |h: &crate::header::Header| is_cors_safelisted_request_header_with(&h.name, &h.value, quirks);
    // First pass: the safelisted total and whether anything is unsafe. Most requests have
    // only safelisted headers and end here without allocating.
    let mut total = 0usize;
    let mut any_unsafe = false;
    for h in headers.iter() {
        if safelisted(h) {
            total += h.value.len();
        } else {
            any_unsafe = true;
        }
    }
    let all_unsafe = total > MAX_SAFELISTED_TOTAL && !quirks.no_total_limit;
    if !any_unsafe && !all_unsafe {
        return Vec::new();
    }
    let mut unsafe_names: Vec<String> =
        headers.iter().filter(|h| all_unsafe || !safelisted(h)).map(|h| lowercase_name(&h.name)).collect();
    unsafe_names.sort_unstable();
    if !quirks.repeats_unsafe_names {
        unsafe_names.dedup();
    }
    unsafe_names
}

/// Names reaching the oracle were validated as tokens (ASCII); anything else is shown lossily.
fn lowercase_name(name: &[u8]) -> String {
    match std::str::from_utf8(name) {
        Ok(s) => s.to_ascii_lowercase(),
        Err(_) => String::from_utf8_lossy(name).to_ascii_lowercase(),
    }
}

/// SAFE-7: content types browsers send themselves without a preflight (reports).
pub fn is_preflight_exempt_content_type(value: &[u8]) -> bool {
    mime::essence_is(
        value,
        &[
            "application/csp-report",
            "application/expect-ct-report+json",
            "application/xss-auditor-report",
            "application/ocsp-request",
        ],
    )
}

/// EXP-1: CORS-safelisted response-header names, always visible to script.
pub fn is_cors_safelisted_response_header_name(name: &[u8]) -> bool {
    ["cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
}

/// EXP-1: forbidden response-header names, never visible to script.
pub fn is_forbidden_response_header_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"set-cookie") || name.eq_ignore_ascii_case(b"set-cookie2")
}

/// MISC-1: no-CORS-safelisted request-header names (`no-cors` mode allows only these).
pub fn is_no_cors_safelisted_name(name: &[u8]) -> bool {
    ["accept", "accept-language", "content-language", "content-type"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(n: &str, v: &str) -> bool {
        is_cors_safelisted_request_header(n.as_bytes(), v.as_bytes())
    }

    #[test]
    fn safe1_value_rules() {
        assert!(safe("Accept", "*/*"));
        assert!(!safe("accept", "\""));
        assert!(safe("accept", &"a".repeat(128)));
        assert!(!safe("accept", &"a".repeat(129)));
        assert!(safe("Accept-Language", "en-US,en;q=0.9"));
        assert!(!safe("accept-language", "@"));
        assert!(!safe("content-language", "de_DE"));
        assert!(safe("content-type", "text/plain;charset=UTF-8"));
        assert!(safe("content-type", "TEXT/PLAIN"));
        assert!(safe("content-type", "text/plain;garbage"));
        assert!(safe("content-type", "multipart/form-data; boundary=x"));
        assert!(!safe("content-type", "text/plain; x=\"a\""));
        assert!(!safe("content-type", "application/json"));
        assert!(!safe("content-type", "text/plain, application/json"));
        assert!(!safe("content-type", "text /plain"));
        assert!(!safe("x-custom", "1"));
        assert!(!safe("authorization", "Bearer x"), "SAFE-6");
    }

    #[test]
    fn safe1_range() {
        assert!(safe("range", "bytes=200-"));
        assert!(safe("range", "bytes=0-0"));
        assert!(safe("range", "bytes=100-200"));
        assert!(!safe("range", "bytes=-200"));
        assert!(!safe("range", "bytes=200-100"));
        assert!(!safe("range", "bytes=100-200,300-400"));
        assert!(!safe("range", "bytes 0-"));
        assert!(!safe("range", "bytes= 0-"));
        assert!(safe("range", "bytes=00000000000000000000000001-2"));
    }

    #[test]
    fn safe2_unsafe_bytes() {
        for b in
            [0u8, 0x08, 0x0a, 0x1f, b'"', b'(', b')', b':', b'<', b'>', b'?', b'@', b'[', b'\\', b']', b'{', b'}', 0x7f]
        {
            assert!(is_cors_unsafe_byte(b), "{b:#x}");
        }
        for b in [b'\t', b' ', b'a', b'/', b';', b'=', 0x80, 0xff] {
            assert!(!is_cors_unsafe_byte(b), "{b:#x}");
        }
    }

    #[test]
    fn safe3_unsafe_names_sorted_lowercase_dedup_and_1024_total() {
        let h = HeaderList::from_pairs([
            ("X-B", "1"),
            ("x-a", "1"),
            ("X-A", "2"),
            ("Content-Type", "application/json"),
            ("Accept", "*/*"),
        ]);
        assert_eq!(cors_unsafe_request_header_names(&h), ["content-type", "x-a", "x-b"]);
        let v = "a".repeat(128);
        let mut pairs: Vec<(&str, &str)> = vec![("accept", &v); 8];
        assert!(
            cors_unsafe_request_header_names(&HeaderList::from_pairs(pairs.clone())).is_empty(),
            "1024 exactly is fine"
        );
        pairs.push(("accept-language", "x"));
        assert_eq!(cors_unsafe_request_header_names(&HeaderList::from_pairs(pairs)), ["accept", "accept-language"]);
    }

    #[test]
    fn safe4_forbidden_request_headers() {
        for n in ["Cookie", "origin", "Sec-Fetch-Mode", "Proxy-Authorization", "Host", "Access-Control-Request-Headers"]
        {
            assert!(is_forbidden_request_header(n.as_bytes(), b"x"), "{n}");
        }
        assert!(is_forbidden_request_header(b"X-HTTP-Method-Override", b"GET, trace"));
        assert!(!is_forbidden_request_header(b"X-HTTP-Method-Override", b"PUT"));
        assert!(!is_forbidden_request_header(b"authorization", b"x"));
    }

    #[test]
    fn safe7_report_content_types() {
        assert!(is_preflight_exempt_content_type(b"application/csp-report"));
        assert!(!is_preflight_exempt_content_type(b"application/json"));
    }

    #[test]
    fn exp1_response_safelist() {
        assert!(is_cors_safelisted_response_header_name(b"Content-Length"));
        assert!(!is_cors_safelisted_response_header_name(b"x-total-count"));
        assert!(is_forbidden_response_header_name(b"Set-Cookie2"));
    }
}

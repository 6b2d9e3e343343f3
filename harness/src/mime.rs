//! The part of WHATWG MIME Sniffing's "parse a MIME type" that SAFE-1 needs: the essence.
//!
//! Parameters never make the parse fail (invalid ones are skipped), so only the
//! `type "/" subtype` prefix decides whether a value parses.

use crate::header::is_tchar;

/// Returns the lowercase essence (`type/subtype`) of a MIME type, or `None` if the value does
/// not parse. `text/plain;garbage` parses; `text/plain, application/json` and `text /plain` do
/// not.
pub fn parse_essence(value: &[u8]) -> Option<String> {
    let (type_, subtype) = essence_parts(value)?;
    let mut essence = String::with_capacity(type_.len() + 1 + subtype.len());
    essence.extend(type_.iter().map(|b| b.to_ascii_lowercase() as char));
    essence.push('/');
    essence.extend(subtype.iter().map(|b| b.to_ascii_lowercase() as char));
    Some(essence)
}

/// True if `value` parses as a MIME type whose essence is one of `essences` (lowercase
/// `type/subtype`), without allocating.
pub fn essence_is(value: &[u8], essences: &[&str]) -> bool {
    let Some((type_, subtype)) = essence_parts(value) else { return false };
    essences.iter().any(|e| {
        e.len() == type_.len() + 1 + subtype.len()
            && e.as_bytes()[..type_.len()].eq_ignore_ascii_case(type_)
            && e.as_bytes()[type_.len()] == b'/'
            && e.as_bytes()[type_.len() + 1..].eq_ignore_ascii_case(subtype)
    })
}

/// The `type` and `subtype` of a MIME type as written (not lowercased), if it parses.
fn essence_parts(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let http_ws = |b: &u8| matches!(b, b'\n' | b'\r' | b'\t' | b' ');
    let start = value.iter().position(|b| !http_ws(b))?;
    let end = value.iter().rposition(|b| !http_ws(b))? + 1;
    let value = &value[start..end];

    let slash = value.iter().position(|&b| b == b'/')?;
    let type_ = &value[..slash];
    let rest = &value[slash + 1..];
    let subtype_end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    let mut subtype = &rest[..subtype_end];
    while let [head @ .., last] = subtype {
        if http_ws(last) { subtype = head } else { break }
    }
    let token = |s: &[u8]| !s.is_empty() && s.iter().all(|&b| is_tchar(b));
    if !token(type_) || !token(subtype) {
        return None;
    }
    Some((type_, subtype))
}

#[cfg(test)]
mod tests {
    use super::parse_essence;

    #[test]
    fn essences() {
        assert_eq!(parse_essence(b"TEXT/Plain").as_deref(), Some("text/plain"));
        assert_eq!(parse_essence(b" text/plain ;charset=utf-8").as_deref(), Some("text/plain"));
        assert_eq!(parse_essence(b"text/plain;garbage").as_deref(), Some("text/plain"));
        assert_eq!(parse_essence(b"text/plain \t;x").as_deref(), Some("text/plain"));
        assert_eq!(parse_essence(b"text/plain, application/json"), None);
        assert_eq!(parse_essence(b"text /plain"), None);
        assert_eq!(parse_essence(b"text/"), None);
        assert_eq!(parse_essence(b"/plain"), None);
        assert_eq!(parse_essence(b"textplain"), None);
        assert_eq!(parse_essence(b""), None);
        assert_eq!(parse_essence(b"text/pl\xe4in"), None);
    }

    #[test]
    fn essence_is_matches_case_insensitively_without_parameters() {
        use super::essence_is;
        let safe = ["text/plain", "multipart/form-data"];
        assert!(essence_is(b"Text/Plain; charset=x", &safe));
        assert!(essence_is(b"multipart/FORM-DATA", &safe));
        assert!(!essence_is(b"text/plainx", &safe));
        assert!(!essence_is(b"text/plain, text/plain", &safe));
        assert!(!essence_is(b"text", &safe));
    }
}

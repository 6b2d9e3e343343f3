//! The part of WHATWG MIME Sniffing's "parse a MIME type" that SAFE-1 needs: the essence.
//!
//! Parameters never make the parse fail (invalid ones are skipped), so only the
//! `type "/" subtype` prefix decides whether a value parses.

use crate::header::is_tchar;

/// Returns the lowercase essence (`type/subtype`) of a MIME type, or `None` if the value does
/// not parse. `text/plain;garbage` parses; `text/plain, application/json` and `text /plain` do
/// not.
pub fn parse_essence(value: &[u8]) -> Option<String> {
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
    let mut essence = String::with_capacity(type_.len() + 1 + subtype.len());
    essence.extend(type_.iter().map(|b| b.to_ascii_lowercase() as char));
    essence.push('/');
    essence.extend(subtype.iter().map(|b| b.to_ascii_lowercase() as char));
    Some(essence)
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
}

//! Which response headers script can read (EXP-1..3).

use crate::header::{HeaderList, ListValues};
use crate::safelist::{is_cors_safelisted_response_header_name, is_forbidden_response_header_name};

/// Header names of a CORS response readable by script: safelisted names, names listed in
/// `Access-Control-Expose-Headers` (or all, for `*` without credentials), never Set-Cookie.
/// Lowercase, sorted, deduplicated, only names present in the response.
pub fn exposed_cors(headers: &HeaderList, include: bool) -> Vec<String> {
    let listed = headers.token_list("access-control-expose-headers");
    let listed: &[&[u8]] = match &listed {
        ListValues::Items(items) => items,
        // EXP-2: absent or unparsable → only the safelist.
        ListValues::Absent | ListValues::Failure => &[],
    };
    let wildcard = !include && listed.iter().any(|i| *i == b"*");
    visible_names(headers, |name| {
        is_cors_safelisted_response_header_name(name) || wildcard || listed.iter().any(|i| i.eq_ignore_ascii_case(name))
    })
}

/// Header names of a same-origin (basic) response: everything but Set-Cookie.
pub fn exposed_basic(headers: &HeaderList) -> Vec<String> {
    visible_names(headers, |_| true)
}

fn visible_names(headers: &HeaderList, mut visible: impl FnMut(&[u8]) -> bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(headers.len());
    names.extend(
        headers
            .iter()
            .filter(|h| !is_forbidden_response_header_name(&h.name) && visible(&h.name))
            .map(|h| String::from_utf8_lossy(&h.name).to_ascii_lowercase()),
    );
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> HeaderList {
        HeaderList::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn exp1_safelist_always_set_cookie_never() {
        let l = h(&[
            ("Content-Type", "x"),
            ("X-Secret", "1"),
            ("Set-Cookie", "a=b"),
            ("access-control-expose-headers", "set-cookie"),
        ]);
        assert_eq!(exposed_cors(&l, false), ["content-type"]);
    }

    #[test]
    fn exp2_star_and_lists() {
        let l = h(&[("access-control-expose-headers", "*"), ("Test", "X"), ("Set-Cookie", "X"), ("*", "whoa")]);
        assert_eq!(exposed_cors(&l, false), ["*", "access-control-expose-headers", "test"]);
        assert_eq!(exposed_cors(&l, true), ["*"]);
        let listed = h(&[("access-control-expose-headers", "X-A, ,x-b"), ("x-a", "1"), ("X-B", "2"), ("x-c", "3")]);
        assert_eq!(exposed_cors(&listed, true), ["x-a", "x-b"]);
        let broken = h(&[("access-control-expose-headers", "x-a, bad name"), ("x-a", "1")]);
        assert!(exposed_cors(&broken, false).is_empty(), "parse failure exposes nothing extra");
    }
}

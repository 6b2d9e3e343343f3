//! Request methods (METH-1..4).

use crate::header::is_token;

/// METH-3: `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST`, `PUT` in any case become uppercase;
/// every other method keeps its exact bytes (`patch` stays `patch`).
pub fn normalize(method: &str) -> std::borrow::Cow<'_, str> {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALIZED.iter().find(|m| m.eq_ignore_ascii_case(method)) {
        Some(m) if *m != method => std::borrow::Cow::Borrowed(m),
        _ => std::borrow::Cow::Borrowed(method),
    }
}

/// METH-2: `CONNECT`, `TRACE`, `TRACK`, case-insensitively. Scripts cannot use them.
pub fn is_forbidden(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"].iter().any(|m| m.eq_ignore_ascii_case(method))
}

/// METH-1: `GET`, `HEAD`, `POST`, byte-exact (apply [`normalize`] first).
pub fn is_cors_safelisted(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// METH-4: a method is a token.
pub fn is_valid(method: &str) -> bool {
    is_token(method.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meth3_normalizes_only_the_six_methods() {
        assert_eq!(normalize("get"), "GET");
        assert_eq!(normalize("pUt"), "PUT");
        assert_eq!(normalize("options"), "OPTIONS");
        assert_eq!(normalize("patch"), "patch");
        assert_eq!(normalize("Patch"), "Patch");
        assert_eq!(normalize("CHICKEN"), "CHICKEN");
    }

    #[test]
    fn meth2_forbidden_case_insensitive() {
        assert!(is_forbidden("connect") && is_forbidden("TrAcE") && is_forbidden("TRACK"));
        assert!(!is_forbidden("PATCH"));
    }

    #[test]
    fn meth1_safelist_is_byte_exact() {
        assert!(is_cors_safelisted("GET") && is_cors_safelisted("HEAD") && is_cors_safelisted("POST"));
        assert!(!is_cors_safelisted("get") && !is_cors_safelisted("PUT"));
        assert!(is_cors_safelisted(&normalize("post")));
    }

    #[test]
    fn meth4_methods_are_tokens() {
        assert!(is_valid("eGg") && is_valid("*") && !is_valid("GE T") && !is_valid(""));
    }
}

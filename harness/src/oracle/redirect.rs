//! Redirects during a CORS fetch (RED-1..8) and the redirect taint (ORIG-5).

use crate::origin::Origin;

/// Most redirects a fetch follows (RED-1).
pub const MAX_REDIRECTS: usize = 20;

/// ORIG-5: true once the URL list passed from a server that was cross-origin to the request
/// origin on to a different origin; the serialized request origin is then `null`.
pub fn is_tainted<'a>(request_origin: &Origin, url_list: impl IntoIterator<Item = &'a url::Url>) -> bool {
    let mut urls = url_list.into_iter();
    let Some(mut last) = urls.next() else { return false };
    for next in urls {
        if !crate::origin::same_origin_urls(next, last) && !request_origin.same_origin_as_url(last) {
            return true;
        }
        last = next;
    }
    false
}

/// A redirect status the browser follows.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// RED-6: does this redirect turn the request into a body-less GET?
pub fn rewrites_to_get(status: u16, method: &str) -> bool {
    ((status == 301 || status == 302) && method == "POST") || (status == 303 && method != "GET" && method != "HEAD")
}

/// RED-6: request-body header names removed when the method is rewritten.
pub const REQUEST_BODY_HEADERS: [&str; 4] =
    ["content-encoding", "content-language", "content-location", "content-type"];

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn orig5_taint_examples_from_the_digest() {
        let o = Origin::of_url(&u("https://o.test/"));
        // O fetches B, B redirects to C: tainted.
        assert!(is_tainted(&o, &[u("https://b.test/"), u("https://c.test/")]));
        // O fetches B, B redirects back to O: tainted.
        assert!(is_tainted(&o, &[u("https://b.test/"), u("https://o.test/x")]));
        // O fetches O/x, which redirects to B: not tainted.
        assert!(!is_tainted(&o, &[u("https://o.test/x"), u("https://b.test/")]));
        // O fetches B, B redirects to B/other: not tainted.
        assert!(!is_tainted(&o, &[u("https://b.test/"), u("https://b.test/other")]));
        assert!(!is_tainted(&o, &[u("https://b.test/")]));
    }

    #[test]
    fn red6_method_rewrite() {
        assert!(rewrites_to_get(301, "POST") && rewrites_to_get(302, "POST"));
        assert!(!rewrites_to_get(307, "POST") && !rewrites_to_get(308, "POST"));
        assert!(rewrites_to_get(303, "PUT") && !rewrites_to_get(303, "HEAD"));
        assert!(!rewrites_to_get(301, "PUT"));
    }
}

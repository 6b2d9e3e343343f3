//! Shrinking: a divergent browser request reduced to a minimal one that still shows the same
//! divergence — fewest author headers, shortest values, shortest origin, simplest method and
//! credentials mode — so a report shows the cause and nothing else.
//!
//! Greedy, like QuickCheck's shrinkers: try simpler candidates in a fixed order, keep the
//! first that still diverges, repeat until none does or the budget of attempts is spent. Every
//! candidate is strictly simpler by [`size`], so the loop ends even without a budget.

use std::future::Future;

use crate::origin::Origin;
use crate::request::{BrowserRequest, CredentialsMode};

/// Shrinks `request` while `still_diverges` holds, trying at most `budget` candidates.
/// Returns the smallest request found (the input itself if nothing simpler diverges).
pub async fn shrink<F, Fut>(request: BrowserRequest, mut still_diverges: F, budget: usize) -> BrowserRequest
where
    F: FnMut(BrowserRequest) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut current = request;
    let mut attempts = 0;
    'outer: loop {
        for candidate in candidates(&current) {
            if attempts == budget {
                break 'outer;
            }
            debug_assert!(size(&candidate) < size(&current), "shrink candidates must be simpler");
            attempts += 1;
            if still_diverges(candidate.clone()).await {
                current = candidate;
                continue 'outer;
            }
        }
        break;
    }
    current
}

/// How complex a request is, compared lexicographically: header count first, then their
/// bytes, then the origin's length, the method, the credentials mode, the URL's length.
pub fn size(r: &BrowserRequest) -> (usize, usize, usize, u8, u8, usize) {
    let header_bytes = r.headers.iter().map(|h| h.name.len() + h.value.len()).sum();
    let method = u8::from(r.method != "GET");
    let credentials = match r.credentials {
        CredentialsMode::Omit => 0,
        CredentialsMode::SameOrigin => 1,
        CredentialsMode::Include => 2,
    };
    (r.headers.len(), header_bytes, r.origin.serialize().len(), method, credentials, r.url.as_str().len())
}

/// Simpler variants of `r`, most aggressive first.
fn candidates(r: &BrowserRequest) -> Vec<BrowserRequest> {
    let mut out = Vec::new();
    // Fewer headers.
    for i in 0..r.headers.len() {
        let mut c = r.clone();
        c.headers.0.remove(i);
        out.push(c);
    }
    // Shorter header values (halved, then one byte shorter: safelist limits are exact).
    for i in 0..r.headers.len() {
        let len = r.headers.0[i].value.len();
        for keep in [len / 2, len.saturating_sub(1)] {
            if keep < len {
                let mut c = r.clone();
                c.headers.0[i].value = c.headers.0[i].value.slice(..keep);
                out.push(c);
            }
        }
    }
    // A shorter origin.
    for origin in shorter_origins(&r.origin) {
        let mut c = r.clone();
        c.origin = origin;
        out.push(c);
    }
    if r.method != "GET" {
        out.push(r.clone().method("GET"));
    }
    for credentials in [CredentialsMode::Omit, CredentialsMode::SameOrigin] {
        if size_rank(credentials) < size_rank(r.credentials) {
            out.push(r.clone().credentials(credentials));
        }
    }
    if r.url.query().is_some() || r.url.fragment().is_some() {
        let mut c = r.clone();
        c.url.set_query(None);
        c.url.set_fragment(None);
        out.push(c);
    }
    out.retain(|c| size(c) < size(r));
    out
}

fn size_rank(c: CredentialsMode) -> u8 {
    match c {
        CredentialsMode::Omit => 0,
        CredentialsMode::SameOrigin => 1,
        CredentialsMode::Include => 2,
    }
}

/// Origins with a label removed, a label cut to one character, or the port dropped; only
/// ones a browser can have (they parse as serialized origins).
fn shorter_origins(origin: &Origin) -> Vec<Origin> {
    let Some(tuple) = origin.as_tuple() else { return Vec::new() };
    let url::Host::Domain(host) = tuple.host() else { return Vec::new() };
    let scheme = tuple.scheme();
    let port = tuple.port().map(|p| format!(":{p}")).unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let mut hosts = Vec::new();
    for i in 0..labels.len() {
        if labels.len() > 1 {
            let mut fewer = labels.clone();
            fewer.remove(i);
            hosts.push(fewer.join("."));
        }
        if let Some(first) = labels[i].chars().next()
            && labels[i].len() > first.len_utf8()
        {
            let mut cut = labels.clone();
            let one = first.to_string();
            cut[i] = &one;
            hosts.push(cut.join("."));
        }
    }
    let mut texts: Vec<String> = hosts.iter().map(|h| format!("{scheme}://{h}{port}")).collect();
    if !port.is_empty() {
        texts.push(format!("{scheme}://{host}"));
    }
    texts.iter().filter_map(|t| Origin::parse_serialized(t.as_bytes()).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> BrowserRequest {
        BrowserRequest::fetch(
            Origin::parse_serialized(b"https://app.example.com.evil.test:8443").unwrap(),
            url::Url::parse("http://api.example.test/data?page=2").unwrap(),
        )
        .method("PUT")
        .header("X-Request-Id", "0123456789")
        .header("Content-Type", "application/json")
        .credentials(CredentialsMode::Include)
    }

    fn block_on<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn everything_irrelevant_goes() {
        // The "divergence" only needs credentials and an origin ending in evil.test.
        let still = |r: BrowserRequest| async move {
            r.credentials.is_include() && r.origin.serialize().ends_with(".evil.test:8443")
        };
        let shrunk = block_on(shrink(request(), still, 1000));
        assert!(shrunk.headers.is_empty());
        assert_eq!(shrunk.method, "GET");
        assert_eq!(shrunk.url.as_str(), "http://api.example.test/data");
        // One one-character label is left before the kept suffix (which label survives
        // depends on the candidate order).
        let origin = shrunk.origin.serialize();
        assert_eq!(origin.len(), "https://x.evil.test:8443".len(), "{origin}");
        assert!(shrunk.credentials.is_include());
    }

    #[test]
    fn a_header_value_shrinks_to_the_exact_limit() {
        // Diverges while the value is longer than 5 bytes: the shrinker finds length 6.
        let still = |r: BrowserRequest| async move { r.headers.iter().any(|h| h.value.len() > 5) };
        let shrunk = block_on(shrink(request(), still, 1000));
        assert_eq!(shrunk.headers.len(), 1);
        assert_eq!(shrunk.headers.0[0].value.len(), 6);
    }

    #[test]
    fn the_budget_bounds_the_attempts() {
        let mut calls = 0;
        let still = |_: BrowserRequest| {
            calls += 1;
            async { true }
        };
        block_on(shrink(request(), still, 3));
        assert_eq!(calls, 3);
    }

    #[test]
    fn nothing_simpler_means_the_request_itself() {
        let r = request();
        assert_eq!(block_on(shrink(r.clone(), |_| async { false }, 1000)), r);
    }
}

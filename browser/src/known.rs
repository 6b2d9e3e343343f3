//! Disagreements already analysed and reported: each names the rule, what the standard says
//! and what the browser does, and explains a comparison *counterfactually*: it changes the
//! case (or the oracle's cache handling) the way the browser deviates and re-judges the same
//! browser run; if everything then agrees, the known deviation explains the disagreement.
//! Anything else that disagrees is new.

use cors_harness::oracle::cache::PreflightCache;
use cors_harness::profile::BrowserProfile;
use cors_harness::{HeaderList, Outcome, Verdict};

use crate::case::{BrowserCase, RawResponse};
use crate::diff::{Comparison, judge_variant};

/// A known, explained disagreement.
#[derive(Debug)]
pub struct Known {
    pub name: &'static str,
    /// The digest rule concerned.
    pub rule: &'static str,
    /// What the standard says and what the browser does, in one or two sentences.
    pub reason: &'static str,
    /// True if this deviation explains the comparison's disagreement.
    pub explains: fn(&Comparison) -> bool,
}

/// Every known disagreement between Chromium and the `chromium` profile
/// (BROWSER-DEVIATIONS.md).
pub static KNOWN: &[Known] = &[
    Known {
        name: "repeated author request headers are combined before the safelist check",
        rule: "SAFE-1/SAFE-3",
        reason: "Fetch checks each header-list entry (Headers.append keeps repeated names as separate \
                 entries); Chromium combines repeated names into one `a, b` value first, so two safelisted \
                 values can make an unsafe one (over 128 bytes, or not a single range / MIME type) and the \
                 1024-byte total can never be reached (at most 5 names x 128 bytes)",
        explains: combined_headers,
    },
    Known {
        name: "a negative Access-Control-Max-Age means 0 (not cached)",
        rule: "PRE-11",
        reason: "Fetch parses Max-Age as delta-seconds (1*DIGIT): `-1` is a failure, so the default 5 s \
                 applies; Chromium parses it as an integer and clamps it to 0, so nothing is cached (as WPT \
                 cors/preflight-cache.htm expects)",
        explains: negative_max_age,
    },
    Known {
        name: "a failed actual response does not clear the preflight cache",
        rule: "PRE-14/CACHE-4",
        reason: "Fetch main fetch: if the CORS-with-preflight response is a network error, clear cache \
                 entries for (origin, URL); Chromium clears nothing when the actual response fails the CORS \
                 check after a successful preflight, so the next request is served from the cache",
        explains: cache_kept_after_failure,
    },
    Known {
        name: "any redirect to a URL with credentials fails",
        rule: "RED-2",
        reason: "Fetch HTTP-redirect fetch rejects a Location with credentials only for CORS (tainting cors, \
                 or mode cors to another origin); Chromium blocks subresource URLs with embedded credentials \
                 everywhere, so no-cors and same-origin redirects to them fail too",
        explains: credentials_redirect,
    },
];

/// The known disagreement a comparison shows, if it is one.
pub fn classify(c: &Comparison) -> Option<&'static Known> {
    if c.harness_error.is_some() || c.agrees() {
        return None;
    }
    KNOWN.iter().find(|k| (k.explains)(c))
}

fn default_eval(
    case: &BrowserCase,
    profile: &BrowserProfile,
) -> Result<Vec<Verdict>, cors_harness::oracle::verdict::Unanswered> {
    case.evaluate(profile)
}

/// Re-judges with the case changed by `change`; true if the change did something and the
/// variant agrees.
fn agrees_with_change(c: &Comparison, change: impl Fn(&mut BrowserCase) -> bool) -> bool {
    let mut variant = c.ran.relocated.clone();
    change(&mut variant) && judge_variant(c, &variant, &default_eval).agrees()
}

/// SAFE-1/3: combine repeated author headers into one `, `-joined value, as Chromium does.
fn combined_headers(c: &Comparison) -> bool {
    agrees_with_change(c, |case| {
        let mut changed = false;
        for step in &mut case.steps {
            let mut combined: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            for h in step.request.headers.iter() {
                match combined.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&h.name)) {
                    Some((_, v)) => {
                        v.extend_from_slice(b", ");
                        v.extend_from_slice(&h.value);
                        changed = true;
                    }
                    None => combined.push((h.name.to_vec(), h.value.to_vec())),
                }
            }
            step.request.headers = HeaderList::from_pairs(combined);
        }
        changed
    })
}

/// PRE-11: a negative integer Max-Age becomes 0.
fn negative_max_age(c: &Comparison) -> bool {
    agrees_with_change(c, |case| {
        let mut changed = false;
        for (_, a) in &mut case.server {
            for (n, v) in a.preflight.iter_mut().flat_map(|r| r.headers.iter_mut()) {
                let t = v.trim_ascii();
                if n.eq_ignore_ascii_case(b"access-control-max-age")
                    && t.len() > 1
                    && t[0] == b'-'
                    && t[1..].iter().all(u8::is_ascii_digit)
                {
                    *v = b"0".to_vec();
                    changed = true;
                }
            }
        }
        changed
    })
}

/// PRE-14: evaluates the steps, but after a step that failed once its preflight had passed,
/// keeps the cache entries that step's preflight stored (as if the actual response passed).
fn cache_kept_after_failure(c: &Comparison) -> bool {
    if c.ran.relocated.steps.len() < 2 {
        return false;
    }
    let eval = |case: &BrowserCase, profile: &BrowserProfile| {
        let script = case.script();
        let passing = passing_script(case);
        let mut cache = PreflightCache::new();
        let mut verdicts = Vec::new();
        for step in &case.steps {
            let before = cache.clone();
            let v = cors_harness::evaluate(&step.request, &mut &script, profile, &mut cache, step.at_ms)?;
            let failed_after_preflight = matches!(v.outcome, Outcome::NetworkError(_))
                && v.hops.iter().any(|h| h.preflight_needed && h.actual.is_some());
            if failed_after_preflight {
                cache = before;
                cors_harness::evaluate(&step.request, &mut &passing, profile, &mut cache, step.at_ms)?;
            }
            verdicts.push(v);
        }
        Ok(verdicts)
    };
    judge_variant(c, &c.ran.relocated, &eval).agrees()
}

/// The case's script with every actual response made to pass the CORS check.
fn passing_script(case: &BrowserCase) -> cors_harness::script::ServerScript {
    let origin = case.origin().serialize().to_owned();
    let mut passing = case.clone();
    for (_, a) in &mut passing.server {
        if let Some(r) = &mut a.response {
            let mut headers: Vec<(Vec<u8>, Vec<u8>)> = r
                .headers
                .iter()
                .filter(|(n, _)| {
                    !n.eq_ignore_ascii_case(b"access-control-allow-origin")
                        && !n.eq_ignore_ascii_case(b"access-control-allow-credentials")
                })
                .cloned()
                .collect();
            headers.push((b"Access-Control-Allow-Origin".to_vec(), origin.clone().into_bytes()));
            headers.push((b"Access-Control-Allow-Credentials".to_vec(), b"true".to_vec()));
            *r = RawResponse { status: r.status, headers };
        }
    }
    passing.script()
}

/// RED-2: a redirect to a URL with credentials is a network error whatever the mode.
fn credentials_redirect(c: &Comparison) -> bool {
    agrees_with_change(c, |case| {
        let mut changed = false;
        for (base, a) in &mut case.server {
            for (n, v) in a.response.iter_mut().flat_map(|r| r.headers.iter_mut()) {
                if !n.eq_ignore_ascii_case(b"location") {
                    continue;
                }
                let target = std::str::from_utf8(v).ok().and_then(|l| base.join(l.trim()).ok());
                if target.is_some_and(|t| !t.username().is_empty() || t.password().is_some()) {
                    *v = b"data:,credentials-in-url".to_vec(); // a redirect the oracle fails (RED-7)
                    changed = true;
                }
            }
        }
        changed
    })
}

//! Disagreements already analysed and reported: each names the rule, what the standard says
//! and what the browser does, and explains a comparison *counterfactually*: it changes the
//! case (or how the oracle's preflight cache is kept) the way the browser deviates and
//! re-judges the same browser run. If everything then agrees, the known deviation (alone, or
//! together with one other) explains the disagreement. Anything else is new.

use cors_harness::oracle::cache::PreflightCache;
use cors_harness::oracle::verdict::Unanswered;
use cors_harness::profile::BrowserProfile;
use cors_harness::{HeaderList, Origin, Outcome, RequestMode, Verdict};

use crate::case::{BrowserCase, RawResponse, evaluate_step};
use crate::diff::{Comparison, judge_variant};

/// How the counterfactual oracle keeps its preflight cache between steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheQuirks {
    /// A step that fails after its preflight passed keeps the entries the preflight stored.
    pub keep_after_failure: bool,
    /// An opaque origin gets an empty cache at every step.
    pub none_for_opaque_origin: bool,
    /// Every step starts with an empty cache (entries evicted).
    pub none_for_all: bool,
}

/// A known, explained disagreement.
#[derive(Debug)]
pub struct Known {
    pub name: &'static str,
    /// The digest rule concerned.
    pub rule: &'static str,
    /// What the standard says and what the browser does, in one or two sentences.
    pub reason: &'static str,
    /// Changes the case (or the cache handling) the way the browser deviates; false if the
    /// deviation cannot apply to this case.
    pub apply: fn(&mut BrowserCase, &mut CacheQuirks) -> bool,
    /// Disagreements the case change cannot express are recognised by this instead.
    pub recognise: Option<fn(&Comparison) -> bool>,
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
        apply: combine_repeated_headers,
        recognise: None,
    },
    Known {
        name: "a negative Access-Control-Max-Age means 0 (not cached)",
        rule: "PRE-11",
        reason: "Fetch parses Max-Age as delta-seconds (1*DIGIT): `-1` is a failure, so the default 5 s \
                 applies; Chromium reads a negative integer as 0, so nothing is cached (as WPT \
                 cors/preflight-cache.htm expects)",
        apply: negative_max_age_is_zero,
        recognise: None,
    },
    Known {
        name: "a failed actual request does not clear the preflight cache",
        rule: "PRE-14/CACHE-4",
        reason: "Fetch main fetch: if the CORS-with-preflight response is a network error, clear cache \
                 entries for (origin, URL); Chromium keeps them when the actual request fails after a \
                 successful preflight (CORS check, bad redirect), so the next request is served from the cache",
        apply: |_, q| {
            q.keep_after_failure = true;
            true
        },
        recognise: None,
    },
    Known {
        name: "any redirect to a URL with credentials fails",
        rule: "RED-2",
        reason: "Fetch HTTP-redirect fetch rejects a Location with credentials only for CORS (tainting cors, \
                 or mode cors to another origin); Chromium blocks subresource URLs with embedded credentials \
                 everywhere, so no-cors and same-origin redirects to them fail too",
        apply: credentials_redirects_fail,
        recognise: None,
    },
    Known {
        name: "Access-Control-Allow-Headers: * also covers Authorization",
        rule: "PRE-9/SAFE-6",
        reason: "Fetch makes Authorization a CORS non-wildcard request-header name: a preflight answer must \
                 list it by name, `*` does not cover it; Chromium still lets `*` cover it for requests \
                 without credentials",
        apply: wildcard_lists_authorization,
        recognise: None,
    },
    Known {
        name: "no preflight cache for an opaque (null) origin",
        rule: "CACHE-1/CACHE-5",
        reason: "Fetch keys the CORS-preflight cache by the byte-serialized origin, `null` included, so a \
                 sandboxed page reuses its preflights; Chromium never serves a request from an opaque origin \
                 from the preflight cache, so every such request is preflighted",
        apply: |case, q| {
            q.none_for_opaque_origin = true;
            case.steps.len() > 1 && *case.origin() == Origin::Opaque
        },
        recognise: None,
    },
    Known {
        name: "a non-CORS request redirected to another origin sends Origin: null",
        rule: "ORIG-4/ORIG-5",
        reason: "Fetch serializes the request origin as `null` only after a redirect taint (a hop from a \
                 URL cross-origin to the page); Chromium's network stack also sends `Origin: null` on every \
                 cross-origin hop of a no-cors request that carries Origin (e.g. a POST), even from the \
                 page's own origin",
        apply: |_, _| false,
        recognise: Some(non_cors_redirect_origin_null),
    },
    Known {
        name: "the Range unit `bytes` is matched case-insensitively",
        rule: "SAFE-1",
        reason: "Fetch's simple range header value must start with `bytes` (case-sensitive), so \
                 `Range: Bytes=0-` is not safelisted and is preflighted; Chromium parses the unit \
                 case-insensitively and sends it without a preflight",
        apply: range_unit_case_insensitive,
        recognise: None,
    },
    Known {
        name: "a Range number beyond 2^63-1 is not safelisted",
        rule: "SAFE-1",
        reason: "Fetch reads the numbers of a simple range header value as decimal numbers of any size, so \
                 `Range: bytes=0-99999999999999999999999` is safelisted; Chromium's parser overflows and \
                 treats the value as unsafe (preflight, `ACRH: range`)",
        apply: huge_range_unsafe,
        recognise: None,
    },
    Known {
        name: "the Range header is re-serialized on the wire",
        rule: "SAFE-1 (wire only)",
        reason: "Chromium parses a safelisted Range and sends its own serialization \
                 (`bytes=00000000000000000000000000001-2` goes out as `bytes=1-2`); the CORS decisions are \
                 the same, only the bytes on the wire differ from what script set",
        apply: |_, _| false,
        recognise: Some(agrees_but_range_bytes),
    },
    Known {
        name: "preflight cache entry evicted early (allowed; generated cases only)",
        rule: "CACHE-4",
        reason: "Fetch lets a user agent evict CORS-preflight cache entries before they expire; Chromium caps \
                 its cache (1024 entries; newer releases 32 per top-frame site), and a long run fills it, so \
                 a later step can be preflighted again. Not a deviation: nondeterminism the oracle cannot model. \
                 Only accepted for generated cases (the vectors and targeted cases run first, before the cache \
                 fills, so a real caching deviation still shows there)",
        apply: |case, q| {
            q.none_for_all = true;
            case.id.starts_with("gen/") && case.steps.len() > 1
        },
        recognise: None,
    },
];

/// The known disagreements that together explain a comparison (one, or a pair); empty if
/// none does (a new disagreement).
pub fn classify(c: &Comparison) -> Vec<&'static Known> {
    if c.harness_error.is_some() || c.agrees() {
        return Vec::new();
    }
    for k in KNOWN {
        if k.recognise.is_some_and(|r| r(c)) || explains(c, &[k]) {
            return vec![k];
        }
    }
    // Two or three deviations together (a generated case can show several at once).
    for (i, a) in KNOWN.iter().enumerate() {
        for b in KNOWN.iter().skip(i + 1) {
            if explains(c, &[a, b]) {
                return vec![a, b];
            }
        }
    }
    for (i, a) in KNOWN.iter().enumerate() {
        for (j, b) in KNOWN.iter().enumerate().skip(i + 1) {
            for d in KNOWN.iter().skip(j + 1) {
                if explains(c, &[a, b, d]) {
                    return vec![a, b, d];
                }
            }
        }
    }
    Vec::new()
}

/// True if applying every deviation of `set` makes the oracle agree with the browser run.
fn explains(c: &Comparison, set: &[&Known]) -> bool {
    let mut variant = c.ran.relocated.clone();
    let mut quirks = CacheQuirks::default();
    for k in set {
        if !(k.apply)(&mut variant, &mut quirks) {
            return false;
        }
    }
    let eval =
        move |case: &BrowserCase, store: &[u64], profile: &BrowserProfile| evaluate_with(case, store, profile, quirks);
    let v = judge_variant(c, &variant, &eval);
    v.agrees() || (range_changed(&c.ran.relocated, &variant) && agrees_but_range_bytes(&v))
}

/// True if the variant changed some `Range` value.
fn range_changed(original: &BrowserCase, variant: &BrowserCase) -> bool {
    let ranges = |c: &BrowserCase| -> Vec<Vec<u8>> {
        c.steps
            .iter()
            .flat_map(|s| s.request.headers.iter())
            .filter(|h| h.name.eq_ignore_ascii_case(b"range"))
            .map(|h| h.value.to_vec())
            .collect()
    };
    ranges(original) != ranges(variant)
}

/// Everything agrees but the bytes of `Range` values on the wire.
fn agrees_but_range_bytes(v: &Comparison) -> bool {
    v.harness_error.is_none()
        && v.disagreeing() == ["requests"]
        && !v.wire.is_empty()
        && v.wire.iter().all(|w| w.contains(": range: oracle"))
        && v.oracle.iter().zip(&v.browser).all(|(o, b)| o.requests == b.requests)
}

/// The oracle over a case's steps with the cache handled as `quirks` says.
pub fn evaluate_with(
    case: &BrowserCase,
    store_ms: &[u64],
    profile: &BrowserProfile,
    quirks: CacheQuirks,
) -> Result<Vec<Verdict>, Unanswered> {
    let script = case.script();
    let passing = quirks.keep_after_failure.then(|| passing_script(case));
    let opaque = *case.origin() == Origin::Opaque;
    let mut cache = PreflightCache::new();
    let mut verdicts = Vec::with_capacity(case.steps.len());
    for (step, &store) in case.steps.iter().zip(store_ms) {
        if (quirks.none_for_opaque_origin && opaque) || quirks.none_for_all {
            cache = PreflightCache::new();
        }
        let before = cache.clone();
        let v = evaluate_step(&step.request, &script, profile, &mut cache, step.at_ms, store)?;
        let failed_after_preflight = matches!(v.outcome, Outcome::NetworkError(_))
            && v.hops.first().is_some_and(|h| h.preflight_needed && h.actual.is_some());
        if let Some(passing) = &passing
            && failed_after_preflight
        {
            // The same step against answers whose actual responses pass and end there: the
            // cache then holds what the preflight stored, and nothing is cleared.
            cache = before;
            evaluate_step(&step.request, passing, profile, &mut cache, step.at_ms, store)?;
        }
        verdicts.push(v);
    }
    Ok(verdicts)
}

/// The case's script with every actual response a final 200 that passes the CORS check.
fn passing_script(case: &BrowserCase) -> cors_harness::script::ServerScript {
    let origin = case.origin().serialize().to_owned();
    let mut passing = case.clone();
    for (_, a) in &mut passing.server {
        if let Some(r) = &mut a.response {
            *r = RawResponse::new(200)
                .header("Access-Control-Allow-Origin", &origin)
                .header("Access-Control-Allow-Credentials", "true");
        }
    }
    passing.script()
}

/// SAFE-1/3: repeated author headers become one `, `-joined value, as in Chromium.
fn combine_repeated_headers(case: &mut BrowserCase, _: &mut CacheQuirks) -> bool {
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
}

/// PRE-11: a negative integer Max-Age becomes 0.
fn negative_max_age_is_zero(case: &mut BrowserCase, _: &mut CacheQuirks) -> bool {
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
}

/// RED-2: a redirect to a URL with credentials is a network error whatever the mode.
fn credentials_redirects_fail(case: &mut BrowserCase, _: &mut CacheQuirks) -> bool {
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
}

/// PRE-9: `*` in Allow-Headers also lists `authorization`. (For a credentialed step that grants
/// more than Chromium does, so such a step's disagreement stays unexplained, never hidden.)
fn wildcard_lists_authorization(case: &mut BrowserCase, _: &mut CacheQuirks) -> bool {
    let mut changed = false;
    for (_, a) in &mut case.server {
        for (n, v) in a.preflight.iter_mut().flat_map(|r| r.headers.iter_mut()) {
            if n.eq_ignore_ascii_case(b"access-control-allow-headers")
                && v.split(|&b| b == b',').any(|item| item.trim_ascii() == b"*")
            {
                v.extend_from_slice(b", authorization");
                changed = true;
            }
        }
    }
    changed
}

/// ORIG-4/5: a no-cors request whose only differences are `Origin: null` where the oracle
/// sends the page's origin, on hops after a redirect to another origin.
fn non_cors_redirect_origin_null(c: &Comparison) -> bool {
    let case = &c.ran.relocated;
    if case.steps.iter().any(|s| s.request.mode != RequestMode::NoCors) {
        return false;
    }
    let only_origin = c.disagreeing().iter().all(|f| matches!(*f, "origin" | "requests"));
    let diffs_are_origin_null = !c.wire.is_empty()
        && c.wire.iter().all(|w| w.contains(": origin: oracle Some(") && w.ends_with("browser Some(\"null\")"));
    only_origin && diffs_are_origin_null && c.oracle.iter().zip(&c.browser).all(|(o, b)| o.outcome == b.outcome)
}

/// SAFE-1: a Range unit in any case is `bytes`.
fn range_unit_case_insensitive(case: &mut BrowserCase, _: &mut CacheQuirks) -> bool {
    let mut changed = false;
    for step in &mut case.steps {
        let mut headers = HeaderList::new();
        for h in step.request.headers.iter() {
            let mut value = h.value.to_vec();
            if h.name.eq_ignore_ascii_case(b"range")
                && value.len() >= 5
                && value[..5].eq_ignore_ascii_case(b"bytes")
                && &value[..5] != b"bytes"
            {
                value[..5].copy_from_slice(b"bytes");
                changed = true;
            }
            headers.push(cors_harness::header::Header { name: h.name.clone(), value: value.into() });
        }
        step.request.headers = headers;
    }
    changed
}

/// SAFE-1: a Range whose numbers do not fit in 63 bits is unsafe. (A trailing `,` makes the
/// oracle see it so; the wire then differs from the browser only in that value's bytes.)
fn huge_range_unsafe(case: &mut BrowserCase, _: &mut CacheQuirks) -> bool {
    let mut changed = false;
    for step in &mut case.steps {
        let mut headers = HeaderList::new();
        for h in step.request.headers.iter() {
            let mut value = h.value.to_vec();
            let huge = h.name.eq_ignore_ascii_case(b"range")
                && value.split(|b| !b.is_ascii_digit()).any(|digits| {
                    !digits.is_empty() && std::str::from_utf8(digits).ok().and_then(|d| d.parse::<i64>().ok()).is_none()
                });
            if huge {
                value.push(b',');
                changed = true;
            }
            headers.push(cors_harness::header::Header { name: h.name.clone(), value: value.into() });
        }
        step.request.headers = headers;
    }
    changed
}

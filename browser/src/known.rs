//! Disagreements a browser profile cannot model, analysed and reported. Every deterministic
//! deviation of a browser from the standard is a switch of its profile
//! (`cors_harness::profile`, `BROWSER-DEVIATIONS.md`); what is left here is either
//! nondeterministic (preflight-cache evictions, which the standard allows) or invisible to
//! script (wire bytes only). Each entry names the rule, what the standard says and what the
//! browser does, and explains a comparison *counterfactually* (it changes the case, or how the
//! oracle keeps its preflight cache, the way the browser behaves and re-judges the same
//! browser run: if everything then agrees, it explains the disagreement) or recognises it
//! directly. Anything else is new.

use cors_harness::Verdict;
use cors_harness::oracle::cache::PreflightCache;
use cors_harness::oracle::verdict::Unanswered;
use cors_harness::profile::BrowserProfile;

use crate::case::{BrowserCase, evaluate_step};
use crate::diff::{Comparison, judge_variant};

/// How the counterfactual oracle keeps its preflight cache between steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheQuirks {
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
    /// Changes the case (or the cache handling) the way the browser behaves; false if it
    /// cannot apply to this case.
    pub apply: fn(&mut BrowserCase, &mut CacheQuirks) -> bool,
    /// Disagreements the case change cannot express are recognised by this instead.
    pub recognise: Option<fn(&Comparison) -> bool>,
}

/// Every known disagreement between a browser and its profile that the profile cannot model
/// (BROWSER-DEVIATIONS.md, "not modelled").
pub static KNOWN: &[Known] = &[
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

/// The known disagreements that together explain a comparison (one, or both); empty if none
/// does (a new disagreement).
pub fn classify(c: &Comparison) -> Vec<&'static Known> {
    if c.harness_error.is_some() || c.agrees() {
        return Vec::new();
    }
    for k in KNOWN {
        if k.recognise.is_some_and(|r| r(c)) || variant(c, k).is_some_and(|v| v.agrees()) {
            return vec![k];
        }
    }
    // Both: a case changed by one entry whose only remaining difference another recognises.
    for k in KNOWN {
        if let Some(v) = variant(c, k) {
            let others: Vec<&'static Known> =
                KNOWN.iter().filter(|o| !std::ptr::eq(*o, k) && o.recognise.is_some_and(|r| r(&v))).collect();
            if let Some(other) = others.first() {
                return vec![k, other];
            }
        }
    }
    Vec::new()
}

/// The same browser run judged against the oracle with `k` applied to the case; `None` if `k`
/// cannot apply to it.
fn variant(c: &Comparison, k: &Known) -> Option<Comparison> {
    let mut variant = c.ran.relocated.clone();
    let mut quirks = CacheQuirks::default();
    if !(k.apply)(&mut variant, &mut quirks) {
        return None;
    }
    let eval =
        move |case: &BrowserCase, store: &[u64], profile: &BrowserProfile| evaluate_with(case, store, profile, quirks);
    Some(judge_variant(c, &variant, &eval))
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
    let mut cache = PreflightCache::new();
    let mut verdicts = Vec::with_capacity(case.steps.len());
    for (step, &store) in case.steps.iter().zip(store_ms) {
        if quirks.none_for_all {
            cache = PreflightCache::new();
        }
        verdicts.push(evaluate_step(&step.request, &script, profile, &mut cache, step.at_ms, store)?);
    }
    Ok(verdicts)
}

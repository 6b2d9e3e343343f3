//! Runs the WPT-derived vectors in `tests/vectors/*.jsonl` through the oracle.
//!
//! Each vector's `expect` holds only what its web-platform-tests assertion checks; the
//! expectation comes from WPT, never from this oracle. A vector without `browser` must hold
//! under every built-in profile.

use std::path::{Path, PathBuf};

use cors_harness::case_json::{CaseJson, VerdictLine};
use cors_harness::profile;
use cors_harness::rule::Rule;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Vector {
    id: String,
    source: String,
    rules: Vec<String>,
    expect: Expect,
    /// Where `expect` deviates from the WPT assertion (stale test, test-server artifact), the
    /// WPT assertion itself; `deviation` says why.
    wpt_expect: Option<Expect>,
    deviation: Option<String>,
    /// Profiles whose browsers do what the WPT assertion says (a documented deviation from the
    /// standard, `BROWSER-DEVIATIONS.md`): under them `wpt_expect` must hold, and `expect` not.
    #[serde(default)]
    browsers_follow_wpt: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    readable: Option<bool>,
    preflight_required: Option<bool>,
    #[serde(default, deserialize_with = "some")]
    acrm: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    acrh: Option<Option<String>>,
    actual_sent: Option<bool>,
    #[serde(default, deserialize_with = "some")]
    origin_sent: Option<Option<String>>,
    exposed_include: Option<Vec<String>>,
    exposed_exclude: Option<Vec<String>>,
    exposed_headers: Option<Vec<String>>,
    failed_rule: Option<String>,
}

/// Distinguishes `"acrh": null` (expect absent) from no `acrh` key (not checked).
fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub fn vector_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

fn check(expect: &Expect, got: &VerdictLine) -> Vec<String> {
    let mut bad = Vec::new();
    let mut cmp = |field: &str, want: String, have: String| {
        if want != have {
            bad.push(format!("{field}: expected {want}, oracle says {have}"));
        }
    };
    if let Some(w) = expect.readable {
        cmp("readable", w.to_string(), got.readable.to_string());
    }
    if let Some(w) = expect.preflight_required {
        cmp("preflight_required", w.to_string(), got.preflight_required.to_string());
    }
    if let Some(w) = &expect.acrm {
        cmp("acrm", format!("{w:?}"), format!("{:?}", got.acrm));
    }
    if let Some(w) = &expect.acrh {
        cmp("acrh", format!("{w:?}"), format!("{:?}", got.acrh));
    }
    if let Some(w) = expect.actual_sent {
        cmp("actual_sent", w.to_string(), got.actual_sent.to_string());
    }
    if let Some(w) = &expect.origin_sent {
        cmp("origin_sent", format!("{w:?}"), format!("{:?}", got.origin_sent));
    }
    if let Some(w) = &expect.exposed_headers {
        cmp("exposed_headers", format!("{w:?}"), format!("{:?}", got.exposed_headers));
    }
    if let Some(w) = &expect.failed_rule {
        cmp("failed_rule", format!("{:?}", Some(w)), format!("{:?}", got.failed_rule));
    }
    let exposed = got.exposed_headers.clone().unwrap_or_default();
    for name in expect.exposed_include.iter().flatten() {
        if !exposed.contains(&name.to_ascii_lowercase()) {
            bad.push(format!("exposed_include: {name:?} not visible (visible: {exposed:?})"));
        }
    }
    for name in expect.exposed_exclude.iter().flatten() {
        if exposed.contains(&name.to_ascii_lowercase()) {
            bad.push(format!("exposed_exclude: {name:?} is visible"));
        }
    }
    bad
}

#[test]
fn wpt_vectors_match_the_oracle() {
    let mut total = 0;
    let mut deviations = 0;
    let mut failures = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for file in vector_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let at = format!("{}:{}", file.file_name().unwrap().to_string_lossy(), n + 1);
            let vector: Vector = serde_json::from_str(line).unwrap_or_else(|e| panic!("{at}: {e}"));
            let case: CaseJson = serde_json::from_str(line).unwrap_or_else(|e| panic!("{at}: {e}"));
            assert!(ids.insert(vector.id.clone()), "{at}: duplicate id {}", vector.id);
            assert!(!vector.source.is_empty(), "{at}: no WPT source");
            assert!(!vector.rules.is_empty(), "{at}: no rule IDs");
            for r in &vector.rules {
                assert!(Rule::from_id(r).is_some(), "{at}: unknown rule {r}");
            }
            let profiles: Vec<&'static profile::BrowserProfile> = match &case.browser {
                Some(name) => {
                    vec![profile::BrowserProfile::by_name(name).unwrap_or_else(|| panic!("{at}: browser {name}"))]
                }
                None => profile::ALL.to_vec(),
            };
            for p in profiles {
                total += 1;
                let case = case.to_case(p).unwrap_or_else(|e| panic!("{at}: {e}"));
                let verdict = case.evaluate().unwrap_or_else(|e| panic!("{at}: {e}"));
                let line = VerdictLine::new(serde_json::Value::String(vector.id.clone()), &verdict);
                let follows_wpt = vector.browsers_follow_wpt.iter().any(|b| b == p.name);
                for b in &vector.browsers_follow_wpt {
                    assert!(profile::BrowserProfile::by_name(b).is_some(), "{at}: unknown profile {b}");
                }
                let bad = match (&vector.wpt_expect, follows_wpt) {
                    (Some(wpt), true) => {
                        if check(&vector.expect, &line).is_empty() {
                            failures.push(format!(
                                "{at} {} [{}]: the profile now follows the standard; drop it from browsers_follow_wpt",
                                vector.id, p.name
                            ));
                        }
                        check(wpt, &line)
                    }
                    (None, true) => panic!("{at}: browsers_follow_wpt without wpt_expect"),
                    (_, false) => check(&vector.expect, &line),
                };
                if let Some(wpt) = vector.wpt_expect.as_ref().filter(|_| !follows_wpt) {
                    assert!(vector.deviation.is_some(), "{at}: wpt_expect without a deviation note");
                    deviations += 1;
                    if check(wpt, &line).is_empty() {
                        failures.push(format!(
                            "{at} {}: the oracle now agrees with the original WPT assertion; drop the deviation",
                            vector.id
                        ));
                    }
                }
                if !bad.is_empty() {
                    failures.push(format!(
                        "{at} {} [{}] ({}): {}\n    oracle: {}",
                        vector.id,
                        p.name,
                        vector.source,
                        bad.join("; "),
                        line.explanation
                    ));
                }
            }
        }
    }
    assert!(total > 0, "no vectors found");
    assert!(
        failures.is_empty(),
        "{} of {total} vector evaluations disagree with WPT:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{total} vector evaluations agree with WPT ({deviations} documented deviations)");
}

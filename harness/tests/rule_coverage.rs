//! Keeps the rule IDs honest: the `Rule` enum matches the digest, and every normative rule
//! is exercised by at least one WPT vector or one test named after it (`fn pre8_...`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cors_harness::rule::{Rule, RuleStatus};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(id, status tag)` of every rule the digest defines (`- **CHK-3 [N]** ...`).
fn digest_rules(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| {
            let (id, rest) = l.split_once(' ')?;
            let tag = rest.strip_prefix('[')?.split_once(']')?.0;
            let valid = id
                .split_once('-')
                .is_some_and(|(p, n)| p.chars().all(|c| c.is_ascii_uppercase()) && n.parse::<u32>().is_ok());
            valid.then(|| (id.to_owned(), tag.to_owned()))
        })
        .collect()
}

fn status_of(tag: &str) -> RuleStatus {
    match tag {
        "N-derived" => RuleStatus::NormativeDerived,
        "BP" => RuleStatus::BestPractice,
        "B" => RuleStatus::Browser,
        t if t == "N" || t.starts_with("N/") || t.starts_with("N,") => RuleStatus::Normative,
        other => panic!("unknown status tag [{other}]"),
    }
}

#[test]
fn rule_enum_matches_the_digest() {
    let text = std::fs::read_to_string(root().join("spec/cors-fetch-digest.md")).unwrap();
    let rules = digest_rules(&text);
    let ids: Vec<&str> = rules.iter().map(|(id, _)| id.as_str()).collect();
    let ours: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(ids, ours, "Rule::ALL differs from the digest's rule list");
    for (id, tag) in &rules {
        assert_eq!(Rule::from_id(id).unwrap().status(), status_of(tag), "{id} [{tag}]");
    }
}

/// The vendored digest is a copy of the team's `shared/spec` digest; when that changes, the
/// copy (and `Rule`) must follow. Checked where the shared folder sits beside the checkout.
#[test]
fn vendored_digest_is_current() {
    let shared = root().join("../../shared/spec/cors-fetch-digest.md");
    let Ok(upstream) = std::fs::read_to_string(&shared) else {
        eprintln!("{} not present: nothing to compare with", shared.display());
        return;
    };
    let ours = std::fs::read_to_string(root().join("spec/cors-fetch-digest.md")).unwrap();
    assert!(ours == upstream, "shared/spec/cors-fetch-digest.md changed: copy it to harness/spec/ and update Rule");
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Rule tokens (`pre8`) that start or appear as `_`-separated words in `#[test]` fn names.
fn rules_named_by_tests() -> BTreeSet<Rule> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("tests"), &mut files);
    let mut covered = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(after) = line.trim_start().strip_prefix("fn ") else { continue };
            let is_test =
                lines[i.saturating_sub(3)..i].iter().any(|l| l.contains("#[test]") || l.contains("proptest!"))
                    || lines[..i].iter().rev().take(400).any(|l| l.contains("proptest! {"));
            if !is_test {
                continue;
            }
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            for word in name.split('_') {
                for &rule in Rule::ALL {
                    if word == rule.id().to_ascii_lowercase().replace('-', "") {
                        covered.insert(rule);
                    }
                }
            }
        }
    }
    covered
}

fn rules_named_by_vectors() -> BTreeSet<Rule> {
    let dir = root().join("tests/vectors");
    let mut covered = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for id in v["rules"].as_array().into_iter().flatten() {
                covered.extend(id.as_str().and_then(Rule::from_id));
            }
        }
    }
    covered
}

#[test]
fn every_normative_rule_is_covered() {
    let by_tests = rules_named_by_tests();
    let by_vectors = rules_named_by_vectors();
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .filter(|r| r.is_normative() && !by_tests.contains(r) && !by_vectors.contains(r))
        .map(|r| r.id())
        .collect();
    assert!(missing.is_empty(), "normative rules with no vector and no test named after them: {missing:?}");
    eprintln!(
        "normative rules covered: {} by tests, {} by vectors",
        Rule::ALL.iter().filter(|r| r.is_normative() && by_tests.contains(r)).count(),
        Rule::ALL.iter().filter(|r| r.is_normative() && by_vectors.contains(r)).count()
    );
}

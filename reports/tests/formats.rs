//! Every format rendered from the fixtures: snapshots of the realistic run, structural checks
//! (JSON round trip, JUnit parses, SARIF validates against the official schema), redaction of
//! credentials, and odd data that must neither panic nor reach a terminal raw.

mod support;

use std::collections::BTreeMap;

use cors_reports::{
    Format, MarkdownOptions, RenderOptions, SarifOptions, TerminalOptions, json, junit, markdown, render, sarif,
    terminal,
};
use serde_json::Value;
use support::{SECRETS, empty, fixture, leaky, odd};

fn sarif_options() -> SarifOptions {
    SarifOptions {
        policy_files: BTreeMap::from([("single-origin".to_owned(), "cors/policies/single-origin.toml".to_owned())]),
    }
}

fn all_options() -> RenderOptions {
    RenderOptions { color: false, width: Some(100), top: 10, policy_files: sarif_options().policy_files }
}

/// The outputs of every format for `report`, colours on and off.
fn every_output(report: &cors_reports::RunReport) -> Vec<(String, String)> {
    let mut outputs: Vec<(String, String)> =
        Format::ALL.iter().map(|&f| (f.to_string(), render(f, report, &all_options()))).collect();
    for (color, width, top) in [(true, None, 100), (false, Some(1), 0), (true, Some(40), 1)] {
        let options = TerminalOptions { color, width, top };
        outputs.push((format!("terminal {options:?}"), terminal::render(report, &options)));
    }
    outputs
}

#[test]
fn terminal_snapshot() {
    let text = terminal::render(&fixture(), &TerminalOptions { color: false, width: None, top: 10 });
    insta::assert_snapshot!("terminal", text);
}

#[test]
fn terminal_narrow_snapshot() {
    // 60 columns: the matrices split into two tables each; prose wraps; two findings shown.
    let text = terminal::render(&fixture(), &TerminalOptions { color: false, width: Some(60), top: 2 });
    insta::assert_snapshot!("terminal_narrow", text);
}

#[test]
fn terminal_colours_are_sgr_only_and_change_nothing_else() {
    let plain = terminal::render(&fixture(), &TerminalOptions { color: false, width: Some(80), top: 10 });
    let colored = terminal::render(&fixture(), &TerminalOptions { color: true, width: Some(80), top: 10 });
    assert!(!plain.contains('\u{1b}'));
    assert!(colored.contains("\u{1b}["));
    assert_eq!(strip_sgr(&colored), plain);
}

/// Removes `ESC [ digits/semicolons m`; panics on any other escape sequence.
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        assert!(after.starts_with('['), "not an SGR sequence: {:?}", &after[..after.len().min(10)]);
        let end = after[1..].find(|c: char| !(c.is_ascii_digit() || c == ';')).map(|i| i + 1).expect("sequence ends");
        assert_eq!(&after[end..end + 1], "m", "not an SGR sequence");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", markdown::render(&fixture(), &MarkdownOptions::default()));
}

#[test]
fn markdown_top_limits_the_findings() {
    let text = markdown::render(&fixture(), &MarkdownOptions { top: Some(1) });
    assert_eq!(text.matches("<details>").count(), 1);
    assert!(text.contains("… and 4 more findings"));
}

#[test]
fn json_snapshot_and_round_trip() {
    let report = fixture();
    let text = json::render(&report);
    insta::assert_snapshot!("json", text);
    assert_eq!(json::parse(&text).unwrap(), report);
    // Odd data survives byte for byte (JSON escapes what needs escaping).
    let odd = odd();
    assert_eq!(json::parse(&json::render(&odd)).unwrap(), odd);
    assert_eq!(json::parse(&json::render(&empty())).unwrap(), empty());
}

#[test]
fn json_keys_keep_field_order() {
    let text = json::render(&fixture());
    let keys: Vec<usize> =
        ["\"tool\"", "\"profile\"", "\"seed\"", "\"generated\"", "\"duration_ms\"", "\"interrupted\"", "\"runs\""]
            .iter()
            .map(|k| text.find(k).unwrap())
            .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
}

#[test]
fn junit_snapshot_and_parse() {
    let text = junit::render(&fixture());
    insta::assert_snapshot!("junit", text);
    let parsed = quick_junit::Report::deserialize_from_str(&text).expect("valid JUnit XML");
    assert_eq!(parsed.test_suites.len(), 6);
    // lenient-cors · single-origin: 2 passing groups, 3 failures, 1 error (execution).
    let suite = &parsed.test_suites[0];
    assert_eq!(suite.name.as_str(), "lenient-cors / single-origin");
    assert_eq!((suite.tests, suite.failures, suite.errors), (6, 3, 1));
    // Unsupported: one skipped case; failed to start: one error.
    let unsupported = &parsed.test_suites[5];
    assert_eq!(unsupported.test_cases.len(), 1);
    assert!(matches!(unsupported.test_cases[0].status, quick_junit::TestCaseStatus::Skipped { .. }));
    assert_eq!(parsed.test_suites[4].errors, 1);
    // The failure text carries the reproduction.
    assert!(
        text.contains("$ curl -i -H &apos;origin: https://evilapp.example.com&apos;")
            || text.contains("$ curl -i -H 'origin: https://evilapp.example.com'")
    );
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", sarif::render(&fixture(), &sarif_options()));
}

fn sarif_validator() -> jsonschema::Validator {
    // The OASIS SARIF 2.1.0 schema (errata 01), vendored: tests never reach the network.
    let schema: Value = serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, text: &str) {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    for report in [fixture(), leaky(), odd(), empty()] {
        assert_valid_sarif(&validator, &sarif::render(&report, &sarif_options()));
        assert_valid_sarif(&validator, &sarif::render(&report, &SarifOptions::default()));
    }
    // The validator does reject what the schema forbids.
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]})));
}

#[test]
fn sarif_content() {
    let log: Value = serde_json::from_str(&sarif::render(&fixture(), &sarif_options())).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cors-harness");
    assert_eq!(run["tool"]["driver"]["version"], "0.1.0");
    let rules: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["PRE-10", "SRV-4", "SRV-7", "SRV-9", "EXEC"]);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], id);
    }
    let levels: Vec<&str> = results.iter().map(|r| r["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["error", "warning", "warning", "warning", "warning"]);
    // single-origin has a file: a physical location GitHub can show; subdomains has none.
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "cors/policies/single-origin.toml"
    );
    assert!(results[4]["locations"][0].get("physicalLocation").is_none());
    assert_eq!(results[4]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "lenient-cors/subdomains");
    // Generated findings are fingerprinted by group, not by the seed-dependent probe ID.
    assert_eq!(
        results[3]["partialFingerprints"]["corsFinding/v1"],
        "lenient-cors/single-origin/generated/execution/EXEC"
    );
    let notifications = run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 4, "interrupted run, interrupted pair, failed pair, unsupported pair");
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn render_dispatches_to_each_format() {
    let report = fixture();
    let options = all_options();
    let terminal_options = TerminalOptions { color: false, width: Some(100), top: 10 };
    assert_eq!(render(Format::Terminal, &report, &options), terminal::render(&report, &terminal_options));
    assert_eq!(render(Format::Json, &report, &options), json::render(&report));
    assert_eq!(render(Format::Junit, &report, &options), junit::render(&report));
    assert_eq!(render(Format::Sarif, &report, &options), sarif::render(&report, &sarif_options()));
    let markdown_options = MarkdownOptions { top: Some(10) };
    assert_eq!(render(Format::Markdown, &report, &options), markdown::render(&report, &markdown_options));
    assert_eq!(RenderOptions::default().terminal(), TerminalOptions::default());
}

#[test]
fn credentials_never_reach_any_format() {
    let report = leaky();
    for (format, text) in every_output(&report) {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{format} prints {secret}");
        }
        if format != "terminal TerminalOptions { color: false, width: Some(1), top: 0 }" {
            assert!(text.contains("<redacted>") || text.contains("&lt;redacted&gt;"), "{format}");
            assert!(text.contains("visible"), "{format} redacts too much");
        }
    }
    // Redacting an already redacted report changes nothing.
    let clean = fixture();
    assert_eq!(cors_reports::redact_report(&clean), clean);
}

#[test]
fn odd_data_renders_everywhere_without_raw_control_characters() {
    let validator = sarif_validator();
    for report in [odd(), empty()] {
        for (format, text) in every_output(&report) {
            match format.as_str() {
                "json" => assert_eq!(json::parse(&text).unwrap(), report),
                "sarif" => assert_valid_sarif(&validator, &text),
                "junit" => {
                    quick_junit::Report::deserialize_from_str(&text).unwrap_or_else(|e| panic!("junit: {e}"));
                }
                _ => {}
            }
            let stripped = if format.contains("color: true") { strip_sgr(&text) } else { text.clone() };
            let raw = stripped.chars().find(|&c| (c.is_control() && c != '\n') || c == '\u{202e}');
            assert_eq!(raw, None, "{format} prints a raw control character");
        }
    }
}

#[test]
fn odd_markdown_cannot_break_out() {
    let text = markdown::render(&odd(), &MarkdownOptions::default());
    // The five-backtick value sits inside a longer fence; HTML from the target is escaped in
    // prose and inert in code spans.
    assert!(text.contains("``````http\n"));
    assert!(text.contains("``ori`gin|x/<script>alert(1)</script>``"));
    assert!(text.contains(r"\`\`\`\\n# heading\\n- item \\u{1b}\[2J"));
    for line in text.lines().filter(|l| l.contains("<script>")) {
        assert!(line.contains("``ori`gin"), "raw HTML outside a code span: {line}");
    }
}

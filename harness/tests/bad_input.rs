//! Bad input never crashes the oracle's front doors: arbitrary bytes and mutations of valid
//! lines through the JSON Lines reader (`cors-harness verdict`) give a verdict or an error
//! line, never a panic. (Origin, header-list and policy parsers: see `properties.rs` and
//! `policy_file.rs`.)

use cors_harness::profile::CHROMIUM;
use cors_harness::verdict_stream::{judge, judge_lines};
use proptest::prelude::*;

const VALID: &str = r#"{"id": "c1", "request": {"url": "http://api.example.test:8080/data?x=1", "origin": "http://app.example.test:8000", "method": "PUT", "headers": [["Content-Type", "application/json"], ["X-A", "1"]], "credentials": "include"}, "history": [{"request": {"url": "http://api.example.test:8080/data?x=1", "origin": "http://app.example.test:8000", "method": "PUT", "credentials": "include"}, "time": 0}], "time": 1.5, "server": {"http://api.example.test:8080/data?x=1": {"preflight": {"status": 204, "headers": [["Access-Control-Allow-Origin", "http://app.example.test:8000"], ["Access-Control-Allow-Credentials", "true"], ["Access-Control-Allow-Methods", "PUT"], ["Access-Control-Allow-Headers", "content-type, x-a"], ["Access-Control-Max-Age", "60"]]}, "response": {"status": 302, "headers": [["Location", "/next"], ["Access-Control-Allow-Origin", "http://app.example.test:8000"], ["Access-Control-Allow-Credentials", "true"]]}}, "http://api.example.test:8080/next": {"preflight": {"status": 200, "headers": [["Access-Control-Allow-Origin", "http://app.example.test:8000"], ["Access-Control-Allow-Credentials", "true"], ["Access-Control-Allow-Methods", "PUT"], ["Access-Control-Allow-Headers", "content-type, x-a"]]}, "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "http://app.example.test:8000"], ["Access-Control-Allow-Credentials", "true"]]}}}}"#;

#[test]
fn the_valid_seed_line_is_judged() {
    let line = judge(VALID.as_bytes(), &CHROMIUM).expect("the seed is valid");
    assert!(line.readable, "{line:?}");
    assert!(!line.preflight_required && line.preflight_cached, "the history filled the cache: {line:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_judged_or_rejected(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = judge(&bytes, &CHROMIUM);
    }

    /// Byte-level mutations of a valid line: overwrite, insert, delete.
    #[test]
    fn mutated_lines_are_judged_or_rejected(
        edits in prop::collection::vec((0usize..VALID.len(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            match op {
                0 if !bytes.is_empty() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if !bytes.is_empty() => { bytes.remove(at); }
                _ => {}
            }
        }
        let mut out = Vec::new();
        let bad = judge_lines(&bytes[..], &mut out, &CHROMIUM).unwrap();
        // One output line per non-blank input line, each valid JSON, errors counted.
        let lines: Vec<serde_json::Value> = out.split(|&b| b == b'\n').filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap()).collect();
        let input_lines = bytes.split(|&b| b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count();
        prop_assert_eq!(lines.len(), input_lines);
        prop_assert_eq!(bad as usize, lines.iter().filter(|l| l.get("error").is_some()).count());
    }

    /// Structured mutations: every string value of the valid line replaced by arbitrary text.
    #[test]
    fn arbitrary_field_values_are_judged_or_rejected(value in "\\PC{0,30}", which in 0usize..40) {
        let mut v: serde_json::Value = serde_json::from_str(VALID).unwrap();
        let mut n = 0;
        replace_nth_string(&mut v, which, &value, &mut n);
        let _ = judge(v.to_string().as_bytes(), &CHROMIUM);
    }
}

fn replace_nth_string(v: &mut serde_json::Value, target: usize, with: &str, n: &mut usize) {
    match v {
        serde_json::Value::String(s) => {
            if *n == target {
                *s = with.to_owned();
            }
            *n += 1;
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| replace_nth_string(i, target, with, n)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| replace_nth_string(i, target, with, n)),
        _ => {}
    }
}

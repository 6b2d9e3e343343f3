//! `cors-harness verdict` end to end: the binary, stdin to stdout.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(input: &str, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cors-harness"))
        .arg("verdict")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

const ISSUE_EXAMPLE: &str = r#"{"id": "c1", "browser": "chromium", "request": {"url": "http://api.example.test:8080/data", "origin": "http://app.example.test:8000", "method": "PUT", "headers": [["Content-Type", "application/json"]], "credentials": "include"}, "server": {"http://api.example.test:8080/data": {"preflight": {"status": 204, "headers": [["Access-Control-Allow-Origin", "http://app.example.test:8000"]]}, "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "http://app.example.test:8000"]]}}}}"#;

#[test]
fn chk5_the_issue_example_fails_its_credentialed_preflight() {
    let (code, out) = run(ISSUE_EXAMPLE, &[]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["id"], "c1");
    assert_eq!(v["preflight_required"], true);
    assert_eq!(v["acrm"], "PUT");
    assert_eq!(v["acrh"], "content-type");
    assert_eq!(v["actual_sent"], false);
    assert_eq!(v["readable"], false);
    assert_eq!(v["exposed_headers"], serde_json::Value::Null);
    assert_eq!(v["failed_rule"], "CHK-5");
    assert!(v["explanation"].as_str().unwrap().contains("Access-Control-Allow-Credentials"));
}

#[test]
fn bad_lines_get_error_lines_and_exit_1_while_good_lines_go_on() {
    let input = format!(
        "{ISSUE_EXAMPLE}\nnot json\n\n{{\"id\": 7, \"request\": {{\"url\": \"http://a.test/\", \"origin\": \"http://b.test/\"}}, \"server\": {{}}}}\n{ISSUE_EXAMPLE}\n"
    );
    let (code, out) = run(&input, &[]);
    assert_eq!(code, 1);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "blank lines are skipped, every other line answered");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("invalid case"));
    assert_eq!(lines[2]["id"], 7);
    assert_eq!(lines[2]["line"], 4);
    assert!(lines[2]["error"].as_str().unwrap().contains("trailing slash"), "{}", lines[2]);
    assert_eq!(lines[3]["failed_rule"], "CHK-5");
}

#[test]
fn unanswered_requests_are_errors_not_guesses() {
    let input = r#"{"id": "u", "request": {"url": "http://api.example.test/x", "origin": "http://web.example.test", "method": "PUT"}, "server": {}}"#;
    let (code, out) = run(input, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("no scripted answer for the preflight"), "{out}");
}

#[test]
fn pre12_browser_flag_selects_the_profile() {
    let line = r#"{"id": "m", "history": [{"request": {"url": "http://api.example.test/x", "origin": "http://web.example.test", "method": "PUT"}, "time": 0}], "time": 7201, "request": {"url": "http://api.example.test/x", "origin": "http://web.example.test", "method": "PUT"}, "server": {"http://api.example.test/x": {"preflight": {"status": 204, "headers": [["Access-Control-Allow-Origin", "*"], ["Access-Control-Allow-Methods", "PUT"], ["Access-Control-Max-Age", "86400"]]}, "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]}}}}"#;
    let (_, chromium) = run(line, &[]);
    let (_, spec) = run(line, &["--browser", "spec"]);
    let pre = |out: &str| serde_json::from_str::<serde_json::Value>(out.trim()).unwrap()["preflight_required"].clone();
    assert_eq!(pre(&chromium), true, "chromium caps max-age at 7200 s");
    assert_eq!(pre(&spec), false, "the standard has no cap");
}

//! `cors-harness policy check` end to end.

use std::process::Command;

fn check(files: &[&str], extra: &[&str]) -> (i32, String, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../harness/tests/policies/");
    let out = Command::new(env!("CARGO_BIN_EXE_cors-harness"))
        .args(["policy", "check"])
        .args(extra)
        .args(files.iter().map(|f| format!("{dir}{f}")))
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn orig1_a_bad_origin_is_reported_with_file_line_column_and_hint() {
    let (code, _, err) = check(&["invalid/origin-trailing-slash.toml"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("origin-trailing-slash.toml:4:3"), "{err}");
    assert!(err.contains("remove the trailing slash"), "{err}");
}

#[test]
fn srv5_warnings_load_but_can_be_denied() {
    let (code, _, err) = check(&["warn/any-origin-credentials.toml"], &[]);
    assert_eq!(code, 0);
    assert!(err.contains("every website can read"), "{err}");
    assert!(err.contains("ok (1 warning)"), "{err}");
    let (code, _, _) = check(&["warn/any-origin-credentials.toml"], &["--deny-warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn example_policies_check_clean_and_print_normalized() {
    let (code, out, err) = check(&["single-origin.toml", "public-api.toml"], &["--print"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("origins = ["), "{out}");
    assert!(!err.contains('⚠'), "{err}");
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let (code, _, err) = check(&["does-not-exist.toml"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read policy file"), "{err}");
}

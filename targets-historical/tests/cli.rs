//! The `cors-harness-historical` binary: the `cors-harness` command line with the pins as its
//! targets (`cargo run --release -- matrix --target tower-http-0.2.0`).

use std::process::Command;

fn cli(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cors-harness-historical"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn list_targets_shows_every_pin_of_this_workspace() {
    let (ok, stdout, _) = cli(&["matrix", "--list-targets"]);
    assert!(ok);
    let names: Vec<&str> = stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(names, ["tower-http-0.2.0", "tower-http-0.3.0", "actix-cors-0.5.0", "warp-0.3.0", "salvo-cors-0.93.0"]);
}

#[test]
fn srv9_matrix_on_tower_http_0_2_0_reports_the_missing_vary() {
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../harness/tests/policies/two-frontends-credentials.toml");
    let args = ["matrix", "--target", "tower-http-0.2.0", "--policy", policy, "--seed", "20261126", "--cases", "50"];
    let (ok, stdout, stderr) = cli(&[&args[..], &["--format", "json", "--fail-on", "protocol"]].concat());
    assert!(!ok, "--fail-on protocol fails on the missing Vary:\n{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["target"], "tower-http-0.2.0");
    let findings = runs[0]["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["class"] == "protocol" && f["rule"] == "SRV-9"), "{findings:#?}");
}

#[test]
fn fixed_configurations_are_not_applicable_under_other_policies() {
    // salvo-cors 0.93.0 under the built-in policies: n/a for each, with the reason.
    let (ok, stdout, _) =
        cli(&["matrix", "--target", "salvo-cors-0.93.0", "--cases", "10", "--seed", "1", "--format", "json"]);
    assert!(ok);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 5);
    for run in runs {
        assert_eq!(run["status"]["status"], "unsupported", "{run:#}");
        let feature = run["status"]["feature"].as_str().unwrap();
        assert!(feature.starts_with("a policy other than policies/any-origin-credentials.toml"), "{feature}");
    }
}

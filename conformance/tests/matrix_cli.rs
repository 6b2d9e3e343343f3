//! `cors-harness matrix` end to end: the main job, its formats, narrowing, exit statuses,
//! broken targets and Ctrl-C.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn policy(name: &str) -> String {
    format!("{}/../harness/tests/policies/{name}.toml", env!("CARGO_MANIFEST_DIR"))
}

fn matrix(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cors-harness")).arg("matrix").args(args).env("CI", "1").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

#[test]
fn the_reference_server_passes_every_builtin_policy() {
    let out = matrix(&["--target", "reference", "--cases", "200", "--seed", "5", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("seed 5 (replay with --seed 5)"));
    let report = json(&out);
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 5, "one run per built-in policy");
    for run in runs {
        assert_eq!(run["status"]["status"], "completed", "{run}");
        assert_eq!(run["findings"].as_array().unwrap().len(), 0, "{run}");
        let generated = run["groups"].as_array().unwrap().iter().find(|g| g["group"] == "generated").unwrap();
        assert_eq!(generated["probes"], 200);
    }
}

#[test]
fn the_same_seed_replays_the_same_report() {
    let args = ["--target", "warp", "--policy", &policy("single-origin"), "--cases", "100", "--seed", "9"];
    let a = matrix(&[&args[..], &["--format", "json"]].concat());
    let b = matrix(&[&args[..], &["--format", "json"]].concat());
    let (mut a, mut b) = (json(&a), json(&b));
    a["duration_ms"] = 0.into();
    b["duration_ms"] = 0.into();
    assert_eq!(a, b);
}

#[test]
fn the_terminal_matrix_shows_targets_groups_and_findings_with_curl() {
    let out =
        matrix(&["--target", "reference", "--target", "warp", "--policy", &policy("single-origin"), "--cases", "50"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for expected in
        ["policy single-origin", "reference", "warp", "origin", "preflight", "generated", "SRV-9", "curl -i"]
    {
        assert!(stdout.contains(expected), "{expected:?} missing from:\n{stdout}");
    }
}

#[test]
fn fail_on_sets_the_exit_status() {
    let base = ["--target", "warp", "--policy", &policy("single-origin"), "--cases", "20", "--format", "json"];
    assert_eq!(matrix(&base).status.code(), Some(0), "findings alone do not fail the run");
    assert_eq!(matrix(&[&base[..], &["--fail-on", "security"]].concat()).status.code(), Some(0));
    assert_eq!(matrix(&[&base[..], &["--fail-on", "security,protocol"]].concat()).status.code(), Some(1));
}

#[test]
fn every_format_writes_its_file_atomically() {
    let dir = std::env::temp_dir().join(format!("cors-harness-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (format, marker) in [
        ("json", "\"runs\""),
        ("junit", "<testsuites"),
        ("sarif", "\"version\": \"2.1.0\""),
        ("markdown", "| target |"),
    ] {
        let path = dir.join(format!("report.{format}"));
        let out = matrix(&[
            "--target",
            "tower-http",
            "--policy",
            &policy("public-api"),
            "--cases",
            "20",
            "--seed",
            "11",
            "--format",
            format,
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.contains(marker), "{format}: {written}");
        assert!(!written.contains("Bearer"), "{format}: credentials must be redacted");
    }
    // Only the reports: no temporary files left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_targets_and_browsers_are_usage_errors() {
    let out = matrix(&["--target", "no-such-middleware"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--list-targets"));
    assert_eq!(matrix(&["--browser", "netscape"]).status.code(), Some(2));
    let listed = matrix(&["--list-targets"]);
    let stdout = text(&listed.stdout);
    for name in ["reference", "tower-http", "fault-hang", "fault-panic"] {
        assert!(stdout.contains(name), "{stdout}");
    }
}

#[test]
fn a_bad_policy_file_is_reported_with_its_location() {
    let bad = format!("{}/../harness/tests/policies/invalid/origin-trailing-slash.toml", env!("CARGO_MANIFEST_DIR"));
    let out = matrix(&["--policy", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("origin-trailing-slash.toml:4:3"), "{}", text(&out.stderr));
}

/// Every fault target: the matrix completes, reports execution divergences, and does not
/// hang (a hang costs one timeout per request; the run stays bounded).
#[test]
fn broken_targets_become_execution_findings() {
    for fault in ["fault-hang", "fault-reset", "fault-garbage", "fault-huge-header", "fault-panic"] {
        let started = Instant::now();
        let out = matrix(&[
            "--target",
            fault,
            "--policy",
            &policy("single-origin"),
            "--cases",
            "30",
            "--timeout-ms",
            "300",
            "--seed",
            "3",
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{fault}: {}", text(&out.stderr));
        assert!(started.elapsed() < Duration::from_secs(60), "{fault}: {:?}", started.elapsed());
        let report = json(&out);
        let run = &report["runs"][0];
        assert_eq!(run["status"]["status"], "completed", "{fault}");
        let execution: u64 =
            run["groups"].as_array().unwrap().iter().map(|g| g["divergences"]["execution"].as_u64().unwrap()).sum();
        let probes: u64 = run["groups"].as_array().unwrap().iter().map(|g| g["probes"].as_u64().unwrap()).sum();
        // Generated probes that are script errors send nothing (and pass); all others fail.
        assert!(execution * 10 >= probes * 9, "{fault}: {execution} of {probes} probes got no answer");
        assert!(run["findings"].as_array().unwrap().iter().all(|f| f["class"] == "execution"), "{fault}");
    }
}

/// Ctrl-C (SIGINT) stops the run, prints the partial matrix, and exits 130.
#[test]
fn ctrl_c_prints_what_finished() {
    let child = Command::new(env!("CARGO_BIN_EXE_cors-harness"))
        .args(["matrix", "--target", "fault-hang", "--policy", &policy("single-origin"), "--cases", "2000"])
        .args(["--timeout-ms", "500"])
        .env("CI", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "stops soon after Ctrl-C: {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Interrupted"), "{stdout}");
    assert!(stdout.contains("fault-hang"), "{stdout}");
}

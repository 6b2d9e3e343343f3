//! The engine side of the historical tests, shared by this workspace's `tests/rediscovered.rs`
//! and `tower-http-0.3.4/tests/rediscovered.rs` (included there with `#[path]`): run a pin
//! through the engine as `cors-harness matrix` does, snapshot its findings in the shape of the
//! main workspace's `targets/tests/snapshots.rs`, and read what the main workspace's committed
//! snapshots say about the current release of the same crate.

#![allow(dead_code)] // each test crate uses its part

use std::path::{Path, PathBuf};

use cors_harness::adapter::Adapter;
use cors_harness::divergence::DivergenceClass;
use cors_harness::engine::{RunSettings, TargetOutcome, Watch, run_target};
use cors_harness::policy::Policy;
use cors_harness::report::{Finding, FindingSnapshot, RunSnapshot};
use cors_harness::rule::Rule;

/// The seed and count of generated probes, as in the main workspace's snapshots.
pub const SEED: u64 = 20261126;
pub const GENERATED: usize = 300;

/// `targets-historical/`, from this crate's or the 0.3.4 workspace's manifest directory.
pub fn historical_dir(manifest_dir: &str) -> PathBuf {
    let dir = Path::new(manifest_dir);
    if dir.ends_with("tower-http-0.3.4") { dir.parent().expect("a parent").to_owned() } else { dir.to_owned() }
}

/// A policy file of `targets-historical/policies/`.
pub fn policy_file(manifest_dir: &str, name: &str) -> Policy {
    let path = historical_dir(manifest_dir).join("policies").join(format!("{name}.toml"));
    Policy::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).policy
}

/// Runs the conformance catalogue and [`GENERATED`] probes from [`SEED`] against `adapter`'s
/// in-process target under `policy` (what `cors-harness matrix --target <name> --seed 20261126
/// --cases 300` does for one cell), snapshots the findings as
/// `tests/snapshots/rediscovered__<name>@<policy_name>.snap` in `targets-historical/`, and
/// returns them.
pub async fn rediscover(
    manifest_dir: &str,
    adapter: &'static dyn Adapter,
    policy_name: &str,
    policy: &Policy,
) -> Vec<Finding> {
    let outcome = outcome(adapter, policy).await;
    let snapshot = RunSnapshot {
        target: adapter.version().to_owned(),
        policy: policy_name.to_owned(),
        status: "ran".to_owned(),
        groups: outcome.groups.clone(),
        findings: outcome.findings.iter().map(FindingSnapshot::from).collect(),
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(historical_dir(manifest_dir).join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_yaml_snapshot!(format!("rediscovered__{}@{policy_name}", adapter.name()), snapshot);
    });
    outcome.findings
}

/// The catalogue and [`GENERATED`] probes from [`SEED`] against `adapter`'s in-process target
/// under `policy`: the findings, without a snapshot (controls).
pub async fn run(adapter: &'static dyn Adapter, policy: &Policy) -> Vec<Finding> {
    outcome(adapter, policy).await.findings
}

async fn outcome(adapter: &'static dyn Adapter, policy: &Policy) -> TargetOutcome {
    let url = url::Url::parse("http://api.example.test/data").unwrap();
    let mut probes = cors_harness::catalogue::catalogue(policy, &url);
    probes.extend(cors_harness::generate::probes(policy, &url, SEED, GENERATED));
    // Built off the async workers, as the matrix does (actix starts a thread and waits).
    let target = match tokio::task::block_in_place(|| adapter.in_process(policy)) {
        Ok(target) => target,
        Err(unsupported) => panic!("{} cannot run under this policy: {unsupported}", adapter.name()),
    };
    let outcome = run_target(target.as_ref(), policy, &probes, &RunSettings::default(), &Watch::default()).await;
    assert!(outcome.completed);
    outcome
}

/// The findings of `class` and `rule` on `probe`: a probe ID (`origin/allowed`), or a group
/// ending in `/` (`generated/`).
pub fn matching<'f>(findings: &'f [Finding], class: DivergenceClass, rule: Rule, probe: &str) -> Vec<&'f Finding> {
    findings
        .iter()
        .filter(|f| {
            f.class == class
                && f.rule == Some(rule)
                && (f.probe == probe || (probe.ends_with('/') && f.probe.starts_with(probe)))
        })
        .collect()
}

/// The wire lines of a finding's reproduction (requests and responses), one string.
pub fn wire(finding: &Finding) -> String {
    let mut out = String::new();
    for exchange in &finding.reproduction.exchanges {
        for line in
            exchange.request.iter().map(|l| format!("> {l}")).chain(exchange.response.iter().map(|l| format!("< {l}")))
        {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// One finding of a committed main-workspace snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentFinding {
    pub probe: String,
    pub class: String,
    pub rule: String,
}

/// A snapshot of the **current** release, as committed in the main workspace
/// (`targets/tests/snapshots/snapshots__<adapter>@<policy>.snap`).
#[derive(Debug)]
pub struct CurrentSnapshot {
    pub file: String,
    /// The adapter's version line, e.g. `tower-http 0.7 (axum 0.8)`.
    pub target: String,
    /// `ran`, or `n/a: <reason>`.
    pub status: String,
    pub findings: Vec<CurrentFinding>,
}

/// Every committed main-workspace snapshot of `adapter` (the main workspace's adapter name,
/// e.g. `tower-http`), one per built-in policy.
///
/// Reading the committed files is the cheap way to compare with the current release: running
/// it would need the current framework in this workspace (and its lockfile), or a build of the
/// main workspace from this test. The files are kept true by the main workspace's own
/// `targets/tests/snapshots.rs`, which fails when the current release's findings change.
pub fn current_release(manifest_dir: &str, adapter: &str) -> Vec<CurrentSnapshot> {
    let dir = historical_dir(manifest_dir).join("../targets/tests/snapshots");
    let prefix = format!("snapshots__{adapter}@");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
        .filter(|p| p.extension().is_some_and(|x| x == "snap"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no main-workspace snapshot of {adapter} in {}", dir.display());
    files.iter().map(|file| parse_snapshot(file)).collect()
}

/// The main workspace's snapshot `snapshots__<adapter>@<policy>.snap`.
pub fn current_release_under(manifest_dir: &str, adapter: &str, policy: &str) -> CurrentSnapshot {
    let file =
        historical_dir(manifest_dir).join(format!("../targets/tests/snapshots/snapshots__{adapter}@{policy}.snap"));
    parse_snapshot(&file)
}

/// Reads the fields the comparison needs from an insta YAML snapshot written by
/// `targets/tests/snapshots.rs` (top-level `target:`/`status:`, and `probe`/`class`/`rule` of
/// each `findings` item), line by line: no YAML parser in this workspace for that.
fn parse_snapshot(file: &Path) -> CurrentSnapshot {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let unquote = |v: &str| v.trim().trim_matches('"').to_owned();
    let top = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .map(unquote)
            .unwrap_or_else(|| panic!("{}: no {key}", file.display()))
    };
    let mut findings: Vec<CurrentFinding> = Vec::new();
    let mut in_findings = false;
    for line in text.lines() {
        if line.starts_with("findings:") {
            in_findings = true;
        } else if in_findings {
            if let Some(probe) = line.strip_prefix("  - probe: ") {
                findings.push(CurrentFinding { probe: unquote(probe), class: String::new(), rule: String::new() });
            } else if let (Some(class), Some(last)) = (line.strip_prefix("    class: "), findings.last_mut()) {
                last.class = unquote(class);
            } else if let (Some(rule), Some(last)) = (line.strip_prefix("    rule: "), findings.last_mut()) {
                last.rule = unquote(rule);
            }
        }
    }
    assert!(
        findings.iter().all(|f| !f.class.is_empty() && !f.rule.is_empty()),
        "{}: unreadable findings",
        file.display()
    );
    CurrentSnapshot {
        file: file.file_name().unwrap().to_string_lossy().into_owned(),
        target: top("target"),
        status: top("status"),
        findings,
    }
}

//! [`RunReport`]: the one serializable result of a harness run. Every output format (terminal
//! matrix, JSON, JUnit, SARIF, Markdown — the `cors-reports` crate) renders from it, and
//! `assert_conforms` prints it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::divergence::DivergenceClass;
use crate::rule::Rule;

/// Everything one run found, over every (target, policy) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// `cors-harness <version>`.
    pub tool: String,
    /// The browser profile the oracle judged with (`chromium`, `spec`).
    pub profile: String,
    /// Seed of the generated probes; the same seed replays the same probes.
    pub seed: u64,
    /// Generated probes per (target, policy), on top of the catalogue.
    pub generated: usize,
    /// Wall time of the whole run.
    pub duration_ms: u64,
    /// The run was stopped (Ctrl-C) before every pair finished; `runs` holds what finished.
    pub interrupted: bool,
    /// One entry per (target, policy), in a stable order (target, then policy).
    pub runs: Vec<TargetRun>,
}

/// One target under one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRun {
    pub target: String,
    pub policy: String,
    pub status: RunStatus,
    /// Tallies per probe group (matrix columns), sorted by group name. Empty unless the run
    /// started.
    pub groups: Vec<GroupTally>,
    /// Distinct divergences, most severe first, each with a minimal reproduction.
    pub findings: Vec<Finding>,
}

impl TargetRun {
    /// Divergence counts over all groups.
    pub fn totals(&self) -> ClassCounts {
        self.groups.iter().fold(ClassCounts::default(), |acc, g| acc.plus(&g.divergences))
    }
}

/// Whether a (target, policy) pair ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum RunStatus {
    /// Every probe ran.
    Completed,
    /// Stopped part-way (Ctrl-C); the tallies cover the probes that finished.
    Interrupted,
    /// The adapter cannot express the policy: the matrix shows "n/a", never an approximation.
    Unsupported { feature: String, reason: String },
    /// The target could not be started at all.
    Failed { error: String },
}

/// One matrix cell: how the probes of one group fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTally {
    pub group: String,
    /// Probes run in this group.
    pub probes: usize,
    /// Probes with no divergence at all.
    pub passed: usize,
    /// Probes the harness could not send (bytes the `http` crate rejects): neither passed nor
    /// divergent.
    #[serde(default)]
    pub skipped: usize,
    /// Probes with at least one divergence of each class (a probe can count in several).
    pub divergences: ClassCounts,
}

/// Counts per divergence class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    pub security: usize,
    pub functional: usize,
    pub protocol: usize,
    pub execution: usize,
}

impl ClassCounts {
    pub fn get(&self, class: DivergenceClass) -> usize {
        match class {
            DivergenceClass::Security => self.security,
            DivergenceClass::Functional => self.functional,
            DivergenceClass::Protocol => self.protocol,
            DivergenceClass::Execution => self.execution,
        }
    }

    pub fn add(&mut self, class: DivergenceClass, n: usize) {
        match class {
            DivergenceClass::Security => self.security += n,
            DivergenceClass::Functional => self.functional += n,
            DivergenceClass::Protocol => self.protocol += n,
            DivergenceClass::Execution => self.execution += n,
        }
    }

    pub fn plus(mut self, other: &ClassCounts) -> ClassCounts {
        self.security += other.security;
        self.functional += other.functional;
        self.protocol += other.protocol;
        self.execution += other.execution;
        self
    }

    pub fn total(&self) -> usize {
        self.security + self.functional + self.protocol + self.execution
    }
}

/// One distinct divergence of a target under a policy: the same (class, rule, kind of
/// explanation) seen on several probes is one finding with `occurrences` > 1, reported with
/// the smallest reproduction found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The probe that shows it (the first in catalogue order, or the shrunk generated one).
    pub probe: String,
    /// What that probe checks; a shrunk generated probe's says so (its reproduction is smaller
    /// than the probe the title describes).
    pub title: String,
    pub class: DivergenceClass,
    /// The digest rule broken; `None` for execution divergences (panic, hang, reset), which
    /// break HTTP itself rather than a CORS rule.
    pub rule: Option<Rule>,
    /// One sentence a web developer understands.
    pub explanation: String,
    /// How many probes showed this finding.
    pub occurrences: usize,
    pub reproduction: Reproduction,
}

impl Finding {
    /// The rule ID as text (`EXEC` for execution divergences): SARIF rule IDs, JUnit names.
    pub fn rule_id(&self) -> String {
        self.rule.map_or_else(|| "EXEC".to_owned(), |r| r.to_string())
    }
}

/// The request script made and what went over the wire for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reproduction {
    /// What page script did, e.g. `fetch("http://api.test/data", {method: "PUT",
    /// credentials: "include"})` from `https://app.example.com`.
    pub script: ScriptRequest,
    /// Each request the browser sent (preflight, actual, redirect hops) and its answer.
    pub exchanges: Vec<WireExchange>,
}

/// A browser request as script makes it (the inputs of `fetch()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptRequest {
    pub origin: String,
    pub url: String,
    pub method: String,
    /// Author headers, in order; credential-bearing values are redacted.
    pub headers: Vec<(String, String)>,
    /// `omit`, `same-origin` or `include`.
    pub credentials: String,
    /// `cors`, `no-cors`, ...
    pub mode: String,
    /// The use-CORS-preflight flag: script made this request as an `XMLHttpRequest` with upload
    /// listeners (and a body), not with `fetch()`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub upload_listeners: bool,
}

/// One request on the wire and its answer, as text lines (credentials redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireExchange {
    /// `OPTIONS /data HTTP/1.1`, then `name: value` lines.
    pub request: Vec<String>,
    /// `HTTP/1.1 204`, then `name: value` lines; empty when the target failed to answer.
    pub response: Vec<String>,
    /// How the target failed to answer (panic, timeout, reset, garbage), if it did.
    pub error: Option<String>,
    /// The same request as a `curl` command line.
    pub curl: String,
}

/// The exit status a CLI should use: 0 when no (target, policy) pair shows a divergence of a
/// class in `fail_on`.
pub fn has_failures(report: &RunReport, fail_on: &[DivergenceClass]) -> bool {
    report.runs.iter().any(|r| fail_on.iter().any(|&c| r.totals().get(c) > 0))
}

/// Findings per class over the whole report.
pub fn findings_by_class(report: &RunReport) -> BTreeMap<DivergenceClass, usize> {
    let mut out = BTreeMap::new();
    for f in report.runs.iter().flat_map(|r| &r.findings) {
        *out.entry(f.class).or_default() += 1;
    }
    out
}

impl std::fmt::Display for Finding {
    /// Plain text, several lines: the finding, what script did, the wire exchanges and the
    /// `curl` commands (used by `assert_conforms`; `cors-reports` has the richer formats).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let class = match self.class {
            DivergenceClass::Security => "security",
            DivergenceClass::Functional => "functional",
            DivergenceClass::Protocol => "protocol",
            DivergenceClass::Execution => "execution",
        };
        let times = if self.occurrences == 1 { String::new() } else { format!(" (×{})", self.occurrences) };
        writeln!(f, "[{class}] {} {}{times}: {}", self.rule_id(), self.probe, self.explanation)?;
        let s = &self.reproduction.script;
        let mut init = format!("method: {:?}, credentials: {:?}, mode: {:?}", s.method, s.credentials, s.mode);
        if !s.headers.is_empty() {
            let headers: Vec<String> = s.headers.iter().map(|(n, v)| format!("{n:?}: {v:?}")).collect();
            init.push_str(&format!(", headers: {{{}}}", headers.join(", ")));
        }
        let api = if s.upload_listeners { "an XMLHttpRequest with upload listeners" } else { "fetch" };
        writeln!(f, "  page {} runs {api}({:?}, {{{init}}})", s.origin, s.url)?;
        for exchange in &self.reproduction.exchanges {
            for line in &exchange.request {
                writeln!(f, "  > {line}")?;
            }
            for line in &exchange.response {
                writeln!(f, "  < {line}")?;
            }
            if let Some(error) = &exchange.error {
                writeln!(f, "  ! {error}")?;
            }
            writeln!(f, "  $ {}", exchange.curl)?;
        }
        Ok(())
    }
}

/// The reviewable view of one (target, policy) run that snapshot tests commit (insta, YAML):
/// the tallies and each finding with the request that shows it. The full wire lines stay in
/// the reports; here they would turn every header-order change of a framework into a
/// snapshot change. Shared by the main workspace's adapter snapshots and the historical pins'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSnapshot {
    /// The adapter's crate and version (an upgrade shows in the snapshot).
    pub target: String,
    pub policy: String,
    /// `ran`, or `n/a: <reason>` when the adapter cannot express the policy.
    pub status: String,
    pub groups: Vec<GroupTally>,
    pub findings: Vec<FindingSnapshot>,
}

/// One finding in a [`RunSnapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingSnapshot {
    pub probe: String,
    pub class: String,
    pub rule: String,
    pub explanation: String,
    pub occurrences: usize,
    /// `METHOD url from origin (credentials) [headers]`.
    pub request: String,
}

impl From<&Finding> for FindingSnapshot {
    fn from(f: &Finding) -> FindingSnapshot {
        let s = &f.reproduction.script;
        let headers: Vec<String> = s.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        FindingSnapshot {
            probe: f.probe.clone(),
            class: format!("{:?}", f.class).to_lowercase(),
            rule: f.rule_id(),
            explanation: f.explanation.clone(),
            occurrences: f.occurrences,
            request: format!("{} {} from {} ({}) [{}]", s.method, s.url, s.origin, s.credentials, headers.join("; ")),
        }
    }
}

//! SARIF 2.1.0, as GitHub code scanning and other SARIF consumers read it.
//!
//! One `run` by the `cors-harness` driver. Its `rules` are the digest rules the findings break
//! (`EXEC` for execution divergences, which break HTTP itself rather than a CORS rule); each
//! finding is one result: level `error` for security, `warning` for functional, protocol and
//! execution divergences, the explanation as the message, the target and policy as a logical
//! location, and — when [`SarifOptions::policy_files`] knows the policy's file — that file as
//! the physical location GitHub needs to show an alert. The reproduction (script call, wire
//! lines, curl commands) is in the result's `properties`. Pairs that did not complete are
//! tool-execution notifications.

use std::collections::BTreeMap;

use cors_harness::divergence::DivergenceClass;
use cors_harness::report::{Finding, RunReport, RunStatus, TargetRun};
use cors_harness::rule::{Rule, RuleStatus};
use serde::Serialize;

use crate::redact::redact_report;
use crate::text::{self, escape};

/// The schema the output declares (the OASIS 2.1.0 schema with errata 01).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where the policies are, for physical locations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SarifOptions {
    /// Policy name → path of its policy file, relative to the repository root (`/`
    /// separators), e.g. `"single-origin"` → `"cors/single-origin.toml"`. GitHub code scanning
    /// shows only results with a file location: results of policies not listed here carry a
    /// logical location alone.
    pub policy_files: BTreeMap<String, String>,
}

/// The report as a SARIF 2.1.0 log (pretty JSON, ends with a newline).
pub fn render(report: &RunReport, options: &SarifOptions) -> String {
    let report = redact_report(report);
    let rules = rules(&report);
    let results = report
        .runs
        .iter()
        .flat_map(|run| run.findings.iter().map(move |f| (run, f)))
        .map(|(run, f)| result(run, f, &rules, options))
        .collect();
    let notifications = notifications(&report);
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [SarifRun {
            tool: Tool {
                driver: Driver {
                    name: "cors-harness",
                    version: report.tool.strip_prefix("cors-harness ").map(|v| escape(v).into_owned()),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: rules.iter().map(|(id, used)| descriptor(id, used)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: !report.interrupted
                    && !report.runs.iter().any(|r| matches!(r.status, RunStatus::Failed { .. })),
                tool_execution_notifications: notifications,
            }],
            results,
            properties: RunProperties {
                profile: escape(&report.profile).into_owned(),
                seed: report.seed,
                generated: report.generated,
                duration_ms: report.duration_ms,
                interrupted: report.interrupted,
            },
        }],
    };
    // Plain structs with string keys always serialize.
    let out = serde_json::to_string_pretty(&log).expect("a SARIF log serializes to JSON");
    let mut out = crate::json::escape_invisible(&out);
    out.push('\n');
    out
}

/// What the results use of a rule: its classes.
#[derive(Default)]
struct RuleUse {
    rule: Option<Rule>,
    classes: Vec<DivergenceClass>,
}

/// The rules the findings use, keyed and ordered by their position in the digest (`EXEC`
/// last), with the classes they were seen in.
fn rules(report: &RunReport) -> Vec<(String, RuleUse)> {
    let mut used: BTreeMap<usize, (String, RuleUse)> = BTreeMap::new();
    for f in report.runs.iter().flat_map(|r| &r.findings) {
        let position = f.rule.and_then(|r| Rule::ALL.iter().position(|&x| x == r)).unwrap_or(usize::MAX);
        let entry = used.entry(position).or_insert_with(|| (f.rule_id(), RuleUse { rule: f.rule, classes: vec![] }));
        if !entry.1.classes.contains(&f.class) {
            entry.1.classes.push(f.class);
            entry.1.classes.sort();
        }
    }
    used.into_values().collect()
}

fn level(class: DivergenceClass) -> &'static str {
    match class {
        DivergenceClass::Security => "error",
        DivergenceClass::Functional | DivergenceClass::Protocol | DivergenceClass::Execution => "warning",
    }
}

const HELP: &str = "Found by cors-harness, which compares what a browser does with a server's CORS answers (WHATWG \
                    Fetch) with what the CORS policy allows. Each result's properties hold the page script's \
                    request, the exact requests and responses on the wire and curl commands that replay them.";

fn descriptor(id: &str, used: &RuleUse) -> ReportingDescriptor {
    let title = match used.rule {
        Some(rule) => rule.title(),
        None => "The target failed to answer: it panicked, hung, reset the connection or sent garbage.",
    };
    let mut tags = vec!["cors"];
    for &class in &used.classes {
        tags.push(match class {
            DivergenceClass::Security => "security",
            DivergenceClass::Functional => "functional",
            DivergenceClass::Protocol => "protocol",
            DivergenceClass::Execution => "reliability",
        });
    }
    let most_severe = used.classes.first().copied().unwrap_or(DivergenceClass::Execution);
    ReportingDescriptor {
        id: id.to_owned(),
        short_description: Message::new(title),
        full_description: Message::new(match used.rule {
            Some(rule) => format!("{rule} ({}): {title}", status_text(rule.status())),
            None => format!("EXEC: {title}"),
        }),
        help: Message::new(format!("{title}\n\n{HELP}")),
        default_configuration: Configuration { level: level(most_severe) },
        properties: DescriptorProperties {
            tags,
            // GitHub ranks security alerts by this score; a policy bypass is "high".
            security_severity: used.classes.contains(&DivergenceClass::Security).then_some("7.5"),
        },
    }
}

fn status_text(status: RuleStatus) -> &'static str {
    match status {
        RuleStatus::Normative => "required by the Fetch standard",
        RuleStatus::Browser => "browser-specific behaviour",
        RuleStatus::NormativeDerived => "follows from what browsers do",
        RuleStatus::BestPractice => "server best practice",
    }
}

fn logical_location(run: &TargetRun) -> LogicalLocation {
    LogicalLocation {
        name: escape(&run.target).into_owned(),
        fully_qualified_name: format!("{}/{}", escape(&run.target), escape(&run.policy)),
        kind: "module",
    }
}

fn result(run: &TargetRun, f: &Finding, rules: &[(String, RuleUse)], options: &SarifOptions) -> SarifResult {
    let rule_id = f.rule_id();
    let rule_index = rules.iter().position(|(id, _)| *id == rule_id).unwrap_or(0);
    let physical_location = options.policy_files.get(&run.policy).map(|path| PhysicalLocation {
        artifact_location: ArtifactLocation { uri: path.replace('\\', "/") },
        region: Region { start_line: 1 },
    });
    let probe_key = text::finding_key(f);
    let fingerprint =
        format!("{}/{}/{probe_key}/{}/{rule_id}", escape(&run.target), escape(&run.policy), text::class_name(f.class));
    SarifResult {
        rule_id: rule_id.clone(),
        rule_index,
        level: level(f.class),
        message: Message::new(escape(&f.explanation)),
        locations: vec![Location { physical_location, logical_locations: vec![logical_location(run)] }],
        partial_fingerprints: BTreeMap::from([("corsFinding/v1", fingerprint)]),
        properties: ResultProperties {
            target: escape(&run.target).into_owned(),
            policy: escape(&run.policy).into_owned(),
            probe: escape(&f.probe).into_owned(),
            title: escape(&f.title).into_owned(),
            class: text::class_name(f.class),
            occurrences: f.occurrences,
            origin: escape(&f.reproduction.script.origin).into_owned(),
            script: text::script_call(&f.reproduction.script),
            exchanges: f
                .reproduction
                .exchanges
                .iter()
                .map(|e| ExchangeProperties {
                    request: e.request.iter().map(|l| escape(l).into_owned()).collect(),
                    response: e.response.iter().map(|l| escape(l).into_owned()).collect(),
                    error: e.error.as_deref().map(|x| escape(x).into_owned()),
                    curl: escape(&e.curl).into_owned(),
                })
                .collect(),
        },
    }
}

fn notifications(report: &RunReport) -> Vec<Notification> {
    let mut out = Vec::new();
    if report.interrupted {
        out.push(Notification {
            level: "warning",
            message: Message::new("The run was interrupted before every pair finished; results cover what did."),
            locations: vec![],
        });
    }
    for run in &report.runs {
        let (level, text) = match &run.status {
            RunStatus::Completed => continue,
            RunStatus::Interrupted => (
                "warning",
                "Interrupted before every probe ran; the results cover the probes that finished.".to_owned(),
            ),
            RunStatus::Unsupported { feature, reason } => (
                "note",
                format!("Not run: the target cannot express the policy ({}: {}).", escape(feature), escape(reason)),
            ),
            RunStatus::Failed { error } => ("error", format!("The target could not be started: {}", escape(error))),
        };
        out.push(Notification {
            level,
            message: Message::new(format!("{}: {text}", logical_location(run).fully_qualified_name)),
            locations: vec![Location { physical_location: None, logical_locations: vec![logical_location(run)] }],
        });
    }
    out
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun; 1],
}

#[derive(Serialize)]
struct SarifRun {
    tool: Tool,
    invocations: [Invocation; 1],
    results: Vec<SarifResult>,
    properties: RunProperties,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    short_description: Message,
    full_description: Message,
    help: Message,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: impl Into<String>) -> Message {
        Message { text: text.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    target: String,
    policy: String,
    probe: String,
    title: String,
    class: &'static str,
    occurrences: usize,
    /// The page's origin and what its script called.
    origin: String,
    script: String,
    exchanges: Vec<ExchangeProperties>,
}

#[derive(Serialize)]
struct ExchangeProperties {
    request: Vec<String>,
    response: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    curl: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    profile: String,
    seed: u64,
    generated: usize,
    duration_ms: u64,
    interrupted: bool,
}

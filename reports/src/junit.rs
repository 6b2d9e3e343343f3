//! JUnit XML for CI test views (GitLab's test report, Jenkins' JUnit plugin, ...).
//!
//! - one `<testsuite>` per (target, policy), named `target / policy`; test cases have the
//!   class name `target.policy`, so Jenkins groups them by target, then policy;
//! - one passing test case per probe group without divergences (named after the group);
//! - one failing test case per finding, named `probe [class RULE]` (`generated [class RULE]`
//!   for generated probes, whose IDs change with the seed), with the explanation as the
//!   failure message and the rule, the number of probes and the full reproduction (script
//!   call, wire lines, curl commands) as the failure text — execution findings (panic, hang,
//!   reset) are `<error>`s, the others `<failure>`s;
//! - an unsupported pair is one skipped test case, a target that could not start one
//!   `<error>`, and an interrupted pair gets a skipped `probes not run` test case.
//!
//! Names stay the same from run to run (no counts in them), so CI can track a test case's
//! history.

use std::time::Duration;

use cors_harness::divergence::DivergenceClass;
use cors_harness::report::{Finding, RunReport, RunStatus, TargetRun};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::redact::redact_report;
use crate::text::{self, escape};

/// The report as JUnit XML.
pub fn render(report: &RunReport) -> String {
    let report = redact_report(report);
    let mut junit = Report::new("cors-harness");
    junit.set_time(Duration::from_millis(report.duration_ms));
    for run in &report.runs {
        junit.add_test_suite(suite(&report, run));
    }
    // Writing XML into memory cannot fail: quick-junit only reports I/O errors.
    junit.to_string().expect("JUnit XML serializes into memory")
}

fn suite(report: &RunReport, run: &TargetRun) -> TestSuite {
    let mut suite = TestSuite::new(format!("{} / {}", text::name(&run.target), text::name(&run.policy)));
    let status = match &run.status {
        RunStatus::Completed => "completed",
        RunStatus::Interrupted => "interrupted",
        RunStatus::Unsupported { .. } => "unsupported",
        RunStatus::Failed { .. } => "failed",
    };
    suite.add_properties([
        Property::new("target", escape(&run.target)),
        Property::new("policy", escape(&run.policy)),
        Property::new("status", status),
        Property::new("tool", escape(&report.tool)),
        Property::new("profile", escape(&report.profile)),
        Property::new("seed", report.seed.to_string()),
    ]);
    let classname = format!("{}.{}", class_part(&run.target), class_part(&run.policy));
    let mut add = |mut case: TestCase| {
        case.set_classname(classname.clone());
        suite.add_test_case(case);
    };

    match &run.status {
        RunStatus::Unsupported { feature, reason } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("the target cannot express the policy: {}", text::prose(reason)));
            status.set_type("unsupported");
            add(TestCase::new(format!("unsupported: {}", text::name(feature)), status));
            return suite;
        }
        RunStatus::Failed { error } => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(format!("the target could not be started: {}", text::prose(error)));
            status.set_type("failed");
            add(TestCase::new("target start", status));
            return suite;
        }
        RunStatus::Completed | RunStatus::Interrupted => {}
    }

    let mut emitted = vec![false; run.findings.len()];
    for group in &run.groups {
        let findings: Vec<usize> =
            (0..run.findings.len()).filter(|&i| text::probe_group(&run.findings[i].probe) == group.group).collect();
        if !text::diverges(&group.divergences) || findings.is_empty() {
            let mut case = if !text::diverges(&group.divergences) {
                TestCase::new(text::name(&group.group), TestCaseStatus::success())
            } else {
                // Divergent probes but no finding to show for them: fail the group itself.
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!(
                    "divergent probes: {} (of {})",
                    text::counts_text(&group.divergences),
                    group.probes
                ));
                TestCase::new(text::name(&group.group), status)
            };
            let mut out = format!("{} probes, {} passed", group.probes, group.passed);
            if group.skipped > 0 {
                out.push_str(&format!(", {} could not be sent", group.skipped));
            }
            case.set_system_out(out);
            add(case);
        }
        for i in findings {
            emitted[i] = true;
            add(finding_case(&run.findings[i]));
        }
    }
    for (i, finding) in run.findings.iter().enumerate() {
        if !emitted[i] {
            add(finding_case(finding));
        }
    }
    if run.status == RunStatus::Interrupted {
        let mut status = TestCaseStatus::skipped();
        status.set_message("the run was interrupted before every probe ran");
        status.set_type("interrupted");
        add(TestCase::new("probes not run", status));
    }
    suite
}

/// A class-name component: dots would split it into Jenkins packages.
fn class_part(name: &str) -> String {
    text::name(name).replace('.', "_")
}

fn finding_case(finding: &Finding) -> TestCase {
    let class = text::class_name(finding.class);
    let kind = match finding.class {
        DivergenceClass::Execution => NonSuccessKind::Error,
        _ => NonSuccessKind::Failure,
    };
    let mut status = TestCaseStatus::non_success(kind);
    status.set_message(text::prose(&finding.explanation));
    status.set_type(format!("{class} {}", finding.rule_id()));
    status.set_description(failure_text(finding));
    TestCase::new(format!("{} [{class} {}]", text::name(text::finding_key(finding)), finding.rule_id()), status)
}

/// The failure body: what, which rule, how often, and how to replay it.
fn failure_text(finding: &Finding) -> String {
    let mut lines = vec![text::prose(&finding.explanation)];
    lines.push(match finding.rule {
        Some(rule) => format!("rule {rule}: {}", rule.title()),
        None => "no CORS rule: the target failed to answer (panic, timeout, reset or garbage)".to_owned(),
    });
    let probes = text::plural(finding.occurrences, "probe", "probes");
    lines.push(format!(
        "probe {}: {} ({} {probes})",
        text::name(&finding.probe),
        text::prose(&finding.title),
        finding.occurrences
    ));
    lines.push(String::new());
    lines.extend(text::reproduction_lines(&finding.reproduction));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

//! What the human-readable formats (terminal, Markdown, JUnit failure texts) share: the matrix
//! laid out per policy, cell texts, totals, findings in order of severity, the script call and
//! the escaping of text that came off the wire.

use std::borrow::Cow;
use std::cmp::Reverse;

use cors_harness::divergence::DivergenceClass;
use cors_harness::report::{ClassCounts, Finding, Reproduction, RunReport, RunStatus, ScriptRequest, TargetRun};

/// Every class, most severe first.
pub(crate) const CLASSES: [DivergenceClass; 4] =
    [DivergenceClass::Security, DivergenceClass::Functional, DivergenceClass::Protocol, DivergenceClass::Execution];

/// The probe group of generated probes, shown last.
const GENERATED: &str = "generated";

/// Longest wire line or command printed in full by the text formats (the JSON has them all).
pub(crate) const MAX_LINE: usize = 2000;

pub(crate) fn class_letter(class: DivergenceClass) -> &'static str {
    match class {
        DivergenceClass::Security => "S",
        DivergenceClass::Functional => "F",
        DivergenceClass::Protocol => "P",
        DivergenceClass::Execution => "E",
    }
}

pub(crate) fn class_name(class: DivergenceClass) -> &'static str {
    match class {
        DivergenceClass::Security => "security",
        DivergenceClass::Functional => "functional",
        DivergenceClass::Protocol => "protocol",
        DivergenceClass::Execution => "execution",
    }
}

/// True if any class count is above zero (no sum: it could overflow on a hand-made report).
pub(crate) fn diverges(counts: &ClassCounts) -> bool {
    CLASSES.iter().any(|&c| counts.get(c) > 0)
}

/// `2S 1F 3P` (zero classes left out; empty when all are zero).
pub(crate) fn counts_text(counts: &ClassCounts) -> String {
    CLASSES
        .iter()
        .filter(|&&c| counts.get(c) > 0)
        .map(|&c| format!("{}{}", counts.get(c), class_letter(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Control characters and the bidirectional marks and overrides that reorder what a reader
/// sees ("Trojan Source").
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text shown as is: control characters (tabs and newlines included) and bidirectional
/// overrides escaped, so one value stays on one line and cannot restyle a terminal or reorder
/// what a reader sees.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_invisible(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `text`, with a note of how much was left out.
pub(crate) fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => {
            let rest = text[at..].chars().count();
            Cow::Owned(format!("{}… ({rest} more characters)", &text[..at]))
        }
    }
}

/// Longest name (target, policy, group, probe) the text formats print in full.
pub(crate) const MAX_NAME: usize = 120;

/// A name ready to print: escaped and bounded; an empty one shows as `(none)`.
pub(crate) fn name(text: &str) -> String {
    if text.is_empty() {
        return "(none)".to_owned();
    }
    truncate(&escape(text), MAX_NAME).into_owned()
}

/// A sentence (explanation, reason, error) ready to print: escaped and bounded.
pub(crate) fn prose(text: &str) -> String {
    truncate(&escape(text), MAX_LINE).into_owned()
}

/// One line off the wire, ready to print: escaped and bounded.
pub(crate) fn wire_line(line: &str) -> String {
    truncate(&escape(line), MAX_LINE).into_owned()
}

/// One matrix cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell {
    /// No divergence: `passed` of `probes` passed, the rest could not be sent.
    Passed {
        passed: usize,
        probes: usize,
    },
    Divergent(ClassCounts),
    /// The group did not run for this pair (interrupted, or not in its catalogue).
    NotRun,
    Unsupported,
    Failed,
}

impl Cell {
    pub(crate) fn of(run: &TargetRun, group: &str) -> Cell {
        match &run.status {
            RunStatus::Unsupported { .. } => return Cell::Unsupported,
            RunStatus::Failed { .. } => return Cell::Failed,
            RunStatus::Completed | RunStatus::Interrupted => {}
        }
        match run.groups.iter().find(|g| g.group == group) {
            None => Cell::NotRun,
            Some(g) if diverges(&g.divergences) => Cell::Divergent(g.divergences),
            Some(g) => Cell::Passed { passed: g.passed, probes: g.probes },
        }
    }

    /// `✓ 12`, `✓ 11/12`, `2S 1F`, `-`, `n/a`, `failed`.
    pub(crate) fn text(&self) -> String {
        match *self {
            Cell::Passed { passed, probes } if passed == probes => format!("✓ {passed}"),
            Cell::Passed { passed, probes } => format!("✓ {passed}/{probes}"),
            Cell::Divergent(counts) => counts_text(&counts),
            Cell::NotRun => "-".to_owned(),
            Cell::Unsupported => "n/a".to_owned(),
            Cell::Failed => "failed".to_owned(),
        }
    }
}

/// The matrix of one policy: its targets (rows) and probe groups (columns).
pub(crate) struct Block<'r> {
    pub policy: &'r str,
    /// Sorted by name, `generated` last. Never empty: a policy no target ran gets one `probes`
    /// column so its rows still show n/a or failed.
    pub groups: Vec<&'r str>,
    pub runs: Vec<&'r TargetRun>,
}

/// One block per policy, in the order the report first names them; rows in report order.
pub(crate) fn blocks(report: &RunReport) -> Vec<Block<'_>> {
    let mut blocks: Vec<Block<'_>> = Vec::new();
    for run in &report.runs {
        let index = match blocks.iter().position(|b| b.policy == run.policy) {
            Some(i) => i,
            None => {
                blocks.push(Block { policy: &run.policy, groups: Vec::new(), runs: Vec::new() });
                blocks.len() - 1
            }
        };
        let block = &mut blocks[index];
        block.runs.push(run);
        for g in &run.groups {
            if !block.groups.contains(&g.group.as_str()) {
                block.groups.push(&g.group);
            }
        }
    }
    for block in &mut blocks {
        block.groups.sort_by_key(|g| (*g == GENERATED, *g));
        if block.groups.is_empty() {
            block.groups.push("probes");
        }
    }
    blocks
}

/// Counts over the whole report.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub pairs: usize,
    pub completed: usize,
    pub interrupted: usize,
    pub unsupported: usize,
    pub failed: usize,
    pub probes: usize,
    pub passed: usize,
    pub skipped: usize,
    pub divergent: ClassCounts,
    pub findings: ClassCounts,
}

impl Totals {
    pub(crate) fn of(report: &RunReport) -> Totals {
        let mut t = Totals { pairs: report.runs.len(), ..Totals::default() };
        for run in &report.runs {
            match run.status {
                RunStatus::Completed => t.completed += 1,
                RunStatus::Interrupted => t.interrupted += 1,
                RunStatus::Unsupported { .. } => t.unsupported += 1,
                RunStatus::Failed { .. } => t.failed += 1,
            }
            for g in &run.groups {
                // Saturating: a hand-made report may hold any numbers.
                t.probes = t.probes.saturating_add(g.probes);
                t.passed = t.passed.saturating_add(g.passed);
                t.skipped = t.skipped.saturating_add(g.skipped);
                for class in CLASSES {
                    let sum = t.divergent.get(class).saturating_add(g.divergences.get(class));
                    t.divergent.add(class, sum - t.divergent.get(class));
                }
            }
            for f in &run.findings {
                t.findings.add(f.class, 1);
            }
        }
        t
    }

    /// `6 pairs: 3 completed, 1 interrupted, 1 n/a, 1 failed`
    pub(crate) fn pairs_text(&self) -> String {
        let mut parts = vec![format!("{} completed", self.completed)];
        for (n, what) in [(self.interrupted, "interrupted"), (self.unsupported, "n/a"), (self.failed, "failed")] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        format!("{} {}: {}", self.pairs, plural(self.pairs, "pair", "pairs"), parts.join(", "))
    }

    /// `212 probes, 204 passed, 1 not sent`
    pub(crate) fn probes_text(&self) -> String {
        let mut out = format!("{} {}, {} passed", self.probes, plural(self.probes, "probe", "probes"), self.passed);
        if self.skipped > 0 {
            out.push_str(&format!(", {} not sent", self.skipped));
        }
        out
    }

    /// `5 findings (1 security, 2 functional, 1 protocol, 1 execution)` or `no findings`.
    pub(crate) fn findings_text(&self) -> String {
        let n = self.findings.total();
        if n == 0 {
            return "no findings".to_owned();
        }
        let parts: Vec<String> = CLASSES
            .iter()
            .filter(|&&c| self.findings.get(c) > 0)
            .map(|&c| format!("{} {}", self.findings.get(c), class_name(c)))
            .collect();
        format!("{n} {} ({})", plural(n, "finding", "findings"), parts.join(", "))
    }
}

pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Every finding with its pair, most severe first; within a class the most frequent first, then
/// in report order.
pub(crate) fn findings_by_severity(report: &RunReport) -> Vec<(&TargetRun, &Finding)> {
    let mut all: Vec<(usize, usize, &TargetRun, &Finding)> = report
        .runs
        .iter()
        .enumerate()
        .flat_map(|(i, run)| run.findings.iter().enumerate().map(move |(j, f)| (i, j, run, f)))
        .collect();
    all.sort_by_key(|&(i, j, _, f)| (f.class, Reverse(f.occurrences), i, j));
    all.into_iter().map(|(_, _, run, f)| (run, f)).collect()
}

/// Pairs that did not complete, with why: `(target, policy, what, detail)`, ready to print.
pub(crate) fn notes(report: &RunReport) -> Vec<(String, String, &'static str, String)> {
    report
        .runs
        .iter()
        .filter_map(|run| {
            let (what, detail) = match &run.status {
                RunStatus::Completed => return None,
                RunStatus::Interrupted => (
                    "interrupted",
                    "stopped before every probe ran; the counts cover the probes that finished".to_owned(),
                ),
                RunStatus::Unsupported { feature, reason } => ("n/a", format!("{}: {}", name(feature), prose(reason))),
                RunStatus::Failed { error } => ("failed", prose(error)),
            };
            Some((name(&run.target), name(&run.policy), what, detail))
        })
        .collect()
}

/// The group of a probe ID (`origin/null` → `origin`).
pub(crate) fn probe_group(probe: &str) -> &str {
    probe.split_once('/').map_or(probe, |(g, _)| g)
}

/// What identifies a finding across runs: its probe ID, or just `generated` for generated
/// probes, whose IDs change with the seed (the engine keeps one generated finding per class
/// and rule).
pub(crate) fn finding_key(finding: &Finding) -> &str {
    let group = probe_group(&finding.probe);
    if group == GENERATED { group } else { &finding.probe }
}

/// A JavaScript string literal.
fn js_string(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    escape(&json).into_owned()
}

/// What page script did: `fetch("http://api.test/data", {method: "PUT", credentials: "include"})`.
/// Defaults (`GET`, `same-origin` credentials, `cors` mode) are left out; repeated header names
/// use the array-of-pairs form. A request with the use-CORS-preflight flag is an
/// `XMLHttpRequest` with an upload listener and a body, the way a page sets that flag.
pub(crate) fn script_call(script: &ScriptRequest) -> String {
    let url = js_string(&script.url);
    if script.mode == "websocket" {
        return format!("new WebSocket({url})");
    }
    if script.upload_listeners {
        return xhr_call(script, &url);
    }
    let mut init = Vec::new();
    if script.method != "GET" {
        init.push(format!("method: {}", js_string(&script.method)));
    }
    if !script.headers.is_empty() {
        let repeated = script
            .headers
            .iter()
            .enumerate()
            .any(|(i, (n, _))| script.headers[..i].iter().any(|(m, _)| m.eq_ignore_ascii_case(n)));
        let pairs = script.headers.iter().map(|(n, v)| (js_string(n), js_string(v)));
        let headers = if repeated {
            format!("[{}]", pairs.map(|(n, v)| format!("[{n}, {v}]")).collect::<Vec<_>>().join(", "))
        } else {
            format!("{{{}}}", pairs.map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join(", "))
        };
        init.push(format!("headers: {headers}"));
    }
    if script.credentials != "same-origin" {
        init.push(format!("credentials: {}", js_string(&script.credentials)));
    }
    if script.mode != "cors" {
        init.push(format!("mode: {}", js_string(&script.mode)));
    }
    if init.is_empty() { format!("fetch({url})") } else { format!("fetch({url}, {{{}}})", init.join(", ")) }
}

/// `script` as an `XMLHttpRequest` with an upload listener (the use-CORS-preflight flag).
fn xhr_call(script: &ScriptRequest, url: &str) -> String {
    let mut call = format!("const x = new XMLHttpRequest(); x.open({}, {url});", js_string(&script.method));
    if script.credentials == "include" {
        call.push_str(" x.withCredentials = true;");
    }
    for (n, v) in &script.headers {
        call.push_str(&format!(" x.setRequestHeader({}, {});", js_string(n), js_string(v)));
    }
    call.push_str(" x.upload.onprogress = () => {}; x.send(new Blob([\"x\"]));");
    call
}

/// The lines of a reproduction as plain text (JUnit failure bodies): the script call, then per
/// exchange `> ` request lines, `< ` response lines (or `! ` the failure) and `$ ` the curl
/// command.
pub(crate) fn reproduction_lines(reproduction: &Reproduction) -> Vec<String> {
    let mut lines = vec![format!("script on {}:", name(&reproduction.script.origin))];
    lines.push(format!("  {}", truncate(&script_call(&reproduction.script), MAX_LINE)));
    for (i, exchange) in reproduction.exchanges.iter().enumerate() {
        lines.push(format!("request {} of {}:", i + 1, reproduction.exchanges.len()));
        lines.extend(exchange_lines(exchange).into_iter().map(|l| format!("  {l}")));
    }
    lines
}

/// `> ` request lines, `< ` response lines or `! ` the failure, `$ ` the curl command.
pub(crate) fn exchange_lines(exchange: &cors_harness::report::WireExchange) -> Vec<String> {
    let mut lines: Vec<String> = exchange.request.iter().map(|l| format!("> {}", wire_line(l))).collect();
    lines.extend(exchange.response.iter().map(|l| format!("< {}", wire_line(l))));
    if let Some(error) = &exchange.error {
        lines.push(format!("! no answer: {}", wire_line(error)));
    } else if exchange.response.is_empty() {
        lines.push("! no answer".to_owned());
    }
    lines.push(format!("$ {}", curl_text(&exchange.curl)));
    lines
}

/// The curl command, escaped; one too long to be useful is left out, not cut.
pub(crate) fn curl_text(curl: &str) -> String {
    let chars = curl.chars().count();
    if chars > MAX_LINE {
        format!("(curl command of {chars} characters left out; the JSON report has it)")
    } else {
        escape(curl).into_owned()
    }
}

/// `850 ms`, `12.3 s`, `4 min 05 s`, `1 h 02 min`.
pub(crate) fn duration(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{}.{} s", ms / 1000, ms % 1000 / 100),
        60_000..3_600_000 => format!("{} min {:02} s", ms / 60_000, ms % 60_000 / 1000),
        _ => format!("{} h {:02} min", ms / 3_600_000, ms % 3_600_000 / 60_000),
    }
}

/// `cors-harness 0.1.0 · profile chromium · seed 42 · 64 generated probes per pair · 3.2 s`
pub(crate) fn header_line(report: &RunReport) -> String {
    format!(
        "{} · profile {} · seed {} · {} generated {} per pair · {}",
        escape(&report.tool),
        escape(&report.profile),
        report.seed,
        report.generated,
        plural(report.generated, "probe", "probes"),
        duration(report.duration_ms)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script() -> ScriptRequest {
        ScriptRequest {
            origin: "https://app.example".into(),
            url: "http://api.test/data".into(),
            method: "GET".into(),
            headers: vec![],
            credentials: "same-origin".into(),
            mode: "cors".into(),
            upload_listeners: false,
        }
    }

    #[test]
    fn script_calls() {
        assert_eq!(script_call(&script()), r#"fetch("http://api.test/data")"#);
        let s = ScriptRequest {
            method: "put".into(),
            headers: vec![("X-A".into(), "1".into()), ("x-a".into(), "\"2\"\u{1b}".into())],
            credentials: "include".into(),
            mode: "no-cors".into(),
            ..script()
        };
        assert_eq!(
            script_call(&s),
            r#"fetch("http://api.test/data", {method: "put", headers: [["X-A", "1"], ["x-a", "\"2\"\u001b"]], credentials: "include", mode: "no-cors"})"#
        );
        let s = ScriptRequest { headers: vec![("X-A".into(), "1".into())], ..script() };
        assert_eq!(script_call(&s), r#"fetch("http://api.test/data", {headers: {"X-A": "1"}})"#);
        let s = ScriptRequest {
            method: "QUERY".into(),
            headers: vec![("X-A".into(), "1".into())],
            credentials: "include".into(),
            upload_listeners: true,
            ..script()
        };
        assert_eq!(
            script_call(&s),
            r#"const x = new XMLHttpRequest(); x.open("QUERY", "http://api.test/data"); x.withCredentials = true; x.setRequestHeader("X-A", "1"); x.upload.onprogress = () => {}; x.send(new Blob(["x"]));"#
        );
        let s = ScriptRequest { url: "ws://api.test/".into(), mode: "websocket".into(), ..script() };
        assert_eq!(script_call(&s), r#"new WebSocket("ws://api.test/")"#);
    }

    #[test]
    fn escaping_and_truncation() {
        assert_eq!(escape("a\u{1b}[31mb\r\n\t\u{202e}"), r"a\u{1b}[31mb\r\n\t\u{202e}");
        assert!(matches!(escape("plain ✓ ü"), Cow::Borrowed(_)));
        assert_eq!(truncate("abcdef", 3), "abc… (3 more characters)");
        assert_eq!(truncate("abc", 3), "abc");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(12_345), "12.3 s");
        assert_eq!(duration(245_000), "4 min 05 s");
        assert_eq!(duration(3_720_000), "1 h 02 min");
    }
}

//! GitHub-flavoured Markdown for PR comments and READMEs: the matrix as one table per policy,
//! the pairs that did not complete, totals, then the findings, most severe first, each with its
//! reproduction in fenced blocks (collapsed in a `<details>` element).
//!
//! Everything that came from a target or a report is escaped: it cannot close a code fence,
//! split a table cell, open an HTML tag or carry control characters.

use cors_harness::divergence::DivergenceClass;
use cors_harness::report::{Finding, RunReport, RunStatus, TargetRun};

use crate::redact::redact_report;
use crate::text::{self, Block, CLASSES, Cell, Totals, escape};

/// What the Markdown report includes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// Findings shown in full; `None`: all (mind GitHub's 65,536-character limit on comments).
    pub top: Option<usize>,
}

/// Renders the Markdown report (ends with a newline).
pub fn render(report: &RunReport, options: &MarkdownOptions) -> String {
    let report = redact_report(report);
    let mut out = String::from("## cors-harness report\n\n");
    out.push_str(&md(&text::header_line(&report)));
    out.push_str("\n\n");
    if report.interrupted {
        out.push_str(
            "> [!WARNING]\n> The run was interrupted before every pair finished; the tables show what did.\n\n",
        );
    }
    let totals = Totals::of(&report);
    let mut line = format!("**Totals:** {} · {}", md(&totals.pairs_text()), md(&totals.probes_text()));
    if text::diverges(&totals.divergent) {
        line.push_str(&format!(" · divergent probes {}", counts(&totals.divergent)));
    }
    line.push_str(&format!(" · {}\n\n", md(&totals.findings_text())));
    out.push_str(&line);

    let blocks = text::blocks(&report);
    if blocks.is_empty() {
        out.push_str("No target ran: the report is empty.\n");
        return out;
    }
    for block in &blocks {
        table(&mut out, block);
    }

    let notes = text::notes(&report);
    if !notes.is_empty() {
        for (target, policy, what, detail) in &notes {
            let what = if *what == "interrupted" { "\\* interrupted" } else { what };
            out.push_str(&format!("- **{what}** {} · {}: {}\n", code(target), code(policy), md(detail)));
        }
        out.push('\n');
    }
    out.push_str(
        "<sub>✓ n: all n probes passed (✓ n/m: n of m passed, the others could not be sent) · \
         S security, F functional, P protocol, E execution: probes with a divergence of that class · \
         \\- not run · n/a: the target cannot express the policy · \\* interrupted</sub>\n",
    );

    let findings = text::findings_by_severity(&report);
    if findings.is_empty() {
        return out;
    }
    let shown = options.top.map_or(findings.len(), |top| top.min(findings.len()));
    out.push_str("\n### Findings\n");
    for (i, (run, finding)) in findings.iter().take(shown).enumerate() {
        finding_section(&mut out, i + 1, run, finding);
    }
    if shown < findings.len() {
        let more = findings.len() - shown;
        out.push_str(&format!(
            "\n… and {more} more {} (the JSON and SARIF reports list them all).\n",
            text::plural(more, "finding", "findings")
        ));
    }
    out
}

fn table(out: &mut String, block: &Block<'_>) {
    out.push_str(&format!("### Policy {}\n\n", code(&text::name(block.policy))));
    let mut header = String::from("| target |");
    let mut rule = String::from("| :-- |");
    for g in &block.groups {
        header.push_str(&format!(" {} |", md(&text::name(g))));
        rule.push_str(" :-: |");
    }
    out.push_str(&header);
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    for run in &block.runs {
        let mut row = format!("| {}", md(&text::name(&run.target)));
        if run.status == RunStatus::Interrupted {
            row.push_str("\\*");
        }
        row.push_str(" |");
        for g in &block.groups {
            let cell = match Cell::of(run, g) {
                Cell::Divergent(c) => counts(&c),
                cell => md(&cell.text()),
            };
            row.push_str(&format!(" {cell} |"));
        }
        out.push_str(&row);
        out.push('\n');
    }
    out.push('\n');
}

/// `**2S** 1F 3P`: security counts stand out.
fn counts(c: &cors_harness::report::ClassCounts) -> String {
    CLASSES
        .iter()
        .filter(|&&class| c.get(class) > 0)
        .map(|&class| {
            let n = format!("{}{}", c.get(class), text::class_letter(class));
            if class == DivergenceClass::Security { format!("**{n}**") } else { n }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn badge(class: DivergenceClass) -> &'static str {
    match class {
        DivergenceClass::Security => "🔴 Security",
        DivergenceClass::Functional => "🟠 Functional",
        DivergenceClass::Protocol => "🔵 Protocol",
        DivergenceClass::Execution => "🟣 Execution",
    }
}

fn finding_section(out: &mut String, n: usize, run: &TargetRun, f: &Finding) {
    let probes = text::plural(f.occurrences, "probe", "probes");
    out.push_str(&format!(
        "\n#### {n}. {} · {} · {} · {} · {} ({} {probes})\n\n",
        badge(f.class),
        code(&f.rule_id()),
        md(&text::name(&run.target)),
        md(&text::name(&run.policy)),
        code(&text::name(&f.probe)),
        f.occurrences
    ));
    out.push_str(&md(&text::prose(&f.explanation)));
    out.push_str("\n\n");
    let rule = match f.rule {
        Some(rule) => format!("Rule {}: {}", code(rule.id()), md(rule.title())),
        None => "No CORS rule: the target failed to answer (panic, timeout, reset or garbage).".to_owned(),
    };
    out.push_str(&rule);
    if !f.title.is_empty() {
        out.push_str(&format!(" Probe: {}", md(&text::prose(&f.title))));
    }
    out.push_str("\n\n<details><summary>Reproduction</summary>\n\n");
    let script = &f.reproduction.script;
    out.push_str(&format!("Script on {}:\n\n", code(&text::name(&script.origin))));
    fenced(out, "js", &[text::truncate(&text::script_call(script), text::MAX_LINE).into_owned()]);
    let total = f.reproduction.exchanges.len();
    for (i, exchange) in f.reproduction.exchanges.iter().enumerate() {
        out.push_str(&format!("Request {} of {total}:\n\n", i + 1));
        let mut lines: Vec<String> = exchange.request.iter().map(|l| text::wire_line(l)).collect();
        if !exchange.response.is_empty() {
            lines.push(String::new());
            lines.extend(exchange.response.iter().map(|l| text::wire_line(l)));
        }
        fenced(out, "http", &lines);
        match (&exchange.error, exchange.response.is_empty()) {
            (Some(error), _) => out.push_str(&format!("No answer: {}\n\n", code(&text::prose(error)))),
            (None, true) => out.push_str("No answer.\n\n"),
            (None, false) => {}
        }
        fenced(out, "sh", &[text::curl_text(&exchange.curl)]);
    }
    out.push_str("</details>\n");
}

/// A fenced code block whose fence no line can close.
fn fenced(out: &mut String, info: &str, lines: &[String]) {
    let longest = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    out.push_str(&format!("{fence}{info}\n"));
    for line in lines {
        out.push_str(&escape(line));
        out.push('\n');
    }
    out.push_str(&format!("{fence}\n\n"));
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for x in text.chars() {
        current = if x == c { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// Inline text with every character Markdown would read as syntax backslash-escaped (`$` opens
/// GitHub math, `@` a mention), including list or heading markers at the start.
fn md(text: &str) -> String {
    let text = escape(text);
    let mut out = String::with_capacity(text.len() + 8);
    let lead_digits = text.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in text.chars().enumerate() {
        let syntax = matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' | '@')
            || (i == 0 && matches!(c, '#' | '-' | '+' | '='))
            || (i == lead_digits && lead_digits > 0 && matches!(c, '.' | ')'));
        if syntax {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An inline code span (not for table cells: GFM would split them at a `|` even here).
fn code(text: &str) -> String {
    let text = escape(text);
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() { " " } else { "" };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escaping() {
        assert_eq!(md("a*b_<img>|c $x$ @me"), r"a\*b\_\<img\>\|c \$x\$ \@me");
        assert_eq!(md("- x"), r"\- x");
        assert_eq!(md("12. x"), r"12\. x");
        assert_eq!(md("a-b 1.2"), "a-b 1.2");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }

    #[test]
    fn fences_outlast_backticks() {
        let mut out = String::new();
        fenced(&mut out, "sh", &["echo ````".to_owned()]);
        assert_eq!(out, "`````sh\necho ````\n`````\n\n");
    }
}

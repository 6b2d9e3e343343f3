//! The report for a person at a terminal: one matrix per policy (rows = targets, columns =
//! probe groups), notes on the pairs that did not complete, a legend, a totals line, then the
//! most severe findings with everything needed to replay them.
//!
//! ```text
//! policy single-origin
//!   target      credentials  origin  preflight  vary  generated
//!   reference   ✓ 4          ✓ 12    ✓ 9/10     ✓ 3   ✓ 64
//!   tower-http  ✓ 4          2S      1F         2P    1E
//! ```

use anstyle::{AnsiColor, Style};
use cors_harness::divergence::DivergenceClass;
use cors_harness::report::{Finding, RunReport, RunStatus, TargetRun};
use unicode_width::UnicodeWidthStr;

use crate::redact::redact_report;
use crate::text::{self, Block, CLASSES, Cell, Totals};

/// How the terminal report looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalOptions {
    /// ANSI colours (SGR codes only; no cursor movement).
    pub color: bool,
    /// Terminal width in columns: matrices wider than this are split into several tables and
    /// prose is wrapped. `None`: no limit.
    pub width: Option<usize>,
    /// How many findings to show in full.
    pub top: usize,
}

impl Default for TerminalOptions {
    fn default() -> TerminalOptions {
        TerminalOptions { color: false, width: None, top: 10 }
    }
}

/// Widest row label and column header, in columns; longer names are cut with `…`.
const MAX_LABEL: usize = 32;
const MAX_HEADER: usize = 24;
/// Indentation of the matrix rows.
const INDENT: &str = "  ";
/// Space between columns.
const GAP: usize = 2;

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color && !text.is_empty() { format!("{style}{text}{style:#}") } else { text.to_owned() }
    }
}

fn bold() -> Style {
    Style::new().bold()
}

fn dim() -> Style {
    Style::new().dimmed()
}

fn class_style(class: DivergenceClass) -> Style {
    match class {
        DivergenceClass::Security => AnsiColor::Red.on_default().bold(),
        DivergenceClass::Functional => AnsiColor::Yellow.on_default(),
        DivergenceClass::Protocol => AnsiColor::Cyan.on_default(),
        DivergenceClass::Execution => AnsiColor::Magenta.on_default(),
    }
}

/// Renders the terminal report (ends with a newline).
pub fn render(report: &RunReport, options: &TerminalOptions) -> String {
    let report = redact_report(report);
    let p = Painter { color: options.color };
    let width = options.width.map(|w| w.max(20));
    let mut out = String::new();

    for l in wrap(&text::header_line(&report), width, "", "  ") {
        out.push_str(&p.paint(bold(), &l));
        out.push('\n');
    }
    if report.interrupted {
        let line = "Interrupted: the run was stopped before every pair finished; the matrix shows what did.";
        for l in wrap(line, width, "", "") {
            out.push_str(&p.paint(AnsiColor::Yellow.on_default().bold(), &l));
            out.push('\n');
        }
    }

    let blocks = text::blocks(&report);
    if blocks.is_empty() {
        out.push_str("\nNo target ran: the report is empty.\n\n");
    }
    for block in &blocks {
        out.push('\n');
        matrix(&mut out, block, width, &p);
    }

    let notes = text::notes(&report);
    if !notes.is_empty() {
        out.push('\n');
        let marker_width = notes.iter().map(|n| marker(n.2).width()).max().unwrap_or(0);
        for (target, policy, what, detail) in &notes {
            let m = marker(what);
            let first = format!("{INDENT}{}{}  ", p.paint(note_style(what), m), " ".repeat(marker_width - m.width()));
            let rest = " ".repeat(INDENT.len() + marker_width + 2);
            let line = format!("{target} · {policy}: {detail}");
            for l in wrap_styled(&line, width, &first, INDENT.len() + marker_width + 2, &rest) {
                out.push_str(&l);
                out.push('\n');
            }
        }
    }

    if !report.runs.is_empty() {
        out.push('\n');
        let legend = "Legend: ✓ n = all n probes passed (✓ n/m: n of m passed, the others could not be sent) · \
                      S security, F functional, P protocol, E execution = probes with a divergence of that class · \
                      - = not run · n/a = the target cannot express the policy · * = interrupted";
        for l in wrap(legend, width, "", "        ") {
            out.push_str(&p.paint(dim(), &l));
            out.push('\n');
        }
    }

    let totals = Totals::of(&report);
    let mut line = format!("Totals: {} · {}", totals.pairs_text(), totals.probes_text());
    if text::diverges(&totals.divergent) {
        line.push_str(&format!(" · divergent probes {}", text::counts_text(&totals.divergent)));
    }
    line.push_str(&format!(" · {} · {}", totals.findings_text(), text::duration(report.duration_ms)));
    for l in wrap(&line, width, "", "        ") {
        out.push_str(&p.paint(bold(), &l));
        out.push('\n');
    }

    let findings = text::findings_by_severity(&report);
    if !findings.is_empty() && options.top > 0 {
        let shown = findings.len().min(options.top);
        out.push('\n');
        let heading = if shown < findings.len() {
            format!("Top {shown} of {} findings, most severe first", findings.len())
        } else {
            format!("{} {}, most severe first", findings.len(), text::plural(findings.len(), "finding", "findings"))
        };
        out.push_str(&p.paint(bold(), &heading));
        out.push('\n');
        for (i, (run, finding)) in findings.iter().take(shown).enumerate() {
            out.push('\n');
            finding_text(&mut out, i + 1, run, finding, width, &p);
        }
        if shown < findings.len() {
            let more = findings.len() - shown;
            out.push_str(&format!(
                "\n… and {more} more {} (every format but this one lists them all)\n",
                text::plural(more, "finding", "findings")
            ));
        }
    }
    out
}

fn marker(what: &str) -> &'static str {
    match what {
        "interrupted" => "*",
        "n/a" => "n/a",
        _ => "failed",
    }
}

fn note_style(what: &str) -> Style {
    match what {
        "interrupted" => AnsiColor::Yellow.on_default(),
        "n/a" => dim(),
        _ => AnsiColor::Red.on_default(),
    }
}

/// `text` cut to `max` columns with `…`.
fn fit(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

fn row_label(run: &TargetRun) -> String {
    let mut label = fit(&text::name(&run.target), MAX_LABEL - 1);
    if run.status == RunStatus::Interrupted {
        label.push('*');
    }
    label
}

/// One cell, painted, padded to `width` columns.
fn cell_text(cell: &Cell, width: usize, p: &Painter) -> String {
    let plain = cell.text();
    let pad = " ".repeat(width.saturating_sub(plain.width()));
    let painted = match cell {
        Cell::Passed { .. } => p.paint(AnsiColor::Green.on_default(), &plain),
        Cell::Divergent(counts) => CLASSES
            .iter()
            .filter(|&&c| counts.get(c) > 0)
            .map(|&c| p.paint(class_style(c), &format!("{}{}", counts.get(c), text::class_letter(c))))
            .collect::<Vec<_>>()
            .join(" "),
        Cell::NotRun | Cell::Unsupported => p.paint(dim(), &plain),
        Cell::Failed => p.paint(AnsiColor::Red.on_default(), &plain),
    };
    painted + &pad
}

fn matrix(out: &mut String, block: &Block<'_>, width: Option<usize>, p: &Painter) {
    out.push_str(&p.paint(bold(), &format!("policy {}", text::name(block.policy))));
    out.push('\n');
    let labels: Vec<String> = block.runs.iter().map(|r| row_label(r)).collect();
    let label_width = labels.iter().map(|l| l.width()).chain(["target".width()]).max().unwrap_or(0);
    let headers: Vec<String> = block.groups.iter().map(|g| fit(&text::name(g), MAX_HEADER)).collect();
    let cells: Vec<Vec<Cell>> =
        block.runs.iter().map(|r| block.groups.iter().map(|g| Cell::of(r, g)).collect()).collect();
    let col_widths: Vec<usize> = (0..headers.len())
        .map(|c| cells.iter().map(|row| row[c].text().width()).chain([headers[c].width()]).max().unwrap_or(0))
        .collect();

    // Columns per table: as many as fit the width, at least one.
    let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start < headers.len() {
        let mut end = start + 1;
        let mut used = INDENT.len() + label_width + GAP + col_widths[start];
        while end < headers.len() {
            let next = used + GAP + col_widths[end];
            if width.is_some_and(|w| next > w) {
                break;
            }
            used = next;
            end += 1;
        }
        chunks.push(start..end);
        start = end;
    }

    for (k, chunk) in chunks.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let mut line = format!("{INDENT}{:<label_width$}", "target");
        for c in chunk.clone() {
            line.push_str(&" ".repeat(GAP));
            line.push_str(&pad(&headers[c], col_widths[c]));
        }
        out.push_str(&p.paint(bold(), line.trim_end()));
        out.push('\n');
        for (label, row) in labels.iter().zip(&cells) {
            let mut line = format!("{INDENT}{}", pad(label, label_width));
            for c in chunk.clone() {
                line.push_str(&" ".repeat(GAP));
                line.push_str(&cell_text(&row[c], col_widths[c], p));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

fn finding_text(out: &mut String, n: usize, run: &TargetRun, f: &Finding, width: Option<usize>, p: &Painter) {
    let class = text::class_name(f.class).to_uppercase();
    let occurrences = format!("{} {}", f.occurrences, text::plural(f.occurrences, "probe", "probes"));
    let head = format!(
        "{} · {} · {} · {} · {occurrences}",
        f.rule_id(),
        text::name(&run.target),
        text::name(&run.policy),
        text::name(&f.probe)
    );
    let number = format!("{n}. ");
    let indent = " ".repeat(number.len());
    let first_width = number.len() + class.len() + 1;
    for (i, l) in wrap_styled(&head, width, "", first_width, &indent).iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("{number}{} {}\n", p.paint(class_style(f.class), &class), p.paint(bold(), l)));
        } else {
            out.push_str(&format!("{indent}{}\n", p.paint(bold(), l.trim_start())));
        }
    }
    for l in wrap(&text::prose(&f.explanation), width, &indent, &indent) {
        out.push_str(&l);
        out.push('\n');
    }
    let rule = match f.rule {
        Some(rule) => format!("rule {rule}: {}", rule.title()),
        None => "no CORS rule: the target failed to answer (panic, timeout, reset or garbage)".to_owned(),
    };
    for l in wrap(&rule, width, &indent, &indent) {
        out.push_str(&p.paint(dim(), &l));
        out.push('\n');
    }
    if !f.title.is_empty() {
        for l in wrap(&format!("probe {}: {}", text::name(&f.probe), text::prose(&f.title)), width, &indent, &indent) {
            out.push_str(&p.paint(dim(), &l));
            out.push('\n');
        }
    }
    for line in text::reproduction_lines(&f.reproduction) {
        let painted = match line.trim_start().chars().next() {
            Some('$') => p.paint(AnsiColor::Green.on_default(), &line),
            Some('!') => p.paint(AnsiColor::Red.on_default(), &line),
            _ => line,
        };
        out.push_str(&indent);
        out.push_str(&painted);
        out.push('\n');
    }
}

/// Word-wraps plain `text` to `width` columns (`None`: one line); words wider than a line stay
/// whole.
fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> Vec<String> {
    wrap_styled(text, width, first, first.width(), rest)
}

/// [`wrap`] with a first-line prefix that may hold colour codes (`first_width` is its visible
/// width).
fn wrap_styled(text: &str, width: Option<usize>, first: &str, first_width: usize, rest: &str) -> Vec<String> {
    let Some(width) = width else {
        return vec![format!("{first}{text}")];
    };
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut used = first_width;
    let mut empty = true;
    for word in text.split(' ') {
        let w = word.width();
        if !empty && used + 1 + w > width {
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            used = rest.width();
            empty = true;
        }
        if !empty {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += w;
        empty = false;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a bb ccc dddd", Some(6), "", "  "), ["a bb", "  ccc", "  dddd"]);
        assert_eq!(wrap("a bb", None, "> ", ""), ["> a bb"]);
        assert_eq!(wrap("averyveryverylongword x", Some(5), "", ""), ["averyveryverylongword", "x"]);
    }

    #[test]
    fn fitting() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("日本語テキスト", 5), "日本…");
        assert_eq!(fit("abc", 4), "abc");
    }
}

//! The report as JSON: the [`RunReport`] itself, pretty-printed, keys in the order of its fields
//! (stable across runs), credentials redacted. [`parse`] reads it back.

use cors_harness::report::RunReport;

use crate::redact::redact_report;

/// The report as pretty JSON (ends with a newline).
pub fn render(report: &RunReport) -> String {
    // Serializing plain structs with string keys into memory cannot fail.
    let out = serde_json::to_string_pretty(&redact_report(report)).expect("a RunReport serializes to JSON");
    let mut out = escape_invisible(&out);
    out.push('\n');
    out
}

/// JSON text with the characters serde_json leaves raw but a terminal or an editor would act
/// on (DEL, C1 controls, bidirectional overrides) written as `\uXXXX` escapes. They can only
/// occur inside strings, where the escape means the same character: [`parse`] gives back the
/// same report.
pub(crate) fn escape_invisible(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        // Pretty JSON's only layout characters are newlines and spaces.
        if crate::text::is_invisible(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a report written by [`render`] (or by any version whose fields are a superset).
pub fn parse(json: &str) -> Result<RunReport, serde_json::Error> {
    serde_json::from_str(json)
}

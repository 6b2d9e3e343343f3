//! cors-reports: renders a run's [`RunReport`] for people and machines.
//!
//! | format | for | module |
//! | --- | --- | --- |
//! | `terminal` | a person at a terminal: the matrix, totals, the worst findings | [`terminal`] |
//! | `json` | tools; [`json::parse`] reads it back | [`json`] |
//! | `junit` | CI test views (GitLab, Jenkins): one test case per finding | [`junit`] |
//! | `sarif` | GitHub code scanning and other SARIF 2.1.0 consumers | [`sarif`] |
//! | `markdown` | PR comments and READMEs | [`markdown`] |
//!
//! Every format renders from the report alone and is deterministic: the same report gives the
//! same bytes (no clock, no paths, no environment). Header values that carry credentials
//! (`authorization`, `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key`) are printed
//! as `<redacted>` in every format, even if the report handed in still has them, and control
//! characters in text from the wire are shown escaped, never sent to a terminal raw.
//!
//! ```
//! use cors_reports::{Format, RenderOptions, render};
//! # let report = cors_harness::report::RunReport {
//! #     tool: "cors-harness 0.1.0".into(), profile: "chromium".into(), seed: 1, generated: 0,
//! #     duration_ms: 10, interrupted: false, runs: vec![],
//! # };
//! let format: Format = "sarif".parse().unwrap();
//! let text = render(format, &report, &RenderOptions::default());
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("cors.sarif");
//! cors_reports::write_atomic(&path, text.as_bytes()).unwrap();
//! ```
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use cors_harness::report::RunReport;

mod atomic;
pub mod json;
pub mod junit;
pub mod markdown;
mod redact;
pub mod sarif;
pub mod terminal;
mod text;

pub use atomic::{write_atomic, write_atomic_with};
pub use markdown::MarkdownOptions;
pub use redact::{REDACTED, redact_report};
pub use sarif::SarifOptions;
pub use terminal::TerminalOptions;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    /// The matrix, totals and the worst findings, for a person at a terminal.
    Terminal,
    /// The report itself, pretty-printed JSON.
    Json,
    /// JUnit XML for CI test views.
    Junit,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub-flavoured Markdown for PR comments.
    Markdown,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 5] = [Format::Terminal, Format::Json, Format::Junit, Format::Sarif, Format::Markdown];

    /// The name on the command line (`terminal`, `json`, `junit`, `sarif`, `markdown`).
    pub const fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
        }
    }

    /// The usual file extension, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Terminal => "txt",
            Format::Json => "json",
            Format::Junit => "xml",
            Format::Sarif => "sarif",
            Format::Markdown => "md",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        write!(f, "unknown report format {:?}; expected one of: {}", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// The [`name`](Format::name), any case, or the aliases `text`, `xml`, `md`.
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        let lower = s.trim().to_ascii_lowercase();
        let format = match lower.as_str() {
            "terminal" | "text" => Format::Terminal,
            "json" => Format::Json,
            "junit" | "xml" => Format::Junit,
            "sarif" => Format::Sarif,
            "markdown" | "md" => Format::Markdown,
            _ => return Err(UnknownFormat(s.to_owned())),
        };
        Ok(format)
    }
}

/// The options of every format, in one place for a command line; each format reads what
/// concerns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Terminal: ANSI colours.
    pub color: bool,
    /// Terminal: width in columns (`None`: no limit).
    pub width: Option<usize>,
    /// Terminal and Markdown: findings shown in full.
    pub top: usize,
    /// SARIF: policy name → policy file, relative to the repository root (see
    /// [`SarifOptions::policy_files`]).
    pub policy_files: BTreeMap<String, String>,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        let terminal = TerminalOptions::default();
        RenderOptions { color: terminal.color, width: terminal.width, top: terminal.top, policy_files: BTreeMap::new() }
    }
}

impl RenderOptions {
    pub fn terminal(&self) -> TerminalOptions {
        TerminalOptions { color: self.color, width: self.width, top: self.top }
    }

    pub fn markdown(&self) -> MarkdownOptions {
        MarkdownOptions { top: Some(self.top) }
    }

    pub fn sarif(&self) -> SarifOptions {
        SarifOptions { policy_files: self.policy_files.clone() }
    }
}

/// Renders `report` in `format`.
pub fn render(format: Format, report: &RunReport, options: &RenderOptions) -> String {
    match format {
        Format::Terminal => terminal::render(report, &options.terminal()),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Sarif => sarif::render(report, &options.sarif()),
        Format::Markdown => markdown::render(report, &options.markdown()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string().to_uppercase().parse::<Format>(), Ok(format));
        }
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
        let err = "html".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown report format \"html\"; expected one of: terminal, json, junit, sarif, markdown"
        );
    }
}

//! cors-reports: renders a run's results (terminal, JSON, JUnit XML, SARIF, Markdown).
//!
//! Empty until the harness engine issue (#5) defines `RunReport`.
#![forbid(unsafe_code)]

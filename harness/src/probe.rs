//! A probe: one named question the harness asks a target — a few browser requests that test
//! one thing (h2spec-style stable IDs such as `origin/null`). Catalogue probes are derived
//! from the policy; generated probes come from the seeded generators. Neither carries an
//! expected outcome: the oracle and the policy's intent decide.

use crate::request::BrowserRequest;
use crate::rule::Rule;

/// One named question for a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Stable ID, `group/name` (e.g. `origin/suffix-match`); generated probes use
    /// `generated/<n>`.
    pub id: String,
    /// One sentence: what the probe checks.
    pub title: String,
    /// The digest rules the probe exercises.
    pub rules: Vec<Rule>,
    /// The requests, each evaluated on its own (fresh preflight cache each).
    pub requests: Vec<BrowserRequest>,
}

impl Probe {
    /// The group: the part of the ID before the first `/` (matrix column).
    pub fn group(&self) -> &str {
        self.id.split_once('/').map_or(&self.id[..], |(g, _)| g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_is_the_id_prefix() {
        let p = Probe { id: "origin/null".into(), title: String::new(), rules: vec![], requests: vec![] };
        assert_eq!(p.group(), "origin");
        let p = Probe { id: "odd".into(), ..p };
        assert_eq!(p.group(), "odd");
    }
}

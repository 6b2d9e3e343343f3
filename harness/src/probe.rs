//! A probe: one named question the harness asks a target — a few browser requests that test
//! one thing (h2spec-style stable IDs such as `origin/null`). Catalogue probes are derived
//! from the policy; generated probes come from the seeded generators. Neither carries an
//! expected outcome: the oracle and the policy's intent decide.

use std::borrow::Cow;

use crate::generate::GeneratedTitle;
use crate::request::BrowserRequest;
use crate::rule::Rule;

/// One named question for a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Stable ID, `group/name` (e.g. `origin/suffix-match`); generated probes use
    /// `generated/<n>`.
    pub id: String,
    /// One sentence: what the probe checks (read it with [`Probe::title`]).
    pub title: Title,
    /// The digest rules the probe exercises.
    pub rules: Vec<Rule>,
    /// The requests, each evaluated on its own (fresh preflight cache each).
    pub requests: Vec<BrowserRequest>,
}

/// A probe's title: written out, or what a generated probe was drawn as. A generated title
/// is only read when the probe shows a divergence, so it is rendered then, not for each of
/// the thousands of probes a run draws (rendering cost about 7% of an in-process run:
/// `parts/generate` in `--bench engine`). Only the generator makes a [`GeneratedTitle`], for
/// a probe of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Title {
    Text(String),
    Generated(GeneratedTitle),
}

impl From<&str> for Title {
    fn from(text: &str) -> Title {
        Title::Text(text.to_owned())
    }
}

impl Probe {
    /// One sentence: what the probe checks.
    pub fn title(&self) -> Cow<'_, str> {
        match &self.title {
            Title::Text(text) => Cow::Borrowed(text),
            Title::Generated(drawn) => match self.requests.first() {
                Some(request) => Cow::Owned(drawn.render(request)),
                None => Cow::Borrowed("a generated probe without its request"),
            },
        }
    }

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
        let p = Probe { id: "origin/null".into(), title: "".into(), rules: vec![], requests: vec![] };
        assert_eq!(p.group(), "origin");
        let p = Probe { id: "odd".into(), ..p };
        assert_eq!(p.group(), "odd");
    }
}

//! The differential check as a whole: run cases in a browser session, compare each with the
//! oracle, shrink every disagreement to a minimal case (re-running candidates in the same
//! browser), and sort the disagreements into known ones (with their reason) and new ones.

use std::time::{Duration, Instant};

use cors_harness::profile::BrowserProfile;

use crate::case::BrowserCase;
use crate::diff::{Comparison, compare};
use crate::known::{Known, classify};
use crate::session::Session;

/// A label for a set of known deviations: their names joined by ` + `, rules in brackets.
pub fn label(known: &[&Known]) -> String {
    known.iter().map(|k| format!("{} [{}]", k.name, k.rule)).collect::<Vec<_>>().join(" + ")
}

/// The result of [`check`].
#[derive(Debug)]
pub struct Checked {
    pub comparisons: Vec<Comparison>,
    /// Time from queueing the cases to the last result.
    pub elapsed: Duration,
}

impl Checked {
    /// Disagreements (and harness errors) with the known deviations that explain each (none:
    /// a new disagreement).
    pub fn disagreements(&self) -> Vec<(&Comparison, Vec<&'static Known>)> {
        self.comparisons.iter().filter(|c| !c.agrees()).map(|c| (c, classify(c))).collect()
    }

    pub fn cases_per_second(&self) -> f64 {
        self.comparisons.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs `cases` in the session and compares each with the oracle under `profile`.
pub fn check(
    session: &mut Session,
    cases: &[BrowserCase],
    profile: &'static BrowserProfile,
) -> Result<Checked, String> {
    let start = Instant::now();
    let ran = session.run(cases)?;
    let elapsed = start.elapsed();
    let comparisons = cases.iter().zip(&ran).map(|(case, r)| compare(case, r, profile)).collect();
    Ok(Checked { comparisons, elapsed })
}

/// Shrinks a disagreeing case: removes response header lines, request headers, earlier steps,
/// unused URLs, and simplifies statuses and credentials, keeping each change after which the
/// browser and the oracle still disagree on exactly the same fields. Every round runs all
/// candidates as one batch in the browser.
pub fn minimize(
    session: &mut Session,
    original: &Comparison,
    profile: &'static BrowserProfile,
) -> Result<Comparison, String> {
    let fields = original.disagreeing();
    if fields.is_empty() {
        return Ok(original.clone());
    }
    let mut best = original.clone();
    for _round in 0..24 {
        let candidates: Vec<BrowserCase> = shrink(&best.case)
            .into_iter()
            .filter(|c| c.unsupported_in(session.engine()).is_none() && c.evaluate(profile).is_ok())
            .collect();
        if candidates.is_empty() {
            break;
        }
        let checked = check(session, &candidates, profile)?;
        match checked.comparisons.into_iter().find(|c| c.harness_error.is_none() && c.disagreeing() == fields) {
            Some(smaller) => best = smaller,
            None => break,
        }
    }
    Ok(best)
}

/// One-step simplifications of a case, smallest effect first.
fn shrink(case: &BrowserCase) -> Vec<BrowserCase> {
    let mut out = Vec::new();
    let with = |f: &dyn Fn(&mut BrowserCase)| {
        let mut c = case.clone();
        f(&mut c);
        c
    };
    if case.steps.len() > 1 {
        for s in 0..case.steps.len() - 1 {
            out.push(with(&|c| {
                c.steps.remove(s);
            }));
        }
    }
    for u in 0..case.server.len() {
        if case.server.len() > 1 {
            out.push(with(&|c| {
                c.server.remove(u);
            }));
        }
        for which in 0..2 {
            let answer = if which == 0 { &case.server[u].1.preflight } else { &case.server[u].1.response };
            let Some(answer) = answer else { continue };
            if which == 0 {
                out.push(with(&|c| c.server[u].1.preflight = None));
            }
            for h in 0..answer.headers.len() {
                out.push(with(&|c| {
                    let a = if which == 0 { &mut c.server[u].1.preflight } else { &mut c.server[u].1.response };
                    a.as_mut().expect("answer").headers.remove(h);
                }));
            }
            if !matches!(answer.status, 200 | 301 | 302 | 303 | 307 | 308) {
                out.push(with(&|c| {
                    let a = if which == 0 { &mut c.server[u].1.preflight } else { &mut c.server[u].1.response };
                    a.as_mut().expect("answer").status = 200;
                }));
            }
        }
    }
    let last = case.steps.len() - 1;
    for h in 0..case.steps[last].request.headers.len() {
        out.push(with(&|c| {
            for s in &mut c.steps {
                if h < s.request.headers.len() {
                    s.request.headers.0.remove(h);
                }
            }
        }));
    }
    if case.main().credentials != cors_harness::CredentialsMode::SameOrigin {
        out.push(with(&|c| {
            for s in &mut c.steps {
                s.request.credentials = cors_harness::CredentialsMode::SameOrigin;
            }
        }));
    }
    if case.main().url.query().is_some() {
        out.push(with(&|c| {
            let old = c.main().url.clone();
            let mut new = old.clone();
            new.set_query(None);
            for s in &mut c.steps {
                if s.request.url == old {
                    s.request.url = new.clone();
                }
            }
            for (u, _) in &mut c.server {
                if *u == old {
                    *u = new.clone();
                }
            }
        }));
    }
    out
}

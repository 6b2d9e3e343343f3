//! Running a set of probes against one target under one policy: drive every request, judge it,
//! tally the probe groups (the matrix cells), and turn the divergences into findings — one
//! per distinct (probe, class, rule), shrunk to a minimal reproduction.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;

use crate::divergence::{Divergence, DivergenceClass};
use crate::engine::driver::{Driven, DriverSettings, drive};
use crate::engine::judge::{Judge, Judgement};
use crate::engine::reproduce::reproduction;
use crate::engine::shrink::shrink;
use crate::policy::Policy;
use crate::probe::Probe;
use crate::report::{ClassCounts, Finding, GroupTally};
use crate::request::BrowserRequest;
use crate::rule::Rule;
use crate::target::Target;

/// How a run drives its target.
#[derive(Debug, Clone, Copy)]
pub struct RunSettings {
    pub driver: DriverSettings,
    /// Probes in flight at once against one target (a served target answers several
    /// connections; an in-process one interleaves them on one task).
    pub concurrency: usize,
    /// Candidates tried per finding when shrinking it; 0 reports findings as found.
    pub shrink_budget: usize,
}

impl Default for RunSettings {
    fn default() -> RunSettings {
        RunSettings { driver: DriverSettings::default(), concurrency: 8, shrink_budget: 200 }
    }
}

/// Wall time spent shrinking one finding, at most.
const SHRINK_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Lets the caller stop a run (Ctrl-C) and watch it progress.
#[derive(Clone, Default)]
pub struct Watch {
    /// Set to stop: probes not yet started are not run, probes in flight stop before their next
    /// request (and are not counted), and the run reports what finished.
    pub cancel: Arc<AtomicBool>,
    /// Called with the number of probes finished (or skipped as unsupported) since the last
    /// call: drives a progress bar.
    pub on_probe: Option<Arc<dyn Fn(usize) + Send + Sync>>,
}

impl Watch {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub(crate) fn progress(&self, n: usize) {
        if let Some(on_probe) = &self.on_probe {
            on_probe(n);
        }
    }
}

/// What one target under one policy showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetOutcome {
    /// Per probe group, sorted by group name.
    pub groups: Vec<GroupTally>,
    /// Distinct divergences, most severe first.
    pub findings: Vec<Finding>,
    /// Every probe ran (false when the run was cancelled).
    pub completed: bool,
}

/// The first occurrence of a finding, kept to shrink and reproduce it.
struct Draft {
    probe: String,
    title: String,
    divergence: Divergence,
    request: BrowserRequest,
    driven: Driven,
    occurrences: usize,
}

/// What one probe showed: its divergent requests (with their divergences) or a skip.
struct ProbeResult<'p> {
    probe: &'p Probe,
    divergent: Vec<(usize, Vec<Divergence>, Driven)>,
    skipped: bool,
    /// The run was cancelled before the probe's last request: not counted at all.
    interrupted: bool,
}

/// Runs `probes` against `target` under `policy`.
pub async fn run_target(
    target: &dyn Target,
    policy: &Policy,
    probes: &[Probe],
    settings: &RunSettings,
    watch: &Watch,
) -> TargetOutcome {
    let mut tallies: BTreeMap<String, GroupTally> = BTreeMap::new();
    let mut drafts: BTreeMap<(String, DivergenceClass, Option<Rule>), Draft> = BTreeMap::new();
    let mut ran = 0;
    // What depends only on the policy, derived once for every probe and finding.
    let judge = Judge::new(policy);

    // Up to `concurrency` probes in flight, their results taken in probe order (findings and
    // their reproductions are then deterministic). Probes that finish ahead of their turn wait
    // in `early` without holding a slot (in an ordered queue whose length counted them, one
    // slow probe at the head cut the requests in flight). A manual loop rather than stream
    // combinators: their closures over borrowed probes defeat the `Send` inference
    // `tokio::spawn` needs.
    let mut in_flight = futures_util::stream::FuturesUnordered::new();
    let mut early: BTreeMap<usize, ProbeResult<'_>> = BTreeMap::new();
    let mut turn = 0;
    let mut queue = probes.iter().enumerate();
    loop {
        // `early` is bounded too: a probe that hangs until its timeout holds back the rest.
        while in_flight.len() < settings.concurrency.max(1) && early.len() < MAX_EARLY && !watch.cancelled() {
            let Some((index, probe)) = queue.next() else { break };
            in_flight.push(indexed(index, run_probe(target, &judge, probe, &settings.driver, watch)));
        }
        let result = match early.remove(&turn) {
            Some(result) => result,
            None => {
                let Some((index, result)) = in_flight.next().await else { break };
                if index != turn {
                    early.insert(index, result);
                    continue;
                }
                result
            }
        };
        turn += 1;
        if result.interrupted {
            continue;
        }
        ran += 1;
        watch.progress(1);
        let group = result.probe.group();
        if !tallies.contains_key(group) {
            let tally = GroupTally {
                group: group.to_owned(),
                probes: 0,
                passed: 0,
                skipped: 0,
                divergences: ClassCounts::default(),
            };
            tallies.insert(group.to_owned(), tally);
        }
        let tally = tallies.get_mut(group).expect("inserted above");
        tally.probes += 1;
        if result.skipped {
            tally.skipped += 1;
            continue;
        }
        if result.divergent.is_empty() {
            tally.passed += 1;
            continue;
        }
        let mut classes: Vec<DivergenceClass> =
            result.divergent.iter().flat_map(|(_, ds, _)| ds.iter().map(|d| d.class)).collect();
        classes.sort();
        classes.dedup();
        for class in classes {
            tally.divergences.add(class, 1);
        }
        // Catalogue findings are per probe; generated ones per (class, rule): thousands of
        // random probes showing one bug are one finding with many occurrences.
        let key_probe = if group == "generated" { group.to_owned() } else { result.probe.id.clone() };
        // `occurrences` counts probes: a key seen on several requests of one probe counts once.
        let mut seen_in_probe = Vec::new();
        for (index, found, driven) in result.divergent {
            for divergence in found {
                let key = (key_probe.clone(), divergence.class, divergence.rule);
                if seen_in_probe.contains(&key) {
                    continue;
                }
                seen_in_probe.push(key.clone());
                match drafts.get_mut(&key) {
                    Some(draft) => draft.occurrences += 1,
                    None => {
                        drafts.insert(
                            key,
                            Draft {
                                probe: result.probe.id.clone(),
                                title: result.probe.title().into_owned(),
                                divergence,
                                request: result.probe.requests[index].clone(),
                                driven: driven.clone(),
                                occurrences: 1,
                            },
                        );
                    }
                }
            }
        }
    }

    let mut findings = Vec::with_capacity(drafts.len());
    for draft in drafts.into_values() {
        findings.push(finish(target, &judge, draft, settings).await);
    }
    findings
        .sort_by(|a, b| (a.class, a.rule, &a.probe, &a.explanation).cmp(&(b.class, b.rule, &b.probe, &b.explanation)));
    TargetOutcome { groups: tallies.into_values().collect(), findings, completed: ran == probes.len() }
}

/// Probe results held for their turn at most (see [`run_target`]).
const MAX_EARLY: usize = 1024;

/// `future`'s output with its probe's index.
async fn indexed<T>(index: usize, future: impl Future<Output = T>) -> (usize, T) {
    (index, future.await)
}

async fn run_probe<'p>(
    target: &dyn Target,
    judge: &Judge<'_>,
    probe: &'p Probe,
    settings: &DriverSettings,
    watch: &Watch,
) -> ProbeResult<'p> {
    let mut result = ProbeResult { probe, divergent: Vec::new(), skipped: false, interrupted: false };
    for (index, request) in probe.requests.iter().enumerate() {
        // Ctrl-C waits for the requests on the wire, not for the rest of a long probe (against
        // a hanging target, a catalogue probe of 30 requests takes 30 timeouts).
        if watch.cancelled() {
            result.interrupted = true;
            return result;
        }
        let driven = drive(target, request, settings).await;
        match judge.judge(request, &driven) {
            Judgement::Skipped(_) => result.skipped = true,
            Judgement::Judged(found) if found.is_empty() => {}
            Judgement::Judged(found) => result.divergent.push((index, found, driven)),
        }
    }
    result
}

/// Shrinks a draft and renders it as a finding.
async fn finish(target: &dyn Target, judge: &Judge<'_>, draft: Draft, settings: &RunSettings) -> Finding {
    let (class, rule) = (draft.divergence.class, draft.divergence.rule);
    let same = |found: &[Divergence]| found.iter().find(|d| d.class == class && d.rule == rule).cloned();
    let mut request = draft.request;
    let mut driven = draft.driven;
    let mut divergence = draft.divergence;
    let mut title = draft.title;
    // A hang costs a whole timeout per attempt: shrinking it would take minutes and show
    // nothing new (every request hangs).
    let timed_out = matches!(
        driven.failure(),
        Some((_, crate::engine::driver::SendError::Target(crate::target::TargetError::Timeout(_))))
    );
    // Catalogue probes are minimal by construction and their request *is* the point (a
    // shrunk `preflight/disallowed-method` could end up as a plain GET from another origin);
    // generated probes are random and get shrunk.
    let generated = draft.probe.starts_with("generated/");
    if settings.shrink_budget > 0 && generated && !timed_out {
        // Bounded in time too: a slow target would otherwise stretch the budget to minutes.
        let deadline = std::time::Instant::now() + SHRINK_TIME;
        let still_diverges = |candidate: BrowserRequest| async move {
            if std::time::Instant::now() > deadline {
                return false;
            }
            let driven = drive(target, &candidate, &settings.driver).await;
            matches!(judge.judge(&candidate, &driven), Judgement::Judged(found) if same(&found).is_some())
        };
        let shrunk = shrink(request.clone(), still_diverges, settings.shrink_budget).await;
        if shrunk != request {
            let again = drive(target, &shrunk, &settings.driver).await;
            // A flaky target may not diverge the same way twice: keep the original then.
            if let Judgement::Judged(found) = judge.judge(&shrunk, &again)
                && let Some(d) = same(&found)
            {
                request = shrunk;
                driven = again;
                divergence = d;
                // The title describes the probe as drawn; say that the reproduction is not it.
                title.push_str(" (as generated; the reproduction is shrunk)");
            }
        }
    }
    Finding {
        probe: draft.probe,
        title,
        class,
        rule,
        explanation: divergence.explanation,
        occurrences: draft.occurrences,
        reproduction: reproduction(&request, &driven),
    }
}

//! The differential: what the browser did (page result + what the scripted server received)
//! against what the oracle says, field by field.

use cors_harness::oracle::verdict::Unanswered;
use cors_harness::profile::BrowserProfile;
use cors_harness::response::WireRequest;
use cors_harness::{Outcome, Verdict};
use serde_json::Value;

use crate::case::{BrowserCase, iso, route_key};
use crate::server::Seen;
use crate::session::Ran;

/// The fields compared, in report order.
pub const FIELDS: &[&str] =
    &["outcome", "status", "exposed", "preflight", "acrm", "acrh", "actual", "origin", "requests"];

/// One step as one side saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepView {
    /// `shared`, `opaque`, `network-error`, `script-error` (browser also: `timeout`).
    pub outcome: String,
    pub status: Option<u16>,
    /// Lowercase, sorted header names script can read (shared responses only).
    pub exposed: Option<Vec<String>>,
    /// A preflight was sent first for this step.
    pub preflight: bool,
    pub acrm: Option<String>,
    pub acrh: Option<String>,
    /// An actual request reached the server.
    pub actual: bool,
    /// `Origin` of the last actual request.
    pub origin: Option<String>,
    /// One line per request on the wire: `OPTIONS url acrm=… acrh=… origin=…`.
    pub requests: Vec<String>,
    /// The oracle's failed rule and explanation, or the browser's error message.
    pub detail: String,
    /// When the step ran, in ms from the case's start (oracle: the time it judged the step
    /// at; browser: when the page started it).
    pub at_ms: Option<u64>,
}

/// One case compared.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The case as generated (replayable with `cors-harness verdict`).
    pub case: BrowserCase,
    /// The case as run (paths under `/c<index>`).
    pub relocated: BrowserCase,
    /// Per compared field: agreement.
    pub fields: Vec<(&'static str, bool)>,
    pub oracle: Vec<StepView>,
    pub browser: Vec<StepView>,
    /// Request-level differences (headers, order, URLs).
    pub wire: Vec<String>,
    pub console: Vec<String>,
    /// The run could not be judged (timeout, unscripted request, oracle had no answer).
    pub harness_error: Option<String>,
    /// What the browser did (kept to judge variants of the case against it).
    pub ran: Ran,
    pub profile: &'static BrowserProfile,
}

impl Comparison {
    pub fn agrees(&self) -> bool {
        self.harness_error.is_none() && self.fields.iter().all(|(_, ok)| *ok)
    }

    /// The fields that disagree.
    pub fn disagreeing(&self) -> Vec<&'static str> {
        self.fields.iter().filter(|(_, ok)| !ok).map(|(f, _)| *f).collect()
    }

    /// A readable report of the disagreement.
    pub fn render(&self, engine: &str) -> String {
        let mut out = String::new();
        let what = match &self.harness_error {
            Some(e) => format!("HARNESS ERROR: {e}"),
            None => format!("disagree on: {}", self.disagreeing().join(", ")),
        };
        out.push_str(&format!("--- {} ({what})\n", self.case.id));
        out.push_str(&format!("case: {}\n", self.case.to_json()));
        let n = self.oracle.len().max(self.browser.len());
        for s in 0..n {
            let label = if n > 1 { format!(" step {}", s + 1) } else { String::new() };
            if let Some(o) = self.oracle.get(s) {
                out.push_str(&format!("oracle{label}:   {}\n", o.summary()));
            }
            if let Some(b) = self.browser.get(s) {
                out.push_str(&format!("{engine}{label}: {}\n", b.summary()));
            }
        }
        for w in &self.wire {
            out.push_str(&format!("wire: {w}\n"));
        }
        for c in &self.console {
            out.push_str(&format!("console: {}\n", c.trim()));
        }
        out
    }
}

impl StepView {
    fn summary(&self) -> String {
        let mut s = self.outcome.clone();
        if let Some(t) = self.at_ms {
            s = format!("@{t}ms {s}");
        }
        if let Some(st) = self.status {
            s.push_str(&format!(" {st}"));
        }
        if let Some(e) = &self.exposed {
            s.push_str(&format!(" exposed=[{}]", e.join(",")));
        }
        s.push_str(&format!("; requests: [{}]", self.requests.join(" | ")));
        if !self.detail.is_empty() {
            s.push_str(&format!("; {}", self.detail));
        }
        s
    }
}

fn header_string(v: Option<std::borrow::Cow<'_, [u8]>>) -> Option<String> {
    v.map(|v| iso(&v))
}

fn wire_line(
    preflight: bool,
    method: &str,
    url: &str,
    origin: Option<&str>,
    acrm: Option<&str>,
    acrh: Option<&str>,
) -> String {
    let mut s = format!("{method} {url}");
    if preflight {
        s.push_str(&format!(" acrm={} acrh={}", acrm.unwrap_or("-"), acrh.unwrap_or("-")));
    }
    s.push_str(&format!(" origin={}", origin.unwrap_or("-")));
    s
}

fn oracle_wire(verdict: &Verdict) -> Vec<&WireRequest> {
    verdict.hops.iter().flat_map(|h| h.preflight.iter().chain(h.actual.iter()).map(|e| &*e.request)).collect()
}

fn oracle_view(verdict: &Verdict) -> StepView {
    let (outcome, status, exposed, detail) = match &verdict.outcome {
        Outcome::Shared { status, exposed } => ("shared", Some(*status), Some(exposed.clone()), String::new()),
        Outcome::Opaque => ("opaque", None, None, String::new()),
        Outcome::NetworkError(f) => ("network-error", None, None, format!("{}: {}", f.rule.id(), f.explanation)),
        Outcome::ScriptError(f) => ("script-error", None, None, format!("{}: {}", f.rule.id(), f.explanation)),
    };
    let first = verdict.first_preflight();
    let requests = oracle_wire(verdict)
        .iter()
        .map(|w| {
            let pre = w.is_preflight();
            wire_line(
                pre,
                &w.method,
                &route_key(&w.url),
                header_string(w.headers.get("origin")).as_deref(),
                header_string(w.headers.get("access-control-request-method")).as_deref(),
                header_string(w.headers.get("access-control-request-headers")).as_deref(),
            )
        })
        .collect();
    StepView {
        outcome: outcome.to_owned(),
        status,
        exposed,
        preflight: first.is_some(),
        acrm: first.and_then(|p| header_string(p.headers.get("access-control-request-method"))),
        acrh: first.and_then(|p| header_string(p.headers.get("access-control-request-headers"))),
        actual: verdict.last_actual().is_some(),
        origin: verdict.last_actual().and_then(|r| r.origin()).map(iso),
        requests,
        detail,
        at_ms: None,
    }
}

fn browser_view(page: &Value, seen: &[Seen]) -> StepView {
    let outcome = page.get("kind").and_then(Value::as_str).unwrap_or("missing").to_owned();
    let shared = outcome == "shared";
    let status = if shared { page.get("status").and_then(Value::as_u64).map(|s| s as u16) } else { None };
    let exposed = shared.then(|| {
        let mut names: Vec<String> = page
            .get("headers")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    });
    let first = seen.first().filter(|s| s.is_preflight());
    let last_actual = seen.iter().rev().find(|s| !s.is_preflight());
    let get = |s: &Seen, n: &str| s.header(n).map(|v| iso(&v));
    StepView {
        outcome,
        status,
        exposed,
        preflight: first.is_some(),
        acrm: first.and_then(|p| get(p, "access-control-request-method")),
        acrh: first.and_then(|p| get(p, "access-control-request-headers")),
        actual: last_actual.is_some(),
        origin: last_actual.and_then(|r| get(r, "origin")),
        requests: seen
            .iter()
            .map(|s| {
                wire_line(
                    s.is_preflight(),
                    &s.method,
                    &s.url,
                    get(s, "origin").as_deref(),
                    get(s, "access-control-request-method").as_deref(),
                    get(s, "access-control-request-headers").as_deref(),
                )
            })
            .collect(),
        detail: page.get("error").and_then(Value::as_str).unwrap_or_default().to_owned(),
        at_ms: page.get("t").and_then(Value::as_u64),
    }
}

/// Header-level differences between what the oracle says goes on the wire and what arrived.
fn wire_diffs(step: usize, case: &BrowserCase, verdict: &Verdict, seen: &[Seen], out: &mut Vec<String>) {
    let expected = oracle_wire(verdict);
    if expected.len() != seen.len() {
        out.push(format!(
            "step {}: oracle sends {} requests, the browser sent {}",
            step + 1,
            expected.len(),
            seen.len()
        ));
        return;
    }
    let author = &case.steps[step].request.headers;
    for (w, s) in expected.iter().zip(seen) {
        let what = format!("step {} {} {}", step + 1, s.method, s.url);
        if w.method != s.method || route_key(&w.url) != s.url || w.is_preflight() != s.is_preflight() {
            out.push(format!("{what}: oracle expected {} {}", w.method, route_key(&w.url)));
            continue;
        }
        let mut names: Vec<String> = w.headers.iter().map(|h| iso(&h.name).to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        for name in &names {
            // The UA's own Accept-Language (SAFE-5 under the `spec` profile) is the oracle's
            // placeholder value, not a prediction: compare it only when the author set it.
            if name == "accept-language" && !author.contains("accept-language") {
                continue;
            }
            // Repeated author headers go out as one line; HTTP strips the joined value's
            // trailing whitespace (`a` + `` is `a,` on the wire, `a, ` in the oracle's "get").
            let o = header_string(w.headers.get(name)).map(|v| v.trim_matches([' ', '\t']).to_owned());
            let b = s.header(name).map(|v| iso(&v).trim_matches([' ', '\t']).to_owned());
            if o != b {
                out.push(format!("{what}: {name}: oracle {o:?}, browser {b:?}"));
            }
        }
        for h in author.iter() {
            let name = iso(&h.name).to_ascii_lowercase();
            // The UA adds its own Accept-Language (to preflights too) and Content-Length, and a
            // forbidden name (SAFE-4, e.g. `Cookie` from the cookie jar) is the browser's own:
            // equal bytes prove nothing.
            if names.contains(&name)
                || name == "accept-language"
                || name == "content-length"
                || cors_harness::safelist::is_forbidden_request_header(&h.name, &h.value)
            {
                continue;
            }
            if let Some(v) = s.header(&name)
                && v == h.value[..]
            {
                out.push(format!("{what}: the browser sent author header {name} that the oracle drops"));
            }
        }
    }
}

/// Compares one ran case with the oracle under `profile`.
pub fn compare(original: &BrowserCase, ran: &Ran, profile: &'static BrowserProfile) -> Comparison {
    judge(original, &ran.relocated, ran, profile, &|case, store, profile| case.evaluate_timed(profile, store))
}

/// How the oracle judges a case: every step's verdict, in order, each step judged at its
/// `at_ms` with its preflight result stored at the given time (see
/// [`BrowserCase::evaluate_timed`]).
pub type Evaluator<'a> = &'a dyn Fn(&BrowserCase, &[u64], &BrowserProfile) -> Result<Vec<Verdict>, Unanswered>;

/// What the comparison would be if the oracle judged `relocated` (a variant of the case that
/// ran) with `evaluate` instead: used to explain a disagreement by a known deviation ("the
/// oracle agrees once the request headers are combined as Chromium does").
pub fn judge_variant(c: &Comparison, relocated: &BrowserCase, evaluate: Evaluator<'_>) -> Comparison {
    judge(&c.case, relocated, &c.ran, c.profile, evaluate)
}

/// How to place a case's steps on the oracle's clock. The preflight cache is time-based,
/// but in the browser a step's cache lookup happens before its first request, after the
/// previous step's last one, and its preflight result is stored between the preflight's
/// arrival and the actual request's; under load these are hundreds of milliseconds apart.
/// A multi-step case is judged under each combination of the window ends (and the page's
/// own step times); a timing-dependent outcome counts as agreement when one of them agrees.
/// A real deviation in cache semantics disagrees under all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    /// Lookup at the step's first request, store at its first actual request.
    LateLookupLateStore,
    /// Lookup at the step's first request, store at its preflight.
    LateLookupEarlyStore,
    /// Lookup right after the previous step's last request, store at the preflight.
    EarlyLookupEarlyStore,
    /// Lookup right after the previous step's last request, store at the actual request.
    EarlyLookupLateStore,
    /// Everything at the page's step start times.
    Page,
}

const CLOCKS: [Clock; 5] = [
    Clock::LateLookupLateStore,
    Clock::LateLookupEarlyStore,
    Clock::EarlyLookupEarlyStore,
    Clock::EarlyLookupLateStore,
    Clock::Page,
];

/// The case with each step's lookup time (`at_ms`) under `clock`, and the store times, in
/// ms from the case's first request. A step that sent nothing keeps the page's start time.
fn at_real_times(case: &BrowserCase, ran: &Ran, page: &Value, clock: Clock) -> (BrowserCase, Vec<u64>) {
    let mut case = case.clone();
    let base = ran.record.steps.iter().flatten().map(|s| s.at).min();
    let ms = |at: std::time::Instant| base.map_or(0, |b| (at - b).as_millis() as u64);
    let page_steps = page.get("steps").and_then(Value::as_array);
    let mut store = Vec::with_capacity(case.steps.len());
    let (mut previous, mut previous_end) = (0, 0);
    for (i, step) in case.steps.iter_mut().enumerate() {
        let seen: &[Seen] = ran.record.steps.get(i).map_or(&[], |v| &v[..]);
        let page_t = page_steps.and_then(|p| p.get(i)).and_then(|p| p.get("t")).and_then(Value::as_u64);
        let first = seen.first().map(|s| ms(s.at));
        let preflight = seen.iter().find(|s| s.is_preflight()).map(|s| ms(s.at));
        let actual = seen.iter().find(|s| !s.is_preflight()).map(|s| ms(s.at));
        let fallback = page_t.unwrap_or(step.at_ms);
        let (lookup, stored) = match clock {
            Clock::LateLookupLateStore => (first, actual.or(first)),
            Clock::LateLookupEarlyStore => (first, preflight.or(first)),
            Clock::EarlyLookupEarlyStore => (first.map(|f| previous_end.min(f)), preflight.or(first)),
            Clock::EarlyLookupLateStore => (first.map(|f| previous_end.min(f)), actual.or(first)),
            Clock::Page => (page_t, page_t),
        };
        step.at_ms = lookup.unwrap_or(fallback).max(previous);
        store.push(stored.unwrap_or(fallback));
        previous = step.at_ms;
        previous_end = seen.last().map_or(previous, |s| ms(s.at)).max(previous);
    }
    (case, store)
}

fn judge(
    original: &BrowserCase,
    relocated: &BrowserCase,
    ran: &Ran,
    profile: &'static BrowserProfile,
    evaluate: Evaluator<'_>,
) -> Comparison {
    let clocks: &[Clock] = if relocated.steps.len() > 1 { &CLOCKS } else { &CLOCKS[..1] };
    let mut first = None;
    for &clock in clocks {
        let c = judge_at(original, relocated, ran, profile, evaluate, clock);
        if c.agrees() {
            return c;
        }
        first.get_or_insert(c);
    }
    first.expect("at least one clock")
}

fn judge_at(
    original: &BrowserCase,
    relocated: &BrowserCase,
    ran: &Ran,
    profile: &'static BrowserProfile,
    evaluate: Evaluator<'_>,
    clock: Clock,
) -> Comparison {
    let mut c = Comparison {
        case: original.clone(),
        relocated: ran.relocated.clone(),
        fields: Vec::new(),
        oracle: Vec::new(),
        browser: Vec::new(),
        wire: Vec::new(),
        console: ran.console.clone(),
        harness_error: None,
        ran: ran.clone(),
        profile,
    };
    let Some(page) = &ran.page else {
        c.harness_error = Some("no result from the page (stalled)".into());
        return c;
    };
    let (timed, store) = at_real_times(relocated, ran, page, clock);
    let verdicts = match evaluate(&timed, &store, profile) {
        Ok(v) => v,
        Err(u) => {
            c.harness_error = Some(format!("oracle: {u}"));
            return c;
        }
    };
    c.oracle =
        verdicts.iter().zip(&timed.steps).map(|(v, s)| StepView { at_ms: Some(s.at_ms), ..oracle_view(v) }).collect();
    let steps = page.get("steps").and_then(Value::as_array).cloned().unwrap_or_default();
    if steps.len() != verdicts.len() || ran.record.steps.len() != verdicts.len() {
        c.harness_error = Some(format!(
            "{} steps, page reported {}, server saw {}",
            verdicts.len(),
            steps.len(),
            ran.record.steps.len()
        ));
        return c;
    }
    c.browser = steps.iter().zip(&ran.record.steps).map(|(p, s)| browser_view(p, s)).collect();
    if let Some(s) = ran.record.steps.iter().flatten().find(|s| s.unscripted) {
        c.harness_error = Some(format!("the browser requested {} {}, which the case does not script", s.method, s.url));
    }
    if let Some(b) = c.browser.iter().find(|b| b.outcome == "timeout") {
        c.harness_error = Some(format!("fetch timed out in the page: {}", b.detail));
    }
    for (s, v) in verdicts.iter().enumerate() {
        wire_diffs(s, &timed, v, &ran.record.steps[s], &mut c.wire);
    }
    let pairs: Vec<(&StepView, &StepView)> = c.oracle.iter().zip(&c.browser).collect();
    let all = |f: &dyn Fn(&StepView, &StepView) -> bool| pairs.iter().all(|(o, b)| f(o, b));
    let both_shared = |o: &StepView, b: &StepView| o.outcome == "shared" && b.outcome == "shared";
    c.fields = vec![
        ("outcome", all(&|o, b| o.outcome == b.outcome)),
        ("status", all(&|o, b| !both_shared(o, b) || o.status == b.status)),
        ("exposed", all(&|o, b| !both_shared(o, b) || o.exposed == b.exposed)),
        ("preflight", all(&|o, b| o.preflight == b.preflight)),
        ("acrm", all(&|o, b| o.acrm == b.acrm)),
        ("acrh", all(&|o, b| o.acrh == b.acrh)),
        ("actual", all(&|o, b| o.actual == b.actual)),
        ("origin", all(&|o, b| o.origin == b.origin)),
        ("requests", c.wire.is_empty() && all(&|o, b| o.requests == b.requests)),
    ];
    c
}

/// Agreement counts per field over a run.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub cases: usize,
    pub agreeing: usize,
    pub harness_errors: usize,
    pub per_field: Vec<(&'static str, usize)>,
}

impl Tally {
    pub fn of(comparisons: &[Comparison]) -> Tally {
        let judged: Vec<&Comparison> = comparisons.iter().filter(|c| c.harness_error.is_none()).collect();
        Tally {
            cases: comparisons.len(),
            agreeing: judged.iter().filter(|c| c.agrees()).count(),
            harness_errors: comparisons.len() - judged.len(),
            per_field: FIELDS
                .iter()
                .map(|f| (*f, judged.iter().filter(|c| c.fields.iter().any(|(n, ok)| n == f && *ok)).count()))
                .collect(),
        }
    }

    pub fn render(&self) -> String {
        let judged = self.cases - self.harness_errors;
        let pct = |n: usize| if judged == 0 { 100.0 } else { n as f64 * 100.0 / judged as f64 };
        let mut out = format!(
            "agreement: {}/{} cases ({:.2}%), {} harness errors\n",
            self.agreeing,
            judged,
            pct(self.agreeing),
            self.harness_errors
        );
        for (f, n) in &self.per_field {
            out.push_str(&format!("  {f:<10} {n}/{judged} ({:.2}%)\n", pct(*n)));
        }
        out
    }
}

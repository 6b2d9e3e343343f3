//! The engine against real targets: the reference server shows no finding, real middleware
//! findings show up with minimal reproductions, fault targets become `execution` findings
//! without hanging the run, and a cancelled run stops and says so.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cors_harness::divergence::DivergenceClass;
use cors_harness::engine::{DriverSettings, RunSettings, Watch, run_target};
use cors_harness::probe::Probe;
use cors_harness::report::Finding;
use cors_harness::rule::Rule;
use cors_targets::Adapter;
use cors_targets::faults::{FAULT_ADAPTERS, Fault};

/// The support grid of browser requests as probes, one request each. Named like generated
/// probes, so that the engine treats them alike: one finding per (class, rule), shrunk.
fn probes() -> Vec<Probe> {
    support::browser_requests()
        .into_iter()
        .enumerate()
        .map(|(i, request)| Probe {
            id: format!("generated/{i}"),
            title: "a browser request from the support grid".into(),
            rules: vec![],
            requests: vec![request],
        })
        .collect()
}

fn settings() -> RunSettings {
    RunSettings {
        driver: DriverSettings { timeout: Duration::from_secs(2), ..DriverSettings::default() },
        ..RunSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_the_reference_server_has_no_finding_on_any_builtin_policy() {
    let probes = probes();
    for (name, policy) in cors_harness::policy::builtin::builtin() {
        let target = cors_targets::reference::REFERENCE.in_process(&policy).unwrap();
        let outcome = run_target(target.as_ref(), &policy, &probes, &settings(), &Watch::default()).await;
        assert!(outcome.completed);
        assert!(outcome.findings.is_empty(), "{name}: {:#?}", outcome.findings.first());
        let ran: usize = outcome.groups.iter().map(|g| g.probes).sum();
        let passed: usize = outcome.groups.iter().map(|g| g.passed).sum();
        assert_eq!((ran, passed), (probes.len(), probes.len()), "{name}");
    }
}

#[cfg(feature = "tower-http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre9_tower_http_f1_is_found_and_shrunk_to_the_authorization_header() {
    let policy = cors_harness::policy::builtin::by_name("public-api").unwrap();
    let target = cors_targets::tower_http::TOWER_HTTP.in_process(&policy).unwrap();
    // The standard's profile: Chromium lets `*` cover Authorization (BROWSER-DEVIATIONS.md row 5).
    let mut spec = settings();
    spec.driver.profile = &cors_harness::profile::SPEC;
    let outcome = run_target(target.as_ref(), &policy, &probes(), &spec, &Watch::default()).await;
    let f1: &Finding = outcome
        .findings
        .iter()
        .find(|f| f.class == DivergenceClass::Functional && f.rule == Some(Rule::Pre9))
        .unwrap_or_else(|| panic!("{:#?}", outcome.findings));
    // Shrunk: the authorization header alone remains, and the preflight shows it.
    let script = &f1.reproduction.script;
    assert_eq!(script.headers, [("Authorization".to_owned(), "<redacted>".to_owned())], "{f1:#?}");
    let preflight = &f1.reproduction.exchanges[0];
    assert!(preflight.request[0].starts_with("OPTIONS /data HTTP/1.1"), "{preflight:#?}");
    assert!(
        preflight.request.iter().any(|l| l.eq_ignore_ascii_case("access-control-request-headers: authorization")),
        "{preflight:#?}"
    );
    assert!(preflight.curl.starts_with("curl -i -X OPTIONS"));
}

/// A shrunk finding keeps the probe's title, which describes the probe as drawn, and says that
/// its reproduction is smaller; a finding reproduced as found keeps the title as it is.
#[cfg(feature = "tower-http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shrunk_findings_title_says_the_reproduction_is_shrunk() {
    use cors_harness::{BrowserRequest, HeaderList, Origin};
    let policy = cors_harness::policy::builtin::by_name("public-api").unwrap();
    let target = cors_targets::tower_http::TOWER_HTTP.in_process(&policy).unwrap();
    let mut spec = settings();
    spec.driver.profile = &cors_harness::profile::SPEC; // F1 (PRE-9), as above
    let mut bloated = BrowserRequest::fetch(
        Origin::parse_serialized(b"https://app.example.com").unwrap(),
        url::Url::parse("https://api.example.test/data").unwrap(),
    );
    bloated.headers =
        HeaderList::from_pairs([("X-Request-Id", "1"), ("Authorization", "Bearer t"), ("X-CSRF-Token", "t")]);
    let probe =
        |id: &str| Probe { id: id.into(), title: "bloated".into(), rules: vec![], requests: vec![bloated.clone()] };
    for (id, shrunk) in [("generated/0", true), ("preflight/bloated", false)] {
        let outcome = run_target(target.as_ref(), &policy, &[probe(id)], &spec, &Watch::default()).await;
        let f1 = outcome
            .findings
            .iter()
            .find(|f| f.rule == Some(Rule::Pre9))
            .unwrap_or_else(|| panic!("{id}: {:#?}", outcome.findings));
        let headers = f1.reproduction.script.headers.len();
        if shrunk {
            assert_eq!(f1.title, "bloated (as generated; the reproduction is shrunk)", "{f1:#?}");
            assert_eq!(headers, 1, "{f1:#?}");
        } else {
            assert_eq!(f1.title, "bloated", "catalogue probes are reported as they are: {f1:#?}");
            assert_eq!(headers, 3, "{f1:#?}");
        }
    }
}

/// Every fault target: the run completes within its timeouts, and every probe that got no
/// answer shows up as an `execution` finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_become_execution_findings_and_never_hang_the_run() {
    let policy = cors_harness::policy::builtin::by_name("single-origin").unwrap();
    let probes: Vec<Probe> = probes().into_iter().step_by(40).collect();
    let settings = RunSettings { concurrency: 4, ..settings() };
    for adapter in &FAULT_ADAPTERS {
        let target = adapter.served(&policy).unwrap();
        let started = Instant::now();
        let outcome = run_target(target.as_ref(), &policy, &probes, &settings, &Watch::default()).await;
        // Worst case: every request of every probe times out (1 s), 4 at a time, plus shrinking.
        assert!(started.elapsed() < Duration::from_secs(60), "{}: {:?}", adapter.name(), started.elapsed());
        assert!(outcome.completed);
        let execution: Vec<&Finding> =
            outcome.findings.iter().filter(|f| f.class == DivergenceClass::Execution).collect();
        match adapter.0 {
            // A slow but valid answer is an answer.
            Fault::Slow => assert!(execution.is_empty(), "{execution:#?}"),
            _ => {
                assert!(!execution.is_empty(), "{}", adapter.name());
                let failed: usize = outcome.groups.iter().map(|g| g.divergences.execution).sum();
                assert_eq!(failed, probes.len(), "{}: every probe fails", adapter.name());
                let exchange = execution[0].reproduction.exchanges.last().unwrap();
                assert!(exchange.response.is_empty() && exchange.error.is_some(), "{exchange:#?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_stops_and_reports_what_finished() {
    let policy = cors_harness::policy::builtin::by_name("single-origin").unwrap();
    let target = cors_targets::reference::REFERENCE.in_process(&policy).unwrap();
    let probes = probes();
    let watch = Watch::default();
    let seen = Arc::new(AtomicUsize::new(0));
    let (cancel, counter) = (watch.cancel.clone(), seen.clone());
    let watch = Watch {
        on_probe: Some(Arc::new(move |n| {
            if counter.fetch_add(n, Ordering::Relaxed) + n >= 100 {
                cancel.store(true, Ordering::Relaxed);
            }
        })),
        ..watch
    };
    let outcome = run_target(target.as_ref(), &policy, &probes, &settings(), &watch).await;
    assert!(!outcome.completed);
    let ran: usize = outcome.groups.iter().map(|g| g.probes).sum();
    // The probes in flight when the flag was set still finish.
    assert!((100..100 + settings().concurrency).contains(&ran), "{ran}");
    assert_eq!(ran, seen.load(Ordering::Relaxed));
}

//! The divergence classifier over real targets: the reference server shows none on any example
//! policy, and the findings in FINDINGS.md show up as the divergences they are.

mod support;

use std::collections::BTreeMap;

use cors_harness::divergence::{Divergence, DivergenceClass, divergences};
use cors_harness::profile::{BrowserProfile, CHROMIUM, SPEC};
use cors_harness::rule::Rule;
use cors_targets::Adapter;
use support::TargetResponder;

/// Every divergence of `adapter` over the example policies and the browser-request grid,
/// keyed by policy name.
async fn all_divergences(
    adapter: &'static dyn Adapter,
    profile: &'static BrowserProfile,
) -> BTreeMap<String, Vec<Divergence>> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut out = BTreeMap::new();
        for (name, policy) in support::example_policies() {
            let Ok(target) = adapter.in_process(&policy) else { continue };
            let mut responder = TargetResponder { target: target.as_ref(), runtime: runtime.clone() };
            let mut found = Vec::new();
            for request in support::browser_requests() {
                let verdict = cors_harness::evaluate_once(&request, &mut responder, profile).unwrap();
                found.extend(divergences(&policy, &request, &verdict));
            }
            out.insert(name, found);
        }
        out
    })
    .await
    .unwrap()
}

fn has(found: &BTreeMap<String, Vec<Divergence>>, policy: &str, class: DivergenceClass, rule: Rule) -> bool {
    found.get(policy).is_some_and(|d| d.iter().any(|d| d.class == class && d.rule == Some(rule)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_the_reference_server_shows_no_divergence() {
    let found = all_divergences(&cors_targets::reference::REFERENCE, &CHROMIUM).await;
    assert_eq!(found.len(), 5, "every example policy is supported");
    for (policy, divergences) in &found {
        assert!(divergences.is_empty(), "{policy}: {:#?}", &divergences[..divergences.len().min(5)]);
    }
}

#[cfg(feature = "tower-http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre9_tower_http_any_headers_is_a_functional_divergence_f1() {
    // Under the standard; Chromium lets `*` cover Authorization (BROWSER-DEVIATIONS.md row 5).
    let found = all_divergences(&cors_targets::tower_http::TOWER_HTTP, &SPEC).await;
    assert!(has(&found, "public-api", DivergenceClass::Functional, Rule::Pre9), "{:#?}", found.get("public-api"));
    let found = all_divergences(&cors_targets::tower_http::TOWER_HTTP, &CHROMIUM).await;
    assert!(!has(&found, "public-api", DivergenceClass::Functional, Rule::Pre9), "{:#?}", found.get("public-api"));
}

#[cfg(feature = "poem")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv9_poem_missing_vary_is_a_protocol_divergence_f4() {
    let found = all_divergences(&cors_targets::poem::POEM, &CHROMIUM).await;
    assert!(has(&found, "two-frontends-credentials", DivergenceClass::Protocol, Rule::Srv9));
}

#[cfg(feature = "warp")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv9_warp_missing_vary_is_a_protocol_divergence_f8() {
    let found = all_divergences(&cors_targets::warp::WARP, &CHROMIUM).await;
    assert!(has(&found, "single-origin", DivergenceClass::Protocol, Rule::Srv9));
}

/// Not an assertion: prints the divergence counts per adapter, policy, class and rule
/// (`cargo test -p cors-targets --test divergences -- --nocapture census`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn census() {
    for adapter in cors_targets::adapters() {
        for (policy, found) in all_divergences(adapter, &CHROMIUM).await {
            let mut counts: BTreeMap<(DivergenceClass, Option<Rule>), usize> = BTreeMap::new();
            for d in found {
                *counts.entry((d.class, d.rule)).or_default() += 1;
            }
            let summary: Vec<String> = counts
                .iter()
                .map(|((c, r), n)| format!("{c:?} {} ×{n}", r.map_or("EXEC".to_owned(), |r| r.to_string())))
                .collect();
            eprintln!(
                "{:<11} {policy:<28} {}",
                adapter.name(),
                if summary.is_empty() { "none".into() } else { summary.join(", ") }
            );
        }
    }
}

//! The conformance catalogue over real targets: the reference server shows no divergence on
//! any probe of any example policy, and deliberately broken servers show up in the probes
//! that name their bug.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use cors_harness::catalogue::catalogue;
use cors_harness::divergence::{Divergence, DivergenceClass, divergences};
use cors_harness::policy::{AllowedOrigins, OriginRule, Policy};
use cors_harness::profile::{BrowserProfile, CHROMIUM, SPEC};
use cors_harness::rule::Rule;
use cors_harness::target::Target;
use cors_targets::in_process::ServiceTarget;
use http_body_util::Full;
use support::TargetResponder;

const URL: &str = "http://api.example.test/data";

/// Every catalogue probe of `policy` against `target`: probe ID → (requests, divergences).
async fn run(
    target: Box<dyn Target>,
    policy: &Policy,
    profile: &'static BrowserProfile,
) -> BTreeMap<String, (usize, Vec<Divergence>)> {
    let runtime = tokio::runtime::Handle::current();
    let policy = policy.clone();
    tokio::task::spawn_blocking(move || {
        let mut responder = TargetResponder { target: target.as_ref(), runtime };
        let mut out = BTreeMap::new();
        for probe in catalogue(&policy, &url::Url::parse(URL).unwrap()) {
            let mut found = Vec::new();
            for request in &probe.requests {
                let verdict = cors_harness::evaluate_once(request, &mut responder, profile).unwrap();
                found.extend(divergences(&policy, request, &verdict));
            }
            out.insert(probe.id, (probe.requests.len(), found));
        }
        out
    })
    .await
    .unwrap()
}

/// The probes with a divergence of `class`.
fn flagged(found: &BTreeMap<String, (usize, Vec<Divergence>)>, class: DivergenceClass) -> BTreeSet<&str> {
    found.iter().filter(|(_, (_, d))| d.iter().any(|d| d.class == class)).map(|(id, _)| id.as_str()).collect()
}

fn in_process(
    name: &str,
    answer: impl Fn(&http::Request<Full<Bytes>>) -> http::Response<Bytes> + Send + Sync + 'static,
) -> Box<dyn Target> {
    let answer = Arc::new(answer);
    let service = tower::service_fn(move |request: http::Request<Full<Bytes>>| {
        let response = answer(&request).map(Full::new);
        async move { Ok::<_, Infallible>(response) }
    });
    Box::new(ServiceTarget::new(name, service))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_the_reference_server_shows_no_divergence_on_any_probe() {
    let mut total = (0, 0);
    for (name, policy) in support::example_policies() {
        let target = cors_targets::Adapter::in_process(&cors_targets::reference::REFERENCE, &policy).unwrap();
        let found = run(target, &policy, &CHROMIUM).await;
        for (id, (_, divergences)) in &found {
            assert!(divergences.is_empty(), "{name} {id}: {divergences:#?}");
        }
        let requests: usize = found.values().map(|(n, _)| n).sum();
        eprintln!("reference {name:<28} {} probes, {requests} requests, 0 divergences", found.len());
        total = (total.0 + found.len(), total.1 + requests);
    }
    eprintln!("reference total: {} probes, {} requests", total.0, total.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pna1_the_reference_server_answers_private_network_probes() {
    const PNA: BrowserProfile = BrowserProfile { name: "chromium+pna", private_network_access: true, ..CHROMIUM };
    for (name, policy) in support::example_policies() {
        let policy = policy.with_private_network(true);
        let target = cors_targets::Adapter::in_process(&cors_targets::reference::REFERENCE, &policy).unwrap();
        let found = run(target, &policy, &PNA).await;
        assert!(found.contains_key("private-network/allowed"), "{name}");
        for (id, (_, divergences)) in &found {
            assert!(divergences.is_empty(), "{name} {id}: {divergences:#?}");
        }
    }
}

/// Reflects every `Origin` with `Access-Control-Allow-Credentials: true`, and echoes every
/// requested method and header: the SRV-5 classic.
fn reflect_everything(request: &http::Request<Full<Bytes>>) -> http::Response<Bytes> {
    let h = request.headers();
    let preflight = request.method() == http::Method::OPTIONS && h.contains_key("access-control-request-method");
    let mut response = if preflight {
        http::Response::builder().status(204).body(Bytes::new()).unwrap()
    } else {
        cors_targets::app::response()
    };
    let out = response.headers_mut();
    out.append("vary", "Origin".parse().unwrap());
    if let Some(origin) = h.get("origin") {
        out.insert("access-control-allow-origin", origin.clone());
        out.insert("access-control-allow-credentials", "true".parse().unwrap());
    }
    if preflight {
        for (request, answer) in [
            ("access-control-request-method", "access-control-allow-methods"),
            ("access-control-request-headers", "access-control-allow-headers"),
        ] {
            if let Some(v) = h.get(request) {
                out.insert(answer, v.clone());
            }
        }
    }
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv5_a_server_reflecting_every_origin_with_credentials_is_flagged_on_the_origin_probes() {
    let policy = support::policy(include_str!("../../harness/tests/policies/single-origin.toml"));
    let found = run(in_process("reflect-everything", reflect_everything), &policy, &CHROMIUM).await;
    let security = flagged(&found, DivergenceClass::Security);
    let expected = [
        "origin/reflect-arbitrary",
        "origin/null",
        "origin/prefix-match",
        "origin/suffix-match",
        "origin/substring",
        "origin/unescaped-dot",
        "origin/scheme-downgrade",
        "origin/port",
        "origin/special-chars",
        "origin/idn",
        "origin/any-subdomain",
        "origin/parent-domain",
        "origin/third-party",
        "origin/localhost",
        "preflight/disallowed-method",
        "preflight/method-case",
        "preflight/unlisted-header",
        "preflight/authorization",
        "preflight/disallowed-origin",
        "credentials/not-allowed",
        "vary/actual-disallowed",
        "vary/preflight",
    ];
    assert_eq!(security, BTreeSet::from(expected), "{found:#?}");
    // The allowed origin reads as it should; only the credentials it should not get are extra.
    for id in ["origin/allowed", "origin/case", "preflight/allowed-header", "preflight/status"] {
        assert!(found[id].1.is_empty(), "{id}: {:#?}", found[id].1);
    }
    // Reflection into a credentialed read from an arbitrary origin: SRV-4 (origin not allowed).
    assert!(found["origin/reflect-arbitrary"].1.iter().any(|d| d.rule == Some(Rule::Srv4)));
    assert!(found["credentials/not-allowed"].1.iter().any(|d| d.rule == Some(Rule::Srv7)));
    eprintln!("reflect-everything: {} of {} probes with a security divergence", security.len(), found.len());
}

/// The reference server, except that an origin ending with an allowed origin's host is
/// allowed too (`origin.ends_with("app.example.com")`): the classic suffix check.
fn suffix_matching(policy: Policy) -> impl Fn(&http::Request<Full<Bytes>>) -> http::Response<Bytes> + Send + Sync {
    let hosts: Vec<String> = policy
        .origins
        .rules()
        .iter()
        .filter_map(|r| match r {
            OriginRule::Exact(t) => Some(t.host().to_string()),
            _ => None,
        })
        .collect();
    move |request| {
        let origin = request.headers().get("origin").and_then(|o| o.to_str().ok()).unwrap_or("");
        let effective = match OriginRule::parse(origin) {
            Ok(rule) if hosts.iter().any(|h| origin.ends_with(h.as_str())) => {
                policy.clone().with_origins(AllowedOrigins::List(vec![rule]))
            }
            _ => policy.clone(),
        };
        cors_targets::reference::answer(&effective, request.method(), request.headers())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv4_a_suffix_matching_server_is_flagged_on_suffix_match_not_prefix_match() {
    let policy = support::policy(include_str!("../../harness/tests/policies/single-origin.toml"));
    let found = run(in_process("suffix-matching", suffix_matching(policy.clone())), &policy, &CHROMIUM).await;
    let security = flagged(&found, DivergenceClass::Security);
    // evilapp.example.com, evil.app.example.com and http://app.example.com end with the host.
    assert_eq!(
        security,
        BTreeSet::from(["origin/suffix-match", "origin/any-subdomain", "origin/scheme-downgrade"]),
        "{found:#?}"
    );
    assert!(found["origin/prefix-match"].1.is_empty());
    assert!(flagged(&found, DivergenceClass::Functional).is_empty());
}

#[cfg(feature = "tower-http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre9_tower_http_any_headers_fails_the_authorization_probe_f1() {
    let policy = support::policy(include_str!("../../harness/tests/policies/public-api.toml"));
    let adapter = &cors_targets::tower_http::TOWER_HTTP;
    // Under the standard, `*` never covers Authorization: the policy's "any header" fails.
    let found = run(cors_targets::Adapter::in_process(adapter, &policy).unwrap(), &policy, &SPEC).await;
    let authorization = &found["preflight/authorization"].1;
    assert!(
        authorization.iter().any(|d| d.class == DivergenceClass::Functional && d.rule == Some(Rule::Pre9)),
        "{authorization:#?}"
    );
    // Chromium lets `*` cover it without credentials (BROWSER-DEVIATIONS.md row 5): no divergence.
    let chromium = run(cors_targets::Adapter::in_process(adapter, &policy).unwrap(), &policy, &CHROMIUM).await;
    assert_eq!(chromium["preflight/authorization"].1, [], "{chromium:#?}");
    let functional = flagged(&found, DivergenceClass::Functional);
    eprintln!("tower-http public-api: functional divergences on {functional:?}");
}

/// Not an assertion: the probes each adapter diverges on, per policy and class
/// (`cargo test -p cors-targets --test catalogue -- --nocapture census`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn census() {
    for adapter in cors_targets::adapters() {
        for (name, policy) in support::example_policies() {
            let Ok(target) = adapter.in_process(&policy) else {
                eprintln!("{:<11} {name:<28} n/a", adapter.name());
                continue;
            };
            let found = run(target, &policy, &CHROMIUM).await;
            let mut cells = Vec::new();
            for class in [DivergenceClass::Security, DivergenceClass::Functional, DivergenceClass::Protocol] {
                let ids = flagged(&found, class);
                if !ids.is_empty() {
                    cells.push(format!("{class:?}: {}", ids.into_iter().collect::<Vec<_>>().join(" ")));
                }
            }
            eprintln!(
                "{:<11} {name:<28} {}",
                adapter.name(),
                if cells.is_empty() { "none".to_owned() } else { cells.join(" | ") }
            );
        }
    }
}

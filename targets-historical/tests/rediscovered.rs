//! The engine rediscovers each pinned release's known bug on its own: the conformance
//! catalogue plus 300 generated probes (seed 20261126), run through `run_target` exactly as
//! `cors-harness matrix` runs one (target, policy) cell, under a policy that triggers the bug.
//! Each test asserts the finding that shows the bug (class, rule, probe, wire bytes), snapshots
//! all the pin's findings (`tests/snapshots/rediscovered__<pin>@<policy>.snap`, the shape of
//! the main workspace's `targets/tests/snapshots.rs`), and checks that the current release of
//! the same crate does not show that divergence.
//!
//! The current release is read from the main workspace's committed snapshots
//! (`../targets/tests/snapshots/`, see `support::engine::current_release`): cheap, and kept
//! true by the main workspace's own snapshot test. Those snapshots cover the five built-in
//! policies only; where the triggering policy is not one of them (actix-cors, salvo), the
//! check is that the current release shows no finding of that class and rule under any of them.
//!
//! tower-http 0.3.4 is in its own workspace: `tower-http-0.3.4/tests/rediscovered.rs`, run by
//! `tests/tower_http_0_3_4.rs`. warp 0.3.0's bug is **not** rediscovered (see its test).
//!
//! Updating after an intended change: `INSTA_UPDATE=always cargo test --locked --test
//! rediscovered` (or `cargo insta review`), then review the diff.

mod support;

use cors_harness::divergence::DivergenceClass::{Functional, Protocol, Security};
use cors_harness::policy::{AllowedNames, Policy};
use cors_harness::rule::Rule;
use cors_targets_historical::{actix_cors_0_5_0, salvo_cors_0_93_0, tower_http_0_2_0, tower_http_0_3_0, warp_0_3_0};
use support::engine::{
    GENERATED, current_release, current_release_under, matching, policy_file, rediscover, run, wire,
};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn builtin(name: &str) -> Policy {
    cors_harness::policy::builtin::by_name(name).expect("a built-in policy")
}

/// tower-rs/tower-http#198: no `Vary: Origin` although `Access-Control-Allow-Origin` echoes the
/// request's origin. Fixed in 0.2.1 (actual responses) and 0.2.2 (preflights).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv9_tower_http_0_2_0_missing_vary_rediscovered() {
    let policy = "two-frontends-credentials";
    let findings = rediscover(DIR, &tower_http_0_2_0::ADAPTER, policy, &builtin(policy)).await;

    // Every finding is the missing Vary (protocol SRV-9): on actual responses (#199, 0.2.1)
    // and on preflights (#216, 0.2.2), in the vary probes and in most random ones.
    assert!(findings.iter().all(|f| f.class == Protocol && f.rule == Some(Rule::Srv9)), "{findings:#?}");
    for (probe, what) in [
        ("vary/actual", "the response depends on Origin but has no Vary: Origin"),
        ("vary/preflight", "the preflight depends on Origin but has no Vary: Origin"),
        ("origin/allowed", "the response depends on Origin but has no Vary: Origin"),
    ] {
        let found = matching(&findings, Protocol, Rule::Srv9, probe);
        assert_eq!(found.len(), 1, "no SRV-9 finding on {probe}: {findings:#?}");
        assert!(found[0].explanation.contains(what), "{}", found[0]);
        let wire = wire(found[0]).to_ascii_lowercase();
        assert!(wire.contains("< access-control-allow-origin: https://app.example.com\n"), "{wire}");
        assert!(!wire.contains("< vary:"), "{wire}");
    }
    let generated: usize = matching(&findings, Protocol, Rule::Srv9, "generated/").iter().map(|f| f.occurrences).sum();
    assert!(generated > GENERATED / 2, "SRV-9 on {generated} of {GENERATED} generated probes");

    // tower-http 0.7, same policy: no finding at all; no SRV-9 under any built-in policy.
    let current = current_release_under(DIR, "tower-http", policy);
    assert_eq!((current.status.as_str(), current.findings.len()), ("ran", 0), "{current:#?}");
    for snapshot in current_release(DIR, "tower-http") {
        assert!(snapshot.findings.iter().all(|f| f.rule != "SRV-9"), "{snapshot:#?}");
    }
}

/// tower-rs/tower-http#255: `AllowOrigin::list` sends the list as one
/// `Access-Control-Allow-Origin: a,b` to everyone, so no listed origin can read. Fixed in 0.3.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chk3_tower_http_0_3_0_origin_list_as_one_value_rediscovered() {
    let policy = "two-frontends-credentials";
    let findings = rediscover(DIR, &tower_http_0_3_0::ADAPTER, policy, &builtin(policy)).await;

    // Every finding: an allowed origin blocked by CHK-3 (the joined list is not its origin).
    assert!(findings.iter().all(|f| f.class == Functional && f.rule == Some(Rule::Chk3)), "{findings:#?}");
    let allowed = matching(&findings, Functional, Rule::Chk3, "origin/allowed");
    assert_eq!(allowed.len(), 1, "{findings:#?}");
    assert!(
        wire(allowed[0]).contains("< access-control-allow-origin: https://app.example.com,https://admin.example.com\n"),
        "{}",
        allowed[0]
    );
    assert!(allowed[0].explanation.contains("is not byte-identical to the request origin"), "{}", allowed[0]);
    assert!(!matching(&findings, Functional, Rule::Chk3, "generated/").is_empty());

    // Control: a one-origin list is a single value, which is right.
    let single = run(&tower_http_0_3_0::ADAPTER, &builtin("single-origin")).await;
    assert!(single.is_empty(), "{single:#?}");

    // tower-http 0.7, same policy: no finding; no CHK-3 under any built-in policy.
    let current = current_release_under(DIR, "tower-http", policy);
    assert_eq!((current.status.as_str(), current.findings.len()), ("ran", 0), "{current:#?}");
    for snapshot in current_release(DIR, "tower-http") {
        assert!(snapshot.findings.iter().all(|f| f.rule != "CHK-3"), "{snapshot:#?}");
    }
}

/// actix/actix-extras#121: `allowed_origin(a)` then `allow_any_header()` allows every origin
/// (and no request header). Fixed in 0.5.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv4_actix_cors_0_5_0_any_header_allows_any_origin_rediscovered() {
    let name = "listed-origin-any-header";
    let policy = policy_file(DIR, name);
    let findings = rediscover(DIR, &actix_cors_0_5_0::ADAPTER, name, &policy).await;

    // Security: origins the policy refuses read the response, their origin echoed back.
    let security: Vec<_> = findings.iter().filter(|f| f.class == Security).collect();
    assert!(security.iter().all(|f| f.rule == Some(Rule::Srv4)), "{security:#?}");
    for probe in ["origin/reflect-arbitrary", "origin/null", "origin/suffix-match", "origin/prefix-match", "generated/"]
    {
        let found = matching(&findings, Security, Rule::Srv4, probe);
        assert_eq!(found.len(), 1, "no SRV-4 finding on {probe}: {findings:#?}");
        let origin = &found[0].reproduction.script.origin;
        assert!(wire(found[0]).contains(&format!("< access-control-allow-origin: {origin}\n")), "{}", found[0]);
    }
    // ... and "any header" allows none: preflights asking for one are refused (400, PRE-5).
    let refused = matching(&findings, Functional, Rule::Pre5, "preflight/allowed-header");
    assert_eq!(refused.len(), 1, "{findings:#?}");
    assert!(wire(refused[0]).contains("< HTTP/1.1 400"), "{}", refused[0]);

    // Control: with the header listed instead of `*`, the origin list holds.
    let listed = policy.clone().with_allow_headers(AllowedNames::list(["x-custom-header"]).unwrap());
    let control = run(&actix_cors_0_5_0::ADAPTER, &listed).await;
    assert!(control.iter().all(|f| f.class != Security), "{control:#?}");

    // actix-cors 0.7: no security finding under any built-in policy (none of them is this
    // one: the closest are exact-origin lists with listed headers, and `*` with `*`).
    for snapshot in current_release(DIR, "actix-cors") {
        assert!(snapshot.findings.iter().all(|f| f.class != "security" && f.rule != "SRV-4"), "{snapshot:#?}");
    }
}

/// seanmonstar/warp#792: `Access-Control-Request-Headers: content-type, x-foo` (a space after
/// the comma) is refused, because ` x-foo` is checked untrimmed. Fixed in 0.3.1.
///
/// **Not rediscovered, by construction.** A browser sends that header as lowercase names
/// joined with a bare `,` (PRE-3; WPT `cors-preflight.any.js` asserts it), so every preflight
/// the engine sends, catalogue or generated, reads `content-type,x-csrf-token` and warp 0.3.0
/// answers it correctly. The bug needs a request no browser sends (older clients and proxies
/// did); `tests/warp_0_3_0.rs` shows it with exactly that request. Here the engine finds
/// nothing but warp's missing `Vary` (SRV-9), which warp 0.4.3 shares: at the time of writing
/// the two snapshots hold the same findings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre3_warp_0_3_0_spaced_request_headers_not_rediscoverable() {
    let name = "two-frontends-credentials";
    let policy = builtin(name);
    let findings = rediscover(DIR, &warp_0_3_0::ADAPTER, name, &policy).await;
    assert!(findings.iter().all(|f| f.class == Protocol && f.rule == Some(Rule::Srv9)), "{findings:#?}");

    // The preflight of `preflight/many-headers` carries both request headers the policy allows,
    // joined as a browser joins them, and warp 0.3.0 allows it.
    let url = url::Url::parse("http://api.example.test/data").unwrap();
    let probes = cors_harness::catalogue::catalogue(&policy, &url);
    let many = probes.iter().find(|p| p.id == "preflight/many-headers").expect("the probe");
    let target = warp_0_3_0::build(&policy).unwrap();
    let driven = cors_harness::engine::drive(
        target.as_ref(),
        &many.requests[0],
        &cors_harness::engine::DriverSettings::default(),
    )
    .await;
    let preflight = &driven.sent[0];
    assert_eq!(preflight.request.method, "OPTIONS");
    assert_eq!(
        preflight.request.headers.get("access-control-request-headers").as_deref(),
        Some(&b"content-type,x-csrf-token"[..])
    );
    assert_eq!(preflight.answer.as_ref().unwrap().status, 200);
    assert!(driven.verdict.unwrap().readable());

    // warp 0.4.3 (current): no functional finding either, under any built-in policy.
    for snapshot in current_release(DIR, "warp") {
        assert!(snapshot.findings.iter().all(|f| f.class != "functional"), "{snapshot:#?}");
    }
}

/// salvo-rs/salvo#1560: any origin with credentials decided by a closure sends
/// `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`. Fixed in
/// 0.94.0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chk3_salvo_cors_0_93_0_wildcard_with_credentials_rediscovered() {
    let name = "any-origin-credentials";
    let findings = rediscover(DIR, &salvo_cors_0_93_0::ADAPTER, name, &policy_file(DIR, name)).await;

    // Functional: a credentialed read the policy allows fails CHK-3 (`*` is not the origin).
    for probe in ["credentials/allowed", "credentials/wildcard", "origin/allowed", "generated/"] {
        let found = matching(&findings, Functional, Rule::Chk3, probe);
        assert_eq!(found.len(), 1, "no CHK-3 finding on {probe}: {findings:#?}");
        assert_eq!(found[0].reproduction.script.credentials, "include");
        assert!(found[0].explanation.contains("Access-Control-Allow-Origin is * but the request carries credentials"));
        let wire = wire(found[0]);
        assert!(wire.contains("< access-control-allow-origin: *\n"), "{wire}");
        assert!(wire.contains("< access-control-allow-credentials: true\n"), "{wire}");
    }
    // Protocol: every answer combines the two (SRV-7), credentialed request or not.
    let combined = matching(&findings, Protocol, Rule::Srv7, "credentials/allowed");
    assert_eq!(combined.len(), 1, "{findings:#?}");
    assert!(combined[0].explanation.contains("combines Access-Control-Allow-Origin: * with credentials"));
    assert!(findings.iter().all(|f| f.class != Security), "{findings:#?}");

    // salvo 1.1 (salvo-cors 1.1): neither finding under any built-in policy (none has `*` with
    // credentials; 0.94.0 drops the credentials header when the origin resolves to `*`).
    for snapshot in current_release(DIR, "salvo") {
        assert!(snapshot.findings.iter().all(|f| f.rule != "CHK-3" && f.rule != "SRV-7"), "{snapshot:#?}");
    }
}

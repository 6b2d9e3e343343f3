//! The engine rediscovers tower-http 0.3.4's bug on its own (the companion of
//! `targets-historical/tests/rediscovered.rs`, whose support code this test shares): the
//! catalogue plus 300 generated probes (seed 20261126) through `run_target` under
//! `policies/any-origin-credentials.toml`, findings snapshotted as
//! `targets-historical/tests/snapshots/rediscovered__tower-http-0.3.4@any-origin-credentials.snap`.

#[path = "../../tests/support/engine.rs"]
mod engine;

use cors_harness::divergence::DivergenceClass::{Functional, Security};
use cors_harness::rule::Rule;
use engine::{current_release, matching, policy_file, rediscover, wire};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// tower-rs/tower-http#284: `AllowOrigin::list(["*"])` with credentials is accepted (0.3.5
/// refuses it, tower-rs/tower-http#285) and compares `*` as one more origin, so every real
/// origin — all of them meant to read, with credentials — gets no `Access-Control-Allow-Origin`
/// but `Access-Control-Allow-Credentials: true`: functional CHK-1 everywhere.
///
/// The other half of the bug is **not** rediscoverable: the literal `Origin: *` is echoed as
/// `Access-Control-Allow-Origin: *` with credentials (SRV-5), but no browser sends `Origin: *`
/// (an `Origin` is a serialized origin or `null`, ORIG-1/ORIG-2), so no probe does.
/// `tests/tower_http_0_3_4.rs` shows it with exactly that request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chk1_tower_http_0_3_4_wildcard_in_list_with_credentials_rediscovered() {
    let name = "any-origin-credentials";
    let adapter = &cors_targets_historical_tower_http_0_3_4::ADAPTER;
    let findings = rediscover(DIR, adapter, name, &policy_file(DIR, name)).await;

    // Every finding: an origin the policy allows, blocked because nothing allows it.
    assert!(findings.iter().all(|f| f.class == Functional && f.rule == Some(Rule::Chk1)), "{findings:#?}");
    for probe in ["origin/allowed", "origin/reflect-arbitrary", "credentials/allowed", "generated/"] {
        let found = matching(&findings, Functional, Rule::Chk1, probe);
        assert_eq!(found.len(), 1, "no CHK-1 finding on {probe}: {findings:#?}");
        let wire = wire(found[0]);
        assert!(!wire.contains("< access-control-allow-origin:"), "{wire}");
        assert!(wire.contains("< access-control-allow-credentials: true\n"), "{wire}");
    }
    assert!(findings.iter().all(|f| f.class != Security), "{findings:#?}");

    // Fixed configurations run only under the policy they stand for.
    let other = cors_harness::policy::builtin::by_name("public-api").unwrap();
    let refused = cors_harness::adapter::Adapter::in_process(adapter, &other).err().expect("n/a");
    assert!(refused.feature.starts_with("a policy other than policies/any-origin-credentials.toml"), "{refused}");

    // tower-http 0.7: no CHK-1 under any built-in policy (none is this one; 0.3.5 and later
    // refuse `*` in a list when the middleware is built).
    for snapshot in current_release(DIR, "tower-http") {
        assert!(snapshot.findings.iter().all(|f| f.rule != "CHK-1"), "{snapshot:#?}");
    }
}

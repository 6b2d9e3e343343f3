//! Snapshots of every adapter's findings under every built-in policy (insta, YAML), so a
//! middleware upgrade that changes behaviour shows up in `cargo insta review`. The probes are
//! the catalogue plus 300 generated ones from a fixed seed; the reference server's snapshots
//! hold no finding.
//!
//! Updating after an intended change: `cargo insta test -p cors-targets --test snapshots
//! --review` (or `INSTA_UPDATE=always cargo test ...` and review the diff).

use cors_harness::engine::{RunSettings, Watch, run_target};
use cors_harness::report::{FindingSnapshot, RunSnapshot};
use cors_targets::Adapter;

const SEED: u64 = 20261126;
const GENERATED: usize = 300;

async fn snapshot(adapter: &'static dyn Adapter) {
    let url = url::Url::parse("http://api.example.test/data").unwrap();
    for (name, policy) in cors_harness::policy::builtin::builtin() {
        let mut probes = cors_harness::catalogue::catalogue(&policy, &url);
        probes.extend(cors_harness::generate::probes(&policy, &url, SEED, GENERATED));
        let (status, groups, findings) = match tokio::task::block_in_place(|| adapter.in_process(&policy)) {
            Err(unsupported) => (format!("n/a: {}", unsupported.reason), vec![], vec![]),
            Ok(target) => {
                let outcome =
                    run_target(target.as_ref(), &policy, &probes, &RunSettings::default(), &Watch::default()).await;
                assert!(outcome.completed);
                ("ran".to_owned(), outcome.groups, outcome.findings.iter().map(FindingSnapshot::from).collect())
            }
        };
        let snapshot =
            RunSnapshot { target: adapter.version().to_owned(), policy: name.to_owned(), status, groups, findings };
        insta::assert_yaml_snapshot!(format!("{}@{name}", adapter.name()), snapshot);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference() {
    snapshot(&cors_targets::reference::REFERENCE).await;
}

#[cfg(feature = "tower-http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_http() {
    snapshot(&cors_targets::tower_http::TOWER_HTTP).await;
}

#[cfg(feature = "actix-cors")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_cors() {
    snapshot(&cors_targets::actix_cors::ACTIX_CORS).await;
}

#[cfg(feature = "poem")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poem() {
    snapshot(&cors_targets::poem::POEM).await;
}

#[cfg(feature = "salvo")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salvo() {
    snapshot(&cors_targets::salvo::SALVO).await;
}

#[cfg(feature = "warp")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warp() {
    snapshot(&cors_targets::warp::WARP).await;
}

#[cfg(feature = "rocket-cors")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocket_cors() {
    snapshot(&cors_targets::rocket_cors::ROCKET_CORS).await;
}

#[cfg(feature = "ntex-cors")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ntex_cors() {
    snapshot(&cors_targets::ntex_cors::NTEX_CORS).await;
}

#[cfg(feature = "trillium-cors")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trillium_cors() {
    snapshot(&cors_targets::trillium_cors::TRILLIUM_CORS).await;
}

#[cfg(feature = "viz")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viz() {
    snapshot(&cors_targets::viz::VIZ).await;
}

/// Every compiled-in adapter has a snapshot test above.
#[test]
fn every_adapter_is_snapshotted() {
    let source = include_str!("snapshots.rs");
    for adapter in cors_targets::adapters() {
        let test = format!("async fn {}()", adapter.name().replace('-', "_"));
        assert!(source.contains(&test), "no snapshot test for {}", adapter.name());
    }
}

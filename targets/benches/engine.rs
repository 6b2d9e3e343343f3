//! The engine's cost next to the target's (issue 5 evidence): cases per second through the
//! whole harness (generate the probe, drive preflight + actual request through the oracle,
//! judge) versus a bare loop that sends the very same wire requests through the very same
//! tower-http service. The bar: the harness runs at ≥ 50% of the bare loop.
//!
//! `cargo bench -p cors-targets --bench engine`

use std::hint::black_box;

use bytes::Bytes;
use cors_harness::engine::driver::{DriverSettings, drive};
use cors_harness::engine::judge::Judge;
use cors_harness::policy::builtin;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;

// As in the `cors-harness` binary, whose allocator this is (both loops run with it).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CASES: usize = 1000;
const SEED: u64 = 7;

fn bench(c: &mut Criterion) {
    let policy = builtin::by_name("two-frontends-credentials").unwrap();
    let url = url::Url::parse("http://api.example.test/data").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let layer = cors_targets::tower_http::layer(&policy).unwrap();
    let service =
        tower::ServiceBuilder::new().layer(layer).service(tower::service_fn(|_: http::Request<Full<Bytes>>| async {
            Ok::<_, std::convert::Infallible>(cors_targets::app::response().map(Full::new))
        }));
    let target = cors_targets::in_process::ServiceTarget::new("tower-http", service.clone());
    let settings = DriverSettings::default();

    // The wire requests the harness sends for these cases, recorded once.
    let wire: Vec<Vec<http::Request<Bytes>>> = runtime.block_on(async {
        let mut out = Vec::new();
        for i in 0..CASES {
            let probe = cors_harness::generate::probe(&policy, &url, SEED, i);
            let mut sent = Vec::new();
            for request in &probe.requests {
                let driven = drive(&target, request, &settings).await;
                // Requests the http crate cannot carry are skipped by the harness too.
                sent.extend(driven.sent.iter().filter_map(|s| s.request.to_http().ok()));
            }
            out.push(sent);
        }
        out
    });
    let requests: usize = wire.iter().map(Vec::len).sum();
    eprintln!("{CASES} cases = {requests} wire requests");

    let mut group = c.benchmark_group("engine-in-process");
    group.throughput(Throughput::Elements(CASES as u64));
    group.bench_function("bare-loop", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for case in &wire {
                    for request in case {
                        let response = service.clone().oneshot(request.clone().map(Full::new)).await.unwrap();
                        black_box(response.into_body().collect().await.unwrap().to_bytes());
                    }
                }
            })
        })
    });
    // As the engine runs (`run_target` under `run_matrix`): the probes drawn by one generator
    // per policy, one judge per policy.
    group.bench_function("harness", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let probes = cors_harness::generate::probes(&policy, &url, SEED, CASES);
                let judge = Judge::new(&policy);
                for probe in &probes {
                    for request in &probe.requests {
                        let driven = drive(&target, request, &settings).await;
                        black_box(judge.judge(request, &driven));
                    }
                }
            })
        })
    });
    // Where the harness's time goes (not part of the bar).
    let probes = cors_harness::generate::probes(&policy, &url, SEED, CASES);
    group.bench_function("parts/generate", |b| {
        b.iter(|| black_box(cors_harness::generate::probes(&policy, &url, SEED, CASES)))
    });
    group.bench_function("parts/drive", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for probe in &probes {
                    for request in &probe.requests {
                        black_box(drive(&target, request, &settings).await);
                    }
                }
            })
        })
    });
    let driven: Vec<_> = runtime.block_on(async {
        let mut out = Vec::new();
        for probe in &probes {
            for request in &probe.requests {
                out.push((request.clone(), drive(&target, request, &settings).await));
            }
        }
        out
    });
    group.bench_function("parts/judge", |b| {
        b.iter(|| {
            let judge = Judge::new(&policy);
            for (request, driven) in &driven {
                black_box(judge.judge(request, driven));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

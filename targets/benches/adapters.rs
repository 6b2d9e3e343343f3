//! Requests per second through the tower-http adapter: the bare `CorsLayer` service, the same
//! service through the adapter's in-process target (task per call, timeout, body collection),
//! and served on loopback. Each iteration sends a batch of 100 preflights.
//!
//! `cargo bench -p cors-targets --bench adapters`

use std::hint::black_box;

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_targets::Adapter;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;

const BATCH: usize = 100;

fn preflight() -> http::Request<Bytes> {
    http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type")
        .body(Bytes::new())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let policy = Policy::from_toml_str(
        "origins = [\"https://app.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nallow_headers = [\"content-type\"]",
        "bench.toml",
    )
    .unwrap()
    .policy;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut group = c.benchmark_group("tower-http");
    group.throughput(Throughput::Elements(BATCH as u64));

    let layer = cors_targets::tower_http::layer(&policy).unwrap();
    let bare =
        tower::ServiceBuilder::new().layer(layer).service(tower::service_fn(|_: http::Request<Full<Bytes>>| async {
            Ok::<_, std::convert::Infallible>(cors_targets::app::response().map(Full::new))
        }));
    group.bench_function("preflights/bare-corslayer", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for _ in 0..BATCH {
                    let response = bare.clone().oneshot(preflight().map(Full::new)).await.unwrap();
                    black_box(response.into_body().collect().await.unwrap().to_bytes());
                }
            })
        })
    });

    // The adapter layer alone (panic and timeout guard, body collection) around the same
    // bare service: what ServiceTarget costs.
    use cors_harness::target::Target;
    let wrapped = cors_targets::in_process::ServiceTarget::new("bare", bare.clone());
    group.bench_function("preflights/service-target-around-bare", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for _ in 0..BATCH {
                    black_box(wrapped.send(preflight()).await.unwrap());
                }
            })
        })
    });

    // The full adapter: CorsLayer on an axum Router, through ServiceTarget.
    let in_process = cors_targets::tower_http::TOWER_HTTP.in_process(&policy).unwrap();
    group.bench_function("preflights/adapter-in-process", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for _ in 0..BATCH {
                    black_box(in_process.send(preflight()).await.unwrap());
                }
            })
        })
    });

    let served = cors_targets::tower_http::TOWER_HTTP.served(&policy).unwrap();
    group.sample_size(10);
    group.bench_function("preflights/adapter-served", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for _ in 0..BATCH {
                    black_box(served.send(preflight()).await.unwrap());
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Generation cost: seeded probes per second for a typical policy (issue 5: "a few µs per
//! probe"), and the same requests through the oracle for scale.
//!
//! `cargo bench -p cors-harness --bench generate`

use std::hint::black_box;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cors_harness::generate;
use cors_harness::policy::Policy;
use cors_harness::profile::CHROMIUM;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const N: usize = 1000;

fn bench(c: &mut Criterion) {
    let policy = Policy::from_toml_str(
        r#"
        origins = ["https://app.example.com", "https://*.example.org", "http://localhost:3000"]
        methods = ["GET", "PUT", "PATCH", "DELETE"]
        allow_headers = ["content-type", "x-request-id"]
        credentials = true
        "#,
        "bench.toml",
    )
    .unwrap()
    .policy;
    let url = url::Url::parse("http://api.example.test/data").unwrap();
    let mut group = c.benchmark_group("generate");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("probes/1000", |b| b.iter(|| black_box(generate::probes(&policy, &url, black_box(42), N))));
    group.bench_function("probe/replay-one-x1000", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(generate::probe(&policy, &url, 42, i));
            }
        })
    });
    let probes = generate::probes(&policy, &url, 42, N);
    let scripts: Vec<_> = probes.iter().map(|p| generate::permissive_script(&p.requests[0])).collect();
    group.bench_function("oracle-on-generated/1000", |b| {
        b.iter(|| {
            for (p, s) in probes.iter().zip(&scripts) {
                black_box(cors_harness::evaluate_once(&p.requests[0], &mut &*s, &CHROMIUM).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

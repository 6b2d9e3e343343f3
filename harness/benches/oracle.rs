//! Oracle throughput: verdicts per second on a mixed corpus of pre-parsed cases, and the
//! JSON Lines path of `cors-harness verdict` (parse + judge + serialize) in memory.
//!
//! `cargo bench -p cors-harness --bench oracle`

use std::hint::black_box;

// The `cors-harness` binary uses mimalloc too: measure what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
#[path = "support/corpus.rs"]
mod corpus;

use corpus::corpus_lines;
use cors_harness::case::Case;
use cors_harness::case_json::CaseJson;
use cors_harness::oracle::cache::PreflightCache;
use cors_harness::profile::CHROMIUM;

fn bench(c: &mut Criterion) {
    let lines = corpus_lines();
    let cases: Vec<Case> =
        lines.iter().map(|l| serde_json::from_str::<CaseJson>(l).unwrap().to_case(&CHROMIUM).unwrap()).collect();
    for case in &cases {
        case.evaluate().expect("every corpus case is fully scripted");
    }

    let mut group = c.benchmark_group("oracle");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("verdicts/mixed-corpus", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(case.evaluate().unwrap());
            }
        })
    });
    // The same requests without cache history or per-case setup: the bare oracle call.
    group.bench_function("verdicts/evaluate-only", |b| {
        b.iter(|| {
            for case in &cases {
                let mut server = &case.server;
                black_box(
                    cors_harness::evaluate(&case.request, &mut server, case.profile, &mut PreflightCache::new(), 0)
                        .unwrap(),
                );
            }
        })
    });
    let no_cache = cors_harness::profile::BrowserProfile { preflight_cache: false, ..CHROMIUM };
    group.bench_function("verdicts/no-cache-profile", |b| {
        b.iter(|| {
            for case in &cases {
                let mut server = &case.server;
                black_box(
                    cors_harness::evaluate(&case.request, &mut server, &no_cache, &mut PreflightCache::new(), 0)
                        .unwrap(),
                );
            }
        })
    });
    let input = lines.join("\n").into_bytes();
    group.bench_function("json-lines/parse-judge-serialize", |b| {
        let mut out = Vec::with_capacity(1 << 16);
        b.iter(|| {
            out.clear();
            let bad = cors_harness::verdict_stream::judge_lines(&input[..], &mut out, &CHROMIUM).unwrap();
            assert_eq!(bad, 0);
            black_box(&out);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

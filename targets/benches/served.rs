//! Served on loopback (issue 5 evidence): wire requests per second the harness gets from a
//! tower-http server (generate + drive + oracle + judge, `CONNECTIONS` probes in flight over
//! the target's own kept connections) versus what `wrk` gets from the same server with the
//! same number of connections. The bar: the harness reaches ≥ 80% of wrk. Needs `wrk` (Debian
//! package `wrk`; not run by `.ci/run`); prints a table, no criterion (wrk is an external
//! process): five rounds of the three clients in turn, and the median ratios.
//!
//! `cargo bench -p cors-targets --bench served`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use cors_harness::engine::{RunSettings, Watch, run_target};
use cors_harness::policy::builtin;
use cors_harness::target::{Target, TargetFuture};
use cors_targets::served::{ServedTarget, Server};
use http_body_util::Full;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONNECTIONS: usize = 8;
const SECONDS: u64 = 2;
/// Rounds of (wrk, engine, client alone); the table shows each and the median ratios.
const ROUNDS: usize = 5;

fn main() {
    let policy = builtin::by_name("two-frontends-credentials").unwrap();
    let url = url::Url::parse("http://api.example.test/data").unwrap();
    let layer = cors_targets::tower_http::layer(&policy).unwrap();
    let service = tower::ServiceBuilder::new().layer(layer).service(tower::service_fn(|_: http::Request<_>| async {
        Ok::<_, std::convert::Infallible>(cors_targets::app::response().map(Full::new))
    }));
    let server = Server::tower("tower-http", service).unwrap();
    let addr = server.addr();

    // The machine is shared (2 cores, other builds come and go): the three clients take turns
    // in short rounds, and each round's ratios compare clients that ran seconds apart.
    let target = Counting { inner: ServedTarget::new("tower-http (served)", server), sent: AtomicUsize::new(0) };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let settings = RunSettings { concurrency: CONNECTIONS, shrink_budget: 0, ..RunSettings::default() };
    let mut seed = 0;
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let wrk = wrk_rps(addr);
        let engine = engine_rps(&runtime, &target, &policy, &url, &settings, &mut seed);
        let plain = plain_rps(&runtime, &target.inner);
        rounds.push((wrk, plain, engine));
    }
    println!(
        "| round ({CONNECTIONS} connections, {SECONDS} s each) | wrk -t1 -c{CONNECTIONS} (one fixed GET) | the harness's client alone (same GET) | cors-harness engine (generated probes) | engine / wrk | client alone / wrk |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (i, (wrk, plain, engine)) in rounds.iter().enumerate() {
        println!(
            "| {} | {wrk:.0} | {plain:.0} | {engine:.0} | {:.0}% | {:.0}% |",
            i + 1,
            100.0 * engine / wrk,
            100.0 * plain / wrk
        );
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "| median | | | | {:.0}% | {:.0}% |",
        median(rounds.iter().map(|(w, _, e)| 100.0 * e / w).collect()),
        median(rounds.iter().map(|(w, p, _)| 100.0 * p / w).collect())
    );
}

/// wrk: a CORS GET from an allowed origin, CONNECTIONS connections, one thread.
fn wrk_rps(addr: std::net::SocketAddr) -> f64 {
    let wrk = std::process::Command::new("wrk")
        .args(["-t1", &format!("-c{CONNECTIONS}"), &format!("-d{SECONDS}s")])
        .args(["-H", "Origin: https://app.example.com", &format!("http://{addr}/data")])
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    let wrk_out = String::from_utf8_lossy(&wrk.stdout);
    wrk_out
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{wrk_out}"))
}

/// The harness: generated probes against the server until SECONDS have passed, counting the
/// wire requests it really sends.
fn engine_rps(
    runtime: &tokio::runtime::Runtime,
    target: &Counting<ServedTarget>,
    policy: &cors_harness::policy::Policy,
    url: &url::Url,
    settings: &RunSettings,
    seed: &mut u64,
) -> f64 {
    let before = target.sent.load(Ordering::Relaxed);
    let elapsed = runtime.block_on(async {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(SECONDS) {
            let probes = cors_harness::generate::probes(policy, url, *seed, 2000);
            let outcome = run_target(target, policy, &probes, settings, &Watch::default()).await;
            assert!(outcome.completed);
            *seed += 1;
        }
        started.elapsed()
    });
    (target.sent.load(Ordering::Relaxed) - before) as f64 / elapsed.as_secs_f64()
}

/// For scale: the same ServedTarget (its own HTTP/1.1 client) sending wrk's fixed GET,
/// CONNECTIONS in flight, no harness work at all.
fn plain_rps(runtime: &tokio::runtime::Runtime, target: &ServedTarget) -> f64 {
    runtime.block_on(async {
        let sent = AtomicUsize::new(0);
        let started = Instant::now();
        let deadline = started + Duration::from_secs(SECONDS);
        let one_loop = || async {
            while Instant::now() < deadline {
                let request = http::Request::get("http://api.example.test/data")
                    .header("origin", "https://app.example.com")
                    .body(Bytes::new())
                    .unwrap();
                target.send(request).await.unwrap();
                sent.fetch_add(1, Ordering::Relaxed);
            }
        };
        futures_util::future::join_all((0..CONNECTIONS).map(|_| one_loop())).await;
        sent.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
    })
}

/// Counts the requests a target is sent.
struct Counting<T> {
    inner: T,
    sent: AtomicUsize,
}

impl<T: Target> Target for Counting<T> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.inner.send(request)
    }
}

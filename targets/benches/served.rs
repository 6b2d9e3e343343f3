//! Served on loopback (issue 5 evidence): wire requests per second the harness gets from a
//! tower-http server (generate + drive + oracle + judge, `CONNECTIONS` probes in flight over
//! the target's own kept connections) versus what `wrk` gets from the same server with the
//! same number of connections. The bar: the harness reaches ≥ 80% of wrk. wrk runs twice per
//! round: with the one fixed CORS GET of its command line, and (`-s`, a Lua script written
//! here) cycling through the very wire requests the engine sends for the probes of seed 0
//! (preflights, disallowed origins, author headers; HEAD left out), so that the server's
//! share is the same on both sides. Needs `wrk` (Debian package `wrk`; not run by `.ci/run`); prints a
//! table, no criterion (wrk is an external process): five rounds of the clients in turn, and
//! the median ratios.
//!
//! `cargo bench -p cors-targets --bench served`
//!
//! `SERVED_ONLY=engine` or `SERVED_ONLY=client` runs only that client, two rounds, and prints
//! its requests per second: for `perf record` / `perf stat` on one client at a time.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use cors_harness::engine::{RunSettings, Watch, run_target};
use cors_harness::policy::builtin;
use cors_harness::target::{Target, TargetFuture};
use cors_targets::http1_client::serialize;
use cors_targets::served::{ServedTarget, Server, on_the_connection};
use http_body_util::Full;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONNECTIONS: usize = 8;
const SECONDS: u64 = 2;
/// Rounds of (wrk, wrk with the engine's requests, engine, client alone); the table shows each
/// and the median ratios.
const ROUNDS: usize = 5;
/// Probes the engine draws per seed; the wrk script replays the wire requests of seed 0's.
const PROBES_PER_SEED: usize = 2000;

fn main() {
    let policy = builtin::by_name("two-frontends-credentials").unwrap();
    let url = url::Url::parse("http://api.example.test/data").unwrap();
    let layer = cors_targets::tower_http::layer(&policy).unwrap();
    let service = tower::ServiceBuilder::new().layer(layer).service(tower::service_fn(|_: http::Request<_>| async {
        Ok::<_, std::convert::Infallible>(cors_targets::app::response().map(Full::new))
    }));
    let server = Server::tower("tower-http", service).unwrap();
    let addr = server.addr();

    // The machine is shared (2 cores, other builds come and go): the clients take turns in
    // short rounds, and each round's ratios compare clients that ran seconds apart.
    let target = Counting { inner: ServedTarget::new("tower-http (served)", server), sent: AtomicUsize::new(0) };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let settings = RunSettings { concurrency: CONNECTIONS, shrink_budget: 0, ..RunSettings::default() };
    let mut seed = 0;
    if let Ok(only) = std::env::var("SERVED_ONLY") {
        for _ in 0..2 {
            let rps = match only.as_str() {
                "engine" => engine_rps(&runtime, &target, &policy, &url, &settings, &mut seed),
                "client" => plain_rps(&runtime, &target.inner),
                other => panic!("SERVED_ONLY={other}: expected `engine` or `client`"),
            };
            println!("{only}: {rps:.0} req/s");
        }
        return;
    }
    // Only wrk's rounds need the script (recording it drives seed 0's probes once).
    let script = engine_mix_script(&runtime, &target, &policy, &url, &settings);
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let wrk = wrk_rps(addr, None);
        let wrk_mix = wrk_rps(addr, Some(script.path()));
        let engine = engine_rps(&runtime, &target, &policy, &url, &settings, &mut seed);
        let plain = plain_rps(&runtime, &target.inner);
        rounds.push(Round { wrk, wrk_mix, plain, engine });
    }
    println!(
        "| round ({CONNECTIONS} connections, {SECONDS} s each) | wrk -t1 -c{CONNECTIONS} (one fixed GET) | wrk -t1 -c{CONNECTIONS} (the engine's requests) | the harness's client alone (the fixed GET) | cors-harness engine (generated probes) | engine / wrk | engine / wrk (same requests) | client alone / wrk |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (i, r) in rounds.iter().enumerate() {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0}% | {:.0}% | {:.0}% |",
            i + 1,
            r.wrk,
            r.wrk_mix,
            r.plain,
            r.engine,
            100.0 * r.engine / r.wrk,
            100.0 * r.engine / r.wrk_mix,
            100.0 * r.plain / r.wrk
        );
    }
    let median = |ratio: fn(&Round) -> f64| {
        let mut v: Vec<f64> = rounds.iter().map(|r| 100.0 * ratio(r)).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "| median | | | | | {:.0}% | {:.0}% | {:.0}% |",
        median(|r| r.engine / r.wrk),
        median(|r| r.engine / r.wrk_mix),
        median(|r| r.plain / r.wrk)
    );
}

/// Requests per second of each client in one round.
struct Round {
    wrk: f64,
    wrk_mix: f64,
    plain: f64,
    engine: f64,
}

/// A wrk script cycling through the bytes the engine puts on the wire for the probes of seed
/// 0: recorded by driving them once against the server, serialized by the
/// harness's own client code.
fn engine_mix_script(
    runtime: &tokio::runtime::Runtime,
    target: &Counting<ServedTarget>,
    policy: &cors_harness::policy::Policy,
    url: &url::Url,
    settings: &RunSettings,
) -> tempfile::NamedTempFile {
    let recording = Recording { inner: target, sent: Mutex::default() };
    let probes = cors_harness::generate::probes(policy, url, 0, PROBES_PER_SEED);
    let outcome = runtime.block_on(run_target(&recording, policy, &probes, settings, &Watch::default()));
    assert!(outcome.completed);
    let sent = recording.sent.into_inner().unwrap();
    let mut lua = String::from("local requests = {\n");
    // wrk reads every response as if it had the body its `Content-Length` announces, so a
    // HEAD stalls its connection until wrk's timeout: the HEAD requests (8% of the mix, the
    // server answers them as the GETs) are left out of the script.
    let scripted: Vec<_> = sent.iter().filter(|r| r.method() != http::Method::HEAD).collect();
    for request in &scripted {
        let wire = serialize(&on_the_connection((*request).clone()).unwrap());
        lua.push('"');
        for &b in &wire {
            // Decimal escapes, always three digits (a digit may follow).
            if (b.is_ascii_graphic() && b != b'"' && b != b'\\') || b == b' ' {
                lua.push(b as char);
            } else {
                lua.push_str(&format!("\\{b:03}"));
            }
        }
        lua.push_str("\",\n");
    }
    lua.push_str("}\nlocal i = 0\nrequest = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n");
    let mut file = tempfile::Builder::new().suffix(".lua").tempfile().unwrap();
    std::io::Write::write_all(&mut file, lua.as_bytes()).unwrap();
    eprintln!(
        "wrk script: {} of the {} wire requests of {} probes (no HEAD)",
        scripted.len(),
        sent.len(),
        probes.len()
    );
    file
}

/// wrk, CONNECTIONS connections, one thread: a CORS GET from an allowed origin, or the
/// requests of `script`.
fn wrk_rps(addr: std::net::SocketAddr, script: Option<&std::path::Path>) -> f64 {
    let mut wrk = std::process::Command::new("wrk");
    wrk.args(["-t1", &format!("-c{CONNECTIONS}"), &format!("-d{SECONDS}s")]);
    match script {
        Some(script) => wrk.arg("-s").arg(script),
        None => wrk.args(["-H", "Origin: https://app.example.com"]),
    };
    let wrk = wrk.arg(format!("http://{addr}/data")).output().expect("wrk is installed (apt-get install wrk)");
    let wrk_out = String::from_utf8_lossy(&wrk.stdout);
    // Timeouts or resets would make wrk's count meaningless.
    assert!(!wrk_out.contains("Socket errors"), "wrk saw socket errors:\n{wrk_out}");
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
            let probes = cors_harness::generate::probes(policy, url, *seed, PROBES_PER_SEED);
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

/// Keeps the requests a target is sent.
struct Recording<'t, T> {
    inner: &'t T,
    sent: Mutex<Vec<http::Request<Bytes>>>,
}

impl<T: Target> Target for Recording<'_, T> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        self.sent.lock().unwrap().push(request.clone());
        self.inner.send(request)
    }
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

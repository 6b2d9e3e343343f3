//! Throughput of the differential check with one browser: generated cases only, after a
//! warm-up batch, one line of timing and the agreement table.
//!
//! `cargo run --release -p cors-browser --example throughput -- [CASES] [CONCURRENCY] [chromium|firefox] [SEED]`

use cors_browser::{Engine, Session, generate};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(5000);
    let concurrency: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(64);
    let engine = Engine::by_name(args.get(3).map_or("chromium", String::as_str)).expect("chromium or firefox");
    let seed: u64 = args.get(4).and_then(|v| v.parse().ok()).unwrap_or(7);
    let profile = match engine {
        Engine::Chromium => &cors_harness::profile::CHROMIUM,
        Engine::Firefox => &cors_harness::profile::FIREFOX,
    };
    let cases = generate::cases(seed, n);
    let start = std::time::Instant::now();
    let mut session = Session::start(engine, concurrency).expect("browser");
    let warm = generate::cases(seed ^ 0xFFFF, 50);
    cors_browser::check(&mut session, &warm, profile).expect("warm-up");
    println!(
        "{}: started and warmed up in {:.2} s; shared memory: {}",
        session.version(),
        start.elapsed().as_secs_f64(),
        session.shared_memory().describe()
    );
    let cpu_before = session.browser_cpu_seconds();
    let checked = cors_browser::check(&mut session, &cases, profile).expect("run");
    let browser_cpu = session.browser_cpu_seconds() - cpu_before;
    println!(
        "{n} cases (seed {seed}, concurrency {concurrency}) in {:.2} s = {:.0} cases/s",
        checked.elapsed.as_secs_f64(),
        checked.cases_per_second()
    );
    println!(
        "browser CPU: {browser_cpu:.2} s = {:.0} cases per browser CPU-second (what one dedicated core would sustain)",
        n as f64 / browser_cpu.max(1e-9)
    );
    print!("{}", cors_browser::diff::Tally::of(&checked.comparisons).render());
    let mut known = std::collections::BTreeMap::new();
    for (c, k) in checked.disagreements() {
        if k.is_empty() {
            println!("NEW {}", c.render(engine.name()));
        } else {
            *known.entry(cors_browser::check::label(&k)).or_insert(0) += 1;
        }
    }
    for (label, count) in &known {
        println!("known {count:>5} {label}");
    }
}

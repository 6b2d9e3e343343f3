//! The differential run both browser tests share: the runnable WPT vectors, the targeted cases
//! and `CORS_BROWSER_CASES` generated cases (seed `CORS_BROWSER_SEED`, printed) in one browser
//! and in the oracle under its profile. Every field must agree except the disagreements
//! `cors_browser::known::KNOWN` explains (nondeterministic cache evictions, wire-only bytes);
//! anything else fails with the case minimized in the same browser. A missing browser is a
//! failure, never a skip: `.ci/run` installs both.

use cors_browser::diff::Tally;
use cors_browser::{Engine, Session, generate, vectors};
use cors_harness::profile::BrowserProfile;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs the check in `engine` against `profile` with `default_cases` generated cases, of which
/// at least `min_judged` (or all, if fewer were asked for) must be judged, and `concurrency`
/// cases in flight.
pub fn agrees(
    engine: Engine,
    profile: &'static BrowserProfile,
    default_cases: usize,
    min_judged: usize,
    concurrency: usize,
) {
    let seed = env_u64("CORS_BROWSER_SEED", 20_261_126);
    let count = env_u64("CORS_BROWSER_CASES", default_cases as u64) as usize;
    let loaded = vectors::load(&vectors::default_dir(), engine).expect("vectors");
    println!("vectors: {} runnable, {} skipped: {:?}", loaded.cases.len(), loaded.skipped.len(), loaded.skip_summary());
    assert!(loaded.cases.len() >= 550, "most WPT vectors must be runnable in a page");
    if engine == Engine::Chromium {
        // Chromium reaches the scripted server directly, https included: every vector runs.
        assert!(loaded.skipped.is_empty(), "vectors Chromium should run: {:?}", loaded.skipped);
    }
    let mut cases = loaded.cases;
    cases.extend(cors_browser::targeted::cases());
    let fixed = cases.len();
    cases.extend(generate::cases(seed, count));
    println!("generated: {count} cases, seed {seed}");

    let name = engine.name();
    let mut session = Session::start(engine, concurrency).unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    println!("browser: {}", session.version());
    let checked = cors_browser::check(&mut session, &cases, profile).expect("browser run");
    println!(
        "ran {} cases in {:.2} s ({:.0} cases/s)",
        cases.len(),
        checked.elapsed.as_secs_f64(),
        checked.cases_per_second()
    );
    print!("{}", Tally::of(&checked.comparisons).render());

    let judged = checked.comparisons[fixed..].iter().filter(|c| c.harness_error.is_none()).count();
    let mut failures = Vec::new();
    for (c, known) in checked.disagreements() {
        if !known.is_empty() {
            println!("known: {}: {}", c.case.id, cors_browser::check::label(&known));
            continue;
        }
        let mut report = c.render(name);
        if c.harness_error.is_none() && std::env::var_os("CORS_BROWSER_NO_MINIMIZE").is_none() {
            let small = cors_browser::minimize(&mut session, c, profile).expect("minimize");
            if small.case != c.case {
                report.push_str(&format!("minimized:\n{}", small.render(name)));
            }
        }
        failures.push(report);
    }
    assert!(
        failures.is_empty(),
        "{} new disagreements between {name} and the oracle's {} profile (seed {seed}):\n{}",
        failures.len(),
        profile.name,
        failures.join("\n")
    );
    assert!(judged >= count.min(min_judged), "only {judged} generated cases were judged");
}

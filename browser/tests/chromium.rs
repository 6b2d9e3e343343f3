//! The oracle against a real headless Chromium (issue 6): the runnable WPT vectors and ≥ 500
//! generated cases run in Debian's `chromium` and in the oracle's `chromium` profile; every
//! field must agree except the disagreements listed in `cors_browser::known::KNOWN` (each
//! explained there and in BROWSER-DEVIATIONS.md). Any other disagreement fails the test with
//! the minimized case. Chromium missing is a failure, never a skip: `.ci/run` installs it.
//!
//! `CORS_BROWSER_SEED` / `CORS_BROWSER_CASES` change the generated cases (the seed is printed).

use cors_browser::diff::Tally;
use cors_browser::{Engine, Session, generate, vectors};
use cors_harness::profile::CHROMIUM;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn chromium_agrees_with_the_chromium_profile() {
    let seed = env_u64("CORS_BROWSER_SEED", 20_261_126);
    let count = env_u64("CORS_BROWSER_CASES", 600) as usize;
    let loaded = vectors::load(&vectors::default_dir()).expect("vectors");
    println!("vectors: {} runnable, {} skipped: {:?}", loaded.cases.len(), loaded.skipped.len(), loaded.skip_summary());
    assert!(loaded.cases.len() >= 550, "most WPT vectors must be runnable in a page");
    let mut cases = loaded.cases;
    cases.extend(cors_browser::targeted::cases());
    let vector_count = cases.len();
    cases.extend(generate::cases(seed, count));
    println!("generated: {count} cases, seed {seed}");

    let mut session = Session::start(Engine::Chromium, 64).unwrap_or_else(|e| panic!("cannot start Chromium: {e}"));
    println!("browser: {}", session.version());
    let checked = cors_browser::check(&mut session, &cases, &CHROMIUM).expect("browser run");
    println!(
        "ran {} cases in {:.2} s ({:.0} cases/s)",
        cases.len(),
        checked.elapsed.as_secs_f64(),
        checked.cases_per_second()
    );
    print!("{}", Tally::of(&checked.comparisons).render());

    let generated_judged = checked.comparisons[vector_count..].iter().filter(|c| c.harness_error.is_none()).count();
    let mut failures = Vec::new();
    for (c, known) in checked.disagreements() {
        match known.is_empty() {
            false => println!("known: {}: {}", c.case.id, cors_browser::check::label(&known)),
            true => {
                let mut report = c.render("chromium");
                if c.harness_error.is_none() && std::env::var_os("CORS_BROWSER_NO_MINIMIZE").is_none() {
                    let small = cors_browser::minimize(&mut session, c, &CHROMIUM).expect("minimize");
                    if small.case != c.case {
                        report.push_str(&format!("minimized:\n{}", small.render("chromium")));
                    }
                }
                failures.push(report);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} new disagreements between Chromium and the oracle (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(generated_judged >= count.min(500), "only {generated_judged} generated cases were judged");
}

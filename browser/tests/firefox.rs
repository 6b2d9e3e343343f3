//! The oracle against a real headless Firefox (issue 6): the runnable WPT vectors, the targeted
//! cases and ≥ 300 generated cases run in Debian's `firefox-esr` and in the oracle's `firefox`
//! profile; every field must agree except the disagreements listed in
//! `cors_browser::known::KNOWN` (nondeterministic cache evictions and wire-only bytes, each
//! explained there and in BROWSER-DEVIATIONS.md). Any other disagreement fails the test with
//! the minimized case. Firefox missing is a failure, never a skip: `.ci/run` installs it.
//!
//! `CORS_BROWSER_SEED` / `CORS_BROWSER_CASES` change the generated cases (the seed is printed).

use cors_browser::diff::Tally;
use cors_browser::{Engine, Session, generate, vectors};
use cors_harness::profile::FIREFOX;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn firefox_agrees_with_the_firefox_profile() {
    let seed = env_u64("CORS_BROWSER_SEED", 20_261_126);
    let count = env_u64("CORS_BROWSER_CASES", 300) as usize;
    let mut cases = vectors::load(&vectors::default_dir()).expect("vectors").cases;
    cases.extend(cors_browser::targeted::cases());
    let fixed = cases.len();
    cases.extend(generate::cases(seed, count));
    println!("generated: {count} cases, seed {seed}");

    let mut session = Session::start(Engine::Firefox, 32).unwrap_or_else(|e| panic!("cannot start Firefox: {e}"));
    println!("browser: {}", session.version());
    let checked = cors_browser::check(&mut session, &cases, &FIREFOX).expect("browser run");
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
        match known.is_empty() {
            false => println!("known: {}: {}", c.case.id, cors_browser::check::label(&known)),
            true => {
                let mut report = c.render("firefox");
                if c.harness_error.is_none() && std::env::var_os("CORS_BROWSER_NO_MINIMIZE").is_none() {
                    let small = cors_browser::minimize(&mut session, c, &FIREFOX).expect("minimize");
                    if small.case != c.case {
                        report.push_str(&format!("minimized:\n{}", small.render("firefox")));
                    }
                }
                failures.push(report);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} new disagreements between Firefox and the oracle (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(judged >= count.min(300), "only {judged} generated cases were judged");
}

//! The differential runner in Debian's `firefox-esr` (issue 6): the runnable WPT vectors, the
//! targeted cases and 300 generated cases run in Firefox and in the oracle's `spec` profile.
//! There is no `firefox` profile yet, so agreement is reported, not required: the test
//! requires every case to be judged (no timeouts, no unscripted requests, no harness errors)
//! and prints every disagreement class for the profile work. Firefox missing is a failure:
//! `.ci/run` installs it.
//!
//! `CORS_BROWSER_SEED` / `CORS_BROWSER_CASES` change the generated cases (the seed is printed).

use cors_browser::diff::Tally;
use cors_browser::{Engine, Session, generate, vectors};
use cors_harness::profile::SPEC;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn firefox_runs_and_judges_every_case() {
    let seed = env_u64("CORS_BROWSER_SEED", 20_261_126);
    let count = env_u64("CORS_BROWSER_CASES", 300) as usize;
    let mut cases = vectors::load(&vectors::default_dir()).expect("vectors").cases;
    cases.extend(cors_browser::targeted::cases());
    let fixed = cases.len();
    cases.extend(generate::cases(seed, count));
    println!("generated: {count} cases, seed {seed}");

    let mut session = Session::start(Engine::Firefox, 32).unwrap_or_else(|e| panic!("cannot start Firefox: {e}"));
    println!("browser: {}", session.version());
    let checked = cors_browser::check(&mut session, &cases, &SPEC).expect("browser run");
    println!(
        "ran {} cases in {:.2} s ({:.0} cases/s)",
        cases.len(),
        checked.elapsed.as_secs_f64(),
        checked.cases_per_second()
    );
    print!("{}", Tally::of(&checked.comparisons).render());

    let mut classes: std::collections::BTreeMap<String, usize> = Default::default();
    let mut errors = Vec::new();
    for (c, known) in checked.disagreements() {
        if let Some(e) = &c.harness_error {
            errors.push(format!("{}: {e}", c.case.id));
        } else if known.is_empty() {
            println!(
                "unexplained {} [{}] {}",
                c.case.id,
                c.disagreeing().join(","),
                c.wire.first().map_or("", String::as_str)
            );
            *classes.entry(format!("unexplained: {}", c.disagreeing().join(","))).or_default() += 1;
        } else {
            *classes.entry(cors_browser::check::label(&known)).or_default() += 1;
        }
    }
    for (class, n) in &classes {
        println!("{n:>5}  {class}");
    }
    assert!(errors.is_empty(), "{} cases could not be judged in Firefox:\n{}", errors.len(), errors.join("\n"));
    let judged = checked.comparisons[fixed..].iter().filter(|c| c.harness_error.is_none()).count();
    assert!(judged >= count.min(300), "only {judged} generated cases were judged");
}

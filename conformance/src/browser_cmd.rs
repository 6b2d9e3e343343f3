//! `cors-harness browser-check`: the oracle against a real headless browser (issue 6).

use std::path::PathBuf;
use std::process::ExitCode;

use cors_browser::diff::Tally;
use cors_browser::{Engine, Session, generate, vectors};
use cors_harness::profile::BrowserProfile;

#[derive(clap::Args)]
pub struct Args {
    /// Generated cases to run, besides the WPT vectors.
    #[arg(long, default_value_t = 500)]
    cases: usize,
    /// Generator seed; every run prints it, and `--seed` replays the same cases.
    #[arg(long)]
    seed: Option<u64>,
    /// The browser: `chromium` (Debian's package) or `firefox` (`firefox-esr`).
    #[arg(long, default_value = "chromium")]
    browser: String,
    /// The oracle profile to compare with (default: the browser's own, `chromium` or
    /// `firefox`; `spec` shows every deviation from the standard).
    #[arg(long)]
    profile: Option<String>,
    /// Leave out the WPT-derived vectors and the targeted cases (generated cases only).
    #[arg(long)]
    no_vectors: bool,
    /// Directory of the vectors (default: harness/tests/vectors of this repository).
    #[arg(long)]
    vectors: Option<PathBuf>,
    /// Cases in flight per runner frame.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Print disagreements as they are, without shrinking them first.
    #[arg(long)]
    no_minimize: bool,
    /// Print at most this many disagreements of each kind.
    #[arg(long, default_value_t = 40)]
    max_print: usize,
}

pub fn run(args: &Args) -> ExitCode {
    match check(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("browser-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn check(args: &Args) -> Result<bool, String> {
    let engine = Engine::by_name(&args.browser).ok_or_else(|| format!("unknown browser {:?}", args.browser))?;
    let profile_name = args.profile.clone().unwrap_or_else(|| match engine {
        Engine::Chromium => "chromium".to_owned(),
        Engine::Firefox => "firefox".to_owned(),
    });
    let profile: &BrowserProfile =
        BrowserProfile::by_name(&profile_name).ok_or_else(|| format!("unknown profile {profile_name:?}"))?;
    let seed = args.seed.unwrap_or_else(cors_browser::rng::Rng::fresh_seed);

    let mut cases = Vec::new();
    if !args.no_vectors {
        let dir = args.vectors.clone().unwrap_or_else(vectors::default_dir);
        let loaded = vectors::load(&dir, engine)?;
        println!(
            "vectors: {} runnable, {} skipped{}",
            loaded.cases.len(),
            loaded.skipped.len(),
            if loaded.skipped.is_empty() { "" } else { ":" }
        );
        for (reason, n) in loaded.skip_summary() {
            println!("  {n:>4}  {reason}");
        }
        cases.extend(loaded.cases);
        let targeted = cors_browser::targeted::cases();
        println!("targeted: {} cases (open profile questions and each deviation found)", targeted.len());
        cases.extend(targeted);
    }
    let generated = generate::cases(seed, args.cases);
    println!("generated: {} cases, seed {seed} (replay: --seed {seed} --cases {})", generated.len(), args.cases);
    cases.extend(generated);

    let mut session = Session::start(engine, args.concurrency)?;
    println!("browser: {} ({}), oracle profile: {}", engine.name(), session.version(), profile.name);
    let checked = cors_browser::check(&mut session, &cases, profile)?;
    println!(
        "ran {} cases in {:.2} s: {:.0} cases/s",
        checked.comparisons.len(),
        checked.elapsed.as_secs_f64(),
        checked.cases_per_second()
    );
    print!("{}", Tally::of(&checked.comparisons).render());

    let disagreements = checked.disagreements();
    let mut known: std::collections::BTreeMap<String, usize> = Default::default();
    let mut new = Vec::new();
    for (c, k) in &disagreements {
        if k.is_empty() {
            new.push(*c);
        } else {
            *known.entry(cors_browser::check::label(k)).or_default() += 1;
        }
    }
    if !known.is_empty() {
        println!("known disagreements (explained in BROWSER-DEVIATIONS.md):");
        for (label, n) in &known {
            println!("  {n:>5}  {label}");
        }
    }
    let judged = checked.comparisons.iter().filter(|c| c.harness_error.is_none()).count();
    println!(
        "agreement once the known deviations are applied: {}/{judged} ({:.2}%)",
        judged - new.iter().filter(|c| c.harness_error.is_none()).count(),
        (judged - new.iter().filter(|c| c.harness_error.is_none()).count()) as f64 * 100.0 / judged.max(1) as f64
    );
    if new.is_empty() {
        println!("no new disagreements");
        return Ok(true);
    }
    println!("{} NEW disagreements{}:", new.len(), if args.no_minimize { "" } else { " (minimized)" });
    for c in new.iter().take(args.max_print) {
        let shown = if args.no_minimize || c.harness_error.is_some() {
            (*c).clone()
        } else {
            cors_browser::minimize(&mut session, c, profile)?
        };
        print!("{}", shown.render(engine.name()));
    }
    if new.len() > args.max_print {
        println!("... and {} more (--max-print)", new.len() - args.max_print);
    }
    Ok(false)
}

//! `cors-harness verdict`: the oracle over JSON Lines.

use std::io::BufWriter;
use std::process::ExitCode;

use cors_harness::profile::BrowserProfile;
use cors_harness::verdict_stream::judge_lines;

#[derive(clap::Args)]
pub struct Args {
    /// Browser profile for lines that name none (`chromium`, `spec`).
    #[arg(long, default_value = "chromium", value_parser = parse_profile)]
    browser: &'static BrowserProfile,
}

fn parse_profile(name: &str) -> Result<&'static BrowserProfile, String> {
    BrowserProfile::by_name(name).ok_or_else(|| {
        let known: Vec<_> = cors_harness::profile::ALL.iter().map(|p| p.name).collect();
        format!("unknown browser {name:?}; known: {}", known.join(", "))
    })
}

pub fn run(args: &Args) -> ExitCode {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match judge_lines(stdin, &mut out, args.browser) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cors-harness verdict: {e}");
            ExitCode::from(2)
        }
    }
}

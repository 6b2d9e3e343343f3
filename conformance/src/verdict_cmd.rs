//! `cors-harness verdict`: the oracle over JSON Lines.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use cors_harness::case_json::{CaseJson, ErrorLine, VerdictLine};
use cors_harness::profile::BrowserProfile;

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

/// Judges every line; returns how many lines were bad. Blank lines are skipped.
pub fn judge_lines(input: impl BufRead, out: &mut impl Write, profile: &'static BrowserProfile) -> std::io::Result<u64> {
    let mut bad = 0;
    for (index, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let line_no = index as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match judge(&line, profile) {
            Ok(verdict) => serde_json::to_writer(&mut *out, &verdict)?,
            Err((id, error)) => {
                bad += 1;
                serde_json::to_writer(&mut *out, &ErrorLine { id, error, line: line_no })?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(bad)
}

fn judge(line: &[u8], profile: &'static BrowserProfile) -> Result<VerdictLine, (serde_json::Value, String)> {
    let parsed: CaseJson = serde_json::from_slice(line).map_err(|e| {
        // Recover the id from a line that is JSON but not a valid case, so the error can be matched up.
        let id = serde_json::from_slice::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("id").cloned())
            .unwrap_or(serde_json::Value::Null);
        (id, format!("invalid case: {e}"))
    })?;
    let case = parsed.to_case(profile).map_err(|e| (parsed.id.clone(), e.0))?;
    let verdict = case.evaluate().map_err(|e| (parsed.id.clone(), e.to_string()))?;
    Ok(VerdictLine::new(parsed.id, &verdict))
}

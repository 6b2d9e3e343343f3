//! The `cors-harness` command line as a library: the binary in this crate runs it with the
//! built-in targets; other crates (the historical pins in `targets-historical/`) run the very
//! same commands with their own targets through [`run_cli`].

mod browser_cmd;
mod matrix_cmd;
mod policy_cmd;
mod verdict_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use matrix_cmd::Registry;

#[derive(Parser)]
#[command(name = "cors-harness", version, about = "CORS conformance harness and reference Fetch CORS oracle")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ask the oracle: read cases as JSON Lines on stdin, write one verdict per line on stdout.
    ///
    /// Each input line holds a browser request and what the server answers at each URL; each
    /// output line says whether a browser preflights, sends, and lets script read the response,
    /// and which rule (digest ID) made it fail. Bad lines produce an error line; the exit status
    /// is then 1.
    Verdict(verdict_cmd::Args),
    /// The main job: every built-in target under every built-in policy, the conformance
    /// catalogue plus generated probes, judged by the oracle; prints a matrix of targets ×
    /// probe groups and the top findings with minimal reproductions.
    Matrix(matrix_cmd::Args),
    /// Differential check of the oracle against a real headless browser (Chromium, Firefox):
    /// WPT vectors and generated cases run in the browser and in the oracle, agreement per
    /// field, every disagreement as a minimal case.
    BrowserCheck(browser_cmd::Args),
    /// Work with policy files (what a server's owner means to allow).
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Check policy files: errors and warnings with file:line:column, exit status 1 on errors.
    Check(policy_cmd::CheckArgs),
}

/// Parses the process's arguments and runs the command; `registry` holds the targets `matrix`
/// can run.
pub fn run_cli(registry: Registry) -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Verdict(args) => verdict_cmd::run(&args),
        Command::Matrix(args) => matrix_cmd::run(&args, &registry),
        Command::BrowserCheck(args) => browser_cmd::run(&args),
        Command::Policy(PolicyCommand::Check(args)) => policy_cmd::check(&args),
    }
}

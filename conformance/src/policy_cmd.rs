//! `cors-harness policy check`: load policy files the way every other command will, and show
//! their errors and warnings with file, line, column and the offending snippet.

use std::path::PathBuf;
use std::process::ExitCode;

use cors_harness::policy::Policy;

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Policy files (TOML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print each valid policy back in normalized form (defaults filled in).
    #[arg(long)]
    print: bool,
    /// Treat warnings as errors (exit status 1).
    #[arg(long)]
    deny_warnings: bool,
}

pub fn check(args: &CheckArgs) -> ExitCode {
    let mut failed = false;
    for file in &args.files {
        match Policy::load(file) {
            Ok(loaded) => {
                for warning in &loaded.warnings {
                    eprintln!("{:?}", miette::Report::new(warning.clone()));
                }
                failed |= args.deny_warnings && !loaded.warnings.is_empty();
                eprintln!(
                    "{}: ok ({} warning{})",
                    file.display(),
                    loaded.warnings.len(),
                    if loaded.warnings.len() == 1 { "" } else { "s" }
                );
                if args.print {
                    println!("# {}\n{}", file.display(), loaded.policy.to_toml());
                }
            }
            Err(error) => {
                failed = true;
                eprintln!("{:?}", miette::Report::new(error));
            }
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

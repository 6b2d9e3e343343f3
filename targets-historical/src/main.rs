//! `cors-harness-historical`: the `cors-harness` command line (the same commands and options:
//! `matrix`, `verdict`, `policy check`, ...) whose `matrix` targets are the pinned old
//! releases of this workspace instead of the current middlewares.
//!
//! ```sh
//! cargo run --manifest-path targets-historical/Cargo.toml --release -- matrix --list-targets
//! cargo run --manifest-path targets-historical/Cargo.toml --release -- matrix --target tower-http-0.2.0
//! ```
//!
//! The pins are the registry's defaults (`matrix` without `--target` runs all of them under
//! the built-in policies); there are no extra targets. tower-http 0.3.4 has its own workspace
//! (`tower-http-0.3.4/`) and is run by that workspace's tests.

use std::process::ExitCode;

fn main() -> ExitCode {
    cors_conformance::run_cli(cors_conformance::Registry {
        defaults: cors_targets_historical::adapters(),
        extra: vec![],
    })
}

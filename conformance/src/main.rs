//! `cors-harness`: the command line of the CORS conformance harness, with the built-in
//! targets.

use std::process::ExitCode;

// The oracle allocates small, short-lived buffers per verdict; mimalloc makes that ~20% faster
// than the system allocator (harness/benches/oracle.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cors_conformance::run_cli(cors_conformance::Registry::builtin())
}

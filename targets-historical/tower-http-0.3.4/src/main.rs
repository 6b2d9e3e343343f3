//! The `cors-harness` command line with tower-http 0.3.4 as its only target (feature `cli`):
//!
//! ```sh
//! cargo run --manifest-path targets-historical/tower-http-0.3.4/Cargo.toml --release --features cli -- \
//!     matrix --target tower-http-0.3.4 --policy targets-historical/policies/any-origin-credentials.toml
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let adapter: &'static dyn cors_harness::adapter::Adapter = &cors_targets_historical_tower_http_0_3_4::ADAPTER;
    cors_conformance::run_cli(cors_conformance::Registry { defaults: vec![adapter], extra: vec![] })
}

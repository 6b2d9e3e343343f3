//! tower-http 0.3.4 (`AllowOrigin::list(["*"])` accepted with credentials; upstream
//! tower-rs/tower-http#284, fixed in 0.3.5 by tower-rs/tower-http#285) lives in the separate
//! workspace `tower-http-0.3.4/`: cargo allows one tower-http 0.3.x per dependency graph and
//! this one pins 0.3.0. This test runs that workspace's tests (`cargo test --locked`, its own
//! Cargo.lock, target directory `<this target dir>/tower-http-0.3.4`), so `cargo test` here
//! covers every historical target: the hand-written bug test and the engine's rediscovery
//! (`tower-http-0.3.4/tests/rediscovered.rs`).

use std::path::Path;
use std::process::Command;

#[test]
fn srv5_tower_http_0_3_4_workspace_tests_pass() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tower-http-0.3.4/Cargo.toml");
    // CARGO_TARGET_TMPDIR is `<target dir>/tmp`.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("a target dir").join("tower-http-0.3.4");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let output = Command::new(cargo)
        .args(["test", "--locked", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "tower-http-0.3.4 tests failed:\n{stdout}\n{stderr}");
    for test in [
        "srv5_tower_http_0_3_4_wildcard_in_list_with_credentials",
        "chk1_tower_http_0_3_4_wildcard_in_list_with_credentials_rediscovered",
    ] {
        assert!(
            stdout.contains(&format!("test {test} ... ok")),
            "the tower-http 0.3.4 test {test} did not run:\n{stdout}"
        );
    }
    println!("{stdout}");
}

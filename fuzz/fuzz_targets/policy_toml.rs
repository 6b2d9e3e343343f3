//! Policy files: a policy or a located error, never a panic; valid policies round-trip.
#![no_main]

use cors_harness::policy::Policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(loaded) = Policy::from_toml_str(text, "fuzz.toml") {
        let again = Policy::from_toml_str(&loaded.policy.to_toml(), "again.toml").expect("to_toml output loads");
        assert_eq!(again.policy, loaded.policy);
    } else if let Err(error) = Policy::from_toml_str(text, "fuzz.toml") {
        assert!(error.line() >= 1 && error.column() >= 1);
    }
});

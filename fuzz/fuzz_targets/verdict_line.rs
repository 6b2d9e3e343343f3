//! One `cors-harness verdict` input line: a verdict or an error, never a panic.
#![no_main]

use cors_harness::profile::CHROMIUM;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cors_harness::verdict_stream::judge(data, &CHROMIUM);
});

//! `Origin::parse_serialized` on arbitrary bytes: never panics, and whatever parses
//! serializes back to exactly the input (a browser sends only canonical origins).
#![no_main]

use cors_harness::Origin;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(origin) = Origin::parse_serialized(data) {
        assert_eq!(origin.serialize().as_bytes(), data);
    }
});

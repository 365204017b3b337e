//! libFuzzer target: see `harness::json_decode` for what is checked.
#![no_main]

#[path = "../../tests/support/fuzz_harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::json_decode(data));

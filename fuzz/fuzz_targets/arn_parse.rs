//! libFuzzer target: see `harness::arn_parse` for what is checked.
#![no_main]

#[path = "../../tests/support/fuzz_harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::arn_parse(data));

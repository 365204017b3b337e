//! libFuzzer target: see `harness::handshake_env` for what is checked.
#![no_main]

#[path = "../../tests/support/fuzz_harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::handshake_env(data));

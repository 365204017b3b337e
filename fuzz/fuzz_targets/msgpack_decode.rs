//! libFuzzer target: see `harness::msgpack_decode` for what is checked.
#![no_main]

#[path = "../../tests/support/fuzz_harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::msgpack_decode(data));

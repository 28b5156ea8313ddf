//! Fuzz target: legacy text profiles, every metrics export and OOM logs, and the leak analysis.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| leakscope::fuzzing::decode_text(data));

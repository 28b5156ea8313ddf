//! Fuzz target: whatever loads, through every view the page has.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| leakscope::fuzzing::every_view(data));

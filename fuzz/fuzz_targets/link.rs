//! Fuzz target: a link's #data= text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| leakscope::fuzzing::unpack_link(data));

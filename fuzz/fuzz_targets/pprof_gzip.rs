//! Fuzz target: pprof decode through the gzip stream.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| leakscope::fuzzing::decode_gzipped_profile(data));

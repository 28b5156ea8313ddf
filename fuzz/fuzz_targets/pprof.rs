//! Fuzz target: pprof decode, gzipped or raw protobuf and legacy binary.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| leakscope::fuzzing::decode_profile(data));

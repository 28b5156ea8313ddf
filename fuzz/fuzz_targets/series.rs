//! Fuzz target: the metric readers (CSV, Prometheus JSON and text, OOM logs, kubectl) and the leak analysis.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| leakscope::fuzzing::decode_series(data));

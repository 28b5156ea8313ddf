//! Fuzz target: a link's view parameters (first line) over a file (the rest), as a link opens the page.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| leakscope::fuzzing::link_view(data));

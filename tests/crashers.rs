//! Replays the fuzzers' crashers (tests/data/crashers/): every input that
//! once panicked, hung or ran away goes through every fuzz target's body
//! and must now end normally (an error is fine).

use std::path::Path;
use std::time::{Duration, Instant};

use leakscope::fuzzing;

#[test]
fn every_crasher_is_handled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/crashers");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let started = Instant::now();
        fuzzing::decode_profile(&bytes);
        fuzzing::decode_gzipped_profile(&bytes);
        fuzzing::decode_text(&bytes);
        fuzzing::decode_series(&bytes);
        fuzzing::unpack_link(&bytes);
        fuzzing::every_view(&bytes);
        fuzzing::link_view(&bytes);
        // Debug builds are slow; a hang would take far longer than this.
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{}: {:?}",
            path.display(),
            started.elapsed()
        );
        replayed += 1;
    }
    eprintln!("replayed {replayed} crashers");
}

/// The fuzz targets' bodies over their seeds from tests/data (the small
/// ones), as the fuzzers start: each must end normally.
#[test]
fn the_fuzz_targets_run_over_their_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut ran = 0;
    for sub in ["", "series/leak"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let Ok(bytes) = std::fs::read(&path) else {
                continue; // a directory
            };
            if bytes.len() > 64 << 10 || path.extension().is_some_and(|e| e == "md" || e == "sh") {
                continue;
            }
            fuzzing::decode_profile(&bytes);
            fuzzing::decode_text(&bytes);
            fuzzing::decode_series(&bytes);
            fuzzing::unpack_link(&bytes);
            fuzzing::every_view(&bytes);
            fuzzing::link_view(&[b"view=flame&fz=main.main&q=a\n".as_slice(), &bytes].concat());
            ran += 1;
        }
    }
    assert!(ran >= 10, "only {ran} seeds");
}

/// What the fuzzers found and fuzz/keep.py kept (fuzz/kept/TARGET/, small
/// inputs that reach code the seeds do not): each through its own
/// target's body, which must end normally.
#[test]
fn the_kept_fuzz_inputs_run() {
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/kept");
    type Body = fn(&[u8]);
    let bodies: [(&str, Body); 7] = [
        ("pprof", fuzzing::decode_profile),
        ("pprof_gzip", fuzzing::decode_gzipped_profile),
        ("text", fuzzing::decode_text),
        ("series", fuzzing::decode_series),
        ("views", fuzzing::every_view),
        ("link", fuzzing::unpack_link),
        ("link_view", fuzzing::link_view),
    ];
    let mut ran = 0;
    for (target, body) in bodies {
        let Ok(entries) = std::fs::read_dir(kept.join(target)) else {
            continue; // nothing kept for this target yet
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let started = Instant::now();
            body(&bytes);
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{}: {:?}",
                path.display(),
                started.elapsed()
            );
            ran += 1;
        }
    }
    assert!(ran > 0, "fuzz/kept holds no input");
    eprintln!("ran {ran} kept fuzz inputs");
}

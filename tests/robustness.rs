//! Bad input never panics: every truncation and thousands of byte
//! mutations of real profiles (protobuf and legacy text) and metric
//! exports must load or be refused with an error, and whatever loads must
//! report (or be analyzed) without panic.
//! (Deterministic; the coverage-guided fuzzers are separate.)

mod common;

use std::io::Read;
use std::path::Path;

use leakscope::analysis::leak::{analyze, AnalyzeOptions};
use leakscope::analysis::options::ReportOptions;
use leakscope::analysis::source::prepare;
use leakscope::analysis::top::top;
use leakscope::import::{read, read_profile, ImportOptions, Input};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Loads and reports; only panics are failures.
fn exercise(bytes: &[u8]) {
    let options = ImportOptions {
        max_inflated_bytes: 64 << 20,
        ..ImportOptions::default()
    };
    let p = match read(bytes, &options) {
        Ok(Input::Profile(p)) => *p,
        Ok(Input::Series(set)) => {
            let a = analyze(&set, &AnalyzeOptions::default());
            let _ = leakscope::render::text::analysis(&a);
            return;
        }
        Err(_) => return,
    };
    {
        if let Ok(p) = prepare(vec![p], None) {
            for sample_type in 0..p.sample_types.len() {
                let options = ReportOptions {
                    sample_index: sample_type.to_string(),
                    ..ReportOptions::default()
                };
                let _ = top(&p, &options).map(|r| leakscope::render::text::top(&r));
            }
        }
    }
}

/// splitmix64, for reproducible mutations.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e3779b97f4a7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

fn mutate_many(original: &[u8], rounds: usize, seed: u64) {
    let mut state = seed;
    for _ in 0..rounds {
        let mut bytes = original.to_vec();
        for _ in 0..1 + next(&mut state) % 4 {
            let at = (next(&mut state) % bytes.len() as u64) as usize;
            bytes[at] = match next(&mut state) % 4 {
                0 => 0xff,
                1 => 0x00,
                2 => bytes[at] ^ (1 << (next(&mut state) % 8)),
                _ => next(&mut state) as u8,
            };
        }
        exercise(&bytes);
    }
}

#[test]
fn every_truncation_of_a_protobuf_is_handled() {
    let raw = gunzip(&data("synthetic.pb.gz"));
    for len in 0..raw.len() {
        exercise(&raw[..len]);
    }
    let gz = data("synthetic.pb.gz");
    for len in 0..gz.len() {
        exercise(&gz[..len]);
    }
}

#[test]
fn mutated_protobufs_are_handled() {
    mutate_many(&gunzip(&data("synthetic.pb.gz")), 3000, 1);
    mutate_many(&gunzip(&data("go.heap.pb.gz")), 1500, 2);
}

#[test]
fn mutated_legacy_text_is_handled() {
    mutate_many(&data("go.mutex.debug1.txt"), 1500, 3);
    let heap = data("go.heap.debug1.txt");
    mutate_many(&heap[..heap.len().min(6000)], 1500, 4);
    for len in (0..6000.min(heap.len())).step_by(7) {
        exercise(&heap[..len]);
    }
}

#[test]
fn mutated_corpus_legacy_profiles_are_handled() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    for name in [
        "pprof/google-pprof/profile/testdata/cppbench.cpu",
        "pprof/google-pprof/profile/testdata/cppbench.heap",
        "pprof/google-pprof/profile/testdata/cppbench.thread",
        "pprof/google-pprof/profile/testdata/cppbench.contention",
        "pprof/google-pprof/profile/testdata/java.heap",
        "pprof/google-pprof/profile/testdata/java.cpu",
        "pprof/google-pprof/profile/testdata/java.contention",
        "pprof/google-pprof/profile/testdata/go.godoc.thread",
    ] {
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        mutate_many(&bytes, 400, name.len() as u64);
        for len in (0..bytes.len()).step_by(13) {
            exercise(&bytes[..len]);
        }
    }
}

#[test]
fn mutated_metric_exports_are_handled() {
    for (name, step) in [
        ("series/leak/grafana-joined-epoch.csv", 11),
        ("series/leak/grafana-excel-utf16.csv", 7),
        ("series/leak/grafana-series-rows.csv", 23),
        ("series/leak/query_range.rss.json", 5),
        ("series/leak/promtool-dump.txt", 19),
        ("series/leak/federate.txt", 1),
        ("series/leak/dmesg.txt", 1),
    ] {
        let bytes = data(name);
        let head = &bytes[..bytes.len().min(12_000)];
        mutate_many(head, 300, step as u64);
        for len in (0..head.len()).step_by(step) {
            exercise(&head[..len]);
        }
    }
}

#[test]
fn a_huge_declared_length_does_not_allocate_it() {
    // A field claiming 2 GiB of data in a 12-byte file: an error, quickly.
    let bytes = [0x32, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3, 4, 5, 6];
    let err = read_profile(&bytes, &ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("truncated"), "{}", err.message);
}

//! The synthetic profile fixture: a tiny profile writer that builds
//! `tests/data/synthetic.pb.gz` from `profile.proto` records, covering what
//! real Go profiles rarely show at once: recursion (direct and mutual),
//! inlined frames, unsymbolized addresses in several binaries, a folded
//! location, string and numeric labels (with units), duplicate stacks, an
//! all-zero sample, a negative value, drop_frames, comments and doc_url.
//!
//! It also writes `tests/data/extremes.pb.gz`, values at the ends of
//! int64 (see `extremes`).
//!
//! The tests fail when a committed file is not what this writer makes;
//! `BLESS=1 cargo test --test fixtures` rewrites them (then re-run
//! `tests/data/make-oracles.sh` so pprof's oracles follow).

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use leakscope::import::pprof::wire;
use prost::Message;

#[derive(Default)]
struct Writer {
    p: wire::Profile,
    strings: HashMap<String, i64>,
}

impl Writer {
    /// The profile written so far, encoded and gzipped as pprof writes it.
    fn gzipped(&self) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&self.p.encode_to_vec()).unwrap();
        gz.finish().unwrap()
    }

    fn s(&mut self, text: &str) -> i64 {
        if self.p.string_table.is_empty() {
            self.p.string_table.push(Vec::new());
            self.strings.insert(String::new(), 0);
        }
        if let Some(&i) = self.strings.get(text) {
            return i;
        }
        let i = self.p.string_table.len() as i64;
        self.p.string_table.push(text.as_bytes().to_vec());
        self.strings.insert(text.to_string(), i);
        i
    }

    fn function(&mut self, name: &str, file: &str, start: i64) -> u64 {
        let id = self.p.function.len() as u64 + 1;
        let (n, f) = (self.s(name), self.s(file));
        self.p.function.push(wire::Function {
            id,
            name: n,
            system_name: n,
            filename: f,
            start_line: start,
        });
        id
    }

    /// A location; `lines` innermost first as (function id, line).
    fn location(&mut self, mapping: u64, address: u64, lines: &[(u64, i64)]) -> u64 {
        let id = self.p.location.len() as u64 + 1;
        self.p.location.push(wire::Location {
            id,
            mapping_id: mapping,
            address,
            line: lines
                .iter()
                .map(|&(function_id, line)| wire::Line {
                    function_id,
                    line,
                    column: 0,
                })
                .collect(),
            is_folded: false,
        });
        id
    }

    fn sample(
        &mut self,
        stack: &[u64],
        values: [i64; 3],
        labels: &[(&str, &str)],
        nums: &[(&str, i64, &str)],
    ) {
        let mut label = Vec::new();
        for (k, v) in labels {
            label.push(wire::Label {
                key: self.s(k),
                str: self.s(v),
                num: 0,
                num_unit: 0,
            });
        }
        for (k, v, u) in nums {
            label.push(wire::Label {
                key: self.s(k),
                str: 0,
                num: *v,
                num_unit: self.s(u),
            });
        }
        self.p.sample.push(wire::Sample {
            location_id: stack.to_vec(),
            value: values.to_vec(),
            label,
        });
    }
}

fn synthetic() -> Vec<u8> {
    let mut w = Writer::default();
    w.s("");
    let types = [
        ("samples", "count"),
        ("cpu", "nanoseconds"),
        ("alloc_space", "bytes"),
    ];
    for (t, u) in types {
        let vt = wire::ValueType {
            r#type: w.s(t),
            unit: w.s(u),
        };
        w.p.sample_type.push(vt);
    }
    let (app, libc) = (
        w.s("/usr/local/bin/synthapp"),
        w.s("/lib/x86_64-linux-gnu/libc.so.6"),
    );
    let build = w.s("5d2c1e0f");
    w.p.mapping.push(wire::Mapping {
        id: 1,
        memory_start: 0x400000,
        memory_limit: 0x800000,
        file_offset: 0,
        filename: app,
        build_id: build,
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
        has_inline_frames: true,
    });
    w.p.mapping.push(wire::Mapping {
        id: 2,
        memory_start: 0x7f0000000000,
        memory_limit: 0x7f0000200000,
        file_offset: 0x1000,
        filename: libc,
        ..Default::default()
    });

    let main = w.function("main.main", "/src/synthapp/main.go", 10);
    let serve = w.function(
        "net/http.(*conn).serve",
        "/usr/lib/go/src/net/http/server.go",
        1800,
    );
    let handle = w.function("main.handle", "/src/synthapp/handler.go", 20);
    let parse = w.function("main.parse", "/src/synthapp/parse.go", 5);
    let decode = w.function(
        "encoding/json.(*decodeState).object",
        "/usr/lib/go/src/encoding/json/decode.go",
        600,
    );
    let helper = w.function("main.helper", "/src/synthapp/handler.go", 40);
    let walk = w.function("main.walk", "/src/synthapp/tree.go", 3);
    let even = w.function("main.even", "/src/synthapp/tree.go", 12);
    let odd = w.function("main.odd", "/src/synthapp/tree.go", 18);
    let malloc = w.function("runtime.mallocgc", "/usr/lib/go/src/runtime/malloc.go", 900);
    let cpp = w.function("Cache::Insert(std::string const&)", "/src/cache.cc", 77);

    let l_main = w.location(1, 0x401000, &[(main, 12)]);
    let l_serve = w.location(1, 0x402000, &[(serve, 1830)]);
    let l_handle = w.location(1, 0x403000, &[(handle, 25)]);
    // helper inlined into handle: one address, two lines.
    let l_handle_helper = w.location(1, 0x403100, &[(helper, 42), (handle, 27)]);
    let l_parse = w.location(1, 0x404000, &[(parse, 8)]);
    let l_parse2 = w.location(1, 0x404010, &[(parse, 9)]);
    let l_decode = w.location(1, 0x405000, &[(decode, 612)]);
    let l_walk = w.location(1, 0x406000, &[(walk, 5)]);
    let l_even = w.location(1, 0x407000, &[(even, 14)]);
    let l_odd = w.location(1, 0x408000, &[(odd, 20)]);
    let l_malloc = w.location(1, 0x409000, &[(malloc, 950)]);
    let l_cpp = w.location(1, 0x40a000, &[(cpp, 80)]);
    // Unsymbolized addresses in libc.
    let l_libc1 = w.location(2, 0x7f0000001234, &[]);
    let l_libc2 = w.location(2, 0x7f0000005678, &[]);
    let folded = w.location(1, 0x40b000, &[(handle, 30)]);
    w.p.location[folded as usize - 1].is_folded = true;

    let root = [l_serve, l_main];
    let with_root =
        |stack: &[u64]| -> Vec<u64> { stack.iter().chain(root.iter()).copied().collect() };
    let slow = [("handler", "/slow"), ("tenant", "a")];
    let fast = [("handler", "/fast"), ("tenant", "b")];
    w.sample(
        &with_root(&[l_decode, l_parse, l_handle]),
        [30, 300_000_000, 4096],
        &slow,
        &[("bytes", 4096, "bytes")],
    );
    w.sample(
        &with_root(&[l_parse2, l_handle]),
        [10, 100_000_000, 1024],
        &slow,
        &[("bytes", 1024, "bytes")],
    );
    w.sample(
        &with_root(&[l_handle_helper]),
        [20, 200_000_000, 65536],
        &fast,
        &[("bytes", 65536, "bytes"), ("latency", 12, "ms")],
    );
    // The same stack and labels again: merged with the previous sample.
    w.sample(
        &with_root(&[l_handle_helper]),
        [5, 50_000_000, 0],
        &fast,
        &[("bytes", 65536, "bytes"), ("latency", 12, "ms")],
    );
    // Direct recursion: walk → walk → walk.
    w.sample(
        &with_root(&[l_walk, l_walk, l_walk, l_handle]),
        [15, 150_000_000, 2048],
        &slow,
        &[],
    );
    // Mutual recursion: even → odd → even.
    w.sample(
        &with_root(&[l_even, l_odd, l_even, l_handle]),
        [8, 80_000_000, 512],
        &fast,
        &[],
    );
    // Allocator frame (dropped by drop_frames) above a handler.
    w.sample(
        &with_root(&[l_malloc, l_handle]),
        [4, 40_000_000, 1_000_000],
        &fast,
        &[("bytes", 1_000_000, "bytes")],
    );
    // Unsymbolized libc frames under C++.
    w.sample(
        &[l_libc1, l_libc2, l_cpp, l_main],
        [6, 60_000_000, 256],
        &[],
        &[("bytes", 256, "bytes")],
    );
    w.sample(&[l_libc2, l_cpp, l_main], [3, 30_000_000, 0], &[], &[]);
    // A folded location.
    w.sample(&with_root(&[folded]), [2, 20_000_000, 128], &slow, &[]);
    // All values zero: merging drops it.
    w.sample(&with_root(&[l_decode]), [0, 0, 0], &slow, &[]);
    // A negative value (as in delta profiles).
    w.sample(&with_root(&[l_parse]), [1, -10_000_000, 64], &slow, &[]);
    // No stack at all.
    w.sample(&[], [1, 10_000_000, 32], &[], &[]);

    w.p.drop_frames = w.s("runtime\\.mallocgc");
    let comments = [
        w.s("synthetic fixture for leakscope"),
        w.s("#hidden comment"),
    ];
    w.p.comment = comments.to_vec();
    w.p.time_nanos = 1_700_000_000_123_456_789;
    w.p.duration_nanos = 10_500_000_000;
    let pt = wire::ValueType {
        r#type: w.s("cpu"),
        unit: w.s("nanoseconds"),
    };
    w.p.period_type = Some(pt);
    w.p.period = 10_000_000;
    w.p.doc_url = w.s("https://example.org/synthetic");

    w.gzipped()
}

/// Values at the ends of int64, where pprof's `abs64` wraps: |MinInt64| is
/// MinInt64 itself, negative, so pprof drops such a node at any cutoff and
/// sorts it last, and an edge of that weight falls under even a zero edge
/// cutoff. Two sample types: in `alloc_space` main.a holds MinInt64 alone;
/// in `inuse_space` main.e under it adds MaxInt64, so sums wrap.
fn extremes() -> Vec<u8> {
    let mut w = Writer::default();
    w.s("");
    for t in ["alloc_space", "inuse_space"] {
        let vt = wire::ValueType {
            r#type: w.s(t),
            unit: w.s("bytes"),
        };
        w.p.sample_type.push(vt);
    }
    let mut location = |name: &str, line: i64| {
        let f = w.function(name, "/src/extremes/main.go", line);
        w.location(0, 0, &[(f, line)])
    };
    let (main, a, b, c, d, e) = (
        location("main.main", 3),
        location("main.a", 10),
        location("main.b", 20),
        location("main.c", 30),
        location("main.d", 40),
        location("main.e", 50),
    );
    let samples: [(&[u64], [i64; 2]); 5] = [
        (&[a, main], [i64::MIN, i64::MIN]),
        (&[b, main], [1000, 1000]),
        (&[c, b, main], [5, 5]),
        (&[d, main], [-7000, -7000]),
        (&[e, a, main], [0, i64::MAX]),
    ];
    for (stack, values) in samples {
        w.p.sample.push(wire::Sample {
            location_id: stack.to_vec(),
            value: values.to_vec(),
            label: Vec::new(),
        });
    }
    w.gzipped()
}

/// Fails when `tests/data/NAME` is not what `make` writes; `BLESS=1`
/// rewrites it first.
fn assert_fixture(name: &str, make: fn() -> Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let bytes = make();
    if std::env::var("BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &bytes).unwrap();
    }
    let committed = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("tests/data/{name} exists (BLESS=1 makes it)"));
    assert!(
        committed == bytes,
        "tests/data/{name} is not what the writer in tests/fixtures.rs makes: \
         run BLESS=1 cargo test --test fixtures, then tests/data/make-oracles.sh"
    );
}

#[test]
fn extremes_fixture_is_what_the_writer_makes() {
    assert_fixture("extremes.pb.gz", extremes);
    let p = common::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/extremes.pb.gz"));
    assert_eq!(p.samples.len(), 5);
}

#[test]
fn synthetic_fixture_is_what_the_writer_makes() {
    assert_fixture("synthetic.pb.gz", synthetic);
    // And it decodes to what was written.
    let p = common::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/synthetic.pb.gz"));
    assert_eq!(p.samples.len(), 13);
    assert_eq!(p.sample_types[1].name, "cpu");
    assert_eq!(p.comments.len(), 2);
}

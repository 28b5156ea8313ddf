//! Decoding: string fan-out (family 1), decode amplification (family 2)
//! and silent differences (family 12).

use super::*;

/// One string of 1 MiB, referred to this many times.
const FAN_OUT: usize = 20_000;
const BIG: usize = 1 << 20;

/// A profile whose string 1 is 1 MiB of `x` (string 2 `samples`, 3
/// `count`), with one sample type and `shape` applied.
fn fan_out_profile(shape: impl FnOnce(&mut wire::Profile)) -> Vec<u8> {
    let mut p = wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 2, unit: 3 }],
        string_table: vec![
            Vec::new(),
            vec![b'x'; BIG],
            b"samples".to_vec(),
            b"count".to_vec(),
        ],
        ..Default::default()
    };
    shape(&mut p);
    gzip(&encode(&p))
}

/// `count` locations, each its own function, in one sample.
fn functions(p: &mut wire::Profile, count: u64, function: impl Fn(u64) -> wire::Function) {
    p.function = (1..=count).map(function).collect();
    p.location = (1..=count)
        .map(|id| wire::Location {
            id,
            line: vec![wire::Line {
                function_id: id,
                line: 1,
                column: 0,
            }],
            ..Default::default()
        })
        .collect();
    p.sample = vec![wire::Sample {
        location_id: (1..=count).collect(),
        value: vec![1],
        label: Vec::new(),
    }];
}

const FAN_OUT_REFUSAL: &str = "string fan-out";

pub fn fan_out() -> Vec<Case> {
    let n = FAN_OUT as u64;
    let case = |name: &'static str, bytes: Vec<u8>| {
        Case::new(1, name)
            .file("f.pb.gz", bytes)
            .args(&["top", "{0}"])
            .refused(FAN_OUT_REFUSAL)
            .page("view=top")
    };
    vec![
        case(
            "fanout-comments",
            fan_out_profile(|p| p.comment = vec![1; FAN_OUT]),
        ),
        case(
            "fanout-function-names",
            fan_out_profile(|p| {
                functions(p, n, |id| wire::Function {
                    id,
                    name: 1,
                    ..Default::default()
                })
            }),
        ),
        case(
            "fanout-system-names-files",
            fan_out_profile(|p| {
                functions(p, n, |id| wire::Function {
                    id,
                    name: 2,
                    system_name: 1,
                    filename: 1,
                    start_line: 0,
                })
            }),
        ),
        case(
            "fanout-labels",
            fan_out_profile(|p| {
                functions(p, 1, |id| wire::Function {
                    id,
                    name: 2,
                    ..Default::default()
                });
                p.sample[0].label = (0..FAN_OUT)
                    .map(|_| wire::Label {
                        key: 1,
                        str: 1,
                        num: 0,
                        num_unit: 0,
                    })
                    .collect();
            }),
        ),
        case(
            "fanout-num-units",
            fan_out_profile(|p| {
                functions(p, 1, |id| wire::Function {
                    id,
                    name: 2,
                    ..Default::default()
                });
                p.sample[0].label = (0..FAN_OUT)
                    .map(|_| wire::Label {
                        key: 2,
                        str: 0,
                        num: 1,
                        num_unit: 1,
                    })
                    .collect();
            }),
        ),
        case(
            "fanout-label-sets",
            // Each sample a different set (one more label each), all
            // naming the big string: interning sets does not help.
            fan_out_profile(|p| {
                functions(p, 1, |id| wire::Function {
                    id,
                    name: 2,
                    ..Default::default()
                });
                let one = p.sample[0].clone();
                p.sample = (0..200)
                    .map(|i| wire::Sample {
                        label: (0..=i)
                            .map(|_| wire::Label {
                                key: 1,
                                str: 1,
                                num: 0,
                                num_unit: 0,
                            })
                            .collect(),
                        ..one.clone()
                    })
                    .collect();
            }),
        ),
        case(
            "fanout-sample-types",
            fan_out_profile(|p| {
                p.sample_type = vec![wire::ValueType { r#type: 1, unit: 1 }; 5_000];
            }),
        ),
        case(
            "fanout-mappings",
            fan_out_profile(|p| {
                p.mapping = (1..=n)
                    .map(|id| wire::Mapping {
                        id,
                        memory_start: id << 20,
                        memory_limit: (id + 1) << 20,
                        filename: 1,
                        build_id: 1,
                        ..Default::default()
                    })
                    .collect();
            }),
        ),
    ]
}

/// A protobuf field: key, length and payload.
fn field(tag: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 12);
    prost::encoding::encode_key(tag, prost::encoding::WireType::LengthDelimited, &mut out);
    prost::encoding::encode_varint(payload.len() as u64, &mut out);
    out.extend_from_slice(payload);
    out
}

/// A profile of one sample type (strings 1 and 2) and one location at
/// line 1 of one function (string 3), with `samples` at it.
fn one_function(strings: [&str; 3], samples: Vec<wire::Sample>) -> wire::Profile {
    wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
        sample: samples,
        location: vec![wire::Location {
            id: 1,
            line: vec![wire::Line {
                function_id: 1,
                line: 1,
                column: 0,
            }],
            ..Default::default()
        }],
        function: vec![wire::Function {
            id: 1,
            name: 3,
            ..Default::default()
        }],
        string_table: [""]
            .iter()
            .chain(&strings)
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        ..Default::default()
    }
}

/// `samples/count`, one location, one function `main`: what the
/// amplification cases add their samples to.
fn small_header() -> Vec<u8> {
    encode(&one_function(["samples", "count", "main"], Vec::new()))
}

/// Gzips `head`, then `count` copies of `chunk`, then `tail`, without
/// holding the inflated whole (60 MB cases would raise the bench's own
/// peak RSS, which every child it forks reports as its floor).
fn gzip_repeated(head: &[u8], chunk: &[u8], count: usize, tail: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(head).unwrap();
    // In blocks of about 64 KiB (a write per chunk is slow unoptimised).
    let per_block = (65536 / chunk.len().max(1)).max(1);
    let block = chunk.repeat(per_block);
    for _ in 0..count / per_block {
        gz.write_all(&block).unwrap();
    }
    gz.write_all(&chunk.repeat(count % per_block)).unwrap();
    gz.write_all(tail).unwrap();
    gz.finish().unwrap()
}

/// The key and length of a sample field of location 1, value 1, with
/// `labels` empty labels (`label {}`: two bytes each) after it.
fn sample_head(labels: usize) -> Vec<u8> {
    let mut head = Vec::new();
    prost::encoding::encode_key(2, prost::encoding::WireType::LengthDelimited, &mut head);
    prost::encoding::encode_varint(4 + 2 * labels as u64, &mut head);
    head.extend([0x08, 0x01, 0x10, 0x01]);
    head
}

const EMPTY_LABEL: [u8; 2] = [0x1a, 0x00];

pub fn amplification() -> Vec<Case> {
    // 60 MB of empty labels in one sample.
    let labels = 30_000_000;
    let one = gzip_repeated(
        &[small_header(), sample_head(labels)].concat(),
        &EMPTY_LABEL,
        labels,
        &[],
    );
    // 60 MB of empty labels, a different number in each sample (so
    // every sample's raw set is new).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&small_header()).unwrap();
    for i in 0..7_700 {
        gz.write_all(&sample_head(i)).unwrap();
        gz.write_all(&EMPTY_LABEL.repeat(i)).unwrap();
    }
    let sets = gz.finish().unwrap();
    // 60 MB of empty sample types (`sample_type {}`: two bytes each;
    // under the 64 MiB past which the gzip ratio is checked).
    let types = gzip_repeated(&[], &[0x0a, 0x00], 30_000_000, &field(6, b""));
    vec![
        Case::new(2, "empty-labels")
            .file("f.pb.gz", one)
            .args(&["top", "{0}"])
            .stdout_contains("main")
            .page("view=top"),
        Case::new(2, "empty-label-sets")
            .file("f.pb.gz", sets)
            .args(&["top", "{0}"])
            .stdout_contains("main")
            .page("view=top"),
        Case::new(2, "sample-types")
            .file("f.pb.gz", types)
            .args(&["top", "{0}"])
            .refused("too many sample types")
            .page("view=top"),
        // A legacy heap profile of 40,000 mappings whose addresses none
        // of them holds: each location scanned every mapping (2.35 s).
        Case::new(2, "legacy-40k-mappings")
            .file("heap.txt", legacy_heap_beyond_mappings(40_000).into_bytes())
            .args(&["top", "{0}"])
            .stdout_contains("Showing nodes accounting for")
            .page("view=top"),
    ]
}

/// A legacy heap profile of `n` one-frame samples at addresses above all
/// of its `n` mappings (`MAPPED_LIBRARIES`), so each gets the fake mapping.
fn legacy_heap_beyond_mappings(n: usize) -> String {
    let mut out = String::from("heap profile: 1: 2 [ 3: 4] @ heapprofile\n");
    for i in 0..n {
        out.push_str(&format!(
            "1: 2 [3: 4] @ 0x{:x}\n",
            0x7000_0000_0000u64 + i as u64 * 16
        ));
    }
    out.push_str("\nMAPPED_LIBRARIES:\n");
    for i in 0..n {
        let start = 0x10_0000u64 + i as u64 * 0x2000;
        out.push_str(&format!(
            "{start:08x}-{:08x} r-xp 00000000 00:00 0 /lib/l{i}.so\n",
            start + 0x1000
        ));
    }
    out
}

/// A legacy heap profile whose one sample, unsampled at its rate, is more
/// bytes than an int64 holds: Go's conversion gives MinInt64 and pprof
/// drops the node; a saturating one printed 8192PB.
const HUGE_RATE_HEAP: &str =
    "heap profile: 1: 8000000000000000000 [ 1: 8000000000000000000] @ heap/8000000000000000000
1: 8000000000000000000 [1: 8000000000000000000] @ 0x1000 0x2000
";

// `samples/count`, one sample of `main`, compressed by xz, bzip2 and zstd
// (their tools, not in our dependencies, made these bytes).
const XZ: &[u8] = &[
    0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x02, 0x00, 0x21, 0x01,
    0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3, 0x01, 0x00, 0x37, 0x0a, 0x04, 0x08, 0x01, 0x10,
    0x02, 0x12, 0x06, 0x0a, 0x01, 0x01, 0x12, 0x01, 0x01, 0x22, 0x08, 0x08, 0x01, 0x22, 0x04, 0x08,
    0x01, 0x10, 0x01, 0x2a, 0x06, 0x08, 0x01, 0x10, 0x03, 0x18, 0x03, 0x32, 0x00, 0x32, 0x07, 0x73,
    0x61, 0x6d, 0x70, 0x6c, 0x65, 0x73, 0x32, 0x05, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x32, 0x04, 0x6d,
    0x61, 0x69, 0x6e, 0x00, 0x8a, 0x6e, 0xc6, 0xfa, 0x7a, 0x7e, 0x79, 0x73, 0x00, 0x01, 0x50, 0x38,
    0xe1, 0x50, 0x3f, 0xb2, 0x1f, 0xb6, 0xf3, 0x7d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5a,
];
const BZIP2: &[u8] = &[
    0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0xbf, 0x96, 0xad, 0x8e, 0x00, 0x00,
    0x0d, 0x79, 0x80, 0x7f, 0xd0, 0x50, 0x40, 0x10, 0x10, 0x10, 0x00, 0x2a, 0x27, 0xce, 0x00, 0x20,
    0x00, 0x54, 0x51, 0xa1, 0xa0, 0x00, 0x00, 0x08, 0x14, 0x1a, 0x33, 0x4c, 0xa0, 0x0c, 0xf5, 0x44,
    0x4d, 0xa8, 0x79, 0x22, 0x31, 0xd5, 0xf3, 0x91, 0x46, 0x8a, 0xc4, 0xf3, 0x92, 0xf9, 0x42, 0x2a,
    0xba, 0x9a, 0x01, 0xb5, 0x97, 0x8b, 0x76, 0x21, 0x6f, 0xf5, 0xf5, 0x02, 0x9e, 0xf8, 0xbb, 0x92,
    0x29, 0xc2, 0x84, 0x85, 0xfc, 0xb5, 0x6c, 0x70,
];
const ZSTD: &[u8] = &[
    0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x38, 0xc1, 0x01, 0x00, 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12,
    0x06, 0x0a, 0x01, 0x01, 0x12, 0x01, 0x01, 0x22, 0x08, 0x08, 0x01, 0x22, 0x04, 0x08, 0x01, 0x10,
    0x01, 0x2a, 0x06, 0x08, 0x01, 0x10, 0x03, 0x18, 0x03, 0x32, 0x00, 0x32, 0x07, 0x73, 0x61, 0x6d,
    0x70, 0x6c, 0x65, 0x73, 0x32, 0x05, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x32, 0x04, 0x6d, 0x61, 0x69,
    0x6e, 0xf3, 0xf0, 0x45, 0x42,
];

/// A run of the attacker's text longer than any message may quote.
const ECHOED: &str = "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";

pub fn silent_differences() -> Vec<Case> {
    let big = "Z".repeat(1 << 20);
    // -base X X on a profile holding MinInt64: pprof scales the base by
    // -1 through a float, which on amd64 gives MinInt64 again, and the two
    // add to 0 (go tool pprof -top -base X X prints 0 of 0 total).
    let min = encode(&one_function(
        ["space", "bytes", "main.a"],
        vec![wire::Sample {
            location_id: vec![1],
            value: vec![i64::MIN],
            label: Vec::new(),
        }],
    ));
    let zlib = {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&small_header()).unwrap();
        z.finish().unwrap()
    };
    let compressed = |name: &'static str, file: &str, bytes: Vec<u8>, what: &'static str| {
        Case::new(12, name)
            .file(file, bytes)
            .args(&["top", "{0}"])
            .refused(what)
    };
    let rows: String = (0..50)
        .map(|i| format!("2024-01-01T00:{i:02}:00Z,{}\n", 1000 + i))
        .collect();
    let same_time: String = (0..5_000)
        .map(|i| format!("2024-01-01T00:00:00Z,{}\n", 1000 + i))
        .collect();
    vec![
        Case::new(12, "base-min-int64")
            .file("min.pb", min)
            .args(&["top", "--base", "{0}", "{0}"])
            .stdout_contains("Showing nodes accounting for 0, 0% of 0 total")
            .stdout_lacks("-1B"),
        Case::new(12, "legacy-huge-rate")
            .file("heap.txt", HUGE_RATE_HEAP.as_bytes().to_vec())
            .args(&["top", "{0}"])
            .stdout_contains("Dropped 1 node")
            .stdout_lacks("8192PB")
            .page("view=top"),
        Case::new(12, "echo-legacy-line")
            .file(
                "heap.txt",
                format!("heap profile: 1: 1 [ 1: 1] @ heap/1048576\n1: {big} [1: 1] @ 0x1\n")
                    .into_bytes(),
            )
            .args(&["top", "{0}"])
            .refused("is not of the form"),
        Case::new(12, "echo-prometheus-error")
            .file(
                "q.json",
                format!(r#"{{"status":"error","errorType":"bad_data","error":"{big}"}}"#)
                    .into_bytes(),
            )
            .args(&["analyze", "{0}"])
            .refused("the Prometheus query failed"),
        Case::new(12, "echo-csv-cell")
            .file(
                "m.csv",
                format!("time,memory\n{rows}2024-01-01T01:00:00Z,{big}\n").into_bytes(),
            )
            .args(&["analyze", "{0}"])
            .stdout_contains("is not a number")
            .stdout_lacks(ECHOED),
        compressed("zlib-input", "p.pb.z", zlib, "zlib-compressed data"),
        compressed("xz-input", "p.pb.xz", XZ.to_vec(), "xz-compressed data"),
        compressed(
            "bzip2-input",
            "p.pb.bz2",
            BZIP2.to_vec(),
            "bzip2-compressed data",
        ),
        compressed(
            "zstd-input",
            "p.pb.zst",
            ZSTD.to_vec(),
            "zstd-compressed data",
        ),
        Case::new(12, "csv-control-byte")
            .file("m.csv", format!("time,mem\u{1}ory\n{rows}").into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("50 points"),
        Case::new(12, "csv-repeated-time")
            .file("m.csv", format!("time,memory\n{same_time}").into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("4999 rows repeat a time already read: merged"),
    ]
}

//! Decoding: string fan-out (family 1), decode amplification (family 2)
//! and silent differences (family 12).

use super::*;

pub fn cases() -> Vec<Case> {
    let mut cases = fan_out();
    cases.extend(amplification());
    cases
}

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

fn fan_out() -> Vec<Case> {
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
    prost::encoding::encode_key(
        tag,
        prost::encoding::WireType::LengthDelimited,
        &mut out,
    );
    prost::encoding::encode_varint(payload.len() as u64, &mut out);
    out.extend_from_slice(payload);
    out
}

/// `samples/count`, one location, one function `main`: what the
/// amplification cases add their samples to.
fn small_header() -> Vec<u8> {
    encode(&wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
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
        string_table: vec![
            Vec::new(),
            b"samples".to_vec(),
            b"count".to_vec(),
            b"main".to_vec(),
        ],
        ..Default::default()
    })
}

/// A sample of location 1, value 1, with `labels` empty labels
/// (`label {}`: two bytes each).
fn sample_with_empty_labels(labels: usize) -> Vec<u8> {
    let mut payload = vec![0x08, 0x01, 0x10, 0x01];
    payload.extend([0x1a, 0x00].repeat(labels));
    field(2, &payload)
}

fn amplification() -> Vec<Case> {
    // 60 MB of empty labels in one sample.
    let mut one = small_header();
    one.extend(sample_with_empty_labels(30_000_000));
    // 60 MB of empty labels, a different number in each sample (so
    // every sample's raw set is new).
    let mut sets = small_header();
    for i in 0..7_700 {
        sets.extend(sample_with_empty_labels(i));
    }
    // 60 MB of empty sample types (`sample_type {}`: two bytes each;
    // under the 64 MiB past which the gzip ratio is checked).
    let mut types = [0x0a, 0x00].repeat(30_000_000);
    types.extend(field(6, b""));
    vec![
        Case::new(2, "empty-labels")
            .file("f.pb.gz", gzip(&one))
            .args(&["top", "{0}"])
            .stdout_contains("main")
            .page("view=top"),
        Case::new(2, "empty-label-sets")
            .file("f.pb.gz", gzip(&sets))
            .args(&["top", "{0}"])
            .stdout_contains("main")
            .page("view=top"),
        Case::new(2, "many-sample-types")
            .file("f.pb.gz", gzip(&types))
            .args(&["top", "{0}"])
            .refused("sample types")
            .page("view=top"),
    ]
}

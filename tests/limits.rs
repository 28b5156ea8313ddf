//! Every resource limit of the readers: hit, it is an error of kind
//! `Limit` that names the limit and the CLI option that raises it; raised,
//! the same input loads.

use std::io::Write;

use leakscope::import::{read, ImportOptions, Input};
use leakscope::ErrorKind;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Hit with `tight`, fine with the defaults.
fn check(bytes: &[u8], tight: ImportOptions, option: &str) {
    let err = read(bytes, &tight).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit, "{}", err.message);
    assert!(err.message.contains(option), "{}", err.message);
    assert!(err.message.contains("raise the limit"), "{}", err.message);
    read(bytes, &ImportOptions::default()).unwrap_or_else(|e| panic!("{option}: {}", e.message));
}

/// A protobuf profile: `n` samples over `n` locations and functions.
fn profile(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut field = |tag: u64, body: Vec<u8>| {
        out.extend(varint(tag << 3 | 2));
        out.extend(varint(body.len() as u64));
        out.extend(body);
    };
    field(
        1,
        [varint(1 << 3), varint(1), varint(2 << 3), varint(2)].concat(),
    );
    for i in 1..=n {
        // sample { location_id: [i], value: [1] }
        field(2, [vec![0x0a, 1], varint(i), vec![0x12, 1, 1]].concat());
        // function { id: i, name: 3 }
        field(5, [vec![0x08], varint(i), vec![0x10, 3]].concat());
        // location { id: i, line { function_id: i } }
        let line = [vec![0x08], varint(i)].concat();
        field(
            4,
            [vec![0x08], varint(i), vec![0x22, line.len() as u8], line].concat(),
        );
    }
    for s in ["", "samples", "count", "main"] {
        field(6, s.as_bytes().to_vec());
    }
    out
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    out
}

#[test]
fn profile_counts() {
    let p = profile(100);
    match read(&p, &ImportOptions::default()).unwrap() {
        Input::Profile(p) => assert_eq!(p.samples.len(), 100),
        Input::Series(_) => panic!("a profile"),
    }
    let tight = |f: fn(&mut ImportOptions)| {
        let mut o = ImportOptions::default();
        f(&mut o);
        o
    };
    check(&p, tight(|o| o.max_samples = 99), "--max-samples");
    check(&p, tight(|o| o.max_locations = 50), "--max-locations");
    check(&p, tight(|o| o.max_strings = 3), "--max-strings");
}

#[test]
fn inflated_size_and_ratio() {
    // 80 MiB of newlines in ~80 kB: past the 64 MiB floor at ~1000×.
    let bomb = gzip(&vec![b'\n'; 80 << 20]);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let err = read(&bomb, &ImportOptions::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit);
    assert!(err.message.contains("--max-ratio"), "{}", err.message);
    let err = read(
        &bomb,
        &ImportOptions {
            max_inflated_bytes: 1 << 20,
            ..ImportOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.message.contains("--max-inflated-mb"), "{}", err.message);
}

#[test]
fn csv_columns_and_line_length() {
    let mut csv = String::from("\"Time\"");
    for i in 0..300 {
        csv.push_str(&format!(
            ",\"process_resident_memory_bytes{{instance=\"\"h{i}\"\"}}\""
        ));
    }
    csv.push('\n');
    for t in 0..5 {
        csv.push_str(&format!("{}", 1_700_000_000_000u64 + t * 15_000));
        for _ in 0..300 {
            csv.push_str(",1000");
        }
        csv.push('\n');
    }
    check(
        csv.as_bytes(),
        ImportOptions {
            max_csv_columns: 100,
            ..ImportOptions::default()
        },
        "--max-columns",
    );
    check(
        csv.as_bytes(),
        ImportOptions {
            max_line_bytes: 1000,
            ..ImportOptions::default()
        },
        "--max-line-kb",
    );
    let err = read(
        csv.as_bytes(),
        &ImportOptions {
            max_line_bytes: 1000,
            ..ImportOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.message.contains("line 1 "), "{}", err.message);
}

#[test]
fn json_nesting() {
    let deep = format!(
        "{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{{\"metric\":{{\"x\":{}1{}}},\"values\":[[1,\"1\"]]}}]}}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    let tight = ImportOptions {
        max_json_depth: 50,
        ..ImportOptions::default()
    };
    let err = read(deep.as_bytes(), &tight).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit, "{}", err.message);
    assert!(err.message.contains("--max-json-depth"), "{}", err.message);
    // The default (64) too, wherever the nesting is (serde_json alone
    // would skip an unknown field at any depth).
    let deeper = format!(
        "{{\"status\":\"success\",\"x\":{}{},\"data\":{{\"resultType\":\"matrix\",\"result\":[]}}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let err = read(deeper.as_bytes(), &ImportOptions::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit, "{}", err.message);
    // An escaped quote does not end a string.
    let escaped = "{\"status\":\"success\",\"x\":\"\\\"[[[[[[[[[[\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
    let ok = read(
        escaped.as_bytes(),
        &ImportOptions {
            max_json_depth: 3,
            ..ImportOptions::default()
        },
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
    // Brackets inside strings do not count.
    let fine = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"process_resident_memory_bytes\",\"x\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"},\"values\":[[1,\"1\"],[2,\"2\"]]}]}}";
    let err = read(
        fine.as_bytes(),
        &ImportOptions {
            max_json_depth: 6,
            ..ImportOptions::default()
        },
    );
    assert!(err.is_ok(), "{:?}", err.err());
}

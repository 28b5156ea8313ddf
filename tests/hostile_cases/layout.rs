//! Family 4: call-graph layout.

use super::*;

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // 4. Stacks that are random permutations of N functions keep ~N² edges
    //    through pprof's pruning; laying them all out took minutes.
    // The drawing keeps the heaviest calls and says how many it left out.
    for (name, n) in [("graph-permutations-40", 40), ("graph-permutations-80", 80)] {
        cases.push(
            Case::new(4, name)
                .file("perm.pb.gz", gzip(&encode(&permutations(n, 4 * n))))
                .args(&["svg", "{0}"])
                .stdout_contains("calls not drawn: the lightest")
                .page("view=graph"),
        );
    }
    // Every sample with a label set of its own: each node's tags (DOT's
    // nodelets) were found by comparing strings with all the node had.
    for (name, command) in [
        ("graph-distinct-label-sets-dot", "dot"),
        ("graph-distinct-label-sets-svg", "svg"),
    ] {
        cases.push(
            Case::new(4, name)
                .file("labels.pb.gz", gzip(&encode(&distinct_label_sets(100_000))))
                .args(&[command, "{0}"])
                .stdout_contains("main.handle"),
        );
    }
    cases.last_mut().unwrap().page = Some("view=graph");
    // `dot` is not laid out: pprof's text, fast.
    cases.push(
        Case::new(4, "graph-permutations-80-dot")
            .file("perm.pb.gz", gzip(&encode(&permutations(80, 320))))
            .args(&["dot", "{0}"])
            .stdout_contains("digraph"),
    );

    cases
}

/// A profile of `samples` samples of one stack (main.main → main.handle
/// → main.alloc), each with its own `request` label and `bytes` value.
fn distinct_label_sets(samples: usize) -> wire::Profile {
    let names = ["main.main", "main.handle", "main.alloc"];
    let mut strings: Vec<Vec<u8>> = ["", "alloc_space", "bytes", "request"]
        .iter()
        .chain(&names)
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let function = (0..3)
        .map(|i| wire::Function {
            id: i + 1,
            name: 4 + i as i64,
            ..Default::default()
        })
        .collect();
    let location = (0..3)
        .map(|i| wire::Location {
            id: i + 1,
            line: vec![wire::Line {
                function_id: i + 1,
                line: 1,
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    let sample = (0..samples)
        .map(|i| {
            strings.push(format!("r{i}").into_bytes());
            wire::Sample {
                location_id: vec![3, 2, 1],
                value: vec![1024],
                label: vec![
                    wire::Label {
                        key: 3,
                        str: strings.len() as i64 - 1,
                        ..Default::default()
                    },
                    wire::Label {
                        key: 2,
                        num: 8 * i as i64,
                        num_unit: 2,
                        ..Default::default()
                    },
                ],
            }
        })
        .collect();
    wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
        sample,
        location,
        function,
        string_table: strings,
        ..Default::default()
    }
}

/// A profile of `n` functions and `samples` stacks, each stack a random
/// permutation of all of them, each sample of the same value: every
/// function's cum is the total, and edges survive pprof's edge fraction.
fn permutations(n: usize, samples: usize) -> wire::Profile {
    let mut strings: Vec<Vec<u8>> = vec![b"".to_vec(), b"samples".to_vec(), b"count".to_vec()];
    let mut functions = Vec::new();
    let mut locations = Vec::new();
    for i in 0..n {
        strings.push(format!("main.function{i:03}").into_bytes());
        functions.push(wire::Function {
            id: i as u64 + 1,
            name: strings.len() as i64 - 1,
            ..Default::default()
        });
        locations.push(wire::Location {
            id: i as u64 + 1,
            line: vec![wire::Line {
                function_id: i as u64 + 1,
                line: 1,
                ..Default::default()
            }],
            ..Default::default()
        });
    }
    let mut rng = fastrand::Rng::with_seed(14);
    let sample = (0..samples)
        .map(|_| {
            let mut stack: Vec<u64> = (1..=n as u64).collect();
            rng.shuffle(&mut stack);
            wire::Sample {
                location_id: stack,
                value: vec![1],
                ..Default::default()
            }
        })
        .collect();
    wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
        sample,
        location: locations,
        function: functions,
        string_table: strings,
        ..Default::default()
    }
}

//! Families 9 (DOT injection), 10 (control characters) and 11 (`list`
//! reading any path a profile names): names crafted to escape their
//! string in `dot`, to break the SVG's XML or drive a terminal, and source
//! file names that are devices, kernel files or outside `--source-dir`.

use super::*;

/// A name that ends its DOT string and adds a link attribute (no `/`:
/// the DOT writer keeps only a path's base name).
pub const DOT_URL: &str = "evil.go\" URL=\"javascript:alert(1)\" target=\"_blank";
/// What `DOT_URL` adds when it is written raw.
pub const DOT_URL_INJECTED: &str = "URL=\"javascript:alert(1)\"";
/// A name that ends its node and adds one of its own on a new line.
pub const DOT_NODE: &str = "evil.go\"]\nINJECTED [label=\"pwned\"]\nN1 [x=\"";
/// What `DOT_NODE` adds when it is written raw.
pub const DOT_NODE_INJECTED: &str = "\nINJECTED [";
/// Names with the controls XML forbids and a terminal obeys.
pub const CONTROL_NAMES: [&str; 4] = [
    "main.soh\u{1}name",
    "main.esc\u{1b}[2J\u{1b}]0;pwned\u{7}",
    "main.nul\0name\rcr",
    "main.nonchar\u{fffe}\u{ffff}",
];

/// One frame of a crafted profile: function name, file name, line.
pub struct Frame<'a> {
    pub function: &'a str,
    pub file: &'a str,
    pub line: i64,
}

/// A heap profile (inuse_space) of one sample per stack, 1 MiB each;
/// every location in one mapping named `mapping`, and the samples labelled
/// `label` (key `handler`) when it is given. Stacks are leaf first.
pub fn profile(stacks: &[Vec<Frame>], mapping: &str, label: Option<&str>) -> Vec<u8> {
    let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
    let mut intern = |s: &str| -> i64 {
        match strings.iter().position(|t| t == s.as_bytes()) {
            Some(i) => i as i64,
            None => {
                strings.push(s.as_bytes().to_vec());
                strings.len() as i64 - 1
            }
        }
    };
    let sample_type = vec![wire::ValueType {
        r#type: intern("inuse_space"),
        unit: intern("bytes"),
    }];
    let mapping = wire::Mapping {
        id: 1,
        memory_start: 0x1000,
        memory_limit: 0x100000,
        filename: intern(mapping),
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
        ..Default::default()
    };
    let label = label.map(|l| wire::Label {
        key: intern("handler"),
        str: intern(l),
        ..Default::default()
    });
    let (mut functions, mut locations, mut samples) = (Vec::new(), Vec::new(), Vec::new());
    for stack in stacks {
        let mut ids = Vec::new();
        for f in stack {
            let id = functions.len() as u64 + 1;
            functions.push(wire::Function {
                id,
                name: intern(f.function),
                system_name: intern(f.function),
                filename: intern(f.file),
                start_line: 1,
            });
            locations.push(wire::Location {
                id,
                mapping_id: 1,
                address: 0x1000 + 0x10 * id,
                line: vec![wire::Line {
                    function_id: id,
                    line: f.line,
                    column: 0,
                }],
                is_folded: false,
            });
            ids.push(id);
        }
        samples.push(wire::Sample {
            location_id: ids,
            value: vec![1 << 20],
            label: label.iter().cloned().collect(),
        });
    }
    encode(&wire::Profile {
        sample_type,
        sample: samples,
        mapping: vec![mapping],
        location: locations,
        function: functions,
        string_table: strings,
        ..Default::default()
    })
}

/// Two stacks, `main.main` → `main.leak` and `main.main` → `main.other`,
/// with `file` as the leaf's file.
fn one_file(file: &str) -> Vec<u8> {
    let root = || Frame {
        function: "main.main",
        file: "main.go",
        line: 3,
    };
    let stacks = vec![
        vec![
            Frame {
                function: "main.leak",
                file,
                line: 12,
            },
            root(),
        ],
        vec![
            Frame {
                function: "main.other",
                file: "main.go",
                line: 20,
            },
            root(),
        ],
    ];
    profile(&stacks, "leaksvc", None)
}

/// Stacks of `main.main` → each of `CONTROL_NAMES`.
pub fn control_names() -> Vec<u8> {
    let stacks: Vec<Vec<Frame>> = CONTROL_NAMES
        .iter()
        .map(|name| {
            vec![
                Frame {
                    function: name,
                    file: "main\u{1b}[31m.go",
                    line: 7,
                },
                Frame {
                    function: "main.main",
                    file: "main.go",
                    line: 3,
                },
            ]
        })
        .collect();
    profile(&stacks, "leak\u{1}svc", Some("\u{1b}]0;title\u{7}"))
}

pub fn dot_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, granularity) in [
        ("dot-file-url-files", "files"),
        ("dot-file-url-lines", "lines"),
        ("dot-file-url-addresses", "addresses"),
        ("dot-file-url-filefunctions", "filefunctions"),
    ] {
        cases.push(
            Case::new(9, name)
                .file("evil.pb", one_file(DOT_URL))
                .args(&["dot", "--granularity", granularity, "{0}"])
                .stdout_contains("digraph")
                .stdout_lacks(DOT_URL_INJECTED),
        );
    }
    cases.push(
        Case::new(9, "dot-file-node-lines")
            .file("evil.pb", one_file(DOT_NODE))
            .args(&["dot", "--granularity", "lines", "{0}"])
            .stdout_contains("digraph")
            .stdout_lacks(DOT_NODE_INJECTED),
    );
    // The mapping's name is the graph's title (and, with no function or
    // file, a node's `[name]`).
    let stacks = vec![vec![Frame {
        function: "main.leak",
        file: "main.go",
        line: 12,
    }]];
    cases.push(
        Case::new(9, "dot-mapping-url")
            .file("evil.pb", profile(&stacks, DOT_URL, None))
            .args(&["dot", "{0}"])
            .stdout_contains("digraph")
            .stdout_lacks(DOT_URL_INJECTED),
    );
    let stacks = vec![vec![Frame {
        function: "",
        file: "",
        line: 0,
    }]];
    cases.push(
        Case::new(9, "dot-mapping-node-addresses")
            .file("evil.pb", profile(&stacks, DOT_NODE, None))
            .args(&["dot", "--granularity", "addresses", "{0}"])
            .stdout_contains("digraph")
            .stdout_lacks(DOT_NODE_INJECTED),
    );
    // A label's value is a nodelet's label.
    cases.push(
        Case::new(9, "dot-label-url")
            .file("evil.pb", profile(&stacks, "leaksvc", Some(DOT_URL)))
            .args(&["dot", "{0}"])
            .stdout_contains("digraph")
            .stdout_lacks(DOT_URL_INJECTED),
    );
    cases
}

pub fn control_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // Every forbidden character in both SVGs; the page's views of them too
    // (its Download SVG is the same core SVG).
    let svg = [
        ("svg-control-soh", "\u{1}"),
        ("svg-control-esc", "\u{1b}"),
        ("svg-control-nul", "\0"),
        ("svg-control-fffe", "\u{fffe}"),
    ];
    for (name, lacks) in svg {
        cases.push(
            Case::new(10, name)
                .file("names.pb", control_names())
                .args(&["svg", "{0}"])
                .stdout_contains("</svg>")
                .stdout_lacks(lacks)
                .page("view=graph"),
        );
    }
    let flame = [
        ("flame-control-soh", "\u{1}"),
        ("flame-control-esc", "\u{1b}"),
        ("flame-control-nul", "\0"),
        ("flame-control-fffe", "\u{fffe}"),
    ];
    for (name, lacks) in flame {
        cases.push(
            Case::new(10, name)
                .file("names.pb", control_names())
                .args(&["flame", "{0}"])
                .stdout_contains("</svg>")
                .stdout_lacks(lacks)
                .page("view=flame"),
        );
    }
    // Piped (as here), the text reports keep pprof's bytes; on a terminal
    // they are spelled out (tests/svg_wellformed.rs runs them on a pty).
    for (name, command) in [
        ("top-control-piped", "top"),
        ("traces-control-piped", "traces"),
        ("raw-control-piped", "raw"),
    ] {
        cases.push(
            Case::new(10, name)
                .file("names.pb", control_names())
                .args(&[command, "{0}"])
                .stdout_contains("\u{1b}[2J"),
        );
    }
    cases
}

/// A profile whose one function lives in `file`.
pub fn source_at(file: &str) -> Vec<u8> {
    let stacks = vec![vec![
        Frame {
            function: "main.leak",
            file,
            line: 2,
        },
        Frame {
            function: "main.main",
            file: "main.go",
            line: 3,
        },
    ]];
    profile(&stacks, "leaksvc", None)
}

/// `n` functions `main.f0`… of `big.go`, one a line.
pub fn shared_source(n: usize) -> Vec<u8> {
    let names: Vec<String> = (0..n).map(|i| format!("main.f{i}")).collect();
    let stacks: Vec<Vec<Frame>> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            vec![Frame {
                function: name,
                file: "big.go",
                line: i as i64 + 1,
            }]
        })
        .collect();
    profile(&stacks, "leaksvc", None)
}

pub fn list_cases() -> Vec<Case> {
    vec![
        // Once read to the memory cap (and a 2 GiB address space).
        Case::new(11, "list-dev-zero")
            .file("zero.pb", source_at("/dev/zero"))
            .args(&["list", "main.leak", "{0}"])
            .note("/dev/zero listed without source")
            .stdout_contains("main.leak"),
        // Once printed the environment.
        Case::new(11, "list-proc-environ")
            .file("environ.pb", source_at("/proc/self/environ"))
            .args(&["list", "main.leak", "{0}"])
            .note("/proc/self/environ listed without source")
            .stdout_lacks("PATH="),
        // Absolute, outside the source directory.
        Case::new(11, "list-outside-source-dir")
            .file("passwd.pb", source_at("/etc/passwd"))
            .file("main.go", b"package main\n".to_vec())
            .args(&["list", "main.leak", "--source-dir", "{dir}", "{0}"])
            .note("outside --source-dir")
            .stdout_lacks("root:"),
        // Relative: pprof's walk up the source directory's parents reaches
        // /etc/passwd; the walk stays under the directory.
        Case::new(11, "list-relative-above-source-dir")
            .file("passwd.pb", source_at("etc/passwd"))
            .args(&["list", "main.leak", "--source-dir", "{dir}", "{0}"])
            .note("outside --source-dir")
            .stdout_lacks("root:"),
        Case::new(11, "list-dotdot-source-dir")
            .file(
                "passwd.pb",
                source_at("../../../../../../../../../../etc/passwd"),
            )
            .args(&["list", "main.leak", "--source-dir", "{dir}", "{0}"])
            .note("outside --source-dir")
            .stdout_lacks("root:"),
        // 2,000 functions of one 8 MiB file of one-character lines: a copy
        // of the file per function was 4 Mi strings (~100 MiB) each, 200 GB
        // in all; the file is read once for the listing and each function
        // shows only its own lines.
        Case::new(11, "list-shared-big-source")
            .file("shared.pb", shared_source(2000))
            .file("big.go", "x\n".repeat(4 << 20).into_bytes())
            .args(&["list", "main.f", "--source-dir", "{dir}", "{0}"])
            .stdout_contains("ROUTINE ======================== main.f1999 in "),
        // A file inside is still read.
        Case::new(11, "list-inside-source-dir")
            .file("main.pb", source_at("main.go"))
            .file("main.go", b"package main\nvar leaked [][]byte\n".to_vec())
            .args(&["list", "main.leak", "--source-dir", "{dir}", "{0}"])
            .stdout_contains("var leaked"),
    ]
}

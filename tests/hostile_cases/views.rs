//! The views' hostile inputs: flame graphs of deep stacks (family 3),
//! regexes from the file or the link (6), `list` of many functions (7).

use super::*;

/// A string made `&'static` for a case's page parameters (the tests' own
/// few, built once a run).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Percent-encodes a value for a link's parameters (`URLSearchParams`
/// reads `+` as a space, and `&` and `#` would end it).
fn encode_param(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A heap-like profile (`inuse_space`, bytes) from named functions (each
/// with one location, ids from 1) and samples of (stack of function
/// indices, leaf first; value).
fn profile(names: &[String], samples: Vec<(Vec<u64>, i64)>) -> wire::Profile {
    let mut strings: Vec<Vec<u8>> = vec![Vec::new(), b"inuse_space".to_vec(), b"bytes".to_vec()];
    strings.extend(names.iter().map(|n| n.as_bytes().to_vec()));
    strings.push(b"main.go".to_vec());
    let file = strings.len() as i64 - 1;
    wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
        sample: samples
            .into_iter()
            .map(|(stack, value)| wire::Sample {
                location_id: stack.into_iter().map(|i| i + 1).collect(),
                value: vec![value],
                ..Default::default()
            })
            .collect(),
        location: (0..names.len() as u64)
            .map(|i| wire::Location {
                id: i + 1,
                line: vec![wire::Line {
                    function_id: i + 1,
                    line: 10 + i as i64,
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect(),
        function: (0..names.len() as u64)
            .map(|i| wire::Function {
                id: i + 1,
                name: 3 + i as i64,
                system_name: 3 + i as i64,
                filename: file,
                start_line: 10 + i as i64,
            })
            .collect(),
        string_table: strings,
        ..Default::default()
    }
}

/// One sample whose stack is `depth` calls of one self-recursive function
/// (10M frames gzip to 10 kB).
fn recursion(depth: usize) -> Vec<u8> {
    let names = ["main.recurse".to_string()];
    gzip(&encode(&profile(&names, vec![(vec![0; depth], 4096)])))
}

/// Family 3: flame graphs of deep stacks. A 10M-frame stack once aborted
/// `flame` at 2.9 GB and a 1M-frame one wrote a 220 MB SVG; the page ran
/// out of memory cloning the frames. Drawn now to a depth cap, with a
/// note; a zoom path (`fz=`) of 100,000 names once cost 100 s.
pub fn deep_stacks() -> Vec<Case> {
    let fz = leak(format!(
        "view=flame&{}",
        vec!["fz=main.recurse"; 100_000].join("&")
    ));
    vec![
        Case::new(3, "flame-10m-frames")
            .file("deep.pb.gz", recursion(10_000_000))
            .args(&["flame", "{0}"])
            .note("stacks go 9999000 levels deeper than the 1000 drawn")
            // Bounded: the depth cap's 1,001 rows (18 px each), not ten
            // million.
            .stdout_contains(r#"height="18048""#)
            .page("view=flame"),
        Case::new(3, "flame-1m-frames")
            .file("deep.pb.gz", recursion(1_000_000))
            .args(&["flame", "{0}"])
            .note("stacks go 999000 levels deeper than the 1000 drawn")
            .stdout_contains(r#"height="18048""#)
            .page("view=flame"),
        Case::new(3, "flame-1m-frames-callers")
            .file("deep.pb.gz", recursion(1_000_000))
            .args(&["top", "{0}"])
            .stdout_contains("main.recurse")
            .page("view=callers&fn=main.recurse"),
        // The zoom path is the page's only; the CLI reads the same file.
        Case::new(3, "flame-zoom-path-100k")
            .file("deep.pb.gz", recursion(200_000))
            .args(&["top", "{0}"])
            .stdout_contains("main.recurse")
            .page(fz)
            .page_says("the zoom path is deeper than the 1000 levels a flame graph draws"),
    ]
}

/// A pattern whose matching once took 69 s on 2,000 long names: Unicode
/// `\w` (~45 kB compiled) repeated a hundred times. With pprof's (Go's)
/// ASCII `\w` it is small and quick.
const SLOW_REGEX: &str = r".*(\w|\d|[a-z]){100}x.*";

/// Still too large to compile under the size limit: refused at once.
const HUGE_REGEX: &str = r"(.{100}){100}x";

/// Small enough to compile, too costly on 2,000 names of 1,000
/// characters (its states times their bytes): refused at once.
const COSTLY_REGEX: &str = r".{500}x";

/// 2,000 functions of 1,000-character names, one sample each.
fn long_names(drop_frames: Option<&str>) -> Vec<u8> {
    let names: Vec<String> = (0..2000)
        .map(|i| format!("{}{i:04}", "a".repeat(996)))
        .collect();
    let samples = (0..2000u64).map(|i| (vec![i], 1024)).collect();
    let mut p = profile(&names, samples);
    if let Some(re) = drop_frames {
        p.string_table.push(re.as_bytes().to_vec());
        p.drop_frames = p.string_table.len() as i64 - 1;
    }
    gzip(&encode(&p))
}

/// Family 6: regexes from the file (`drop_frames`), the link (`f=`, `q=`)
/// or the command line (`--focus`, `list`), matched against long names.
pub fn regexes() -> Vec<Case> {
    let focus = leak(format!("view=top&f={}", encode_param(SLOW_REGEX)));
    let huge = leak(format!("view=top&f={}", encode_param(HUGE_REGEX)));
    let search = leak(format!("view=flame&q={}", encode_param(SLOW_REGEX)));
    vec![
        Case::new(6, "regex-drop-frames")
            .file("drop.pb.gz", long_names(Some(SLOW_REGEX)))
            .args(&["top", "{0}"])
            .stdout_contains("of 1.95MB total")
            .page("view=top"),
        Case::new(6, "regex-drop-frames-costly")
            .file("drop.pb.gz", long_names(Some(COSTLY_REGEX)))
            .args(&["top", "{0}"])
            .refused("drop_frames regexp \".{500}x\" is too costly")
            .page("view=top"),
        Case::new(6, "regex-focus")
            .file("names.pb.gz", long_names(None))
            .args(&["top", "--focus", SLOW_REGEX, "{0}"])
            .page(focus),
        Case::new(6, "regex-focus-too-complex")
            .file("names.pb.gz", long_names(None))
            .args(&["top", "--focus", HUGE_REGEX, "{0}"])
            .refused("is too complex")
            .page(huge),
        Case::new(6, "regex-ignore-costly")
            .file("names.pb.gz", long_names(None))
            .args(&["top", "--ignore", COSTLY_REGEX, "{0}"])
            .refused("ignore regexp \".{500}x\" is too costly"),
        Case::new(6, "regex-list")
            .file("names.pb.gz", long_names(None))
            .args(&["list", SLOW_REGEX, "{0}"])
            .refused("no matches found"),
        Case::new(6, "regex-flame-search")
            .file("names.pb.gz", long_names(None))
            .args(&["flame", "{0}"])
            .stdout_contains("</svg>")
            .page(search),
    ]
}

/// `n` functions, each a leaf under `main.main` with its own line and a
/// sample of its own.
fn functions(n: usize) -> Vec<u8> {
    let mut names: Vec<String> = vec!["main.main".to_string()];
    names.extend((0..n).map(|i| format!("pkg{}.f{i:06}", i % 97)));
    let samples = (1..=n as u64).map(|i| (vec![i, 0], i as i64)).collect();
    gzip(&encode(&profile(&names, samples)))
}

/// Family 7: `list` of every function once took > 30 s for 200k
/// functions of one source file (read again for each function); the
/// page's Source view froze 7 s on `list=.`.
pub fn many_functions() -> Vec<Case> {
    let n = 200_000;
    let source: String = (1..=n + 20)
        .map(|i| format!("\tx{i} := work({i}) // line {i}\n"))
        .collect();
    vec![Case::new(7, "list-200k-functions")
        .file("many.pb.gz", functions(n))
        .file("main.go", source.into_bytes())
        .args(&["list", ".", "{0}", "--source-dir", "{dir}"])
        .stdout_contains("pkg78.f199995")
        .page("view=list&list=.")]
}

//! Hostile inputs, made by generators (nothing big is stored): tiny
//! crafted files and arguments that once aborted, hung or ballooned the
//! CLI or the tab (issue 14's families). `tests/hostile.rs` runs each case
//! through the CLI and checks its exit status and message;
//! `benches/hostile.rs` measures its time and peak memory; the page's
//! suite (`tests/e2e/hostile_links.mjs`) opens the cases that name a view
//! (`Case::page`) as links, written by `examples/hostile_cases.rs`.
//!
//! Each area keeps its generators in its own file.

#![allow(dead_code)]

pub mod decode;
pub mod escape;
pub mod layout;
pub mod series;
pub mod views;

use std::io::Write;

/// One hostile input and what the CLI must do with it.
pub struct Case {
    /// The family's number in issue 14 (1 string fan-out … 12 silent differences).
    pub family: u8,
    /// A short unique name (a file name: letters, digits, `-`).
    pub name: &'static str,
    /// The files, written to a fresh directory under these names.
    pub files: Vec<(String, Vec<u8>)>,
    /// The CLI's arguments; `{0}`, `{1}`… are replaced by the files' paths
    /// and `{dir}` by the directory holding them.
    pub args: Vec<String>,
    /// The exit status the CLI must end with (0, or 1 for a refusal).
    pub exit: i32,
    /// Text that must appear on one line of stderr (a refusal's message,
    /// or a note saying what was left out); `None` asks for nothing.
    pub message: Option<&'static str>,
    /// Texts stdout must contain (each `stdout_contains` adds one).
    pub stdout_contains: Vec<&'static str>,
    /// Text stdout must not contain, if any (an injected node, a raw ESC…).
    pub stdout_lacks: Option<&'static str>,
    /// The page's view for this input, as the link's parameters after the
    /// data (`view=flame`, `view=graph`, `view=top&f=…`), or `None` when the
    /// case is the CLI's only.
    pub page: Option<&'static str>,
    /// Text the page must show for this link (its view or its error), if any.
    pub page_says: Option<&'static str>,
}

impl Case {
    pub fn new(family: u8, name: &'static str) -> Case {
        Case {
            family,
            name,
            files: Vec::new(),
            args: Vec::new(),
            exit: 0,
            message: None,
            stdout_contains: Vec::new(),
            stdout_lacks: None,
            page: None,
            page_says: None,
        }
    }
    pub fn file(mut self, name: &str, bytes: Vec<u8>) -> Case {
        self.files.push((name.to_string(), bytes));
        self
    }
    pub fn args(mut self, args: &[&str]) -> Case {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }
    pub fn refused(mut self, message: &'static str) -> Case {
        self.exit = 1;
        self.message = Some(message);
        self
    }
    pub fn note(mut self, message: &'static str) -> Case {
        self.message = Some(message);
        self
    }
    pub fn stdout_contains(mut self, text: &'static str) -> Case {
        self.stdout_contains.push(text);
        self
    }
    pub fn stdout_lacks(mut self, text: &'static str) -> Case {
        self.stdout_lacks = Some(text);
        self
    }
    pub fn page(mut self, params: &'static str) -> Case {
        self.page = Some(params);
        self
    }
    pub fn page_says(mut self, text: &'static str) -> Case {
        self.page_says = Some(text);
        self
    }
}

/// Writes the case's files into `dir` and returns its arguments, with
/// `{0}`, `{1}`… and `{dir}` replaced by the paths.
pub fn prepare(case: &Case, dir: &std::path::Path) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    let paths: Vec<String> = case
        .files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            path.display().to_string()
        })
        .collect();
    case.args
        .iter()
        .map(|arg| {
            let mut arg = arg.replace("{dir}", &dir.display().to_string());
            for (i, path) in paths.iter().enumerate() {
                arg = arg.replace(&format!("{{{i}}}"), path);
            }
            arg
        })
        .collect()
}

/// What makes a family's cases.
type Generator = fn() -> Vec<Case>;

/// Each family's generators, in family order (family 8, `#url=`
/// downloads, is the page's only): one table, so that `family(n)` and
/// `all()` (the bench, the page's links) cannot disagree on which exist.
pub const FAMILIES: [(u8, Generator); 11] = [
    (1, decode::fan_out),
    (2, decode::amplification),
    (3, views::deep_stacks),
    (4, layout::cases),
    (5, series::cases),
    (6, views::regexes),
    (7, views::many_functions),
    (9, escape::dot_cases),
    (10, escape::control_cases),
    (11, escape::list_cases),
    (12, decode::silent_differences),
];

/// The cases of one family. Only that family's generators run: some make
/// tens of megabytes, slow in a debug build, and each family's test
/// should pay for its own.
pub fn family(n: u8) -> Vec<Case> {
    let (_, generate) = FAMILIES
        .iter()
        .find(|(f, _)| *f == n)
        .unwrap_or_else(|| panic!("no family {n}"));
    let cases = generate();
    assert!(
        cases.iter().all(|c| c.family == n),
        "family {n}'s generators"
    );
    cases
}

/// Every case, in family order.
pub fn all() -> Vec<Case> {
    FAMILIES.iter().flat_map(|(n, _)| family(*n)).collect()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// profile.proto's messages, as the decoder reads them.
pub use leakscope::import::pprof::wire;

/// Encodes a wire profile (`prost::Message::encode_to_vec`).
pub fn encode(profile: &wire::Profile) -> Vec<u8> {
    prost::Message::encode_to_vec(profile)
}

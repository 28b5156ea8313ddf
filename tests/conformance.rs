//! Conformance with `go tool pprof` on every profile of the shared corpus:
//! each oracle file there is pprof's output for a profile and options; our
//! output for the same must equal it line for line (header included).

mod common;

use std::path::{Path, PathBuf};

use leakscope::analysis::filter;
use leakscope::analysis::list::{self, SourceFiles};
use leakscope::analysis::options::{Filters, Granularity, ReportOptions};
use leakscope::analysis::source::DiffMode;
use leakscope::analysis::{top, traces};
use leakscope::import::{read_profile, ImportOptions};
use leakscope::render;
use regex::Regex;

/// What an oracle file asks for.
#[derive(Debug)]
enum Check {
    Top {
        profile: PathBuf,
        base: Option<(PathBuf, DiffMode)>,
        options: ReportOptions,
    },
    List {
        profile: PathBuf,
        regex: String,
        options: ReportOptions,
        source_dir: PathBuf,
    },
    Raw {
        profile: PathBuf,
    },
    Traces {
        profile: PathBuf,
    },
}

/// The corpus's folders of profiles with pprof's outputs (its
/// `realworld/` holds logs and metrics, not profiles).
const PROFILE_FOLDERS: &[&str] = &["blog", "demo", "pprof", "external"];

/// Every file of the corpus's profile folders.
fn all_files(corpus: &Path, out: &mut Vec<PathBuf>) {
    for folder in PROFILE_FOLDERS {
        let dir = corpus.join(folder);
        if dir.is_dir() {
            common::walk(&dir, out);
        }
    }
}

/// Whether a file is itself a profile that pprof was run on (a `debug=1`
/// text profile is a `.txt`): pprof's outputs or errors are beside it.
fn is_profile_input(path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return false;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let other = e.file_name();
        let other = other.to_string_lossy();
        other.starts_with(&format!("{name}.exact."))
            || *other == format!("{name}.error.txt")
            || *other == format!("{name}.go123.error.txt")
    })
}

fn is_oracle(name: &str) -> bool {
    name.ends_with(".txt")
        || name.ends_with(".txt.gz")
        || name.ends_with(".string")
        || name.ends_with(".md")
        || name.ends_with(".json")
        || name.ends_with(".dot")
        || name.ends_with(".csv")
        || name.ends_with(".go")
}

/// The profile an oracle's stem names: the stem itself, or it with the
/// extension the corpus uses (`heap-js` → `heap-js.pprof`).
fn profile_for(dir: &Path, stem: &str) -> Option<PathBuf> {
    ["", ".pprof", ".pb.gz"]
        .iter()
        .map(|ext| dir.join(format!("{stem}{ext}")))
        .find(|p| p.is_file())
}

fn exact(sample_index: &str, unit: &str) -> ReportOptions {
    ReportOptions {
        sample_index: sample_index.to_string(),
        unit: unit.to_string(),
        ..ReportOptions::exact()
    }
}

fn pruned(sample_index: &str) -> ReportOptions {
    ReportOptions {
        sample_index: sample_index.to_string(),
        ..ReportOptions::default()
    }
}

fn mode(s: &str) -> DiffMode {
    if s == "base" {
        DiffMode::Base
    } else {
        DiffMode::DiffBase
    }
}

/// The `-unit` the exact oracles were made with: the sample type's own
/// unit, except, in the corpus's first folders, for a type the profile
/// names as its `default_sample_type`, whose oracle was made without
/// `-unit` (pprof's `minimum`). (That is how the corpus's oracle scripts
/// behaved; `external/`'s always passed the unit. pprof itself is checked
/// either way.)
fn unit_of(profile: &Path, index: &str) -> String {
    let p = common::read(profile);
    let i = p.sample_type_index(index).unwrap();
    let external = profile.components().any(|c| c.as_os_str() == "external");
    if p.sample_types[i].name == p.default_sample_type && !external {
        return "minimum".to_string();
    }
    p.sample_types[i].unit.clone()
}

/// The oracles were captured as text with universal newlines: a `\r` in a
/// name became a line break. Compare both sides that way.
fn universal_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Works out, from an oracle's name, which report it is (see the corpus README).
fn classify(oracle: &Path) -> Option<Check> {
    let dir = oracle.parent()?;
    // Go 1.23's pprof wrote `P.exact.<i>_<type>.go123.top.txt` beside Go
    // 1.19's: the same report (they agree byte for byte on every file).
    let name = &oracle
        .file_name()?
        .to_str()?
        .replace(".go123.top.txt", ".top.txt");
    let re = |p: &str| Regex::new(p).unwrap();
    if let Some(c) =
        re(r"^(.+)\.exact\.(base|diff_base)-(.+)\.(\d+)_([^.]+)\.top\.txt(\.gz)?$").captures(name)
    {
        let profile = profile_for(dir, &c[1])?;
        let base = profile_for(dir, &c[3])?;
        let unit = unit_of(&profile, &c[4]);
        return Some(Check::Top {
            profile,
            base: Some((base, mode(&c[2]))),
            options: exact(&c[4], &unit),
        });
    }
    if let Some(c) = re(r"^(.+)\.exact\.(\d+)_([^.]+)\.top\.txt(\.gz)?$").captures(name) {
        let profile = profile_for(dir, &c[1])?;
        let unit = unit_of(&profile, &c[2]);
        return Some(Check::Top {
            profile,
            base: None,
            options: exact(&c[2], &unit),
        });
    }
    if let Some(c) = re(r"^diff\.(.+)-vs-(.+)\.(base|diff_base)\.top\.(\w+)\.txt$").captures(name) {
        return Some(Check::Top {
            profile: profile_for(dir, &c[1])?,
            base: Some((profile_for(dir, &c[2])?, mode(&c[3]))),
            options: pruned(&c[4]),
        });
    }
    if name == "diff.0-3.top.txt" {
        return Some(Check::Top {
            profile: profile_for(dir, "heap.3")?,
            base: Some((profile_for(dir, "heap.0")?, DiffMode::Base)),
            options: pruned(""),
        });
    }
    if let Some(c) = re(r"^(.+)\.list\.(\w+)\.(\w+)\.txt$").captures(name) {
        return Some(Check::List {
            profile: profile_for(dir, &c[1])?,
            regex: c[2].to_string(),
            options: ReportOptions {
                sample_index: c[3].to_string(),
                ..ReportOptions::default()
            },
            source_dir: dir.join("source"),
        });
    }
    if let Some(c) = re(r"^(.+)\.lines\.top(?:\.(\w+))?\.txt$").captures(name) {
        return Some(Check::Top {
            profile: profile_for(dir, &c[1])?,
            base: None,
            options: ReportOptions {
                granularity: Granularity::Lines,
                ..pruned(c.get(2).map_or("", |m| m.as_str()))
            },
        });
    }
    if let Some(c) = re(r"^(.+)\.top\.(\w+)\.txt$").captures(name) {
        return Some(Check::Top {
            profile: profile_for(dir, &c[1])?,
            base: None,
            options: pruned(&c[2]),
        });
    }
    // blog: heap.3.inuse_space.top.txt, heap.0.top.txt
    if let Some(c) = re(r"^(heap\.\d)(?:\.(\w+))?\.top\.txt$").captures(name) {
        return Some(Check::Top {
            profile: profile_for(dir, &c[1])?,
            base: None,
            options: pruned(c.get(2).map_or("", |m| m.as_str())),
        });
    }
    if let Some(c) = re(r"^(.+)\.traces\.txt$").captures(name) {
        return Some(Check::Traces {
            profile: profile_for(dir, &c[1])?,
        });
    }
    if let Some(c) = re(r"^(.+)\.raw\.txt(\.gz)?$").captures(name) {
        return Some(Check::Raw {
            profile: profile_for(dir, &c[1])?,
        });
    }
    None
}

struct Dir(PathBuf);

impl SourceFiles for Dir {
    fn lines(&self, file: &str) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.0.join(file)).ok()?;
        Some(text.lines().map(str::to_string).collect())
    }
}

fn run(check: &Check) -> String {
    match check {
        Check::Top {
            profile,
            base,
            options,
        } => {
            let p = common::prepared(profile, base.as_ref().map(|(b, m)| (b.as_path(), *m)));
            render::text::top(&top::top(&p, options).unwrap())
        }
        Check::List {
            profile,
            regex,
            options,
            source_dir,
        } => {
            let p = common::prepared(profile, None);
            let mut options = options.clone();
            options.source_path = source_dir.display().to_string();
            render::text::list(&list::list(&p, regex, &options, &Dir(source_dir.clone())).unwrap())
        }
        Check::Traces { profile } => {
            let p = common::prepared(profile, None);
            render::text::traces(&traces::traces(&p, &ReportOptions::default()).unwrap())
        }
        Check::Raw { profile } => {
            let p = common::prepared(profile, None);
            render::raw::raw(&filter::apply(&p, &Filters::default()).unwrap())
        }
    }
}

/// Files pprof rejects that we read on purpose, and why.
const READ_ON_PURPOSE: &[(&str, &str)] = &[
    (
        "1.net.http.pprof.goroutine.debug2.txt",
        "a goroutine dump (/debug/pprof/goroutine?debug=2): read as a goroutine profile, with each goroutine's state and wait",
    ),
    (
        "2.runtime.stack.txt",
        "runtime.Stack(buf, true) output: the same goroutine dump format",
    ),
];

/// Oracles we knowingly do not reproduce, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

/// Go `debug=1` text profiles whose `#` comment lines name their frames:
/// we name them (an extension: see `import::legacy`), pprof shows
/// `<unknown>`. Their reports then differ in names and rows, so only the
/// header and the total are compared: the numbers are pprof's.
const NAMED_FROM_COMMENTS: &[&str] = &[
    "1.net.http.pprof.goroutine.debug1.txt",
    "1.pprof.lookup.goroutine.debug1.txt",
    "2.net.http.pprof.goroutine.debug1.txt",
    "2.pprof.lookup.goroutine.debug1.txt",
];

/// The lines of a top report up to its "Showing nodes…" line (the header
/// and the total).
fn header(report: &str) -> String {
    let mut out = Vec::new();
    for line in report.lines() {
        out.push(line);
        if line.starts_with("Showing nodes accounting for") {
            break;
        }
    }
    out.join("\n")
}

#[test]
fn every_oracle_in_the_corpus_matches() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut files = Vec::new();
    all_files(&corpus, &mut files);
    files.sort();
    let (mut checked, mut failures) = (0, Vec::new());
    let mut unclassified = Vec::new();
    let mut empty = Vec::new();
    for oracle in &files {
        let name = oracle.file_name().unwrap().to_str().unwrap();
        if !(name.ends_with(".txt") || name.ends_with(".txt.gz"))
            || name.ends_with(".error.txt")
            || is_profile_input(oracle)
        {
            continue;
        }
        if std::fs::metadata(oracle).unwrap().len() == 0 {
            // An empty file is no oracle (the corpus has one: blog/heap.3.lines.top.txt).
            empty.push(name.to_string());
            continue;
        }
        let Some(check) = classify(oracle) else {
            unclassified.push(name.to_string());
            continue;
        };
        let rel = oracle.strip_prefix(&corpus).unwrap().display().to_string();
        if KNOWN_DIFFERENCES.iter().any(|(n, _)| rel.ends_with(n)) {
            continue;
        }
        let mut got = universal_newlines(&run(&check));
        let mut want = universal_newlines(&common::read_text(oracle));
        if NAMED_FROM_COMMENTS
            .iter()
            .any(|p| name.starts_with(&format!("{p}.exact.")))
        {
            (got, want) = (header(&got), header(&want));
        }
        checked += 1;
        if got != want {
            failures.push(format!(
                "{rel}:\n{}",
                common::first_differences(&got, &want, 4)
            ));
        }
    }
    eprintln!(
        "checked {checked} oracles; empty (skipped): {empty:?}; not classified: {unclassified:?}"
    );
    assert!(
        unclassified.is_empty(),
        "oracles of unknown kind: {unclassified:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} oracles differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The corpus holds well over 200 oracles; fewer means discovery broke.
    assert!(checked >= 200, "only {checked} oracles were checked");
}

#[test]
fn every_rejected_profile_is_rejected_with_a_reason() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut files = Vec::new();
    all_files(&corpus, &mut files);
    // What each rejected file is, from the corpus's SOURCES.md ("format /
    // producer" column, or pprof's own complaint where the row has none):
    // the message must name it, so a person knows what they dropped.
    let expected_reason = [
        // pprof/SOURCES.md: "parsing sample 0 0 @ 0: second value must be
        // non-zero"; its `--- heapz` header is pprof's legacy Java format.
        (
            "7e3c92482f6f39fc502b822ded792c589849cca8",
            &["legacy Java profile", "second value must be non-zero"][..],
        ),
        // pprof: "malformed profile: found function with reserved ID=0".
        ("dotnet-pprof-3.pb.gz", &["pprof", "has the reserved id 0"]),
        ("dotnet-pprof-73.pb.gz", &["pprof", "has the reserved id 0"]),
        // external/SOURCES.md, format / producer column:
        // "Go fuzz corpus file (text), not a profile"
        (
            "aafd8cbacf61de60d2748f9d49fb622c32f7f885b5a651355a7350b2fbd4bad8",
            &["Go fuzz corpus"],
        ),
        // "old `go tool pprof -raw` output text"
        ("pprof.raw.txt", &["pprof -raw output"]),
        // "Linux perf.data"
        (
            "single-event-multi-process.perf.data",
            &["perf.data", "perf_to_profile"],
        ),
        // "PerfDataProto protobuf"
        (
            "multi-event-single-process.perf_data.pb",
            &["PerfDataProto"],
        ),
        // "jemalloc heap_v2 text"
        ("jemalloc.heap", &["jemalloc", "heap_v2"]),
        // "Pyroscope internal protobuf, not pprof"
        ("1.pb", &["Pyroscope"]),
        // "Pyroscope labels protobuf, not pprof"
        ("dump1.labels.pb.gz", &["Pyroscope labels"]),
        // "Pyroscope segment storage bytes, not pprof"
        ("issue_715", &["Pyroscope storage"]),
        // "OTLP profiles protobuf, not pprof"
        ("otel-ebpf-profile.pb.bin", &["OTLP"]),
    ];
    let mut rejected: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| {
            let f = f.to_string_lossy();
            let stem = f
                .strip_suffix(".go123.error.txt")
                .or_else(|| f.strip_suffix(".error.txt"))?;
            Some(PathBuf::from(stem))
        })
        .collect();
    rejected.sort();
    rejected.dedup();
    let mut seen = 0;
    for profile in rejected {
        let name = profile.file_name().unwrap().to_str().unwrap();
        if READ_ON_PURPOSE.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let data = std::fs::read(&profile).unwrap();
        let err = read_profile(&data, &ImportOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{} was accepted; pprof rejects it", profile.display()));
        let (_, names) = expected_reason
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("{name}: rejected, but no expected format named for it"));
        for expected in *names {
            assert!(
                err.message.contains(expected),
                "{name}: expected {expected:?} in {:?}",
                err.message
            );
        }
        // One line a person reads at a glance, with no Rust in it.
        assert!(
            err.message.chars().count() < 200 && !err.message.contains('\n'),
            "{name}: {:?}",
            err.message
        );
        for rustism in ["r#", "::", "Profile.", "DecodeError"] {
            assert!(
                !err.message.contains(rustism),
                "{name}: {rustism} in {:?}",
                err.message
            );
        }
        seen += 1;
    }
    assert_eq!(
        seen,
        expected_reason.len(),
        "expected every rejected file named above to be in the corpus"
    );
}

#[test]
fn every_profile_in_the_corpus_loads_or_is_rejected_cleanly() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut files = Vec::new();
    all_files(&corpus, &mut files);
    let mut loaded = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        if is_oracle(name) && !is_profile_input(f) {
            continue;
        }
        let rejected = (Path::new(&format!("{}.error.txt", f.display())).exists()
            || Path::new(&format!("{}.go123.error.txt", f.display())).exists())
            && !READ_ON_PURPOSE.iter().any(|(n, _)| *n == name);
        let result = read_profile(&std::fs::read(f).unwrap(), &ImportOptions::default());
        assert_eq!(
            result.is_err(),
            rejected,
            "{}: {:?}",
            f.display(),
            result.err()
        );
        loaded += usize::from(!rejected);
    }
    assert!(loaded >= 50, "only {loaded} profiles loaded");
}

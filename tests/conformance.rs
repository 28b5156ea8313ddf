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

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
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
/// unit, except for a type the profile names as its `default_sample_type`,
/// whose oracle was made without `-unit` (pprof's `minimum`). (That is how
/// the corpus's oracle script behaved; pprof itself is checked either way.)
fn unit_of(profile: &Path, index: &str) -> String {
    let p = common::read(profile);
    let i = p.sample_type_index(index).unwrap();
    if p.sample_types[i].name == p.default_sample_type {
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
    let name = oracle.file_name()?.to_str()?;
    let re = |p: &str| Regex::new(p).unwrap();
    if let Some(c) =
        re(r"^(.+)\.exact\.(base|diff_base)-(.+)\.(\d+)_(\w+)\.top\.txt(\.gz)?$").captures(name)
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
    if let Some(c) = re(r"^(.+)\.exact\.(\d+)_(\w+)\.top\.txt(\.gz)?$").captures(name) {
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

/// Oracles we knowingly do not reproduce, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

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
        if !(name.ends_with(".txt") || name.ends_with(".txt.gz")) || name.ends_with(".error.txt") {
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
        let got = universal_newlines(&run(&check));
        let want = universal_newlines(&common::read_text(oracle));
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
    let expected_reason = [
        (
            "7e3c92482f6f39fc502b822ded792c589849cca8",
            "second value must be non-zero",
        ),
        ("dotnet-pprof-3.pb.gz", "has the reserved id 0"),
    ];
    let mut seen = 0;
    for error_file in files
        .iter()
        .filter(|f| f.to_string_lossy().ends_with(".error.txt"))
    {
        let profile = PathBuf::from(error_file.to_string_lossy().trim_end_matches(".error.txt"));
        let data = std::fs::read(&profile).unwrap();
        let err = read_profile(&data, &ImportOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{} was accepted; pprof rejects it", profile.display()));
        let name = profile.file_name().unwrap().to_str().unwrap();
        if let Some((_, reason)) = expected_reason.iter().find(|(n, _)| *n == name) {
            assert!(err.message.contains(reason), "{name}: {}", err.message);
        }
        seen += 1;
    }
    assert!(
        seen >= 2,
        "expected the corpus's rejected profiles, saw {seen}"
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
        if is_oracle(name) {
            continue;
        }
        let rejected = Path::new(&format!("{}.error.txt", f.display())).exists();
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

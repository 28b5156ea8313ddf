//! Helpers shared by the integration tests: where the shared corpus is,
//! reading profiles, and golden files with a `BLESS=1` switch.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use leakscope::analysis::source::{prepare, Base, DiffMode};
use leakscope::import::{read_profile, ImportOptions};
use leakscope::model::Profile;

/// The shared corpus (`../shared/corpus`), or `None` with a loud message.
/// With `LEAKSCOPE_REQUIRE_CORPUS=1` (as CI sets) a missing corpus fails.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("LEAKSCOPE_REQUIRE_CORPUS").as_deref() == Ok("1") {
        panic!(
            "the shared corpus is required but {} does not exist",
            dir.display()
        );
    }
    eprintln!(
        "\n!!! SKIPPED: the shared corpus ({}) is not here, so the conformance \
         tests against go tool pprof did not run !!!\n",
        dir.display()
    );
    None
}

pub fn read(path: &Path) -> Profile {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_profile(&data, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads and prepares a profile (with an optional base) as the CLI does.
pub fn prepared(path: &Path, base: Option<(&Path, DiffMode)>) -> Profile {
    let base = base.map(|(b, mode)| Base {
        profiles: vec![read(b)],
        mode,
    });
    prepare(vec![read(path)], base).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads an oracle file (gunzipping `.gz`), as text.
pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .expect("oracle gunzips");
        out
    } else {
        bytes
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A short diff of two texts: the first lines that differ.
pub fn first_differences(got: &str, want: &str, max: usize) -> String {
    let mut out = String::new();
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let mut shown = 0;
    for i in 0..g.len().max(w.len()) {
        let (a, b) = (g.get(i).copied(), w.get(i).copied());
        if a != b {
            out.push_str(&format!(
                "  line {}:\n    got:  {}\n    want: {}\n",
                i + 1,
                a.unwrap_or("<none>"),
                b.unwrap_or("<none>")
            ));
            shown += 1;
            if shown == max {
                break;
            }
        }
    }
    out
}

/// Compares `got` with the golden file at `path`; with `BLESS=1` writes it.
pub fn check_golden(path: &Path, got: &str) {
    if std::env::var("BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("golden has a parent")).unwrap();
        std::fs::write(path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "golden file {} is missing: run the tests with BLESS=1 to create it",
            path.display()
        )
    });
    if got != want {
        let new = path.with_extension("new");
        std::fs::write(&new, got).unwrap();
        panic!(
            "{} differs from the output (written to {}; BLESS=1 accepts it):\n{}",
            path.display(),
            new.display(),
            first_differences(got, &want, 8)
        );
    }
}

/// The path of a file of `tests/data`, as the CLI takes it.
pub fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

/// Every file under `dir`, in the order the directory lists them.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The corpus's call-graph oracles (name, oracle, profile), sorted. An
/// oracle is named after its profile's path with each `/` as `__`, which
/// cannot be undone (some file names hold `__`), so the corpus's files are
/// named that way and looked up.
pub fn corpus_dot_oracles(corpus: &Path) -> Vec<(String, PathBuf, PathBuf)> {
    let mut files = Vec::new();
    walk(corpus, &mut files);
    let by_oracle_name: HashMap<String, PathBuf> = files
        .into_iter()
        .map(|f| {
            let relative = f.strip_prefix(corpus).unwrap().to_string_lossy();
            (format!("{}.dot", relative.replace('/', "__")), f)
        })
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/oracles/corpus-dot");
    let mut oracles: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let profile = by_oracle_name
                .get(&name)
                .unwrap_or_else(|| panic!("{name}: no corpus file is named so"))
                .clone();
            (name, path, profile)
        })
        .collect();
    oracles.sort();
    oracles
}

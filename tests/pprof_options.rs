//! pprof's options on the project's own fixtures: every line of
//! `tests/data/oracles/MANIFEST` is a `go tool pprof` command line whose
//! output `tests/data/make-oracles.sh` saved; leakscope must print the same
//! for the same options. This covers what the shared corpus has no oracles
//! for: focus, ignore, hide, show, show_from, tagfocus, tagignore,
//! granularities, node counts, cum sorting, units, diffs, source listings.

mod common;

use std::path::{Path, PathBuf};

use leakscope::analysis::list::{self, SourceFiles};
use leakscope::analysis::options::{Granularity, ReportOptions, SortOrder};
use leakscope::analysis::source::DiffMode;
use leakscope::analysis::{callgraph, top, traces};
use leakscope::render;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

enum Report {
    Top,
    Traces,
    List(String),
    Dot,
}

/// Runs a pprof command line through leakscope.
fn run(args: &str) -> String {
    let mut options = ReportOptions::default();
    let mut report = Report::Top;
    let mut base = None;
    let mut source_path = None;
    let mut profile = None;
    for arg in args.split_whitespace() {
        let (flag, value) = arg.split_once('=').unwrap_or((arg, ""));
        match flag {
            "-top" => report = Report::Top,
            "-traces" => report = Report::Traces,
            "-dot" => report = Report::Dot,
            "-list" => report = Report::List(value.to_string()),
            "-sample_index" => options.sample_index = value.into(),
            "-nodecount" => options.node_count = value.parse().unwrap(),
            "-nodefraction" => options.node_fraction = value.parse().unwrap(),
            "-edgefraction" => options.edge_fraction = value.parse().unwrap(),
            "-cum" => options.sort = SortOrder::Cum,
            "-noinlines" => options.no_inlines = true,
            "-unit" => options.unit = value.into(),
            "-focus" => options.filters.focus = value.into(),
            "-ignore" => options.filters.ignore = value.into(),
            "-hide" => options.filters.hide = value.into(),
            "-show" => options.filters.show = value.into(),
            "-show_from" => options.filters.show_from = value.into(),
            "-tagfocus" => options.filters.tag_focus = value.into(),
            "-tagignore" => options.filters.tag_ignore = value.into(),
            "-base" => base = Some((data().join(value), DiffMode::Base)),
            "-diff_base" => base = Some((data().join(value), DiffMode::DiffBase)),
            "-source_path" => source_path = Some(data().join(value)),
            "-functions" | "-filefunctions" | "-files" | "-lines" | "-addresses" => {
                options.granularity = Granularity::parse(&flag[1..]).unwrap()
            }
            _ if flag.starts_with('-') => panic!("the replay does not know pprof flag {flag}"),
            _ => profile = Some(data().join(arg)),
        }
    }
    let profile = profile.expect("a profile");
    let p = common::prepared(&profile, base.as_ref().map(|(b, m)| (b.as_path(), *m)));
    match report {
        Report::Top => render::text::top(&top::top(&p, &options).unwrap()),
        Report::Dot => render::dot::dot(&callgraph::callgraph(&p, &options).unwrap()),
        Report::Traces => {
            options.unit = "minimum".into();
            render::text::traces(&traces::traces(&p, &options).unwrap())
        }
        Report::List(regex) => {
            let dir = source_path.expect("list oracles give -source_path");
            options.source_path = dir.display().to_string();
            render::text::list(&list::list(&p, &regex, &options, &Dir(dir)).unwrap())
        }
    }
}

struct Dir(PathBuf);

impl SourceFiles for Dir {
    fn lines(&self, file: &str) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.0.join(file)).ok()?;
        Some(text.lines().map(str::to_string).collect())
    }
}

/// Equal, except for one deliberate difference in `list`: where pprof finds
/// no source file it prints ` Error: could not find file ...` and no lines;
/// leakscope prints the sampled lines with a hint. The routine's header
/// lines must still be equal, and the lines pprof would print are absent.
fn same_listing_or_report(got: &str, want: &str) -> bool {
    if got == want {
        return true;
    }
    let blocks = |s: &str| -> Vec<String> {
        let mut out = vec![String::new()];
        for line in s.lines() {
            if line.starts_with("ROUTINE ") {
                out.push(String::new());
            }
            let last = out.last_mut().unwrap();
            last.push_str(line);
            last.push('\n');
        }
        out
    };
    let (g, w) = (blocks(got), blocks(want));
    g.len() == w.len()
        && g.iter().zip(&w).all(|(g, w)| {
            if !w.contains(" Error: could not find file") {
                return g == w;
            }
            let head = |s: &str| s.lines().take(2).map(str::to_string).collect::<Vec<_>>();
            head(g) == head(w)
                && g.lines()
                    .nth(2)
                    .is_some_and(|l| l.contains("source not available"))
        })
}

#[test]
fn pprof_options_match_on_our_fixtures() {
    let manifest = std::fs::read_to_string(data().join("oracles/MANIFEST")).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in manifest.lines() {
        let (name, args) = line.split_once('\t').unwrap();
        let want = std::fs::read_to_string(data().join(format!("oracles/{name}.txt"))).unwrap();
        let got = run(args);
        checked += 1;
        if !same_listing_or_report(&got, &want) {
            failures.push(format!(
                "{name} (go tool pprof {args}):\n{}",
                common::first_differences(&got, &want, 4)
            ));
        }
    }
    assert!(checked >= 90, "only {checked} oracles in the manifest");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

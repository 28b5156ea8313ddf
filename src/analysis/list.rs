//! `list REGEX`: per-line flat and cum values of the functions whose names
//! match, grouped by source file, as `go tool pprof -list` prints them;
//! with the source text when the caller can supply the files.

use regex::Regex;

use crate::error::{Error, Result};
use crate::model::Profile;

use super::filter;
use super::graph::Graph;
use super::nodes::{Aggregation, NodeInfo, NodeTable};
use super::options::{Granularity, ReportOptions};
use super::report::ReportContext;

/// Where source text comes from: the CLI reads files, the page uses
/// dropped files. The core itself reads nothing.
pub trait SourceFiles {
    /// The lines of the source file a profile names (without line ends),
    /// or `None` when it is not available.
    fn lines(&self, file: &str) -> Option<Vec<String>>;
}

/// No source files at all.
pub struct NoSources;

impl SourceFiles for NoSources {
    fn lines(&self, _file: &str) -> Option<Vec<String>> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListReport {
    pub context: ReportContext,
    pub functions: Vec<ListedFunction>,
}

/// One function in one source file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListedFunction {
    pub name: String,
    /// The file as the profile names it; `None` when it names none.
    pub file: Option<String>,
    pub flat: i64,
    pub cum: i64,
    /// The lines shown: with the source, a window around the sampled lines
    /// as pprof prints it; without, the sampled lines only.
    pub lines: Vec<ListedLine>,
    /// Whether `lines` carry source text.
    pub has_source: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListedLine {
    pub line: i64,
    pub flat: i64,
    pub cum: i64,
    /// The source text of the line, when the file was supplied.
    pub text: Option<String>,
}

/// Lines shown before the first and after the last sampled line.
const MARGIN: i64 = 5;

/// Computes `list` on a prepared profile.
pub fn list(
    p: &Profile,
    regex: &str,
    options: &ReportOptions,
    sources: &dyn SourceFiles,
) -> Result<ListReport> {
    let symbol = Regex::new(regex).map_err(|e| Error::bad_regex("list", regex, &e))?;
    let sample_type = p.sample_type_index(&options.sample_index)?;
    let view = filter::apply(p, &options.filters)?;
    let mut context = ReportContext::new(p, sample_type, &view, options.filters.active());
    // pprof lists at line granularity, keeping binary names on nodes.
    let mut agg = Aggregation::new(Granularity::Lines, options.no_inlines);
    agg.object_names = true;
    let paths = options.paths();
    let table = NodeTable::build(&view, agg, &paths);
    let g = Graph::build(&view, &table, sample_type, None, options.drop_negative);
    context.output_unit = options.unit.clone();

    // Matching nodes, grouped by function name, functions sorted by name.
    let mut by_name: Vec<(&str, Vec<u32>)> = Vec::new();
    for &n in &g.nodes {
        let info = &table.infos[n as usize];
        if !symbol.is_match(&info.name) {
            continue;
        }
        match by_name.iter_mut().find(|(name, _)| *name == info.name) {
            Some((_, nodes)) => nodes.push(n),
            None => by_name.push((&info.name, vec![n])),
        }
    }
    if by_name.is_empty() {
        return Err(Error::invalid_option(format!(
            "no matches found for regexp: {regex}"
        )));
    }
    by_name.sort_by(|a, b| {
        a.0.cmp(b.0).then_with(|| {
            table.infos[a.1[0] as usize]
                .go_sprint()
                .cmp(&table.infos[b.1[0] as usize].go_sprint())
        })
    });

    let mut functions = Vec::new();
    for (name, nodes) in by_name {
        // Group by file; files sorted by name, then start line.
        let mut by_file: Vec<(&NodeInfo, Vec<u32>)> = Vec::new();
        for &n in &nodes {
            let info = &table.infos[n as usize];
            if info.file.is_empty() {
                continue;
            }
            match by_file.iter_mut().find(|(i, _)| i.file == info.file) {
                Some((_, ns)) => ns.push(n),
                None => by_file.push((info, vec![n])),
            }
        }
        if by_file.is_empty() {
            functions.push(ListedFunction {
                name: name.to_string(),
                file: None,
                flat: 0,
                cum: 0,
                lines: Vec::new(),
                has_source: false,
            });
            continue;
        }
        by_file.sort_by(|a, b| {
            a.0.file
                .cmp(&b.0.file)
                .then(a.0.start_line.cmp(&b.0.start_line))
                .then_with(|| a.0.go_sprint().cmp(&b.0.go_sprint()))
        });
        for (first, file_nodes) in by_file {
            let flat = file_nodes
                .iter()
                .fold(0i64, |s, &n| s.wrapping_add(g.flat[n as usize]));
            let cum = file_nodes
                .iter()
                .fold(0i64, |s, &n| s.wrapping_add(g.cum[n as usize]));
            let sums = |line: i64| {
                file_nodes
                    .iter()
                    .filter(|&&n| table.infos[n as usize].lineno == line)
                    .fold((0i64, 0i64), |(f, c), &n| {
                        (
                            f.wrapping_add(g.flat[n as usize]),
                            c.wrapping_add(g.cum[n as usize]),
                        )
                    })
            };
            let source = sources.lines(&first.file);
            let lines = match &source {
                Some(text) => {
                    let (start, end) = window(&table, &file_nodes);
                    (start.max(1)..=end)
                        .map_while(|ln| {
                            let t = text.get(usize::try_from(ln - 1).ok()?)?;
                            let (f, c) = sums(ln);
                            Some(ListedLine {
                                line: ln,
                                flat: f,
                                cum: c,
                                text: Some(t.clone()),
                            })
                        })
                        .collect()
                }
                None => {
                    let mut sampled: Vec<i64> = file_nodes
                        .iter()
                        .map(|&n| table.infos[n as usize].lineno)
                        .collect();
                    sampled.sort_unstable();
                    sampled.dedup();
                    sampled
                        .into_iter()
                        .map(|ln| {
                            let (f, c) = sums(ln);
                            ListedLine {
                                line: ln,
                                flat: f,
                                cum: c,
                                text: None,
                            }
                        })
                        .collect()
                }
            };
            functions.push(ListedFunction {
                name: name.to_string(),
                file: Some(first.file.clone()),
                flat,
                cum,
                lines,
                has_source: source.is_some(),
            });
        }
    }
    Ok(ListReport { context, functions })
}

/// The lines pprof shows: from the function's start line (or 5 before the
/// first sampled line) to 5 after the last sampled line.
fn window(table: &NodeTable, nodes: &[u32]) -> (i64, i64) {
    let first = &table.infos[nodes[0] as usize];
    let mut start = if first.start_line != 0 {
        first.start_line
    } else {
        first.lineno - MARGIN
    };
    let mut end = first.lineno + MARGIN;
    for &n in nodes {
        let info = &table.infos[n as usize];
        let node_start = if info.start_line != 0 {
            info.start_line
        } else {
            info.lineno - MARGIN
        };
        let node_end = info.lineno + MARGIN;
        if node_start < start {
            start = node_start;
        } else if node_end > end {
            end = node_end;
        }
    }
    (start, end)
}

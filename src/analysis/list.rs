//! `list REGEX`: per-line flat and cum values of the functions whose names
//! match, grouped by source file, as `go tool pprof -list` prints them;
//! with the source text when the caller can supply the files.
//!
//! pprof's web source view lists the same functions heaviest first, 50 at
//! a time; [`list_selected`] does both, so a profile of 20,000 functions
//! costs the listings sent, not all of them.

use crate::sort::SortStable;
use std::cmp::Reverse;
use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::name_regex::NameRegex;
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

/// Which of the matching functions to list, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub order: ListOrder,
    /// Functions passed over (in that order) before the first one listed.
    pub skip: usize,
    /// At most this many functions listed; `None`: every one.
    pub limit: Option<usize>,
}

impl Selection {
    /// Every match, by name: `go tool pprof -list`.
    pub const ALL_BY_NAME: Selection = Selection {
        order: ListOrder::Name,
        skip: 0,
        limit: None,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// By function name, as `go tool pprof -list` prints them.
    Name,
    /// Largest |flat| first, then |cum|, then name: the order of pprof's
    /// web source view (its files by flat) and of `top`.
    Heaviest,
}

/// Some of the listings, and how many functions matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    pub report: ListReport,
    /// Functions matching the regex (each may span several files, so
    /// several listings).
    pub matched: usize,
}

/// Lines shown before the first and after the last sampled line.
const MARGIN: i64 = 5;

/// Computes `list` on a prepared profile: every match, by name.
pub fn list(
    p: &Profile,
    regex: &str,
    options: &ReportOptions,
    sources: &dyn SourceFiles,
) -> Result<ListReport> {
    Ok(list_selected(p, regex, options, sources, Selection::ALL_BY_NAME)?.report)
}

/// Computes `list` on a prepared profile for the functions `selection`
/// picks; only those get their lines (and source) looked up.
pub fn list_selected(
    p: &Profile,
    regex: &str,
    options: &ReportOptions,
    sources: &dyn SourceFiles,
    selection: Selection,
) -> Result<ListPage> {
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

    // Nodes grouped by function name (a map: a profile may have hundreds
    // of thousands of functions, each with a node per line); each
    // distinct name is matched once, within the regex budget.
    let mut by_name: Vec<(&str, Vec<u32>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for &n in &g.nodes {
        let info = &table.infos[n as usize];
        let k = *index.entry(&info.name).or_insert_with(|| {
            by_name.push((&info.name, Vec::new()));
            by_name.len() - 1
        });
        by_name[k].1.push(n);
    }
    let symbol = NameRegex::new("list", regex, regex)?;
    let bytes = by_name.iter().map(|(name, _)| name.len() as u64).sum();
    symbol.afford("list", regex, by_name.len(), bytes)?;
    by_name.retain(|(name, _)| symbol.regex.is_match(name));
    if by_name.is_empty() {
        return Err(Error::invalid_option(format!(
            "no matches found for regexp: {regex}"
        )));
    }
    let matched = by_name.len();
    by_name.sort_stable_by(|a, b| {
        a.0.cmp(b.0).then_with(|| {
            table.infos[a.1[0] as usize]
                .go_sprint()
                .cmp(&table.infos[b.1[0] as usize].go_sprint())
        })
    });
    if selection.order == ListOrder::Heaviest {
        // Largest |flat|, then |cum|; a stable sort keeps ties by name.
        let sum = |nodes: &[u32], values: &[i64]| {
            nodes
                .iter()
                .fold(0i64, |s, &n| s.wrapping_add(values[n as usize]))
                .unsigned_abs()
        };
        by_name.sort_by_cached_key(|(_, nodes)| {
            (Reverse(sum(nodes, &g.flat)), Reverse(sum(nodes, &g.cum)))
        });
    }
    let chosen = by_name
        .into_iter()
        .skip(selection.skip)
        .take(selection.limit.unwrap_or(usize::MAX));

    let mut functions = Vec::new();
    let mut texts: HashMap<&str, Option<Vec<String>>> = HashMap::new();
    for (name, nodes) in chosen {
        // Group by file (a map: a function's lines may name many files);
        // files sorted by name, then start line.
        let mut by_file: Vec<(&NodeInfo, Vec<u32>)> = Vec::new();
        let mut file_index: HashMap<&str, usize> = HashMap::new();
        for &n in &nodes {
            let info = &table.infos[n as usize];
            if info.file.is_empty() {
                continue;
            }
            let k = *file_index.entry(&info.file).or_insert_with(|| {
                by_file.push((info, Vec::new()));
                by_file.len() - 1
            });
            by_file[k].1.push(n);
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
        by_file.sort_stable_by(|a, b| {
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
            // Each line's flat and cum, summed once (not once per line shown).
            let mut by_line: HashMap<i64, (i64, i64)> = HashMap::new();
            for &n in &file_nodes {
                let (f, c) = by_line.entry(table.infos[n as usize].lineno).or_default();
                *f = f.wrapping_add(g.flat[n as usize]);
                *c = c.wrapping_add(g.cum[n as usize]);
            }
            let sums = |line: i64| by_line.get(&line).copied().unwrap_or_default();
            // Each file is looked up once, however many functions it holds
            // (a file per function was quadratic: 200k functions > 30 s).
            let source = texts
                .entry(&first.file)
                .or_insert_with(|| sources.lines(&first.file));
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
    Ok(ListPage {
        report: ListReport { context, functions },
        matched,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::source::prepare;
    use crate::import::{read_profile, ImportOptions};

    /// A Go `debug=1` heap profile: `main.light` allocates 1 kB, `main.heavy`
    /// 8 kB and `main.mid` 4 kB, each called from `main.main`.
    fn profile() -> Profile {
        let text = "heap profile: 3: 13312 [3: 13312] @ heap/1\n\
            1: 1024 [1: 1024] @ 0x1001 0x4001\n\
            #\t0x1000\tmain.light+0x1\tapp/light.go:3\n\
            #\t0x4000\tmain.main+0x1\tapp/main.go:9\n\
            \n\
            1: 8192 [1: 8192] @ 0x2001 0x4011\n\
            #\t0x2000\tmain.heavy+0x1\tapp/heavy.go:5\n\
            #\t0x4010\tmain.main+0x2\tapp/main.go:10\n\
            \n\
            1: 4096 [1: 4096] @ 0x3001 0x4021\n\
            #\t0x3000\tmain.mid+0x1\tapp/mid.go:7\n\
            #\t0x4020\tmain.main+0x3\tapp/main.go:11\n";
        let p = read_profile(text.as_bytes(), &ImportOptions::default()).unwrap();
        prepare(vec![p], None).unwrap()
    }

    fn names(page: &ListPage) -> Vec<&str> {
        page.report
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .collect()
    }

    fn select(order: ListOrder, skip: usize, limit: Option<usize>) -> ListPage {
        let selection = Selection { order, skip, limit };
        let options = ReportOptions::default();
        list_selected(&profile(), "", &options, &NoSources, selection).unwrap()
    }

    #[test]
    fn by_name_lists_every_match_as_pprof_list_does() {
        let page = select(ListOrder::Name, 0, None);
        assert_eq!(
            names(&page),
            ["main.heavy", "main.light", "main.main", "main.mid"]
        );
        assert_eq!(page.matched, 4);
        let r = list(&profile(), "", &ReportOptions::default(), &NoSources).unwrap();
        assert_eq!(r, page.report);
    }

    #[test]
    fn heaviest_first_by_flat_then_cum() {
        // main.main has no flat value but the largest cum: after every
        // function with a flat value.
        let page = select(ListOrder::Heaviest, 0, None);
        assert_eq!(
            names(&page),
            ["main.heavy", "main.mid", "main.light", "main.main"]
        );
        let heavy = &page.report.functions[0];
        assert_eq!((heavy.flat, heavy.cum), (8192, 8192));
        assert_eq!(page.report.functions[3].cum, 13312);
    }

    #[test]
    fn a_page_lists_only_its_functions_but_counts_every_match() {
        let page = select(ListOrder::Heaviest, 1, Some(2));
        assert_eq!(names(&page), ["main.mid", "main.light"]);
        assert_eq!(page.matched, 4);
        let past = select(ListOrder::Heaviest, 9, Some(2));
        assert!(past.report.functions.is_empty());
        assert_eq!(past.matched, 4);
    }
}

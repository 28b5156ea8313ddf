//! Everything the page has loaded, and the views it asks for.
//!
//! The page drops files of mixed kinds; each is read once (a profile is
//! prepared as pprof does, metrics are parsed, source files kept as text)
//! and every view is computed from them on request, as display-ready
//! structs: the page formats no numbers and holds no analysis. The view
//! state is the page's URL state (pprof's names: `si`, `f`, `i`, `h`,
//! `s`, `g`), so a view is a pure function of the files and that state.

use crate::sort::SortStable;
use std::collections::{HashMap, HashSet};
use std::io::Read;

use crate::words::{counted, plural_s};

use crate::analysis::callgraph::callgraph;
use crate::analysis::evidence::{join, who, Evidence, ProfileInput, SnapshotGroup};
use crate::analysis::flame::{
    callers_callees, flame, stacks as flame_stacks, Flame, FlameView, Stacks, MAX_DEPTH, MAX_FRAMES,
};
use crate::analysis::leak::{Analysis, AnalyzeOptions};
use crate::analysis::list::{list_selected, ListOrder, Selection, SourceFiles};
use crate::analysis::options::{Filters, Granularity, ReportOptions, SortOrder};
use crate::analysis::overview::{overview, overview_table, Overview, Table, MAX_CHARTED_PROCESSES};
use crate::analysis::report::ReportContext;
use crate::analysis::source::{prepare, Base, DiffMode};
use crate::analysis::top::top;
use crate::analysis::trend::{TrendOptions, TrendReport};
use crate::analysis::LISTED;
use crate::error::{Error, Result};
use crate::import::{read_contents_from, read_from, ImportOptions, Input, NamedInput};
use crate::model::series::{Series, SeriesSet};
use crate::model::Profile;
use crate::render::chart::{hover, process_charts, Chart, ChartOptions, HoverValue};
use crate::render::flame_svg::{colorize, svg as flame_svg};
use crate::render::gotime;
use crate::render::graph_drawing::{draw, svg as graph_svg, GraphDrawing};
use crate::render::table::{top_table, trend_table, TopTable, TrendTable};
use crate::units;

/// One loaded file.
pub struct Loaded {
    pub id: u32,
    pub name: String,
    pub size: u64,
    pub content: Content,
}

pub enum Content {
    /// A prepared profile.
    Profile(Box<Profile>),
    Metrics(SeriesSet),
    /// A source file, for `list`.
    Source(Vec<String>),
}

/// A file as the page lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileInfo {
    pub id: u32,
    pub name: String,
    /// `profile`, `metrics`, `oom-log` or `source`.
    pub kind: &'static str,
    /// What it is: `inuse_space, … (4 sample types)`, `grafana-csv, 7 series`.
    pub detail: String,
    /// When it was taken (profiles), UTC.
    pub time: Option<String>,
    pub size: String,
    pub warnings: Vec<String>,
}

/// What adding one dropped file did: the files it added (an archive adds
/// each of its members, named `archive.zip/path`) and the members that
/// could not be read, each with its own error.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Added {
    pub files: Vec<FileInfo>,
    pub errors: Vec<FileError>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FileError {
    pub name: String,
    pub message: String,
}

/// The view state (the page keeps it in the URL).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ViewState {
    /// Profile (file name) for top and list; empty: the latest.
    pub profile: String,
    /// Sample type (pprof's `si`).
    pub si: String,
    /// Granularity (`g`): functions, filefunctions, files, lines, addresses.
    pub g: String,
    /// Focus, ignore, hide, show (pprof's `f`, `i`, `h`, `s`).
    pub f: String,
    pub i: String,
    pub h: String,
    pub s: String,
    /// `cum` sorts top by cumulative value.
    pub sort: String,
    /// The function to list (a name or a regex; empty: every function).
    pub list: String,
    /// The first listing to send (heaviest first): the page asks for the
    /// next ones when "Show more" is pressed. Not part of the URL.
    pub list_from: usize,
    /// Diff: base and target file names (default first and last snapshot),
    /// and pprof's mode (`base` or `diff_base`).
    pub base: String,
    pub target: String,
    pub mode: String,
    /// Memory limit given by the user (bytes).
    pub limit: Option<f64>,
    /// Flame graph: the frame zoomed into (names from the root), a search,
    /// and the function whose callers and callees to show.
    pub fz: Vec<String>,
    pub q: String,
    #[serde(rename = "fn")]
    pub function: String,
    /// Chart zoom (unix seconds), hidden series, size and theme.
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub hidden: Vec<String>,
    pub width: u32,
    pub dark: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ChartsView {
    pub processes: Vec<ProcessCharts>,
    /// What was left out (processes past [`crate::analysis::overview::MAX_CHARTED_PROCESSES`]).
    pub note: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ProcessCharts {
    pub index: usize,
    pub title: String,
    pub verdict: String,
    pub reason: String,
    pub charts: Vec<Chart>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TopView {
    /// The profiles one can pick (file names, oldest first).
    pub profiles: Vec<String>,
    pub profile: String,
    pub sample_types: Vec<String>,
    pub table: TopTable,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DiffView {
    pub profiles: Vec<String>,
    pub base: String,
    pub target: String,
    pub mode: &'static str,
    pub sample_types: Vec<String>,
    pub table: TopTable,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ListView {
    pub profiles: Vec<String>,
    pub profile: String,
    pub header: Vec<String>,
    /// How many functions the page shows of how many (`The 50 heaviest of
    /// 23038 functions`), shown before the listings.
    pub note: String,
    pub functions: Vec<ListedFunctionView>,
    /// The next page of listings, when some were left out.
    pub more: Option<MoreListings>,
}

/// What the page asks for to show the listings left out.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MoreListings {
    /// The `list_from` of the next page.
    pub from: usize,
    /// The button's text: `Show the next 50 (22988 more functions)`.
    pub label: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ListedFunctionView {
    pub name: String,
    pub file: String,
    pub flat: String,
    pub cum: String,
    pub has_source: bool,
    pub lines: Vec<ListedLineView>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ListedLineView {
    pub line: i64,
    pub flat: String,
    pub cum: String,
    pub text: String,
    /// Whether the line carries samples (to highlight it).
    pub hot: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GraphView {
    pub profiles: Vec<String>,
    pub profile: String,
    /// The base of a diff graph, when one is chosen.
    pub base: String,
    pub sample_types: Vec<String>,
    pub drawing: GraphDrawing,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FlameViewOut {
    pub profiles: Vec<String>,
    pub profile: String,
    pub base: String,
    pub sample_types: Vec<String>,
    pub flame: Flame,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CallersView {
    pub profiles: Vec<String>,
    pub profile: String,
    pub sample_types: Vec<String>,
    pub function: String,
    /// Who calls it (inverted: the function on top, its callers below).
    pub callers: Flame,
    /// What it calls.
    pub callees: Flame,
}

/// The trends of every series of snapshots (of one kind, program and
/// process life), each apart.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrendView {
    pub groups: Vec<TrendGroupView>,
    /// What is not shown.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TrendGroupView {
    /// `Heap snapshots of {instance="…"}`, `Goroutine profiles of leaksvc`.
    pub title: String,
    /// Whose they are, and why (or why not).
    pub tie: String,
    /// The trend (absent when it could not be made: `error` says why).
    /// Not sent to the page, which draws `table`: the suspects beside
    /// their table doubled what the page's thread decodes from the
    /// worker's message (60 ms instead of 30 for 20,000 sites).
    #[serde(skip)]
    pub report: Option<TrendReport>,
    pub table: Option<TrendTable>,
    pub error: Option<String>,
}

/// Everything loaded, with the joined evidence and the last flame graph's
/// tree kept between views.
#[derive(Default)]
pub struct Workspace {
    files: Files,
    next_id: u32,
    evidence: Option<CachedEvidence>,
    flame_tree: Option<(String, Stacks, ReportContext)>,
}

/// The loaded files, each named as no other is: two files of one name
/// (two instances' `heap.3.pprof`) are told apart by a number. Files are
/// added and removed only here, so the names kept beside them stay true.
#[derive(Default)]
struct Files {
    list: Vec<Loaded>,
    /// The files' names, and for each name given twice the next number to
    /// try: an archive of thousands of members of one name would otherwise
    /// take cubic time to number (4,000: 49 s).
    names: HashSet<String>,
    next_number: HashMap<String, u32>,
}

impl Files {
    /// Adds a file under a name no other file has.
    fn add(&mut self, mut loaded: Loaded) -> &Loaded {
        loaded.name = self.unique_name(&loaded.name);
        self.names.insert(loaded.name.clone());
        self.list.push(loaded);
        &self.list[self.list.len() - 1]
    }

    fn unique_name(&mut self, name: &str) -> String {
        if !self.names.contains(name) {
            return name.to_string();
        }
        let next = self.next_number.entry(name.to_string()).or_insert(2);
        loop {
            let numbered = format!("{name} ({next})");
            *next += 1;
            if !self.names.contains(&numbered) {
                return numbered;
            }
        }
    }

    fn remove(&mut self, id: u32) {
        for f in self.list.iter().filter(|f| f.id == id) {
            self.names.remove(&f.name);
        }
        self.list.retain(|f| f.id != id);
    }
}

impl std::ops::Deref for Files {
    type Target = [Loaded];
    fn deref(&self) -> &[Loaded] {
        &self.list
    }
}

/// The evidence joined for these files and this limit.
struct CachedEvidence {
    limit: Option<f64>,
    evidence: Evidence,
}

/// Functions listed at a time in the Source view: pprof's web UI shows
/// 50 (its `maxEntries`); the page asks for the next 50 on demand.
pub const LIST_PAGE: usize = 50;

/// Names that mark a source file (for `list`), when the content is no
/// profile or metrics.
const SOURCE_EXTENSIONS: &[&str] = &[
    ".go", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".java", ".kt", ".scala", ".py", ".rs",
    ".js", ".ts", ".rb", ".cs", ".swift", ".php",
];

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a file (profile, metrics, OOM log, a source file, or an
    /// archive of these) and keeps what it holds.
    pub fn add(
        &mut self,
        name: &str,
        reader: impl Read,
        size: u64,
        options: &ImportOptions,
    ) -> Result<Added> {
        let mut added = Added {
            files: Vec::new(),
            errors: Vec::new(),
        };
        if SOURCE_EXTENSIONS.iter().any(|e| name.ends_with(e)) {
            let content = source_or_input(name, reader, options)?;
            added.files.push(self.keep(name, size, content));
            return Ok(added);
        }
        // The error does not repeat the file's name: whoever shows it
        // (the page's card, the CLI's line) names the file itself.
        let named = read_contents_from(reader, options)?.named(name);
        for NamedInput {
            name,
            size: member_size,
            input,
        } in named.inputs
        {
            match input_content(input) {
                Ok(content) => {
                    added
                        .files
                        .push(self.keep(&name, member_size.unwrap_or(size), content))
                }
                // One file's error is the add's; a member's, its own card.
                Err(e) if !named.archive => return Err(e),
                Err(e) => added.errors.push(FileError {
                    name,
                    message: e.message,
                }),
            }
        }
        added
            .errors
            .extend(named.errors.into_iter().map(|(name, e)| FileError {
                name,
                message: e.message,
            }));
        Ok(added)
    }

    fn keep(&mut self, name: &str, size: u64, content: Content) -> FileInfo {
        self.next_id += 1;
        self.evidence = None;
        describe(self.files.add(Loaded {
            id: self.next_id,
            name: name.to_string(),
            size,
            content,
        }))
    }

    pub fn remove(&mut self, id: u32) {
        self.files.remove(id);
        self.evidence = None;
    }

    /// The files: profiles by time, then metrics, then sources.
    pub fn files(&self) -> Vec<FileInfo> {
        let mut order: Vec<&Loaded> = self.files.iter().collect();
        order.sort_stable_by_key(|f| match &f.content {
            Content::Profile(p) => (0, p.time_nanos, f.id),
            Content::Metrics(_) => (1, 0, f.id),
            Content::Source(_) => (2, 0, f.id),
        });
        order.into_iter().map(describe).collect()
    }

    /// Profiles, oldest first.
    fn profiles(&self) -> Vec<(&str, &Profile)> {
        let mut out: Vec<(&str, &Profile, u32)> = self
            .files
            .iter()
            .filter_map(|f| match &f.content {
                Content::Profile(p) => Some((f.name.as_str(), p.as_ref(), f.id)),
                _ => None,
            })
            .collect();
        out.sort_stable_by_key(|(_, p, id)| (p.time_nanos, *id));
        out.into_iter().map(|(n, p, _)| (n, p)).collect()
    }

    fn metrics(&self) -> Option<SeriesSet> {
        let mut set = SeriesSet::default();
        for f in self.files.iter() {
            if let Content::Metrics(m) = &f.content {
                set.add_file(&f.name, m.clone());
            }
        }
        (!set.inputs.is_empty()).then_some(set)
    }

    /// Profiles as the evidence join takes them, oldest first.
    fn profile_inputs(&self) -> Vec<ProfileInput<'_>> {
        self.profiles()
            .into_iter()
            .map(|(name, profile)| ProfileInput { name, profile })
            .collect()
    }

    /// Joins the evidence, unless done for these files and this limit.
    fn ensure_evidence(&mut self, limit: Option<f64>) {
        if self.evidence.as_ref().is_some_and(|c| c.limit == limit) {
            return;
        }
        let metrics = self.metrics();
        let evidence = join(metrics, &self.profile_inputs(), &AnalyzeOptions { limit });
        self.evidence = Some(CachedEvidence { limit, evidence });
    }

    /// The analysis of the metrics joined by [`Self::ensure_evidence`],
    /// with its series.
    fn cached(&self) -> Option<(&Analysis, &[Series])> {
        let e = &self.evidence.as_ref()?.evidence;
        Some((e.analysis.as_ref()?, &e.series))
    }

    /// The answer first: the same whatever a view shows.
    pub fn overview(&mut self, state: &ViewState) -> Overview {
        self.ensure_evidence(state.limit);
        let Some(c) = &self.evidence else {
            return Overview::default();
        };
        overview(&c.evidence, &self.profile_inputs())
    }

    /// The Overview's table `id` searched for `query` (see
    /// [`overview_table`]); None when there is no such table.
    pub fn overview_table(&mut self, state: &ViewState, id: &str, query: &str) -> Option<Table> {
        self.ensure_evidence(state.limit);
        overview_table(&self.evidence.as_ref()?.evidence, id, query)
    }

    /// Memory and request charts of every process.
    pub fn charts(&mut self, state: &ViewState) -> ChartsView {
        self.ensure_evidence(state.limit);
        let options = chart_options(state);
        let Some((a, series)) = self.cached() else {
            return ChartsView {
                processes: Vec::new(),
                note: None,
            };
        };
        let mut order: Vec<usize> = (0..a.processes.len()).collect();
        order.sort_stable_by_key(|&p| a.processes[p].rank);
        let note = (order.len() > MAX_CHARTED_PROCESSES).then(|| {
            format!(
                "{} more processes not charted: the first {MAX_CHARTED_PROCESSES} by rank are",
                order.len() - MAX_CHARTED_PROCESSES
            )
        });
        let processes = order
            .into_iter()
            .take(MAX_CHARTED_PROCESSES)
            .map(|p| {
                let pa = &a.processes[p];
                let labels: Vec<String> = pa
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{v}\""))
                    .collect();
                ProcessCharts {
                    index: p,
                    title: format!("{{{}}}", labels.join(", ")),
                    verdict: format!("{:?}", pa.verdict).to_lowercase(),
                    reason: pa.reason.clone(),
                    charts: process_charts(a, series, p, &options),
                }
            })
            .collect();
        ChartsView { processes, note }
    }

    /// Values under the pointer on a chart.
    pub fn hover(
        &mut self,
        state: &ViewState,
        process: usize,
        kind: &str,
        time: f64,
    ) -> Vec<HoverValue> {
        self.ensure_evidence(state.limit);
        let options = chart_options(state);
        match self.cached() {
            Some((a, series)) if process < a.processes.len() => {
                hover(a, series, process, kind, time, &options)
            }
            _ => Vec::new(),
        }
    }

    fn pick(&self, name: &str) -> Result<(String, &Profile)> {
        let profiles = self.profiles();
        let found = if name.is_empty() {
            profiles.last()
        } else {
            profiles.iter().find(|(n, _)| *n == name)
        };
        found.map(|(n, p)| (n.to_string(), *p)).ok_or_else(|| {
            Error::invalid_option(if name.is_empty() {
                "no profile loaded".to_string()
            } else {
                format!("no profile named {name:?} is loaded")
            })
        })
    }

    /// pprof's top of one profile.
    pub fn top(&self, state: &ViewState) -> Result<TopView> {
        let (name, p) = self.pick(&state.profile)?;
        let r = top(p, &report_options(state)?)?;
        Ok(TopView {
            profiles: self.profile_names(),
            profile: name,
            sample_types: p.sample_types.iter().map(|t| t.name.clone()).collect(),
            table: top_table(&r),
        })
    }

    /// pprof's list of the functions matching `state.list` (every one when
    /// it is empty), heaviest first as pprof's web source view orders
    /// them, [`LIST_PAGE`] at a time from `state.list_from`.
    pub fn list(&self, state: &ViewState) -> Result<ListView> {
        let (name, p) = self.pick(&state.profile)?;
        let regex = if !state.list.is_empty() && p.functions.iter().any(|f| f.name == state.list) {
            // An exact function name lists that function only.
            format!("^{}$", regex::escape(&state.list))
        } else {
            state.list.clone()
        };
        let selection = Selection {
            order: ListOrder::Heaviest,
            skip: state.list_from,
            limit: Some(LIST_PAGE),
        };
        let page = list_selected(
            p,
            &regex,
            &report_options(state)?,
            &Sources(&self.files),
            selection,
        )?;
        let r = &page.report;
        let c = &r.context;
        // The page shows every listing before `list_from` already.
        let last = state.list_from.saturating_add(LIST_PAGE).min(page.matched);
        let left = page.matched - last;
        Ok(ListView {
            profiles: self.profile_names(),
            profile: name,
            header: vec![format!("Total: {}", c.format(c.total))],
            note: match page.matched {
                1 => "1 function".to_string(),
                n if last == n => format!("{n} functions, heaviest first"),
                n => format!("The {last} heaviest of {n} functions"),
            },
            more: (left > 0).then(|| MoreListings {
                from: last,
                label: format!(
                    "Show the next {} ({left} more function{})",
                    left.min(LIST_PAGE),
                    plural_s(left as u64)
                ),
            }),
            functions: r
                .functions
                .iter()
                .map(|f| ListedFunctionView {
                    name: f.name.clone(),
                    file: f.file.clone().unwrap_or_default(),
                    flat: c.format(f.flat),
                    cum: c.format(f.cum),
                    has_source: f.has_source,
                    lines: f
                        .lines
                        .iter()
                        .map(|l| ListedLineView {
                            line: l.line,
                            flat: if l.flat == 0 {
                                ".".into()
                            } else {
                                c.format(l.flat)
                            },
                            cum: if l.cum == 0 {
                                ".".into()
                            } else {
                                c.format(l.cum)
                            },
                            text: l.text.clone().unwrap_or_default(),
                            hot: l.flat != 0 || l.cum != 0,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// pprof's `-base` / `-diff_base` between two profiles.
    pub fn diff(&self, state: &ViewState) -> Result<DiffView> {
        let profiles = self.profiles();
        if profiles.len() < 2 {
            return Err(Error::invalid_option(
                "a diff needs two profiles: drop another snapshot",
            ));
        }
        let find = |name: &str, default: usize| -> Result<(String, Profile)> {
            let (n, p) = if name.is_empty() {
                profiles[default]
            } else {
                *profiles.iter().find(|(n, _)| *n == name).ok_or_else(|| {
                    Error::invalid_option(format!("no profile named {name:?} is loaded"))
                })?
            };
            Ok((n.to_string(), p.clone()))
        };
        let (base_name, base) = find(&state.base, 0)?;
        let (target_name, target) = find(&state.target, profiles.len() - 1)?;
        let mode = if state.mode == "diff_base" {
            DiffMode::DiffBase
        } else {
            DiffMode::Base
        };
        let sample_types = target.sample_types.iter().map(|t| t.name.clone()).collect();
        let merged = prepare(
            vec![target],
            Some(Base {
                profiles: vec![base],
                mode,
            }),
        )?;
        let r = top(&merged, &report_options(state)?)?;
        Ok(DiffView {
            profiles: self.profile_names(),
            base: base_name,
            target: target_name,
            mode: if mode == DiffMode::DiffBase {
                "diff_base"
            } else {
                "base"
            },
            sample_types,
            table: top_table(&r),
        })
    }

    /// A profile, or a diff of two when `state.base` names one.
    fn target(&self, state: &ViewState) -> Result<(String, String, Profile, Vec<String>)> {
        let (name, p) = self.pick(&state.profile)?;
        let sample_types = p.sample_types.iter().map(|t| t.name.clone()).collect();
        if state.base.is_empty() || state.base == name {
            return Ok((name, String::new(), p.clone(), sample_types));
        }
        let (base_name, base) = self.pick(&state.base)?;
        let mode = if state.mode == "diff_base" {
            DiffMode::DiffBase
        } else {
            DiffMode::Base
        };
        let merged = prepare(
            vec![p.clone()],
            Some(Base {
                profiles: vec![base.clone()],
                mode,
            }),
        )?;
        Ok((name, base_name, merged, sample_types))
    }

    /// pprof's call graph, laid out.
    pub fn graph(&self, state: &ViewState) -> Result<GraphView> {
        let (profile, base, p, sample_types) = self.target(state)?;
        let mut options = report_options(state)?;
        options.drop_negative = false;
        let g = callgraph(&p, &options)?;
        Ok(GraphView {
            profiles: self.profile_names(),
            profile,
            base,
            sample_types,
            drawing: draw(&g),
        })
    }

    /// The call graph as a standalone SVG file.
    pub fn graph_svg(&self, state: &ViewState) -> Result<String> {
        let (_, _, p, _) = self.target(state)?;
        Ok(graph_svg(&draw(&callgraph(&p, &report_options(state)?)?)))
    }

    /// The flame graph tree of a profile, kept for the next view.
    fn flame_tree(&mut self, state: &ViewState) -> Result<(String, Vec<String>)> {
        let (name, p) = self.pick(&state.profile)?;
        let key = format!(
            "{name}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            state.si, state.g, state.f, state.i, state.h, state.s, p.time_nanos
        );
        let sample_types = p.sample_types.iter().map(|t| t.name.clone()).collect();
        if self.flame_tree.as_ref().is_none_or(|(k, _, _)| *k != key) {
            let (tree, context) = flame_stacks(p, &report_options(state)?)?;
            self.flame_tree = Some((key, tree, context));
        }
        Ok((name, sample_types))
    }

    /// A flame graph of the profile (zoomed, searched), or of its
    /// difference from `state.base` (coloured by growth).
    pub fn flame(&mut self, state: &ViewState) -> Result<FlameViewOut> {
        let width = view_width(state);
        let (profile, sample_types) = self.flame_tree(state)?;
        let base_tree = if state.base.is_empty() || state.base == profile {
            None
        } else {
            let (_, b) = self.pick(&state.base)?;
            Some(flame_stacks(b, &report_options(state)?)?.0)
        };
        let (_, tree, context) = self.flame_tree.as_ref().expect("just built");
        let view = FlameView {
            zoom: &state.fz,
            min_width: 0.5 / width.max(100.0),
            search: &state.q,
            base: base_tree.as_ref(),
            max_depth: MAX_DEPTH,
            max_frames: MAX_FRAMES,
        };
        let mut flame = flame(tree, context, &view)?;
        colorize(&mut flame);
        Ok(FlameViewOut {
            profiles: self.profile_names(),
            profile,
            base: if base_tree.is_some() {
                state.base.clone()
            } else {
                String::new()
            },
            sample_types,
            flame,
        })
    }

    /// The flame graph as a standalone SVG file.
    pub fn flame_svg(&mut self, state: &ViewState) -> Result<String> {
        let view = self.flame(state)?;
        Ok(flame_svg(&view.flame, view_width(state)))
    }

    /// Who calls `state.function`, and what it calls.
    pub fn callers(&self, state: &ViewState) -> Result<CallersView> {
        let width = view_width(state);
        let (profile, p) = self.pick(&state.profile)?;
        if state.function.is_empty() {
            return Err(Error::invalid_option(
                "choose a function (click a frame in the flame graph)",
            ));
        }
        let (callers, callees, context) =
            callers_callees(p, &report_options(state)?, &state.function)?;
        let min_width = 0.5 / width.max(100.0);
        let view = |search| FlameView {
            zoom: &[],
            min_width,
            search,
            base: None,
            max_depth: MAX_DEPTH,
            max_frames: MAX_FRAMES,
        };
        let mut up = flame(&callers, &context, &view(&state.q))?;
        let mut down = flame(&callees, &context, &view(&state.q))?;
        colorize(&mut up);
        colorize(&mut down);
        Ok(CallersView {
            profiles: self.profile_names(),
            profile,
            sample_types: p.sample_types.iter().map(|t| t.name.clone()).collect(),
            function: state.function.clone(),
            callers: up,
            callees: down,
        })
    }

    /// The leak suspects of every series of snapshots, with the view's
    /// sample type and granularity where a series has them.
    pub fn trend(&mut self, state: &ViewState) -> Result<TrendView> {
        self.ensure_evidence(state.limit);
        let granularity = match state.g.as_str() {
            "" => Granularity::Functions,
            g => Granularity::parse(g)?,
        };
        let Some(c) = &self.evidence else {
            return Err(Error::invalid_option("no profile loaded"));
        };
        let e = &c.evidence;
        let inputs = self.profile_inputs();
        // The series of the processes that leak most first, then those
        // tied to no process; past MAX_TREND_SERIES, counted (each is a
        // trend to make and a table to draw).
        let rank = |g: &SnapshotGroup| match (g.process, e.analysis.as_ref()) {
            (Some(p), Some(a)) => a.processes[p].rank,
            _ => usize::MAX,
        };
        let mut series: Vec<&SnapshotGroup> =
            e.groups.iter().filter(|g| g.files.len() >= 2).collect();
        series.sort_stable_by_key(|g| rank(g));
        let mut notes = Vec::new();
        if series.len() > MAX_TREND_SERIES {
            notes.push(format!(
                "{} more series of snapshots not shown: the Trend view shows the first {MAX_TREND_SERIES}, by their process's rank (`leakscope analyze` lists them all)",
                series.len() - MAX_TREND_SERIES
            ));
        }
        let mut groups = Vec::new();
        for g in series.into_iter().take(MAX_TREND_SERIES) {
            let members = e.profiles_of(g, &inputs);
            let has = |t: &str| {
                members
                    .first()
                    .is_some_and(|p| p.profile.sample_types.iter().any(|s| s.name == t))
            };
            let options = TrendOptions {
                sample_index: if has(&state.si) {
                    state.si.clone()
                } else {
                    String::new()
                },
                granularity,
            };
            let (report, error) = match e.group_trend(g, &members, &options) {
                Ok(r) => (Some(r), None),
                Err(err) => (None, Some(err.message)),
            };
            groups.push(TrendGroupView {
                title: group_title(e, g),
                tie: group_tie(e, g),
                table: report.as_ref().map(trend_table),
                report,
                error,
            });
        }
        if groups.is_empty() {
            // Only single snapshots: no trend, but whose each one is (or
            // why it is no one's), which the Overview says only of a
            // series it makes a card for.
            let singles: Vec<&SnapshotGroup> =
                e.groups.iter().filter(|g| g.files.len() == 1).collect();
            if singles.is_empty() {
                return Err(Error::invalid_option(NO_TREND));
            }
            for g in singles.iter().take(LISTED) {
                groups.push(TrendGroupView {
                    title: group_title(e, g),
                    tie: group_tie(e, g),
                    table: None,
                    report: None,
                    error: Some(format!("one snapshot: no trend; {NO_TREND}")),
                });
            }
            if singles.len() > LISTED {
                notes.push(format!(
                    "{} more single snapshots, each the only one of its kind, process and life, not shown",
                    singles.len() - LISTED
                ));
            }
        }
        Ok(TrendView { groups, notes })
    }

    fn profile_names(&self) -> Vec<String> {
        self.profiles().iter().map(|(n, _)| n.to_string()).collect()
    }
}

/// The most series of snapshots the Trend view shows.
const MAX_TREND_SERIES: usize = 20;

/// Why the Trend view has no table.
const NO_TREND: &str =
    "trend needs at least two snapshots of one kind (heap, goroutine) of one process to see growth";

/// A series of snapshots' heading: `Heap snapshots of {instance="…"}`,
/// `Goroutine profile of leaksvc`.
fn group_title(e: &Evidence, g: &SnapshotGroup) -> String {
    let whose = match (g.process, e.analysis.as_ref()) {
        (Some(p), Some(a)) => who(&a.processes[p].labels),
        _ => String::new(),
    };
    let plural = plural_s(g.files.len() as u64);
    let kind = match g.kind.name() {
        "heap" => format!("Heap snapshot{plural}"),
        k => format!("{}{} profile{plural}", k[..1].to_uppercase(), &k[1..]),
    };
    match (whose.is_empty(), g.program.as_deref()) {
        (false, _) => format!("{kind} of {whose}"),
        (true, Some(prog)) => format!("{kind} of {prog}"),
        (true, None) => kind,
    }
}

/// Whose a series of snapshots is and why (its first snapshot's tie),
/// with its notes.
fn group_tie(e: &Evidence, g: &SnapshotGroup) -> String {
    let mut tie = e.first_of(g).map(|s| s.tie.clone()).unwrap_or_default();
    for n in g.notes.iter().chain(&g.catching_up) {
        tie.push_str("; ");
        tie.push_str(n);
    }
    tie
}

/// A file named like source code: kept as source unless it reads as an
/// input (sources are small: read whole).
fn source_or_input(name: &str, reader: impl Read, options: &ImportOptions) -> Result<Content> {
    let mut all = Vec::new();
    reader
        .take(options.max_inflated_bytes)
        .read_to_end(&mut all)
        .map_err(|e| Error::malformed(format!("reading {name} failed: {e}")))?;
    match read_from(&all[..], options) {
        Ok(input) => input_content(input),
        Err(_) => Ok(Content::Source(
            String::from_utf8_lossy(&all)
                .lines()
                .map(str::to_string)
                .collect(),
        )),
    }
}

fn input_content(input: Input) -> Result<Content> {
    Ok(match input {
        Input::Profile(p) => Content::Profile(Box::new(prepare(vec![*p], None)?)),
        Input::Series(s) => Content::Metrics(s),
    })
}

fn describe(f: &Loaded) -> FileInfo {
    let (kind, detail, time, warnings) = match &f.content {
        Content::Profile(p) => {
            let types: Vec<&str> = p.sample_types.iter().map(|t| t.name.as_str()).collect();
            let time = (p.time_nanos > 0).then(|| gotime::report_time(p.time_nanos));
            (
                "profile",
                format!(
                    "{} ({})",
                    types.join(", "),
                    counted(p.samples.len() as u64, "sample")
                ),
                time,
                Vec::new(),
            )
        }
        Content::Metrics(m) => {
            let input = m.inputs.first();
            let kind = if !m.series.is_empty() {
                "metrics"
            } else if !m.containers.is_empty() {
                "kubernetes"
            } else if !m.oom_kills.is_empty() {
                "oom-log"
            } else {
                "metrics"
            };
            let detail = input.map_or(String::new(), |i| match kind {
                "kubernetes" => format!(
                    "{}, {}, {}",
                    i.format,
                    counted(i.containers as u64, "container"),
                    counted(i.oom_kills as u64, "OOM kill")
                ),
                "oom-log" => format!("{}, {}", i.format, counted(i.oom_kills as u64, "OOM kill")),
                _ => format!(
                    "{}, {} series, {}",
                    i.format,
                    i.series,
                    counted(i.points as u64, "point")
                ),
            });
            (
                kind,
                detail,
                None,
                input.map(|i| i.warnings.clone()).unwrap_or_default(),
            )
        }
        Content::Source(lines) => (
            "source",
            counted(lines.len() as u64, "line"),
            None,
            Vec::new(),
        ),
    };
    FileInfo {
        id: f.id,
        name: f.name.clone(),
        kind,
        detail,
        time,
        size: units::label(f.size as i64, "bytes"),
        warnings,
    }
}

/// The page's width for the view (pixels), 1200 when not given.
fn view_width(state: &ViewState) -> f64 {
    if state.width == 0 {
        1200.0
    } else {
        state.width.clamp(100, 10_000) as f64
    }
}

fn chart_options(state: &ViewState) -> ChartOptions {
    ChartOptions {
        width: if state.width == 0 {
            900
        } else {
            state.width.clamp(320, 4000)
        },
        height: 300,
        dark: state.dark,
        from: state.from,
        to: state.to,
        hidden: state.hidden.clone(),
    }
}

fn report_options(state: &ViewState) -> Result<ReportOptions> {
    Ok(ReportOptions {
        sample_index: state.si.clone(),
        granularity: match state.g.as_str() {
            "" => Granularity::Functions,
            g => Granularity::parse(g)?,
        },
        filters: Filters {
            focus: state.f.clone(),
            ignore: state.i.clone(),
            hide: state.h.clone(),
            show: state.s.clone(),
            ..Filters::default()
        },
        sort: if state.sort == "cum" {
            SortOrder::Cum
        } else {
            SortOrder::Flat
        },
        ..ReportOptions::default()
    })
}

/// Dropped source files, found by path suffix: a profile names
/// `/home/ci/src/app/main.go`; the user drops `main.go` or `app/main.go`.
struct Sources<'a>(&'a [Loaded]);

impl SourceFiles for Sources<'_> {
    fn lines(&self, file: &str) -> Option<Vec<String>> {
        let wanted: Vec<&str> = file.split('/').filter(|c| !c.is_empty()).collect();
        self.0
            .iter()
            .filter_map(|f| match &f.content {
                Content::Source(lines) => {
                    let have: Vec<&str> = f.name.split('/').filter(|c| !c.is_empty()).collect();
                    let common = have
                        .iter()
                        .rev()
                        .zip(wanted.iter().rev())
                        .take_while(|(a, b)| a == b)
                        .count();
                    (common > 0 && common == have.len().min(wanted.len()))
                        .then_some((common, lines))
                }
                _ => None,
            })
            .max_by_key(|(common, _)| *common)
            .map(|(_, lines)| lines.clone())
    }
}

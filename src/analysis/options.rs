//! Report options, with pprof's names, meanings and defaults.

use crate::analysis::nodes::{Aggregation, PathOptions};
use crate::error::{Error, Result};

/// How finely frames are grouped into report nodes (pprof's granularity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One node per function (pprof's default).
    #[default]
    Functions,
    /// One node per function and source file.
    Filefunctions,
    /// One node per source file.
    Files,
    /// One node per source line.
    Lines,
    /// One node per program address.
    Addresses,
}

impl Granularity {
    pub const NAMES: [&'static str; 5] =
        ["functions", "filefunctions", "files", "lines", "addresses"];

    /// The granularity's name, as pprof spells it.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "functions" => Granularity::Functions,
            "filefunctions" => Granularity::Filefunctions,
            "files" => Granularity::Files,
            "lines" => Granularity::Lines,
            "addresses" => Granularity::Addresses,
            _ => {
                return Err(Error::invalid_option(format!(
                    "unknown granularity {s:?}: use one of {}",
                    Self::NAMES.join(", ")
                )))
            }
        })
    }
}

/// Sample filters (pprof's focus, ignore, hide, show, show_from, tagfocus,
/// tagignore). Each is a regular expression; empty means unset.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filters {
    /// Keep only samples with a frame matching this (function, file or binary).
    pub focus: String,
    /// Drop samples with a frame matching this.
    pub ignore: String,
    /// Remove matching frames from the stacks (the samples stay).
    pub hide: String,
    /// Keep only matching frames in the stacks.
    pub show: String,
    /// Drop the frames above the highest (root-most) matching frame.
    pub show_from: String,
    /// Keep samples whose labels match: `key=regex`, `regex` on `key:value`,
    /// or a numeric range like `bytes=1kb:64kb`.
    pub tag_focus: String,
    /// Drop samples whose labels match (same syntax as `tag_focus`).
    pub tag_ignore: String,
}

impl Filters {
    /// The filters that are set, as pprof lists them (`focus=Track`).
    pub fn active(&self) -> Vec<String> {
        [
            ("focus", &self.focus),
            ("ignore", &self.ignore),
            ("hide", &self.hide),
            ("show", &self.show),
            ("show_from", &self.show_from),
            ("tagfocus", &self.tag_focus),
            ("tagignore", &self.tag_ignore),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
    }
}

/// Which value of a node ranks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// By flat value (pprof's default).
    #[default]
    Flat,
    /// By cumulative value (pprof's `-cum`).
    Cum,
}

/// Options of the graph-based reports (top, graph). Defaults are pprof's.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ReportOptions {
    /// Sample type by name or index; empty: the profile's default type, else
    /// the last type (so `inuse_space` for Go heap profiles).
    pub sample_index: String,
    /// Grouping of frames into nodes; default functions.
    pub granularity: Granularity,
    pub filters: Filters,
    /// Show at most this many nodes (0: no limit). pprof: 0 for top, 80 for graphs.
    pub node_count: usize,
    /// Drop nodes whose |cum| is below this share of the total (default 0.005).
    pub node_fraction: f64,
    /// Drop edges whose |weight| is below this share of the total (default 0.001).
    pub edge_fraction: f64,
    pub sort: SortOrder,
    /// Unit to print values in: `minimum` (default: chosen from the values),
    /// or a unit such as `MB`, `ms`, `bytes`.
    pub unit: String,
    /// Attribute inlined frames to the function they were inlined into.
    pub no_inlines: bool,
    /// Drop nodes whose values are negative (diffs).
    pub drop_negative: bool,
    /// Path prefixes to trim from source file names (`:`-separated).
    pub trim_path: String,
    /// Where source files are searched (affects file-name trimming, as in pprof).
    pub source_path: String,
}

impl ReportOptions {
    /// How file names are trimmed for node names.
    pub fn paths(&self) -> PathOptions {
        PathOptions {
            trim_path: self.trim_path.clone(),
            source_path: self.source_path.clone(),
        }
    }

    /// How frames are grouped into nodes.
    pub fn aggregation(&self) -> Aggregation {
        Aggregation::new(self.granularity, self.no_inlines)
    }
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            sample_index: String::new(),
            granularity: Granularity::Functions,
            filters: Filters::default(),
            node_count: 0,
            node_fraction: 0.005,
            edge_fraction: 0.001,
            sort: SortOrder::Flat,
            unit: "minimum".to_string(),
            no_inlines: false,
            drop_negative: false,
            trim_path: String::new(),
            source_path: String::new(),
        }
    }
}

impl ReportOptions {
    /// Every node, unpruned: what the exact oracles and JSON output use.
    pub fn exact() -> Self {
        ReportOptions {
            node_fraction: 0.0,
            edge_fraction: 0.0,
            ..Default::default()
        }
    }
}

/// Bytes a name regex may compile to (the regex crate's `size_limit`,
/// whose own default is 10 MiB). Filters name functions
/// (`main\.Track|sync`); a pattern past this is a large class repeated
/// (Unicode `\w` alone compiles to ~45 kB, so `(\w){100}` to megabytes),
/// and matching costs its size times each name's length.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The steps a name regex may take on a profile, counted before it runs
/// as its NFA's states times the bytes of the distinct names it is
/// matched on (each name is matched once): the worst case of the
/// engines that run when the lazy DFA gives up, and in the page always
/// (the bounded backtracker). About 2 s natively at worst; a name filter
/// on a 20,000-function profile takes under 1% of it.
pub const REGEX_STEPS: u64 = 2_000_000_000;

/// A regex matched against names (functions, files, binaries), compiled
/// under [`REGEX_SIZE_LIMIT`] and priced by its NFA's states.
pub struct NameRegex {
    pub regex: regex::Regex,
    states: u64,
}

impl NameRegex {
    /// Compiles `pattern` for option `what`; `shown` is the pattern as
    /// the person wrote it (the profile's `drop_frames` is anchored).
    pub fn new(what: &str, pattern: &str, shown: &str) -> Result<NameRegex> {
        let syntax = regex_automata::util::syntax::Config::new();
        let nfa = regex_automata::nfa::thompson::Compiler::new()
            .syntax(syntax)
            .configure(
                regex_automata::nfa::thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)),
            )
            .build(pattern);
        let too_big = || {
            Error::limit(format!(
                "{what} regexp {} is too complex: it compiles to over {} kB (a class like \\w repeated?)",
                quote(shown),
                REGEX_SIZE_LIMIT >> 10
            ))
        };
        let states = match nfa {
            Ok(nfa) => nfa.states().len() as u64,
            Err(e) if e.size_limit().is_some() => return Err(too_big()),
            // The regex crate says what is wrong with it.
            Err(_) => 0,
        };
        let regex = regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => too_big(),
                e => Error::bad_regex(what, shown, &e),
            })?;
        Ok(NameRegex { regex, states })
    }

    /// Refuses to match names of `bytes` bytes in all (each distinct name
    /// once) when that could take more than [`REGEX_STEPS`].
    pub fn afford(&self, what: &str, shown: &str, names: usize, bytes: u64) -> Result<()> {
        let steps = self
            .states
            .saturating_mul(bytes.saturating_add(names as u64));
        if steps <= REGEX_STEPS {
            return Ok(());
        }
        Err(Error::limit(format!(
            "{what} regexp {} is too costly on {names} names ({} MB): up to {} G steps, over the {} G budget ([A-Za-z0-9_] is cheaper than \\w)",
            quote(shown),
            bytes >> 20,
            steps / 1_000_000_000,
            REGEX_STEPS / 1_000_000_000
        )))
    }
}

/// A pattern quoted in an error, cut to 60 characters (a pattern may
/// come from a file or a link).
fn quote(pattern: &str) -> String {
    let cut: String = pattern.chars().take(60).collect();
    if cut.len() < pattern.len() {
        format!("{:?}…", cut)
    } else {
        format!("{pattern:?}")
    }
}

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

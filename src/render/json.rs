//! The CLI's JSON shapes: a stable interface that scripts depend on.
//! Values are integers in the sample type's own unit.

use crate::analysis::top::{TopReport, TopRow};

/// `leakscope top --format json`.
#[derive(Debug, serde::Serialize)]
pub struct TopJson<'a> {
    pub sample_type: &'a str,
    pub unit: &'a str,
    pub total: i64,
    /// The main binary's name, when the profile says.
    pub file: Option<&'a str>,
    /// When the profile was taken (ISO 8601, UTC).
    pub time: Option<String>,
    pub filters: &'a [String],
    pub warnings: &'a [String],
    pub dropped_nodes: usize,
    pub rows: &'a [TopRow],
}

pub fn top(r: &TopReport) -> TopJson<'_> {
    let c = &r.context;
    TopJson {
        sample_type: &c.sample_type,
        unit: &c.unit,
        total: c.total,
        file: c.file.as_deref(),
        time: c.time.clone(),
        filters: &c.filters,
        warnings: &c.warnings,
        dropped_nodes: r.dropped_nodes,
        rows: &r.rows,
    }
}

/// `leakscope analyze --format json`: the analysis of the metrics
/// (`inputs`, `series`, `processes`, `unplaced_oom_kills`, `warnings`),
/// and, when profiles were given, `snapshots` (each one's kind, program,
/// time, process and why) and `snapshot_series` (each series of
/// snapshots with its trend).
#[derive(Debug, serde::Serialize)]
pub struct AnalyzeReport<'a> {
    #[serde(flatten)]
    pub analysis: &'a crate::analysis::leak::Analysis,
    pub snapshots: &'a [crate::analysis::evidence::Snapshot],
    pub snapshot_series: &'a [crate::analysis::evidence::SnapshotGroup],
}

impl<'a> AnalyzeReport<'a> {
    /// The report of joined evidence that has an analysis.
    pub fn new(evidence: &'a crate::analysis::evidence::Evidence) -> Option<Self> {
        Some(AnalyzeReport {
            analysis: evidence.analysis.as_ref()?,
            snapshots: &evidence.snapshots,
            snapshot_series: &evidence.groups,
        })
    }
}

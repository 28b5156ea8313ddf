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

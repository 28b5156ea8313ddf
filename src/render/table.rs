//! Reports as display-ready tables for the page: every number already
//! formatted (the JS shell formats nothing), raw values kept for sorting.

use crate::analysis::top::TopReport;
use crate::units::percentage;

use super::text::top_labels;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopTable {
    /// pprof's header lines (File, Type, Time, Showing nodes...).
    pub header: Vec<String>,
    pub sample_type: String,
    pub unit: String,
    pub total: i64,
    pub total_text: String,
    pub warnings: Vec<String>,
    pub rows: Vec<TopTableRow>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopTableRow {
    pub name: String,
    /// `(inline)`, `(partial-inline)` or empty.
    pub inline_label: &'static str,
    pub flat: i64,
    pub cum: i64,
    pub flat_text: String,
    pub flat_percent: String,
    pub sum_percent: String,
    pub cum_text: String,
    pub cum_percent: String,
}

pub fn top_table(r: &TopReport) -> TopTable {
    let c = &r.context;
    let mut sum = 0i64;
    let rows = r
        .rows
        .iter()
        .map(|row| {
            sum = sum.wrapping_add(row.flat);
            TopTableRow {
                name: row.name.clone(),
                inline_label: if row.inline {
                    "(inline)"
                } else if row.partial_inline {
                    "(partial-inline)"
                } else {
                    ""
                },
                flat: row.flat,
                cum: row.cum,
                flat_text: c.format(row.flat),
                flat_percent: percentage(row.flat, c.total).trim().to_string(),
                sum_percent: percentage(sum, c.total).trim().to_string(),
                cum_text: c.format(row.cum),
                cum_percent: percentage(row.cum, c.total).trim().to_string(),
            }
        })
        .collect();
    TopTable {
        header: top_labels(r),
        sample_type: c.sample_type.clone(),
        unit: c.unit.clone(),
        total: c.total,
        total_text: c.format(c.total),
        warnings: c.warnings.clone(),
        rows,
    }
}

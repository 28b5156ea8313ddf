//! What every report shares: the sample type read, the total that
//! percentages refer to, the unit values are printed in, and the header
//! facts pprof prints above a report.

use crate::model::merge::is_diff_base;
use crate::model::Profile;
use crate::units;

use super::filter::View;
use super::graph::Graph;
use super::nodes::base_name;

/// Header facts of a report (pprof's profile labels), as data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportContext {
    /// Base name of the main binary (the first mapping), if known.
    pub file: Option<String>,
    pub build_id: Option<String>,
    /// Profile comments (those not starting with `#`).
    pub comments: Vec<String>,
    /// The sample type reported, e.g. `inuse_space`.
    pub sample_type: String,
    /// The unit of its values, e.g. `bytes`.
    pub unit: String,
    /// The unit values are printed in (e.g. `MB`).
    pub output_unit: String,
    /// When the profile was taken, in nanoseconds since 1970 (0: unknown).
    #[serde(skip)]
    pub time_nanos: i64,
    /// The same as ISO 8601 (UTC), for JSON and JavaScript.
    pub time: Option<String>,
    pub duration_nanos: i64,
    /// The sum of |value| over all samples (of the diff base's samples with
    /// `diff_base`): what percentages are of. Filters do not change it.
    pub total: i64,
    /// Active filters, as `focus=regex`.
    pub filters: Vec<String>,
    /// Messages about filters that matched nothing.
    pub warnings: Vec<String>,
}

/// The profiled executable's base name, from the main (first) mapping:
/// pprof's `File:` header, and what tells one program's profiles from
/// another's.
pub fn main_binary(p: &Profile) -> Option<&str> {
    p.mappings
        .first()
        .filter(|m| !m.file.is_empty())
        .map(|m| base_name(&m.file))
}

impl ReportContext {
    pub fn new(p: &Profile, sample_type: usize, view: &View, filters: Vec<String>) -> Self {
        let st = &p.sample_types[sample_type];
        let first = p.mappings.first();
        ReportContext {
            file: main_binary(p).map(str::to_string),
            build_id: first
                .filter(|m| !m.build_id.is_empty())
                .map(|m| m.build_id.clone()),
            comments: p
                .comments
                .iter()
                .filter(|c| !c.starts_with('#'))
                .cloned()
                .collect(),
            sample_type: st.name.clone(),
            unit: st.unit.clone(),
            output_unit: String::new(),
            time_nanos: p.time_nanos,
            time: (p.time_nanos != 0).then(|| crate::render::gotime::iso8601(p.time_nanos)),
            duration_nanos: p.duration_nanos,
            total: total(p, sample_type),
            filters,
            warnings: view.warnings.clone(),
        }
    }

    /// A value in the report's output unit: `408.97MB`.
    pub fn format(&self, value: i64) -> String {
        units::scaled_label(value, &self.unit, &self.output_unit)
    }

    /// Chooses the output unit as pprof does when asked for `minimum`: the
    /// unit of the smallest non-zero node value, unless that is 100 times
    /// smaller than the total, then the unit that shows it as ≥ 0.01.
    pub fn choose_output_unit(&mut self, requested: &str, graph: &Graph) {
        self.output_unit = requested.to_string();
        if requested != "minimum" || graph.nodes.is_empty() {
            return;
        }
        let mut min_value = 0i64;
        for &n in &graph.nodes {
            let mut v = graph.flat[n as usize].wrapping_abs();
            if v == 0 {
                v = graph.cum[n as usize].wrapping_abs();
            }
            if v > 0 && (min_value == 0 || v < min_value) {
                min_value = v;
            }
        }
        let max_value = self.total;
        if min_value == 0 {
            min_value = max_value;
        }
        let (_, min_unit) = units::scale(min_value, &self.unit, "minimum");
        let (_, max_unit) = units::scale(max_value, &self.unit, "minimum");
        let mut unit = min_unit.clone();
        if min_unit != max_unit && min_value.saturating_mul(100) < max_value {
            unit = units::scale(min_value.saturating_mul(100), &self.unit, "minimum").1;
        }
        self.output_unit = if unit.is_empty() {
            self.unit.clone()
        } else {
            unit
        };
    }
}

/// pprof's `computeTotal`: the sum of |value|; when the profile holds
/// diff-base samples, the sum over those only.
pub fn total(p: &Profile, sample_type: usize) -> i64 {
    let s = &p.samples;
    let base_sets: Vec<bool> = s.label_sets().iter().map(is_diff_base).collect();
    let (mut total, mut base_total) = (0i64, 0i64);
    for i in 0..s.len() {
        let v = s.value(i, sample_type).wrapping_abs();
        total = total.wrapping_add(v);
        if base_sets[s.label_set_id(i) as usize] {
            base_total = base_total.wrapping_add(v);
        }
    }
    if base_total > 0 {
        base_total
    } else {
        total
    }
}

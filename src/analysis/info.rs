//! `info`: what a profile is, before any report.

use crate::model::{Profile, ValueType};
use crate::render::gotime;

use super::report::total;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProfileInfo {
    /// Base name of the main binary, when the profile names it.
    pub binary: Option<String>,
    pub sample_types: Vec<SampleTypeInfo>,
    /// The sample type reports show by default.
    pub default_sample_type: String,
    pub samples: usize,
    pub locations: usize,
    pub functions: usize,
    pub mappings: usize,
    /// When the profile was taken (ISO 8601, UTC, to the nanosecond), if
    /// it says. (Not as nanoseconds since 1970: JavaScript numbers cannot
    /// hold them exactly.)
    pub time: Option<String>,
    pub duration_nanos: i64,
    pub period_type: ValueType,
    pub period: i64,
    pub comments: Vec<String>,
    pub drop_frames: String,
    pub keep_frames: String,
    pub doc_url: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SampleTypeInfo {
    #[serde(rename = "type")]
    pub name: String,
    pub unit: String,
    /// Sum of |value| over all samples.
    pub total: i64,
}

pub fn info(p: &Profile) -> ProfileInfo {
    let default = p
        .sample_type_index("")
        .map(|i| p.sample_types[i].name.clone())
        .unwrap_or_default();
    ProfileInfo {
        binary: p
            .mappings
            .first()
            .filter(|m| !m.file.is_empty())
            .map(|m| super::nodes::base_name(&m.file).to_string()),
        sample_types: p
            .sample_types
            .iter()
            .enumerate()
            .map(|(i, t)| SampleTypeInfo {
                name: t.name.clone(),
                unit: t.unit.clone(),
                total: total(p, i),
            })
            .collect(),
        default_sample_type: default,
        samples: p.samples.len(),
        locations: p.locations.len(),
        functions: p.functions.len(),
        mappings: p.mappings.len(),
        time: (p.time_nanos != 0).then(|| gotime::iso8601(p.time_nanos)),
        duration_nanos: p.duration_nanos,
        period_type: p.period_type.clone(),
        period: p.period,
        comments: p.comments.clone(),
        drop_frames: p.drop_frames.clone(),
        keep_frames: p.keep_frames.clone(),
        doc_url: p.doc_url.clone(),
    }
}

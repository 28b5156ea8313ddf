//! `traces`: every sample with its labels and its stack, as
//! `go tool pprof -traces` prints them.

use crate::error::Result;
use crate::model::Profile;

use super::filter::{self, num_label_units};
use super::nodes::{Aggregation, NodeTable, PathOptions};
use super::options::ReportOptions;
use super::report::ReportContext;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TracesReport {
    pub context: ReportContext,
    pub traces: Vec<Trace>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Trace {
    /// The sample's value of the chosen sample type.
    pub value: i64,
    /// String labels as (key, values), keys sorted.
    pub labels: Vec<(String, Vec<String>)>,
    /// Numeric labels as (key, values, unit of the key).
    pub numeric_labels: Vec<(String, Vec<i64>, String)>,
    /// Frames, leaf first.
    pub frames: Vec<TraceFrame>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TraceFrame {
    pub name: String,
    /// This frame was inlined into the next one.
    pub inline: bool,
}

pub fn traces(p: &Profile, options: &ReportOptions) -> Result<TracesReport> {
    let sample_type = p.sample_type_index(&options.sample_index)?;
    let view = filter::apply(p, &options.filters)?;
    let mut context = ReportContext::new(p, sample_type, &view, options.filters.active());
    context.output_unit = options.unit.clone();
    let table = NodeTable::build(
        &view,
        Aggregation::new(options.granularity, options.no_inlines),
        &PathOptions::default(),
    );
    let names: Vec<String> = table.infos.iter().map(|i| i.printable_name()).collect();
    let units = num_label_units(p);
    let mut traces = Vec::new();
    for k in 0..view.len() {
        let mut frames = Vec::new();
        for loc in view.stack(k) {
            let nodes = table.of_location(loc);
            for (i, &n) in nodes.iter().enumerate() {
                frames.push(TraceFrame {
                    name: names[n as usize].clone(),
                    inline: i != nodes.len() - 1,
                });
            }
        }
        if frames.is_empty() {
            continue;
        }
        let s = view.sample(k);
        let labels = p.samples.labels(s);
        traces.push(Trace {
            value: p.samples.value(s, sample_type),
            labels: labels.strings.clone(),
            numeric_labels: labels
                .numbers
                .iter()
                .map(|n| {
                    let unit = units
                        .iter()
                        .find(|(key, _)| *key == n.key)
                        .map_or(String::new(), |(_, u)| u.clone());
                    (n.key.clone(), n.values.clone(), unit)
                })
                .collect(),
            frames,
        });
    }
    Ok(TracesReport { context, traces })
}

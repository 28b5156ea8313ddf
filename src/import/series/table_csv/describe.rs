//! The report's line for each column of a plain CSV table: what its
//! times, keys and values were read as, and what was assumed.

use crate::model::series::{InputReport, Series};

use super::layout::Layout;
use crate::import::series::csv_columns::{Measure, What};
use crate::import::series::values::TimeFormat;

/// The series read, what each measures, and its value column.
pub(super) struct Read<'a> {
    pub series: &'a [Series],
    pub measures: &'a [Measure],
    pub columns: &'a [usize],
}

/// One report line a column: what its times, keys and values were read
/// as, and what was assumed.
pub(super) fn describe_columns(
    header: &[String],
    layout: &Layout,
    read: &Read,
    format: TimeFormat,
    zone: Option<String>,
    report: &mut InputReport,
) {
    let time_how = match format {
        TimeFormat::EpochSeconds => "epoch seconds (by magnitude)".to_string(),
        TimeFormat::EpochMillis => "epoch milliseconds (by magnitude)".to_string(),
        TimeFormat::EpochMicros => "epoch microseconds (by magnitude)".to_string(),
        TimeFormat::EpochNanos => "epoch nanoseconds (by magnitude)".to_string(),
        f if f.zoneless() => format!("{} in {}", f.describe(), zone.unwrap_or_default()),
        f => f.describe().to_string(),
    };
    let mut lines = Vec::new();
    let (time_columns, value_columns) = (layout.time_columns(), layout.value_columns());
    let key_columns = match layout {
        Layout::Long { keys, .. } => keys.clone(),
        _ => Vec::new(),
    };
    let times: Vec<String> = time_columns
        .iter()
        .map(|&t| format!("{:?}", header[t]))
        .collect();
    lines.push(format!(
        "column {}: time, {time_how}",
        if times.len() > 3 {
            format!("{} (×{})", times[0], times.len())
        } else {
            times.join(", ")
        }
    ));
    if !key_columns.is_empty() {
        let sample = read
            .series
            .first()
            .map(|s| s.labels.clone())
            .unwrap_or_default();
        let names: Vec<String> = key_columns
            .iter()
            .map(|(i, _)| format!("{:?}", header[*i]))
            .collect();
        let keys: Vec<&str> = sample.iter().map(|(k, _)| k.as_str()).collect();
        lines.push(format!(
            "column {}: name the series (labels {}), {} series",
            names.join(", "),
            keys.join(", "),
            read.series.iter().filter(|s| !s.is_empty()).count()
        ));
    }
    for v in value_columns {
        let h = &header[v];
        // The first series of the column tells how it was read.
        let Some(i) = read.columns.iter().position(|&c| c == v) else {
            lines.push(format!("column {h:?}: no number read"));
            continue;
        };
        let (m, series) = (&read.measures[i], read.series);
        let unit = match (m.unit, m.unit_given) {
            ("", _) => "no unit".to_string(),
            (u, true) => format!("in {u} (from the header)"),
            (u, false) => format!("in {u} (assumed: no unit in the header)"),
        };
        let what = match m.what {
            What::Memory if m.factor != 1.0 => format!("memory {unit}, read as bytes"),
            What::Memory => format!("memory {unit}"),
            What::Requests if series[i].name.ends_with("_total") => {
                "requests, a counter (its values only grow)".to_string()
            }
            What::Requests => "requests, not a counter (not used as work done)".to_string(),
            What::Other => format!("other (not memory or requests), {unit}"),
        };
        lines.push(format!("column {h:?}: {what}; named {}", series[i].name));
    }
    // Said first: how the file was read, before what was skipped.
    let skipped = std::mem::take(&mut report.warnings);
    report.warnings = lines;
    report.warnings.extend(skipped);
}

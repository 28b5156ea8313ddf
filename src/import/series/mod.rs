//! Metric exports: one module per format, dispatched by [`read_text`].

mod csv_columns;
mod csv_rows;
pub mod grafana_csv;
pub mod kube;
pub mod oom;
pub mod prom_json;
pub mod prom_text;
pub mod table_csv;
pub mod values;

use crate::error::{Error, Result};
use crate::model::series::{InputReport, Series, SeriesSet};

use crate::import::ImportOptions;

/// Reads decoded text as a metrics export or an OOM log, whichever it is;
/// times written without a zone are in `zone`. `None`: the text is none of
/// the formats (the caller may try others).
pub fn read_text(text: &str, encoding: &str, options: &ImportOptions) -> Option<Result<SeriesSet>> {
    let mut report = InputReport {
        encoding: encoding.to_string(),
        ..Default::default()
    };
    let zone = options.zone();
    let mut set = SeriesSet::default();
    let lines = || crate::import::check_line_length(text.as_bytes(), options);
    // Any other CSV table of numbers, unless another reader's marks are
    // in it (a log line naming an OOM kill, an exposition sample).
    let table = table_csv::sniff(text)
        && !prom_json::sniff(text)
        && !prom_text::sniff(text)
        && !oom::sniff(text);
    // A `Time`-first table with a column of names (`time,pid,name,rss`)
    // is a long table: Grafana's downloads hold only numbers.
    let grafana = grafana_csv::sniff(text)
        && !(table && !text.trim_start().starts_with("sep=") && table_csv::has_name_column(text));
    // kubectl output first: its `Priority:  0` line is a valid exposition
    // sample, and tools print JSON before it.
    let result = if let Some(start) = kube::describe_start(text) {
        let (containers, kills) = kube::parse_describe(text, start, &mut report);
        set.containers = containers;
        set.oom_kills = kills;
        Ok(())
    } else if kube::sniff_json(text) {
        kube::parse_json(text, &mut report).map(|(containers, kills)| {
            set.containers = containers;
            set.oom_kills = kills;
        })
    } else if kube::sniff_yaml(text) {
        Err(kube::yaml_error())
    } else if grafana {
        lines().and_then(|()| {
            grafana_csv::parse(text, &mut report, zone, options.max_csv_columns)
                .map(|s| set.series = s)
        })
    } else if table {
        lines().and_then(|()| {
            table_csv::parse(text, &mut report, zone, options.max_csv_columns)
                .map(|s| set.series = s)
        })
    } else if prom_json::sniff(text) {
        prom_json::check_depth(text, options.max_json_depth)
            .and_then(|()| prom_json::parse(text, &mut report).map(|s| set.series = s))
    } else if oom::sniff(text) && !prom_text::sniff(text) {
        lines().and_then(|()| oom::parse(text, &mut report, zone).map(|k| set.oom_kills = k))
    } else if prom_text::sniff(text) {
        lines().and_then(|()| prom_text::parse(text, &mut report).map(|s| set.series = s))
    } else {
        return None;
    };
    Some(result.map(|()| {
        for s in &mut set.series {
            drop_implausible_times(s, &mut report);
        }
        set.series.retain(|s| !s.is_empty());
        for s in &mut set.series {
            sort_points(s, &mut report);
        }
        report.series = set.series.len();
        report.points = set.series.iter().map(|s| s.len()).sum();
        report.oom_kills = set.oom_kills.len();
        report.containers = set.containers.len();
        set.inputs.push(report);
        set
    }))
}

/// Leaves out the points whose time no measurement can have (see
/// [`values::plausible_time`]; the CSV readers skip such rows themselves,
/// Prometheus JSON and text times arrive here), and says how many.
fn drop_implausible_times(s: &mut Series, report: &mut InputReport) {
    let Some(first) = s.times.iter().position(|&t| !values::plausible_time(t)) else {
        return;
    };
    let example = s.times[first];
    let before = s.times.len();
    let (times, values): (Vec<f64>, Vec<f64>) = s
        .times
        .iter()
        .zip(&s.values)
        .filter(|(&t, _)| values::plausible_time(t))
        .unzip();
    (s.times, s.values) = (times, values);
    let dropped = before - s.times.len();
    report.warnings.push(crate::error::one_line(&format!(
        "{}: {} at a time no measurement has (the first at {example:e} s: after the year 5138 \
         or before 1199 BC) left out",
        crate::error::quote(&s.display),
        crate::words::counted(dropped as u64, "point"),
    )));
}

/// Sorts a series' points by time; points at a time the series already
/// has are merged into one (the last value kept), and the report says how
/// many, so 5,000 rows of one time do not become one point unremarked.
pub(crate) fn sort_points(s: &mut Series, report: &mut InputReport) {
    let merged = s.sort_points();
    if merged > 0 {
        let rows = if merged == 1 {
            "row repeats"
        } else {
            "rows repeat"
        };
        report.warnings.push(crate::error::one_line(&format!(
            "{}: {merged} {rows} a time already read: merged into the point of that time \
             (the last value kept)",
            crate::error::quote(&s.display)
        )));
    }
}

/// Collects skipped-row warnings, listing the first few with their lines.
#[derive(Default)]
pub(crate) struct Warnings {
    listed: usize,
    more: usize,
}

impl Warnings {
    const LISTED: usize = 20;

    /// A row was skipped: count it and say why.
    pub fn skip(&mut self, report: &mut InputReport, line: usize, why: &str) {
        report.skipped_rows += 1;
        self.note(report, &format!("line {line} skipped: {why}"));
    }

    pub fn note(&mut self, report: &mut InputReport, text: &str) {
        if self.listed < Self::LISTED {
            report.warnings.push(text.to_string());
            self.listed += 1;
        } else {
            self.more += 1;
        }
    }

    pub fn finish(&self, report: &mut InputReport) {
        if self.more > 0 {
            report
                .warnings
                .push(format!("... and {} more like these", self.more));
        }
    }
}

/// The error for text that is no format we read.
pub fn unknown_text() -> Error {
    Error::unknown_format(
        // Under 200 characters, as every input error (a name goes before it).
        "not a profile or a time series: expected a pprof profile, a CSV with a time column, \
         Prometheus JSON or text with timestamps, a promtool dump, an OOM log or kubectl output",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_impossible_times_are_left_out_and_counted() {
        let json = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"m"},"values":[[1795476520,"1"],[1e80,"2"],[1795476530,"3"],[-1e12,"4"]]}]}}"#;
        let set = read_text(json, "utf-8", &ImportOptions::default())
            .unwrap()
            .unwrap();
        assert_eq!(set.series[0].times, vec![1795476520.0, 1795476530.0]);
        assert_eq!(set.inputs[0].points, 2);
        let warning = &set.inputs[0].warnings[0];
        assert!(
            warning.contains("2 points at a time no measurement has"),
            "{warning}"
        );
        assert!(warning.contains("the first at 1e80 s"), "{warning}");
        // A series with no time left is no series.
        let json = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"m"},"values":[[1e80,"2"]]}]}}"#;
        let set = read_text(json, "utf-8", &ImportOptions::default())
            .unwrap()
            .unwrap();
        assert!(set.series.is_empty());
    }
}

//! Plain time-series CSV tables, as scripts and monitoring tools write
//! them (not Grafana's downloads: `grafana_csv.rs` reads those):
//!
//! - wide (`csv`): a time column and one series per column of numbers;
//! - long (`csv-long`): columns naming a series (a process name, a pid, a
//!   pod…), a time and values, one row per series and time: pivoted into
//!   one series per distinct key, the key columns becoming labels (psutil
//!   monitors write `Process ID,Process Name,Time,Memory Usage`);
//! - pairs (`csv-pairs`): `timestamp,<metric>` repeated, each metric with
//!   the time column before it (cAdvisor dumps of DeathStarBench runs).
//!
//! Times are epoch s/ms/µs/ns (by magnitude) or date-times; each column's
//! kind (memory, requests, other) and unit come from its header, or are
//! assumed, and the report says which, one line a column.
//!
//! `layout.rs` decides what each column holds, this file reads the rows
//! into series, `describe.rs` writes the report's line for each column.

mod describe;
mod layout;

use crate::sort::SortStable;
use std::collections::HashMap;

use crate::error::{quote, Error, Result};
use crate::model::series::{InputReport, Series};

use super::csv_columns::{self, Key, Measure, What};
use super::csv_rows::{guess_delimiter, numbered_rows, usable, Times};
use super::values::{parse_styled, parse_with_unit, Cell, NumberStyle, Zone};
use super::Warnings;

use describe::{describe_columns, Read};
pub use layout::{has_name_column, sniff};
use layout::{number_style, plan, quoted, sample_rows, says_utc, Layout};

/// Reads a plain CSV table: the header → a sample of the first rows
/// decides what each column holds (time, keys, values, digit grouping) →
/// every row read into series (bad rows skipped, with their line) →
/// memory's trailing zeros dropped, request counters named, columns of one
/// metric kept apart → the report's line for each column.
pub fn parse(
    text: &str,
    report: &mut InputReport,
    zone: Zone,
    max_columns: usize,
) -> Result<Vec<Series>> {
    let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = guess_delimiter(header_line);
    report.delimiter = Some(match delimiter {
        '\t' => "tab".to_string(),
        c => c.to_string(),
    });
    let mut rows = numbered_rows(text, delimiter, 0);
    let header: Vec<String> = match rows.next() {
        Some(Ok((_, h))) => h.iter().map(|c| c.trim().to_string()).collect(),
        _ => return Err(Error::unknown_format("the CSV file has no header row")),
    };
    if header.len() > max_columns {
        return Err(crate::import::limit_hit(
            &format!(
                "the CSV header has {} columns, more than the limit",
                header.len()
            ),
            max_columns,
            "--max-columns",
        ));
    }
    // Decide what each column holds from the first rows, then read them all.
    let sample = sample_rows(text, delimiter);
    let column = |i: usize| {
        sample
            .iter()
            .filter_map(move |r| r.get(i).map(String::as_str))
    };
    let layout = plan(&header, &column, report)?;
    // Digit grouping is decided per value column (a name like `a.b.c` in
    // a key column says nothing about numbers).
    let value_columns = layout.value_columns();
    let styles: Vec<NumberStyle> = (0..header.len())
        .map(|i| match value_columns.contains(&i) {
            true => number_style(&header[i], column(i), report),
            false => NumberStyle::Plain,
        })
        .collect();
    let mut reader = Reader {
        header: &header,
        styles,
        times: Times::new(zone),
        warnings: Warnings::default(),
        series: Vec::new(),
        measures: Vec::new(),
        columns: Vec::new(),
        index: HashMap::new(),
        formatted_units: false,
    };
    for row in rows {
        let Some((line, cells)) = usable(row, report, &mut reader.warnings) else {
            continue;
        };
        reader.row(&layout, line, &cells, report);
    }
    let Reader {
        times,
        mut warnings,
        mut series,
        measures,
        columns,
        formatted_units,
        ..
    } = reader;
    let time_columns = layout.time_columns();
    let Some(format) = times.format else {
        return Err(Error::unknown_format(format!(
            "the CSV's time column {} has no readable time in any row",
            quoted(&header[time_columns[0]])
        )));
    };
    // `Time (UTC)`: the header says the zone the times do not.
    let utc_header = time_columns.iter().any(|&t| says_utc(&header[t]));
    if format.zoneless() && utc_header && !zone.given {
        report.zone = Some("UTC (the time column's name says so)".into());
    }
    finish(&mut series, &measures, &mut warnings, report);
    keep_columns_apart(&mut series, &columns, &header);
    warnings.finish(report);
    let read = Read {
        series: &series,
        measures: &measures,
        columns: &columns,
    };
    let zone_said = report.zone.clone();
    describe_columns(&header, &layout, &read, format, zone_said, report);
    if formatted_units {
        report
            .warnings
            .push("some values carry their own unit (\"12 MiB\"): read with it".into());
    }
    Ok(series)
}

/// The reading state: series made so far and where each key's series is.
struct Reader<'h> {
    header: &'h [String],
    styles: Vec<NumberStyle>,
    times: Times,
    warnings: Warnings,
    series: Vec<Series>,
    /// What each series measures, parallel to `series`.
    measures: Vec<Measure>,
    /// The value column of each series, parallel to `series`.
    columns: Vec<usize>,
    /// Key cells → (value column, series index) of that key's series, by column.
    index: HashMap<Vec<String>, Vec<(usize, usize)>>,
    formatted_units: bool,
}

impl Reader<'_> {
    fn row(&mut self, layout: &Layout, line: usize, cells: &[String], report: &mut InputReport) {
        if cells.len() > self.header.len() {
            let why = format!(
                "{} cells, but the header has {}",
                cells.len(),
                self.header.len()
            );
            return self.warnings.skip(report, line, &why);
        }
        match layout {
            Layout::Pairs(pairs) => {
                // Each pair has its own time; a row may end early.
                let (mut bad, mut read) = (None, 0);
                for &(t, v) in pairs {
                    let (Some(tc), Some(vc)) = (cells.get(t), cells.get(v)) else {
                        continue;
                    };
                    if tc.trim().is_empty() {
                        continue;
                    }
                    match self.times.parse(tc, report) {
                        Some(time) => {
                            self.value((&[], &[]), v, time, vc, line, report);
                            read += 1;
                        }
                        None => bad = Some((tc.clone(), self.header[t].clone())),
                    }
                }
                // The row is skipped only when no pair of it was read.
                match bad {
                    Some((tc, _)) if read == 0 => {
                        let why = format!("the time {tc:?} is not a time");
                        self.warnings.skip(report, line, &why);
                    }
                    Some((tc, h)) => {
                        let why = format!(
                            "line {line}: the time {} in column {} is not a time (its pair left empty)",
                            quote(&tc),
                            quote(&h)
                        );
                        self.warnings.note(report, &why);
                    }
                    None => {}
                }
            }
            Layout::Wide { time, values } | Layout::Long { time, values, .. } => {
                let Some(tc) = cells.get(*time) else {
                    let why = format!(
                        "{} cells, but the header has {}",
                        cells.len(),
                        self.header.len()
                    );
                    return self.warnings.skip(report, line, &why);
                };
                let Some(t) = self.times.parse(tc, report) else {
                    let why = format!("the time {tc:?} is not a time");
                    return self.warnings.skip(report, line, &why);
                };
                // The row's key, built once for all its values.
                let (kinds, key): (&[(usize, Key)], Vec<String>) = match layout {
                    Layout::Long { keys, .. } => (keys, key_cells(keys, cells)),
                    _ => (&[], Vec::new()),
                };
                let (mut read, mut bad) = (0, 0);
                for &v in values {
                    let Some(vc) = cells.get(v) else { continue };
                    match self.value((kinds, &key), v, t, vc, line, report) {
                        Some(true) => read += 1,
                        Some(false) => bad += 1,
                        None => {}
                    }
                }
                // A row whose every value is unreadable is a skipped row
                // (each cell was named, with the line, as it was read).
                if read == 0 && bad > 0 {
                    report.skipped_rows += 1;
                }
            }
        }
    }

    /// Reads one value cell into its series: `Some(true)` a number,
    /// `Some(false)` not a number (noted), `None` a gap.
    fn value(
        &mut self,
        key: (&[(usize, Key)], &[String]),
        column: usize,
        time: f64,
        cell: &str,
        line: usize,
        report: &mut InputReport,
    ) -> Option<bool> {
        // A cell with its own unit ("12 MiB") is already in bytes.
        let (v, own_unit) = match parse_styled(cell, self.styles[column]) {
            Cell::Number(v) => (v, false),
            Cell::Gap => return None,
            Cell::Bad => match parse_with_unit(cell) {
                Some((v, true)) => {
                    self.formatted_units = true;
                    (v, true)
                }
                _ => {
                    let what = format!(
                        "line {line}: {cell:?} in column {:?} is not a number (left empty)",
                        self.header[column]
                    );
                    self.warnings.note(report, &what);
                    return Some(false);
                }
            },
        };
        let i = self.series_for(key, column);
        let factor = if own_unit {
            1.0
        } else {
            self.measures[i].factor
        };
        self.series[i].push(time, v * factor);
        Some(true)
    }

    /// The series of a key (its columns' kinds, its cells) and a value
    /// column, made on first sight.
    fn series_for(&mut self, (kinds, cells): (&[(usize, Key)], &[String]), column: usize) -> usize {
        // A key's series are kept in column order and found by a binary
        // search: a wide export has thousands of value columns under one
        // key (10,000 columns took 1.5 s with a scan).
        let known = self.index.get(cells);
        if let Some(&(_, i)) = known.and_then(|k| {
            k.binary_search_by_key(&column, |&(c, _)| c)
                .ok()
                .map(|at| &k[at])
        }) {
            return i;
        }
        let key: Vec<(Key, String)> = kinds
            .iter()
            .map(|(_, k)| k.clone())
            .zip(cells.iter().cloned())
            .collect();
        let header = &self.header[column];
        // What is measured: the value column, or a metric column's cell.
        let measured = match key.iter().find(|(k, _)| *k == Key::Metric) {
            Some((_, metric)) if is_generic_value(header) => metric.clone(),
            Some((_, metric)) => format!("{metric} {header}"),
            None => header.clone(),
        };
        let measure = csv_columns::measure(&measured);
        let labels = labels(&key);
        let mut s = Series::new(measure.metric.clone(), labels, String::new());
        s.display = if s.labels.is_empty() {
            measured
        } else {
            let named = Series::new(measured, s.labels.clone(), String::new());
            named.selector()
        };
        self.series.push(s);
        self.measures.push(measure);
        self.columns.push(column);
        let i = self.series.len() - 1;
        let columns = self.index.entry(cells.to_vec()).or_default();
        let at = columns.partition_point(|&(c, _)| c < column);
        columns.insert(at, (column, i));
        i
    }
}

/// The key cells of a row.
fn key_cells(keys: &[(usize, Key)], cells: &[String]) -> Vec<String> {
    keys.iter()
        .map(|(i, _)| cells.get(*i).map_or("", |c| c.trim()).to_string())
        .collect()
}

/// A value column's header that names no quantity (`value`), so a metric
/// column says what it is.
fn is_generic_value(header: &str) -> bool {
    matches!(
        header.trim().to_ascii_lowercase().as_str(),
        "value" | "val" | "v" | "y" | "reading" | "sample" | "measurement"
    )
}

/// Labels from key cells: a process name becomes `instance` (the name the
/// analysis shows a process by) unless the table has its own `instance`,
/// then `process`; a pid `pid`; other keys their header's name.
fn labels(key: &[(Key, String)]) -> Vec<(String, String)> {
    let has_instance = key.iter().any(|(k, _)| *k == Key::Label("instance".into()));
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in key {
        let name = match k {
            Key::Metric => continue,
            Key::ProcessName if has_instance => "process".to_string(),
            Key::ProcessName => "instance".to_string(),
            Key::Pid => "pid".to_string(),
            Key::Label(l) => l.clone(),
        };
        // A second column of one kind keeps its own header's name.
        let name = if out.iter().any(|(n, _)| *n == name) {
            format!("{name}_{}", out.len())
        } else {
            name
        };
        out.push((name, v.clone()));
    }
    out
}

/// After reading: a memory series' trailing zeros dropped (a process
/// monitor writes 0 once the process is gone; read as memory, it would
/// be a fall to nothing), request columns named as counters when their
/// values only grow.
fn finish(
    series: &mut [Series],
    measures: &[Measure],
    warnings: &mut Warnings,
    report: &mut InputReport,
) {
    for (s, m) in series.iter_mut().zip(measures) {
        super::sort_points(s, report);
        match m.what {
            What::Memory => {
                let zeros = s.values.iter().rev().take_while(|v| **v == 0.0).count();
                if zeros > 0 {
                    let keep = s.len() - zeros;
                    s.times.truncate(keep);
                    s.values.truncate(keep);
                    // A series of zeros only is a process gone before its
                    // first reading: it goes (empty series are dropped).
                    let what = if keep == 0 {
                        format!("{}: only 0s (the process had ended), dropped", s.display)
                    } else {
                        let values = if zeros == 1 { "value" } else { "values" };
                        format!(
                            "{}: its last {zeros} {values} of 0 dropped (the process had ended; 0 is no memory reading)",
                            s.display
                        )
                    };
                    warnings.note(report, &what);
                }
            }
            What::Requests => {
                let counter = only_grows(&s.values);
                s.name = csv_columns::requests_metric(&m.metric, counter);
            }
            What::Other => {}
        }
    }
}

/// Two columns read as one metric (`mem_MiB` and `memory_kb` both name
/// memory) would be merged as copies of one series: each gets its
/// column's header as the label `column`.
fn keep_columns_apart(series: &mut [Series], columns: &[usize], header: &[String]) {
    let mut count: HashMap<(String, Vec<(String, String)>), usize> = HashMap::new();
    for s in series.iter() {
        *count.entry((s.name.clone(), s.labels.clone())).or_default() += 1;
    }
    for (s, &c) in series.iter_mut().zip(columns) {
        if count[&(s.name.clone(), s.labels.clone())] > 1 {
            s.labels.push(("column".into(), header[c].clone()));
            s.labels.sort_stable();
        }
    }
}

/// Mostly non-decreasing with some rise: a counter (rare drops are resets).
fn only_grows(values: &[f64]) -> bool {
    let drops = values.windows(2).filter(|w| w[1] < w[0]).count();
    let rises = values.windows(2).filter(|w| w[1] > w[0]).count();
    rises > 0 && drops * 20 <= values.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<Series>, InputReport) {
        let mut r = InputReport::default();
        let s = parse(text, &mut r, Zone::default(), 20_000).unwrap();
        (s, r)
    }

    #[test]
    fn wide_with_epoch_seconds() {
        let (s, r) = read("ts,rss_bytes,cpu\n1700000000,10,0.5\n1700000010,20,0.6\n");
        assert_eq!(r.format, "csv");
        assert_eq!(r.time.as_deref(), Some("epoch-s"));
        assert_eq!(s[0].name, "process_resident_memory_bytes");
        assert_eq!(s[0].display, "rss_bytes");
        assert_eq!(s[0].times, vec![1700000000.0, 1700000010.0]);
        assert_eq!(s[1].name, "cpu");
        assert!(r.warnings[0].contains("epoch seconds"), "{:?}", r.warnings);
    }

    #[test]
    fn long_form_pivots_by_key() {
        let text = "pid,name,time,mem\n1,a,2024-01-01 00:00:00,5\n2,b,2024-01-01 00:00:00,7\n1,a,2024-01-01 00:00:01,6\n";
        let (s, r) = read(text);
        assert_eq!(r.format, "csv-long");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].label("instance"), Some("a"));
        assert_eq!(s[0].label("pid"), Some("1"));
        assert_eq!(s[0].values, vec![5.0, 6.0]);
        assert_eq!(s[1].values, vec![7.0]);
        assert!(r.zone.as_deref().unwrap().contains("assumed"));
    }

    #[test]
    fn a_metric_column_names_what_is_measured() {
        let text = "time,metric,value\n1700000000,rss,5\n1700000000,cpu,0.1\n";
        let (s, _) = read(text);
        assert_eq!(s[0].name, "process_resident_memory_bytes");
        assert_eq!(s[1].name, "cpu");
        assert!(s[0].labels.is_empty());
    }

    #[test]
    fn time_found_by_values_when_no_name_says() {
        let (s, r) = read("when,mem\n2024-01-01T00:00:00Z,1\n2024-01-01T00:00:05Z,2\n");
        assert_eq!(s[0].len(), 2);
        assert!(r
            .warnings
            .iter()
            .any(|w| w.contains("\"when\" taken as the time")));
        // A column of sizes is no time: numbers that fall are refused.
        let mut r = InputReport::default();
        let err = parse(
            "a,b\n2000000000,1\n1000000000,2\n",
            &mut r,
            Zone::default(),
            99,
        )
        .unwrap_err();
        assert!(err.to_string().contains("no time column"), "{err}");
    }

    #[test]
    fn trailing_zeros_of_memory_are_the_end_of_a_process() {
        let (s, r) = read("time,process,memory\n1,p,5\n2,p,6\n3,p,0\n4,p,0\n");
        assert_eq!(s[0].values, vec![5.0, 6.0]);
        assert!(r.warnings.iter().any(|w| w.contains("last 2 values of 0")));
        // A zero in the middle is data, and a CPU column keeps its zeros.
        let (s, _) = read("time,memory,cpu\n1,5,1\n2,0,0\n3,6,0\n");
        assert_eq!(s[0].values, vec![5.0, 0.0, 6.0]);
        assert_eq!(s[1].values, vec![1.0, 0.0, 0.0]);
        // A process gone before its first reading has no memory series.
        let (s, r) = read("time,pid,rss\n1,7,5\n2,8,0\n");
        assert_eq!(s[1].len(), 0);
        assert!(
            r.warnings.iter().any(|w| w.contains("only 0s")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn a_nameless_index_column_is_no_series() {
        let (s, r) = read(",time_s,rss\n0,1714135410,1\n1,1714135420,2\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].display, "rss");
        assert!(r
            .warnings
            .iter()
            .any(|w| w.contains("column 1 has no name")));
    }

    #[test]
    fn a_time_first_table_with_names_is_long_not_grafana() {
        assert!(has_name_column("time,pid,name,rss\n1,7,api,5\n"));
        assert!(!has_name_column("\"Time\",\"a\"\n1700000001000,1\n"));
        // Grafana's formatted values are numbers with units, not names.
        assert!(!has_name_column("Time,a\n2026-11-23 20:26:07,9.65 MiB\n"));
        let rows = "\"Series\";\"Time\";\"Value\"\n\"rss\";\"2026-11-23T20:26:07+00:00\";10\n";
        assert!(!has_name_column(rows));
    }

    #[test]
    fn two_columns_of_one_metric_stay_two_series() {
        let (s, _) = read("time,mem_MiB,memory_kb\n1,1,1\n");
        assert_eq!(s[0].name, s[1].name);
        assert_eq!(s[0].label("column"), Some("mem_MiB"));
        assert_eq!(s[1].label("column"), Some("memory_kb"));
    }

    #[test]
    fn requests_become_a_counter_only_when_they_grow() {
        let (s, _) = read("time,requests,req/s\n1,10,5\n2,20,3\n3,35,4\n");
        assert_eq!(s[0].name, "requests_total");
        assert_eq!(s[1].name, "req_s");
    }
}

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

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::series::{InputReport, Series};

use super::csv_columns::{self, is_time_name, key_by_name, Key, Measure, What};
use super::csv_rows::{guess_delimiter, numbered_rows, usable, Times};
use super::values::{
    detect_style, parse_styled, parse_time, parse_value, parse_with_unit, Cell, NumberStyle,
    TimeFormat, Zone,
};
use super::Warnings;

/// Rows looked at to decide what each column holds.
const SAMPLE: usize = 200;

/// Whether text looks like a CSV table of numbers: a header of two or
/// more cells, not all numbers, and rows of the same width, some with a
/// number in them. (Whether it has a time column is `parse`'s to say, so
/// a table without one is refused with a reason, not as unknown text.)
pub fn sniff(text: &str) -> bool {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = guess_delimiter(header);
    if !header.contains(delimiter) {
        return false;
    }
    let rows: Vec<Vec<String>> = numbered_rows(text, delimiter, 0)
        .take(12)
        .filter_map(|r| r.ok().map(|(_, cells)| cells))
        .filter(|cells| cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    let Some((header, data)) = rows.split_first() else {
        return false;
    };
    let has_letter = |c: &String| c.chars().any(char::is_alphabetic);
    !data.is_empty()
        && header.len() >= 2
        && header.iter().any(has_letter)
        && header
            .iter()
            .all(|c| !matches!(parse_value(c), Cell::Number(_)))
        // One bad row must not hide a table: most rows fit the header.
        && data.iter().filter(|r| r.len() == header.len()).count() * 2 > data.len()
        && data
            .iter()
            .any(|r| r.iter().any(|c| matches!(parse_value(c), Cell::Number(_))))
}

/// Whether a table holds a column of names (text in most rows: a process,
/// a pod), which no Grafana "joined" download has: such a table with a
/// `Time` column first (`time,pid,name,rss`) is a long table, not
/// Grafana's.
pub fn has_name_column(text: &str) -> bool {
    if !sniff(text) {
        return false;
    }
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let sample: Vec<Vec<String>> = numbered_rows(text, guess_delimiter(header), 0)
        .skip(1)
        .filter_map(|r| r.ok().map(|(_, cells)| cells))
        .take(SAMPLE)
        .collect();
    let column = |i: usize| {
        sample
            .iter()
            .filter_map(move |r| r.get(i).map(String::as_str))
    };
    let width = sample.first().map_or(0, Vec::len);
    // Times are not names (Grafana's `"Series";"Time";"Value"` rows).
    let times = |i: usize| column(i).any(|c| parse_time(c).is_some());
    (1..width).any(|i| !times(i) && mostly_text(column(i), detect_style(column(i)).0))
}

/// How the columns of a table are read.
enum Layout {
    /// One time column; the others are values.
    Wide { time: usize, values: Vec<usize> },
    /// One time column, key columns naming each row's series, values.
    Long {
        time: usize,
        keys: Vec<(usize, Key)>,
        values: Vec<usize>,
    },
    /// (time column, value column) pairs.
    Pairs(Vec<(usize, usize)>),
}

impl Layout {
    fn time_columns(&self) -> Vec<usize> {
        match self {
            Layout::Wide { time, .. } | Layout::Long { time, .. } => vec![*time],
            Layout::Pairs(pairs) => {
                let mut t: Vec<usize> = pairs.iter().map(|p| p.0).collect();
                t.dedup();
                t
            }
        }
    }

    fn value_columns(&self) -> Vec<usize> {
        match self {
            Layout::Wide { values, .. } | Layout::Long { values, .. } => values.clone(),
            Layout::Pairs(pairs) => pairs.iter().map(|p| p.1).collect(),
        }
    }
}

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
    let sample: Vec<Vec<String>> = numbered_rows(text, delimiter, 0)
        .skip(1)
        .filter_map(|r| r.ok().map(|(_, cells)| cells))
        .filter(|cells| cells.iter().any(|c| !c.trim().is_empty()))
        .take(SAMPLE)
        .collect();
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

/// Finds the time column(s), the key columns and the value columns.
fn plan<'a, I: Iterator<Item = &'a str>>(
    header: &[String],
    column: &impl Fn(usize) -> I,
    report: &mut InputReport,
) -> Result<Layout> {
    let named: Vec<usize> = (0..header.len())
        .filter(|&i| is_time_name(&header[i]))
        .collect();
    if named.len() >= 2 && named[0] == 0 {
        // `timestamp,a,timestamp,b`: each value with the time before it.
        let pairs: Vec<(usize, usize)> = (1..header.len())
            .filter(|i| !named.contains(i))
            .map(|i| (*named.iter().rev().find(|&&t| t < i).unwrap_or(&0), i))
            .collect();
        if pairs.is_empty() {
            return Err(no_values(&header[0]));
        }
        report.format = "csv-pairs".into();
        return Ok(Layout::Pairs(pairs));
    }
    let time = match named.first() {
        Some(&t) => t,
        None => {
            let t = (0..header.len())
                .find(|&i| holds_times(column(i)))
                .ok_or_else(|| no_time_column(header))?;
            report.warnings.push(format!(
                "column {:?} taken as the time: no column is named like one, its values are times",
                header[t]
            ));
            t
        }
    };
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for i in (0..header.len()).filter(|&i| i != time && !named.contains(&i)) {
        if header[i].is_empty() {
            // pandas writes its row index under an empty header.
            report.warnings.push(format!(
                "column {} has no name: skipped (a row index, not a measure)",
                i + 1
            ));
            continue;
        }
        match key_by_name(&header[i]) {
            Some(k) => keys.push((i, k)),
            None if mostly_text(column(i), detect_style(column(i)).0) => {
                keys.push((i, Key::Label(csv_columns::label_key(&header[i]))))
            }
            None => values.push(i),
        }
    }
    if values.is_empty() {
        return Err(no_values(&header[time]));
    }
    Ok(if keys.is_empty() {
        report.format = "csv".into();
        Layout::Wide { time, values }
    } else {
        report.format = "csv-long".into();
        Layout::Long { time, keys, values }
    })
}

/// Whether a time column's name gives its zone as UTC.
fn says_utc(header: &str) -> bool {
    header
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "utc" || w == "gmt")
}

fn no_values(time: &str) -> Error {
    Error::unknown_format(format!(
        "the CSV has a time column ({}) but no column of numbers",
        quoted(time)
    ))
}

/// A header quoted for a message, cut short so the message stays one
/// short line whatever the file holds.
fn quoted(header: &str) -> String {
    const MAX: usize = 24;
    match header.char_indices().nth(MAX) {
        Some((i, _)) => format!("{:?}", format!("{}…", &header[..i])),
        None => format!("{header:?}"),
    }
}

fn no_time_column(header: &[String]) -> Error {
    let mut names: Vec<String> = header.iter().take(4).map(|h| quoted(h)).collect();
    if header.len() > 4 {
        names.push("…".into());
    }
    Error::unknown_format(format!(
        "the CSV has no time column: none of {} is named like one (time, timestamp, date) or holds times",
        names.join(", ")
    ))
}

/// Whether a column's sampled cells are all times: date-times, or epoch
/// numbers after 2000 that never go back (any number parses as an epoch,
/// so a column of sizes must not pass for one).
fn holds_times<'a>(cells: impl Iterator<Item = &'a str>) -> bool {
    let mut last = f64::NEG_INFINITY;
    let mut seen = 0;
    for c in cells.filter(|c| !c.trim().is_empty()) {
        let Some((t, format)) = parse_time(c) else {
            return false;
        };
        let epoch = !matches!(
            format,
            TimeFormat::Local | TimeFormat::Iso | TimeFormat::IsoNoZone
        );
        if epoch && (t < 946_684_800.0 || t < last) {
            return false;
        }
        last = t;
        seen += 1;
    }
    seen > 0
}

/// Whether most of a column's non-empty cells are not numbers (a name),
/// numbers being read in the column's digit grouping (`"1,000"`).
fn mostly_text<'a>(cells: impl Iterator<Item = &'a str>, style: NumberStyle) -> bool {
    let (mut text, mut all) = (0, 0);
    for c in cells.filter(|c| !c.trim().is_empty()) {
        all += 1;
        if matches!(parse_styled(c, style), Cell::Bad) && parse_with_unit(c).is_none() {
            text += 1;
        }
    }
    all > 0 && text * 2 > all
}

/// A column's digit grouping (`1,234.5`, `1.234,5`), said in the report
/// when it is not plain.
fn number_style<'a>(
    header: &str,
    cells: impl Iterator<Item = &'a str>,
    report: &mut InputReport,
) -> NumberStyle {
    let (style, unsure) = detect_style(cells);
    if style != NumberStyle::Plain {
        report.warnings.push(format!(
            "column {header:?}: numbers with digit grouping ({}){}",
            if style == NumberStyle::CommaGroups {
                "1,234.5"
            } else {
                "1.234,5"
            },
            if unsure {
                "; assumed from 3-digit groups"
            } else {
                ""
            }
        ));
    }
    style
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
    /// (key cells, value column) → series index.
    index: HashMap<(Vec<String>, usize), usize>,
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
                let mut bad = None;
                for &(t, v) in pairs {
                    let (Some(tc), Some(vc)) = (cells.get(t), cells.get(v)) else {
                        continue;
                    };
                    if tc.trim().is_empty() {
                        continue;
                    }
                    match self.times.parse(tc, report) {
                        Some(time) => {
                            self.value(&[], v, time, vc, line, report);
                        }
                        None => bad = Some(tc.clone()),
                    }
                }
                if let Some(tc) = bad {
                    let why = format!("the time {tc:?} is not a time");
                    self.warnings.skip(report, line, &why);
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
                let key = match layout {
                    Layout::Long { keys, .. } => key_cells(keys, cells),
                    _ => Vec::new(),
                };
                let (mut read, mut bad) = (0, 0);
                for &v in values {
                    let Some(vc) = cells.get(v) else { continue };
                    match self.value(&key, v, t, vc, line, report) {
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
        key: &[(Key, String)],
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

    /// The series of a key and value column, made on first sight.
    fn series_for(&mut self, key: &[(Key, String)], column: usize) -> usize {
        let cells: Vec<String> = key.iter().map(|(_, c)| c.clone()).collect();
        if let Some(&i) = self.index.get(&(cells.clone(), column)) {
            return i;
        }
        let header = &self.header[column];
        // What is measured: the value column, or a metric column's cell.
        let measured = match key.iter().find(|(k, _)| *k == Key::Metric) {
            Some((_, metric)) if is_generic_value(header) => metric.clone(),
            Some((_, metric)) => format!("{metric} {header}"),
            None => header.clone(),
        };
        let measure = csv_columns::measure(&measured);
        let labels = labels(key);
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
        self.index.insert((cells, column), self.series.len() - 1);
        self.series.len() - 1
    }
}

/// The key cells of a row, with what each key column becomes.
fn key_cells(keys: &[(usize, Key)], cells: &[String]) -> Vec<(Key, String)> {
    keys.iter()
        .map(|(i, k)| {
            (
                k.clone(),
                cells.get(*i).map_or("", |c| c.trim()).to_string(),
            )
        })
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
        s.sort_points();
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
                        format!(
                            "{}: its last {zeros} value(s) of 0 dropped (the process had ended; 0 is no memory reading)",
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
            s.labels.sort();
        }
    }
}

/// Mostly non-decreasing with some rise: a counter (rare drops are resets).
fn only_grows(values: &[f64]) -> bool {
    let drops = values.windows(2).filter(|w| w[1] < w[0]).count();
    let rises = values.windows(2).filter(|w| w[1] > w[0]).count();
    rises > 0 && drops * 20 <= values.len()
}

/// The series read, what each measures, and its value column.
struct Read<'a> {
    series: &'a [Series],
    measures: &'a [Measure],
    columns: &'a [usize],
}

/// One report line a column: what its times, keys and values were read
/// as, and what was assumed.
fn describe_columns(
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
            read.series.len()
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
        assert!(r
            .warnings
            .iter()
            .any(|w| w.contains("last 2 value(s) of 0")));
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

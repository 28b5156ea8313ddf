//! What each column of a plain CSV table holds: which is the time (by
//! name, else by its values), which name a series, which are values; and
//! whether a text is such a table at all.

use crate::error::{Error, Result};
use crate::model::series::InputReport;

use crate::import::series::csv_columns::{self, is_time_name, key_by_name, Key};
use crate::import::series::csv_rows::{guess_delimiter, numbered_rows};
use crate::import::series::values::{
    detect_style, parse_styled, parse_time, parse_value, parse_with_unit, Cell, NumberStyle,
    TimeFormat,
};

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
    let sample = sample_rows(text, guess_delimiter(header));
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

/// The first [`SAMPLE`] rows under the header that hold something: what
/// the columns are is decided from them.
pub fn sample_rows(text: &str, delimiter: char) -> Vec<Vec<String>> {
    numbered_rows(text, delimiter, 0)
        .skip(1)
        .filter_map(|r| r.ok().map(|(_, cells)| cells))
        .filter(|cells| cells.iter().any(|c| !c.trim().is_empty()))
        .take(SAMPLE)
        .collect()
}

/// How the columns of a table are read.
pub(super) enum Layout {
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
    pub(super) fn time_columns(&self) -> Vec<usize> {
        match self {
            Layout::Wide { time, .. } | Layout::Long { time, .. } => vec![*time],
            Layout::Pairs(pairs) => {
                let mut t: Vec<usize> = pairs.iter().map(|p| p.0).collect();
                t.dedup();
                t
            }
        }
    }

    pub(super) fn value_columns(&self) -> Vec<usize> {
        match self {
            Layout::Wide { values, .. } | Layout::Long { values, .. } => values.clone(),
            Layout::Pairs(pairs) => pairs.iter().map(|p| p.1).collect(),
        }
    }
}

/// Finds the time column(s), the key columns and the value columns.
pub(super) fn plan<'a, I: Iterator<Item = &'a str>>(
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
pub(super) fn says_utc(header: &str) -> bool {
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
pub(super) fn quoted(header: &str) -> String {
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
pub(super) fn number_style<'a>(
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

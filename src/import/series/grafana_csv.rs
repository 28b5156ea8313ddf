//! Grafana's CSV downloads, every shape real versions write:
//!
//! - v7+ "Download CSV": a `Time` column then one column per series
//!   ("Series joined by time" is an outer join: empty cells are gaps);
//!   times in epoch milliseconds or, with "Formatted data", as
//!   `YYYY-MM-DD HH:mm:ss` in the dashboard's zone (which the file does not
//!   say: UTC is assumed, and the report says so); `,` or `;` as the
//!   locale's delimiter; "Download for Excel" adds a `sep=,` line; Grafana
//!   11's Excel download is UTF-16LE with a BOM and tabs.
//! - The old graph panel's "series as rows": `"Series";"Time";"Value"`
//!   with ISO times, `null` gaps, and numbers in the browser's locale.
//!
//! Rows that cannot be read are skipped and reported with their line number.

use rustc_hash::FxHashMap;

use crate::error::{quote, Error, Result};
use crate::model::series::{parse_selector, InputReport, Series};

use super::csv_rows::{guess_delimiter, numbered_rows, usable, Row, Times};
use super::values::{
    detect_style, parse_styled, parse_value, parse_with_unit, Cell, NumberStyle, Zone,
};
use super::Warnings;

/// Whether text starts like a Grafana CSV (a `sep=` line, or a header
/// whose first cell is `Time` or `Series`).
pub fn sniff(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.starts_with("sep=") {
        return true;
    }
    let cell = first
        .split([',', ';', '\t'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"');
    (cell.eq_ignore_ascii_case("time") || cell.eq_ignore_ascii_case("series"))
        && first.contains([',', ';', '\t'])
}

pub fn parse(
    text: &str,
    report: &mut InputReport,
    zone: Zone,
    max_columns: usize,
) -> Result<Vec<Series>> {
    let mut body = text;
    let mut delimiter = None;
    let mut skipped_lines = 0usize;
    if let Some(rest) = body.strip_prefix("sep=") {
        let (sep_line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        delimiter = sep_line.trim_end_matches('\r').chars().next();
        body = after;
        skipped_lines = 1;
    }
    let header_line = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = delimiter.unwrap_or_else(|| guess_delimiter(header_line));
    report.delimiter = Some(match delimiter {
        '\t' => "tab".to_string(),
        c => c.to_string(),
    });
    let mut rows = numbered_rows(body, delimiter, skipped_lines);
    let header = match rows.next() {
        Some(Ok((_, h))) => h,
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
    let cells: Vec<String> = header.iter().map(|c| c.trim().to_string()).collect();
    let lower: Vec<String> = cells.iter().map(|c| c.to_ascii_lowercase()).collect();
    if lower.len() >= 3 && lower[0] == "series" && lower[1] == "time" && lower[2] == "value" {
        report.format = "grafana-csv-series-as-rows".into();
        series_as_rows(rows, report, zone)
    } else if lower.first().is_some_and(|c| c == "time") && cells.len() >= 2 {
        report.format = "grafana-csv".into();
        joined(&cells[1..], rows, report, zone)
    } else {
        Err(Error::unknown_format(format!(
            "not a Grafana CSV: the first column is {}, not Time (or Series;Time;Value)",
            quote(cells.first().map(String::as_str).unwrap_or(""))
        )))
    }
}

/// A series from a column header: `name{labels}` is parsed; anything else
/// (a legend name) is kept as the display name.
fn series_for(header: &str) -> Series {
    match parse_selector(header) {
        Some((name, labels)) => Series::new(name, labels, header.to_string()),
        None => Series::new(String::new(), Vec::new(), header.to_string()),
    }
}

fn joined(
    headers: &[String],
    rows: impl Iterator<Item = Row>,
    report: &mut InputReport,
    zone: Zone,
) -> Result<Vec<Series>> {
    let mut series: Vec<Series> = headers.iter().map(|h| series_for(h)).collect();
    let mut warnings = Warnings::default();
    let mut times = Times::new(zone);
    let mut formatted_units = false;
    for row in rows {
        let Some((line, cells)) = usable(row, report, &mut warnings) else {
            continue;
        };
        let Some(t) = times.parse(&cells[0], report) else {
            warnings.skip(
                report,
                line,
                &format!("the time {:?} is not a time", cells[0]),
            );
            continue;
        };
        if cells.len() > headers.len() + 1 {
            warnings.skip(
                report,
                line,
                &format!(
                    "{} cells, but the header has {}",
                    cells.len(),
                    headers.len() + 1
                ),
            );
            continue;
        }
        for (s, cell) in series.iter_mut().zip(&cells[1..]) {
            match parse_value(cell) {
                Cell::Number(v) => s.push(t, v),
                Cell::Gap => {}
                Cell::Bad => match parse_with_unit(cell) {
                    Some((v, _)) => {
                        formatted_units = true;
                        s.push(t, v)
                    }
                    None => warnings.note(
                        report,
                        &format!(
                            "line {line}: {} is not a number (cell left empty)",
                            quote(cell)
                        ),
                    ),
                },
            }
        }
    }
    if formatted_units {
        report.warnings.push(
            "values were formatted by Grafana with units (\"Formatted data\"): they are rounded, so small changes are lost".into(),
        );
    }
    warnings.finish(report);
    if times.format.is_none() {
        return Err(Error::unknown_format(
            "the CSV has a Time column but no row with a readable time",
        ));
    }
    Ok(series)
}

fn series_as_rows(
    rows: impl Iterator<Item = Row>,
    report: &mut InputReport,
    zone: Zone,
) -> Result<Vec<Series>> {
    let rows: Vec<_> = rows.collect();
    let (style, unsure) = detect_style(
        rows.iter()
            .filter_map(|r| r.as_ref().ok())
            .filter_map(|(_, cells)| cells.get(2).map(String::as_str)),
    );
    if style != NumberStyle::Plain {
        report.warnings.push(format!(
            "numbers are written with digit grouping ({}){}",
            match style {
                NumberStyle::CommaGroups => "1,234.5",
                _ => "1.234,5",
            },
            if unsure {
                "; assumed from 3-digit groups"
            } else {
                ""
            }
        ));
    }
    let mut series: Vec<Series> = Vec::new();
    // Each series' index by its name: a file may name 100,000 series.
    let mut index_of: FxHashMap<String, usize> = FxHashMap::default();
    let mut warnings = Warnings::default();
    let mut times = Times::new(zone);
    for row in rows {
        let Some((line, cells)) = usable(row, report, &mut warnings) else {
            continue;
        };
        if cells.len() < 3 {
            warnings.skip(report, line, "fewer than 3 cells (Series;Time;Value)");
            continue;
        }
        let Some(t) = times.parse(&cells[1], report) else {
            warnings.skip(
                report,
                line,
                &format!("the time {:?} is not a time", cells[1]),
            );
            continue;
        };
        let name = cells[0].trim();
        let index = match index_of.get(name) {
            Some(&i) => i,
            None => {
                series.push(series_for(name));
                index_of.insert(name.to_string(), series.len() - 1);
                series.len() - 1
            }
        };
        match parse_styled(&cells[2], style) {
            Cell::Number(v) => series[index].push(t, v),
            Cell::Gap => {}
            Cell::Bad => warnings.skip(report, line, &format!("{:?} is not a number", cells[2])),
        }
    }
    warnings.finish(report);
    if series.is_empty() {
        return Err(Error::unknown_format(
            "the Series;Time;Value CSV has no readable row",
        ));
    }
    Ok(series)
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
    fn joined_epoch_ms_with_gaps() {
        let (s, r) = read("\"Time\",\"a{job=\"\"x\"\"}\",\"b\"\r\n1700000001000,1,\r\n1700000002000,,5\r\n1700000003000,3,6");
        assert_eq!(r.format, "grafana-csv");
        assert_eq!(r.time.as_deref(), Some("epoch-ms"));
        assert_eq!(s[0].name, "a");
        assert_eq!(s[0].labels, vec![("job".into(), "x".into())]);
        assert_eq!(s[0].times, vec![1700000001.0, 1700000003.0]);
        assert_eq!(s[1].display, "b");
        assert_eq!(s[1].values, vec![5.0, 6.0]);
    }

    #[test]
    fn excel_semicolon_and_formatted_times() {
        let (s, r) = read("sep=;\r\n\"Time\";\"x\"\r\n2026-11-23 20:26:07;1,5\r\nbad;2\r\n");
        assert_eq!(r.delimiter.as_deref(), Some(";"));
        assert!(r.zone.as_deref().unwrap().contains("UTC"));
        assert_eq!(r.skipped_rows, 1);
        assert!(
            r.warnings.iter().any(|w| w.contains("line 4")),
            "{:?}",
            r.warnings
        );
        // "1,5" is not a plain number: reported, not guessed.
        assert!(s[0].values.is_empty());
    }

    #[test]
    fn series_as_rows_with_locale_numbers_and_nulls() {
        let text = "\"Series\";\"Time\";\"Value\"\r\n\"rss{job=\"\"a\"\"}\";\"2026-11-23T20:26:07+00:00\";10,117,120\r\n\"rss{job=\"\"a\"\"}\";\"2026-11-23T20:26:08+00:00\";null\r\n\"rss{job=\"\"a\"\"}\";\"2026-11-23T20:26:09+00:00\";12,000\r\n";
        let (s, r) = read(text);
        assert_eq!(r.format, "grafana-csv-series-as-rows");
        assert_eq!(s[0].values, vec![10117120.0, 12000.0]);
        assert_eq!(s[0].times[0], 1795465567.0);
    }

    #[test]
    fn not_grafana() {
        let mut r = InputReport::default();
        assert!(parse("a,b\n1,2\n", &mut r, Zone::default(), 20_000).is_err());
    }

    #[test]
    fn formatted_times_in_a_given_zone() {
        let mut r = InputReport::default();
        let text = "\"Time\",\"x\"\n2026-11-23 21:26:07,1\n";
        let s = parse(text, &mut r, Zone::given(3600), 20_000).unwrap();
        assert_eq!(s[0].times, vec![1795465567.0]);
        assert_eq!(r.zone.as_deref(), Some("UTC+01:00 (given)"));
        // Epoch times carry their zone: the offset does not apply.
        let s = parse(
            "\"Time\",\"x\"\n1795465567000,1\n",
            &mut r,
            Zone::given(3600),
            20_000,
        )
        .unwrap();
        assert_eq!(s[0].times, vec![1795465567.0]);
    }
}

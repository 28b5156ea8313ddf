//! What every CSV reader here shares: the delimiter, rows numbered by the
//! line they start on, and a time column whose first readable cell decides
//! how its times are written.

use crate::model::series::InputReport;

use super::values::{parse_time, TimeFormat, Zone};
use super::Warnings;

/// CSV rows with their line numbers.
pub(super) type Row = std::result::Result<(usize, Vec<String>), csv::Error>;

/// The delimiter a header line uses most outside quotes: tab, `;` or `,`.
pub(super) fn guess_delimiter(header: &str) -> char {
    let count = |d: char| {
        let mut n = 0;
        let mut quoted = false;
        for c in header.chars() {
            if c == '"' {
                quoted = !quoted;
            } else if c == d && !quoted {
                n += 1;
            }
        }
        n
    };
    let candidates = [('\t', count('\t')), (';', count(';')), (',', count(','))];
    candidates
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|&(d, _)| d)
        .unwrap_or(',')
}

/// Every record of `body` (the header too: callers take the first), with
/// the line it starts on; `skipped_lines` counts lines before `body`.
pub(super) fn numbered_rows(
    body: &str,
    delimiter: char,
    skipped_lines: usize,
) -> impl Iterator<Item = Row> + '_ {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    // One record read into again and again: the crate's own iterator
    // clones each, and a clone copies the field bounds of the widest row
    // yet (a 19,999-column header over 200,000 rows: 1.98 s, 0.16 s now).
    let mut record = csv::StringRecord::new();
    // Line numbers from byte offsets (the csv crate's own line count is
    // off by one with CRLF endings).
    let mut counted = (0usize, 1usize); // (byte offset, line at that offset)
    std::iter::from_fn(move || match reader.read_record(&mut record) {
        Ok(false) => None,
        Err(e) => Some(Err(e)),
        Ok(true) => {
            let mut byte = record
                .position()
                .map_or(0, |p| p.byte() as usize)
                .min(body.len());
            // After a CR, a record "starts" at the LF that ends the line.
            if body.as_bytes().get(byte) == Some(&b'\n') {
                byte += 1;
            }
            if byte >= counted.0 {
                counted.1 += body.as_bytes()[counted.0..byte]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted.0 = byte;
            }
            let cells = record.iter().map(str::to_string).collect();
            Some(Ok((counted.1 + skipped_lines, cells)))
        }
    })
}

/// A row with something in it; an unreadable one is skipped with a
/// warning, a blank one silently.
pub(super) fn usable(
    row: Row,
    report: &mut InputReport,
    warnings: &mut Warnings,
) -> Option<(usize, Vec<String>)> {
    match row {
        Ok((_, cells)) if cells.iter().all(|c| c.trim().is_empty()) => None,
        Ok(r) => Some(r),
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line() as usize);
            warnings.skip(report, line, &format!("unreadable CSV ({e})"));
            None
        }
    }
}

/// The shared time-column handling: the format of the first time decides;
/// zoneless times are in the given zone, else UTC (reported either way).
pub(super) struct Times {
    pub format: Option<TimeFormat>,
    pub zone: Zone,
}

impl Times {
    pub fn new(zone: Zone) -> Times {
        Times { format: None, zone }
    }

    pub fn parse(&mut self, cell: &str, report: &mut InputReport) -> Option<f64> {
        let (t, format) = parse_time(cell)?;
        if self.format.is_none() {
            self.format = Some(format);
            report.time = Some(format.describe().to_string());
            if format.zoneless() {
                report.zone = Some(self.zone.describe());
            }
        }
        Some(if format.zoneless() {
            self.zone.to_utc(t)
        } else {
            t
        })
    }
}

//! Reports as display-ready tables for the page: every number already
//! formatted (the JS shell formats nothing), raw values kept for sorting.

use crate::analysis::top::TopReport;
use crate::analysis::trend::{Measure, TrendReport};
use crate::units::{self, percentage};

use super::text::top_labels;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopTable {
    /// pprof's header lines (File, Type, Time, Showing nodes...).
    pub header: Vec<String>,
    pub sample_type: String,
    pub unit: String,
    pub total: i64,
    pub total_text: String,
    pub warnings: Vec<String>,
    pub rows: Vec<TopTableRow>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopTableRow {
    pub name: String,
    /// `(inline)`, `(partial-inline)` or empty.
    pub inline_label: &'static str,
    pub flat: i64,
    pub cum: i64,
    pub flat_text: String,
    pub flat_percent: String,
    pub sum_percent: String,
    pub cum_text: String,
    pub cum_percent: String,
}

pub fn top_table(r: &TopReport) -> TopTable {
    let c = &r.context;
    let mut sum = 0i64;
    let rows = r
        .rows
        .iter()
        .map(|row| {
            sum = sum.wrapping_add(row.flat);
            TopTableRow {
                name: row.name.clone(),
                inline_label: if row.inline {
                    "(inline)"
                } else if row.partial_inline {
                    "(partial-inline)"
                } else {
                    ""
                },
                flat: row.flat,
                cum: row.cum,
                flat_text: c.format(row.flat),
                flat_percent: percentage(row.flat, c.total).trim().to_string(),
                sum_percent: percentage(sum, c.total).trim().to_string(),
                cum_text: c.format(row.cum),
                cum_percent: percentage(row.cum, c.total).trim().to_string(),
            }
        })
        .collect();
    TopTable {
        header: top_labels(r),
        sample_type: c.sample_type.clone(),
        unit: c.unit.clone(),
        total: c.total,
        total_text: c.format(c.total),
        warnings: c.warnings.clone(),
        rows,
    }
}

/// The leak suspects as the page shows them: every figure formatted, and
/// a sparkline of each site's values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrendTable {
    pub sample_type: String,
    pub snapshots: Vec<TrendSnapshot>,
    pub rows: Vec<TrendRow>,
    pub notes: Vec<String>,
    /// What each verdict in the rows means (`minor: changed by …`).
    pub legend: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrendSnapshot {
    pub file: String,
    pub time: String,
    pub total: String,
    pub metrics_heap: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrendRow {
    pub rank: usize,
    pub name: String,
    /// `(main.go:24) via bytes.Repeat`.
    pub place: String,
    pub verdict: &'static str,
    pub first: String,
    pub last: String,
    pub growth: String,
    pub share: String,
    pub monotonic: String,
    pub per_object: String,
    pub per_request: String,
    /// An SVG path (`M x y L ...`) of the values in a 100 × 24 box.
    pub sparkline: String,
}

pub fn trend_table(r: &TrendReport) -> TrendTable {
    let label = |v: i64| units::label(v, &r.unit);
    let rows = r
        .suspects
        .iter()
        .map(|s| {
            let file = s.file.rsplit('/').next().unwrap_or(&s.file);
            let mut place = match s.line {
                Some(l) => format!("({file}:{l})"),
                None => String::new(),
            };
            let goroutines = matches!(r.measure, Measure::Goroutines | Measure::LeakedGoroutines);
            match &s.via {
                Some(v) if goroutines => place = format!("{place} [{v}]").trim().to_string(),
                Some(v) => place = format!("{place} via {v}").trim().to_string(),
                None => {}
            }
            if let Some(started) = s.started.as_ref().filter(|_| goroutines) {
                place.push_str(&format!(", {started}"));
            }
            if let Some(m) = s.longest_wait_minutes {
                place.push_str(&format!(", waiting up to {m} minutes"));
            }
            TrendRow {
                rank: s.rank,
                name: s.name.clone(),
                place,
                verdict: s.verdict.name(),
                first: label(s.values[0]),
                last: label(*s.values.last().unwrap_or(&0)),
                growth: format!("{}{}", if s.growth > 0 { "+" } else { "" }, label(s.growth)),
                share: format!("{:.1}%", 100.0 * s.share_of_growth),
                monotonic: format!("{:.2}", s.monotonic),
                per_object: s
                    .bytes_per_object
                    .map(|b| units::label(b as i64, "bytes"))
                    .unwrap_or_default(),
                per_request: s
                    .bytes_per_request
                    .map(|b| units::label(b as i64, "bytes"))
                    .unwrap_or_default(),
                sparkline: sparkline(&s.values, 100.0, 24.0),
            }
        })
        .collect();
    let mut notes = r.warnings.clone();
    if let Some(m) = &r.metrics {
        let mut line = format!(
            "{:.0} requests between the first and the last snapshot",
            m.requests
        );
        if let (Some(b), Some(series)) = (m.metrics_bytes_per_request, &m.metrics_series) {
            line.push_str(&format!(
                "; {series} says {} per request",
                units::label(b as i64, "bytes")
            ));
        }
        notes.push(line);
        if !m.caveat.is_empty() {
            notes.push(m.caveat.clone());
        }
    }
    TrendTable {
        sample_type: r.sample_type.clone(),
        snapshots: r
            .snapshots
            .iter()
            .map(|s| TrendSnapshot {
                file: s.file.clone(),
                time: if s.time_nanos > 0 {
                    super::gotime::report_time(s.time_nanos)
                } else {
                    String::new()
                },
                total: label(s.total),
                metrics_heap: s
                    .metrics_heap
                    .map(|h| units::label(h as i64, "bytes"))
                    .unwrap_or_default(),
            })
            .collect(),
        rows,
        notes,
        legend: r.verdict_legend(),
    }
}

/// A polyline through `values`, scaled into a `width` × `height` box
/// (y grows downwards, as in SVG).
pub fn sparkline(values: &[i64], width: f64, height: f64) -> String {
    if values.is_empty() {
        return String::new();
    }
    let lo = *values.iter().min().unwrap_or(&0) as f64;
    let hi = *values.iter().max().unwrap_or(&0) as f64;
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<(usize, i64)> = values.iter().copied().enumerate().collect();
    // More than two values a unit of width: each unit's lowest and
    // highest, in the order they came, draw the same line. 2,000
    // snapshots made a path of 2,000 points, 24 kB, for each of the Trend
    // view's rows.
    let points: Vec<(usize, i64)> = if values.len() as f64 > 2.0 * width {
        points
            .chunk_by(|a, b| (a.0 as f64 * step).floor() == (b.0 as f64 * step).floor())
            .flat_map(|unit| {
                let no_empty = "chunk_by gives no empty unit";
                let a = *unit.iter().min_by_key(|p| p.1).expect(no_empty);
                let b = *unit.iter().max_by_key(|p| p.1).expect(no_empty);
                let pair = if a.0 <= b.0 { [a, b] } else { [b, a] };
                pair.into_iter().take(if a.0 == b.0 { 1 } else { 2 })
            })
            .collect()
    } else {
        points
    };
    points
        .iter()
        .enumerate()
        .map(|(k, &(i, v))| {
            let x = i as f64 * step;
            let y = height - 1.0 - (v as f64 - lo) / span * (height - 2.0);
            format!("{}{x:.1} {y:.1}", if k == 0 { "M" } else { " L" })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_fill_their_box() {
        assert_eq!(
            sparkline(&[0, 5, 10], 100.0, 24.0),
            "M0.0 23.0 L50.0 12.0 L100.0 1.0"
        );
        assert_eq!(sparkline(&[7, 7], 100.0, 24.0), "M0.0 23.0 L100.0 23.0");
        assert_eq!(sparkline(&[], 100.0, 24.0), "");
    }

    #[test]
    fn a_long_sparkline_keeps_each_units_lowest_and_highest() {
        // 2,000 values in a box 100 wide: at most two points a unit, and
        // the spike and the dip are still drawn.
        let mut values: Vec<i64> = (0..2_000).map(|i| i % 7).collect();
        values[1_234] = 1_000;
        values[1_500] = -1_000;
        let path = sparkline(&values, 100.0, 24.0);
        let points = path.matches(['M', 'L']).count();
        assert!(points <= 2 * 101, "{points} points");
        assert!(path.contains(" 1.0"), "the spike reaches the top: {path}");
        assert!(path.contains(" 23.0"), "the dip reaches the bottom: {path}");
        assert!(
            path.starts_with("M0.0 ") && path.contains(" L100.0 "),
            "{path}"
        );
    }
}

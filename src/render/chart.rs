//! Memory charts as SVG, drawn with plotters: every memory series of a
//! process over time with the sawtooth annotated (restarts and OOM kills,
//! the fitted floor of each life with its slope, the limit, idle stretches
//! shaded, the verdict), and the request rate and the goroutine count on
//! charts that share its time axis.
//!
//! plotters measures text through the browser's DOM on wasm32, which does
//! not exist in a worker; [`Svg`] wraps its SVG backend with a fixed-width
//! estimate, and legends are the page's (names and colours are returned).

use std::ops::Range;

use plotters::backend::SVGBackend;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};

use crate::analysis::leak::classify::Kind;
use crate::analysis::leak::classify::Role;
use crate::analysis::leak::work::Requests;
use crate::analysis::leak::{Analysis, SeriesAnalysis, Verdict};
use crate::civil::civil_from_days;
use crate::model::series::Series;
use crate::units;

/// What to draw.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ChartOptions {
    pub width: u32,
    /// Height of the memory chart (the rate chart is a third of it).
    pub height: u32,
    pub dark: bool,
    /// The visible time range (unix seconds); `None`: everything.
    pub from: Option<f64>,
    pub to: Option<f64>,
    /// Series (by display name) the user switched off.
    pub hidden: Vec<String>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 900,
            height: 300,
            dark: false,
            from: None,
            to: None,
            hidden: Vec::new(),
        }
    }
}

/// One drawn chart.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Chart {
    /// `memory`, `requests` or `goroutines`.
    pub kind: &'static str,
    pub svg: String,
    /// Where the plot sits in the SVG and the times at its edges, so the
    /// page can turn a pointer position into a time (and ask for values).
    pub plot: PlotArea,
    pub legend: Vec<LegendEntry>,
    /// What is annotated, for a text alternative.
    pub notes: Vec<String>,
    /// The restart markers drawn: when, what, and where (pixel x).
    pub markers: Vec<Marker>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Marker {
    /// Unix seconds.
    pub time: f64,
    pub time_text: String,
    /// `OOM kill` or `restart`.
    pub label: &'static str,
    /// What the OOM log says, when it says: the process and its RSS.
    pub detail: String,
    pub x: i32,
}

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct PlotArea {
    pub left: i32,
    pub right: i32,
    pub top: i32,
    pub bottom: i32,
    pub t0: f64,
    pub t1: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LegendEntry {
    pub name: String,
    pub color: String,
    pub hidden: bool,
}

/// The value of each visible series nearest a time, formatted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HoverValue {
    pub name: String,
    pub color: String,
    pub time: String,
    pub value: String,
}

struct Theme {
    background: RGBColor,
    text: RGBColor,
    grid: RGBColor,
    axis: RGBColor,
    idle: RGBAColor,
    restart: RGBColor,
    oom: RGBColor,
    limit: RGBColor,
    palette: [RGBColor; 6],
}

fn theme(dark: bool) -> Theme {
    if dark {
        Theme {
            background: RGBColor(24, 26, 27),
            text: RGBColor(220, 222, 224),
            grid: RGBColor(52, 56, 60),
            axis: RGBColor(120, 124, 128),
            idle: RGBColor(120, 160, 255).mix(0.10),
            restart: RGBColor(150, 150, 150),
            oom: RGBColor(255, 110, 100),
            limit: RGBColor(255, 170, 60),
            palette: [
                RGBColor(100, 170, 255),
                RGBColor(255, 150, 80),
                RGBColor(110, 210, 130),
                RGBColor(220, 130, 230),
                RGBColor(240, 210, 90),
                RGBColor(120, 220, 220),
            ],
        }
    } else {
        Theme {
            background: RGBColor(255, 255, 255),
            text: RGBColor(30, 32, 34),
            grid: RGBColor(232, 234, 237),
            axis: RGBColor(150, 154, 160),
            idle: RGBColor(60, 110, 220).mix(0.08),
            restart: RGBColor(120, 120, 120),
            oom: RGBColor(210, 40, 30),
            limit: RGBColor(215, 120, 0),
            palette: [
                RGBColor(31, 110, 210),
                RGBColor(230, 110, 20),
                RGBColor(30, 150, 70),
                RGBColor(160, 60, 180),
                RGBColor(170, 140, 0),
                RGBColor(0, 140, 150),
            ],
        }
    }
}

fn css(c: &RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The memory chart and, when the process has requests, the rate chart.
pub fn process_charts(
    a: &Analysis,
    series: &[Series],
    process: usize,
    opts: &ChartOptions,
) -> Vec<Chart> {
    let members: Vec<&SeriesAnalysis> = a.series.iter().filter(|s| s.process == process).collect();
    let memory: Vec<&SeriesAnalysis> = members
        .iter()
        .copied()
        .filter(|s| s.role == Role::Memory)
        .collect();
    let requests: Vec<(&Series, Kind)> = members
        .iter()
        .filter(|s| s.role == Role::Requests)
        .map(|s| (&series[s.source], s.kind))
        .collect();
    let span = time_span(members.iter().map(|s| &series[s.source]));
    let Some((t0, t1)) = visible(span, opts) else {
        return Vec::new();
    };
    let th = theme(opts.dark);
    let mut charts = Vec::new();
    if !memory.is_empty() {
        charts.push(memory_chart(
            a,
            series,
            process,
            &memory,
            (t0, t1),
            opts,
            &th,
        ));
    }
    if let Some(r) = Requests::new(&requests) {
        let y_fmt = |v: &f64| format!("{} req/s", units::format_g(*v, 3));
        charts.push(line_chart(
            "requests",
            "requests per second",
            r.rates(),
            (t0, t1),
            opts,
            &th,
            &y_fmt,
        ));
    }
    if let Some(g) = goroutines(&members) {
        let raw = &series[g.source];
        let points: Vec<(f64, f64)> = raw
            .times
            .iter()
            .copied()
            .zip(raw.values.iter().copied())
            .collect();
        let y_fmt = |v: &f64| format!("{v:.0}");
        charts.push(line_chart(
            "goroutines",
            &g.display,
            &points,
            (t0, t1),
            opts,
            &th,
            &y_fmt,
        ));
    }
    charts
}

/// A process's goroutine count (`go_goroutines`), charted beside its memory.
fn goroutines<'a>(members: &[&'a SeriesAnalysis]) -> Option<&'a SeriesAnalysis> {
    members.iter().copied().find(|s| s.is_goroutine_count())
}

fn time_span<'a>(series: impl Iterator<Item = &'a Series>) -> Option<(f64, f64)> {
    let mut span: Option<(f64, f64)> = None;
    for s in series {
        if let (Some(&a), Some(&b)) = (s.times.first(), s.times.last()) {
            span = Some(span.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
        }
    }
    span
}

fn visible(span: Option<(f64, f64)>, opts: &ChartOptions) -> Option<(f64, f64)> {
    let (a, b) = span?;
    let (from, to) = (opts.from.unwrap_or(a).max(a), opts.to.unwrap_or(b).min(b));
    if from < to {
        Some((from, to))
    } else if a < b {
        Some((a, b))
    } else {
        Some((a - 30.0, a + 30.0))
    }
}

/// The points of a series in [t0, t1] (and one on each side, so lines
/// reach the edges), thinned to a min and a max per pixel column when
/// there are more points than pixels.
pub fn decimate(
    times: &[f64],
    values: &[f64],
    t0: f64,
    t1: f64,
    columns: usize,
) -> Vec<(f64, f64)> {
    let start = times.partition_point(|&t| t < t0).saturating_sub(1);
    let end = (times.partition_point(|&t| t <= t1) + 1).min(times.len());
    let n = end.saturating_sub(start);
    if n <= 2 * columns.max(1) {
        return (start..end).map(|i| (times[i], values[i])).collect();
    }
    let width = (t1 - t0) / columns as f64;
    let mut out = Vec::with_capacity(2 * columns + 2);
    let mut i = start;
    while i < end {
        let column = ((times[i] - t0) / width).floor();
        let (mut lo, mut hi) = (i, i);
        let mut j = i;
        while j < end && ((times[j] - t0) / width).floor() == column {
            if values[j] < values[lo] {
                lo = j;
            }
            if values[j] > values[hi] {
                hi = j;
            }
            j += 1;
        }
        // In time order, so the line keeps its shape.
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push((times[a], values[a]));
        if b != a {
            out.push((times[b], values[b]));
        }
        i = j;
    }
    out
}

/// A linear f64 axis with ticks chosen here (round times, power-of-two
/// byte sizes) rather than plotters' decimal ones.
struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Ticked { range, ticks }
    }
}

impl plotters::coord::ranged1d::Ranged for Ticked {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span <= 0.0 {
            return limit.0;
        }
        let x = (value - self.range.start) / span;
        limit.0 + (x * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bold points only: no light grid.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// Time ticks at round steps (10 s, 1 min, 15 min, 1 h, 1 day...), at
/// most about eight.
fn time_ticks(t0: f64, t1: f64) -> Vec<f64> {
    const STEPS: [f64; 19] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        10_800.0, 21_600.0, 43_200.0, 86_400.0, 604_800.0,
    ];
    let span = t1 - t0;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s <= 8.0)
        .unwrap_or(span / 8.0)
        .max(1e-9);
    ticks_from((t0 / step).ceil() * step, t1, step)
}

/// Byte ticks at a power-of-two step (so labels read 32MB, 64MB, 96MB).
fn byte_ticks(top: f64) -> Vec<f64> {
    let step = 2f64.powf((top / 5.0).max(1.0).log2().ceil());
    ticks_from(0.0, top, step)
}

/// Ticks at a 1-2-5 step, about `count` of them.
fn decimal_ticks(top: f64, count: usize) -> Vec<f64> {
    let raw = top / count as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(raw);
    ticks_from(0.0, top, step)
}

fn ticks_from(first: f64, last: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut k = 0.0;
    while first + k * step <= last && out.len() < 50 {
        out.push(first + k * step);
        k += 1.0;
    }
    out
}

/// A time label: clock time for spans under two days, else date and time.
fn time_label(t: f64, span: f64) -> String {
    let secs = t.floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (h, m, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    if span < 2.0 * 86_400.0 {
        if span < 600.0 {
            format!("{h:02}:{m:02}:{s:02}")
        } else {
            format!("{h:02}:{m:02}")
        }
    } else {
        let (_, month, day) = civil_from_days(days);
        format!("{month:02}-{day:02} {h:02}:{m:02}")
    }
}

/// A full time for hover: `2026-11-23 20:27:25 UTC`.
fn time_text(t: f64) -> String {
    let secs = t.floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, mo, d) = civil_from_days(days);
    format!(
        "{y}-{mo:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

fn bytes(v: f64) -> String {
    units::label(v.round() as i64, "bytes")
}

#[allow(clippy::too_many_arguments)]
fn memory_chart(
    a: &Analysis,
    series: &[Series],
    process: usize,
    memory: &[&SeriesAnalysis],
    (t0, t1): (f64, f64),
    opts: &ChartOptions,
    th: &Theme,
) -> Chart {
    let p = &a.processes[process];
    let main = p.main_series.map(|m| &a.series[m]);
    let shown: Vec<(usize, &SeriesAnalysis)> = memory
        .iter()
        .enumerate()
        .filter(|(_, s)| !opts.hidden.contains(&s.display))
        .map(|(k, s)| (k, *s))
        .collect();
    let legend = memory
        .iter()
        .enumerate()
        .map(|(k, s)| LegendEntry {
            name: s.display.clone(),
            color: css(&th.palette[k % th.palette.len()]),
            hidden: opts.hidden.contains(&s.display),
        })
        .collect();
    let columns = opts.width.saturating_sub(90) as usize;
    let lines: Vec<(usize, Vec<(f64, f64)>)> = shown
        .iter()
        .map(|(k, s)| {
            let raw = &series[s.source];
            (*k, decimate(&raw.times, &raw.values, t0, t1, columns))
        })
        .collect();
    let mut top = lines
        .iter()
        .flat_map(|(_, pts)| pts.iter().filter(|p| p.0 >= t0 && p.0 <= t1).map(|p| p.1))
        .fold(0.0f64, f64::max);
    let limit = main.and_then(|m| m.limit);
    if let Some(l) = limit {
        if l <= 1.5 * top || top == 0.0 {
            top = top.max(l);
        }
    }
    let y1 = if top > 0.0 { top * 1.1 } else { 1.0 };
    let mut notes = Vec::new();
    let mut markers = Vec::new();
    let mut svg = String::new();
    let plot = {
        let root = Svg::new(&mut svg, (opts.width, opts.height)).into_drawing_area();
        let _ = root.fill(&th.background);
        let built = ChartBuilder::on(&root)
            .margin_top(22)
            .margin_right(16)
            .margin_left(6)
            .x_label_area_size(24)
            .y_label_area_size(70)
            .build_cartesian_2d(
                Ticked::new(t0..t1, time_ticks(t0, t1)),
                Ticked::new(0.0..y1, byte_ticks(y1)),
            );
        let Ok(mut chart) = built else {
            return empty_chart("memory", opts, th, legend);
        };
        let span = t1 - t0;
        let x_fmt = |t: &f64| time_label(*t, span);
        let y_fmt = |v: &f64| bytes(*v);
        let label_style = ("sans-serif", 12).into_font().color(&th.text);
        let _ = chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(5)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(th.grid)
            .bold_line_style(th.grid)
            .axis_style(th.axis)
            .label_style(label_style.clone())
            .draw();
        // Idle stretches, shaded.
        let _ = chart.draw_series(
            p.idle
                .iter()
                .filter(|(a, b)| *b > t0 && *a < t1)
                .map(|&(a, b)| {
                    Rectangle::new([(a.max(t0), 0.0), (b.min(t1), y1)], th.idle.filled())
                }),
        );
        if !p.idle.is_empty() {
            notes.push(format!(
                "{} idle stretches (no requests) shaded",
                p.idle.len()
            ));
        }
        // The series.
        for (k, pts) in &lines {
            let color = th.palette[k % th.palette.len()];
            let _ = chart.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(1)));
        }
        // The fitted floor of each life of the main series, with its slope.
        for (k, s) in shown
            .iter()
            .filter(|(_, s)| main.is_some_and(|m| std::ptr::eq(m, *s)))
        {
            let color = th.palette[k % th.palette.len()];
            for g in &s.segments {
                let (Some(fa), Some(fb), Some(slope)) = (g.fit_start, g.fit_end, g.slope_per_hour)
                else {
                    continue;
                };
                if g.end < t0 || g.start > t1 {
                    continue;
                }
                let _ = chart.draw_series(DashedLineSeries::new(
                    [(g.start, fa), (g.end, fb)],
                    6,
                    4,
                    color.stroke_width(2),
                ));
                if (g.end - g.start) > 0.08 * span {
                    // Above and left of the line's middle: clear of a rising line.
                    let mid = ((g.start + g.end) / 2.0).clamp(t0, t1);
                    let at = fa + (fb - fa) * (mid - g.start) / (g.end - g.start).max(1e-9);
                    let text = format!("{}{}/h", if slope >= 0.0 { "+" } else { "" }, bytes(slope));
                    let style = ("sans-serif", 11)
                        .into_font()
                        .color(&color)
                        .pos(Pos::new(HPos::Right, VPos::Bottom));
                    let _ = chart.draw_series(std::iter::once(Text::new(
                        text,
                        (mid - 0.01 * span, at + 0.02 * y1),
                        style,
                    )));
                }
            }
        }
        // The limit.
        if let (Some(l), Some(m)) = (limit, main) {
            if l <= y1 {
                let _ = chart.draw_series(DashedLineSeries::new(
                    [(t0, l), (t1, l)],
                    8,
                    5,
                    th.limit.stroke_width(1),
                ));
                let source = m.limit_source.unwrap_or("");
                let text = format!("limit {} ({source})", bytes(l));
                let style = ("sans-serif", 11)
                    .into_font()
                    .color(&th.limit)
                    .pos(Pos::new(HPos::Right, VPos::Bottom));
                let _ = chart.draw_series(std::iter::once(Text::new(text.clone(), (t1, l), style)));
                notes.push(text);
            }
        }
        // Restarts, from the main series (the process's restarts).
        if let Some(m) = main {
            let mut kills = 0;
            for r in m.restarts.iter().filter(|r| r.time >= t0 && r.time <= t1) {
                let color = if r.oom_kill.is_some() {
                    th.oom
                } else {
                    th.restart
                };
                let _ = chart.draw_series(DashedLineSeries::new(
                    [(r.time, 0.0), (r.time, y1)],
                    3,
                    3,
                    color.stroke_width(1),
                ));
                let label = if r.oom_kill.is_some() {
                    "OOM kill"
                } else {
                    "restart"
                };
                kills += usize::from(r.oom_kill.is_some());
                let style = ("sans-serif", 10)
                    .into_font()
                    .color(&color)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                let _ = chart.draw_series(std::iter::once(Text::new(label, (r.time, y1), style)));
            }
            if !m.restarts.is_empty() {
                notes.push(format!(
                    "{} restarts marked ({kills} OOM kills)",
                    m.restarts.len()
                ));
            }
        }
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        if let Some(m) = main {
            for r in m.restarts.iter().filter(|r| r.time >= t0 && r.time <= t1) {
                markers.push(Marker {
                    time: r.time,
                    time_text: time_text(r.time),
                    label: if r.oom_kill.is_some() {
                        "OOM kill"
                    } else {
                        "restart"
                    },
                    detail: r
                        .oom_kill
                        .as_ref()
                        .map(|k| match k.rss_bytes {
                            Some(rss) => {
                                format!("{} killed with {} resident", k.process, bytes(rss))
                            }
                            None => format!("{} killed", k.process),
                        })
                        .unwrap_or_default(),
                    x: xr.start
                        + ((r.time - t0) / (t1 - t0) * (xr.end - xr.start) as f64).round() as i32,
                });
            }
        }
        // The verdict badge, top left of the plot.
        if let Some(v) = p.verdict_badge() {
            let color = match p.verdict {
                Verdict::Leak => th.oom,
                Verdict::Steady => th.palette[2],
                Verdict::Inconclusive => th.axis,
            };
            let style = ("sans-serif", 13)
                .into_font()
                .style(FontStyle::Bold)
                .color(&color);
            let _ = root.draw(&Text::new(v.clone(), (xr.start + 8, 4), style));
            notes.insert(0, v);
        }
        let _ = root.present();
        plot_area(xr, yr, t0, t1)
    };
    Chart {
        kind: "memory",
        svg,
        plot,
        legend,
        notes,
        markers,
    }
}

fn plot_area(x: Range<i32>, y: Range<i32>, t0: f64, t1: f64) -> PlotArea {
    PlotArea {
        left: x.start,
        right: x.end,
        top: y.start,
        bottom: y.end,
        t0,
        t1,
    }
}

/// A small chart of one series under the memory chart (the request rate,
/// the goroutine count), on the same time axis.
fn line_chart(
    kind: &'static str,
    name: &str,
    points: &[(f64, f64)],
    (t0, t1): (f64, f64),
    opts: &ChartOptions,
    th: &Theme,
    y_fmt: &dyn Fn(&f64) -> String,
) -> Chart {
    let height = (opts.height / 3).max(90);
    let (times, values): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
    let pts = decimate(
        &times,
        &values,
        t0,
        t1,
        opts.width.saturating_sub(90) as usize,
    );
    let top = pts.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let y1 = if top > 0.0 { top * 1.15 } else { 1.0 };
    let color = if kind == "goroutines" {
        th.palette[4]
    } else {
        th.palette[5]
    };
    let legend = vec![LegendEntry {
        name: name.to_string(),
        color: css(&color),
        hidden: false,
    }];
    let mut svg = String::new();
    let plot = {
        let root = Svg::new(&mut svg, (opts.width, height)).into_drawing_area();
        let _ = root.fill(&th.background);
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin_top(8)
            .margin_right(16)
            .margin_left(6)
            .x_label_area_size(24)
            .y_label_area_size(70)
            .build_cartesian_2d(
                Ticked::new(t0..t1, time_ticks(t0, t1)),
                Ticked::new(0.0..y1, decimal_ticks(y1, 3)),
            )
        else {
            return empty_chart(kind, opts, th, legend);
        };
        let span = t1 - t0;
        let x_fmt = |t: &f64| time_label(*t, span);
        let _ = chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(3)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(th.grid)
            .bold_line_style(th.grid)
            .axis_style(th.axis)
            .label_style(("sans-serif", 12).into_font().color(&th.text))
            .draw();
        let _ = chart.draw_series(
            AreaSeries::new(pts.iter().copied(), 0.0, color.mix(0.25)).border_style(color),
        );
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let _ = root.present();
        plot_area(xr, yr, t0, t1)
    };
    Chart {
        kind,
        svg,
        plot,
        legend,
        notes: Vec::new(),
        markers: Vec::new(),
    }
}

fn empty_chart(
    kind: &'static str,
    opts: &ChartOptions,
    th: &Theme,
    legend: Vec<LegendEntry>,
) -> Chart {
    let mut svg = String::new();
    {
        let root = Svg::new(&mut svg, (opts.width, 40)).into_drawing_area();
        let _ = root.fill(&th.background);
        let _ = root.present();
    }
    Chart {
        kind,
        svg,
        plot: PlotArea {
            left: 0,
            right: 0,
            top: 0,
            bottom: 0,
            t0: 0.0,
            t1: 0.0,
        },
        legend,
        notes: vec!["nothing to draw".into()],
        markers: Vec::new(),
    }
}

/// The visible series' values nearest time `t` on a process's chart.
pub fn hover(
    a: &Analysis,
    series: &[Series],
    process: usize,
    kind: &str,
    t: f64,
    opts: &ChartOptions,
) -> Vec<HoverValue> {
    let th = theme(opts.dark);
    let nearest = |times: &[f64], values: &[f64]| -> Option<(f64, f64)> {
        let i = times.partition_point(|&x| x < t);
        let candidates = [i.checked_sub(1), (i < times.len()).then_some(i)];
        candidates
            .into_iter()
            .flatten()
            .min_by(|&x, &y| (times[x] - t).abs().total_cmp(&(times[y] - t).abs()))
            .map(|k| (times[k], values[k]))
    };
    let members: Vec<&SeriesAnalysis> = a.series.iter().filter(|s| s.process == process).collect();
    match kind {
        "requests" => {
            let requests: Vec<(&Series, Kind)> = members
                .iter()
                .filter(|s| s.role == Role::Requests)
                .map(|s| (&series[s.source], s.kind))
                .collect();
            let Some(r) = Requests::new(&requests) else {
                return Vec::new();
            };
            let (times, values): (Vec<f64>, Vec<f64>) = r.rates().iter().copied().unzip();
            nearest(&times, &values)
                .map(|(tt, v)| HoverValue {
                    name: "requests per second".into(),
                    color: css(&th.palette[5]),
                    time: time_text(tt),
                    value: format!("{} req/s", units::format_g(v, 4)),
                })
                .into_iter()
                .collect()
        }
        "goroutines" => goroutines(&members)
            .and_then(|g| {
                let raw = &series[g.source];
                let (tt, v) = nearest(&raw.times, &raw.values)?;
                Some(HoverValue {
                    name: g.display.clone(),
                    color: css(&th.palette[4]),
                    time: time_text(tt),
                    value: units::format_g(v, 6),
                })
            })
            .into_iter()
            .collect(),
        _ => members
            .iter()
            .filter(|s| s.role == Role::Memory)
            .enumerate()
            .filter(|(_, s)| !opts.hidden.contains(&s.display))
            .filter_map(|(k, s)| {
                let raw = &series[s.source];
                let (tt, v) = nearest(&raw.times, &raw.values)?;
                Some(HoverValue {
                    name: s.display.clone(),
                    color: css(&th.palette[k % th.palette.len()]),
                    time: time_text(tt),
                    value: bytes(v),
                })
            })
            .collect(),
    }
}

/// plotters' SVG backend with text measured by estimate: 0.55 em a
/// character (a sans-serif average), 1.2 em a line.
pub struct Svg<'a> {
    inner: SVGBackend<'a>,
}

impl<'a> Svg<'a> {
    pub fn new(buffer: &'a mut String, size: (u32, u32)) -> Self {
        Svg {
            inner: SVGBackend::with_string(buffer, size),
        }
    }
}

impl DrawingBackend for Svg<'_> {
    type ErrorType = <SVGBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: plotters_backend::BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(a, b, style, fill)
    }
    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<S: plotters_backend::BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let size = style.size();
        Ok((
            (text.chars().count() as f64 * size * 0.55).ceil() as u32,
            (size * 1.2).ceil() as u32,
        ))
    }
}

impl crate::analysis::leak::ProcessAnalysis {
    /// "LEAK 0.99" / "STEADY 0.87" / "INCONCLUSIVE".
    fn verdict_badge(&self) -> Option<String> {
        let word = match self.verdict {
            Verdict::Leak => "LEAK",
            Verdict::Steady => "STEADY",
            Verdict::Inconclusive => "INCONCLUSIVE",
        };
        Some(match self.confidence {
            Some(c) => format!("{word} (confidence {c:.2})"),
            None => word.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_extremes_in_order() {
        let times: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
        let values: Vec<f64> = times
            .iter()
            .map(|&t| {
                if t as i64 % 100 == 50 {
                    1000.0
                } else {
                    t % 7.0
                }
            })
            .collect();
        let d = decimate(&times, &values, 0.0, 9999.0, 100);
        assert!(d.len() <= 202, "{}", d.len());
        assert!(d.windows(2).all(|w| w[0].0 <= w[1].0));
        // Every spike survives.
        assert_eq!(d.iter().filter(|p| p.1 == 1000.0).count(), 100);
        // Few points: all kept.
        assert_eq!(
            decimate(&times[..50], &values[..50], 0.0, 49.0, 100).len(),
            50
        );
    }

    #[test]
    fn labels() {
        assert_eq!(time_label(1_795_465_567.0, 300.0), "20:26:07");
        assert_eq!(time_label(1_795_465_567.0, 3600.0), "20:26");
        assert_eq!(time_label(1_795_465_567.0, 5.0 * 86_400.0), "11-23 20:26");
        assert_eq!(time_text(1_795_465_567.0), "2026-11-23 20:26:07 UTC");
        assert_eq!(byte_ticks(130e6).len(), 4); // 0, 32, 64, 96 MiB (128 MiB > 130 MB)
        assert_eq!(byte_ticks(130e6)[1], 33_554_432.0);
        assert_eq!(
            time_ticks(0.0, 300.0),
            vec![0.0, 60.0, 120.0, 180.0, 240.0, 300.0]
        );
        assert_eq!(decimal_ticks(170.0, 3), vec![0.0, 100.0]);
    }
}

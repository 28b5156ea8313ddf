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
use crate::analysis::leak::restarts::Restart;
use crate::analysis::leak::segments::FloorPiece;
use crate::analysis::leak::work::Requests;
use crate::analysis::leak::{Analysis, ProcessAnalysis, SeriesAnalysis, Verdict};
use crate::civil::civil_from_days;
use crate::model::series::Series;
use crate::units;
use crate::words::counted;

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
    /// What is annotated, for a text alternative. Counts are the whole
    /// run's (the Overview's), with how many are in view when zoomed in.
    pub notes: Vec<String>,
    /// "Restarts: 3 (3 OOM kills)", the Overview's count, and when zoomed
    /// in how many of them this window shows; empty without restarts.
    /// Not sent: the page shows `caption`, which begins with it.
    #[serde(skip)]
    pub restarts: String,
    /// The chart's caption: `restarts`, then the first LISTED_MARKERS
    /// markers in view and how many more there are; empty without restarts.
    pub caption: String,
    /// The restart markers drawn: when, what, and where (pixel x).
    pub markers: Vec<Marker>,
    /// The floor lines drawn: the span of floors each was fitted to, and
    /// the pixels it was drawn over (within that span, clipped to view).
    pub floors: Vec<DrawnFloor>,
}

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct DrawnFloor {
    /// First and last floor fitted (unix seconds).
    pub start: f64,
    pub end: f64,
    /// Pixel x where the dashed line starts and ends.
    pub x_from: i32,
    pub x_to: i32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Marker {
    /// Unix seconds.
    pub time: f64,
    pub time_text: String,
    /// `OOM kill` or `restart`.
    pub label: &'static str,
    /// What the OOM log says, when it says: the process and its RSS; for
    /// restarts that share a pixel, how many and over what time.
    pub detail: String,
    pub x: i32,
    /// The restarts it stands for: 1, or more where they fall on one
    /// pixel column, or, when restarts are drawn as ticks, on one stretch
    /// of MARKER_WIDTH columns (40,000 restarts are at most one marker
    /// for every 9 pixels).
    pub count: usize,
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

/// The memory series one chart draws at most (the palette's colours
/// twice over).
const MAX_MEMORY_LINES: usize = 12;

/// The memory chart and, when the process has requests, the rate chart.
pub fn process_charts(
    a: &Analysis,
    series: &[Series],
    process: usize,
    opts: &ChartOptions,
) -> Vec<Chart> {
    let members: Vec<&SeriesAnalysis> = a.series.iter().filter(|s| s.process == process).collect();
    let main = a.processes[process]
        .main_series
        .map(|m| &a.series[m])
        .filter(|m| m.role == Role::Memory);
    // The first MAX_MEMORY_LINES memory series, and the headline wherever
    // it comes: 400 lines (and 400 legend entries) tell nothing apart.
    let all_memory: Vec<&SeriesAnalysis> = members
        .iter()
        .copied()
        .filter(|s| s.role == Role::Memory)
        .collect();
    let mut memory: Vec<&SeriesAnalysis> =
        all_memory.iter().copied().take(MAX_MEMORY_LINES).collect();
    let is_main = |s: &SeriesAnalysis| main.is_some_and(|m| std::ptr::eq(m, s));
    let main_beyond = !memory.iter().any(|s| is_main(s));
    if let (true, Some(m), Some(last)) = (main_beyond, main, memory.last_mut()) {
        *last = m;
    }
    let not_drawn = all_memory.len() - memory.len();
    let requests: Vec<(&Series, Kind)> = members
        .iter()
        .filter(|s| s.role == Role::Requests)
        .map(|s| (&series[s.source], s.kind))
        .collect();
    let span = time_span(members.iter().map(|s| &series[s.source]));
    let Some((t0, t1)) = visible(span, opts) else {
        return Vec::new();
    };
    let window = Window {
        t0,
        t1,
        zoomed: span.is_some_and(|(a, b)| t0 > a || t1 < b),
    };
    let th = theme(opts.dark);
    let mut charts = Vec::new();
    if !memory.is_empty() {
        let mut chart = memory_chart(a, series, process, &memory, window, opts, &th);
        if not_drawn > 0 {
            let drawn = if main_beyond && main.is_some() {
                format!("the first {} and the headline are", memory.len() - 1)
            } else {
                format!("the first {} are", memory.len())
            };
            chart.notes.push(format!(
                "{not_drawn} more memory series of this process not drawn ({drawn}; leakscope analyze lists every one)"
            ));
        }
        charts.push(chart);
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

/// The points of a series in [t0, t1] (and where the line crosses each
/// edge, so that it reaches them), thinned to a min and a max per pixel
/// column when there are more points than pixels.
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
    let mut out = if n <= 2 * columns.max(1) {
        (start..end).map(|i| (times[i], values[i])).collect()
    } else {
        thinned(times, values, start..end, t0, t1, columns)
    };
    reach_the_edges(&mut out, t0, t1);
    out
}

/// A min and a max a pixel column of the points `range` of a series.
fn thinned(
    times: &[f64],
    values: &[f64],
    range: Range<usize>,
    t0: f64,
    t1: f64,
    columns: usize,
) -> Vec<(f64, f64)> {
    let (start, end) = (range.start, range.end);
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

/// Moves the points outside [t0, t1] at the ends of a line (one at most
/// on each side) onto the edge, where the line crosses it: the drawn line
/// is the same, and no point lies further out than the window. A point
/// years past a zoomed window is billions of pixels out (a clock's glitch
/// in one row of an export), past the plotting's 32-bit coordinates.
fn reach_the_edges(points: &mut [(f64, f64)], t0: f64, t1: f64) {
    let cross = |outside: (f64, f64), inside: (f64, f64), edge: f64| {
        let share = (edge - inside.0) / (outside.0 - inside.0);
        (edge, inside.1 + share * (outside.1 - inside.1))
    };
    if let [first, second, ..] = points {
        if first.0 < t0 && second.0 >= t0 {
            *first = cross(*first, *second, t0);
        }
    }
    if let [.., before_last, last] = points {
        if last.0 > t1 && before_last.0 <= t1 {
            *last = cross(*last, *before_last, t1);
        }
    }
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
        // Anything drawn stays within 2^24 pixels of the plot (far off the
        // picture), so that plotters' 32-bit sums cannot overflow.
        const FAR: f64 = (1 << 24) as f64;
        let pixel = limit.0 as f64 + x * (limit.1 - limit.0) as f64;
        pixel.round().clamp(-FAR, FAR) as i32
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

/// Where the plot sits in a chart `width` pixels wide: the margins and
/// the y labels' area take the rest (the time axis is laid out in it).
const MARGIN_LEFT: u32 = 6;
const MARGIN_RIGHT: u32 = 16;
const Y_LABEL_AREA: u32 = 70;
/// plotters' font size of axis labels (it writes size / 1.24 px).
const AXIS_FONT: f64 = 12.0;

fn plot_width(width: u32) -> f64 {
    width.saturating_sub(MARGIN_LEFT + MARGIN_RIGHT + Y_LABEL_AREA) as f64
}

/// The width a label takes, in pixels, for laying labels out apart:
/// plotters writes font size `size` as `size / 1.24` px, and 0.62 em a
/// character is at least the average of digits and colons in the common
/// sans-serif faces (DejaVu's digits 0.64 em and colon 0.34, Liberation's
/// and Arial's 0.56 and 0.28), so labels spaced by it do not touch.
fn label_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * 0.62 * size / 1.24
}

/// The time axis: round steps (1 s, 10 s, 1 min, 15 min, 1 h, 1 day...)
/// as dense as the labels allow at the chart's width, each label a label
/// apart and inside the chart, and labels as precise as the step.
struct TimeAxis {
    ticks: Vec<f64>,
    step: f64,
    span: f64,
}

impl TimeAxis {
    fn new(t0: f64, t1: f64, plot_px: f64) -> Self {
        const STEPS: [f64; 20] = [
            1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
            7200.0, 10_800.0, 21_600.0, 43_200.0, 86_400.0, 172_800.0, 604_800.0,
        ];
        let span = (t1 - t0).max(1e-9);
        let px_per_s = plot_px.max(1.0) / span;
        let em = AXIS_FONT / 1.24;
        // A label's width plus an em between two labels, and no more than
        // about 16 labels however wide the chart.
        let spacing = |step: f64| {
            let text = time_label(t0, step, span);
            (label_width(&text, AXIS_FONT) + em).max(plot_px / 16.0)
        };
        let step = STEPS
            .iter()
            .copied()
            .find(|&s| s * px_per_s >= spacing(s))
            .unwrap_or_else(|| {
                // Spans of many weeks: whole weeks.
                let week = STEPS[STEPS.len() - 1];
                (spacing(week) / px_per_s / week).ceil() * week
            });
        // A label centred on a tick must not run off the chart's right
        // edge (the left one has the y labels' area to run into).
        let half = label_width(&time_label(t0, step, span), AXIS_FONT) / 2.0;
        let room = plot_px + MARGIN_RIGHT as f64 - half;
        let ticks = ticks_from((t0 / step).ceil() * step, t1, step)
            .into_iter()
            .filter(|t| (t - t0) * px_per_s <= room)
            .collect();
        TimeAxis { ticks, step, span }
    }

    fn label(&self, t: f64) -> String {
        time_label(t, self.step, self.span)
    }
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

/// A time label: clock time for spans under two days (with seconds when
/// ticks are under a minute apart), else date and time, or the date alone
/// when ticks are days apart.
fn time_label(t: f64, step: f64, span: f64) -> String {
    let secs = t.floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (h, m, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    if step >= 86_400.0 {
        let (_, month, day) = civil_from_days(days);
        format!("{month:02}-{day:02}")
    } else if span < 2.0 * 86_400.0 {
        if step < 60.0 {
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

/// The time window a chart shows: all of the run, or less (zoomed in).
#[derive(Debug, Clone, Copy)]
struct Window {
    t0: f64,
    t1: f64,
    zoomed: bool,
}

impl Window {
    fn shows(&self, t: f64) -> bool {
        t >= self.t0 && t <= self.t1
    }
}

/// What a count of the whole run says about the window shown: nothing
/// when the whole run is shown, else how many of them are in view ("3
/// restarts, 1 of them in this window"). The count itself never changes
/// with the view: it is the Overview's.
fn in_this_window(total: usize, shown: usize, zoomed: bool) -> String {
    match (zoomed, total, shown) {
        (false, ..) | (_, 0, _) => String::new(),
        (true, 1, 1) => ", in this window".into(),
        (true, 1, _) => ", not in this window".into(),
        (true, t, s) if s == t => ", all in this window".into(),
        (true, _, 0) => ", none of them in this window".into(),
        (true, _, s) => format!(", {s} of them in this window"),
    }
}

type Plot<'a, 'b> = ChartContext<'a, Svg<'b>, Cartesian2d<Ticked, Ticked>>;

#[allow(clippy::too_many_arguments)]
fn memory_chart(
    a: &Analysis,
    series: &[Series],
    process: usize,
    memory: &[&SeriesAnalysis],
    w: Window,
    opts: &ChartOptions,
    th: &Theme,
) -> Chart {
    let (t0, t1) = (w.t0, w.t1);
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
    let columns = plot_width(opts.width) as usize;
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
    let mut floors = Vec::new();
    let mut svg = String::new();
    let plot = {
        let root = Svg::new(&mut svg, (opts.width, opts.height)).into_drawing_area();
        let _ = root.fill(&th.background);
        let axis = TimeAxis::new(t0, t1, plot_width(opts.width));
        let built = ChartBuilder::on(&root)
            .margin_top(22)
            .margin_right(MARGIN_RIGHT)
            .margin_left(MARGIN_LEFT)
            .x_label_area_size(24)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(
                Ticked::new(t0..t1, axis.ticks.clone()),
                Ticked::new(0.0..y1, byte_ticks(y1)),
            );
        let Ok(mut chart) = built else {
            return empty_chart("memory", opts, th, legend);
        };
        let x_fmt = |t: &f64| axis.label(*t);
        let y_fmt = |v: &f64| bytes(*v);
        let label_style = ("sans-serif", AXIS_FONT).into_font().color(&th.text);
        let _ = chart
            .configure_mesh()
            .x_labels(axis.ticks.len())
            .y_labels(5)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(th.grid)
            .bold_line_style(th.grid)
            .axis_style(th.axis)
            .label_style(label_style.clone())
            .draw();
        // Idle stretches, shaded.
        let idle_in_view: Vec<(f64, f64)> = p
            .idle
            .iter()
            .copied()
            .filter(|&(a, b)| b > t0 && a < t1)
            .collect();
        // Stretches whose shading meets on a pixel column are shaded as
        // one: 16,000 stretches were 16,000 rectangles (1.5 MB of SVG).
        let x_of = |t: f64| chart.backend_coord(&(t, 0.0)).0;
        let mut shaded: Vec<(f64, f64)> = Vec::new();
        for &(a, b) in &idle_in_view {
            let (a, b) = (a.max(t0), b.min(t1));
            match shaded.last_mut() {
                Some(last) if x_of(a) <= x_of(last.1) => last.1 = last.1.max(b),
                _ => shaded.push((a, b)),
            }
        }
        let _ = chart.draw_series(
            shaded
                .iter()
                .map(|&(a, b)| Rectangle::new([(a, 0.0), (b, y1)], th.idle.filled())),
        );
        if !p.idle.is_empty() {
            let n = p.idle.len();
            notes.push(format!(
                "{n} idle {} (no requests) shaded{}",
                if n == 1 { "stretch" } else { "stretches" },
                in_this_window(n, idle_in_view.len(), w.zoomed)
            ));
        }
        // The series.
        for (k, pts) in &lines {
            let color = th.palette[k % th.palette.len()];
            let _ = chart.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(1)));
        }
        // The fitted floor of each life of the main series, with its slope.
        if let Some((k, m)) = shown
            .iter()
            .find(|(_, s)| main.is_some_and(|m| std::ptr::eq(m, *s)))
        {
            let color = th.palette[k % th.palette.len()];
            let f = draw_floors(&mut chart, m, color, y1, w);
            floors = f.drawn;
            if f.too_narrow > 0 {
                notes.push(format!(
                    "the floor lines of {} {} narrower than {MIN_FLOOR_PIXELS} pixels not drawn (zoom in to see them)",
                    f.too_narrow,
                    if f.too_narrow == 1 { "life" } else { "lives" }
                ));
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
        // The process's restarts, and the OOM kills that match none of
        // them, counted as the Overview counts them.
        if main.is_some() {
            let dense;
            (markers, dense) = draw_restarts(&mut chart, &p.restart_events, y1, w, th);
            if dense {
                notes.push(
                    "restarts too close together to draw as lines: each pixel column with any has a tick under the top (zoom in to see them as lines)".into(),
                );
            }
        }
        let unmatched = p.unmatched_oom_kills.len();
        if unmatched > 0 {
            notes.push(format!(
                "{unmatched} OOM {} matching no restart (not marked: see the Overview)",
                if unmatched == 1 { "kill" } else { "kills" }
            ));
        }
        let (xr, yr) = chart.plotting_area().get_pixel_range();
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
    let restarts = restart_summary(p, &markers, w);
    Chart {
        kind: "memory",
        svg,
        plot,
        legend,
        notes,
        caption: restart_caption(&restarts, &markers),
        restarts,
        markers,
        floors,
    }
}

/// "Restarts: 3 (3 OOM kills)": the Overview's count, the whole run's
/// whatever the window, then how many of them the window shows.
fn restart_summary(p: &ProcessAnalysis, markers: &[Marker], w: Window) -> String {
    if p.restarts == 0 {
        return String::new();
    }
    format!(
        "Restarts: {}{}",
        p.restart_count(),
        in_this_window(p.restarts, markers.iter().map(|m| m.count).sum(), w.zoomed)
    )
}

/// Markers the caption lists; the chart shows them all.
const LISTED_MARKERS: usize = 20;

/// "Restarts: 3 (3 OOM kills): 2026-… restart, 2026-… OOM kill (app killed
/// with 120MB resident), …, and 12 more markers (zoom in to list them)".
fn restart_caption(summary: &str, markers: &[Marker]) -> String {
    if summary.is_empty() || markers.is_empty() {
        return summary.to_string();
    }
    let listed: Vec<String> = markers
        .iter()
        .take(LISTED_MARKERS)
        .map(|m| match m.detail.as_str() {
            "" => format!("{} {}", m.time_text, m.label),
            detail => format!("{} {} ({detail})", m.time_text, m.label),
        })
        .collect();
    let more = match markers.len().saturating_sub(LISTED_MARKERS) {
        0 => String::new(),
        n => format!(
            ", and {} (zoom in to list them)",
            counted(n as u64, "more marker")
        ),
    };
    format!("{summary}: {}{more}", listed.join(", "))
}

/// A floor line piece narrower than this (pixels) is not drawn: it shows
/// no slope and tells nothing apart from its neighbours. 5,000 rising
/// lives, each floor a dashed near-vertical line, were 45,000 polylines
/// (4.4 MB of SVG).
const MIN_FLOOR_PIXELS: i32 = 3;

/// The floors drawn, and how many lives in view had every piece of their
/// floor line too narrow to draw.
struct Floors {
    drawn: Vec<DrawnFloor>,
    too_narrow: usize,
}

/// Draws each life's floor line of the headline series over the floors it
/// was fitted to (a piece per busy stretch, clipped to the window, at
/// least MIN_FLOOR_PIXELS wide), with its slope where the label has room;
/// returns what was drawn.
fn draw_floors(
    chart: &mut Plot,
    m: &SeriesAnalysis,
    color: RGBColor,
    y1: f64,
    w: Window,
) -> Floors {
    let mut drawn = Vec::new();
    let mut too_narrow = 0;
    let x = |chart: &Plot, t: f64| chart.backend_coord(&(t, 0.0)).0;
    // Where the previous slope label ended (pixels): labels never overlap.
    let mut free_from = chart.plotting_area().get_pixel_range().0.start;
    for (life, line) in m
        .segments
        .iter()
        .filter_map(|g| Some((g, g.floor_line.as_ref()?)))
    {
        let in_view: Vec<(f64, f64, &FloorPiece)> = line
            .pieces
            .iter()
            .map(|p| (p.start.max(w.t0), p.end.min(w.t1), p))
            .filter(|(a, b, _)| a < b)
            .collect();
        let pieces: Vec<(f64, f64, &FloorPiece)> = in_view
            .iter()
            .copied()
            .filter(|&(a, b, _)| x(chart, b) - x(chart, a) >= MIN_FLOOR_PIXELS)
            .collect();
        if pieces.is_empty() && !in_view.is_empty() {
            too_narrow += 1;
        }
        for &(a, b, piece) in &pieces {
            let _ = chart.draw_series(DashedLineSeries::new(
                [(a, piece.at(a)), (b, piece.at(b))],
                6,
                4,
                color.stroke_width(2),
            ));
            drawn.push(DrawnFloor {
                start: piece.start,
                end: piece.end,
                x_from: x(chart, a),
                x_to: x(chart, b),
            });
        }
        let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
            continue;
        };
        let slope = line.slope_per_hour;
        let text = format!(
            "{}{}/h{}",
            if slope >= 0.0 { "+" } else { "" },
            bytes(slope),
            if line.pieces.len() > 1 {
                " while busy"
            } else {
                ""
            }
        );
        // Above and left of a point three quarters along the life's line,
        // at the line's height there (or where the line last was, over an
        // idle stretch): clear of a rising line, which is lower to its
        // left. Only within the life (not over the one before it), and
        // not over the previous life's label.
        let anchor = first.0 + 0.75 * (last.1 - first.0);
        let at = pieces
            .iter()
            .rev()
            .find(|(a, _, _)| *a <= anchor)
            .map_or(first.2.from, |&(_, b, p)| p.at(anchor.min(b)));
        let right = x(chart, anchor) - 4;
        let left = right - label_width(&text, 11.0).ceil() as i32;
        if left < free_from.max(x(chart, life.start.max(w.t0))) {
            continue;
        }
        free_from = right + 8;
        let style = ("sans-serif", 11)
            .into_font()
            .color(&color)
            .pos(Pos::new(HPos::Right, VPos::Bottom));
        let _ = chart.draw_series(std::iter::once(Text::new(
            text,
            (
                anchor - 4.0 * (w.t1 - w.t0) / plot_width_of(chart),
                at + 0.02 * y1,
            ),
            style,
        )));
    }
    Floors { drawn, too_narrow }
}

/// The plot's width in pixels (at least one).
fn plot_width_of(chart: &Plot) -> f64 {
    let r = chart.plotting_area().get_pixel_range().0;
    f64::from((r.end - r.start).max(1))
}

/// Restart columns closer than this on average (pixels) are drawn as
/// ticks, RESTART_TICK pixels long, under the plot's top.
const MIN_RESTART_SPACING: i32 = 6;
const RESTART_TICK: i32 = 8;

/// Draws the restarts in the window (a dashed line each, or a tick when
/// they are dense, labelled where the label does not run into the
/// previous one); returns the markers, and whether they were dense.
/// Restarts on one pixel column are one line and one marker that counts
/// them (an OOM kill's colour if any was one): drawn one by one, 40,000
/// restarts made 40,000 lines and a 1.6 s task in the page. Dense, the
/// marker counts a MARKER_WIDTH stretch of columns.
fn draw_restarts(
    chart: &mut Plot,
    restarts: &[Restart],
    y1: f64,
    w: Window,
    th: &Theme,
) -> (Vec<Marker>, bool) {
    let mut markers = Vec::new();
    let in_window: Vec<&Restart> = restarts.iter().filter(|r| w.shows(r.time)).collect();
    let x_of = |t: f64| chart.backend_coord(&(t, 0.0)).0;
    let columns: Vec<(i32, &[&Restart])> = in_window
        .chunk_by(|a, b| x_of(a.time) == x_of(b.time))
        .map(|group| (x_of(group[0].time), group))
        .collect();
    // Closer together than this on average, full-height lines would cover
    // the plot (and 800 dashed ones were 34,000 polylines, 3.3 MB of SVG
    // that took the page 0.6 s to show): each column gets a tick below
    // the plot's top instead.
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let dense = columns.len() as i32 * MIN_RESTART_SPACING > xs.end - xs.start;
    let tick = y1 * f64::from(RESTART_TICK) / f64::from((ys.end - ys.start).max(1));
    // Dense, one label from the first tick on says what they all are.
    if let Some((_, first)) = columns.first().filter(|_| dense) {
        let style = ("sans-serif", 10)
            .into_font()
            .color(&th.restart)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        let _ = chart.draw_series(std::iter::once(Text::new(
            "restarts",
            (first[0].time, y1),
            style,
        )));
    }
    if dense {
        // Neighbouring columns of one colour are one zig-zag line down one
        // column and up the next, which paints what a tick each does: 800
        // tick elements took Chromium ~40 ms to show, in one main-thread
        // task, for 40,000 restarts.
        for run in columns
            .chunk_by(|a, b| b.0 == a.0 + 1 && marker_kind(a.1, th).0 == marker_kind(b.1, th).0)
        {
            let color = marker_kind(run[0].1, th).0;
            let zigzag = run.iter().enumerate().flat_map(|(i, (_, group))| {
                let (t, ends) = (group[0].time, [y1, y1 - tick]);
                let [a, b] = if i % 2 == 0 { ends } else { [ends[1], ends[0]] };
                [(t, a), (t, b)]
            });
            let _ = chart.draw_series(std::iter::once(PathElement::new(
                zigzag.collect::<Vec<_>>(),
                color.stroke_width(1),
            )));
        }
    }
    let mut free_from = i32::MIN;
    for &(x, group) in &columns {
        let r = group[0];
        let (color, label) = marker_kind(group, th);
        if !dense {
            let _ = chart.draw_series(DashedLineSeries::new(
                [(r.time, 0.0), (r.time, y1)],
                3,
                3,
                color.stroke_width(1),
            ));
        }
        let half = (label_width(label, 10.0) / 2.0).ceil() as i32;
        if !dense && x - half >= free_from {
            let style = ("sans-serif", 10)
                .into_font()
                .color(&color)
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            let _ = chart.draw_series(std::iter::once(Text::new(label, (r.time, y1), style)));
            free_from = x + half + 4;
        }
    }
    // The page gives each marker a hover target MARKER_WIDTH wide: dense,
    // a marker a column stacked nine deep (1,148 elements for 5,000
    // restarts, with only the top one of each stack reachable), so the
    // columns of each MARKER_WIDTH stretch are one marker.
    let per_marker = if dense { MARKER_WIDTH } else { 1 };
    for stretch in
        columns.chunk_by(|a, b| (a.0 - xs.start) / per_marker == (b.0 - xs.start) / per_marker)
    {
        let group: Vec<&Restart> = stretch
            .iter()
            .flat_map(|(_, g)| g.iter().copied())
            .collect();
        markers.push(marker(&group, stretch[0].0));
    }
    (markers, dense)
}

/// The width (px) of a marker's hover target on the page (style.css `.marker`).
const MARKER_WIDTH: i32 = 9;

/// The colour and label of restarts drawn as one: an OOM kill's if any was one.
fn marker_kind(group: &[&Restart], th: &Theme) -> (RGBColor, &'static str) {
    let color = if any_oom_kill(group) {
        th.oom
    } else {
        th.restart
    };
    (color, marker_label(group))
}

fn any_oom_kill(group: &[&Restart]) -> bool {
    group.iter().any(|r| r.oom_kill.is_some())
}

/// `OOM kill` if any of the restarts was one, else `restart`.
fn marker_label(group: &[&Restart]) -> &'static str {
    if any_oom_kill(group) {
        "OOM kill"
    } else {
        "restart"
    }
}

/// The marker standing for `group` (restarts in time order), at pixel `x`.
fn marker(group: &[&Restart], x: i32) -> Marker {
    let r = group[0];
    let count = group.len();
    let kills = group.iter().filter(|r| r.oom_kill.is_some()).count();
    Marker {
        time: r.time,
        time_text: time_text(r.time),
        label: marker_label(group),
        detail: if count > 1 {
            format!(
                "{count} restarts to {}{}",
                time_text(group[count - 1].time),
                match kills {
                    0 => String::new(),
                    1 => ", 1 of them an OOM kill".into(),
                    n => format!(", {n} of them OOM kills"),
                }
            )
        } else {
            r.oom_kill
                .as_ref()
                .map(|k| match k.rss_bytes {
                    Some(rss) => format!("{} killed with {} resident", k.process, bytes(rss)),
                    None => format!("{} killed", k.process),
                })
                .unwrap_or_default()
        },
        x,
        count,
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
    let pts = decimate(&times, &values, t0, t1, plot_width(opts.width) as usize);
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
        let axis = TimeAxis::new(t0, t1, plot_width(opts.width));
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin_top(8)
            .margin_right(MARGIN_RIGHT)
            .margin_left(MARGIN_LEFT)
            .x_label_area_size(24)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(
                Ticked::new(t0..t1, axis.ticks.clone()),
                Ticked::new(0.0..y1, decimal_ticks(y1, 3)),
            )
        else {
            return empty_chart(kind, opts, th, legend);
        };
        let x_fmt = |t: &f64| axis.label(*t);
        let _ = chart
            .configure_mesh()
            .x_labels(axis.ticks.len())
            .y_labels(3)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(th.grid)
            .bold_line_style(th.grid)
            .axis_style(th.axis)
            .label_style(("sans-serif", AXIS_FONT).into_font().color(&th.text))
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
        restarts: String::new(),
        caption: String::new(),
        markers: Vec::new(),
        floors: Vec::new(),
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
        restarts: String::new(),
        caption: String::new(),
        markers: Vec::new(),
        floors: Vec::new(),
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
        // Series names come from the file; plotters escapes markup but
        // not the characters XML forbids.
        self.inner.draw_text(&super::xml_chars(text), style, pos)
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

impl ProcessAnalysis {
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
    fn lines_reach_the_window_edges_where_they_cross_them() {
        let (times, values) = ([0.0, 10.0, 20.0], [1.0, 2.0, 3.0]);
        assert_eq!(
            decimate(&times, &values, 5.0, 15.0, 100),
            vec![(5.0, 1.5), (10.0, 2.0), (15.0, 2.5)]
        );
        // A row's time years past a zoomed window (a fuzzer's: 1.8e89 ms)
        // ends the line at the edge, at the height the line has there.
        let d = decimate(&[0.0, 10.0, 1e80], &[1.0, 2.0, 3.0], 5.0, 15.0, 100);
        assert_eq!(d.len(), 3);
        assert_eq!((d[2].0, d[2].1), (15.0, 2.0));
    }

    #[test]
    fn labels() {
        let t = 1_795_465_567.0;
        assert_eq!(time_label(t, 30.0, 300.0), "20:26:07");
        assert_eq!(time_label(t, 60.0, 300.0), "20:26");
        assert_eq!(time_label(t, 600.0, 3600.0), "20:26");
        assert_eq!(time_label(t, 43_200.0, 5.0 * 86_400.0), "11-23 20:26");
        assert_eq!(time_label(t, 86_400.0, 5.0 * 86_400.0), "11-23");
        assert_eq!(time_text(t), "2026-11-23 20:26:07 UTC");
        assert_eq!(byte_ticks(130e6).len(), 4); // 0, 32, 64, 96 MiB (128 MiB > 130 MB)
        assert_eq!(byte_ticks(130e6)[1], 33_554_432.0);
        // Five minutes on a 900-pixel chart: every 30 s, but not at the
        // right edge, where the label would run off the chart.
        let axis = TimeAxis::new(0.0, 300.0, plot_width(900));
        assert_eq!(
            axis.ticks,
            (0..10).map(|k| 30.0 * f64::from(k)).collect::<Vec<_>>()
        );
        assert_eq!(axis.label(30.0), "00:00:30");
        // On a phone: every 2 minutes, without seconds.
        let axis = TimeAxis::new(0.0, 450.0, plot_width(360));
        assert_eq!(axis.ticks, vec![0.0, 120.0, 240.0, 360.0]);
        assert_eq!(axis.label(120.0), "00:02");
        assert_eq!(decimal_ticks(170.0, 3), vec![0.0, 100.0]);
    }

    /// Time labels never overlap nor run off the chart, at any width the
    /// page asks for, on spans from seconds to months; and a chart of a
    /// minute or more always has at least two of them.
    #[test]
    fn time_labels_never_overlap() {
        let t0 = 1_795_465_567.3;
        for width in [320, 360, 390, 500, 768, 900, 1400, 1920, 2560, 4000] {
            let plot = plot_width(width);
            for span in [
                3.0,
                20.0,
                60.0,
                125.0,
                450.0,
                900.0,
                3600.0,
                7.0 * 3600.0,
                86_400.0,
                3.0 * 86_400.0,
                10.0 * 86_400.0,
                90.0 * 86_400.0,
            ] {
                let axis = TimeAxis::new(t0, t0 + span, plot);
                let boxes: Vec<(f64, f64)> = axis
                    .ticks
                    .iter()
                    .map(|&t| {
                        let x = (t - t0) / span * plot;
                        let half = label_width(&axis.label(t), AXIS_FONT) / 2.0;
                        (x - half, x + half)
                    })
                    .collect();
                let what = format!("{width} px, {span} s: {:?}", axis.ticks);
                assert!(boxes.windows(2).all(|b| b[0].1 < b[1].0), "{what}");
                assert!(
                    boxes.iter().all(|b| b.1 <= plot + f64::from(MARGIN_RIGHT)),
                    "{what}"
                );
                let labels: Vec<String> = axis.ticks.iter().map(|&t| axis.label(t)).collect();
                assert!(
                    labels.windows(2).all(|l| l[0] != l[1]),
                    "{what}: {labels:?}"
                );
                if span >= 60.0 {
                    assert!(axis.ticks.len() >= 2, "{what}");
                }
                assert!(axis.ticks.len() <= 17, "{what}");
            }
        }
    }

    /// A process that leaks per request, with an idle stretch (no
    /// requests, memory flat) inside its first life and two restarts.
    fn idle_run() -> (Analysis, Vec<Series>) {
        use crate::analysis::leak::{analyze, AnalyzeOptions};
        use crate::model::series::SeriesSet;
        const T0: f64 = 1_800_000_000.0;
        let labels = vec![
            ("instance".to_string(), "a:1".to_string()),
            ("job".to_string(), "svc".to_string()),
        ];
        let named = |name: &str| Series::new(name.into(), labels.clone(), name.into());
        let (mut rss, mut served, mut started) = (
            named("process_resident_memory_bytes"),
            named("http_requests_total"),
            named("process_start_time_seconds"),
        );
        let (mut total, mut life_start, mut kept) = (0.0, 0.0, 0.0);
        for i in 0..=330 {
            let t = f64::from(i);
            if i == 200 || i == 270 {
                (life_start, kept) = (t, 0.0);
            }
            let busy = !(100..140).contains(&i);
            if busy {
                total += 100.0;
                kept += 100.0;
            }
            // 10 kB kept a request under a 3 MB garbage sawtooth.
            let garbage = f64::from(i % 7) * 0.5e6;
            rss.push(T0 + t, 12e6 + 10_000.0 * kept + garbage);
            served.push(T0 + t, total);
            started.push(T0 + t, T0 + life_start);
        }
        let set = SeriesSet {
            series: vec![rss, served, started],
            inputs: vec![Default::default()],
            ..Default::default()
        };
        let a = analyze(&set, &AnalyzeOptions::default());
        (a, set.series)
    }

    fn memory(a: &Analysis, series: &[Series], opts: &ChartOptions) -> Chart {
        process_charts(a, series, 0, opts)
            .into_iter()
            .find(|c| c.kind == "memory")
            .expect("a memory chart")
    }

    /// The x of every dashed floor stroke (plotters draws floors 2 px
    /// wide, nothing else).
    fn floor_strokes(svg: &str) -> Vec<(i32, i32)> {
        polyline_points(svg, r#"stroke-width="2""#)
    }

    /// The points of every polyline whose attributes include `attribute`.
    fn polyline_points(svg: &str, attribute: &str) -> Vec<(i32, i32)> {
        svg.split("<polyline")
            .skip(1)
            .filter(|e| e.contains(attribute))
            .flat_map(|e| {
                let points = e
                    .split(r#"points=""#)
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                points
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_floor_is_drawn_only_over_the_floors_it_was_fitted_to() {
        let (a, series) = idle_run();
        let p = &a.processes[0];
        assert_eq!(p.idle.len(), 1, "{:?}", p.idle);
        let (idle_from, idle_to) = p.idle[0];
        for (from, to) in [(None, None), (Some(1_800_000_050.0), Some(1_800_000_180.0))] {
            let opts = ChartOptions {
                from,
                to,
                ..Default::default()
            };
            let c = memory(&a, &series, &opts);
            // (plotters maps onto the pixels left..right - 1.)
            let px = |t: f64| {
                let f = (t - c.plot.t0) / (c.plot.t1 - c.plot.t0);
                f64::from(c.plot.left) + f * f64::from(c.plot.right - 1 - c.plot.left)
            };
            // The life with the idle stretch: a piece each side of it.
            let pieces: Vec<&DrawnFloor> = c
                .floors
                .iter()
                .filter(|f| f.end <= 1_800_000_200.0)
                .collect();
            assert_eq!(pieces.len(), 2, "{:?}", c.floors);
            assert!(
                pieces[0].end <= idle_from && pieces[1].start >= idle_to,
                "{pieces:?}"
            );
            for f in &c.floors {
                assert!(f.x_from < f.x_to, "{f:?}");
                assert!(f64::from(f.x_from) >= px(f.start) - 1.0, "{f:?}");
                assert!(f64::from(f.x_to) <= px(f.end) + 1.0, "{f:?}");
                assert!(f.x_from >= c.plot.left && f.x_to <= c.plot.right, "{f:?}");
            }
            // Every dash in the SVG lies within a drawn span, never over
            // the idle stretch, never above the data.
            let strokes = floor_strokes(&c.svg);
            assert!(!strokes.is_empty());
            let peak_y = {
                let m = &a.series[p.main_series.unwrap()];
                let top = m.restarts.iter().map(|r| r.peak).fold(0.0, f64::max);
                let y1 = (top * 1.1).max(f64::MIN_POSITIVE);
                let f = top / y1;
                f64::from(c.plot.bottom) - f * f64::from(c.plot.bottom - c.plot.top)
            };
            for &(x, y) in &strokes {
                assert!(
                    c.floors
                        .iter()
                        .any(|f| x >= f.x_from - 1 && x <= f.x_to + 1),
                    "dash at {x} outside {:?}",
                    c.floors
                );
                assert!(
                    f64::from(x) <= px(idle_from) + 1.0 || f64::from(x) >= px(idle_to) - 1.0,
                    "dash at {x} over the idle stretch"
                );
                assert!(
                    f64::from(y) >= peak_y - 1.0,
                    "dash at y {y} above the peak {peak_y}"
                );
            }
        }
    }

    #[test]
    fn footer_counts_are_the_runs_whatever_the_zoom() {
        let (a, series) = idle_run();
        let p = &a.processes[0];
        assert_eq!((p.restarts, p.oom_kills), (2, 0));
        let whole = "Restarts: 2 (0 OOM kills)";
        assert_eq!(p.restart_count(), "2 (0 OOM kills)");
        let t = |s: f64| Some(1_800_000_000.0 + s);
        for (from, to, restarts, idle, markers) in [
            (
                None,
                None,
                whole.to_string(),
                "1 idle stretch (no requests) shaded",
                2,
            ),
            (
                t(150.0),
                t(250.0),
                format!("{whole}, 1 of them in this window"),
                "1 idle stretch (no requests) shaded, not in this window",
                1,
            ),
            (
                t(20.0),
                t(150.0),
                format!("{whole}, none of them in this window"),
                "1 idle stretch (no requests) shaded, in this window",
                0,
            ),
            (
                t(150.0),
                t(300.0),
                format!("{whole}, all in this window"),
                "1 idle stretch (no requests) shaded, not in this window",
                2,
            ),
        ] {
            let opts = ChartOptions {
                from,
                to,
                ..Default::default()
            };
            let c = memory(&a, &series, &opts);
            assert_eq!(c.restarts, restarts);
            assert_eq!(c.markers.len(), markers);
            assert!(c.notes.iter().any(|n| n == idle), "{:?}", c.notes);
        }
    }

    #[test]
    fn a_chart_draws_twelve_memory_series_and_counts_the_rest() {
        use crate::analysis::leak::{analyze, AnalyzeOptions};
        use crate::model::series::SeriesSet;
        // 30 heap series of one process (an `area` label each), then its
        // RSS, the headline, last.
        let series_of = |name: &str, extra: Option<String>| {
            let mut labels = vec![("instance".to_string(), "a:1".to_string())];
            labels.extend(extra.map(|a| ("area".to_string(), a)));
            let mut s = Series::new(name.into(), labels, String::new());
            for i in 0..100 {
                s.push(1_800_000_000.0 + f64::from(i), 1e6 + f64::from(i) * 1e3);
            }
            s
        };
        let mut all: Vec<Series> = (0..30)
            .map(|k| series_of("go_memstats_heap_inuse_bytes", Some(format!("a{k}"))))
            .collect();
        all.push(series_of("process_resident_memory_bytes", None));
        let set = SeriesSet {
            series: all,
            inputs: vec![Default::default()],
            ..Default::default()
        };
        let a = analyze(&set, &AnalyzeOptions::default());
        let p = &a.processes[0];
        let main = &a.series[p.main_series.unwrap()];
        assert_eq!(main.name, "process_resident_memory_bytes");
        let c = memory(&a, &set.series, &ChartOptions::default());
        assert_eq!(c.legend.len(), 12);
        assert_eq!(c.legend.last().unwrap().name, main.display);
        assert!(
            c.notes.iter().any(|n| n == "19 more memory series of this process not drawn (the first 11 and the headline are; leakscope analyze lists every one)"),
            "{:?}",
            c.notes
        );
    }

    /// One process's memory and start time, scraped at the given
    /// (time, bytes, start time) points, and its analysis.
    fn one_process(points: impl Iterator<Item = (f64, f64, f64)>) -> (Analysis, Vec<Series>) {
        use crate::analysis::leak::{analyze, AnalyzeOptions};
        use crate::model::series::SeriesSet;
        let labels = vec![("instance".to_string(), "a:1".to_string())];
        let named = |name: &str| Series::new(name.into(), labels.clone(), name.into());
        let (mut rss, mut started) = (
            named("process_resident_memory_bytes"),
            named("process_start_time_seconds"),
        );
        for (t, bytes, start) in points {
            rss.push(t, bytes);
            started.push(t, start);
        }
        let set = SeriesSet {
            series: vec![rss, started],
            inputs: vec![Default::default()],
            ..Default::default()
        };
        (analyze(&set, &AnalyzeOptions::default()), set.series)
    }

    #[test]
    fn restarts_on_one_pixel_are_one_marker_that_counts_them() {
        // A restart every 10 s for a day: 8,639 restarts on some 1,000
        // pixel columns.
        const T0: f64 = 1_800_000_000.0;
        let (a, series) = one_process((0..8_640).map(|i| {
            let t = T0 + f64::from(i) * 10.0;
            (t, 12e6 + f64::from(i % 2) * 1e6, t - 2.0)
        }));
        assert_eq!(a.processes[0].restarts, 8_639);
        let whole = memory(&a, &series, &ChartOptions::default());
        let columns = (whole.plot.right - whole.plot.left + 1) as usize;
        assert!(
            whole.markers.len() <= columns,
            "{} markers",
            whole.markers.len()
        );
        assert_eq!(whole.markers.iter().map(|m| m.count).sum::<usize>(), 8_639);
        // A restart on every few pixels: a tick each under the top, not
        // full-height dashed lines (about 40 polylines a column), and said.
        // Neighbouring ticks are one line (800 elements cost the page a
        // 40 ms task), and still cover every column: a restart on each.
        let polylines = whole.svg.matches("<polyline").count();
        assert!(
            polylines < 100,
            "{polylines} polylines on {columns} columns"
        );
        let RGBColor(r, g, b) = theme(false).restart;
        let stroke = format!("stroke=\"#{r:02X}{g:02X}{b:02X}\"");
        let mut ticked: Vec<i32> = polyline_points(&whole.svg, &stroke)
            .into_iter()
            .map(|(x, _)| x)
            .collect();
        ticked.sort();
        ticked.dedup();
        assert!(
            ticked.windows(2).all(|w| w[1] == w[0] + 1),
            "a tick on every column"
        );
        assert!(
            ticked.len() + 2 >= columns,
            "{} of {columns} columns ticked",
            ticked.len()
        );
        assert!(
            whole
                .notes
                .iter()
                .any(|n| n.starts_with("restarts too close together to draw as lines")),
            "{:?}",
            whole.notes
        );
        // Dense, one marker (a hover target 9 px wide on the page) for
        // every 9 columns at most, not one a column stacked nine deep.
        let xs: Vec<i32> = whole.markers.iter().map(|m| m.x).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "one marker a stretch");
        assert!(
            whole.markers.len() <= columns.div_ceil(MARKER_WIDTH as usize),
            "{} markers on {columns} columns",
            whole.markers.len()
        );
        let merged = whole.markers.iter().find(|m| m.count > 1).unwrap();
        assert!(
            merged
                .detail
                .starts_with(&format!("{} restarts to ", merged.count)),
            "{}",
            merged.detail
        );
        // Zoomed to a minute, each restart is its own marker again, and
        // the footer counts the restarts, not the markers.
        let zoomed = memory(
            &a,
            &series,
            &ChartOptions {
                from: Some(T0 + 1000.0),
                to: Some(T0 + 1060.0),
                ..Default::default()
            },
        );
        assert!(zoomed.markers.iter().all(|m| m.count == 1));
        assert_eq!(zoomed.markers.len(), 6);
        // The captions: the count, then the first 20 markers and how many more.
        assert!(
            whole.caption.starts_with(&format!("{}: ", whole.restarts)),
            "{}",
            whole.caption
        );
        assert!(
            whole.caption.ends_with(&format!(
                ", and {} more markers (zoom in to list them)",
                whole.markers.len() - 20
            )),
            "{}",
            whole.caption
        );
        assert_eq!(
            zoomed.caption.matches(" restart").count(),
            6,
            "{}",
            zoomed.caption
        );
        assert!(
            !zoomed.caption.contains("more marker"),
            "{}",
            zoomed.caption
        );
        assert!(!zoomed
            .notes
            .iter()
            .any(|n| n.contains("too close together")));
        assert!(
            zoomed.svg.matches("<polyline").count() > 6 * 20,
            "dashed lines again"
        );
        assert_eq!(
            zoomed.restarts,
            "Restarts: 8639 (0 OOM kills), 6 of them in this window"
        );
    }

    #[test]
    fn floor_lines_narrower_than_three_pixels_are_counted_not_drawn() {
        // 2,000 lives, each rising 28 MB in 8 scrapes: a floor each, every
        // one a fraction of a pixel wide over the whole run.
        const T0: f64 = 1_800_000_000.0;
        let (a, series) = one_process((0..2_000).flat_map(|life| {
            let start = T0 + f64::from(life) * 85.0;
            (0..8).map(move |k| {
                (
                    start + f64::from(k) * 10.0,
                    10e6 + f64::from(k) * 4e6,
                    start,
                )
            })
        }));
        let whole = memory(&a, &series, &ChartOptions::default());
        assert!(
            whole.floors.is_empty(),
            "{} floors drawn",
            whole.floors.len()
        );
        assert!(
            whole.svg.matches("<polyline").count() < 2_000,
            "{} polylines",
            whole.svg.matches("<polyline").count()
        );
        let note = whole
            .notes
            .iter()
            .find(|n| n.starts_with("the floor lines of "))
            .expect("a note counts them");
        assert!(
            note.ends_with("lives narrower than 3 pixels not drawn (zoom in to see them)"),
            "{note}"
        );
        // Zoomed to three lives, their floors are drawn again.
        let zoomed = memory(
            &a,
            &series,
            &ChartOptions {
                from: Some(T0 + 85.0 * 100.0),
                to: Some(T0 + 85.0 * 103.0),
                ..Default::default()
            },
        );
        assert!(zoomed.floors.len() >= 2, "{:?}", zoomed.floors);
        assert!(!zoomed
            .notes
            .iter()
            .any(|n| n.starts_with("the floor lines of ")));
    }

    #[test]
    fn idle_stretches_meeting_on_a_pixel_are_shaded_as_one() {
        let (mut a, series) = idle_run();
        let t0 = series[0].times[0];
        let span = series[0].times.last().unwrap() - t0;
        // 16,000 stretches over the run: some 20 to a pixel column.
        let n = 16_000;
        a.processes[0].idle = (0..n)
            .map(|k| {
                let at = t0 + span * f64::from(k) / f64::from(n);
                (at, at + 0.4 * span / f64::from(n))
            })
            .collect();
        let c = memory(&a, &series, &ChartOptions::default());
        let columns = (c.plot.right - c.plot.left + 1) as usize;
        let rects = c.svg.matches("<rect").count();
        assert!(
            rects <= columns + 1,
            "{rects} rectangles on {columns} columns"
        );
        assert!(
            c.notes
                .iter()
                .any(|n| n.starts_with("16000 idle stretches (no requests) shaded")),
            "{:?}",
            c.notes
        );
    }
}

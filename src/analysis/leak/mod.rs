//! Memory over time: is a process leaking, how fast, and driven by what?
//!
//! The pipeline, per process (series grouped by their instance/pod/job
//! labels):
//! classify series → find restarts (start time, counter resets, memory
//! drops) and attach OOM kills → split each memory series into lives →
//! judge each life's floor (rising, flat) → a verdict per series with a
//! reason → bytes per request and growth while idle → a limit (given,
//! inferred from restart peaks, or from an OOM log) and the time to reach
//! it → a verdict per process, ranked.

pub mod classify;
pub mod fit;
pub mod restarts;
pub mod segments;
pub mod work;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::series::{InputReport, OomKill, Series, SeriesSet};
use crate::units;

use classify::{classify, memory_rank, process_key, work_rank, Class, Kind, Role, Unit};
use restarts::{attach_oom_kills, detect, OomKillMark, Placement, Restart, RestartSource};
use segments::{assess, Segment, Trend};
use work::{work_fit, IdleGrowth, Requests};

/// Options of `analyze`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AnalyzeOptions {
    /// The memory limit of the processes, in bytes, when known.
    pub limit: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The floor keeps rising and falls only at restarts.
    Leak,
    /// Memory reaches a steady state (a GC sawtooth returning to one floor).
    Steady,
    /// Too short or too noisy to tell.
    Inconclusive,
}

/// The analysis of a set of series: what `leakscope analyze` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Analysis {
    pub inputs: Vec<InputReport>,
    pub series: Vec<SeriesAnalysis>,
    pub processes: Vec<ProcessAnalysis>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SeriesAnalysis {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// How the source named it.
    pub display: String,
    pub kind: Kind,
    pub unit: Unit,
    pub role: Role,
    pub points: usize,
    /// First and last time (unix seconds).
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// Index into `processes`.
    pub process: usize,
    /// Index of the series judged (see [`analyze_series`]).
    #[serde(skip)]
    pub source: usize,
    pub restarts: Vec<RestartReport>,
    pub segments: Vec<SegmentReport>,
    pub verdict: Option<Verdict>,
    pub confidence: Option<f64>,
    pub reason: Option<String>,
    /// Growth of the floor, per hour, in the rising lives.
    pub growth_per_hour: Option<f64>,
    pub bytes_per_request: Option<f64>,
    pub per_request_r2: Option<f64>,
    /// Growth per second while there are no requests (from idle stretches).
    pub background_bytes_per_second: Option<f64>,
    pub growth_when_idle: Option<IdleGrowth>,
    pub limit: Option<f64>,
    /// `given`, `restart-peaks`, `oom-log` or `series`.
    pub limit_source: Option<&'static str>,
    pub time_to_limit_s: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RestartReport {
    pub time: f64,
    /// The series' highest value in the life that ended here.
    pub peak: Option<f64>,
    pub source: RestartSource,
    pub oom_kill: Option<OomKillMark>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SegmentReport {
    pub start: f64,
    pub end: f64,
    pub points: usize,
    /// The floor's slope.
    pub slope_per_hour: Option<f64>,
    pub r2: Option<f64>,
    /// The first and last observed floor values.
    pub floor_start: f64,
    pub floor_end: f64,
    /// The fitted floor line at the segment's start and end (for drawing).
    pub fit_start: Option<f64>,
    pub fit_end: Option<f64>,
    pub trend: Trend,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ProcessAnalysis {
    /// The labels that identify it (instance, pod, job...).
    pub labels: BTreeMap<String, String>,
    pub verdict: Verdict,
    pub confidence: Option<f64>,
    pub reason: String,
    /// The memory series the verdict rests on (index into `series`).
    pub main_series: Option<usize>,
    pub restarts: usize,
    pub oom_kills: usize,
    pub growth_per_hour: Option<f64>,
    pub bytes_per_request: Option<f64>,
    pub growth_when_idle: Option<IdleGrowth>,
    pub time_to_limit_s: Option<f64>,
    /// 1 for the process that leaks most.
    pub rank: usize,
    /// Stretches with no requests, `[start, end]` in unix seconds.
    pub idle: Vec<(f64, f64)>,
}

/// Analyzes series and OOM kills from one or more inputs.
pub fn analyze(set: &SeriesSet, options: &AnalyzeOptions) -> Analysis {
    analyze_series(set, options).0
}

/// [`analyze`], also giving the series it judged (duplicates merged,
/// non-finite points dropped), in the order of `Analysis::series`.
pub fn analyze_series<'a>(
    set: &'a SeriesSet,
    options: &AnalyzeOptions,
) -> (Analysis, Cow<'a, [Series]>) {
    let mut warnings: Vec<String> = Vec::new();
    let mut series = merge_duplicates(&set.series);
    // ±Inf (which Prometheus can write) has no place on a line: a gap.
    if series
        .iter()
        .any(|s| s.values.iter().any(|v| !v.is_finite()))
    {
        for s in series.to_mut() {
            let keep: Vec<bool> = s.values.iter().map(|v| v.is_finite()).collect();
            let mut k = keep.iter();
            s.times.retain(|_| *k.next().unwrap_or(&false));
            s.values.retain(|v| v.is_finite());
        }
    }
    let counter_labels: Vec<&[(String, String)]> = series
        .iter()
        .filter(|s| s.name.ends_with("_total") || s.name.ends_with("_count"))
        .map(|s| s.labels.as_slice())
        .collect();
    let classes: Vec<Class> = series
        .iter()
        .map(|s| classify(s, &counter_labels))
        .collect();

    // Processes, in order of first appearance.
    let mut keys: Vec<Vec<(String, String)>> = Vec::new();
    let process_of: Vec<usize> = series
        .iter()
        .map(|s| {
            let key = process_key(s);
            keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                keys.push(key);
                keys.len() - 1
            })
        })
        .collect();

    let oom_by_process = assign_oom_kills(
        &set.oom_kills,
        &keys,
        &series,
        &process_of,
        &classes,
        &mut warnings,
    );
    let mut out_series: Vec<SeriesAnalysis> = Vec::new();
    let mut processes = Vec::new();
    for (p, key) in keys.iter().enumerate() {
        let members: Vec<usize> = (0..series.len()).filter(|&i| process_of[i] == p).collect();
        let classes = &classes;
        let members_ref = &members;
        let of_role = |role: Role| {
            members_ref
                .iter()
                .copied()
                .filter(move |&i| classes[i].role == role)
        };
        let start_time = of_role(Role::StartTime).next().map(|i| &series[i]);
        let counters: Vec<&Series> = members
            .iter()
            .filter(|&&i| classes[i].kind == Kind::Counter)
            .map(|&i| &series[i])
            .collect();
        let mut memory: Vec<usize> = of_role(Role::Memory).collect();
        memory.sort_by_key(|&i| memory_rank(&series[i].name));
        let main = memory.first().copied();
        let mut restarts = detect(start_time, &counters, main.map(|i| &series[i]));
        let span = span_of(members.iter().map(|&i| &series[i]));
        let mut placement = Placement::default();
        attach_oom_kills(&mut restarts, &oom_by_process[p], span, &mut placement);
        warnings.extend(placement.notes);
        let request_series: Vec<(&Series, Kind)> = of_role(Role::Requests)
            .map(|i| (&series[i], classes[i].kind))
            .collect();
        let requests = Requests::new(&request_series);
        let idle = requests
            .as_ref()
            .map(|r| r.idle_stretches())
            .unwrap_or_default();
        let given_or_logged = options
            .limit
            .map(|l| (l, "given"))
            .or_else(|| {
                restarts
                    .iter()
                    .filter_map(|r| r.oom_kill.as_ref()?.limit_bytes)
                    .next()
                    .map(|l| (l, "oom-log"))
            })
            .or_else(|| {
                of_role(Role::Limit)
                    .next()
                    .and_then(|i| series[i].values.last().map(|&l| (l, "series")))
            });

        let first_index = out_series.len();
        for &i in &members {
            let s = &series[i];
            let c = classes[i];
            let mut a = SeriesAnalysis {
                name: s.name.clone(),
                labels: s.labels.iter().cloned().collect(),
                display: s.display.clone(),
                kind: c.kind,
                unit: c.unit,
                role: c.role,
                points: s.len(),
                source: i,
                start: s.times.first().copied(),
                end: s.times.last().copied(),
                process: p,
                restarts: Vec::new(),
                segments: Vec::new(),
                verdict: None,
                confidence: None,
                reason: None,
                growth_per_hour: None,
                bytes_per_request: None,
                per_request_r2: None,
                background_bytes_per_second: None,
                growth_when_idle: None,
                limit: None,
                limit_source: None,
                time_to_limit_s: None,
            };
            if matches!(c.role, Role::Memory | Role::Resource) && !s.is_empty() {
                let main_limit = if Some(i) == main {
                    given_or_logged
                } else {
                    None
                };
                judge(&mut a, s, &restarts, requests.as_ref(), &idle, main_limit);
            }
            out_series.push(a);
        }
        let main_index = main
            .and_then(|m| members.iter().position(|&i| i == m))
            .map(|k| first_index + k);
        let mut process = process_verdict(key, main_index, &out_series, &restarts);
        process.idle = idle.clone();
        processes.push(process);
    }
    rank(&mut processes);
    if processes.iter().all(|p| p.main_series.is_none()) {
        warnings.push("no memory series found (RSS, heap, working set): nothing to judge".into());
    }
    let analysis = Analysis {
        inputs: set.inputs.clone(),
        series: out_series,
        processes,
        warnings,
    };
    (analysis, series)
}

/// The same series from several inputs (a CSV and a JSON of one query)
/// becomes one, its points merged. Without duplicates (the usual case) the
/// series are used as they are, uncopied.
fn merge_duplicates(series: &[Series]) -> Cow<'_, [Series]> {
    fn identity(x: &Series) -> (&str, &[(String, String)], &str) {
        if x.name.is_empty() && x.labels.is_empty() {
            ("", &[], &x.display)
        } else {
            (&x.name, &x.labels, "")
        }
    }
    let distinct =
        (0..series.len()).all(|i| (0..i).all(|j| identity(&series[i]) != identity(&series[j])));
    if distinct {
        return Cow::Borrowed(series);
    }
    let mut out: Vec<Series> = Vec::new();
    for s in series {
        match out.iter_mut().find(|o| identity(o) == identity(s)) {
            Some(o) => {
                o.times.extend_from_slice(&s.times);
                o.values.extend_from_slice(&s.values);
                o.sort_points();
            }
            None => out.push(s.clone()),
        }
    }
    Cow::Owned(out)
}

fn span_of<'a>(series: impl Iterator<Item = &'a Series>) -> (f64, f64) {
    let mut span = (f64::MAX, f64::MIN);
    for s in series {
        if let (Some(&a), Some(&b)) = (s.times.first(), s.times.last()) {
            span = (span.0.min(a), span.1.max(b));
        }
    }
    span
}

/// OOM kills go to the process whose labels name them (container, pod, or
/// any label equal to the killed process's name); with a single process,
/// to it.
fn assign_oom_kills<'a>(
    kills: &'a [OomKill],
    keys: &[Vec<(String, String)>],
    series: &[Series],
    process_of: &[usize],
    classes: &[Class],
    warnings: &mut Vec<String>,
) -> Vec<Vec<&'a OomKill>> {
    let mut out = vec![Vec::new(); keys.len()];
    let with_memory: Vec<usize> = (0..keys.len())
        .filter(|&p| {
            (0..series.len()).any(|i| process_of[i] == p && classes[i].role == Role::Memory)
        })
        .collect();
    let mut unmatched = 0;
    for k in kills {
        let by_labels = keys.iter().position(|key| {
            !k.labels.is_empty()
                && k.labels
                    .iter()
                    .all(|kl| !key.iter().any(|pl| pl.0 == kl.0) || key.contains(kl))
                && k.labels.iter().any(|kl| key.contains(kl))
        });
        let by_name = || {
            keys.iter().position(|key| {
                key.iter()
                    .any(|(_, v)| *v == k.process || v.split(':').next() == Some(&k.process))
            })
        };
        match by_labels.or_else(by_name) {
            Some(p) => out[p].push(k),
            None if with_memory.len() == 1 => out[with_memory[0]].push(k),
            None => unmatched += 1,
        }
    }
    if with_memory.len() == 1 && kills.iter().any(|k| k.labels.is_empty()) && keys.len() > 1 {
        warnings.push(
            "OOM kills without labels were attributed to the only process with memory series"
                .into(),
        );
    }
    if unmatched > 0 {
        warnings.push(format!(
            "{unmatched} OOM kills name no process in the metrics (by container, pod or a label value) and were not placed"
        ));
    }
    out
}

/// The lives of a series: its points split at the restarts.
fn lives(s: &Series, restarts: &[Restart]) -> Vec<(usize, usize)> {
    let mut bounds = Vec::new();
    let mut start = 0;
    for r in restarts {
        let end = s.times.partition_point(|&t| t < r.time);
        if end > start {
            bounds.push((start, end));
        }
        start = start.max(end);
    }
    if start < s.len() {
        bounds.push((start, s.len()));
    }
    bounds
}

/// Judges one memory (or resource) series.
fn judge(
    a: &mut SeriesAnalysis,
    s: &Series,
    restarts: &[Restart],
    requests: Option<&Requests>,
    idle: &[(f64, f64)],
    limit: Option<(f64, &'static str)>,
) {
    let bounds = lives(s, restarts);
    // Lives are judged on busy time: idle stretches (no requests) are cut
    // out of the time axis, since memory that does not grow without work
    // says nothing about a steady state. Floors keep wall-clock times.
    let busy = |t: f64| {
        t - idle
            .iter()
            .map(|&(a, b)| (t.min(b) - a).max(0.0))
            .sum::<f64>()
    };
    let is_idle = |t: f64| idle.iter().any(|&(a, b)| t > a && t < b);
    let segments: Vec<Segment> = bounds
        .iter()
        .map(|&(x, y)| {
            let kept: Vec<usize> = (x..y).filter(|&i| !is_idle(s.times[i])).collect();
            let busy_times: Vec<f64> = kept.iter().map(|&i| busy(s.times[i])).collect();
            let values: Vec<f64> = kept.iter().map(|&i| s.values[i]).collect();
            let mut g = assess(&busy_times, &values);
            if !kept.is_empty() {
                let wall = |bt: f64| {
                    s.times[kept[busy_times.partition_point(|&b| b < bt).min(kept.len() - 1)]]
                };
                g.floors = g.floors.iter().map(|&(bt, v)| (wall(bt), v)).collect();
                // Growth rates are per wall-clock hour, as a forecast needs.
                if !idle.is_empty() {
                    g.fit = fit::least_squares(&g.floors);
                }
            }
            g.start = s.times[x];
            g.end = s.times[y - 1];
            g
        })
        .collect();
    // Each restart with the peak of the life it ended.
    for r in restarts {
        let before = segments.iter().rev().find(|g| g.end < r.time);
        a.restarts.push(RestartReport {
            time: r.time,
            peak: before.map(|g| g.peak),
            source: r.source,
            oom_kill: r.oom_kill.clone(),
        });
    }
    let ended_by_restart = |g: &Segment| restarts.iter().any(|r| r.time > g.end);
    // A short life that climbs from low to high and ends in a restart is
    // part of a restart sawtooth.
    let trends: Vec<Trend> = segments
        .iter()
        .zip(&bounds)
        .map(|(g, &(x, y))| {
            if g.trend == Trend::Short && ended_by_restart(g) && g.climbs(&s.values[x..y]) {
                Trend::Rising
            } else {
                g.trend
            }
        })
        .collect();
    a.segments = segments
        .iter()
        .zip(&trends)
        .map(|(g, &trend)| SegmentReport {
            start: g.start,
            end: g.end,
            points: g.points,
            slope_per_hour: g.slope_per_hour(),
            r2: g.fit.map(|f| f.r2),
            floor_start: g.floor_start,
            floor_end: g.floor_end,
            fit_start: g.fit.map(|f| f.at(g.start)),
            fit_end: g.fit.map(|f| f.at(g.end)),
            trend,
        })
        .collect();
    let rising: Vec<&Segment> = segments
        .iter()
        .zip(&trends)
        .filter(|(_, t)| **t == Trend::Rising)
        .map(|(g, _)| g)
        .collect();
    let flat = trends.iter().filter(|t| **t == Trend::Flat).count();
    let judged = trends.iter().filter(|t| **t != Trend::Short).count();
    let growth_per_second = fit::median(
        rising
            .iter()
            .filter_map(|g| g.fit.map(|f| f.slope))
            .collect(),
    );
    if !rising.is_empty() {
        a.growth_per_hour = Some(growth_per_second * 3600.0);
    }

    // Limit: given, or stated by an OOM log or a limit series (for the main
    // series), else inferred from the level restarts happen at.
    let peaks: Vec<f64> = a.restarts.iter().filter_map(|r| r.peak).collect();
    let inferred = infer_limit(&peaks);
    let (limit, source) = match (limit, inferred) {
        (Some((l, src)), _) => (Some(l), Some(src)),
        (None, Some(l)) => (Some(l), Some("restart-peaks")),
        (None, None) => (None, None),
    };
    a.limit = limit;
    a.limit_source = source;

    let unit = if a.unit == Unit::Bytes { "bytes" } else { "" };
    let fmt = |v: f64| units::label(v as i64, unit);
    let (verdict, confidence, reason) = if judged == 0 {
        let seconds = s.times.last().unwrap_or(&0.0) - s.times.first().unwrap_or(&0.0);
        (
            Verdict::Inconclusive,
            None,
            format!(
                "only {} points over {:.0} s: too little to tell growth from warm-up",
                s.len(),
                seconds
            ),
        )
    } else if !rising.is_empty() && flat == 0 {
        let r2 = fit::median(rising.iter().filter_map(|g| g.fit.map(|f| f.r2)).collect());
        let unclear = judged - rising.len();
        let limit_pattern = inferred.is_some();
        let confidence = (0.6
            + 0.25 * r2
            + if rising.len() >= 2 { 0.1 } else { 0.0 }
            + if limit_pattern { 0.05 } else { 0.0 }
            - 0.2 * unclear as f64 / judged as f64)
            .clamp(0.5, 0.99);
        let low = rising
            .iter()
            .map(|g| g.floor_start)
            .fold(f64::MAX, f64::min)
            .max(0.0);
        let high = rising.iter().map(|g| g.floor_end).fold(f64::MIN, f64::max);
        let reason = if restarts.is_empty() {
            format!(
                "the floor rose from {} to {} over {} (about +{}/h, r² {:.2}) and never fell back",
                fmt(low),
                fmt(high),
                duration(s.times.last().unwrap_or(&0.0) - s.times.first().unwrap_or(&0.0)),
                fmt(growth_per_second * 3600.0),
                r2
            )
        } else {
            let oom = restarts.iter().filter(|r| r.oom_kill.is_some()).count();
            let peaks_text = match (
                peaks.iter().copied().fold(f64::MAX, f64::min),
                peaks.iter().copied().fold(f64::MIN, f64::max),
            ) {
                (lo, hi) if !peaks.is_empty() && (hi - lo) <= 0.15 * hi => {
                    format!(", each at about {}", fmt(hi))
                }
                _ => String::new(),
            };
            format!(
                "the floor rose in {} of {} lives (from about {} to {}, +{}/h, r² {:.2}) and fell only at the {} restart{}{}{}",
                rising.len(),
                segments.len(),
                fmt(low),
                fmt(high),
                fmt(growth_per_second * 3600.0),
                r2,
                restarts.len(),
                if restarts.len() == 1 { "" } else { "s" },
                peaks_text,
                if oom > 0 { format!(" ({oom} of them OOM kills)") } else { String::new() }
            )
        };
        (Verdict::Leak, Some(confidence), reason)
    } else if flat > 0 && rising.is_empty() {
        let flats: Vec<&Segment> = segments
            .iter()
            .zip(&trends)
            .filter(|(_, t)| **t == Trend::Flat)
            .map(|(g, _)| g)
            .collect();
        let worst = flats
            .iter()
            .map(|g| {
                let late_rise = g
                    .late
                    .map_or(0.0, |f| f.slope * (g.end - g.start) / 2.0)
                    .abs();
                late_rise / (0.5 * g.swing).max(0.05 * g.level.abs()).max(1.0)
            })
            .fold(0.0, f64::max);
        let confidence =
            (0.6 + 0.3 * (1.0 - worst.min(1.0)) + if flats.len() >= 2 { 0.09 } else { 0.0 })
                .clamp(0.5, 0.99);
        let g = flats[flats.len() - 1];
        let reason =
            format!(
            "after warm-up the floor stays near {} for {} while {} swings about {}: a steady state",
            fmt(g.level),
            duration((g.end - g.start) / 2.0),
            if a.role == Role::Memory { "the GC sawtooth" } else { "the value" },
            fmt(g.swing)
        );
        (Verdict::Steady, Some(confidence), reason)
    } else if rising.is_empty() && flat == 0 {
        // Every judged life is unclear: say by how much the floor moved.
        let g = segments
            .iter()
            .zip(&trends)
            .rfind(|(_, t)| **t == Trend::Unclear)
            .map(|(g, _)| g);
        let moved = g
            .and_then(|g| g.late.map(|f| f.slope * (g.end - g.start) / 2.0))
            .unwrap_or(0.0);
        (
            Verdict::Inconclusive,
            None,
            format!(
                "after warm-up the floor still moved by {}{} over {} (the sawtooth swings about {}): neither a steady state nor a steady climb yet",
                if moved >= 0.0 { "+" } else { "-" },
                fmt(moved.abs()),
                duration(g.map_or(0.0, |g| (g.end - g.start) / 2.0)),
                fmt(g.map_or(0.0, |g| g.swing))
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            None,
            format!(
                "the floor rose in {} lives and stayed level in {}: no consistent trend",
                rising.len(),
                flat
            ),
        )
    };
    a.verdict = Some(verdict);
    a.confidence = confidence.map(|c| (c * 100.0).round() / 100.0);
    a.reason = Some(reason);

    if verdict == Verdict::Leak {
        if let Some(req) = requests {
            // Work is fitted on each rising life's floor over wall time,
            // idle stretches included: with no requests, what the floor does
            // there is growth without work.
            let rising_lives: Vec<Segment> = segments
                .iter()
                .zip(&trends)
                .zip(&bounds)
                .filter(|((_, t), _)| **t == Trend::Rising)
                .map(|((g, _), &(x, y))| Segment {
                    floors: segments::work_floors(&s.times[x..y], &s.values[x..y], idle),
                    ..g.clone()
                })
                .collect();
            let raw_idle = work::raw_growth_while_idle(&s.times, &s.values, &bounds, idle);
            if let Some(f) = work_fit(&rising_lives, req, idle, raw_idle) {
                a.bytes_per_request = Some(f.per_request.round());
                a.per_request_r2 = Some((f.r2 * 1000.0).round() / 1000.0);
                a.background_bytes_per_second = f.per_second.map(f64::round);
                a.growth_when_idle = f.idle;
            }
        }
        if let (Some(l), Some(last)) = (a.limit, segments.last()) {
            let slope = last.fit.map_or(growth_per_second, |f| f.slope);
            let last_value = s.values.last().copied().unwrap_or(0.0);
            if slope > 0.0 {
                a.time_to_limit_s = Some(((l - last_value) / slope).max(0.0).round());
            }
        }
    }
}

/// A limit inferred from restart peaks at one height (within 15%): the
/// highest peak rounded up to a round size (8 MiB steps up to 1 GiB, then
/// 64 MiB steps), as limits are set.
fn infer_limit(peaks: &[f64]) -> Option<f64> {
    if peaks.len() < 2 {
        return None;
    }
    let (lo, hi) = (
        peaks.iter().copied().fold(f64::MAX, f64::min),
        peaks.iter().copied().fold(f64::MIN, f64::max),
    );
    if hi <= 0.0 || (hi - lo) > 0.15 * hi {
        return None;
    }
    let mib = 1024.0 * 1024.0;
    let step = if hi < 1024.0 * mib {
        8.0 * mib
    } else {
        64.0 * mib
    };
    Some((hi / step).ceil() * step)
}

fn duration(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else if seconds < 7200.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

fn process_verdict(
    key: &[(String, String)],
    main: Option<usize>,
    series: &[SeriesAnalysis],
    restarts: &[Restart],
) -> ProcessAnalysis {
    let labels: BTreeMap<String, String> = key.iter().cloned().collect();
    let oom_kills = restarts.iter().filter(|r| r.oom_kill.is_some()).count();
    let base = |verdict, reason: String| ProcessAnalysis {
        labels: labels.clone(),
        verdict,
        confidence: None,
        reason,
        main_series: main,
        restarts: restarts.len(),
        oom_kills,
        growth_per_hour: None,
        bytes_per_request: None,
        growth_when_idle: None,
        time_to_limit_s: None,
        rank: 0,
        idle: Vec::new(),
    };
    let Some(m) = main else {
        return base(
            Verdict::Inconclusive,
            "no memory series for this process".into(),
        );
    };
    // The process leaks if its main series does, or any other memory series
    // does while the main one is not clearly steady.
    let memory: Vec<&SeriesAnalysis> = series
        .iter()
        .filter(|s| s.process == series[m].process && s.role == Role::Memory)
        .collect();
    // When the main series cannot tell, a heap series that can decides: the
    // heap is what a Go program retains, and RSS lags it.
    let main_verdict = series[m].verdict;
    let lead = if main_verdict == Some(Verdict::Leak) {
        &series[m]
    } else {
        let leaking = memory
            .iter()
            .copied()
            .find(|s| s.verdict == Some(Verdict::Leak));
        let settled = memory
            .iter()
            .copied()
            .filter(|s| s.verdict == Some(Verdict::Steady))
            .min_by_key(|s| work_rank(&s.name));
        match (main_verdict, leaking, settled) {
            (Some(Verdict::Steady), _, _) => &series[m],
            (_, Some(l), _) => l,
            (_, None, Some(st)) => st,
            _ => &series[m],
        }
    };
    let verdict = lead.verdict.unwrap_or(Verdict::Inconclusive);
    let mut reason = format!(
        "{}: {}",
        lead.name_or_display(),
        lead.reason.clone().unwrap_or_default()
    );
    if !std::ptr::eq(lead, &series[m]) && main_verdict == Some(Verdict::Inconclusive) {
        reason.push_str(&format!(
            "; {} has not settled yet",
            series[m].name_or_display()
        ));
    }
    // Work facts come from the most direct measure of what is retained (the
    // heap, whose troughs are the live heap), else from the lead series.
    let work = memory
        .iter()
        .copied()
        .filter(|s| s.verdict == Some(Verdict::Leak) && s.bytes_per_request.is_some())
        .min_by_key(|s| work_rank(&s.name));
    if verdict == Verdict::Leak {
        if let Some(w) = work {
            let bytes = |v: f64| units::label(v as i64, "bytes");
            let per_request = bytes(w.bytes_per_request.unwrap_or(0.0));
            let background = bytes(w.background_bytes_per_second.unwrap_or(0.0));
            reason.push_str(&match w.growth_when_idle {
                Some(IdleGrowth::Stops) => {
                    format!("; about {per_request} kept per request, and growth stops when requests stop (a per-request leak)")
                }
                Some(IdleGrowth::Slows) => {
                    format!("; about {per_request} kept per request plus {background}/s whatever the load")
                }
                Some(IdleGrowth::Continues) => {
                    format!("; growth goes on while idle, about {background}/s (a leak not driven by requests)")
                }
                None => format!("; about {per_request} kept per request"),
            });
        }
    }
    ProcessAnalysis {
        confidence: lead.confidence,
        growth_per_hour: lead.growth_per_hour,
        bytes_per_request: work.and_then(|s| s.bytes_per_request),
        growth_when_idle: work.and_then(|s| s.growth_when_idle),
        time_to_limit_s: lead.time_to_limit_s,
        ..base(verdict, reason)
    }
}

impl SeriesAnalysis {
    fn name_or_display(&self) -> &str {
        if self.name.is_empty() {
            &self.display
        } else {
            &self.name
        }
    }
}

/// Leaking processes first, fastest growth first.
fn rank(processes: &mut [ProcessAnalysis]) {
    let mut order: Vec<usize> = (0..processes.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |p: &ProcessAnalysis| {
            (
                p.verdict != Verdict::Leak,
                -(p.growth_per_hour.unwrap_or(0.0)),
            )
        };
        let (ka, kb) = (key(&processes[a]), key(&processes[b]));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    for (r, &i) in order.iter().enumerate() {
        processes[i].rank = r + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(points: impl Fn(f64) -> f64) -> SeriesSet {
        let mut s = Series::new(
            "process_resident_memory_bytes".into(),
            vec![("instance".into(), "a:1".into())],
            String::new(),
        );
        for i in 0..600 {
            s.push(i as f64, points(i as f64));
        }
        SeriesSet {
            series: vec![s],
            ..Default::default()
        }
    }

    #[test]
    fn a_steady_leak_and_infinities() {
        // 1 MB/s under a 4 MB sawtooth.
        let leak = set(|t| 10e6 + 1e6 * t + ((t as i64 % 8) as f64) * 0.5e6);
        let a = analyze(&leak, &AnalyzeOptions::default());
        assert_eq!(
            a.processes[0].verdict,
            Verdict::Leak,
            "{}",
            a.processes[0].reason
        );
        let per_hour = a.series[0].growth_per_hour.unwrap();
        assert!((per_hour - 3.6e9).abs() < 0.05 * 3.6e9, "{per_hour}");
        // The same with an infinite value in the middle: ignored, same verdict.
        let mut broken = leak.clone();
        broken.series[0].values[300] = f64::INFINITY;
        let b = analyze(&broken, &AnalyzeOptions::default());
        assert_eq!(b.processes[0].verdict, Verdict::Leak);
        assert_eq!(b.series[0].points, 599);
        // A given limit gives a time to reach it from the last value.
        let limit = analyze(&leak, &AnalyzeOptions { limit: Some(1e9) });
        let t = limit.series[0].time_to_limit_s.unwrap();
        let expected = (1e9 - leak.series[0].values[599]) / 1e6;
        assert!((t - expected).abs() < 0.1 * expected, "{t} vs {expected}");
    }
}

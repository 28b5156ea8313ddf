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
pub mod gc;
pub mod idle;
pub mod incidents;
pub mod kill_index;
pub mod merge;
pub mod restarts;
pub mod segments;
pub mod work;

use crate::sort::SortStable;
use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::series::{InputReport, OomKill, Series, SeriesSet};
use crate::units;
use crate::words::counted;

use classify::{
    classify, is_heap, memory_rank, process_key, reports_gc, work_rank, Class, Kind, Role, Unit,
};
use idle::Idle;
use kill_index::KillIndex;
use merge::merge_copies;
use restarts::{
    attach_oom_kills, detect, mark_oom_terminations, wall_time, OomKillMark, Placement, Restart,
};
use segments::{assess, floor_line, FloorLine, Segment, Trend};
use work::{follows_load, work_fit, IdleGrowth, LoadFit, Requests};

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
    /// OOM kills that fit no single process (see each process's
    /// `unmatched_oom_kills` for those that fit a process but no restart).
    pub unplaced_oom_kills: Vec<OomKillMark>,
    /// Every OOM kill of the inputs, one row each, placed or not.
    pub oom_kills: Vec<incidents::OomKillRow>,
    /// Every Kubernetes container the inputs describe (kubectl output,
    /// kube-state-metrics).
    pub containers: Vec<incidents::ContainerRow>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SeriesAnalysis {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// How the source named it.
    pub display: String,
    /// The input files it came from (several when copies were merged).
    pub inputs: Vec<usize>,
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
    /// The process's restarts that ended one of this series' lives (a
    /// life with points of it), each with the series' peak in that life.
    /// Not every restart of the process: a series scraped in few of
    /// 40,000 lives would otherwise carry 40,000 reports (400 such series
    /// took 4.4 s and 2.5 GB, and as JSON 13 s and 2.3 GB written), and a
    /// restart after a life it was not seen in has no peak of it to tell.
    pub restarts: Vec<RestartReport>,
    pub segments: Vec<SegmentReport>,
    pub verdict: Option<Verdict>,
    pub confidence: Option<f64>,
    pub reason: Option<String>,
    /// Growth of the floor, per hour, in the rising lives.
    pub growth_per_hour: Option<f64>,
    /// `per_request` of a series in bytes.
    pub bytes_per_request: Option<f64>,
    /// What each request keeps, in the series' unit (bytes, goroutines).
    pub per_request: Option<f64>,
    pub per_request_r2: Option<f64>,
    /// Growth per second while there are no requests (from idle stretches).
    pub background_bytes_per_second: Option<f64>,
    /// The floor rises and falls with the request rate (see
    /// [`work::follows_load`]): memory follows the load.
    pub follows_load: Option<LoadFit>,
    pub growth_when_idle: Option<IdleGrowth>,
    pub limit: Option<f64>,
    /// `given`, `restart-peaks`, `oom-log` or `series`.
    pub limit_source: Option<&'static str>,
    pub time_to_limit_s: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RestartReport {
    pub time: f64,
    /// Index into its process's `restart_events`.
    pub restart: usize,
    /// The series' highest value in the life that ended here.
    pub peak: f64,
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
    /// The floor line to draw: over the floors it was fitted to only, one
    /// piece per busy stretch (see [`segments::FloorLine`]).
    pub floor_line: Option<FloorLine>,
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
    /// Its restarts in time order, with how each was found and the OOM
    /// kill that caused it: once per process, not per series.
    pub restart_events: Vec<Restart>,
    pub growth_per_hour: Option<f64>,
    pub bytes_per_request: Option<f64>,
    pub growth_when_idle: Option<IdleGrowth>,
    pub time_to_limit_s: Option<f64>,
    /// Its goroutine count climbs as a leak does (`go_goroutines`).
    pub goroutine_leak: bool,
    /// Goroutines kept per request, when they leak with the requests.
    pub goroutines_per_request: Option<f64>,
    /// Its soft memory limit (Go's GOMEMLIMIT), when its metrics say.
    pub soft_limit: Option<f64>,
    /// Collections per minute early and late in its last life, when the
    /// collector surges to hold a leak at the soft limit.
    pub held_by_gc: Option<(f64, f64)>,
    /// 1 for the process that leaks most.
    pub rank: usize,
    /// Stretches with no requests, `[start, end]` in unix seconds.
    pub idle: Vec<(f64, f64)>,
    /// Whether it reports garbage-collector metrics (a Go, JVM, Node...
    /// runtime): only then is its sawtooth called the GC's.
    pub gc: bool,
    /// First and last time of its series (unix seconds).
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// OOM kills placed on this process that match none of its restarts.
    pub unmatched_oom_kills: Vec<OomKillMark>,
}

impl ProcessAnalysis {
    /// "3 (3 OOM kills)": its restarts, as the Overview and the memory
    /// chart both write them.
    pub fn restart_count(&self) -> String {
        format!(
            "{} ({})",
            self.restarts,
            counted(self.oom_kills as u64, "OOM kill")
        )
    }

    /// Its lives: `[start, end]` between restarts (unix seconds).
    pub fn lives(&self) -> Vec<(f64, f64)> {
        let (Some(start), Some(end)) = (self.start, self.end) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut from = start;
        for r in &self.restart_events {
            if r.time > from && r.time <= end {
                out.push((from, r.time));
                from = r.time;
            }
        }
        out.push((from, end));
        out
    }
}

/// Analyzes series and OOM kills from one or more inputs.
pub fn analyze(set: &SeriesSet, options: &AnalyzeOptions) -> Analysis {
    analyze_series(set, options).0
}

/// [`analyze`], also giving the series it judged (copies from several
/// files merged, non-finite points dropped), in the order of
/// `Analysis::series`.
pub fn analyze_series<'a>(
    set: &'a SeriesSet,
    options: &AnalyzeOptions,
) -> (Analysis, Cow<'a, [Series]>) {
    // The same series from several files is one series; a container's
    // series of each run, one series.
    let (mut series, mut warnings) = merge_copies(&set.series, &set.inputs);
    warnings.extend(merge::stitch_lives(&mut series));
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
    let counter_labels: FxHashSet<&[(String, String)]> = series
        .iter()
        .filter(|s| s.name.ends_with("_total") || s.name.ends_with("_count"))
        .map(|s| s.labels.as_slice())
        .collect();
    let classes: Vec<Class> = series
        .iter()
        .map(|s| classify(s, &counter_labels))
        .collect();

    // Processes, in order of first appearance, and each one's restarts
    // from its own series.
    let (keys, process_of) = group_processes(&series);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
    for (i, &p) in process_of.iter().enumerate() {
        members[p].push(i);
    }
    let mut facts: Vec<ProcessFacts> = members
        .into_iter()
        .map(|members| ProcessFacts::of(members, &series, &classes))
        .collect();

    // OOM kills: each to the process it names or fits, then to the
    // restart it caused; a kill never adds a restart.
    let unplaced = place_oom_kills(&set.oom_kills, &keys, &series, &mut facts, &mut warnings);

    // Sized up front: grown by doubling, 200,000 analyses would be copied
    // and held twice.
    let mut out_series: Vec<SeriesAnalysis> = Vec::with_capacity(series.len());
    let mut processes = Vec::with_capacity(keys.len());
    for (p, key) in keys.iter().enumerate() {
        let ProcessFacts {
            members,
            main,
            restarts,
            span,
            kills,
        } = &mut facts[p];
        let mut placement = Placement::default();
        attach_oom_kills(restarts, kills, &mut placement);
        warnings.extend(placement.notes);
        let restarts = &*restarts;
        let classes = &classes;
        let members_ref = &*members;
        let of_role = |role: Role| {
            members_ref
                .iter()
                .copied()
                .filter(move |&i| classes[i].role == role)
        };
        let gc = members.iter().any(|&i| reports_gc(&series[i].name));
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
                    .filter_map(|r| r.oom_kill.as_ref())
                    .find_map(|k| {
                        let source = if k.from_metric() {
                            "kube-state-metrics"
                        } else {
                            "oom-log"
                        };
                        Some((k.limit_bytes?, source))
                    })
            })
            .or_else(|| {
                of_role(Role::Limit)
                    .next()
                    .and_then(|i| series[i].values.last().map(|&l| (l, "series")))
            });

        let first_index = out_series.len();
        for &i in members.iter() {
            let s = &series[i];
            let c = classes[i];
            let mut a = SeriesAnalysis {
                name: s.name.clone(),
                labels: s.labels.iter().cloned().collect(),
                display: s.display.clone(),
                inputs: std::iter::once(s.input)
                    .chain(s.copies_in.iter().copied())
                    .collect(),
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
                per_request: None,
                per_request_r2: None,
                background_bytes_per_second: None,
                follows_load: None,
                growth_when_idle: None,
                limit: None,
                limit_source: None,
                time_to_limit_s: None,
            };
            if matches!(c.role, Role::Memory | Role::Resource) && !s.is_empty() {
                let main_limit = if Some(i) == *main {
                    given_or_logged
                } else {
                    None
                };
                let context = Judging {
                    restarts,
                    requests: requests.as_ref(),
                    idle: &idle,
                    limit: main_limit,
                    gc,
                    collections: of_role(Role::GcCycles).next().map(|i| &series[i]),
                };
                judge(&mut a, s, &context);
            }
            out_series.push(a);
        }
        let main_index = main
            .and_then(|m| members.iter().position(|&i| i == m))
            .map(|k| first_index + k);
        let collector = main.map_or_else(Collector::default, |m| {
            let life = (
                restarts.last().map_or(span.0, |r| r.time.max(span.0)),
                span.1,
            );
            let first = |role| of_role(role).next().map(|i| &series[i]);
            let heap = members
                .iter()
                .copied()
                .filter(|&i| classes[i].role == Role::Memory && is_heap(&series[i].name))
                .min_by_key(|&i| work_rank(&series[i].name))
                .map(|i| &series[i]);
            let soft_limit = first(Role::SoftLimit)
                .and_then(|s| s.values.last().copied())
                .filter(|&l| l > 0.0 && l < 1e18);
            Collector {
                explained_by_goal: match (heap, first(Role::HeapGoal)) {
                    (Some(h), Some(g)) if !std::ptr::eq(h, &series[m]) => {
                        gc::climb_within_heap_goal(&series[m], h, g, life)
                    }
                    _ => None,
                },
                soft_limit,
                held: match (soft_limit, first(Role::GcCycles)) {
                    (Some(l), Some(c)) => gc::held_at_soft_limit(&series[m], l, c, life),
                    _ => None,
                },
                high_water: gc::high_water(&series[m], life),
            }
        });
        // Only this process's series (the last pushed): a scan of all of
        // them per process is quadratic in the series.
        let own = &out_series[first_index..];
        let mut process = process_verdict(
            key,
            main_index.map(|m| m - first_index),
            own,
            restarts,
            &collector,
        );
        process.main_series = main_index;
        process.idle = idle.stretches().to_vec();
        process.gc = gc;
        process.start = (span.0 <= span.1).then_some(span.0);
        process.end = (span.0 <= span.1).then_some(span.1);
        process.unmatched_oom_kills = placement.unmatched;
        if !process.unmatched_oom_kills.is_empty() {
            warnings.push(format!(
                "{} OOM kills of {} are left without a restart (none of its series' restarts falls between its last sign of life and a new start near them, or each that does already has a kill: a restart is one kill): listed, not counted as restarts",
                process.unmatched_oom_kills.len(),
                who(key.iter().map(|(k, v)| (k, v)))
            ));
        }
        processes.push(process);
    }
    rank(&mut processes);
    if processes.iter().all(|p| p.main_series.is_none()) {
        warnings.push(
            if set.oom_kills.is_empty() && set.containers.is_empty() {
                "no memory series found (RSS, heap, working set): nothing to judge"
            } else {
                "no memory series found (RSS, heap, working set): no leak verdict; the OOM kills and containers are listed as the files tell them"
            }
            .into(),
        );
    }
    let mut analysis = Analysis {
        inputs: set.inputs.clone(),
        series: out_series,
        processes,
        unplaced_oom_kills: unplaced,
        oom_kills: Vec::new(),
        containers: incidents::container_rows(&set.containers, &series, &set.inputs),
        warnings,
    };
    analysis.oom_kills = incidents::oom_rows(&set.oom_kills, &set.inputs, &analysis);
    (analysis, series)
}

/// A process by its labels: `{instance="…", job="…"}`, or "the process"
/// for unlabelled metrics.
pub fn who<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let labels: Vec<String> = labels
        .into_iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    if labels.is_empty() {
        return "the process".into();
    }
    format!("{{{}}}", labels.join(", "))
}

/// The processes the series describe (by their identifying labels), in
/// order of first appearance, and the process of each series.
fn group_processes(series: &[Series]) -> (Vec<Vec<(String, String)>>, Vec<usize>) {
    let mut raw: Vec<Vec<(String, String)>> = series.iter().map(process_key).collect();
    // A pod's series that name no container (the app's own metrics, a
    // pod-wide cgroup) belong to its one container, when it has one.
    let pod_of = |k: &[(String, String)]| -> Option<(String, String)> {
        let get = |name: &str| k.iter().find(|(x, _)| x == name).map(|(_, v)| v.clone());
        Some((get("namespace").unwrap_or_default(), get("pod")?))
    };
    let has_container = |k: &[(String, String)]| k.iter().any(|(x, _)| x == "container");
    // Each pod's containers (two are enough to know it is not one), looked
    // up by hash: a file may hold hundreds of thousands of series.
    type Key = Vec<(String, String)>;
    let mut containers: FxHashMap<(String, String), Vec<Key>> = FxHashMap::default();
    for k in raw.iter().filter(|k| has_container(k)) {
        let Some(pod) = pod_of(k) else { continue };
        let theirs = containers.entry(pod).or_default();
        if !theirs.contains(k) && theirs.len() < 2 {
            theirs.push(k.clone());
        }
    }
    for k in raw.iter_mut().filter(|k| !has_container(k)) {
        let Some(pod) = pod_of(k) else { continue };
        if let Some([only]) = containers.get(&pod).map(Vec::as_slice) {
            *k = only.clone();
        }
    }
    let mut keys: Vec<Key> = Vec::new();
    let mut index: FxHashMap<Key, usize> = FxHashMap::default();
    let process_of = raw
        .into_iter()
        .map(|key| {
            *index.entry(key).or_insert_with_key(|key| {
                keys.push(key.clone());
                keys.len() - 1
            })
        })
        .collect();
    (keys, process_of)
}

/// A process's series, its restarts (from its own series) and the OOM
/// kills placed on it (with their wall-clock times when known).
struct ProcessFacts<'a> {
    members: Vec<usize>,
    /// Its headline memory series.
    main: Option<usize>,
    restarts: Vec<Restart>,
    /// First and last time of any of its series.
    span: (f64, f64),
    kills: Vec<(&'a OomKill, Option<f64>)>,
}

impl ProcessFacts<'_> {
    /// `members`: the process's series, in order.
    fn of(members: Vec<usize>, series: &[Series], classes: &[Class]) -> Self {
        let of_role = |role: Role| {
            members
                .iter()
                .copied()
                .find(|&i| classes[i].role == role)
                .map(|i| &series[i])
        };
        let counters: Vec<&Series> = members
            .iter()
            .filter(|&&i| classes[i].kind == Kind::Counter)
            .map(|&i| &series[i])
            .collect();
        let mut memory: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| classes[i].role == Role::Memory)
            .collect();
        memory.sort_stable_by_key(|&i| memory_rank(&series[i].name));
        let main = memory.first().copied();
        let mut restarts = detect(
            of_role(Role::StartTime),
            of_role(Role::RestartCount),
            &counters,
            main.map(|i| &series[i]),
        );
        // Kubernetes says which restarts were OOM kills.
        let oom_reason = members
            .iter()
            .find(|&&i| {
                classes[i].role == Role::TerminationReason
                    && series[i].label("reason") == Some("OOMKilled")
            })
            .map(|&i| &series[i]);
        if let Some(reason) = oom_reason {
            let container = reason.label("container").unwrap_or("").to_string();
            let limit = of_role(Role::Limit)
                .and_then(|l| l.values.last().copied())
                .filter(|&l| l > 0.0);
            mark_oom_terminations(&mut restarts, reason, &container, limit);
        }
        let span = span_of(members.iter().map(|&i| &series[i]));
        ProcessFacts {
            members,
            main,
            restarts,
            span,
            kills: Vec::new(),
        }
    }
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

/// How far outside a process's samples a kill may be and still be its,
/// when nothing else ties them: a scrape interval or two past the last
/// sample of a process that was killed and not restarted.
const ONLY_MARGIN: f64 = 600.0;

/// Places each OOM kill on a process: the one whose labels name it
/// (container, pod, or any label equal to the killed process's name), else
/// the one process with a restart the kill can have caused, else the only
/// process with memory series. Kills that fit no single process are
/// returned, with a warning.
fn place_oom_kills<'a>(
    kills: &'a [OomKill],
    keys: &[Vec<(String, String)>],
    series: &[Series],
    facts: &mut [ProcessFacts<'a>],
    warnings: &mut Vec<String>,
) -> Vec<OomKillMark> {
    let set_span = span_of(series.iter());
    let with_memory: Vec<usize> = (0..keys.len())
        .filter(|&p| facts[p].main.is_some())
        .collect();
    let mut years: Vec<(i64, usize)> = Vec::new();
    let mut unplaced = Vec::new();
    let mut guessed = 0;
    let index = KillIndex::new(keys, kills);
    let times: Vec<Option<f64>> = kills.iter().map(|k| wall_time(k, set_span)).collect();
    let restarts: Vec<&[Restart]> = facts.iter().map(|f| f.restarts.as_slice()).collect();
    let fitting = kill_index::only_restart_fitting(&times, &restarts);
    // An undated retelling of a dated kill (`dmesg` beside `dmesg -T`) is
    // placed with it, not on its own (and not left over as unplaced).
    let retold = incidents::retold_undated(kills);
    // Kills in seconds since boot, by file and process name: the one
    // process whose restarts they line up with, among several (with one,
    // `only` below gives it them).
    let mut boot_groups: FxHashMap<(usize, &str), Vec<usize>> = FxHashMap::default();
    for (i, k) in kills.iter().enumerate() {
        let boot_only = k.time.is_none() && k.since_boot.is_some();
        if boot_only && with_memory.len() > 1 && !retold.contains_key(&i) {
            boot_groups
                .entry((k.input, k.process.as_str()))
                .or_default()
                .push(i);
        }
    }
    let boot_groups: Vec<Vec<usize>> = boot_groups.into_values().collect();
    let boot_fit = restarts::only_boot_fitting(
        &boot_groups
            .iter()
            .map(|g| g.iter().map(|&i| &kills[i]).collect())
            .collect::<Vec<_>>(),
        &restarts,
    );
    let mut by_boot_of: Vec<Option<usize>> = vec![None; kills.len()];
    for (g, p) in boot_groups.iter().zip(boot_fit) {
        for &i in g {
            by_boot_of[i] = p;
        }
    }
    for (i, k) in kills.iter().enumerate() {
        if retold.contains_key(&i) {
            continue;
        }
        let t = times[i];
        if k.time.is_none() {
            if let Some(y) = t.map(crate::civil::year_of) {
                match years.iter_mut().find(|(year, _)| *year == y) {
                    Some((_, n)) => *n += 1,
                    None => years.push((y, 1)),
                }
            }
        }
        let by_labels = index.by_labels(i);
        let by_name = || index.by_name(i);
        let by_time = || fitting[i].or(by_boot_of[i]);
        // The only process with memory series, for a kill that names no
        // pod or container (one that does names another process) and
        // happened while it ran (or says no time): a log of another host
        // or another day is not this process's.
        let only = || {
            let p = *with_memory.first().filter(|_| with_memory.len() == 1)?;
            let names_a_container = k.labels.iter().any(|(l, _)| l == "pod" || l == "container");
            let (start, end) = facts[p].span;
            let while_it_ran = t.is_none_or(|t| t >= start - ONLY_MARGIN && t <= end + ONLY_MARGIN);
            (!names_a_container && while_it_ran).then(|| {
                if keys.len() > 1 {
                    guessed += 1;
                }
                p
            })
        };
        match by_labels.or_else(by_name).or_else(by_time).or_else(only) {
            Some(p) => facts[p].kills.push((k, t)),
            None => unplaced.push(restarts::mark(k, t)),
        }
    }
    for (year, n) in years {
        warnings.push(format!(
            "the OOM log gives no year: {n} kills were placed in {year}, the year nearest the metrics"
        ));
    }
    if guessed > 0 {
        warnings.push(format!(
            "{guessed} OOM kills name no process in the metrics and fit no restart: attributed to the only process with memory series"
        ));
    }
    // With no metrics at all there is nothing to attach to: the kills are
    // listed (`Analysis::oom_kills`), and saying so for each is noise.
    if !unplaced.is_empty() && !keys.is_empty() {
        warnings.push(format!(
            "{} OOM kills name no process in the metrics (by container, pod or a label value) and fit no single process's restart: not attached",
            unplaced.len()
        ));
    }
    unplaced
}

/// The lives of a series: its points split at the restarts, as index
/// ranges, and beside each the restart that ended it (`None` for a life
/// no restart ended). Only lives with points: a restart after a life the
/// series was not seen in ends none of its lives.
fn lives(s: &Series, restarts: &[Restart]) -> (Vec<(usize, usize)>, Vec<Option<usize>>) {
    let (mut bounds, mut ended_by) = (Vec::new(), Vec::new());
    let mut start = 0;
    for (k, r) in restarts.iter().enumerate() {
        let end = s.times.partition_point(|&t| t < r.time);
        if end > start {
            bounds.push((start, end));
            ended_by.push(Some(k));
        }
        start = start.max(end);
    }
    if start < s.len() {
        bounds.push((start, s.len()));
        ended_by.push(None);
    }
    (bounds, ended_by)
}

/// Judges one memory (or resource) series.
/// What a series is judged with: its process's restarts, requests and
/// idle stretches, the limit (for the headline series), and whether the
/// process has a garbage collector.
struct Judging<'a> {
    restarts: &'a [Restart],
    requests: Option<&'a Requests>,
    idle: &'a Idle,
    limit: Option<(f64, &'static str)>,
    gc: bool,
    /// The process's count of garbage collections, if it reports one.
    collections: Option<&'a Series>,
}

fn judge(a: &mut SeriesAnalysis, s: &Series, context: &Judging) {
    let Judging {
        restarts,
        requests,
        idle,
        limit,
        gc,
        collections,
    } = *context;
    let (bounds, ended_by) = lives(s, restarts);
    // Lives are judged on busy time: idle stretches (no requests) are cut
    // out of the time axis, since memory that does not grow without work
    // says nothing about a steady state. Floors keep wall-clock times.
    let segments: Vec<Segment> = bounds
        .iter()
        .map(|&(x, y)| {
            let kept: Vec<usize> = (x..y).filter(|&i| !idle.holds_inside(s.times[i])).collect();
            let busy_times: Vec<f64> = kept.iter().map(|&i| idle.busy_time(s.times[i])).collect();
            let values: Vec<f64> = kept.iter().map(|&i| s.values[i]).collect();
            let mut g = assess(&busy_times, &values, a.role == Role::Memory);
            if !kept.is_empty() {
                let wall = |bt: f64| {
                    s.times[kept[busy_times.partition_point(|&b| b < bt).min(kept.len() - 1)]]
                };
                g.floors = g.floors.iter().map(|&(bt, v)| (wall(bt), v)).collect();
                g.levelled_at = g.levelled_at.map(wall);
                g.late_from = wall(g.late_from);
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
    // Each restart that ended a life of the series, with that life's peak.
    a.restarts = ended_by
        .iter()
        .zip(&segments)
        .filter_map(|(&ended_by, g)| {
            ended_by.map(|k| RestartReport {
                time: restarts[k].time,
                restart: k,
                peak: g.peak,
            })
        })
        .collect();
    // A short life that climbs from low to high and ends in a restart is
    // part of a restart sawtooth.
    let trends: Vec<Trend> = segments
        .iter()
        .zip(&bounds)
        .zip(&ended_by)
        .map(|((g, &(x, y)), ended_by)| {
            if g.trend == Trend::Short && ended_by.is_some() && g.climbs(&s.values[x..y]) {
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
            floor_line: floor_line(g.judged_floors(trend), idle),
            trend,
        })
        .collect();
    let rising: Vec<&Segment> = segments
        .iter()
        .zip(&trends)
        .filter(|(_, t)| **t == Trend::Rising)
        .map(|(g, _)| g)
        .collect();
    let flat = trends
        .iter()
        .filter(|t| matches!(t, Trend::Flat | Trend::Plateau))
        .count();
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
    let peaks: Vec<f64> = a.restarts.iter().map(|r| r.peak).collect();
    // A limit shows where rising lives were cut short, all at one height;
    // lives that levelled off before a restart (a deploy) show no limit.
    // Each life once: a life followed by restarts the series was not seen
    // across is one peak, not one per restart.
    let cut_short: Vec<f64> = ended_by
        .iter()
        .zip(&segments)
        .zip(&trends)
        .filter(|((ended_by, _), &trend)| ended_by.is_some() && trend == Trend::Rising)
        .map(|((_, g), _)| g.peak)
        .collect();
    let inferred = infer_limit(&cut_short);
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
        // Points in idle stretches are not judged: say so when they are
        // what left too few.
        let kept: usize = segments.iter().map(|g| g.points).sum();
        (
            Verdict::Inconclusive,
            None,
            if kept < s.len() {
                format!(
                    "only {kept} of its {} points were taken while requests were served (the rest fall in idle stretches): too little to tell growth from warm-up",
                    s.len()
                )
            } else {
                format!(
                    "only {} points over {:.0} s: too little to tell growth from warm-up",
                    s.len(),
                    seconds
                )
            },
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
                    // A restart after lives the series was not seen in
                    // has no peak of it: "each" would claim one.
                    if peaks.len() == restarts.len() {
                        let each = if restarts.len() == 1 { "" } else { " each" };
                        format!(",{each} at about {}", fmt(hi))
                    } else {
                        format!(
                            " (seen up to {} of them, at about {})",
                            peaks.len(),
                            fmt(hi)
                        )
                    }
                }
                _ => String::new(),
            };
            format!(
                "the floor rose in {} of {} lives (from about {} to {}, +{}/h, r² {:.2}) and fell only at {}{}{}",
                rising.len(),
                segments.len(),
                fmt(low),
                fmt(high),
                fmt(growth_per_second * 3600.0),
                r2,
                match restarts.len() {
                    1 => "the restart".to_string(),
                    n => format!("the {n} restarts"),
                },
                peaks_text,
                match (restarts.len(), oom) {
                    (_, 0) => String::new(),
                    (1, _) => " (an OOM kill)".to_string(),
                    (_, 1) => " (1 of them an OOM kill)".to_string(),
                    _ => format!(" ({oom} of them OOM kills)"),
                }
            )
        };
        (Verdict::Leak, Some(confidence), reason)
    } else if flat > 0 && rising.is_empty() {
        let flats: Vec<&Segment> = segments
            .iter()
            .zip(&trends)
            .filter(|(_, t)| matches!(t, Trend::Flat | Trend::Plateau))
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
        let swinging = if a.role == Role::Memory && gc {
            "the GC sawtooth"
        } else {
            "the value"
        };
        let swings = swings(swinging, g.swing, fmt);
        let reason = match g.levelled_at {
            // Never extrapolate a plateau's climb: it has stopped.
            Some(at) => format!(
                "the floor rose from about {} to {} over {}, then stayed level for the last {} {swings}: it plateaued (a cache or pool filling up), not a leak so far",
                fmt(g.floor_start),
                fmt(g.level),
                duration(at - g.start),
                duration(g.end - at),
            ),
            None => format!(
                "after warm-up the floor stays near {} for {} {swings}: a steady state",
                fmt(g.level),
                duration((g.end - g.start) / 2.0),
            ),
        };
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
                "after warm-up the floor still moved by {}{} over {} ({}): neither a steady state nor a steady climb yet",
                if moved >= 0.0 { "+" } else { "-" },
                fmt(moved.abs()),
                duration(g.map_or(0.0, |g| (g.end - g.start) / 2.0)),
                swings(
                    if a.role == Role::Memory && gc { "the GC sawtooth" } else { "the value" },
                    g.map_or(0.0, |g| g.swing),
                    fmt
                ),
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
    // Memory that rises and falls with the load is no leak, whatever one
    // life's floor did.
    let load = requests.and_then(|r| {
        let lives: Vec<Vec<(f64, f64)>> = segments
            .iter()
            .map(|g| {
                let warm = g.start + 0.1 * (g.end - g.start);
                g.floors.iter().copied().filter(|p| p.0 >= warm).collect()
            })
            .collect();
        follows_load(&lives, r)
    });
    a.follows_load = load;
    let (verdict, confidence, reason) = match load {
        Some(l) => {
            let follows = format!(
                "the floor rises and falls with the request rate (r² {:.2} against the rate of the last {:.0} s, {:.2} against requests served): memory follows the load, not a leak",
                l.against_rate,
                work::LOAD_WINDOW,
                l.against_requests
            );
            if verdict == Verdict::Steady {
                (verdict, confidence, format!("{reason}; {follows}"))
            } else {
                (
                    Verdict::Steady,
                    Some((0.5 + 0.4 * l.against_rate).clamp(0.5, 0.9)),
                    follows,
                )
            }
        }
        None => (verdict, confidence, reason),
    };
    // A heap's floor is its live data only where a collection ran: with
    // fewer than two in its rising lives, no two measures of the live
    // heap can be compared, and the climb is garbage as much as anything.
    let unmeasured = match collections {
        Some(c) if verdict == Verdict::Leak && is_heap(&s.name) => rising
            .iter()
            .map(|g| gc::collections_within(c, (g.start, g.end)))
            .sum::<Option<f64>>()
            .filter(|&n| n < 2.0)
            .map(|n| (n, c)),
        _ => None,
    };
    let (verdict, confidence, reason) = match unmeasured {
        Some((n, c)) => (
            Verdict::Inconclusive,
            None,
            format!(
                "it rose from {} to {} over {}, but {} meanwhile ({} rose by {n:.0}): between collections a heap holds garbage too, so the rise does not show memory kept",
                fmt(rising.iter().map(|g| g.floor_start).fold(f64::MAX, f64::min).max(0.0)),
                fmt(rising.iter().map(|g| g.floor_end).fold(f64::MIN, f64::max)),
                duration(rising.iter().map(|g| g.end - g.start).sum()),
                if n == 0.0 { "no garbage collection ran" } else { "only one garbage collection ran" },
                c.name
            ),
        ),
        None => (verdict, confidence, reason),
    };
    a.verdict = Some(verdict);
    a.confidence = confidence.map(|c| (c * 100.0).round() / 100.0);
    a.reason = Some(reason);

    if verdict == Verdict::Leak {
        let served =
            requests.and_then(|r| Some(r.at(*s.times.last()?)? - r.at(*s.times.first()?)?));
        if served.is_some_and(|n| n <= 0.0) {
            // The request counter is there and never moved: growth with no
            // work at all.
            a.growth_when_idle = Some(IdleGrowth::Continues);
            a.reason = a.reason.take().map(|r| {
                format!("{r}; no request was served the whole time: the growth is not driven by requests")
            });
        } else if let Some(req) = requests {
            // Work is fitted on each rising life's floor over wall time,
            // idle stretches included: with no requests, what the floor does
            // there is growth without work.
            let rising_lives: Vec<Segment> = segments
                .iter()
                .zip(&trends)
                .zip(&bounds)
                .filter(|((_, t), _)| **t == Trend::Rising)
                .map(|((g, _), &(x, y))| Segment {
                    floors: segments::work_floors(
                        &s.times[x..y],
                        &s.values[x..y],
                        idle,
                        a.role == Role::Memory,
                    ),
                    ..g.clone()
                })
                .collect();
            let raw_idle = work::raw_growth_while_idle(&s.times, &s.values, &bounds, idle);
            if let Some(f) = work_fit(&rising_lives, req, idle, raw_idle) {
                let per_request = if a.unit == Unit::Bytes {
                    f.per_request.round()
                } else {
                    (f.per_request * 1000.0).round() / 1000.0
                };
                a.per_request = Some(per_request);
                a.bytes_per_request = (a.unit == Unit::Bytes).then_some(per_request);
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

/// A rate for prose: whole numbers from 100 up, two figures below.
fn per_minute(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        units::format_g(v, 2)
    }
}

/// "while the value swings about 12MB", or, when its typical swing is
/// under one unit, "while the value hardly swings" (not "swings about 0").
fn swings(what: &str, swing: f64, fmt: impl Fn(f64) -> String) -> String {
    if (swing as i64) == 0 {
        format!("while {what} hardly swings")
    } else {
        format!("while {what} swings about {}", fmt(swing))
    }
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

/// What a process's garbage collector says (see [`gc`]).
#[derive(Default)]
struct Collector {
    /// The headline series' climb stays within the heap goal plus memory
    /// outside the heap: this ceiling.
    explained_by_goal: Option<f64>,
    /// Its soft memory limit (GOMEMLIMIT).
    soft_limit: Option<f64>,
    /// Collections per minute early and late, when they surge at the soft
    /// limit.
    held: Option<(f64, f64)>,
    /// The headline's high-water mark before its last third, when the last
    /// third stays under it (×1.1): memory kept from an earlier peak.
    high_water: Option<f64>,
}

/// The verdict on one process from `series`, its own series (`main`
/// indexes them; the caller sets `main_series` to its index among all).
fn process_verdict(
    key: &[(String, String)],
    main: Option<usize>,
    series: &[SeriesAnalysis],
    restarts: &[Restart],
    collector: &Collector,
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
        restart_events: restarts.to_vec(),
        growth_per_hour: None,
        bytes_per_request: None,
        growth_when_idle: None,
        time_to_limit_s: None,
        goroutine_leak: false,
        goroutines_per_request: None,
        soft_limit: collector.soft_limit,
        held_by_gc: None,
        rank: 0,
        idle: Vec::new(),
        gc: false,
        start: None,
        end: None,
        unmatched_oom_kills: Vec::new(),
    };
    let Some(m) = main else {
        return base(
            Verdict::Inconclusive,
            "no memory series for this process".into(),
        );
    };
    let process = series[m].process;
    let memory: Vec<&SeriesAnalysis> = series
        .iter()
        .filter(|s| s.process == process && s.role == Role::Memory)
        .collect();
    // Which memory series the verdict rests on: the headline (RSS first)
    // when it leaks; else a heap series that leaks (the heap is what a Go
    // program retains: RSS lags it, and stays level while the runtime
    // reuses memory it already holds, as under GOMEMLIMIT); else any
    // memory series that leaks while the headline is not clearly steady;
    // else a settled one.
    let main_verdict = series[m].verdict;
    let leaking_heap = memory
        .iter()
        .copied()
        .filter(|s| s.verdict == Some(Verdict::Leak) && is_heap(&s.name))
        .min_by_key(|s| work_rank(&s.name));
    // A headline that climbs only toward the collector's heap goal, while
    // the live heap is level, is garbage between collections.
    let settled_heap = memory
        .iter()
        .copied()
        .filter(|s| s.verdict == Some(Verdict::Steady) && is_heap(&s.name))
        .min_by_key(|s| work_rank(&s.name));
    let garbage = match (main_verdict, collector.explained_by_goal, settled_heap) {
        (Some(Verdict::Leak), Some(ceiling), Some(h)) if leaking_heap.is_none() => {
            Some((ceiling, h))
        }
        _ => None,
    };
    // A heap that follows the load, under a headline that only keeps the
    // high-water mark of the busiest stretch: the runtime keeps memory it
    // used and returns it slowly.
    let high_water = match (main_verdict, settled_heap, collector.high_water) {
        (Some(Verdict::Leak), Some(h), Some(mark))
            if h.follows_load.is_some() && leaking_heap.is_none() && garbage.is_none() =>
        {
            Some((mark, h))
        }
        _ => None,
    };
    let lead = if let Some((_, h)) = garbage.or(high_water) {
        h
    } else if main_verdict == Some(Verdict::Leak) {
        &series[m]
    } else if let Some(h) = leaking_heap {
        h
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
    let mut verdict = lead.verdict.unwrap_or(Verdict::Inconclusive);
    let mut reason = format!(
        "{}: {}",
        lead.name_or_display(),
        lead.reason.clone().unwrap_or_default()
    );
    if let Some((mark, _)) = high_water {
        reason.push_str(&format!(
            "; {} stays near the high-water mark of its busiest stretch (about {}): the runtime keeps memory it has used and returns it slowly",
            series[m].name_or_display(),
            units::label(mark as i64, "bytes")
        ));
    } else if let Some((ceiling, _)) = garbage {
        reason.push_str(&format!(
            "; {} still climbs, but only toward the collector's heap goal (at most about {}: the next collection's target plus the memory outside the heap): garbage between collections, not retained",
            series[m].name_or_display(),
            units::label(ceiling as i64, "bytes")
        ));
    } else if !std::ptr::eq(lead, &series[m]) {
        match main_verdict {
            Some(Verdict::Inconclusive) => reason.push_str(&format!(
                "; {} has not settled yet",
                series[m].name_or_display()
            )),
            Some(Verdict::Steady) if verdict == Verdict::Leak => reason.push_str(&format!(
                "; {} stays level meanwhile (the runtime reuses memory it already holds)",
                series[m].name_or_display()
            )),
            _ => {}
        }
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
    // Goroutines that pile up are a leak of their own, and usually hold
    // the memory that grows with them.
    let goroutines = series.iter().find(|s| {
        s.process == process && s.is_goroutine_count() && s.verdict == Some(Verdict::Leak)
    });
    let mut confidence = lead.confidence;
    let held_by_gc = collector.held.filter(|_| verdict == Verdict::Leak);
    if let (Some((early, late)), Some(limit)) = (held_by_gc, collector.soft_limit) {
        reason.push_str(&format!(
            "; the garbage collector holds it near its soft limit (GOMEMLIMIT {}): collections went from {}/min to {}/min, so the program slows down before it runs out",
            units::label(limit as i64, "bytes"),
            per_minute(early),
            per_minute(late)
        ));
    }
    if let Some(g) = goroutines {
        let per_request = g
            .per_request
            .map(|n| {
                format!(
                    "; about {} goroutines kept per request",
                    units::format_g(n, 3)
                )
            })
            .unwrap_or_default();
        let memory_part = if verdict == Verdict::Leak {
            format!("; memory grows with them: {reason}")
        } else {
            format!("; memory: {reason}")
        };
        reason = format!(
            "{}: {}{per_request}{memory_part}",
            g.name_or_display(),
            g.reason.clone().unwrap_or_default()
        );
        if verdict != Verdict::Leak {
            confidence = g.confidence;
        }
        verdict = Verdict::Leak;
    }
    ProcessAnalysis {
        confidence,
        growth_per_hour: lead.growth_per_hour,
        bytes_per_request: work.and_then(|s| s.bytes_per_request),
        growth_when_idle: work.and_then(|s| s.growth_when_idle),
        time_to_limit_s: lead.time_to_limit_s,
        goroutine_leak: goroutines.is_some(),
        goroutines_per_request: goroutines.and_then(|g| g.per_request),
        held_by_gc,
        ..base(verdict, reason)
    }
}

impl SeriesAnalysis {
    /// Whether it counts a process's goroutines (`go_goroutines`).
    pub fn is_goroutine_count(&self) -> bool {
        self.role == Role::Resource && self.name.contains("goroutines")
    }

    fn name_or_display(&self) -> &str {
        if self.name.is_empty() {
            &self.display
        } else {
            &self.name
        }
    }
}

/// Leaking processes first, then those that could not be told (a floor
/// still moving, too few points: worth a look), then the steady ones;
/// fastest growth first within each.
fn rank(processes: &mut [ProcessAnalysis]) {
    let mut order: Vec<usize> = (0..processes.len()).collect();
    order.sort_stable_by(|&a, &b| {
        let key = |p: &ProcessAnalysis| {
            let class = match p.verdict {
                Verdict::Leak => 0,
                Verdict::Inconclusive => 1,
                Verdict::Steady => 2,
            };
            (class, -(p.growth_per_hour.unwrap_or(0.0)))
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

    #[test]
    fn restarts_after_a_series_stops_are_not_its_lives() {
        // RSS scraped in the first of three lives only (a scrape config
        // changed); the start time shows two restarts. Its one rising life
        // was cut short once: one peak, no limit at one height, and only
        // the first restart ended a life of it.
        let labels = vec![("instance".to_string(), "a:1".to_string())];
        let mut rss = Series::new(
            "process_resident_memory_bytes".into(),
            labels.clone(),
            String::new(),
        );
        let mut start = Series::new("process_start_time_seconds".into(), labels, String::new());
        for i in 0..1800 {
            let t = i as f64;
            if i < 600 {
                rss.push(t, 10e6 + 1e5 * t);
            }
            start.push(t, (600 * (i / 600)) as f64);
        }
        let a = analyze(
            &SeriesSet {
                series: vec![rss, start],
                ..Default::default()
            },
            &AnalyzeOptions::default(),
        );
        let p = &a.processes[0];
        assert_eq!(
            p.restart_events.iter().map(|r| r.time).collect::<Vec<_>>(),
            [600.0, 1200.0]
        );
        let rss = &a.series[p.main_series.unwrap()];
        assert_eq!(rss.verdict, Some(Verdict::Leak), "{:?}", rss.reason);
        assert_eq!(rss.restarts.len(), 1, "{:?}", rss.restarts);
        assert_eq!((rss.restarts[0].time, rss.restarts[0].restart), (600.0, 0));
        assert!((rss.restarts[0].peak - (10e6 + 1e5 * 599.0)).abs() < 1.0);
        assert_eq!(rss.limit, None, "{:?}", rss.limit_source);
        let reason = rss.reason.as_deref().unwrap();
        assert!(
            reason.contains("fell only at the 2 restarts (seen up to 1 of them, at about 66.66MB)"),
            "{reason}"
        );
        assert_eq!(p.lives(), [(0.0, 600.0), (600.0, 1200.0), (1200.0, 1799.0)]);
    }

    /// An idle Go process scraped once a second for a minute: RSS level,
    /// the heap climbing 22 kB a scrape, and the count of collections
    /// rising by `collected(t)`.
    fn idle_go(collected: impl Fn(f64) -> f64) -> SeriesSet {
        let labels = vec![("instance".to_string(), "a:1".to_string())];
        let mut rss = Series::new(
            "process_resident_memory_bytes".into(),
            labels.clone(),
            String::new(),
        );
        let mut heap = Series::new(
            "go_memstats_heap_inuse_bytes".into(),
            labels.clone(),
            String::new(),
        );
        let mut cycles = Series::new("go_gc_duration_seconds_count".into(), labels, String::new());
        for i in 0..60 {
            let t = i as f64;
            rss.push(t, 13.3e6 + ((i % 4) as f64) * 16e3);
            heap.push(t, 2.0e6 + 22e3 * t);
            cycles.push(t, 1.0 + collected(t));
        }
        SeriesSet {
            series: vec![rss, heap, cycles],
            ..Default::default()
        }
    }

    #[test]
    fn a_heap_climb_with_no_collection_is_no_leak() {
        // The capture test's idle service, once judged a leak: its heap
        // rose 1.1 MB in 49 s while no collection ran.
        let a = analyze(&idle_go(|_| 0.0), &AnalyzeOptions::default());
        let heap = a
            .series
            .iter()
            .find(|s| s.name == "go_memstats_heap_inuse_bytes")
            .unwrap();
        assert_eq!(
            heap.verdict,
            Some(Verdict::Inconclusive),
            "{:?}",
            heap.reason
        );
        let reason = heap.reason.as_deref().unwrap();
        assert!(
            reason.contains(
                "no garbage collection ran meanwhile (go_gc_duration_seconds_count rose by 0)"
            ),
            "{reason}"
        );
        assert_ne!(
            a.processes[0].verdict,
            Verdict::Leak,
            "{}",
            a.processes[0].reason
        );
        // One collection: still no two measures of the live heap.
        let one = analyze(
            &idle_go(|t| if t >= 30.0 { 1.0 } else { 0.0 }),
            &AnalyzeOptions::default(),
        );
        assert!(one.series[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("only one garbage collection ran"));
        // The same climb across a collection every 5 s is memory kept.
        let kept = analyze(&idle_go(|t| (t / 5.0).floor()), &AnalyzeOptions::default());
        assert_eq!(
            kept.series[1].verdict,
            Some(Verdict::Leak),
            "{:?}",
            kept.series[1].reason
        );
        assert_eq!(
            kept.processes[0].verdict,
            Verdict::Leak,
            "{}",
            kept.processes[0].reason
        );
        // With no count of collections there is nothing to say otherwise.
        let mut unknown = idle_go(|_| 0.0);
        unknown.series.pop();
        assert_eq!(
            analyze(&unknown, &AnalyzeOptions::default()).series[1].verdict,
            Some(Verdict::Leak)
        );
    }
}

//! Restarts of a process: when `process_start_time_seconds` (or cAdvisor's
//! `container_start_time_seconds`) changes; else when Kubernetes' restart
//! count steps up; else when its counters reset; else when its memory falls
//! sharply (a process that dies and comes back starts small). OOM kills from logs are attached
//! to the restarts they caused; a kill never makes a restart of its own
//! (the series say when the process restarted; a log line says why).

use crate::sort::SortStable;
use rustc_hash::FxHashMap;

use crate::civil::{days_from_civil, year_of};
use crate::model::series::{OomKill, Series};

use super::fit::median;

/// How a restart was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestartSource {
    /// `process_start_time_seconds` changed (the time is the new start time).
    StartTime,
    /// Kubernetes counted a restart (`kube_pod_container_status_restarts_total`).
    RestartCount,
    /// A counter of the process went back down.
    CounterReset,
    /// Memory fell sharply from near its peak.
    MemoryDrop,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Restart {
    /// Unix seconds.
    pub time: f64,
    /// The old process's last sign of life before it (unix seconds): the
    /// process died between this and `time`.
    pub after: f64,
    pub source: RestartSource,
    /// The OOM kill that caused it, when a log says so.
    pub oom_kill: Option<OomKillMark>,
}

/// An OOM kill as a restart marker: "OOM kill" with the process and its RSS.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OomKillMark {
    pub process: String,
    pub pid: Option<u64>,
    pub rss_bytes: Option<f64>,
    pub limit_bytes: Option<f64>,
    /// When the kill happened (unix seconds), when known.
    pub time: Option<f64>,
    /// Where the log says it: the input file (index) and line (1-based;
    /// 0 when a metric says it: kube-state-metrics' termination reason).
    pub input: usize,
    pub line: usize,
    /// Other lines that tell this same kill (input, line): a container's
    /// OOMKilled termination beside the kernel's kill of its process.
    #[serde(skip)]
    pub also_told: Vec<(usize, usize)>,
}

impl OomKillMark {
    /// Whether a metric says it (kube-state-metrics' termination reason)
    /// rather than a log line.
    pub fn from_metric(&self) -> bool {
        self.line == 0
    }

    /// Whether it is a container's termination (kube-state-metrics or
    /// kubectl: `OOMKilled`, no pid) rather than the kernel's kill of a
    /// process: the kernel's kill of the same restart tells more.
    pub fn is_termination(&self) -> bool {
        self.pid.is_none()
    }
}

/// Restarts from the process's own series.
pub fn detect(
    start_time: Option<&Series>,
    restart_count: Option<&Series>,
    counters: &[&Series],
    memory: Option<&Series>,
) -> Vec<Restart> {
    if let Some(st) = start_time.filter(|s| s.len() >= 2) {
        return from_start_time(st);
    }
    if let Some(c) = restart_count.filter(|s| s.len() >= 2) {
        return from_restart_count(c);
    }
    let from_counters = from_counter_resets(counters);
    if !from_counters.is_empty() {
        return from_counters;
    }
    memory.map(from_memory_drops).unwrap_or_default()
}

fn from_start_time(st: &Series) -> Vec<Restart> {
    let mut out = Vec::new();
    let mut current = st.values[0];
    for i in 1..st.len() {
        let v = st.values[i];
        // Start times are whole seconds plus jitter; a new process starts later.
        if (v - current).abs() >= 1.0 {
            out.push(Restart {
                time: v,
                after: st.times[i - 1].min(v),
                source: RestartSource::StartTime,
                oom_kill: None,
            });
            current = v;
        }
    }
    out
}

/// Each step up of a restart count is a restart (between the two points).
fn from_restart_count(c: &Series) -> Vec<Restart> {
    (1..c.len())
        .filter(|&i| c.values[i] > c.values[i - 1])
        .map(|i| Restart {
            time: c.times[i],
            after: c.times[i - 1],
            source: RestartSource::RestartCount,
            oom_kill: None,
        })
        .collect()
}

/// Restarts Kubernetes says were OOM kills: the container's last
/// termination reason reads `OOMKilled` (kube-state-metrics' 0/1 gauge)
/// within two minutes after the restart.
pub fn mark_oom_terminations(
    restarts: &mut [Restart],
    oom_reason: &Series,
    container: &str,
    limit: Option<f64>,
) -> usize {
    let mut marked = 0;
    // How many of the first `i` points say OOMKilled: whether any within
    // a restart's window does is then a difference of two counts (a scan
    // of each window was restarts × points when windows are long, as with
    // start times in the future: an audit measured 2.4 s at 40,000
    // restarts).
    let mut said_before = Vec::with_capacity(oom_reason.len() + 1);
    said_before.push(0usize);
    for v in &oom_reason.values {
        said_before.push(said_before[said_before.len() - 1] + usize::from(*v >= 1.0));
    }
    for r in restarts.iter_mut().filter(|r| r.oom_kill.is_none()) {
        let from = oom_reason.times.partition_point(|&t| t < r.after);
        let to = oom_reason
            .times
            .partition_point(|&t| t <= r.time + 120.0)
            .max(from);
        let said = said_before[to] > said_before[from];
        if said {
            r.oom_kill = Some(OomKillMark {
                process: container.to_string(),
                pid: None,
                rss_bytes: None,
                limit_bytes: limit,
                time: Some(r.time),
                input: oom_reason.input,
                line: 0,
                also_told: Vec::new(),
            });
            marked += 1;
        }
    }
    marked
}

fn from_counter_resets(counters: &[&Series]) -> Vec<Restart> {
    // (time of the first point after the reset, of the last before it)
    let mut times: Vec<(f64, f64)> = Vec::new();
    for c in counters {
        for i in 1..c.len() {
            if c.values[i] < c.values[i - 1] {
                times.push((c.times[i], c.times[i - 1]));
            }
        }
    }
    times.sort_stable_by(|a, b| a.0.total_cmp(&b.0));
    // Resets of several counters at one restart count once.
    let mut out: Vec<Restart> = Vec::new();
    for (t, before) in times {
        if let Some(r) = out.last_mut().filter(|r| t - r.time < 10.0) {
            r.after = r.after.max(before);
            continue;
        }
        out.push(Restart {
            time: t,
            after: before,
            source: RestartSource::CounterReset,
            oom_kill: None,
        });
    }
    out
}

/// A restart is a fall to under 40% of the recent level, from near the
/// peak of the current life. (A Go heap after a collection falls to about
/// half at most with the default GOGC, so 40% is a restart, not a GC.)
fn from_memory_drops(s: &Series) -> Vec<Restart> {
    let mut out = Vec::new();
    let mut life_peak: f64 = 0.0;
    // Where the current life began: "recent" never reaches back past it.
    let mut life_start = 0;
    for i in 1..s.len() {
        let (prev, v) = (s.values[i - 1], s.values[i]);
        let recent = s.values[i.saturating_sub(3).max(life_start)..i]
            .iter()
            .copied()
            .fold(f64::MIN, f64::max);
        if v < 0.4 * recent && prev >= 0.6 * life_peak && life_peak > 0.0 {
            out.push(Restart {
                time: s.times[i],
                after: s.times[i - 1],
                source: RestartSource::MemoryDrop,
                oom_kill: None,
            });
            life_peak = v;
            life_start = i;
            continue;
        }
        life_peak = life_peak.max(v);
    }
    out
}

/// How far (seconds) a kill's logged time may lie outside the window of
/// the restart it caused: clocks of the log and the scraper differ a little.
pub const TOLERANCE: f64 = 15.0;

/// What placing OOM kills found: notes on how times were read, and the
/// kills that match no restart.
#[derive(Debug, Default)]
pub struct Placement {
    pub notes: Vec<String>,
    pub unmatched: Vec<OomKillMark>,
}

/// The wall-clock time of a kill whose log gives one, or gives a day
/// without a year (the year that puts it nearest `span`, the metrics'
/// first and last time, is taken; none without metrics).
pub fn wall_time(k: &OomKill, span: (f64, f64)) -> Option<f64> {
    if let Some(t) = k.time {
        return Some(t);
    }
    let (month, day, seconds) = k.yearless?;
    if span.0 > span.1 {
        return None;
    }
    let year = year_of(span.0);
    [year - 1, year, year + 1]
        .map(|y| days_from_civil(y, month, day) as f64 * 86_400.0 + seconds)
        .into_iter()
        .min_by(|a, b| distance(*a, span).total_cmp(&distance(*b, span)))
}

/// Whether a kill at `t` can have caused restart `r`: it lies between the
/// old process's last sign of life and the new start (within
/// [`TOLERANCE`]).
pub fn caused(r: &Restart, t: f64) -> bool {
    t >= r.after - TOLERANCE && t <= r.time + TOLERANCE
}

/// Attaches OOM kills (with their wall-clock times, `None` when unknown)
/// to the restarts they caused; kills given only as seconds since boot are
/// shifted by the offset that lines most of them up with restarts. A kill
/// matching no restart is kept in `placement.unmatched`, never turned into
/// a restart.
pub fn attach_oom_kills(
    restarts: &mut [Restart],
    kills: &[(&OomKill, Option<f64>)],
    placement: &mut Placement,
) {
    let mut timed: Vec<(f64, &OomKill)> = Vec::new();
    let boot: Vec<&OomKill> = kills
        .iter()
        .filter(|(k, t)| t.is_none() && k.since_boot.is_some())
        .map(|(k, _)| *k)
        .collect();
    for (k, t) in kills {
        if let Some(t) = t {
            timed.push((*t, k));
        }
    }
    if !boot.is_empty() {
        // A log given twice tells each kill twice: count each once.
        let mut once = boot.clone();
        once.sort_stable_by(|a, b| {
            (a.pid, a.since_boot)
                .partial_cmp(&(b.pid, b.since_boot))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        once.dedup_by(|a, b| a.pid == b.pid && a.since_boot == b.since_boot);
        let work = restarts
            .len()
            .saturating_mul(once.len())
            .saturating_mul(once.len());
        let aligned = if work > MAX_BOOT_OFFSET_WORK {
            Aligned::NotTried
        } else {
            match boot_offset(restarts, &once, TOLERANCE) {
                Some((offset, matched)) => Aligned::At { offset, matched },
                None => Aligned::Nowhere,
            }
        };
        match aligned {
            Aligned::NotTried => {
                placement.notes.push(format!(
                    "{} OOM kills give only seconds since boot; lining them up with {} restarts is past \
                     what leakscope tries (kills² × restarts over {} M): not placed on the time axis",
                    once.len(),
                    restarts.len(),
                    MAX_BOOT_OFFSET_WORK / 1_000_000
                ));
                placement
                    .unmatched
                    .extend(boot.iter().map(|k| mark(k, None)));
            }
            Aligned::At { offset, matched } => {
                placement.notes.push(format!(
                    "the OOM log gives seconds since boot; {matched} of {} kills line up with restarts \
                     (each within {TOLERANCE:.0} s of one) when boot is taken at unix time {offset:.0}",
                    once.len()
                ));
                for k in &boot {
                    timed.push((offset + k.since_boot.unwrap_or(0.0), k));
                }
            }
            Aligned::Nowhere => {
                placement.notes.push(format!(
                    "{} OOM kills give only seconds since boot and line up with no restart: not placed on the time axis",
                    once.len()
                ));
                placement
                    .unmatched
                    .extend(boot.iter().map(|k| mark(k, None)));
            }
        }
    }
    let timeless: Vec<&OomKill> = kills
        .iter()
        .filter(|(k, t)| t.is_none() && k.since_boot.is_none())
        .map(|(k, _)| *k)
        .collect();
    if !timeless.is_empty() {
        placement.notes.push(format!(
            "{} OOM kills have no time (kubectl get events shows only ages): not placed on the time axis",
            timeless.len()
        ));
        placement
            .unmatched
            .extend(timeless.iter().map(|k| mark(k, None)));
    }
    timed.sort_stable_by(|a, b| a.0.total_cmp(&b.0));
    let by_time = ByTime::new(restarts);
    // Where each kill (process, pid, labels, moment) went: the same kill
    // in another file (kern.log and messages hold the same kernel lines)
    // is told again there, and never takes a second restart near it, nor
    // a second place among those matching none, which counted it twice.
    let mut went_to: FxHashMap<KillKey, WentTo> = FxHashMap::default();
    for (t, k) in timed {
        let key = (k.process.as_str(), k.pid, k.labels.as_slice(), t.to_bits());
        let first = match went_to.get(&key) {
            Some(WentTo::Restart(i)) => restarts[*i].oom_kill.as_mut(),
            Some(WentTo::Unmatched(j)) => placement.unmatched.get_mut(*j),
            None => None,
        };
        if let Some(m) = first {
            m.also_told.push((k.input, k.line));
            continue;
        }
        // A restart is one kill however many sources tell it: a
        // container's termination (kube-state-metrics' gauge, kubectl's
        // OOMKilled) and the kernel's kill of its process. The kernel's
        // mark (pid, memory) takes a termination's place; a termination
        // on a restart already marked is the same kill, told again.
        let new = mark(k, Some(t));
        let kernel = !new.is_termination();
        let open = |r: &Restart| {
            caused(r, t)
                && r.oom_kill
                    .as_ref()
                    .is_none_or(|m| m.from_metric() || (m.is_termination() && kernel))
        };
        let went = take_place(restarts, &by_time, t, new, &open, &mut placement.unmatched);
        went_to.insert(key, went);
    }
}

/// A kill as told in any file: its process, pid, labels and moment.
type KillKey<'k> = (&'k str, Option<u64>, &'k [(String, String)], u64);

/// Where a kill's first telling went: a restart, or `Placement::unmatched`.
enum WentTo {
    Restart(usize),
    Unmatched(usize),
}

/// Puts kill mark `new` (at `t`) on the nearest restart `open` allows,
/// keeping what the mark it replaces told; a termination (or a kill of
/// the same pid) that finds no open restart but one it caused, already
/// marked, is that kill told again.
/// When there is no restart it can have caused, it goes to `unmatched`.
fn take_place(
    restarts: &mut [Restart],
    by_time: &ByTime,
    t: f64,
    mut new: OomKillMark,
    open: &dyn Fn(&Restart) -> bool,
    unmatched: &mut Vec<OomKillMark>,
) -> WentTo {
    let nearest = |fits: &dyn Fn(&Restart) -> bool, rs: &[Restart]| by_time.nearest(rs, t, fits);
    if let Some(i) = nearest(open, restarts) {
        if let Some(old) = restarts[i].oom_kill.take() {
            if !old.from_metric() {
                new.also_told.push((old.input, old.line));
            }
            new.also_told.extend(old.also_told);
        }
        restarts[i].oom_kill = Some(new);
        return WentTo::Restart(i);
    }
    // A termination, or the same pid (one log given twice, or copied
    // into another), on a restart already marked: the same kill.
    let told = |r: &Restart| {
        caused(r, t)
            && r.oom_kill
                .as_ref()
                .is_some_and(|m| new.is_termination() || m.pid == new.pid)
    };
    match nearest(&told, restarts) {
        Some(i) => {
            if let Some(m) = restarts[i].oom_kill.as_mut() {
                m.also_told.push((new.input, new.line));
            }
            WentTo::Restart(i)
        }
        _ => {
            unmatched.push(new);
            WentTo::Unmatched(unmatched.len() - 1)
        }
    }
}

/// The restarts in time order, for the nearest one a kill can have
/// caused: only those from `TOLERANCE` before the kill on can be, and none
/// past the point where every later one's last sign of life comes after
/// the kill. A scan of every restart per kill was kills × restarts
/// (10,000 kills of a process restarted 40,000 times: 1.3 s).
struct ByTime {
    /// Restart indices, by time.
    order: Vec<usize>,
    /// `after_from[k]`: the earliest `after` of the restarts `order[k..]`.
    after_from: Vec<f64>,
}

impl ByTime {
    fn new(restarts: &[Restart]) -> ByTime {
        let mut order: Vec<usize> = (0..restarts.len()).collect();
        order.sort_stable_by(|&a, &b| restarts[a].time.total_cmp(&restarts[b].time));
        let mut after_from = vec![f64::INFINITY; order.len()];
        let mut earliest = f64::INFINITY;
        for k in (0..order.len()).rev() {
            earliest = earliest.min(restarts[order[k]].after);
            after_from[k] = earliest;
        }
        ByTime { order, after_from }
    }

    /// The restart nearest `t` that `fits` among those the kill at `t` can
    /// have caused (`caused`), the first of equals in the restarts' order.
    fn nearest(
        &self,
        restarts: &[Restart],
        t: f64,
        fits: &dyn Fn(&Restart) -> bool,
    ) -> Option<usize> {
        let from = self
            .order
            .partition_point(|&i| restarts[i].time < t - TOLERANCE);
        let mut best: Option<(f64, usize)> = None;
        for k in from..self.order.len() {
            let i = self.order[k];
            let distance = (restarts[i].time - t).abs();
            let past_best = best.is_some_and(|(d, _)| restarts[i].time > t && distance > d);
            if past_best || self.after_from[k] > t + TOLERANCE {
                break;
            }
            let better = best.is_none_or(|(d, j)| distance < d || (distance == d && i < j));
            if better && fits(&restarts[i]) {
                best = Some((distance, i));
            }
        }
        best.map(|(_, i)| i)
    }
}

/// A kill as a restart marker, at `time` (its wall-clock time, when known).
pub fn mark(k: &OomKill, time: Option<f64>) -> OomKillMark {
    OomKillMark {
        process: k.process.clone(),
        pid: k.pid,
        rss_bytes: k.rss_bytes,
        limit_bytes: k.limit_bytes,
        time,
        line: k.line,
        input: k.input,
        also_told: Vec::new(),
    }
}

fn distance(t: f64, span: (f64, f64)) -> f64 {
    if t < span.0 {
        span.0 - t
    } else if t > span.1 {
        t - span.1
    } else {
        0.0
    }
}

/// The most `boot_offset` is asked to do (kills² × restarts): it tries
/// each restart less each kill's seconds as the boot time and checks every
/// kill against it, which for 300 of each took 29 s with a scan for the
/// nearest restart (a binary search now).
const MAX_BOOT_OFFSET_WORK: usize = 50_000_000;

/// How kills timed since boot line up with the restarts.
enum Aligned {
    /// Boot taken at unix time `offset` lines `matched` kills up.
    At { offset: f64, matched: usize },
    /// No boot time lines any kill up.
    Nowhere,
    /// Past [`MAX_BOOT_OFFSET_WORK`]: not searched.
    NotTried,
}

/// Which one process's restarts a log's kills given only in seconds
/// since boot (plain `dmesg`) line up with, when nothing else names it:
/// `groups` are the kills of one file and one process name (one boot, one
/// program). A group is placed when exactly one process lines up at least
/// two of its kills, and more than half, at one boot time (a single kill
/// lines up with any restart); none when two could, or once the searches
/// together are past [`MAX_BOOT_OFFSET_WORK`] (restarts × kills² each: a
/// node's log beside thousands of restarting processes). Returns each
/// group's process.
pub fn only_boot_fitting(groups: &[Vec<&OomKill>], restarts: &[&[Restart]]) -> Vec<Option<usize>> {
    let mut work = 0usize;
    groups
        .iter()
        .map(|kills| {
            if kills.len() < 2 {
                return None;
            }
            let mut found = None;
            for (p, rs) in restarts.iter().enumerate().filter(|(_, rs)| !rs.is_empty()) {
                let search = rs
                    .len()
                    .saturating_mul(kills.len())
                    .saturating_mul(kills.len());
                work = work.saturating_add(search);
                if work > MAX_BOOT_OFFSET_WORK {
                    return None;
                }
                if boot_offset(rs, kills, TOLERANCE).is_some_and(|(_, matched)| matched >= 2) {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(p);
                }
            }
            found
        })
        .collect()
}

/// The boot time (unix seconds) that lines up the most kills with
/// restarts, and how many it lines up. Not called past
/// [`MAX_BOOT_OFFSET_WORK`].
fn boot_offset(restarts: &[Restart], kills: &[&OomKill], tolerance: f64) -> Option<(f64, usize)> {
    let mut times: Vec<f64> = restarts.iter().map(|r| r.time).collect();
    times.sort_stable_by(f64::total_cmp);
    // The nearest restart to `t` is one of the two around it.
    let nearest = |t: f64| {
        let i = times.partition_point(|&x| x < t);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .filter_map(|j| times.get(j))
            .map(|x| (x - t).abs())
            .min_by(f64::total_cmp)
    };
    let mut best: Option<(f64, usize, f64)> = None;
    let mut errors = Vec::with_capacity(kills.len());
    for r in restarts {
        for k in kills {
            let offset = r.time - k.since_boot.unwrap_or(0.0);
            errors.clear();
            for k2 in kills {
                if let Some(e) = nearest(offset + k2.since_boot.unwrap_or(0.0)) {
                    if e <= tolerance {
                        errors.push(e);
                    }
                }
            }
            let matched = errors.len();
            if best.is_some_and(|(_, m, _)| matched < m) {
                continue; // (its median, a sort, would not change the choice)
            }
            let err = median(errors.clone());
            if best.is_none_or(|(_, m, e)| matched > m || (matched == m && err < e)) {
                best = Some((offset, matched, err));
            }
        }
    }
    best.filter(|&(_, m, _)| m >= 1 && (m * 2 > kills.len() || kills.len() == 1))
        .map(|(o, m, _)| (o, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oom_terminations_are_marked_as_a_scan_marked_them() {
        let mut rng = fastrand::Rng::with_seed(13);
        for _ in 0..200 {
            // A reason series (1 while the last termination was an OOM
            // kill) and restarts with windows short, long and reversed.
            let mut reason = Series::new(
                "kube_pod_container_status_last_terminated_reason".into(),
                Vec::new(),
                String::new(),
            );
            let mut t = 0.0;
            for _ in 0..rng.usize(0..40) {
                t += [0.0, 15.0, 30.0, 500.0][rng.usize(..4)];
                reason.push(t, [0.0, 1.0, f64::NAN][rng.usize(..3)]);
            }
            reason.sort_points();
            let mut restarts: Vec<Restart> = (0..rng.usize(0..20))
                .map(|_| {
                    let time = rng.f64() * 3000.0;
                    Restart {
                        time,
                        after: time - [10.0, 200.0, 2500.0, -50.0][rng.usize(..4)],
                        source: RestartSource::RestartCount,
                        oom_kill: None,
                    }
                })
                .collect();
            let want: Vec<bool> = restarts
                .iter()
                .map(|r| {
                    let from = reason.times.partition_point(|&t| t < r.after);
                    reason.times[from..]
                        .iter()
                        .zip(&reason.values[from..])
                        .take_while(|(t, _)| **t <= r.time + 120.0)
                        .any(|(_, v)| *v >= 1.0)
                })
                .collect();
            let marked = mark_oom_terminations(&mut restarts, &reason, "app", None);
            let got: Vec<bool> = restarts.iter().map(|r| r.oom_kill.is_some()).collect();
            assert_eq!(got, want);
            assert_eq!(marked, want.iter().filter(|&&w| w).count());
        }
    }

    #[test]
    fn the_nearest_restart_by_time_agrees_with_a_scan() {
        let mut rng = fastrand::Rng::with_seed(11);
        let mut next = |bound: u64| rng.u64(0..bound);
        for round in 0..200 {
            // Unordered restarts, some with long silences before them
            // (an early `after`), some at one time; a fit for some only.
            let restarts: Vec<Restart> = (0..next(30))
                .map(|_| {
                    let time = next(600) as f64;
                    let silent = if next(8) == 0 { next(400) } else { next(20) } as f64;
                    Restart {
                        time,
                        after: time - silent,
                        source: RestartSource::StartTime,
                        oom_kill: None,
                    }
                })
                .collect();
            let allowed: Vec<bool> = restarts.iter().map(|_| next(3) > 0).collect();
            let by_time = ByTime::new(&restarts);
            for t in (0..650).step_by(7).map(|t| t as f64) {
                let fits = |r: &Restart| {
                    let i = restarts.iter().position(|x| std::ptr::eq(x, r)).unwrap();
                    caused(r, t) && allowed[i]
                };
                let scanned = restarts
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| fits(r))
                    .min_by(|(_, a), (_, b)| (a.time - t).abs().total_cmp(&(b.time - t).abs()))
                    .map(|(i, _)| i);
                assert_eq!(
                    by_time.nearest(&restarts, t, &fits),
                    scanned,
                    "round {round}, t {t}"
                );
            }
        }
    }

    fn series(points: &[(f64, f64)]) -> Series {
        let mut s = Series::new("x".into(), Vec::new(), String::new());
        for &(t, v) in points {
            s.push(t, v);
        }
        s
    }

    #[test]
    fn start_time_changes_are_restarts() {
        let st = series(&[(1.0, 100.0), (2.0, 100.0), (3.0, 102.7), (4.0, 102.7)]);
        let r = detect(Some(&st), None, &[], None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].time, 102.7);
    }

    #[test]
    fn memory_drops_but_not_gc() {
        // A GC halves the heap (not a restart); a restart drops to 5%.
        let m = series(&[
            (0.0, 10.0),
            (1.0, 50.0),
            (2.0, 100.0),
            (3.0, 50.0),
            (4.0, 110.0),
            (5.0, 5.0),
            (6.0, 20.0),
            (7.0, 30.0),
            (8.0, 40.0),
        ]);
        let r = detect(None, None, &[], Some(&m));
        assert_eq!(r.iter().map(|r| r.time).collect::<Vec<_>>(), vec![5.0]);
    }

    /// Restarts at `times`, each 2 s after the old process's last sample.
    fn restarts_at(times: &[f64]) -> Vec<Restart> {
        times
            .iter()
            .map(|&t| Restart {
                time: t,
                after: t - 2.0,
                source: RestartSource::StartTime,
                oom_kill: None,
            })
            .collect()
    }

    #[test]
    fn boot_relative_kills_go_to_the_one_process_they_line_up_with() {
        let kill = |b: f64| OomKill {
            since_boot: Some(b),
            process: "svc".into(),
            ..OomKill::default()
        };
        // Restarts 110 s and 70 s apart; another process's at other gaps.
        let svc = restarts_at(&[1000.0, 1110.0, 1180.0]);
        let other = restarts_at(&[5000.0, 5400.0, 6100.0]);
        let kills = [kill(50.0), kill(159.0), kill(229.5)];
        let group: Vec<&OomKill> = kills.iter().collect();
        let groups = vec![group.clone()];
        assert_eq!(only_boot_fitting(&groups, &[&other, &[], &svc]), [Some(2)]);
        // Two processes that both fit: neither.
        assert_eq!(only_boot_fitting(&groups, &[&svc, &svc]), [None]);
        // One kill fits any restart: not placed by time alone.
        assert_eq!(only_boot_fitting(&[vec![&kills[0]]], &[&svc]), [None]);
    }

    #[test]
    fn boot_relative_kills_line_up() {
        let mut restarts = restarts_at(&[1000.0, 1110.0, 1180.0]);
        let kill = |b: f64| OomKill {
            time: None,
            since_boot: Some(b),
            yearless: None,
            process: "svc".into(),
            pid: None,
            rss_bytes: Some(1.0),
            line: 1,
            ..OomKill::default()
        };
        let kills = [kill(50.0), kill(159.0), kill(229.5)];
        let refs: Vec<(&OomKill, Option<f64>)> = kills.iter().map(|k| (k, None)).collect();
        let mut p = Placement::default();
        attach_oom_kills(&mut restarts, &refs, &mut p);
        assert_eq!(restarts.len(), 3);
        assert!(
            restarts.iter().all(|r| r.oom_kill.is_some()),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn a_kill_never_adds_a_restart() {
        // Restarts at 100 and 200 (the old process last seen at 98, 197);
        // kills at 99 (caused the first), 150 (caused nothing seen), 199.
        let mut restarts: Vec<Restart> = [(100.0, 98.0), (200.0, 197.0)]
            .iter()
            .map(|&(time, after)| Restart {
                time,
                after,
                source: RestartSource::StartTime,
                oom_kill: None,
            })
            .collect();
        let kill = |line: usize| OomKill {
            time: None,
            since_boot: None,
            yearless: None,
            process: "svc".into(),
            pid: Some(line as u64),
            line,
            ..OomKill::default()
        };
        let kills = [kill(1), kill(2), kill(3)];
        let timed = [
            (&kills[0], Some(99.0)),
            (&kills[1], Some(150.0)),
            (&kills[2], Some(199.0)),
        ];
        let mut p = Placement::default();
        attach_oom_kills(&mut restarts, &timed, &mut p);
        assert_eq!(restarts.len(), 2);
        assert_eq!(
            restarts
                .iter()
                .map(|r| r.oom_kill.as_ref().map(|k| k.line))
                .collect::<Vec<_>>(),
            [Some(1), Some(3)]
        );
        assert_eq!(p.unmatched.iter().map(|k| k.line).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn a_kill_in_two_files_takes_one_restart() {
        // Restarts every 10 s, closer than the tolerance: the kill at 105
        // could have caused the one at 100 or at 110. Given twice (kern.log
        // and messages), it is one kill, told again, on one restart.
        let mut restarts: Vec<Restart> = (0..5)
            .map(|i| Restart {
                time: 100.0 + 10.0 * i as f64,
                after: 98.0 + 10.0 * i as f64,
                source: RestartSource::StartTime,
                oom_kill: None,
            })
            .collect();
        let kill = |input: usize| OomKill {
            process: "svc".into(),
            pid: Some(42),
            input,
            line: 7,
            ..OomKill::default()
        };
        let kills = [kill(0), kill(1)];
        // And at 500, where no restart is: one kill matching none.
        let timed = [
            (&kills[0], Some(105.0)),
            (&kills[1], Some(105.0)),
            (&kills[0], Some(500.0)),
            (&kills[1], Some(500.0)),
        ];
        let mut p = Placement::default();
        attach_oom_kills(&mut restarts, &timed, &mut p);
        let marked: Vec<&OomKillMark> = restarts
            .iter()
            .filter_map(|r| r.oom_kill.as_ref())
            .collect();
        assert_eq!(marked.len(), 1, "{marked:?}");
        assert_eq!(marked[0].also_told, [(1, 7)]);
        assert_eq!(p.unmatched.len(), 1, "{:?}", p.unmatched);
        assert_eq!(p.unmatched[0].also_told, [(1, 7)]);
    }
}

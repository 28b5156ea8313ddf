//! Restarts of a process: when `process_start_time_seconds` changes; else
//! when its counters reset; else when its memory falls sharply (a process
//! that dies and comes back starts small). OOM kills from logs are attached
//! to the restarts they caused.

use crate::civil::{days_from_civil, year_of};
use crate::model::series::{OomKill, Series};

use super::fit::median;

/// How a restart was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestartSource {
    /// `process_start_time_seconds` changed (the time is the new start time).
    StartTime,
    /// A counter of the process went back down.
    CounterReset,
    /// Memory fell sharply from near its peak.
    MemoryDrop,
    /// Only an OOM-kill log line says so.
    OomLog,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Restart {
    /// Unix seconds.
    pub time: f64,
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
}

/// Restarts from the process's own series.
pub fn detect(
    start_time: Option<&Series>,
    counters: &[&Series],
    memory: Option<&Series>,
) -> Vec<Restart> {
    if let Some(st) = start_time.filter(|s| s.len() >= 2) {
        return from_start_time(st);
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
    for &v in &st.values[1..] {
        // Start times are whole seconds plus jitter; a new process starts later.
        if (v - current).abs() >= 1.0 {
            out.push(Restart {
                time: v,
                source: RestartSource::StartTime,
                oom_kill: None,
            });
            current = v;
        }
    }
    out
}

fn from_counter_resets(counters: &[&Series]) -> Vec<Restart> {
    let mut times: Vec<f64> = Vec::new();
    for c in counters {
        for i in 1..c.len() {
            if c.values[i] < c.values[i - 1] {
                times.push(c.times[i]);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    // Resets of several counters at one restart count once.
    let mut out: Vec<Restart> = Vec::new();
    for t in times {
        if out.last().is_some_and(|r| t - r.time < 10.0) {
            continue;
        }
        out.push(Restart {
            time: t,
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

/// Where OOM kills without a wall-clock time are placed, and how.
#[derive(Debug, Default)]
pub struct Placement {
    pub notes: Vec<String>,
}

/// Attaches OOM kills to restarts (within `tolerance` seconds); kills
/// given only as seconds since boot are shifted by the offset that lines
/// most of them up with restarts. Kills matching no restart become
/// restarts of their own when their time is known.
pub fn attach_oom_kills(
    restarts: &mut Vec<Restart>,
    kills: &[&OomKill],
    span: (f64, f64),
    placement: &mut Placement,
) {
    const TOLERANCE: f64 = 15.0;
    let mut timed: Vec<(f64, &OomKill)> = Vec::new();
    let boot: Vec<&OomKill> = kills
        .iter()
        .copied()
        .filter(|k| k.time.is_none() && k.since_boot.is_some())
        .collect();
    for k in kills {
        if let Some(t) = k.time {
            timed.push((t, k));
        } else if let Some((month, day, seconds)) = k.yearless {
            // The year that puts the kill inside the series' span.
            let year = year_of(span.0);
            let candidates = [year - 1, year, year + 1]
                .map(|y| days_from_civil(y, month, day) as f64 * 86_400.0 + seconds);
            if let Some(t) = candidates
                .iter()
                .copied()
                .min_by(|a, b| distance(*a, span).total_cmp(&distance(*b, span)))
            {
                timed.push((t, k));
                placement.notes.push(format!(
                    "the OOM log gives no year; the kill on line {} was placed in {}",
                    k.line,
                    year_of(t)
                ));
            }
        }
    }
    if !boot.is_empty() {
        match boot_offset(restarts, &boot, TOLERANCE) {
            Some((offset, matched)) => {
                placement.notes.push(format!(
                    "the OOM log gives seconds since boot; {matched} of {} kills line up with restarts \
                     when boot is taken at unix time {offset:.0}",
                    boot.len()
                ));
                for k in boot {
                    timed.push((offset + k.since_boot.unwrap_or(0.0), k));
                }
            }
            None => placement.notes.push(format!(
                "{} OOM kills give only seconds since boot and match no restart: not placed",
                boot.len()
            )),
        }
    }
    let timeless = kills
        .iter()
        .filter(|k| k.time.is_none() && k.since_boot.is_none() && k.yearless.is_none())
        .count();
    if timeless > 0 {
        placement.notes.push(format!(
            "{timeless} OOM kills have no time (kubectl get events shows only ages): not placed on the time axis"
        ));
    }
    for (t, k) in timed {
        let mark = OomKillMark {
            process: k.process.clone(),
            pid: k.pid,
            rss_bytes: k.rss_bytes,
            limit_bytes: k.limit_bytes,
            time: Some(t),
        };
        let nearest = restarts
            .iter_mut()
            .filter(|r| r.oom_kill.is_none())
            .min_by(|a, b| (a.time - t).abs().total_cmp(&(b.time - t).abs()));
        match nearest {
            Some(r) if (r.time - t).abs() <= TOLERANCE => r.oom_kill = Some(mark),
            _ => restarts.push(Restart {
                time: t,
                source: RestartSource::OomLog,
                oom_kill: Some(mark),
            }),
        }
    }
    restarts.sort_by(|a, b| a.time.total_cmp(&b.time));
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

/// The boot time (unix seconds) that lines up the most kills with
/// restarts, and how many it lines up.
fn boot_offset(restarts: &[Restart], kills: &[&OomKill], tolerance: f64) -> Option<(f64, usize)> {
    let mut best: Option<(f64, usize, f64)> = None;
    for r in restarts {
        for k in kills {
            let offset = r.time - k.since_boot.unwrap_or(0.0);
            let mut matched = 0;
            let mut errors = Vec::new();
            for k2 in kills {
                let t = offset + k2.since_boot.unwrap_or(0.0);
                if let Some(e) = restarts
                    .iter()
                    .map(|r2| (r2.time - t).abs())
                    .min_by(f64::total_cmp)
                {
                    if e <= tolerance {
                        matched += 1;
                        errors.push(e);
                    }
                }
            }
            let err = median(errors);
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
        let r = detect(Some(&st), &[], None);
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
        let r = detect(None, &[], Some(&m));
        assert_eq!(r.iter().map(|r| r.time).collect::<Vec<_>>(), vec![5.0]);
    }

    #[test]
    fn boot_relative_kills_line_up() {
        let mut restarts: Vec<Restart> = [1000.0, 1110.0, 1180.0]
            .iter()
            .map(|&t| Restart {
                time: t,
                source: RestartSource::StartTime,
                oom_kill: None,
            })
            .collect();
        let kill = |b: f64| OomKill {
            time: None,
            since_boot: Some(b),
            yearless: None,
            process: "svc".into(),
            pid: None,
            rss_bytes: Some(1.0),
            limit_bytes: None,
            labels: vec![],
            input: 0,
            line: 1,
        };
        let kills = [kill(50.0), kill(159.0), kill(229.5)];
        let refs: Vec<&OomKill> = kills.iter().collect();
        let mut p = Placement::default();
        attach_oom_kills(&mut restarts, &refs, (900.0, 1300.0), &mut p);
        assert_eq!(restarts.len(), 3);
        assert!(
            restarts.iter().all(|r| r.oom_kill.is_some()),
            "{:?}",
            p.notes
        );
    }
}

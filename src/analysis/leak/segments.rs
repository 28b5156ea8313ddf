//! One life of a process (the points between two restarts) and what its
//! memory floor does in it.
//!
//! The floor is the lower envelope (see [`super::fit::windows`]). A life is
//! judged on the floor of its second half, after warm-up: a service fills
//! caches and pools when it starts and then levels off, while a leak keeps
//! climbing. The floor's rise is compared with the level and with the
//! garbage collector's swing, so a sawtooth that returns to the same floor
//! is flat, not a leak.

use super::fit::{least_squares, median, troughs, windows, Fit};

/// What the floor does in a life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// The floor keeps climbing.
    Rising,
    /// The floor stays level (after warm-up).
    Flat,
    /// The floor rose, then stayed level for the last third of the life (a
    /// cache or a pool filling up to its size): level now, not a leak.
    Plateau,
    /// Neither clearly.
    Unclear,
    /// Too few points to tell.
    Short,
}

/// A life and its floor.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub points: usize,
    /// The line through the floor of the whole life.
    pub fit: Option<Fit>,
    /// The line through the floor of its second half.
    pub late: Option<Fit>,
    /// The floor at the start and at the end (fitted).
    pub floor_start: f64,
    pub floor_end: f64,
    /// The typical swing within a window (the GC sawtooth's height).
    pub swing: f64,
    /// The typical floor of the second half.
    pub level: f64,
    /// The highest value in the life (its peak before a restart).
    pub peak: f64,
    pub trend: Trend,
    /// The window floors, for bytes-per-request and idle checks.
    pub floors: Vec<(f64, f64)>,
    /// When the floor levelled off (a plateau): the time it did.
    pub levelled_at: Option<f64>,
}

/// The fewest points, and seconds, a life needs to be judged.
const MIN_POINTS: usize = 12;
const MIN_SECONDS: f64 = 45.0;

/// Judges one life. `sawtooth`: the series is a garbage-collected heap (or
/// a process's memory), whose troughs after each collection are its
/// floor; other series (goroutines, threads) have no troughs that mean
/// anything, and their floor is each window's least value.
pub fn assess(times: &[f64], values: &[f64], sawtooth: bool) -> Segment {
    let n = times.len();
    let (start, end) = (
        times.first().copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(0.0),
    );
    let peak = values.iter().copied().fold(0.0, f64::max);
    let per_window = (n / 16).clamp(4, 30);
    let ws = windows(times, values, per_window);
    // The floor: the troughs after each collection when there are enough of
    // them across the life, else the least value of each window.
    // (A heap that grows fast collects rarely: too few troughs to judge the
    // second half by, and then the windows' minima serve.)
    let tr = troughs(times, values);
    let halfway = start + (end - start) / 2.0;
    let late_troughs = tr.iter().filter(|p| p.0 >= halfway).count();
    let covers = sawtooth && late_troughs >= 3 && tr.len() - late_troughs >= 3;
    let floors: Vec<(f64, f64)> = if covers {
        tr
    } else {
        ws.iter().map(|w| w.floor).collect()
    };
    let swing = median(ws.iter().map(|w| w.swing).collect());
    let fit = least_squares(&floors);
    let late_floors: Vec<(f64, f64)> = floors
        .iter()
        .copied()
        .filter(|&(t, _)| t >= halfway)
        .collect();
    let late = least_squares(&late_floors);
    let level = median(late_floors.iter().map(|p| p.1).collect());
    // The observed floors of the first and last windows.
    let (floor_start, floor_end) = (
        floors.first().map_or(0.0, |f| f.1),
        floors.last().map_or(0.0, |f| f.1),
    );
    let trend = if n < MIN_POINTS || end - start < MIN_SECONDS || late_floors.len() < 3 {
        // A short life that climbs from low to its peak still shows a leak
        // when it ends in a restart; the caller decides with the restarts.
        Trend::Short
    } else {
        let late = late.expect("3+ late floors with distinct times");
        let late_span = late_floors.last().map_or(0.0, |p| p.0) - late_floors[0].0;
        let late_rise = late.slope * late_span;
        // (At least one unit: a goroutine count that moves by one is level.)
        let rise_threshold = (0.5 * swing).max(0.10 * level.abs()).max(1.0);
        let flat_threshold = (0.5 * swing).max(0.05 * level.abs()).max(1.0);
        if late_rise > rise_threshold && fit.is_some_and(|f| f.r2 >= 0.5 && f.slope > 0.0) {
            match levelled_off(&floors, start, end) {
                Some(_) => Trend::Plateau,
                None => Trend::Rising,
            }
        } else if late_rise.abs() <= flat_threshold {
            Trend::Flat
        } else {
            Trend::Unclear
        }
    };
    Segment {
        start,
        end,
        points: n,
        fit,
        late,
        floor_start,
        floor_end,
        swing,
        level,
        peak,
        trend,
        levelled_at: (trend == Trend::Plateau)
            .then(|| levelled_off(&floors, start, end))
            .flatten(),
        floors,
    }
}

/// Where a rising floor levelled off: its last third is level (it moves
/// by no more than 5% of its level, and climbs at under a fifth of the
/// pace before it). A steady leak climbs at one pace throughout, so it
/// never passes; nor does a slow one whose last third still gains 5%.
fn levelled_off(floors: &[(f64, f64)], start: f64, end: f64) -> Option<f64> {
    let cut = start + 2.0 * (end - start) / 3.0;
    let split = floors.partition_point(|p| p.0 < cut);
    let (early, tail) = floors.split_at(split);
    if tail.len() < 3 || early.len() < 3 {
        return None;
    }
    let (early_fit, tail_fit) = (least_squares(early)?, least_squares(tail)?);
    let tail_span = tail.last()?.0 - tail[0].0;
    let tail_rise = tail_fit.slope * tail_span;
    let level = median(tail.iter().map(|p| p.1).collect());
    let flat = (0.05 * level.abs()).max(1.0);
    // Every floor of the last third within that band, not only its trend:
    // a sawtooth whose collections are rare makes window floors that
    // climb and fall back, and those are no level.
    let (lo, hi) = tail
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    (early_fit.slope > 0.0
        && tail_rise.abs() <= flat
        && hi - lo <= 2.0 * flat
        && tail_fit.slope < 0.2 * early_fit.slope)
        .then_some(tail[0].0)
}

/// The floor of a life over wall time, for fitting it to work: the
/// troughs after each collection when there are a few, else the minima
/// of short windows. While idle only troughs count: with nothing
/// allocating, a heap may go uncollected, and its values then pile up
/// garbage (from metrics scrapes) that is no floor.
pub fn work_floors(
    times: &[f64],
    values: &[f64],
    idle: &[(f64, f64)],
    sawtooth: bool,
) -> Vec<(f64, f64)> {
    let tr = if sawtooth {
        troughs(times, values)
    } else {
        Vec::new()
    };
    if tr.len() >= 6 {
        return tr;
    }
    let is_idle = |t: f64| idle.iter().any(|&(a, b)| t >= a && t <= b);
    let mut floors: Vec<(f64, f64)> = windows(times, values, (times.len() / 16).clamp(4, 30))
        .iter()
        .map(|w| w.floor)
        .filter(|f| !is_idle(f.0))
        .chain(tr.iter().copied().filter(|f| is_idle(f.0)))
        .collect();
    floors.sort_by(|a, b| a.0.total_cmp(&b.0));
    floors
}

impl Segment {
    /// Whether a short life still climbs from low to high (the first
    /// third's floor under half the last third's peak).
    pub fn climbs(&self, values: &[f64]) -> bool {
        if values.len() < 5 {
            return false;
        }
        let third = values.len() / 3;
        let early = values[..third.max(1)]
            .iter()
            .copied()
            .fold(f64::MAX, f64::min);
        let late = values[values.len() - third.max(1)..]
            .iter()
            .copied()
            .fold(f64::MIN, f64::max);
        early < 0.5 * late
    }

    /// Floor growth in bytes (or units) per hour.
    pub fn slope_per_hour(&self) -> Option<f64> {
        self.fit.map(|f| f.slope * 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl Fn(f64) -> f64, n: usize) -> Segment {
        let t: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let v: Vec<f64> = t.iter().map(|&x| f(x)).collect();
        assess(&t, &v, true)
    }

    #[test]
    fn a_leak_rises_a_sawtooth_is_flat() {
        // Leak: +1 MB/s under a 5 MB GC swing.
        let leak = run(|x| 1e6 * x + ((x as i64 % 7) as f64) * 0.8e6, 120);
        assert_eq!(leak.trend, Trend::Rising);
        // Steady: warm-up to 35 MB in 30 s, then a 20 MB sawtooth on top.
        let steady = run(
            |x| 35e6 * (x / 30.0).min(1.0) + ((x as i64 % 9) as f64) * 2.5e6,
            180,
        );
        assert_eq!(steady.trend, Trend::Flat, "{steady:?}");
        assert_eq!(run(|x| x, 10).trend, Trend::Short);
        // A cache filling for two thirds of the life, then full.
        let cache = run(
            |x| 40e6 * (x / 120.0).min(1.0) + ((x as i64 % 7) as f64) * 0.5e6,
            180,
        );
        assert_eq!(cache.trend, Trend::Plateau, "{cache:?}");
        assert!((cache.levelled_at.unwrap() - 120.0).abs() <= 10.0);
        // A leak with the same start keeps its pace: never a plateau.
        let leak = run(|x| 40e6 * x / 120.0 + ((x as i64 % 7) as f64) * 0.5e6, 180);
        assert_eq!(leak.trend, Trend::Rising);
    }
}

//! One life of a process (the points between two restarts) and what its
//! memory floor does in it.
//!
//! The floor is the lower envelope (see [`super::fit::windows`]). A life is
//! judged on the floor of its second half, after warm-up: a service fills
//! caches and pools when it starts and then levels off, while a leak keeps
//! climbing. The floor's rise is compared with the level and with the
//! garbage collector's swing, so a sawtooth that returns to the same floor
//! is flat, not a leak.

use super::fit::{least_squares, median, pooled_slope, troughs, windows, Fit};
use super::idle::Idle;
use crate::sort::SortStable;

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
    /// Where the second half begins (the part a life is judged on).
    pub late_from: f64,
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
        late_from: halfway,
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
pub fn work_floors(times: &[f64], values: &[f64], idle: &Idle, sawtooth: bool) -> Vec<(f64, f64)> {
    let tr = if sawtooth {
        troughs(times, values)
    } else {
        Vec::new()
    };
    if tr.len() >= 6 {
        return tr;
    }
    let mut floors: Vec<(f64, f64)> = windows(times, values, (times.len() / 16).clamp(4, 30))
        .iter()
        .map(|w| w.floor)
        .filter(|f| !idle.holds(f.0))
        .chain(tr.iter().copied().filter(|f| idle.holds(f.0)))
        .collect();
    floors.sort_stable_by(|a, b| a.0.total_cmp(&b.0));
    floors
}

/// The floor line a chart draws over a life: the life's floors fitted with
/// one slope, each busy stretch (the floors between two idle stretches) at
/// its own level, and drawn from each stretch's first floor to its last.
///
/// Why not one line over the whole life: an idle stretch has no floors
/// (its points are left out of the judging), and what memory does there
/// depends on the leak: a per-request leak stays level, a background one
/// keeps climbing. One wall-clock line through both sides is then wrong on
/// each side (too steep or too shallow), and drawn across the stretch it
/// climbs over memory that is flat, past the limit. A line per stretch
/// with a shared slope fits both kinds and is drawn only where there were
/// floors to fit. Without idle stretches it is the life's own fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FloorLine {
    /// The shared slope, per hour of wall-clock time within the stretches.
    pub slope_per_hour: f64,
    pub pieces: Vec<FloorPiece>,
}

/// The floor line over one busy stretch of a life.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FloorPiece {
    /// The first and last floor fitted (unix seconds).
    pub start: f64,
    pub end: f64,
    /// The line's value there.
    pub from: f64,
    pub to: f64,
    /// How many floors it was fitted to.
    pub floors: usize,
}

impl FloorPiece {
    /// The line's value at `t` (within the piece).
    pub fn at(&self, t: f64) -> f64 {
        if self.end > self.start {
            self.from + (self.to - self.from) * (t - self.start) / (self.end - self.start)
        } else {
            self.from
        }
    }
}

impl Segment {
    /// The floors the life's trend rests on, which its drawn line is
    /// fitted to: all of them for a life that climbs (or is too short to
    /// judge), the second half's for one judged on it (level or unclear:
    /// a warm-up's climb is no trend), and a plateau's from where it
    /// levelled off. A line through a warm-up and the level after it
    /// climbs over memory that is flat.
    pub fn judged_floors(&self, trend: Trend) -> &[(f64, f64)] {
        let from = match trend {
            Trend::Rising | Trend::Short => return &self.floors,
            Trend::Flat | Trend::Unclear => self.late_from,
            Trend::Plateau => self.levelled_at.unwrap_or(self.late_from),
        };
        &self.floors[self.floors.partition_point(|p| p.0 < from)..]
    }
}

/// [`FloorLine`] of a life's floors (wall-clock times, sorted), split at
/// the idle stretches; `None` when no stretch has two floors at distinct
/// times to draw a line through.
pub fn floor_line(floors: &[(f64, f64)], idle: &Idle) -> Option<FloorLine> {
    let mut stretches: Vec<Vec<(f64, f64)>> = Vec::new();
    for (k, &p) in floors.iter().enumerate() {
        match stretches.last_mut() {
            Some(last) if !idle.overlaps(floors[k - 1].0, p.0) => last.push(p),
            _ => stretches.push(vec![p]),
        }
    }
    // A stretch of one floor (or of one moment) has no line of its own.
    stretches.retain(|g| g.len() >= 2 && g[0].0 < g[g.len() - 1].0);
    let slope = pooled_slope(&stretches)?.slope;
    let pieces = stretches
        .iter()
        .map(|g| {
            let n = g.len() as f64;
            let (mx, my) = (
                g.iter().map(|p| p.0).sum::<f64>() / n,
                g.iter().map(|p| p.1).sum::<f64>() / n,
            );
            let (start, end) = (g[0].0, g[g.len() - 1].0);
            FloorPiece {
                start,
                end,
                from: my + slope * (start - mx),
                to: my + slope * (end - mx),
                floors: g.len(),
            }
        })
        .collect();
    Some(FloorLine {
        slope_per_hour: slope * 3600.0,
        pieces,
    })
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

    /// Floors every 5 s over 0..=200 s but for an idle stretch 80..120 s,
    /// where memory does `idle_growth` a second.
    fn floors_around_idle(idle_growth: f64) -> Vec<(f64, f64)> {
        (0..=40)
            .map(|k| 5.0 * f64::from(k))
            .filter(|&t| !(80.0..=120.0).contains(&t))
            .map(|t| {
                let busy = t - (t.clamp(80.0, 120.0) - 80.0);
                let idle = t.clamp(80.0, 120.0) - 80.0;
                (t, 1e6 + 1000.0 * busy + idle_growth * idle)
            })
            .collect()
    }

    #[test]
    fn the_floor_line_covers_only_the_floors_it_was_fitted_to() {
        let idle = Idle::new(vec![(80.0, 120.0)]);
        // Growth that stops while idle (per request) and growth that goes
        // on (in the background): either way one piece each side, from
        // the first floor to the last of each, on the floors.
        for growth in [0.0, 1000.0] {
            let floors = floors_around_idle(growth);
            let line = floor_line(&floors, &idle).unwrap();
            assert!((line.slope_per_hour - 3.6e6).abs() < 1e-3, "{line:?}");
            let [before, after] = line.pieces[..] else {
                panic!("{line:?}");
            };
            assert_eq!((before.start, before.end, before.floors), (0.0, 75.0, 16));
            assert_eq!((after.start, after.end, after.floors), (125.0, 200.0, 16));
            for piece in [before, after] {
                for &(t, v) in floors
                    .iter()
                    .filter(|p| p.0 >= piece.start && p.0 <= piece.end)
                {
                    assert!(
                        (piece.at(t) - v).abs() < 1e-6,
                        "{growth}: {t} {v} {piece:?}"
                    );
                }
            }
        }
        // (One wall-clock line through both sides, as drawn before, is
        // over a fifth too shallow when the growth stops while idle.)
        let floors = floors_around_idle(0.0);
        let wall = least_squares(&floors).unwrap();
        assert!(wall.slope < 800.0, "{wall:?}");
        // Without an idle stretch it is the life's own fit.
        let line = floor_line(&floors, &Idle::default()).unwrap();
        assert_eq!(line.pieces.len(), 1);
        assert!((line.pieces[0].from - wall.at(0.0)).abs() < 1e-6);
        assert!((line.pieces[0].to - wall.at(200.0)).abs() < 1e-6);
        // A stretch with a single floor has no line of its own.
        let lone = [(0.0, 1.0), (10.0, 2.0), (20.0, 3.0), (130.0, 9.0)];
        let line = floor_line(&lone, &idle).unwrap();
        assert_eq!(line.pieces.len(), 1);
        assert_eq!(line.pieces[0].end, 20.0);
        assert_eq!(floor_line(&lone[..1], &idle), None);
    }

    #[test]
    fn a_level_lifes_line_leaves_out_its_warm_up() {
        // Warm-up to 35 MB in 30 s, then a sawtooth around a level floor.
        let steady = run(
            |x| 35e6 * (x / 30.0).min(1.0) + ((x as i64 % 9) as f64) * 2.5e6,
            180,
        );
        assert_eq!(steady.trend, Trend::Flat);
        let judged = steady.judged_floors(Trend::Flat);
        assert!(judged.len() >= 3 && judged[0].0 >= steady.late_from);
        let line = floor_line(judged, &Idle::default()).unwrap();
        assert!(line.slope_per_hour.abs() < 0.01 * 3.6e9, "{line:?}");
        assert!(line.pieces[0].start >= 90.0);
        // Through the warm-up, the line would climb across the level
        // (from 8 MB under it, at 250 MB/h).
        let all = floor_line(&steady.floors, &Idle::default()).unwrap();
        assert!(all.slope_per_hour > 1e8, "{all:?}");
        assert!(all.pieces[0].from < steady.level - 5e6, "{all:?}");
        // A climbing life's line is fitted to all of its floors.
        assert_eq!(steady.judged_floors(Trend::Rising), &steady.floors[..]);
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

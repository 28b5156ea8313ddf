//! What a garbage collector's own metrics say about a process's memory:
//!
//! - **RSS climbing toward the heap goal.** Between two collections a Go
//!   heap grows to its goal (`go_memstats_next_gc_bytes`, twice the live
//!   heap with the default GOGC), and the process keeps the pages it
//!   touched; when collections are minutes apart, RSS climbs for minutes
//!   while the live heap is level. Such a climb stays under the goal plus
//!   the process's other memory, and is no leak.
//! - **A heap that no collection has measured.** Between collections a
//!   heap holds its garbage too: its floor is the live heap only when a
//!   collection ran. A Go program idle but for its scrapes may not
//!   collect for minutes (the first goal is 4 MB; a forced collection
//!   comes every 2 minutes), so its heap climbs with nothing retained.
//! - **A leak held at a soft limit.** Under `GOMEMLIMIT` the collector runs
//!   ever more often as the live heap nears the limit, holding memory near
//!   it while the program slows; the rate of collections says so.

use crate::model::series::Series;

use super::fit::median;

/// The value of a series at time `t` (the last point at or before it).
fn at(s: &Series, t: f64) -> Option<f64> {
    let i = s.times.partition_point(|&x| x <= t);
    (i > 0).then(|| s.values[i - 1])
}

/// Points of a series within `[from, to]` (none when `to` is before
/// `from`).
fn within(s: &Series, from: f64, to: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
    let a = s.times.partition_point(|&x| x < from);
    let b = s.times.partition_point(|&x| x <= to).max(a);
    s.times[a..b]
        .iter()
        .copied()
        .zip(s.values[a..b].iter().copied())
}

/// Whether the climb of `memory` (RSS) over the life `[from, to]` stays
/// within the collector's heap goal plus the process's memory outside the
/// heap (measured at the start of the life, before garbage piles up): then
/// it is the heap filling up to its next collection. Returns the ceiling
/// that explains it.
pub fn climb_within_heap_goal(
    memory: &Series,
    heap: &Series,
    goal: &Series,
    (from, to): (f64, f64),
) -> Option<f64> {
    let early_end = from + 0.1 * (to - from);
    let outside: Vec<f64> = within(memory, from, early_end)
        .filter_map(|(t, m)| Some(m - at(heap, t)?))
        .filter(|d| *d >= 0.0)
        .collect();
    if outside.is_empty() {
        return None;
    }
    let outside = median(outside);
    let late_from = from + 2.0 * (to - from) / 3.0;
    let goal_late = within(goal, late_from, to).map(|p| p.1).fold(0.0, f64::max);
    let memory_late = within(memory, late_from, to)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let ceiling = goal_late + outside;
    (goal_late > 0.0 && memory_late <= 1.05 * ceiling).then_some(ceiling)
}

/// Collections per minute early in a life (its first half) and at its end
/// (its last fifth), from a count of collections.
pub fn collection_rates(cycles: &Series, (from, to): (f64, f64)) -> Option<(f64, f64)> {
    let rate = |a: f64, b: f64| -> Option<f64> {
        let pts: Vec<(f64, f64)> = within(cycles, a, b).collect();
        let (first, last) = (pts.first()?, pts.last()?);
        let seconds = last.0 - first.0;
        (seconds > 0.0 && last.1 >= first.1).then(|| 60.0 * (last.1 - first.1) / seconds)
    };
    let span = to - from;
    Some((rate(from, from + 0.5 * span)?, rate(to - 0.2 * span, to)?))
}

/// How many collections a count of collections says ran within
/// `[from, to]`: its rise from the last point at or before `from` (else
/// the first within) to the last point at or before `to`. None when the
/// count has no point within (it says nothing of that time), or fell (a
/// restart reset it: unknown).
pub fn collections_within(cycles: &Series, (from, to): (f64, f64)) -> Option<f64> {
    let first = cycles
        .times
        .partition_point(|&x| x <= from)
        .saturating_sub(1);
    let last = cycles.times.partition_point(|&x| x <= to).checked_sub(1)?;
    if last < first || cycles.times[first] > to || cycles.times[last] < from {
        return None;
    }
    let counts = &cycles.values[first..=last];
    counts
        .windows(2)
        .all(|w| w[1] >= w[0])
        .then(|| counts[counts.len() - 1] - counts[0])
}

/// Whether a process is held at its soft limit by the collector: memory
/// reaches 90% of the limit at the end of the life while collections run
/// at least three times as often as early on (and more than one a
/// minute). Returns the rates (per minute) early and late.
pub fn held_at_soft_limit(
    memory: &Series,
    limit: f64,
    cycles: &Series,
    life: (f64, f64),
) -> Option<(f64, f64)> {
    let (early, late) = collection_rates(cycles, life)?;
    let late_from = life.1 - 0.2 * (life.1 - life.0);
    let top = within(memory, late_from, life.1)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    (top >= 0.9 * limit && late >= 3.0 * early.max(0.1) && late > 1.0).then_some((early, late))
}

/// The highest value of a series before the last third of a life, when
/// the last third stays under it (within 10%): memory that stays at an
/// earlier peak's level rather than climbing past it.
pub fn high_water(memory: &Series, (from, to): (f64, f64)) -> Option<f64> {
    let cut = from + 2.0 * (to - from) / 3.0;
    let before = within(memory, from, cut).map(|p| p.1).fold(0.0, f64::max);
    let after = within(memory, cut, to).map(|p| p.1).fold(0.0, f64::max);
    (before > 0.0 && after <= 1.1 * before).then_some(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: impl Iterator<Item = (f64, f64)>) -> Series {
        let mut s = Series::new("x".into(), Vec::new(), String::new());
        for (t, v) in points {
            s.push(t, v);
        }
        s
    }

    #[test]
    fn a_reversed_window_reads_no_points() {
        // A life that ends before it starts (the fuzzer's `text` crash
        // sliced the series from its 184th point to its 0th).
        let memory = series((0..10).map(|i| (i as f64, 1.0)));
        assert_eq!(within(&memory, 5.5, 2.0).count(), 0);
        assert_eq!(high_water(&memory, (8.0, 1.0)), None);
    }

    #[test]
    fn rss_toward_the_goal_and_beyond() {
        // Live heap level at 90 MB after 100 s; the goal 180 MB; RSS climbs
        // from 10 MB (8 MB outside the heap) to 150 MB: within the goal.
        let heap = series((0..300).map(|t| (t as f64, 2e6 + 88e6 * (t as f64 / 100.0).min(1.0))));
        let goal = series((0..300).map(|t| (t as f64, 180e6)));
        let rss = series((0..300).map(|t| (t as f64, 10e6 + 140e6 * t as f64 / 300.0)));
        assert!(climb_within_heap_goal(&rss, &heap, &goal, (0.0, 299.0)).is_some());
        // RSS running far past it: memory outside the heap grows.
        let leak = series((0..300).map(|t| (t as f64, 10e6 + 400e6 * t as f64 / 300.0)));
        assert!(climb_within_heap_goal(&leak, &heap, &goal, (0.0, 299.0)).is_none());
    }

    #[test]
    fn collections_are_counted_within_a_life() {
        // One collection every 10 s from t = 5.
        let cycles = series((0..100).map(|t| (t as f64, ((t + 5) / 10) as f64)));
        assert_eq!(collections_within(&cycles, (20.0, 60.0)), Some(4.0));
        // From before the count's first point: counted from that point.
        assert_eq!(collections_within(&cycles, (-50.0, 14.0)), Some(1.0));
        // Between two points, with the count unchanged.
        assert_eq!(collections_within(&cycles, (40.5, 44.0)), Some(0.0));
        // Entirely before or after the count's points.
        assert_eq!(collections_within(&cycles, (-50.0, -1.0)), None);
        assert_eq!(collections_within(&cycles, (200.0, 300.0)), None);
        // Reset by a restart within the window: unknown.
        let reset = series((0..100).map(|t| (t as f64, (t % 50) as f64)));
        assert_eq!(collections_within(&reset, (10.0, 80.0)), None);
        assert_eq!(collections_within(&reset, (10.0, 40.0)), Some(30.0));
    }

    #[test]
    fn collections_surge_at_the_limit() {
        // 6 collections a minute, then 40 a second in the last 30 s.
        let cycles = series((0..240).map(|t| {
            let t = t as f64;
            (
                t,
                if t < 210.0 {
                    t / 10.0
                } else {
                    21.0 + 40.0 * (t - 210.0)
                },
            )
        }));
        let memory = series((0..240).map(|t| (t as f64, 95e6)));
        let (early, late) = held_at_soft_limit(&memory, 100e6, &cycles, (0.0, 239.0)).unwrap();
        assert!((early - 6.0).abs() < 0.5, "{early}");
        assert!(late > 1000.0, "{late}");
        let calm = series((0..240).map(|t| (t as f64, t as f64 / 10.0)));
        assert!(held_at_soft_limit(&memory, 100e6, &calm, (0.0, 239.0)).is_none());
    }
}

//! Tying memory growth to work: requests served over time, bytes kept per
//! request, and whether growth stops when requests stop.

use crate::model::series::Series;
use crate::sort::SortStable;

use super::classify::Kind;
use super::fit::{least_squares, median, pooled_slope, pooled_two};
use super::idle::Idle;
use super::segments::Segment;

/// Requests served by a process, as a cumulative count over time.
pub struct Requests {
    /// (time, cumulative requests), ascending, resets removed.
    cumulative: Vec<(f64, f64)>,
    /// (time, requests per second).
    rate: Vec<(f64, f64)>,
}

impl Requests {
    /// From request counters (summed) or, when there are none, request
    /// rates (integrated over time).
    pub fn new(series: &[(&Series, Kind)]) -> Option<Requests> {
        let counters: Vec<&Series> = series
            .iter()
            .filter(|(_, k)| *k == Kind::Counter)
            .map(|(s, _)| *s)
            .collect();
        let rates: Vec<&Series> = series
            .iter()
            .filter(|(_, k)| *k == Kind::Rate)
            .map(|(s, _)| *s)
            .collect();
        let cumulative = if !counters.is_empty() {
            sum_counters(&counters)
        } else if !rates.is_empty() {
            integrate(&sum_at_union(&rates))
        } else {
            return None;
        };
        if cumulative.len() < 2 {
            return None;
        }
        // From counters when there are: a `rate()` series is smoothed over
        // its window and says "idle" late.
        let rate = if !counters.is_empty() || rates.is_empty() {
            cumulative
                .windows(2)
                .map(|w| (w[1].0, (w[1].1 - w[0].1) / (w[1].0 - w[0].0).max(1e-9)))
                .collect()
        } else {
            sum_at_union(&rates)
        };
        Some(Requests { cumulative, rate })
    }

    /// Cumulative requests at time `t` (linear between samples); `None`
    /// outside the counted span.
    pub fn at(&self, t: f64) -> Option<f64> {
        interpolate(&self.cumulative, t)
    }

    /// Requests per second over time.
    pub fn rates(&self) -> &[(f64, f64)] {
        &self.rate
    }

    /// The typical request rate while busy (median of non-zero rates).
    pub fn busy_rate(&self) -> f64 {
        median(self.rate.iter().map(|p| p.1).filter(|&r| r > 0.0).collect())
    }

    /// Stretches with (almost) no requests: at most 5% of the busy median
    /// rate, lasting at least 15 s.
    pub fn idle_stretches(&self) -> Idle {
        let busy = median(self.rate.iter().map(|p| p.1).filter(|&r| r > 0.0).collect());
        if busy <= 0.0 {
            return Idle::default();
        }
        let threshold = (0.05 * busy).max(0.05);
        let mut out = Vec::new();
        let mut run_start: Option<f64> = None;
        let mut last_idle = 0.0;
        for &(t, r) in &self.rate {
            if r <= threshold {
                run_start.get_or_insert(t);
                last_idle = t;
            } else if let Some(s) = run_start.take() {
                if last_idle - s >= 15.0 {
                    out.push((s, last_idle));
                }
            }
        }
        if let Some(s) = run_start {
            if last_idle - s >= 15.0 {
                out.push((s, last_idle));
            }
        }
        Idle::new(out)
    }
}

fn interpolate(points: &[(f64, f64)], t: f64) -> Option<f64> {
    interpolate_at(points, points.partition_point(|p| p.0 < t), t)
}

/// The value at `t` of `points`, given `i`: the first point at or after
/// `t`.
fn interpolate_at(points: &[(f64, f64)], i: usize, t: f64) -> Option<f64> {
    if i == 0 {
        return (points.first()?.0 == t).then(|| points[0].1);
    }
    if i == points.len() {
        return None;
    }
    let (a, b) = (points[i - 1], points[i]);
    if b.0 == a.0 {
        return Some(b.1);
    }
    Some(a.1 + (b.1 - a.1) * (t - a.0) / (b.0 - a.0))
}

/// Sums counters (each made monotonic across its resets) at the union of
/// their times.
fn sum_counters(counters: &[&Series]) -> Vec<(f64, f64)> {
    let monotonic: Vec<Vec<(f64, f64)>> = counters
        .iter()
        .map(|c| {
            let mut offset = 0.0;
            let mut prev: Option<f64> = None;
            c.times
                .iter()
                .zip(&c.values)
                .map(|(&t, &v)| {
                    if let Some(p) = prev {
                        if v < p {
                            // A reset: the new process counts from zero.
                            offset += p;
                        }
                    }
                    prev = Some(v);
                    (t, v + offset)
                })
                .collect()
        })
        .collect();
    // A counter no longer scraped has still served what it counted.
    union_sum(&monotonic, true)
}

fn sum_at_union(series: &[&Series]) -> Vec<(f64, f64)> {
    let points: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| {
            s.times
                .iter()
                .copied()
                .zip(s.values.iter().copied())
                .collect()
        })
        .collect();
    union_sum(&points, false)
}

/// The sum of the series (each interpolated) at every time any has;
/// with `hold_last`, a series past its last point still adds its last
/// value (a cumulative count that stopped being scraped).
fn union_sum(series: &[Vec<(f64, f64)>], hold_last: bool) -> Vec<(f64, f64)> {
    if series.len() == 1 {
        return series[0].clone();
    }
    let mut times: Vec<f64> = series.iter().flat_map(|s| s.iter().map(|p| p.0)).collect();
    times.sort_stable_by(f64::total_cmp);
    times.dedup();
    // Each series adds its value at the times within its span, walked
    // beside its points ([`interpolate`]'s value, summed in the series'
    // order as `Iterator::sum` would: the same bits). Interpolating each
    // series at every time was times × series (10,000 counters of two
    // points each: 1.14 s for the whole analysis, 0.17 s now).
    let mut totals = vec![-0.0; times.len()];
    // What the series that ended before each time hold, as the changes of
    // a running sum (a value per time each would be times × series again).
    let mut ended = vec![0.0; times.len()];
    for s in series {
        let (Some(first), Some(last)) = (s.first(), s.last()) else {
            continue;
        };
        let from = times.partition_point(|&t| t < first.0);
        let to = times.partition_point(|&t| t <= last.0);
        if hold_last && to < times.len() {
            ended[to] += last.1;
        }
        let mut i = 0;
        for (k, &t) in times.iter().enumerate().take(to).skip(from) {
            while i < s.len() && s[i].0 < t {
                i += 1;
            }
            let value = interpolate_at(s, i, t);
            if let Some(v) = value {
                totals[k] += v;
            }
        }
    }
    let mut held = 0.0;
    for (total, change) in totals.iter_mut().zip(ended) {
        held += change;
        if held != 0.0 {
            *total += held;
        }
    }
    times.into_iter().zip(totals).collect()
}

fn integrate(rate: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut total = 0.0;
    let mut out = Vec::with_capacity(rate.len());
    for (i, &(t, r)) in rate.iter().enumerate() {
        if i > 0 {
            let (t0, r0) = rate[i - 1];
            total += (r + r0) / 2.0 * (t - t0);
        }
        out.push((t, total));
    }
    out
}

/// Whether memory keeps growing while there is no work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleGrowth {
    /// Growth stops when requests stop: a per-request leak.
    Stops,
    /// Growth goes on at a lower pace.
    Slows,
    /// Growth goes on as fast: a leak not driven by requests.
    Continues,
}

/// How the floor follows work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkFit {
    /// Bytes kept per request (net of background growth when idle
    /// stretches tell it apart).
    pub per_request: f64,
    /// Growth per second with no work, when idle stretches tell.
    pub per_second: Option<f64>,
    pub r2: f64,
    pub idle: Option<IdleGrowth>,
}

/// How fast raw values rise over idle stretches (inside one life, the
/// first and last tenth trimmed): from the median of each stretch's first
/// third to that of its last third, per second, weighted by length. An
/// upper bound on what is kept while idle (garbage piles up too).
pub fn raw_growth_while_idle(
    times: &[f64],
    values: &[f64],
    lives: &[(usize, usize)],
    idle: &Idle,
) -> Option<f64> {
    // Each life meets only the stretches within its span; the sums are
    // taken stretch by stretch, as a scan of every pair would.
    let mut rises: Vec<(usize, f64, f64)> = Vec::new();
    for &(x, y) in lives.iter().filter(|&&(x, y)| x < y) {
        for k in idle.meeting(times[x], times[y - 1]) {
            let (a, b) = idle.stretches()[k];
            let trim = 0.1 * (b - a);
            let (a, b) = (a + trim, b - trim);
            let lo = x + times[x..y].partition_point(|&t| t < a);
            let hi = x + times[x..y].partition_point(|&t| t <= b);
            if hi < lo + 6 {
                continue;
            }
            let third = (hi - lo) / 3;
            let head = median(values[lo..lo + third].to_vec());
            let tail = median(values[hi - third..hi].to_vec());
            let head_t = median(times[lo..lo + third].to_vec());
            let tail_t = median(times[hi - third..hi].to_vec());
            if tail_t > head_t {
                rises.push((k, tail - head, tail_t - head_t));
            }
        }
    }
    rises.sort_stable_by_key(|r| r.0);
    let (mut growth, mut seconds) = (0.0, 0.0);
    for (_, rise, over) in rises {
        growth += rise;
        seconds += over;
    }
    (seconds > 0.0).then(|| growth / seconds)
}

/// Whether an idle stretch separates work from time in a life: the life
/// has floors on both sides of it, or two inside it.
fn bridges(floors: &[(f64, f64)], idle: &Idle) -> bool {
    let mut times: Vec<f64> = floors.iter().map(|p| p.0).collect();
    times.sort_stable_by(f64::total_cmp);
    let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
        return false;
    };
    let stretches = idle.stretches();
    // Of the stretches starting after the first floor, the first ends
    // soonest.
    let after_first = stretches.partition_point(|&(a, _)| a <= first);
    let floors_around = stretches.get(after_first).is_some_and(|&(_, b)| b < last);
    // Two floors in one stretch are two neighbouring floors in it.
    let two_inside = times.windows(2).any(|w| {
        let k = stretches.partition_point(|&(a, _)| a <= w[0]);
        k > 0 && stretches[k - 1].1 >= w[1]
    });
    floors_around || two_inside
}

/// Fits the floor of the rising lives to the work done, pooled within
/// lives (each life keeps its own level).
///
/// Under a steady load requests and time advance together, so a floor that
/// rises with both cannot tell a per-request leak from a background one.
/// An idle stretch with floors around or in it inside one life separates
/// them: then the floor is fitted to requests and seconds together,
/// floor ≈ a·requests + b·seconds + level, and b, the growth with no work,
/// is compared with the growth while busy (a·busy rate + b). Without such a
/// stretch the floor is fitted to requests alone, and the raw rise of the
/// values while idle (`raw_idle`, bytes/s: an upper bound, since garbage
/// piles up when nothing triggers a collection) can still show that growth
/// stops, though not that it goes on.
pub fn work_fit(
    segments: &[Segment],
    requests: &Requests,
    idle: &Idle,
    raw_idle: Option<f64>,
) -> Option<WorkFit> {
    let groups: Vec<Vec<(f64, f64, f64)>> = segments
        .iter()
        .map(|s| {
            // The first tenth of a life is warm-up: a fresh process fills
            // pools and caches as its first requests come, which is not
            // what each request keeps (it raised the slope by 6-8% on the
            // fixtures).
            let warm = s.start + 0.1 * (s.end - s.start);
            s.floors
                .iter()
                .filter(|p| p.0 >= warm)
                .filter_map(|&(t, v)| requests.at(t).map(|r| (r, t - s.start, v)))
                .collect()
        })
        .collect();
    let spread: f64 = groups
        .iter()
        .filter(|g| g.len() >= 2)
        .map(|g| g.last().map_or(0.0, |p| p.0) - g[0].0)
        .sum();
    if spread < 50.0 {
        return None;
    }
    // An idle stretch separates work from time when a life has floors on
    // both sides of it, or two inside it.
    let bridged = segments.iter().any(|g| bridges(&g.floors, idle));
    let classify = |per_request: f64, per_second: f64| {
        let busy = per_request.max(0.0) * requests.busy_rate() + per_second.max(0.0);
        (busy > 0.0).then(|| match per_second.max(0.0) / busy {
            s if s <= 0.1 => IdleGrowth::Stops,
            s if s >= 0.5 => IdleGrowth::Continues,
            _ => IdleGrowth::Slows,
        })
    };
    if bridged {
        if let Some((a, b, r2)) = pooled_two(&groups) {
            return Some(WorkFit {
                per_request: a,
                per_second: Some(b),
                r2,
                idle: classify(a, b),
            });
        }
    }
    let one: Vec<Vec<(f64, f64)>> = groups
        .iter()
        .map(|g| g.iter().map(|p| (p.0, p.2)).collect())
        .collect();
    let fit = pooled_slope(&one)?;
    let stops = raw_idle.filter(|&raw| classify(fit.slope, raw) == Some(IdleGrowth::Stops));
    Some(WorkFit {
        per_request: fit.slope,
        per_second: stops,
        r2: fit.r2,
        idle: stops.map(|_| IdleGrowth::Stops),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(f64, f64)]) -> Series {
        let mut s = Series::new("http_requests_total".into(), Vec::new(), String::new());
        for &(t, v) in points {
            s.push(t, v);
        }
        s
    }

    #[test]
    fn the_walk_sums_what_interpolating_each_time_summed() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..300 {
            // Series over random spans, some sharing times, some with
            // repeated times, some empty.
            let series: Vec<Vec<(f64, f64)>> = (0..rng.usize(2..9))
                .map(|_| {
                    let start = rng.usize(0..50) as f64;
                    let mut t = start;
                    let mut points = Vec::new();
                    for _ in 0..rng.usize(0..30) {
                        t += [0.0, 0.5, 1.0, 10.0, 3.7][rng.usize(..5)];
                        points.push((t, rng.f64() * 1e6));
                    }
                    points
                })
                .collect();
            let mut times: Vec<f64> = series.iter().flat_map(|s| s.iter().map(|p| p.0)).collect();
            times.sort_stable_by(f64::total_cmp);
            times.dedup();
            let want: Vec<(f64, f64)> = times
                .into_iter()
                .map(|t| {
                    (
                        t,
                        series.iter().filter_map(|s| interpolate(s, t)).sum::<f64>(),
                    )
                })
                .collect();
            let got = union_sum(&series, false);
            let bits = |v: &[(f64, f64)]| -> Vec<(u64, u64)> {
                v.iter().map(|p| (p.0.to_bits(), p.1.to_bits())).collect()
            };
            assert_eq!(bits(&got), bits(&want));
        }
    }

    #[test]
    fn a_counter_no_longer_scraped_keeps_its_count() {
        // Requests to /a until t = 20, to /b from t = 10 on.
        let a = series(&[(0.0, 0.0), (10.0, 50.0), (20.0, 100.0)]);
        let b = series(&[(10.0, 0.0), (20.0, 10.0), (30.0, 20.0), (40.0, 30.0)]);
        let r = Requests::new(&[(&a, Kind::Counter), (&b, Kind::Counter)]).unwrap();
        assert_eq!(r.at(20.0), Some(110.0));
        // /a served its 100 requests: they stay served.
        assert_eq!(r.at(40.0), Some(130.0));
    }

    #[test]
    fn counters_across_resets() {
        let c = series(&[(0.0, 0.0), (10.0, 100.0), (20.0, 5.0), (30.0, 105.0)]);
        let r = Requests::new(&[(&c, Kind::Counter)]).unwrap();
        assert_eq!(r.at(30.0), Some(205.0));
        assert_eq!(r.at(5.0), Some(50.0));
        assert_eq!(r.at(31.0), None);
    }

    #[test]
    fn idle_stretches_are_found() {
        let mut pts = Vec::new();
        let mut total = 0.0;
        for t in 0..100 {
            if !(40..70).contains(&t) {
                total += 10.0;
            }
            pts.push((t as f64, total));
        }
        let c = series(&pts);
        let r = Requests::new(&[(&c, Kind::Counter)]).unwrap();
        let idle = r.idle_stretches();
        let idle = idle.stretches();
        assert_eq!(idle.len(), 1);
        assert!(
            (idle[0].0 - 41.0).abs() <= 1.0 && (idle[0].1 - 69.0).abs() <= 1.0,
            "{idle:?}"
        );
    }

    #[test]
    fn idle_growth_sees_through_a_collection() {
        // 0..100 s; idle from 40 to 70; grows 1000/s while idle, with one
        // collection dropping 50 000 in the middle of the stretch's middle third.
        let times: Vec<f64> = (0..100).map(|t| t as f64).collect();
        let values: Vec<f64> = times
            .iter()
            .map(|&t| {
                1000.0 * t
                    + if (54.0..56.0).contains(&t) {
                        -50_000.0
                    } else {
                        0.0
                    }
            })
            .collect();
        let g = raw_growth_while_idle(&times, &values, &[(0, 100)], &Idle::new(vec![(40.0, 70.0)]))
            .unwrap();
        assert!((g - 1000.0).abs() < 1.0, "{g}");
        assert_eq!(
            raw_growth_while_idle(&times, &values, &[(0, 100)], &Idle::new(vec![(40.0, 44.0)])),
            None
        );
    }
}

/// How well a floor follows the load rather than the work done.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LoadFit {
    /// r² of the floor against the request rate of the preceding
    /// [`LOAD_WINDOW`] seconds.
    pub against_rate: f64,
    /// r² of the floor against requests served (one slope, each life its
    /// own level): what a per-request leak would show.
    pub against_requests: f64,
}

/// The span (seconds) over which the recent request rate is taken: what
/// a cache of recent requests, or requests in flight, holds.
pub const LOAD_WINDOW: f64 = 30.0;

/// Whether a floor rises and falls with the request rate: the load varies
/// (its busiest stretch at least twice its quietest, over the floor's
/// times), the floor follows the recent rate (r² ≥ 0.6, rising with it),
/// and clearly better than it follows the requests served. A per-request
/// leak under varying load follows the requests served and never falls
/// back when the load does, so it fails this.
pub fn follows_load(lives: &[Vec<(f64, f64)>], requests: &Requests) -> Option<LoadFit> {
    let recent = |t: f64| -> Option<f64> {
        Some((requests.at(t)? - requests.at(t - LOAD_WINDOW)?) / LOAD_WINDOW)
    };
    let by_rate: Vec<(f64, f64)> = lives
        .iter()
        .flatten()
        .filter_map(|&(t, v)| Some((recent(t)?, v)))
        .collect();
    if by_rate.len() < 8 {
        return None;
    }
    let (lo, hi) = by_rate
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    if hi <= 0.0 || hi < 2.0 * lo.max(0.0) {
        return None;
    }
    let rate_fit = least_squares(&by_rate)?;
    let by_work: Vec<Vec<(f64, f64)>> = lives
        .iter()
        .map(|l| {
            l.iter()
                .filter_map(|&(t, v)| Some((requests.at(t)?, v)))
                .collect()
        })
        .collect();
    let work_r2 = pooled_slope(&by_work).map_or(0.0, |f| f.r2);
    (rate_fit.slope > 0.0 && rate_fit.r2 >= 0.6 && rate_fit.r2 >= work_r2 + 0.2).then_some(
        LoadFit {
            against_rate: rate_fit.r2,
            against_requests: work_r2,
        },
    )
}

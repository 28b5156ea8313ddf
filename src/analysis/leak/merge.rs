//! One series from several files. The same run is often exported more
//! than once (a Grafana CSV and the query_range JSON behind it, a `promtool
//! tsdb dump` of the same database), so the same series (same name and
//! labels) arrives in several inputs. Counted as given, every request and
//! every restart would count two or three times; so copies become one
//! series: the finest copy (most points per second) where they overlap,
//! the others only where it has no point near (a longer export, a gap).
//! Copies whose values disagree where they overlap are not one series
//! exported twice: the finest is kept and the disagreement said.
//!
//! Likewise cAdvisor gives each run of a container its own series (its
//! cgroup `id` and Docker `name` change at every restart): those that
//! follow one another in time become one series, one life after another.

use crate::sort::SortStable;
use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::model::series::{InputReport, Series};

use super::classify::PER_LIFE_LABELS;

use super::fit::median;

/// What a series is, whichever file it came from.
fn identity(s: &Series) -> (&str, &[(String, String)], &str) {
    if s.name.is_empty() && s.labels.is_empty() {
        ("", &[], &s.display)
    } else {
        (&s.name, &s.labels, "")
    }
}

/// The series with copies merged, and notes saying which series came from
/// several files. Without copies (the usual case) the series are used as
/// they are, uncopied.
pub fn merge_copies<'a>(
    series: &'a [Series],
    inputs: &[InputReport],
) -> (Cow<'a, [Series]>, Vec<String>) {
    let mut groups: FxHashMap<_, Vec<usize>> = FxHashMap::default();
    let mut order = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let members = groups.entry(identity(s)).or_insert_with(|| {
            order.push(identity(s));
            Vec::new()
        });
        members.push(i);
    }
    if groups.values().all(|m| m.len() == 1) {
        return (Cow::Borrowed(series), Vec::new());
    }
    let mut out = Vec::with_capacity(order.len());
    // The files that share series, and how many series they share.
    let mut files: Vec<usize> = Vec::new();
    let mut copied = 0;
    let mut notes = Vec::new();
    for key in order {
        let members = &groups[&key];
        if members.len() == 1 {
            out.push(series[members[0]].clone());
            continue;
        }
        copied += 1;
        files.extend(members.iter().map(|&i| series[i].input));
        let copies: Vec<&Series> = members.iter().map(|&i| &series[i]).collect();
        let (mut merged, dropped) = merge(&copies);
        merged.copies_in = copies
            .iter()
            .map(|c| c.input)
            .filter(|&i| i != merged.input && !dropped.contains(&i))
            .collect();
        for d in dropped {
            let kept = file_name(inputs, merged.input);
            notes.push(format!(
                "{} differs between {} and {kept} where both have points: not copies of one series; {kept} kept",
                merged.selector(),
                file_name(inputs, d),
            ));
        }
        out.push(merged);
    }
    files.sort_unstable();
    files.dedup();
    let names: Vec<&str> = files.iter().map(|&f| file_name(inputs, f)).collect();
    notes.insert(
        0,
        format!(
            "{copied} series appear in more than one file ({}): each counted once, its copies merged",
            crate::analysis::joined_at_most(&names, ", ")
        ),
    );
    (Cow::Owned(out), notes)
}

/// cAdvisor's series of one container, one per life (differing only in
/// [`PER_LIFE_LABELS`]) and following one another in time, stitched into
/// one series per container; returns a note when it stitched any.
pub fn stitch_lives(series: &mut Cow<'_, [Series]>) -> Option<String> {
    let steady = |s: &Series| -> Vec<(String, String)> {
        s.labels
            .iter()
            .filter(|(k, _)| !PER_LIFE_LABELS.contains(&k.as_str()))
            .cloned()
            .collect()
    };
    let per_life = |s: &Series| {
        s.name.starts_with("container_")
            && s.labels
                .iter()
                .any(|(k, _)| PER_LIFE_LABELS.contains(&k.as_str()))
    };
    // (name, labels but the per-life ones) → the series of each life.
    type Container = (String, Vec<(String, String)>);
    // Groups in order of first appearance, found by a hash of their key (a
    // search of every group per series was series × containers: 10,000
    // one-life containers took 2.0 s).
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: FxHashMap<Container, usize> = FxHashMap::default();
    for (i, s) in series.iter().enumerate().filter(|(_, s)| per_life(s)) {
        let next = groups.len();
        let g = *group_of.entry((s.name.clone(), steady(s))).or_insert(next);
        if g == next {
            groups.push(Vec::new());
        }
        groups[g].push(i);
    }
    let mut stitched = 0;
    let mut drop = vec![false; series.len()];
    let mut add = Vec::new();
    for mut members in groups.into_iter().filter(|m| m.len() > 1) {
        members.sort_stable_by(|&a, &b| {
            let first = |i: usize| series[i].times.first().copied().unwrap_or(0.0);
            first(a).total_cmp(&first(b))
        });
        // Lives follow one another: each starts after the previous ends.
        let follow = members.windows(2).all(|w| {
            let (a, b) = (&series[w[0]], &series[w[1]]);
            match (a.times.last(), b.times.first()) {
                (Some(end), Some(start)) => start > end,
                _ => true,
            }
        });
        if !follow {
            continue;
        }
        let first = &series[members[0]];
        let mut one = Series::new(first.name.clone(), steady(first), String::new());
        one.display = one.selector();
        one.input = first.input;
        for &i in &members {
            one.times.extend_from_slice(&series[i].times);
            one.values.extend_from_slice(&series[i].values);
            drop[i] = true;
        }
        stitched += 1;
        add.push(one);
    }
    if stitched == 0 {
        return None;
    }
    let mut kept: Vec<Series> = series
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(s, _)| s.clone())
        .collect();
    kept.extend(add);
    *series = Cow::Owned(kept);
    Some(format!(
        "{stitched} container series came as one series per container run (cAdvisor's id and name change at every restart): each stitched into one, a life after another"
    ))
}

fn file_name(inputs: &[InputReport], i: usize) -> &str {
    inputs.get(i).map_or("?", |r| r.file.as_str())
}

/// Points per second over a series' span.
fn density(s: &Series) -> f64 {
    match (s.times.first(), s.times.last()) {
        (Some(a), Some(b)) if b > a => s.len() as f64 / (b - a),
        _ => 0.0,
    }
}

/// The typical time between a series' points.
pub fn median_step(s: &Series) -> f64 {
    median(s.times.windows(2).map(|w| w[1] - w[0]).collect())
}

/// A time ordered as [`Series::sort_points`] orders times, as a map key.
#[derive(Clone, Copy)]
struct Time(f64);

impl PartialEq for Time {
    fn eq(&self, other: &Time) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}
impl Eq for Time {}
impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Time) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Time {
    fn cmp(&self, other: &Time) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Merges copies of one series; also returns the inputs of copies that
/// disagreed with the finest one and were left out.
fn merge(copies: &[&Series]) -> (Series, Vec<usize>) {
    let mut order: Vec<&Series> = copies.to_vec();
    order.sort_stable_by(|a, b| density(b).total_cmp(&density(a)));
    let base = order[0];
    let reach = (1.5 * median_step(base)).max(1.0);
    let mut merged = base.clone();
    let mut dropped = Vec::new();
    // The points so far, in time order: each copy's points are looked up
    // among them and added after it. (Copying and sorting the series for
    // each copy was copies × points: 4,000 hourly exports out of time order took 18.7 s.)
    let mut points: BTreeMap<Time, f64> = BTreeMap::new();
    let mut added_any = false;
    for other in &order[1..] {
        if disagree(base, other) {
            dropped.push(other.input);
            continue;
        }
        if points.is_empty() {
            points = base
                .times
                .iter()
                .map(|&t| Time(t))
                .zip(base.values.iter().copied())
                .collect();
        }
        let added: Vec<(Time, f64)> = other
            .times
            .iter()
            .zip(&other.values)
            .filter(|(&t, _)| {
                let before = points.range(..=Time(t)).next_back();
                let after = points.range(Time(t)..).next();
                ![before, after]
                    .into_iter()
                    .flatten()
                    .any(|(x, _)| (x.0 - t).abs() < reach)
            })
            .map(|(&t, &v)| (Time(t), v))
            .collect();
        added_any |= !added.is_empty();
        points.extend(added);
    }
    if added_any {
        merged.times = points.keys().map(|t| t.0).collect();
        merged.values = points.into_values().collect();
    }
    (merged, dropped)
}

/// Whether two copies hold different values where their spans overlap
/// (medians over the overlap more than 5% apart).
fn disagree(a: &Series, b: &Series) -> bool {
    let (Some(&a0), Some(&a1), Some(&b0), Some(&b1)) = (
        a.times.first(),
        a.times.last(),
        b.times.first(),
        b.times.last(),
    ) else {
        return false;
    };
    let (from, to) = (a0.max(b0), a1.min(b1));
    if from >= to {
        return false;
    }
    let within = |s: &Series| -> Vec<f64> {
        s.times
            .iter()
            .zip(&s.values)
            .filter(|(t, v)| **t >= from && **t <= to && v.is_finite())
            .map(|(_, v)| *v)
            .collect()
    };
    let (ma, mb) = (median(within(a)), median(within(b)));
    let scale = ma.abs().max(mb.abs());
    scale > 0.0 && (ma - mb).abs() > 0.05 * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(input: usize, points: &[(f64, f64)]) -> Series {
        let mut s = Series::new(
            "http_requests_total".into(),
            vec![("instance".into(), "a:1".into())],
            String::new(),
        );
        s.input = input;
        for &(t, v) in points {
            s.push(t, v);
        }
        s
    }

    fn inputs(n: usize) -> Vec<InputReport> {
        (0..n)
            .map(|i| InputReport {
                file: format!("f{i}"),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn copies_count_once() {
        // The same counter every second (raw) and every 2 s (an export),
        // the export 4 s longer.
        let counter = |t: f64| 10.0 * t.floor();
        let raw: Vec<(f64, f64)> = (0..10)
            .map(|t| (t as f64 + 0.3, counter(t as f64 + 0.3)))
            .collect();
        let step: Vec<(f64, f64)> = (0..7)
            .map(|k| (2.0 * k as f64 + 1.0, counter(2.0 * k as f64 + 1.0)))
            .collect();
        let all = vec![series(0, &step), series(1, &raw)];
        let (merged, notes) = merge_copies(&all, &inputs(2));
        assert_eq!(merged.len(), 1);
        // Every raw point, plus the export's points beyond the raw span.
        assert_eq!(merged[0].len(), 10 + 2, "{:?}", merged[0].times);
        assert!(
            notes[0].contains("1 series appear in more than one file (f0, f1)"),
            "{notes:?}"
        );
    }

    #[test]
    fn distinct_series_are_borrowed_and_conflicts_said() {
        let mut other = series(1, &[(0.0, 1.0), (1.0, 2.0)]);
        other.labels = vec![("instance".into(), "b:1".into())];
        let all = vec![series(0, &[(0.0, 1.0), (1.0, 2.0)]), other];
        assert!(matches!(merge_copies(&all, &inputs(2)).0, Cow::Borrowed(_)));
        let clash = vec![
            series(0, &[(0.0, 100.0), (1.0, 100.0), (2.0, 100.0)]),
            series(1, &[(0.5, 900.0), (1.5, 900.0)]),
        ];
        // The finer copy (f1: 2 points a second) is kept, the other said.
        let (merged, notes) = merge_copies(&clash, &inputs(2));
        assert_eq!(merged[0].values, [900.0, 900.0]);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("differs between f0 and f1") && n.ends_with("f1 kept")),
            "{notes:?}"
        );
    }

    /// The merge as it was, each copy looked up in a copy of the points
    /// so far and the whole sorted after it.
    fn merge_by_scan(copies: &[&Series]) -> Series {
        let mut order: Vec<&Series> = copies.to_vec();
        order.sort_stable_by(|a, b| density(b).total_cmp(&density(a)));
        let base = order[0];
        let reach = (1.5 * median_step(base)).max(1.0);
        let mut merged = base.clone();
        for other in order[1..].iter().filter(|o| !disagree(base, o)) {
            let have = merged.times.clone();
            for (&t, &v) in other.times.iter().zip(&other.values) {
                let i = have.partition_point(|&x| x < t);
                let near = [i.checked_sub(1), Some(i)]
                    .into_iter()
                    .flatten()
                    .filter_map(|j| have.get(j))
                    .any(|&x| (x - t).abs() < reach);
                if !near {
                    merged.push(t, v);
                }
            }
            merged.sort_points();
        }
        merged
    }

    #[test]
    fn the_merge_adds_what_the_scan_added() {
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..300 {
            // Copies of a counter over random spans and steps (some with
            // gaps, some far apart), a few disagreeing.
            let copies: Vec<Series> = (0..rng.usize(1..8))
                .map(|k| {
                    let start = rng.f64() * 500.0;
                    let step = [0.5, 1.0, 2.0, 15.0, 60.0][rng.usize(..5)];
                    let scale = if rng.u8(..10) == 0 { 3.0 } else { 1.0 };
                    let mut points = Vec::new();
                    for j in 0..rng.usize(0..60) {
                        let t = start + j as f64 * step + if rng.bool() { 0.0 } else { rng.f64() };
                        if rng.u8(..8) != 0 {
                            points.push((t, scale * (100.0 + t.floor())));
                        }
                    }
                    // As every reader leaves a series: in time order.
                    let mut s = series(k, &points);
                    s.sort_points();
                    s
                })
                .collect();
            if copies.is_empty() {
                continue;
            }
            let refs: Vec<&Series> = copies.iter().collect();
            let want = merge_by_scan(&refs);
            let (got, _) = merge(&refs);
            assert_eq!((&got.times, &got.values), (&want.times, &want.values));
        }
    }
}

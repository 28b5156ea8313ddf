//! Which process an OOM kill names or fits, looked up rather than searched:
//! each kill once scanned every process's labels and restarts (10,000
//! kills beside 10,000 processes: 2.6 s), then every process holding one
//! of its labels (10,000 pods' kills beside their 10,000 containers, all
//! `container="app"`: 2.2 s).

use crate::sort::SortStable;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

use super::restarts::{Restart, TOLERANCE};
use crate::model::series::{host_and_port, OomKill};

/// The processes' labels, indexed by what a kill can name.
pub struct KillIndex<'k> {
    keys: &'k [Vec<(String, String)>],
    kills: &'k [OomKill],
    /// Each label (name, value): the processes holding it, ascending.
    holders: FxHashMap<(&'k str, &'k str), Vec<usize>>,
    /// Each label value, and each `host:port` value's host
    /// (`host_and_port`): the first process holding it.
    first_with_value: FxHashMap<&'k str, usize>,
    /// For each set of label names the kills carry, the processes by
    /// their values for those names.
    by_names: Vec<ByNames<'k>>,
    /// Each kill's set of label names in `by_names`; none when its names
    /// repeat or are too many to look up.
    names_of_kill: Vec<Option<usize>>,
}

/// The processes, by which of a set of label names they have and their
/// values for those: a kill with those names agrees with a process when
/// their values agree on the names the process has.
struct ByNames<'k> {
    /// The first process with each (names it has, as a bit set; its
    /// values for them, in order).
    first: FxHashMap<(u64, Vec<&'k str>), usize>,
    /// The bit sets present, ascending.
    masks: Vec<u64>,
    /// Processes with one of the names twice, checked label by label.
    repeating: Vec<usize>,
}

/// How many label names a kill may carry and be looked up by [`ByNames`]
/// (a bit each); a kill with more walks the processes holding its labels.
const MAX_NAMES: usize = 64;

impl<'k> ByNames<'k> {
    fn new(keys: &'k [Vec<(String, String)>], names: &[&str]) -> ByNames<'k> {
        let mut first = FxHashMap::default();
        let mut repeating = Vec::new();
        for (p, key) in keys.iter().enumerate() {
            let mut mask = 0u64;
            let mut values = Vec::new();
            let mut repeats = false;
            for (i, name) in names.iter().enumerate() {
                let mut with = key.iter().filter(|(n, _)| n == name);
                if let Some((_, v)) = with.next() {
                    repeats |= with.next().is_some();
                    mask |= 1 << i;
                    values.push(v.as_str());
                }
            }
            if repeats {
                repeating.push(p);
            } else if mask != 0 {
                first.entry((mask, values)).or_insert(p);
            }
        }
        let mut masks: Vec<u64> = first.keys().map(|(mask, _)| *mask).collect();
        masks.sort_unstable();
        masks.dedup();
        ByNames {
            first,
            masks,
            repeating,
        }
    }
}

impl<'k> KillIndex<'k> {
    /// `kills` are those that will be looked up.
    pub fn new(keys: &'k [Vec<(String, String)>], kills: &'k [OomKill]) -> KillIndex<'k> {
        let mut holders: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
        let mut first_with_value = FxHashMap::default();
        for (p, key) in keys.iter().enumerate() {
            for (name, value) in key {
                let list = holders.entry((name.as_str(), value.as_str())).or_default();
                if list.last() != Some(&p) {
                    list.push(p);
                }
                first_with_value.entry(value.as_str()).or_insert(p);
                if let Some((host, _)) = host_and_port(value) {
                    first_with_value.entry(host).or_insert(p);
                }
            }
        }
        let mut by_names = Vec::new();
        let mut names_at: FxHashMap<Vec<&str>, usize> = FxHashMap::default();
        let names_of_kill = kills
            .iter()
            .map(|k| {
                let names = distinct_names(k)?;
                Some(*names_at.entry(names).or_insert_with_key(|names| {
                    by_names.push(ByNames::new(keys, names));
                    by_names.len() - 1
                }))
            })
            .collect();
        KillIndex {
            keys,
            kills,
            holders,
            first_with_value,
            by_names,
            names_of_kill,
        }
    }

    /// The first process whose labels name kill `kill` (its position in
    /// the kills given to [`new`](Self::new)): it holds one of the kill's
    /// labels and no other value for any of them.
    pub fn by_labels(&self, kill: usize) -> Option<usize> {
        let k = &self.kills[kill];
        let Some(index) = self.names_of_kill[kill].map(|n| &self.by_names[n]) else {
            return self.by_labels_walk(k);
        };
        let agreeing = index.masks.iter().filter_map(|&mask| {
            let values: Vec<&str> = k
                .labels
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, (_, v))| v.as_str())
                .collect();
            index.first.get(&(mask, values)).copied()
        });
        let repeating = index
            .repeating
            .iter()
            .copied()
            .filter(|&p| self.agrees(k, p));
        agreeing.chain(repeating).min()
    }

    /// Whether process `p` holds one of the kill's labels and no other
    /// value for any of them.
    fn agrees(&self, k: &OomKill, p: usize) -> bool {
        let key = &self.keys[p];
        k.labels.iter().any(|kl| key.contains(kl))
            && k.labels
                .iter()
                .all(|kl| !key.iter().any(|pl| pl.0 == kl.0) || key.contains(kl))
    }

    /// [`by_labels`](Self::by_labels) by walking the processes that hold
    /// one of the kill's labels, in order: for a kill whose label names
    /// repeat or are too many to look up.
    fn by_labels_walk(&self, k: &OomKill) -> Option<usize> {
        // Only a process holding one of the kill's labels can match: walk
        // those processes in order (a merge of the labels' holder lists).
        let mut lists: Vec<&[usize]> = k
            .labels
            .iter()
            .filter_map(|(n, v)| self.holders.get(&(n.as_str(), v.as_str())))
            .map(Vec::as_slice)
            .collect();
        while let Some(p) = lists.iter().filter_map(|l| l.first()).min().copied() {
            if self.agrees(k, p) {
                return Some(p);
            }
            for l in &mut lists {
                if l.first() == Some(&p) {
                    *l = &l[1..];
                }
            }
        }
        None
    }

    /// The first process with a label value equal to the killed process's
    /// name (or whose host part is, for a `host:port` value).
    pub fn by_name(&self, kill: usize) -> Option<usize> {
        self.first_with_value
            .get(self.kills[kill].process.as_str())
            .copied()
    }
}

/// A kill's label names in its order, when none repeats and there are at
/// most [`MAX_NAMES`] of them.
fn distinct_names(k: &OomKill) -> Option<Vec<&str>> {
    let names: Vec<&str> = k.labels.iter().map(|(n, _)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == names.len() && names.len() <= MAX_NAMES).then_some(names)
}

/// For each kill time, the one process with a restart the kill can have
/// caused (`restarts::caused`), if exactly one has: a sweep over kills
/// and restart windows in time order.
pub fn only_restart_fitting(times: &[Option<f64>], restarts: &[&[Restart]]) -> Vec<Option<usize>> {
    // Each restart's window: from the old process's last sign of life to
    // the new start, widened by the tolerance.
    let mut windows: Vec<(f64, f64, usize)> = restarts
        .iter()
        .enumerate()
        .flat_map(|(p, rs)| {
            rs.iter()
                .map(move |r| (r.after - TOLERANCE, r.time + TOLERANCE, p))
        })
        .collect();
    windows.sort_stable_by(|a, b| a.0.total_cmp(&b.0));
    let mut order: Vec<usize> = (0..times.len()).filter(|&i| times[i].is_some()).collect();
    order.sort_stable_by(|&a, &b| times[a].unwrap_or(0.0).total_cmp(&times[b].unwrap_or(0.0)));

    let mut out = vec![None; times.len()];
    // The windows begun by now, ending soonest first, and how many of
    // them each process has.
    let mut open: BinaryHeap<EndsFirst> = BinaryHeap::new();
    let mut open_of: FxHashMap<usize, usize> = FxHashMap::default();
    let mut next = 0;
    for i in order {
        let Some(t) = times[i] else { continue };
        while next < windows.len() && windows[next].0 <= t {
            let (_, end, p) = windows[next];
            open.push(EndsFirst(end, p));
            *open_of.entry(p).or_insert(0) += 1;
            next += 1;
        }
        while let Some(&EndsFirst(end, p)) = open.peek() {
            if end >= t {
                break;
            }
            open.pop();
            if let Some(n) = open_of.get_mut(&p) {
                *n -= 1;
                if *n == 0 {
                    open_of.remove(&p);
                }
            }
        }
        if open_of.len() == 1 {
            out[i] = open_of.keys().next().copied();
        }
    }
    out
}

/// A restart window in a heap that pops the one ending soonest.
#[derive(Clone, Copy)]
struct EndsFirst(f64, usize);

impl PartialEq for EndsFirst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for EndsFirst {}
impl PartialOrd for EndsFirst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for EndsFirst {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::leak::restarts::{caused, RestartSource};

    fn restart(after: f64, time: f64) -> Restart {
        Restart {
            time,
            after,
            source: RestartSource::StartTime,
            oom_kill: None,
        }
    }

    #[test]
    fn the_lookup_by_label_names_agrees_with_the_walk() {
        // Random processes and kills over a few names and values: some
        // names missing, some repeated in a process or a kill.
        let mut rng = fastrand::Rng::with_seed(3);
        let labels = |rng: &mut fastrand::Rng| {
            let mut l: Vec<(String, String)> = (0..rng.usize(0..4))
                .map(|_| {
                    let name = ["pod", "container", "namespace", "job"][rng.usize(0..4)];
                    (name.to_string(), format!("v{}", rng.usize(0..3)))
                })
                .collect();
            l.sort_stable();
            l
        };
        for _ in 0..300 {
            let keys: Vec<Vec<(String, String)>> =
                (0..rng.usize(0..30)).map(|_| labels(&mut rng)).collect();
            let kills: Vec<OomKill> = (0..rng.usize(0..10))
                .map(|_| OomKill {
                    labels: labels(&mut rng),
                    ..OomKill::default()
                })
                .collect();
            let index = KillIndex::new(&keys, &kills);
            for (i, k) in kills.iter().enumerate() {
                assert_eq!(
                    index.by_labels(i),
                    index.by_labels_walk(k),
                    "{k:?} in {keys:?}"
                );
            }
        }
    }

    #[test]
    fn the_sweep_agrees_with_a_scan_of_every_restart() {
        let a = [restart(100.0, 130.0), restart(400.0, 410.0)];
        let b = [restart(120.0, 200.0)];
        let c: [Restart; 0] = [];
        let restarts: Vec<&[Restart]> = vec![&a, &b, &c];
        let times: Vec<Option<f64>> = (0..100)
            .map(|i| (i % 7 != 0).then_some(i as f64 * 5.0))
            .collect();
        let swept = only_restart_fitting(&times, &restarts);
        for (i, t) in times.iter().enumerate() {
            let scanned = t.and_then(|t| {
                let fits: Vec<usize> = (0..restarts.len())
                    .filter(|&p| restarts[p].iter().any(|r| caused(r, t)))
                    .collect();
                (fits.len() == 1).then(|| fits[0])
            });
            assert_eq!(swept[i], scanned, "kill at {t:?}");
        }
    }
}

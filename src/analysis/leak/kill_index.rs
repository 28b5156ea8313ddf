//! Which process an OOM kill names or fits, looked up rather than searched:
//! each kill once scanned every process's labels and restarts (10,000
//! kills beside 10,000 processes: 2.6 s).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

use super::restarts::{Restart, TOLERANCE};
use crate::model::series::OomKill;

/// The processes' labels, indexed by what a kill can name.
pub struct KillIndex<'k> {
    keys: &'k [Vec<(String, String)>],
    /// Each label (name, value): the processes holding it, ascending.
    holders: FxHashMap<(&'k str, &'k str), Vec<usize>>,
    /// Each label value, and each value's part before a `:` (an
    /// instance's host): the first process holding it.
    first_with_value: FxHashMap<&'k str, usize>,
}

impl<'k> KillIndex<'k> {
    pub fn new(keys: &'k [Vec<(String, String)>]) -> KillIndex<'k> {
        let mut holders: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
        let mut first_with_value = FxHashMap::default();
        for (p, key) in keys.iter().enumerate() {
            for (name, value) in key {
                let list = holders.entry((name.as_str(), value.as_str())).or_default();
                if list.last() != Some(&p) {
                    list.push(p);
                }
                first_with_value.entry(value.as_str()).or_insert(p);
                if let Some(host) = value.split(':').next() {
                    first_with_value.entry(host).or_insert(p);
                }
            }
        }
        KillIndex {
            keys,
            holders,
            first_with_value,
        }
    }

    /// The first process whose labels name the kill: it holds one of the
    /// kill's labels and no other value for any of them.
    pub fn by_labels(&self, k: &OomKill) -> Option<usize> {
        // Only a process holding one of the kill's labels can match: walk
        // those processes in order (a merge of the labels' holder lists).
        let mut lists: Vec<&[usize]> = k
            .labels
            .iter()
            .filter_map(|(n, v)| self.holders.get(&(n.as_str(), v.as_str())))
            .map(Vec::as_slice)
            .collect();
        while let Some(p) = lists.iter().filter_map(|l| l.first()).min().copied() {
            let key = &self.keys[p];
            let agrees = k
                .labels
                .iter()
                .all(|kl| !key.iter().any(|pl| pl.0 == kl.0) || key.contains(kl));
            if agrees {
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
    /// name (or whose host part is).
    pub fn by_name(&self, k: &OomKill) -> Option<usize> {
        self.first_with_value.get(k.process.as_str()).copied()
    }
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
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut order: Vec<usize> = (0..times.len()).filter(|&i| times[i].is_some()).collect();
    order.sort_by(|&a, &b| times[a].unwrap_or(0.0).total_cmp(&times[b].unwrap_or(0.0)));

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

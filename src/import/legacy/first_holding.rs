//! The first interval holding a point: which mapping (the lowest index)
//! contains an address, for `remap_mapping_ids`. A scan of every mapping
//! per location was mappings × locations (40,000 of each: 2.35 s); here
//! each question is a walk down a segment tree over the intervals' ends.
//!
//! Intervals are `[lo, hi)` on `u64`, their ends known up front (so the
//! tree's cells are fixed); they may be added and removed as the search
//! goes on, as pprof's loop grows and retires mappings.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub struct FirstHolding {
    /// The distinct ends, ascending: cell `k` is `[cuts[k], cuts[k + 1])`.
    cuts: Vec<u64>,
    /// A segment tree over the cells: each node the indices of the
    /// intervals covering all of its cells (a min-heap, removed ones
    /// dropped when they surface).
    nodes: Vec<BinaryHeap<Reverse<usize>>>,
    removed: Vec<bool>,
}

impl FirstHolding {
    /// A tree for intervals whose ends are among `ends`.
    pub fn new(mut ends: Vec<u64>) -> FirstHolding {
        ends.sort_unstable();
        ends.dedup();
        let cells = ends.len().saturating_sub(1).max(1);
        FirstHolding {
            cuts: ends,
            nodes: vec![BinaryHeap::new(); 4 * cells],
            removed: Vec::new(),
        }
    }

    fn cells(&self) -> usize {
        self.cuts.len().saturating_sub(1).max(1)
    }

    /// Adds interval `index` over `[lo, hi)`; both ends must have been
    /// given to `new`. An empty interval holds nothing and is not added.
    pub fn add(&mut self, index: usize, lo: u64, hi: u64) {
        if lo >= hi {
            return;
        }
        let (Ok(from), Ok(to)) = (self.cuts.binary_search(&lo), self.cuts.binary_search(&hi))
        else {
            debug_assert!(false, "an end not given up front");
            return;
        };
        if self.removed.len() <= index {
            self.removed.resize(index + 1, false);
        }
        self.removed[index] = false;
        self.insert(1, 0, self.cells(), from, to, index);
    }

    fn insert(&mut self, node: usize, l: usize, r: usize, from: usize, to: usize, index: usize) {
        if to <= l || r <= from {
            return;
        }
        if from <= l && r <= to {
            self.nodes[node].push(Reverse(index));
            return;
        }
        let mid = (l + r) / 2;
        self.insert(2 * node, l, mid, from, to, index);
        self.insert(2 * node + 1, mid, r, from, to, index);
    }

    /// Removes interval `index` wherever it was added.
    pub fn remove(&mut self, index: usize) {
        if let Some(r) = self.removed.get_mut(index) {
            *r = true;
        }
    }

    /// The lowest index of the intervals holding `point`.
    pub fn first(&mut self, point: u64) -> Option<usize> {
        let cell = self.cuts.partition_point(|&c| c <= point).checked_sub(1)?;
        if cell + 1 >= self.cuts.len() {
            return None;
        }
        let (mut node, mut l, mut r) = (1, 0, self.cells());
        let mut best: Option<usize> = None;
        loop {
            let heap = &mut self.nodes[node];
            while heap.peek().is_some_and(|i| self.removed[i.0]) {
                heap.pop();
            }
            if let Some(&Reverse(i)) = heap.peek() {
                best = Some(best.map_or(i, |b| b.min(i)));
            }
            if r - l == 1 {
                return best;
            }
            let mid = (l + r) / 2;
            if cell < mid {
                (node, r) = (2 * node, mid);
            } else {
                (node, l) = (2 * node + 1, mid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_a_scan_as_intervals_come_and_go() {
        // Overlapping, nested, empty and touching intervals, some removed.
        let intervals: Vec<(u64, u64)> = vec![
            (10, 20),
            (15, 40),
            (0, 5),
            (30, 30),
            (20, 25),
            (12, 13),
            (38, 60),
            (5, 10),
        ];
        let mut ends: Vec<u64> = intervals.iter().flat_map(|&(a, b)| [a, b]).collect();
        ends.extend([7, 50]);
        let mut tree = FirstHolding::new(ends);
        let mut live: Vec<Option<(u64, u64)>> = vec![None; intervals.len() + 1];
        for (i, &(lo, hi)) in intervals.iter().enumerate() {
            tree.add(i, lo, hi);
            live[i] = Some((lo, hi));
        }
        let check = |tree: &mut FirstHolding, live: &[Option<(u64, u64)>]| {
            for point in 0..70 {
                let scan = live
                    .iter()
                    .position(|m| m.is_some_and(|(lo, hi)| lo <= point && point < hi));
                assert_eq!(tree.first(point), scan, "at {point}");
            }
        };
        check(&mut tree, &live);
        tree.remove(1);
        live[1] = None;
        tree.remove(4);
        live[4] = None;
        check(&mut tree, &live);
        // A later interval, added after some questions.
        tree.add(8, 7, 50);
        live[8] = Some((7, 50));
        check(&mut tree, &live);
    }
}

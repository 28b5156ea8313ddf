//! Ordering the nodes within each rank to reduce edge crossings, as dot
//! does: weighted-median sweeps down and up the ranks, each followed by
//! transposition of neighbours while that removes crossings, keeping the
//! best order seen. Edges here join adjacent ranks only (long edges were
//! split with virtual nodes).

use crate::sort::SortStable;

/// Positions within each rank: `layers[r]` lists the nodes of rank r, left
/// to right. `down[v]` / `up[v]` are v's neighbours in the rank below /
/// above (with edge weights). `work` is what the reduction may still
/// spend, in comparisons of edge ends (shared by several `Layers`, so
/// restarts draw on one budget): when it runs out, the reduction stops
/// with the best order so far.
pub struct Layers<'w> {
    pub layers: Vec<Vec<usize>>,
    pub down: Vec<Vec<(usize, f64)>>,
    pub up: Vec<Vec<(usize, f64)>>,
    pub work: &'w std::cell::Cell<u64>,
}

impl Layers<'_> {
    fn positions(&self) -> Vec<usize> {
        let n = self.down.len();
        let mut pos = vec![0; n];
        for layer in &self.layers {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
        pos
    }

    /// Whether the work budget is spent.
    pub fn exhausted(&self) -> bool {
        self.work.get() == 0
    }

    /// Takes `units` from the work budget.
    fn spend(&self, units: usize) {
        self.work.set(self.work.get().saturating_sub(units as u64));
    }

    /// Crossings between every pair of adjacent ranks.
    pub fn crossings(&self) -> usize {
        self.spend(self.down.iter().map(Vec::len).sum::<usize>() + self.down.len());
        let pos = self.positions();
        (0..self.layers.len().saturating_sub(1))
            .map(|r| bilayer_crossings(&self.layers[r], &self.down, &pos, self.layers[r + 1].len()))
            .sum()
    }

    /// Orders the ranks to reduce crossings (`iterations` sweeps at most).
    pub fn reduce_crossings(&mut self, iterations: usize) {
        let mut best = self.layers.clone();
        let mut best_crossings = self.crossings();
        let mut stale = 0;
        for it in 0..iterations {
            if best_crossings == 0 || stale >= 3 || self.exhausted() {
                break;
            }
            let downwards = it % 2 == 0;
            self.median_sweep(downwards);
            // Every other pair of sweeps also swaps neighbours whose order
            // does not matter, to leave plateaus (as dot does).
            self.transpose(it % 4 >= 2);
            self.sift();
            let c = self.crossings();
            if c < best_crossings {
                best_crossings = c;
                best = self.layers.clone();
                stale = 0;
            } else {
                stale += 1;
            }
            if it >= 8 && c > best_crossings {
                // Start the next sweeps from the best order.
                self.layers = best.clone();
            }
        }
        self.layers = best;
    }

    fn median_sweep(&mut self, downwards: bool) {
        let ranks: Vec<usize> = if downwards {
            (1..self.layers.len()).collect()
        } else {
            (0..self.layers.len().saturating_sub(1)).rev().collect()
        };
        for r in ranks {
            self.spend(self.down.len() + self.layers[r].len());
            let pos = self.positions();
            let fixed = if downwards { &self.up } else { &self.down };
            let layer = &self.layers[r];
            let medians: Vec<Option<f64>> = layer
                .iter()
                .map(|&v| weighted_median(&fixed[v], &pos))
                .collect();
            // Nodes without neighbours keep their slots; the others are
            // sorted by median into the remaining slots.
            let mut movable: Vec<(f64, usize, usize)> = layer
                .iter()
                .enumerate()
                .filter_map(|(i, &v)| medians[i].map(|m| (m, i, v)))
                .collect();
            movable.sort_stable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut next = movable.into_iter().map(|(_, _, v)| v);
            let new_layer: Vec<usize> = layer
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if medians[i].is_some() {
                        next.next().unwrap_or(v)
                    } else {
                        v
                    }
                })
                .collect();
            self.layers[r] = new_layer;
        }
    }

    /// Swaps neighbours within each rank while that reduces crossings with
    /// both adjacent ranks.
    fn transpose(&mut self, equal_swaps: bool) {
        let mut pos = self.positions();
        let mut improved = true;
        let mut rounds = 0;
        while improved && rounds < 8 {
            improved = false;
            rounds += 1;
            for r in 0..self.layers.len() {
                if self.exhausted() {
                    return;
                }
                for i in 0..self.layers[r].len().saturating_sub(1) {
                    let (v, w) = (self.layers[r][i], self.layers[r][i + 1]);
                    let before = self.pair_crossings(v, w, &pos);
                    let after = self.pair_crossings(w, v, &pos);
                    if after < before || (equal_swaps && after == before && before > 0) {
                        self.layers[r].swap(i, i + 1);
                        pos.swap(v, w);
                        improved |= after < before;
                    }
                }
            }
        }
    }

    /// Sifting (Matuszewski, Schönfeld, Molitor): each node in turn, the
    /// busiest first, tries every position in its rank and stays at the
    /// one with the fewest crossings with the adjacent ranks.
    fn sift(&mut self) {
        let mut nodes: Vec<usize> = self.layers.iter().flatten().copied().collect();
        nodes.sort_stable_by_key(|&v| std::cmp::Reverse(self.up[v].len() + self.down[v].len()));
        let mut rank_of = vec![0usize; self.down.len()];
        for (r, layer) in self.layers.iter().enumerate() {
            for &v in layer {
                rank_of[v] = r;
            }
        }
        let mut pos = self.positions();
        for v in nodes {
            if self.exhausted() {
                return;
            }
            let r = rank_of[v];
            let mut layer: Vec<usize> =
                self.layers[r].iter().copied().filter(|&u| u != v).collect();
            // Crossings relative to v leftmost: moving right past u adds
            // c(u, v) and removes c(v, u). (Only the adjacent ranks'
            // positions matter, and v's rank is not adjacent to itself.)
            let mut delta = 0isize;
            let mut best = (0isize, 0usize);
            for (i, &u) in layer.iter().enumerate() {
                delta += self.pair_crossings(u, v, &pos) as isize
                    - self.pair_crossings(v, u, &pos) as isize;
                if delta < best.0 {
                    best = (delta, i + 1);
                }
            }
            layer.insert(best.1, v);
            for (i, &u) in layer.iter().enumerate() {
                pos[u] = i;
            }
            self.layers[r] = layer;
        }
    }

    /// Crossings among the edges of v and w (v left of w) with both
    /// adjacent ranks.
    fn pair_crossings(&self, v: usize, w: usize, pos: &[usize]) -> usize {
        self.spend(
            1 + self.up[v].len() * self.up[w].len() + self.down[v].len() * self.down[w].len(),
        );
        let count = |a: &[(usize, f64)], b: &[(usize, f64)]| {
            a.iter()
                .map(|&(x, _)| b.iter().filter(|&&(y, _)| pos[y] < pos[x]).count())
                .sum::<usize>()
        };
        count(&self.up[v], &self.up[w]) + count(&self.down[v], &self.down[w])
    }
}

/// The weighted median position of a node's neighbours (`None`: no
/// neighbours). Weights repeat a neighbour, as heavier calls should pull
/// harder.
fn weighted_median(neighbours: &[(usize, f64)], pos: &[usize]) -> Option<f64> {
    if neighbours.is_empty() {
        return None;
    }
    let mut ps: Vec<(f64, f64)> = neighbours
        .iter()
        .map(|&(u, w)| (pos[u] as f64, w.max(1e-6)))
        .collect();
    ps.sort_stable_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = ps.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for (i, &(p, w)) in ps.iter().enumerate() {
        acc += w;
        if acc * 2.0 > total + 1e-9 {
            return Some(p);
        }
        if (acc * 2.0 - total).abs() <= 1e-9 {
            // Exactly half: between this and the next.
            return Some((p + ps.get(i + 1).map_or(p, |n| n.0)) / 2.0);
        }
    }
    ps.last().map(|p| p.0)
}

/// Crossings between rank `upper` and the rank below it (of `lower_len`
/// nodes): inversions of the lower ends when edges are sorted by their
/// upper ends, counted with a Fenwick tree (Barth, Jünger, Mutzel).
fn bilayer_crossings(
    upper: &[usize],
    down: &[Vec<(usize, f64)>],
    pos: &[usize],
    lower_len: usize,
) -> usize {
    let mut ends: Vec<(usize, usize)> = Vec::new();
    for &v in upper {
        for &(w, _) in &down[v] {
            ends.push((pos[v], pos[w]));
        }
    }
    ends.sort_unstable();
    let mut tree = vec![0usize; lower_len + 1];
    let mut crossings = 0;
    for (seen, &(_, b)) in ends.iter().enumerate() {
        // Edges already seen whose lower end is right of b cross this one.
        let mut at_or_left = 0;
        let mut i = b + 1;
        while i > 0 {
            at_or_left += tree[i];
            i -= i & i.wrapping_neg();
        }
        crossings += seen - at_or_left;
        let mut i = b + 1;
        while i <= lower_len {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    crossings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(layers: Vec<Vec<usize>>, edges: &[(usize, usize)]) -> Layers<'static> {
        let n = layers.iter().map(|l| l.len()).sum();
        let (mut down, mut up) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for &(a, b) in edges {
            down[a].push((b, 1.0));
            up[b].push((a, 1.0));
        }
        Layers {
            layers,
            down,
            up,
            work: Box::leak(Box::new(std::cell::Cell::new(u64::MAX))),
        }
    }

    #[test]
    fn crossings_are_counted_and_removed() {
        // 0 → 3, 1 → 2: one crossing with [2, 3] below.
        let mut l = layers(vec![vec![0, 1], vec![2, 3]], &[(0, 3), (1, 2)]);
        assert_eq!(l.crossings(), 1);
        l.reduce_crossings(4);
        assert_eq!(l.crossings(), 0);
        // A complete bipartite K(2,2) always has one.
        let l = layers(
            vec![vec![0, 1], vec![2, 3]],
            &[(0, 2), (0, 3), (1, 2), (1, 3)],
        );
        assert_eq!(l.crossings(), 1);
    }

    #[test]
    fn the_reduction_stops_when_its_work_is_spent() {
        // K(6,6) between two ranks: plenty to try, and a budget of 50.
        let edges: Vec<(usize, usize)> =
            (0..6).flat_map(|a| (6..12).map(move |b| (a, b))).collect();
        let mut l = layers(vec![(0..6).rev().collect(), (6..12).collect()], &edges);
        let work = std::cell::Cell::new(50);
        l.work = &work;
        l.reduce_crossings(24);
        assert!(l.exhausted());
        // Still an order of the same nodes.
        let mut all: Vec<usize> = l.layers.concat();
        all.sort_stable();
        assert_eq!(all, (0..12).collect::<Vec<_>>());
    }
}

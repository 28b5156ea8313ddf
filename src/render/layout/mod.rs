//! A layered ("Sugiyama") layout of a directed graph, computed as data:
//! break cycles → rank with network simplex → split long edges with
//! virtual nodes → order ranks to reduce crossings → place horizontally →
//! route edges as smooth curves through their virtual nodes. The same
//! steps as Graphviz's dot, so call graphs read the same way: callers
//! above callees, heavy calls short and straight.

pub mod order;
pub mod position;
pub mod rank;

/// Starting orders tried by the crossing reduction.
const RESTARTS: usize = 16;

/// What the crossing reduction may spend on one graph, in comparisons of
/// edge ends (all restarts together): a call graph of pprof's 80 nodes
/// and a few hundred calls needs at most ~10 million (the corpus); counted, not timed, so a
/// layout is the same on every machine.
pub const ORDER_WORK: u64 = 100_000_000;

use crate::sort::SortStable;
use order::Layers;
use rank::{back_edges, rank, RankEdge};

/// A box to place.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    pub width: f64,
    pub height: f64,
}

/// An edge from `src` to `dst`: heavier ones are kept shorter; `minlen`
/// ranks at least between its ends.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    pub src: usize,
    pub dst: usize,
    pub weight: f64,
    pub minlen: usize,
}

/// Spacing, in the units of the node sizes.
#[derive(Debug, Clone, Copy)]
pub struct Spacing {
    pub node: f64,
    /// Between two ranks that one line crosses (or none)…
    pub rank: f64,
    /// …and between two that more cross: room for their labels on both
    /// sides of their middles, where they fan out of one box.
    pub busy_rank: f64,
}

/// Where everything goes.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Node centres.
    pub centres: Vec<(f64, f64)>,
    /// Per edge, the points its curve passes through, from `src` to `dst`
    /// (empty for an edge from a node to itself).
    pub routes: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
    /// Crossings between the edges' segments, counted on the ranks.
    pub crossings: usize,
    /// The crossing reduction stopped at its work budget ([`ORDER_WORK`]):
    /// the order is the best found by then, not the best it would find.
    pub cut_short: bool,
    /// The room between each rank and the next, as (top, bottom) y: where
    /// a drawing finds which gap a crowded label is in, to ask for more.
    pub gaps: Vec<(f64, f64)>,
}

/// A graph ranked, ordered and placed across: everything but the heights,
/// so that a drawing can ask for more room between some ranks
/// ([`Ordered::place`]) without ordering again.
#[derive(Debug, Clone)]
pub struct Ordered {
    /// Each node's rank, virtual nodes after the real ones.
    rank_of: Vec<i64>,
    max_rank: usize,
    /// Each node's centre across.
    xs: Vec<f64>,
    /// Per edge, its nodes from `src` to `dst` (empty for a self loop).
    chains: Vec<Vec<usize>>,
    /// Per edge, its `src`.
    sources: Vec<usize>,
    crossings: usize,
    cut_short: bool,
}

/// Lays out `nodes` and `edges`; nodes listed first are favoured as roots
/// (pprof lists the most important first).
pub fn layout(nodes: &[Node], edges: &[Edge], spacing: Spacing) -> Placed {
    order(nodes, edges, spacing.node).place(nodes, spacing, &[])
}

/// Ranks, orders and places across `nodes` and `edges` (the layout's
/// steps 1–5 but the heights), `node_gap` apart at least.
pub fn order(nodes: &[Node], edges: &[Edge], node_gap: f64) -> Ordered {
    let n = nodes.len();
    // 1. Acyclic: reverse the edges closing cycles; drop self loops.
    let rank_edges: Vec<RankEdge> = edges
        .iter()
        .map(|e| RankEdge {
            src: e.src,
            dst: e.dst,
            weight: e.weight.max(0.0),
            minlen: e.minlen.max(1) as i64,
        })
        .collect();
    let roots: Vec<usize> = {
        let mut has_in = vec![false; n];
        for e in edges.iter().filter(|e| e.src != e.dst) {
            has_in[e.dst] = true;
        }
        (0..n).filter(|&v| !has_in[v]).collect()
    };
    let looped: Vec<bool> = edges.iter().map(|e| e.src == e.dst).collect();
    // As dot: a depth-first search in the nodes' own order (pprof lists
    // the most important first).
    let back = back_edges(n, &rank_edges, &[]);
    let acyclic: Vec<RankEdge> = rank_edges
        .iter()
        .zip(&back)
        .zip(&looped)
        .filter(|(_, &l)| !l)
        .map(|((e, &b), _)| {
            if b {
                RankEdge {
                    src: e.dst,
                    dst: e.src,
                    ..*e
                }
            } else {
                *e
            }
        })
        .collect();
    // 2. Ranks.
    let ranks = rank(n, &acyclic);
    // 3. Virtual nodes on edges longer than one rank.
    let mut widths: Vec<f64> = nodes.iter().map(|v| v.width).collect();
    let mut rank_of: Vec<i64> = ranks.clone();
    let mut virtual_node = vec![false; n];
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    let mut down: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut up: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (e, edge) in edges.iter().enumerate() {
        if looped[e] {
            chains.push(Vec::new());
            continue;
        }
        let (top, bottom) = if back[e] {
            (edge.dst, edge.src)
        } else {
            (edge.src, edge.dst)
        };
        let mut chain = vec![top];
        for r in ranks[top] + 1..ranks[bottom] {
            let v = widths.len();
            widths.push(2.0);
            rank_of.push(r);
            virtual_node.push(true);
            down.push(Vec::new());
            up.push(Vec::new());
            chain.push(v);
        }
        chain.push(bottom);
        let w = edge.weight.max(0.0) + 1.0;
        for pair in chain.windows(2) {
            down[pair[0]].push((pair[1], w));
            up[pair[1]].push((pair[0], w));
        }
        if back[e] {
            chain.reverse();
        }
        chains.push(chain);
    }

    let max_rank = rank_of.iter().copied().max().unwrap_or(0).max(0) as usize;
    // 4. Order: from several starting orders (depth-first and
    //    breadth-first walks from the roots, so subtrees start together,
    //    then shuffles of them), reduce crossings and keep the best. The
    //    reduction ends in local minima; restarts find better ones
    //    (measured in BENCHMARKS.md: 16 restarts beat dot's total).
    let starts: Vec<usize> = roots.iter().copied().chain(0..n).collect();
    let mut best: Option<Layers> = None;
    let work = std::cell::Cell::new(ORDER_WORK);
    for start in 0..RESTARTS {
        if start > 0 && work.get() == 0 {
            break;
        }
        let mut layers = initial_order(&down, &rank_of, max_rank, &starts, start % 4);
        if start >= 4 {
            // A fixed xorshift: the layout is the same on every run.
            let mut seed = (start as u64).wrapping_mul(0x9e3779b97f4a7c15);
            for layer in layers.iter_mut() {
                for i in (1..layer.len()).rev() {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let j = (seed % (i as u64 + 1)) as usize;
                    layer.swap(i, j);
                }
            }
        }
        let mut l = Layers {
            layers,
            down: down.clone(),
            up: up.clone(),
            work: &work,
        };
        l.reduce_crossings(24);
        if best.as_ref().is_none_or(|b| l.crossings() < b.crossings()) {
            best = Some(l);
        }
    }
    let l = best.expect("RESTARTS > 0 orders were tried");
    let cut_short = work.get() == 0;
    let crossings = l.crossings();
    // 5. Coordinates across.
    let xs = position::positions(&l, &widths, &virtual_node, node_gap);
    Ordered {
        rank_of,
        max_rank,
        xs,
        chains,
        sources: edges.iter().map(|e| e.src).collect(),
        crossings,
        cut_short,
    }
}

impl Ordered {
    /// Heights and routes of the `nodes` given to [`order`]: each rank
    /// below the last, `spacing`'s gap apart, more by `extra[r]` below
    /// rank `r` where given.
    pub fn place(&self, nodes: &[Node], spacing: Spacing, extra: &[f64]) -> Placed {
        let Ordered {
            rank_of,
            max_rank,
            xs,
            chains,
            sources,
            crossings,
            cut_short,
        } = self;
        let (max_rank, n) = (*max_rank, nodes.len());
        let mut rank_height = vec![0.0f64; max_rank + 1];
        for (v, node) in nodes.iter().enumerate() {
            let r = rank_of[v] as usize;
            rank_height[r] = rank_height[r].max(node.height);
        }
        // How many lines cross the gap below each rank.
        let mut lines_below = vec![0usize; max_rank + 1];
        for chain in chains {
            for pair in chain.windows(2) {
                lines_below[rank_of[pair[0]].min(rank_of[pair[1]]) as usize] += 1;
            }
        }
        let mut rank_y = vec![0.0; max_rank + 1];
        let mut y = 0.0;
        for r in 0..=max_rank {
            rank_y[r] = y + rank_height[r] / 2.0;
            y += rank_height[r];
            if r < max_rank {
                y += if lines_below[r] > 1 {
                    spacing.busy_rank
                } else {
                    spacing.rank
                } + extra.get(r).copied().unwrap_or(0.0);
            }
        }
        let height = y.max(0.0);
        let centres: Vec<(f64, f64)> = (0..n)
            .map(|v| (xs[v], rank_y[rank_of[v] as usize]))
            .collect();
        let width = (0..n)
            .map(|v| xs[v] + nodes[v].width / 2.0)
            .fold(0.0f64, f64::max);
        // 6. Routes: from the caller's box to the edge of its rank, then from
        //    rank boundary to rank boundary (through the virtual nodes), then
        //    into the callee's box. Between two ranks every curve spans the
        //    same band, so curves cross exactly where the order says they do.
        let band_top = |r: i64| rank_y[r as usize] - rank_height[r as usize] / 2.0;
        let band_bottom = |r: i64| rank_y[r as usize] + rank_height[r as usize] / 2.0;
        // Each chain from its upper end down, and where its ends leave their
        // boxes: spread along the box's side in the order of where they go,
        // so edges fanning out of one box start apart and the two calls of a
        // pair calling each other are two lines, not one.
        let downward: Vec<Vec<usize>> = chains
            .iter()
            .map(|chain| {
                let mut c = chain.clone();
                if c.len() >= 2 && rank_of[c[0]] > rank_of[c[c.len() - 1]] {
                    c.reverse();
                }
                c
            })
            .collect();
        let ports = Ports::spread(&downward, xs, nodes);
        let routes = downward
            .iter()
            .enumerate()
            .map(|(e, chain)| {
                if chain.is_empty() {
                    return Vec::new();
                }
                let (top, bottom) = (chain[0], chain[chain.len() - 1]);
                let (top_x, bottom_x) = (ports.bottom_side[e], ports.top_side[e]);
                let mut pts = vec![(top_x, centres[top].1 + nodes[top].height / 2.0)];
                if band_bottom(rank_of[top]) > pts[0].1 {
                    pts.push((top_x, band_bottom(rank_of[top])));
                }
                for &v in &chain[1..chain.len() - 1] {
                    pts.push((xs[v], band_top(rank_of[v])));
                    pts.push((xs[v], band_bottom(rank_of[v])));
                }
                let end = (bottom_x, centres[bottom].1 - nodes[bottom].height / 2.0);
                if band_top(rank_of[bottom]) < end.1 {
                    pts.push((bottom_x, band_top(rank_of[bottom])));
                }
                pts.push(end);
                // From the edge's source to its target.
                if sources[e] != top {
                    pts.reverse();
                }
                pts
            })
            .collect();
        let gaps = (0..max_rank)
            .map(|r| (band_bottom(r as i64), band_top(r as i64 + 1)))
            .collect();
        Placed {
            centres,
            routes,
            width,
            height,
            crossings: *crossings,
            cut_short: *cut_short,
            gaps,
        }
    }
}

/// Where each edge leaves its upper box (`bottom_side`, an x on that
/// box's bottom) and enters its lower one (`top_side`, on that box's
/// top), for the chains of [`layout`] running downwards.
struct Ports {
    bottom_side: Vec<f64>,
    top_side: Vec<f64>,
}

impl Ports {
    /// The ends on one side of a box, ordered by where their next point
    /// is (then by edge, so the two edges of a pair calling each other
    /// keep the same order at both ends and do not cross), spaced evenly
    /// about the box's centre: at most [`PORT_GAP`] apart, all within
    /// the middle half of the box.
    fn spread(downward: &[Vec<usize>], xs: &[f64], nodes: &[Node]) -> Ports {
        let mut bottom_side: Vec<f64> = downward
            .iter()
            .map(|c| c.first().map_or(0.0, |&v| xs[v]))
            .collect();
        let mut top_side: Vec<f64> = downward
            .iter()
            .map(|c| c.last().map_or(0.0, |&v| xs[v]))
            .collect();
        // (node, next point's x, edge) for every end on each side.
        let mut leaving: Vec<(usize, f64, usize)> = Vec::new();
        let mut arriving: Vec<(usize, f64, usize)> = Vec::new();
        for (e, c) in downward.iter().enumerate().filter(|(_, c)| c.len() >= 2) {
            leaving.push((c[0], xs[c[1]], e));
            arriving.push((c[c.len() - 1], xs[c[c.len() - 2]], e));
        }
        for (mut ends, side) in [(leaving, &mut bottom_side), (arriving, &mut top_side)] {
            ends.sort_stable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            for group in ends.chunk_by(|a, b| a.0 == b.0) {
                let v = group[0].0;
                let k = group.len();
                if k < 2 {
                    continue;
                }
                let step = (nodes[v].width / 2.0 / (k - 1) as f64).min(PORT_GAP);
                for (i, &(_, _, e)) in group.iter().enumerate() {
                    side[e] = xs[v] + (i as f64 - (k - 1) as f64 / 2.0) * step;
                }
            }
        }
        Ports {
            bottom_side,
            top_side,
        }
    }
}

/// The most room between two edges' ends on a box's side.
const PORT_GAP: f64 = 10.0;

/// A first order of every rank: nodes as a walk from the roots meets
/// them (0: depth-first, 1: breadth-first, 2 and 3: the same with
/// children in reverse).
fn initial_order(
    down: &[Vec<(usize, f64)>],
    rank_of: &[i64],
    max_rank: usize,
    starts: &[usize],
    variant: usize,
) -> Vec<Vec<usize>> {
    let total = down.len();
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); max_rank + 1];
    let mut placed = vec![false; total];
    let mut pending: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let depth_first = variant.is_multiple_of(2);
    let reverse = variant >= 2;
    for &s in starts {
        if placed[s] {
            continue;
        }
        pending.push_back(s);
        while let Some(v) = if depth_first {
            pending.pop_back()
        } else {
            pending.pop_front()
        } {
            if placed[v] {
                continue;
            }
            placed[v] = true;
            layers[rank_of[v] as usize].push(v);
            let children: Vec<usize> = down[v].iter().map(|p| p.0).collect();
            // Depth-first pops the last pushed: push in reverse to visit in order.
            let in_order = depth_first != reverse;
            let iter: Box<dyn Iterator<Item = &usize>> = if in_order {
                Box::new(children.iter().rev())
            } else {
                Box::new(children.iter())
            };
            for &w in iter {
                if !placed[w] {
                    pending.push_back(w);
                }
            }
        }
    }
    for v in 0..total {
        if !placed[v] {
            layers[rank_of[v] as usize].push(v);
        }
    }
    layers
}

/// An SVG path through `points`: cubic curves leaving and entering each
/// point vertically, as dot's splines do.
pub fn smooth_path(points: &[(f64, f64)]) -> String {
    let Some(&(x0, y0)) = points.first() else {
        return String::new();
    };
    let mut d = format!("M{x0:.1},{y0:.1}");
    for w in points.windows(2) {
        let ((ax, ay), (bx, by)) = (w[0], w[1]);
        let dy = (by - ay) / 2.0;
        d.push_str(&format!(
            " C{ax:.1},{:.1} {bx:.1},{:.1} {bx:.1},{by:.1}",
            ay + dy,
            by - dy
        ));
    }
    d
}

/// Points along the curve [`smooth_path`] draws through `points`, at
/// most about `step` apart (each piece between two route points is
/// shorter than its run across plus its run down), its ends included.
pub fn path_points(points: &[(f64, f64)], step: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for w in points.windows(2) {
        let ((ax, ay), (bx, by)) = (w[0], w[1]);
        let per_piece = (((bx - ax).abs() + (by - ay).abs()) / step).ceil().max(1.0) as usize;
        out.extend((0..per_piece).map(|i| curve_point(w[0], w[1], i as f64 / per_piece as f64)));
    }
    out.extend(points.last().copied().filter(|_| points.len() >= 2));
    out
}

/// The point at `t` (0 at `a`, 1 at `b`) of the S-curve [`smooth_path`]
/// draws from `a` to `b`: its control points are level with the middle,
/// above and below the ends.
pub fn curve_point(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    let mid = (a.1 + b.1) / 2.0;
    let u = 1.0 - t;
    let (c0, c1, c2, c3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        (c0 + c1) * a.0 + (c2 + c3) * b.0,
        c0 * a.1 + (c1 + c2) * mid + c3 * b.1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(n: usize) -> Vec<Node> {
        vec![
            Node {
                width: 40.0,
                height: 20.0
            };
            n
        ]
    }

    fn edge(src: usize, dst: usize) -> Edge {
        Edge {
            src,
            dst,
            weight: 1.0,
            minlen: 1,
        }
    }

    #[test]
    fn room_asked_below_a_rank_moves_the_ranks_below_and_nothing_across() {
        // 0 → 1 → 2, and 0 → 2 past rank 1.
        let nodes = boxes(3);
        let edges = [edge(0, 1), edge(1, 2), edge(0, 2)];
        let spacing = Spacing {
            node: 10.0,
            rank: 30.0,
            busy_rank: 30.0,
        };
        let ordered = order(&nodes, &edges, spacing.node);
        let (plain, roomy) = (
            ordered.place(&nodes, spacing, &[]),
            ordered.place(&nodes, spacing, &[0.0, 24.0]),
        );
        assert_eq!(plain.gaps.len(), 2);
        for v in 0..3 {
            let (a, b) = (plain.centres[v], roomy.centres[v]);
            assert_eq!(a.0, b.0, "node {v} moved across");
            assert_eq!(b.1 - a.1, if v == 2 { 24.0 } else { 0.0 }, "node {v}");
        }
        assert_eq!(
            roomy.gaps[1].1 - roomy.gaps[1].0,
            plain.gaps[1].1 - plain.gaps[1].0 + 24.0
        );
        assert_eq!(roomy.height, plain.height + 24.0);
        // The routes end on the boxes they join, wherever those went.
        for (route, e) in roomy.routes.iter().zip(&edges) {
            assert_eq!(route[0].1, roomy.centres[e.src].1 + 10.0);
            assert_eq!(route.last().unwrap().1, roomy.centres[e.dst].1 - 10.0);
        }
    }

    #[test]
    fn callers_above_callees_and_no_overlaps() {
        let nodes = boxes(6);
        let edges = [
            edge(0, 1),
            edge(0, 2),
            edge(1, 3),
            edge(2, 3),
            edge(3, 4),
            edge(0, 4),
            edge(4, 1),
            edge(5, 5),
        ];
        let p = layout(
            &nodes,
            &edges,
            Spacing {
                node: 10.0,
                rank: 30.0,
                busy_rank: 30.0,
            },
        );
        // Edges (except the one closing the cycle) point down.
        for e in [edge(0, 1), edge(0, 2), edge(1, 3), edge(3, 4)] {
            assert!(p.centres[e.src].1 < p.centres[e.dst].1, "{e:?}");
        }
        // No two boxes overlap.
        for a in 0..6 {
            for b in a + 1..6 {
                let (pa, pb) = (p.centres[a], p.centres[b]);
                let apart = (pa.0 - pb.0).abs() >= 40.0 || (pa.1 - pb.1).abs() >= 20.0;
                assert!(apart, "{a} and {b} overlap: {pa:?} {pb:?}");
            }
        }
        // Every edge but the self loop has a route from its source to its
        // target, leaving and entering the middle half of their boxes'
        // sides (the boxes are 40 wide).
        for (e, r) in edges.iter().zip(&p.routes) {
            if e.src == e.dst {
                assert!(r.is_empty());
            } else {
                assert!(r.len() >= 2);
                assert!((r[0].0 - p.centres[e.src].0).abs() <= 10.0, "{e:?}: {r:?}");
                assert!(
                    (r.last().unwrap().0 - p.centres[e.dst].0).abs() <= 10.0,
                    "{e:?}: {r:?}"
                );
            }
        }
        // Node 0's two calls leave its box apart, the one going left on
        // the left.
        let (to_1, to_2) = (p.routes[0][0].0, p.routes[1][0].0);
        assert!((to_1 - to_2).abs() >= 5.0, "{to_1} {to_2}");
        assert_eq!(
            to_1 < to_2,
            p.centres[1].0 < p.centres[2].0,
            "the calls cross as they leave"
        );
        // Deterministic.
        let again = layout(
            &nodes,
            &edges,
            Spacing {
                node: 10.0,
                rank: 30.0,
                busy_rank: 30.0,
            },
        );
        assert_eq!(format!("{:?}", again.centres), format!("{:?}", p.centres));
    }

    #[test]
    fn curve_points_follow_the_drawn_s_curve() {
        let (a, b) = ((0.0, 0.0), (40.0, 28.0));
        assert_eq!(curve_point(a, b, 0.0), a);
        assert_eq!(curve_point(a, b, 1.0), b);
        // Halfway it is the middle, by the S's symmetry…
        assert_eq!(curve_point(a, b, 0.5), (20.0, 14.0));
        // …and a quarter along, the cubic with smooth_path's control points
        // (0,14) and (40,14): x = 40·(3·0.75·0.25² + 0.25³), y = 14·3·0.25·0.75 + 28·0.25³.
        let (x, y) = curve_point(a, b, 0.25);
        assert!(
            (x - 40.0 * (3.0 * 0.75 * 0.0625 + 0.015625)).abs() < 1e-9,
            "{x}"
        );
        assert!(
            (y - (14.0 * 3.0 * 0.25 * 0.75 + 28.0 * 0.015625)).abs() < 1e-9,
            "{y}"
        );
        assert_eq!(
            smooth_path(&[a, b]),
            "M0.0,0.0 C0.0,14.0 40.0,14.0 40.0,28.0"
        );
    }

    #[test]
    fn two_functions_calling_each_other_are_two_lines() {
        let p = layout(
            &boxes(2),
            &[edge(0, 1), edge(1, 0)],
            Spacing {
                node: 10.0,
                rank: 30.0,
                busy_rank: 30.0,
            },
        );
        let (down, up) = (&p.routes[0], &p.routes[1]);
        let (down_top, down_bottom) = (down[0].0, down[down.len() - 1].0);
        let (up_top, up_bottom) = (up[up.len() - 1].0, up[0].0);
        assert!((down_top - up_top).abs() >= 5.0, "{down:?} {up:?}");
        assert!((down_bottom - up_bottom).abs() >= 5.0, "{down:?} {up:?}");
        // Side by side at both ends: they do not cross.
        assert_eq!(down_top < up_top, down_bottom < up_bottom);
    }

    #[test]
    fn paths() {
        assert_eq!(
            smooth_path(&[(0.0, 0.0), (10.0, 20.0)]),
            "M0.0,0.0 C0.0,10.0 10.0,10.0 10.0,20.0"
        );
    }
}

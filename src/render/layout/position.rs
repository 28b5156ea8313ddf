//! Horizontal positions: Sugiyama's priority method. Each rank starts
//! packed; then, sweeping down and up, every node moves toward the
//! weighted average of its neighbours in the rank just placed, nodes of
//! higher priority first (virtual nodes of long edges highest, so those
//! edges run straight), never closer to a neighbour than their widths
//! and the separation allow, and never past a node of higher priority.

use super::order::Layers;
use crate::sort::SortStable;

/// x centres of every node.
pub fn positions(l: &Layers, widths: &[f64], virtual_node: &[bool], sep: f64) -> Vec<f64> {
    let n = widths.len();
    let mut x = vec![0.0; n];
    for layer in &l.layers {
        let mut at = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                at += gap(layer[i - 1], v, widths, sep);
            }
            x[v] = at;
        }
    }
    let ranks = l.layers.len();
    for round in 0..6 {
        let down = round % 2 == 0;
        let order: Vec<usize> = if down {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in order {
            let neighbours = if down { &l.up } else { &l.down };
            place_rank(&l.layers[r], neighbours, virtual_node, widths, sep, &mut x);
        }
    }
    // Centre each rank's block on the widest rank's block, then shift all
    // so the leftmost edge is at 0.
    let min = (0..n)
        .map(|v| x[v] - widths[v] / 2.0)
        .fold(f64::MAX, f64::min);
    if min.is_finite() {
        for v in x.iter_mut() {
            *v -= min;
        }
    }
    x
}

fn gap(a: usize, b: usize, widths: &[f64], sep: f64) -> f64 {
    (widths[a] + widths[b]) / 2.0 + sep
}

fn place_rank(
    layer: &[usize],
    neighbours: &[Vec<(usize, f64)>],
    virtual_node: &[bool],
    widths: &[f64],
    sep: f64,
    x: &mut [f64],
) {
    let k = layer.len();
    if k == 0 {
        return;
    }
    let desired: Vec<Option<f64>> = layer
        .iter()
        .map(|&v| {
            let ns = &neighbours[v];
            let total: f64 = ns.iter().map(|p| p.1).sum();
            (!ns.is_empty() && total > 0.0)
                .then(|| ns.iter().map(|&(u, w)| x[u] * w).sum::<f64>() / total)
        })
        .collect();
    let priority: Vec<f64> = layer
        .iter()
        .map(|&v| {
            let weight: f64 = neighbours[v].iter().map(|p| p.1).sum();
            if virtual_node[v] {
                f64::MAX
            } else {
                weight
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_stable_by(|&a, &b| priority[b].total_cmp(&priority[a]).then(a.cmp(&b)));
    let mut fixed = vec![false; k];
    for i in order {
        let Some(target) = desired[i] else {
            fixed[i] = true;
            continue;
        };
        // The nearest fixed nodes bound how far i may go, leaving room for
        // the nodes in between.
        let mut lo = f64::MIN;
        let mut room = 0.0;
        for j in (0..i).rev() {
            room += gap(layer[j], layer[j + 1], widths, sep);
            if fixed[j] {
                lo = x[layer[j]] + room;
                break;
            }
        }
        let mut hi = f64::MAX;
        let mut room = 0.0;
        for j in i + 1..k {
            room += gap(layer[j - 1], layer[j], widths, sep);
            if fixed[j] {
                hi = x[layer[j]] - room;
                break;
            }
        }
        let v = layer[i];
        x[v] = if lo <= hi {
            target.clamp(lo, hi)
        } else {
            (lo + hi) / 2.0
        };
        fixed[i] = true;
        // Push the unfixed nodes next to i out of its way.
        for j in i + 1..k {
            if fixed[j] {
                break;
            }
            let min = x[layer[j - 1]] + gap(layer[j - 1], layer[j], widths, sep);
            if x[layer[j]] < min {
                x[layer[j]] = min;
            }
        }
        for j in (0..i).rev() {
            if fixed[j] {
                break;
            }
            let max = x[layer[j + 1]] - gap(layer[j], layer[j + 1], widths, sep);
            if x[layer[j]] > max {
                x[layer[j]] = max;
            }
        }
    }
}

//! Layering: which rank (row) each node goes in. Cycles are broken by
//! reversing the edges a depth-first search finds going back, then ranks
//! are chosen by the network simplex method (Gansner et al., "A Technique
//! for Drawing Directed Graphs", 1993), which minimises the sum of
//! weight × length over all edges, as Graphviz's dot does: heavy calls end
//! up short and vertical.

/// An edge for ranking: `minlen` ranks at least from `src` down to `dst`.
#[derive(Debug, Clone, Copy)]
pub struct RankEdge {
    pub src: usize,
    pub dst: usize,
    pub weight: f64,
    pub minlen: i64,
}

/// Which edges a DFS from the given roots (then any unvisited node) finds
/// closing a cycle; reversing them makes the graph acyclic.
pub fn back_edges(n: usize, edges: &[RankEdge], roots: &[usize]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in edges.iter().enumerate() {
        out[edge.src].push(e);
    }
    // 0: unvisited, 1: on the stack, 2: done.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    let starts = roots.iter().copied().chain(0..n);
    for start in starts {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < out[v].len() {
                let e = out[v][*next];
                *next += 1;
                let w = edges[e].dst;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

/// Ranks of an acyclic graph's nodes, each connected component starting
/// at rank 0.
pub fn rank(n: usize, edges: &[RankEdge]) -> Vec<i64> {
    let mut ranks = vec![0i64; n];
    for component in components(n, edges) {
        let local: Vec<usize> = component.clone();
        let mut index = vec![usize::MAX; n];
        for (i, &v) in local.iter().enumerate() {
            index[v] = i;
        }
        let sub: Vec<RankEdge> = edges
            .iter()
            .filter(|e| index[e.src] != usize::MAX)
            .map(|e| RankEdge {
                src: index[e.src],
                dst: index[e.dst],
                ..*e
            })
            .collect();
        let r = NetworkSimplex::new(local.len(), &sub).solve();
        for (i, &v) in local.iter().enumerate() {
            ranks[v] = r[i];
        }
    }
    ranks
}

/// Weakly connected components, each in ascending node order.
fn components(n: usize, edges: &[RankEdge]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for e in edges {
        let (a, b) = (find(&mut parent, e.src), find(&mut parent, e.dst));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of = vec![usize::MAX; n];
    for v in 0..n {
        let root = find(&mut parent, v);
        if group_of[root] == usize::MAX {
            group_of[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of[root]].push(v);
    }
    groups
}

struct NetworkSimplex<'a> {
    n: usize,
    edges: &'a [RankEdge],
    rank: Vec<i64>,
    in_tree: Vec<bool>,
    /// Cut values of tree edges.
    cut: Vec<f64>,
    /// Edges at each node.
    incident: Vec<Vec<usize>>,
}

impl<'a> NetworkSimplex<'a> {
    fn new(n: usize, edges: &'a [RankEdge]) -> Self {
        let mut incident = vec![Vec::new(); n];
        for (e, edge) in edges.iter().enumerate() {
            incident[edge.src].push(e);
            incident[edge.dst].push(e);
        }
        NetworkSimplex {
            n,
            edges,
            rank: vec![0; n],
            in_tree: vec![false; edges.len()],
            cut: vec![0.0; edges.len()],
            incident,
        }
    }

    fn slack(&self, e: usize) -> i64 {
        let edge = &self.edges[e];
        self.rank[edge.dst] - self.rank[edge.src] - edge.minlen
    }

    fn solve(mut self) -> Vec<i64> {
        if self.n <= 1 {
            return vec![0; self.n];
        }
        self.init_rank();
        self.feasible_tree();
        self.cut_values();
        let limit = 40 * self.n + 200;
        for _ in 0..limit {
            let Some(leave) = (0..self.edges.len())
                .filter(|&e| self.in_tree[e] && self.cut[e] < -1e-9)
                .min_by(|&a, &b| self.cut[a].total_cmp(&self.cut[b]))
            else {
                break;
            };
            let Some(enter) = self.enter_edge(leave) else {
                break;
            };
            self.exchange(leave, enter);
        }
        let min = self.rank.iter().copied().min().unwrap_or(0);
        self.rank.iter().map(|r| r - min).collect()
    }

    /// Longest path from the sources: a feasible start.
    fn init_rank(&mut self) {
        let mut indegree = vec![0usize; self.n];
        for e in self.edges {
            indegree[e.dst] += 1;
        }
        let mut queue: std::collections::VecDeque<usize> =
            (0..self.n).filter(|&v| indegree[v] == 0).collect();
        while let Some(v) = queue.pop_front() {
            for &e in &self.incident[v] {
                let edge = &self.edges[e];
                if edge.src != v {
                    continue;
                }
                self.rank[edge.dst] = self.rank[edge.dst].max(self.rank[v] + edge.minlen);
                indegree[edge.dst] -= 1;
                if indegree[edge.dst] == 0 {
                    queue.push_back(edge.dst);
                }
            }
        }
    }

    /// Grows a tree of tight edges over every node, shifting ranks to make
    /// the least slack edge tight when the tree stops growing.
    fn feasible_tree(&mut self) {
        let mut in_tree_node = vec![false; self.n];
        loop {
            // A maximal tight tree from node 0.
            self.in_tree.iter_mut().for_each(|t| *t = false);
            in_tree_node.iter_mut().for_each(|t| *t = false);
            in_tree_node[0] = true;
            let mut stack = vec![0usize];
            let mut count = 1;
            while let Some(v) = stack.pop() {
                for &e in &self.incident[v] {
                    let edge = &self.edges[e];
                    let w = if edge.src == v { edge.dst } else { edge.src };
                    if !in_tree_node[w] && self.slack(e) == 0 {
                        in_tree_node[w] = true;
                        self.in_tree[e] = true;
                        count += 1;
                        stack.push(w);
                    }
                }
            }
            if count == self.n {
                return;
            }
            // The incident edge with the least slack, made tight.
            let mut best: Option<(usize, i64)> = None;
            for (e, edge) in self.edges.iter().enumerate() {
                if in_tree_node[edge.src] != in_tree_node[edge.dst] {
                    let s = self.slack(e);
                    if best.is_none_or(|(_, bs)| s < bs) {
                        best = Some((e, s));
                    }
                }
            }
            let Some((e, s)) = best else {
                return;
            };
            let delta = if in_tree_node[self.edges[e].dst] {
                -s
            } else {
                s
            };
            for (r, &inside) in self.rank.iter_mut().zip(&in_tree_node) {
                if inside {
                    *r += delta;
                }
            }
        }
    }

    /// The tree component holding `v` once tree edge `cut` is removed.
    fn side(&self, cut: usize, v: usize) -> Vec<bool> {
        let mut mark = vec![false; self.n];
        mark[v] = true;
        let mut stack = vec![v];
        while let Some(x) = stack.pop() {
            for &e in &self.incident[x] {
                if e == cut || !self.in_tree[e] {
                    continue;
                }
                let edge = &self.edges[e];
                let y = if edge.src == x { edge.dst } else { edge.src };
                if !mark[y] {
                    mark[y] = true;
                    stack.push(y);
                }
            }
        }
        mark
    }

    /// Cut value of every tree edge: the weight of edges from its tail
    /// component to its head component, minus the reverse.
    fn cut_values(&mut self) {
        for t in 0..self.edges.len() {
            if !self.in_tree[t] {
                continue;
            }
            let tail = self.side(t, self.edges[t].src);
            let mut v = 0.0;
            for edge in self.edges {
                match (tail[edge.src], tail[edge.dst]) {
                    (true, false) => v += edge.weight,
                    (false, true) => v -= edge.weight,
                    _ => {}
                }
            }
            self.cut[t] = v;
        }
    }

    /// The non-tree edge from the head component to the tail component of
    /// tree edge `leave` with the least slack.
    fn enter_edge(&self, leave: usize) -> Option<usize> {
        let tail = self.side(leave, self.edges[leave].src);
        (0..self.edges.len())
            .filter(|&e| !self.in_tree[e] && !tail[self.edges[e].src] && tail[self.edges[e].dst])
            .min_by_key(|&e| self.slack(e))
    }

    fn exchange(&mut self, leave: usize, enter: usize) {
        let tail = self.side(leave, self.edges[leave].src);
        let s = self.slack(enter);
        // The tail side moves up so the entering edge becomes tight.
        for (r, &t) in self.rank.iter_mut().zip(&tail) {
            if t {
                *r -= s;
            }
        }
        self.in_tree[leave] = false;
        self.in_tree[enter] = true;
        self.cut_values();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(src: usize, dst: usize, weight: f64) -> RankEdge {
        RankEdge {
            src,
            dst,
            weight,
            minlen: 1,
        }
    }

    #[test]
    fn cycles_are_broken_where_they_close() {
        let edges = [e(0, 1, 1.0), e(1, 2, 1.0), e(2, 0, 1.0), e(2, 3, 1.0)];
        let back = back_edges(4, &edges, &[0]);
        assert_eq!(back, vec![false, false, true, false]);
    }

    #[test]
    fn heavy_edges_stay_short() {
        // 0 → 1 → 2 → 3 and a heavy 0 → 3: the chain cannot shrink, so the
        // heavy edge spans 3; a light edge 4 → 3 pulls 4 next to 3.
        let edges = [
            e(0, 1, 1.0),
            e(1, 2, 1.0),
            e(2, 3, 1.0),
            e(0, 3, 10.0),
            e(4, 3, 1.0),
        ];
        let r = rank(5, &edges);
        assert_eq!(&r[..4], &[0, 1, 2, 3]);
        assert_eq!(r[4], 2, "{r:?}");
        // Every edge at least its minimum length.
        assert!(edges.iter().all(|x| r[x.dst] - r[x.src] >= x.minlen));
    }

    #[test]
    fn components_rank_from_zero() {
        let edges = [e(0, 1, 1.0), e(2, 3, 1.0)];
        assert_eq!(rank(4, &edges), vec![0, 1, 0, 1]);
    }
}

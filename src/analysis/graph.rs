//! The call graph every report is computed from, with pprof's semantics.
//!
//! Vocabulary: a node's *flat* value is what samples charge to it as their
//! leaf frame (exclusive); its *cum* value is what samples with it anywhere
//! on the stack charge to it, counted once per sample even under recursion
//! (inclusive). An edge caller→callee weighs the samples that pass through
//! that call, once per sample.

use crate::sort::SortStable;
use crate::units::{abs64, go_int64};
use rustc_hash::FxHashMap;

use crate::model::interner::Interner;

use super::filter::View;
use super::nodes::NodeTable;
use super::options::SortOrder;

/// A call from `src` to `dst`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Edge {
    pub src: u32,
    pub dst: u32,
    pub weight: i64,
    /// The call skips frames that were left out of the graph.
    pub residual: bool,
    /// Every sample through this edge had the callee inlined.
    pub inline: bool,
}

/// Finds the edge between two nodes. Most callers call few distinct
/// callees, so each caller has a few inline slots in one flat array (one
/// cache line, no pointer to chase); callers with more spill to a map.
struct EdgeIndex {
    slots: Vec<[(u32, u32); SLOTS]>,
    used: Vec<u8>,
    more: FxHashMap<u64, u32>,
}

const SLOTS: usize = 4;

impl EdgeIndex {
    fn new(nodes: usize) -> Self {
        EdgeIndex {
            slots: vec![[(0, 0); SLOTS]; nodes],
            used: vec![0; nodes],
            more: FxHashMap::default(),
        }
    }

    #[inline]
    fn get(&self, src: u32, dst: u32) -> Option<u32> {
        let used = self.used[src as usize] as usize;
        let slots = &self.slots[src as usize];
        for &(d, e) in &slots[..used.min(SLOTS)] {
            if d == dst {
                return Some(e);
            }
        }
        if used > SLOTS {
            return self.more.get(&((src as u64) << 32 | dst as u64)).copied();
        }
        None
    }

    fn insert(&mut self, src: u32, dst: u32, edge: u32) {
        let used = &mut self.used[src as usize];
        if (*used as usize) < SLOTS {
            self.slots[src as usize][*used as usize] = (dst, edge);
            *used += 1;
        } else {
            *used = SLOTS as u8 + 1;
            self.more.insert((src as u64) << 32 | dst as u64, edge);
        }
    }
}

/// The per-edge state the graph walk updates.
struct HotEdge {
    /// The last sample (stamp) that added to this edge: once per sample.
    seen: u32,
    residual: bool,
    inline: bool,
    weight: i64,
}

/// A graph over the nodes of a [`NodeTable`]: values are indexed by node id.
pub struct Graph {
    /// The nodes in the graph, in report order once sorted.
    pub nodes: Vec<u32>,
    pub flat: Vec<i64>,
    pub cum: Vec<i64>,
    pub edges: Vec<Edge>,
    /// Edges still in the graph (trimming removes light ones).
    pub edge_alive: Vec<bool>,
}

/// A sample annotation on a node (pprof's `Tag`): a label set, or one
/// numeric `bytes` value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tag {
    pub name: String,
    /// The value's unit; empty for string labels.
    pub unit: String,
    pub value: i64,
    pub flat: i64,
    pub cum: i64,
}

/// A node's tags: string label sets (`key:value` lines joined), and
/// numeric tags grouped under the label set they came with (`""`: none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeTags {
    pub labels: Vec<Tag>,
    pub numeric: Vec<(String, Vec<Tag>)>,
}

/// Where each node's tags are in its [`NodeTags`], by interned name: a
/// node seen by thousands of distinct label sets found its tag by
/// comparing strings with every one before (a 29 kB profile: 33 ms a
/// graph natively, 20 s under the fuzzer). Filled by [`TagSources::tags_of`].
#[derive(Default)]
struct TagIndex {
    /// (node, labels id) → index in `labels`.
    labels: FxHashMap<(u32, u32), usize>,
    /// (node, labels id) → index in `numeric`.
    groups: FxHashMap<(u32, u32), usize>,
    /// (node, labels id, number name id) → index in that group's tags.
    numbers: FxHashMap<(u32, u32, u32), usize>,
}

impl TagIndex {
    /// Adds `w` from a sample of label set `source` to `node`'s tags, in
    /// flat or cum.
    fn add(&mut self, node: u32, tags: &mut NodeTags, source: &TagSource, w: i64, flat: bool) {
        if source.labels.is_empty() && source.numbers.is_empty() {
            // Most samples of most profiles: nothing to count (and this
            // runs per sample and frame).
            return;
        }
        let bump = |t: &mut Tag| {
            if flat {
                t.flat = t.flat.wrapping_add(w);
            } else {
                t.cum = t.cum.wrapping_add(w);
            }
        };
        let key = (node, source.labels_id);
        if !source.labels.is_empty() {
            let i = *self.labels.entry(key).or_insert_with(|| {
                tags.labels.push(Tag {
                    name: source.labels.clone(),
                    unit: String::new(),
                    value: 0,
                    flat: 0,
                    cum: 0,
                });
                tags.labels.len() - 1
            });
            bump(&mut tags.labels[i]);
        }
        let group = *self.groups.entry(key).or_insert_with(|| {
            tags.numeric.push((source.labels.clone(), Vec::new()));
            tags.numeric.len() - 1
        });
        let numbers = &mut tags.numeric[group].1;
        for number in &source.numbers {
            let i = *self
                .numbers
                .entry((node, source.labels_id, number.name_id))
                .or_insert_with(|| {
                    numbers.push(Tag {
                        name: number.name.clone(),
                        unit: number.unit.clone(),
                        value: number.value,
                        flat: 0,
                        cum: 0,
                    });
                    numbers.len() - 1
                });
            bump(&mut numbers[i]);
        }
    }
}

impl NodeTags {
    /// Drops tags under `cutoff` in both flat and cum (pprof's
    /// `TrimLowFrequencyTags`).
    pub fn trim(&mut self, cutoff: i64) {
        let keep = |t: &Tag| abs64(t.flat) >= cutoff || abs64(t.cum) >= cutoff;
        self.labels.retain(keep);
        for (_, tags) in &mut self.numeric {
            tags.retain(keep);
        }
    }
}

/// What each label set of a profile contributes as tags (pprof's
/// `joinLabels` and its `bytes` numeric tags), computed once per set.
pub struct TagSources {
    sources: Vec<TagSource>,
}

struct TagSource {
    /// `key:value` of every string label, sorted, joined by `\n` (the two
    /// characters, as pprof writes them for DOT).
    labels: String,
    /// `labels`' id: equal strings, equal ids.
    labels_id: u32,
    /// Each `bytes` value.
    numbers: Vec<NumberTag>,
}

/// A numeric tag of a label set.
struct NumberTag {
    /// The value as printed: tags of one printed name are one tag.
    name: String,
    /// `name`'s id: equal names, equal ids.
    name_id: u32,
    unit: String,
    value: i64,
}

impl TagSources {
    pub fn new(p: &crate::model::Profile) -> TagSources {
        let units = super::filter::num_label_units(p);
        let bytes_unit = units
            .iter()
            .find(|(k, _)| k == "bytes")
            .map(|(_, u)| u.clone())
            .unwrap_or_default();
        let mut names: Interner<String> = Interner::default();
        let sources = p
            .samples
            .label_sets()
            .iter()
            .map(|set| {
                let mut labels: Vec<String> = set
                    .strings
                    .iter()
                    .filter(|(k, _)| k != "pprof::base")
                    .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}:{v}")))
                    .collect();
                labels.sort_stable();
                let labels = labels.join("\\n");
                let numbers = set
                    .get_num("bytes")
                    .map(|n| {
                        n.values
                            .iter()
                            .map(|&value| {
                                let name =
                                    crate::units::scaled_label(value, &bytes_unit, "minimum");
                                NumberTag {
                                    name_id: names.intern(name.as_str(), str::to_string).0,
                                    name,
                                    unit: bytes_unit.clone(),
                                    value,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                TagSource {
                    labels_id: names.intern(labels.as_str(), str::to_string).0,
                    labels,
                    numbers,
                }
            })
            .collect();
        TagSources { sources }
    }
}

impl TagSources {
    /// The tags of `nodes` (indexed by node id; the other nodes' are left
    /// empty), as pprof's `newGraph` collects them: each sample's label
    /// set counted in the cum of every node on its stack (once a sample)
    /// and in the flat of its leaf. A node's tags, like its flat and cum,
    /// do not depend on which other nodes a graph keeps, so they are
    /// gathered once, for the nodes that can be drawn. The samples' weights
    /// are first summed per node and label set, then each sum updates the
    /// tags once: updating them per sample and frame was 65% of a call
    /// graph's time (a 555,000-sample heap profile, every sample with a
    /// `bytes` label: 10 of 14 s natively). Tags come out in the order
    /// their label sets first appear, as the per-sample updates made them.
    pub fn tags_of(
        &self,
        view: &View,
        table: &NodeTable,
        sample_type: usize,
        nodes: &[u32],
    ) -> Vec<NodeTags> {
        let n = table.len();
        let mut tags = vec![NodeTags::default(); n];
        let mut wanted = vec![false; n];
        for &node in nodes {
            wanted[node as usize] = true;
        }
        // (node, label set) → its index in `sums`, which keeps them in the
        // order they first appear: (node, label set, cum, flat).
        let mut at: FxHashMap<(u32, u32), usize> = FxHashMap::default();
        let mut sums: Vec<(u32, u32, i64, i64)> = Vec::new();
        let mut seen = vec![0u32; n];
        let samples = &view.profile.samples;
        for k in 0..view.len() {
            let w = samples.value(view.sample(k), sample_type);
            let set = samples.label_set_id(view.sample(k));
            let source = &self.sources[set as usize];
            if w == 0 || (source.labels.is_empty() && source.numbers.is_empty()) {
                continue;
            }
            let stamp = k as u32 + 1;
            let mut leaf = None;
            for loc in view.stack(k).rev() {
                for &node in table.of_location(loc).iter().rev() {
                    leaf = Some(node);
                    if wanted[node as usize] && seen[node as usize] != stamp {
                        seen[node as usize] = stamp;
                        let i = *at.entry((node, set)).or_insert_with(|| {
                            sums.push((node, set, 0, 0));
                            sums.len() - 1
                        });
                        sums[i].2 = sums[i].2.wrapping_add(w);
                    }
                }
            }
            if let Some(leaf) = leaf.filter(|&leaf| wanted[leaf as usize]) {
                let i = at[&(leaf, set)];
                sums[i].3 = sums[i].3.wrapping_add(w);
            }
        }
        let mut index = TagIndex::default();
        for (node, set, cum, flat) in sums {
            let source = &self.sources[set as usize];
            index.add(node, &mut tags[node as usize], source, cum, false);
            if flat != 0 {
                index.add(node, &mut tags[node as usize], source, flat, true);
            }
        }
        tags
    }
}

impl Graph {
    /// Builds the graph of a view, for one sample type (pprof's `newGraph`).
    /// With `kept`, only those nodes are built; edges then jump over the
    /// missing ones (residual edges).
    pub fn build(
        view: &View,
        table: &NodeTable,
        sample_type: usize,
        kept: Option<&[bool]>,
        drop_negative: bool,
    ) -> Graph {
        Self::walk(view, table, sample_type, kept, drop_negative, true)
    }

    /// The nodes' flat and cum only, without edges: several times cheaper
    /// (the edge lookups are what the walk spends its time on). A node's
    /// values do not depend on which other nodes are kept, so this is
    /// enough to decide which nodes a trimmed graph keeps.
    pub fn build_nodes(
        view: &View,
        table: &NodeTable,
        sample_type: usize,
        drop_negative: bool,
    ) -> Graph {
        Self::walk(view, table, sample_type, None, drop_negative, false)
    }

    fn walk(
        view: &View,
        table: &NodeTable,
        sample_type: usize,
        kept: Option<&[bool]>,
        drop_negative: bool,
        with_edges: bool,
    ) -> Graph {
        let n = table.len();
        let mut flat = vec![0i64; n];
        let mut cum = vec![0i64; n];
        let mut node_seen = vec![0u32; n];
        let mut edges: Vec<Edge> = Vec::new();
        // What the walk updates per edge, packed in one record (the walk is
        // bound by cache misses, one per edge visit).
        let mut edge_hot: Vec<HotEdge> = Vec::new();
        let mut edge_index = EdgeIndex::new(n);
        let samples = &view.profile.samples;
        const NONE: u32 = u32::MAX;
        for k in 0..view.len() {
            let w = samples.value(view.sample(k), sample_type);
            if w == 0 {
                continue;
            }
            let stamp = k as u32 + 1;
            let mut parent = NONE;
            let mut residual = false;
            for loc in view.stack(k).rev() {
                let loc_nodes = table.of_location(loc);
                for ni in (0..loc_nodes.len()).rev() {
                    let node = loc_nodes[ni];
                    if kept.is_some_and(|kept| !kept[node as usize]) {
                        residual = true;
                        continue;
                    }
                    if node_seen[node as usize] != stamp {
                        node_seen[node as usize] = stamp;
                        cum[node as usize] = cum[node as usize].wrapping_add(w);
                    }
                    if with_edges && parent != NONE && node != parent {
                        let inline = ni != loc_nodes.len() - 1;
                        match edge_index.get(parent, node) {
                            None => {
                                edge_index.insert(parent, node, edges.len() as u32);
                                edges.push(Edge {
                                    src: parent,
                                    dst: node,
                                    weight: 0,
                                    residual: false,
                                    inline: false,
                                });
                                edge_hot.push(HotEdge {
                                    seen: stamp,
                                    residual,
                                    inline,
                                    weight: w,
                                });
                            }
                            Some(e) => {
                                let hot = &mut edge_hot[e as usize];
                                if hot.seen != stamp {
                                    hot.seen = stamp;
                                    hot.weight = hot.weight.wrapping_add(w);
                                    hot.residual |= residual;
                                    hot.inline &= inline;
                                }
                            }
                        }
                    }
                    parent = node;
                    residual = false;
                }
            }
            if parent != NONE && !residual {
                flat[parent as usize] = flat[parent as usize].wrapping_add(w);
            }
        }
        let nodes = (0..n as u32)
            .filter(|&i| {
                let (f, c) = (flat[i as usize], cum[i as usize]);
                let negative = f < 0 || (f == 0 && c < 0);
                (f != 0 || c != 0) && !(drop_negative && negative)
            })
            .collect();
        for (edge, hot) in edges.iter_mut().zip(edge_hot) {
            edge.weight = hot.weight;
            edge.residual = hot.residual;
            edge.inline = hot.inline;
        }
        let edge_alive = vec![true; edges.len()];
        Graph {
            nodes,
            flat,
            cum,
            edges,
            edge_alive,
        }
    }

    /// Sorts the nodes as pprof does: by |flat| (or |cum|), then name, then
    /// the other value, then the node's full identity.
    pub fn sort(&mut self, table: &NodeTable, names: &[String], order: SortOrder) {
        let (flat, cum) = (&self.flat, &self.cum);
        self.nodes.sort_stable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            let (primary_a, primary_b, secondary_a, secondary_b) = match order {
                SortOrder::Flat => (flat[a], flat[b], cum[a], cum[b]),
                SortOrder::Cum => (cum[a], cum[b], flat[a], flat[b]),
            };
            abs64(primary_b)
                .cmp(&abs64(primary_a))
                .then_with(|| names[a].cmp(&names[b]))
                .then_with(|| abs64(secondary_b).cmp(&abs64(secondary_a)))
                .then_with(|| table.infos[a].go_sprint().cmp(&table.infos[b].go_sprint()))
        });
    }

    /// Sum of the flat values of the graph's nodes.
    pub fn flat_sum(&self) -> i64 {
        self.nodes
            .iter()
            .fold(0i64, |sum, &n| sum.wrapping_add(self.flat[n as usize]))
    }

    /// Removes edges into graph nodes lighter than `cutoff`; returns how
    /// many (pprof's `TrimLowFrequencyEdges`).
    pub fn trim_edges(&mut self, cutoff: i64) -> usize {
        let mut in_graph = vec![false; self.flat.len()];
        for &n in &self.nodes {
            in_graph[n as usize] = true;
        }
        let mut dropped = 0;
        for (e, alive) in self.edges.iter().zip(self.edge_alive.iter_mut()) {
            if *alive && in_graph[e.dst as usize] && abs64(e.weight) < cutoff {
                *alive = false;
                dropped += 1;
            }
        }
        dropped
    }

    /// The live edges.
    pub fn live_edges(&self) -> impl Iterator<Item = &Edge> {
        self.edges
            .iter()
            .zip(&self.edge_alive)
            .filter(|(_, &alive)| alive)
            .map(|(e, _)| e)
    }
}

/// A graph after pprof's pruning, with what was pruned.
pub struct TrimmedGraph {
    pub graph: Graph,
    /// Nodes before `node_count` selection.
    pub orig_count: usize,
    pub dropped_nodes: usize,
    pub dropped_edges: usize,
}

/// Pruning parameters (from the report options).
pub struct Trim {
    pub node_fraction: f64,
    pub edge_fraction: f64,
    pub node_count: usize,
    pub sort: SortOrder,
    pub drop_negative: bool,
}

/// pprof's `newTrimmedGraph`: build the full graph → drop nodes whose |cum|
/// is under node_fraction of the total → sort → keep the top node_count
/// (rebuilding so edges skip what was dropped) → drop edges under
/// edge_fraction.
///
/// The nodes each step keeps are decided on a graph without edges (a
/// node's flat and cum are the same whichever other nodes are kept: flat
/// goes to the innermost frame only if it is kept, cum to every kept
/// frame once), and only the final graph is built with its edges: one
/// walk with edges instead of two or three, the same result.
pub fn trimmed(
    view: &View,
    table: &NodeTable,
    names: &[String],
    sample_type: usize,
    trim: &Trim,
) -> TrimmedGraph {
    let mut g = Graph::build_nodes(view, table, sample_type, trim.drop_negative);
    let total = g.flat_sum();
    let node_cutoff = cutoff(total, trim.node_fraction);
    let edge_cutoff = cutoff(total, trim.edge_fraction);
    let above = g.nodes_above(node_cutoff);
    let dropped_nodes = above.as_ref().map_or(0, |a| a.dropped);
    let mut kept = above.map(|a| a.mask);
    if let Some(mask) = &kept {
        g.nodes.retain(|&n| mask[n as usize]);
    }
    let orig_count = g.nodes.len();
    g.sort(table, names, trim.sort);
    if trim.node_count > 0 {
        if let Some(top) = g.top_nodes(trim.node_count) {
            kept = Some(top);
        }
    }
    let mut g = Graph::build(
        view,
        table,
        sample_type,
        kept.as_deref(),
        trim.drop_negative,
    );
    g.sort(table, names, trim.sort);
    let dropped_edges = g.trim_edges(edge_cutoff);
    TrimmedGraph {
        graph: g,
        orig_count,
        dropped_nodes,
        dropped_edges,
    }
}

/// pprof's cutoffs: abs64(int64(total × fraction)), Go's conversion.
pub fn cutoff(total: i64, fraction: f64) -> i64 {
    abs64(go_int64(total as f64 * fraction))
}

/// The nodes a node cutoff keeps, when it drops any.
pub struct AboveCutoff {
    /// Per node of the table: whether it is kept.
    pub mask: Vec<bool>,
    /// How many of the graph's nodes were dropped.
    pub dropped: usize,
}

impl Graph {
    /// pprof's `DiscardLowFrequencyNodes`: the nodes whose abs64(cum)
    /// reaches `cutoff` (none dropped when the cutoff is not positive).
    /// The graph's nodes' values are enough: build it with `build_nodes`.
    pub fn nodes_above(&self, cutoff: i64) -> Option<AboveCutoff> {
        if cutoff <= 0 {
            return None;
        }
        let mut mask = vec![false; self.flat.len()];
        let mut kept = 0;
        for &n in &self.nodes {
            let above = abs64(self.cum[n as usize]) >= cutoff;
            mask[n as usize] = above;
            kept += above as usize;
        }
        (kept != self.nodes.len()).then(|| AboveCutoff {
            mask,
            dropped: self.nodes.len() - kept,
        })
    }

    /// pprof's `SelectTopNodes` as a node set (`makeNodeSet` with cutoff
    /// 0): the first `count` of the sorted nodes, less any whose cum is
    /// MinInt64 (abs64 of it is under even 0). `None` when that is every
    /// node of the graph, so there is nothing to rebuild.
    pub fn top_nodes(&self, count: usize) -> Option<Vec<bool>> {
        let mut mask = vec![false; self.flat.len()];
        let mut kept = 0;
        for &n in &self.nodes[..count.min(self.nodes.len())] {
            let counted = abs64(self.cum[n as usize]) >= 0;
            mask[n as usize] = counted;
            kept += counted as usize;
        }
        (kept != self.nodes.len()).then_some(mask)
    }
}

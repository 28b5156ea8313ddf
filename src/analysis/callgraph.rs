//! The call graph as pprof draws it (`-dot`, `-svg`, the web UI's graph):
//! pprof's "visual mode" pruning on top of the graph every report uses.
//!
//! Differences from `top`'s pruning, all pprof's: nodes are ordered by an
//! entropy score that favours entry and leaf nodes and penalises simple
//! fall-through nodes; when selecting the top `nodecount` nodes, each
//! node's tags (sample labels, shown as nodelets) count against the limit;
//! and residual edges are dropped when their destination can be reached
//! another way. The default `nodecount` is 80.

use crate::error::Result;
use crate::model::Profile;
use crate::sort::SortStable;

use super::filter;
use super::graph::{cutoff, Graph, NodeTags, Tag, TagSources};
use super::nodes::{NodeInfo, NodeTable};
use super::options::ReportOptions;
use super::report::ReportContext;

/// pprof's `maxNodelets`: nodelets shown per node and per numeric group.
pub const MAX_NODELETS: usize = 4;

/// A call graph ready to draw.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallGraph {
    pub context: ReportContext,
    /// Nodes before the `nodecount` selection.
    pub orig_count: usize,
    /// Nodes under the node cutoff, edges under the edge cutoff.
    pub dropped_nodes: usize,
    pub dropped_edges: usize,
    pub node_cutoff: i64,
    pub edge_cutoff: i64,
    /// Nodes in pprof's order (a node's DOT id is its index + 1).
    pub nodes: Vec<GraphNode>,
    /// Edges as pprof lists them: heaviest first, then by names.
    pub edges: Vec<GraphEdge>,
}

impl CallGraph {
    /// The largest |flat| of a node: box sizes are relative to it.
    pub fn max_flat(&self) -> f64 {
        self.nodes
            .iter()
            .map(|n| n.flat.unsigned_abs())
            .max()
            .unwrap_or(0) as f64
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GraphNode {
    pub info: NodeInfo,
    /// pprof's printable name (`main.(*T).F`, with file:line at line granularity).
    pub name: String,
    pub flat: i64,
    pub cum: i64,
    pub tags: GraphTags,
    /// Whether the node calls any node shown (leaf nodes show cum tags).
    pub has_callees: bool,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GraphTags {
    pub labels: Vec<Tag>,
    pub numeric: Vec<(String, Vec<Tag>)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GraphEdge {
    /// Indices into `nodes`.
    pub src: usize,
    pub dst: usize,
    pub weight: i64,
    /// The call skips nodes that were pruned (drawn dotted).
    pub residual: bool,
    /// The callee was inlined.
    pub inline: bool,
}

/// pprof's graph for a prepared profile, with its `-nodecount` default of
/// 80 unless `options.node_count` says otherwise.
pub fn callgraph(p: &Profile, options: &ReportOptions) -> Result<CallGraph> {
    let sample_type = p.sample_type_index(&options.sample_index)?;
    let view = filter::apply(p, &options.filters)?;
    let mut context = ReportContext::new(p, sample_type, &view, options.filters.active());
    let paths = options.paths();
    let table = NodeTable::build(&view, options.aggregation(), &paths);
    let names: Vec<String> = table.infos.iter().map(|i| i.printable_name()).collect();
    let sources = TagSources::new(p);
    let build = |kept: Option<&[bool]>| {
        Graph::build(&view, &table, sample_type, kept, options.drop_negative)
    };
    let node_count = if options.node_count == 0 {
        80
    } else {
        options.node_count
    };

    // pprof's newTrimmedGraph, visual mode (Go 1.19's order of steps).
    // The nodes' values alone decide which pass the node cutoff, so the
    // whole graph is walked without its edges, and the edges are walked
    // once, among the nodes kept.
    let whole = Graph::build_nodes(&view, &table, sample_type, options.drop_negative);
    let total = whole.flat_sum();
    let node_cutoff = cutoff(total, options.node_fraction);
    let edge_cutoff = cutoff(total, options.edge_fraction);
    let mut dropped_nodes = 0;
    let mut kept = None;
    if node_cutoff > 0 {
        let mut passed = vec![false; table.len()];
        for &n in &whole.nodes {
            passed[n as usize] = whole.cum[n as usize].unsigned_abs() >= node_cutoff.unsigned_abs();
        }
        let count = passed.iter().filter(|&&k| k).count();
        if count != whole.nodes.len() {
            dropped_nodes = whole.nodes.len() - count;
            kept = Some(passed);
        }
    }
    let mut g = build(kept.as_deref());
    let orig_count = g.nodes.len();
    entropy_sort(&mut g, &table, &names);
    // Tags only for the nodes that can be drawn: choosing the top nodes
    // counts the tags of at most the first node_count, and the graph
    // keeps some of those.
    let mut tags = sources.tags_of(
        &view,
        &table,
        sample_type,
        &g.nodes[..node_count.min(g.nodes.len())],
    );
    trim_tags(&g.nodes, &mut tags, node_cutoff);
    g.trim_edges(edge_cutoff);
    let kept_nodes = select_top_nodes(&g, &tags, node_count);
    if kept_nodes != g.nodes.len() {
        let mut kept = vec![false; table.len()];
        for &n in &g.nodes[..kept_nodes] {
            kept[n as usize] = true;
        }
        g = build(Some(&kept));
        entropy_sort(&mut g, &table, &names);
    }
    trim_tags(&g.nodes, &mut tags, node_cutoff);
    let dropped_edges = g.trim_edges(edge_cutoff);
    remove_redundant_edges(&mut g, &names);
    context.choose_output_unit(&options.unit, &g);

    let index_of: Vec<usize> = {
        let mut idx = vec![usize::MAX; table.len()];
        for (i, &n) in g.nodes.iter().enumerate() {
            idx[n as usize] = i;
        }
        idx
    };
    let mut edges: Vec<GraphEdge> = g
        .live_edges()
        .filter(|e| {
            index_of[e.src as usize] != usize::MAX && index_of[e.dst as usize] != usize::MAX
        })
        .map(|e| GraphEdge {
            src: index_of[e.src as usize],
            dst: index_of[e.dst as usize],
            weight: e.weight,
            residual: e.residual,
            inline: e.inline,
        })
        .collect();
    let node_name = |i: usize| &names[g.nodes[i] as usize];
    edges.sort_stable_by(|a, b| {
        b.weight
            .unsigned_abs()
            .cmp(&a.weight.unsigned_abs())
            .then_with(|| node_name(a.src).cmp(node_name(b.src)))
            .then_with(|| node_name(a.dst).cmp(node_name(b.dst)))
    });
    let mut has_callees = vec![false; g.nodes.len()];
    for e in &edges {
        has_callees[e.src] = true;
    }
    let nodes: Vec<GraphNode> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let t = &tags[n as usize];
            GraphNode {
                info: table.infos[n as usize].clone(),
                name: names[n as usize].clone(),
                flat: g.flat[n as usize],
                cum: g.cum[n as usize],
                tags: GraphTags {
                    labels: t.labels.clone(),
                    numeric: t.numeric.clone(),
                },
                has_callees: has_callees[i],
            }
        })
        .collect();
    Ok(CallGraph {
        node_cutoff: cutoff(context.total, options.node_fraction),
        edge_cutoff: cutoff(context.total, options.edge_fraction),
        context,
        orig_count,
        dropped_nodes,
        dropped_edges,
        nodes,
        edges,
    })
}

fn trim_tags(nodes: &[u32], tags: &mut [NodeTags], cutoff: i64) {
    for &n in nodes {
        tags[n as usize].trim(cutoff);
    }
}

/// Live edges into and out of each node.
fn adjacency(g: &Graph) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let n = g.flat.len();
    let (mut ins, mut outs) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    for (e, edge) in g.edges.iter().enumerate() {
        if g.edge_alive[e] {
            ins[edge.dst as usize].push(e);
            outs[edge.src as usize].push(e);
        }
    }
    (ins, outs)
}

/// pprof's `EntropyOrder`: by |entropy score|, then name, then |flat|,
/// then the node's identity.
fn entropy_sort(g: &mut Graph, table: &NodeTable, names: &[String]) {
    let (ins, outs) = adjacency(g);
    let mut score = vec![0i64; g.flat.len()];
    for &n in &g.nodes {
        let n = n as usize;
        let mut s = 0.0;
        s += if ins[n].is_empty() {
            1.0
        } else {
            edge_entropy(g, &ins[n], 0)
        };
        s += if outs[n].is_empty() {
            1.0
        } else {
            edge_entropy(g, &outs[n], g.flat[n])
        };
        score[n] = (s * g.cum[n] as f64) as i64 + g.flat[n];
    }
    let flat = &g.flat;
    g.nodes.sort_stable_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        score[b]
            .unsigned_abs()
            .cmp(&score[a].unsigned_abs())
            .then_with(|| names[a].cmp(&names[b]))
            .then_with(|| flat[b].unsigned_abs().cmp(&flat[a].unsigned_abs()))
            .then_with(|| table.infos[a].go_sprint().cmp(&table.infos[b].go_sprint()))
    });
}

/// pprof's `edgeEntropyScore`.
fn edge_entropy(g: &Graph, edges: &[usize], own: i64) -> f64 {
    let mut total = own;
    for &e in edges {
        if g.edges[e].weight > 0 {
            total += g.edges[e].weight.abs();
        }
    }
    let mut score = 0.0;
    if total != 0 {
        for &e in edges {
            let frac = g.edges[e].weight.abs() as f64 / total as f64;
            score += -frac * frac.log2();
        }
        if own > 0 {
            let frac = own.abs() as f64 / total as f64;
            score += -frac * frac.log2();
        }
    }
    score
}

/// pprof's `selectTopNodes` in visual mode: how many of the sorted nodes
/// fit in `max` when each also brings its (flat) tags, at most 4.
fn select_top_nodes(g: &Graph, tags: &[NodeTags], max: usize) -> usize {
    let mut limit = max;
    let mut count = 0;
    for (i, &n) in g.nodes.iter().enumerate() {
        let tags = count_tags(&tags[n as usize]).min(MAX_NODELETS);
        count += tags + 1;
        if count >= max {
            limit = i + 1;
            break;
        }
    }
    limit.min(g.nodes.len())
}

fn count_tags(t: &NodeTags) -> usize {
    t.labels.iter().filter(|t| t.flat != 0).count()
        + t.numeric
            .iter()
            .map(|(_, tags)| tags.iter().filter(|t| t.flat != 0).count())
            .sum::<usize>()
}

/// pprof's `RemoveRedundantEdges`: for each node from the last, its
/// lightest residual in-edges go when the source still reaches the node
/// another way; stops at the first non-residual edge.
fn remove_redundant_edges(g: &mut Graph, names: &[String]) {
    let order: Vec<u32> = g.nodes.clone();
    for &n in order.iter().rev() {
        let mut ins: Vec<usize> = (0..g.edges.len())
            .filter(|&e| g.edge_alive[e] && g.edges[e].dst == n)
            .collect();
        ins.sort_stable_by(|&a, &b| {
            let (ea, eb) = (&g.edges[a], &g.edges[b]);
            eb.weight
                .unsigned_abs()
                .cmp(&ea.weight.unsigned_abs())
                .then_with(|| names[ea.src as usize].cmp(&names[eb.src as usize]))
                .then_with(|| names[ea.dst as usize].cmp(&names[eb.dst as usize]))
        });
        for &e in ins.iter().rev() {
            if !g.edges[e].residual {
                break;
            }
            if is_redundant(g, e) {
                g.edge_alive[e] = false;
            }
        }
    }
}

/// Whether the source of edge `e` reaches its destination without it.
fn is_redundant(g: &Graph, e: usize) -> bool {
    let (src, dst) = (g.edges[e].src, g.edges[e].dst);
    let mut seen = std::collections::HashSet::new();
    seen.insert(dst);
    let mut queue = std::collections::VecDeque::from([dst]);
    while let Some(n) = queue.pop_front() {
        for (k, edge) in g.edges.iter().enumerate() {
            if !g.edge_alive[k] || edge.dst != n || k == e || seen.contains(&edge.src) {
                continue;
            }
            if edge.src == src {
                return true;
            }
            seen.insert(edge.src);
            queue.push_back(edge.src);
        }
    }
    false
}

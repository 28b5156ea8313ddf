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
use crate::units::{abs64, go_int64};

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
    let above = whole.nodes_above(node_cutoff);
    let dropped_nodes = above.as_ref().map_or(0, |a| a.dropped);
    let mut g = build(above.as_ref().map(|a| a.mask.as_slice()));
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
    if let Some(top) = g.top_nodes(select_top_nodes(&g, &tags, node_count)) {
        g = build(Some(&top));
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
        abs64(b.weight)
            .cmp(&abs64(a.weight))
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
        score[n] = go_int64(s * g.cum[n] as f64).wrapping_add(g.flat[n]);
    }
    let flat = &g.flat;
    g.nodes.sort_stable_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        abs64(score[b])
            .cmp(&abs64(score[a]))
            .then_with(|| names[a].cmp(&names[b]))
            .then_with(|| abs64(flat[b]).cmp(&abs64(flat[a])))
            .then_with(|| table.infos[a].go_sprint().cmp(&table.infos[b].go_sprint()))
    });
}

/// pprof's `edgeEntropyScore` (its int64 sum wraps).
fn edge_entropy(g: &Graph, edges: &[usize], own: i64) -> f64 {
    let mut total = own;
    for &e in edges {
        if g.edges[e].weight > 0 {
            total = total.wrapping_add(abs64(g.edges[e].weight));
        }
    }
    let mut score = 0.0;
    if total != 0 {
        for &e in edges {
            let frac = abs64(g.edges[e].weight) as f64 / total as f64;
            score += -frac * frac.log2();
        }
        if own > 0 {
            let frac = own as f64 / total as f64;
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
            abs64(eb.weight)
                .cmp(&abs64(ea.weight))
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

//! `top`: the nodes ranked by flat (or cum) value, pprof's text report.

use crate::error::Result;
use crate::model::Profile;

use super::filter;
use super::graph::{self, Trim};
use super::nodes::NodeTable;
use super::options::ReportOptions;
use super::report::ReportContext;

/// One row of `top`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopRow {
    /// The node's name at the chosen granularity (`bytes.Repeat`).
    pub name: String,
    /// Every call into this node was inlined (pprof's `(inline)`).
    pub inline: bool,
    /// Some calls into this node were inlined, some not (`(partial-inline)`).
    pub partial_inline: bool,
    /// Exclusive value, in the sample type's unit.
    pub flat: i64,
    /// Inclusive value, in the sample type's unit.
    pub cum: i64,
}

/// The `top` report: rows in pprof's order, with what was left out.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopReport {
    pub context: ReportContext,
    pub rows: Vec<TopRow>,
    /// Sum of the flat values of the rows shown.
    pub shown_flat: i64,
    /// Nodes dropped for being under `node_fraction` of the total.
    pub dropped_nodes: usize,
    /// Nodes before `node_count` kept the top ones.
    pub nodes_before_limit: usize,
    /// The |cum| under which nodes were dropped.
    pub node_cutoff: i64,
}

/// Computes `top` on a prepared profile (see [`super::source::prepare`]).
pub fn top(p: &Profile, options: &ReportOptions) -> Result<TopReport> {
    let sample_type = p.sample_type_index(&options.sample_index)?;
    let view = filter::apply(p, &options.filters)?;
    let mut context = ReportContext::new(p, sample_type, &view, options.filters.active());
    let paths = options.paths();
    let table = NodeTable::build(&view, options.aggregation(), &paths);
    let names: Vec<String> = table.infos.iter().map(|i| i.printable_name()).collect();
    let trimmed = graph::trimmed(
        &view,
        &table,
        &names,
        sample_type,
        &Trim {
            node_fraction: options.node_fraction,
            edge_fraction: options.edge_fraction,
            node_count: options.node_count,
            sort: options.sort,
            drop_negative: options.drop_negative,
        },
    );
    let g = &trimmed.graph;
    context.choose_output_unit(&options.unit, g);

    // A node is "(inline)" when all its live in-edges are inline calls.
    let mut has_inline = vec![false; table.len()];
    let mut has_call = vec![false; table.len()];
    for e in g.live_edges() {
        if e.inline {
            has_inline[e.dst as usize] = true;
        } else {
            has_call[e.dst as usize] = true;
        }
    }
    let rows: Vec<TopRow> = g
        .nodes
        .iter()
        .map(|&n| {
            let n = n as usize;
            TopRow {
                name: names[n].clone(),
                inline: has_inline[n] && !has_call[n],
                partial_inline: has_inline[n] && has_call[n],
                flat: g.flat[n],
                cum: g.cum[n],
            }
        })
        .collect();
    Ok(TopReport {
        shown_flat: g.flat_sum(),
        node_cutoff: graph::cutoff(context.total, options.node_fraction),
        context,
        rows,
        dropped_nodes: trimmed.dropped_nodes,
        nodes_before_limit: trimmed.orig_count,
    })
}

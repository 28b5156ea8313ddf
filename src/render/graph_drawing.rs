//! The call graph drawn: pprof's boxes (labels, font sizes and colours as
//! in its DOT), nodelets for sample labels, edges with widths, colours,
//! dotted residual calls and weights, placed by [`super::layout`]. The
//! drawing is data, so the page builds its SVG with DOM calls (names stay
//! text) and the CLI writes the same as an SVG file ([`svg`]).

use std::fmt::Write;

use crate::analysis::callgraph::{CallGraph, GraphNode, MAX_NODELETS};
use crate::analysis::graph::Tag;
use crate::units::percentage;

use super::dot::{dot_color, shorten_function_name, sort_tags};
use super::layout::{layout, smooth_path, Edge, Node, Spacing};
use super::text::graph_labels;

#[derive(Debug, Clone, serde::Serialize)]
pub struct GraphDrawing {
    pub width: f64,
    pub height: f64,
    /// The legend (pprof's): drawn top left.
    pub legend: Vec<String>,
    pub legend_height: f64,
    pub nodes: Vec<DrawnNode>,
    pub edges: Vec<DrawnEdge>,
    /// Crossings between edges, counted on the ranks.
    pub crossings: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DrawnNode {
    /// Index into the call graph's nodes; `None` for a nodelet.
    pub node: Option<usize>,
    /// Centre and size.
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub lines: Vec<String>,
    pub font_size: f64,
    pub fill: String,
    pub stroke: String,
    /// The function's full name and values (the page shows it on hover).
    pub tooltip: String,
    /// The function name, and a regex matching exactly it (for focus,
    /// ignore, hide).
    pub name: String,
    pub name_regex: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DrawnEdge {
    /// Indices into `nodes`.
    pub src: usize,
    pub dst: usize,
    /// SVG path data (numbers only).
    pub path: String,
    /// The arrowhead: a triangle's points.
    pub arrow: String,
    pub stroke: String,
    pub width: f64,
    pub dotted: bool,
    pub label: String,
    pub label_x: f64,
    pub label_y: f64,
    pub tooltip: String,
}

const CHAR: f64 = 0.6;
const LINE: f64 = 1.25;
const PAD: f64 = 6.0;
const LEGEND_FONT: f64 = 13.0;

/// Lays out a call graph.
pub fn draw(g: &CallGraph) -> GraphDrawing {
    let c = &g.context;
    let max_flat = g.max_flat();
    let mut nodes: Vec<DrawnNode> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| node_box(g, i, n, max_flat))
        .collect();
    let mut layout_edges: Vec<Edge> = Vec::new();
    let mut edge_info: Vec<(usize, usize, Option<usize>)> = Vec::new(); // (src, dst, call-graph edge)
    let mut has_nodelets = vec![false; g.nodes.len()];
    // Nodelets: a node's label and numeric tags, below it.
    for (i, n) in g.nodes.iter().enumerate() {
        for (name, weight) in nodelets(n) {
            let lines: Vec<String> = name.split("\\n").map(str::to_string).collect();
            let (w, h) = size(&lines, 8.0);
            nodes.push(DrawnNode {
                node: None,
                x: 0.0,
                y: 0.0,
                w,
                h,
                lines,
                font_size: 8.0,
                fill: "#f8f8f8".into(),
                stroke: "#888888".into(),
                tooltip: c.format(weight),
                name_regex: String::new(),
                name: name.clone(),
            });
            layout_edges.push(Edge {
                src: i,
                dst: nodes.len() - 1,
                weight: 100.0,
                minlen: 1,
            });
            edge_info.push((i, nodes.len() - 1, None));
            has_nodelets[i] = true;
        }
    }
    for (k, e) in g.edges.iter().enumerate() {
        let weight = if c.total != 0 {
            1 + (e.weight.wrapping_mul(100) / c.total.unsigned_abs() as i64)
                .unsigned_abs()
                .min(100)
        } else {
            1
        };
        layout_edges.push(Edge {
            src: e.src,
            dst: e.dst,
            weight: weight as f64,
            minlen: if has_nodelets[e.src] { 2 } else { 1 },
        });
        edge_info.push((e.src, e.dst, Some(k)));
    }
    let boxes: Vec<Node> = nodes
        .iter()
        .map(|n| Node {
            width: n.w,
            height: n.h,
        })
        .collect();
    let placed = layout(
        &boxes,
        &layout_edges,
        Spacing {
            node: 18.0,
            rank: 46.0,
        },
    );
    let legend = graph_labels(g);
    let legend_lines: usize = legend.iter().map(|l| l.lines().count().max(1)).sum();
    let legend_height = legend_lines as f64 * LEGEND_FONT * LINE + 2.0 * PAD;
    let top = legend_height + 20.0;
    let left = 10.0;
    for (n, &(x, y)) in nodes.iter_mut().zip(&placed.centres) {
        n.x = x + left;
        n.y = y + top;
    }
    let edges = placed
        .routes
        .iter()
        .zip(&edge_info)
        .filter(|(r, _)| r.len() >= 2)
        .map(|(route, &(src, dst, call))| {
            let pts: Vec<(f64, f64)> = route.iter().map(|&(x, y)| (x + left, y + top)).collect();
            let mid = midpoint(&pts);
            let arrow = arrowhead(&pts);
            match call.map(|k| &g.edges[k]) {
                Some(e) => {
                    let w = c.format(e.weight);
                    let width = if c.total != 0 {
                        1 + (e.weight.wrapping_mul(5) / c.total.unsigned_abs() as i64)
                            .unsigned_abs()
                            .min(5)
                    } else {
                        1
                    };
                    let arrow_text = if e.residual { "..." } else { "->" };
                    DrawnEdge {
                        src,
                        dst,
                        path: smooth_path(&pts),
                        arrow,
                        stroke: if c.total != 0 {
                            dot_color(e.weight as f64 / c.total.unsigned_abs() as f64, false)
                        } else {
                            "#888888".into()
                        },
                        width: width as f64,
                        dotted: e.residual,
                        label: if e.inline {
                            format!("{w} (inline)")
                        } else {
                            w.clone()
                        },
                        label_x: mid.0 + 4.0,
                        label_y: mid.1,
                        tooltip: format!(
                            "{} {arrow_text} {} ({w})",
                            g.nodes[e.src].name, g.nodes[e.dst].name
                        ),
                    }
                }
                None => DrawnEdge {
                    src,
                    dst,
                    path: smooth_path(&pts),
                    arrow,
                    stroke: "#888888".into(),
                    width: 1.0,
                    dotted: false,
                    label: nodes[dst].tooltip.clone(),
                    label_x: mid.0 + 4.0,
                    label_y: mid.1,
                    tooltip: nodes[dst].tooltip.clone(),
                },
            }
        })
        .collect();
    let legend_width = legend
        .iter()
        .flat_map(|l| l.lines())
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as f64
        * LEGEND_FONT
        * CHAR
        + 2.0 * PAD;
    GraphDrawing {
        width: (placed.width + 2.0 * left).max(legend_width + 2.0 * left),
        height: placed.height + top + 10.0,
        legend,
        legend_height,
        nodes,
        edges,
        crossings: placed.crossings,
    }
}

/// A node's box: pprof's label and font size, colours from cum.
fn node_box(g: &CallGraph, _index: usize, n: &GraphNode, max_flat: f64) -> DrawnNode {
    let c = &g.context;
    let mut lines: Vec<String> = name_lines(n);
    let flat = c.format(n.flat);
    let mut values = if n.flat != 0 {
        vec![format!("{flat} ({})", percentage(n.flat, c.total).trim())]
    } else {
        vec!["0".to_string()]
    };
    if n.cum != n.flat {
        let of = format!(
            "of {} ({})",
            c.format(n.cum),
            percentage(n.cum, c.total).trim()
        );
        if n.flat != 0 {
            values.push(of);
        } else {
            values[0] = format!("0 {of}");
        }
    }
    lines.extend(values);
    let mut font_size = 8.0;
    if max_flat != 0.0 && n.flat != 0 && n.flat.unsigned_abs() as f64 <= max_flat {
        font_size += (16.0 * (n.flat.unsigned_abs() as f64 / max_flat).sqrt()).ceil();
    }
    let (w, h) = size(&lines, font_size);
    let share = n.cum as f64 / c.total.unsigned_abs().max(1) as f64;
    DrawnNode {
        node: Some(_index),
        x: 0.0,
        y: 0.0,
        w,
        h,
        lines,
        font_size,
        fill: dot_color(share, true),
        stroke: dot_color(share, false),
        tooltip: format!("{} ({})", n.name, c.format(n.cum)),
        name_regex: format!("^{}$", regex::escape(&n.info.name)),
        name: n.info.name.clone(),
    }
}

/// pprof's multi-line name: the shortened name split at dots and `::`.
fn name_lines(n: &GraphNode) -> Vec<String> {
    let info = &n.info;
    let mut lines: Vec<String> = Vec::new();
    if info.address != 0 {
        lines.push(format!("{:016x}", info.address));
    }
    let short = shorten_function_name(&info.name).replace("[...]", "[…]");
    lines.extend(
        short
            .split("::")
            .flat_map(|p| p.split('.'))
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    );
    let file = info.file.rsplit('/').next().unwrap_or("");
    if info.lineno != 0 {
        lines.push(format!("{file}:{}", info.lineno));
    } else if !file.is_empty() {
        lines.push(file.to_string());
    } else if info.name.is_empty() {
        lines.push(if info.objfile.is_empty() {
            "<unknown>".to_string()
        } else {
            format!("[{}]", info.objfile.rsplit('/').next().unwrap_or(""))
        });
    }
    lines
}

/// The nodelets pprof draws for a node: (name, weight).
fn nodelets(n: &GraphNode) -> Vec<(String, i64)> {
    let flat_tags = n.has_callees;
    let weight = |t: &Tag| if flat_tags { t.flat } else { t.cum };
    let mut labels: Vec<&Tag> = n.tags.labels.iter().collect();
    sort_tags(&mut labels, flat_tags);
    let mut out: Vec<(String, i64)> = labels
        .into_iter()
        .take(MAX_NODELETS)
        .filter(|t| weight(t) != 0)
        .map(|t| (t.name.clone(), weight(t)))
        .collect();
    if let Some((_, tags)) = n.tags.numeric.iter().find(|(l, _)| l.is_empty()) {
        let mut numeric: Vec<&Tag> = tags.iter().filter(|t| weight(t) != 0).collect();
        numeric.sort_by(|a, b| {
            weight(b)
                .unsigned_abs()
                .cmp(&weight(a).unsigned_abs())
                .then_with(|| a.name.cmp(&b.name))
        });
        out.extend(
            numeric
                .into_iter()
                .take(MAX_NODELETS)
                .map(|t| (t.name.clone(), weight(t))),
        );
    }
    out
}

fn size(lines: &[String], font: f64) -> (f64, f64) {
    let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64;
    (
        chars * font * CHAR + 2.0 * PAD,
        lines.len() as f64 * font * LINE + PAD,
    )
}

fn midpoint(pts: &[(f64, f64)]) -> (f64, f64) {
    let i = (pts.len() - 1) / 2;
    let (a, b) = (pts[i], pts[(i + 1).min(pts.len() - 1)]);
    ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
}

/// An arrowhead at the end of a route (which arrives vertically).
fn arrowhead(pts: &[(f64, f64)]) -> String {
    let (x, y) = pts[pts.len() - 1];
    let before = pts[pts.len() - 2];
    let dir = if before.1 <= y { 1.0 } else { -1.0 };
    format!(
        "{x:.1},{y:.1} {:.1},{:.1} {:.1},{:.1}",
        x - 4.0,
        y - 8.0 * dir,
        x + 4.0,
        y - 8.0 * dir
    )
}

/// The drawing as a standalone SVG file (every name escaped).
pub fn svg(d: &GraphDrawing) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="sans-serif">"#,
        w = d.width,
        h = d.height
    );
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    let _ = writeln!(
        out,
        r##"<g class="legend"><rect x="10" y="10" width="{:.1}" height="{:.1}" fill="#f8f8f8" stroke="#cccccc"/>"##,
        d.width - 20.0,
        d.legend_height
    );
    let mut y = 10.0 + PAD + LEGEND_FONT;
    for line in d.legend.iter().flat_map(|l| l.split('\n')) {
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{y:.1}" font-size="{LEGEND_FONT}">{}</text>"#,
            10.0 + PAD,
            super::xml_escape(line)
        );
        y += LEGEND_FONT * LINE;
    }
    out.push_str("</g>\n");
    for e in &d.edges {
        let dash = if e.dotted {
            r#" stroke-dasharray="2,3""#
        } else {
            ""
        };
        let _ = writeln!(
            out,
            r##"<g class="edge"><title>{}</title><path d="{}" fill="none" stroke="{}" stroke-width="{}"{dash}/><polygon points="{}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="9" fill="#555555">{}</text></g>"##,
            super::xml_escape(&e.tooltip),
            e.path,
            e.stroke,
            e.width,
            e.arrow,
            e.stroke,
            e.label_x,
            e.label_y,
            super::xml_escape(&e.label)
        );
    }
    for n in &d.nodes {
        let _ = write!(
            out,
            r#"<g class="node"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" stroke="{}"/>"#,
            super::xml_escape(&n.tooltip),
            n.x - n.w / 2.0,
            n.y - n.h / 2.0,
            n.w,
            n.h,
            n.fill,
            n.stroke
        );
        let top = n.y - n.h / 2.0 + PAD / 2.0 + n.font_size;
        for (k, line) in n.lines.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="{}" text-anchor="middle">{}</text>"#,
                n.x,
                top + k as f64 * n.font_size * LINE,
                n.font_size,
                super::xml_escape(line)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

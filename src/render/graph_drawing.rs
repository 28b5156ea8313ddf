//! The call graph drawn: pprof's boxes (labels and colours as in its DOT,
//! font sizes by its rule on a readable range), nodelets for sample
//! labels, edges with widths, colours, dotted residual calls and weights,
//! placed by [`super::layout`]. The drawing is data, so the page builds
//! its SVG with DOM calls (names stay text) and the CLI writes the same as
//! an SVG file ([`svg`]).
//!
//! Drawn to be read at scale 1: no text is smaller than [`MIN_FONT`], so
//! a page that shows the drawing at scale ≥ 1 shows every label at
//! ≥ 11 px. To fit a small graph on a screen at that scale the drawing
//! is compact where pprof's DOT is not: a name takes as few lines as fit
//! [`NAME_WIDTH`] characters (pprof: one line per dot-separated part),
//! ranks are closer, and the legend goes beside the graph when that
//! makes the whole drawing fit a landscape screen better.

use crate::sort::SortStable;
use std::fmt::Write;

use crate::analysis::callgraph::{CallGraph, GraphNode, MAX_NODELETS};
use crate::analysis::graph::Tag;
use crate::units::percentage;

use super::dot::{dot_color, shorten_function_name, sort_tags};
use super::layout::{curve_point, order, path_points, smooth_path, Edge, Node, Placed, Spacing};
use super::text::graph_labels;

#[derive(Debug, Clone, serde::Serialize)]
pub struct GraphDrawing {
    pub width: f64,
    pub height: f64,
    /// The legend (pprof's): its lines (one may hold `\n`), drawn in
    /// `legend_box` (top left: above the graph or beside it) at
    /// `legend_font`.
    pub legend: Vec<String>,
    pub legend_box: Rect,
    pub legend_font: f64,
    pub nodes: Vec<DrawnNode>,
    pub edges: Vec<DrawnEdge>,
    /// The edge labels' font size.
    pub edge_font: f64,
    /// The smallest font size of any text in the drawing.
    pub min_font: f64,
    /// The heaviest path: indices into `nodes`, down to the node with the
    /// largest flat value, each node reached through its heaviest
    /// incoming call, from one nobody calls (or where a cycle closes);
    /// and the box around them (where the page opens a graph too big to
    /// show whole).
    pub hot_path: Vec<usize>,
    pub hot_box: Rect,
    /// Crossings between edges, counted on the ranks.
    pub crossings: usize,
}

/// A rectangle: top left corner and size.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    fn around(a: Rect, b: Rect) -> Rect {
        let (x, y) = (a.x.min(b.x), a.y.min(b.y));
        Rect {
            x,
            y,
            w: (a.x + a.w).max(b.x + b.w) - x,
            h: (a.y + a.h).max(b.y + b.h) - y,
        }
    }
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

const LINE: f64 = 1.25;
const PAD: f64 = 6.0;
const LEGEND_FONT: f64 = 13.0;
/// The font of the lightest nodes, nodelets and edge labels: 11 px at
/// scale 1 (pprof's DOT: 8 points).
pub const MIN_FONT: f64 = 11.0;
/// The font of the node with the largest flat value (pprof's too).
const MAX_FONT: f64 = 24.0;
/// A node's name is wrapped to lines of at most this many characters
/// (or its widest value line, if wider), at dots and `::`.
pub const NAME_WIDTH: usize = 28;
/// The margin around the drawing and the gap between legend and graph.
const MARGIN: f64 = 10.0;
const GAP: f64 = 20.0;
/// The screen shape the legend's place is chosen for (landscape).
const SCREEN_ASPECT: f64 = 2.0;
/// The most calls drawn: pprof's trimming keeps up to 80 nodes but, when
/// every function calls every other, ~N² calls (6,000 for 80 nodes),
/// whose layout would take minutes and whose drawing no one could read.
/// Past this many the lightest are left out, and the legend says so
/// (the corpus's largest graphs have ~130; `dot` lists every call).
pub const MAX_DRAWN_CALLS: usize = 400;

/// Lays out a call graph.
pub fn draw(g: &CallGraph) -> GraphDrawing {
    let c = &g.context;
    // Box sizes relative to the largest |flat|. Not pprof's max_flat (the
    // DOT's): that one is negative when the first node's flat is MinInt64,
    // which would draw every box at the smallest size.
    let max_flat = g
        .nodes
        .iter()
        .map(|n| n.flat.unsigned_abs())
        .max()
        .unwrap_or(0) as f64;
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
            let (w, h) = size(&lines, MIN_FONT);
            nodes.push(DrawnNode {
                node: None,
                x: 0.0,
                y: 0.0,
                w,
                h,
                lines,
                font_size: MIN_FONT,
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
    let drawn = drawn_calls(g);
    for (k, e) in g.edges.iter().enumerate().filter(|(k, _)| drawn[*k]) {
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
    let spacing = Spacing {
        node: 18.0,
        rank: 28.0,
        busy_rank: 34.0,
    };
    let ordered = order(&boxes, &layout_edges, spacing.node);
    let mut placed = ordered.place(&boxes, spacing, &[]);
    // Gaps between ranks where some labels found no place clear of the
    // lines, boxes and other labels (a fan of calls out of one box) get
    // more room, once: the heights and routes again, not the order.
    let extra = {
        let labelled = labelled_edges(g, &placed, &edge_info, &mut nodes);
        let rects: Vec<Rect> = nodes.iter().map(DrawnNode::rect).collect();
        crowded_gaps(&placed, &labelled, &place_labels(&labelled, &rects))
    };
    if extra.iter().any(|&e| e > 0.0) {
        placed = ordered.place(&boxes, spacing, &extra);
    }
    // Each drawn edge's route and label, in the layout's coordinates:
    // the labels are part of the drawing's extent (one beside the
    // rightmost edge would otherwise be cut off at the SVG's edge).
    let labelled = labelled_edges(g, &placed, &edge_info, &mut nodes);
    let boxes: Vec<Rect> = nodes.iter().map(DrawnNode::rect).collect();
    let label_places: Vec<(f64, f64)> = place_labels(&labelled, &boxes)
        .into_iter()
        .map(|(at, _)| at)
        .collect();
    let extent = labelled
        .iter()
        .zip(&label_places)
        .map(|(l, &at)| label_box(at, &l.label))
        .fold(
            Rect {
                x: 0.0,
                y: 0.0,
                w: placed.width,
                h: placed.height,
            },
            Rect::around,
        );
    // The legend above the graph or beside it, whichever fits a
    // landscape screen at the larger scale.
    let mut legend = graph_labels(g);
    let left_out = g.edges.len() - drawn.iter().filter(|&&d| d).count();
    if left_out > 0 {
        legend.push(format!(
            "{left_out} of {} calls not drawn: the lightest (a drawing shows at most {MAX_DRAWN_CALLS}; `dot` lists them all)",
            g.edges.len()
        ));
    }
    if placed.cut_short {
        legend.push("Crossings reduced only as far as the layout's work budget allows".to_string());
    }
    let legend_lines: usize = legend.iter().map(|l| l.split('\n').count()).sum();
    let legend_width = legend
        .iter()
        .flat_map(|l| l.split('\n'))
        .map(ems)
        .fold(0.0, f64::max)
        * LEGEND_FONT
        + 2.0 * PAD;
    let legend_height = legend_lines as f64 * LEGEND_FONT * LINE + 2.0 * PAD;
    let fit = |w: f64, h: f64| (SCREEN_ASPECT / w).min(1.0 / h);
    let beside = fit(legend_width + GAP + extent.w, legend_height.max(extent.h))
        > fit(legend_width.max(extent.w), legend_height + GAP + extent.h);
    // Where the layout's origin goes: its extent (labels included) right
    // of the legend or below it.
    let (left, top) = if beside {
        (MARGIN + legend_width + GAP - extent.x, MARGIN - extent.y)
    } else {
        (MARGIN - extent.x, MARGIN + legend_height + GAP - extent.y)
    };
    for n in nodes.iter_mut() {
        n.x += left;
        n.y += top;
    }
    let edges = labelled
        .into_iter()
        .zip(label_places)
        .map(
            |(
                Labelled {
                    route,
                    src,
                    dst,
                    call,
                    stroke_width,
                    label,
                },
                (label_x, label_y),
            )| {
                let pts: Vec<(f64, f64)> =
                    route.iter().map(|&(x, y)| (x + left, y + top)).collect();
                let (label_x, label_y) = (label_x + left, label_y + top);
                let arrow = arrowhead(&pts);
                let path = smooth_path(&pts);
                match call.map(|k| &g.edges[k]) {
                    Some(e) => {
                        let arrow_text = if e.residual { "..." } else { "->" };
                        DrawnEdge {
                            src,
                            dst,
                            path,
                            arrow,
                            stroke: if c.total != 0 {
                                dot_color(e.weight as f64 / c.total.unsigned_abs() as f64, false)
                            } else {
                                "#888888".into()
                            },
                            width: stroke_width,
                            dotted: e.residual,
                            label,
                            label_x,
                            label_y,
                            tooltip: format!(
                                "{} {arrow_text} {} ({})",
                                g.nodes[e.src].name,
                                g.nodes[e.dst].name,
                                c.format(e.weight)
                            ),
                        }
                    }
                    None => DrawnEdge {
                        src,
                        dst,
                        path,
                        arrow,
                        stroke: "#888888".into(),
                        width: 1.0,
                        dotted: false,
                        tooltip: label.clone(),
                        label,
                        label_x,
                        label_y,
                    },
                }
            },
        )
        .collect();
    let legend_box = Rect {
        x: MARGIN,
        y: MARGIN,
        w: legend_width,
        h: legend_height,
    };
    let graph_box = Rect {
        x: extent.x + left,
        y: extent.y + top,
        w: extent.w,
        h: extent.h,
    };
    let all = Rect::around(legend_box, graph_box);
    let hot_path = hot_path(g);
    let hot_box = hot_path
        .iter()
        .map(|&i| nodes[i].rect())
        .reduce(Rect::around)
        .unwrap_or(graph_box);
    let min_font = nodes.iter().map(|n| n.font_size).fold(MIN_FONT, f64::min);
    GraphDrawing {
        width: all.x + all.w + MARGIN,
        height: all.y + all.h + MARGIN,
        legend,
        legend_box,
        legend_font: LEGEND_FONT,
        nodes,
        edges,
        edge_font: MIN_FONT,
        min_font,
        hot_path,
        hot_box,
        crossings: placed.crossings,
    }
}

/// Which of the call graph's edges are drawn: all, or the
/// [`MAX_DRAWN_CALLS`] heaviest (the first of equals, in pprof's order).
fn drawn_calls(g: &CallGraph) -> Vec<bool> {
    let mut drawn = vec![true; g.edges.len()];
    if g.edges.len() > MAX_DRAWN_CALLS {
        let mut by_weight: Vec<usize> = (0..g.edges.len()).collect();
        by_weight.sort_stable_by_key(|&k| std::cmp::Reverse(g.edges[k].weight.unsigned_abs()));
        for &k in &by_weight[MAX_DRAWN_CALLS..] {
            drawn[k] = false;
        }
    }
    drawn
}

impl DrawnNode {
    fn rect(&self) -> Rect {
        Rect {
            x: self.x - self.w / 2.0,
            y: self.y - self.h / 2.0,
            w: self.w,
            h: self.h,
        }
    }
}

/// The heaviest path to the node with the largest flat value (the first
/// of equals, in pprof's order): from it up through each node's heaviest
/// incoming call (the first of equals, pprof lists heavier calls first)
/// to a node with no caller, or to one already on the path (a cycle).
fn hot_path(g: &CallGraph) -> Vec<usize> {
    let Some(hottest) = g
        .nodes
        .iter()
        .enumerate()
        .rev()
        .max_by_key(|(_, n)| n.flat.unsigned_abs())
        .map(|(i, _)| i)
    else {
        return Vec::new();
    };
    let mut path = vec![hottest];
    let mut on_path = vec![false; g.nodes.len()];
    on_path[hottest] = true;
    while let Some(caller) = g
        .edges
        .iter()
        .filter(|e| e.dst == path[path.len() - 1] && !on_path[e.src])
        .rev()
        .max_by_key(|e| e.weight.unsigned_abs())
        .map(|e| e.src)
    {
        on_path[caller] = true;
        path.push(caller);
    }
    path.reverse();
    path
}

/// A node's box: pprof's label and font size, colours from cum.
fn node_box(g: &CallGraph, index: usize, n: &GraphNode, max_flat: f64) -> DrawnNode {
    let c = &g.context;
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
    // pprof's rule (8 + ⌈16·√(flat / max flat)⌉) from MIN_FONT up.
    let mut font_size = MIN_FONT;
    if max_flat != 0.0 && n.flat != 0 && n.flat.unsigned_abs() as f64 <= max_flat {
        font_size +=
            ((MAX_FONT - MIN_FONT) * (n.flat.unsigned_abs() as f64 / max_flat).sqrt()).ceil();
    }
    let width = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
    let mut lines = name_lines(n, width.max(NAME_WIDTH));
    lines.extend(values);
    let (w, h) = size(&lines, font_size);
    let share = n.cum as f64 / c.total.unsigned_abs().max(1) as f64;
    DrawnNode {
        node: Some(index),
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

/// A node's name lines: the shortened name (pprof's) wrapped at dots and
/// `::` to lines of at most `width` characters, then the address, file
/// and line as pprof adds them.
fn name_lines(n: &GraphNode, width: usize) -> Vec<String> {
    let info = &n.info;
    let mut lines: Vec<String> = Vec::new();
    if info.address != 0 {
        lines.push(format!("{:016x}", info.address));
    }
    let short = shorten_function_name(&info.name).replace("[...]", "[…]");
    lines.extend(wrap_name(&short, width));
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

/// A name cut at its dots and `::` outside brackets (a generic type's
/// `struct { a.B }` is one part) into lines of at most `width`
/// characters; a line break replaces the separator, as in pprof's
/// labels. A part longer than a line is cut after a comma, space, dot or
/// bracket, or, with none of them, at the width.
fn wrap_name(name: &str, width: usize) -> Vec<String> {
    // (separator before it, part)
    let mut parts: Vec<(&str, &str)> = Vec::new();
    let (mut depth, mut start, mut sep) = (0i32, 0, "");
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let step = match bytes[i] {
            b'(' | b'[' | b'{' | b'<' => {
                depth += 1;
                0
            }
            b')' | b']' | b'}' | b'>' => {
                depth -= 1;
                0
            }
            b'.' if depth <= 0 => 1,
            b':' if depth <= 0 && bytes.get(i + 1) == Some(&b':') => 2,
            _ => 0,
        };
        if step > 0 {
            parts.push((sep, &name[start..i]));
            sep = &name[i..i + step];
            start = i + step;
            i += step;
        } else {
            i += 1;
        }
    }
    parts.push((sep, &name[start..]));
    let mut lines: Vec<String> = Vec::new();
    for (sep, part) in parts.into_iter().filter(|(_, p)| !p.is_empty()) {
        match lines.last_mut() {
            Some(line) if line.chars().count() + sep.len() + part.chars().count() <= width => {
                line.push_str(sep);
                line.push_str(part);
            }
            _ => lines.extend(cut(part, width)),
        }
    }
    lines
}

/// A part of a name in lines of at most `width` characters, cut after
/// `, ; . [ ( {` or a space where there is one.
fn cut(part: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut chunk = String::new();
    let flush_chunk = |line: &mut String, chunk: &mut String, lines: &mut Vec<String>| {
        if line.chars().count() + chunk.chars().count() > width && !line.is_empty() {
            lines.push(std::mem::take(line).trim_end().to_string());
        }
        // A chunk longer than a line on its own: cut at the width.
        while chunk.chars().count() > width {
            let at = chunk
                .char_indices()
                .nth(width)
                .map_or(chunk.len(), |(i, _)| i);
            lines.push(chunk[..at].to_string());
            *chunk = chunk[at..].to_string();
        }
        line.push_str(chunk);
        chunk.clear();
    };
    for c in part.chars() {
        chunk.push(c);
        if matches!(c, ',' | ';' | '.' | '[' | '(' | '{' | ' ') {
            flush_chunk(&mut line, &mut chunk, &mut lines);
        }
    }
    flush_chunk(&mut line, &mut chunk, &mut lines);
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
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
        numeric.sort_stable_by(|a, b| {
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
    let widest = lines.iter().map(|l| ems(l)).fold(0.0, f64::max);
    (
        widest * font + 2.0 * PAD,
        lines.len() as f64 * font * LINE + PAD,
    )
}

/// The width of a line of text in ems, as DejaVu Sans sets it: the
/// widest of the fonts `sans-serif` usually is (Arial and Helvetica set
/// the same text narrower), so a box sized by it holds its text
/// wherever it is shown. The drawing is made where no font can be
/// measured (the core, in a worker or natively), and a flat 0.6 em a
/// character ran past the box on lines of digits (0.64 em each), `%`
/// (0.95) and capitals (up to 0.79). Measured as the SVG spells it (a
/// control character as `\x01`).
fn ems(line: &str) -> f64 {
    super::xml_chars(line)
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | 'J' | '\'' => 0.30,
            ' ' | '.' | ',' | ':' | ';' | '/' | '\\' | '|' | 'f' | '-' => 0.36,
            '(' | ')' | '[' | ']' | 't' | 'r' | '`' | '"' | '!' => 0.46,
            's' | 'z' | 'c' | '*' | '_' | 'F' | 'L' | '?' => 0.58,
            'm' | 'M' | 'W' | '%' | '@' => 1.0,
            'w' | '^' | '#' | '+' | '<' | '=' | '>' | '~' | '&' => 0.84,
            '0'..='9' | 'a'..='z' | '$' | '{' | '}' | 'P' | 'E' | 'S' | 'T' | 'Y' => 0.64,
            'A'..='Z' => 0.79,
            // Other scripts: CJK is a full em; most others are narrower.
            _ => 1.0,
        })
        .sum()
}

/// An edge's line width, as pprof's DOT sets `penwidth`: 1 + 5 × its
/// share of the total, whole pixels (1 to 6).
fn stroke_width_of(weight: i64, total: i64) -> f64 {
    if total != 0 {
        (1 + (weight.wrapping_mul(5) / total.unsigned_abs() as i64)
            .unsigned_abs()
            .min(5)) as f64
    } else {
        1.0
    }
}

/// The drawn edges of `placed` with their labels; sets the boxes at
/// their layout places (moved with the rest when the drawing is placed).
fn labelled_edges<'a>(
    g: &CallGraph,
    placed: &'a Placed,
    edge_info: &[(usize, usize, Option<usize>)],
    nodes: &mut [DrawnNode],
) -> Vec<Labelled<'a>> {
    for (n, &(x, y)) in nodes.iter_mut().zip(&placed.centres) {
        (n.x, n.y) = (x, y);
    }
    let c = &g.context;
    placed
        .routes
        .iter()
        .zip(edge_info)
        .filter(|(r, _)| r.len() >= 2)
        .map(|(route, &(src, dst, call))| Labelled {
            route,
            src,
            dst,
            call,
            stroke_width: call.map_or(1.0, |k| stroke_width_of(g.edges[k].weight, c.total)),
            label: match call.map(|k| &g.edges[k]) {
                Some(e) if e.inline => format!("{} (inline)", c.format(e.weight)),
                Some(e) => c.format(e.weight),
                None => nodes[dst].tooltip.clone(),
            },
        })
        .collect()
}

/// The room a crowded gap gets per label that found no clear place in
/// it, for up to [`CROWDED_MAX`] of them. Measured on the 137 corpus
/// graphs (`benches/graph_text.mjs`): labels across another edge's line
/// 413 with none, 334 with 14 px, 294 with 24 px (of 5,880), for 2.9%
/// and 4.8% more height in all; 14 px for up to 6 labels gave 313.
const CROWDED_ROOM: f64 = 24.0;
const CROWDED_MAX: usize = 3;

/// The extra room each gap between ranks asks for: [`CROWDED_ROOM`] for
/// each label in it (by its middle) that found no clear place.
fn crowded_gaps(placed: &Placed, labelled: &[Labelled], places: &[((f64, f64), bool)]) -> Vec<f64> {
    let mut count = vec![0usize; placed.gaps.len()];
    for (l, &(at, _)) in labelled.iter().zip(places).filter(|(_, p)| !p.1) {
        let b = label_box(at, &l.label);
        let middle = b.y + b.h / 2.0;
        if let Some(r) = placed
            .gaps
            .iter()
            .position(|&(top, bottom)| top <= middle && middle <= bottom)
        {
            count[r] += 1;
        }
    }
    count
        .into_iter()
        .map(|n| CROWDED_ROOM * n.min(CROWDED_MAX) as f64)
        .collect()
}

/// A drawn edge before it is placed on the page: its route (in the
/// layout's coordinates), ends, call (`None` for a nodelet's), line
/// width and label.
struct Labelled<'a> {
    route: &'a [(f64, f64)],
    src: usize,
    dst: usize,
    call: Option<usize>,
    stroke_width: f64,
    label: String,
}

/// Where each edge's label goes (its baseline's left end): the first of
/// its [`label_candidates`] that is off its own curve and covers no box,
/// no label placed before it (in the edges' order: pprof's, the heaviest
/// call first, after the nodelets) and no other edge's curve; failing
/// that, the first that covers fewer of them, in that order of weight;
/// with whether it is clear of them all. Where several edges leave one
/// box side by side their halfway points are close, and one place each
/// would stack their labels.
fn place_labels(edges: &[Labelled], boxes: &[Rect]) -> Vec<((f64, f64), bool)> {
    let curves = CurveGrid::new(edges.iter().map(|e| (e.route, e.stroke_width)));
    let covers = |r: Rect, of: &[Rect]| of.iter().any(|b| r.overlaps(b));
    let mut taken: Vec<Rect> = Vec::with_capacity(edges.len());
    edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            // A nodelet is a leaf: its label may also go under it.
            let under = e.call.is_none().then(|| boxes[e.dst]);
            let candidates = label_candidates(e.route, &e.label, e.stroke_width, under);
            let cost = |at: (f64, f64)| {
                let b = label_box(at, &e.label);
                let (own, other) = curves.crossing(b, i);
                (own, covers(b, boxes), covers(b, &taken), other)
            };
            let mut best = (cost(candidates[0]), candidates[0]);
            for &at in &candidates[1..] {
                if best.0 == (false, false, false, false) {
                    break;
                }
                let c = cost(at);
                if c < best.0 {
                    best = (c, at);
                }
            }
            taken.push(label_box(best.1, &e.label));
            (best.1, best.0 == (false, false, false, false))
        })
        .collect()
}

/// The drawn edges' curves as points (4 px apart at most, each with half
/// its line's width), sorted by the square cell they are in, to find
/// which curves pass through a label's box.
struct CurveGrid {
    /// (cell row, cell column, x, y, half the line's width, edge).
    points: Vec<(i64, i64, f64, f64, f64, usize)>,
}

impl CurveGrid {
    const CELL: f64 = 32.0;

    fn new<'a>(routes: impl Iterator<Item = (&'a [(f64, f64)], f64)>) -> CurveGrid {
        let mut points = Vec::new();
        for (i, (route, width)) in routes.enumerate() {
            for (x, y) in path_points(route, 4.0) {
                points.push((Self::cell(y), Self::cell(x), x, y, width / 2.0, i));
            }
        }
        points.sort_stable_by_key(|p| (p.0, p.1));
        CurveGrid { points }
    }

    fn cell(at: f64) -> i64 {
        (at / Self::CELL).floor() as i64
    }

    /// Whether edge `own`'s line, and whether any other, passes inside `r`.
    fn crossing(&self, r: Rect, own: usize) -> (bool, bool) {
        // Lines are at most 6 px wide: a point 3 px outside may be on it.
        let (x0, x1) = (Self::cell(r.x - 3.0), Self::cell(r.x + r.w + 3.0));
        let (mut mine, mut other) = (false, false);
        for row in Self::cell(r.y - 3.0)..=Self::cell(r.y + r.h + 3.0) {
            let from = self.points.partition_point(|p| (p.0, p.1) < (row, x0));
            let to = self.points.partition_point(|p| (p.0, p.1) <= (row, x1));
            for &(.., x, y, half, i) in &self.points[from..to.max(from)] {
                if x > r.x - half && x < r.x + r.w + half && y > r.y - half && y < r.y + r.h + half
                {
                    if i == own {
                        mine = true;
                    } else {
                        other = true;
                    }
                }
            }
        }
        (mine, other)
    }
}

/// The places an edge's label may start (its baseline's left end), best
/// first: by the middles of the route's pieces nearest its halfway point
/// (by length, so not a stub by a box first), at most [`LABEL_PIECES`]
/// of them, on each side the curve leaves free. Between two route points
/// the curve is an S with vertical ends ([`smooth_path`]): each half of
/// it stays by its own end, so beside the middle, the half toward the
/// lower end lies below it and the half toward the upper end above.
/// Where the piece runs more down than across, the label goes right of
/// the middle, above it when the right end is the lower one and below it
/// otherwise (or mirrored, left of the middle); where it runs more
/// across, above the middle on the lower end's side (or below it on the
/// upper end's side). After those of each piece, beside the curve a
/// quarter from either end; last, centred `under` a box (a nodelet's).
fn label_candidates(
    pts: &[(f64, f64)],
    label: &str,
    stroke_width: f64,
    under: Option<Rect>,
) -> Vec<(f64, f64)> {
    let length = |a: (f64, f64), b: (f64, f64)| (b.0 - a.0).hypot(b.1 - a.1);
    // (how far along the route its middle is, its two ends)
    type Piece = (f64, (f64, f64), (f64, f64));
    let mut pieces: Vec<Piece> = Vec::with_capacity(pts.len());
    let mut walked = 0.0;
    for w in pts.windows(2) {
        let l = length(w[0], w[1]);
        pieces.push((walked + l / 2.0, w[0], w[1]));
        walked += l;
    }
    // The piece holding the halfway point first, then the nearest.
    let half = walked / 2.0;
    let away = |&(middle, a, b): &Piece| {
        let l = length(a, b);
        ((middle - half).abs() - l / 2.0).max(0.0)
    };
    pieces.sort_stable_by(|p, q| away(p).total_cmp(&away(q)));
    let width = ems(label) * MIN_FONT;
    // Clear of the line by 2 px (and of the label box's spare pixel).
    let half = stroke_width / 2.0;
    let gap = 3.0 + half;
    pieces
        .iter()
        .take(LABEL_PIECES)
        .flat_map(|&(_, a, b)| {
            let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
            let lower = if b.1 >= a.1 { b } else { a };
            let right_x = mid.0 + gap;
            let left_x = mid.0 - gap - width;
            // Just above or below the middle: a label fits between two
            // ranks 28 px apart.
            let above_y = mid.1 - LABEL_DESCENT - half;
            let below_y = mid.1 + LABEL_ASCENT + half;
            let by_middle = if (b.0 - a.0).abs() > (b.1 - a.1).abs() {
                let (near_lower, near_upper) = if lower.0 >= mid.0 {
                    (right_x, left_x)
                } else {
                    (left_x, right_x)
                };
                [(near_lower, above_y), (near_upper, below_y)]
            } else if lower.0 >= mid.0 {
                // Down to the right: free above right and below left.
                [(right_x, above_y), (left_x, below_y)]
            } else {
                // Down to the left (or straight down): free below right
                // and above left.
                [(right_x, below_y), (left_x, above_y)]
            };
            // Beside the curve a quarter from either end, level with it,
            // right and left: apart where edges fan out of one box to
            // boxes side by side (these may lie on the curve;
            // [`place_labels`] checks).
            let beside = [curve_point(a, b, 0.75), curve_point(a, b, 0.25)]
                .into_iter()
                .flat_map(move |p| {
                    let y = p.1 + MIN_FONT * 0.4;
                    [(p.0 + gap, y), (p.0 - gap - width, y)]
                });
            by_middle.into_iter().chain(beside)
        })
        .chain(under.map(|b| (b.x + (b.w - width) / 2.0, b.y + b.h + 2.0 + MIN_FONT)))
        .collect()
}

/// How many of a route's pieces, nearest its halfway point, a label may
/// be put by.
const LABEL_PIECES: usize = 8;

/// How far an edge label's box reaches above its baseline and below it:
/// Chromium's box for 11 px DejaVu Sans runs from 10.2 above to 2.8
/// below. No more room than that: between two ranks 28 px apart a label
/// fits on either side of an edge's middle.
const LABEL_ASCENT: f64 = 10.5;
const LABEL_DESCENT: f64 = 3.0;

/// The box an edge label set at `at` (its baseline's left end) covers,
/// a pixel to spare at either end.
pub fn label_box(at: (f64, f64), label: &str) -> Rect {
    Rect {
        x: at.0 - 1.0,
        y: at.1 - LABEL_ASCENT,
        w: ems(label) * MIN_FONT + 2.0,
        h: LABEL_ASCENT + LABEL_DESCENT,
    }
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
    let b = d.legend_box;
    let _ = writeln!(
        out,
        r##"<g class="legend"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#f8f8f8" stroke="#cccccc"/>"##,
        b.x, b.y, b.w, b.h
    );
    let mut y = b.y + PAD + d.legend_font;
    for line in d.legend.iter().flat_map(|l| l.split('\n')) {
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{y:.1}" font-size="{}">{}</text>"#,
            b.x + PAD,
            d.legend_font,
            super::xml_escape(line)
        );
        y += d.legend_font * LINE;
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
            r##"<g class="edge"><title>{}</title><path d="{}" fill="none" stroke="{}" stroke-width="{}"{dash}/><polygon points="{}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="{}" fill="#555555">{}</text></g>"##,
            super::xml_escape(&e.tooltip),
            e.path,
            e.stroke,
            e.width,
            e.arrow,
            e.stroke,
            e.label_x,
            e.label_y,
            d.edge_font,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_labels_keep_off_their_s_curves() {
        // Pieces running across and down, in all four directions: the
        // S-curve between the two points passes by each end's side of the
        // middle on that end's side of the horizontal through it; neither
        // place by the middle (the first two candidates) is on the curve.
        for (a, b) in [
            ((0.0, 0.0), (200.0, 28.0)),
            ((200.0, 0.0), (0.0, 28.0)),
            ((0.0, 28.0), (200.0, 0.0)),
            ((200.0, 28.0), (0.0, 0.0)),
            ((0.0, 0.0), (20.0, 80.0)),
            ((20.0, 0.0), (0.0, 80.0)),
            ((0.0, 80.0), (20.0, 0.0)),
            ((20.0, 80.0), (0.0, 0.0)),
        ] {
            let candidates = label_candidates(&[a, b], "408.97MB", 1.0, None);
            for &place in &candidates[..2] {
                let r = label_box(place, "408.97MB");
                let (left, top, right, bottom) = (r.x, r.y, r.x + r.w, r.y + r.h);
                let (ctrl_a, ctrl_b) = ((a.0, (a.1 + b.1) / 2.0), (b.0, (a.1 + b.1) / 2.0));
                for i in 0..=100 {
                    let t = i as f64 / 100.0;
                    let u = 1.0 - t;
                    let at = |p: f64, c: f64, d: f64, q: f64| {
                        u * u * u * p + 3.0 * u * u * t * c + 3.0 * u * t * t * d + t * t * t * q
                    };
                    let x = at(a.0, ctrl_a.0, ctrl_b.0, b.0);
                    let y = at(a.1, ctrl_a.1, ctrl_b.1, b.1);
                    assert!(
                        !(x > left && x < right && y > top && y < bottom),
                        "{a:?} → {b:?}: the curve passes ({x:.1}, {y:.1}) inside the label at {:?}",
                        (left, top, right, bottom)
                    );
                }
            }
        }
    }

    #[test]
    fn names_wrap_at_dots_outside_brackets() {
        assert_eq!(wrap_name("main.main.func1", 28), ["main.main.func1"]);
        assert_eq!(
            wrap_name("http.serverHandler.ServeHTTP", 20),
            ["http.serverHandler", "ServeHTTP"]
        );
        assert_eq!(wrap_name("a::b::c", 3), ["a", "b", "c"]);
        // A generic type's dots are inside brackets: one part…
        assert_eq!(
            wrap_name("xsync.(*Map[go.shape.string,go.shape.int]).Load", 40),
            ["xsync", "(*Map[go.shape.string,go.shape.int])", "Load"]
        );
        // …cut after its dots, brackets, semicolons and spaces when longer
        // than a line, or, with none of them, at the width.
        assert_eq!(
            wrap_name("f[go.shape.struct { a int; b int }]", 16),
            ["f[go.shape.", "struct { a int;", "b int }]"]
        );
        assert_eq!(wrap_name("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        // Nothing but separators and spaces is lost, and no line is too long.
        let long = "github.com/maypok86/otter/v2/internal/generated/node.(*Node[go.shape.string,go.shape.struct { golbat/cache.v go.shape.*uint8 }]).Value";
        let lines = wrap_name(long, 28);
        assert!(lines.iter().all(|l| l.chars().count() <= 28), "{lines:?}");
        let bare = |s: &str| s.replace(['.', ' '], "");
        assert_eq!(bare(&lines.concat()), bare(long));
    }

    #[test]
    fn the_hot_path_leads_to_the_largest_flat_value() {
        use crate::analysis::callgraph::callgraph;
        use crate::analysis::options::ReportOptions;
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/go.heap.pb.gz"
        ))
        .unwrap();
        let p = crate::import::read_profile(&bytes, &Default::default()).unwrap();
        let p = crate::analysis::source::prepare(vec![p], None).unwrap();
        let g = callgraph(&p, &ReportOptions::default()).unwrap();
        let d = draw(&g);
        let path = &d.hot_path;
        let last = *path.last().unwrap();
        assert_eq!(
            g.nodes[last].flat.unsigned_abs(),
            g.nodes.iter().map(|n| n.flat.unsigned_abs()).max().unwrap()
        );
        // A chain of calls from a node nobody calls.
        assert!(!g.edges.iter().any(|e| e.dst == path[0] && e.src != path[0]));
        for pair in path.windows(2) {
            assert!(g.edges.iter().any(|e| e.src == pair[0] && e.dst == pair[1]));
        }
        // Its box holds every node on it.
        let b = d.hot_box;
        for &i in path {
            let n = &d.nodes[i];
            assert!(n.x - n.w / 2.0 >= b.x - 1e-9 && n.x + n.w / 2.0 <= b.x + b.w + 1e-9);
            assert!(n.y - n.h / 2.0 >= b.y - 1e-9 && n.y + n.h / 2.0 <= b.y + b.h + 1e-9);
        }
        assert!(d.min_font >= MIN_FONT);
    }
}

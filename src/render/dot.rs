//! The call graph in Graphviz DOT, exactly as `go tool pprof -dot` writes
//! it (pprof's `ComposeDot`): the legend, nodes labelled with shortened
//! names and flat/cum, nodelets for sample labels, edges heaviest first.
//! Comparing this text with pprof's is how the graph's numbers are tested.

use crate::sort::SortStable;
use crate::units::{abs64, go_int64};
use std::fmt::Write;
use std::sync::LazyLock;

use regex::Regex;

use crate::analysis::callgraph::{CallGraph, GraphEdge, GraphNode, MAX_NODELETS};
use crate::analysis::graph::Tag;
use crate::analysis::nodes::{base_name, NodeInfo};
use crate::units::{self, percentage};

use super::text::graph_labels;

/// `go tool pprof -dot`.
pub fn dot(g: &CallGraph) -> String {
    let c = &g.context;
    // The main binary's name comes from the file: escaped (pprof writes it
    // raw, so a crafted name could close the string and add attributes).
    let title = escape(c.file.as_deref().unwrap_or_default());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "digraph \"{}\" {{",
        if title.is_empty() { "unnamed" } else { &title }
    );
    out.push_str("node [style=filled fillcolor=\"#f8f8f8\"]\n");
    let labels = graph_labels(g);
    if !labels.is_empty() {
        let _ = write!(
            out,
            "subgraph cluster_L {{ \"{}\" [shape=box fontsize=16",
            escape(&labels[0])
        );
        let escaped: Vec<String> = labels.iter().map(|l| escape(l)).collect();
        let _ = write!(out, " label=\"{}\\l\"", escaped.join("\\l"));
        if !title.is_empty() {
            let _ = write!(out, " tooltip=\"{title}\"");
        }
        out.push_str("] }\n");
    }
    if g.nodes.is_empty() {
        out.push_str("}\n");
        return out;
    }
    let max_flat = max_flat(g);
    let mut has_nodelets = vec![false; g.nodes.len()];
    for (i, n) in g.nodes.iter().enumerate() {
        node(&mut out, g, n, i + 1, max_flat);
        has_nodelets[i] = nodelets(&mut out, g, n, i + 1);
    }
    for e in &g.edges {
        edge(&mut out, g, e, has_nodelets[e.src]);
    }
    out.push_str("}\n");
    out
}

/// pprof's largest abs64(flat) of a node, which font sizes are relative
/// to: it starts from the first node's, so it is negative when that node's
/// flat is MinInt64 and no other is larger.
fn max_flat(g: &CallGraph) -> f64 {
    let first = g.nodes.first().map_or(0.0, |n| abs64(n.flat) as f64);
    g.nodes
        .iter()
        .map(|n| abs64(n.flat) as f64)
        .fold(first, f64::max)
}

fn node(out: &mut String, g: &CallGraph, n: &GraphNode, id: usize, max_flat: f64) {
    let c = &g.context;
    let (flat, cum) = (n.flat, n.cum);
    let mut label = multiline_name(&n.info);
    let flat_value = c.format(flat);
    if flat != 0 {
        let _ = write!(
            label,
            "{} ({})",
            flat_value,
            percentage(flat, c.total).trim()
        );
    } else {
        label.push('0');
    }
    let mut cum_value = flat_value.clone();
    if cum != flat {
        label.push_str(if flat != 0 { "\\n" } else { " " });
        cum_value = c.format(cum);
        let _ = write!(
            label,
            "of {} ({})",
            cum_value,
            percentage(cum, c.total).trim()
        );
    }
    // Font size from 8 to 24 with the flat share, non-linearly.
    let mut font_size = 8;
    if max_flat != 0.0 && flat != 0 && abs64(flat) as f64 <= max_flat {
        // NaN when max_flat is negative (MinInt64): Go's int() of it.
        let growth = (16.0 * (abs64(flat) as f64 / max_flat).sqrt()).ceil();
        font_size = go_int64(growth).wrapping_add(font_size);
    }
    let share = cum as f64 / abs64(c.total) as f64;
    let _ = writeln!(
        out,
        "N{id} [label=\"{label}\" id=\"node{id}\" fontsize={font_size} shape=box tooltip=\"{} ({cum_value})\" color=\"{}\" fillcolor=\"{}\"]",
        escape(&n.name),
        dot_color(share, false),
        dot_color(share, true)
    );
}

/// pprof's `addNodelets`: the node's label tags and numeric tags.
fn nodelets(out: &mut String, g: &CallGraph, n: &GraphNode, id: usize) -> bool {
    let c = &g.context;
    let mut text = String::new();
    // Leaf nodes show cum tags (weight from pruned callees included).
    let flat_tags = n.has_callees;
    let mut labels: Vec<&Tag> = n.tags.labels.iter().collect();
    sort_tags(&mut labels, flat_tags);
    labels.truncate(MAX_NODELETS);
    let numeric = |label: &str| {
        n.tags
            .numeric
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, t)| t)
    };
    for (i, t) in labels.iter().enumerate() {
        let w = if flat_tags { t.flat } else { t.cum };
        if w == 0 {
            continue;
        }
        let parent = format!("N{id}");
        nodelet(
            &mut text,
            &parent,
            &format!("{parent}_{i}"),
            &t.name,
            &c.format(w),
            "",
        );
        if let Some(nts) = numeric(&t.name).filter(|t| !t.is_empty()) {
            numeric_nodelets(&mut text, g, nts, flat_tags, &format!("N{id}_{i}"));
        }
    }
    if let Some(nts) = numeric("").filter(|t| !t.is_empty()) {
        numeric_nodelets(&mut text, g, nts, flat_tags, &format!("N{id}"));
    }
    out.push_str(&text);
    !text.is_empty()
}

fn numeric_nodelets(out: &mut String, g: &CallGraph, tags: &[Tag], flat_tags: bool, source: &str) {
    let c = &g.context;
    for (j, t) in collapsed_tags(tags, MAX_NODELETS, flat_tags)
        .iter()
        .enumerate()
    {
        let (w, attr) = if flat_tags || t.flat == t.cum {
            (t.flat, "")
        } else {
            (t.cum, " style=\"dotted\"")
        };
        if w != 0 {
            let child = format!("N{source}_{j}");
            nodelet(out, source, &child, &t.name, &c.format(w), attr);
        }
    }
}

/// A nodelet box and its edge from the node (or nodelet) it hangs from.
fn nodelet(out: &mut String, parent: &str, child: &str, name: &str, weight: &str, attr: &str) {
    // Label values come from the file: escaped, unlike pprof, each between
    // the `\n` line breaks that join a sample's labels.
    let name: Vec<String> = name.split("\\n").map(escape).collect();
    let _ = writeln!(
        out,
        "{child} [label = \"{}\" id=\"{child}\" fontsize=8 shape=box3d tooltip=\"{weight}\"]",
        name.join("\\n")
    );
    let _ = writeln!(
        out,
        "{parent} -> {child} [label=\" {weight}\" weight=100 tooltip=\"{weight}\" labeltooltip=\"{weight}\"{attr}]"
    );
}

/// pprof's `SortTags`: by |cum| (unless flat), then |flat|, then name.
pub(super) fn sort_tags(tags: &mut [&Tag], flat: bool) {
    tags.sort_stable_by(|a, b| {
        let by_cum = if flat {
            std::cmp::Ordering::Equal
        } else {
            abs64(b.cum).cmp(&abs64(a.cum))
        };
        by_cum
            .then_with(|| abs64(b.flat).cmp(&abs64(a.flat)))
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// pprof's `collapsedTags`: at most `count` tags, the rest grouped with the
/// nearest of the first `count` by value into ranges (`1kB..2kB`).
fn collapsed_tags(tags: &[Tag], count: usize, flat: bool) -> Vec<Tag> {
    let mut sorted: Vec<&Tag> = tags.iter().collect();
    sort_tags(&mut sorted, flat);
    if sorted.len() <= count {
        return sorted.into_iter().cloned().collect();
    }
    let mut groups: Vec<Vec<&Tag>> = sorted[..count].iter().map(|t| vec![*t]).collect();
    for t in &sorted[count..] {
        let mut best = (0, tag_distance(t, groups[0][0]));
        for (i, g) in groups.iter().enumerate().skip(1) {
            let d = tag_distance(t, g[0]);
            if d < best.1 {
                best = (i, d);
            }
        }
        groups[best.0].push(t);
    }
    let collapsed: Vec<Tag> = groups.iter().map(|g| group_label(g)).collect();
    let mut refs: Vec<&Tag> = collapsed.iter().collect();
    sort_tags(&mut refs, flat);
    refs.into_iter().cloned().collect()
}

fn tag_distance(t: &Tag, u: &Tag) -> f64 {
    let v = units::scale(u.value, &u.unit, &t.unit).0;
    (t.value as f64 - v).abs()
}

fn group_label(g: &[&Tag]) -> Tag {
    if g.len() == 1 {
        let t = g[0];
        return Tag {
            name: units::label(t.value, &t.unit),
            ..t.clone()
        };
    }
    let (mut min, mut max) = (g[0], g[0]);
    let (mut flat, mut cum) = (g[0].flat, g[0].cum);
    for t in &g[1..] {
        if (units::scale(t.value, &t.unit, &min.unit).0 as i64) < min.value {
            min = t;
        }
        if (units::scale(t.value, &t.unit, &max.unit).0 as i64) > max.value {
            max = t;
        }
        flat = flat.wrapping_add(t.flat);
        cum = cum.wrapping_add(t.cum);
    }
    Tag {
        name: format!(
            "{}..{}",
            units::label(min.value, &min.unit),
            units::label(max.value, &max.unit)
        ),
        unit: min.unit.clone(),
        value: min.value,
        flat,
        cum,
    }
}

fn edge(out: &mut String, g: &CallGraph, e: &GraphEdge, source_has_nodelets: bool) {
    let c = &g.context;
    let inline = if e.inline { "\\n (inline)" } else { "" };
    let w = c.format(e.weight);
    let mut attr = format!("label=\" {w}{inline}\"");
    if c.total != 0 {
        // int64 arithmetic as pprof's: products and quotients wrap, and
        // abs64 of MinInt64 is negative, which no attribute is written for.
        let share_of = |scale: i64| abs64(e.weight.wrapping_mul(scale).wrapping_div(c.total));
        let weight = 1 + share_of(100).min(100);
        if weight > 1 {
            let _ = write!(attr, " weight={weight}");
        }
        let width = 1 + share_of(5).min(5);
        if width > 1 {
            let _ = write!(attr, " penwidth={width}");
        }
        let _ = write!(
            attr,
            " color=\"{}\"",
            dot_color(e.weight as f64 / abs64(c.total) as f64, false)
        );
    }
    let arrow = if e.residual { "..." } else { "->" };
    let tooltip = format!(
        "\"{} {arrow} {} ({w})\"",
        escape(&g.nodes[e.src].name),
        escape(&g.nodes[e.dst].name)
    );
    let _ = write!(attr, " tooltip={tooltip} labeltooltip={tooltip}");
    if e.residual {
        attr.push_str(" style=\"dotted\"");
    }
    if source_has_nodelets {
        attr.push_str(" minlen=2");
    }
    let _ = writeln!(out, "N{} -> N{} [{attr}]", e.src + 1, e.dst + 1);
}

/// pprof's `dotColor`: -1 green, 0 grey, 1 red; light for backgrounds.
pub fn dot_color(score: f64, background: bool) -> String {
    const SHIFT: f64 = 0.7;
    let (mut saturation, value) = if background { (0.1, 0.93) } else { (1.0, 0.7) };
    let mut score = score.clamp(-1.0, 1.0);
    if score.is_nan() {
        score = 0.0;
    }
    if score.abs() < 0.2 {
        saturation *= score.abs() / 0.2;
    }
    if score > 0.0 {
        score = score.powf(1.0 - SHIFT);
    }
    if score < 0.0 {
        score = -(-score).powf(1.0 - SHIFT);
    }
    let (r, g) = if score < 0.0 {
        (value * (1.0 + saturation * score), value)
    } else {
        (value, value * (1.0 - saturation * score))
    };
    let b = value * (1.0 - saturation);
    // Go's float-to-uint8 conversion truncates.
    format!(
        "#{:02x}{:02x}{:02x}",
        (r * 255.0) as u8,
        (g * 255.0) as u8,
        (b * 255.0) as u8
    )
}

/// pprof's `escapeForDot`: backslashes and quotes escaped, a newline made
/// a left-justified line break. pprof applies it to function names and the
/// legend only; we apply it to every text that comes from the file (file
/// and mapping names, label values) so that none can end a DOT string and
/// add nodes or attributes (a `URL="javascript:…"` in `dot -Tsvg`). A
/// deliberate departure from pprof's bytes, for names holding `\`, `"` or
/// a newline only. Other controls stay pprof's bytes (the corpus holds a
/// name of every byte, and its oracle them raw).
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\l")
}

static JAVA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[a-z][0-9A-Za-z_]*\.)*([A-Z][0-9A-Za-z_\$]*\.(?:<init>|[a-z][0-9A-Za-z_\$]*(?:\$[0-9]+)?))(?:(?:\()|$)")
        .expect("valid regex")
});
static GO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[0-9A-Za-z_\-\.]+/)+(.+)").expect("valid regex"));
static GO_VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$").expect("valid regex"));
static CPP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[_a-zA-Z][0-9A-Za-z_]*::)+(_*[A-Z][0-9A-Za-z_]*::~?[_a-zA-Z][0-9A-Za-z_]*(?:<.*>)?)",
    )
    .expect("valid regex")
});
static CPP_ANONYMOUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(anonymous namespace\)::").expect("valid regex"));

/// pprof's `ShortenFunctionName`: `net/http.(*conn).serve` →
/// `http.(*conn).serve`, Java and C++ names without their packages.
pub fn shorten_function_name(f: &str) -> String {
    let f = CPP_ANONYMOUS.replace(f, "");
    let f = GO_VERSION.replace(&f, "${1}${2}");
    for re in [&*GO, &*JAVA, &*CPP] {
        if let Some(c) = re.captures(&f) {
            if c.len() >= 2 {
                return c
                    .iter()
                    .skip(1)
                    .map(|m| m.map_or("", |m| m.as_str()))
                    .collect();
            }
        }
    }
    f.into_owned()
}

/// pprof's `multilinePrintableName`: the name's parts one per line.
fn multiline_name(info: &NodeInfo) -> String {
    let name = escape(&shorten_function_name(&info.name))
        .replace("::", "\\n")
        .replace("[...]", "[…]")
        .replace('.', "\\n");
    let mut parts: Vec<String> = Vec::new();
    if info.address != 0 {
        parts.push(format!("{:016x}", info.address));
    }
    if !name.is_empty() {
        parts.push(name);
    }
    // File and mapping names are escaped too, unlike pprof (see `escape`).
    let file = if info.file.is_empty() {
        String::new()
    } else {
        escape(base_name(&info.file))
    };
    if info.lineno != 0 {
        parts.push(format!("{file}:{}", info.lineno));
    } else if !file.is_empty() {
        parts.push(file);
    } else if !info.name.is_empty() {
    } else if !info.objfile.is_empty() {
        parts.push(format!("[{}]", escape(base_name(&info.objfile))));
    } else {
        parts.push("<unknown>".into());
    }
    parts.join("\\n") + "\\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shortened_as_pprof_does() {
        assert_eq!(
            shorten_function_name("net/http.(*conn).serve"),
            "http.(*conn).serve"
        );
        assert_eq!(shorten_function_name("github.com/x/y/v2/z.F"), "z.F");
        assert_eq!(
            shorten_function_name("java.util.HashMap.resize"),
            "HashMap.resize"
        );
        assert_eq!(
            shorten_function_name("(anonymous namespace)::foo::Bar::baz"),
            "Bar::baz"
        );
        assert_eq!(shorten_function_name("main.main"), "main.main");
    }

    #[test]
    fn colors_match_pprof() {
        // From pprof's DOT for the demo's heap.3 (cum 97.11%, 5.10%).
        assert_eq!(dot_color(0.9711, false), "#b20100");
        assert_eq!(dot_color(0.9711, true), "#edd5d5");
        assert_eq!(dot_color(0.0510, false), "#b29f84");
        assert_eq!(dot_color(0.0510, true), "#edeae7");
    }
}

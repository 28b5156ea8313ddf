//! The call graph: pprof's `-dot` for every profile of the shared corpus
//! (tests/data/oracles/corpus-dot, made by `go tool pprof -dot`; the
//! fixtures' option variants are in tests/pprof_options.rs), byte for byte.

mod common;

use std::path::Path;

use leakscope::analysis::callgraph::callgraph;
use leakscope::analysis::options::ReportOptions;
use leakscope::render::dot::dot;
use leakscope::render::graph_drawing::{draw, label_box, svg, MIN_FONT};
use leakscope::render::layout::path_points;

#[test]
fn dot_equals_pprof_on_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, path, profile) in common::corpus_dot_oracles(&corpus) {
        // Names with invalid UTF-8 are shown with U+FFFD (pprof passes the bytes).
        let want = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let p = common::prepared(&profile, None);
        let got = dot(&callgraph(&p, &ReportOptions::default()).unwrap());
        checked += 1;
        if got != want {
            failures.push(format!(
                "{name}:\n{}",
                common::first_differences(&got, &want, 3)
            ));
        }
    }
    assert!(checked >= 130, "only {checked} corpus call graphs");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_blog_graph_leads_from_track_to_bytes_repeat() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let p = common::prepared(&corpus.join("blog/heap.3.pprof"), None);
    let g = callgraph(&p, &ReportOptions::default()).unwrap();
    let node = |name: &str| g.nodes.iter().position(|n| n.name == name).unwrap();
    let (track, repeat) = (node("main.(*RequestTracker).Track"), node("bytes.Repeat"));
    // Track's heaviest call is to bytes.Repeat: 408.97MB, all of its flat.
    let out_of_track = g
        .edges
        .iter()
        .filter(|e| e.src == track)
        .max_by_key(|e| e.weight)
        .unwrap();
    assert_eq!((out_of_track.dst, out_of_track.weight), (repeat, 428833979));
    assert_eq!(g.nodes[repeat].flat, 428833979);
    // The heaviest edge of all leads into Track (410.25MB from main.main.func1),
    // as in pprof's own graph.
    assert_eq!(g.edges[0].dst, track);
}

#[test]
fn layouts_have_no_overlaps_every_edge_and_are_deterministic() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut checked = 0;
    for (name, _, profile) in common::corpus_dot_oracles(&corpus) {
        let p = common::prepared(&profile, None);
        let g = callgraph(&p, &ReportOptions::default()).unwrap();
        let d = draw(&g);
        for a in 0..d.nodes.len() {
            for b in a + 1..d.nodes.len() {
                let (p, q) = (&d.nodes[a], &d.nodes[b]);
                let apart = (p.x - q.x).abs() >= (p.w + q.w) / 2.0 - 0.01
                    || (p.y - q.y).abs() >= (p.h + q.h) / 2.0 - 0.01;
                assert!(apart, "{name}: boxes {a} and {b} overlap");
            }
        }
        // The legend (above or beside the graph) covers no box, and every
        // box is inside the drawing; no text is under the readable size.
        let l = d.legend_box;
        for (i, n) in d.nodes.iter().enumerate() {
            let (left, right) = (n.x - n.w / 2.0, n.x + n.w / 2.0);
            let (top, bottom) = (n.y - n.h / 2.0, n.y + n.h / 2.0);
            let clear = left >= l.x + l.w || right <= l.x || top >= l.y + l.h || bottom <= l.y;
            assert!(clear, "{name}: the legend covers box {i}");
            assert!(left >= 0.0 && top >= 0.0 && right <= d.width && bottom <= d.height);
            assert!(n.font_size >= MIN_FONT, "{name}: box {i}");
        }
        assert!(d.edge_font >= MIN_FONT && d.min_font >= MIN_FONT);
        // Every edge label is inside the drawing, off the legend and off
        // every box.
        for e in &d.edges {
            let b = label_box((e.label_x, e.label_y), &e.label);
            assert!(
                b.x >= 0.0 && b.y >= 0.0 && b.x + b.w <= d.width && b.y + b.h <= d.height,
                "{name}: label {:?} at {b:?} is outside the {} × {} drawing",
                e.label,
                d.width,
                d.height
            );
            let clear =
                b.x >= l.x + l.w || b.x + b.w <= l.x || b.y >= l.y + l.h || b.y + b.h <= l.y;
            assert!(clear, "{name}: the legend covers label {:?}", e.label);
            for n in &d.nodes {
                let (left, right) = (n.x - n.w / 2.0, n.x + n.w / 2.0);
                let (top, bottom) = (n.y - n.h / 2.0, n.y + n.h / 2.0);
                let clear = b.x >= right || b.x + b.w <= left || b.y >= bottom || b.y + b.h <= top;
                assert!(
                    clear,
                    "{name}: label {:?} on the box of {:?}",
                    e.label, n.lines
                );
            }
        }
        // Every call of the graph is drawn (pprof's graph has no self edges).
        let calls = d
            .edges
            .iter()
            .filter(|e| d.nodes[e.src].node.is_some() && d.nodes[e.dst].node.is_some())
            .count();
        assert_eq!(calls, g.edges.len(), "{name}");
        assert_eq!(svg(&d), svg(&draw(&g)), "{name}: the same drawing twice");
        checked += 1;
    }
    assert!(checked >= 130);
}

#[test]
fn names_in_the_svg_are_text() {
    // A profile whose function names are markup: the SVG holds them escaped.
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/synthetic.pb.gz"))
            .unwrap();
    let mut p = leakscope::import::read_profile(&bytes, &Default::default()).unwrap();
    p.functions[0].name = "<script>alert(1)</script>\"&'".into();
    let p = leakscope::analysis::source::prepare(vec![p], None).unwrap();
    let opts = ReportOptions {
        node_fraction: 0.0,
        edge_fraction: 0.0,
        ..ReportOptions::default()
    };
    let out = svg(&draw(&callgraph(&p, &opts).unwrap()));
    assert!(!out.contains("<script>"), "{out}");
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;"));
}

/// The route an edge's path passes through, read back from the path
/// `smooth_path` writes (`Mx,y` then cubics `Cx1,y1 x2,y2 x,y`: each
/// cubic ends on the next route point).
fn route_of(path: &str) -> Vec<(f64, f64)> {
    let numbers: Vec<f64> = path
        .split([' ', ',', 'M', 'C'])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    std::iter::once((numbers[0], numbers[1]))
        .chain(numbers[2..].chunks(6).map(|c| (c[4], c[5])))
        .collect()
}

#[test]
fn the_blog_and_demo_graphs_have_no_label_on_a_heavier_line() {
    // Their fan out of http.HandlerFunc.ServeHTTP (four calls and two
    // pairs calling each other) had labels on the thick red lines of the
    // leak's path until crowded gaps got more room: with none, 10 labels
    // of these 8 graphs lie on another line (the lines sampled every
    // 2 px), one of them a 1805.17kB label on the demo's 10077.43kB line;
    // 8 now, each on a line as thin as its own (mostly the other call of
    // a pair calling each other, 10 px away).
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut crossed = 0;
    for run in ["blog", "demo"] {
        for i in 0..4 {
            let name = format!("{run}/heap.{i}.pprof");
            let p = common::prepared(&corpus.join(&name), None);
            let g = callgraph(&p, &ReportOptions::default()).unwrap();
            let d = draw(&g);
            let lines: Vec<(Vec<(f64, f64)>, f64)> = d
                .edges
                .iter()
                .map(|e| (path_points(&route_of(&e.path), 2.0), e.width / 2.0))
                .collect();
            for (k, e) in d.edges.iter().enumerate() {
                let b = label_box((e.label_x, e.label_y), &e.label);
                let mut on_any = false;
                for (j, (points, half)) in lines.iter().enumerate().filter(|&(j, _)| j != k) {
                    let on = points.iter().any(|&(x, y)| {
                        x > b.x + 1.0 - half
                            && x < b.x + b.w - 1.0 + half
                            && y > b.y + 1.0 - half
                            && y < b.y + b.h - 1.0 + half
                    });
                    on_any |= on;
                    assert!(
                        !on || d.edges[j].width <= e.width,
                        "{name}: label {:?} lies on the wider line of {:?}",
                        e.label,
                        d.edges[j].label
                    );
                }
                crossed += usize::from(on_any);
            }
        }
    }
    assert!(crossed <= 8, "{crossed} labels on another line");
}

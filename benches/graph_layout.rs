//! Call-graph layout quality and speed: leakscope's own layered layout
//! against Graphviz `dot` (the reference, on pprof's own DOT of the same
//! profile) and the layout-rs crate (the candidate library), on every
//! corpus profile with a DOT oracle. Crossings are counted the same way
//! for all three: edges drawn as their cubic curves, sampled, and every
//! intersection between two edges that share no node counted.
//!
//! The corpus's graphs stop at 84 nodes and 130 edges, so the budget's
//! 80-node / 200-edge graph is generated: a CPU profile of 80 functions
//! whose default call graph keeps them all and 212 calls between them
//! (written to target/bench-data/callgraph-80x200.pb, so the page's
//! benchmark draws the same graph).
//!
//!     cargo bench --bench graph_layout [-- --no-dot]

mod common;
// The tests' helpers: the corpus's call-graph oracles and their profiles.
#[path = "../tests/common/mod.rs"]
mod tests_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use leakscope::analysis::callgraph::callgraph;
use leakscope::analysis::options::ReportOptions;
use leakscope::analysis::source::prepare;
use leakscope::import::pprof::wire;
use leakscope::import::{read_profile, ImportOptions};
use leakscope::render::dot::dot;
use leakscope::render::graph_drawing::draw;
use prost::Message;

type Poly = Vec<(f64, f64)>;

/// An edge as (from node, to node, sampled curve).
type Drawn = Vec<(String, String, Poly)>;

fn cubic(p0: (f64, f64), c1: (f64, f64), c2: (f64, f64), p3: (f64, f64), out: &mut Poly) {
    for k in 1..=8 {
        let t = k as f64 / 8.0;
        let u = 1.0 - t;
        let x =
            u * u * u * p0.0 + 3.0 * u * u * t * c1.0 + 3.0 * u * t * t * c2.0 + t * t * t * p3.0;
        let y =
            u * u * u * p0.1 + 3.0 * u * u * t * c1.1 + 3.0 * u * t * t * c2.1 + t * t * t * p3.1;
        out.push((x, y));
    }
}

/// Our paths: `M x,y C a,b c,d e,f ...`.
fn parse_ours(d: &str) -> Poly {
    let nums: Vec<f64> = d
        .split([' ', ',', 'M', 'C'])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let mut out = vec![(nums[0], nums[1])];
    let mut i = 2;
    while i + 6 <= nums.len() {
        let p0 = *out.last().unwrap();
        cubic(
            p0,
            (nums[i], nums[i + 1]),
            (nums[i + 2], nums[i + 3]),
            (nums[i + 4], nums[i + 5]),
            &mut out,
        );
        i += 6;
    }
    out
}

fn segments_cross(a: ((f64, f64), (f64, f64)), b: ((f64, f64), (f64, f64))) -> bool {
    let cross = |o: (f64, f64), p: (f64, f64), q: (f64, f64)| {
        (p.0 - o.0) * (q.1 - o.1) - (p.1 - o.1) * (q.0 - o.0)
    };
    let (d1, d2) = (cross(b.0, b.1, a.0), cross(b.0, b.1, a.1));
    let (d3, d4) = (cross(a.0, a.1, b.0), cross(a.0, a.1, b.1));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

fn crossings(edges: &Drawn) -> usize {
    let mut n = 0;
    for i in 0..edges.len() {
        for j in i + 1..edges.len() {
            let (a, b) = (&edges[i], &edges[j]);
            if a.0 == b.0 || a.0 == b.1 || a.1 == b.0 || a.1 == b.1 {
                continue;
            }
            for s in a.2.windows(2) {
                for t in b.2.windows(2) {
                    if segments_cross((s[0], s[1]), (t[0], t[1])) {
                        n += 1;
                    }
                }
            }
        }
    }
    n
}

fn ours(profile: &Path) -> (f64, usize, usize, usize, usize) {
    let bytes = std::fs::read(profile).unwrap();
    let p = prepare(
        vec![read_profile(&bytes, &ImportOptions::default()).unwrap()],
        None,
    )
    .unwrap();
    let g = callgraph(&p, &ReportOptions::default()).unwrap();
    let mut best = f64::MAX;
    let mut d = None;
    for _ in 0..5 {
        let t = Instant::now();
        let drawing = draw(&g);
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        d = Some(drawing);
    }
    let d = d.unwrap();
    let edges: Drawn = d
        .edges
        .iter()
        .map(|e| (e.src.to_string(), e.dst.to_string(), parse_ours(&e.path)))
        .collect();
    let mut overlaps = 0;
    for a in 0..d.nodes.len() {
        for b in a + 1..d.nodes.len() {
            let (p, q) = (&d.nodes[a], &d.nodes[b]);
            if (p.x - q.x).abs() < (p.w + q.w) / 2.0 - 0.01
                && (p.y - q.y).abs() < (p.h + q.h) / 2.0 - 0.01
            {
                overlaps += 1;
            }
        }
    }
    (
        best,
        crossings(&edges),
        overlaps,
        d.nodes.len(),
        d.edges.len(),
    )
}

/// `dot -Tplain` on pprof's DOT: time, crossings.
fn graphviz(dot_file: &Path) -> Option<(f64, usize)> {
    let t = Instant::now();
    let out = Command::new("dot")
        .arg("-Tplain")
        .arg(dot_file)
        .output()
        .ok()?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut edges: Drawn = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.first() != Some(&"edge") || f.len() < 4 {
            continue;
        }
        let n: usize = f[3].parse().ok()?;
        let pts: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                (
                    f[4 + 2 * k].parse::<f64>().unwrap() * 72.0,
                    -f[5 + 2 * k].parse::<f64>().unwrap() * 72.0,
                )
            })
            .collect();
        let mut poly = vec![pts[0]];
        let mut i = 1;
        while i + 3 <= pts.len() {
            let p0 = *poly.last().unwrap();
            cubic(p0, pts[i], pts[i + 1], pts[i + 2], &mut poly);
            i += 3;
        }
        edges.push((f[1].to_string(), f[2].to_string(), poly));
    }
    Some((ms, crossings(&edges)))
}

/// layout-rs on pprof's DOT: time, crossings (its arrows captured).
fn layout_rs(dot_file: &Path) -> Option<(f64, usize)> {
    use layout::core::base::Orientation;
    use layout::core::format::{ClipHandle, RenderBackend};
    use layout::core::geometry::Point;
    use layout::core::style::StyleAttr;
    use layout::gv::{DotParser, GraphBuilder};

    #[derive(Default)]
    struct Capture {
        edges: Vec<Poly>,
    }
    impl RenderBackend for Capture {
        fn draw_rect(
            &mut self,
            _: Point,
            _: Point,
            _: &StyleAttr,
            _: Option<String>,
            _: Option<ClipHandle>,
        ) {
        }
        fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
        fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
        fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}
        fn draw_arrow(
            &mut self,
            path: &[(Point, Point)],
            _: bool,
            _: (bool, bool),
            _: &StyleAttr,
            _: Option<String>,
            _: &str,
        ) {
            if path.len() < 2 {
                return;
            }
            let p = |q: Point| (q.x, q.y);
            let mut poly = vec![p(path[0].0)];
            // M p0 C c0, c1 p1; then S c p (c1 reflected).
            cubic(
                p(path[0].0),
                p(path[0].1),
                p(path[1].1),
                p(path[1].0),
                &mut poly,
            );
            let mut prev_c = p(path[1].1);
            let mut prev_p = p(path[1].0);
            for q in &path[2..] {
                let c1 = (2.0 * prev_p.0 - prev_c.0, 2.0 * prev_p.1 - prev_c.1);
                cubic(prev_p, c1, p(q.0), p(q.1), &mut poly);
                prev_c = p(q.0);
                prev_p = p(q.1);
            }
            self.edges.push(poly);
        }
        fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
            0
        }
    }
    let text = std::fs::read_to_string(dot_file).ok()?;
    let t = Instant::now();
    let graph = DotParser::new(&text).process().ok()?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut vg = builder.get();
    let mut capture = Capture::default();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        vg.do_it(false, false, false, &mut capture);
    }));
    let ms = t.elapsed().as_secs_f64() * 1e3;
    let _ = Orientation::TopToBottom;
    result.ok()?;
    // layout-rs does not say which nodes an arrow joins: count all pairs.
    let edges: Drawn = capture
        .edges
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("a{i}"), format!("b{i}"), p))
        .collect();
    Some((ms, crossings(&edges)))
}

/// A CPU profile of `FUNCTIONS` functions, each calling the next and up
/// to two of the next twelve (one call in eight goes back up, as
/// recursion does),
/// sampled by random walks from four entry points: enough samples that
/// pprof's default pruning keeps every function and nearly every call.
fn dense_profile() -> Vec<u8> {
    const FUNCTIONS: u64 = 80;
    let mut rng = common::Rng(0xca11_6a4f);
    let mut p = wire::Profile {
        string_table: vec![Vec::new(), b"samples".to_vec(), b"count".to_vec()],
        ..Default::default()
    };
    p.sample_type.push(wire::ValueType { r#type: 1, unit: 2 });
    for f in 0..FUNCTIONS {
        p.string_table
            .push(format!("example.com/svc/pkg{}.Func{f}", f / 10).into());
        p.string_table
            .push(format!("/src/svc/pkg{}/f.go", f / 10).into());
        let name = p.string_table.len() as i64 - 2;
        p.function.push(wire::Function {
            id: f + 1,
            name,
            system_name: name,
            filename: name + 1,
            start_line: 1,
        });
        p.location.push(wire::Location {
            id: f + 1,
            address: 0x1000 + f * 16,
            line: vec![wire::Line {
                function_id: f + 1,
                line: 10,
                column: 0,
            }],
            ..Default::default()
        });
    }
    let callees: Vec<Vec<u64>> = (0..FUNCTIONS)
        .map(|f| {
            let mut c: Vec<u64> = (0..2)
                .map(|_| {
                    if rng.below(8) == 0 && f > 4 {
                        f - 1 - rng.below(4)
                    } else {
                        (f + 1 + rng.below(12)).min(FUNCTIONS - 1)
                    }
                })
                .filter(|&c| c != f)
                .collect();
            if f + 1 < FUNCTIONS {
                c.push(f + 1); // every function is called
            }
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    for _ in 0..200_000 {
        let mut f = rng.below(4);
        let mut stack = vec![f + 1];
        while stack.len() < 40 && !callees[f as usize].is_empty() && rng.below(10) != 0 {
            f = callees[f as usize][rng.below(callees[f as usize].len() as u64) as usize];
            stack.push(f + 1);
        }
        stack.reverse();
        p.sample.push(wire::Sample {
            location_id: stack,
            value: vec![1],
            label: Vec::new(),
        });
    }
    p.encode_to_vec()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let with_dot = !std::env::args().any(|a| a == "--no-dot");
    let mut rows = Vec::new();
    // (oracle, profile): the corpus's, then the generated graph's.
    let mut entries: Vec<(PathBuf, PathBuf)> = tests_common::corpus()
        .map(|corpus| tests_common::corpus_dot_oracles(&corpus))
        .unwrap_or_default()
        .into_iter()
        .map(|(_, oracle, profile)| (oracle, profile))
        .collect();
    // The generated 80 × 200 graph, with pprof's DOT made by our own
    // (byte-identical to go tool pprof -dot on the corpus).
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).unwrap();
    let dense = data.join("callgraph-80x200.pb");
    std::fs::write(&dense, dense_profile()).unwrap();
    let dense_dot = data.join("callgraph-80x200.dot");
    {
        let bytes = std::fs::read(&dense).unwrap();
        let p = prepare(
            vec![read_profile(&bytes, &ImportOptions::default()).unwrap()],
            None,
        )
        .unwrap();
        let g = callgraph(&p, &ReportOptions::default()).unwrap();
        std::fs::write(&dense_dot, dot(&g)).unwrap();
    }
    entries.push((dense_dot.clone(), dense.clone()));
    println!(
        "{:<58} {:>5} {:>5} | {:>8} {:>5} {:>4} | {:>8} {:>5} | {:>8} {:>5}",
        "profile",
        "nodes",
        "edges",
        "ours ms",
        "cross",
        "ovl",
        "dot ms",
        "cross",
        "lrs ms",
        "cross"
    );
    let (mut sum_ours, mut sum_dot, mut worst_ratio) = (0usize, 0usize, 0.0f64);
    for (dot_file, profile) in entries {
        let name = dot_file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".dot")
            .to_string();
        let (ms, cross, overlaps, nodes, edges) = ours(&profile);
        let gv = if with_dot { graphviz(&dot_file) } else { None };
        // layout-rs needs minutes on the 80 × 200 graph (147 s, once).
        let lrs = if dot_file == dense_dot {
            None
        } else {
            layout_rs(&dot_file)
        };
        let short: String = name
            .chars()
            .rev()
            .take(58)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let fmt = |x: Option<(f64, usize)>| {
            x.map_or(format!("{:>8} {:>5}", "-", "-"), |(m, c)| {
                format!("{m:>8.1} {c:>5}")
            })
        };
        println!(
            "{short:<58} {nodes:>5} {edges:>5} | {ms:>8.2} {cross:>5} {overlaps:>4} | {} | {}",
            fmt(gv),
            fmt(lrs)
        );
        if let Some((_, c)) = gv {
            sum_ours += cross;
            sum_dot += c;
            if c > 0 {
                worst_ratio = worst_ratio.max(cross as f64 / c as f64);
            }
        }
        rows.push((nodes, edges, ms));
    }
    let slowest = rows.iter().map(|r| r.2).fold(0.0, f64::max);
    println!("\ncrossings in all: ours {sum_ours}, dot {sum_dot}; slowest layout {slowest:.1} ms; worst ratio to dot (where dot > 0) {worst_ratio:.2}");
}

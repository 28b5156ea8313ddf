//! The memory charts of the recorded runs (tests/data/series, the corpus's
//! demo), drawn as the page asks for them (through the workspace, at a
//! phone's and a desktop's width, whole and zoomed in): each life's floor
//! line drawn only over the floors it was fitted to — never over an idle
//! stretch, never above the memory it is the floor of — and the footer's
//! counts the Overview's, whatever the zoom.

mod common;

use std::path::{Path, PathBuf};

use leakscope::import::ImportOptions;
use leakscope::render::chart::Chart;
use leakscope::workspace::{ViewState, Workspace};

/// The runs with restarts or idle stretches (and the OOM logs that go
/// with them).
const RUNS: [(&str, &[&str]); 8] = [
    ("leak", &["grafana-joined-epoch.csv", "dmesg.txt"]),
    ("oom", &["grafana-joined-epoch.csv", "dmesg.txt"]),
    ("slowleak", &["grafana-joined-epoch.csv"]),
    ("bgleak", &["grafana-joined-epoch.csv"]),
    ("goroutine", &["grafana-joined-epoch.csv"]),
    ("deploys", &["grafana-joined-epoch.csv"]),
    ("waves", &["grafana-joined-epoch.csv"]),
    ("two", &["grafana-joined-epoch.csv"]),
];

fn workspace(files: &[PathBuf]) -> Workspace {
    let mut w = Workspace::new();
    for f in files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().unwrap().to_string_lossy();
        w.add(
            &name,
            &bytes[..],
            bytes.len() as u64,
            &ImportOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    w
}

fn runs() -> Vec<(String, Vec<PathBuf>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/series");
    let mut out: Vec<(String, Vec<PathBuf>)> = RUNS
        .iter()
        .map(|(run, files)| {
            let files = files.iter().map(|f| dir.join(run).join(f)).collect();
            (run.to_string(), files)
        })
        .collect();
    if let Some(corpus) = common::corpus() {
        out.push((
            "corpus demo".into(),
            vec![corpus.join("demo/leak.grafana-joined.csv")],
        ));
    }
    out
}

/// A polyline of an SVG: its stroke colour and width, and its points.
struct Polyline {
    stroke: String,
    width: String,
    points: Vec<(i32, i32)>,
}

fn polylines(svg: &str) -> Vec<Polyline> {
    let attr = |e: &str, name: &str| {
        e.split(&format!(r#" {name}=""#))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("")
            .to_string()
    };
    svg.split("<polyline")
        .skip(1)
        .map(|e| {
            let e = e.split("/>").next().unwrap();
            let points = attr(e, "points")
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            Polyline {
                stroke: attr(e, "stroke"),
                width: attr(e, "stroke-width"),
                points,
            }
        })
        .collect()
}

/// The idle stretches' shading: (left, right) in pixels.
fn idle_rects(svg: &str) -> Vec<(i32, i32)> {
    svg.split("<rect")
        .skip(1)
        .filter(|e| e.contains(r#"opacity="0.08""#))
        .map(|e| {
            let num = |name: &str| -> i32 {
                e.split(&format!(r#" {name}=""#))
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            (num("x"), num("x") + num("width"))
        })
        .collect()
}

/// The floor's dashes lie within the spans the chart says it drew, which
/// lie within the floors fitted (and the plot); none is over an idle
/// stretch or above the highest point of its own series near it.
fn check_floors(what: &str, c: &Chart) {
    let px = |t: f64| {
        let f = (t - c.plot.t0) / (c.plot.t1 - c.plot.t0);
        f64::from(c.plot.left) + f * f64::from(c.plot.right - 1 - c.plot.left)
    };
    for f in &c.floors {
        assert!(f.start < f.end && f.x_from <= f.x_to, "{what}: {f:?}");
        assert!(f64::from(f.x_from) >= px(f.start) - 1.0, "{what}: {f:?}");
        assert!(f64::from(f.x_to) <= px(f.end) + 1.0, "{what}: {f:?}");
        assert!(
            f.x_from >= c.plot.left && f.x_to < c.plot.right,
            "{what}: {f:?}"
        );
    }
    let lines = polylines(&c.svg);
    let dashes: Vec<&Polyline> = lines.iter().filter(|l| l.width == "2").collect();
    assert_eq!(dashes.is_empty(), c.floors.is_empty(), "{what}");
    let idle = idle_rects(&c.svg);
    // The limit line: dashed, horizontal, in the limit's colour.
    let limit = lines
        .iter()
        .find(|l| l.stroke == "#D77800" && l.points.len() == 2 && l.points[0].1 == l.points[1].1)
        .map(|l| l.points[0].1);
    assert_eq!(
        limit.is_some(),
        c.notes.iter().any(|n| n.starts_with("limit ")),
        "{what}"
    );
    for dash in dashes {
        // The data of the series whose floor this is: its colour, 1 px.
        let data: Vec<&Vec<(i32, i32)>> = lines
            .iter()
            .filter(|l| l.stroke == dash.stroke && l.width == "1")
            .map(|l| &l.points)
            .collect();
        // The highest the series is (least y) within 2 px of x, its line
        // between points included.
        let highest = |x: i32| {
            data.iter()
                .flat_map(|l| l.windows(2))
                .filter(|s| s[0].0.min(s[1].0) <= x + 2 && s[0].0.max(s[1].0) >= x - 2)
                .map(|s| {
                    let (p, q) = (s[0], s[1]);
                    let near = [p, q]
                        .iter()
                        .filter(|r| (r.0 - x).abs() <= 2)
                        .map(|r| r.1)
                        .min();
                    let at = if p.0 == q.0 {
                        p.1.min(q.1)
                    } else {
                        let t = f64::from(x.clamp(p.0.min(q.0), p.0.max(q.0)) - p.0)
                            / f64::from(q.0 - p.0);
                        (f64::from(p.1) + t * f64::from(q.1 - p.1)).round() as i32
                    };
                    near.map_or(at, |n| n.min(at))
                })
                .min()
        };
        for &(x, y) in &dash.points {
            assert!(
                c.floors
                    .iter()
                    .any(|f| x >= f.x_from - 1 && x <= f.x_to + 1),
                "{what}: a dash at x {x} outside the drawn spans {:?}",
                c.floors
            );
            assert!(
                idle.iter().all(|&(a, b)| x <= a + 1 || x >= b - 1),
                "{what}: a dash at x {x} over an idle stretch {idle:?}"
            );
            let top =
                highest(x).unwrap_or_else(|| panic!("{what}: no data near the dash at x {x}"));
            // Above the limit line only where memory is. (Elsewhere a
            // line fitted to a life's floors strays from them by its
            // residual, above a warm-up's first seconds or memory that
            // levels off at the very end: see `floor_lines_stay_within_their_lives`.)
            if let Some(limit) = limit {
                assert!(
                    y >= limit - 2 || top <= limit + 2,
                    "{what}: the floor at ({x}, {y}) is above the limit (y {limit}), its series is not (y {top})"
                );
            }
        }
    }
}

#[test]
fn recorded_runs_floors_and_footers() {
    for (run, files) in runs() {
        let mut w = workspace(&files);
        let overview = w.overview(&ViewState::default());
        for width in [382, 1392] {
            let whole = w.charts(&ViewState {
                width,
                ..Default::default()
            });
            assert!(!whole.processes.is_empty(), "{run}");
            for p in &whole.processes {
                let Some(memory) = p.charts.iter().find(|c| c.kind == "memory") else {
                    continue;
                };
                let card = overview
                    .cards
                    .iter()
                    .find(|c| c.title.ends_with(&p.title))
                    .unwrap_or_else(|| panic!("{run}: no card for {}", p.title));
                let restarts = card.facts.iter().find(|f| f.label == "Restarts");
                let what = format!("{run} {} at {width} px", p.title);
                match restarts {
                    Some(f) => {
                        assert_eq!(memory.restarts, format!("Restarts: {}", f.value), "{what}")
                    }
                    None => assert_eq!(memory.restarts, "", "{what}"),
                }
                check_floors(&what, memory);
                // Zoomed into each third and into a few seconds: the same
                // counts, and as many in view as markers drawn.
                let (t0, t1) = (memory.plot.t0, memory.plot.t1);
                let span = t1 - t0;
                for (a, b) in [
                    (0.0, 1.0 / 3.0),
                    (1.0 / 3.0, 2.0 / 3.0),
                    (2.0 / 3.0, 1.0),
                    (0.5, 0.52),
                ] {
                    let (from, to) = (t0 + a * span, t0 + b * span);
                    let zoomed = w.charts(&ViewState {
                        width,
                        from: Some(from),
                        to: Some(to),
                        ..Default::default()
                    });
                    let z = zoomed
                        .processes
                        .iter()
                        .find(|q| q.index == p.index)
                        .and_then(|q| q.charts.iter().find(|c| c.kind == "memory"))
                        .expect("the zoomed memory chart");
                    let what = format!("{what}, zoomed {from}..{to}");
                    check_floors(&what, z);
                    let Some(f) = restarts else {
                        assert_eq!(z.restarts, "", "{what}");
                        continue;
                    };
                    let total = memory.markers.len();
                    let shown = z.markers.len();
                    let in_view = match (total, shown) {
                        (1, 1) => ", in this window".to_string(),
                        (1, _) => ", not in this window".to_string(),
                        (t, s) if t == s => ", all in this window".to_string(),
                        (_, 0) => ", none of them in this window".to_string(),
                        (_, s) => format!(", {s} of them in this window"),
                    };
                    assert_eq!(
                        z.restarts,
                        format!("Restarts: {}{in_view}", f.value),
                        "{what}"
                    );
                    // The markers in view are the whole chart's in the window.
                    let expected: Vec<f64> = memory
                        .markers
                        .iter()
                        .map(|m| m.time)
                        .filter(|&t| t >= from && t <= to)
                        .collect();
                    let got: Vec<f64> = z.markers.iter().map(|m| m.time).collect();
                    assert_eq!(got, expected, "{what}");
                }
            }
        }
    }
}

/// The run whose life spans an idle stretch: its floor is drawn in two
/// pieces, before and after it, and the label of that life says the slope
/// is while busy.
#[test]
fn the_leak_runs_idle_life() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/series/leak");
    let mut w = workspace(&[dir.join("grafana-joined-epoch.csv"), dir.join("dmesg.txt")]);
    let charts = w.charts(&ViewState {
        width: 1392,
        ..Default::default()
    });
    let memory = &charts.processes[0].charts[0];
    assert_eq!(memory.kind, "memory");
    assert_eq!(memory.restarts, "Restarts: 3 (3 OOM kills)");
    let idle = idle_rects(&memory.svg);
    assert_eq!(idle.len(), 1);
    let (a, b) = idle[0];
    let before = memory.floors.iter().filter(|f| f.x_to <= a + 1).count();
    let after = memory.floors.iter().filter(|f| f.x_from >= b - 1).count();
    assert_eq!(before + after, memory.floors.len());
    // Lives: one before the idle stretch, the idle one in two pieces,
    // two after.
    assert_eq!((before, after), (2, 3), "{:?}", memory.floors);
    assert!(memory.svg.contains("/h while busy"));
}

/// Each life's floor line, in bytes, stays with the memory of that life:
/// within it, over the floors of that life only, and never above its
/// highest point by more than a tenth of the life's range (a line fitted
/// to floors overshoots memory that levels off at the very end of a run
/// by its residual; a line fitted through a warm-up and the level after
/// it, or drawn on over an idle stretch, climbs a seventh of the range
/// above it and more). Under the lowest point it may go by the residual
/// of a climb after a flat warm-up (the demo's first life: a tenth).
#[test]
fn floor_lines_stay_within_their_lives() {
    use leakscope::analysis::leak::{analyze_series, AnalyzeOptions};
    use leakscope::import::{read, Input};
    use leakscope::model::series::SeriesSet;
    for (run, files) in runs() {
        let mut set = SeriesSet::default();
        for f in &files {
            match read(&std::fs::read(f).unwrap(), &ImportOptions::default()) {
                Ok(Input::Series(one)) => set.add_file(&f.display().to_string(), one),
                _ => panic!("{}: not metrics", f.display()),
            }
        }
        let (a, series) = analyze_series(&set, &AnalyzeOptions::default());
        let mut lines = 0;
        for s in a.series.iter().filter(|s| !s.segments.is_empty()) {
            let raw = &series[s.source];
            for g in &s.segments {
                let Some(line) = &g.floor_line else {
                    continue;
                };
                let values: Vec<f64> = raw
                    .times
                    .iter()
                    .zip(&raw.values)
                    .filter(|(t, _)| **t >= g.start && **t <= g.end)
                    .map(|(_, v)| *v)
                    .collect();
                let (lo, hi) = values
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
                let (over, under) = ((hi - lo) / 10.0, (hi - lo) * 0.15);
                for p in &line.pieces {
                    let what = format!("{run} {}: life {}..{}, {p:?}", s.display, g.start, g.end);
                    assert!(
                        p.start >= g.start && p.end <= g.end && p.start < p.end,
                        "{what}"
                    );
                    for v in [p.from, p.to] {
                        assert!(
                            v <= hi + over && v >= lo - under,
                            "{what}: {v} outside {lo}..{hi}"
                        );
                    }
                    lines += 1;
                }
            }
        }
        assert!(lines > 0, "{run}: no floor line");
    }
}

/// More processes than the Memory view charts: exactly the cards of the
/// charted ones offer a "Memory chart" link (a card past them would lead
/// to a view that does not show its process), and the view says how many
/// it left out.
#[test]
fn only_charted_processes_link_to_their_chart() {
    use leakscope::analysis::overview::MAX_CHARTED_PROCESSES;
    let n = MAX_CHARTED_PROCESSES + 5;
    let mut text = String::new();
    for i in 0..n {
        for (k, t) in [1_700_000_000u64, 1_700_000_060, 1_700_000_120]
            .iter()
            .enumerate()
        {
            let value = 100_000_000 + (i as u64 + 1) * 1_000_000 * k as u64;
            text.push_str(&format!(
                "process_resident_memory_bytes{{instance=\"host-{i}\"}} {value} {}\n",
                t * 1000
            ));
        }
    }
    let mut w = Workspace::new();
    w.add(
        "fleet.prom",
        text.as_bytes(),
        text.len() as u64,
        &ImportOptions::default(),
    )
    .unwrap();
    let state = ViewState::default();
    let charts = w.charts(&state);
    assert_eq!(charts.processes.len(), MAX_CHARTED_PROCESSES);
    assert_eq!(
        charts.note.as_deref(),
        Some("5 more processes not charted: the first 20 by rank are")
    );
    let instance = |title: &str| {
        title
            .split("host-")
            .nth(1)
            .map(|r| r.split('"').next().unwrap().to_string())
    };
    let mut charted: Vec<String> = charts
        .processes
        .iter()
        .filter_map(|p| instance(&p.title))
        .collect();
    let overview = w.overview(&state);
    let mut linked: Vec<String> = overview
        .cards
        .iter()
        .filter(|c| c.links.iter().any(|l| l.label == "Memory chart"))
        .filter_map(|c| instance(&c.title))
        .collect();
    let process_cards = overview
        .cards
        .iter()
        .filter(|c| instance(&c.title).is_some())
        .count();
    assert_eq!(process_cards, n);
    charted.sort();
    linked.sort();
    assert_eq!(linked, charted);
}

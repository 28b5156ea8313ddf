//! The call graph: pprof's `-dot` for every profile of the shared corpus
//! (tests/data/oracles/corpus-dot, made by `go tool pprof -dot`; the
//! fixtures' option variants are in tests/pprof_options.rs), byte for byte.

mod common;

use std::path::Path;

use leakscope::analysis::callgraph::callgraph;
use leakscope::analysis::options::ReportOptions;
use leakscope::render::dot::dot;

#[test]
fn dot_equals_pprof_on_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/oracles/corpus-dot");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let profile = corpus.join(name.trim_end_matches(".dot").replace("__", "/"));
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
    assert!(checked >= 50, "only {checked} corpus call graphs");
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

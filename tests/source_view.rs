//! The page's Source view with no function picked: every function,
//! heaviest first as pprof's web source view lists them, 50 at a time,
//! on the corpus's largest profile (23,038 functions).

mod common;

use std::time::Instant;

use leakscope::import::ImportOptions;
use leakscope::workspace::{ViewState, Workspace, LIST_PAGE};

fn workspace(name: &str, bytes: &[u8]) -> Workspace {
    let mut w = Workspace::new();
    w.add(name, bytes, bytes.len() as u64, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    w
}

#[test]
fn nothing_picked_lists_every_function_heaviest_first_a_page_at_a_time() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let path = corpus.join("pprof/google-pprof/internal/proftest/testdata/large.cpu");
    let w = workspace("large.cpu", &std::fs::read(&path).unwrap());
    // Every function of the profile, as the page's Top counts them.
    let top = w
        .top(&ViewState {
            sort: "flat".into(),
            ..ViewState::default()
        })
        .unwrap();
    assert!(!top.table.rows.is_empty());

    let started = Instant::now();
    let first = w.list(&ViewState::default()).unwrap();
    let took = started.elapsed();
    eprintln!(
        "Source view, nothing picked, large.cpu: first {} listings in {:.0} ms",
        first.functions.len(),
        took.as_secs_f64() * 1000.0
    );
    assert_eq!(first.functions.len(), LIST_PAGE);
    assert_eq!(first.note, "The 50 heaviest of 23038 functions");
    let more = first.more.as_ref().expect("more to show");
    assert_eq!(more.from, LIST_PAGE);
    assert_eq!(more.label, "Show the next 50 (22988 more functions)");
    // The heaviest listing is the heaviest function of Top (by flat).
    assert_eq!(first.functions[0].name, top.table.rows[0].name);
    assert_eq!(first.functions[0].flat, top.table.rows[0].flat_text);

    let second = w
        .list(&ViewState {
            list_from: more.from,
            ..ViewState::default()
        })
        .unwrap();
    assert_eq!(second.functions.len(), LIST_PAGE);
    assert_eq!(second.note, "The 100 heaviest of 23038 functions");
    assert!(second
        .functions
        .iter()
        .all(|f| first.functions.iter().all(|g| g.name != f.name)));

    let last = w
        .list(&ViewState {
            list_from: 23038 - 8,
            ..ViewState::default()
        })
        .unwrap();
    assert_eq!(last.functions.len(), 8);
    assert_eq!(last.note, "23038 functions, heaviest first");
    assert!(last.more.is_none());
}

#[test]
fn a_picked_function_is_listed_alone() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let bytes = std::fs::read(corpus.join("blog/heap.3.pprof")).unwrap();
    let w = workspace("heap.3.pprof", &bytes);
    let view = w
        .list(&ViewState {
            list: "main.(*RequestTracker).Track".into(),
            ..ViewState::default()
        })
        .unwrap();
    assert_eq!(view.note, "1 function");
    assert!(view.more.is_none());
    assert_eq!(view.functions.len(), 1);
    assert_eq!(view.functions[0].cum, "410.25MB");
}

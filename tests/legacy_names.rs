//! Go's `debug=1` text profiles name their frames in `#` comment lines,
//! which pprof ignores. leakscope attaches them; this checks the names
//! against the protobuf profile Go wrote at the same moment
//! (tests/data/leakgen writes both right after one GC).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use leakscope::analysis::options::ReportOptions;
use leakscope::analysis::top::top;

fn flat_by_name(file: &str) -> BTreeMap<String, i64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let p = common::prepared(&path, None);
    let r = top(&p, &ReportOptions::exact()).unwrap();
    r.rows.into_iter().map(|row| (row.name, row.flat)).collect()
}

#[test]
fn debug1_text_names_frames_like_the_protobuf() {
    let text = flat_by_name("go.heap.debug1.txt");
    let proto = flat_by_name("go.heap.pb.gz");
    // The program's own allocation sites carry the same bytes in both.
    let sites = [
        "bytes.Repeat",
        "main.buffer",
        "main.recurse",
        "main.ping",
        "main.(*Tracker).Track",
    ];
    for site in sites {
        assert!(proto[site] > 0, "{site} allocates in the protobuf");
        assert_eq!(text.get(site), proto.get(site), "{site}");
    }
    // And nothing is left unnamed.
    assert!(!text.contains_key("<unknown>"), "{text:?}");
}

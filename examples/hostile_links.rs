//! Writes the hostile cases that name a page view (`Case::page`) as the
//! links a person might be sent: `OUT/links.json`, a list of
//! `{name, family, hash, files, says}` where `hash` is `#<view params>&data=<files>`
//! when that fits in a link (the page's 2 MB budget, Chromium's limit);
//! a case too big for a link is opened as `#<view params>` with its files
//! dropped: `files` names them, written under `OUT/<name>/`.
//! First comes one benign link (the blog's heap.0 on Top, family 0): the
//! page's own floor, for the benchmark to read the others beside.
//! Read by `tests/e2e/hostile_links.mjs`.
//!
//!     cargo run --example hostile_links -- OUT_DIR

#[path = "../tests/hostile_cases/mod.rs"]
mod hostile_cases;

use leakscope::share::{pack, SharedFile};

/// The longest link the page writes (www/share.js `LINK_BUDGET`).
const LINK_BUDGET: usize = 2_000_000;

fn main() {
    let out = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: hostile_links OUT_DIR"),
    );
    // Not hostile: the blog's first heap snapshot on Top, the page's own
    // floor on this machine, beside which the hostile cases' tasks are
    // read (left out, with a word, when the shared corpus is not there).
    let blog_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/blog/heap.0.pprof"
    );
    let benign = match std::fs::read(blog_path) {
        Ok(bytes) => Some(
            hostile_cases::Case::new(0, "benign-blog-heap-top")
                .file("heap.0.pprof", bytes)
                .page("view=top")
                .page_says("Showing nodes accounting for 902.59kB, 100% of 902.59kB total"),
        ),
        Err(e) => {
            eprintln!("no benign baseline link: {blog_path}: {e}");
            None
        }
    };
    let links: Vec<serde_json::Value> = benign
        .into_iter()
        .chain(hostile_cases::all())
        .filter_map(|case| {
            let params = case.page?;
            let files: Vec<SharedFile> = case
                .files
                .iter()
                .map(|(name, bytes)| SharedFile {
                    name: name.clone(),
                    bytes: bytes.clone(),
                })
                .collect();
            let data = pack(&files);
            let link = format!("#{params}&data={data}");
            if link.len() <= LINK_BUDGET {
                return Some(serde_json::json!({
                    "name": case.name,
                    "family": case.family,
                    "hash": link,
                    "files": [],
                    "says": case.page_says,
                }));
            }
            let dir = out.join(case.name);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in &case.files {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
            Some(serde_json::json!({
                "name": case.name,
                "family": case.family,
                "hash": format!("#{params}"),
                "files": case.files.iter().map(|(name, _)| dir.join(name)).collect::<Vec<_>>(),
                "says": case.page_says,
            }))
        })
        .collect();
    std::fs::create_dir_all(&out).unwrap();
    let path = out.join("links.json");
    std::fs::write(&path, serde_json::to_string_pretty(&links).unwrap()).unwrap();
    eprintln!("{} links in {}", links.len(), path.display());
}

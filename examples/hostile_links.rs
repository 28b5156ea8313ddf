//! Writes the hostile cases that name a page view (`Case::page`) as the
//! links a person might be sent: `OUT/links.json`, a list of
//! `{name, family, hash}` where `hash` is `#<view params>&data=<files>`.
//! Read by `tests/e2e/hostile_links.mjs`.
//!
//!     cargo run --example hostile_links -- OUT_DIR

#[path = "../tests/hostile_cases/mod.rs"]
mod hostile_cases;

use leakscope::share::{pack, SharedFile};

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: hostile_links OUT_DIR");
    let links: Vec<serde_json::Value> = hostile_cases::all()
        .into_iter()
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
            Some(serde_json::json!({
                "name": case.name,
                "family": case.family,
                "hash": format!("#{params}&data={data}"),
            }))
        })
        .collect();
    std::fs::create_dir_all(&out).unwrap();
    let path = std::path::Path::new(&out).join("links.json");
    std::fs::write(&path, serde_json::to_string_pretty(&links).unwrap()).unwrap();
    eprintln!("{} links in {}", links.len(), path.display());
}

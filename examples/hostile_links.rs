//! Writes the hostile cases that name a page view (`Case::page`) as the
//! links a person might be sent: `OUT/links.json`, a list of
//! `{name, family, hash, files}` where `hash` is `#<view params>&data=<files>`
//! when that fits in a link (the page's 2 MB budget, Chromium's limit);
//! a case too big for a link is opened as `#<view params>` with its files
//! dropped: `files` names them, written under `OUT/<name>/`.
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
            let link = format!("#{params}&data={data}");
            if link.len() <= LINK_BUDGET {
                return Some(serde_json::json!({
                    "name": case.name,
                    "family": case.family,
                    "hash": link,
                    "files": [],
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
            }))
        })
        .collect();
    std::fs::create_dir_all(&out).unwrap();
    let path = out.join("links.json");
    std::fs::write(&path, serde_json::to_string_pretty(&links).unwrap()).unwrap();
    eprintln!("{} links in {}", links.len(), path.display());
}

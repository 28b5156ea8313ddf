//! The bodies of the fuzz targets (`fuzz/`, run with `scripts/fuzz`) and of
//! the crash replays (`tests/crashers.rs`): feed bytes to a reader, and
//! whatever loads to every view the page has. Errors are fine; only a
//! panic, a hang or a runaway allocation is a failure.

use crate::import::{self, ImportOptions, Input};
use crate::share;
use crate::workspace::{ViewState, Workspace};

/// Limits small enough that a fuzzer's input cannot make the process
/// allocate gigabytes legitimately.
pub fn options() -> ImportOptions {
    ImportOptions {
        max_inflated_bytes: 16 << 20,
        ..ImportOptions::default()
    }
}

/// Decodes a profile (gzipped or raw protobuf, legacy text or binary).
pub fn decode_profile(bytes: &[u8]) {
    let _ = import::read_profile(bytes, &options());
}

/// Decodes a profile from a gzip stream of `bytes` (the inflating path,
/// with the fuzzer's mutations landing in the protobuf, not the deflate).
pub fn decode_gzipped_profile(bytes: &[u8]) {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip into memory");
    let gz = gz.finish().expect("gzip into memory");
    let _ = import::read_profile(&gz, &options());
}

/// Reads any text input: legacy text profiles, every metrics export, OOM logs.
pub fn decode_text(bytes: &[u8]) {
    if let Ok(Input::Series(set)) = import::read(bytes, &options()) {
        let a = crate::analysis::leak::analyze(&set, &Default::default());
        let _ = crate::render::text::analysis(&a);
    }
}

/// Unpacks a link's `#data=` text.
pub fn unpack_link(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = share::unpack_with_limit(text, 16 << 20);
    }
}

/// Loads the bytes as the page does (twice, as two snapshots of one
/// process) and asks for every view, at every sample type.
pub fn every_view(bytes: &[u8]) {
    let mut w = Workspace::new();
    let options = options();
    if w.add("a", bytes, bytes.len() as u64, &options).is_err() {
        return;
    }
    let _ = w.add("b", bytes, bytes.len() as u64, &options);
    let mut state = ViewState {
        width: 800,
        ..ViewState::default()
    };
    let sample_types = w.top(&state).map(|t| t.sample_types).unwrap_or_default();
    let _ = w.overview(&state);
    let _ = w.charts(&state);
    let _ = w.trend(&state);
    for si in sample_types.iter().map(String::as_str).chain([""]) {
        state.si = si.to_string();
        let _ = w.top(&state);
        let _ = w.diff(&state);
        let _ = w.graph(&state);
        let _ = w.graph_svg(&state);
        let _ = w.flame(&state);
        let _ = w.flame_svg(&state);
        if let Ok(top) = w.top(&state) {
            if let Some(row) = top.table.rows.first() {
                state.list = row.name.clone();
                state.function = row.name.clone();
                let _ = w.list(&state);
                let _ = w.callers(&state);
            }
        }
    }
}

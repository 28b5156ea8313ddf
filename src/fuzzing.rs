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

/// Reads text as a metrics export or an OOM log (the metric readers, past
/// the profile sniffing `decode_text` goes through), then analyses it.
pub fn decode_series(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some(Ok(set)) = import::series::read_text(&text, "utf-8", &options()) {
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

/// A link's view parameters (one line, `view=flame&fz=main.a&f=…` as the
/// page's hash has them, percent-encoded or not) over the file in the rest
/// of the bytes: the state is built with the page's keys (www/state.js:
/// `fz` and `hidden` repeat, `limit`/`from`/`to` are numbers; a repeated
/// key here keeps its last value) and the view it names is asked for, as a
/// link opening the page would.
pub fn link_view(bytes: &[u8]) {
    let split = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let (params, file) = (&bytes[..split], bytes.get(split + 1..).unwrap_or_default());
    let Ok(params) = std::str::from_utf8(params) else {
        return;
    };
    let mut state = ViewState {
        width: 800,
        ..ViewState::default()
    };
    let mut view = "overview".to_string();
    for pair in params.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decoded(value);
        let number = || value.parse::<f64>().ok();
        match key {
            "view" => view = value,
            "fz" => state.fz.push(value),
            "hidden" => state.hidden.push(value),
            "limit" => state.limit = number(),
            "from" => state.from = number(),
            "to" => state.to = number(),
            "profile" => state.profile = value,
            "si" => state.si = value,
            "g" => state.g = value,
            "f" => state.f = value,
            "i" => state.i = value,
            "h" => state.h = value,
            "s" => state.s = value,
            "sort" => state.sort = value,
            "list" => state.list = value,
            "base" => state.base = value,
            "target" => state.target = value,
            "mode" => state.mode = value,
            "q" => state.q = value,
            "fn" => state.function = value,
            _ => {}
        }
    }
    let mut w = Workspace::new();
    if w.add("a", file, file.len() as u64, &options()).is_err() {
        return;
    }
    let _ = w.add("b", file, file.len() as u64, &options());
    match view.as_str() {
        "charts" => {
            let _ = w.charts(&state);
        }
        "top" => {
            let _ = w.top(&state);
        }
        "list" => {
            let _ = w.list(&state);
        }
        "diff" => {
            let _ = w.diff(&state);
        }
        "trend" => {
            let _ = w.trend(&state);
        }
        "graph" => {
            let _ = w.graph(&state);
            let _ = w.graph_svg(&state);
        }
        "flame" => {
            let _ = w.flame(&state);
            let _ = w.flame_svg(&state);
        }
        "callers" => {
            let _ = w.callers(&state);
        }
        _ => {
            let _ = w.overview(&state);
        }
    }
}

/// `%XX` decoded (and `+` as a space, as URLSearchParams reads it); a
/// broken escape is kept as it is.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

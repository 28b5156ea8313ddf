//! The WebAssembly bindings: the only file that names `wasm_bindgen`.
//! Each method converts its arguments, calls the core's [`Workspace`], and
//! converts the result or the error. The page's worker holds one
//! `Session`; everything it shows is computed here, formatted by the core.

use std::io::Read;

use wasm_bindgen::prelude::*;

use crate::import::ImportOptions;
use crate::share::{self, SharedFile};
use crate::workspace::{ViewState, Workspace};

/// The one error conversion: the core's message becomes a JS Error.
fn js_error(e: crate::Error) -> JsError {
    JsError::new(&e.message)
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn state(value: JsValue) -> Result<ViewState, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(ViewState::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("bad view state: {e}")))
}

/// The files the page has loaded, and the views of them.
#[wasm_bindgen]
pub struct Session {
    workspace: Workspace,
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        report_panics();
        Session {
            workspace: Workspace::new(),
        }
    }

    /// Panics, so that tests can check the page survives a bug in the core
    /// (tests/e2e/hostile.mjs); nothing else calls it.
    pub fn panic_for_tests(&self) {
        panic!("a deliberate panic, for the page's crash test");
    }

    /// Reads a file of any kind (profile, metrics, OOM log, source, or an
    /// archive of these) and returns `{ files, errors }`: how the file list
    /// shows what it added (an archive: each member), and the members that
    /// could not be read. `progress(bytes_read)` is called
    /// every MiB; `utc_offset_seconds` is the zone of zoneless times.
    pub fn add(
        &mut self,
        name: &str,
        bytes: &[u8],
        progress: Option<js_sys::Function>,
        utc_offset_seconds: Option<i32>,
    ) -> Result<JsValue, JsError> {
        let options = import_options(utc_offset_seconds);
        fits(crate::import::memory_needed(bytes, &options))?;
        self.read(name, bytes, bytes.len() as u64, progress, &options)
    }

    /// [`Session::add`] for a file read in pieces: `read(offset, length)`
    /// returns that piece as a Uint8Array (the worker reads its Blob with
    /// FileReaderSync), so the whole file never sits in wasm memory beside
    /// its model.
    pub fn add_streamed(
        &mut self,
        name: &str,
        size: f64,
        read: js_sys::Function,
        progress: Option<js_sys::Function>,
        utc_offset_seconds: Option<i32>,
    ) -> Result<JsValue, JsError> {
        let options = import_options(utc_offset_seconds);
        let size = size as u64;
        let pieces = Pieces {
            read,
            offset: 0,
            size,
            buffer: Vec::new(),
            at: 0,
        };
        // Enough to tell gzip (2 bytes) and zip (4) apart.
        let head = pieces.piece(0, 4)?;
        let tail = pieces.piece(size.saturating_sub(4), 4)?;
        fits(crate::import::memory_needed_from_ends(
            size, &head, &tail, &options,
        ))?;
        self.read(name, pieces, size, progress, &options)
    }

    pub fn remove(&mut self, id: u32) {
        self.workspace.remove(id);
    }

    pub fn files(&self) -> Result<JsValue, JsError> {
        to_js(&self.workspace.files())
    }

    pub fn overview(&mut self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.overview(&state(view)?))
    }

    /// The Overview's table `id`, its rows searched for `query` (null when
    /// there is no such table).
    pub fn overview_table(
        &mut self,
        view: JsValue,
        id: String,
        query: String,
    ) -> Result<JsValue, JsError> {
        to_js(&self.workspace.overview_table(&state(view)?, &id, &query))
    }

    pub fn charts(&mut self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.charts(&state(view)?))
    }

    pub fn hover(
        &mut self,
        view: JsValue,
        process: usize,
        kind: &str,
        time: f64,
    ) -> Result<JsValue, JsError> {
        to_js(&self.workspace.hover(&state(view)?, process, kind, time))
    }

    pub fn top(&self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.top(&state(view)?).map_err(js_error)?)
    }

    pub fn list(&self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.list(&state(view)?).map_err(js_error)?)
    }

    pub fn diff(&self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.diff(&state(view)?).map_err(js_error)?)
    }

    pub fn trend(&mut self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.trend(&state(view)?).map_err(js_error)?)
    }

    pub fn graph(&self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.graph(&state(view)?).map_err(js_error)?)
    }

    /// The call graph as an SVG file's text.
    pub fn graph_svg(&self, view: JsValue) -> Result<String, JsError> {
        self.workspace.graph_svg(&state(view)?).map_err(js_error)
    }

    pub fn flame(&mut self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.flame(&state(view)?).map_err(js_error)?)
    }

    /// The flame graph as an SVG file's text.
    pub fn flame_svg(&mut self, view: JsValue) -> Result<String, JsError> {
        self.workspace.flame_svg(&state(view)?).map_err(js_error)
    }

    pub fn callers(&self, view: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.workspace.callers(&state(view)?).map_err(js_error)?)
    }
}

impl Session {
    /// Adds a file from a reader that reports its progress.
    fn read(
        &mut self,
        name: &str,
        inner: impl Read,
        size: u64,
        progress: Option<js_sys::Function>,
        options: &ImportOptions,
    ) -> Result<JsValue, JsError> {
        let reader = Progress {
            inner,
            read: 0,
            reported: 0,
            callback: progress,
        };
        let info = self
            .workspace
            .add(name, reader, size, options)
            .map_err(js_error)?;
        to_js(&info)
    }
}

fn import_options(utc_offset_seconds: Option<i32>) -> ImportOptions {
    ImportOptions {
        utc_offset: utc_offset_seconds,
        ..ImportOptions::default()
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether the memory left can hold a file's model. wasm32 memory stops
/// at 4 GiB; what is mapped now is in use or free in the allocator, so
/// 4 GiB minus it is a lower bound of what is left.
fn fits(needed: u64) -> Result<(), JsError> {
    let mapped = core::arch::wasm32::memory_size(0) as u64 * 65536;
    crate::import::check_fits(needed, (4u64 << 30).saturating_sub(mapped)).map_err(js_error)
}

/// A file read through `read(offset, length)`, a MiB at a time.
struct Pieces {
    read: js_sys::Function,
    offset: u64,
    size: u64,
    buffer: Vec<u8>,
    at: usize,
}

impl Pieces {
    fn piece(&self, offset: u64, length: u64) -> Result<Vec<u8>, JsError> {
        let length = length.min(self.size.saturating_sub(offset));
        let value = self
            .read
            .call2(
                &JsValue::NULL,
                &(offset as f64).into(),
                &(length as f64).into(),
            )
            .map_err(|e| JsError::new(&format!("reading the file failed: {e:?}")))?;
        Ok(js_sys::Uint8Array::new(&value).to_vec())
    }
}

impl Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buffer.len() {
            if self.offset >= self.size {
                return Ok(0);
            }
            self.buffer = self
                .piece(self.offset, 1 << 20)
                .map_err(|_| std::io::Error::other("reading the file failed"))?;
            if self.buffer.is_empty() {
                return Ok(0);
            }
            self.offset += self.buffer.len() as u64;
            self.at = 0;
        }
        let n = buf.len().min(self.buffer.len() - self.at);
        buf[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A reader that reports how far it got.
struct Progress<R> {
    inner: R,
    read: usize,
    reported: usize,
    callback: Option<js_sys::Function>,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        if self.read - self.reported >= 1 << 20 {
            self.reported = self.read;
            if let Some(f) = &self.callback {
                let _ = f.call1(&JsValue::NULL, &JsValue::from_f64(self.read as f64));
            }
        }
        Ok(n)
    }
}

/// Packs files (names and contents, in order) into a link's `#data=` text.
#[wasm_bindgen]
pub fn pack(names: Vec<String>, contents: Vec<js_sys::Uint8Array>) -> String {
    let files: Vec<SharedFile> = names
        .into_iter()
        .zip(contents)
        .map(|(name, bytes)| SharedFile {
            name,
            bytes: bytes.to_vec(),
        })
        .collect();
    share::pack(&files)
}

/// The files in a link's `#data=` text, as `[{name, bytes}]`.
#[wasm_bindgen]
pub fn unpack(text: &str) -> Result<js_sys::Array, JsError> {
    let set = |item: &js_sys::Object, key: &str, value: &JsValue| {
        js_sys::Reflect::set(item, &key.into(), value)
            .map_err(|_| JsError::new("unpack: cannot build the result"))
    };
    let out = js_sys::Array::new();
    for f in share::unpack(text).map_err(js_error)? {
        let item = js_sys::Object::new();
        set(&item, "name", &f.name.into())?;
        set(&item, "bytes", &js_sys::Uint8Array::from(&f.bytes[..]))?;
        out.push(&item);
    }
    Ok(out)
}

/// A panic aborts the instance (the `wasm` profile's panic = "abort"),
/// so its message is left on the worker's global `leakscopePanic` before
/// that: the worker reports it and the page starts a fresh worker.
fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        let _ = js_sys::Reflect::set(
            &js_sys::global(),
            &"leakscopePanic".into(),
            &info.to_string().into(),
        );
    }));
}

/// What the page's "Open from Prometheus" fetches: `{path, params}`,
/// the range query (`params`: `[name, value]` pairs) for every series the
/// analysis reads under `selector` (`{job="api"}`), over the `seconds`
/// before `now` (Unix seconds). The page puts `path` under the
/// Prometheus' URL and encodes the parameters.
#[wasm_bindgen]
pub fn prometheus_query(selector: &str, seconds: f64, now: f64) -> Result<JsValue, JsError> {
    use crate::analysis::promql;
    let matchers = promql::matchers(selector).map_err(js_error)?;
    let query = promql::series_query(&matchers);
    let params = promql::range_query_params(&query, seconds, now);
    #[derive(serde::Serialize)]
    struct Request {
        path: &'static str,
        params: [(&'static str, String); 4],
    }
    let request = Request {
        path: promql::QUERY_RANGE_PATH,
        params,
    };
    serde_wasm_bindgen::to_value(&request).map_err(|e| JsError::new(&e.to_string()))
}

/// The name of a file fetched from a URL of `path` on `host`, when it
/// is not the path's last part (see `promql::fetched_file_name`).
#[wasm_bindgen]
pub fn fetched_file_name(path: &str, host: &str) -> Option<String> {
    crate::analysis::promql::fetched_file_name(path, host)
}

/// What to add when the page could not fetch `url` (see
/// `promql::cors_advice`); `origin` is the page's, if it has one.
#[wasm_bindgen]
pub fn prometheus_cors_advice(url: &str, origin: Option<String>) -> Option<String> {
    crate::analysis::promql::cors_advice(url, origin.as_deref())
}

/// A size in bytes as the page shows sizes (`18.29kB`).
#[wasm_bindgen]
pub fn byte_label(bytes: f64) -> String {
    crate::units::label(bytes as i64, "bytes")
}

/// The core's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

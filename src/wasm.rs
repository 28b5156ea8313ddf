//! The WebAssembly bindings: the only file that names `wasm_bindgen`.
//! Each function converts its arguments, calls one core function, and
//! converts the result or the error. The profile stays in Rust behind an
//! opaque handle; JS gets small results (rows, text).

use wasm_bindgen::prelude::*;

use crate::analysis::leak::{self, AnalyzeOptions};
use crate::analysis::options::ReportOptions;
use crate::analysis::{info, list, source, top, traces, trend};
use crate::import::{read_profile, read_series_from, ImportOptions};
use crate::model::series::SeriesSet;
use crate::model::Profile;
use crate::render;

/// The one error conversion: the core's message becomes a JS Error.
fn js_error(e: crate::Error) -> JsError {
    JsError::new(&e.message)
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn options(value: JsValue) -> Result<ReportOptions, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(ReportOptions::default());
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&format!("bad report options: {e}")))
}

/// A loaded profile, prepared for reports.
#[wasm_bindgen]
pub struct LoadedProfile {
    profile: Profile,
}

#[wasm_bindgen]
impl LoadedProfile {
    /// Reads a profile (gzipped or raw protobuf, or a legacy text format).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<LoadedProfile, JsError> {
        let p = read_profile(bytes, &ImportOptions::default()).map_err(js_error)?;
        let profile = source::prepare(vec![p], None).map_err(js_error)?;
        Ok(LoadedProfile { profile })
    }

    /// Sample types, counts, time and comments.
    pub fn info(&self) -> Result<JsValue, JsError> {
        to_js(&info::info(&self.profile))
    }

    /// `top` as a display table (formatted values and raw ones).
    pub fn top(&self, options_js: JsValue) -> Result<JsValue, JsError> {
        let r = top::top(&self.profile, &options(options_js)?).map_err(js_error)?;
        to_js(&render::table::top_table(&r))
    }

    /// `top` as pprof's text.
    pub fn top_text(&self, options_js: JsValue) -> Result<String, JsError> {
        let r = top::top(&self.profile, &options(options_js)?).map_err(js_error)?;
        Ok(render::text::top(&r))
    }

    /// `list REGEX` (without source text) as pprof's text.
    pub fn list_text(&self, regex: &str, options_js: JsValue) -> Result<String, JsError> {
        let r = list::list(
            &self.profile,
            regex,
            &options(options_js)?,
            &list::NoSources,
        )
        .map_err(js_error)?;
        Ok(render::text::list(&r))
    }

    /// `traces` as pprof's text.
    pub fn traces_text(&self, options_js: JsValue) -> Result<String, JsError> {
        let r = traces::traces(&self.profile, &options(options_js)?).map_err(js_error)?;
        Ok(render::text::traces(&r))
    }
}

/// Metric exports and OOM logs, gathered for `analyze`.
#[wasm_bindgen]
pub struct LoadedSeries {
    set: SeriesSet,
}

#[wasm_bindgen]
impl LoadedSeries {
    #[wasm_bindgen(constructor)]
    pub fn new() -> LoadedSeries {
        LoadedSeries {
            set: SeriesSet::default(),
        }
    }

    /// Reads one file (a Grafana CSV, Prometheus JSON or text, an OOM log)
    /// and returns what it was found to be. `utc_offset_seconds`: the zone
    /// of times written without one (default UTC).
    pub fn add(
        &mut self,
        name: &str,
        bytes: &[u8],
        utc_offset_seconds: Option<i32>,
    ) -> Result<JsValue, JsError> {
        add_series(&mut self.set, name, bytes, utc_offset_seconds)
    }

    /// The analysis (`leakscope analyze --format json`); options: `{limit}`.
    pub fn analyze(&self, options_js: JsValue) -> Result<JsValue, JsError> {
        to_js(&leak::analyze(&self.set, &analyze_options(options_js)?))
    }

    /// The analysis as `leakscope analyze` prints it.
    pub fn analyze_text(&self, options_js: JsValue) -> Result<String, JsError> {
        Ok(render::text::analysis(&leak::analyze(
            &self.set,
            &analyze_options(options_js)?,
        )))
    }
}

impl Default for LoadedSeries {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads a metrics file into `set`; returns what it was found to be.
fn add_series(
    set: &mut SeriesSet,
    name: &str,
    bytes: &[u8],
    utc_offset: Option<i32>,
) -> Result<JsValue, JsError> {
    let options = ImportOptions {
        utc_offset,
        ..ImportOptions::default()
    };
    let one = read_series_from(bytes, &options).map_err(|e| js_error(e.context(name)))?;
    set.add_file(name, one);
    to_js(set.inputs.last().expect("an input was just added"))
}

fn analyze_options(value: JsValue) -> Result<AnalyzeOptions, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(AnalyzeOptions::default());
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&format!("bad analyze options: {e}")))
}

/// Heap snapshots of one process (and, optionally, its metrics) for
/// `trend`: what keeps growing.
#[wasm_bindgen]
pub struct Snapshots {
    profiles: Vec<(String, Profile)>,
    metrics: SeriesSet,
}

#[wasm_bindgen]
impl Snapshots {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Snapshots {
        Snapshots {
            profiles: Vec::new(),
            metrics: SeriesSet::default(),
        }
    }

    /// Adds one heap profile.
    pub fn add_profile(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsError> {
        let p = read_profile(bytes, &ImportOptions::default())
            .map_err(|e| js_error(e.context(name)))?;
        let p = source::prepare(vec![p], None).map_err(|e| js_error(e.context(name)))?;
        self.profiles.push((name.to_string(), p));
        Ok(())
    }

    /// Adds a metrics file of the same process (for bytes per request).
    pub fn add_metrics(
        &mut self,
        name: &str,
        bytes: &[u8],
        utc_offset_seconds: Option<i32>,
    ) -> Result<JsValue, JsError> {
        add_series(&mut self.metrics, name, bytes, utc_offset_seconds)
    }

    /// `leakscope trend --format json`; options: `{sample_index, granularity}`.
    pub fn trend(&self, options_js: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.report(options_js)?)
    }

    /// The report as `leakscope trend` prints it.
    pub fn trend_text(&self, options_js: JsValue) -> Result<String, JsError> {
        Ok(render::text::trend(&self.report(options_js)?))
    }
}

impl Snapshots {
    fn report(&self, options_js: JsValue) -> Result<trend::TrendReport, JsError> {
        let options: trend::TrendOptions = if options_js.is_undefined() || options_js.is_null() {
            trend::TrendOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options_js)
                .map_err(|e| JsError::new(&format!("bad trend options: {e}")))?
        };
        let metrics = (!self.metrics.inputs.is_empty()).then_some(&self.metrics);
        trend::trend(self.profiles.clone(), &options, metrics).map_err(js_error)
    }
}

impl Default for Snapshots {
    fn default() -> Self {
        Self::new()
    }
}

/// The core's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

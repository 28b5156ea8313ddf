//! Prometheus HTTP API responses: `query_range` (a matrix: series of
//! `[seconds, "value"]` pairs) and `query` (a vector: one value each).
//! Values are strings because Prometheus writes `NaN` and `±Inf`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{quote, Error, Result};
use crate::model::series::{InputReport, Series};

use super::values::{parse_value, Cell};
use super::Warnings;

// The result is kept raw and read once its type is known; values are
// borrowed from the text (no string per point).
#[derive(Deserialize)]
struct Response<'a> {
    status: Option<String>,
    #[serde(borrow)]
    data: Option<Data<'a>>,
    error: Option<String>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    #[serde(rename = "resultType")]
    result_type: Option<String>,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "resultType")]
    result_type: String,
    #[serde(borrow)]
    result: &'a RawValue,
}

#[derive(Deserialize)]
struct MatrixEntry {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    values: Points,
}

/// A matrix entry's `[seconds, "value"]` pairs, read straight into
/// columns (10M points would otherwise pass through a vector of pairs).
#[derive(Default)]
struct Points {
    times: Vec<f64>,
    values: Vec<f64>,
    /// Values that are no number: how many, and the first few.
    bad: usize,
    first_bad: Vec<(f64, String)>,
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Points, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Points;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of [seconds, \"value\"] pairs")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Points, A::Error> {
                let mut p = Points::default();
                if let Some(n) = seq.size_hint() {
                    p.times.reserve(n);
                    p.values.reserve(n);
                }
                while let Some((t, v)) = seq.next_element::<(f64, Cow<'de, str>)>()? {
                    match parse_value(&v) {
                        Cell::Number(x) => {
                            p.times.push(t);
                            p.values.push(x);
                        }
                        Cell::Gap => {}
                        Cell::Bad => {
                            p.bad += 1;
                            if p.first_bad.len() < 20 {
                                p.first_bad.push((t, v.into_owned()));
                            }
                        }
                    }
                }
                Ok(p)
            }
        }
        deserializer.deserialize_seq(Visit)
    }
}

#[derive(Deserialize)]
struct VectorEntry<'a> {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(borrow)]
    value: (f64, Cow<'a, str>),
}

/// Whether text starts like a JSON object (`{"...` or `{}`), unlike a
/// promtool dump's `{__name__=...`.
pub fn sniff(text: &str) -> bool {
    text.trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| matches!(rest.trim_start().chars().next(), Some('"') | Some('}')))
}

/// The nesting limit: a scan for brackets outside strings, before
/// serde_json (whose own limit is fixed, and which skips unknown fields
/// at any depth). A table-driven loop: the scan costs ~0.1 s of the 0.9 s
/// parse of a 244 MB export (BENCHMARKS.md, issue 3).
pub fn check_depth(text: &str, max_depth: usize) -> Result<()> {
    // 1: a quote, 2: an opening bracket, 3: a closing one; 0: anything else.
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        t[b'"' as usize] = 1;
        t[b'[' as usize] = 2;
        t[b'{' as usize] = 2;
        t[b']' as usize] = 3;
        t[b'}' as usize] = 3;
        t
    };
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while let Some(k) = bytes[i..].iter().position(|&b| CLASS[b as usize] != 0) {
        i += k;
        match CLASS[bytes[i] as usize] {
            1 => {
                // To the closing quote, over escapes.
                i += 1;
                loop {
                    // Most strings are short (values): a plain loop beats a call.
                    let rest = &bytes[i.min(bytes.len())..];
                    match rest.iter().position(|&b| b == b'"' || b == b'\\') {
                        Some(k) if bytes[i + k] == b'\\' => i += k + 2,
                        Some(k) => {
                            i += k;
                            break;
                        }
                        // Unterminated: serde_json will say where.
                        None => return Ok(()),
                    }
                }
            }
            2 => {
                depth += 1;
                if depth > max_depth {
                    return Err(crate::import::limit_hit(
                        "the JSON is nested deeper than the limit",
                        max_depth,
                        "--max-json-depth",
                    ));
                }
            }
            _ => depth = depth.saturating_sub(1),
        }
        i += 1;
    }
    Ok(())
}

pub fn parse(text: &str, report: &mut InputReport) -> Result<Vec<Series>> {
    let response: Response = serde_json::from_str(text).map_err(|e| {
        Error::unknown_format(format!("not a Prometheus API response: invalid JSON: {e}"))
    })?;
    if response.status.as_deref() == Some("error") {
        return Err(Error::malformed(format!(
            "the Prometheus query failed ({}): {}",
            quote(&response.error_type.unwrap_or_default()),
            quote(&response.error.unwrap_or_default())
        )));
    }
    // A whole response, or only its `data` object.
    let (kind, result) = match (response.data, response.result_type, response.result) {
        (Some(d), _, _) => (d.result_type, d.result),
        (None, Some(kind), Some(result)) => (kind, result),
        _ => {
            return Err(Error::unknown_format(
                "JSON, but not a Prometheus API response (no data.resultType)",
            ))
        }
    };
    report.time = Some("epoch-s".into());
    let mut series = Vec::new();
    let mut warnings = Warnings::default();
    match kind.as_str() {
        "matrix" => {
            report.format = "prometheus-json-matrix".into();
            let entries: Vec<MatrixEntry> = from_entries(result)?;
            for e in entries {
                let mut s = new_series(e.metric);
                let points: Points = e.values;
                for (t, v) in &points.first_bad {
                    warnings.note(
                        report,
                        &format!(
                            "{}: the value {} at {t} is not a number",
                            s.display,
                            quote(v)
                        ),
                    );
                }
                if points.bad > points.first_bad.len() {
                    let more = points.bad - points.first_bad.len();
                    warnings.note(
                        report,
                        &format!("{}: {more} more values are not numbers", s.display),
                    );
                }
                s.times = points.times;
                s.values = points.values;
                series.push(s);
            }
        }
        "vector" => {
            report.format = "prometheus-json-vector".into();
            let entries: Vec<VectorEntry> = from_entries(result)?;
            for e in entries {
                let mut s = new_series(e.metric);
                push(&mut s, e.value.0, &e.value.1, report, &mut warnings);
                series.push(s);
            }
        }
        other => {
            return Err(Error::unknown_format(format!(
                "a Prometheus {other} result is not a time series (a matrix or vector is)"
            )))
        }
    }
    warnings.finish(report);
    Ok(series)
}

fn from_entries<'a, T: Deserialize<'a>>(result: &'a RawValue) -> Result<Vec<T>> {
    serde_json::from_str(result.get()).map_err(|e| {
        Error::malformed(format!(
            "the Prometheus result is not as the API writes it: {e}"
        ))
    })
}

fn new_series(mut metric: BTreeMap<String, String>) -> Series {
    let name = metric.remove("__name__").unwrap_or_default();
    let labels: Vec<(String, String)> = metric.into_iter().collect();
    let mut s = Series::new(name, labels, String::new());
    s.display = s.selector();
    s
}

fn push(s: &mut Series, t: f64, v: &str, report: &mut InputReport, warnings: &mut Warnings) {
    match parse_value(v) {
        Cell::Number(x) => s.push(t, x),
        Cell::Gap => {}
        Cell::Bad => warnings.note(
            report,
            &format!(
                "{}: the value {} at {t} is not a number",
                s.display,
                quote(v)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_and_vector() {
        let mut r = InputReport::default();
        let m = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[1.5,"1"],[2.5,"NaN"],[3.5,"+Inf"]]}]}}"#;
        let s = parse(m, &mut r).unwrap();
        assert_eq!(r.format, "prometheus-json-matrix");
        assert_eq!(s[0].name, "up");
        assert_eq!(s[0].times, vec![1.5, 3.5]);
        assert_eq!(s[0].display, "up{job=\"a\"}");
        let v = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"code":"200"},"value":[9,"2.5"]}]}}"#;
        let s = parse(v, &mut r).unwrap();
        assert_eq!((s[0].name.as_str(), s[0].values[0]), ("", 2.5));
    }

    #[test]
    fn api_errors_are_reported() {
        let mut r = InputReport::default();
        let e = parse(
            r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
            &mut r,
        )
        .unwrap_err();
        assert!(e.message.contains("bad_data"), "{}", e.message);
        assert!(parse(r#"{"hello": 1}"#, &mut r).is_err());
    }
}

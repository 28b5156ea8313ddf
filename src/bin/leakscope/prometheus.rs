//! Prometheus' HTTP API (and what speaks it: Thanos, Mimir,
//! VictoriaMetrics) for `capture --prometheus` and `scan`: instant and
//! range queries, their refusals quoted, their answers size-capped.

use std::collections::BTreeMap;

use leakscope::analysis::scan::Sample;
use leakscope::import::{ImportOptions, Input};
use leakscope::model::series::SeriesSet;

use crate::http::Fetch;

/// Sends one API request; its JSON answer (checked to be a success) and
/// the bytes, or why not, in one line.
fn api(
    fetch: &Fetch,
    base: &str,
    path: &str,
    params: &[(&str, String)],
) -> Result<(serde_json::Value, Vec<u8>), String> {
    let url = format!("{}{path}", base.trim_end_matches('/'));
    let mut request = fetch.agent.get(&url);
    for (k, v) in params {
        request = request.query(*k, v);
    }
    // Its refusals (400, 422, 503) carry the reason as JSON: read whatever comes.
    let (status, bytes) = fetch
        .call_any_status(request)
        .map_err(|e| format!("{url}: {e}"))?;
    let answer: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
        format!("{url} answered {status} without Prometheus' JSON (is it Prometheus' HTTP API?)")
    })?;
    if answer["status"] != "success" {
        let why = answer["error"].as_str().unwrap_or("no reason given");
        return Err(format!(
            "Prometheus refused the query ({status}): {}",
            leakscope::error::one_line(why)
        ));
    }
    Ok((answer, bytes))
}

/// `query_range` over the `seconds` before `end`: the answer and its
/// bytes (what `leakscope analyze` reads).
pub fn query_range(
    fetch: &Fetch,
    base: &str,
    query: &str,
    seconds: f64,
    end: f64,
) -> Result<(serde_json::Value, Vec<u8>), String> {
    use leakscope::analysis::promql;
    api(
        fetch,
        base,
        promql::QUERY_RANGE_PATH,
        &promql::range_query_params(query, seconds, end),
    )
}

/// An instant query at `time`: its vector's elements, and the answer's size in bytes.
pub fn query(
    fetch: &Fetch,
    base: &str,
    query: &str,
    time: f64,
) -> Result<(Vec<Sample>, usize), String> {
    let (answer, bytes) = api(
        fetch,
        base,
        "/api/v1/query",
        &[("query", query.to_string()), ("time", format!("{time:.3}"))],
    )?;
    if answer["data"]["resultType"] != "vector" {
        return Err(format!(
            "{query}: Prometheus answered a {} where a vector was asked for",
            answer["data"]["resultType"]
        ));
    }
    let result = answer["data"]["result"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let samples = result
        .iter()
        .filter_map(|r| {
            let labels: BTreeMap<String, String> = r["metric"]
                .as_object()?
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect();
            // Values come as strings ("NaN", "+Inf" included).
            let value = r["value"][1].as_str()?.parse::<f64>().ok()?;
            Some(Sample { labels, value })
        })
        .collect();
    Ok((samples, bytes.len()))
}

/// A `query_range` answer read as the metrics `analyze` reads, as the file
/// `name`; or why not.
pub fn series_set(answer: &[u8], name: &str) -> Result<SeriesSet, String> {
    match leakscope::import::read(answer, &ImportOptions::default()) {
        Ok(Input::Series(series)) => {
            let mut set = SeriesSet::default();
            set.add_file(name, series);
            Ok(set)
        }
        Ok(Input::Profile(_)) => Err("the answer read as a profile".into()),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

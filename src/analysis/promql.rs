//! The PromQL leakscope sends a Prometheus (the CLI's `capture
//! --prometheus` and `scan`, the page's "Open from Prometheus"): the series
//! the analysis reads, under a person's selector, at a step Prometheus
//! accepts. Text only: the callers send it.

use crate::analysis::leak::classify::{PROMETHEUS_EXCLUDED, PROMETHEUS_NAMES};
use crate::error::{quote, Error, Result};

/// The matchers inside a selector a person typed: `{job="api"}` →
/// `job="api"`; `{}` or nothing → none.
pub fn matchers(selector: &str) -> Result<String> {
    let s = selector.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let inner = s
        .strip_prefix('{')
        .and_then(|m| m.strip_suffix('}'))
        .ok_or_else(|| {
            Error::invalid_option(format!(
                "{}: a selector is label matchers in braces, as {{job=\"api\"}}",
                quote(s)
            ))
        })?;
    Ok(inner.trim().to_string())
}

/// The one query for every series the analysis reads under `matchers`.
pub fn series_query(matchers: &str) -> String {
    names_query(PROMETHEUS_NAMES, matchers)
}

/// [`series_query`], and the series named `metric` too (a scan's own
/// metric, which the analysis may not read).
pub fn series_query_with(metric: &str, matchers: &str) -> String {
    names_query(
        &format!("{PROMETHEUS_NAMES}|{}", escape(&regex::escape(metric))),
        matchers,
    )
}

fn names_query(names: &str, matchers: &str) -> String {
    let names = format!("__name__=~\"{names}\",__name__!~\"{PROMETHEUS_EXCLUDED}\"");
    if matchers.is_empty() {
        format!("{{{names}}}")
    } else {
        format!("{{{names},{matchers}}}")
    }
}

/// The step of a range query over `seconds`: at most a thousand points a
/// series (Prometheus refuses over 11,000), at least a second.
pub fn step(seconds: f64) -> f64 {
    (seconds / 1000.0).ceil().max(1.0)
}

/// The HTTP API path of a range query, under a Prometheus' base URL (the
/// CLI sends it; the page fetches it and its links name it).
pub const QUERY_RANGE_PATH: &str = "/api/v1/query_range";

/// The parameters of a range query for `query` over the `seconds` before
/// `end` (Unix seconds), at [`step`]: what the CLI and the page send to
/// [`QUERY_RANGE_PATH`], each encoding them as its HTTP client does.
pub fn range_query_params(query: &str, seconds: f64, end: f64) -> [(&'static str, String); 4] {
    [
        ("query", query.to_string()),
        ("start", format!("{:.3}", end - seconds)),
        ("end", format!("{end:.3}")),
        ("step", format!("{}", step(seconds))),
    ]
}

/// Whether a URL's `path` is a range query's (a file "Open from
/// Prometheus" or a `capture` fetched).
pub fn is_range_query(path: &str) -> bool {
    path.ends_with(QUERY_RANGE_PATH)
}

/// The name the page gives what it fetched from a URL of `path` on
/// `host`, when that is a range query (its path's last part, `query_range`,
/// would say nothing of where it came from).
pub fn fetched_file_name(path: &str, host: &str) -> Option<String> {
    is_range_query(path).then(|| format!("prometheus-{host}.json"))
}

/// A label value inside PromQL double quotes.
pub fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// What a person can do when the page could not read `url` (the browser
/// refused it: a server that does not let other sites read it, or none
/// there) and `url` is a Prometheus range query, as the links "Open from
/// Prometheus" makes are: start Prometheus letting the page's `origin`
/// read it (`None`: a page opened from a file has no origin of its own).
/// `None` for any other URL.
pub fn cors_advice(url: &str, origin: Option<&str>) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if !is_range_query(path) {
        return None;
    }
    // The flag's value is a regex, anchored by Prometheus.
    let allowed = match origin {
        Some(origin) => format!("'{}'", regex::escape(origin)),
        None => "'.*' (this page was opened from a file: it has no origin of its own)".into(),
    };
    Some(format!(
        "A Prometheus lets this page read it when started with --web.cors.origin={allowed}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_range_query_gets_the_flag_that_allows_the_page() {
        let url = "http://prom:9090/api/v1/query_range?query=up&start=1&end=2&step=1";
        assert_eq!(
            cors_advice(url, Some("http://127.0.0.1:8080")).unwrap(),
            "A Prometheus lets this page read it when started with --web.cors.origin='http://127\\.0\\.0\\.1:8080'"
        );
        assert!(cors_advice(url, None)
            .unwrap()
            .ends_with("--web.cors.origin='.*' (this page was opened from a file: it has no origin of its own)"));
        assert_eq!(
            cors_advice(
                "https://h/heap.pprof?x=/api/v1/query_range",
                Some("https://a")
            ),
            None
        );
        assert_eq!(
            cors_advice("https://h/api/v1/query", Some("https://a")),
            None
        );
    }

    #[test]
    fn a_selector_becomes_matchers_beside_the_names() {
        assert_eq!(matchers(" {job=\"api\"} ").unwrap(), "job=\"api\"");
        assert_eq!(matchers("").unwrap(), "");
        assert_eq!(matchers("{}").unwrap(), "");
        assert!(matchers("up{job=\"api\"}")
            .unwrap_err()
            .message
            .contains("in braces"));
        let q = series_query("job=\"api\"");
        assert!(
            q.starts_with("{__name__=~\"process_resident_memory_bytes|")
                && q.ends_with("__name__!~\"promhttp_.*\",job=\"api\"}"),
            "{q}"
        );
        assert_eq!(step(3600.0), 4.0);
        let params = range_query_params("up", 3600.0, 1_764_000_000.5);
        assert_eq!(
            params.map(|(k, v)| format!("{k}={v}")).join("&"),
            "query=up&start=1763996400.500&end=1764000000.500&step=4"
        );
        assert_eq!(
            fetched_file_name("/prom/api/v1/query_range", "h:9090").as_deref(),
            Some("prometheus-h:9090.json")
        );
        assert_eq!(fetched_file_name("/heap.pprof", "h"), None);
        assert_eq!(step(10.0), 1.0);
        assert_eq!(escape("a\"b\\"), "a\\\"b\\\\");
    }
}

//! Prometheus text formats with timestamps:
//!
//! - the text exposition format (`/federate` writes timestamps, in ms);
//! - OpenMetrics (timestamps in seconds, ends with `# EOF`);
//! - `promtool tsdb dump` (`{__name__="x", ...} value ms` per line).
//!
//! A sample without a timestamp (a plain `/metrics` scrape) cannot be put on
//! a time axis: it is skipped and counted.

use crate::error::{quote, Error, Result};
use crate::model::series::{parse_labels, InputReport, Series};

use super::values::{parse_value, Cell};
use super::Warnings;

/// Whether text looks like exposition, OpenMetrics or a promtool dump.
pub fn sniff(text: &str) -> bool {
    text.lines().take(20).any(|l| {
        let l = l.trim_start();
        l.starts_with("# HELP ")
            || l.starts_with("# TYPE ")
            || l.starts_with("{__name__=")
            || sample_line(l).is_some()
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    Exposition,
    OpenMetrics,
    PromtoolDump,
}

pub fn parse(text: &str, report: &mut InputReport) -> Result<Vec<Series>> {
    let flavor = if text.lines().any(|l| l.trim() == "# EOF") {
        Flavor::OpenMetrics
    } else if text.trim_start().starts_with("{__name__=") {
        Flavor::PromtoolDump
    } else {
        Flavor::Exposition
    };
    report.format = match flavor {
        Flavor::Exposition => "prometheus-text",
        Flavor::OpenMetrics => "openmetrics",
        Flavor::PromtoolDump => "promtool-tsdb-dump",
    }
    .into();
    report.time = Some(
        match flavor {
            Flavor::OpenMetrics => "epoch-s",
            _ => "epoch-ms",
        }
        .into(),
    );
    let mut series: Vec<Series> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut warnings = Warnings::default();
    let mut untimed = 0usize;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((selector, value, timestamp)) = sample_line(line) else {
            warnings.skip(
                report,
                n + 1,
                "not a sample line (name{labels} value [timestamp])",
            );
            continue;
        };
        let Some(timestamp) = timestamp else {
            untimed += 1;
            continue;
        };
        let t = match flavor {
            Flavor::OpenMetrics => timestamp,
            _ => timestamp / 1e3,
        };
        let value = match parse_value(value) {
            Cell::Number(v) => v,
            Cell::Gap => continue,
            Cell::Bad => {
                warnings.skip(
                    report,
                    n + 1,
                    &format!("the value {} is not a number", quote(value)),
                );
                continue;
            }
        };
        let i = match index.get(selector) {
            Some(&i) => i,
            None => {
                let Some((name, labels)) = split_selector(selector) else {
                    warnings.skip(report, n + 1, "unreadable labels");
                    continue;
                };
                let mut s = Series::new(name, labels, String::new());
                s.display = s.selector();
                series.push(s);
                index.insert(selector.to_string(), series.len() - 1);
                series.len() - 1
            }
        };
        series[i].push(t, value);
    }
    warnings.finish(report);
    if untimed > 0 {
        report.warnings.push(format!(
            "{untimed} samples have no timestamp (a plain /metrics scrape) and were skipped"
        ));
    }
    if series.is_empty() {
        return Err(Error::unknown_format(if untimed > 0 {
            "a Prometheus scrape without timestamps has no time axis: export a range \
             (query_range JSON, /federate, promtool tsdb dump) instead"
                .to_string()
        } else {
            "no samples found in the Prometheus text".to_string()
        }));
    }
    for s in &mut series {
        super::sort_points(s, report);
    }
    Ok(series)
}

/// Splits `name{labels} value [timestamp] [# exemplar]` into its parts.
fn sample_line(line: &str) -> Option<(&str, &str, Option<f64>)> {
    // The selector ends at the closing brace (label values may hold spaces).
    let selector_end = if let Some(open) = line.find('{') {
        let name = &line[..open];
        if name.contains(' ') {
            return None;
        }
        let mut in_quotes = false;
        let mut escaped = false;
        let mut end = None;
        for (i, c) in line[open..].char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_quotes = !in_quotes,
                '}' if !in_quotes => {
                    end = Some(open + i + 1);
                    break;
                }
                _ => {}
            }
        }
        end?
    } else {
        line.find(' ')?
    };
    let selector = &line[..selector_end];
    let name = &selector[..selector.find('{').unwrap_or(selector.len())];
    let name_ok = name.chars().enumerate().all(|(i, c)| {
        c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
    });
    if !name_ok {
        return None;
    }
    let rest = line[selector_end..].split(" # ").next()?;
    let mut fields = rest.split_whitespace();
    let value = fields.next()?;
    // Go's ParseFloat spellings as Prometheus writes them (NaN, +Inf, 1e+06).
    if value.parse::<f64>().is_err() && !matches!(value, "NaN" | "+Inf" | "-Inf") {
        return None;
    }
    let timestamp = match fields.next() {
        Some(t) => Some(t.parse::<f64>().ok()?),
        None => None,
    };
    if fields.next().is_some() {
        return None;
    }
    Some((selector, value, timestamp))
}

/// `name{k="v"}` or `{__name__="name", k="v"}` into a name and labels.
fn split_selector(selector: &str) -> Option<(String, Vec<(String, String)>)> {
    let (name, body) = match selector.find('{') {
        Some(open) => (&selector[..open], &selector[open + 1..selector.len() - 1]),
        None => (selector, ""),
    };
    let mut labels = parse_labels(body)?;
    let mut name = name.to_string();
    if let Some(i) = labels.iter().position(|(k, _)| k == "__name__") {
        name = labels.remove(i).1;
    }
    Some((name, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_flavours() {
        let mut r = InputReport::default();
        let fed = "# TYPE up untyped\nup{job=\"a b\",x=\"}\"} 1 1700000000000\nup{job=\"a b\",x=\"}\"} 0 1700000001000\n";
        let s = parse(fed, &mut r).unwrap();
        assert_eq!(r.format, "prometheus-text");
        assert_eq!(
            s[0].labels,
            vec![("job".into(), "a b".into()), ("x".into(), "}".into())]
        );
        assert_eq!(s[0].times, vec![1700000000.0, 1700000001.0]);
        let om = "# TYPE x gauge\nx 2.5 1700000000.5\n# EOF\n";
        let s = parse(om, &mut r).unwrap();
        assert_eq!(
            (r.format.as_str(), s[0].times[0]),
            ("openmetrics", 1700000000.5)
        );
        let dump = "{__name__=\"rss\", job=\"a\"} 1.5e+06 1700000000000\n";
        let s = parse(dump, &mut r).unwrap();
        assert_eq!((s[0].name.as_str(), s[0].values[0]), ("rss", 1.5e6));
    }

    #[test]
    fn a_scrape_without_timestamps_says_so() {
        let mut r = InputReport::default();
        let e = parse("# TYPE up gauge\nup 1\n", &mut r).unwrap_err();
        assert!(e.message.contains("no time axis"), "{}", e.message);
    }
}

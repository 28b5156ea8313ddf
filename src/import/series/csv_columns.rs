//! What a plain CSV's column header says: whether it holds times, names a
//! series (a process, a pid, a pod…), or measures something (memory,
//! requests, other) in which unit, and the metric name the leak analysis
//! will know it by.

/// The words a time column's name is made of (`Time (UTC)`, `unix_time`,
/// `timestamp_ms`, `Date Time`): at least one of `TIME_WORDS`, the rest
/// from `TIME_QUALIFIERS`, so `response_time` or `uptime` are not times.
const TIME_WORDS: &[&str] = &[
    "time",
    "timestamp",
    "ts",
    "date",
    "datetime",
    "epoch",
    "timestamps",
];
const TIME_QUALIFIERS: &[&str] = &[
    "unix", "utc", "local", "stamp", "ms", "s", "sec", "secs", "seconds", "us", "ns", "millis",
    "micros", "nanos", "iso", "gmt", "z",
];

/// Whether a header names a time column.
pub fn is_time_name(header: &str) -> bool {
    let w = words(header);
    w.iter().any(|x| TIME_WORDS.contains(&x.as_str()))
        && w.iter()
            .all(|x| TIME_WORDS.contains(&x.as_str()) || TIME_QUALIFIERS.contains(&x.as_str()))
}

/// Lowercase words of a header, its bracketed parts included
/// (`Time (UTC)` → `time`, `utc`; `rss [MB]` → `rss`, `mb`).
fn words(header: &str) -> Vec<String> {
    header
        .to_lowercase()
        .replace('%', " % ")
        .split(|c: char| !c.is_alphanumeric() && c != '%')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a column that names a series becomes as a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A process's name: the label `instance`, which the analysis shows
    /// as the process's name.
    ProcessName,
    /// A process id: the label `pid`.
    Pid,
    /// The name of the metric each row measures (`metric`, `series`).
    Metric,
    /// Any other label, under its header's name made a label key.
    Label(String),
}

/// A key column by its name alone (`None`: the values must tell).
pub fn key_by_name(header: &str) -> Option<Key> {
    let w = words(header);
    let joined = w.join("_");
    Some(match joined.as_str() {
        "name" | "process" | "process_name" | "processname" | "proc" | "command" | "comm"
        | "cmd" | "program" | "executable" | "exe" | "app" | "application" | "task" => {
            Key::ProcessName
        }
        "pid" | "process_id" | "processid" | "proc_id" => Key::Pid,
        "metric" | "metric_name" | "series" | "series_name" | "measurement" => Key::Metric,
        "instance" | "pod" | "pod_name" | "container" | "container_name" | "namespace" | "host"
        | "hostname" | "node" | "job" | "service" | "id" | "label" => {
            Key::Label(label_key(&joined))
        }
        _ if joined.ends_with("_id") => Key::Label(label_key(&joined)),
        _ => return None,
    })
}

/// A label key from a header: the analysis' names for pods and
/// containers, else the header's words joined by `_`.
pub fn label_key(header: &str) -> String {
    let joined = words(header).join("_");
    match joined.as_str() {
        "pod_name" => "pod".into(),
        "container_name" => "container".into(),
        "" => "label".into(),
        _ => joined,
    }
}

/// What a value column measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Memory,
    Requests,
    Other,
}

/// A value column understood from its header.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub what: What,
    /// Multiplies a cell into the series' unit (bytes for memory).
    pub factor: f64,
    /// The unit as the report says it: `bytes`, `MiB`, `%`…
    pub unit: &'static str,
    /// Whether the header gave the unit (else it was assumed).
    pub unit_given: bool,
    /// The metric name the leak analysis classifies.
    pub metric: String,
}

const MEMORY_WORDS: &[&str] = &[
    "memory",
    "mem",
    "rss",
    "vms",
    "vsz",
    "rsz",
    "heap",
    "resident",
    "virtual",
    "working",
    "workingset",
    "uss",
    "pss",
    "footprint",
    "private",
];
const REQUEST_WORDS: &[&str] = &[
    "request", "requests", "req", "reqs", "rps", "qps", "hits", "calls",
];

/// A unit word and its factor; bytes units are to bytes (`kb` is 1000
/// bytes and `kib` 1024, as the values' own units read elsewhere).
fn unit_of(word: &str) -> Option<(&'static str, f64)> {
    Some(match word {
        "b" | "byte" | "bytes" => ("bytes", 1.0),
        "kb" => ("kB", 1e3),
        "kib" => ("KiB", 1024.0),
        "mb" => ("MB", 1e6),
        "mib" => ("MiB", 1024f64.powi(2)),
        "gb" => ("GB", 1e9),
        "gib" => ("GiB", 1024f64.powi(3)),
        "%" | "percent" | "pct" => ("%", 1.0),
        _ => return None,
    })
}

/// Understands a value column's header.
pub fn measure(header: &str) -> Measure {
    let w = words(header);
    // The unit is the last unit word (`Memory Usage (bytes)`, `mem_MiB`).
    let unit = w.iter().rev().find_map(|x| unit_of(x));
    let named: Vec<&str> = w
        .iter()
        .map(String::as_str)
        .filter(|x| unit_of(x).is_none())
        .collect();
    let has = |list: &[&str]| named.iter().any(|x| list.contains(x));
    let percent = unit.is_some_and(|(u, _)| u == "%");
    let base = if named.is_empty() {
        "value".to_string()
    } else {
        named.join("_")
    };
    if has(MEMORY_WORDS) && !percent {
        let (unit, factor) = unit.unwrap_or(("bytes", 1.0));
        return Measure {
            what: What::Memory,
            factor,
            unit,
            unit_given: w.iter().any(|x| unit_of(x).is_some()),
            metric: memory_metric(&named),
        };
    }
    let what = if has(REQUEST_WORDS) {
        What::Requests
    } else {
        What::Other
    };
    let (unit, factor, unit_given) = match unit {
        Some((u, f)) => (u, f, true),
        None => ("", 1.0, false),
    };
    Measure {
        what,
        factor,
        unit,
        unit_given,
        // A percentage is a ratio, never bytes, whatever it is of.
        metric: if percent {
            format!("{base}_percent")
        } else {
            base
        },
    }
}

/// The metric name of a memory column: the Prometheus name of what its
/// header names (RSS, virtual size, working set), else the header's words
/// with `_bytes`, which the analysis reads as memory.
fn memory_metric(named: &[&str]) -> String {
    let has = |x: &str| named.contains(&x);
    if has("working") || has("workingset") {
        "container_memory_working_set_bytes".into()
    } else if has("rss") || has("resident") || has("rsz") {
        "process_resident_memory_bytes".into()
    } else if has("vms") || has("vsz") || has("virtual") {
        "process_virtual_memory_bytes".into()
    } else {
        // The analysis knows memory by words like `memory` and `heap`:
        // `mem` is spelled out, and a name with none of them gets one.
        let words: Vec<&str> = named
            .iter()
            .map(|w| if *w == "mem" { "memory" } else { w })
            .filter(|w| *w != "bytes")
            .collect();
        let known = ["memory", "heap", "resident", "rss", "inuse"];
        let base = if words.is_empty() {
            "value".to_string()
        } else {
            words.join("_")
        };
        if words.iter().any(|w| known.contains(w)) {
            format!("{base}_bytes")
        } else {
            format!("memory_{base}_bytes")
        }
    }
}

/// The metric name of a request column: a counter when its values only
/// grow (`…_requests_total`, which the analysis reads as work done);
/// otherwise a rate or a gauge the analysis does not use as work.
pub fn requests_metric(base: &str, counter: bool) -> String {
    if !counter {
        return base.to_string();
    }
    let stem = base.trim_end_matches("_total");
    if stem.contains("request") {
        format!("{stem}_total")
    } else {
        format!("{stem}_requests_total")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_names() {
        for t in [
            "time",
            "Timestamp",
            "ts",
            "date",
            "datetime",
            "Time (UTC)",
            "epoch",
            "unix_time",
            "timestamp_ms",
            "Date Time",
        ] {
            assert!(is_time_name(t), "{t}");
        }
        for t in [
            "response_time",
            "uptime",
            "cpu",
            "Memory Usage",
            "time_to_first_byte",
        ] {
            assert!(!is_time_name(t), "{t}");
        }
    }

    #[test]
    fn keys() {
        assert_eq!(key_by_name("Process Name"), Some(Key::ProcessName));
        assert_eq!(key_by_name("Process ID"), Some(Key::Pid));
        assert_eq!(key_by_name("pod_name"), Some(Key::Label("pod".into())));
        assert_eq!(key_by_name("metric"), Some(Key::Metric));
        assert_eq!(key_by_name("Memory Usage"), None);
    }

    #[test]
    fn units_and_kinds() {
        let m = measure("Memory Usage");
        assert_eq!(
            (m.what, m.unit, m.unit_given),
            (What::Memory, "bytes", false)
        );
        assert_eq!(m.metric, "memory_usage_bytes");
        let m = measure("Memory Usage (bytes)");
        assert!(m.unit_given);
        let m = measure("mem_MiB");
        assert_eq!((m.what, m.factor), (What::Memory, 1048576.0));
        assert_eq!(m.metric, "memory_bytes");
        assert_eq!(measure("uss").metric, "memory_uss_bytes");
        // Windows' performance counter of a process's own memory.
        assert_eq!(measure("Private Bytes").metric, "memory_private_bytes");
        let m = measure("rss [MB]");
        assert_eq!(
            (m.factor, m.metric.as_str()),
            (1e6, "process_resident_memory_bytes")
        );
        let m = measure("memory_kb");
        assert_eq!(m.factor, 1e3);
        let m = measure("vms");
        assert_eq!(m.metric, "process_virtual_memory_bytes");
        let m = measure("usage %");
        assert_eq!((m.what, m.unit), (What::Other, "%"));
        let m = measure("memory %");
        assert_eq!((m.what, m.metric.as_str()), (What::Other, "memory_percent"));
        assert_eq!(
            measure("memory_working_set").metric,
            "container_memory_working_set_bytes"
        );
        assert_eq!(measure("requests").what, What::Requests);
        assert_eq!(measure("cpu_usage").what, What::Other);
        assert_eq!(requests_metric("hits", true), "hits_requests_total");
        assert_eq!(requests_metric("requests_total", true), "requests_total");
    }
}

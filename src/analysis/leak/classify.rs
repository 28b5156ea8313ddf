//! What each series measures: its kind (counter, gauge, rate), unit, and
//! role in a leak hunt (memory, requests, process start time, limit), and
//! which process it belongs to.

use crate::model::series::Series;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Only goes up, except when the process restarts (`_total`, `_count`).
    Counter,
    /// Goes up and down (memory, goroutines).
    Gauge,
    /// A per-second rate (what Prometheus' `rate()` returns).
    Rate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Bytes,
    Seconds,
    /// A plain number (a count, a ratio).
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Memory in use by a process (RSS, heap, working set).
    Memory,
    /// Other resources that leak like memory (goroutines, threads, file descriptors).
    Resource,
    /// Work done: a request counter or its rate.
    Requests,
    /// `process_start_time_seconds`: changes when the process restarts.
    StartTime,
    /// A memory limit (`container_spec_memory_limit_bytes`, ...).
    Limit,
    Other,
}

/// How a series is understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub kind: Kind,
    pub unit: Unit,
    pub role: Role,
}

/// Memory series names, by how much they tell about a leak: RSS first.
const MEMORY_NAMES: &[&str] = &[
    "process_resident_memory_bytes",
    "container_memory_working_set_bytes",
    "container_memory_rss",
    "go_memstats_heap_inuse_bytes",
    "go_memstats_heap_alloc_bytes",
    "go_memstats_alloc_bytes",
    "jvm_memory_used_bytes",
    "nodejs_heap_size_used_bytes",
    "python_gc_objects_collected",
    "node_memory_active_bytes",
];

/// Classifies a series by its name, its labels and its values.
pub fn classify(s: &Series, counter_labels: &[&[(String, String)]]) -> Class {
    let name = s.name.as_str();
    let unit = if name.ends_with("_bytes") || name.contains("_bytes_") || name.contains("memory") {
        Unit::Bytes
    } else if name.ends_with("_seconds") || name.contains("_seconds_") {
        Unit::Seconds
    } else {
        Unit::None
    };
    let counter_name = name.ends_with("_total")
        || name.ends_with("_count")
        || name.ends_with("_sum")
        || name.ends_with("_bucket");
    // A nameless series with the labels of a counter in the data is that
    // counter's rate (Grafana shows `rate(x[1m])` as `{labels}`).
    let rate_of_counter =
        name.is_empty() && !s.labels.is_empty() && counter_labels.contains(&s.labels.as_slice());
    let rate_like_labels = name.is_empty()
        && s.labels.iter().any(|(k, _)| {
            matches!(
                k.as_str(),
                "handler" | "code" | "method" | "route" | "path" | "status"
            )
        });
    let kind = if rate_of_counter || rate_like_labels {
        Kind::Rate
    } else if counter_name || (name.is_empty() && monotonic_with_resets(&s.values)) {
        Kind::Counter
    } else {
        Kind::Gauge
    };
    let role = if name == "process_start_time_seconds" {
        Role::StartTime
    } else if name.contains("limit") && unit == Unit::Bytes {
        Role::Limit
    } else if (kind == Kind::Counter && is_request_name(name))
        || (kind == Kind::Rate && (rate_like_labels || rate_of_counter))
    {
        Role::Requests
    } else if kind == Kind::Gauge && unit == Unit::Bytes && is_memory_name(name) {
        Role::Memory
    } else if kind == Kind::Gauge
        && (name.contains("goroutines") || name.contains("threads") || name.ends_with("open_fds"))
    {
        Role::Resource
    } else if kind == Kind::Gauge && name.is_empty() && looks_like_memory_legend(&s.display) {
        Role::Memory
    } else {
        Role::Other
    };
    Class {
        kind,
        unit: if role == Role::Memory {
            Unit::Bytes
        } else {
            unit
        },
        role,
    }
}

fn is_request_name(name: &str) -> bool {
    name.contains("request") || name.contains("handled") || name.ends_with("_calls_total")
}

fn is_memory_name(name: &str) -> bool {
    MEMORY_NAMES.contains(&name)
        || [
            "resident",
            "rss",
            "heap",
            "memory",
            "working_set",
            "alloc_bytes",
            "inuse",
        ]
        .iter()
        .any(|w| name.contains(w))
            && !name.contains("limit")
            && !name.contains("_total")
}

fn looks_like_memory_legend(display: &str) -> bool {
    let d = display.to_ascii_lowercase();
    ["memory", "rss", "heap", "resident", "working set"]
        .iter()
        .any(|w| d.contains(w))
}

/// Mostly non-decreasing, with at most rare drops (counter resets).
fn monotonic_with_resets(values: &[f64]) -> bool {
    if values.len() < 5 {
        return false;
    }
    let drops = values.windows(2).filter(|w| w[1] < w[0]).count();
    let rises = values.windows(2).filter(|w| w[1] > w[0]).count();
    rises > 0 && drops * 20 <= values.len()
}

/// How memory series rank as the headline of a process: RSS first.
pub fn memory_rank(name: &str) -> usize {
    MEMORY_NAMES
        .iter()
        .position(|n| *n == name)
        .unwrap_or(MEMORY_NAMES.len())
}

/// How memory series rank as the measure of bytes kept per request: the
/// heap first (right after a collection it is exactly the live data), RSS
/// last (it also holds fragmentation and memory not yet returned).
pub fn work_rank(name: &str) -> usize {
    const HEAP_FIRST: &[&str] = &[
        "go_memstats_heap_inuse_bytes",
        "go_memstats_heap_alloc_bytes",
        "go_memstats_alloc_bytes",
        "jvm_memory_used_bytes",
        "nodejs_heap_size_used_bytes",
    ];
    HEAP_FIRST
        .iter()
        .position(|n| *n == name)
        .unwrap_or(HEAP_FIRST.len() + memory_rank(name))
}

/// The labels that identify a process (the rest describe the series).
const PROCESS_LABELS: &[&str] = &[
    "namespace",
    "pod",
    "container",
    "instance",
    "job",
    "host",
    "hostname",
];

/// The process a series belongs to: its identifying labels (empty when it
/// has none: all such series are taken to be one process).
pub fn process_key(s: &Series) -> Vec<(String, String)> {
    s.labels
        .iter()
        .filter(|(k, _)| PROCESS_LABELS.contains(&k.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str, labels: &[(&str, &str)]) -> Series {
        Series::new(
            name.into(),
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            String::new(),
        )
    }

    #[test]
    fn kinds_and_roles() {
        let rss = classify(&s("process_resident_memory_bytes", &[]), &[]);
        assert_eq!(
            (rss.kind, rss.unit, rss.role),
            (Kind::Gauge, Unit::Bytes, Role::Memory)
        );
        let req = classify(&s("http_requests_total", &[("code", "200")]), &[]);
        assert_eq!((req.kind, req.role), (Kind::Counter, Role::Requests));
        let labels = vec![("code".to_string(), "200".to_string())];
        let rate = classify(&s("", &[("code", "200")]), &[labels.as_slice()]);
        assert_eq!((rate.kind, rate.role), (Kind::Rate, Role::Requests));
        let st = classify(&s("process_start_time_seconds", &[]), &[]);
        assert_eq!(st.role, Role::StartTime);
        let alloc_total = classify(&s("go_memstats_alloc_bytes_total", &[]), &[]);
        assert_eq!(
            (alloc_total.kind, alloc_total.role),
            (Kind::Counter, Role::Other)
        );
        let g = classify(&s("go_goroutines", &[]), &[]);
        assert_eq!(g.role, Role::Resource);
    }
}

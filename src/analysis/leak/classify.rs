//! What each series measures: its kind (counter, gauge, rate), unit, and
//! role in a leak hunt (memory, requests, process start time, limit), and
//! which process it belongs to.

use rustc_hash::FxHashSet;

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
    /// A soft limit the garbage collector works to stay under (Go's
    /// `GOMEMLIMIT`: `go_gc_gomemlimit_bytes`): not where the process dies.
    SoftLimit,
    /// The heap size at which the next collection starts (Go's
    /// `go_memstats_next_gc_bytes`, `go_gc_heap_goal_bytes`).
    HeapGoal,
    /// A count of garbage collections (`go_gc_duration_seconds_count`).
    GcCycles,
    /// A count of restarts (`kube_pod_container_status_restarts_total`):
    /// each step up is a restart.
    RestartCount,
    /// Why a container last ended (`kube_pod_container_status_last_terminated_reason`,
    /// 1 for the reason that holds).
    TerminationReason,
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

/// The metric names (an RE2 regex, for Prometheus' `__name__=~`) whose
/// series [`classify`] gives a role in a leak hunt: memory, resources,
/// requests, start times, limits, the collector's figures, restarts. What
/// `capture --prometheus` asks a Prometheus for; a name outside it is read
/// as `Other` and would only be downloaded for nothing.
pub const PROMETHEUS_NAMES: &str = concat!(
    "process_resident_memory_bytes|process_start_time_seconds|process_open_fds",
    "|container_memory_working_set_bytes|container_memory_rss|container_start_time_seconds",
    "|container_spec_memory_limit_bytes",
    "|go_memstats_(heap_inuse|heap_alloc|alloc|next_gc)_bytes|go_goroutines|go_threads",
    "|go_gc_(gomemlimit|heap_goal|limiter_memory_limit)_bytes|go_gc_duration_seconds_count",
    "|go_gc_cycles_total(_gc_cycles_total)?",
    "|jvm_memory_used_bytes|nodejs_heap_size_used_bytes",
    "|kube_pod_container_status_restarts_total|kube_pod_container_status_last_terminated_reason",
    "|kube_pod_container_resource_limits(_memory_bytes)?",
    "|.*request.*_(total|count)|.*handled.*_total|.*_calls_total",
);

/// Names PROMETHEUS_NAMES matches that are no work of the process: the Go
/// client's count of its own /metrics scrapes
/// (`promhttp_metric_handler_requests_total`). Asked for with `__name__!~`,
/// and read as `Other`.
pub const PROMETHEUS_EXCLUDED: &str = "promhttp_.*";

/// Classifies a series by its name, its labels and its values.
/// `counter_labels`: the label sets of the data's counters (a set: there
/// may be 100,000 series to look up).
pub fn classify(s: &Series, counter_labels: &FxHashSet<&[(String, String)]>) -> Class {
    let name = s.name.as_str();
    // A share of memory (`memory_percent`, a plain CSV's `mem %`) is no
    // amount of bytes.
    let ratio = name.ends_with("_percent") || name.ends_with("_ratio");
    let unit = if ratio {
        Unit::None
    } else if name.ends_with("_bytes") || name.contains("_bytes_") || name.contains("memory") {
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
    // Scrapes of /metrics, counted by the Go client: not the process's work.
    let scrapes = name.starts_with("promhttp_");
    let role = if scrapes {
        Role::Other
    } else if name == "process_start_time_seconds" || name == "container_start_time_seconds" {
        Role::StartTime
    } else if name.contains("gomemlimit") || name == "go_gc_limiter_memory_limit_bytes" {
        Role::SoftLimit
    } else if name == "go_memstats_next_gc_bytes" || name == "go_gc_heap_goal_bytes" {
        Role::HeapGoal
    } else if name == "go_gc_duration_seconds_count"
        || name == "go_gc_cycles_total_gc_cycles_total"
        || name == "go_gc_cycles_total"
    {
        Role::GcCycles
    } else if name == "kube_pod_container_status_restarts_total" {
        Role::RestartCount
    } else if name == "kube_pod_container_status_last_terminated_reason" {
        Role::TerminationReason
    } else if (name.contains("limit") && unit == Unit::Bytes)
        || (name == "kube_pod_container_resource_limits" && s.label("resource") == Some("memory"))
    {
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
        unit: if matches!(role, Role::Memory | Role::Limit) {
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

/// A runtime's own measure of its live heap.
const HEAP_FIRST: &[&str] = &[
    "go_memstats_heap_inuse_bytes",
    "go_memstats_heap_alloc_bytes",
    "go_memstats_alloc_bytes",
    "jvm_memory_used_bytes",
    "nodejs_heap_size_used_bytes",
];

/// Whether a series is a runtime's measure of its heap (what a program
/// retains), rather than the process's memory.
pub fn is_heap(name: &str) -> bool {
    HEAP_FIRST.contains(&name)
}

/// How memory series rank as the measure of bytes kept per request: the
/// heap first (right after a collection it is exactly the live data), RSS
/// last (it also holds fragmentation and memory not yet returned).
pub fn work_rank(name: &str) -> usize {
    HEAP_FIRST
        .iter()
        .position(|n| *n == name)
        .unwrap_or(HEAP_FIRST.len() + memory_rank(name))
}

/// Whether a series comes from a garbage-collected runtime's own metrics
/// (Go, JVM, Node.js, .NET, Python, Ruby): only such a process has a GC
/// sawtooth.
pub fn reports_gc(name: &str) -> bool {
    [
        "go_gc_",
        "go_memstats_",
        "jvm_gc_",
        "jvm_memory_",
        "nodejs_gc_",
        "nodejs_heap_",
        "dotnet_gc_",
        "dotnet_collection",
        "process_runtime_dotnet_gc",
        "python_gc_",
        "ruby_gc_",
    ]
    .iter()
    .any(|p| name.starts_with(p))
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

/// The process a series belongs to: in Kubernetes its namespace, pod and
/// container (the scrape's `instance` and `job` differ between the app's
/// own metrics, cAdvisor's and kube-state-metrics', so they do not
/// identify it; a pod-wide series has no container); elsewhere its
/// identifying labels (empty when it has none: all such series are taken
/// to be one process).
pub fn process_key(s: &Series) -> Vec<(String, String)> {
    if s.label("pod").is_some_and(|p| !p.is_empty()) {
        return s
            .labels
            .iter()
            .filter(|(k, v)| {
                k == "namespace" || k == "pod" || (k == "container" && !v.is_empty() && v != "POD")
            })
            .cloned()
            .collect();
    }
    s.labels
        .iter()
        .filter(|(k, _)| PROCESS_LABELS.contains(&k.as_str()))
        .cloned()
        .collect()
}

/// Labels cAdvisor gives each run of a container (its cgroup id, Docker
/// name, image): they change at every restart, so a container's series
/// comes as one series per life.
pub const PER_LIFE_LABELS: &[&str] = &["id", "name", "image", "container_id"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pods_series_are_one_process_whoever_scraped_them() {
        // The app's own metrics, cAdvisor's and kube-state-metrics'.
        let app = s(
            "process_resident_memory_bytes",
            &[
                ("instance", "10.1.2.3:8080"),
                ("job", "api"),
                ("namespace", "prod"),
                ("pod", "api-7d9f"),
            ],
        );
        let cadvisor = s(
            "container_memory_working_set_bytes",
            &[
                ("container", "api"),
                ("id", "/kubepods/burstable/pod1/abc"),
                ("instance", "node-1"),
                ("namespace", "prod"),
                ("pod", "api-7d9f"),
            ],
        );
        assert_eq!(
            process_key(&app),
            [
                ("namespace".to_string(), "prod".to_string()),
                ("pod".into(), "api-7d9f".into())
            ]
        );
        assert_eq!(process_key(&cadvisor).len(), 3);
        let pause = s(
            "container_memory_working_set_bytes",
            &[
                ("container", "POD"),
                ("namespace", "prod"),
                ("pod", "api-7d9f"),
            ],
        );
        assert_eq!(process_key(&pause), process_key(&app));
    }

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

    /// What `capture --prometheus` asks for is what the analysis reads: a
    /// name matches PROMETHEUS_NAMES exactly when its series gets a role.
    #[test]
    fn the_prometheus_query_asks_for_every_name_with_a_role_and_no_other() {
        let wanted = regex::Regex::new(&format!("^(?:{PROMETHEUS_NAMES})$")).unwrap();
        let excluded = regex::Regex::new(&format!("^(?:{PROMETHEUS_EXCLUDED})$")).unwrap();
        let asked = |name: &str| wanted.is_match(name) && !excluded.is_match(name);
        let labels = FxHashSet::default();
        for name in [
            "process_resident_memory_bytes",
            "process_start_time_seconds",
            "process_open_fds",
            "container_memory_working_set_bytes",
            "container_memory_rss",
            "container_start_time_seconds",
            "container_spec_memory_limit_bytes",
            "go_memstats_heap_inuse_bytes",
            "go_memstats_heap_alloc_bytes",
            "go_memstats_alloc_bytes",
            "go_memstats_next_gc_bytes",
            "go_goroutines",
            "go_threads",
            "go_gc_gomemlimit_bytes",
            "go_gc_heap_goal_bytes",
            "go_gc_limiter_memory_limit_bytes",
            "go_gc_duration_seconds_count",
            "go_gc_cycles_total",
            "go_gc_cycles_total_gc_cycles_total",
            "jvm_memory_used_bytes",
            "nodejs_heap_size_used_bytes",
            "kube_pod_container_status_restarts_total",
            "kube_pod_container_status_last_terminated_reason",
            "kube_pod_container_resource_limits_memory_bytes",
            "http_requests_total",
            "http_server_requests_seconds_count",
            "grpc_server_handled_total",
            "rpc_calls_total",
        ] {
            assert!(asked(name), "{name} is not asked for");
            assert_ne!(classify(&s(name, &[]), &labels).role, Role::Other, "{name}");
        }
        for name in [
            "node_cpu_seconds_total",
            "go_memstats_mallocs_total",
            "process_cpu_seconds_total",
            "promhttp_metric_handler_errors_total",
            "promhttp_metric_handler_requests_total",
            "up",
            "go_info",
        ] {
            assert!(!asked(name), "{name} is asked for");
            assert_eq!(classify(&s(name, &[]), &labels).role, Role::Other, "{name}");
        }
    }

    #[test]
    fn kinds_and_roles() {
        let rss = classify(
            &s("process_resident_memory_bytes", &[]),
            &FxHashSet::default(),
        );
        assert_eq!(
            (rss.kind, rss.unit, rss.role),
            (Kind::Gauge, Unit::Bytes, Role::Memory)
        );
        let req = classify(
            &s("http_requests_total", &[("code", "200")]),
            &FxHashSet::default(),
        );
        assert_eq!((req.kind, req.role), (Kind::Counter, Role::Requests));
        let labels = vec![("code".to_string(), "200".to_string())];
        let rate = classify(
            &s("", &[("code", "200")]),
            &FxHashSet::from_iter([labels.as_slice()]),
        );
        assert_eq!((rate.kind, rate.role), (Kind::Rate, Role::Requests));
        let st = classify(&s("process_start_time_seconds", &[]), &FxHashSet::default());
        assert_eq!(st.role, Role::StartTime);
        let alloc_total = classify(
            &s("go_memstats_alloc_bytes_total", &[]),
            &FxHashSet::default(),
        );
        assert_eq!(
            (alloc_total.kind, alloc_total.role),
            (Kind::Counter, Role::Other)
        );
        let g = classify(&s("go_goroutines", &[]), &FxHashSet::default());
        assert_eq!(g.role, Role::Resource);
        let restarts = classify(
            &s("kube_pod_container_status_restarts_total", &[]),
            &FxHashSet::default(),
        );
        assert_eq!(restarts.role, Role::RestartCount);
        let soft = classify(&s("go_gc_gomemlimit_bytes", &[]), &FxHashSet::default());
        assert_eq!(soft.role, Role::SoftLimit);
        let goal = classify(&s("go_memstats_next_gc_bytes", &[]), &FxHashSet::default());
        assert_eq!(goal.role, Role::HeapGoal);
        let gcs = classify(
            &s("go_gc_duration_seconds_count", &[]),
            &FxHashSet::default(),
        );
        assert_eq!((gcs.kind, gcs.role), (Kind::Counter, Role::GcCycles));
        let share = classify(&s("memory_percent", &[]), &FxHashSet::default());
        assert_eq!((share.unit, share.role), (Unit::None, Role::Other));
        let usage = classify(&s("memory_usage_bytes", &[]), &FxHashSet::default());
        assert_eq!(usage.role, Role::Memory);
    }
}

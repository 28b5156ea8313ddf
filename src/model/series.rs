//! Metrics over time: series of (time, value) points, OOM-kill events from
//! logs, and what each input file turned out to be.

use crate::sort::SortStable;

/// A time series, in columns. Times are unix seconds, ascending; values may
/// be NaN where the source said so (gaps are simply absent points).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Series {
    /// The metric name; empty when the source gave none (a `rate()` result,
    /// a Grafana legend).
    pub name: String,
    /// Labels, sorted by key.
    pub labels: Vec<(String, String)>,
    /// The series as the source named it (a CSV header, a legend).
    pub display: String,
    #[serde(skip)]
    pub times: Vec<f64>,
    #[serde(skip)]
    pub values: Vec<f64>,
    /// Index of the input file it came from.
    pub input: usize,
    /// Other input files that held copies of it (merged into it).
    #[serde(skip)]
    pub copies_in: Vec<usize>,
}

impl Series {
    pub fn new(name: String, labels: Vec<(String, String)>, display: String) -> Self {
        let mut labels = labels;
        labels.sort_stable();
        Series {
            name,
            labels,
            display,
            times: Vec::new(),
            values: Vec::new(),
            input: 0,
            copies_in: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    pub fn push(&mut self, time: f64, value: f64) {
        self.times.push(time);
        self.values.push(value);
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        label_in(&self.labels, key)
    }

    /// Sorts points by time and drops repeated timestamps (keeping the
    /// last); returns how many points were dropped so (readers say so).
    pub fn sort_points(&mut self) -> usize {
        if self.times.windows(2).all(|w| w[0] < w[1]) {
            return 0;
        }
        let before = self.times.len();
        let mut order: Vec<usize> = (0..self.times.len()).collect();
        order.sort_stable_by(|&a, &b| self.times[a].total_cmp(&self.times[b]).then(a.cmp(&b)));
        let mut times = Vec::with_capacity(order.len());
        let mut values = Vec::with_capacity(order.len());
        for i in order {
            if times.last() == Some(&self.times[i]) {
                *values.last_mut().expect("parallel to times") = self.values[i];
                continue;
            }
            times.push(self.times[i]);
            values.push(self.values[i]);
        }
        self.times = times;
        self.values = values;
        before - self.times.len()
    }

    /// The `name{k="v", ...}` form, as Prometheus and Grafana print series.
    pub fn selector(&self) -> String {
        if self.labels.is_empty() {
            return self.name.clone();
        }
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        format!("{}{{{}}}", self.name, labels.join(", "))
    }
}

/// The value of label `key` among `labels`.
pub fn label_in<'a>(labels: &'a [(String, String)], key: &str) -> Option<&'a str> {
    labels
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A `host:port` label value's host (IPv6 brackets off) and port: split
/// at the last `:`, so that `[::1]:8080` is `::1` and `8080`. None for a
/// value without a `:`.
pub fn host_and_port(value: &str) -> Option<(&str, &str)> {
    let (host, port) = value.rsplit_once(':')?;
    Some((host.trim_matches(['[', ']']), port))
}

/// A process killed for using too much memory, from a kernel or
/// Kubernetes log: one kill however many lines the log spends on it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
///
/// Serialized, it is what a report's row of the kill says of it
/// (`analysis::leak::incidents::OomKillRow` adds the time placement
/// found, the time as logged, the pod and the source).
pub struct OomKill {
    /// Unix seconds, when the log gives a wall-clock time.
    #[serde(skip)]
    pub time: Option<f64>,
    /// Seconds since boot, when the log gives only that (plain `dmesg`).
    #[serde(skip)]
    pub since_boot: Option<f64>,
    /// (month, day, seconds of the day) when the log gives no year
    /// (syslog's and journalctl's default format).
    #[serde(skip)]
    pub yearless: Option<(u32, u32, f64)>,
    /// The process (or container) name.
    pub process: String,
    pub pid: Option<u64>,
    /// The killed process's user id.
    pub uid: Option<u64>,
    /// Resident memory at death (anon + file + shmem RSS), in bytes.
    pub rss_bytes: Option<f64>,
    /// The parts of that resident memory, as the kernel lists them.
    pub anon_rss_bytes: Option<f64>,
    pub file_rss_bytes: Option<f64>,
    pub shmem_rss_bytes: Option<f64>,
    /// Virtual size at death (`total-vm`).
    pub total_vm_bytes: Option<f64>,
    /// The memory limit that was hit, when the log says (a cgroup's
    /// `memory: usage …, limit …` line, or a Kubernetes limit).
    pub limit_bytes: Option<f64>,
    /// The killed task's cgroup (`task_memcg=`, `Task in … killed`).
    pub cgroup: Option<String>,
    /// Whose memory ran out: a cgroup's limit or the whole system's.
    pub constraint: Option<OomConstraint>,
    /// The task whose allocation invoked the OOM killer.
    pub invoked_by: Option<String>,
    /// Kubernetes pod, container, namespace, when known.
    #[serde(skip)]
    pub labels: Vec<(String, String)>,
    /// Index of the input file, and the line (1-based) it came from.
    #[serde(skip)]
    pub input: usize,
    #[serde(skip)]
    pub line: usize,
}

/// Which memory ran out when the kernel killed a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OomConstraint {
    /// A memory cgroup's limit (a container's, a systemd unit's).
    Cgroup,
    /// The machine's memory (`CONSTRAINT_NONE`, `Out of memory:`).
    System,
    /// A cpuset's or a memory policy's nodes.
    Cpuset,
    Mempolicy,
}

/// A Kubernetes container as `kubectl` or kube-state-metrics describes it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct KubeContainer {
    pub namespace: Option<String>,
    pub pod: String,
    pub container: String,
    /// `Running`, `Waiting`, `Terminated`, with the reason when waiting
    /// (`Waiting (CrashLoopBackOff)`).
    pub state: Option<String>,
    pub restart_count: Option<u64>,
    /// Why the previous run ended (`OOMKilled`, `Error`, `Completed`).
    pub last_terminated_reason: Option<String>,
    pub last_exit_code: Option<i64>,
    /// When the previous run ended (unix seconds).
    pub last_finished: Option<f64>,
    pub memory_limit_bytes: Option<f64>,
    pub memory_request_bytes: Option<f64>,
    /// When the current run ended, for a container terminated now (a
    /// job's, or one not restarted yet), and the line that says it.
    pub ended: Option<f64>,
    #[serde(skip)]
    pub ended_line: usize,
    /// Index of the input file, and the line (1-based) it came from
    /// (0 when a metric says it); reports say them as a file and line.
    #[serde(skip)]
    pub input: usize,
    #[serde(skip)]
    pub line: usize,
}

/// What an input file was found to be.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct InputReport {
    /// The file's name, as the caller gave it.
    pub file: String,
    /// The detected format, e.g. `grafana-csv`, `prometheus-json`.
    pub format: String,
    /// The field delimiter of a CSV file.
    pub delimiter: Option<String>,
    /// The text encoding: `utf-8`, `utf-8 (BOM)`, `utf-16le (BOM)`.
    pub encoding: String,
    /// How times were written, e.g. `epoch-ms`, `YYYY-MM-DD HH:mm:ss`.
    pub time: Option<String>,
    /// The time zone assumed when the file gave none.
    pub zone: Option<String>,
    pub series: usize,
    pub points: usize,
    pub oom_kills: usize,
    /// Kubernetes containers described (kubectl output).
    pub containers: usize,
    pub skipped_rows: usize,
    /// What was skipped or assumed, with row numbers.
    pub warnings: Vec<String>,
}

/// Series and events from one or more inputs.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct SeriesSet {
    pub series: Vec<Series>,
    pub oom_kills: Vec<OomKill>,
    /// Kubernetes containers described by the inputs.
    pub containers: Vec<KubeContainer>,
    pub inputs: Vec<InputReport>,
}

impl SeriesSet {
    /// Adds the series and events read from one file, named as given.
    pub fn add_file(&mut self, file: &str, mut other: SeriesSet) {
        for input in &mut other.inputs {
            input.file = file.to_string();
        }
        self.extend(other);
    }

    /// Adds another input's series and events.
    pub fn extend(&mut self, other: SeriesSet) {
        let offset = self.inputs.len();
        self.series.extend(other.series.into_iter().map(|mut s| {
            s.input += offset;
            s
        }));
        self.oom_kills
            .extend(other.oom_kills.into_iter().map(|mut k| {
                k.input += offset;
                k
            }));
        self.containers
            .extend(other.containers.into_iter().map(|mut c| {
                c.input += offset;
                c
            }));
        self.inputs.extend(other.inputs);
    }
}

/// Parses `name{k="v", k2="v2"}` (or `{k="v"}`, or a bare name) into a name
/// and labels; `None` when the text is not of that form (a legend name).
pub fn parse_selector(text: &str) -> Option<(String, Vec<(String, String)>)> {
    let text = text.trim();
    let Some(open) = text.find('{') else {
        return is_metric_name(text).then(|| (text.to_string(), Vec::new()));
    };
    let name = &text[..open];
    if !(name.is_empty() || is_metric_name(name)) || !text.ends_with('}') {
        return None;
    }
    let labels = parse_labels(&text[open + 1..text.len() - 1])?;
    Some((name.to_string(), labels))
}

/// Parses `k="v", k2="v2"` (Prometheus escapes `\"`, `\\`, `\n` in values).
pub fn parse_labels(body: &str) -> Option<Vec<(String, String)>> {
    let mut labels = Vec::new();
    let mut rest = body.trim();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = rest[..eq].trim();
        if !is_label_name(key) {
            return None;
        }
        let after = rest[eq + 1..].trim_start();
        let mut chars = after.char_indices();
        if chars.next()?.1 != '"' {
            return None;
        }
        let mut value = String::new();
        let mut end = None;
        let mut escaped = false;
        for (i, c) in chars {
            if escaped {
                value.push(match c {
                    'n' => '\n',
                    other => other,
                });
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                end = Some(i);
                break;
            } else {
                value.push(c);
            }
        }
        let end = end?;
        labels.push((key.to_string(), value));
        rest = after[end + 1..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    labels.sort_stable();
    Some(labels)
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse() {
        let (n, l) =
            parse_selector(r#"process_resident_memory_bytes{instance="10.0.0.1:8080", job="api"}"#)
                .unwrap();
        assert_eq!(n, "process_resident_memory_bytes");
        assert_eq!(
            l,
            vec![
                ("instance".into(), "10.0.0.1:8080".into()),
                ("job".into(), "api".into())
            ]
        );
        let (n, l) = parse_selector(r#"{code="200", handler="/work"}"#).unwrap();
        assert_eq!((n.as_str(), l.len()), ("", 2));
        assert_eq!(parse_selector("up").unwrap().0, "up");
        assert!(parse_selector("Memory (RSS)").is_none());
        let (_, l) = parse_selector(r#"x{path="a\"b\\c"}"#).unwrap();
        assert_eq!(l[0].1, "a\"b\\c");
    }
}

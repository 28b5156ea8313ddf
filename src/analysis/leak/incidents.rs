//! The OOM kills and the Kubernetes containers of the inputs, as tables:
//! one row per kill with everything its log lines say, one row per
//! container with what kubectl or kube-state-metrics say of it. These are
//! facts, listed whether or not a process's series explains them; the
//! verdicts elsewhere only use them.

use crate::sort::SortStable;
use rustc_hash::FxHashMap;

use crate::model::series::{label_in, InputReport, KubeContainer, OomConstraint, OomKill, Series};

use super::restarts::OomKillMark;
use super::{Analysis, ProcessAnalysis};

/// Where a row comes from: the file and the line (none when a metric says
/// it: kube-state-metrics).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Source {
    pub file: String,
    pub line: Option<usize>,
    /// The metric that says it, for rows from series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
}

impl Source {
    /// `file:line`, or `file (metric)`.
    pub fn text(&self) -> String {
        match (self.line, &self.metric) {
            (Some(l), _) => format!("{}:{l}", self.file),
            (None, Some(m)) => format!("{} ({m})", self.file),
            (None, None) => self.file.clone(),
        }
    }
}

/// One OOM kill.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OomKillRow {
    /// Unix seconds: the log's own wall-clock time, or the one placement
    /// gave a `dmesg` or yearless syslog time by attaching the kill to the
    /// restart it caused; `None` when neither says.
    pub time: Option<f64>,
    /// The time as the log wrote it when it is not a wall-clock time
    /// (`5864.7 s after boot`, `Jan 5 15:19:27, no year`).
    pub logged_time: Option<String>,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub container: Option<String>,
    /// What the log says of the kill (its own times and labels are the
    /// fields above).
    #[serde(flatten)]
    pub kill: OomKill,
    /// Where else the same kill is told (a container's OOMKilled
    /// termination beside the kernel's kill of its process).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_told: Vec<Source>,
    pub source: Source,
}

/// One Kubernetes container, with where it is described.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ContainerRow {
    #[serde(flatten)]
    pub container: KubeContainer,
    pub source: Source,
}

fn file_of(inputs: &[InputReport], input: usize) -> String {
    inputs
        .get(input)
        .map(|i| i.file.clone())
        .unwrap_or_default()
}

/// What identifies one kill whatever its log's time form: process, pid,
/// uid, and anon, file and shmem RSS and total-vm (as bits).
type KillPrint<'a> = (&'a str, u64, Option<u64>, [Option<u64>; 4]);

fn kill_print(k: &OomKill) -> Option<KillPrint<'_>> {
    k.anon_rss_bytes?;
    let bits = |v: Option<f64>| v.map(f64::to_bits);
    Some((
        k.process.as_str(),
        k.pid?,
        k.uid,
        [
            bits(k.anon_rss_bytes),
            bits(k.file_rss_bytes),
            bits(k.shmem_rss_bytes),
            bits(k.total_vm_bytes),
        ],
    ))
}

/// The kills told again without a date (plain `dmesg`, a yearless
/// syslog) that a dated log (`dmesg -T`, journalctl) also tells: index of
/// the retelling → index of the dated telling. The same kill is the same
/// process and pid dying with the same memory to the kB (anon, file and
/// shmem RSS, total-vm, uid): a pid dies once, and a later process given
/// the same pid dying with every figure equal is not a real coincidence.
/// Only when that matches one dated moment; without a pid and the RSS
/// figures nothing is matched.
pub fn retold_undated(kills: &[OomKill]) -> FxHashMap<usize, usize> {
    // Each print's dated telling, or `None` when it has two moments.
    let mut dated: FxHashMap<KillPrint, Option<(usize, u64)>> = FxHashMap::default();
    for (i, k) in kills.iter().enumerate() {
        let (Some(t), Some(p)) = (k.time, kill_print(k)) else {
            continue;
        };
        dated
            .entry(p)
            .and_modify(|d| {
                if d.is_some_and(|(_, at)| at != t.to_bits()) {
                    *d = None;
                }
            })
            .or_insert(Some((i, t.to_bits())));
    }
    kills
        .iter()
        .enumerate()
        .filter(|(_, k)| k.time.is_none())
        .filter_map(|(i, k)| Some((i, dated.get(&kill_print(k)?).copied()??.0)))
        .collect()
}

/// Every OOM kill of the inputs, in the order the inputs tell them, with
/// the wall-clock time placement found for those the log dates otherwise;
/// then the restarts only kube-state-metrics calls OOM kills (its 0/1
/// termination gauge tells no pid or memory, and no log told them), so the
/// table counts what the process cards count.
pub fn oom_rows(kills: &[OomKill], inputs: &[InputReport], analysis: &Analysis) -> Vec<OomKillRow> {
    let placed: FxHashMap<(usize, usize), f64> = marks(analysis)
        .map(|(_, m)| m)
        .filter(|m| !m.from_metric())
        .filter_map(|m| Some(((m.input, m.line), m.time?)))
        .collect();
    // A kill told twice (the kernel's, and the container's termination,
    // as placement found; or the same kill — process, pid, pod, moment — in
    // two files, placed or not): one row, the first or the kernel's, with the pod a
    // termination names.
    let mut told_again: FxHashMap<(usize, usize), (usize, usize)> = marks(analysis)
        .flat_map(|(_, m)| {
            m.also_told
                .iter()
                .map(move |&also| (also, (m.input, m.line)))
        })
        .collect();
    let mut first_telling: FxHashMap<_, (usize, usize)> = FxHashMap::default();
    for k in kills {
        let moment = (
            k.time.map(f64::to_bits),
            k.since_boot.map(f64::to_bits),
            k.yearless.map(|(m, d, s)| (m, d, s.to_bits())),
        );
        // With neither a pid nor a time, two lines may be two kills.
        if k.pid.is_none() && moment == (None, None, None) {
            continue;
        }
        let first = *first_telling
            .entry((&k.process, k.pid, &k.labels, moment))
            .or_insert((k.input, k.line));
        if first != (k.input, k.line) {
            told_again.entry((k.input, k.line)).or_insert(first);
        }
    }
    // The same kill in a dated log and an undated one (`dmesg -T` and
    // `dmesg`), which placement may not have tied (no boot time).
    for (retelling, dated) in retold_undated(kills) {
        let (r, d) = (&kills[retelling], &kills[dated]);
        told_again
            .entry((r.input, r.line))
            .or_insert((d.input, d.line));
    }
    // A retelling of a retelling (`dmesg` given twice beside `dmesg -T`)
    // belongs to the row kept: each points at the end of its chain. A
    // cycle keeps its tellings as rows of their own rather than lose the
    // kill.
    told_again = told_again
        .keys()
        .filter_map(|&key| {
            let mut kept = told_again[&key];
            for _ in 0..told_again.len() {
                match told_again.get(&kept) {
                    Some(&next) => kept = next,
                    None => return Some((key, kept)),
                }
            }
            None
        })
        .collect();
    let by_place: FxHashMap<(usize, usize), &OomKill> =
        kills.iter().map(|k| ((k.input, k.line), k)).collect();
    // Each kept kill's other tellings, gathered once (in `told_again`'s
    // order): a search of every retelling per row was kills × retellings
    // (40,000 kills given twice: 2.5 s).
    let mut retold: FxHashMap<(usize, usize), Vec<&OomKill>> = FxHashMap::default();
    for (other, kept) in &told_again {
        if let Some(k) = by_place.get(other) {
            retold.entry(*kept).or_default().push(k);
        }
    }
    let source_of = |k: &OomKill| Source {
        file: file_of(inputs, k.input),
        line: Some(k.line),
        metric: None,
    };
    let from_metrics = marks(analysis)
        .filter(|(_, m)| m.from_metric())
        .map(|(p, m)| {
            let of = |key: &str| p.labels.get(key).cloned();
            OomKillRow {
                time: m.time,
                logged_time: None,
                namespace: of("namespace"),
                pod: of("pod"),
                container: of("container"),
                kill: OomKill {
                    process: m.process.clone(),
                    limit_bytes: m.limit_bytes,
                    constraint: Some(OomConstraint::Cgroup),
                    ..OomKill::default()
                },
                source: Source {
                    file: file_of(inputs, m.input),
                    line: None,
                    metric: Some(LAST_TERMINATED.to_string()),
                },
                also_told: Vec::new(),
            }
        });
    let mut rows = kills
        .iter()
        .filter(|k| !told_again.contains_key(&(k.input, k.line)))
        .map(|k| {
            let logged_time = match (k.since_boot, k.yearless) {
                _ if k.time.is_some() => None,
                (Some(b), _) => Some(format!("{b:.1} s after boot")),
                (None, Some((month, day, seconds))) => {
                    let s = seconds.rem_euclid(86_400.0) as u32;
                    Some(format!(
                        "{} {day} {:02}:{:02}:{:02} UTC, no year",
                        MONTHS[(month as usize).clamp(1, 12) - 1],
                        s / 3600,
                        s / 60 % 60,
                        s % 60
                    ))
                }
                (None, None) => None,
            };
            let others: &[&OomKill] = retold.get(&(k.input, k.line)).map_or(&[], Vec::as_slice);
            let named = |key: &str| {
                std::iter::once(k)
                    .chain(others.iter().copied())
                    .find_map(|k| label_in(&k.labels, key))
                    .map(str::to_string)
            };
            let mut kill = k.clone();
            kill.limit_bytes = kill
                .limit_bytes
                .or_else(|| others.iter().find_map(|o| o.limit_bytes));
            OomKillRow {
                time: k.time.or_else(|| placed.get(&(k.input, k.line)).copied()),
                logged_time,
                namespace: named("namespace"),
                pod: named("pod"),
                container: named("container"),
                kill,
                source: source_of(k),
                also_told: others.iter().map(|o| source_of(o)).collect(),
            }
        })
        .chain(from_metrics)
        .collect::<Vec<_>>();
    // In time order where the time is known; the others after, as told.
    rows.sort_stable_by(|a, b| match (a.time, b.time) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    rows
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The OOM-kill marks the analysis attached to a restart, with their
/// process: only there is a time the log did not give (a year, a boot
/// time) confirmed by the metrics; a kill attached to nothing keeps the
/// time as logged.
fn marks(a: &Analysis) -> impl Iterator<Item = (&ProcessAnalysis, &OomKillMark)> {
    a.processes.iter().flat_map(move |p| {
        p.restart_events
            .iter()
            .filter_map(|r| r.oom_kill.as_ref())
            .map(move |m| (p, m))
    })
}

/// What `other` says of a container that `c` leaves unsaid.
fn fill(c: &mut KubeContainer, other: &KubeContainer) {
    fn or<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
        if a.is_none() {
            a.clone_from(b);
        }
    }
    or(&mut c.state, &other.state);
    or(&mut c.restart_count, &other.restart_count);
    or(&mut c.last_terminated_reason, &other.last_terminated_reason);
    or(&mut c.last_exit_code, &other.last_exit_code);
    or(&mut c.last_finished, &other.last_finished);
    or(&mut c.memory_limit_bytes, &other.memory_limit_bytes);
    or(&mut c.memory_request_bytes, &other.memory_request_bytes);
    or(&mut c.ended, &other.ended);
}

/// kube-state-metrics' container metrics, by what each says.
const RESTARTS: &str = "kube_pod_container_status_restarts_total";
const LAST_TERMINATED: &str = "kube_pod_container_status_last_terminated_reason";
const LAST_EXIT_CODE: &str = "kube_pod_container_status_last_terminated_exitcode";
const WAITING: &str = "kube_pod_container_status_waiting_reason";
const LIMITS: &str = "kube_pod_container_resource_limits";
const REQUESTS: &str = "kube_pod_container_resource_requests";
/// kube-state-metrics before 2.0 had a metric per resource.
const LIMITS_V1: &str = "kube_pod_container_resource_limits_memory_bytes";
const REQUESTS_V1: &str = "kube_pod_container_resource_requests_memory_bytes";

/// Every container the inputs describe: kubectl's, then those only
/// kube-state-metrics' series name. One row per container (namespace, pod,
/// container): a later source fills only what an earlier one left empty.
pub fn container_rows(
    described: &[KubeContainer],
    series: &[Series],
    inputs: &[InputReport],
) -> Vec<ContainerRow> {
    // The same container told twice (`describe` and `get -o json` of one
    // pod): one row, the first telling's, filled in by the others.
    let mut rows: Vec<ContainerRow> = Vec::new();
    let mut index: FxHashMap<(Option<String>, String, String), usize> = FxHashMap::default();
    for c in described {
        let key = (c.namespace.clone(), c.pod.clone(), c.container.clone());
        match index.get(&key) {
            Some(&i) => fill(&mut rows[i].container, c),
            None => {
                index.insert(key, rows.len());
                rows.push(ContainerRow {
                    container: c.clone(),
                    source: Source {
                        file: file_of(inputs, c.input),
                        line: Some(c.line),
                        metric: None,
                    },
                });
            }
        }
    }
    for s in series {
        let is_memory = || s.label("resource") == Some("memory");
        let fact = match s.name.as_str() {
            RESTARTS | LAST_EXIT_CODE | LIMITS_V1 | REQUESTS_V1 => true,
            LIMITS | REQUESTS => is_memory(),
            // 0/1 gauges: only the reason whose gauge is 1 now is a fact.
            LAST_TERMINATED | WAITING => s.values.last() == Some(&1.0),
            _ => false,
        };
        let (Some(pod), Some(container), Some(&last)) =
            (s.label("pod"), s.label("container"), s.values.last())
        else {
            continue;
        };
        if !fact {
            continue;
        }
        let key = (
            s.label("namespace").map(str::to_string),
            pod.to_string(),
            container.to_string(),
        );
        let i = *index.entry(key.clone()).or_insert_with(|| {
            rows.push(ContainerRow {
                container: KubeContainer {
                    namespace: key.0,
                    pod: key.1,
                    container: key.2,
                    input: s.input,
                    ..KubeContainer::default()
                },
                source: Source {
                    file: file_of(inputs, s.input),
                    line: None,
                    metric: Some(s.name.clone()),
                },
            });
            rows.len() - 1
        });
        let row = &mut rows[i].container;
        let reason = || s.label("reason").map(str::to_string);
        match s.name.as_str() {
            RESTARTS => {
                row.restart_count.get_or_insert(last.max(0.0) as u64);
            }
            LAST_EXIT_CODE => {
                row.last_exit_code.get_or_insert(last as i64);
            }
            LAST_TERMINATED => {
                row.last_terminated_reason = row.last_terminated_reason.take().or_else(reason)
            }
            WAITING => {
                row.state
                    .get_or_insert_with(|| format!("Waiting ({})", reason().unwrap_or_default()));
            }
            LIMITS | LIMITS_V1 => {
                row.memory_limit_bytes.get_or_insert(last);
            }
            _ => {
                row.memory_request_bytes.get_or_insert(last);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauge(name: &str, extra: &[(&str, &str)], values: &[f64]) -> Series {
        let mut labels: Vec<(String, String)> = [
            ("namespace", "prod"),
            ("pod", "api-1"),
            ("container", "api"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        labels.sort_stable();
        let mut s = Series::new(name.into(), labels, String::new());
        for (i, v) in values.iter().enumerate() {
            s.push(i as f64 * 30.0, *v);
        }
        s
    }

    #[test]
    fn kube_state_metrics_make_one_row_per_container() {
        let series = [
            gauge(RESTARTS, &[], &[0.0, 1.0, 3.0]),
            gauge(
                LAST_TERMINATED,
                &[("reason", "OOMKilled")],
                &[0.0, 1.0, 1.0],
            ),
            // The 0/1 gauge of another reason, 0 now: not a fact.
            gauge(LAST_TERMINATED, &[("reason", "Error")], &[1.0, 0.0, 0.0]),
            gauge(
                LIMITS,
                &[("resource", "memory"), ("unit", "byte")],
                &[134217728.0],
            ),
            gauge(LIMITS, &[("resource", "cpu"), ("unit", "core")], &[0.5]),
        ];
        let rows = container_rows(&[], &series, &[]);
        assert_eq!(rows.len(), 1);
        let r = &rows[0].container;
        assert_eq!(r.restart_count, Some(3));
        assert_eq!(r.last_terminated_reason.as_deref(), Some("OOMKilled"));
        assert_eq!(r.memory_limit_bytes, Some(134217728.0));
        assert_eq!(rows[0].source.metric.as_deref(), Some(RESTARTS));
        // kubectl's row comes first and keeps what it says.
        let described = KubeContainer {
            namespace: Some("prod".into()),
            pod: "api-1".into(),
            container: "api".into(),
            restart_count: Some(4),
            line: 9,
            ..KubeContainer::default()
        };
        let rows = container_rows(&[described], &series, &[]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].container.restart_count, Some(4));
        assert_eq!(rows[0].container.memory_limit_bytes, Some(134217728.0));
        assert_eq!(rows[0].source.line, Some(9));
    }
}

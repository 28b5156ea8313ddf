//! A fleet scan: which of the processes a Prometheus holds is most likely
//! to leak, at the cost of a few queries however many there are.
//!
//! Two steps. First, Prometheus does the fan-out: three instant queries
//! over the window ([`queries`]) give each process its memory floor's slope
//! (the slope of the 5-minute minima, so a GC sawtooth does not read as
//! growth), its mean level and its restarts; [`candidates`] joins them and
//! ranks by the floor's growth relative to the level, restarts breaking
//! ties. Then only the leading candidates' full series (and those of the
//! processes that restarted most, [`to_judge`]) are fetched and
//! judged by the same verdict engine as `analyze` ([`judge`]): the final
//! order is the verdict's (a leak first, by confidence), never the
//! pre-ranking's alone. The network is the caller's; this module builds
//! the query texts and reads the answers.

use crate::sort::SortStable;
use std::collections::BTreeMap;

use crate::analysis::leak::{self, Verdict};
use crate::analysis::promql::{self, escape};
use crate::model::series::SeriesSet;

/// The memory series a scan ranks by, unless told otherwise.
pub const DEFAULT_METRIC: &str = "process_resident_memory_bytes";

/// The instant queries of the first step, for series `metric{matchers}`
/// over the last `window_s` seconds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Queries {
    /// Bytes a second: the slope of the 5-minute floors (a floor every
    /// `step`), by least squares (`deriv`).
    pub floor_slope: String,
    /// The mean over the window.
    pub level: String,
    /// How often the process started anew (its start time changed).
    pub restarts: String,
}

/// The floors' width and step for a window: 5 minutes, or a tenth of a
/// short window (a test's minute), at least a second.
pub fn floor_width(window_s: u64) -> u64 {
    (window_s / 10).clamp(1, 300)
}

pub fn queries(metric: &str, matchers: &str, window_s: u64) -> Queries {
    let w = floor_width(window_s);
    let sel = |name: &str| {
        if matchers.is_empty() {
            name.to_string()
        } else {
            format!("{name}{{{matchers}}}")
        }
    };
    Queries {
        floor_slope: format!(
            "deriv(min_over_time({}[{w}s])[{window_s}s:{w}s])",
            sel(metric)
        ),
        level: format!("avg_over_time({}[{window_s}s])", sel(metric)),
        restarts: format!(
            "changes({}[{window_s}s])",
            sel("process_start_time_seconds")
        ),
    }
}

/// One element of an instant vector: its labels and value.
#[derive(Debug, Clone)]
pub struct Sample {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A process as the first step sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Candidate {
    pub labels: BTreeMap<String, String>,
    /// The floor's growth, bytes an hour.
    pub floor_growth_per_hour: f64,
    /// The mean memory, bytes.
    pub level: f64,
    /// The growth as a share of the level, an hour.
    pub relative_growth_per_hour: f64,
    /// Restarts within the window (0 when the start time is not exported).
    pub restarts: u64,
}

/// The labels two queries' answers about one process share: all but the
/// metric name (gone after `deriv`/`avg_over_time`/`changes`).
fn key(labels: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Joins the three answers by process and ranks them: the most relative
/// floor growth first, then the most restarts. A process without a slope
/// (too few points) is left out.
pub fn candidates(slope: &[Sample], level: &[Sample], restarts: &[Sample]) -> Vec<Candidate> {
    let levels: BTreeMap<_, f64> = level.iter().map(|s| (key(&s.labels), s.value)).collect();
    // Restarts are counted by instance (the start time is the process's own
    // series, whatever other labels the memory series carries).
    let restarts_of: BTreeMap<Option<String>, f64> = restarts
        .iter()
        .map(|s| (s.labels.get("instance").cloned(), s.value))
        .collect();
    let mut out: Vec<Candidate> = slope
        .iter()
        .filter(|s| s.value.is_finite())
        .map(|s| {
            let labels = key(&s.labels);
            let level = levels.get(&labels).copied().unwrap_or(f64::NAN);
            let growth = s.value * 3600.0;
            let restarts = restarts_of
                .get(&labels.get("instance").cloned())
                .copied()
                .filter(|v| v.is_finite() && *v > 0.0)
                .unwrap_or(0.0) as u64;
            Candidate {
                relative_growth_per_hour: if level > 0.0 { growth / level } else { 0.0 },
                labels,
                floor_growth_per_hour: growth,
                level,
                restarts,
            }
        })
        .collect();
    out.sort_stable_by(|a, b| {
        b.relative_growth_per_hour
            .total_cmp(&a.relative_growth_per_hour)
            .then(b.restarts.cmp(&a.restarts))
            .then_with(|| a.labels.cmp(&b.labels))
    });
    out
}

/// The candidates to judge: the `top` with the most relative growth, and
/// up to `top / 2` more among those that restarted (most restarts first).
/// A leak that ends in an OOM kill and a restart grows between restarts
/// and drops at each: its floor's slope over the window can be flat, but
/// its restarts are counted, and the verdict engine reads each life.
pub fn to_judge(candidates: &[Candidate], top: usize) -> Vec<Candidate> {
    let mut chosen: Vec<Candidate> = candidates.iter().take(top).cloned().collect();
    let mut restarted: Vec<&Candidate> = candidates
        .iter()
        .skip(top)
        .filter(|c| c.restarts > 0)
        .collect();
    restarted.sort_stable_by_key(|c| std::cmp::Reverse(c.restarts));
    chosen.extend(restarted.into_iter().take(top / 2).cloned());
    chosen
}

/// The query for one candidate's series: the names the analysis reads and
/// the scan's own metric, of its scrape target (its job and instance, as
/// Prometheus labels a target; all of its labels when it has neither).
pub fn series_query(metric: &str, c: &Candidate) -> String {
    let target: Vec<_> = c
        .labels
        .iter()
        .filter(|(k, _)| k.as_str() == "job" || k.as_str() == "instance")
        .collect();
    let labels = if target.is_empty() {
        c.labels.iter().collect()
    } else {
        target
    };
    let selector = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect::<Vec<_>>()
        .join(",");
    promql::series_query_with(metric, &selector)
}

/// A process of the scan's answer, judged.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Judged {
    pub rank: usize,
    pub candidate: Candidate,
    pub verdict: Option<Verdict>,
    pub confidence: Option<f64>,
    pub reason: String,
    pub bytes_per_request: Option<f64>,
}

/// The scan's answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScanReport {
    pub metric: String,
    pub window_s: u64,
    /// Processes the first step saw.
    pub processes: usize,
    /// The queries sent, in order.
    pub queries: Vec<String>,
    /// The bytes of their answers.
    pub bytes_received: u64,
    /// The leading candidates, judged, in the final order.
    pub judged: Vec<Judged>,
}

/// Judges each candidate on its own full series (`None`: they could not be
/// fetched, with why) and orders them: leaks first by confidence, then
/// inconclusive, then steady, each by the first step's order.
pub fn judge(metric: &str, candidates: Vec<(Candidate, Result<SeriesSet, String>)>) -> Vec<Judged> {
    let unjudged = |candidate, reason: String| Judged {
        rank: 0,
        verdict: None,
        confidence: None,
        reason,
        bytes_per_request: None,
        candidate,
    };
    let mut out: Vec<(usize, Judged)> = candidates
        .into_iter()
        .enumerate()
        .map(|(order, (candidate, set))| {
            let set = match set {
                Ok(set) => set,
                Err(why) => return (order, unjudged(candidate, why)),
            };
            let a = leak::analyze(&set, &leak::AnalyzeOptions { limit: None });
            // The process is the one the candidate's own series belongs
            // to: a target's selector may bring back other processes' too
            // (several containers, a pod's sidecar), and the verdict must
            // be this one's.
            let own = a
                .series
                .iter()
                .find(|s| s.name == metric && s.labels == candidate.labels);
            let judged = match own.and_then(|s| a.processes.get(s.process)) {
                Some(p) => Judged {
                    rank: 0,
                    verdict: Some(p.verdict),
                    confidence: p.confidence,
                    reason: p.reason.clone(),
                    bytes_per_request: p.bytes_per_request,
                    candidate,
                },
                None => unjudged(candidate, format!("its {metric} series did not come back")),
            };
            (order, judged)
        })
        .collect();
    let class = |v: Option<Verdict>| match v {
        Some(Verdict::Leak) => 0,
        Some(Verdict::Inconclusive) => 1,
        Some(Verdict::Steady) => 2,
        None => 3,
    };
    out.sort_stable_by(|(oa, a), (ob, b)| {
        class(a.verdict).cmp(&class(b.verdict)).then(
            b.confidence
                .unwrap_or(0.0)
                .total_cmp(&a.confidence.unwrap_or(0.0))
                .then(oa.cmp(ob)),
        )
    });
    out.into_iter()
        .enumerate()
        .map(|(i, (_, mut j))| {
            j.rank = i + 1;
            j
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::series::Series;

    fn sample(instance: &str, value: f64) -> Sample {
        Sample {
            labels: [("instance", instance), ("job", "api")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            value,
        }
    }

    #[test]
    fn the_queries_take_floors_so_a_sawtooth_is_no_growth() {
        let q = queries("process_resident_memory_bytes", "job=\"api\"", 86_400);
        assert_eq!(
            q.floor_slope,
            "deriv(min_over_time(process_resident_memory_bytes{job=\"api\"}[300s])[86400s:300s])"
        );
        assert_eq!(
            q.level,
            "avg_over_time(process_resident_memory_bytes{job=\"api\"}[86400s])"
        );
        assert_eq!(
            q.restarts,
            "changes(process_start_time_seconds{job=\"api\"}[86400s])"
        );
        assert_eq!(queries("m", "", 60).level, "avg_over_time(m[60s])");
        assert!(queries("m", "", 60).floor_slope.contains("[6s])[60s:6s]"));
    }

    #[test]
    fn candidates_rank_by_growth_relative_to_their_level() {
        // b grows 1 MB/h on 10 MB (10%/h), a 10 MB/h on 1 GB (1%/h).
        let slope = [
            sample("a", 10e6 / 3600.0),
            sample("b", 1e6 / 3600.0),
            sample("c", f64::NAN),
        ];
        let level = [sample("a", 1e9), sample("b", 1e7)];
        let restarts = [sample("a", 2.0)];
        let c = candidates(&slope, &level, &restarts);
        let order: Vec<&str> = c.iter().map(|c| c.labels["instance"].as_str()).collect();
        assert_eq!(order, ["b", "a"]);
        assert_eq!(c[1].restarts, 2);
        assert!((c[0].relative_growth_per_hour - 0.1).abs() < 1e-9);
        let q = series_query("process_resident_memory_bytes", &c[0]);
        assert!(q.ends_with(",instance=\"b\",job=\"api\"}"), "{q}");
        assert!(q.contains("|process_resident_memory_bytes\""), "{q}");
    }

    #[test]
    fn a_candidate_without_job_or_instance_is_selected_by_all_its_labels() {
        let c = Candidate {
            labels: [("pod", "p\"1"), ("namespace", "n")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            floor_growth_per_hour: 1.0,
            level: 1.0,
            relative_growth_per_hour: 1.0,
            restarts: 0,
        };
        let q = series_query("my:metric", &c);
        assert!(q.ends_with(",namespace=\"n\",pod=\"p\\\"1\"}"), "{q}");
    }

    #[test]
    fn the_verdict_is_the_candidates_own_process_not_the_leading_one() {
        // The selector of instance a also brought back instance z's series
        // (a relabelled target): z leaks, a is flat. Each candidate gets
        // its own process's verdict; one whose series is missing gets none.
        let series = |instance: &str, slope: f64| {
            let mut s = Series::new(
                "process_resident_memory_bytes".into(),
                vec![
                    ("instance".into(), instance.into()),
                    ("job".into(), "api".into()),
                ],
                String::new(),
            );
            s.times = (0..240).map(|i| i as f64 * 60.0).collect();
            s.values = s.times.iter().map(|t| 100e6 + slope * t).collect();
            s
        };
        let set = SeriesSet {
            series: vec![series("a", 0.0), series("z", 10e3)],
            ..SeriesSet::default()
        };
        let slope = [sample("a", 2.0), sample("z", 1.0), sample("gone", 0.5)];
        let c = candidates(&slope, &[], &[]);
        let judged = judge(
            "process_resident_memory_bytes",
            c.iter().map(|c| (c.clone(), Ok(set.clone()))).collect(),
        );
        let of = |i: &str| {
            judged
                .iter()
                .find(|j| j.candidate.labels["instance"] == i)
                .unwrap()
        };
        assert_eq!(of("z").verdict, Some(Verdict::Leak));
        assert!(
            of("a").verdict.is_some_and(|v| v != Verdict::Leak),
            "{:?}",
            of("a").verdict
        );
        assert_eq!(of("gone").verdict, None);
        assert_eq!(
            of("gone").reason,
            "its process_resident_memory_bytes series did not come back"
        );
    }

    #[test]
    fn processes_that_restarted_are_judged_beside_the_most_growing() {
        // Six processes: a–d grow, e and f are flat but restarted (f most).
        let slope: Vec<Sample> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .zip([6.0, 5.0, 4.0, 3.0, 0.0, -1.0])
            .map(|(i, v)| sample(i, v))
            .collect();
        let level: Vec<Sample> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|i| sample(i, 1e6))
            .collect();
        let restarts = [sample("e", 1.0), sample("f", 3.0), sample("a", 2.0)];
        let c = candidates(&slope, &level, &restarts);
        let judged: Vec<String> = to_judge(&c, 2)
            .iter()
            .map(|c| c.labels["instance"].clone())
            .collect();
        assert_eq!(judged, ["a", "b", "f"]);
        let judged: Vec<String> = to_judge(&c, 4)
            .iter()
            .map(|c| c.labels["instance"].clone())
            .collect();
        assert_eq!(judged, ["a", "b", "c", "d", "f", "e"]);
    }

    #[test]
    fn unjudged_candidates_say_why_and_keep_the_first_steps_order() {
        let slope = [sample("a", 2.0), sample("b", 1.0)];
        let c = candidates(&slope, &[], &[]);
        let judged = judge(
            "process_resident_memory_bytes",
            vec![
                (c[0].clone(), Err("timed out".into())),
                (c[1].clone(), Ok(SeriesSet::default())),
            ],
        );
        assert_eq!(judged[0].candidate.labels["instance"], "a");
        assert_eq!(judged[0].reason, "timed out");
        assert_eq!(
            judged[1].reason,
            "its process_resident_memory_bytes series did not come back"
        );
        assert_eq!((judged[0].rank, judged[1].rank), (1, 2));
        assert!(judged.iter().all(|j| j.verdict.is_none()));
    }
}

//! Kubernetes as a user has it: `kubectl describe pod` (one pod or many,
//! every section, with whatever a tool printed before it) and
//! `kubectl get pod -o json` (a Pod or a List of them). Each container
//! becomes a [`KubeContainer`] (state, restart count, why the previous run
//! ended, memory limit and request); a previous run that ended
//! `OOMKilled` is also an [`OomKill`] at its `Finished` time, so it lines
//! up with the restarts the metrics show.
//!
//! Only the last termination is in this output: a container restarted 6
//! times shows one `OOMKilled`, and the restart count says the rest.

use crate::sort::SortStable;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::series::{InputReport, KubeContainer, OomConstraint, OomKill};

use super::values::{days_from_civil, month_number, parse_time};

/// Where `kubectl describe pod` output starts in the text (the byte
/// offset of its first `Name:` line), if the text holds one: a `Name:`
/// line at the margin with `Namespace:` and `Containers:` after it.
pub fn describe_start(text: &str) -> Option<usize> {
    let mut offset = 0;
    let mut start = None;
    let (mut namespace, mut containers) = (false, false);
    for line in text.split_inclusive('\n') {
        if start.is_none() && line.starts_with("Name:") {
            start = Some(offset);
        } else if start.is_some() {
            namespace |= line.starts_with("Namespace:");
            containers |= line.starts_with("Containers:");
            if namespace && containers {
                return start;
            }
        }
        offset += line.len();
    }
    None
}

/// Whether text is `kubectl get pod -o json` output (a Pod, or a List of
/// Pods), from its first bytes.
pub fn sniff_json(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(400)
        .filter(|c| !c.is_whitespace())
        .collect();
    head.starts_with('{')
        && head.contains("\"apiVersion\":\"v1\"")
        && (head.contains("\"kind\":\"Pod\"")
            || head.contains("\"kind\":\"List\"")
            || head.contains("\"kind\":\"PodList\""))
}

/// Whether text is `kubectl get … -o yaml` output (not read: the page
/// carries no YAML parser; the same command with `-o json` is).
pub fn sniff_yaml(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let first_two: Vec<&str> = lines.by_ref().take(2).collect();
    first_two
        .first()
        .is_some_and(|l| l.starts_with("apiVersion: "))
        && first_two
            .get(1)
            .is_some_and(|l| l.starts_with("kind: ") || *l == "items:")
}

/// The error for kubectl YAML output.
pub fn yaml_error() -> Error {
    Error::unknown_format(
        "kubectl YAML output is not read: run the same kubectl command with -o json instead",
    )
}

/// Reads `kubectl describe pod` output; `start` from [`describe_start`].
pub fn parse_describe(
    text: &str,
    start: usize,
    report: &mut InputReport,
) -> (Vec<KubeContainer>, Vec<OomKill>) {
    report.format = "kubectl-describe".into();
    let skipped_lines = text[..start].lines().count();
    if skipped_lines > 0 {
        report.warnings.push(format!(
            "lines 1–{skipped_lines} come before the kubectl output and were not read"
        ));
    }
    let mut pods = Describe::default();
    for (n, line) in text[start..].lines().enumerate() {
        pods.line(line, skipped_lines + n + 1);
    }
    pods.finish_container();
    finish(pods.containers, report)
}

/// The OOM kills the containers' last terminations tell of, and the
/// report's counts.
fn finish(
    containers: Vec<KubeContainer>,
    report: &mut InputReport,
) -> (Vec<KubeContainer>, Vec<OomKill>) {
    // A run that ended OOMKilled: the previous one (`Last State`), and the
    // current one when the container is terminated now.
    let mut kills = Vec::new();
    for c in &containers {
        let previous = (c.last_terminated_reason.as_deref() == Some("OOMKilled"))
            .then_some((c.last_finished, c.line));
        let current = (c.state.as_deref() == Some("Terminated (OOMKilled)"))
            .then_some((c.ended, c.ended_line));
        for (time, line) in [previous, current].into_iter().flatten() {
            let mut labels = vec![
                ("container".to_string(), c.container.clone()),
                ("pod".to_string(), c.pod.clone()),
            ];
            if let Some(ns) = &c.namespace {
                labels.push(("namespace".into(), ns.clone()));
            }
            labels.sort_stable();
            kills.push(OomKill {
                time,
                process: c.container.clone(),
                limit_bytes: c.memory_limit_bytes,
                constraint: Some(OomConstraint::Cgroup),
                labels,
                line,
                ..OomKill::default()
            });
        }
    }
    report.oom_kills = kills.len();
    report.containers = containers.len();
    (containers, kills)
}

/// The state of a describe reader: the pod and container being read and
/// the block (state, last state, limits, requests) the lines are in.
#[derive(Default)]
struct Describe {
    containers: Vec<KubeContainer>,
    pod: String,
    namespace: Option<String>,
    in_containers: bool,
    current: Option<KubeContainer>,
    block: Block,
}

#[derive(Default, PartialEq, Clone, Copy)]
enum Block {
    #[default]
    None,
    State,
    LastState,
    Limits,
    Requests,
}

impl Describe {
    fn line(&mut self, line: &str, number: usize) {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if indent == 0 && !t.is_empty() {
            self.in_containers = t == "Containers:" || t == "Init Containers:";
            if !self.in_containers {
                self.finish_container();
            }
            if let Some(v) = t.strip_prefix("Name:") {
                // The next pod of `kubectl describe pods`.
                self.pod = v.trim().to_string();
                self.namespace = None;
            } else if let Some(v) = t.strip_prefix("Namespace:") {
                self.namespace = Some(v.trim().to_string());
            }
            return;
        }
        if !self.in_containers {
            return;
        }
        // A container is a name and a colon at indent 2.
        if indent == 2 && t.ends_with(':') && !t.contains(' ') {
            self.finish_container();
            self.current = Some(KubeContainer {
                namespace: self.namespace.clone(),
                pod: self.pod.clone(),
                container: t.trim_end_matches(':').to_string(),
                line: number,
                ..KubeContainer::default()
            });
            return;
        }
        let Some(c) = self.current.as_mut() else {
            return;
        };
        let (key, value) = match t.split_once(':') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (t, ""),
        };
        if indent == 4 {
            self.block = match key {
                "State" => Block::State,
                "Last State" => Block::LastState,
                "Limits" => Block::Limits,
                "Requests" => Block::Requests,
                _ => Block::None,
            };
            match key {
                "State" => c.state = Some(value.to_string()),
                "Restart Count" => c.restart_count = value.parse().ok(),
                _ => {}
            }
            return;
        }
        match (self.block, key) {
            (Block::State, "Reason") => {
                if let Some(state) = &mut c.state {
                    *state = format!("{state} ({value})");
                }
            }
            (Block::State, "Finished") => {
                c.ended = parse_rfc1123(value);
                c.ended_line = number;
            }
            (Block::LastState, "Reason") => c.last_terminated_reason = Some(value.to_string()),
            (Block::LastState, "Exit Code") => c.last_exit_code = value.parse().ok(),
            (Block::LastState, "Finished") => {
                c.last_finished = parse_rfc1123(value);
                c.line = number;
            }
            (Block::Limits, "memory") => c.memory_limit_bytes = crate::units::parse_bytes(value),
            (Block::Requests, "memory") => {
                c.memory_request_bytes = crate::units::parse_bytes(value)
            }
            _ => {}
        }
    }

    fn finish_container(&mut self) {
        if let Some(c) = self.current.take() {
            self.containers.push(c);
        }
        self.block = Block::None;
    }
}

/// Reads `kubectl get pod -o json`: a Pod, or a List of Pods. Through
/// `serde_json::Value`, not typed structs: the derives of the dozen structs
/// this takes cost the page 19 kB more.
pub fn parse_json(
    text: &str,
    report: &mut InputReport,
) -> Result<(Vec<KubeContainer>, Vec<OomKill>)> {
    report.format = "kubectl-json".into();
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        Error::malformed(format!(
            "kubectl JSON output that does not parse: line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    let pods: Vec<&Value> = match doc.get("items").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![&doc],
    };
    let mut containers = Vec::new();
    // What each container's lines are found by, once the text's literals
    // are indexed (below).
    let mut found_by: Vec<LineNeedles> = Vec::new();
    for pod in pods {
        if pod
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k != "Pod")
        {
            continue;
        }
        let text_of = |v: &Value, path: &[&str]| {
            path.iter()
                .try_fold(v, |v, k| v.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let name = text_of(pod, &["metadata", "name"]).unwrap_or_default();
        let namespace = text_of(pod, &["metadata", "namespace"]);
        let specs = ["initContainers", "containers"]
            .iter()
            .filter_map(|k| pod.get("spec")?.get(k)?.as_array())
            .flatten();
        let memory = |spec: &Value, which: &str| {
            text_of(spec, &["resources", which, "memory"])
                .and_then(|m| crate::units::parse_bytes(&m))
        };
        let statuses: Vec<&Value> = ["initContainerStatuses", "containerStatuses"]
            .iter()
            .filter_map(|k| pod.get("status")?.get(k)?.as_array())
            .flatten()
            .collect();
        for spec in specs {
            let mut needles = LineNeedles {
                pod: name.clone(),
                ..LineNeedles::default()
            };
            let container = text_of(spec, &["name"]).unwrap_or_default();
            let status = statuses
                .iter()
                .find(|s| s.get("name").and_then(Value::as_str) == Some(&container));
            let mut c = KubeContainer {
                namespace: namespace.clone(),
                pod: name.clone(),
                memory_limit_bytes: memory(spec, "limits"),
                memory_request_bytes: memory(spec, "requests"),
                container,
                ..KubeContainer::default()
            };
            if let Some(s) = status {
                c.restart_count = s.get("restartCount").and_then(Value::as_u64);
                c.state = s.get("state").and_then(Value::as_object).and_then(|m| {
                    let (state, detail) = m.iter().next()?;
                    let mut chars = state.chars();
                    let word: String = chars
                        .next()
                        .map(|c| c.to_ascii_uppercase())
                        .into_iter()
                        .chain(chars)
                        .collect();
                    Some(match detail.get("reason").and_then(Value::as_str) {
                        Some(r) => format!("{word} ({r})"),
                        None => word,
                    })
                });
                if let Some(t) = s.get("state").and_then(|l| l.get("terminated")) {
                    let finished = text_of(t, &["finishedAt"]);
                    c.ended = finished.as_deref().and_then(parse_time).map(|(t, _)| t);
                    needles.ended = finished;
                }
                if let Some(t) = s.get("lastState").and_then(|l| l.get("terminated")) {
                    c.last_terminated_reason = text_of(t, &["reason"]);
                    c.last_exit_code = t.get("exitCode").and_then(Value::as_i64);
                    let finished = text_of(t, &["finishedAt"]);
                    c.last_finished = finished.as_deref().and_then(parse_time).map(|(t, _)| t);
                    needles.last_finished = finished;
                }
            }
            needles.container = c.container.clone();
            containers.push(c);
            found_by.push(needles);
        }
    }
    if containers.is_empty() {
        return Err(Error::unknown_format(
            "kubectl JSON output with no pods in it (expected `kubectl get pod -o json`)",
        ));
    }
    let wanted: FxHashSet<&str> = found_by
        .iter()
        .flat_map(|n| {
            [
                Some(&n.pod),
                n.ended.as_ref(),
                n.last_finished.as_ref(),
                Some(&n.container),
            ]
        })
        .flatten()
        .map(String::as_str)
        .collect();
    let literals = LiteralLines::new(text, &wanted);
    // A pod's own lines: its name's first literal after the last pod's,
    // and its containers' after that (the pods come in the text's order).
    let mut pod_at = 0;
    for (c, n) in containers.iter_mut().zip(&found_by) {
        if let Some((at, _)) = literals.first_from(&n.pod, pod_at) {
            pod_at = at;
        }
        let line = |value: Option<&str>| {
            value
                .and_then(|v| literals.first_from(v, pod_at))
                .map_or(0, |(_, line)| line)
        };
        c.ended_line = line(n.ended.as_deref());
        c.line = line(n.last_finished.as_deref());
        if c.line == 0 {
            c.line = line(Some(&n.container));
        }
    }
    Ok(finish(containers, report))
}

/// The texts a container's lines are found by: its pod's name (where its
/// pod starts), the times its runs finished, and its name.
#[derive(Default)]
struct LineNeedles {
    pod: String,
    ended: Option<String>,
    last_finished: Option<String>,
    container: String,
}

/// Where a JSON text's string literals of the values asked for are: each
/// value's occurrences in order, as (byte offset, line). One pass over
/// the text, so that a container's line is a lookup: each once searched
/// the text from its start (8,000 pods, 23 MB: 216 s), and found the
/// first pod's time or name, often another pod's.
struct LiteralLines<'w> {
    at: FxHashMap<&'w str, Vec<(usize, usize)>>,
}

impl<'w> LiteralLines<'w> {
    /// `text` is JSON that parsed: its strings hold no raw line break.
    fn new(text: &str, wanted: &FxHashSet<&'w str>) -> LiteralLines<'w> {
        let bytes = text.as_bytes();
        let mut at: FxHashMap<&'w str, Vec<(usize, usize)>> = FxHashMap::default();
        let (mut i, mut line) = (0, 1);
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line += 1,
                b'"' => {
                    let mut end = i + 1;
                    while end < bytes.len() && bytes[end] != b'"' {
                        end += if bytes[end] == b'\\' { 2 } else { 1 };
                    }
                    let end = end.min(bytes.len());
                    // (Both ends are at a quote or the text's end: char boundaries.)
                    let literal = &text[i + 1..end];
                    let value = if literal.contains('\\') {
                        let decoded: Option<String> = text
                            .get(i..=end)
                            .and_then(|quoted| serde_json::from_str(quoted).ok());
                        decoded.and_then(|d| wanted.get(d.as_str()).copied())
                    } else {
                        wanted.get(literal).copied()
                    };
                    if let Some(value) = value {
                        at.entry(value).or_default().push((i, line));
                    }
                    i = end;
                }
                _ => {}
            }
            i += 1;
        }
        LiteralLines { at }
    }

    /// The first occurrence of `value` at or after byte `from`.
    fn first_from(&self, value: &str, from: usize) -> Option<(usize, usize)> {
        let list = self.at.get(value)?;
        list.get(list.partition_point(|&(at, _)| at < from))
            .copied()
    }
}

/// `Mon, 23 Nov 2026 20:27:25 +0000` (Kubernetes' describe times).
fn parse_rfc1123(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() < 5 {
        return None;
    }
    let day: u32 = parts[1].parse().ok()?;
    let month = month_number(parts[2])?;
    let year: i64 = parts[3].parse().ok()?;
    let hms: Vec<i64> = parts[4]
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 {
        return None;
    }
    let offset = parts.get(5).and_then(|z| {
        let (sign, digits) = match z.strip_prefix('-') {
            Some(d) => (-1, d),
            None => (1, z.strip_prefix('+')?),
        };
        let v: i64 = digits.parse().ok()?;
        Some(sign * (v / 100 * 3600 + v % 100 * 60))
    });
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2] - offset.unwrap_or(0)) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIBE: &str = "Name:         api-7d9c\nNamespace:    prod\nPriority:     0\nContainers:\n  api:\n    Image:  x\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n      Started:      Mon, 23 Nov 2026 20:26:07 +0000\n      Finished:     Mon, 23 Nov 2026 20:27:25 +0000\n    Ready:          True\n    Restart Count:  5\n    Limits:\n      cpu:     500m\n      memory:  128Mi\n    Requests:\n      memory:  64Mi\n  sidecar:\n    State:          Running\n    Restart Count:  0\nConditions:\n  Type   Status\n  Ready  False\n";

    #[test]
    fn describe_every_container() {
        let text = format!("{{\"tool\": \"kubectl\"}}\nstdout:\n{DESCRIBE}");
        let start = describe_start(&text).unwrap();
        let mut r = InputReport::default();
        let (containers, kills) = parse_describe(&text, start, &mut r);
        assert_eq!(containers.len(), 2);
        let api = &containers[0];
        assert_eq!(
            (
                api.pod.as_str(),
                api.namespace.as_deref(),
                api.container.as_str()
            ),
            ("api-7d9c", Some("prod"), "api")
        );
        assert_eq!(api.state.as_deref(), Some("Waiting (CrashLoopBackOff)"));
        assert_eq!(api.restart_count, Some(5));
        assert_eq!(api.last_terminated_reason.as_deref(), Some("OOMKilled"));
        assert_eq!(api.last_exit_code, Some(137));
        assert_eq!(api.memory_limit_bytes, Some(128.0 * 1048576.0));
        assert_eq!(api.memory_request_bytes, Some(64.0 * 1048576.0));
        assert_eq!(api.line, 15, "the Finished line");
        assert_eq!(containers[1].restart_count, Some(0));
        assert_eq!(containers[1].last_terminated_reason, None);
        assert_eq!(kills.len(), 1);
        assert_eq!(kills[0].time, Some(1795465645.0));
        assert!(kills[0].labels.contains(&("pod".into(), "api-7d9c".into())));
        assert_eq!(
            r.warnings,
            ["lines 1–2 come before the kubectl output and were not read"]
        );
    }

    #[test]
    fn a_container_terminated_now_by_the_oom_killer_is_a_kill_too() {
        // A job's container: no restart, its one run ended OOMKilled.
        let text = "Name:  job-1\nNamespace:  batch\nContainers:\n  work:\n    State:      Terminated\n      Reason:   OOMKilled\n      Exit Code:    137\n      Finished:     Mon, 23 Nov 2026 20:27:25 +0000\n    Restart Count:  0\n";
        let mut r = InputReport::default();
        let (containers, kills) = parse_describe(text, 0, &mut r);
        assert_eq!(
            containers[0].state.as_deref(),
            Some("Terminated (OOMKilled)")
        );
        assert_eq!(kills.len(), 1);
        assert_eq!((kills[0].time, kills[0].line), (Some(1795465645.0), 8));
        let json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "job-1"},
            "spec": {"containers": [{"name": "work"}]},
            "status": {"containerStatuses": [{"name": "work", "restartCount": 0,
              "state": {"terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2026-11-23T20:27:25Z"}}}]}}"#;
        let (_, kills) = parse_json(json, &mut r).unwrap();
        assert_eq!(
            (kills.len(), kills[0].time, kills[0].line),
            (1, Some(1795465645.0), 4)
        );
        // A zone that is no offset, or not ASCII, is no panic.
        assert_eq!(
            parse_rfc1123("Mon, 23 Nov 2026 20:27:25 é"),
            Some(1795465645.0)
        );
        // A state with an empty name is no panic.
        let odd = r#"{"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "w"}]},
            "status": {"containerStatuses": [{"name": "w", "state": {"": {}}}]}}"#;
        assert_eq!(
            parse_json(odd, &mut r).unwrap().0[0].state.as_deref(),
            Some("")
        );
    }

    #[test]
    fn several_pods() {
        let two = format!("{DESCRIBE}\n\n{}", DESCRIBE.replace("api-7d9c", "api-8e0d"));
        let mut r = InputReport::default();
        let (containers, kills) = parse_describe(&two, 0, &mut r);
        assert_eq!(containers.len(), 4);
        assert_eq!(containers[2].pod, "api-8e0d");
        assert_eq!(kills.len(), 2);
    }

    #[test]
    fn get_pod_json() {
        let json = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "api-7d9c", "namespace": "prod"},
  "spec": {"containers": [{"name": "api", "resources": {"limits": {"memory": "128Mi"}}}]},
  "status": {"containerStatuses": [{
    "name": "api", "restartCount": 5,
    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
    "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
      "finishedAt": "2026-11-23T20:27:25Z"}}}]}
}"#;
        assert!(sniff_json(json));
        let mut r = InputReport::default();
        let (containers, kills) = parse_json(json, &mut r).unwrap();
        assert_eq!(containers.len(), 1);
        let c = &containers[0];
        assert_eq!(c.restart_count, Some(5));
        assert_eq!(c.state.as_deref(), Some("Waiting (CrashLoopBackOff)"));
        assert_eq!(c.memory_limit_bytes, Some(128.0 * 1048576.0));
        assert_eq!(c.line, 10);
        assert_eq!(kills[0].time, Some(1795465645.0));
        assert!(!sniff_json(r#"{"status":"success","data":{}}"#));
        // A List of pods, one still running with no restart.
        let list = format!(
            r#"{{"apiVersion": "v1", "kind": "List", "items": [{json}, {{"kind": "Pod",
              "metadata": {{"name": "web-1"}}, "spec": {{"containers": [{{"name": "web"}}]}},
              "status": {{"containerStatuses": [{{"name": "web", "restartCount": 0,
                "state": {{"running": {{"startedAt": "2026-11-23T20:00:00Z"}}}}, "lastState": {{}}}}]}}}}]}}"#
        );
        assert!(sniff_json(&list));
        let (containers, kills) = parse_json(&list, &mut r).unwrap();
        assert_eq!(containers.len(), 2);
        assert_eq!(containers[1].state.as_deref(), Some("Running"));
        assert_eq!(containers[1].restart_count, Some(0));
        assert_eq!(kills.len(), 1);
        assert!(sniff_yaml(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"
        ));
        // Three pods whose containers share a name and one of them a
        // time: each container's lines are its own pod's (the first
        // occurrence in the file was the first pod's).
        let pod = |name: &str, finished: &str| {
            format!(
                r#"{{"kind": "Pod",
 "metadata": {{"name": "{name}"}},
 "spec": {{"containers": [{{"name": "app"}}]}},
 "status": {{"containerStatuses": [{{"name": "app",
   "state": {{"terminated": {{"reason": "OOMKilled", "finishedAt": "{finished}"}}}},
   "lastState": {{}}}}]}}}}"#
            )
        };
        let list = format!(
            "{{\"kind\": \"List\", \"items\": [\n{},\n{},\n{}]}}",
            pod("a", "2026-11-23T20:00:00Z"),
            pod("b", "2026-11-23T20:00:00Z"),
            pod("c\\u0041", "2026-11-23T21:00:00Z")
        );
        let (containers, _) = parse_json(&list, &mut r).unwrap();
        let lines: Vec<(usize, usize)> =
            containers.iter().map(|c| (c.line, c.ended_line)).collect();
        assert_eq!(lines, [(4, 6), (10, 12), (16, 18)], "{list}");
        assert!(sniff_yaml("apiVersion: v1\nitems:\n- apiVersion: v1\n"));
        assert!(!sniff_yaml("Time,value\n1,2\n"));
    }
}

//! OOM kills from logs: the kernel's OOM-killer lines (from `dmesg`,
//! `dmesg -T`, `journalctl -k` in its default or ISO formats) and
//! Kubernetes `OOMKilled` terminations (`kubectl describe pod`,
//! `kubectl get events`).
//!
//! Kernel lines look like
//! `[ 3553.296117] Memory cgroup out of memory: Killed process 14286 (leaksvc) total-vm:1160748kB, anon-rss:122112kB, file-rss:8596kB, shmem-rss:0kB, ...`
//! preceded by `oom-kill:...,task=leaksvc,pid=14286,...` and, for a cgroup,
//! `memory: usage 122880kB, limit 122880kB, failcnt 0` (the limit hit).

use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Result};
use crate::model::series::{InputReport, OomKill};

use super::values::{days_from_civil, month_number, parse_time, Zone};

static KILLED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Killed process (\d+) \(([^)]*)\)(.*)").expect("valid regex"));
static OOM_KILL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"oom-kill:.*?task=([^,]*),pid=(\d+)").expect("valid regex"));
static CGROUP_LIMIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"memory: usage (\d+)kB, limit (\d+)kB").expect("valid regex"));
static RSS_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(anon|file|shmem)-rss:(\d+)kB").expect("valid regex"));
static BOOT_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[\s*(\d+\.\d+)\]").expect("valid regex"));
static DMESG_T: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[(?:\w{3}) (\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) (\d{4})\]").expect("valid regex")
});
static SYSLOG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) ").expect("valid regex"));

/// Whether text holds OOM-kill evidence.
pub fn sniff(text: &str) -> bool {
    text.contains("Killed process")
        || text.contains("oom-kill:")
        || text.contains("OOMKilled")
        || text.contains("OOMKilling")
}

/// When a log line happened, as the log says it.
#[derive(Default, Clone, Copy)]
struct When {
    unix: Option<f64>,
    since_boot: Option<f64>,
    yearless: Option<(u32, u32, f64)>,
    /// Written in local time (so the zone matters).
    local: bool,
}

fn line_time(line: &str, zone: Zone) -> When {
    let mut w = When::default();
    if let Some(c) = BOOT_TIME.captures(line) {
        w.since_boot = c[1].parse().ok();
    } else if let Some(c) = DMESG_T.captures(line) {
        let month = month_number(&c[1]);
        let num = |i: usize| c[i].parse::<i64>().unwrap_or(0);
        if let Some(m) = month {
            let days = days_from_civil(num(6), m, num(2) as u32);
            // `dmesg -T` prints the host's local time.
            w.local = true;
            w.unix =
                Some(zone.to_utc((days * 86_400 + num(3) * 3600 + num(4) * 60 + num(5)) as f64));
        }
    } else if let Some(first) = line.split_whitespace().next() {
        if let Some((t, format)) = parse_time(first).filter(|_| first.contains('T')) {
            w.local = format.zoneless();
            w.unix = Some(if format.zoneless() { zone.to_utc(t) } else { t });
        } else if let Some(c) = SYSLOG.captures(line) {
            let num = |i: usize| c[i].parse::<f64>().unwrap_or(0.0);
            if let Some(m) = month_number(&c[1]) {
                // Syslog's local time, moved to UTC (the day may now be
                // off by one in seconds, which placement handles).
                let local = num(3) * 3600.0 + num(4) * 60.0 + num(5);
                w.local = true;
                w.yearless = Some((m, num(2) as u32, zone.to_utc(local)));
            }
        }
    }
    w
}

pub fn parse(text: &str, report: &mut InputReport, zone: Zone) -> Result<Vec<OomKill>> {
    report.format = "oom-log".into();
    let mut kills: Vec<OomKill> = Vec::new();
    let mut pending_limit: Option<f64> = None;
    let mut local_times = false;
    for (n, line) in text.lines().enumerate() {
        let when = line_time(line, zone);
        if when.local && (KILLED.is_match(line) || OOM_KILL.is_match(line)) {
            local_times = true;
        }
        if let Some(c) = CGROUP_LIMIT.captures(line) {
            pending_limit = c[2].parse::<f64>().ok().map(|kb| kb * 1024.0);
            continue;
        }
        // One kill is told in two lines (`oom-kill:…,task=x,pid=N` then
        // `Killed process N (x) …`), which other lines may separate: a line
        // naming the pid of a kill just told is the same kill, not another.
        let (process, pid, rss) = if let Some(c) = KILLED.captures(line) {
            let mut rss = None;
            for f in RSS_FIELD.captures_iter(&c[3]) {
                *rss.get_or_insert(0.0) += f[2].parse::<f64>().unwrap_or(0.0) * 1024.0;
            }
            (c[2].to_string(), c[1].parse().unwrap_or(0), rss)
        } else if let Some(c) = OOM_KILL.captures(line) {
            (c[1].to_string(), c[2].parse().unwrap_or(0), None)
        } else {
            continue;
        };
        if let Some(k) = kills
            .iter_mut()
            .rev()
            .take(4)
            .find(|k| k.pid == Some(pid) && same_moment(k, &when))
        {
            k.rss_bytes = k.rss_bytes.or(rss);
            k.limit_bytes = k.limit_bytes.or(pending_limit.take());
            continue;
        }
        kills.push(OomKill {
            time: when.unix,
            since_boot: when.since_boot,
            yearless: when.yearless,
            process,
            pid: Some(pid),
            rss_bytes: rss,
            limit_bytes: pending_limit.take(),
            labels: Vec::new(),
            input: 0,
            line: n + 1,
        });
    }
    kills.extend(kubernetes_terminations(text));
    report.oom_kills = kills.len();
    if kills.is_empty() {
        return Err(Error::unknown_format(
            "the log mentions OOM kills but no line says which process was killed",
        ));
    }
    if local_times {
        report.zone = Some(zone.describe());
    }
    if kills.iter().any(|k| k.since_boot.is_some()) {
        report.time = Some("seconds since boot (dmesg)".into());
    } else if kills.iter().any(|k| k.yearless.is_some()) {
        report.time = Some("syslog (no year)".into());
    }
    Ok(kills)
}

/// Whether a line written at `when` tells of the same moment as kill `k`
/// (within 10 s, or neither has a time).
fn same_moment(k: &OomKill, when: &When) -> bool {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 10.0,
        (None, None) => true,
        _ => false,
    };
    close(k.time, when.unix)
        && close(k.since_boot, when.since_boot)
        && close(k.yearless.map(|y| y.2), when.yearless.map(|y| y.2))
}

/// `OOMKilled` terminations in `kubectl describe pod` output.
fn kubernetes_terminations(text: &str) -> Vec<OomKill> {
    let mut kills = Vec::new();
    let (mut pod, mut namespace) = (None::<String>, None::<String>);
    let mut container: Option<String> = None;
    let mut in_containers = false;
    let mut oom_block = false;
    let mut finished: Option<(f64, usize)> = None;
    let mut limits: Vec<(String, f64)> = Vec::new();
    let mut in_limits = false;
    let mut found: Vec<(String, f64, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if indent == 0 {
            in_containers = t == "Containers:" || t == "Init Containers:";
            if let Some(v) = t.strip_prefix("Name:") {
                pod.get_or_insert_with(|| v.trim().to_string());
            }
            if let Some(v) = t.strip_prefix("Namespace:") {
                namespace.get_or_insert_with(|| v.trim().to_string());
            }
            continue;
        }
        // A new container or a new state block ends the previous block.
        let new_container = in_containers && indent == 2 && t.ends_with(':') && !t.contains(' ');
        if new_container || t.starts_with("State:") || t.starts_with("Last State:") {
            if let (true, Some((when, line_no)), Some(c)) = (oom_block, finished, &container) {
                found.push((c.clone(), when, line_no));
            }
            oom_block = false;
            finished = None;
        }
        if new_container {
            container = Some(t.trim_end_matches(':').to_string());
            in_limits = false;
            continue;
        }
        if t.starts_with("Reason:") && t.contains("OOMKilled") {
            oom_block = true;
        }
        if let Some(v) = t.strip_prefix("Finished:") {
            finished = parse_rfc1123(v.trim()).map(|w| (w, n + 1));
        }
        if t == "Limits:" {
            in_limits = true;
            continue;
        }
        if in_limits {
            if let Some(v) = t.strip_prefix("memory:") {
                if let (Some(c), Some(b)) = (&container, crate::units::parse_bytes(v.trim())) {
                    limits.push((c.clone(), b));
                }
            } else if !t.starts_with("cpu:") {
                in_limits = false;
            }
        }
    }
    if let (true, Some((when, line_no)), Some(c)) = (oom_block, finished, &container) {
        found.push((c.clone(), when, line_no));
    }
    for (c, when, line) in found {
        let mut labels = vec![("container".to_string(), c.clone())];
        if let Some(p) = &pod {
            labels.push(("pod".into(), p.clone()));
        }
        if let Some(ns) = &namespace {
            labels.push(("namespace".into(), ns.clone()));
        }
        labels.sort();
        kills.push(OomKill {
            time: Some(when),
            since_boot: None,
            yearless: None,
            limit_bytes: limits.iter().find(|(name, _)| *name == c).map(|(_, b)| *b),
            process: c,
            pid: None,
            rss_bytes: None,
            labels,
            input: 0,
            line,
        });
    }
    kills
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
        let (sign, digits) = z.split_at(1);
        let v: i64 = digits.parse().ok()?;
        Some(if sign == "-" { -1 } else { 1 } * (v / 100 * 3600 + v % 100 * 60))
    });
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2] - offset.unwrap_or(0)) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_lines() {
        let log = "[ 3553.295951] memory: usage 122880kB, limit 122880kB, failcnt 0\n\
            [ 3553.296083] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=leaksvc,pid=14286,uid=0\n\
            [ 3553.296117] Memory cgroup out of memory: Killed process 14286 (leaksvc) total-vm:1160748kB, anon-rss:122112kB, file-rss:8596kB, shmem-rss:0kB, UID:0\n";
        let mut r = InputReport::default();
        let k = parse(log, &mut r, Zone::default()).unwrap();
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].process, "leaksvc");
        assert_eq!(k[0].pid, Some(14286));
        // (The kill is dated by its first line, the oom-kill summary.)
        assert_eq!(k[0].since_boot, Some(3553.296083));
        assert_eq!(k[0].rss_bytes, Some((122112.0 + 8596.0) * 1024.0));
        assert_eq!(k[0].limit_bytes, Some(125829120.0));
    }

    #[test]
    fn one_kill_told_in_two_lines_apart_is_one_kill() {
        // The whole kernel report: the task table and other lines sit
        // between the oom-kill line and the Killed process line, and the
        // reaper names the pid once more.
        let log = "[ 10.0] leaksvc invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0\n\
            [ 10.1] oom-kill:constraint=CONSTRAINT_MEMCG,task=leaksvc,pid=14286,uid=0\n\
            [ 10.1] [  14286]     0 14286   290187    32678   262144        0             0 leaksvc\n\
            [ 10.2] Memory cgroup out of memory: Killed process 14286 (leaksvc) total-vm:1160748kB, anon-rss:122112kB, file-rss:8596kB, shmem-rss:0kB\n\
            [ 10.3] oom_reaper: reaped process 14286 (leaksvc), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n\
            [ 95.0] oom-kill:constraint=CONSTRAINT_MEMCG,task=leaksvc,pid=14290,uid=0\n\
            [ 95.0] something else entirely\n\
            [ 95.1] Memory cgroup out of memory: Killed process 14290 (leaksvc) total-vm:1kB, anon-rss:100kB, file-rss:0kB, shmem-rss:0kB\n";
        let mut r = InputReport::default();
        let k = parse(log, &mut r, Zone::default()).unwrap();
        assert_eq!(
            k.iter().map(|k| (k.pid, k.line)).collect::<Vec<_>>(),
            [(Some(14286), 2), (Some(14290), 6)]
        );
        assert_eq!(k[0].rss_bytes, Some((122112.0 + 8596.0) * 1024.0));
        assert_eq!(r.oom_kills, 2);
    }

    #[test]
    fn wall_clock_formats() {
        let mut r = InputReport::default();
        let iso = "2026-11-23T20:27:25+0000 host kernel: Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:100kB, file-rss:0kB, shmem-rss:0kB\n";
        assert_eq!(
            parse(iso, &mut r, Zone::default()).unwrap()[0].time,
            Some(1795465645.0)
        );
        let t = "[Mon Nov 23 20:27:25 2026] Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB\n";
        assert_eq!(
            parse(t, &mut r, Zone::default()).unwrap()[0].time,
            Some(1795465645.0)
        );
        let t = "[Mon Nov 23 21:27:25 2026] Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB\n";
        assert_eq!(
            parse(t, &mut r, Zone::given(3600)).unwrap()[0].time,
            Some(1795465645.0)
        );
        assert_eq!(r.zone.as_deref(), Some("UTC+01:00 (given)"));
        let syslog = "Nov 23 20:27:25 host kernel: Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB\n";
        assert_eq!(
            parse(syslog, &mut r, Zone::default()).unwrap()[0].yearless,
            Some((11, 23, 73645.0))
        );
    }

    #[test]
    fn cgroup_v2_and_kubectl_events() {
        // cgroup v2 (memory.max): the oom-kill line names the cgroups.
        let v2 = "[ 1234.567890] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/api.service,task_memcg=/system.slice/api.service,task=api,pid=4321,uid=1000\n\
            [ 1234.567900] Memory cgroup out of memory: Killed process 4321 (api) total-vm:2000000kB, anon-rss:500000kB, file-rss:1000kB, shmem-rss:0kB, UID:1000 pgtables:1200kB oom_score_adj:0\n";
        let mut r = InputReport::default();
        let k = parse(v2, &mut r, Zone::default()).unwrap();
        assert_eq!(
            (k.len(), k[0].process.as_str(), k[0].pid),
            (1, "api", Some(4321))
        );
        assert_eq!(k[0].rss_bytes, Some(501000.0 * 1024.0));
        // An oom-kill line alone still names the process.
        let alone = "[ 99.5] oom-kill:constraint=CONSTRAINT_MEMCG,task=worker,pid=77,uid=0\n[ 99.6] something else\n";
        let k = parse(alone, &mut r, Zone::default()).unwrap();
        assert_eq!(
            (k[0].process.as_str(), k[0].since_boot),
            ("worker", Some(99.5))
        );
        // kubectl get events: node-problem-detector's OOMKilling event
        // carries the kernel line; its age gives no time.
        let events = "LAST SEEN   TYPE      REASON       OBJECT          MESSAGE\n\
            2m          Warning   OOMKilling   node/worker-1   Memory cgroup out of memory: Killed process 1234 (api) total-vm:1105940kB, anon-rss:130688kB, file-rss:0kB, shmem-rss:0kB\n\
            2m          Normal    Pulled       pod/api-7d9c    Container image \"api:1\" already present on machine\n";
        let k = parse(events, &mut r, Zone::default()).unwrap();
        assert_eq!((k.len(), k[0].process.as_str()), (1, "api"));
        assert_eq!(
            (k[0].time, k[0].since_boot, k[0].yearless),
            (None, None, None)
        );
        assert_eq!(k[0].rss_bytes, Some(130688.0 * 1024.0));
    }

    #[test]
    fn kubectl_describe() {
        let text = "Name:         api-7d9c\nNamespace:    prod\nContainers:\n  api:\n    Image:  x\n    State:          Running\n      Started:      Mon, 23 Nov 2026 20:27:26 +0000\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n      Started:      Mon, 23 Nov 2026 20:26:07 +0000\n      Finished:     Mon, 23 Nov 2026 20:27:25 +0000\n    Ready:          True\n    Restart Count:  5\n    Limits:\n      cpu:     500m\n      memory:  128Mi\n";
        let mut r = InputReport::default();
        let k = parse(text, &mut r, Zone::default()).unwrap();
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].process, "api");
        assert_eq!(k[0].time, Some(1795465645.0));
        assert_eq!(k[0].limit_bytes, Some(128.0 * 1048576.0));
        assert!(k[0].labels.contains(&("pod".into(), "api-7d9c".into())));
    }
}

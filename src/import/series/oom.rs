//! OOM kills from kernel logs, every form from 2.6.32 to today, as
//! `dmesg`, `dmesg -T`, `dmesg --time-format iso`, syslog and
//! `/var/log/messages` (with or without a year, with or without the
//! boot-time stamp), `journalctl -k` in its default, precise, ISO and full
//! formats, or node-problem-detector's `OOMKilling` events
//! (`kubectl get events`).
//!
//! The kernel tells one kill in several lines, which other lines (the task
//! table, a stack) separate:
//! `<task> invoked oom-killer: gfp_mask=…` (who asked for memory),
//! `Task in /mem2 killed as a result of limit of /mem2` (3.x–4.x) or
//! `memory: usage 122880kB, limit 122880kB, failcnt 0` (a cgroup's limit),
//! `oom-kill:constraint=CONSTRAINT_MEMCG,…,task_memcg=/x,task=leaksvc,pid=14286,uid=0` (4.19+),
//! `Memory cgroup out of memory: Kill process 13536 (x) score 996 or sacrifice child` /
//! `Out of memory: Kill process …` (before 5.0, the choice), then
//! `Killed process 14286 (leaksvc) total-vm:1160748kB, anon-rss:…kB, file-rss:…kB, shmem-rss:…kB, UID:0 …`
//! (its memory at death), or on 2.6.32 (RHEL 6)
//! `Killed process 40738, UID 27, (mysqld) total-vm:6424316kB, anon-rss:13128kB, file-rss:4kB`.
//! Each kill becomes one [`OomKill`] with everything its lines say.

use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Result};
use crate::model::series::{InputReport, OomConstraint, OomKill};

use super::values::{days_from_civil, month_number, parse_time, Zone};

/// `Killed process 14286 (leaksvc) total-vm:…` and RHEL 6's
/// `Killed process 40738, UID 27, (mysqld) total-vm:…`.
static KILLED: LazyLock<Regex> = LazyLock::new(|| {
    // The name runs to the last `)` before a space: a command name may
    // hold parentheses itself (`(sd-pam)`).
    Regex::new(r"Killed process (\d+),? (?:UID (\d+), )?\((.*)\)(\s.*|,.*|$)").expect("valid regex")
});
/// `Out of memory: Kill process 1532 (badsysprogram) score 919 or sacrifice child`.
static KILL_CHOSEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(Memory cgroup out of memory|Out of memory[^:]*): Kill process (\d+) \((.*)\) score",
    )
    .expect("valid regex")
});
static OOM_KILL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"oom-kill:(.*?)task=([^,]*),pid=(\d+)(?:,uid=(\d+))?").expect("valid regex")
});
static INVOKED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+?) invoked oom-killer:").expect("valid regex"));
static TASK_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Task in (\S+) killed as a result of limit of (\S+)").expect("valid regex")
});
static CGROUP_LIMIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"memory: usage (\d+)kB, limit (\d+)kB").expect("valid regex"));
static MEMORY_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(total-vm|anon-rss|file-rss|shmem-rss):(\d+)kB").expect("valid regex")
});
static UID_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"UID:(\d+)").expect("valid regex"));
static BOOT_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[\s*(\d+\.\d+)\]").expect("valid regex"));
static DMESG_T: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[(?:\w{3}) (\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) (\d{4})\]").expect("valid regex")
});
static FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ([A-Z]{2,5})\b").expect("valid regex")
});
/// Syslog's `Jan  5 15:19:27`, and syslog-ng's / rsyslog's variants that
/// add the year (`Jan  5 2024 15:19:27`, `2024 Jan  5 15:19:27`).
static SYSLOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{4}) )?(\w{3})\s+(\d+) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)\b")
        .expect("valid regex")
});

/// Whether text holds OOM-kill evidence from the kernel.
pub fn sniff(text: &str) -> bool {
    text.contains("Killed process")
        || text.contains("oom-kill:")
        || text.contains("invoked oom-killer")
        || (text.contains("Out of memory") && text.contains("Kill process"))
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
    } else if let Some(c) = FULL.captures(line) {
        // journalctl -o short-full: `Mon 2026-11-23 20:27:25 UTC`.
        if let Some((t, _)) = parse_time(&c[1]) {
            let utc = matches!(&c[2], "UTC" | "GMT" | "Z");
            w.local = !utc;
            w.unix = Some(if utc { t } else { zone.to_utc(t) });
        }
    } else if let Some(first) = line.split_whitespace().next() {
        // `dmesg --time-format iso` writes a comma before the fraction.
        let first = first.replacen(',', ".", 1);
        if let Some((t, format)) = parse_time(&first).filter(|_| first.contains('T')) {
            w.local = format.zoneless();
            w.unix = Some(if format.zoneless() { zone.to_utc(t) } else { t });
        } else if let Some(c) = SYSLOG.captures(line) {
            let num = |i: usize| c[i].parse::<f64>().unwrap_or(0.0);
            if let Some(m) = month_number(&c[2]) {
                // Syslog's local time, moved to UTC (the day may now be
                // off by one in seconds, which placement handles).
                let local = num(5) * 3600.0 + num(6) * 60.0 + num(7);
                w.local = true;
                let year = c
                    .get(1)
                    .or(c.get(4))
                    .and_then(|y| y.as_str().parse::<i64>().ok());
                match year {
                    Some(y) => {
                        let days = days_from_civil(y, m, num(3) as u32);
                        w.unix = Some(zone.to_utc(days as f64 * 86_400.0 + local));
                    }
                    None => w.yearless = Some((m, num(3) as u32, zone.to_utc(local))),
                }
            }
        }
    }
    w
}

/// The kernel's message in a log line: what follows the syslog or
/// journal prefix (`… kernel: `) and the boot-time stamp.
fn message(line: &str) -> &str {
    let rest = match line.find("kernel: ") {
        Some(at) => &line[at + "kernel: ".len()..],
        None => line,
    };
    let rest = rest.trim_start();
    match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((stamp, after)) if stamp.trim().parse::<f64>().is_ok() || DMESG_T.is_match(rest) => {
            after.trim_start()
        }
        _ => rest,
    }
}

/// What the lines before a kill said about it (the invoking task, the
/// cgroup and its limit): they belong to the next kill of the report.
#[derive(Default)]
struct Report {
    invoked_by: Option<String>,
    cgroup: Option<String>,
    limit_bytes: Option<f64>,
    constraint: Option<OomConstraint>,
}

pub fn parse(text: &str, report: &mut InputReport, zone: Zone) -> Result<Vec<OomKill>> {
    report.format = "oom-log".into();
    let mut kills: Vec<OomKill> = Vec::new();
    let mut pending = Report::default();
    let mut local_times = false;
    for (n, line) in text.lines().enumerate() {
        // Most lines of a kernel log are none of these (the task table, a
        // stack, other messages): a substring test skips them before any
        // regex runs (a 94 MB, 50,000-kill storm: BENCHMARKS.md).
        if !["oom", "Kill", "Task in ", "memory: usage"]
            .iter()
            .any(|w| line.contains(w))
        {
            continue;
        }
        let msg = message(line);
        if let Some(c) = INVOKED.captures(msg) {
            // A new report begins: what the last one said is spent.
            pending = Report {
                invoked_by: Some(c[1].to_string()),
                ..Report::default()
            };
            continue;
        }
        if let Some(c) = TASK_IN.captures(msg) {
            pending.cgroup = Some(c[1].to_string());
            pending.constraint = Some(OomConstraint::Cgroup);
            continue;
        }
        if let Some(c) = CGROUP_LIMIT.captures(msg) {
            pending.limit_bytes = c[2].parse::<f64>().ok().map(|kb| kb * 1024.0);
            pending.constraint.get_or_insert(OomConstraint::Cgroup);
            continue;
        }
        let Some(told) = kill_line(msg) else {
            continue;
        };
        let when = line_time(line, zone);
        local_times |= when.local;
        // One kill is told in several lines, which other lines may
        // separate: a line naming the pid of a kill just told, at the same
        // moment, is the same kill, not another.
        let kill = match kills
            .iter_mut()
            .rev()
            .take(4)
            .find(|k| k.pid == told.pid && same_moment(k, &when))
        {
            Some(k) => k,
            None => {
                kills.push(OomKill {
                    time: when.unix,
                    since_boot: when.since_boot,
                    yearless: when.yearless,
                    process: told.process.clone(),
                    pid: told.pid,
                    input: 0,
                    line: n + 1,
                    ..OomKill::default()
                });
                kills.last_mut().expect("just pushed")
            }
        };
        told.fill(kill);
        kill.invoked_by = kill.invoked_by.take().or(pending.invoked_by.take());
        kill.cgroup = kill.cgroup.take().or(pending.cgroup.take());
        kill.limit_bytes = kill.limit_bytes.or(pending.limit_bytes.take());
        kill.constraint = kill.constraint.or(pending.constraint.take());
    }
    report.oom_kills = kills.len();
    if kills.is_empty() {
        return Err(Error::unknown_format(
            "the log mentions the OOM killer but no line says which process was killed \
             (expected a `Killed process <pid> (<name>)` or `oom-kill:…,task=<name>,pid=<pid>` line)",
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

/// What one kernel line says about a kill.
#[derive(Default)]
struct Told {
    process: String,
    pid: Option<u64>,
    uid: Option<u64>,
    cgroup: Option<String>,
    constraint: Option<OomConstraint>,
    memory: [Option<f64>; 4],
}

impl Told {
    /// Adds what this line says to the kill, keeping what earlier lines said.
    fn fill(&self, k: &mut OomKill) {
        k.uid = k.uid.or(self.uid);
        if k.cgroup.is_none() {
            k.cgroup.clone_from(&self.cgroup);
        }
        k.constraint = k.constraint.or(self.constraint);
        let [vm, anon, file, shmem] = self.memory;
        k.total_vm_bytes = k.total_vm_bytes.or(vm);
        k.anon_rss_bytes = k.anon_rss_bytes.or(anon);
        k.file_rss_bytes = k.file_rss_bytes.or(file);
        k.shmem_rss_bytes = k.shmem_rss_bytes.or(shmem);
        if k.rss_bytes.is_none() && [anon, file, shmem].iter().any(Option::is_some) {
            k.rss_bytes = Some([anon, file, shmem].iter().flatten().sum());
        }
    }
}

fn constraint_of(summary: &str) -> OomConstraint {
    if summary.starts_with("Memory cgroup") {
        OomConstraint::Cgroup
    } else {
        OomConstraint::System
    }
}

/// The kill a kernel message tells of, if it tells of one.
fn kill_line(msg: &str) -> Option<Told> {
    if let Some(c) = KILLED.captures(msg) {
        let mut told = Told {
            process: c[3].to_string(),
            pid: c[1].parse().ok(),
            uid: c.get(2).and_then(|u| u.as_str().parse().ok()),
            ..Told::default()
        };
        let before = &msg[..c.get(0).map_or(0, |m| m.start())];
        if let Some(summary) = before.trim().strip_suffix(':') {
            told.constraint = Some(constraint_of(summary));
        }
        let rest = &c[4];
        for f in MEMORY_FIELD.captures_iter(rest) {
            let bytes = f[2].parse::<f64>().ok().map(|kb| kb * 1024.0);
            let slot = match &f[1] {
                "total-vm" => 0,
                "anon-rss" => 1,
                "file-rss" => 2,
                _ => 3,
            };
            told.memory[slot] = bytes;
        }
        if told.uid.is_none() {
            told.uid = UID_FIELD.captures(rest).and_then(|u| u[1].parse().ok());
        }
        return Some(told);
    }
    if let Some(c) = OOM_KILL.captures(msg) {
        let fields = &c[1];
        let field = |key: &str| {
            fields
                .split(',')
                .find_map(|f| f.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_string)
        };
        let constraint = field("constraint").map(|c| match c.as_str() {
            "CONSTRAINT_MEMCG" => OomConstraint::Cgroup,
            "CONSTRAINT_CPUSET" => OomConstraint::Cpuset,
            "CONSTRAINT_MEMORY_POLICY" => OomConstraint::Mempolicy,
            _ => OomConstraint::System,
        });
        return Some(Told {
            process: c[2].to_string(),
            pid: c[3].parse().ok(),
            uid: c.get(4).and_then(|u| u.as_str().parse().ok()),
            cgroup: field("task_memcg"),
            constraint,
            ..Told::default()
        });
    }
    let c = KILL_CHOSEN.captures(msg)?;
    Some(Told {
        process: c[3].to_string(),
        pid: c[2].parse().ok(),
        constraint: Some(constraint_of(&c[1])),
        ..Told::default()
    })
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
    fn every_kernel_form_gives_one_row_per_kill() {
        let log = "\
Jan  5 15:19:27 host kernel: [ 5864.7] memorymonster invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0
Jan  5 15:19:27 host kernel: [ 5864.7] Task in /mem2 killed as a result of limit of /mem2
Jan  5 15:19:27 host kernel: [ 5864.7] memory: usage 980kB, limit 980kB, failcnt 4152239
Jan  5 15:19:27 host kernel: [ 5864.8] Memory cgroup out of memory: Kill process 13536 (memorymonster) score 996 or sacrifice child
Jan  5 15:19:27 host kernel: [ 5864.8] Killed process 13536 (memorymonster) total-vm:33558652kB, anon-rss:920kB, file-rss:452kB
Jan  5 15:19:30 host kernel: [ 5867.1] php-fpm invoked oom-killer: gfp_mask=0x280da, order=0, oom_adj=0, oom_score_adj=0
Jan  5 15:19:30 host kernel: [ 5867.2] Out of memory: Kill process 40738 (mysqld) score 16 or sacrifice child
Jan  5 15:19:30 host kernel: [ 5867.2] Killed process 40738, UID 27, (mysqld) total-vm:6424316kB, anon-rss:13128kB, file-rss:4kB
Jan  5 15:19:30 host kernel: [ 5867.3] Killed process 40739, UID 27, (mysqld) total-vm:1kB, anon-rss:1kB, file-rss:0kB
";
        let mut r = InputReport::default();
        let k = parse(log, &mut r, Zone::default()).unwrap();
        assert_eq!(
            k.iter().map(|k| (k.pid, k.line)).collect::<Vec<_>>(),
            [(Some(13536), 4), (Some(40738), 7), (Some(40739), 9)]
        );
        let memcg = &k[0];
        assert_eq!(memcg.cgroup.as_deref(), Some("/mem2"));
        assert_eq!(memcg.constraint, Some(OomConstraint::Cgroup));
        assert_eq!(memcg.limit_bytes, Some(980.0 * 1024.0));
        assert_eq!(memcg.invoked_by.as_deref(), Some("memorymonster"));
        assert_eq!(memcg.total_vm_bytes, Some(33558652.0 * 1024.0));
        assert_eq!(memcg.anon_rss_bytes, Some(920.0 * 1024.0));
        assert_eq!(memcg.file_rss_bytes, Some(452.0 * 1024.0));
        assert_eq!(memcg.shmem_rss_bytes, None);
        let rhel6 = &k[1];
        assert_eq!((rhel6.process.as_str(), rhel6.uid), ("mysqld", Some(27)));
        assert_eq!(rhel6.constraint, Some(OomConstraint::System));
        assert_eq!(rhel6.invoked_by.as_deref(), Some("php-fpm"));
        assert_eq!(
            rhel6.limit_bytes, None,
            "the cgroup's limit was the last report's"
        );
        // The storm's second kill in the same report has no invoker line of its own.
        assert_eq!(k[2].invoked_by, None);

        // Syslog with a year (syslog-ng, rsyslog templates) and rsyslog's
        // RFC 3339 stamps: wall-clock times.
        for (line, want) in [
            ("Nov 23 2026 20:27:25 host kernel: Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB", 1795465645.0),
            ("2026 Nov 23 20:27:25 host kernel: Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB", 1795465645.0),
            ("2026-11-23T20:27:25.123456+00:00 host kernel: [12.5] Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB", 1795465645.123456),
            // dmesg --time-format iso; journalctl -o short-full and short-precise.
            ("2026-11-23T20:27:25,500000+00:00 Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB", 1795465645.5),
            ("Mon 2026-11-23 20:27:25 UTC host kernel: Out of memory: Killed process 9 (api) total-vm:1kB, anon-rss:1kB", 1795465645.0),
        ] {
            let k = parse(line, &mut r, Zone::default()).unwrap();
            assert!((k[0].time.unwrap() - want).abs() < 1e-3, "{line}: {:?}", k[0].time);
        }
        let precise = "Nov 23 20:27:25.123456 host kernel: Out of memory: Killed process 9 (api) anon-rss:1kB\n";
        assert_eq!(
            parse(precise, &mut r, Zone::default()).unwrap()[0].yearless,
            Some((11, 23, 73645.0))
        );
        // A command name with parentheses of its own.
        let k = parse(
            "[1.0] Killed process 3 ((sd-pam)) total-vm:1kB, anon-rss:1kB\n",
            &mut r,
            Zone::default(),
        )
        .unwrap();
        assert_eq!(k[0].process, "(sd-pam)");
        // The reaper's line after a kill is not another kill.
        let reaped = "[1.0] Out of memory: Killed process 9 (api) anon-rss:1kB\n[1.1] oom_reaper: reaped process 9 (api), now anon-rss:0kB\n";
        assert_eq!(parse(reaped, &mut r, Zone::default()).unwrap().len(), 1);
        // An invocation with no kill line is an error that says what is missing.
        let e = parse(
            "[1.0] api invoked oom-killer: gfp_mask=0xd0\n",
            &mut r,
            Zone::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("Killed process"), "{}", e.message);
    }
}

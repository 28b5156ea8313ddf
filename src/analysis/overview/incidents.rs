//! The Overview's tables of OOM kills and Kubernetes containers, and the
//! card that sums them up when no memory series gives a verdict. Every
//! cell is text formatted here, so the page and the report show the same.

use crate::sort::SortStable;
use rustc_hash::FxHashMap;

use crate::analysis::leak::incidents::{ContainerRow, OomKillRow};
use crate::analysis::leak::Analysis;
use crate::analysis::LISTED;
use crate::model::series::{KubeContainer, OomConstraint};
use crate::render::gotime;
use crate::units;
use crate::words::{counted, times};

use super::{fact, Card, Table};

/// Rows a table shows in the page; all are in `analyze --format json`.
const SHOWN: usize = 500;

fn bytes(b: Option<f64>) -> String {
    b.map(|b| units::label(b as i64, "bytes"))
        .unwrap_or_default()
}

fn when(k: &OomKillRow) -> String {
    match (k.time, &k.logged_time) {
        (Some(t), _) => gotime::moment(t),
        (None, Some(l)) => l.clone(),
        (None, None) => "not given".into(),
    }
}

fn constraint(c: Option<OomConstraint>) -> &'static str {
    match c {
        Some(OomConstraint::Cgroup) => "cgroup limit",
        Some(OomConstraint::System) => "system memory",
        Some(OomConstraint::Cpuset) => "cpuset",
        Some(OomConstraint::Mempolicy) => "memory policy",
        None => "",
    }
}

/// A table of `rows`, of which those whose cells, joined by spaces,
/// contain `query` (any case; "" keeps all) are counted and the first
/// [`SHOWN`] sent: the page's own search of a shorter table (window.js)
/// matches the same text.
fn table(
    id: &'static str,
    title: &str,
    columns: &[&'static str],
    rows: Vec<Vec<String>>,
    query: &str,
) -> Table {
    let all = rows.len();
    let query = query.to_lowercase();
    let matching: Vec<Vec<String>> = if query.is_empty() {
        rows
    } else {
        rows.into_iter()
            .filter(|cells| cells.join(" ").to_lowercase().contains(&query))
            .collect()
    };
    let total = matching.len();
    let rows_word = if query.is_empty() {
        "rows"
    } else {
        "matching rows"
    };
    let note = (total > SHOWN).then(|| {
        format!(
            "The first {SHOWN} of {total} {rows_word}; `leakscope analyze --format json` lists them all."
        )
    });
    Table {
        id,
        title: format!("{title} ({all})"),
        columns: columns.to_vec(),
        rows: matching.into_iter().take(SHOWN).collect(),
        total,
        note,
    }
}

/// The tables of the analysis's OOM kills and containers (none when it
/// has neither), of the rows whose cells contain `query` (any case; ""
/// keeps all): the page searches a table past its first rows here.
pub fn tables(a: &Analysis, query: &str) -> Vec<Table> {
    let mut out = Vec::new();
    if !a.oom_kills.is_empty() {
        let rows = a
            .oom_kills
            .iter()
            .map(|k| {
                let place = match (&k.pod, &k.kill.cgroup) {
                    (Some(pod), _) => match &k.namespace {
                        Some(ns) => format!("pod {ns}/{pod}"),
                        None => format!("pod {pod}"),
                    },
                    (None, Some(g)) => g.clone(),
                    (None, None) => String::new(),
                };
                vec![
                    when(k),
                    k.kill.process.clone(),
                    k.kill.pid.map(|p| p.to_string()).unwrap_or_default(),
                    k.kill.uid.map(|u| u.to_string()).unwrap_or_default(),
                    place,
                    bytes(k.kill.anon_rss_bytes),
                    bytes(k.kill.file_rss_bytes),
                    bytes(k.kill.shmem_rss_bytes),
                    bytes(k.kill.total_vm_bytes),
                    bytes(k.kill.limit_bytes),
                    constraint(k.kill.constraint).to_string(),
                    k.kill.invoked_by.clone().unwrap_or_default(),
                    std::iter::once(k.source.text())
                        .chain(k.also_told.iter().map(|a| format!("also {}", a.text())))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            })
            .collect();
        out.push(table(
            "oom-kills",
            "OOM kills",
            &[
                "Time",
                "Process",
                "PID",
                "UID",
                "Cgroup or pod",
                "Anon RSS",
                "File RSS",
                "Shmem RSS",
                "Total VM",
                "Limit",
                "Out of",
                "Invoked by",
                "Source",
            ],
            rows,
            query,
        ));
    }
    if !a.containers.is_empty() {
        let rows = a.containers.iter().map(container_row).collect();
        out.push(table(
            "containers",
            "Kubernetes containers",
            &[
                "Namespace",
                "Pod",
                "Container",
                "State",
                "Restarts",
                "Last terminated",
                "Memory limit",
                "Memory request",
                "Source",
            ],
            rows,
            query,
        ));
    }
    out
}

fn container_row(row: &ContainerRow) -> Vec<String> {
    let c = &row.container;
    let mut last = c.last_terminated_reason.clone().unwrap_or_default();
    if let Some(code) = c.last_exit_code {
        last.push_str(&format!(" (exit {code})"));
    }
    if let Some(t) = c.last_finished {
        last.push_str(&format!(", {}", gotime::moment(t)));
    }
    vec![
        c.namespace.clone().unwrap_or_default(),
        c.pod.clone(),
        c.container.clone(),
        c.state.clone().unwrap_or_default(),
        c.restart_count.map(|n| n.to_string()).unwrap_or_default(),
        last,
        bytes(c.memory_limit_bytes),
        bytes(c.memory_request_bytes),
        row.source.text(),
    ]
}

/// With no process to judge, the kills and containers are the answer: who
/// was killed, how often, and when; no leak verdict is claimed.
pub fn card(a: &Analysis) -> Option<Card> {
    if !a.processes.is_empty() || (a.oom_kills.is_empty() && a.containers.is_empty()) {
        return None;
    }
    let mut sentences = Vec::new();
    if !a.oom_kills.is_empty() {
        // Each process name with its count, most killed first (ties in
        // the order first killed).
        let mut counts: Vec<(&str, usize)> = Vec::new();
        let mut at: FxHashMap<&str, usize> = FxHashMap::default();
        for k in &a.oom_kills {
            let i = *at.entry(&k.kill.process).or_insert_with(|| {
                counts.push((&k.kill.process, 0));
                counts.len() - 1
            });
            counts[i].1 += 1;
        }
        counts.sort_stable_by_key(|c| std::cmp::Reverse(c.1));
        let names: Vec<String> = counts
            .iter()
            .map(|(n, c)| match c {
                1 => format!("{n} once"),
                c => format!("{n} {c} times"),
            })
            .collect();
        let n = a.oom_kills.len();
        sentences.push(format!(
            "{}: {}.",
            counted(n as u64, "OOM kill"),
            crate::analysis::joined_at_most(&names, ", ")
        ));
    }
    // The first few containers that restarted or ended, each in a
    // sentence; the table below lists every one (4,000 pods made a
    // headline of 363,000 characters: 556 ms of the page's layout).
    let ended: Vec<&KubeContainer> = a
        .containers
        .iter()
        .map(|r| &r.container)
        .filter(|c| c.restart_count.is_some_and(|n| n > 0) || c.last_terminated_reason.is_some())
        .collect();
    for c in ended.iter().take(LISTED) {
        let mut s = format!("Container {} of pod {}", c.container, c.pod);
        if let Some(n) = c.restart_count {
            s.push_str(&format!(" restarted {}", times(n)));
        }
        if let Some(r) = &c.last_terminated_reason {
            s.push_str(&format!(", last ended {r}"));
        }
        if let Some(l) = c.memory_limit_bytes {
            s.push_str(&format!(" (memory limit {})", bytes(Some(l))));
        }
        s.push('.');
        sentences.push(s);
    }
    if ended.len() > LISTED {
        sentences.push(format!(
            "{} more containers restarted or ended; the table lists each.",
            ended.len() - LISTED
        ));
    }
    sentences.push("No memory series were given, so no leak verdict.".into());
    let mut facts = Vec::new();
    if let Some(when) = kill_times(&a.oom_kills) {
        facts.push(fact("Kills", when));
    }
    let files: Vec<&str> = a.inputs.iter().map(|i| i.file.as_str()).collect();
    facts.push(fact(
        "Evidence",
        crate::analysis::joined_at_most(&files, ", "),
    ));
    Some(Card {
        tone: "info",
        title: "OOM kills and restarts".into(),
        headline: sentences.join(" "),
        facts,
        links: Vec::new(),
    })
}

/// When the kills happened, saying how many each part covers when some
/// have a date and others only the log's own time (a syslog without a
/// year beside a `kubectl describe`): one instant is not a range of all.
fn kill_times(kills: &[OomKillRow]) -> Option<String> {
    let dated: Vec<f64> = kills.iter().filter_map(|k| k.time).collect();
    let logged: Vec<&str> = kills
        .iter()
        .filter(|k| k.time.is_none())
        .filter_map(|k| k.logged_time.as_deref())
        .collect();
    let undated = kills.len() - dated.len();
    let span = |first: String, last: String| {
        if first == last {
            first
        } else {
            format!("{first} – {last}")
        }
    };
    let mut parts = Vec::new();
    if let (Some(first), Some(last)) = (
        dated.iter().copied().reduce(f64::min),
        dated.iter().copied().reduce(f64::max),
    ) {
        let when = span(gotime::moment(first), gotime::moment(last));
        parts.push(if undated == 0 {
            when
        } else {
            format!("{when} ({})", counted(dated.len() as u64, "kill"))
        });
    }
    if let (Some(first), Some(last)) = (logged.first(), logged.last()) {
        // In the log's order: without a year (or a boot time) there is
        // nothing to sort by.
        let when = span(first.to_string(), last.to_string());
        parts.push(if dated.is_empty() && logged.len() == kills.len() {
            when
        } else {
            format!(
                "{when} ({} as logged)",
                counted(logged.len() as u64, "kill")
            )
        });
    }
    // Kills the log gave no time at all still count, so the parts add up
    // to every kill the card names.
    let timeless = undated - logged.len();
    if timeless > 0 && !parts.is_empty() {
        parts.push(format!(
            "{} without a time",
            counted(timeless as u64, "kill")
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kill(time: Option<f64>, logged: Option<&str>) -> OomKillRow {
        OomKillRow {
            time,
            logged_time: logged.map(String::from),
            namespace: None,
            pod: None,
            container: None,
            kill: Default::default(),
            also_told: Vec::new(),
            source: crate::analysis::leak::incidents::Source {
                file: "messages".into(),
                line: None,
                metric: None,
            },
        }
    }

    #[test]
    fn kill_times_say_how_many_kills_each_part_covers() {
        // One dated kill (kubectl) beside two syslog kills without a year:
        // one instant, not a range of all three.
        let t = 1_740_638_182.0;
        let kills = [
            kill(Some(t), None),
            kill(None, Some("Jun 20 12:47:04, no year")),
            kill(None, Some("Jun 21 08:01:00, no year")),
        ];
        assert_eq!(
            kill_times(&kills).unwrap(),
            format!(
                "{} (1 kill); Jun 20 12:47:04, no year – Jun 21 08:01:00, no year (2 kills as logged)",
                gotime::moment(t)
            )
        );
        // All dated: the range alone, one time when they are one instant.
        assert_eq!(
            kill_times(&[kill(Some(t), None), kill(Some(t + 60.0), None)]).unwrap(),
            format!("{} – {}", gotime::moment(t), gotime::moment(t + 60.0))
        );
        assert_eq!(
            kill_times(&[kill(Some(t), None)]).unwrap(),
            gotime::moment(t)
        );
        assert_eq!(kill_times(&[kill(None, None)]), None);
        // A kill with no time at all is counted beside those with one.
        assert_eq!(
            kill_times(&[kill(Some(t), None), kill(None, None), kill(None, None)]).unwrap(),
            format!("{} (1 kill); 2 kills without a time", gotime::moment(t))
        );
    }

    #[test]
    fn a_search_counts_every_matching_row_and_sends_the_first() {
        let rows = |n: usize| -> Vec<Vec<String>> {
            (0..n)
                .map(|i| vec![format!("worker-{i}"), "kern.log".into()])
                .collect()
        };
        let t = table(
            "oom-kills",
            "OOM kills",
            &["Process", "Source"],
            rows(600),
            "",
        );
        assert_eq!(
            (t.title.as_str(), t.rows.len(), t.total),
            ("OOM kills (600)", SHOWN, 600)
        );
        assert!(t.note.unwrap().starts_with("The first 500 of 600 rows;"));
        // Any case, any cell; past the first 500 rows too.
        let t = table(
            "oom-kills",
            "OOM kills",
            &["Process", "Source"],
            rows(600),
            "WORKER-57",
        );
        assert_eq!(t.title, "OOM kills (600)");
        assert_eq!(t.total, 11);
        assert_eq!(t.rows[0][0], "worker-57");
        assert_eq!(t.rows[10][0], "worker-579");
        assert_eq!(t.note, None);
        let t = table(
            "oom-kills",
            "OOM kills",
            &["Process", "Source"],
            rows(600),
            "KERN",
        );
        assert_eq!((t.rows.len(), t.total), (SHOWN, 600));
        assert!(t
            .note
            .unwrap()
            .starts_with("The first 500 of 600 matching rows;"));
    }
}

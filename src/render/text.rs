//! Reports as text, in `go tool pprof`'s layouts.

use crate::sort::SortStable;
use std::fmt::Write;

use super::gotime;
use crate::analysis::evidence::who;
use crate::analysis::info::ProfileInfo;
use crate::analysis::leak::classify::Unit;
use crate::analysis::leak::{Analysis, ProcessAnalysis, Verdict};
use crate::analysis::list::ListReport;
use crate::analysis::overview::UNITS_NOTE;
use crate::analysis::report::ReportContext;
use crate::analysis::top::TopReport;
use crate::analysis::traces::TracesReport;
use crate::analysis::trend::{Leader, Measure, Suspect, TrendReport};
use crate::units::{self, percentage};
use crate::words::{capitalized, counted};

/// pprof's profile labels: File, Build ID, comments, Type, Time, Duration.
pub fn profile_labels(c: &ReportContext) -> Vec<String> {
    let mut labels = Vec::new();
    if let Some(f) = &c.file {
        labels.push(format!("File: {f}"));
    }
    if let Some(b) = &c.build_id {
        labels.push(format!("Build ID: {b}"));
    }
    labels.extend(c.comments.iter().cloned());
    if !c.sample_type.is_empty() {
        labels.push(format!("Type: {}", c.sample_type));
    }
    if c.time_nanos != 0 {
        labels.push(format!("Time: {}", gotime::report_time(c.time_nanos)));
    }
    if c.duration_nanos != 0 {
        let duration = units::label(c.duration_nanos, "nanoseconds");
        let (total_nanos, total_unit) = units::scale(c.total, &c.unit, "nanoseconds");
        let ratio = if total_unit == "ns" && total_nanos != 0.0 {
            format!("({})", percentage(total_nanos as i64, c.duration_nanos))
        } else {
            String::new()
        };
        labels.push(format!(
            "Duration: {duration}, Total samples = {} {ratio}",
            c.format(c.total)
        ));
    }
    labels
}

/// The active-filter lines of a report legend.
pub(crate) fn filter_labels(c: &ReportContext) -> Vec<String> {
    if c.filters.is_empty() {
        return Vec::new();
    }
    let mut labels = vec!["Active filters:".to_string()];
    for f in &c.filters {
        let shown: String = if f.len() > 80 {
            let mut cut = 80;
            while !f.is_char_boundary(cut) {
                cut -= 1;
            }
            format!("{}…", &f[..cut])
        } else {
            f.clone()
        };
        labels.push(format!("   {shown}"));
    }
    labels
}

/// The header of `top`: profile labels, filters, and what is shown.
pub fn top_labels(r: &TopReport) -> Vec<String> {
    let c = &r.context;
    let mut labels = profile_labels(c);
    labels.extend(filter_labels(c));
    labels.push(format!(
        "Showing nodes accounting for {}, {} of {} total",
        c.format(r.shown_flat),
        percentage(r.shown_flat, c.total).trim(),
        c.format(c.total)
    ));
    if c.total != 0 {
        if r.dropped_nodes > 0 {
            labels.push(format!(
                "Dropped {} node{} (cum <= {})",
                r.dropped_nodes,
                if r.dropped_nodes > 1 { "s" } else { "" },
                c.format(r.node_cutoff)
            ));
        }
        let shown = r.rows.len();
        if shown > 0 && shown < r.nodes_before_limit {
            labels.push(format!(
                "Showing top {shown} nodes out of {}",
                r.nodes_before_limit
            ));
        }
    }
    labels
}

/// The legend of a call graph (pprof's report labels with full headers).
pub fn graph_labels(g: &crate::analysis::callgraph::CallGraph) -> Vec<String> {
    let c = &g.context;
    let mut labels = profile_labels(c);
    labels.extend(filter_labels(c));
    let flat_sum = g.nodes.iter().fold(0i64, |s, n| s.wrapping_add(n.flat));
    labels.push(format!(
        "Showing nodes accounting for {}, {} of {} total",
        c.format(flat_sum),
        percentage(flat_sum, c.total).trim(),
        c.format(c.total)
    ));
    if c.total != 0 {
        let dropped = |n: usize, what: &str, measure: &str, cut: i64| {
            format!(
                "Dropped {n} {what}{} ({measure} <= {})",
                if n > 1 { "s" } else { "" },
                c.format(cut)
            )
        };
        if g.dropped_nodes > 0 {
            labels.push(dropped(g.dropped_nodes, "node", "cum", g.node_cutoff));
        }
        if g.dropped_edges > 0 {
            labels.push(dropped(g.dropped_edges, "edge", "freq", g.edge_cutoff));
        }
        if !g.nodes.is_empty() && g.nodes.len() < g.orig_count {
            labels.push(format!(
                "Showing top {} nodes out of {}",
                g.nodes.len(),
                g.orig_count
            ));
        }
    }
    labels.push("\nSee https://git.io/JfYMW for how to read the graph".into());
    labels
}

/// `go tool pprof -top`.
pub fn top(r: &TopReport) -> String {
    let c = &r.context;
    let mut out = top_labels(r).join("\n");
    out.push('\n');
    let _ = writeln!(
        out,
        "{:>10} {:>5}% {:>5}% {:>10} {:>5}%",
        "flat", "flat", "sum", "cum", "cum"
    );
    let mut sum = 0i64;
    for row in &r.rows {
        sum = sum.wrapping_add(row.flat);
        let inline = if row.inline {
            " (inline)"
        } else if row.partial_inline {
            " (partial-inline)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:>10} {} {} {:>10} {}  {}{}",
            c.format(row.flat),
            percentage(row.flat, c.total),
            percentage(sum, c.total),
            c.format(row.cum),
            percentage(row.cum, c.total),
            row.name,
            inline
        );
    }
    out
}

/// `go tool pprof -list`: with source, pprof's exact layout; without, the
/// sampled lines only, and a note on how to show the source.
pub fn list(r: &ListReport) -> String {
    let c = &r.context;
    let dot = |v: i64| if v == 0 { ".".to_string() } else { c.format(v) };
    let mut out = format!("Total: {}\n", c.format(c.total));
    for f in &r.functions {
        let Some(file) = &f.file else {
            let _ = writeln!(out, "No source information for {}", f.name);
            continue;
        };
        let _ = writeln!(
            out,
            "ROUTINE ======================== {} in {}",
            f.name, file
        );
        let _ = writeln!(
            out,
            "{:>10} {:>10} (flat, cum) {} of Total",
            c.format(f.flat),
            c.format(f.cum),
            percentage(f.cum, c.total)
        );
        if !f.has_source {
            let _ = writeln!(
                out,
                " (source not available: pass --source-dir with the directory holding {file})"
            );
        }
        for l in &f.lines {
            let _ = writeln!(
                out,
                "{:>10} {:>10} {:>6}:{}",
                dot(l.flat),
                dot(l.cum),
                l.line,
                l.text.as_deref().unwrap_or("")
            );
        }
    }
    out
}

/// A short description of a profile.
pub fn info(i: &ProfileInfo) -> String {
    let mut out = String::new();
    if let Some(b) = &i.binary {
        let _ = writeln!(out, "Binary: {b}");
    }
    if let Some(t) = &i.time {
        let _ = writeln!(out, "Time: {t}");
    }
    if i.duration_nanos != 0 {
        let _ = writeln!(
            out,
            "Duration: {}",
            gotime::duration_string(i.duration_nanos)
        );
    }
    if !i.period_type.name.is_empty() || i.period != 0 {
        let _ = writeln!(
            out,
            "Period: {} {} ({})",
            i.period, i.period_type.unit, i.period_type.name
        );
    }
    let _ = writeln!(
        out,
        "Samples: {}, locations: {}, functions: {}, mappings: {}",
        i.samples, i.locations, i.functions, i.mappings
    );
    out.push_str("Sample types:\n");
    for t in &i.sample_types {
        let mark = if t.name == i.default_sample_type {
            "  (default)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<16} {:<12} total {}{}",
            t.name,
            t.unit,
            units::label(t.total, &t.unit),
            mark
        );
    }
    for c in &i.comments {
        let _ = writeln!(out, "Comment: {c}");
    }
    if !i.drop_frames.is_empty() {
        let _ = writeln!(out, "Drop frames: {}", i.drop_frames);
    }
    if !i.keep_frames.is_empty() {
        let _ = writeln!(out, "Keep frames: {}", i.keep_frames);
    }
    if !i.doc_url.is_empty() {
        let _ = writeln!(out, "Documentation: {}", i.doc_url);
    }
    out
}

/// `go tool pprof -traces`.
pub fn traces(r: &TracesReport) -> String {
    const SEPARATOR: &str = "-----------+-------------------------------------------------------";
    let c = &r.context;
    let mut out = profile_labels(c).join("\n");
    out.push('\n');
    for t in &r.traces {
        out.push_str(SEPARATOR);
        out.push('\n');
        let mut labels: Vec<String> = t
            .labels
            .iter()
            .map(|(k, vs)| format!("{k:>10}:  {}\n", vs.join(" ")))
            .collect();
        labels.sort_stable();
        labels.iter().for_each(|l| out.push_str(l));
        let mut numbers: Vec<String> = t
            .numeric_labels
            .iter()
            .map(|(k, vs, unit)| {
                let values: Vec<String> = vs.iter().map(|&v| units::label(v, unit)).collect();
                format!("{k:>10}:  {}\n", values.join(" "))
            })
            .collect();
        numbers.sort_stable();
        numbers.iter().for_each(|l| out.push_str(l));
        for (i, f) in t.frames.iter().enumerate() {
            let value = if i == 0 {
                c.format(t.value)
            } else {
                String::new()
            };
            let inline = if f.inline { " (inline)" } else { "" };
            let _ = writeln!(out, "{value:>10}   {}{inline}", f.name);
        }
    }
    out.push_str(SEPARATOR);
    out.push('\n');
    out
}

/// `leakscope analyze`: a short summary, processes first.
pub fn analysis(a: &Analysis) -> String {
    let mut out = String::from("Inputs:\n");
    for i in &a.inputs {
        let mut parts = vec![i.format.clone()];
        if let Some(d) = &i.delimiter {
            parts.push(format!("delimiter {d:?}"));
        }
        if i.encoding != "utf-8" && !i.encoding.is_empty() {
            parts.push(i.encoding.clone());
        }
        if let Some(t) = &i.time {
            parts.push(format!("times {t}"));
        }
        if let Some(z) = &i.zone {
            parts.push(format!("zone {z}"));
        }
        parts.push(format!(
            "{} series, {}",
            i.series,
            counted(i.points as u64, "point")
        ));
        if i.oom_kills > 0 {
            parts.push(counted(i.oom_kills as u64, "OOM kill"));
        }
        if i.containers > 0 {
            parts.push(counted(i.containers as u64, "container"));
        }
        parts.push(format!("{} skipped", counted(i.skipped_rows as u64, "row")));
        let _ = writeln!(out, "  {}: {}", i.file, parts.join(", "));
        for w in &i.warnings {
            let _ = writeln!(out, "    - {w}");
        }
    }
    out.push_str("Processes:\n");
    let mut order: Vec<&ProcessAnalysis> = a.processes.iter().collect();
    order.sort_stable_by_key(|p| p.rank);
    for p in order {
        let labels: Vec<String> = p
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        let confidence = p
            .confidence
            .map(|c| format!(" (confidence {c:.2})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}. {{{}}}: {}{}",
            p.rank,
            labels.join(", "),
            if p.goroutine_leak {
                "GOROUTINE LEAK"
            } else {
                verdict_word(p.verdict)
            },
            confidence
        );
        let _ = writeln!(out, "     {}", p.reason);
        let mut facts = Vec::new();
        if p.restarts > 0 {
            facts.push(format!(
                "{}{}",
                counted(p.restarts as u64, "restart"),
                if p.oom_kills > 0 {
                    format!(" ({})", counted(p.oom_kills as u64, "OOM kill"))
                } else {
                    String::new()
                }
            ));
        }
        if let Some(main) = p.main_series.map(|m| &a.series[m]) {
            if let (Some(l), Some(src)) = (main.limit, main.limit_source) {
                facts.push(format!("limit {} ({src})", units::label(l as i64, "bytes")));
            }
        }
        match p.time_to_limit_s {
            Some(t) if t <= 0.0 => facts.push("at or over it now".into()),
            Some(t) => facts.push(format!(
                "reaches it in {}",
                super::gotime::duration_string((t * 1e9) as i64)
            )),
            None => {}
        }
        if !facts.is_empty() {
            let _ = writeln!(out, "     {}", facts.join("; "));
        }
    }
    out.push_str("Series:\n");
    for s in a.series.iter().filter(|s| s.verdict.is_some()) {
        let mut parts =
            vec![verdict_word(s.verdict.unwrap_or(Verdict::Inconclusive)).to_lowercase()];
        if let Some(g) = s.growth_per_hour {
            let unit = if s.unit == Unit::Bytes { "bytes" } else { "" };
            parts.push(format!(
                "{}{}/h",
                if g >= 0.0 { "+" } else { "" },
                units::label(g as i64, unit)
            ));
        }
        match (s.bytes_per_request, s.per_request) {
            (Some(b), _) => parts.push(format!(
                "{}/request (r² {:.2})",
                units::label(b as i64, "bytes"),
                s.per_request_r2.unwrap_or(0.0)
            )),
            (None, Some(n)) => parts.push(format!(
                "{}/request (r² {:.2})",
                units::format_g(n, 3),
                s.per_request_r2.unwrap_or(0.0)
            )),
            _ => {}
        }
        let _ = writeln!(out, "  {}: {}", s.display, parts.join(", "));
    }
    oom_kills(&mut out, a);
    containers(&mut out, a);
    if !a.warnings.is_empty() {
        out.push_str("Warnings:\n");
        for w in &a.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    let _ = writeln!(out, "{UNITS_NOTE}");
    out
}

/// Every OOM kill, one line each: when, what, its memory, its limit and
/// where the log says it.
fn oom_kills(out: &mut String, a: &Analysis) {
    if a.oom_kills.is_empty() {
        return;
    }
    let _ = writeln!(out, "OOM kills ({}):", a.oom_kills.len());
    let bytes = |b: f64| units::label(b as i64, "bytes");
    for k in &a.oom_kills {
        let when = match (k.time, &k.logged_time) {
            (Some(t), _) => gotime::moment(t),
            (None, Some(logged)) => logged.clone(),
            (None, None) => "no time given".into(),
        };
        let mut who = k.kill.process.clone();
        let ids: Vec<String> = [
            k.kill.pid.map(|p| format!("pid {p}")),
            k.kill.uid.map(|u| format!("uid {u}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !ids.is_empty() {
            who.push_str(&format!(" ({})", ids.join(", ")));
        }
        if let Some(pod) = &k.pod {
            let ns = k
                .namespace
                .as_deref()
                .map(|n| format!("{n}/"))
                .unwrap_or_default();
            who.push_str(&format!(" in pod {ns}{pod}"));
        }
        let mut facts = Vec::new();
        if let Some(c) = k.kill.constraint {
            facts.push(constraint_words(c).into());
        }
        if let Some(g) = &k.kill.cgroup {
            facts.push(format!("cgroup {g}"));
        }
        if let Some(rss) = k.kill.rss_bytes {
            let parts: Vec<String> = [
                ("anon", k.kill.anon_rss_bytes),
                ("file", k.kill.file_rss_bytes),
                ("shmem", k.kill.shmem_rss_bytes),
            ]
            .iter()
            .filter_map(|(n, v)| v.map(|v| format!("{n} {}", bytes(v))))
            .collect();
            facts.push(format!("rss {} ({})", bytes(rss), parts.join(", ")));
        }
        if let Some(vm) = k.kill.total_vm_bytes {
            facts.push(format!("total-vm {}", bytes(vm)));
        }
        if let Some(l) = k.kill.limit_bytes {
            facts.push(format!("limit {}", bytes(l)));
        }
        if let Some(i) = &k.kill.invoked_by {
            facts.push(format!("invoked by {i}"));
        }
        let _ = writeln!(out, "  {when}: {who}");
        facts.push(k.source.text());
        for also in &k.also_told {
            facts.push(format!("also told at {}", also.text()));
        }
        let _ = writeln!(out, "     {}", facts.join("; "));
    }
}

/// Whose memory ran out, as a phrase.
pub fn constraint_words(c: crate::model::series::OomConstraint) -> &'static str {
    use crate::model::series::OomConstraint::*;
    match c {
        Cgroup => "at its cgroup's limit",
        System => "the machine ran out of memory",
        Cpuset => "its cpuset's nodes ran out of memory",
        Mempolicy => "its memory policy's nodes ran out of memory",
    }
}

/// Every Kubernetes container, one line each.
fn containers(out: &mut String, a: &Analysis) {
    if a.containers.is_empty() {
        return;
    }
    let _ = writeln!(out, "Containers ({}):", a.containers.len());
    for row in &a.containers {
        let c = &row.container;
        let ns = c
            .namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        let mut facts = Vec::new();
        if let Some(s) = &c.state {
            facts.push(s.clone());
        }
        if let Some(n) = c.restart_count {
            facts.push(counted(n, "restart"));
        }
        if let Some(r) = &c.last_terminated_reason {
            let mut t = format!("last terminated: {r}");
            if let Some(code) = c.last_exit_code {
                t.push_str(&format!(" (exit {code})"));
            }
            if let Some(f) = c.last_finished {
                t.push_str(&format!(" at {}", gotime::moment(f)));
            }
            facts.push(t);
        }
        if let Some(l) = c.memory_limit_bytes {
            facts.push(format!("memory limit {}", units::label(l as i64, "bytes")));
        }
        if let Some(r) = c.memory_request_bytes {
            facts.push(format!("request {}", units::label(r as i64, "bytes")));
        }
        let source = row.source.text();
        let _ = writeln!(
            out,
            "  {ns}{} container {}: {}",
            c.pod,
            c.container,
            facts.join("; ")
        );
        let _ = writeln!(out, "     {source}");
    }
}

/// `leakscope analyze` with snapshots among its files: the analysis, then
/// each snapshot's process (or why none), then each series of snapshots'
/// leading site.
pub fn analyze_report(r: &super::json::AnalyzeReport) -> String {
    let mut out = analysis(r.analysis);
    if r.snapshots.is_empty() {
        return out;
    }
    out.push_str("Snapshots:\n");
    for s in r.snapshots {
        let what = [
            Some(s.kind.name().to_string()),
            s.program.clone(),
            s.time.map(gotime::moment),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let _ = writeln!(out, "  {}: {what}", s.file);
        let _ = writeln!(out, "     {}", s.tie);
    }
    out.push_str("Snapshot series:\n");
    for g in r.snapshot_series {
        let whose = match g.process {
            Some(p) => who(&r.analysis.processes[p].labels),
            None => "no process".into(),
        };
        let _ = writeln!(out, "  {} {} of {whose}:", g.kind.name(), g.files_text());
        match (&g.trend, &g.trend_error) {
            (Some(_), _) if g.catching_up.is_some() => {
                let _ = writeln!(out, "     {}", g.catching_up.as_deref().unwrap_or(""));
            }
            (Some(t), _) => {
                let line = match (t.leader(), t.suspects.first()) {
                    (Leader::Unsure(left), _) => left.why_unsure(&t.unit),
                    (Leader::Grows(top), _) if t.measure.can_leak() => {
                        format!(
                            "top suspect {} growing {} ({:.1}% of the growth)",
                            site_text(top, t.measure),
                            signed_label(top.growth, &t.unit),
                            100.0 * top.share_of_growth
                        )
                    }
                    (_, Some(top)) if t.measure == Measure::Allocations => format!(
                        "top allocator {} (alloc_space only grows: a rate, not a leak)",
                        site_text(top, t.measure)
                    ),
                    _ => "no site grows beyond what sampling explains".into(),
                };
                let _ = writeln!(out, "     {line}");
            }
            (None, Some(e)) => {
                let _ = writeln!(out, "     no trend: {e}");
            }
            (None, None) => {
                let _ = writeln!(out, "     one snapshot: no trend");
            }
        }
        for n in &g.notes {
            let _ = writeln!(out, "     note: {n}");
        }
    }
    out
}

/// A change with its sign: `+12.50MB`, `-3kB`, `0`.
pub fn signed_label(v: i64, unit: &str) -> String {
    format!("{}{}", if v > 0 { "+" } else { "" }, units::label(v, unit))
}

/// A site in a line: `Track (main.go:24) via bytes.Repeat`; goroutines:
/// `main.wait (main.go:97) [chan receive], runs main.wait`.
fn site_text(s: &Suspect, measure: Measure) -> String {
    let mut t = s.name.clone();
    if let Some(line) = s.line {
        let file = s.file.rsplit('/').next().unwrap_or(&s.file);
        t.push_str(&format!(" ({file}:{line})"));
    }
    match (&s.via, measure) {
        (Some(v), Measure::Goroutines | Measure::LeakedGoroutines) => {
            t.push_str(&format!(" [{v}]"));
            if let Some(started) = &s.started {
                t.push_str(&format!(", {started}"));
            }
            if let Some(m) = s.longest_wait_minutes {
                t.push_str(&format!(", waiting up to {m} minutes"));
            }
        }
        (Some(v), _) => t.push_str(&format!(" via {v}")),
        _ => {}
    }
    t
}

/// A verdict as every command prints it.
pub fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Leak => "LEAK",
        Verdict::Steady => "STEADY",
        Verdict::Inconclusive => "INCONCLUSIVE",
    }
}

/// `leakscope trend`: the snapshots, the top suspect, the sites table.
pub fn trend(r: &TrendReport) -> String {
    let label = |v: i64| units::label(v, &r.unit);
    let signed = |v: i64| signed_label(v, &r.unit);
    let mut out = String::new();
    let span = match (
        r.snapshots.first().and_then(|s| s.time),
        r.snapshots.last().and_then(|s| s.time),
    ) {
        (Some(a), Some(b)) => format!(
            " over {}",
            gotime::duration_string(((b - a) * 1e3).round() as i64 * 1_000_000)
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "Snapshots: {}{span}, ordered by {}; {} at {} granularity",
        r.snapshots.len(),
        r.ordered_by,
        r.sample_type,
        r.granularity.name()
    );
    for s in &r.snapshots {
        let when = s
            .time
            .map(|_| gotime::iso8601(s.time_nanos))
            .unwrap_or_else(|| "(no time)".into());
        let heap = s
            .metrics_heap
            .map(|h| {
                format!(
                    " (the metrics' heap then: {})",
                    units::label(h as i64, "bytes")
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {}  total {}{heap}",
            s.file,
            when,
            label(s.total)
        );
    }
    let site = |s: &Suspect| site_text(s, r.measure);
    match r.leader() {
        Leader::Grows(top) => {
            let _ = writeln!(
                out,
                "{}: {}",
                if r.measure.can_leak() {
                    "Top suspect"
                } else {
                    "Allocating most"
                },
                site(top)
            );
            let mut facts = vec![format!(
                "growing {} ({:.1}% of the growth)",
                signed(top.growth),
                100.0 * top.share_of_growth
            )];
            if let Some(h) = top.slope_per_hour {
                facts.push(format!("{}/h", signed(h as i64)));
            }
            facts.push(format!("up in {:.0}% of the steps", 100.0 * top.monotonic));
            if let Some(b) = top.bytes_per_object {
                facts.push(format!("{} per object", units::label(b as i64, "bytes")));
            }
            if let Some(b) = top.bytes_per_request {
                facts.push(format!(
                    "{} per request served between the snapshots",
                    units::label(b as i64, "bytes")
                ));
            }
            let _ = writeln!(out, "  {}", facts.join(", "));
        }
        Leader::Unsure(left) => {
            let _ = writeln!(out, "{}.", capitalized(&left.why_unsure(&r.unit)));
        }
        Leader::Nothing if r.measure == Measure::InUse => {
            out.push_str("No site grows beyond what sampling explains: nothing to suspect.\n")
        }
        Leader::Nothing => out.push_str("No site grows: nothing to suspect.\n"),
    }
    out.push_str("Sites:\n");
    let _ = writeln!(
        out,
        "{:>12} {:>12} {:>12} {:>6} {:>5}  {:<10} site",
        "first", "last", "growth", "share", "mono", "verdict"
    );
    for s in r.suspects.iter().take(15) {
        let _ = writeln!(
            out,
            "{:>12} {:>12} {:>12} {:>5.1}% {:>5.2}  {:<10} {}",
            label(s.values[0]),
            label(*s.values.last().unwrap_or(&0)),
            signed(s.growth),
            100.0 * s.share_of_growth,
            s.monotonic,
            s.verdict.name(),
            site(s)
        );
    }
    if r.suspects.len() > 15 {
        let _ = writeln!(
            out,
            "  ... and {} more sites (--format json lists all)",
            r.suspects.len() - 15
        );
    }
    for line in r.verdict_legend() {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(m) = &r.metrics {
        let mut line = format!(
            "Metrics: {:.0} requests between the first and the last snapshot",
            m.requests
        );
        if let (Some(b), Some(series)) = (m.metrics_bytes_per_request, &m.metrics_series) {
            line.push_str(&format!(
                "; {series} says {} per request",
                units::label(b as i64, "bytes")
            ));
        }
        let _ = writeln!(out, "{line}");
        if r.suspects.iter().any(|s| s.bytes_per_request.is_some()) && !m.caveat.is_empty() {
            let _ = writeln!(out, "  Note: {}", m.caveat);
        }
    }
    if !r.warnings.is_empty() {
        out.push_str("Warnings:\n");
        for w in &r.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    if r.unit == "bytes" {
        let _ = writeln!(out, "{UNITS_NOTE}");
    }
    out
}

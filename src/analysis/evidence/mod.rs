//! Where the evidence is joined. A person drops what they have: metric
//! exports (maybe the same run exported three ways), an OOM log, heap and
//! goroutine snapshots (maybe of several instances, maybe of another
//! program or another year). This module decides what belongs together;
//! every view (the page's Overview, Memory and Trend tabs, `leakscope
//! analyze` and `trend`) reads its result and joins nothing itself.
//!
//! The pipeline:
//! metrics analysed (`leak`: copies of a series from several files merged,
//! OOM kills attached to the restarts they caused) → each profile's kind
//! (heap, allocs, goroutine…), program (its executable) and time → tied to
//! a process only with evidence: taken during one of its lives (metrics
//! whose zone was assumed may be whole hours off: said when a shift is
//! what makes them fit), and, where several processes ran then, named by
//! its path (`instance-19225/heap.0.pb.gz`, `api-7d9f/heap.pprof`) → the
//! snapshots of one kind, program and process life make one series (a
//! restart between two snapshots splits them; untied snapshots group by
//! folder) → each series' trend, on the sample type its claim needs
//! (`inuse_space` for a leak, whatever a view shows).

mod processes;

use crate::sort::SortStable;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::analysis::leak::classify::{is_heap, work_rank, Role};
pub use crate::analysis::leak::who;
use crate::analysis::leak::work::Requests;
use crate::analysis::leak::{analyze_series, Analysis, AnalyzeOptions, Verdict};
use crate::analysis::options::Granularity;
use crate::analysis::report::main_binary;
use crate::analysis::trend::{
    trend, Leader, Measure, ProcessMetrics, ProfileKind, TrendOptions, TrendReport,
};
use crate::analysis::LISTED;
use crate::error::Result;
use crate::model::series::{host_and_port, Series, SeriesSet};
use crate::model::Profile;
use crate::render::gotime;
use processes::{step_of, Processes, Running};

/// A loaded profile, by the name it is shown under (unique; for dropped
/// folders, with its path).
#[derive(Clone, Copy)]
pub struct ProfileInput<'a> {
    pub name: &'a str,
    pub profile: &'a Profile,
}

/// What one profile is, and whose.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Snapshot {
    pub file: String,
    pub kind: ProfileKind,
    /// The executable it profiled (from its main mapping), when it says.
    pub program: Option<String>,
    /// When it was taken (unix seconds), when it says.
    pub time: Option<f64>,
    /// The process it belongs to (index into `Analysis::processes`).
    pub process: Option<usize>,
    /// Which of that process's lives (0: before its first restart).
    pub life: Option<usize>,
    /// Its series of snapshots (index into `Evidence::groups`).
    pub group: Option<usize>,
    /// Why it is, or is not, tied to a process.
    pub tie: String,
    /// Taken while several processes ran, and nothing says which: it may
    /// be any of them, so it is trended with no other snapshot.
    pub ambiguous: bool,
}

/// Snapshots of one kind, program and process life (or folder, untied):
/// one series to trend.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SnapshotGroup {
    pub kind: ProfileKind,
    pub program: Option<String>,
    pub process: Option<usize>,
    pub life: Option<usize>,
    /// The files, oldest first.
    pub files: Vec<String>,
    /// The same snapshots, by their place in [`Evidence::snapshots`] (and
    /// so in the profiles given to [`join`]): looked up, not searched for
    /// by name.
    #[serde(skip)]
    pub members: Vec<usize>,
    /// First and last snapshot time (unix seconds), when known.
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// What grows across them, on the sample type the kind's claims rest
    /// on (two or more snapshots of a kind that can leak).
    pub trend: Option<TrendReport>,
    /// Why there is no trend, when there is none.
    pub trend_error: Option<String>,
    /// Some of them were taken while several processes ran and nothing
    /// says whose: the series may mix processes, and is never trended.
    pub may_mix_processes: bool,
    /// How much the process's live heap (its heap series at its lowest
    /// near the first and the last snapshot) moved over the snapshots'
    /// span, in bytes: what the snapshots' growth can be checked against.
    pub live_heap_change: Option<(f64, String)>,
    /// When the leading site grows while the process's live heap was level
    /// over the same span (it moved less than a fifth of the site's rise)
    /// and the process is steady: the profiles were catching up with the
    /// heap (Go's heap profile trails it by up to two collections), which
    /// says so. No view calls such a site a culprit.
    pub catching_up: Option<String>,
    pub notes: Vec<String>,
}

impl SnapshotGroup {
    /// `heap.0–heap.3.pb.gz`-style: which files, in a few words.
    pub fn files_text(&self) -> String {
        match self.files.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [first, .., last] => format!("{first} … {last} ({} files)", self.files.len()),
        }
    }
}

/// Everything loaded, joined.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The metrics' analysis (when metrics or OOM logs are loaded).
    pub analysis: Option<Analysis>,
    /// The series it judged (copies merged), in the order its
    /// `SeriesAnalysis::source` indexes.
    pub series: Vec<Series>,
    /// One per profile, in the order given.
    pub snapshots: Vec<Snapshot>,
    pub groups: Vec<SnapshotGroup>,
    /// Each process's series in the analysis, by index: a trend or a heap
    /// change of a process reads its own, not every series (a scan per
    /// group was groups × series: 2,000 snapshots beside 200,000 series
    /// took 11.3 s, 4.8 s now, both beside a CI run).
    series_of: Vec<Vec<usize>>,
    /// Each process's typical time between points ([`step_of`]), made once.
    steps: Vec<f64>,
}

/// How far (seconds) outside a process's metrics a snapshot may be taken
/// and still count as taken during it, at the least.
const SLACK: f64 = 60.0;

/// Joins metrics and profiles (see the module's comment). The metrics'
/// series are kept, not copied, unless the analysis changed them (copies
/// merged, infinities dropped).
pub fn join(
    metrics: Option<SeriesSet>,
    profiles: &[ProfileInput],
    options: &AnalyzeOptions,
) -> Evidence {
    let (analysis, series) = match metrics {
        Some(set) => {
            let (a, judged) = analyze_series(&set, options);
            let judged = match judged {
                std::borrow::Cow::Owned(changed) => Some(changed),
                std::borrow::Cow::Borrowed(_) => None,
            };
            (Some(a), judged.unwrap_or(set.series))
        }
        None => (None, Vec::new()),
    };
    let mut snapshots: Vec<Snapshot> = profiles
        .iter()
        .map(|p| Snapshot {
            file: p.name.to_string(),
            kind: ProfileKind::of(p.profile),
            program: main_binary(p.profile).map(str::to_string),
            time: (p.profile.time_nanos > 0).then(|| p.profile.time_nanos as f64 / 1e9),
            process: None,
            life: None,
            group: None,
            tie: String::new(),
            ambiguous: false,
        })
        .collect();
    let (series_of, steps) = match &analysis {
        Some(a) => {
            let mut of = vec![Vec::new(); a.processes.len()];
            for (i, s) in a.series.iter().enumerate() {
                if let Some(list) = of.get_mut(s.process) {
                    list.push(i);
                }
            }
            let steps = (0..a.processes.len())
                .map(|p| step_of(a, &series, p))
                .collect();
            (of, steps)
        }
        None => (Vec::new(), Vec::new()),
    };
    match &analysis {
        Some(a) if !a.processes.is_empty() => {
            let processes = Processes::new(a, &steps);
            let shift = zone_shift(&processes, &snapshots);
            let times: Vec<f64> = snapshots
                .iter()
                .map(|s| s.time.map_or(f64::NAN, |t| t + shift.seconds()))
                .collect();
            let running = processes.running_at(&times);
            for (s, running) in snapshots.iter_mut().zip(&running) {
                tie(s, &processes, &shift, running);
            }
            one_program_per_process(&mut snapshots, a);
        }
        Some(a) if !a.series.is_empty() => {
            for s in &mut snapshots {
                s.tie = "the metrics hold no process to tie it to".into();
            }
        }
        // No metrics at all: an OOM log or kubectl output alone is
        // analysed too, but has no process to hold a snapshot.
        _ => {
            for s in &mut snapshots {
                s.tie = "no metrics loaded: not tied to a process".into();
            }
        }
    }
    let mut evidence = Evidence {
        analysis,
        series,
        snapshots,
        groups: Vec::new(),
        series_of,
        steps,
    };
    evidence.groups = group(&mut evidence, profiles);
    evidence
}

/// A whole-hours shift of the snapshots' times that the metrics' zone may
/// need: only when the metrics' times carried no zone (UTC was assumed),
/// no snapshot fits the metrics as read, and one shift makes every timed
/// snapshot fit.
struct Shift {
    hours: i32,
}

impl Shift {
    fn seconds(&self) -> f64 {
        self.hours as f64 * 3600.0
    }
}

fn zone_shift(processes: &Processes, snapshots: &[Snapshot]) -> Shift {
    let assumed = processes
        .a
        .inputs
        .iter()
        .any(|i| i.zone.as_deref().is_some_and(|z| z.contains("assumed")));
    let timed: Vec<f64> = snapshots.iter().filter_map(|s| s.time).collect();
    let fits = |shift: f64| timed.iter().all(|&t| processes.any_runs(t + shift));
    if !assumed || timed.is_empty() || timed.iter().any(|&t| processes.any_runs(t)) {
        return Shift { hours: 0 };
    }
    let working: Vec<i32> = (-14..=14)
        .filter(|&h| h != 0 && fits(h as f64 * 3600.0))
        .collect();
    Shift {
        hours: if working.len() == 1 { working[0] } else { 0 },
    }
}

/// Ties one snapshot to a process, or says why not; `running` are the
/// processes running when it was taken.
fn tie(s: &mut Snapshot, processes: &Processes, shift: &Shift, running: &Running) {
    let a = processes.a;
    let named = processes.named_by_path(&s.file);
    let name_of = |p: usize| who(&a.processes[p].labels);
    let covered = || match processes.span {
        Some((from, to)) if from <= to => gotime::span(from, to),
        _ => "no time".into(),
    };
    let Some(t) = s.time else {
        // No time: only a path that names one process ties it.
        match named.as_slice() {
            [(p, needle)] => {
                s.process = Some(*p);
                s.tie = format!(
                    "its path names {needle}, which only {} has; it carries no time, so which life is not known",
                    name_of(*p)
                );
            }
            _ => {
                s.tie = "it carries no time, so it cannot be placed on the metrics".into();
            }
        }
        return;
    };
    let shifted = t + shift.seconds();
    let zone_note = if shift.hours != 0 {
        format!(
            " (the metrics' times carry no zone; they fit the snapshots when read as UTC{:+03}:00)",
            shift.hours
        )
    } else {
        String::new()
    };
    let taken = gotime::moment(t);
    let chosen = match (running.count, named.as_slice()) {
        (0, [(p, needle)]) => {
            s.tie = format!(
                "its path names {needle} ({}), but it was taken {taken}, outside that process's metrics ({})",
                name_of(*p),
                covered()
            );
            None
        }
        (0, _) => {
            s.tie = format!("taken {taken}; the metrics cover {}", covered());
            None
        }
        (_, [(p, needle)]) if processes.runs(*p, shifted) => Some((
            *p,
            format!("its path names {needle}; taken {taken}{zone_note}"),
        )),
        (_, [(p, needle)]) => {
            s.tie = format!(
                "its path names {needle} ({}), but it was taken {taken}, when that process's metrics do not run",
                name_of(*p)
            );
            None
        }
        (1, _) => Some((
            running.first[0],
            format!("taken {taken}{zone_note}, while it was the only process the metrics show"),
        )),
        (count, _) => {
            let first: Vec<String> = running.first.iter().map(|&p| name_of(p)).collect();
            s.tie = format!(
                "taken {taken}, while {count} processes ran ({}); its name does not say which: put each instance's snapshots in a folder named after it (e.g. {}/)",
                crate::analysis::joined_first(&first, count, ", "),
                suggested_folder(processes, running.first[0])
            );
            s.ambiguous = true;
            None
        }
    };
    if let Some((p, why)) = chosen {
        let lives = processes.lives(p);
        // The last life begun by then (the first, for a time before any).
        let life = lives
            .partition_point(|&(start, _)| shifted >= start)
            .saturating_sub(1);
        s.process = Some(p);
        s.life = Some(life);
        s.tie = if lives.len() > 1 {
            format!(
                "{}'s life {} of {}: {why}",
                name_of(p),
                life + 1,
                lives.len()
            )
        } else {
            format!("{}: {why}", name_of(p))
        };
    }
}

/// A folder name that would tie a process's snapshots: its most
/// distinctive label value (the instance's port, its pod).
/// A word it has that no other process has (replicas often share a port:
/// then the host).
fn suggested_folder(processes: &Processes, p: usize) -> String {
    let labels = &processes.a.processes[p].labels;
    let mine = processes.words(p);
    for key in ["pod", "instance", "container", "host", "hostname"] {
        let Some(v) = labels.get(key) else { continue };
        let (host, port) = host_and_port(v).map_or((v.as_str(), None), |(h, p)| (h, Some(p)));
        let word = [port, Some(host), Some(v.as_str())]
            .into_iter()
            .flatten()
            .find(|w| mine.iter().any(|m| m == w));
        if let Some(word) = word {
            return format!("{key}-{word}");
        }
    }
    "instance-NAME".into()
}

/// A process runs one program: when its snapshots name two executables,
/// those of the program its other snapshots (the most) name stay tied,
/// and the others are untied, saying so.
fn one_program_per_process(snapshots: &mut [Snapshot], a: &Analysis) {
    // Each process's snapshots, gathered once (not a pass per process).
    let mut tied: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, s) in snapshots.iter().enumerate() {
        if let Some(p) = s.process {
            tied.entry(p).or_default().push(i);
        }
    }
    for (p, mine) in tied {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for s in mine.iter().map(|&i| &snapshots[i]) {
            if let Some(prog) = &s.program {
                *counts.entry(prog.as_str()).or_insert(0) += 1;
            }
        }
        if counts.len() < 2 {
            continue;
        }
        let main = counts
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(k, _)| k.to_string())
            .unwrap_or_default();
        for &i in &mine {
            let s = &mut snapshots[i];
            if s.program.as_deref().is_some_and(|prog| prog != main) {
                s.tie = format!(
                    "it profiles {}, while {}'s other snapshots profile {main}: another program, not tied",
                    s.program.as_deref().unwrap_or(""),
                    who(&a.processes[p].labels)
                );
                s.process = None;
                s.life = None;
            }
        }
    }
}

/// The folder part of a file's name (`a/b/heap.0` → `a/b`).
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Groups snapshots into series and trends each.
fn group(evidence: &mut Evidence, profiles: &[ProfileInput]) -> Vec<SnapshotGroup> {
    type Key = (
        ProfileKind,
        Option<String>,
        Option<usize>,
        Option<usize>,
        String,
    );
    // Groups in the order their first snapshot comes.
    let mut keys: Vec<Key> = Vec::new();
    let mut index: FxHashMap<Key, usize> = FxHashMap::default();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, s) in evidence.snapshots.iter().enumerate() {
        if s.kind == ProfileKind::Other {
            continue;
        }
        let key: Key = (
            s.kind,
            s.program.clone(),
            s.process,
            s.life,
            if s.process.is_some() {
                String::new()
            } else {
                folder(&s.file).to_string()
            },
        );
        match index.get(&key) {
            Some(&g) => members[g].push(i),
            None => {
                index.insert(key.clone(), keys.len());
                keys.push(key);
                members.push(vec![i]);
            }
        }
    }
    let mut groups = Vec::new();
    for (g, (key, mut list)) in keys.into_iter().zip(members).enumerate() {
        list.sort_stable_by(|&x, &y| {
            let t = |i: usize| evidence.snapshots[i].time.unwrap_or(0.0);
            t(x).total_cmp(&t(y)).then(x.cmp(&y))
        });
        for &i in &list {
            evidence.snapshots[i].group = Some(g);
        }
        let times: Vec<f64> = list
            .iter()
            .filter_map(|&i| evidence.snapshots[i].time)
            .collect();
        let (kind, program, process, life, _) = key;
        let mut group = SnapshotGroup {
            kind,
            program,
            process,
            life,
            files: list
                .iter()
                .map(|&i| evidence.snapshots[i].file.clone())
                .collect(),
            members: list.clone(),
            start: times.first().copied(),
            end: times.last().copied(),
            trend: None,
            trend_error: None,
            may_mix_processes: false,
            live_heap_change: None,
            catching_up: None,
            notes: Vec::new(),
        };
        if let (Some(p), Some(from), Some(to), ProfileKind::Heap) =
            (process, group.start, group.end, kind)
        {
            group.live_heap_change = evidence.live_heap_change(p, from, to);
        }
        group.may_mix_processes = list.iter().any(|&i| evidence.snapshots[i].ambiguous);
        if list.len() >= 2 {
            let inputs: Vec<ProfileInput> = list.iter().map(|&i| profiles[i]).collect();
            match evidence.group_trend(&group, &inputs, &TrendOptions::default()) {
                Ok(r) => group.trend = Some(r),
                Err(e) => group.trend_error = Some(e.message),
            }
        }
        let steady = |p: usize| {
            let a = evidence.analysis.as_ref()?;
            Some(a.processes.get(p)?.verdict == Verdict::Steady)
        };
        if let (Some(t), Some((change, series)), Some(true)) = (
            &group.trend,
            &group.live_heap_change,
            group.process.and_then(steady),
        ) {
            group.catching_up = catching_up(t, *change, series);
        }
        groups.push(group);
    }
    split_notes(&mut groups, evidence);
    groups
}

/// See [`SnapshotGroup::catching_up`]: for a steady process's snapshots,
/// whose live heap (`series`) moved by `change` over their span.
fn catching_up(t: &TrendReport, change: f64, series: &str) -> Option<String> {
    let Leader::Grows(top) = t.leader() else {
        return None;
    };
    if t.measure != Measure::InUse {
        return None;
    }
    let signed = |v: f64| {
        format!(
            "{}{}",
            if v >= 0.0 { "+" } else { "-" },
            crate::units::label(v.abs().round() as i64, "bytes")
        )
    };
    (change < 0.2 * top.growth as f64).then(|| {
        format!(
            "{} rose {} across {} snapshots, while the live heap ({series} at its lowest) moved {} over the same span: Go heap profiles trail the heap by up to two collections, so these were catching up, not growing",
            top.name,
            signed(top.growth as f64),
            t.snapshots.len(),
            signed(change)
        )
    })
}

/// Where a restart split one process's snapshots of a kind, each part says so.
fn split_notes(groups: &mut [SnapshotGroup], evidence: &Evidence) {
    let Some(a) = &evidence.analysis else {
        return;
    };
    // The groups of each process and kind that have a life, in order:
    // each group's note names the first others of another life, and
    // these are among the first [`LISTED`] of their own life, so only
    // those are kept (a process restarted 10,000 times, a snapshot a
    // life, would otherwise list 10,000 others for each of 10,000).
    #[derive(Default)]
    struct Lives {
        /// How many groups each life has.
        count: FxHashMap<usize, usize>,
        /// The first [`LISTED`] groups of each life, in group order.
        firsts: Vec<usize>,
        total: usize,
    }
    let mut by_process: FxHashMap<(usize, ProfileKind), Lives> = FxHashMap::default();
    let mut lives_of: FxHashMap<usize, Vec<(f64, f64)>> = FxHashMap::default();
    for (g, group) in groups.iter().enumerate() {
        let (Some(p), Some(life)) = (group.process, group.life) else {
            continue;
        };
        let lives = by_process.entry((p, group.kind)).or_default();
        let n = lives.count.entry(life).or_default();
        *n += 1;
        if *n <= LISTED {
            lives.firsts.push(g);
        }
        lives.total += 1;
    }
    for g in 0..groups.len() {
        let (Some(p), Some(life)) = (groups[g].process, groups[g].life) else {
            continue;
        };
        let lives = &by_process[&(p, groups[g].kind)];
        let count = lives.total - lives.count[&life];
        if count == 0 {
            continue;
        }
        let others: Vec<String> = lives
            .firsts
            .iter()
            .filter(|&&o| groups[o].life != Some(life))
            .take(LISTED)
            .map(|&o| groups[o].files_text())
            .collect();
        let lives = lives_of.entry(p).or_insert_with(|| a.processes[p].lives());
        let restart = lives.get(life).map(|l| l.0);
        groups[g].notes.push(format!(
            "a restart separates these from {} (another life of the process{}): they are trended apart",
            crate::analysis::joined_first(&others, count, ", "),
            match (life, restart) {
                (l, Some(t)) if l > 0 => format!(", which restarted {}", gotime::moment(t)),
                _ => String::new(),
            }
        ));
    }
}

impl Evidence {
    /// A group's trend, with a view's options (sample type, granularity);
    /// `inputs` are the group's profiles in its files' order. Without a
    /// sample type, the one the kind's claims rest on.
    pub fn group_trend(
        &self,
        group: &SnapshotGroup,
        inputs: &[ProfileInput],
        options: &TrendOptions,
    ) -> Result<TrendReport> {
        if group.may_mix_processes {
            return Err(crate::error::Error::invalid_option(
                "these snapshots were taken while several processes ran, and their names do not say whose: they may mix processes, so they are not trended together",
            ));
        }
        let mut options = options.clone();
        if options.sample_index.is_empty() {
            if let Some(t) = group.kind.claim_sample_type() {
                if inputs
                    .first()
                    .is_some_and(|p| p.profile.sample_types.iter().any(|s| s.name == t))
                {
                    options.sample_index = t.to_string();
                }
            }
        }
        if options.granularity == Granularity::Addresses {
            options.granularity = Granularity::Functions;
        }
        let metrics = group.process.map(|p| self.process_metrics(p));
        trend(
            inputs
                .iter()
                .map(|p| (p.name.to_string(), p.profile))
                .collect(),
            &options,
            metrics.as_ref(),
        )
    }

    /// What a process's metrics say, for a trend of its snapshots.
    pub fn process_metrics(&self, p: usize) -> ProcessMetrics<'_> {
        let Some(a) = &self.analysis else {
            return ProcessMetrics::default();
        };
        let members: Vec<&crate::analysis::leak::SeriesAnalysis> = self
            .series_of
            .get(p)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &a.series[i])
            .collect();
        let requests: Vec<(&Series, crate::analysis::leak::classify::Kind)> = members
            .iter()
            .filter(|s| s.role == Role::Requests)
            .filter_map(|s| Some((self.series.get(s.source)?, s.kind)))
            .collect();
        let heap = members
            .iter()
            .filter(|s| s.role == Role::Memory)
            .min_by_key(|s| work_rank(&s.name))
            .and_then(|s| self.series.get(s.source));
        let own = members
            .iter()
            .filter(|s| s.role == Role::Memory && s.verdict == Some(Verdict::Leak))
            .filter_map(|s| Some((s.bytes_per_request?, s)))
            .min_by_key(|(_, s)| work_rank(&s.name))
            .map(|(b, s)| (b, s.display.clone()));
        ProcessMetrics {
            requests: Requests::new(&requests),
            heap: heap.filter(|s| is_heap(&s.name)),
            bytes_per_request: own,
        }
    }

    /// How much a process's live heap moved from `from` to `to`: its heap
    /// series' lowest value within a minute (or three of its steps) of
    /// each, and the series' name.
    pub fn live_heap_change(&self, p: usize, from: f64, to: f64) -> Option<(f64, String)> {
        let heap = self.process_metrics(p).heap?;
        let reach = SLACK.max(3.0 * self.steps.get(p)?);
        // The points within `reach` of `t`, found by binary search (the
        // series is in time order) a second wider, then told exactly.
        let lowest = |t: f64| {
            let from = heap.times.partition_point(|&x| x < t - reach - 1.0);
            let to = heap
                .times
                .partition_point(|&x| x <= t + reach + 1.0)
                .max(from);
            heap.times[from..to]
                .iter()
                .zip(&heap.values[from..to])
                .filter(|(x, _)| (**x - t).abs() <= reach)
                .map(|(_, v)| *v)
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))))
        };
        Some((lowest(to)? - lowest(from)?, heap.name.clone()))
    }

    /// A group's first snapshot: its tie speaks for the group.
    pub fn first_of(&self, g: &SnapshotGroup) -> Option<&Snapshot> {
        self.snapshots.get(*g.members.first()?)
    }

    /// A group's profiles, oldest first, among `profiles`: the list given
    /// to [`join`] (a profile whose name is not the snapshot's is not
    /// taken: another list).
    pub fn profiles_of<'p>(
        &self,
        g: &SnapshotGroup,
        profiles: &[ProfileInput<'p>],
    ) -> Vec<ProfileInput<'p>> {
        g.members
            .iter()
            .filter_map(|&i| profiles.get(i).filter(|p| p.name == self.snapshots[i].file))
            .copied()
            .collect()
    }

    /// The groups of a process, of a kind, latest life first.
    pub fn groups_of(&self, process: usize, kind: ProfileKind) -> Vec<&SnapshotGroup> {
        let mut out: Vec<&SnapshotGroup> = self
            .groups
            .iter()
            .filter(|g| g.process == Some(process) && g.kind == kind)
            .collect();
        out.sort_stable_by_key(|g| std::cmp::Reverse((g.files.len() >= 2, g.life)));
        out
    }
}

/// `leakscope trend --metrics`: the trend of the snapshots given, with
/// their process's metrics when the evidence ties them to one. Snapshots
/// of several processes are refused; when a restart separates them, the
/// latest life's are trended and the others named.
pub fn trend_with_metrics(
    metrics: SeriesSet,
    inputs: &[ProfileInput],
    options: &TrendOptions,
) -> Result<TrendReport> {
    let e = join(Some(metrics), inputs, &AnalyzeOptions::default());
    let processes: Vec<usize> = {
        let mut p: Vec<usize> = e.snapshots.iter().filter_map(|s| s.process).collect();
        p.sort_unstable();
        p.dedup();
        p
    };
    if processes.len() > 1 {
        let a = e.analysis.as_ref().expect("joined with metrics");
        let parts: Vec<String> = processes
            .iter()
            .map(|&p| {
                let files: Vec<&str> = e
                    .snapshots
                    .iter()
                    .filter(|s| s.process == Some(p))
                    .map(|s| s.file.as_str())
                    .collect();
                format!(
                    "{} ({})",
                    who(&a.processes[p].labels),
                    crate::analysis::joined_at_most(&files, ", ")
                )
            })
            .collect();
        return Err(crate::error::Error::invalid_option(format!(
            "the snapshots come from {} processes: {}; trend one process's snapshots at a time",
            processes.len(),
            parts.join("; ")
        )));
    }
    // The series to trend: the latest life's with two or more snapshots
    // (or all of them, untied).
    let mut warnings = Vec::new();
    let chosen = e
        .groups
        .iter()
        .filter(|g| g.files.len() >= 2)
        .max_by_key(|g| (g.process.is_some(), g.life, g.end.map(|t| t as i64)));
    let Some(g) = chosen else {
        // Not two of one series: trend them as given (the trend says why not).
        return trend(
            inputs
                .iter()
                .map(|p| (p.name.to_string(), p.profile))
                .collect(),
            options,
            None,
        );
    };
    let chosen_index = g.members.first().and_then(|&i| e.snapshots[i].group);
    let left_out: Vec<&str> = e
        .snapshots
        .iter()
        .filter(|s| s.group != chosen_index)
        .map(|s| s.file.as_str())
        .collect();
    if !left_out.is_empty() {
        warnings.push(format!(
            "left out, as another life or series than the rest: {}",
            crate::analysis::joined_at_most(&left_out, ", ")
        ));
    }
    warnings.extend(g.notes.iter().cloned());
    if g.process.is_none() {
        if let Some(s) = e.first_of(g) {
            warnings.push(format!(
                "not tied to the metrics ({}): no bytes per request",
                s.tie
            ));
        }
    }
    let members = e.profiles_of(g, inputs);
    let mut r = e.group_trend(g, &members, options)?;
    warnings.append(&mut r.warnings);
    r.warnings = warnings;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::trend::{SiteVerdict, Suspect};

    /// A heap trend whose leading site rose by `growth` bytes.
    fn heap_trend(growth: i64, verdict: SiteVerdict) -> TrendReport {
        TrendReport {
            kind: ProfileKind::Heap,
            measure: Measure::InUse,
            sample_type: "inuse_space".into(),
            unit: "bytes".into(),
            granularity: Granularity::Functions,
            ordered_by: "time",
            snapshots: Vec::new(),
            suspects: vec![Suspect {
                rank: 1,
                started: None,
                longest_wait_minutes: None,
                name: "main.(*Store).Keep".into(),
                node: "main.(*Store).Keep".into(),
                file: String::new(),
                line: None,
                via: None,
                user_code: true,
                values: vec![40 << 20, (40 << 20) + growth],
                growth,
                slope_per_hour: None,
                per_snapshot: growth as f64,
                share_of_growth: 1.0,
                monotonic: 1.0,
                z: None,
                verdict,
                bytes_per_object: None,
                bytes_per_request: None,
            }],
            metrics: None,
            warnings: Vec::new(),
            left_out: None,
            weighed_by_sampling: true,
        }
    }

    #[test]
    fn snapshots_catching_up_with_a_level_heap() {
        let mb = 1024.0 * 1024.0;
        // The site rose 25 MB while the live heap moved 0.4 MB: catching up.
        let t = heap_trend(25 << 20, SiteVerdict::Growing);
        let said = catching_up(&t, 0.4 * mb, "go_memstats_heap_inuse_bytes").unwrap();
        assert!(
            said.starts_with("main.(*Store).Keep rose +25MB across"),
            "{said}"
        );
        assert!(said.contains("moved +409.60kB"), "{said}");
        // The live heap rose with it (a fifth or more): real growth.
        assert!(catching_up(&t, 6.0 * mb, "h").is_none());
        // Nothing grows: nothing to explain.
        assert!(catching_up(&heap_trend(25 << 20, SiteVerdict::Stable), 0.0, "h").is_none());
    }
}

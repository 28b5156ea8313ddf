//! The answer first: one card per process from the joined evidence (leak
//! or steady, bytes per request, OOM kills and the limit, the culprit from
//! the heap snapshots tied to it, the goroutines that pile up), one card
//! per series of snapshots tied to no process, each naming its evidence
//! (which files, which time span) and linking to it.
//!
//! Claims follow from the evidence alone, never from what a view shows: a
//! red card for snapshots only when a site's in-use memory (or goroutine
//! count) grows beyond what sampling explains; otherwise a neutral
//! "largest in use". Where the metrics and the snapshots disagree, the
//! card says so and is neither red nor green.

mod incidents;

use crate::analysis::evidence::{who, Evidence, ProfileInput, SnapshotGroup};
use crate::analysis::leak::work::IdleGrowth;
use crate::analysis::leak::{Analysis, ProcessAnalysis, Verdict};
use crate::analysis::options::ReportOptions;
use crate::analysis::top::top;
use crate::analysis::trend::{
    goroutine_sites, GoroutineSite, Leader, LeftOutSites, Measure, ProfileKind, Suspect,
    TrendReport,
};
use crate::model::Profile;
use crate::render::gotime;
use crate::sort::SortStable;
use crate::units::{self, percentage};
use crate::words::{capitalized, times};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Overview {
    pub cards: Vec<Card>,
    /// The OOM kills and Kubernetes containers the files tell of, one row
    /// each, under the cards.
    pub tables: Vec<Table>,
    /// Said once under the cards (what the units mean).
    pub notes: Vec<String>,
}

/// A table of facts, every cell text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Table {
    /// `oom-kills` or `containers`.
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<&'static str>,
    /// The first rows (at most 500 are sent to the page).
    pub rows: Vec<Vec<String>>,
    /// How many rows there are, shown or not.
    pub total: usize,
    /// Said under the table (rows left out).
    pub note: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Card {
    /// `leak`, `steady`, `inconclusive` or `info`: how to colour it.
    pub tone: &'static str,
    pub title: String,
    /// The answer in one or two sentences.
    pub headline: String,
    pub facts: Vec<Fact>,
    /// Where the evidence is.
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Link {
    pub label: String,
    /// The page view (`charts`, `trend`, `top`, `list`, `diff`).
    pub view: &'static str,
    /// View parameters (pprof's URL names where they exist: `f`, `si`...).
    pub params: Vec<(String, String)>,
}

/// What pprof's size units mean, said once wherever sizes are written.
pub const UNITS_NOTE: &str =
    "Sizes use pprof's units: 1 kB = 1024 bytes, 1 MB = 2^20 bytes, 1 GB = 2^30 bytes.";

fn fact(label: &str, value: String) -> Fact {
    Fact {
        label: label.to_string(),
        value,
    }
}

fn link(label: &str, view: &'static str, params: &[(&str, &str)]) -> Link {
    Link {
        label: label.to_string(),
        view,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn bytes(v: f64) -> String {
    units::label(v.round() as i64, "bytes")
}

/// What a series of snapshots says.
enum Finding<'a> {
    /// A site grows (in-use memory or goroutines): the culprit.
    Grows(&'a Suspect, &'a TrendReport),
    /// Nothing grows beyond sampling noise.
    Holds(&'a TrendReport),
    /// The trend left out sites that could be growing: no culprit, and no
    /// "nothing grows" either.
    Unsure(&'a TrendReport, &'a LeftOutSites),
    /// One snapshot, or no trend: only what is largest.
    Single,
}

fn finding(g: &SnapshotGroup) -> Finding<'_> {
    match &g.trend {
        Some(t) if t.measure.can_leak() => match t.leader() {
            Leader::Grows(s) => Finding::Grows(s, t),
            Leader::Nothing => Finding::Holds(t),
            Leader::Unsure(l) => Finding::Unsure(t, l),
        },
        _ => Finding::Single,
    }
}

/// The most process cards, and the most cards of snapshots tied to no
/// process: a file of 200,000 one-point series is 200,000 processes,
/// more than a page can show or anyone read; the rest are counted in a
/// note.
pub const MAX_PROCESS_CARDS: usize = 100;

/// The most processes the Memory view charts, the first by rank: each is a
/// few charts of SVG; past this many they are counted in a note, and their
/// cards offer no Memory chart link.
pub const MAX_CHARTED_PROCESSES: usize = 20;

/// The overview of what is loaded.
pub fn overview(evidence: &Evidence, profiles: &[ProfileInput]) -> Overview {
    let mut cards = Vec::new();
    let mut left_out = Vec::new();
    if let Some(a) = &evidence.analysis {
        let mut order: Vec<(usize, &ProcessAnalysis)> = a.processes.iter().enumerate().collect();
        order.sort_stable_by_key(|(_, p)| p.rank);
        for &(p, pa) in order.iter().take(MAX_PROCESS_CARDS) {
            cards.push(process_card(evidence, a, p, pa, profiles));
        }
        if order.len() > MAX_PROCESS_CARDS {
            left_out.push(format!(
                "{} more processes not shown: the Overview shows the first {MAX_PROCESS_CARDS} by rank (`leakscope analyze` lists them all)",
                order.len() - MAX_PROCESS_CARDS
            ));
        }
        cards.extend(incidents::card(a));
    }
    // Snapshots tied to no process: a card per series, as many as the
    // processes may have (10,000 snapshots taken while 10,000 processes
    // ran are 10,000 series of one).
    let untied: Vec<&SnapshotGroup> = evidence
        .groups
        .iter()
        .filter(|g| g.process.is_none())
        .collect();
    for g in untied.iter().take(MAX_PROCESS_CARDS) {
        if let Some(card) = untied_card(evidence, g, profiles) {
            cards.push(card);
        }
    }
    if untied.len() > MAX_PROCESS_CARDS {
        left_out.push(format!(
            "{} more series of snapshots tied to no process not shown: the Overview shows the first {MAX_PROCESS_CARDS} (`leakscope analyze` lists them all)",
            untied.len() - MAX_PROCESS_CARDS
        ));
    }
    // The answer first: a leak (a process's, or snapshots' tied to no
    // process) before what could not be told, before what holds steady.
    // Stable, so processes keep their rank within each.
    cards.sort_stable_by_key(|c| match c.tone {
        "leak" => 0,
        "inconclusive" => 1,
        "steady" => 2,
        _ => 3,
    });
    // A lone profile of a kind that is never trended (CPU, contention).
    if cards.is_empty() {
        if let Some(s) = evidence.snapshots.last() {
            if let Some(p) = profiles.iter().find(|p| p.name == s.file) {
                if let Some(c) = largest(p.name, p.profile, None) {
                    let when = s.time.map(|t| format!(" ({})", gotime::moment(t)));
                    cards.push(Card {
                        tone: "info",
                        title: "Largest in the profile".into(),
                        headline: c.sentence,
                        facts: vec![fact(
                            "Evidence",
                            format!("{}{}", s.file, when.unwrap_or_default()),
                        )],
                        links: vec![
                            c.read_in.link("Top", "top", &[]),
                            c.read_in.link("Source", "list", &[("list", &c.name)]),
                        ],
                    });
                }
            }
        }
    }
    let mut notes = if cards.is_empty() {
        Vec::new()
    } else {
        vec![UNITS_NOTE.to_string()]
    };
    notes.extend(left_out);
    let tables = evidence
        .analysis
        .as_ref()
        .map(|a| incidents::tables(a, ""))
        .unwrap_or_default();
    Overview {
        cards,
        tables,
        notes,
    }
}

fn process_card(
    evidence: &Evidence,
    a: &Analysis,
    index: usize,
    p: &ProcessAnalysis,
    profiles: &[ProfileInput],
) -> Card {
    let main = p.main_series.map(|m| &a.series[m]);
    let mut facts = Vec::new();
    let mut sentence = Vec::new();
    let mut tone = match p.verdict {
        Verdict::Leak => "leak",
        Verdict::Steady => "steady",
        Verdict::Inconclusive => "inconclusive",
    };
    match p.verdict {
        Verdict::Leak => {
            let mut s = if p.goroutine_leak {
                "Goroutine leak".to_string()
            } else {
                "Leak".to_string()
            };
            if let Some(b) = p.bytes_per_request {
                s.push_str(&format!(": keeps about {} per request", bytes(b)));
                facts.push(fact("Per request", bytes(b)));
            } else if let Some(g) = p.growth_per_hour {
                s.push_str(&format!(": grows about {}/h", bytes(g)));
            }
            sentence.push(s);
        }
        Verdict::Steady => sentence.push("Steady: memory levels off (no leak)".to_string()),
        Verdict::Inconclusive => sentence.push("Inconclusive".to_string()),
    }
    if let Some(g) = p.goroutines_per_request {
        facts.push(fact("Goroutines per request", units::format_g(g, 3)));
    }
    if let Some(g) = p.growth_per_hour.filter(|_| p.verdict == Verdict::Leak) {
        facts.push(fact("Growth", format!("+{}/h", bytes(g))));
    }
    if p.restarts > 0 {
        let peaks: Vec<f64> = main
            .map(|m| m.restarts.iter().map(|r| r.peak).collect())
            .unwrap_or_default();
        // Its memory's peaks are before the restarts that ended a life it
        // was seen in: "at about" for all of them only when that is all.
        let at = peaks
            .iter()
            .copied()
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
            .map(|hi| {
                if peaks.len() == p.restarts {
                    format!(" at about {}", bytes(hi))
                } else {
                    format!(
                        " (memory seen up to {} of them, at about {})",
                        peaks.len(),
                        bytes(hi)
                    )
                }
            })
            .unwrap_or_default();
        let restarted = format!("restarted {}{at}", times(p.restarts as u64));
        sentence.push(match (p.restarts, p.oom_kills) {
            (_, 0) => restarted,
            (1, _) => format!("{restarted}, an OOM kill"),
            (_, 1) => format!("{restarted}, 1 of them an OOM kill"),
            (_, k) => format!("{restarted}, {k} of them OOM kills"),
        });
        facts.push(fact("Restarts", p.restart_count()));
    }
    if !p.unmatched_oom_kills.is_empty() {
        facts.push(fact("OOM kills matching no restart", {
            let kills: Vec<String> = p
                .unmatched_oom_kills
                .iter()
                .map(|k| {
                    let when = k
                        .time
                        .map(gotime::moment)
                        .unwrap_or_else(|| "no time".into());
                    match k.pid {
                        Some(pid) => format!("{} (pid {pid}) at {when}", k.process),
                        None => format!("{} at {when}", k.process),
                    }
                })
                .collect();
            let mut listed = crate::analysis::joined_at_most(&kills, "; ");
            if kills.len() > crate::analysis::LISTED {
                listed += " (the OOM kills table lists each)";
            }
            listed
        }));
    }
    if let Some(m) = main {
        if let (Some(l), Some(src)) = (m.limit, m.limit_source) {
            facts.push(fact("Limit", format!("{} ({src})", bytes(l))));
        }
    }
    if let Some(t) = p.time_to_limit_s.filter(|_| p.verdict == Verdict::Leak) {
        facts.push(fact(
            "Time to limit",
            gotime::duration_string((t * 1e9) as i64),
        ));
    }
    if let Some(idle) = p.growth_when_idle {
        let text = match idle {
            IdleGrowth::Stops => "stops (per-request leak)",
            IdleGrowth::Slows => "slows",
            IdleGrowth::Continues => "continues (background leak)",
        };
        facts.push(fact("When idle", text.to_string()));
    }
    // The Memory view charts only the first processes by rank.
    let mut links = Vec::new();
    if p.rank <= MAX_CHARTED_PROCESSES {
        links.push(link("Memory chart", "charts", &[]));
    }
    let mut evidence_text = vec![metrics_evidence(a, index)];

    // The heap snapshots tied to this process.
    if let Some(g) = evidence.groups_of(index, ProfileKind::Heap).first() {
        evidence_text.push(format!("heap snapshots {}", group_span(g)));
        match finding(g) {
            // The profiles catching up with a level heap: no culprit.
            Finding::Grows(..) if g.catching_up.is_some() => {
                facts.push(fact(
                    "Heap snapshots",
                    g.catching_up.clone().unwrap_or_default(),
                ));
                links.push(link("Suspects", "trend", &[]));
            }
            Finding::Grows(s, t) => {
                let c = culprit(s, t, latest_of(g, profiles));
                sentence.push(format!("culprit {}", c.sentence));
                facts.push(fact(
                    "Culprit",
                    format!("{} {}", c.name, c.place).trim().to_string(),
                ));
                if p.verdict == Verdict::Steady {
                    // The snapshots and the memory floor disagree: say both.
                    tone = "inconclusive";
                    sentence.push(
                        "but the memory floor is level: the snapshots' growth may be a cache filling or a burst; compare them over a longer span".into(),
                    );
                }
                links.push(link("Suspects", "trend", &[]));
                links.push(
                    c.read_in
                        .link("Top", "top", &[("f", &regex_escape(&c.name))]),
                );
                links.push(c.read_in.link("Source", "list", &[("list", &c.name)]));
            }
            Finding::Holds(t) => {
                let mut text = format!(
                    "no allocation site grows beyond sampling noise across {} snapshots",
                    t.snapshots.len()
                );
                if let Some(l) =
                    latest_of(g, profiles).and_then(|(n, p)| largest(n, p, Some(&t.sample_type)))
                {
                    text.push_str(&format!("; largest in use: {}", l.sentence));
                }
                facts.push(fact("Heap snapshots", text));
                if p.verdict == Verdict::Leak {
                    sentence.push(format!(
                        "the heap snapshots ({}) show no site growing: they may be too close together, or the growth is outside the Go heap",
                        g.files_text()
                    ));
                }
                links.push(link("Suspects", "trend", &[]));
            }
            Finding::Unsure(t, left) => {
                facts.push(fact("Heap snapshots", left.why_unsure(&t.unit)));
                links.push(link("Suspects", "trend", &[]));
            }
            Finding::Single => {
                if let Some(l) =
                    latest_of(g, profiles).and_then(|(n, p)| largest(n, p, Some("inuse_space")))
                {
                    facts.push(fact("Largest in use", l.sentence));
                    links.push(l.read_in.link("Top", "top", &[]));
                }
                if let Some(e) = &g.trend_error {
                    facts.push(fact("Heap snapshots", format!("no trend: {e}")));
                }
            }
        }
        for n in &g.notes {
            facts.push(fact("Note", n.clone()));
        }
    }
    // The goroutine snapshots tied to it.
    for kind in [ProfileKind::Goroutineleak, ProfileKind::Goroutine] {
        if let Some(g) = evidence.groups_of(index, kind).first() {
            evidence_text.push(format!("{} profiles {}", kind.name(), group_span(g)));
            if let Some(text) = goroutine_fact(g, profiles) {
                facts.push(fact("Goroutines", text));
                links.push(link("Goroutine suspects", "trend", &[]));
            }
        }
    }
    facts.push(fact("Evidence", evidence_text.join("; ")));
    Card {
        tone,
        title: format!(
            "{} {}",
            // The one to look at first: only a leak is called that (a
            // steady process ranked first among steady ones is no lead).
            if p.rank == 1 && a.processes.len() > 1 && p.verdict == Verdict::Leak {
                "First:"
            } else {
                "Process"
            },
            who(&p.labels)
        ),
        headline: format!("{}. {}", sentence.join("; "), p.reason),
        facts,
        links,
    }
}

/// Which metric files and time span a process's verdict rests on.
fn metrics_evidence(a: &Analysis, p: usize) -> String {
    let mut files: Vec<&str> = a
        .series
        .iter()
        .filter(|s| s.process == p)
        .flat_map(|s| s.inputs.iter())
        .filter_map(|&i| a.inputs.get(i).map(|r| r.file.as_str()))
        .collect();
    files.sort_unstable();
    files.dedup();
    let pa = &a.processes[p];
    let span = match (pa.start, pa.end) {
        (Some(x), Some(y)) => format!(" ({})", gotime::span(x, y)),
        _ => String::new(),
    };
    format!(
        "metrics {}{span}",
        crate::analysis::joined_at_most(&files, ", ")
    )
}

fn group_span(g: &SnapshotGroup) -> String {
    match (g.start, g.end) {
        (Some(a), Some(b)) if g.files.len() > 1 => {
            format!("{} ({})", g.files_text(), gotime::span(a, b))
        }
        (Some(a), _) => format!("{} ({})", g.files_text(), gotime::moment(a)),
        _ => g.files_text(),
    }
}

/// The latest profile of a group.
fn latest_of<'a>(
    g: &SnapshotGroup,
    profiles: &[ProfileInput<'a>],
) -> Option<(&'a str, &'a Profile)> {
    // `members` index the profiles given to `join`, these ones.
    let name = g.files.last()?;
    profiles
        .get(*g.members.last()?)
        .filter(|p| p.name == name)
        .map(|p| (p.name, p.profile))
}

/// A goroutine series' finding in one sentence; for a single profile or
/// dump, where most goroutines wait and which have waited longest.
fn goroutine_fact(g: &SnapshotGroup, profiles: &[ProfileInput]) -> Option<String> {
    let Some(t) = g.trend.as_ref() else {
        let (_, p) = latest_of(g, profiles)?;
        let sites = goroutine_sites(p);
        let site = |s: &GoroutineSite| {
            let mut text = format!("{} goroutines in {} ({})", s.count, s.name, s.state);
            if let Some(started) = &s.started {
                text.push_str(&format!(", {started}"));
            }
            text
        };
        let most = sites.first()?;
        let mut text = site(most);
        let longest = sites
            .iter()
            .filter_map(|s| Some((s.longest_wait_minutes?, s)))
            .max_by_key(|(m, _)| *m);
        match longest {
            Some((minutes, s)) if std::ptr::eq(s, most) => text.push_str(&format!(
                ", the longest waiting {minutes} minutes or more when the dump was taken"
            )),
            Some((minutes, s)) => text.push_str(&format!(
                "; waiting longest: {}, for {minutes} minutes or more when the dump was taken",
                site(s)
            )),
            None => {}
        }
        return Some(text);
    };
    let leader = t.leader();
    let s = match leader {
        Leader::Unsure(left) => return Some(left.why_unsure(&t.unit)),
        Leader::Grows(s) => s,
        Leader::Nothing => t.suspects.first()?,
    };
    let last = *s.values.last()?;
    let mut text = format!(
        "{} goroutines in {}{}",
        last,
        s.name,
        s.via
            .as_ref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default()
    );
    if let Some(started) = &s.started {
        text.push_str(&format!(", {started}"));
    }
    if let Some(m) = s.longest_wait_minutes {
        text.push_str(&format!(", waiting up to {m} minutes"));
    }
    if matches!(leader, Leader::Grows(_)) {
        text.push_str(&format!(
            "; +{} across {} snapshots ({:.0}% of the growth)",
            s.growth,
            t.snapshots.len(),
            100.0 * s.share_of_growth
        ));
        if t.measure == Measure::LeakedGoroutines {
            text.push_str("; the runtime proved every one of them leaked");
        }
    } else {
        text.push_str(&format!(
            "; no site grows across {} snapshots",
            t.snapshots.len()
        ));
    }
    Some(text)
}

/// A card for a series of snapshots tied to no process.
fn untied_card(evidence: &Evidence, g: &SnapshotGroup, profiles: &[ProfileInput]) -> Option<Card> {
    // Said only beside metrics: with an OOM log alone there are none.
    let mut why = if evidence
        .analysis
        .as_ref()
        .is_some_and(|a| !a.series.is_empty())
    {
        evidence
            .first_of(g)
            .map(|s| format!(" Not tied to the metrics: {}.", s.tie))
            .unwrap_or_default()
    } else {
        String::new()
    };
    if let Some(e) = &g.trend_error {
        why.push_str(&format!(" No trend: {e}."));
    }
    let evidence_fact = fact(
        "Evidence",
        format!("{} profiles {}", g.kind.name(), group_span(g)),
    );
    let n = g.files.len();
    // The links open the group's own profiles: the latest, and the first
    // as the diff's base.
    let latest = g.files.last().map(String::as_str);
    let first = g.files.first().map_or("", String::as_str);
    let card = match (g.kind, finding(g)) {
        (ProfileKind::Heap, Finding::Grows(s, t)) => {
            let c = culprit(s, t, latest_of(g, profiles));
            Card {
                tone: "leak",
                title: format!("Leak suspect across {n} heap snapshots"),
                headline: format!("Culprit: {}.{why}", c.sentence),
                facts: vec![evidence_fact],
                links: vec![
                    link("Suspects", "trend", &[]),
                    c.read_in
                        .link("Top", "top", &[("f", &regex_escape(&c.name))]),
                    c.read_in.link("Source", "list", &[("list", &c.name)]),
                    c.read_in.diff_link("Diff first → last", first),
                ],
            }
        }
        (ProfileKind::Heap, Finding::Holds(t)) => {
            let largest = latest_of(g, profiles)
                .and_then(|(n, p)| largest(n, p, Some(&t.sample_type)))
                .map(|l| format!(" Largest in use: {}.", l.sentence))
                .unwrap_or_default();
            Card {
                tone: "steady",
                title: format!("No growth across {n} heap snapshots"),
                headline: format!(
                    "No allocation site grows beyond what sampling explains.{largest}{why}"
                ),
                facts: vec![evidence_fact],
                links: vec![
                    link("Suspects", "trend", &[]),
                    ReadIn::of(latest, &t.sample_type).link("Top", "top", &[]),
                ],
            }
        }
        (ProfileKind::Heap, Finding::Unsure(t, left)) => Card {
            tone: "inconclusive",
            title: format!("No culprit named across {n} heap snapshots"),
            headline: format!("{}.{why}", capitalized(&left.why_unsure(&t.unit))),
            facts: vec![evidence_fact],
            links: vec![
                link("Suspects", "trend", &[]),
                ReadIn::of(latest, &t.sample_type).link("Top", "top", &[]),
            ],
        },
        (ProfileKind::Goroutine | ProfileKind::Goroutineleak, f) => {
            let mut text = goroutine_fact(g, profiles).or_else(|| {
                latest_of(g, profiles)
                    .and_then(|(n, p)| largest(n, p, None))
                    .map(|l| l.sentence)
            })?;
            // Go's goroutineleak profile lists only goroutines the runtime
            // proved can never resume: any at all is a leak.
            let proven = g.kind == ProfileKind::Goroutineleak
                && latest_of(g, profiles).is_some_and(|(_, p)| !p.samples.is_empty());
            if proven && !text.contains("proved") {
                text.push_str("; the runtime proved each of these goroutines can never resume: a goroutine leak");
            }
            let grows = matches!(f, Finding::Grows(..)) || proven;
            Card {
                tone: if grows { "leak" } else { "info" },
                title: match (grows, g.files.as_slice()) {
                    (true, [one]) if proven => format!("Goroutine leak proven in {one}"),
                    (true, _) => {
                        format!("Goroutines pile up across {n} {} profiles", g.kind.name())
                    }
                    (false, [one]) => format!("Goroutines in {one}"),
                    (false, _) => format!("Goroutines in {n} {} profiles", g.kind.name()),
                },
                headline: format!("{text}.{why}"),
                facts: vec![evidence_fact],
                links: vec![
                    link("Suspects", "trend", &[]),
                    ReadIn::of(latest, "").link("Top", "top", &[]),
                ],
            }
        }
        (ProfileKind::Allocs, _) => {
            let (name, p) = latest_of(g, profiles)?;
            let l = largest(name, p, Some("alloc_space"))?;
            Card {
                tone: "info",
                title: format!("Allocations in {n} allocs profiles"),
                headline: format!(
                    "Largest allocator since the program started: {}. (alloc_space only grows: a rate of allocation, not a leak.){why}",
                    l.sentence
                ),
                facts: vec![evidence_fact],
                links: vec![l.read_in.link("Top", "top", &[])],
            }
        }
        (_, _) => {
            let (name, p) = latest_of(g, profiles)?;
            let l = largest(name, p, Some("inuse_space"))?;
            Card {
                tone: "info",
                title: "Largest in use".into(),
                headline: format!("{}.{why}", l.sentence),
                facts: vec![evidence_fact],
                links: vec![
                    l.read_in.link("Top", "top", &[]),
                    l.read_in.link("Source", "list", &[("list", &l.name)]),
                ],
            }
        }
    };
    Some(card)
}

/// What the profiles say about a site.
struct Culprit {
    name: String,
    place: String,
    sentence: String,
    /// The profile and sample type the sentence's figures come from.
    read_in: ReadIn,
}

/// Where a card's figures were read: its links open that profile and
/// sample type, whatever the views showed before. (They opened the last
/// profile loaded: with two programs' snapshots dropped, one card's Top
/// showed the other program.)
struct ReadIn {
    profile: Option<String>,
    sample_type: String,
}

impl ReadIn {
    fn of(profile: Option<&str>, sample_type: &str) -> ReadIn {
        ReadIn {
            profile: profile.map(String::from),
            sample_type: sample_type.to_string(),
        }
    }

    /// A link to `view` of that profile and sample type, with `params`;
    /// no base, so that the Graph and Flame views opened next are not a
    /// diff against a base chosen before (another program's, perhaps).
    fn link(&self, label: &str, view: &'static str, params: &[(&str, &str)]) -> Link {
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(p) = &self.profile {
            all.push(("profile", p));
            all.push(("base", ""));
        }
        // Always said, empty for the profile's default: a sample type
        // chosen before (a heap's inuse_space) is no goroutine profile's.
        all.push(("si", &self.sample_type));
        all.extend_from_slice(params);
        link(label, view, &all)
    }

    /// A link to the Diff view from `base` to that profile, in that
    /// sample type.
    fn diff_link(&self, label: &str, base: &str) -> Link {
        let target = self.profile.as_deref().unwrap_or("");
        link(
            label,
            "diff",
            &[
                ("base", base),
                ("target", target),
                ("si", &self.sample_type),
            ],
        )
    }
}

/// The leading growing site of a trend, with its share of in-use memory
/// (cum) in the latest snapshot.
fn culprit(s: &Suspect, t: &TrendReport, latest: Option<(&str, &Profile)>) -> Culprit {
    let place = match (s.line, &s.via) {
        (Some(l), Some(v)) => format!("({}:{l}) via {v}", base(&s.file)),
        (Some(l), None) => format!("({}:{l})", base(&s.file)),
        (None, Some(v)) => format!("via {v}"),
        (None, None) => String::new(),
    };
    let steps = s.values.len().saturating_sub(1);
    let up = (s.monotonic * steps as f64).round() as usize;
    let mut sentence = format!(
        "{} {} — {:.1}% of the growth across {} snapshots, growing in {}",
        s.name,
        place,
        100.0 * s.share_of_growth,
        s.values.len(),
        if up == steps {
            "every snapshot".to_string()
        } else {
            format!("{up} of {steps} steps")
        }
    );
    if let Some(cum) = latest.and_then(|(_, p)| cum_share(p, &t.sample_type, &s.name)) {
        sentence.push_str(&format!(", {cum} of {} in the latest", t.sample_type));
    }
    Culprit {
        name: s.name.clone(),
        place,
        sentence,
        read_in: ReadIn::of(latest.map(|(name, _)| name), &t.sample_type),
    }
}

/// pprof's cum% of a function in a profile.
fn cum_share(p: &Profile, sample_type: &str, function: &str) -> Option<String> {
    let options = ReportOptions {
        sample_index: sample_type.to_string(),
        ..ReportOptions::exact()
    };
    let r = top(p, &options).ok()?;
    let row = r.rows.iter().find(|row| row.name == function)?;
    Some(percentage(row.cum, r.context.total).trim().to_string())
}

/// A profile's largest row (by flat) of a sample type (`None` or absent:
/// the profile's default), in human units.
fn largest(name: &str, p: &Profile, sample_type: Option<&str>) -> Option<Culprit> {
    let sample_index = sample_type
        .filter(|t| p.sample_types.iter().any(|s| s.name == *t))
        .unwrap_or("")
        .to_string();
    let r = top(
        p,
        &ReportOptions {
            sample_index,
            ..ReportOptions::default()
        },
    )
    .ok()?;
    let row = r.rows.first()?;
    Some(Culprit {
        name: row.name.clone(),
        place: String::new(),
        sentence: format!(
            "{} holds {} of {} in {name} ({})",
            row.name,
            percentage(row.flat, r.context.total).trim(),
            units::label(r.context.total, &r.context.unit),
            r.context.sample_type
        ),
        read_in: ReadIn::of(Some(name), &r.context.sample_type),
    })
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The Overview's table `id` (`oom-kills` or `containers`) of the rows
/// whose text contains `query` (as `incidents::table` matches): the page sends only a table's
/// first rows, so its search past them asks here.
pub fn overview_table(evidence: &Evidence, id: &str, query: &str) -> Option<Table> {
    incidents::tables(evidence.analysis.as_ref()?, query)
        .into_iter()
        .find(|t| t.id == id)
}

/// A function name as a regex matching itself (for pprof's focus).
pub fn regex_escape(name: &str) -> String {
    regex::escape(name)
}

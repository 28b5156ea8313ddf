//! The answer first: one card per process from the metrics (leak or
//! steady, bytes per request, OOM kills and the limit), and the culprit
//! from the heap snapshots (the top leak suspect, its share of the growth
//! and of in-use memory), each with links to the evidence.

use crate::analysis::leak::{Analysis, ProcessAnalysis, Verdict};
use crate::analysis::options::ReportOptions;
use crate::analysis::top::top;
use crate::analysis::trend::{SiteVerdict, Suspect, TrendReport};
use crate::model::Profile;
use crate::units::{self, percentage};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Overview {
    pub cards: Vec<Card>,
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

/// What the profiles say: the leading suspect (with its share of in-use
/// memory in the latest snapshot), or the latest profile's top row.
pub struct Culprit {
    pub name: String,
    pub place: String,
    pub sentence: String,
}

/// The overview of what is loaded: metrics (analysed), heap snapshots
/// (their trend, when two or more), and the latest profile.
pub fn overview(
    analysis: Option<&Analysis>,
    trend: Option<&TrendReport>,
    latest: Option<(&str, &Profile)>,
) -> Overview {
    let culprit = trend
        .and_then(|t| suspect_culprit(t, latest.map(|l| l.1)))
        .or_else(|| latest.and_then(|(name, p)| top_culprit(name, p)));
    let mut cards = Vec::new();
    if let Some(a) = analysis {
        let mut order: Vec<&ProcessAnalysis> = a.processes.iter().collect();
        order.sort_by_key(|p| p.rank);
        let leaking = order.iter().filter(|p| p.verdict == Verdict::Leak).count();
        for (k, p) in order.iter().enumerate() {
            // The profiles' culprit goes to the leading leak (profiles do
            // not say which process they came from).
            let c = (p.verdict == Verdict::Leak && k == 0 && leaking >= 1)
                .then_some(culprit.as_ref())
                .flatten();
            cards.push(process_card(a, p, c));
        }
    }
    let culprit_shown = cards
        .iter()
        .any(|c| c.facts.iter().any(|f| f.label == "Culprit"));
    if let Some(t) = trend {
        if !culprit_shown {
            cards.push(trend_card(t, culprit.as_ref()));
        }
    } else if let (Some(c), false) = (&culprit, culprit_shown) {
        cards.push(Card {
            tone: "info",
            title: "Largest in the profile".into(),
            headline: c.sentence.clone(),
            facts: Vec::new(),
            links: vec![
                link("Top", "top", &[]),
                link("Source", "list", &[("list", &c.name)]),
            ],
        });
    }
    Overview { cards }
}

fn process_card(a: &Analysis, p: &ProcessAnalysis, culprit: Option<&Culprit>) -> Card {
    let labels: Vec<String> = p.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let who = if labels.is_empty() {
        "the process".to_string()
    } else {
        labels.join(", ")
    };
    let main = p.main_series.map(|m| &a.series[m]);
    let mut facts = Vec::new();
    let mut sentence = Vec::new();
    let tone = match p.verdict {
        Verdict::Leak => "leak",
        Verdict::Steady => "steady",
        Verdict::Inconclusive => "inconclusive",
    };
    match p.verdict {
        Verdict::Leak => {
            let mut s = "Leak".to_string();
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
    if let Some(g) = p.growth_per_hour {
        facts.push(fact("Growth", format!("+{}/h", bytes(g))));
    }
    if p.restarts > 0 {
        let peaks: Vec<f64> = main
            .map(|m| m.restarts.iter().filter_map(|r| r.peak).collect())
            .unwrap_or_default();
        let at = peaks
            .iter()
            .copied()
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
            .map(|hi| format!(" at about {}", bytes(hi)))
            .unwrap_or_default();
        if p.oom_kills > 0 {
            sentence.push(format!("OOM-killed {} times{at}", p.oom_kills));
        } else {
            sentence.push(format!("restarted {} times{at}", p.restarts));
        }
        facts.push(fact(
            "Restarts",
            format!("{} ({} OOM kills)", p.restarts, p.oom_kills),
        ));
    }
    if let Some(m) = main {
        if let (Some(l), Some(src)) = (m.limit, m.limit_source) {
            facts.push(fact("Limit", format!("{} ({src})", bytes(l))));
        }
    }
    if let Some(t) = p.time_to_limit_s.filter(|_| p.verdict == Verdict::Leak) {
        facts.push(fact(
            "Time to limit",
            crate::render::gotime::duration_string((t * 1e9) as i64),
        ));
    }
    if let Some(idle) = p.growth_when_idle {
        let text = match idle {
            crate::analysis::leak::work::IdleGrowth::Stops => "stops (per-request leak)",
            crate::analysis::leak::work::IdleGrowth::Slows => "slows",
            crate::analysis::leak::work::IdleGrowth::Continues => "continues (background leak)",
        };
        facts.push(fact("When idle", text.to_string()));
    }
    let mut links = vec![link("Memory chart", "charts", &[])];
    if let Some(c) = culprit {
        sentence.push(format!("culprit {}", c.sentence));
        facts.push(fact(
            "Culprit",
            format!("{} {}", c.name, c.place).trim().to_string(),
        ));
        links.push(link("Suspects", "trend", &[]));
        links.push(link("Top", "top", &[("f", &regex_escape(&c.name))]));
        links.push(link("Source", "list", &[("list", &c.name)]));
    }
    Card {
        tone,
        title: format!(
            "{} {}",
            if p.rank == 1 && a.processes.len() > 1 {
                "First:"
            } else {
                "Process"
            },
            who
        ),
        headline: format!("{}. {}", sentence.join("; "), p.reason),
        facts,
        links,
    }
}

fn trend_card(t: &TrendReport, culprit: Option<&Culprit>) -> Card {
    let n = t.snapshots.len();
    match culprit {
        Some(c) => Card {
            tone: "leak",
            title: format!("Leak suspect across {n} heap snapshots"),
            headline: format!("Culprit: {}", c.sentence),
            facts: Vec::new(),
            links: vec![
                link("Suspects", "trend", &[]),
                link("Top", "top", &[("f", &regex_escape(&c.name))]),
                link("Source", "list", &[("list", &c.name)]),
                link("Diff first → last", "diff", &[]),
            ],
        },
        None => Card {
            tone: "steady",
            title: format!("No growth across {n} heap snapshots"),
            headline: "No allocation site grows beyond what sampling explains.".into(),
            facts: Vec::new(),
            links: vec![link("Suspects", "trend", &[]), link("Top", "top", &[])],
        },
    }
}

/// The leading growing site of a trend, with its share of in-use memory
/// (cum) in the latest snapshot.
fn suspect_culprit(t: &TrendReport, latest: Option<&Profile>) -> Option<Culprit> {
    let s: &Suspect = t
        .suspects
        .first()
        .filter(|s| s.verdict == SiteVerdict::Growing)?;
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
    if let Some(cum) = latest.and_then(|p| cum_share(p, &t.sample_type, &s.name)) {
        sentence.push_str(&format!(", {cum} of {} in the latest", t.sample_type));
    }
    Some(Culprit {
        name: s.name.clone(),
        place,
        sentence,
    })
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

/// With one profile: its largest row.
fn top_culprit(name: &str, p: &Profile) -> Option<Culprit> {
    let r = top(p, &ReportOptions::default()).ok()?;
    let row = r.rows.first()?;
    Some(Culprit {
        name: row.name.clone(),
        place: String::new(),
        sentence: format!(
            "{} holds {} of {} in {name} ({})",
            row.name,
            percentage(row.flat, r.context.total).trim(),
            r.context.format(r.context.total),
            r.context.sample_type
        ),
    })
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A function name as a regex matching itself (for pprof's focus).
pub fn regex_escape(name: &str) -> String {
    regex::escape(name)
}

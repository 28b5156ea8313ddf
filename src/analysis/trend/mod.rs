//! Leak suspects: what keeps growing across heap snapshots heap.0 … heap.N
//! of one process.
//!
//! The pipeline: order the snapshots (by their time, else as given) and
//! check they are one program's profiles of one kind → charge every
//! sample of each to its site (see [`sites`]) → per site, its value in
//! every snapshot, growth, slope, how monotonic it is, its share of the
//! growth, and whether the growth exceeds what sampling alone can do (see
//! [`noise`]) → a verdict → suspects ranked by share of growth and
//! monotonicity → bytes per object and, with the metrics of the snapshots'
//! process (see `analysis::evidence`, which decides which process that
//! is), bytes per request.
//!
//! What a trend may claim depends on what its values measure
//! ([`Measure`]): memory in use can leak; `alloc_*` counts every
//! allocation since the program started and only grows (a rate, never a
//! leak by itself); goroutine profiles count goroutines, charged to where
//! they wait.

pub mod budget;
pub mod frames;
pub mod noise;
pub mod sites;

use crate::sort::SortStable;
use rustc_hash::FxHashMap;

use crate::analysis::leak::fit::least_squares;
use crate::analysis::leak::work::Requests;
use crate::analysis::options::Granularity;
use crate::analysis::report::total;
use crate::error::{Error, Result};
use crate::model::series::Series;
use crate::model::Profile;

pub use budget::LeftOutSites;
use budget::{sites_to_trend, MAX_TREND_CELLS};
use noise::Sampling;
use sites::{attribute, Charge, SiteData, SiteKey};

/// What kind of snapshot a profile is: only snapshots of one kind make a
/// trend, and each kind backs its own claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// A heap profile (`/debug/pprof/heap`): in-use memory by allocation site.
    Heap,
    /// Go's `allocs` profile: the heap profile's data shown as allocations
    /// since the start (its default sample type is `alloc_space`).
    Allocs,
    /// Goroutines by stack (a goroutine profile or dump).
    Goroutine,
    /// Go's `goroutineleak` profile (Go 1.26+): goroutines the runtime
    /// proved can never resume.
    Goroutineleak,
    /// CPU, contention, threads…: nothing that accumulates like a leak.
    Other,
}

impl ProfileKind {
    pub fn of(p: &Profile) -> ProfileKind {
        let has = |name: &str| p.sample_types.iter().any(|t| t.name == name);
        if has("goroutineleak") {
            ProfileKind::Goroutineleak
        } else if has("goroutine") {
            ProfileKind::Goroutine
        } else if has("inuse_space") || has("inuse_objects") {
            if p.default_sample_type.starts_with("alloc_") {
                ProfileKind::Allocs
            } else {
                ProfileKind::Heap
            }
        } else {
            ProfileKind::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Heap => "heap",
            ProfileKind::Allocs => "allocs",
            ProfileKind::Goroutine => "goroutine",
            ProfileKind::Goroutineleak => "goroutineleak",
            ProfileKind::Other => "other",
        }
    }

    /// `a heap profile`, `an allocs profile`, `another kind of profile`.
    pub fn describe(self) -> &'static str {
        match self {
            ProfileKind::Heap => "a heap profile",
            ProfileKind::Allocs => "an allocs profile",
            ProfileKind::Goroutine => "a goroutine profile",
            ProfileKind::Goroutineleak => "a goroutineleak profile",
            ProfileKind::Other => "another kind of profile",
        }
    }

    /// The sample type a claim about this kind rests on (`None`: the
    /// profile's default).
    pub fn claim_sample_type(self) -> Option<&'static str> {
        match self {
            ProfileKind::Heap => Some("inuse_space"),
            ProfileKind::Allocs => Some("alloc_space"),
            _ => None,
        }
    }
}

/// What a trend's values measure, which decides what it may claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Memory in use (`inuse_*`): a site that keeps growing is a leak suspect.
    InUse,
    /// Everything allocated since the start (`alloc_*`): it only grows, so
    /// its growth is an allocation rate, not a leak.
    Allocations,
    /// Goroutines alive (a goroutine profile or dump).
    Goroutines,
    /// Goroutines the runtime proved leaked (`goroutineleak`).
    LeakedGoroutines,
    /// Anything else (CPU, contention): growth is a rate, not a leak.
    Other,
}

impl Measure {
    fn of(sample_type: &str) -> Measure {
        match sample_type {
            t if t.starts_with("inuse_") => Measure::InUse,
            t if t.starts_with("alloc_") => Measure::Allocations,
            "goroutine" => Measure::Goroutines,
            "goroutineleak" => Measure::LeakedGoroutines,
            _ => Measure::Other,
        }
    }

    /// Whether a growing site is a leak suspect.
    pub fn can_leak(self) -> bool {
        matches!(
            self,
            Measure::InUse | Measure::Goroutines | Measure::LeakedGoroutines
        )
    }
}

/// What the metrics of the snapshots' process say (the caller decides
/// which process that is: see `analysis::evidence`).
#[derive(Default)]
pub struct ProcessMetrics<'a> {
    /// Requests it served, as cumulative counts.
    pub requests: Option<Requests>,
    /// Its heap series, read at each snapshot's time.
    pub heap: Option<&'a Series>,
    /// The metrics' own bytes per request, and the series it comes from.
    pub bytes_per_request: Option<(f64, String)>,
}

/// Options of `trend`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TrendOptions {
    /// Sample type by name or index; empty: `inuse_space` when present, else
    /// the profile's default.
    pub sample_index: String,
    /// `functions` (default), `filefunctions` or `lines`.
    pub granularity: Granularity,
}

/// What a site's values do across the snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteVerdict {
    /// Rose by more than sampling can explain, mostly step by step.
    Growing,
    /// Fell by more than sampling can explain, mostly step by step.
    Shrinking,
    /// Came and went: absent from some snapshots, or up and back down.
    Transient,
    /// Rose or fell materially, but in fewer than half the steps: a
    /// one-off step (100, 100, 100, 200 MB), not a steady climb.
    Stepped,
    /// Changed by more than sampling explains, or came and went, but by
    /// less than [`TrendReport::least_material`]: too small to call
    /// (0 → 2 MB beside 415 MB of leak).
    Minor,
    /// Held its level (within sampling noise).
    Stable,
}

impl SiteVerdict {
    pub fn name(self) -> &'static str {
        match self {
            SiteVerdict::Growing => "growing",
            SiteVerdict::Shrinking => "shrinking",
            SiteVerdict::Transient => "transient",
            SiteVerdict::Stepped => "stepped",
            SiteVerdict::Minor => "minor",
            SiteVerdict::Stable => "stable",
        }
    }

    /// What the word means, with the least material change (a size, as
    /// the report prints it) filled in, so a reader can check each row;
    /// `sampled`: whether changes were weighed against a model of the
    /// profile's sampling (else against 5% of the site's largest value).
    pub fn meaning(self, least_material: &str, sampled: bool) -> String {
        let (beyond, noise) = if sampled {
            ("by more than sampling explains", "within sampling noise")
        } else {
            (
                "by at least 5% of its largest value",
                "within 5% of its largest value",
            )
        };
        match self {
            SiteVerdict::Growing => format!(
                "rose {beyond} and by at least {least_material}, up in at least half the steps"
            ),
            SiteVerdict::Shrinking => format!(
                "fell {beyond} and by at least {least_material}, down in at least half the steps"
            ),
            SiteVerdict::Transient => {
                format!("came and went, or rose and fell back, by at least {least_material}")
            }
            SiteVerdict::Stepped => format!(
                "rose or fell {beyond} and by at least {least_material}, but in fewer than half the steps"
            ),
            SiteVerdict::Minor => {
                format!("changed {beyond}, or came and went, but by less than {least_material}")
            }
            SiteVerdict::Stable => format!("held its level {noise}"),
        }
    }

    /// Every verdict, in the order a legend lists them (the declaration's).
    pub const ALL: [SiteVerdict; 6] = [
        SiteVerdict::Growing,
        SiteVerdict::Shrinking,
        SiteVerdict::Transient,
        SiteVerdict::Stepped,
        SiteVerdict::Minor,
        SiteVerdict::Stable,
    ];
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SnapshotInfo {
    pub file: String,
    /// Unix seconds, from the profile's `time_nanos` (`null` when unset).
    pub time: Option<f64>,
    /// pprof's total of the sample type (sum of |values|).
    pub total: i64,
    /// What the metrics' heap series read at that moment, when metrics are
    /// given: the profile trails it (see [`GC_LAG`]).
    pub metrics_heap: Option<f64>,
    #[serde(skip)]
    pub time_nanos: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Suspect {
    pub rank: usize,
    /// Goroutines: the function most of them run (`runs main.worker`) or,
    /// from a dump, that created them (`created by main.serve`).
    pub started: Option<String>,
    /// Goroutines: the longest wait a dump gives, in minutes.
    pub longest_wait_minutes: Option<i64>,
    /// The site's function (or pprof's node name when it has none).
    pub name: String,
    /// pprof's node name at the report's granularity.
    pub node: String,
    /// The source file and line in that function that allocated the most
    /// (in the last snapshot).
    pub file: String,
    pub line: Option<i64>,
    /// The allocating function below it (`bytes.Repeat`), if not itself.
    pub via: Option<String>,
    /// Whether the site is the program's code (false: only library frames).
    pub user_code: bool,
    /// Its value in each snapshot, in the sample type's unit.
    pub values: Vec<i64>,
    /// Last minus first.
    pub growth: i64,
    /// Least-squares slope over the snapshot times (`null` without times).
    pub slope_per_hour: Option<f64>,
    pub per_snapshot: f64,
    /// Its share of all sites' growth (of the sites that grew).
    pub share_of_growth: f64,
    /// The fraction of steps that go the way of the overall change.
    pub monotonic: f64,
    /// The growth in standard errors of sampling (`null` without a model).
    pub z: Option<f64>,
    pub verdict: SiteVerdict,
    /// Bytes per object of what was added (or held), when the profile has
    /// space and object counts.
    pub bytes_per_object: Option<f64>,
    /// Growth in bytes over the requests served between the first and last
    /// snapshot, when metrics with a request counter are given.
    pub bytes_per_request: Option<f64>,
}

/// What the metrics say beside the profiles.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MetricsComparison {
    /// Requests served between the first and the last snapshot.
    pub requests: f64,
    /// The metrics' own figure: bytes kept per request from the heap series.
    pub metrics_bytes_per_request: Option<f64>,
    /// The series that figure comes from.
    pub metrics_series: Option<String>,
    pub caveat: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TrendReport {
    /// What the snapshots are.
    pub kind: ProfileKind,
    /// What the values measure (and so what the trend may claim).
    pub measure: Measure,
    pub sample_type: String,
    pub unit: String,
    pub granularity: Granularity,
    /// `time` or `file order`.
    pub ordered_by: &'static str,
    pub snapshots: Vec<SnapshotInfo>,
    /// Every site, suspects first (growing, by share of growth × monotonicity).
    pub suspects: Vec<Suspect>,
    pub metrics: Option<MetricsComparison>,
    pub warnings: Vec<String>,
    /// The sites not followed, past the trend's budget (see [`budget`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<LeftOutSites>,
    /// Whether changes were weighed against a model of the profile's
    /// sampling (a heap profile's space and objects); else against 5% of
    /// a site's largest value (`site_trend`'s `significant`).
    #[serde(skip)]
    pub weighed_by_sampling: bool,
}

/// The least growth that counts, as a share of the largest snapshot's
/// total: smaller changes are not a site's verdict (`site_trend`), nor can
/// a site left out of the trend grow (`budget`).
const MATERIAL_SHARE: f64 = 0.005;

/// The least share of steps a growing site rises in.
const STEADY_SHARE: f64 = 0.5;

/// How a suspect ranks: a growing site by its share of the growth ×
/// how steadily it grew (at most its share); any other site below them all.
fn rank_score(s: &Suspect) -> f64 {
    if s.verdict == SiteVerdict::Growing {
        s.share_of_growth * (0.5 + 0.5 * s.monotonic)
    } else {
        -1.0
    }
}

/// What leads a trend, as far as it can tell.
#[derive(Debug, Clone, Copy)]
pub enum Leader<'a> {
    /// Its first suspect grows, and no site it left out could rank above it.
    Grows(&'a Suspect),
    /// No site grows beyond what sampling explains, the ones it left out
    /// included.
    Nothing,
    /// Sites it left out could be growing, and one of them could rank
    /// first: it names no culprit, nor says that no site grows.
    Unsure(&'a LeftOutSites),
}

impl TrendReport {
    /// The least change a verdict other than `minor` or `stable` rests
    /// on: half a percent of the largest snapshot's total.
    pub fn least_material(&self) -> f64 {
        MATERIAL_SHARE * largest_total(&self.snapshots)
    }

    /// A line for each verdict its sites have (`minor: changed by …`),
    /// for a reader who meets `minor` beside a site that went 0 → 2 MB.
    pub fn verdict_legend(&self) -> Vec<String> {
        let least = self.least_material().ceil() as i64;
        let least = match self.measure {
            Measure::Goroutines | Measure::LeakedGoroutines => {
                crate::words::counted(least as u64, "goroutine")
            }
            _ => crate::units::label(least, &self.unit),
        };
        SiteVerdict::ALL
            .iter()
            .filter(|&&v| self.suspects.iter().any(|s| s.verdict == v))
            .map(|v| {
                format!(
                    "{}: {}",
                    v.name(),
                    v.meaning(&least, self.weighed_by_sampling)
                )
            })
            .collect()
    }

    /// The growing site the trend can name, if any (see [`Leader`]). A
    /// site left out would rank at most by its share of the growth (its
    /// steadiness counts at most 1), the first suspect ranks by its share
    /// × (½ + ½ steadiness), and both shares are of one total: so the
    /// first suspect leads when its growth × (½ + ½ steadiness) is larger
    /// than any growth left out.
    pub fn leader(&self) -> Leader<'_> {
        let top = self
            .suspects
            .first()
            .filter(|s| s.verdict == SiteVerdict::Growing);
        let Some(left) = self.left_out.as_ref().filter(|l| l.could_grow > 0) else {
            return top.map_or(Leader::Nothing, Leader::Grows);
        };
        match top {
            Some(s) if s.growth as f64 * (0.5 + 0.5 * s.monotonic) > left.largest_growth as f64 => {
                Leader::Grows(s)
            }
            _ => Leader::Unsure(left),
        }
    }
}

impl LeftOutSites {
    /// Why a trend names no culprit, in `unit`: "the trend follows 2000 of
    /// 26000 sites (…), and 12 it left out could be growing, by up to …".
    pub fn why_unsure(&self, unit: &str) -> String {
        format!(
            "the trend follows {} of {} sites (its budget of {MAX_TREND_CELLS} sites × snapshots), and {} it left out could be growing, by up to {}: it names no culprit and cannot say that no site grows",
            self.of - self.sites,
            self.of,
            self.could_grow,
            crate::units::label(self.largest_growth, unit),
        )
    }
}

/// The known lag between heap profiles and heap metrics.
pub const GC_LAG: &str = "Go heap profiles show the heap as of a completed garbage collection (up to two cycles \
     old, the runtime says), so each snapshot trails the moment it was taken, and a growth between snapshots \
     spans fewer requests than were served between them; the metrics' heap series is the heap at the moment. \
     The per-request figure from the profiles is therefore low; the metrics' own figure is the one to trust.";

/// What `alloc_*` growth means, said beside such a trend.
pub const ALLOCATIONS_ONLY_GROW: &str = "alloc_space and alloc_objects count everything allocated since the \
     program started, freed or not: they only grow. Their growth is an allocation rate, not a leak; \
     inuse_space shows what is held.";

/// Finds what grows across `snapshots` (file name, prepared profile), in
/// the order given unless their times say otherwise.
pub fn trend(
    snapshots: Vec<(String, &Profile)>,
    options: &TrendOptions,
    metrics: Option<&ProcessMetrics>,
) -> Result<TrendReport> {
    if snapshots.len() < 2 {
        return Err(Error::invalid_option(format!(
            "trend needs at least two heap snapshots of one process to see growth; got {}",
            snapshots.len()
        )));
    }
    if !matches!(
        options.granularity,
        Granularity::Functions | Granularity::Filefunctions | Granularity::Lines
    ) {
        return Err(Error::invalid_option(
            "trend works at functions, filefunctions or lines granularity",
        ));
    }
    let mut warnings = Vec::new();
    let mut snapshots = snapshots;
    let ordered_by = if snapshots.iter().all(|s| s.1.time_nanos > 0) {
        snapshots.sort_stable_by_key(|s| s.1.time_nanos);
        "time"
    } else {
        warnings.push("some snapshots have no time: taken in the order given".to_string());
        "file order"
    };
    check_same_kind(&snapshots)?;
    check_one_process(&snapshots)?;
    let first = snapshots[0].1;
    let sample_type = if options.sample_index.is_empty() {
        first
            .sample_types
            .iter()
            .position(|t| t.name == "inuse_space")
            .map_or_else(|| first.sample_type_index(""), Ok)?
    } else {
        first.sample_type_index(&options.sample_index)?
    };
    let kind = &first.sample_types[sample_type];
    let measure = Measure::of(&kind.name);
    let charge = if matches!(measure, Measure::Goroutines | Measure::LeakedGoroutines) {
        Charge::Goroutines
    } else {
        Charge::Allocations
    };
    if measure == Measure::Allocations {
        warnings.push(ALLOCATIONS_ONLY_GROW.to_string());
    }
    let sampling = sampling_of(first, &kind.name);

    // Every site's data in the snapshots that have it.
    let mut index: FxHashMap<SiteKey, usize> = FxHashMap::default();
    let mut keys: Vec<SiteKey> = Vec::new();
    let mut present: Vec<Vec<(usize, SiteData)>> = Vec::new();
    let n = snapshots.len();
    for (s, (_, p)) in snapshots.iter().enumerate() {
        for (key, data) in attribute(p, options.granularity, sample_type, charge) {
            let i = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                present.push(Vec::new());
                keys.len() - 1
            });
            match present[i].last_mut() {
                Some((t, d)) if *t == s => *d = data,
                _ => present[i].push((s, data)),
            }
        }
    }
    let mut infos: Vec<SnapshotInfo> = snapshots
        .iter()
        .map(|(file, p)| SnapshotInfo {
            file: file.clone(),
            time: (p.time_nanos > 0).then(|| p.time_nanos as f64 / 1e9),
            total: total(p, sample_type),
            metrics_heap: None,
            time_nanos: p.time_nanos,
        })
        .collect();
    for w in infos.windows(2) {
        if w[1].total < w[0].total / 2 {
            warnings.push(format!(
                "the total fell by more than half from {} to {}: a restart in between? Snapshots should come from one process",
                w[0].file, w[1].file
            ));
        }
    }
    let largest_total = largest_total(&infos);
    let (trended, left_out) = sites_to_trend(&present, n, sample_type, largest_total);
    if let Some(l) = &left_out {
        warnings.push(format!(
            "{} of {} sites left out of the trend: over {n} snapshots it follows {} (at most {MAX_TREND_CELLS} sites × snapshots): up to half of them the sites that grew the most, the rest those that held the most in some snapshot. {}; their growth still counts in the others' shares",
            l.sites,
            l.of,
            l.of - l.sites,
            match l.could_grow {
                0 => "None of those left out could be growing (none rose by 0.5% of the largest total in half the steps)".to_string(),
                k => format!(
                    "{k} of those left out could be growing, by up to {}, so the trend names no culprit unless its first suspect outranks them",
                    crate::units::label(l.largest_growth, &kind.unit)
                ),
            },
        ));
    }
    let hours: Option<Vec<f64>> = infos
        .iter()
        .map(|i| i.time.map(|t| (t - infos[0].time.unwrap_or(t)) / 3600.0))
        .collect();

    let requests = metrics.and_then(|m| requests_between(m, &infos, &mut warnings));
    if let Some(m) = metrics.filter(|_| measure == Measure::InUse) {
        read_heap_metrics(m, &mut infos);
    }
    let pair = space_objects_pair(first, &kind.name);
    let weighed_by_sampling = sampling.is_some() && pair.is_some();
    let cx = Context {
        sample_type,
        pair,
        chosen_is_space: pair.is_some_and(|(space, _)| space == sample_type),
        chosen_in_bytes: kind.unit == "bytes",
        sampling,
        hours: hours.as_deref(),
        largest_total,
        requests,
    };
    let mut suspects: Vec<Suspect> = trended
        .iter()
        .map(|&i| {
            let mut row: Vec<Option<&SiteData>> = vec![None; n];
            for (s, d) in &present[i] {
                row[*s] = Some(d);
            }
            site_trend(&keys[i], &row, &cx)
        })
        .filter(|s| s.values.iter().any(|&v| v != 0))
        .collect();
    let grown: f64 = suspects.iter().map(|s| s.growth.max(0) as f64).sum::<f64>()
        + left_out.as_ref().map_or(0.0, |l| l.growth);
    for s in &mut suspects {
        s.share_of_growth = if grown > 0.0 {
            s.growth.max(0) as f64 / grown
        } else {
            0.0
        };
    }
    // Growing sites first, by share × monotonicity; the rest by how much
    // they moved, then by name (a stable order).
    suspects.sort_stable_by(|a, b| {
        rank_score(b)
            .total_cmp(&rank_score(a))
            .then(b.growth.abs().cmp(&a.growth.abs()))
            .then(a.node.cmp(&b.node))
    });
    for (r, s) in suspects.iter_mut().enumerate() {
        s.rank = r + 1;
    }
    let metrics_comparison = match (metrics, requests) {
        (Some(m), Some(r)) => Some(MetricsComparison {
            requests: r,
            metrics_bytes_per_request: m.bytes_per_request.as_ref().map(|b| b.0),
            metrics_series: m.bytes_per_request.as_ref().map(|b| b.1.clone()),
            caveat: if measure == Measure::InUse && sampling.is_some() {
                GC_LAG.to_string()
            } else {
                String::new()
            },
        }),
        _ => None,
    };
    Ok(TrendReport {
        kind: ProfileKind::of(first),
        measure,
        sample_type: kind.name.clone(),
        unit: kind.unit.clone(),
        granularity: options.granularity,
        ordered_by,
        snapshots: infos,
        suspects,
        metrics: metrics_comparison,
        warnings,
        left_out,
        weighed_by_sampling,
    })
}

/// One process takes one snapshot at a time: two taken within a second of
/// each other are two processes' (two instances' `heap.3.pprof`).
fn check_one_process(snapshots: &[(String, &Profile)]) -> Result<()> {
    for w in snapshots.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if a.1.time_nanos > 0 && (b.1.time_nanos - a.1.time_nanos).abs() < 1_000_000_000 {
            let same = a.1.time_nanos == b.1.time_nanos
                && a.1.samples.len() == b.1.samples.len()
                && (0..a.1.sample_types.len()).all(|t| total(a.1, t) == total(b.1, t));
            return Err(Error::invalid_option(if same {
                format!(
                    "{} and {} are the same snapshot (one moment, the same samples): drop one",
                    a.0, b.0
                )
            } else {
                format!(
                    "{} and {} were taken at the same moment: they are two processes' snapshots; trend one process's at a time (a folder for each instance)",
                    a.0, b.0
                )
            }));
        }
    }
    Ok(())
}

/// Snapshots must be one program's profiles of one kind.
fn check_same_kind(snapshots: &[(String, &Profile)]) -> Result<()> {
    let (first_file, first) = &snapshots[0];
    for (file, p) in &snapshots[1..] {
        let (a, b) = (ProfileKind::of(first), ProfileKind::of(p));
        if a != b {
            return Err(Error::invalid_option(format!(
                "{file} is {} and {first_file} {}: compare snapshots of one kind",
                b.describe(),
                a.describe()
            )));
        }
    }
    let types = |p: &Profile| {
        p.sample_types
            .iter()
            .map(|t| format!("{}/{}", t.name, t.unit))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let main = |p: &Profile| {
        p.mappings
            .first()
            .map(|m| (m.file.clone(), m.build_id.clone()))
    };
    for (file, p) in &snapshots[1..] {
        if types(p) != types(first) {
            return Err(Error::invalid_option(format!(
                "{file} is another kind of profile than {first_file} (sample types {} vs {}): compare snapshots of one kind",
                types(p),
                types(first)
            )));
        }
        if let (Some((fa, ba)), Some((fb, bb))) = (main(first), main(p)) {
            let differ = (!ba.is_empty() && !bb.is_empty() && ba != bb)
                || (!fa.is_empty() && !fb.is_empty() && fa != fb);
            if differ {
                return Err(Error::invalid_option(format!(
                    "{file} comes from another program than {first_file} ({} {} vs {} {}): compare snapshots of one process",
                    fb, bb, fa, ba
                )));
            }
        }
    }
    Ok(())
}

/// The sampling model of a profile sampled by bytes (a Go heap profile),
/// for a sample type with a space/objects pair.
fn sampling_of(p: &Profile, name: &str) -> Option<Sampling> {
    space_objects_pair(p, name)
        .filter(|_| p.period > 0 && p.period_type.unit == "bytes")
        .map(|_| Sampling {
            rate: p.period as f64,
        })
}

/// What every site's figures are computed with.
struct Context<'a> {
    sample_type: usize,
    /// The (space, objects) sample types of the same kind (`inuse_space`,
    /// `inuse_objects`), when the profile has them.
    pair: Option<(usize, usize)>,
    /// Whether the chosen type is the space one of the pair.
    chosen_is_space: bool,
    /// Whether the chosen type is in bytes.
    chosen_in_bytes: bool,
    sampling: Option<Sampling>,
    hours: Option<&'a [f64]>,
    largest_total: f64,
    /// Requests served between the first and last snapshot.
    requests: Option<f64>,
}

/// The `P_space` and `P_objects` sample types of the chosen type's kind.
fn space_objects_pair(p: &Profile, name: &str) -> Option<(usize, usize)> {
    let prefix = name
        .strip_suffix("_space")
        .or_else(|| name.strip_suffix("_objects"))?;
    let find = |suffix: &str| {
        p.sample_types
            .iter()
            .position(|t| t.name == format!("{prefix}_{suffix}"))
    };
    Some((find("space")?, find("objects")?))
}

fn site_trend(key: &SiteKey, data: &[Option<&SiteData>], cx: &Context) -> Suspect {
    let value = |d: &Option<&SiteData>, t: usize| d.map_or(0, |d| d.values[t]);
    let values: Vec<i64> = data.iter().map(|d| value(d, cx.sample_type)).collect();
    let n = values.len();
    let (first, last) = (values[0], values[n - 1]);
    let growth = last.wrapping_sub(first);
    let steps = (n - 1) as f64;
    let with_trend = values
        .windows(2)
        .filter(|w| (growth > 0 && w[1] > w[0]) || (growth < 0 && w[1] < w[0]))
        .count();
    let monotonic = if growth == 0 {
        0.0
    } else {
        with_trend as f64 / steps
    };
    let slope_per_hour = cx.hours.and_then(|h| {
        let points: Vec<(f64, f64)> = h
            .iter()
            .zip(&values)
            .map(|(&t, &v)| (t, v as f64))
            .collect();
        least_squares(&points).map(|f| f.slope)
    });

    // Sampling error of the chosen value in snapshot i, when modelled.
    let error = |i: usize| -> Option<f64> {
        let (sampling, (space, objects)) = (cx.sampling.as_ref()?, cx.pair?);
        let (sp, ob) = (
            value(&data[i], space) as f64,
            value(&data[i], objects) as f64,
        );
        Some(if cx.chosen_is_space {
            sampling.space_error(sp, ob)
        } else {
            sampling.objects_error(sp, ob)
        })
    };
    let peak = values.iter().copied().max().unwrap_or(0);
    let peak_at = values.iter().position(|&v| v == peak).unwrap_or(0);
    let material = |delta: i64| {
        (delta.unsigned_abs() as f64) >= MATERIAL_SHARE * cx.largest_total && delta != 0
    };
    // A change between snapshots i and j that sampling cannot explain.
    let significant = |i: usize, j: usize| {
        let delta = values[j].wrapping_sub(values[i]);
        match (error(i), error(j)) {
            (Some(a), Some(b)) => (delta.unsigned_abs() as f64) > 3.0 * (a * a + b * b).sqrt(),
            _ => {
                let scale = values.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0) as f64;
                (delta.unsigned_abs() as f64) >= 0.05 * scale
            }
        }
    };
    let z = match (error(0), error(n - 1)) {
        (Some(a), Some(b)) if a > 0.0 || b > 0.0 => Some(growth as f64 / (a * a + b * b).sqrt()),
        _ => None,
    };
    let moved = material(growth) && significant(0, n - 1);
    let steady = monotonic >= STEADY_SHARE;
    let comes_and_goes = values.contains(&0) && material(peak);
    // Up and back down: the peak stands out from the higher end.
    let higher_end = if last >= first { n - 1 } else { 0 };
    let rises_to_peak = peak > first.max(last) && significant(higher_end, peak_at);
    let excursion = rises_to_peak && material(peak - first.max(last));
    // Any change sampling cannot explain, material or not: a site that
    // held none of its level is not "stable", however small.
    let changed = (growth != 0 && significant(0, n - 1))
        || rises_to_peak
        || (values.contains(&0) && peak > 0);
    let verdict = if moved && steady && growth > 0 {
        SiteVerdict::Growing
    } else if moved && steady && growth < 0 {
        SiteVerdict::Shrinking
    } else if comes_and_goes || excursion {
        SiteVerdict::Transient
    } else if moved {
        SiteVerdict::Stepped
    } else if changed {
        SiteVerdict::Minor
    } else {
        SiteVerdict::Stable
    };

    let bytes_per_object = cx.pair.and_then(|(space, objects)| {
        let d_space = value(&data[n - 1], space) - value(&data[0], space);
        let d_objects = value(&data[n - 1], objects) - value(&data[0], objects);
        let (sp, ob) = (value(&data[n - 1], space), value(&data[n - 1], objects));
        if growth > 0 && d_objects > 0 {
            Some(d_space as f64 / d_objects as f64)
        } else {
            (ob > 0).then(|| sp as f64 / ob as f64)
        }
    });
    let space_growth = match cx.pair {
        Some((space, _)) => Some(value(&data[n - 1], space) - value(&data[0], space)),
        None if cx.chosen_in_bytes => Some(growth),
        None => None,
    };
    let bytes_per_request = match (cx.requests, space_growth) {
        (Some(r), Some(g)) if r > 0.0 && verdict == SiteVerdict::Growing => Some(g as f64 / r),
        _ => None,
    };

    // Where in the function: the line holding most in the last snapshot
    // that has the site.
    let lines = data.iter().rev().flatten().next().map(|d| &d.lines);
    let place = lines.and_then(|l| {
        l.iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(k, _)| k.clone())
    });
    let (file, line) = place.map_or((String::new(), None), |(f, l)| (f, (l != 0).then_some(l)));
    let user_code = data.iter().flatten().any(|d| d.user_code);
    let node = key.node.printable_name();
    // Goroutines: what most of them run (or were created by) in the last
    // snapshot that has the site, and the longest wait seen.
    let started = data.iter().rev().flatten().next().and_then(|d| {
        d.started
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(k, _)| k.clone())
            .filter(|k| !k.is_empty())
    });
    let longest_wait_minutes = data.iter().flatten().filter_map(|d| d.longest_wait).max();
    Suspect {
        rank: 0,
        started,
        longest_wait_minutes,
        name: if key.node.name.is_empty() {
            node.clone()
        } else {
            key.node.name.clone()
        },
        node,
        file,
        line,
        via: (!key.via.is_empty()).then(|| key.via.clone()),
        user_code,
        values,
        growth,
        slope_per_hour,
        per_snapshot: growth as f64 / steps,
        share_of_growth: 0.0,
        monotonic,
        z,
        verdict,
        bytes_per_object,
        bytes_per_request,
    }
}

/// Where the goroutines of one snapshot wait, by count (a single goroutine
/// profile or dump, with no series to trend).
#[derive(Debug, Clone, serde::Serialize)]
pub struct GoroutineSite {
    /// The program's leaf-most frame (where they wait).
    pub name: String,
    /// What they wait for (`chan receive`, `select`, `IO wait`).
    pub state: String,
    /// What most of them run, or (from a dump) what created them.
    pub started: Option<String>,
    pub count: i64,
    /// The longest wait a dump gives (minutes).
    pub longest_wait_minutes: Option<i64>,
}

/// The goroutines of one profile by where they wait, most first.
pub fn goroutine_sites(p: &Profile) -> Vec<GoroutineSite> {
    let mut out: Vec<GoroutineSite> = attribute(p, Granularity::Functions, 0, Charge::Goroutines)
        .into_iter()
        .map(|(key, data)| GoroutineSite {
            name: if key.node.name.is_empty() {
                key.node.printable_name()
            } else {
                key.node.name.clone()
            },
            state: key.via,
            started: data
                .started
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(k, _)| k.clone())
                .filter(|k| !k.is_empty()),
            count: data.values.first().copied().unwrap_or(0),
            longest_wait_minutes: data.longest_wait,
        })
        .collect();
    out.sort_stable_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    out
}

/// Requests the process served between the first and the last snapshot.
fn requests_between(
    metrics: &ProcessMetrics,
    snapshots: &[SnapshotInfo],
    warnings: &mut Vec<String>,
) -> Option<f64> {
    let (Some(from), Some(to)) = (snapshots[0].time, snapshots[snapshots.len() - 1].time) else {
        warnings.push("the snapshots carry no times: they cannot be placed on the metrics".into());
        return None;
    };
    let Some(requests) = &metrics.requests else {
        warnings.push(
            "the process's metrics have no request counter or rate: no bytes per request".into(),
        );
        return None;
    };
    match (requests.at(from), requests.at(to)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => {
            warnings.push(
                "the process's request counts do not cover the snapshots' times: no bytes per request"
                    .into(),
            );
            None
        }
    }
}

/// The largest snapshot's total (its size, whatever the sign): what
/// [`MATERIAL_SHARE`] is a share of, for the verdicts and the legend alike.
fn largest_total(snapshots: &[SnapshotInfo]) -> f64 {
    snapshots
        .iter()
        .map(|s| s.total.unsigned_abs())
        .max()
        .unwrap_or(0) as f64
}

/// What the process's heap series read when each snapshot was taken.
fn read_heap_metrics(metrics: &ProcessMetrics, snapshots: &mut [SnapshotInfo]) {
    let Some(series) = metrics.heap else {
        return;
    };
    for snap in snapshots.iter_mut() {
        // The last reading at or before the snapshot, if recent.
        snap.metrics_heap = snap.time.and_then(|t| {
            let i = series.times.partition_point(|&x| x <= t);
            (i > 0 && t - series.times[i - 1] <= 30.0).then(|| series.values[i - 1])
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Function, Line, Location, Mapping, ValueType};

    fn owned(snaps: &[(String, Profile)]) -> Vec<(String, &Profile)> {
        snaps.iter().map(|(n, p)| (n.clone(), p)).collect()
    }

    /// A Go-heap-like profile: (stack leaf first, inuse bytes, objects).
    fn heap(time_s: i64, binary: &str, samples: &[(&[&str], i64, i64)]) -> Profile {
        let mut p = Profile::new(vec![
            ValueType::new("inuse_objects", "count"),
            ValueType::new("inuse_space", "bytes"),
        ]);
        p.time_nanos = (1_795_000_000 + time_s) * 1_000_000_000;
        p.period_type = ValueType::new("space", "bytes");
        p.period = 524288;
        p.mappings.push(Mapping {
            id: 1,
            file: binary.into(),
            ..Default::default()
        });
        let location_of = |p: &mut Profile, name: &str| -> u32 {
            if let Some(i) = p.functions.iter().position(|f| f.name == name) {
                return i as u32;
            }
            p.functions.push(Function {
                id: p.functions.len() as u64 + 1,
                name: name.into(),
                filename: "main.go".into(),
                ..Default::default()
            });
            let f = p.functions.len() as u32 - 1;
            p.locations.push(Location {
                id: p.locations.len() as u64 + 1,
                mapping: Some(0),
                lines: vec![Line {
                    function: f,
                    line: 10 + f as i64,
                    column: 0,
                }],
                ..Default::default()
            });
            p.locations.len() as u32 - 1
        };
        for (stack, space, objects) in samples {
            let locs: Vec<u32> = stack.iter().map(|n| location_of(&mut p, n)).collect();
            p.samples.push(&[*objects, *space], &locs, 0).unwrap();
        }
        p
    }

    const LEAK: &[&str] = &[
        "bytes.Repeat",
        "main.(*Tracker).Track",
        "main.handler",
        "net/http.(*conn).serve",
    ];
    const BUFS: &[&str] = &["bufio.NewReaderSize", "net/http.(*conn).serve"];

    fn snapshot(t: i64, leaked: i64) -> (String, Profile) {
        let p = heap(
            t,
            "/bin/svc",
            &[(LEAK, leaked * 10240, leaked), (BUFS, 4 << 20, 1024)],
        );
        (format!("heap.{t}"), p)
    }

    #[test]
    fn the_growing_site_is_the_programs_frame_via_the_allocator() {
        // Given out of order: times decide.
        let snaps = vec![
            snapshot(30, 3000),
            snapshot(0, 100),
            snapshot(60, 6000),
            snapshot(90, 9000),
        ];
        let r = trend(owned(&snaps), &TrendOptions::default(), None).unwrap();
        assert_eq!(r.ordered_by, "time");
        assert_eq!(
            r.snapshots
                .iter()
                .map(|s| s.file.as_str())
                .collect::<Vec<_>>(),
            ["heap.0", "heap.30", "heap.60", "heap.90"]
        );
        let top = &r.suspects[0];
        assert_eq!(
            (top.name.as_str(), top.via.as_deref()),
            ("main.(*Tracker).Track", Some("bytes.Repeat"))
        );
        assert_eq!(
            (top.verdict, top.user_code, top.monotonic),
            (SiteVerdict::Growing, true, 1.0)
        );
        assert_eq!(top.share_of_growth, 1.0);
        assert_eq!(top.bytes_per_object, Some(10240.0));
        // 8900 objects of 10 kB in 90 s.
        let per_hour = top.slope_per_hour.unwrap();
        assert!(
            (per_hour - 8900.0 * 10240.0 * 40.0).abs() < 0.01 * per_hour,
            "{per_hour}"
        );
        // The library-only site keeps its leaf, and holds still.
        let bufs = r
            .suspects
            .iter()
            .find(|s| s.name == "bufio.NewReaderSize")
            .unwrap();
        assert_eq!(
            (bufs.verdict, bufs.user_code, bufs.via.as_deref()),
            (SiteVerdict::Stable, false, None)
        );
    }

    #[test]
    fn a_culprit_is_named_only_when_no_site_left_out_could_outrank_it() {
        let snaps = vec![
            snapshot(0, 100),
            snapshot(30, 3000),
            snapshot(60, 6000),
            snapshot(90, 9000),
        ];
        let mut r = trend(owned(&snaps), &TrendOptions::default(), None).unwrap();
        let top = r.suspects[0].name.clone();
        let growth = r.suspects[0].growth;
        assert!(matches!(r.leader(), Leader::Grows(s) if s.name == top));
        let left = |could_grow: usize, largest_growth: i64| LeftOutSites {
            sites: 5,
            of: 7,
            could_grow,
            largest_growth,
            growth: largest_growth as f64,
        };
        // Sites left out that could not be growing change nothing.
        r.left_out = Some(left(0, 0));
        assert!(matches!(r.leader(), Leader::Grows(s) if s.name == top));
        // One that grew a byte less cannot outrank it (the top grew in
        // every step) …
        r.left_out = Some(left(1, growth - 1));
        assert!(matches!(r.leader(), Leader::Grows(s) if s.name == top));
        // … one that grew as much could.
        r.left_out = Some(left(1, growth));
        let Leader::Unsure(l) = r.leader() else {
            panic!("a site left out grew as much as the top suspect");
        };
        let why = l.why_unsure(&r.unit);
        assert!(
            why.starts_with("the trend follows 2 of 7 sites")
                && why.contains("1 it left out could be growing, by up to 86.91MB"),
            "{why}"
        );

        // Nothing grows among the followed sites: "nothing" only if
        // nothing left out could grow either.
        let flat = vec![snapshot(0, 100), snapshot(30, 100)];
        let mut r = trend(owned(&flat), &TrendOptions::default(), None).unwrap();
        assert!(matches!(r.leader(), Leader::Nothing));
        r.left_out = Some(left(0, 0));
        assert!(matches!(r.leader(), Leader::Nothing));
        r.left_out = Some(left(3, 1));
        assert!(matches!(r.leader(), Leader::Unsure(_)));
    }

    #[test]
    fn sampling_noise_is_not_growth() {
        // 3000 buffers of 10 kB held, read ±4 MB by sampling: a rise of
        // 2 MB is noise; 3σ is about 16 MB here.
        let snaps = vec![snapshot(0, 3000), snapshot(30, 3100), snapshot(60, 3200)];
        let r = trend(owned(&snaps), &TrendOptions::default(), None).unwrap();
        let s = r
            .suspects
            .iter()
            .find(|s| s.name == "main.(*Tracker).Track")
            .unwrap();
        assert_eq!(s.verdict, SiteVerdict::Stable, "z {:?}", s.z);
        assert!(r.suspects.iter().all(|s| s.verdict != SiteVerdict::Growing));
    }

    #[test]
    fn a_small_change_is_minor_and_a_one_off_step_is_stepped_not_stable() {
        // Beside a 400 MB site: a site that appears with 1 MB (under the
        // 2 MB that is half a percent of the total) is minor; one that
        // jumps 100 → 200 MB in one of three steps is stepped; one that
        // holds 4 MB throughout is stable.
        const STEP: &[&str] = &["main.cache", "main.handler"];
        const SMALL: &[&str] = &["main.small", "main.handler"];
        let at = |t: i64, step_mb: i64, small: i64| {
            let p = heap(
                t,
                "/bin/svc",
                &[
                    (LEAK, 400 << 20, 40_000),
                    (BUFS, 4 << 20, 1024),
                    (STEP, step_mb << 20, step_mb * 100),
                    (SMALL, small, small / 1024),
                ],
            );
            (format!("heap.{t}"), p)
        };
        let snaps = vec![
            at(0, 100, 0),
            at(30, 100, 0),
            at(60, 100, 1 << 20),
            at(90, 200, 1 << 20),
        ];
        let r = trend(owned(&snaps), &TrendOptions::default(), None).unwrap();
        let verdict = |name: &str| r.suspects.iter().find(|s| s.name == name).unwrap().verdict;
        assert_eq!(verdict("main.small"), SiteVerdict::Minor);
        assert_eq!(verdict("main.cache"), SiteVerdict::Stepped);
        assert_eq!(verdict("bufio.NewReaderSize"), SiteVerdict::Stable);
        // The legend names the threshold each row can be checked against:
        // half a percent of the largest total, 605 MB.
        let legend = r.verdict_legend();
        assert_eq!(
            legend
                .iter()
                .map(|l| l.split(':').next().unwrap())
                .collect::<Vec<_>>(),
            ["stepped", "minor", "stable"]
        );
        assert!(legend[1].ends_with("by less than 3.03MB"), "{legend:?}");
    }

    #[test]
    fn one_snapshot_mixed_kinds_and_programs_are_refused() {
        let e = trend(owned(&[snapshot(0, 1)]), &TrendOptions::default(), None).unwrap_err();
        assert!(
            e.message.contains("at least two heap snapshots"),
            "{}",
            e.message
        );
        let mut cpu = snapshot(30, 2);
        cpu.1.sample_types = vec![
            ValueType::new("samples", "count"),
            ValueType::new("cpu", "nanoseconds"),
        ];
        let e = trend(
            owned(&[snapshot(0, 1), cpu]),
            &TrendOptions::default(),
            None,
        )
        .unwrap_err();
        assert!(
            e.message.contains("another kind of profile"),
            "{}",
            e.message
        );
        let other = (
            "other".to_string(),
            heap(30, "/bin/other", &[(LEAK, 10240, 1)]),
        );
        let e = trend(
            owned(&[snapshot(0, 1), other]),
            &TrendOptions::default(),
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("another program"), "{}", e.message);
        let lines = TrendOptions {
            granularity: Granularity::Addresses,
            ..Default::default()
        };
        assert!(trend(owned(&[snapshot(0, 1), snapshot(1, 2)]), &lines, None).is_err());
    }

    #[test]
    fn two_processes_snapshots_at_one_moment_are_refused() {
        let e = trend(
            owned(&[snapshot(0, 100), snapshot(0, 200)]),
            &TrendOptions::default(),
            None,
        )
        .unwrap_err();
        assert!(
            e.message.contains("taken at the same moment"),
            "{}",
            e.message
        );
    }

    #[test]
    fn without_times_the_order_given_is_kept_and_said() {
        let mut a = snapshot(0, 100);
        let mut b = snapshot(0, 5000);
        a.1.time_nanos = 0;
        b.1.time_nanos = 0;
        let r = trend(owned(&[a, b]), &TrendOptions::default(), None).unwrap();
        assert_eq!(r.ordered_by, "file order");
        assert!(r.warnings.iter().any(|w| w.contains("no time")));
        assert_eq!(r.suspects[0].slope_per_hour, None);
        assert_eq!(r.suspects[0].verdict, SiteVerdict::Growing);
    }
}

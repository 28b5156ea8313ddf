//! Flame graphs (drawn as icicles: roots on top), computed as rectangles.
//!
//! Every sample's stack is read root first as a sequence of frame names at
//! the report's granularity; the sequences are sorted, so the samples
//! under any frame (the samples whose sequence starts with that frame's
//! path) are one contiguous run, and a frame's value is a difference of
//! prefix sums. A view walks down from the frame it is zoomed into and
//! stops at frames narrower than a threshold, so its cost follows what is
//! drawn, not the size of the tree (a million random stacks make tens of
//! millions of distinct frames). Recursion keeps its own frames, as flame
//! graphs do. The caller view of one function (pprof's pivot,
//! speedscope's sandwich) does the same with every stack cut at the
//! function: its callers read upwards, its callees downwards.

use crate::sort::SortStable;
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::model::name_regex::NameRegex;
use crate::model::Profile;

use super::filter::{self, View};
use super::nodes::NodeTable;
use super::options::ReportOptions;
use super::report::ReportContext;

/// Samples' frame sequences, sorted, with prefix sums of their values.
pub struct Stacks {
    /// Frame names; ids are in alphabetical order, so sorted sequences
    /// list a frame's children alphabetically.
    pub names: Vec<String>,
    index: FxHashMap<String, u32>,
    /// All sequences, root first, one after another.
    frames: Vec<u32>,
    /// Sequence k is `frames[starts[k]..starts[k + 1]]`, in sorted order.
    starts: Vec<usize>,
    /// `sums[k]`: the values of sequences before k.
    sums: Vec<i64>,
    /// The profile's total (pprof's, as the report's): what shares and,
    /// for a base, changes are percentages of.
    pub total: i64,
}

impl Stacks {
    /// From (sequence of name ids as interned by `names`, value) pairs,
    /// and the profile's total.
    fn build(
        mut names: Vec<String>,
        sequences: Vec<(Vec<u32>, i64)>,
        profile_total: i64,
    ) -> Stacks {
        // Renumber names alphabetically.
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_stable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        let mut renumber = vec![0u32; names.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old as usize] = new as u32;
        }
        let sorted_names: Vec<String> = order
            .iter()
            .map(|&i| std::mem::take(&mut names[i as usize]))
            .collect();
        let mut seqs: Vec<(Vec<u32>, i64)> = sequences
            .into_iter()
            .map(|(s, w)| (s.into_iter().map(|n| renumber[n as usize]).collect(), w))
            .collect();
        seqs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut frames = Vec::with_capacity(seqs.iter().map(|s| s.0.len()).sum());
        let mut starts = Vec::with_capacity(seqs.len() + 1);
        let mut sums = Vec::with_capacity(seqs.len() + 1);
        let mut total = 0i64;
        for (s, w) in seqs {
            starts.push(frames.len());
            sums.push(total);
            frames.extend_from_slice(&s);
            total = total.wrapping_add(w);
        }
        starts.push(frames.len());
        sums.push(total);
        let index = sorted_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        Stacks {
            names: sorted_names,
            index,
            frames,
            starts,
            sums,
            total: profile_total,
        }
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn seq(&self, k: usize) -> &[u32] {
        &self.frames[self.starts[k]..self.starts[k + 1]]
    }

    /// The frame of sequence k at depth d, if it is that deep.
    fn at(&self, k: usize, d: usize) -> Option<u32> {
        self.seq(k).get(d).copied()
    }

    fn value(&self, lo: usize, hi: usize) -> i64 {
        self.sums[hi].wrapping_sub(self.sums[lo])
    }

    /// The run of sequences in [lo, hi) whose frame at depth d is `name`.
    /// All of [lo, hi) share their first d frames, so, sorted, those that
    /// end before depth d come first and the rest are in frame order.
    fn narrow(&self, lo: usize, hi: usize, d: usize, name: u32) -> (usize, usize) {
        let key = |k: usize| self.at(k, d).map_or(-1i64, |n| n as i64);
        let first = partition(lo, hi, |k| key(k) < name as i64);
        let last = partition(first, hi, |k| key(k) <= name as i64);
        (first, last)
    }

    /// The first sequence of [lo, hi) that goes deeper than d frames.
    fn continuing(&self, lo: usize, hi: usize, d: usize) -> usize {
        partition(lo, hi, |k| self.at(k, d).is_none())
    }
}

/// A run of sequences, `[lo, hi)`.
type Run = (usize, usize);

/// The first index in [lo, hi) for which `before` is false (it must be
/// true then false along the range).
fn partition(mut lo: usize, mut hi: usize, before: impl Fn(usize) -> bool) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Frame names for a view: each location's frames at the granularity,
/// innermost first, interned.
struct Frames {
    table: NodeTable,
    name_of_node: Vec<u32>,
}

impl Frames {
    fn new(view: &View, options: &ReportOptions, names: &mut Vec<String>) -> Frames {
        let paths = options.paths();
        let table = NodeTable::build(view, options.aggregation(), &paths);
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let name_of_node = table
            .infos
            .iter()
            .map(|info| {
                let name = info.printable_name();
                *index.entry(name.clone()).or_insert_with(|| {
                    names.push(name);
                    names.len() as u32 - 1
                })
            })
            .collect();
        Frames {
            table,
            name_of_node,
        }
    }

    /// Sample k's frames, root first.
    fn path(&self, view: &View, k: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(32);
        for loc in view.stack(k) {
            for &node in self.table.of_location(loc) {
                out.push(self.name_of_node[node as usize]);
            }
        }
        out.reverse();
        out
    }
}

fn context_and_view<'p>(
    p: &'p Profile,
    options: &ReportOptions,
) -> Result<(usize, View<'p>, ReportContext)> {
    let sample_type = p.sample_type_index(&options.sample_index)?;
    let view = filter::apply(p, &options.filters)?;
    let mut context = ReportContext::new(p, sample_type, &view, options.filters.active());
    // Each frame's value in its own best unit (408.97MB, 2.50kB).
    context.output_unit = "auto".into();
    Ok((sample_type, view, context))
}

/// The stacks of a prepared profile for a sample type and filters.
pub fn stacks(p: &Profile, options: &ReportOptions) -> Result<(Stacks, ReportContext)> {
    let (sample_type, view, context) = context_and_view(p, options)?;
    let mut names = Vec::new();
    let frames = Frames::new(&view, options, &mut names);
    let sequences = (0..view.len())
        .filter_map(|k| {
            let w = p.samples.value(view.sample(k), sample_type);
            (w != 0).then(|| (frames.path(&view, k), w))
        })
        .collect();
    Ok((Stacks::build(names, sequences, context.total), context))
}

/// The callers and the callees of a function (by its frame name): every
/// stack through it, cut at its outermost occurrence; the callers'
/// sequences read from the function upwards.
pub fn callers_callees(
    p: &Profile,
    options: &ReportOptions,
    function: &str,
) -> Result<(Stacks, Stacks, ReportContext)> {
    let (sample_type, view, context) = context_and_view(p, options)?;
    let mut names = Vec::new();
    let frames = Frames::new(&view, options, &mut names);
    let Some(target) = names.iter().position(|n| n == function).map(|i| i as u32) else {
        return Err(Error::invalid_option(format!(
            "no frame named {function:?} in this profile"
        )));
    };
    let (mut up, mut down) = (Vec::new(), Vec::new());
    for k in 0..view.len() {
        let w = p.samples.value(view.sample(k), sample_type);
        if w == 0 {
            continue;
        }
        let path = frames.path(&view, k);
        let Some(at) = path.iter().position(|&n| n == target) else {
            continue;
        };
        down.push((path[at..].to_vec(), w));
        up.push((path[..=at].iter().rev().copied().collect(), w));
    }
    if up.is_empty() {
        return Err(Error::invalid_option(format!(
            "no sample passes through {function:?}"
        )));
    }
    Ok((
        Stacks::build(names.clone(), up, context.total),
        Stacks::build(names, down, context.total),
        context,
    ))
}

/// One rectangle of a flame graph.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FlameFrame {
    pub depth: u32,
    /// Left edge and width, as fractions of the view's zoomed frame.
    pub x: f64,
    pub w: f64,
    pub name: String,
    pub value: i64,
    pub self_value: i64,
    /// The value and its share of the profile's total, formatted.
    pub value_text: String,
    pub share: String,
    /// With a base profile: the change (value minus the base's value),
    /// and as the page and the SVG print it: `+280.22MB (+211.07% of the
    /// base's total)`, `-528.17kB (-4.54% of the base's total)`, `no
    /// change` (pprof's `-diff_base`: percentages of the base's total).
    pub delta: Option<i64>,
    pub delta_text: Option<String>,
    /// Its fill and the colour of its name on it (set by the renderer:
    /// `render::flame_svg::colorize`).
    pub color: String,
    pub text_color: String,
    /// Whether its name matches the view's search.
    pub matched: bool,
    /// The index of its parent in the view's frames (None: the root); the
    /// page walks these up for the names from the root (to zoom into it).
    pub parent: Option<u32>,
}

/// A flame graph view.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Flame {
    pub sample_type: String,
    pub total: i64,
    pub total_text: String,
    /// With a base profile: its total (what changes are shares of).
    pub base_total: Option<i64>,
    pub base_total_text: Option<String>,
    /// The frames from the root down to the zoomed frame (the breadcrumb).
    pub breadcrumb: Vec<String>,
    pub frames: Vec<FlameFrame>,
    /// Frames left out for being narrower than the threshold.
    pub hidden: usize,
    /// What else was left out, as sentences: levels past the depth cap,
    /// the narrowest frames past the frame budget.
    pub notes: Vec<String>,
    /// With a search: the share of the total under matching frames.
    pub search: Option<SearchResult>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResult {
    /// Matching frames drawn.
    pub matches: usize,
    pub value_text: String,
    pub share: String,
}

/// Levels a flame graph draws by default, counted from the root, the zoom
/// path's frames included (CLI `flame --max-depth`). A self-recursive
/// stack can be millions of frames deep; a thousand 18-pixel rows already
/// make a picture 18,000 pixels tall (a canvas stops at 32,767).
pub const MAX_DEPTH: usize = 1000;

/// Frames a flame graph draws by default (CLI `flame --max-frames`): past
/// it the narrowest frames are left out, as those under half a pixel are,
/// so what the page's thread receives and paints is bounded.
pub const MAX_FRAMES: usize = 20_000;

/// What to show.
pub struct FlameView<'a> {
    /// The frame to zoom into, as names from the root.
    pub zoom: &'a [String],
    /// Frames narrower than this share of the zoomed frame are left out.
    pub min_width: f64,
    /// A regular expression to highlight (and measure).
    pub search: &'a str,
    /// The base of a diff (the same granularity and filters).
    pub base: Option<&'a Stacks>,
    /// Frames more than this many levels below the root are not drawn
    /// (default [`MAX_DEPTH`]); a longer zoom path is refused.
    pub max_depth: usize,
    /// At most this many frames are drawn, the widest first (default
    /// [`MAX_FRAMES`]).
    pub max_frames: usize,
}

/// The frames of a view of `stacks`.
pub fn flame(stacks: &Stacks, context: &ReportContext, view: &FlameView) -> Result<Flame> {
    let (zoom_runs, zoom_ids) = zoom_path(stacks, view)?;
    let (lo, hi) = *zoom_runs.last().expect("the root's run");
    let search = match view.search {
        "" => None,
        pattern => Some(matching(pattern, &stacks.names)?),
    };
    let root_value = stacks.value(lo, hi).unsigned_abs().max(1) as f64;
    // Which frames below the zoomed one fit the frame budget (the zoom
    // path's own frames count against it).
    let budget = view.max_frames.saturating_sub(zoom_ids.len() + 1);
    let mut cut = Cut::new(stacks, (lo, hi), zoom_ids.len(), view, root_value, budget);
    let mut frames: Vec<FlameFrame> = Vec::new();
    // A frame: its run of sequences, its name (None: the root), its
    // parent's index in `frames`, and the base's run under the same path
    // (None: not in the base). Paths are never materialised: a deep stack
    // would make them quadratic.
    let mut new_frame = |name: Option<u32>,
                         parent: Option<u32>,
                         depth: usize,
                         (x, w): (f64, f64),
                         (value, self_value): (i64, i64),
                         base_run: Option<(usize, usize)>| {
        let matched = match (&search, name) {
            (Some(m), Some(n)) => m[n as usize],
            _ => false,
        };
        let delta = view
            .base
            .map(|b| value.wrapping_sub(base_run.map_or(0, |(l, h)| b.value(l, h))));
        frames.push(FlameFrame {
            depth: depth as u32,
            x,
            w,
            value_text: context.format(value),
            share: crate::units::percentage(value, context.total)
                .trim()
                .to_string(),
            value,
            self_value,
            delta,
            delta_text: delta
                .zip(view.base)
                .map(|(d, b)| change_text(d, b.total, context)),
            color: String::new(),
            text_color: String::new(),
            matched,
            parent,
            name: name.map_or_else(|| "root".to_string(), |n| stacks.names[n as usize].clone()),
        });
        frames.len() as u32 - 1
    };
    // The base's run one frame deeper (sequence depth d) under `name`.
    let base_child = |run: Option<(usize, usize)>, d: usize, name: u32| {
        let (b, (lo, hi)) = (view.base?, run?);
        let id = *b.index.get(&stacks.names[name as usize])?;
        let (l, h) = b.narrow(lo, hi, d, id);
        (l < h).then_some((l, h))
    };
    // The root and the zoomed frame's ancestors, full width.
    let mut parent = None;
    let mut base_run = view.base.map(|b| (0, b.len()));
    for d in 0..zoom_ids.len() {
        let (a, b) = zoom_runs[d];
        let name = d.checked_sub(1).map(|i| zoom_ids[i]);
        parent = Some(new_frame(
            name,
            parent,
            d,
            (0.0, 1.0),
            (stacks.value(a, b), 0),
            base_run,
        ));
        base_run = base_child(base_run, d, zoom_ids[d]);
    }
    // The zoomed frame and, depth first, what is wide enough below it.
    let mut hidden = 0;
    struct Pending {
        run: (usize, usize),
        name: Option<u32>,
        parent: Option<u32>,
        depth: usize,
        x: f64,
        base: Option<(usize, usize)>,
    }
    let mut pending = vec![Pending {
        run: (lo, hi),
        name: zoom_ids.last().copied(),
        parent,
        depth: zoom_ids.len(),
        x: 0.0,
        base: base_run,
    }];
    while let Some(Pending {
        run: (lo, hi),
        name,
        parent,
        depth: d,
        x,
        base,
    }) = pending.pop()
    {
        let value = stacks.value(lo, hi);
        let first = stacks.continuing(lo, hi, d);
        let me = new_frame(
            name,
            parent,
            d,
            (x, value.unsigned_abs() as f64 / root_value),
            (value, stacks.value(lo, first)),
            base,
        );
        if d >= view.max_depth {
            continue;
        }
        // Children: the runs of equal frames at depth d, alphabetical, from
        // the frame's left edge (its self value is the gap on the right).
        let mut at = x;
        let mut k = first;
        let mut children = Vec::new();
        while k < hi {
            let name = stacks.at(k, d).expect("a continuing sequence");
            let (_, end) = stacks.narrow(k, hi, d, name);
            let w = stacks.value(k, end).unsigned_abs() as f64 / root_value;
            if w < view.min_width || !cut.keeps(w, d + 1) {
                hidden += 1;
            } else {
                children.push(Pending {
                    run: (k, end),
                    name: Some(name),
                    parent: Some(me),
                    depth: d + 1,
                    x: at,
                    base: base_child(base, d, name),
                });
            }
            at += w;
            k = end;
        }
        pending.extend(children.into_iter().rev());
    }
    let search = search.map(|matched| {
        // The value of samples with a matching frame anywhere.
        let mut value = 0i64;
        for k in 0..stacks.len() {
            if stacks.seq(k).iter().any(|&n| matched[n as usize]) {
                value = value.wrapping_add(stacks.value(k, k + 1));
            }
        }
        SearchResult {
            matches: frames.iter().filter(|f| f.matched).count(),
            value_text: context.format(value),
            share: crate::units::percentage(value, context.total)
                .trim()
                .to_string(),
        }
    });
    Ok(Flame {
        sample_type: context.sample_type.clone(),
        total: context.total,
        total_text: context.format(context.total),
        base_total: view.base.map(|b| b.total),
        base_total_text: view.base.map(|b| context.format(b.total)),
        breadcrumb: view.zoom.to_vec(),
        frames,
        hidden,
        notes: cut.notes(stacks, (lo, hi), view),
        search,
    })
}

/// Which names match the search: each name once, within the regex budget.
fn matching(pattern: &str, names: &[String]) -> Result<Vec<bool>> {
    let re = NameRegex::new("search", pattern, pattern)?;
    let bytes = names.iter().map(|n| n.len() as u64).sum();
    re.afford("search", pattern, names.len(), bytes)?;
    Ok(names.iter().map(|n| re.regex.is_match(n)).collect())
}

/// The runs of sequences under each prefix of the zoom path (`runs[d]`:
/// under its first d names) and the path's name ids, narrowed one frame
/// at a time: linear in the path's length, which a link sets.
fn zoom_path(stacks: &Stacks, view: &FlameView) -> Result<(Vec<Run>, Vec<u32>)> {
    let zoom = view.zoom;
    if zoom.len() > view.max_depth {
        return Err(Error::limit(format!(
            "the zoom path is deeper than the {} levels a flame graph draws (the CLI's flame --max-depth draws more)",
            view.max_depth
        )));
    }
    let mut runs = Vec::with_capacity(zoom.len() + 1);
    runs.push((0, stacks.len()));
    let mut ids = Vec::with_capacity(zoom.len());
    for (d, name) in zoom.iter().enumerate() {
        let (lo, hi) = runs[d];
        let found = stacks
            .index
            .get(name)
            .map(|&id| (id, stacks.narrow(lo, hi, d, id)))
            .filter(|(_, (l, h))| l < h);
        match found {
            Some((id, run)) => {
                ids.push(id);
                runs.push(run);
            }
            None => {
                let path = if zoom.len() <= 8 {
                    zoom.join(" → ")
                } else {
                    format!("… → {}", zoom[d])
                };
                return Err(Error::invalid_option(crate::error::one_line(&format!(
                    "no frame {path:?} in this profile"
                ))));
            }
        }
    }
    Ok((runs, ids))
}

/// What a view leaves out beyond frames under `min_width`: levels past
/// `max_depth`, and past the frame budget the narrowest frames. The
/// budget's cut is found first by a walk that keeps the `budget` best
/// frames seen (widest, then shallowest) and goes no deeper under a frame
/// that is already out, so it costs about what is drawn.
struct Cut {
    /// The last frame kept as (width, depth), and how many frames equal
    /// to it may still be drawn (ties are drawn left to right); `None`:
    /// every frame wide enough fits.
    last: Option<((f64, usize), usize)>,
    /// Frames left out for the budget alone.
    over_budget: usize,
    /// The narrowest width drawn when the budget cut.
    narrowest: f64,
}

/// Orders frames by how much they show: wider first, then shallower.
fn better(a: (f64, usize), b: (f64, usize)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// A candidate frame in the budget's heap, the worst on top.
struct Candidate((f64, usize));

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        better(self.0, other.0).is_eq()
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        better(self.0, other.0)
    }
}

impl Cut {
    /// Walks below the zoomed frame (its run at sequence depth `d`) for
    /// the frames that fit `budget`, down to the depth cap.
    fn new(
        stacks: &Stacks,
        run: (usize, usize),
        d: usize,
        view: &FlameView,
        root_value: f64,
        budget: usize,
    ) -> Cut {
        let mut best: std::collections::BinaryHeap<Candidate> = Default::default();
        let mut seen = 0usize;
        let mut pending = vec![(run, d)];
        while let Some(((lo, hi), d)) = pending.pop() {
            // Its children would be past the depth cap.
            if d >= view.max_depth {
                continue;
            }
            let mut k = stacks.continuing(lo, hi, d);
            while k < hi {
                let name = stacks.at(k, d).expect("a continuing sequence");
                let (_, end) = stacks.narrow(k, hi, d, name);
                let w = stacks.value(k, end).unsigned_abs() as f64 / root_value;
                let key = (w, d + 1);
                let fits = best.len() < budget
                    || best
                        .peek()
                        .is_some_and(|worst| better(key, worst.0).is_lt());
                if w >= view.min_width && fits {
                    seen += 1;
                    best.push(Candidate(key));
                    if best.len() > budget {
                        best.pop();
                    }
                    pending.push(((k, end), d + 1));
                } else if w >= view.min_width {
                    seen += 1;
                }
                k = end;
            }
        }
        if seen <= budget {
            return Cut {
                last: None,
                over_budget: 0,
                narrowest: 0.0,
            };
        }
        let last = best.peek().map_or((f64::INFINITY, 0), |c| c.0);
        let ties = best.iter().filter(|c| better(c.0, last).is_eq()).count();
        Cut {
            last: Some((last, ties)),
            over_budget: 0,
            narrowest: last.0,
        }
    }

    /// Whether a frame of width `w` at `depth` is drawn (called once per
    /// frame wide enough, in drawing order).
    fn keeps(&mut self, w: f64, depth: usize) -> bool {
        let Some((last, ties)) = &mut self.last else {
            return true;
        };
        let keep = match better((w, depth), *last) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Equal if *ties > 0 => {
                *ties -= 1;
                true
            }
            _ => false,
        };
        if !keep {
            self.over_budget += 1;
        }
        keep
    }

    /// The notes saying what was left out: levels past the depth cap
    /// (counted on the sequences under the zoomed frame), frames past the
    /// budget.
    fn notes(&self, stacks: &Stacks, (lo, hi): (usize, usize), view: &FlameView) -> Vec<String> {
        let mut notes = Vec::new();
        let (mut deepest, mut below) = (0usize, 0u64);
        for k in lo..hi {
            let n = stacks.seq(k).len();
            deepest = deepest.max(n);
            below += n.saturating_sub(view.max_depth) as u64;
        }
        if deepest > view.max_depth {
            notes.push(format!(
                "stacks go {} levels deeper than the {} drawn: {below} frames not drawn (the CLI's flame --max-depth draws more; hiding a recursive function shortens them)",
                deepest - view.max_depth,
                view.max_depth
            ));
        }
        if self.over_budget > 0 {
            notes.push(format!(
                "{} of the narrowest frames (under {:.3}% of the view's width) not drawn, to keep within {} frames (the CLI's flame --max-frames draws more; zoom in to see them)",
                self.over_budget,
                self.narrowest * 100.0,
                view.max_frames
            ));
        }
        notes
    }
}

/// A change as pprof's `-diff_base` reports it: the value signed, and
/// its share of the base's total.
fn change_text(delta: i64, base_total: i64, context: &ReportContext) -> String {
    if delta == 0 {
        return "no change".to_string();
    }
    let sign = if delta > 0 { "+" } else { "-" };
    let value = context.format(delta.unsigned_abs().min(i64::MAX as u64) as i64);
    if base_total == 0 {
        return format!("{sign}{value}");
    }
    format!(
        "{sign}{value} ({sign}{} of the base's total)",
        crate::units::percentage(delta, base_total).trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stacks() -> Stacks {
        let names = vec!["main".to_string(), "b".to_string(), "a".to_string()];
        // main→a (5), main→a→b (3), main→b (2)
        Stacks::build(
            names,
            vec![(vec![0, 2], 5), (vec![0, 2, 1], 3), (vec![0, 1], 2)],
            10,
        )
    }

    #[test]
    fn runs_and_values() {
        let s = stacks();
        assert_eq!(s.names, ["a", "b", "main"]);
        let path = ["main".to_string(), "a".to_string()];
        let (runs, _) = zoom_path(&s, &plain(&path, MAX_DEPTH, MAX_FRAMES)).unwrap();
        let (lo, hi) = runs[2];
        assert_eq!(s.value(lo, hi), 8);
        assert!(zoom_path(&s, &plain(&["a".to_string()], MAX_DEPTH, MAX_FRAMES)).is_err());
        assert_eq!(s.value(0, s.len()), 10);
    }

    #[test]
    fn changes_are_signed_and_shares_of_the_base_total() {
        let s = stacks();
        // The base: main→a (4), main→c (4); its total 8.
        let base = Stacks::build(
            vec!["main".to_string(), "a".to_string(), "c".to_string()],
            vec![(vec![0, 1], 4), (vec![0, 2], 4)],
            8,
        );
        let p = crate::model::Profile::new(vec![crate::model::ValueType::new("samples", "count")]);
        let ctx = ReportContext::new(&p, 0, &View::all(&p), Vec::new());
        let view = FlameView {
            zoom: &[],
            min_width: 0.0,
            search: "",
            base: Some(&base),
            max_depth: MAX_DEPTH,
            max_frames: MAX_FRAMES,
        };
        let f = flame(&s, &ctx, &view).unwrap();
        let changes: Vec<(&str, Option<&str>)> = f
            .frames
            .iter()
            .map(|f| (f.name.as_str(), f.delta_text.as_deref()))
            .collect();
        assert_eq!(
            changes,
            [
                ("root", Some("+2 (+25.00% of the base's total)")),
                ("main", Some("+2 (+25.00% of the base's total)")),
                ("a", Some("+4 (+50.00% of the base's total)")),
                // Not in the base: all of it is new.
                ("b", Some("+3 (+37.50% of the base's total)")),
                ("b", Some("+2 (+25.00% of the base's total)"))
            ]
        );
        assert_eq!(
            (f.base_total, f.base_total_text.as_deref()),
            (Some(8), Some("8"))
        );
        let shrunk = change_text(-4, 8, &ctx);
        assert_eq!(shrunk, "-4 (-50.00% of the base's total)");
        assert_eq!(change_text(0, 8, &ctx), "no change");
        // Without a base nothing is said of changes.
        let plain = flame(&s, &ctx, &FlameView { base: None, ..view }).unwrap();
        assert!(plain.frames.iter().all(|f| f.delta_text.is_none()));
    }

    #[test]
    fn views() {
        let s = stacks();
        let ctx = ReportContext::new(
            &crate::model::Profile::new(vec![crate::model::ValueType::new("samples", "count")]),
            0,
            &View::all(&crate::model::Profile::new(vec![
                crate::model::ValueType::new("samples", "count"),
            ])),
            Vec::new(),
        );
        let view = FlameView {
            zoom: &[],
            min_width: 0.0,
            search: "^b$",
            base: None,
            max_depth: MAX_DEPTH,
            max_frames: MAX_FRAMES,
        };
        let f = flame(&s, &ctx, &view).unwrap();
        let shown: Vec<(u32, &str, i64, i64)> = f
            .frames
            .iter()
            .map(|f| (f.depth, f.name.as_str(), f.value, f.self_value))
            .collect();
        assert_eq!(
            shown,
            [
                (0, "root", 10, 0),
                (1, "main", 10, 0),
                (2, "a", 8, 5),
                (3, "b", 3, 3),
                (2, "b", 2, 2)
            ]
        );
        // a is left of b, and its child b starts where it does.
        assert_eq!((f.frames[2].x, f.frames[4].x), (0.0, 0.8));
        assert_eq!(f.frames[3].x, 0.0);
        // Both b frames match; together 5 of 10.
        let search = f.search.unwrap();
        assert_eq!(search.matches, 2);
        let zoomed = flame(
            &s,
            &ctx,
            &FlameView {
                zoom: &["main".into(), "a".into()],
                ..view
            },
        )
        .unwrap();
        assert_eq!(
            zoomed
                .frames
                .iter()
                .map(|f| (f.name.as_str(), f.w))
                .collect::<Vec<_>>(),
            [("root", 1.0), ("main", 1.0), ("a", 1.0), ("b", 0.375)]
        );
    }

    fn context() -> ReportContext {
        let p = crate::model::Profile::new(vec![crate::model::ValueType::new("samples", "count")]);
        ReportContext::new(&p, 0, &View::all(&p), Vec::new())
    }

    fn plain(zoom: &[String], max_depth: usize, max_frames: usize) -> FlameView<'_> {
        FlameView {
            zoom,
            min_width: 0.0,
            search: "",
            base: None,
            max_depth,
            max_frames,
        }
    }

    #[test]
    fn deep_stacks_are_drawn_to_the_depth_cap_with_a_note() {
        // One self-recursive stack 5,000 frames deep.
        let s = Stacks::build(vec!["f".to_string()], vec![(vec![0; 5000], 7)], 7);
        let f = flame(&s, &context(), &plain(&[], 100, MAX_FRAMES)).unwrap();
        assert_eq!(f.frames.len(), 101, "the root and 100 levels");
        assert_eq!(f.frames.iter().map(|f| f.depth).max(), Some(100));
        assert_eq!(
            f.notes,
            ["stacks go 4900 levels deeper than the 100 drawn: 4900 frames not drawn (the CLI's flame --max-depth draws more; hiding a recursive function shortens them)"]
        );
        // A zoom path is narrowed one frame at a time, and may be as deep
        // as the cap, not deeper.
        let path = vec!["f".to_string(); 100];
        let zoomed = flame(&s, &context(), &plain(&path, 100, MAX_FRAMES)).unwrap();
        assert_eq!(zoomed.frames.len(), 101);
        let too_deep = vec!["f".to_string(); 101];
        let e = flame(&s, &context(), &plain(&too_deep, 100, MAX_FRAMES)).unwrap_err();
        assert!(
            e.message
                .contains("the zoom path is deeper than the 100 levels"),
            "{e:?}"
        );
        let wrong = [vec!["f".to_string(); 50], vec!["g".to_string()]].concat();
        let e = flame(&s, &context(), &plain(&wrong, 100, MAX_FRAMES)).unwrap_err();
        assert!(e.message.starts_with("no frame"), "{e:?}");
    }

    #[test]
    fn past_the_frame_budget_the_narrowest_frames_go() {
        // main → w0 … w9, w{i} of value i + 1: 10 children, 2 levels.
        let mut names = vec!["main".to_string()];
        names.extend((0..10).map(|i| format!("w{i}")));
        let seqs = (0..10u32).map(|i| (vec![0, i + 1], i as i64 + 1)).collect();
        let s = Stacks::build(names, seqs, 55);
        let f = flame(&s, &context(), &plain(&[], MAX_DEPTH, 6)).unwrap();
        // The root, main and the four widest children.
        let drawn: Vec<&str> = f.frames.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(drawn, ["root", "main", "w6", "w7", "w8", "w9"]);
        assert_eq!(f.notes.len(), 1);
        assert!(
            f.notes[0].starts_with("6 of the narrowest frames"),
            "{:?}",
            f.notes
        );
        // Ties are drawn left to right up to the budget.
        let names = vec!["main".to_string(), "a".into(), "b".into(), "c".into()];
        let seqs = (0..3u32).map(|i| (vec![0, i + 1], 1)).collect();
        let s = Stacks::build(names, seqs, 3);
        let f = flame(&s, &context(), &plain(&[], MAX_DEPTH, 4)).unwrap();
        let drawn: Vec<&str> = f.frames.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(drawn, ["root", "main", "a", "b"]);
        // Within the budget nothing is said.
        let f = flame(&s, &context(), &plain(&[], MAX_DEPTH, 5)).unwrap();
        assert!(f.notes.is_empty());
    }
}

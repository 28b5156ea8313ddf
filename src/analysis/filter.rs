//! Sample filters with pprof's semantics (its `applyFocus`): focus, ignore,
//! hide, show, show_from on frame names; tagfocus, tagignore on labels.
//!
//! Filters never copy the profile. They produce a [`View`]: which samples
//! remain, their stacks when a filter changed them, and each location's
//! remaining lines when a filter removed some.

use regex::Regex;

use crate::error::{Error, Result};
use crate::model::name_regex::NameRegex;
use crate::model::{LabelSet, Line, Location, Profile, StackIter, Stacks};
use crate::units;

use super::options::Filters;

/// The samples and frames of a profile that a report reads.
pub struct View<'p> {
    pub profile: &'p Profile,
    /// Each location's lines when some were removed; `None`: all of them.
    lines: Option<Vec<Vec<Line>>>,
    /// The selected samples; `None`: all.
    samples: Option<Vec<u32>>,
    /// Stacks of the selected samples when a filter changed them.
    stacks: Option<Stacks>,
    /// Messages about filters that matched nothing.
    pub warnings: Vec<String>,
}

impl<'p> View<'p> {
    /// Every sample and frame of the profile.
    pub fn all(profile: &'p Profile) -> Self {
        View {
            profile,
            lines: None,
            samples: None,
            stacks: None,
            warnings: Vec::new(),
        }
    }

    /// Number of selected samples.
    pub fn len(&self) -> usize {
        match &self.samples {
            Some(s) => s.len(),
            None => self.profile.samples.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The model index of the k-th selected sample.
    pub fn sample(&self, k: usize) -> usize {
        match &self.samples {
            Some(s) => s[k] as usize,
            None => k,
        }
    }

    /// The stack of the k-th selected sample (location indices, leaf first).
    pub fn stack(&self, k: usize) -> StackIter<'_> {
        match &self.stacks {
            Some(st) => st.get(k),
            None => self.profile.samples.stack(self.sample(k)),
        }
    }

    /// The remaining lines of location `l`.
    pub fn lines(&self, l: usize) -> &[Line] {
        match &self.lines {
            Some(lines) => &lines[l],
            None => &self.profile.locations[l].lines,
        }
    }

    fn lines_mut(&mut self) -> &mut Vec<Vec<Line>> {
        let profile = self.profile;
        self.lines
            .get_or_insert_with(|| profile.locations.iter().map(|l| l.lines.clone()).collect())
    }

    /// Keeps the samples for which `keep(sample, stack)` does not say
    /// `Drop` (`sample` is the model's sample index). New columns are built
    /// only when a sample was dropped or its stack changed.
    fn select(&mut self, mut keep: impl FnMut(usize, StackIter) -> Keep) {
        let n = self.len();
        let mut dropped = vec![false; n];
        let mut changed: Vec<(usize, Vec<u32>)> = Vec::new();
        for (k, drop) in dropped.iter_mut().enumerate() {
            match keep(self.sample(k), self.stack(k)) {
                Keep::Drop => *drop = true,
                Keep::Same => {}
                Keep::Changed(stack) => changed.push((k, stack)),
            }
        }
        let any_dropped = dropped.iter().any(|&d| d);
        if !any_dropped && changed.is_empty() {
            return;
        }
        let mut samples = Vec::with_capacity(n);
        let mut stacks = (!changed.is_empty() || self.stacks.is_some()).then(Stacks::default);
        let mut changed = changed.into_iter().peekable();
        for (k, &drop) in dropped.iter().enumerate() {
            let new_stack = match changed.peek() {
                Some((ck, _)) if *ck == k => changed.next().map(|(_, s)| s),
                _ => None,
            };
            if drop {
                continue;
            }
            samples.push(self.sample(k) as u32);
            if let Some(st) = &mut stacks {
                let pushed = match &new_stack {
                    Some(frames) => st.push(frames),
                    None => st.push_iter(self.stack(k)),
                };
                pushed.expect("a view holds no more frames than its profile");
            }
        }
        self.samples = Some(samples);
        self.stacks = stacks;
    }
}

/// What a filter does with one sample.
enum Keep {
    Drop,
    Same,
    Changed(Vec<u32>),
}

/// Compiles a name filter's regex, saying which option was bad, and
/// refuses it when matching it on the profile's names (each function's
/// name and file, each binary, once) could take more than the regex
/// budget.
fn compile(name: &str, pattern: &str, names: (usize, u64)) -> Result<Option<Regex>> {
    if pattern.is_empty() {
        return Ok(None);
    }
    let re = NameRegex::new(name, pattern, pattern)?;
    re.afford(name, pattern, names.0, names.1)?;
    Ok(Some(re.regex))
}

/// How many names a name filter may be matched on, and their bytes.
fn name_sizes(p: &Profile) -> (usize, u64) {
    let functions = p
        .functions
        .iter()
        .map(|f| f.name.len() as u64 + f.filename.len() as u64);
    let mappings = p.mappings.iter().map(|m| m.file.len() as u64);
    let bytes = functions.chain(mappings).sum();
    (2 * p.functions.len() + p.mappings.len(), bytes)
}

/// Applies the filters as pprof does, in pprof's order.
pub fn apply<'p>(profile: &'p Profile, filters: &Filters) -> Result<View<'p>> {
    let names = name_sizes(profile);
    let focus = compile("focus", &filters.focus, names)?;
    let ignore = compile("ignore", &filters.ignore, names)?;
    let hide = compile("hide", &filters.hide, names)?;
    let show = compile("show", &filters.show, names)?;
    let show_from = compile("show_from", &filters.show_from, names)?;
    let num_units = num_label_units(profile);
    let tag_focus = TagFilter::compile("tagfocus", &filters.tag_focus, &num_units)?;
    let tag_ignore = TagFilter::compile("tagignore", &filters.tag_ignore, &num_units)?;

    let mut view = View::all(profile);
    by_name(
        &mut view,
        focus.as_ref(),
        ignore.as_ref(),
        hide.as_ref(),
        show.as_ref(),
    );
    if let Some(re) = &show_from {
        if !by_show_from(&mut view, re) {
            view.warnings
                .push("ShowFrom expression matched no samples".into());
        }
    }
    if tag_focus.is_some() || tag_ignore.is_some() {
        let (mut focused_any, mut ignored_any) = (false, false);
        view.select(|sample, _| {
            let labels = profile.samples.labels(sample);
            let focused = tag_focus.as_ref().is_none_or(|f| f.matches(labels));
            let ignored = tag_ignore.as_ref().is_some_and(|f| f.matches(labels));
            focused_any |= focused;
            ignored_any |= ignored;
            if focused && !ignored {
                Keep::Same
            } else {
                Keep::Drop
            }
        });
        if tag_focus.is_some() && !focused_any {
            view.warnings
                .push("TagFocus expression matched no samples".into());
        }
        if tag_ignore.is_some() && !ignored_any {
            view.warnings
                .push("TagIgnore expression matched no samples".into());
        }
    }
    Ok(view)
}

/// A name regex with its answers remembered per function and per mapping:
/// a profile has many more locations than functions, and the page's regex
/// engine (the bounded backtracker, for a small wasm) is slower than the
/// CLI's lazy DFA, so each name is matched once.
struct Matcher<'a> {
    re: &'a Regex,
    /// 0 not asked yet, 1 no, 2 yes.
    functions: Vec<u8>,
    mappings: Vec<u8>,
}

impl<'a> Matcher<'a> {
    fn new(p: &Profile, re: &'a Regex) -> Self {
        Matcher {
            re,
            functions: vec![0; p.functions.len()],
            mappings: vec![0; p.mappings.len()],
        }
    }

    fn memo(slot: &mut u8, ask: impl FnOnce() -> bool) -> bool {
        if *slot == 0 {
            *slot = 1 + u8::from(ask());
        }
        *slot == 2
    }

    /// Whether a location's functions, files or binary match (pprof's `matchesName`).
    fn location(&mut self, p: &Profile, loc: &Location, lines: &[Line]) -> bool {
        lines.iter().any(|ln| self.line(p, ln)) || self.mapping(p, loc)
    }

    fn mapping(&mut self, p: &Profile, loc: &Location) -> bool {
        let re = self.re;
        loc.mapping.is_some_and(|m| {
            Self::memo(&mut self.mappings[m as usize], || {
                re.is_match(&p.mappings[m as usize].file)
            })
        })
    }

    fn line(&mut self, p: &Profile, ln: &Line) -> bool {
        let re = self.re;
        let f = &p.functions[ln.function as usize];
        Self::memo(&mut self.functions[ln.function as usize], || {
            re.is_match(&f.name) || re.is_match(&f.filename)
        })
    }
}

/// pprof's `FilterSamplesByName`: focus/ignore select samples; hide/show
/// remove lines and locations.
fn by_name(
    view: &mut View,
    focus: Option<&Regex>,
    ignore: Option<&Regex>,
    hide: Option<&Regex>,
    show: Option<&Regex>,
) {
    let p = view.profile;
    let mut focus = focus.map(|re| Matcher::new(p, re));
    let mut ignore = ignore.map(|re| Matcher::new(p, re));
    let mut hide = hide.map(|re| Matcher::new(p, re));
    let mut show = show.map(|re| Matcher::new(p, re));
    // Per location: Some(true) focused, Some(false) ignored, None neither.
    let mut focus_or_ignore: Vec<Option<bool>> = vec![None; p.locations.len()];
    let mut hidden = vec![false; p.locations.len()];
    let (mut fm, mut im, mut hm, mut hnm) = (false, false, false, false);
    for (li, loc) in p.locations.iter().enumerate() {
        let lines = view.lines(li);
        if ignore.as_mut().is_some_and(|m| m.location(p, loc, lines)) {
            im = true;
            focus_or_ignore[li] = Some(false);
        } else if focus.as_mut().is_none_or(|m| m.location(p, loc, lines)) {
            fm = true;
            focus_or_ignore[li] = Some(true);
        }
        if let Some(m) = hide.as_mut() {
            if m.location(p, loc, view.lines(li)) {
                hm = true;
                let kept: Vec<Line> = if m.mapping(p, loc) {
                    Vec::new()
                } else {
                    view.lines(li)
                        .iter()
                        .filter(|ln| !m.line(p, ln))
                        .copied()
                        .collect()
                };
                if kept.is_empty() {
                    hidden[li] = true;
                }
                view.lines_mut()[li] = kept;
            }
        }
        if let Some(m) = show.as_mut() {
            let kept: Vec<Line> = if m.mapping(p, loc) {
                view.lines(li).to_vec()
            } else {
                view.lines(li)
                    .iter()
                    .filter(|ln| m.line(p, ln))
                    .copied()
                    .collect()
            };
            if kept.is_empty() {
                hidden[li] = true;
            } else {
                hnm = true;
            }
            view.lines_mut()[li] = kept;
        }
    }
    let any_hidden = hidden.iter().any(|&h| h);
    view.select(|_, stack| {
        // At least one focused location and no ignored one.
        let mut focused = false;
        for l in stack.clone() {
            match focus_or_ignore[l as usize] {
                Some(true) => focused = true,
                Some(false) => return Keep::Drop,
                None => {}
            }
        }
        if !focused {
            return Keep::Drop;
        }
        if !any_hidden || !stack.clone().any(|l| hidden[l as usize]) {
            return Keep::Same;
        }
        let kept: Vec<u32> = stack.filter(|&l| !hidden[l as usize]).collect();
        if kept.is_empty() {
            Keep::Drop
        } else {
            Keep::Changed(kept)
        }
    });
    for (set, matched, name) in [
        (focus.is_some(), fm, "Focus"),
        (ignore.is_some(), im, "Ignore"),
        (hide.is_some(), hm, "Hide"),
        (show.is_some(), hnm, "Show"),
    ] {
        if set && !matched {
            view.warnings
                .push(format!("{name} expression matched no samples"));
        }
    }
}

/// pprof's `ShowFrom`: drop frames above the root-most matching frame.
fn by_show_from(view: &mut View, re: &Regex) -> bool {
    let p = view.profile;
    let mut m = Matcher::new(p, re);
    let mut matched_loc = vec![false; p.locations.len()];
    let mut matched = false;
    for (li, loc) in p.locations.iter().enumerate() {
        if m.mapping(p, loc) {
            matched_loc[li] = true;
            matched = true;
            continue;
        }
        // The outermost matching line; inner lines up to it stay.
        if let Some(i) = view.lines(li).iter().rposition(|ln| m.line(p, ln)) {
            view.lines_mut()[li].truncate(i + 1);
            matched_loc[li] = true;
            matched = true;
        }
    }
    view.select(|_, stack| {
        let stack: Vec<u32> = stack.collect();
        match (0..stack.len())
            .rev()
            .find(|&i| matched_loc[stack[i] as usize])
        {
            None => Keep::Drop,
            Some(i) if i + 1 == stack.len() => Keep::Same,
            Some(i) => Keep::Changed(stack[..=i].to_vec()),
        }
    });
    matched
}

/// The unit of each numeric label key: the first unit seen, else `bytes`
/// for `alignment`/`request`, else the key itself (pprof's `NumLabelUnits`).
pub fn num_label_units(p: &Profile) -> Vec<(String, String)> {
    let mut units: Vec<(String, String)> = Vec::new();
    for set in p.samples.label_sets() {
        for n in &set.numbers {
            let found = units.iter_mut().find(|(k, _)| *k == n.key);
            let first_unit = n.units.iter().find(|u| !u.is_empty());
            match found {
                Some((_, u)) => {
                    if u.is_empty() {
                        if let Some(fu) = first_unit {
                            *u = fu.clone();
                        }
                    }
                }
                None => units.push((n.key.clone(), first_unit.cloned().unwrap_or_default())),
            }
        }
    }
    for (k, u) in &mut units {
        if u.is_empty() {
            *u = match k.as_str() {
                "alignment" | "request" => "bytes".to_string(),
                _ => k.clone(),
            };
        }
    }
    units
}

/// Whether a numeric label value (with its unit) is in a range.
type RangeTest = Box<dyn Fn(i64, &str) -> bool>;

/// A compiled tagfocus/tagignore expression.
enum TagFilter {
    /// Numeric range on a key (or any key), in that key's unit.
    Range {
        key: Option<String>,
        test: RangeTest,
        units: Vec<(String, String)>,
    },
    /// Regexes on the values of a key.
    KeyRegex { key: String, res: Vec<Regex> },
    /// Regexes that must each match some `key:value`.
    AllRegex(Vec<Regex>),
}

impl TagFilter {
    fn compile(name: &str, value: &str, units: &[(String, String)]) -> Result<Option<TagFilter>> {
        if value.is_empty() {
            return Ok(None);
        }
        let (key, value) = match value.split_once('=') {
            Some((k, v)) => (Some(k.to_string()), v),
            None => (None, value),
        };
        if let Some(test) = parse_tag_range(value) {
            return Ok(Some(TagFilter::Range {
                key,
                test,
                units: units.to_vec(),
            }));
        }
        let res = value
            .split(',')
            .map(|r| Regex::new(r).map_err(|e| Error::bad_regex(name, r, &e)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(match key {
            Some(key) => TagFilter::KeyRegex { key, res },
            None => TagFilter::AllRegex(res),
        }))
    }

    fn matches(&self, labels: &LabelSet) -> bool {
        match self {
            TagFilter::Range { key, test, units } => {
                let unit_of = |k: &str| {
                    units
                        .iter()
                        .find(|(key, _)| key == k)
                        .map_or("", |(_, u)| u.as_str())
                };
                match key {
                    Some(k) => labels
                        .get_num(k)
                        .is_some_and(|n| n.values.iter().any(|&v| test(v, unit_of(k)))),
                    None => labels
                        .numbers
                        .iter()
                        .any(|n| n.values.iter().any(|&v| test(v, unit_of(&n.key)))),
                }
            }
            TagFilter::KeyRegex { key, res } => {
                let values = labels.get(key);
                res.iter().any(|re| values.iter().any(|v| re.is_match(v)))
            }
            TagFilter::AllRegex(res) => res.iter().all(|re| {
                labels
                    .strings
                    .iter()
                    .any(|(k, vs)| vs.iter().any(|v| re.is_match(&format!("{k}:{v}"))))
            }),
        }
    }
}

/// pprof's `parseTagFilterRange`: `32kb` (equal), `:64kb` (at most), `4mb:`
/// (at least), `12kb:64mb` (between, inclusive).
fn parse_tag_range(filter: &str) -> Option<RangeTest> {
    let re = Regex::new(r"([+-]?[0-9]+)([[:alpha:]]+)?").expect("valid regex");
    let ranges: Vec<regex::Captures> = re.captures_iter(filter).take(2).collect();
    let first = ranges.first()?;
    let value: i64 = first[1].parse().ok()?;
    let unit0 = first.get(2).map_or("", |m| m.as_str());
    let (scaled, unit) = units::scale(value, unit0, unit0);
    let whole = first[0].to_string();
    if ranges.len() == 1 {
        let unit = unit.clone();
        return if filter == whole {
            Some(Box::new(move |v, u| {
                let (sv, su) = units::scale(v, u, &unit);
                su == unit && sv == scaled
            }))
        } else if filter == format!("{whole}:") {
            Some(Box::new(move |v, u| {
                let (sv, su) = units::scale(v, u, &unit);
                su == unit && sv >= scaled
            }))
        } else if filter == format!(":{whole}") {
            Some(Box::new(move |v, u| {
                let (sv, su) = units::scale(v, u, &unit);
                su == unit && sv <= scaled
            }))
        } else {
            None
        };
    }
    let second = &ranges[1];
    if filter != format!("{whole}:{}", &second[0]) {
        return None;
    }
    let v2: i64 = second[1].parse().ok()?;
    let (scaled2, unit2) = units::scale(v2, second.get(2).map_or("", |m| m.as_str()), &unit);
    if unit != unit2 {
        return None;
    }
    Some(Box::new(move |v, u| {
        let (sv, su) = units::scale(v, u, &unit);
        su == unit && sv >= scaled && sv <= scaled2
    }))
}

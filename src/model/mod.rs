//! The resolved, validated profile every analysis reads.
//!
//! This is `profile.proto` after decoding: string-table indices are resolved
//! to strings, ids to indices, and the samples are stored in columns (a flat
//! array of location indices for all stacks, a flat array of values) rather
//! than as one heap object per sample, so a million-sample profile costs a
//! few flat allocations.
//!
//! Vocabulary (pprof's): a *sample* is a stack of *locations* with one value
//! per *sample type*; a location holds one or more *lines*, innermost
//! (inlined callee) first; a line names a *function*.

pub mod interner;
pub mod merge;
pub mod name_regex;
pub mod prune;
pub mod series;
pub mod stacks;

use crate::error::{Error, Result};
use crate::sort::SortStable;
use interner::Interner;
pub use stacks::{StackIter, Stacks};

/// A sample type or period type, e.g. `inuse_space` / `bytes`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct ValueType {
    /// The type's name, e.g. `inuse_space`, `cpu`, `alloc_objects`.
    #[serde(rename = "type")]
    pub name: String,
    /// The unit values are expressed in, e.g. `bytes`, `nanoseconds`, `count`.
    pub unit: String,
}

impl ValueType {
    pub fn new(name: &str, unit: &str) -> Self {
        ValueType {
            name: name.to_string(),
            unit: unit.to_string(),
        }
    }
}

/// A binary mapped into the profiled process.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    pub id: u64,
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: String,
    pub build_id: String,
    pub has_functions: bool,
    pub has_filenames: bool,
    pub has_line_numbers: bool,
    pub has_inline_frames: bool,
}

/// A function (or method) that lines refer to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Function {
    pub id: u64,
    /// Human-readable name, e.g. `main.(*RequestTracker).Track`.
    pub name: String,
    /// Name as the system knows it (possibly mangled).
    pub system_name: String,
    pub filename: String,
    pub start_line: i64,
}

/// One frame of a location: a function and a line in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Line {
    /// Index into [`Profile::functions`].
    pub function: u32,
    pub line: i64,
    pub column: i64,
}

/// A program address, with the source lines it stands for. When a call was
/// inlined, `lines` has several entries, the inlined callee first and the
/// caller it was inlined into last.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub id: u64,
    /// Index into [`Profile::mappings`], if the location has a mapping.
    pub mapping: Option<u32>,
    pub address: u64,
    pub lines: Vec<Line>,
    pub is_folded: bool,
}

/// The labels of a sample: string labels and numeric labels, each grouped
/// by key, keys sorted, values in the order the file gave them (pprof's
/// `map[string][]string` made deterministic).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LabelSet {
    pub strings: Vec<(String, Vec<String>)>,
    pub numbers: Vec<NumLabel>,
}

/// Numeric label values of one key, with their units (`""` when none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumLabel {
    pub key: String,
    pub values: Vec<i64>,
    pub units: Vec<String>,
}

impl LabelSet {
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty() && self.numbers.is_empty()
    }

    /// The string values of label `key`.
    pub fn get(&self, key: &str) -> &[String] {
        match self.strings.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            Ok(i) => &self.strings[i].1,
            Err(_) => &[],
        }
    }

    /// The numeric values of label `key`.
    pub fn get_num(&self, key: &str) -> Option<&NumLabel> {
        self.numbers
            .binary_search_by(|n| n.key.as_str().cmp(key))
            .ok()
            .map(|i| &self.numbers[i])
    }

    /// Builds a set from (key, value) pairs in file order.
    pub fn from_pairs(
        strings: impl IntoIterator<Item = (String, String)>,
        numbers: impl IntoIterator<Item = (String, i64, String)>,
    ) -> LabelSet {
        let mut set = LabelSet::default();
        for (k, v) in strings {
            match set.strings.iter_mut().find(|(key, _)| *key == k) {
                Some((_, vs)) => vs.push(v),
                None => set.strings.push((k, vec![v])),
            }
        }
        for (k, v, u) in numbers {
            match set.numbers.iter_mut().find(|n| n.key == k) {
                Some(n) => {
                    n.values.push(v);
                    n.units.push(u);
                }
                None => set.numbers.push(NumLabel {
                    key: k,
                    values: vec![v],
                    units: vec![u],
                }),
            }
        }
        set.strings.sort_stable_by(|a, b| a.0.cmp(&b.0));
        set.numbers.sort_stable_by(|a, b| a.key.cmp(&b.key));
        set
    }
}

/// The samples of a profile, in columns.
///
/// Sample `i` has the values `values[i*k .. (i+1)*k]` (k = number of sample
/// types), the stack `stacks.get(i)` (location indices, leaf first, stored
/// as varints) and the label set `label_sets[labels[i]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Samples {
    values_per_sample: usize,
    values: Vec<i64>,
    stacks: Stacks,
    labels: Vec<u32>,
    /// Each distinct set once; id 0 is the empty set.
    label_sets: Interner<LabelSet>,
}

impl Samples {
    pub fn new(values_per_sample: usize) -> Self {
        Samples {
            values_per_sample,
            values: Vec::new(),
            stacks: Stacks::default(),
            labels: Vec::new(),
            label_sets: Interner::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    pub fn values_per_sample(&self) -> usize {
        self.values_per_sample
    }
    pub fn values(&self, i: usize) -> &[i64] {
        let k = self.values_per_sample;
        &self.values[i * k..(i + 1) * k]
    }
    pub fn value(&self, i: usize, sample_type: usize) -> i64 {
        self.values[i * self.values_per_sample + sample_type]
    }
    /// The stack of sample `i`: location indices, leaf first.
    pub fn stack(&self, i: usize) -> StackIter<'_> {
        self.stacks.get(i)
    }
    /// The encoded stack of sample `i` (equal stacks have equal bytes).
    pub fn stack_bytes(&self, i: usize) -> &[u8] {
        self.stacks.bytes(i)
    }
    pub fn label_set_id(&self, i: usize) -> u32 {
        self.labels[i]
    }
    pub fn labels(&self, i: usize) -> &LabelSet {
        &self.label_sets.values()[self.labels[i] as usize]
    }
    pub fn label_sets(&self) -> &[LabelSet] {
        self.label_sets.values()
    }
    /// Bytes taken by all stacks.
    pub fn stack_bytes_len(&self) -> usize {
        self.stacks.byte_len()
    }

    /// Interns a label set, returning its id for [`Samples::push`].
    pub fn intern_labels(&mut self, set: LabelSet) -> u32 {
        self.label_sets.intern_owned(set)
    }

    /// Appends a sample. `values` must hold one value per sample type.
    pub fn push(&mut self, values: &[i64], stack: &[u32], label_set: u32) -> Result<()> {
        debug_assert_eq!(values.len(), self.values_per_sample);
        self.stacks.push(stack)?;
        self.values.extend_from_slice(values);
        self.labels.push(label_set);
        Ok(())
    }

    /// Appends a sample whose stack is already encoded.
    pub fn push_encoded(&mut self, values: &[i64], stack: &[u8], label_set: u32) -> Result<()> {
        self.stacks.push_bytes(stack)?;
        self.values.extend_from_slice(values);
        self.labels.push(label_set);
        Ok(())
    }

    /// Sets the label set of every sample, in order.
    pub(crate) fn set_label_ids(&mut self, ids: impl Iterator<Item = u32>) {
        for (slot, id) in self.labels.iter_mut().zip(ids) {
            *slot = id;
        }
    }

    pub(crate) fn values_mut(&mut self, i: usize) -> &mut [i64] {
        let k = self.values_per_sample;
        &mut self.values[i * k..(i + 1) * k]
    }

    /// Keeps the samples for which `keep` is true, in order.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(usize, &Samples) -> bool) {
        let keep: Vec<bool> = (0..self.len()).map(|i| keep(i, self)).collect();
        let k = self.values_per_sample;
        let mut out = 0;
        for (i, &kept) in keep.iter().enumerate() {
            if kept {
                self.values.copy_within(i * k..(i + 1) * k, out * k);
                self.labels[out] = self.labels[i];
                out += 1;
            }
        }
        self.values.truncate(out * k);
        self.labels.truncate(out);
        self.stacks.compact(|i| keep[i], |_, _| 0);
    }

    /// Maps every frame of every stack through `map`, keeping the samples
    /// for which `keep(i)` is true.
    pub(crate) fn map_stacks(&mut self, keep: &[bool], map: impl FnMut(u32) -> u32) {
        let k = self.values_per_sample;
        let mut out = 0;
        for (i, &kept) in keep.iter().enumerate() {
            if kept {
                self.values.copy_within(i * k..(i + 1) * k, out * k);
                self.labels[out] = self.labels[i];
                out += 1;
            }
        }
        self.values.truncate(out * k);
        self.labels.truncate(out);
        self.stacks.map_in_place(|i| keep[i], map);
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.values.shrink_to_fit();
        self.labels.shrink_to_fit();
        self.stacks.shrink_to_fit();
    }

    /// Cuts the leaf end of each stack: sample `i` loses its first
    /// `cut(i, stack)` frames.
    pub(crate) fn cut_stack_leaves(&mut self, cut: impl FnMut(usize, StackIter) -> usize) {
        self.stacks.compact(|_| true, cut);
    }
}

/// A profile: `profile.proto`, resolved and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub sample_types: Vec<ValueType>,
    /// The sample type to show by default (empty: the last one).
    pub default_sample_type: String,
    pub samples: Samples,
    pub mappings: Vec<Mapping>,
    pub locations: Vec<Location>,
    pub functions: Vec<Function>,
    /// Regex of frames to drop (with everything they call), e.g. allocators.
    pub drop_frames: String,
    /// Regex of frames to keep even when `drop_frames` matches them.
    pub keep_frames: String,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub period_type: ValueType,
    pub period: i64,
    pub comments: Vec<String>,
    pub doc_url: String,
}

impl Profile {
    /// An empty profile with the given sample types.
    pub fn new(sample_types: Vec<ValueType>) -> Self {
        let n = sample_types.len();
        Profile {
            sample_types,
            default_sample_type: String::new(),
            samples: Samples::new(n),
            mappings: Vec::new(),
            locations: Vec::new(),
            functions: Vec::new(),
            drop_frames: String::new(),
            keep_frames: String::new(),
            time_nanos: 0,
            duration_nanos: 0,
            period_type: ValueType::default(),
            period: 0,
            comments: Vec::new(),
            doc_url: String::new(),
        }
    }

    /// Resolves a sample type given by name or index, as pprof's
    /// `-sample_index` does: empty selects the default sample type (else the
    /// last type), a number is an index, and `inuse_space` also finds `space`.
    pub fn sample_type_index(&self, selector: &str) -> Result<usize> {
        if self.sample_types.is_empty() {
            return Err(Error::invalid_option("the profile has no sample types"));
        }
        if selector.is_empty() {
            if !self.default_sample_type.is_empty() {
                if let Some(i) = self
                    .sample_types
                    .iter()
                    .position(|t| t.name == self.default_sample_type)
                {
                    return Ok(i);
                }
            }
            return Ok(self.sample_types.len() - 1);
        }
        if let Ok(i) = selector.parse::<i64>() {
            if i < 0 || i as usize >= self.sample_types.len() {
                return Err(Error::invalid_option(format!(
                    "sample index {selector} is outside the range [0..{}]",
                    self.sample_types.len() - 1
                )));
            }
            return Ok(i as usize);
        }
        let no_inuse = selector.strip_prefix("inuse_").unwrap_or(selector);
        self.sample_types
            .iter()
            .position(|t| t.name == selector || t.name == no_inuse)
            .ok_or_else(|| {
                let names: Vec<&str> = self.sample_types.iter().map(|t| t.name.as_str()).collect();
                Error::invalid_option(format!(
                    "sample type {selector:?} must be one of: {}",
                    names.join(", ")
                ))
            })
    }

    /// The file of the location's mapping, if any (pprof's "objfile").
    pub fn location_objfile(&self, location: &Location) -> &str {
        location
            .mapping
            .map(|m| self.mappings[m as usize].file.as_str())
            .unwrap_or("")
    }

    /// Multiplies every value of sample type `i` by `ratios[i]` (rounding as
    /// pprof does) and drops samples left with only zero values.
    pub fn scale(&mut self, ratios: &[f64]) {
        if ratios.iter().all(|&r| r == 1.0) {
            return;
        }
        for i in 0..self.samples.len() {
            for (v, &r) in self.samples.values_mut(i).iter_mut().zip(ratios) {
                if r != 1.0 {
                    *v = crate::units::go_int64((*v as f64 * r).round());
                }
            }
        }
        // pprof keeps a sample when a *scaled* value is non-zero.
        self.samples.retain(|i, s| {
            s.values(i)
                .iter()
                .zip(ratios)
                .any(|(&v, &r)| r != 1.0 && v != 0)
        });
    }

    /// Adds label `key` = `value` to every sample (pprof's `SetLabel`).
    pub fn set_label(&mut self, key: &str, value: &str) {
        let n = self.samples.label_sets().len();
        let mut remap = Vec::with_capacity(n);
        for id in 0..n {
            let mut set = self.samples.label_sets()[id].clone();
            match set.strings.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
                Ok(i) => set.strings[i].1 = vec![value.to_string()],
                Err(i) => set
                    .strings
                    .insert(i, (key.to_string(), vec![value.to_string()])),
            }
            remap.push(self.samples.intern_labels(set));
        }
        for l in &mut self.samples.labels {
            *l = remap[*l as usize];
        }
    }
}

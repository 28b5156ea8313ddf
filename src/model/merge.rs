//! Merging profiles, with pprof's `profile.Merge` semantics.
//!
//! pprof merges even a single profile before reporting on it (it compacts
//! it): equal functions, locations and mappings collapse into one, samples
//! with the same stack and labels add up, and samples whose values are all
//! zero disappear. Totals depend on this (a total is a sum of |value| over
//! the *merged* samples), so every report starts from a merged profile.
//!
//! Ids in the result are renumbered 1..n in order of first use, as pprof
//! does, so `raw` output matches pprof's.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::{Function, LabelSet, Location, Mapping, Profile, Samples, Stacks, ValueType};
use crate::error::{Error, Result};
use crate::units;

/// Merges profiles of the same kind into one, compacting it. Values of
/// sample types in different units of one family (ms and ns) are first
/// scaled to the finest unit.
pub fn merge(mut profiles: Vec<Profile>) -> Result<Profile> {
    if profiles.is_empty() {
        return Err(Error::invalid_option("no profiles to merge"));
    }
    if profiles.len() > 1 {
        scale_to_common_units(&mut profiles)?;
    }
    for (i, p) in profiles.iter().enumerate().skip(1) {
        check_compatible(&profiles[0], p).map_err(|e| e.context(format!("profile {}", i + 1)))?;
    }
    let mut merger = Merger::new(combine_headers(&profiles));
    for (n, mut source) in profiles.into_iter().enumerate() {
        if n == 0 {
            merger.add_first(&mut source)?;
        } else {
            merger.add(&mut source)?;
        }
    }
    let merged = merger.out;
    let has_zero_sample =
        (0..merged.samples.len()).any(|i| merged.samples.values(i).iter().all(|&v| v == 0));
    if has_zero_sample {
        // Samples that summed to zero are dropped by merging again (pprof
        // does the same), which also drops what only they referred to.
        return merge(vec![merged]);
    }
    Ok(merged)
}

/// Checks that two profiles have the same period type and sample types.
pub fn check_compatible(a: &Profile, b: &Profile) -> Result<()> {
    if a.period_type != b.period_type {
        return Err(Error::incompatible(format!(
            "incompatible period types {} and {}",
            describe_type(&a.period_type),
            describe_type(&b.period_type)
        )));
    }
    if a.sample_types != b.sample_types {
        return Err(Error::incompatible(format!(
            "incompatible sample types [{}] and [{}]",
            describe_types(&a.sample_types),
            describe_types(&b.sample_types)
        )));
    }
    Ok(())
}

fn describe_type(t: &ValueType) -> String {
    format!("{}/{}", t.name, t.unit)
}

fn describe_types(ts: &[ValueType]) -> String {
    ts.iter().map(describe_type).collect::<Vec<_>>().join(" ")
}

/// pprof's `ScaleProfiles`: brings sample types (and period types) of
/// compatible units to the finest unit among the profiles.
fn scale_to_common_units(profiles: &mut [Profile]) -> Result<()> {
    let period_types: Vec<ValueType> = profiles.iter().map(|p| p.period_type.clone()).collect();
    let common_period = common_value_type(&period_types)
        .map_err(|e| Error::incompatible(format!("period type: {e}")))?;
    let n = profiles[0].sample_types.len();
    for p in &profiles[1..] {
        if p.sample_types.len() != n {
            return Err(Error::incompatible(format!(
                "inconsistent sample type count: {} != {}",
                n,
                p.sample_types.len()
            )));
        }
    }
    let mut common = Vec::with_capacity(n);
    for i in 0..n {
        let types: Vec<ValueType> = profiles.iter().map(|p| p.sample_types[i].clone()).collect();
        common.push(
            common_value_type(&types)
                .map_err(|e| Error::incompatible(format!("sample types: {e}")))?,
        );
    }
    for p in profiles.iter_mut() {
        let (period, _) = units::scale(p.period, &p.period_type.unit, &common_period.unit);
        p.period = period as i64;
        p.period_type.unit = common_period.unit.clone();
        let mut ratios = vec![1.0; n];
        for (i, c) in common.iter().enumerate() {
            ratios[i] = units::scale(1, &p.sample_types[i].unit, &c.unit).0;
            p.sample_types[i].unit = c.unit.clone();
        }
        p.scale(&ratios);
    }
    Ok(())
}

/// The finest of a set of compatible value types.
fn common_value_type(types: &[ValueType]) -> std::result::Result<ValueType, String> {
    let mut min = types[0].clone();
    for t in &types[1..] {
        let same_name = min.name.strip_suffix('s').unwrap_or(&min.name)
            == t.name.strip_suffix('s').unwrap_or(&t.name);
        let compatible =
            same_name && (min.unit == t.unit || units::same_family(&min.unit, &t.unit));
        if !compatible {
            return Err(format!(
                "incompatible types: {} {}",
                describe_type(&min),
                describe_type(t)
            ));
        }
        if units::scale(1, &t.unit, &min.unit).0 < 1.0 {
            min = t.clone();
        }
    }
    Ok(min)
}

/// pprof's `combineHeaders`: the earliest time, the summed duration, the
/// largest period, the comments of all without repeats.
fn combine_headers(profiles: &[Profile]) -> Profile {
    let first = &profiles[0];
    let mut out = Profile::new(first.sample_types.clone());
    out.drop_frames = first.drop_frames.clone();
    out.keep_frames = first.keep_frames.clone();
    out.period_type = first.period_type.clone();
    out.doc_url = first.doc_url.clone();
    let mut seen_comments = std::collections::HashSet::new();
    for p in profiles {
        if out.time_nanos == 0 || p.time_nanos < out.time_nanos {
            out.time_nanos = p.time_nanos;
        }
        out.duration_nanos += p.duration_nanos;
        if out.period == 0 || out.period < p.period {
            out.period = p.period;
        }
        for c in &p.comments {
            if seen_comments.insert(c.clone()) {
                out.comments.push(c.clone());
            }
        }
        if out.default_sample_type.is_empty() {
            out.default_sample_type = p.default_sample_type.clone();
        }
    }
    out
}

#[derive(Hash, PartialEq, Eq)]
struct MappingKey {
    size: u64,
    offset: u64,
    build_id_or_file: String,
}

fn mapping_key(m: &Mapping) -> MappingKey {
    // Sizes are rounded up to 4 KiB so minor differences still merge.
    const ROUND: u64 = 0x1000;
    let size = m.limit.wrapping_sub(m.start).wrapping_add(ROUND - 1);
    let size = size - size % ROUND;
    MappingKey {
        size,
        offset: m.offset,
        build_id_or_file: if !m.build_id.is_empty() {
            m.build_id.clone()
        } else {
            m.file.clone()
        },
    }
}

const UNMAPPED: u32 = u32::MAX;

/// The per-source memo of what each source entity became in the output.
struct SourceMaps {
    locations: Vec<u32>,
    functions: Vec<u32>,
    /// Output mapping index and the address shift to apply.
    mappings: Vec<Option<(u32, i64)>>,
}

impl SourceMaps {
    fn new(p: &Profile) -> Self {
        SourceMaps {
            locations: vec![UNMAPPED; p.locations.len()],
            functions: vec![UNMAPPED; p.functions.len()],
            mappings: vec![None; p.mappings.len()],
        }
    }
}

/// The merge state. The tables hold output indices and hash the output
/// entities in place, so no key is cloned; source entities are moved into
/// the output, not copied.
struct Merger {
    out: Profile,
    mappings: HashMap<MappingKey, u32>,
    /// Output location indices, hashed by pprof's location key.
    locations: HashTable<u32>,
    /// Output function indices, hashed by (start line, names, file).
    functions: HashTable<u32>,
    /// Output sample indices, hashed by (stack, label set).
    samples: HashTable<u32>,
    hasher: FxBuildHasher,
}

/// pprof's function key: start line, name, system name, file name.
fn function_hash(hasher: &FxBuildHasher, f: &Function) -> u64 {
    hasher.hash_one((f.start_line, &f.name, &f.system_name, &f.filename))
}

fn same_function(a: &Function, b: &Function) -> bool {
    a.start_line == b.start_line
        && a.name == b.name
        && a.system_name == b.system_name
        && a.filename == b.filename
}

/// pprof's location key: the address relative to its mapping's start, the
/// mapping, the (function, line) of each line, and the folded flag.
fn location_hash(hasher: &FxBuildHasher, l: &Location, mappings: &[Mapping]) -> u64 {
    let mut h = hasher.build_hasher();
    relative_address(l, mappings).hash(&mut h);
    l.mapping.hash(&mut h);
    for line in &l.lines {
        (line.function, line.line).hash(&mut h);
    }
    l.is_folded.hash(&mut h);
    std::hash::Hasher::finish(&h)
}

fn relative_address(l: &Location, mappings: &[Mapping]) -> u64 {
    match l.mapping {
        Some(m) => l.address.wrapping_sub(mappings[m as usize].start),
        None => l.address,
    }
}

fn same_location(a: &Location, b: &Location, mappings: &[Mapping]) -> bool {
    relative_address(a, mappings) == relative_address(b, mappings)
        && a.mapping == b.mapping
        && a.is_folded == b.is_folded
        && a.lines.len() == b.lines.len()
        && a.lines
            .iter()
            .zip(&b.lines)
            .all(|(x, y)| x.function == y.function && x.line == y.line)
}

impl Merger {
    fn new(out: Profile) -> Self {
        Merger {
            out,
            mappings: HashMap::new(),
            locations: HashTable::new(),
            functions: HashTable::new(),
            samples: HashTable::new(),
            hasher: FxBuildHasher,
        }
    }

    /// The hash of a sample's key: its encoded stack and its label set.
    fn sample_hash(hasher: &FxBuildHasher, stack: &[u8], labels: u32) -> u64 {
        hasher.hash_one((stack, labels))
    }

    /// Merges the first source, reusing its sample columns in place (the
    /// output never needs more room than the input), so merging one large
    /// profile does not hold two copies of its stacks: map the stacks to
    /// output locations (dropping all-zero samples), then add up samples
    /// with equal stacks and labels.
    fn add_first(&mut self, src: &mut Profile) -> Result<()> {
        let mut maps = SourceMaps::new(src);
        if !src.mappings.is_empty() {
            self.map_mapping(src, &mut maps, 0);
        }
        let mut samples = std::mem::replace(&mut src.samples, Samples::new(0));
        let nonzero: Vec<bool> = (0..samples.len())
            .map(|i| samples.values(i).iter().any(|&v| v != 0))
            .collect();
        samples.map_stacks(&nonzero, |loc| self.map_location(src, &mut maps, loc));

        let hasher = self.hasher;
        let mut duplicate = vec![false; samples.len()];
        for (i, is_duplicate) in duplicate.iter_mut().enumerate() {
            let (stack, labels) = (samples.stack_bytes(i), samples.label_set_id(i));
            let hash = Self::sample_hash(&hasher, stack, labels);
            let same = |&j: &u32| {
                samples.label_set_id(j as usize) == labels
                    && samples.stack_bytes(j as usize) == stack
            };
            match self.samples.find(hash, same) {
                Some(&j) => {
                    *is_duplicate = true;
                    let add: Vec<i64> = samples.values(i).to_vec();
                    for (v, a) in samples.values_mut(j as usize).iter_mut().zip(add) {
                        *v = v.wrapping_add(a);
                    }
                }
                None => {
                    self.samples.insert_unique(hash, i as u32, |&j| {
                        Self::sample_hash(
                            &hasher,
                            samples.stack_bytes(j as usize),
                            samples.label_set_id(j as usize),
                        )
                    });
                }
            }
        }
        if duplicate.iter().any(|&d| d) {
            samples.retain(|i, _| !duplicate[i]);
            // The table's indices are positions before compaction: rebuild.
            self.samples.clear();
            for i in 0..samples.len() {
                let hash =
                    Self::sample_hash(&hasher, samples.stack_bytes(i), samples.label_set_id(i));
                self.samples.insert_unique(hash, i as u32, |&j| {
                    Self::sample_hash(
                        &hasher,
                        samples.stack_bytes(j as usize),
                        samples.label_set_id(j as usize),
                    )
                });
            }
        }
        samples.shrink_to_fit();
        self.out.samples = samples;
        Ok(())
    }

    /// Merges a further source into the output.
    fn add(&mut self, src: &mut Profile) -> Result<()> {
        let mut maps = SourceMaps::new(src);
        if self.out.mappings.is_empty() && !src.mappings.is_empty() {
            self.map_mapping(src, &mut maps, 0);
        }
        let label_remap: Vec<u32> = src
            .samples
            .label_sets()
            .iter()
            .map(|set| self.out.samples.intern_labels(set.clone()))
            .collect();
        let samples = std::mem::replace(&mut src.samples, Samples::new(0));
        let mut frames: Vec<u32> = Vec::new();
        let mut encoded = Stacks::default();
        for i in 0..samples.len() {
            let values = samples.values(i);
            if values.iter().all(|&v| v == 0) {
                continue;
            }
            frames.clear();
            for loc in samples.stack(i) {
                frames.push(self.map_location(src, &mut maps, loc));
            }
            encoded = Stacks::default();
            encoded.push(&frames)?;
            let stack = encoded.bytes(0);
            let labels = label_remap[samples.label_set_id(i) as usize];
            let hash = Self::sample_hash(&self.hasher, stack, labels);
            let out = &self.out.samples;
            let found = self.samples.find(hash, |&j| {
                out.label_set_id(j as usize) == labels && out.stack_bytes(j as usize) == stack
            });
            if let Some(&j) = found {
                for (v, add) in self
                    .out
                    .samples
                    .values_mut(j as usize)
                    .iter_mut()
                    .zip(values)
                {
                    *v = v.wrapping_add(*add);
                }
                continue;
            }
            let j = self.out.samples.len() as u32;
            self.out.samples.push_encoded(values, stack, labels)?;
            let (hasher, out) = (self.hasher, &self.out.samples);
            self.samples.insert_unique(hash, j, |&j| {
                Self::sample_hash(
                    &hasher,
                    out.stack_bytes(j as usize),
                    out.label_set_id(j as usize),
                )
            });
        }
        drop(encoded);
        Ok(())
    }

    fn map_mapping(&mut self, src: &Profile, maps: &mut SourceMaps, m: u32) -> (u32, i64) {
        if let Some(mapped) = maps.mappings[m as usize] {
            return mapped;
        }
        let sm = &src.mappings[m as usize];
        let key = mapping_key(sm);
        let mapped = match self.mappings.get(&key) {
            Some(&om) => {
                let shift = self.out.mappings[om as usize].start as i64 - sm.start as i64;
                (om, shift)
            }
            None => {
                let om = self.out.mappings.len() as u32;
                let mut copy = sm.clone();
                copy.id = om as u64 + 1;
                self.out.mappings.push(copy);
                self.mappings.insert(key, om);
                (om, 0)
            }
        };
        maps.mappings[m as usize] = Some(mapped);
        mapped
    }

    fn map_function(&mut self, src: &mut Profile, maps: &mut SourceMaps, f: u32) -> u32 {
        let memo = maps.functions[f as usize];
        if memo != UNMAPPED {
            return memo;
        }
        // Each source function is read once: move it out.
        let sf = std::mem::take(&mut src.functions[f as usize]);
        let hash = function_hash(&self.hasher, &sf);
        let out = &self.out.functions;
        let of = match self
            .functions
            .find(hash, |&j| same_function(&out[j as usize], &sf))
        {
            Some(&of) => of,
            None => {
                let of = self.out.functions.len() as u32;
                self.out.functions.push(Function {
                    id: of as u64 + 1,
                    ..sf
                });
                let (hasher, out) = (self.hasher, &self.out.functions);
                self.functions
                    .insert_unique(hash, of, |&j| function_hash(&hasher, &out[j as usize]));
                of
            }
        };
        maps.functions[f as usize] = of;
        of
    }

    fn map_location(&mut self, src: &mut Profile, maps: &mut SourceMaps, l: u32) -> u32 {
        let memo = maps.locations[l as usize];
        if memo != UNMAPPED {
            return memo;
        }
        // Each source location is read once: move it out.
        let mut loc = std::mem::take(&mut src.locations[l as usize]);
        let mut shift = 0;
        if let Some(m) = loc.mapping {
            let (om, s) = self.map_mapping(src, maps, m);
            loc.mapping = Some(om);
            shift = s;
        }
        loc.address = (loc.address as i64).wrapping_add(shift) as u64;
        for line in &mut loc.lines {
            line.function = self.map_function(src, maps, line.function);
        }
        let hash = location_hash(&self.hasher, &loc, &self.out.mappings);
        let (out, mappings) = (&self.out.locations, &self.out.mappings);
        let ol = match self
            .locations
            .find(hash, |&j| same_location(&out[j as usize], &loc, mappings))
        {
            Some(&ol) => ol,
            None => {
                let ol = self.out.locations.len() as u32;
                loc.id = ol as u64 + 1;
                self.out.locations.push(loc);
                let (hasher, out, mappings) =
                    (self.hasher, &self.out.locations, &self.out.mappings);
                self.locations.insert_unique(hash, ol, |&j| {
                    location_hash(&hasher, &out[j as usize], mappings)
                });
                ol
            }
        };
        maps.locations[l as usize] = ol;
        ol
    }
}

/// Labels every sample of `base` as belonging to a diff base, as pprof's
/// `-diff_base` does, so percentages are taken of the base's total.
pub const DIFF_BASE_LABEL: &str = "pprof::base";

/// Whether a label set marks a diff-base sample.
pub fn is_diff_base(labels: &LabelSet) -> bool {
    labels.get(DIFF_BASE_LABEL).iter().any(|v| v == "true")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Line;

    fn profile_with(samples: &[(&[u32], i64)]) -> Profile {
        let mut p = Profile::new(vec![ValueType::new("samples", "count")]);
        for name in ["a", "b", "c"] {
            let f = p.functions.len() as u32;
            p.functions.push(Function {
                id: f as u64 + 1,
                name: name.into(),
                ..Default::default()
            });
            p.locations.push(Location {
                id: f as u64 + 1,
                lines: vec![Line {
                    function: f,
                    line: 1,
                    column: 0,
                }],
                ..Default::default()
            });
        }
        for (stack, v) in samples {
            p.samples.push(&[*v], stack, 0).unwrap();
        }
        p
    }

    #[test]
    fn merging_one_profile_adds_equal_stacks_and_drops_zero_samples() {
        let p = profile_with(&[(&[0, 1], 5), (&[2], 0), (&[0, 1], 7), (&[1], 3)]);
        let m = merge(vec![p]).unwrap();
        assert_eq!(m.samples.len(), 2);
        assert_eq!(m.samples.values(0), &[12]);
        assert_eq!(m.samples.values(1), &[3]);
        // Location c was only used by a zero sample: it is gone.
        assert_eq!(m.locations.len(), 2);
        assert_eq!(m.locations.iter().map(|l| l.id).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn base_and_target_cancel_out() {
        let target = profile_with(&[(&[0, 1], 5), (&[1], 3)]);
        let mut base = profile_with(&[(&[0, 1], 5)]);
        base.scale(&[-1.0]);
        let m = merge(vec![target, base]).unwrap();
        assert_eq!(m.samples.len(), 1);
        assert_eq!(m.samples.values(0), &[3]);
    }

    #[test]
    fn incompatible_profiles_are_refused() {
        let a = profile_with(&[]);
        let mut b = profile_with(&[]);
        b.sample_types[0] = ValueType::new("cpu", "nanoseconds");
        let err = merge(vec![a, b]).unwrap_err();
        assert!(err.message.contains("incompatible"), "{}", err.message);
    }
}

//! Decoding `profile.proto` (uncompressed) into the model.
//!
//! The decoder streams: it reads one top-level field at a time from a byte
//! source (the gzip stream or a buffer) and appends samples straight into
//! the columnar [`Samples`], so a large profile is never held both as
//! inflated bytes and as decoded records. Every other field is merged into
//! a small header record by the prost-derived [`wire::Profile`], then
//! resolved: string indices become strings, ids become indices, and every
//! dangling reference is an error naming the field and the id.

mod decode_error;
pub mod wire;

use std::cell::Cell;
use std::io::Read;

use prost::encoding::{decode_key, decode_varint, WireType};
use prost::Message;
use rustc_hash::FxHashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::import::{limit_hit, ImportOptions};
use crate::model::interner::Interner;
use crate::model::{Function, LabelSet, Line, Location, Mapping, Profile, Samples, ValueType};

/// Decodes an uncompressed protobuf profile from `reader`. `read_error`
/// turns I/O errors of the source (a broken gzip stream) into errors.
pub fn decode(
    reader: &mut dyn Read,
    read_error: &dyn Fn(std::io::Error) -> Error,
    limits: &ImportOptions,
) -> Result<Profile> {
    let mut window = Window::new(reader);
    let mut header = wire::Profile::default();
    let mut samples = SampleColumns::default();
    let mut sample = SampleFields::default();
    loop {
        let at = window.offset();
        let available = window.fill(20).map_err(&read_error)?;
        if available == 0 {
            break;
        }
        let (tag, wire_type, head_len, body_len) =
            field_extent(window.bytes()).map_err(|e| match at {
                // Not a damaged profile: no protobuf at all (every other
                // reader refused it too).
                0 => Error::malformed(crate::error::one_line(&format!(
                    "not a pprof profile, nor another format leakscope reads: \
                     its first byte (0x{:02x}) does not start a protobuf field ({e})",
                    window.bytes()[0]
                ))),
                _ => malformed_at(at, &format!("bad field header: {e}")),
            })?;
        let total = head_len
            .checked_add(body_len)
            .ok_or_else(|| malformed_at(at, "field length overflows"))?;
        if window.fill(total).map_err(&read_error)? < total {
            return Err(malformed_at(
                at,
                &format!(
                    "field {tag} needs {body_len} bytes but the data ends after {} (truncated?)",
                    window.bytes().len() - head_len
                ),
            ));
        }
        let field = &window.bytes()[..total];
        match (tag, wire_type) {
            (2, WireType::LengthDelimited) => {
                let payload = &field[head_len..];
                let index = samples.len();
                sample
                    .read(payload, index, &mut samples.dropped_keys)
                    .map_err(|e| {
                        malformed_at(
                            at,
                            &decode_error::in_message(&e, &format!("sample {index}")),
                        )
                    })?;
                samples.add(&sample, header.sample_type.len(), limits)?;
                if samples.len() as u64 > limits.max_samples {
                    return Err(limit_hit(
                        "the profile has more samples than the limit",
                        limits.max_samples,
                        "--max-samples",
                    ));
                }
            }
            (9, _) if header.time_nanos != 0 => {
                return Err(Error::malformed(
                    "the data holds several profiles concatenated (time_nanos appears twice); \
                     pass each profile as its own file",
                ));
            }
            _ => {
                header
                    .merge(field)
                    .map_err(|e| malformed_at(at, &decode_error::in_field(&e, &field_name(tag))))?;
                check_counts(&header, limits)?;
            }
        }
        window.consume(total);
    }
    // Resolving finds what pprof calls a malformed profile; say whose.
    let budget = string_budget(window.offset(), limits);
    resolve(header, samples, budget).map_err(|e| {
        if e.message.starts_with("not a valid pprof") || e.kind == ErrorKind::Limit {
            e
        } else {
            e.context("malformed pprof profile")
        }
    })
}

/// The table limits, checked as each entry arrives (so a crafted file
/// stops before it fills memory).
fn check_counts(header: &wire::Profile, limits: &ImportOptions) -> Result<()> {
    for (count, what) in [
        (header.location.len(), "locations"),
        (header.function.len(), "functions"),
        (header.mapping.len(), "mappings"),
    ] {
        if count as u64 > limits.max_locations {
            return Err(limit_hit(
                &format!("the profile has more {what} than the limit"),
                limits.max_locations,
                "--max-locations",
            ));
        }
    }
    if header.sample_type.len() as u64 > limits.max_sample_types {
        return Err(too_many_sample_types(limits));
    }
    if header.string_table.len() as u64 > limits.max_strings {
        return Err(limit_hit(
            "the profile's string table has more entries than the limit",
            limits.max_strings,
            "--max-strings",
        ));
    }
    Ok(())
}

fn too_many_sample_types(limits: &ImportOptions) -> Error {
    limit_hit(
        "too many sample types",
        limits.max_sample_types,
        "--max-sample-types",
    )
}

fn malformed_at(offset: u64, what: &str) -> Error {
    Error::malformed(crate::error::one_line(&format!(
        "not a valid pprof protobuf: at byte {offset}: {what}"
    )))
}

/// A top-level field of `profile.proto` as people know it.
fn field_name(tag: u32) -> String {
    const NAMES: [&str; 15] = [
        "sample_type",
        "sample",
        "mapping",
        "location",
        "function",
        "string_table",
        "drop_frames",
        "keep_frames",
        "time_nanos",
        "duration_nanos",
        "period_type",
        "period",
        "comment",
        "default_sample_type",
        "doc_url",
    ];
    match NAMES.get((tag as usize).wrapping_sub(1)) {
        Some(name) => format!("{name} (field {tag})"),
        None => format!("field {tag}"),
    }
}

/// Measures the field at the start of `bytes`: (tag, wire type, length of
/// its key and length prefix, length of its body).
fn field_extent(bytes: &[u8]) -> std::result::Result<(u32, WireType, usize, usize), String> {
    let mut buf = bytes;
    let (tag, wire_type) = decode_key(&mut buf).map_err(|e| decode_error::plain(&e))?;
    let body_len = match wire_type {
        WireType::Varint => {
            let before = buf.len();
            let mut peek = buf;
            decode_varint(&mut peek).map_err(|e| decode_error::plain(&e))?;
            before - peek.len()
        }
        WireType::LengthDelimited => {
            let len = decode_varint(&mut buf).map_err(|e| decode_error::plain(&e))?;
            usize::try_from(len).map_err(|_| format!("field {tag} is {len} bytes long"))?
        }
        WireType::ThirtyTwoBit => 4,
        WireType::SixtyFourBit => 8,
        WireType::StartGroup | WireType::EndGroup => {
            return Err(format!(
                "field {tag} uses protobuf groups, which profiles never do"
            ))
        }
    };
    Ok((tag, wire_type, bytes.len() - buf.len(), body_len))
}

/// A sliding window over a byte stream, refilled on demand.
struct Window<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    offset: u64,
    eof: bool,
}

impl<R: Read> Window<R> {
    fn new(reader: R) -> Self {
        Window {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            offset: 0,
            eof: false,
        }
    }

    /// Byte offset (in the uncompressed data) of the window's start.
    fn offset(&self) -> u64 {
        self.offset
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Makes at least `n` bytes available if the stream has them; returns
    /// how many are available.
    fn fill(&mut self, n: usize) -> std::io::Result<usize> {
        while self.end - self.start < n && !self.eof {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            // Grow with the data that actually arrives, not with what a
            // (possibly corrupt) length prefix claims.
            let have = self.end - self.start;
            let want = n.min(have.saturating_mul(2).max(64 * 1024));
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            let read = self.reader.read(&mut self.buf[self.end..])?;
            if read == 0 {
                self.eof = true;
            }
            self.end += read;
        }
        Ok(self.end - self.start)
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        self.offset += n as u64;
    }
}

/// Location ids seen in samples, interned in first-use order: the
/// reference of an id becomes its location's index.
#[derive(Default)]
struct LocationRefs {
    dense: Vec<u32>,
    sparse: FxHashMap<u64, u32>,
    ids: Vec<u64>,
}

const DENSE_IDS: u64 = 1 << 22;

impl LocationRefs {
    fn intern(&mut self, id: u64) -> u32 {
        if id < DENSE_IDS {
            let i = id as usize;
            if i >= self.dense.len() {
                self.dense.resize((i + 1).max(self.dense.len() * 2), 0);
            }
            if self.dense[i] == 0 {
                self.ids.push(id);
                self.dense[i] = self.ids.len() as u32;
            }
            self.dense[i] - 1
        } else {
            let next = self.ids.len() as u32;
            let r = *self.sparse.entry(id).or_insert(next);
            if r == next {
                self.ids.push(id);
            }
            r
        }
    }
}

/// One sample as read from the wire: [`wire::Sample`], except that a label
/// with neither a value nor a unit, which pprof drops, is not kept (two
/// bytes on the wire, 32 in a `Vec`: 60 MB of them made a 1 GB vector).
#[derive(Default)]
struct SampleFields {
    location_id: Vec<u64>,
    value: Vec<i64>,
    label: Vec<wire::Label>,
}

impl SampleFields {
    /// Reads the body of sample `index`, as prost's `merge` would; keys of
    /// dropped labels go to `dropped`, to be checked once strings are known.
    fn read(
        &mut self,
        mut buf: &[u8],
        index: usize,
        dropped: &mut DroppedKeys,
    ) -> std::result::Result<(), prost::DecodeError> {
        use prost::encoding::{int64, message, skip_field, uint64, DecodeContext};
        self.location_id.clear();
        self.value.clear();
        self.label.clear();
        let in_field = |field: &'static str| {
            move |mut e: prost::DecodeError| {
                e.push("Sample", field);
                e
            }
        };
        while !buf.is_empty() {
            let (tag, wire_type) = decode_key(&mut buf)?;
            let ctx = DecodeContext::default();
            match tag {
                1 => uint64::merge_repeated(wire_type, &mut self.location_id, &mut buf, ctx)
                    .map_err(in_field("location_id"))?,
                2 => int64::merge_repeated(wire_type, &mut self.value, &mut buf, ctx)
                    .map_err(in_field("value"))?,
                3 => {
                    let mut label = wire::Label::default();
                    message::merge(wire_type, &mut label, &mut buf, ctx)
                        .map_err(in_field("label"))?;
                    if label.str != 0 || label.num != 0 || label.num_unit != 0 {
                        self.label.push(label);
                    } else {
                        dropped.note(label.key, index);
                    }
                }
                _ => skip_field(wire_type, tag, &mut buf, ctx)?,
            }
        }
        Ok(())
    }
}

/// The smallest and largest key of the labels dropped while reading (with
/// their samples): pprof checks every label's key against the string
/// table, and these two are the ones that can be out of it.
#[derive(Default)]
struct DroppedKeys {
    least: Option<(i64, usize)>,
    most: Option<(i64, usize)>,
}

impl DroppedKeys {
    fn note(&mut self, key: i64, sample: usize) {
        if self.least.is_none_or(|(k, _)| key < k) {
            self.least = Some((key, sample));
        }
        if self.most.is_none_or(|(k, _)| key > k) {
            self.most = Some((key, sample));
        }
    }

    fn check(&self, strings: &Strings) -> Result<()> {
        for &(key, sample) in self.least.iter().chain(&self.most) {
            strings.get(key, || format!("sample {sample} label key"))?;
        }
        Ok(())
    }
}

/// Samples as they stream in: stacks of location references and raw label
/// sets (string indices), resolved once the rest of the profile is known.
#[derive(Default)]
struct SampleColumns {
    samples: Option<Samples>,
    locations: LocationRefs,
    /// Raw label sets (string indices) by id; 0 is the empty set.
    raw_labels: Interner<Vec<wire::Label>>,
    /// The first sample that used each raw label set, by id from 1.
    raw_labels_first_sample: Vec<usize>,
    dropped_keys: DroppedKeys,
    label_ids: Vec<u32>,
    stack: Vec<u32>,
}

impl SampleColumns {
    fn len(&self) -> usize {
        self.label_ids.len()
    }

    fn add(
        &mut self,
        s: &SampleFields,
        declared_types: usize,
        limits: &ImportOptions,
    ) -> Result<()> {
        let index = self.len();
        if declared_types == 0 && s.value.len() as u64 > limits.max_sample_types {
            return Err(too_many_sample_types(limits));
        }
        let per_sample = self
            .samples
            .get_or_insert_with(|| {
                Samples::new(if declared_types > 0 {
                    declared_types
                } else {
                    s.value.len()
                })
            })
            .values_per_sample();
        if s.value.len() != per_sample {
            return Err(Error::malformed(format!(
                "sample {index} has {} values, but {} has {}",
                s.value.len(),
                if declared_types > 0 {
                    "the profile declares sample types that number"
                } else {
                    "the first sample"
                },
                per_sample
            )));
        }
        self.stack.clear();
        for &id in &s.location_id {
            self.stack.push(self.locations.intern(id));
        }
        let label_id = if s.label.is_empty() {
            0
        } else {
            self.intern_labels(&s.label, index)
        };
        self.label_ids.push(label_id);
        let samples = self.samples.as_mut().expect("made above");
        samples.push(&s.value, &self.stack, 0)
    }

    /// The id of a raw label set, first seen in sample `index`.
    fn intern_labels(&mut self, set: &[wire::Label], index: usize) -> u32 {
        let (id, new) = self.raw_labels.intern(set, <[wire::Label]>::to_vec);
        if new {
            self.raw_labels_first_sample.push(index);
        }
        id
    }
}

/// The string table, with errors that say which field held a bad index,
/// and a budget for the bytes its strings take once resolved.
///
/// Every reference to a string becomes a copy in the model (and in the
/// views after it), so a small file that names one 1 MiB string 20,000
/// times would need 20 GB: the copies are counted, and past the budget
/// (a quarter of the limit on decompressed data) the profile is refused.
struct Strings {
    table: Vec<String>,
    budget: Cell<u64>,
    limit: u64,
}

impl Strings {
    fn new(table: Vec<String>, limit: u64) -> Strings {
        Strings {
            table,
            budget: Cell::new(limit),
            limit,
        }
    }

    fn get(&self, index: i64, what: impl FnOnce() -> String) -> Result<&str> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.table.get(i))
            .map(String::as_str)
            .ok_or_else(|| {
                Error::malformed(format!(
                    "{} refers to string {index}, but the string table has {} entries",
                    what(),
                    self.table.len()
                ))
            })
    }

    /// A copy of string `index`, charged to the budget.
    fn owned(&self, index: i64, what: impl Fn() -> String) -> Result<String> {
        let s = self.get(index, &what)?;
        let left = self.budget.get();
        if s.len() as u64 > left {
            return Err(Error::limit(format!(
                "{}: its strings pass {} resolved (string fan-out?): 16× the data, at most \
                 1/4 of --max-inflated-mb",
                what(),
                crate::units::label(self.limit as i64, "bytes"),
            )));
        }
        self.budget.set(left - s.len() as u64);
        Ok(s.to_string())
    }
}

/// The most bytes a profile's strings may take once every reference is
/// resolved to a copy, for a protobuf of `size` bytes: 16 times its size
/// (real profiles resolve to a few times theirs) and 16 MiB more, at most
/// a quarter of the limit on decompressed data. [`crate::import::memory_needed`]
/// counts it, so the page's up-front estimate holds for a fan-out too.
pub fn string_budget(size: u64, limits: &ImportOptions) -> u64 {
    size.saturating_mul(16)
        .saturating_add(16 << 20)
        .min(limits.max_inflated_bytes / 4)
}

/// Maps ids to indices, rejecting the reserved id 0 and duplicates.
fn index_ids(ids: impl Iterator<Item = u64>, what: &str) -> Result<FxHashMap<u64, u32>> {
    let mut map = FxHashMap::default();
    for (i, id) in ids.enumerate() {
        if id == 0 {
            return Err(Error::malformed(format!(
                "{what} {} has the reserved id 0",
                i + 1
            )));
        }
        if map.insert(id, i as u32).is_some() {
            return Err(Error::malformed(format!("two {what}s have the id {id}")));
        }
    }
    Ok(map)
}

/// Turns the wire records into a validated model.
fn resolve(header: wire::Profile, columns: SampleColumns, string_budget: u64) -> Result<Profile> {
    if header.string_table.is_empty() {
        return Err(Error::malformed(
            "not a valid pprof protobuf: it has no string table",
        ));
    }
    let strings = Strings::new(
        header
            .string_table
            .into_iter()
            .map(|b| match String::from_utf8(b) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
            .collect(),
        string_budget,
    );
    if !strings.table[0].is_empty() {
        return Err(Error::malformed(
            "not a valid pprof protobuf: string_table[0] must be the empty string",
        ));
    }

    let value_type = |vt: &wire::ValueType, what: &str| -> Result<ValueType> {
        Ok(ValueType {
            name: strings.owned(vt.r#type, || format!("{what} type"))?,
            unit: strings.owned(vt.unit, || format!("{what} unit"))?,
        })
    };
    let sample_types = header
        .sample_type
        .iter()
        .enumerate()
        .map(|(i, vt)| value_type(vt, &format!("sample_type {i}")))
        .collect::<Result<Vec<_>>>()?;
    let mut p = Profile::new(sample_types);

    let mapping_index = index_ids(header.mapping.iter().map(|m| m.id), "mapping")?;
    for m in &header.mapping {
        let what = |field: &str| format!("mapping {} {field}", m.id);
        p.mappings.push(Mapping {
            id: m.id,
            start: m.memory_start,
            limit: m.memory_limit,
            offset: m.file_offset,
            file: strings.owned(m.filename, || what("filename"))?,
            build_id: strings.owned(m.build_id, || what("build_id"))?,
            has_functions: m.has_functions,
            has_filenames: m.has_filenames,
            has_line_numbers: m.has_line_numbers,
            has_inline_frames: m.has_inline_frames,
        });
    }

    let function_index = index_ids(header.function.iter().map(|f| f.id), "function")?;
    for f in &header.function {
        let what = |field: &str| format!("function {} {field}", f.id);
        p.functions.push(Function {
            id: f.id,
            name: strings.owned(f.name, || what("name"))?,
            system_name: strings.owned(f.system_name, || what("system_name"))?,
            filename: strings.owned(f.filename, || what("filename"))?,
            start_line: f.start_line,
        });
    }

    // Locations are numbered in the order samples first use them (the
    // order of the stacks' references, and pprof's merge order), then the
    // unused ones in file order.
    let location_index = index_ids(header.location.iter().map(|l| l.id), "location")?;
    let mut order: Vec<u32> = Vec::with_capacity(header.location.len());
    let mut placed = vec![false; header.location.len()];
    for (r, &id) in columns.locations.ids.iter().enumerate() {
        match location_index.get(&id) {
            Some(&i) => {
                order.push(i);
                placed[i as usize] = true;
            }
            None => {
                let sample = columns
                    .samples
                    .as_ref()
                    .and_then(|s| (0..s.len()).find(|&i| s.stack(i).any(|x| x == r as u32)))
                    .unwrap_or(0);
                return Err(Error::malformed(format!(
                    "sample {sample} refers to location {id}, which does not exist"
                )));
            }
        }
    }
    order.extend((0..header.location.len() as u32).filter(|&i| !placed[i as usize]));
    for &i in &order {
        let l = &header.location[i as usize];
        let mapping = match l.mapping_id {
            0 => None,
            id => Some(*mapping_index.get(&id).ok_or_else(|| {
                Error::malformed(format!(
                    "location {} refers to mapping {id}, which does not exist",
                    l.id
                ))
            })?),
        };
        let lines = l
            .line
            .iter()
            .enumerate()
            .map(|(k, line)| {
                let function = *function_index.get(&line.function_id).ok_or_else(|| {
                    Error::malformed(format!(
                        "location {} line {k} refers to function {}, which does not exist",
                        l.id, line.function_id
                    ))
                })?;
                Ok(Line {
                    function,
                    line: line.line,
                    column: line.column,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        p.locations.push(Location {
            id: l.id,
            mapping,
            address: l.address,
            lines,
            is_folded: l.is_folded,
        });
    }

    if let Some(mut samples) = columns.samples {
        if samples.values_per_sample() != p.sample_types.len() {
            return Err(Error::malformed(if p.sample_types.is_empty() {
                "the profile has samples but no sample types".to_string()
            } else {
                format!(
                    "the samples have {} values each, but the profile has {} sample types",
                    samples.values_per_sample(),
                    p.sample_types.len()
                )
            }));
        }
        // Raw label sets become label sets.
        columns.dropped_keys.check(&strings)?;
        let mut label_remap = vec![0u32];
        let raw_sets = columns.raw_labels.values().iter().skip(1);
        for (raw, &first_sample) in raw_sets.zip(&columns.raw_labels_first_sample) {
            let set = resolve_labels(raw, &strings, first_sample)?;
            label_remap.push(samples.intern_labels(set));
        }
        samples.set_label_ids(columns.label_ids.iter().map(|&id| label_remap[id as usize]));
        p.samples = samples;
    }

    p.drop_frames = strings.owned(header.drop_frames, || "drop_frames".into())?;
    p.keep_frames = strings.owned(header.keep_frames, || "keep_frames".into())?;
    p.time_nanos = header.time_nanos;
    p.duration_nanos = header.duration_nanos;
    if let Some(pt) = &header.period_type {
        p.period_type = value_type(pt, "period_type")?;
    }
    p.period = header.period;
    for (i, &c) in header.comment.iter().enumerate() {
        p.comments
            .push(strings.owned(c, || format!("comment {i}"))?);
    }
    p.default_sample_type =
        strings.owned(header.default_sample_type, || "default_sample_type".into())?;
    p.doc_url = strings.owned(header.doc_url, || "doc_url".into())?;
    Ok(p)
}

/// Resolves a sample's labels as pprof does: a label with a string value is
/// a string label; otherwise one with a number or a unit is numeric; a label
/// with neither is dropped.
fn resolve_labels(raw: &[wire::Label], strings: &Strings, sample: usize) -> Result<LabelSet> {
    let mut texts = Vec::new();
    let mut numbers = Vec::new();
    for l in raw {
        let key = strings.owned(l.key, || format!("sample {sample} label key"))?;
        if l.str != 0 {
            texts.push((
                key,
                strings.owned(l.str, || format!("sample {sample} label value"))?,
            ));
        } else if l.num != 0 || l.num_unit != 0 {
            let unit = strings.owned(l.num_unit, || format!("sample {sample} label unit"))?;
            numbers.push((key, l.num, unit));
        }
    }
    Ok(LabelSet::from_pairs(texts, numbers))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(p: &wire::Profile) -> Vec<u8> {
        p.encode_to_vec()
    }

    fn strings(s: &[&str]) -> Vec<Vec<u8>> {
        s.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn decode_bytes(b: &[u8]) -> Result<Profile> {
        decode(
            &mut { b },
            &|e| Error::malformed(e.to_string()),
            &ImportOptions::default(),
        )
    }

    fn tiny() -> wire::Profile {
        wire::Profile {
            sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
            sample: vec![wire::Sample {
                location_id: vec![1],
                value: vec![7],
                label: vec![],
            }],
            location: vec![wire::Location {
                id: 1,
                line: vec![wire::Line {
                    function_id: 1,
                    line: 3,
                    column: 0,
                }],
                ..Default::default()
            }],
            function: vec![wire::Function {
                id: 1,
                name: 3,
                ..Default::default()
            }],
            string_table: strings(&["", "samples", "count", "main"]),
            ..Default::default()
        }
    }

    #[test]
    fn decodes_a_tiny_profile() {
        let p = decode_bytes(&encode(&tiny())).unwrap();
        assert_eq!(p.sample_types, vec![ValueType::new("samples", "count")]);
        assert_eq!(p.samples.len(), 1);
        assert_eq!(p.samples.values(0), &[7]);
        assert_eq!(p.functions[0].name, "main");
        assert_eq!(p.samples.stack(0).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn dangling_location_is_named() {
        let mut w = tiny();
        w.sample[0].location_id = vec![99];
        let e = decode_bytes(&encode(&w)).unwrap_err();
        assert_eq!(
            e.message,
            "malformed pprof profile: sample 0 refers to location 99, which does not exist"
        );
    }

    #[test]
    fn bad_string_index_is_named() {
        let mut w = tiny();
        w.function[0].name = 40;
        let e = decode_bytes(&encode(&w)).unwrap_err();
        assert_eq!(
            e.message,
            "malformed pprof profile: function 1 name refers to string 40, but the string table has 4 entries"
        );
    }

    #[test]
    fn reserved_function_id_is_rejected() {
        let mut w = tiny();
        w.function[0].id = 0;
        w.location[0].line[0].function_id = 0;
        let e = decode_bytes(&encode(&w)).unwrap_err();
        assert_eq!(
            e.message,
            "malformed pprof profile: function 1 has the reserved id 0"
        );
    }

    #[test]
    fn value_count_mismatch_is_named() {
        let mut w = tiny();
        w.sample[0].value = vec![1, 2];
        let e = decode_bytes(&encode(&w)).unwrap_err();
        assert!(
            e.message.starts_with("sample 0 has 2 values"),
            "{}",
            e.message
        );
    }

    #[test]
    fn truncated_protobuf_is_reported() {
        let b = encode(&tiny());
        let e = decode_bytes(&b[..b.len() - 3]).unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
    }

    #[test]
    fn dropped_labels_still_need_a_valid_key() {
        // A label with no value and no unit is dropped, as pprof drops it,
        // but its key must still be in the string table.
        let mut w = tiny();
        let empty = |key| wire::Label {
            key,
            str: 0,
            num: 0,
            num_unit: 0,
        };
        w.sample[0].label = vec![empty(1), empty(0)];
        let p = decode_bytes(&encode(&w)).unwrap();
        assert!(p.samples.labels(0).is_empty());
        w.sample[0].label = vec![empty(1), empty(99)];
        let e = decode_bytes(&encode(&w)).unwrap_err();
        assert_eq!(
            e.message,
            "malformed pprof profile: sample 0 label key refers to string 99, but the string table has 4 entries"
        );
    }

    #[test]
    fn a_string_fan_out_is_refused() {
        let mut w = tiny();
        w.string_table.push(vec![b'x'; 1 << 20]);
        w.comment = vec![4; 64];
        let e = decode_bytes(&encode(&w)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        assert!(e.message.starts_with("comment "), "{}", e.message);
        assert!(e.message.contains("string fan-out"), "{}", e.message);
        // Named a few times, the same string is fine.
        w.comment = vec![4; 8];
        assert_eq!(decode_bytes(&encode(&w)).unwrap().comments.len(), 8);
    }

    #[test]
    fn concatenated_profiles_are_rejected() {
        let mut w = tiny();
        w.time_nanos = 5;
        let mut b = encode(&w);
        b.extend(encode(&w));
        let e = decode_bytes(&b).unwrap_err();
        assert!(e.message.contains("concatenated"), "{}", e.message);
    }
}

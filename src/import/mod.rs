//! Reading input files. This is the only place that sniffs formats and
//! gunzips: callers hand over bytes and get a validated model back.
//!
//! Gzip (magic `1f 8b`, several members allowed) is inflated as a stream,
//! with a cap on the inflated size. Then the first bytes decide: a BOM or
//! text is a metrics export, an OOM log or a legacy text profile (each
//! module says whether text is its format); the binary CPU profile header
//! is a legacy profile; anything else is decoded as `profile.proto`.

pub mod archive;
pub mod identify;
pub mod legacy;
pub mod pprof;
pub mod series;
pub mod text;

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, ErrorKind, Result};
use crate::model::series::SeriesSet;
use crate::model::Profile;

/// What an input turned out to be.
#[derive(Debug)]
pub enum Input {
    Profile(Box<Profile>),
    /// Metrics over time and OOM kills.
    Series(SeriesSet),
}

/// Limits and switches for reading inputs; the defaults suit a browser tab.
/// A limit that is hit is an error naming the limit and the CLI option
/// that raises it ([`Error::limit`]), never an abort.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The most bytes a compressed input may inflate to (default 1 GiB;
    /// CLI `--max-inflated-mb`).
    pub max_inflated_bytes: u64,
    /// A gzip bomb: inflating past [`RATIO_FLOOR`] bytes at more than this
    /// many bytes out per byte in (default 200; real profiles compress
    /// 2–20×; CLI `--max-ratio`).
    pub max_ratio: u64,
    /// Samples in a profile (default 50 M; CLI `--max-samples`).
    pub max_samples: u64,
    /// Locations, functions and mappings of a profile, each (default 20 M;
    /// CLI `--max-locations`).
    pub max_locations: u64,
    /// Entries of a profile's string table (default 20 M; CLI `--max-strings`).
    pub max_strings: u64,
    /// Sample types of a profile, or values of a sample (default 10,000;
    /// real profiles have a handful; CLI `--max-sample-types`).
    pub max_sample_types: u64,
    /// Columns of a CSV export (default 20,000; CLI `--max-columns`).
    pub max_csv_columns: usize,
    /// Bytes in one line of a line-based text input: CSV, Prometheus text,
    /// logs, legacy profiles (default 16 MiB; CLI `--max-line-kb`).
    pub max_line_bytes: usize,
    /// Nesting of a JSON export (default 64; CLI `--max-json-depth`).
    pub max_json_depth: usize,
    /// Members of one archive (.zip, .tar, .tar.gz), folders included
    /// (default 10,000; CLI `--max-members`).
    pub max_members: u64,
    /// Seconds east of UTC of times written without a zone (Grafana's
    /// formatted times, `dmesg -T`, syslog); `None`: UTC, and the input
    /// report says it was assumed.
    pub utc_offset: Option<i32>,
}

/// Below this many inflated bytes the ratio is not checked (small, very
/// repetitive files are fine).
pub const RATIO_FLOOR: u64 = 64 << 20;

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            max_inflated_bytes: 1 << 30,
            max_ratio: 200,
            max_samples: 50_000_000,
            max_locations: 20_000_000,
            max_strings: 20_000_000,
            max_sample_types: 10_000,
            max_csv_columns: 20_000,
            max_line_bytes: 16 << 20,
            max_json_depth: 64,
            max_members: 10_000,
            utc_offset: None,
        }
    }
}

/// The error for a limit that was hit: which, and how to raise it.
pub(crate) fn limit_hit(what: &str, limit: impl std::fmt::Display, option: &str) -> Error {
    Error::limit(format!(
        "{what} (the limit is {limit}); if the file is genuine, raise the limit (CLI: {option})"
    ))
}

impl ImportOptions {
    fn zone(&self) -> series::values::Zone {
        self.utc_offset
            .map(series::values::Zone::given)
            .unwrap_or_default()
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads a profile (gzipped or raw protobuf, or a legacy format).
pub fn read_profile(data: &[u8], options: &ImportOptions) -> Result<Profile> {
    read_profile_from(data, options)
}

/// Reads a profile from a byte stream (see [`read_from`]); a metrics file
/// is an error that says what it is.
pub fn read_profile_from(reader: impl Read, options: &ImportOptions) -> Result<Profile> {
    profile_of(read_from(reader, options)?)
}

/// The profile an input is; a metrics file is an error that says what it is.
pub fn profile_of(input: Input) -> Result<Profile> {
    match input {
        Input::Profile(p) => Ok(*p),
        Input::Series(s) => Err(Error::invalid_option(format!(
            "this is {}, not a profile",
            s.inputs
                .first()
                .map_or("a metrics file".to_string(), |i| format!(
                    "a {} file",
                    i.format
                ))
        ))),
    }
}

/// Reads any input we know (a profile, a metrics export, an OOM log).
pub fn read(data: &[u8], options: &ImportOptions) -> Result<Input> {
    read_from(data, options)
}

/// What one file holds: one input, or an archive's members, each read as
/// an input of its own (an archive inside it is opened too, and its
/// members named `inner.zip/path`).
#[derive(Debug)]
pub enum Contents {
    One(Input),
    Members(Vec<archive::Member<Input>>),
}

/// Reads any input from a byte stream, without holding the compressed and
/// the inflated bytes of a profile at once (the caller's reader does the
/// reading; the core does no I/O of its own). An archive is an input only
/// when it holds exactly one; [`read_contents_from`] reads every member.
pub fn read_from(mut reader: impl Read, options: &ImportOptions) -> Result<Input> {
    match read_contents_at(&mut reader, options, 0)? {
        Contents::One(input) => Ok(input),
        Contents::Members(members) => only_member(members),
    }
}

/// Reads a file that may be an archive: its members each on their own.
pub fn read_contents_from(mut reader: impl Read, options: &ImportOptions) -> Result<Contents> {
    read_contents_at(&mut reader, options, 0)
}

/// The one input an archive holds, for callers that read one input.
fn only_member(members: Vec<archive::Member<Input>>) -> Result<Input> {
    let count = members.len();
    let mut named = Contents::Members(members).named("");
    match (named.inputs.len(), named.errors.is_empty()) {
        (1, _) => Ok(named.inputs.pop().map(|i| i.input).expect("one member")),
        (0, false) => {
            let (name, e) = named.errors.swap_remove(0);
            Err(e.context(name))
        }
        _ => Err(Error::invalid_option(format!(
            "an archive of {count} files where one input was expected: extract the one you mean, \
             or give the archive to a command that reads several (analyze, trend, top)"
        ))),
    }
}

/// One input of a file, named as the file, or for an archive's member
/// `archive.zip/path`.
#[derive(Debug)]
pub struct NamedInput {
    pub name: String,
    /// Its size in bytes, uncompressed (`None`: the file's own size).
    pub size: Option<u64>,
    pub input: Input,
}

/// What one file holds, each input named, and the members of an archive
/// that could not be read, each with its error.
#[derive(Debug)]
pub struct Named {
    pub inputs: Vec<NamedInput>,
    pub errors: Vec<(String, Error)>,
    /// Whether the file was an archive.
    pub archive: bool,
}

impl Contents {
    /// Names what the file `name` holds: itself, or its members as
    /// `name/path` (the path alone when `name` is empty).
    pub fn named(self, name: &str) -> Named {
        let member_name = |m: &str| match name {
            "" => m.to_string(),
            _ => format!("{name}/{m}"),
        };
        match self {
            Contents::One(input) => Named {
                inputs: vec![NamedInput {
                    name: name.to_string(),
                    size: None,
                    input,
                }],
                errors: Vec::new(),
                archive: false,
            },
            Contents::Members(members) => {
                let mut named = Named {
                    inputs: Vec::new(),
                    errors: Vec::new(),
                    archive: true,
                };
                for m in members {
                    match m.input {
                        Ok(input) => named.inputs.push(NamedInput {
                            name: member_name(&m.name),
                            size: Some(m.size),
                            input,
                        }),
                        Err(e) => named.errors.push((member_name(&m.name), e)),
                    }
                }
                named
            }
        }
    }
}

/// How deep archives nest at most: a file in an archive in an archive.
const MAX_ARCHIVE_DEPTH: u32 = 2;

/// [`read_contents_from`] for an input `depth` archives deep. From here
/// on readers are trait objects: the decoders are compiled once, not once
/// for each kind of reader (a byte slice, the page's pieces, an archive's
/// member, each inflated or not) as generics would be (BENCHMARKS.md, "The
/// wasm's size").
fn read_contents_at(
    mut reader: &mut dyn Read,
    options: &ImportOptions,
    depth: u32,
) -> Result<Contents> {
    let mut magic = Vec::with_capacity(2);
    (&mut reader)
        .take(2)
        .read_to_end(&mut magic)
        .map_err(|e| Error::malformed(format!("reading the input failed: {e}")))?;
    if magic.is_empty() {
        return Err(Error::unknown_format("the file is empty: no profile data"));
    }
    let consumed = Rc::new(Cell::new(magic.len() as u64));
    let input = io::Cursor::new(magic.clone()).chain(CountingReader {
        inner: reader,
        count: consumed.clone(),
    });
    if magic == GZIP_MAGIC {
        let mut inflated = LimitedReader {
            inner: MultiGzDecoder::new(input),
            remaining: options.max_inflated_bytes,
            inflated: 0,
            consumed: consumed.clone(),
            max_ratio: options.max_ratio,
        };
        let gzip_error = |e: io::Error| gzip_error(e, consumed.get(), options);
        read_uncompressed(&mut inflated, &gzip_error, options, depth)
    } else {
        let mut input = input;
        read_uncompressed(
            &mut input,
            &|e| Error::malformed(format!("reading the input failed: {e}")),
            options,
            depth,
        )
    }
}

/// Decodes an uncompressed stream: text formats when it starts like text,
/// the binary legacy CPU profile by its header, `profile.proto` otherwise.
fn read_uncompressed(
    mut reader: &mut dyn Read,
    read_error: &dyn Fn(io::Error) -> Error,
    options: &ImportOptions,
    depth: u32,
) -> Result<Contents> {
    let mut prefix = Vec::with_capacity(4096);
    (&mut reader)
        .take(4096)
        .read_to_end(&mut prefix)
        .map_err(read_error)?;
    if prefix.is_empty() {
        return Err(Error::unknown_format(
            "the data is empty once decompressed: no profile data",
        ));
    }
    if let Some(kind) = archive::kind(&prefix) {
        if depth >= MAX_ARCHIVE_DEPTH {
            return Err(Error::unknown_format(
                "an archive inside an archive inside an archive: leakscope opens an archive \
                 inside another but no deeper; extract this one first",
            ));
        }
        let rest = io::Cursor::new(prefix).chain(reader);
        let members = archive::members(kind, rest, options, |mut bytes| {
            read_contents_at(&mut bytes, options, depth + 1)
        })
        .map_err(|e| match e.kind {
            ErrorKind::Limit => e,
            _ => e.context(match kind {
                archive::Kind::Zip => "zip archive",
                archive::Kind::Tar => "tar archive",
            }),
        })?;
        return Ok(Contents::Members(flatten(members)));
    }
    read_one(prefix, reader, read_error, options).map(Contents::One)
}

/// Members whose own contents are archives, as members named `inner/path`.
fn flatten(members: Vec<archive::Member<Contents>>) -> Vec<archive::Member<Input>> {
    let mut out = Vec::new();
    for m in members {
        match m.input {
            Ok(Contents::One(input)) => out.push(archive::Member {
                name: m.name,
                size: m.size,
                input: Ok(input),
            }),
            Ok(Contents::Members(inner)) => {
                out.extend(inner.into_iter().map(|i| archive::Member {
                    name: format!("{}/{}", m.name, i.name),
                    size: i.size,
                    input: i.input,
                }))
            }
            Err(e) => out.push(archive::Member {
                name: m.name,
                size: m.size,
                input: Err(e),
            }),
        }
    }
    out
}

/// Decodes one input that is not an archive, from its first bytes and the rest.
fn read_one(
    prefix: Vec<u8>,
    reader: &mut dyn Read,
    read_error: &dyn Fn(io::Error) -> Error,
    options: &ImportOptions,
) -> Result<Input> {
    let profile = |p: Profile| Input::Profile(Box::new(p));
    // Consulted only once every reader has refused the input, so that a
    // signature can never turn away a file some reader accepts.
    let head = prefix.clone();
    let name_it = |e: Error| match e.kind {
        ErrorKind::Malformed | ErrorKind::UnknownFormat => {
            identify::foreign(&head).map_or(e, |f| f.error())
        }
        _ => e,
    };
    if text::has_utf16_bom(&prefix) || legacy::looks_legacy(&prefix) {
        // Text and legacy profiles are small: read them whole.
        let mut all = prefix;
        reader.read_to_end(&mut all).map_err(read_error)?;
        if !legacy::sniff_profile(&all) {
            let decoded = text::decode(&all);
            if let Some(result) = series::read_text(&decoded.text, decoded.encoding, options) {
                let mut set = result.map_err(name_it)?;
                if let (Some(w), Some(input)) = (decoded.warning, set.inputs.first_mut()) {
                    input.warnings.push(w);
                }
                return Ok(Input::Series(set));
            }
        }
        check_line_length(&all, options)?;
        return match legacy::parse(&all)? {
            Some(p) => Ok(profile(p)),
            // Not a legacy profile after all: it may still be a protobuf.
            None => pprof::decode(&mut &all[..], read_error, options)
                .map(profile)
                .map_err(|_| name_it(series::unknown_text())),
        };
    }
    pprof::decode(
        &mut io::Cursor::new(prefix).chain(reader),
        read_error,
        options,
    )
    .map(profile)
    .map_err(name_it)
}

/// Memory the model of an input will need, estimated before reading it:
/// the input itself, plus twice its inflated size (the columnar model
/// peaks at 1.8× the uncompressed protobuf, BENCHMARKS.md), plus the
/// strings its references may resolve to ([`pprof::string_budget`]: a
/// small file naming one long string 20,000 times is refused there). A gzip stream
/// says its inflated size (mod 4 GiB) in its last four bytes; a trailer
/// smaller than the input means it wrapped, or the stream has several
/// members, and the estimate assumes the limit on inflated data.
pub fn memory_needed(bytes: &[u8], options: &ImportOptions) -> u64 {
    let tail = bytes.len().checked_sub(4).map(|at| &bytes[at..]);
    memory_needed_from_ends(bytes.len() as u64, bytes, tail.unwrap_or(&[]), options)
}

/// [`memory_needed`] from the input's length, first bytes and last four
/// (for a file read in pieces).
pub fn memory_needed_from_ends(len: u64, head: &[u8], tail: &[u8], options: &ImportOptions) -> u64 {
    let inflated = match <[u8; 4]>::try_from(tail) {
        Ok(tail) if head.starts_with(&GZIP_MAGIC) && len >= 18 => {
            let size = u64::from(u32::from_le_bytes(tail));
            if size >= len {
                size
            } else {
                options.max_inflated_bytes
            }
        }
        // A zip says its members' sizes only in its directory, at its end;
        // what bounds them is the ratio its reader enforces past the floor.
        _ if archive::kind(head) == Some(archive::Kind::Zip) => {
            RATIO_FLOOR.max(len.saturating_mul(options.max_ratio))
        }
        _ => len,
    };
    let inflated = inflated.min(options.max_inflated_bytes);
    len + 2 * inflated + pprof::string_budget(inflated, options)
}

/// Refuses an input the page cannot hold: `needed` from [`memory_needed`],
/// `available` what the caller's memory can still grow by (a wasm32 tab
/// stops at 4 GiB).
pub fn check_fits(needed: u64, available: u64) -> Result<()> {
    if needed > available {
        return Err(Error::limit(format!(
            "too large for the browser: about {} MB needed, {} MB left of the 4 GiB a \
             WebAssembly page can use; use the CLI (leakscope top FILE), which has no such ceiling",
            needed >> 20,
            available >> 20
        )));
    }
    Ok(())
}

/// The line-length limit of line-based text inputs.
pub(crate) fn check_line_length(text: &[u8], options: &ImportOptions) -> Result<()> {
    let mut start = 0;
    for (line, end) in text
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i)
        .chain([text.len()])
        .enumerate()
    {
        if end - start > options.max_line_bytes {
            return Err(limit_hit(
                &format!("line {} is longer than the limit for a line", line + 1),
                crate::units::label(options.max_line_bytes as i64, "bytes"),
                "--max-line-kb",
            ));
        }
        start = end + 1;
    }
    Ok(())
}

fn gzip_error(e: io::Error, input_len: u64, options: &ImportOptions) -> Error {
    if let Some(limit) = inflate_limit_of(&e, options) {
        return limit;
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::malformed(format!(
            "truncated gzip stream after {input_len} bytes: the file was cut short"
        )),
        _ => Error::malformed(format!("corrupt gzip data: {e}")),
    }
}

/// The limit error an I/O error carries when gzip inflation hit a limit.
pub(crate) fn inflate_limit_of(e: &io::Error, options: &ImportOptions) -> Option<Error> {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<InflateLimit>())?
    {
        InflateLimit::Size => Some(limit_hit(
            "the data inflates to more than the limit for decompressed data (a gzip bomb?)",
            crate::units::label(options.max_inflated_bytes as i64, "bytes"),
            "--max-inflated-mb",
        )),
        InflateLimit::Ratio => Some(limit_hit(
            &format!(
                "the data inflates more than {}× its compressed size past {} (a gzip bomb?)",
                options.max_ratio,
                crate::units::label(RATIO_FLOOR as i64, "bytes")
            ),
            format!("{}×", options.max_ratio),
            "--max-ratio",
        )),
    }
}

/// Counts the bytes read through it (to say where compressed data ended).
struct CountingReader<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// The marker errors of [`LimitedReader`].
#[derive(Debug)]
enum InflateLimit {
    Size,
    Ratio,
}

impl std::fmt::Display for InflateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InflateLimit::Size => "inflated size limit exceeded",
            InflateLimit::Ratio => "inflation ratio limit exceeded",
        })
    }
}

impl std::error::Error for InflateLimit {}

/// Fails once more than `limit` bytes came through (unlike `Read::take`,
/// which would silently truncate).
/// Also fails when, past [`RATIO_FLOOR`], the output outgrows the
/// compressed input read so far by more than `max_ratio`.
struct LimitedReader<R> {
    inner: R,
    remaining: u64,
    inflated: u64,
    consumed: Rc<Cell<u64>>,
    max_ratio: u64,
}

impl<R: Read> Read for LimitedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.remaining {
            return Err(io::Error::other(InflateLimit::Size));
        }
        self.remaining -= n as u64;
        self.inflated += n as u64;
        if self.inflated > RATIO_FLOOR
            && self.inflated / self.max_ratio.max(1) > self.consumed.get()
        {
            return Err(io::Error::other(InflateLimit::Ratio));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn memory_is_estimated_from_the_gzip_trailer() {
        let z = gzip(&[7u8; 1 << 20]);
        let options = ImportOptions::default();
        // The input, twice 1 MiB inflated, and the strings' budget for
        // 1 MiB (16 MiB + 16 MiB).
        assert_eq!(
            memory_needed(&z, &options),
            z.len() as u64 + (2 << 20) + (32 << 20)
        );
        assert_eq!(memory_needed(b"plain", &options), 15 + 80 + (16 << 20));
        // A trailer smaller than the input: wrapped; assume the limit.
        let mut wrapped = z.clone();
        let n = wrapped.len();
        wrapped[n - 4..].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(
            memory_needed(&wrapped, &options),
            n as u64 + (2 << 30) + (256 << 20)
        );
        assert!(check_fits(memory_needed(&z, &options), 40 << 20).is_ok());
        let e = check_fits(memory_needed(&z, &options), 1 << 20).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Limit);
        assert!(
            e.message
                .starts_with("too large for the browser: about 34 MB needed"),
            "{}",
            e.message
        );
        assert!(e.message.contains("use the CLI"), "{}", e.message);
    }

    #[test]
    fn empty_input_is_refused() {
        let e = read_profile(b"", &ImportOptions::default()).unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
    }

    #[test]
    fn gzip_bomb_hits_the_limit() {
        // 4 MiB of valid protobuf (empty string-table entries) in a few KiB.
        let bomb = gzip(&[0x32, 0x00].repeat(2 << 20));
        let opts = ImportOptions {
            max_inflated_bytes: 1 << 20,
            ..ImportOptions::default()
        };
        let e = read_profile(&bomb, &opts).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Limit);
        assert!(e.message.contains("1MB"), "{}", e.message);
    }

    #[test]
    fn truncated_gzip_is_reported() {
        let z = gzip(&[7u8; 10000]);
        let e = read_profile(&z[..z.len() / 2], &ImportOptions::default()).unwrap_err();
        assert!(
            e.message.starts_with("truncated gzip stream after"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_profile_in_several_gzip_members_reads_whole() {
        // A protobuf cut in two, each half gzipped, the members concatenated
        // (as `cat a.gz b.gz` makes): gzip readers must see one stream.
        let raw = {
            use prost::Message;
            let p = crate::import::pprof::wire::Profile {
                sample_type: vec![crate::import::pprof::wire::ValueType { r#type: 1, unit: 2 }],
                string_table: vec![b"".to_vec(), b"samples".to_vec(), b"count".to_vec()],
                comment: vec![1, 2],
                ..Default::default()
            };
            p.encode_to_vec()
        };
        let (a, b) = raw.split_at(raw.len() / 2);
        let mut two = gzip(a);
        two.extend(gzip(b));
        let p = read_profile(&two, &ImportOptions::default()).unwrap();
        assert_eq!(p.comments, ["samples", "count"]);
    }

    #[test]
    fn files_we_do_not_read_are_named_even_gzipped() {
        let mut perf = b"PERFILE2".to_vec();
        perf.extend([0u8; 200]);
        for data in [perf.clone(), gzip(&perf)] {
            let e = read(&data, &ImportOptions::default()).unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::UnknownFormat);
            assert!(e.message.starts_with("Linux perf.data"), "{}", e.message);
        }
        // pprof's -raw text was taken for a Prometheus scrape.
        let raw = b"PeriodType: cpu nanoseconds\nPeriod: 10000000\nSamples:\nsamples/count cpu/nanoseconds\n          1   10000000: 1 2\n";
        let e = read(raw, &ImportOptions::default()).unwrap_err();
        assert!(e.message.starts_with("pprof -raw output"), "{}", e.message);
    }

    #[test]
    fn prost_errors_are_in_words() {
        // sample_type { type: <bytes> } in an otherwise plain protobuf.
        let e =
            read_profile(&[0x0a, 0x03, 0x0a, 0x01, 0x00], &ImportOptions::default()).unwrap_err();
        assert_eq!(
            e.message,
            "not a valid pprof protobuf: at byte 0: type of sample_type (field 1) is malformed: \
             it holds length-prefixed bytes where a number belongs"
        );
    }

    #[test]
    fn garbage_is_not_a_profile() {
        let e =
            read_profile(b"\x00\x01\x02garbage\xff\xfe", &ImportOptions::default()).unwrap_err();
        // No protobuf field at its start: said so, with the byte, and
        // prost's reason in words.
        assert_eq!(
            e.message,
            "not a pprof profile, nor another format leakscope reads: its first byte (0x00) \
             does not start a protobuf field (it holds field number 0, which no message has)"
        );
    }
}

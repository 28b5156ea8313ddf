//! The legacy profile formats pprof still reads, ported from its
//! `legacy_profile.go` and `legacy_java_profile.go` with the same results:
//! gperftools CPU profiles (binary words), heap/growth profiles (tcmalloc and
//! Go `debug=1`), Go count profiles (goroutine, threadcreate), thread dumps,
//! contention profiles (C++ and Go mutex/block), and Java heap, contention
//! and CPU profiles.
//!
//! One addition: Go's `debug=1` text carries `#<TAB>0x<pc><TAB><func>+0x<off><TAB><file>:<line>`
//! comment lines naming each stack address. pprof ignores them and shows
//! `<unknown>` frames; we attach them as function names and lines. Go's
//! printer leaves out `runtime.goexit` and the runtime frames at the leaf
//! end of a stack; in a profile that names its frames, those addresses are
//! named `runtime.<hidden>`, so that pprof's drop-frames rules (which drop
//! `runtime\..*` allocator frames) treat them as the runtime frames they are.
//!
//! Another addition: Go goroutine dumps (`/debug/pprof/goroutine?debug=2`,
//! the goroutines of a crash), read as goroutine profiles with one sample
//! per goroutine (`goroutine_dump.rs`). pprof does not read them.
//!
//! Each parser returns `Ok(None)` when the data is not its format, so the
//! next one can try, and an error when it is its format but broken.

mod cpu;
mod first_holding;
mod goroutine_dump;
mod java;
mod memory_map;
mod text;

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{Function, LabelSet, Line, Location, Mapping, Profile, ValueType};

/// Whether the first bytes of a file look like a legacy profile (text, or
/// the binary CPU profile header) rather than a protobuf.
pub fn looks_legacy(prefix: &[u8]) -> bool {
    cpu::has_header(prefix) || looks_like_text(prefix)
}

/// Whether data starts like a legacy profile pprof reads (a binary CPU
/// profile, or text whose first line is one of the legacy headers) or a Go
/// goroutine dump (its first line a goroutine header, or a crash's
/// `panic:`/`fatal error:`/`SIGQUIT:` line followed within the first 64 KiB
/// by one), as opposed to other text such as a metrics export.
pub fn sniff_profile(data: &[u8]) -> bool {
    if cpu::has_header(data) {
        return true;
    }
    let head = String::from_utf8_lossy(&data[..data.len().min(4096)]);
    let first = head
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    first.starts_with("heap profile:")
        || first.starts_with("--- ")
        || first.contains(" profile: total ")
        || first.starts_with("heapz")
        || goroutine_dump::sniff(&String::from_utf8_lossy(
            &data[..data.len().min(goroutine_dump::SNIFF_BYTES)],
        ))
}

/// Text, as opposed to a protobuf: a protobuf's field keys and lengths
/// put a control byte every few bytes, while text has none or a stray one
/// (a CSV with one `\x01` in a cell is still a CSV): at most one control
/// byte per 256, and not the first byte.
fn looks_like_text(prefix: &[u8]) -> bool {
    let head = &prefix[..prefix.len().min(512)];
    let control = |b: &u8| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c);
    match head.first() {
        None => false,
        Some(first) if control(first) => false,
        Some(_) => head.iter().filter(|b| control(b)).count() <= (head.len() / 256).max(1),
    }
}

/// Parses a legacy profile, trying each format in pprof's order, then a Go
/// goroutine dump.
pub fn parse(data: &[u8]) -> Result<Option<Profile>> {
    let mut parsed = cpu::parse(data)?;
    if parsed.is_none() {
        let text = String::from_utf8_lossy(data);
        // Each parser's errors name its format: "parsing sample …" alone
        // does not tell which of pprof's legacy formats the file was taken for.
        let parsers: [(TextParser, &str); 5] = [
            (text::parse_heap, "legacy heap profile"),
            (text::parse_go_count, "legacy Go count profile"),
            (text::parse_thread, "legacy thread profile"),
            (text::parse_contention, "legacy contention profile"),
            (java::parse_heap_or_contention, "legacy Java profile"),
        ];
        for (parser, format) in parsers {
            parsed = parser(&text).map_err(|e| e.context(format))?;
            if parsed.is_some() {
                break;
            }
        }
        if parsed.is_none() {
            return goroutine_dump::parse(&text);
        }
    }
    Ok(match parsed {
        Some(mut legacy) => {
            legacy.add_frame_info();
            Some(legacy.into_profile()?)
        }
        None => None,
    })
}

/// A parser of one text format: `Ok(None)` when the text is not its format.
type TextParser = fn(&str) -> Result<Option<Legacy>>;

/// A legacy profile while it is being parsed: plain vectors, so the
/// format's clean-ups (dropping artefact frames, renumbering) are simple.
#[derive(Default)]
struct Legacy {
    sample_types: Vec<ValueType>,
    period_type: ValueType,
    period: i64,
    duration_nanos: i64,
    samples: Vec<LegacySample>,
    locations: Vec<LegacyLocation>,
    functions: Vec<Function>,
    mappings: Vec<Mapping>,
    drop_frames: String,
    keep_frames: String,
    /// Location index by address, for formats that key locations by address.
    by_address: HashMap<u64, usize>,
}

/// Which stack addresses are return addresses, to move back onto the call.
#[derive(Clone, Copy)]
enum Adjust {
    None,
    /// All but the leaf, which is the interrupted instruction itself.
    AllButLeaf,
    All,
}

struct LegacySample {
    values: Vec<i64>,
    /// Location indices, leaf first.
    stack: Vec<usize>,
    /// The `bytes` numeric label (block size) of heap samples.
    bytes: Option<i64>,
}

#[derive(Default)]
struct LegacyLocation {
    address: u64,
    mapping: Option<usize>,
    /// (function index, line number), innermost first.
    lines: Vec<(usize, i64)>,
}

impl Legacy {
    fn new(sample_types: &[(&str, &str)], period_type: (&str, &str), period: i64) -> Self {
        Legacy {
            sample_types: sample_types
                .iter()
                .map(|(t, u)| ValueType::new(t, u))
                .collect(),
            period_type: ValueType::new(period_type.0, period_type.1),
            period,
            ..Default::default()
        }
    }

    /// The location at `address`, created on first use.
    fn location_at(&mut self, address: u64) -> usize {
        if let Some(&i) = self.by_address.get(&address) {
            return i;
        }
        let i = self.locations.len();
        self.locations.push(LegacyLocation {
            address,
            ..Default::default()
        });
        self.by_address.insert(address, i);
        i
    }

    /// Adds a sample (addresses leaf first), moving return addresses back
    /// one byte onto their call instruction as `adjust` says.
    fn add_sample(
        &mut self,
        values: Vec<i64>,
        addresses: &[u64],
        adjust: Adjust,
        bytes: Option<i64>,
    ) {
        let stack = addresses
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let moved = match adjust {
                    Adjust::None => false,
                    Adjust::AllButLeaf => i > 0,
                    Adjust::All => true,
                };
                self.location_at(if moved { a.wrapping_sub(1) } else { a })
            })
            .collect();
        self.samples.push(LegacySample {
            values,
            stack,
            bytes,
        });
    }

    /// The leaf frame may be duplicated (once from the signal context, once
    /// from unwinding, adjusted by -1): drop the copy.
    fn cleanup_duplicate_locations(&mut self) {
        let locations = &self.locations;
        for s in &mut self.samples {
            if s.stack.len() > 1
                && locations[s.stack[0]].address == locations[s.stack[1]].address.wrapping_add(1)
            {
                s.stack.remove(1);
            }
        }
    }

    /// Names locations from Go `debug=1` comment lines: `(pc, function, file, line)`.
    fn attach_go_symbols(&mut self, symbols: &[GoFrame]) {
        if symbols.is_empty() {
            return;
        }
        let mut by_pc: HashMap<u64, Vec<&GoFrame>> = HashMap::new();
        for f in symbols {
            by_pc.entry(f.pc).or_default().push(f);
        }
        let hidden = GoFrame {
            pc: 0,
            function: HIDDEN_RUNTIME_FRAME.to_string(),
            file: String::new(),
            line: 0,
        };
        let hidden_frames = vec![&hidden];
        let mut functions: HashMap<(String, String), usize> = HashMap::new();
        for loc in &mut self.locations {
            let frames = by_pc.get(&loc.address).unwrap_or(&hidden_frames);
            if !loc.lines.is_empty() {
                continue;
            }
            for f in frames.iter().filter(|f| !f.function.is_empty()) {
                let key = (f.function.clone(), f.file.clone());
                let fi = *functions.entry(key).or_insert_with(|| {
                    self.functions.push(Function {
                        id: self.functions.len() as u64 + 1,
                        name: f.function.clone(),
                        system_name: f.function.clone(),
                        filename: f.file.clone(),
                        start_line: 0,
                    });
                    self.functions.len() - 1
                });
                loc.lines.push((fi, f.line));
            }
        }
    }

    /// pprof's `remapLocationIDs`: keep the locations samples use, in the
    /// order they are first used.
    fn remap_locations(&mut self) {
        let mut new_index = vec![usize::MAX; self.locations.len()];
        let mut order = Vec::new();
        for s in &mut self.samples {
            for l in &mut s.stack {
                if new_index[*l] == usize::MAX {
                    new_index[*l] = order.len();
                    order.push(*l);
                }
                *l = new_index[*l];
            }
        }
        let mut old: Vec<Option<LegacyLocation>> = std::mem::take(&mut self.locations)
            .into_iter()
            .map(Some)
            .collect();
        self.locations = order
            .iter()
            .map(|&i| old[i].take().unwrap_or_default())
            .collect();
        self.by_address.clear();
    }

    /// pprof's `remapFunctionIDs`: keep the functions locations use.
    fn remap_functions(&mut self) {
        let mut new_index = vec![usize::MAX; self.functions.len()];
        let mut order = Vec::new();
        for l in &mut self.locations {
            for (f, _) in &mut l.lines {
                if new_index[*f] == usize::MAX {
                    new_index[*f] = order.len();
                    order.push(*f);
                }
                *f = new_index[*f];
            }
        }
        let old = std::mem::take(&mut self.functions);
        self.functions = order
            .iter()
            .enumerate()
            .map(|(i, &f)| Function {
                id: i as u64 + 1,
                ..old[f].clone()
            })
            .collect();
    }

    /// Parses the memory map text after the samples and associates
    /// locations with mappings (pprof's `ParseMemoryMapFromScanner`).
    fn finish_with_memory_map(&mut self, lines: &[&str]) -> Result<()> {
        let mappings = memory_map::parse(lines)?;
        self.mappings.extend(mappings);
        memory_map::massage(self);
        self.remap_locations();
        self.remap_functions();
        memory_map::remap_mapping_ids(self);
        Ok(())
    }

    /// pprof's `addLegacyFrameInfo`: which frames to drop by profile type.
    fn add_frame_info(&mut self) {
        let types: Vec<&str> = self.sample_types.iter().map(|t| t.name.as_str()).collect();
        let heap_types: [&[&str]; 5] = [
            &["allocations", "size"],
            &["objects", "space"],
            &["inuse_objects", "inuse_space"],
            &["alloc_objects", "alloc_space"],
            &[
                "alloc_objects",
                "alloc_space",
                "inuse_objects",
                "inuse_space",
            ],
        ];
        if heap_types.contains(&types.as_slice()) {
            self.drop_frames = ALLOC_RX.join("|");
            self.keep_frames = ALLOC_SKIP_RX.join("|");
        } else if types == ["contentions", "delay"] {
            self.drop_frames = LOCK_RX.join("|");
            self.keep_frames = String::new();
        } else {
            self.drop_frames = CPU_PROFILER_RX.join("|");
            self.keep_frames = String::new();
        }
    }

    fn into_profile(self) -> Result<Profile> {
        let mut p = Profile::new(self.sample_types);
        p.period_type = self.period_type;
        p.period = self.period;
        p.duration_nanos = self.duration_nanos;
        p.drop_frames = self.drop_frames;
        p.keep_frames = self.keep_frames;
        p.mappings = self.mappings;
        for (i, m) in p.mappings.iter_mut().enumerate() {
            m.id = i as u64 + 1;
        }
        p.functions = self.functions;
        p.locations = self
            .locations
            .into_iter()
            .enumerate()
            .map(|(i, l)| Location {
                id: i as u64 + 1,
                mapping: l.mapping.map(|m| m as u32),
                address: l.address,
                lines: l
                    .lines
                    .into_iter()
                    .map(|(f, line)| Line {
                        function: f as u32,
                        line,
                        column: 0,
                    })
                    .collect(),
                is_folded: false,
            })
            .collect();
        let k = p.sample_types.len();
        let mut stack = Vec::new();
        for s in self.samples {
            if s.values.len() != k {
                return Err(Error::malformed(format!(
                    "a sample has {} values but the profile has {k} sample types",
                    s.values.len()
                )));
            }
            let labels = match s.bytes {
                Some(b) => p.samples.intern_labels(LabelSet::from_pairs(
                    [],
                    [("bytes".to_string(), b, String::new())],
                )),
                None => 0,
            };
            stack.clear();
            stack.extend(s.stack.iter().map(|&l| l as u32));
            p.samples.push(&s.values, &stack, labels)?;
        }
        Ok(p)
    }
}

/// The name of a stack address Go's `debug=1` printer did not print.
pub const HIDDEN_RUNTIME_FRAME: &str = "runtime.<hidden>";

/// A frame named by a Go `debug=1` comment line (an empty function: the
/// printer listed the address without a name).
#[derive(Debug, Clone, PartialEq)]
struct GoFrame {
    pc: u64,
    function: String,
    file: String,
    line: i64,
}

/// Parses `#<TAB>0x4b3c11<TAB>bytes.Repeat+0x31<TAB>/usr/lib/go/src/bytes/bytes.go:610`.
fn parse_go_frame(line: &str) -> Option<GoFrame> {
    let rest = line.trim_start().strip_prefix('#')?;
    let mut fields = rest.split('\t').map(str::trim).filter(|f| !f.is_empty());
    let pc = fields.next()?.strip_prefix("0x")?;
    let pc = u64::from_str_radix(pc, 16).ok()?;
    let Some(function) = fields.next() else {
        return Some(GoFrame {
            pc,
            function: String::new(),
            file: String::new(),
            line: 0,
        });
    };
    let function = match function.rfind("+0x") {
        Some(i) => &function[..i],
        None => function,
    };
    let location = fields.next()?;
    let (file, line) = location.rsplit_once(':')?;
    Some(GoFrame {
        pc,
        function: function.to_string(),
        file: file.to_string(),
        line: line.parse().ok()?,
    })
}

/// Whether a line is empty or a `#` comment.
fn is_space_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Whether a line starts the memory map section.
fn is_memory_map_sentinel(line: &str) -> bool {
    line.contains("--- Memory map: ---") || line.contains("MAPPED_LIBRARIES:")
}

/// Parses every `0x...` number in a string (pprof's `parseHexAddresses`).
fn parse_hex_addresses(s: &str) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'0' && bytes[i + 1] == b'x' {
            let start = i + 2;
            let mut end = start;
            while end < bytes.len() && matches!(bytes[end], b'0'..=b'9' | b'a'..=b'f') {
                end += 1;
            }
            if end > start {
                let hex = &s[start..end];
                out.push(u64::from_str_radix(hex, 16).map_err(|_| {
                    // pprof's words; a run of digits too long to show is cut.
                    let shown = match hex.len() {
                        0..=32 => format!("0x{hex}"),
                        _ => crate::error::quote(&format!("0x{hex}")),
                    };
                    Error::malformed(format!("failed to parse as hex 64-bit number: {shown}"))
                })?);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Whether `drop_frames`/`keep_frames` is one of the patterns pprof gives
/// legacy profiles itself (allocators, locks, the CPU profiler): fixed
/// alternations of names, cheap to match however many functions there
/// are, and not from the file, so not priced as a file's own pattern is
/// (`NameRegex::afford`'s worst case refused a 20,000-site heap profile in
/// the page).
pub fn is_builtin_pattern(pattern: &str) -> bool {
    [ALLOC_RX, ALLOC_SKIP_RX, LOCK_RX, CPU_PROFILER_RX]
        .iter()
        .any(|rx| rx.join("|") == pattern)
}

const ALLOC_RX: &[&str] = &[
    // POSIX entry points.
    "calloc",
    "cfree",
    "malloc",
    "free",
    "memalign",
    "do_memalign",
    "(__)?posix_memalign",
    "pvalloc",
    "valloc",
    "realloc",
    // TC malloc.
    "tcmalloc::.*",
    "tc_calloc",
    "tc_cfree",
    "tc_malloc",
    "tc_free",
    "tc_memalign",
    "tc_posix_memalign",
    "tc_pvalloc",
    "tc_valloc",
    "tc_realloc",
    "tc_new",
    "tc_delete",
    "tc_newarray",
    "tc_deletearray",
    "tc_new_nothrow",
    "tc_newarray_nothrow",
    // Memory-allocation routines on OS X.
    "malloc_zone_malloc",
    "malloc_zone_calloc",
    "malloc_zone_valloc",
    "malloc_zone_realloc",
    "malloc_zone_memalign",
    "malloc_zone_free",
    // Go runtime
    r"runtime\..*",
    // Other misc. memory allocation routines
    "BaseArena::.*",
    "(::)?do_malloc_no_errno",
    "(::)?do_malloc_pages",
    "(::)?do_malloc",
    "DoSampledAllocation",
    "MallocedMemBlock::MallocedMemBlock",
    "_M_allocate",
    "__builtin_(vec_)?delete",
    "__builtin_(vec_)?new",
    "__gnu_cxx::new_allocator::allocate",
    "__libc_malloc",
    "__malloc_alloc_template::allocate",
    "allocate",
    "cpp_alloc",
    r"operator new(\[\])?",
    "simple_alloc::allocate",
];

const ALLOC_SKIP_RX: &[&str] = &[
    // Preserve Go runtime frames that appear in the middle/bottom of the stack.
    r"runtime\.panic",
    r"runtime\.reflectcall",
    r"runtime\.call[0-9]*",
];

const CPU_PROFILER_RX: &[&str] = &[
    "ProfileData::Add",
    "ProfileData::prof_handler",
    "CpuProfiler::prof_handler",
    "__pthread_sighandler",
    "__restore",
];

const LOCK_RX: &[&str] = &[
    "RecordLockProfileData",
    "(base::)?RecordLockProfileData.*",
    "(base::)?SubmitMutexProfileData.*",
    "(base::)?SubmitSpinLockProfileData.*",
    "(base::Mutex::)?AwaitCommon.*",
    "(base::Mutex::)?Unlock.*",
    "(base::Mutex::)?UnlockSlow.*",
    "(base::Mutex::)?ReaderUnlock.*",
    "(base::MutexLock::)?~MutexLock.*",
    "(Mutex::)?AwaitCommon.*",
    "(Mutex::)?Unlock.*",
    "(Mutex::)?UnlockSlow.*",
    "(Mutex::)?ReaderUnlock.*",
    "(MutexLock::)?~MutexLock.*",
    "(SpinLock::)?Unlock.*",
    "(SpinLock::)?SlowUnlock.*",
    "(SpinLockHolder::)?~SpinLockHolder.*",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pprofs_own_patterns_are_known_and_no_other() {
        for rx in [ALLOC_RX, ALLOC_SKIP_RX, LOCK_RX, CPU_PROFILER_RX] {
            assert!(is_builtin_pattern(&rx.join("|")));
        }
        let text = "heap profile: 1: 512 [1: 512] @ heap/1048576\n1: 512 [1: 512] @ 0x1\n#\t0x1\tmain.f+0x1\tmain.go:1\n";
        let p = crate::import::read_profile(text.as_bytes(), &Default::default()).unwrap();
        assert!(is_builtin_pattern(&p.drop_frames) && is_builtin_pattern(&p.keep_frames));
        assert!(!is_builtin_pattern(&format!(
            "{}|.{{500}}x",
            ALLOC_RX.join("|")
        )));
        assert!(!is_builtin_pattern(".{500}x"));
    }

    #[test]
    fn go_comment_frames_parse() {
        let f =
            parse_go_frame("#\t0x4b3c11\tbytes.Repeat+0x31\t/usr/lib/go/src/bytes/bytes.go:610")
                .unwrap();
        assert_eq!(
            f,
            GoFrame {
                pc: 0x4b3c11,
                function: "bytes.Repeat".into(),
                file: "/usr/lib/go/src/bytes/bytes.go".into(),
                line: 610
            }
        );
        assert!(parse_go_frame("# runtime.MemStats").is_none());
        assert!(parse_go_frame("# Alloc = 1234").is_none());
    }

    #[test]
    fn hex_addresses() {
        assert_eq!(
            parse_hex_addresses(" 0x1 0xff 0x10").unwrap(),
            vec![1, 255, 16]
        );
        assert!(parse_hex_addresses("0x1ffffffffffffffff").is_err());
    }
}

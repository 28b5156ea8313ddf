//! Go goroutine dumps, read as goroutine profiles: one sample per
//! goroutine, value 1.
//!
//! Two texts carry them, both written by the Go runtime's traceback printer
//! (`runtime/traceback.go`: `goroutineheader`, `traceback`, `printcreatedby`):
//!
//! - `/debug/pprof/goroutine?debug=2` (`net/http/pprof`), which is
//!   `runtime.Stack(buf, true)` (`runtime/pprof.writeGoroutineStacks`):
//!   `goroutine 15 [chan receive, 42 minutes]:`, then each frame as
//!   `pkg.function(arguments)` over `<TAB>file:line +0xoffset`, leaf first,
//!   then `created by pkg.function` over its `file:line`; blank lines
//!   between goroutines.
//! - A Go program's crash on stderr: `panic: ...`, `fatal error: ...` or a
//!   signal (`SIGQUIT: quit`, `SIGABRT: abort`, `SIGSEGV: ...`), possibly
//!   after the program's own log lines, then the same goroutine blocks. In
//!   between come lines that are no goroutine's (`[signal SIGSEGV: ...]`,
//!   `PC=0x... m=0 sigcode=0`, register dumps such as `rax    0x0`,
//!   `-----`, `exit status 2`): they are skipped. The text is read from
//!   the first `goroutine N [...]:` line on.
//!
//! What varies with the Go version and `GOTRACEBACK`: the state may carry
//! the wait in minutes and more (`[syscall, 3 minutes, locked to thread]`,
//! `[chan receive (nil chan)]`, `[GC worker (idle)]`); `system` and `crash`
//! add `gp=0x... m=... mp=0x...` to headers (newer runtimes), runtime frames,
//! and ` fp=0x... sp=0x... pc=0x...` after file lines; Go 1.21+ writes
//! `created by f in goroutine 7` and elides the middle of deep stacks
//! (`...12 frames elided...`; older versions cut after 100 frames with
//! `...additional frames elided...`); inlined frames show `(...)` for their
//! arguments. A crash under `GOTRACEBACK=crash` also prints, for each
//! thread, its system stack (`goroutine 0 [idle]:`) and the stack of a
//! goroutine that was earlier listed as "running on other thread; stack
//! unavailable": that goroutine is counted once, with its stack.
//!
//! Also skipped: a crash's `runtime stack:` (the crashing thread's own
//! stack, before the first goroutine), and the creators' stacks that
//! `GODEBUG=tracebackancestors=N` appends (`[originating from goroutine 6]:`).
//!
//! Frames are named from the text (function without its arguments, file,
//! line; one location per distinct frame, no mappings, no addresses), and
//! every frame is kept. Each sample has labels: `state` (the wait reason
//! or status, without the duration and the notes after it: `locked to
//! thread`, the GC's `(scan)`), `created by` (the creating function, when
//! the dump names one), and the numeric `wait` in `minutes` (when the dump
//! gives one). A dump says nothing of when it was taken, so the profile
//! has no time.
//!
//! Like the other text formats, a dump is bounded by the importer's limits
//! on inflated size and line length, checked before parsing: a sample per
//! goroutine header, a location per distinct frame line.

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::model::{Function, LabelSet, Line, Location, Profile, ValueType};

/// How far into a text its first goroutine header is looked for.
pub(super) const SNIFF_BYTES: usize = 64 << 10;

/// Whether text (its first [`SNIFF_BYTES`] are enough) is a goroutine dump:
/// its first line that is not blank is a goroutine header, or a crash
/// header (`panic:`, `fatal error:`, `SIGQUIT:`...) comes before the first
/// goroutine header.
pub(super) fn sniff(head: &str) -> bool {
    dump_start(head.strip_prefix('\u{feff}').unwrap_or(head)).is_some()
}

/// Parses a goroutine dump (`Ok(None)`: the text is not one).
pub(super) fn parse(text: &str) -> Result<Option<Profile>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(start) = dump_start(text) else {
        return Ok(None);
    };
    let (before, body) = text.split_at(start);
    // A final newline ends the last line; it does not start another.
    let body = body.strip_suffix('\n').unwrap_or(body);
    let mut lines = Lines {
        iter: body.split('\n'),
        number: before.bytes().filter(|&b| b == b'\n').count(),
    };
    let mut dump = Dump::default();
    let mut line = lines.next();
    while let Some(l) = line {
        line = match header(l.trim_end()) {
            Some(h) => dump.goroutine(h, &mut lines)?,
            // Not a goroutine's: signal and register lines, logs.
            None => lines.next(),
        };
    }
    Ok(Some(dump.into_profile()?))
}

/// The byte offset of the first goroutine header, if the text is a dump.
fn dump_start(text: &str) -> Option<usize> {
    let mut at = 0;
    let mut crashed = false;
    let mut first = true;
    for line in text.split_inclusive('\n') {
        if at > SNIFF_BYTES {
            return None;
        }
        let t = line.trim_end();
        if header(t).is_some() {
            return (first || crashed).then_some(at);
        }
        if !t.trim_start().is_empty() {
            first = false;
            crashed = crashed || is_crash_header(t);
        }
        at += line.len();
    }
    None
}

/// `panic: ...`, `fatal error: ...`, `SIGQUIT: quit`, `SIGABRT: abort`,
/// `SIGSEGV: segmentation violation`...
fn is_crash_header(line: &str) -> bool {
    if line.starts_with("panic: ") || line.starts_with("fatal error: ") {
        return true;
    }
    let Some(rest) = line.strip_prefix("SIG") else {
        return false;
    };
    let name = rest
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    name > 0 && rest[name..].starts_with(": ")
}

/// A goroutine's header line.
struct Header<'a> {
    id: &'a str,
    state: &'a str,
    wait: Option<i64>,
}

/// Parses `goroutine 15 [chan receive, 42 minutes]:` and
/// `goroutine 18 gp=0xc000102000 m=nil [chan receive]:` (end trimmed).
fn header(line: &str) -> Option<Header<'_>> {
    let rest = line.strip_prefix("goroutine ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (id, rest) = rest.split_at(digits);
    let (between, inner) = rest.strip_suffix("]:")?.split_once('[')?;
    // " ", or " gp=0x... m=0 mp=0x... ".
    if !between.starts_with(' ')
        || !between.ends_with(' ')
        || !between.split_whitespace().all(|t| t.contains('='))
    {
        return None;
    }
    // The status or wait reason, then ", N minutes", ", locked to thread",
    // ", synctest group N" (wait reasons have no ", " of their own).
    let mut parts = inner.split(", ");
    let state = parts.next().unwrap_or("").trim();
    let state = state.strip_suffix(" (scan)").unwrap_or(state);
    let wait = parts.find_map(|p| {
        let p = p.trim();
        let n = p
            .strip_suffix(" minutes")
            .or_else(|| p.strip_suffix(" minute"))?;
        n.parse().ok()
    });
    Some(Header { id, state, wait })
}

/// `pkg.function` of a frame line `pkg.function(arguments)`: the name
/// before the last balanced parenthesis (names have their own:
/// `main.(*Store).Keep(0xc000010000, 0x2710)`).
fn function_name(line: &str) -> Option<&str> {
    if line.starts_with(char::is_whitespace) || !line.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    for (i, b) in line.bytes().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    let name = &line[..i];
                    let plausible = !name.is_empty() && !name.contains(char::is_whitespace);
                    return plausible.then_some(name);
                }
            }
            _ => {}
        }
    }
    None
}

/// The file and line of `<TAB>/src/main.go:60 +0x36 fp=0x... sp=0x... pc=0x...`.
fn file_line(line: &str) -> Option<(&str, i64)> {
    if !line.starts_with(char::is_whitespace) {
        return None;
    }
    let mut s = line.trim();
    while let Some((rest, last)) = s.rsplit_once(' ') {
        let hex = ["+0x", "fp=0x", "sp=0x", "pc=0x"]
            .iter()
            .find_map(|p| last.strip_prefix(p));
        match hex {
            Some(h) if !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                s = rest.trim_end();
            }
            _ => break,
        }
    }
    let (file, number) = s.rsplit_once(':')?;
    if file.is_empty() || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((file, number.parse().ok()?))
}

/// `...additional frames elided...` (before Go 1.21), `...12 frames elided...`.
fn is_elided(body: &str) -> bool {
    body.starts_with("...") && body.ends_with("elided...")
}

/// What the runtime prints inside a traceback when a stack is damaged
/// (`runtime: g 1: unexpected return pc ...`, `stack: frame={...}`, hex
/// words): not frames, but not the end of the goroutine either.
fn is_runtime_note(body: &str) -> bool {
    body.starts_with("runtime: ") || body.starts_with("stack: ") || body.starts_with("0x")
}

/// A line for an error message: quoted, at most 80 characters.
fn quote(line: &str) -> String {
    let line = line.trim();
    match line.char_indices().nth(80) {
        Some((cut, _)) => format!("{:?}…", &line[..cut]),
        None => format!("{line:?}"),
    }
}

fn error(line: usize, what: String) -> Error {
    Error::malformed(format!("goroutine dump, line {line}: {what}"))
}

/// Lines with their numbers (1-based, in the whole text).
struct Lines<'a> {
    iter: std::str::Split<'a, char>,
    /// The number of the line `next` returned last.
    number: usize,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let line = self.iter.next()?;
        self.number += 1;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// The dump while it is read: frames and goroutines borrow the text.
#[derive(Default)]
struct Dump<'a> {
    /// Distinct frames (function, file, line), in order of appearance.
    frames: Vec<(&'a str, &'a str, i64)>,
    frame_ids: FxHashMap<(&'a str, &'a str, i64), u32>,
    /// Every stack's frame ids, leaf first, one after the other.
    stack_frames: Vec<u32>,
    goroutines: Vec<Goroutine<'a>>,
    /// Goroutines listed without a stack ("running on other thread"), by id.
    stackless: FxHashMap<&'a str, usize>,
}

struct Goroutine<'a> {
    /// Its frames in `stack_frames`.
    stack: Range<usize>,
    state: &'a str,
    created_by: Option<&'a str>,
    wait: Option<i64>,
}

impl<'a> Dump<'a> {
    /// Reads the goroutine whose header was just read, and returns the
    /// first line after it (if any).
    fn goroutine(&mut self, h: Header<'a>, lines: &mut Lines<'a>) -> Result<Option<&'a str>> {
        let start = self.stack_frames.len();
        let mut created_by = None;
        let mut unavailable = false;
        let mut anything = false;
        let next = loop {
            let Some(line) = lines.next() else {
                break None;
            };
            let t = line.trim_end();
            let body = t.trim_start();
            if body.is_empty() || header(t).is_some() {
                break Some(line);
            }
            if let Some(creator) = t.strip_prefix("created by ") {
                let creator = creator.trim();
                // Go 1.21+: "created by main.work in goroutine 7".
                let name = match creator.rsplit_once(" in goroutine ") {
                    Some((name, id)) if id.bytes().all(|b| b.is_ascii_digit()) => name,
                    _ => creator,
                };
                created_by = Some(name);
                self.file_line(lines, h.id, &format!("created by {name}"))?;
                anything = true;
            } else if body == "goroutine running on other thread; stack unavailable" {
                unavailable = true;
                anything = true;
            } else if is_elided(body) {
                anything = true;
            } else if is_runtime_note(body) {
                // Skipped: not a frame, not the end of the stack.
            } else if let Some(function) = function_name(t) {
                let (file, number) = self.file_line(lines, h.id, function)?;
                let key = (function, file, number);
                let id = match self.frame_ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = self.frames.len() as u32;
                        self.frames.push(key);
                        self.frame_ids.insert(key, id);
                        id
                    }
                };
                self.stack_frames.push(id);
                anything = true;
            } else if anything {
                // The end of the goroutine: a register dump, a log line.
                break Some(line);
            } else {
                return Err(error(
                    lines.number,
                    format!(
                        "expected the stack of goroutine {} (lines \"package.function(arguments)\", \
                         each followed by \"<TAB>file:line\"), found {}",
                        h.id,
                        quote(line)
                    ),
                ));
            }
        };
        let g = Goroutine {
            stack: start..self.stack_frames.len(),
            state: h.state,
            created_by,
            wait: h.wait,
        };
        let empty = g.stack.is_empty();
        match self.stackless.get(h.id) {
            // The stack of a goroutine listed earlier without one.
            Some(&earlier) if !empty => {
                if let Some(slot) = self.goroutines.get_mut(earlier) {
                    let created_by = g.created_by.or(slot.created_by);
                    *slot = Goroutine { created_by, ..g };
                }
                self.stackless.remove(h.id);
            }
            _ => {
                if empty && unavailable {
                    self.stackless.insert(h.id, self.goroutines.len());
                }
                self.goroutines.push(g);
            }
        }
        Ok(next)
    }

    /// Reads the `file:line` line that follows a frame or `created by`.
    fn file_line(
        &mut self,
        lines: &mut Lines<'a>,
        goroutine: &str,
        after: &str,
    ) -> Result<(&'a str, i64)> {
        let Some(line) = lines.next() else {
            return Err(error(
                lines.number,
                format!(
                    "the text ends inside goroutine {goroutine}'s stack, after {after:?} and \
                     before its \"<TAB>file:line\" line (was the dump cut short?)"
                ),
            ));
        };
        file_line(line.trim_end()).ok_or_else(|| {
            error(
                lines.number,
                format!(
                    "expected the \"<TAB>file:line\" line of {after:?} (goroutine {goroutine}), \
                     found {}",
                    quote(line)
                ),
            )
        })
    }

    /// The profile: locations and functions numbered in the order the
    /// samples first use them (leaf first), as the protobuf decoder does.
    fn into_profile(self) -> Result<Profile> {
        let count = ValueType::new("goroutine", "count");
        let mut p = Profile::new(vec![count.clone()]);
        p.period_type = count;
        p.period = 1;
        let mut location_of = vec![u32::MAX; self.frames.len()];
        let mut function_of: FxHashMap<(&str, &str), u32> = FxHashMap::default();
        let mut labels_of: FxHashMap<(&str, Option<&str>, Option<i64>), u32> = FxHashMap::default();
        let mut stack = Vec::new();
        for g in &self.goroutines {
            stack.clear();
            for &frame in self.stack_frames.get(g.stack.clone()).unwrap_or(&[]) {
                let Some(slot) = location_of.get_mut(frame as usize) else {
                    continue;
                };
                if *slot == u32::MAX {
                    let Some(&(name, file, line)) = self.frames.get(frame as usize) else {
                        continue;
                    };
                    let functions = &mut p.functions;
                    let function = *function_of.entry((name, file)).or_insert_with(|| {
                        functions.push(Function {
                            id: functions.len() as u64 + 1,
                            name: name.to_string(),
                            system_name: name.to_string(),
                            filename: file.to_string(),
                            start_line: 0,
                        });
                        functions.len() as u32 - 1
                    });
                    *slot = p.locations.len() as u32;
                    p.locations.push(Location {
                        id: p.locations.len() as u64 + 1,
                        mapping: None,
                        address: 0,
                        lines: vec![Line {
                            function,
                            line,
                            column: 0,
                        }],
                        is_folded: false,
                    });
                }
                stack.push(*slot);
            }
            let samples = &mut p.samples;
            let labels = *labels_of
                .entry((g.state, g.created_by, g.wait))
                .or_insert_with(|| samples.intern_labels(g.labels()));
            p.samples.push(&[1], &stack, labels)?;
        }
        Ok(p)
    }
}

impl Goroutine<'_> {
    fn labels(&self) -> LabelSet {
        let state = (!self.state.is_empty()).then(|| ("state".to_string(), self.state.to_string()));
        let created_by = self
            .created_by
            .map(|c| ("created by".to_string(), c.to_string()));
        let wait = self
            .wait
            .map(|w| ("wait".to_string(), w, "minutes".to_string()));
        LabelSet::from_pairs(state.into_iter().chain(created_by), wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Profile {
        match parse(text) {
            Ok(Some(p)) => p,
            Ok(None) => panic!("not read as a dump:\n{text}"),
            Err(e) => panic!("{}", e.message),
        }
    }

    fn error_of(text: &str) -> String {
        match parse(text) {
            Err(e) => {
                assert_eq!(e.kind, crate::ErrorKind::Malformed);
                e.message
            }
            Ok(p) => panic!("no error: {:?}", p.map(|p| p.samples.len())),
        }
    }

    /// Each goroutine as (its frames `function file:line`, leaf first; labels).
    fn goroutines(p: &Profile) -> Vec<(Vec<String>, LabelSet)> {
        (0..p.samples.len())
            .map(|i| {
                assert_eq!(p.samples.values(i), [1]);
                let frames = p
                    .samples
                    .stack(i)
                    .map(|l| {
                        let loc = &p.locations[l as usize];
                        assert_eq!(loc.lines.len(), 1);
                        let f = &p.functions[loc.lines[0].function as usize];
                        format!("{} {}:{}", f.name, f.filename, loc.lines[0].line)
                    })
                    .collect();
                (frames, p.samples.labels(i).clone())
            })
            .collect()
    }

    fn state(labels: &LabelSet) -> &str {
        labels.get("state").first().map_or("", |s| s.as_str())
    }

    fn created_by(labels: &LabelSet) -> &str {
        labels.get("created by").first().map_or("", |s| s.as_str())
    }

    fn wait(labels: &LabelSet) -> Option<(i64, &str)> {
        labels
            .get_num("wait")
            .map(|n| (n.values[0], n.units[0].as_str()))
    }

    /// `/debug/pprof/goroutine?debug=2` of examples/leaksvc (Go 1.19),
    /// shortened.
    const DEBUG2: &str = "goroutine 11 [running]:
runtime/pprof.writeGoroutineStacks({0x99fc40, 0xc0001981c0})
\t/usr/lib/go-1.19/src/runtime/pprof/pprof.go:692 +0x70
net/http/pprof.handler.ServeHTTP({0xc00002c3a1, 0x9}, {0x9a2988, 0xc0001981c0}, 0x2e302e302e373231?)
\t/usr/lib/go-1.19/src/net/http/pprof/pprof.go:253 +0x4a5
net/http.(*conn).serve(0xc00017fcc0, {0x9a3118, 0xc0000a28d0})
\t/usr/lib/go-1.19/src/net/http/server.go:1991 +0x607
created by net/http.(*Server).Serve
\t/usr/lib/go-1.19/src/net/http/server.go:3102 +0x4db

goroutine 1 [IO wait]:
internal/poll.runtime_pollWait(0x7f06bc0619d8, 0x72)
\t/usr/lib/go-1.19/src/runtime/netpoll.go:305 +0x89
internal/poll.(*pollDesc).waitRead(...)
\t/usr/lib/go-1.19/src/internal/poll/fd_poll_runtime.go:89
net/http.ListenAndServe(...)
\t/usr/lib/go-1.19/src/net/http/server.go:3255
main.main()
\t/work/main/examples/leaksvc/main.go:158 +0x5fe

goroutine 8 [chan receive]:
main.waitForReply(0x99f7a0?, {0xc00019c000, 0x2710, 0xc0000a29c0?})
\t/work/main/examples/leaksvc/main.go:97 +0x37
created by main.work
\t/work/main/examples/leaksvc/main.go:121 +0x34b

goroutine 29 [chan receive, 42 minutes]:
main.waitForReply(0x0?, {0xc0000e6000, 0x2710, 0x0?})
\t/work/main/examples/leaksvc/main.go:97 +0x37
created by main.work
\t/work/main/examples/leaksvc/main.go:121 +0x34b

goroutine 12 [runnable]:
net/http.(*connReader).startBackgroundRead.func2()
\t/usr/lib/go-1.19/src/net/http/server.go:674
runtime.goexit()
\t/usr/lib/go-1.19/src/runtime/asm_amd64.s:1594 +0x1
created by net/http.(*connReader).startBackgroundRead
\t/usr/lib/go-1.19/src/net/http/server.go:674 +0xca
";

    #[test]
    fn debug2_dump() {
        let p = read(DEBUG2);
        assert_eq!(p.sample_types, [ValueType::new("goroutine", "count")]);
        assert_eq!(p.period_type, ValueType::new("goroutine", "count"));
        assert_eq!(p.period, 1);
        assert_eq!((p.time_nanos, p.duration_nanos), (0, 0));
        assert!(p.drop_frames.is_empty() && p.mappings.is_empty());
        let g = goroutines(&p);
        assert_eq!(g.len(), 5);
        assert_eq!(
            g[0].0,
            [
                "runtime/pprof.writeGoroutineStacks /usr/lib/go-1.19/src/runtime/pprof/pprof.go:692",
                "net/http/pprof.handler.ServeHTTP /usr/lib/go-1.19/src/net/http/pprof/pprof.go:253",
                "net/http.(*conn).serve /usr/lib/go-1.19/src/net/http/server.go:1991",
            ]
        );
        assert_eq!(state(&g[0].1), "running");
        assert_eq!(created_by(&g[0].1), "net/http.(*Server).Serve");
        assert_eq!(wait(&g[0].1), None);
        // Inlined frames (`(...)`) and a file line without an offset.
        assert_eq!(
            g[1].0[1],
            "internal/poll.(*pollDesc).waitRead /usr/lib/go-1.19/src/internal/poll/fd_poll_runtime.go:89"
        );
        assert_eq!(
            g[1].0[3],
            "main.main /work/main/examples/leaksvc/main.go:158"
        );
        assert_eq!(state(&g[1].1), "IO wait");
        assert!(g[1].1.get("created by").is_empty());
        for w in [&g[2], &g[3]] {
            assert_eq!(
                w.0,
                ["main.waitForReply /work/main/examples/leaksvc/main.go:97"]
            );
            assert_eq!(state(&w.1), "chan receive");
            assert_eq!(created_by(&w.1), "main.work");
        }
        assert_eq!(wait(&g[2].1), None);
        assert_eq!(wait(&g[3].1), Some((42, "minutes")));
        // Runtime frames stay.
        assert_eq!(
            g[4].0[1],
            "runtime.goexit /usr/lib/go-1.19/src/runtime/asm_amd64.s:1594"
        );
        assert_eq!(state(&g[4].1), "runnable");
        // One location per distinct frame, one function per name and file,
        // numbered in the order samples first use them.
        assert_eq!(p.locations.len(), 10);
        assert_eq!(p.functions.len(), 10);
        for (i, l) in p.locations.iter().enumerate() {
            assert_eq!(l.id, i as u64 + 1);
            assert_eq!((l.mapping, l.address), (None, 0));
        }
        assert_eq!(
            p.samples.stack(2).collect::<Vec<_>>(),
            p.samples.stack(3).collect::<Vec<_>>()
        );
        // CRLF line ends and a UTF-8 BOM read the same.
        let crlf = format!("\u{feff}{}", DEBUG2.replace('\n', "\r\n"));
        assert_eq!(goroutines(&read(&crlf)), g);
    }

    #[test]
    fn states_and_waits() {
        let headers = [
            ("[chan receive, 42 minutes]", "chan receive", Some(42)),
            ("[select, 1 minutes]", "select", Some(1)),
            ("[syscall, 3 minutes, locked to thread]", "syscall", Some(3)),
            ("[running, locked to thread]", "running", None),
            ("[chan receive (nil chan)]", "chan receive (nil chan)", None),
            (
                "[chan send (nil chan), 7 minutes]",
                "chan send (nil chan)",
                Some(7),
            ),
            ("[select (no cases)]", "select (no cases)", None),
            ("[GC worker (idle)]", "GC worker (idle)", None),
            (
                "[GC worker (idle), 12 minutes]",
                "GC worker (idle)",
                Some(12),
            ),
            ("[sync.Mutex.Lock]", "sync.Mutex.Lock", None),
            (
                "[sync.WaitGroup.Wait, 1440 minutes]",
                "sync.WaitGroup.Wait",
                Some(1440),
            ),
            ("[IO wait]", "IO wait", None),
            ("[IO wait, 5 minutes]", "IO wait", Some(5)),
            ("[semacquire]", "semacquire", None),
            ("[sleep]", "sleep", None),
            ("[runnable]", "runnable", None),
            ("[chan receive (scan), 2 minutes]", "chan receive", Some(2)),
        ];
        let text: String = headers
            .iter()
            .enumerate()
            .map(|(i, (h, _, _))| {
                format!(
                    "goroutine {} {h}:\nmain.f()\n\t/src/main.go:{}\n\n",
                    i + 1,
                    i + 10
                )
            })
            .collect();
        let g = goroutines(&read(&text));
        assert_eq!(g.len(), headers.len());
        for ((_, labels), (h, want, minutes)) in g.iter().zip(headers) {
            assert_eq!(state(labels), want, "{h}");
            assert_eq!(wait(labels), minutes.map(|m| (m, "minutes")), "{h}");
        }
    }

    #[test]
    fn tracebacks_of_newer_go_and_gotraceback_crash() {
        // Go 1.21+ creators, gp=/m= headers, fp/sp/pc suffixes, generics,
        // closures, methods, elided arguments.
        let text = "goroutine 1 gp=0xc000002380 m=0 mp=0x5bd500 [running]:
main.(*Store).Keep(0xc000010000, 0x2710)
\t/src/main.go:60 +0x36 fp=0xc00006cf80 sp=0xc00006cef0 pc=0x481c6a
main.Map[...].Get(...)
\t/src/map.go:17
main.main.func1()
\t/src/main.go:31 +0x1d fp=0xc000046fe0 sp=0xc000046fc8 pc=0x4817dd
main.main()
\t/src/main.go:44 +0x24a fp=0xc00006cf80 sp=0xc00006cef0 pc=0x481c6a
runtime.main()
\t/usr/lib/go/src/runtime/proc.go:272 +0x28b fp=0xc00006cfe0 sp=0xc00006cf80 pc=0x43c8cb

goroutine 18 gp=0xc000102000 m=nil [chan receive, 3 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/lib/go/src/runtime/proc.go:424 +0xce fp=0xc000046f18 sp=0xc000046ef8 pc=0x43c92e
main.work({0xc0001..., 0x4e20, 0x4e20})
\t/src/main.go:80 +0x25 fp=0xc000046fc8 sp=0xc000046f38 pc=0x4817a5
created by main.serve in goroutine 7
\t/src/main.go:70 +0x4f
";
        let g = goroutines(&read(text));
        assert_eq!(g.len(), 2);
        let names: Vec<&str> = g[0]
            .0
            .iter()
            .map(|f| f.split(' ').next().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "main.(*Store).Keep",
                "main.Map[...].Get",
                "main.main.func1",
                "main.main",
                "runtime.main"
            ]
        );
        assert_eq!(g[0].0[0], "main.(*Store).Keep /src/main.go:60");
        assert_eq!(state(&g[0].1), "running");
        assert_eq!(g[1].0[1], "main.work /src/main.go:80");
        assert_eq!(state(&g[1].1), "chan receive");
        assert_eq!(created_by(&g[1].1), "main.serve");
        assert_eq!(wait(&g[1].1), Some((3, "minutes")));
    }

    #[test]
    fn elided_frames() {
        let mut text = String::from("goroutine 5 [running]:\n");
        for i in 0..50 {
            text += &format!("main.recurse({i})\n\t/src/main.go:9 +0x1d\n");
        }
        text += "...23 frames elided...\n";
        for i in 0..50 {
            text += &format!("main.recurse({i})\n\t/src/main.go:9 +0x1d\n");
        }
        text +=
            "main.main()\n\t/src/main.go:3 +0x25\ncreated by main.init\n\t/src/main.go:1 +0x2\n";
        text += "\ngoroutine 6 [chan send]:\nmain.deep()\n\t/src/main.go:20\n";
        text += "...additional frames elided...\ncreated by main.main\n\t/src/main.go:4 +0x9\n";
        let g = goroutines(&read(&text));
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].0.len(), 101);
        assert_eq!(g[0].0[100], "main.main /src/main.go:3");
        assert_eq!(created_by(&g[0].1), "main.init");
        assert_eq!(g[1].0, ["main.deep /src/main.go:20"]);
        assert_eq!(created_by(&g[1].1), "main.main");
    }

    /// A nil dereference under GOTRACEBACK=all (Go 1.19), after log lines.
    const PANIC: &str = "2024/05/01 10:00:00 leaksvc mode=leak on 127.0.0.1:19201
2024/05/01 10:00:01 OOMKilled? no: kept 10000 bytes
panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x481c6a]

goroutine 1 [running, locked to thread]:
main.(*Store).Keep(...)
\t/tmp/gcrash/main.go:24
main.main()
\t/tmp/gcrash/main.go:44 +0x24a

goroutine 6 [chan receive]:
main.wait(0x0?)
\t/tmp/gcrash/main.go:26 +0x1b
created by main.main
\t/tmp/gcrash/main.go:30 +0x2f

goroutine 10 [chan receive (nil chan)]:
main.main.func2()
\t/tmp/gcrash/main.go:34 +0x1f
created by main.main
\t/tmp/gcrash/main.go:34 +0xc5
exit status 2
";

    #[test]
    fn crash_output() {
        assert!(sniff(PANIC));
        let g = goroutines(&read(PANIC));
        assert_eq!(g.len(), 3);
        assert_eq!(
            g[0].0,
            [
                "main.(*Store).Keep /tmp/gcrash/main.go:24",
                "main.main /tmp/gcrash/main.go:44"
            ]
        );
        assert_eq!(state(&g[0].1), "running");
        assert_eq!(state(&g[2].1), "chan receive (nil chan)");
        for header in [
            "fatal error: all goroutines are asleep - deadlock!",
            "SIGABRT: abort",
        ] {
            let text = PANIC.replace(
                "panic: runtime error: invalid memory address or nil pointer dereference",
                header,
            );
            assert_eq!(goroutines(&read(&text)), g, "{header}");
        }
        // Log lines and a goroutine header without a crash header: not a dump.
        let text = PANIC.replace("panic: runtime error", "error");
        assert!(!sniff(&text));
        assert!(parse(&text).unwrap().is_none());
    }

    /// SIGQUIT under GOTRACEBACK=crash (Go 1.19, shortened): each thread's
    /// system stack and registers; goroutine 9, running on thread 1, is
    /// listed without a stack first and with it in thread 1's section.
    const SIGQUIT: &str = "SIGQUIT: quit
PC=0x45f681 m=0 sigcode=0

goroutine 0 [idle]:
runtime.futex()
\t/usr/lib/go-1.19/src/runtime/sys_linux_amd64.s:559 +0x21 fp=0x7ffc69032940 sp=0x7ffc69032938 pc=0x45f681
runtime.mcall()
\t/usr/lib/go-1.19/src/runtime/asm_amd64.s:448 +0x43 fp=0x7ffc69032ab0 sp=0x7ffc69032aa0 pc=0x45b6e3

goroutine 1 [chan receive, locked to thread]:
runtime.gopark(0x7f896848c758?, 0x30?, 0xb8?, 0xc5?, 0x50?)
\t/usr/lib/go-1.19/src/runtime/proc.go:363 +0xd6 fp=0xc000086e38 sp=0xc000086e18 pc=0x434a76
main.main()
\t/tmp/gcrash/main.go:51 +0x3b4 fp=0xc000086f80 sp=0xc000086ef0 pc=0x481dd4

goroutine 9 [running]:
\tgoroutine running on other thread; stack unavailable
created by main.main
\t/tmp/gcrash/main.go:40 +0x3c

goroutine 12 [sleep, 2 minutes]:
time.Sleep(0x34630b8a000)
\t/usr/lib/go-1.19/src/runtime/time.go:195 +0x135 fp=0xc0000377c8 sp=0xc000037788 pc=0x45a875
created by main.main
\t/tmp/gcrash/main.go:38 +0x145

rax    0xca
rbx    0x0
rip    0x45f681
rflags 0x286
cs     0x33

-----

SIGQUIT: quit
PC=0x45f683 m=1 sigcode=0

goroutine 0 [idle]:
runtime.futex()
\t/usr/lib/go-1.19/src/runtime/sys_linux_amd64.s:560 +0x23 fp=0xc00004de80 sp=0xc00004de78 pc=0x45f683
goroutine 9 [running]:
main.spin()
\t/tmp/gcrash/main.go:60 +0x4 fp=0xc00004df80 sp=0xc00004df78 pc=0x481f04
created by main.main
\t/tmp/gcrash/main.go:40 +0x3c
rax    0xfffffffffffffffc
rip    0x45f683

-----
";

    #[test]
    fn sigquit_with_registers_and_thread_stacks() {
        assert!(sniff(SIGQUIT));
        let g = goroutines(&read(SIGQUIT));
        let summary: Vec<(&str, usize)> = g.iter().map(|(f, l)| (state(l), f.len())).collect();
        assert_eq!(
            summary,
            [
                ("idle", 2),
                ("chan receive", 2),
                ("running", 1),
                ("sleep", 1),
                ("idle", 1)
            ]
        );
        assert_eq!(g[2].0, ["main.spin /tmp/gcrash/main.go:60"]);
        assert_eq!(created_by(&g[2].1), "main.main");
        assert_eq!(wait(&g[3].1), Some((2, "minutes")));
        // Listed only without a stack (debug=2 of a busy program): counted.
        let text =
            "goroutine 3 [running]:\n\tgoroutine running on other thread; stack unavailable\n";
        let g = goroutines(&read(text));
        assert_eq!(g.len(), 1);
        assert!(g[0].0.is_empty());
    }

    #[test]
    fn paths_with_spaces_and_ancestors() {
        let text = "goroutine 7 [chan receive]:
main.f()
\t/Users/a b/app/main.go:3 +0x1
main.g(...)
\tC:/Program Files/app/main.go:5
created by main.g in goroutine 6
\t/Users/a b/app/main.go:9 +0x2
[originating from goroutine 6]:
main.g(...)
\t/Users/a b/app/main.go:9 +0x2
created by main.main in goroutine 1
\t/Users/a b/app/main.go:12 +0x3

goroutine 8 [sleep]:
main.h()
\t/Users/a b/app/main.go:20 +0x1
";
        let g = goroutines(&read(text));
        assert_eq!(g.len(), 2);
        assert_eq!(
            g[0].0,
            [
                "main.f /Users/a b/app/main.go:3",
                "main.g C:/Program Files/app/main.go:5"
            ]
        );
        assert_eq!(created_by(&g[0].1), "main.g");
        assert_eq!(g[1].0, ["main.h /Users/a b/app/main.go:20"]);
    }

    #[test]
    fn damaged_stacks_keep_their_frames() {
        let text = "fatal error: unexpected signal during runtime execution

goroutine 1 [running]:
runtime: g 1: unexpected return pc for main.f called from 0x0
stack: frame={sp:0xc000040f58, fp:0xc000040f78} stk=[0xc000040000, 0xc000041000)
main.f()
\t/src/main.go:5 +0x1d
";
        let g = goroutines(&read(text));
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].0, ["main.f /src/main.go:5"]);
    }

    #[test]
    fn broken_dumps_are_errors_naming_the_line() {
        let e = error_of("goroutine 1 [running]:\nhello, this is not a stack\n");
        assert!(
            e.starts_with("goroutine dump, line 2: expected the stack of goroutine 1"),
            "{e}"
        );
        assert!(e.contains("\"hello, this is not a stack\""), "{e}");
        assert!(!e.contains('\n'), "{e}");
        let e = error_of("goroutine 1 [running]:\nmain.main()\nmain.f()\n");
        assert!(
            e.starts_with(
                "goroutine dump, line 3: expected the \"<TAB>file:line\" line of \"main.main\""
            ),
            "{e}"
        );
        let e = error_of("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:x +0x1\n");
        assert!(e.starts_with("goroutine dump, line 3:"), "{e}");
        let e = error_of("\n\ngoroutine 1 [running]:\nmain.main()");
        assert!(
            e.starts_with("goroutine dump, line 4: the text ends inside goroutine 1's stack"),
            "{e}"
        );
        let e = error_of(&format!(
            "{}main.f()\n",
            &PANIC[..PANIC.find("main.main()").unwrap()]
        ));
        assert!(
            e.starts_with("goroutine dump, line 9: the text ends inside goroutine 1's stack"),
            "{e}"
        );
        let e =
            error_of("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3\ncreated by main.x\n");
        assert!(
            e.starts_with("goroutine dump, line 4: the text ends"),
            "{e}"
        );
        // A very long line is cut in the message.
        let e = error_of(&format!("goroutine 1 [running]:\n{}\n", "é".repeat(10_000)));
        assert!(e.len() < 400, "{e}");
    }

    #[test]
    fn other_texts_are_not_dumps() {
        for text in [
            "",
            "\n\n",
            "goroutine profile: total 3\n1 @ 0x1 0x2\n",
            "# HELP go_goroutines Number of goroutines.\ngo_goroutines 12 1700000000000\n",
            "goroutine 1 [running]\nmain.main()\n",
            "goroutine x [running]:\n",
            "goroutine 1 running:\n",
            "goroutines 1 [running]:\n",
            "panic: boom\n",
            "[ 1234.5] Out of memory: Killed process 42 (leaksvc)\ngoroutine 1 [running]:\n",
        ] {
            assert!(!sniff(text), "{text:?}");
            assert!(parse(text).unwrap().is_none(), "{text:?}");
        }
        // The crash header must come within the first 64 KiB.
        let late = format!(
            "{}\npanic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:1\n",
            "log\n".repeat(20_000)
        );
        assert!(!sniff(&late));
        let early = format!(
            "panic: x\n{}\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:1\n",
            "log\n".repeat(1000)
        );
        assert_eq!(read(&early).samples.len(), 1);
    }

    #[test]
    fn never_panics_on_cut_or_mangled_dumps() {
        for text in [DEBUG2, PANIC, SIGQUIT] {
            for (cut, _) in text.char_indices() {
                let _ = parse(&text[..cut]);
                let _ = parse(&text[cut..]);
            }
            let mangled: String = text
                .chars()
                .enumerate()
                .map(|(i, c)| match i % 7 {
                    0 => '(',
                    3 => ')',
                    _ => c,
                })
                .collect();
            let _ = parse(&mangled);
        }
        for junk in [
            "goroutine 1 [running]:\n)",
            "goroutine 1 [running]:\n()\n",
            "goroutine 1 []:\n",
            "goroutine 99999999999999999999999999 [x]:\n",
        ] {
            let _ = parse(junk);
        }
        assert_eq!(
            goroutines(&read("goroutine 1 []:\n"))[0].1,
            LabelSet::default()
        );
    }

    #[test]
    fn dispatched_as_a_profile_never_as_metrics() {
        use crate::import::{read, ImportOptions, Input};
        assert!(super::super::sniff_profile(DEBUG2.as_bytes()));
        assert!(super::super::sniff_profile(PANIC.as_bytes()));
        assert!(super::super::sniff_profile(SIGQUIT.as_bytes()));
        // A kubelet-style note with "OOMKilled" before the crash, and a
        // runtime out-of-memory crash: still the goroutines.
        for text in [
            PANIC.to_string(),
            format!("fatal error: runtime: out of memory\n\n{DEBUG2}"),
        ] {
            match read(text.as_bytes(), &ImportOptions::default()) {
                Ok(Input::Profile(p)) => assert_eq!(p.sample_types[0].name, "goroutine"),
                Ok(Input::Series(_)) => panic!("read as metrics"),
                Err(e) => panic!("{}", e.message),
            }
        }
        // Go's debug=1 goroutine profile is still read by its own parser.
        let debug1 = "goroutine profile: total 2
2 @ 0x43c92e 0x4817a5 0x46d5e1
#\t0x4817a4\tmain.waitForReply+0x24\t/src/main.go:97
";
        let p = super::super::parse(debug1.as_bytes()).unwrap().unwrap();
        assert_eq!(p.samples.len(), 1);
        assert_eq!(p.samples.values(0), [2]);
    }

    #[test]
    fn a_hundred_thousand_goroutines() {
        let block = "goroutine {} [chan receive, 3 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/lib/go-1.19/src/runtime/proc.go:363 +0xd6
runtime.chanrecv1(0x0?, 0x0?)
\t/usr/lib/go-1.19/src/runtime/chan.go:442 +0x18
main.waitForReply(0x0?, {0xc0000e6000, 0x2710, 0x0?})
\t/work/main/examples/leaksvc/main.go:97 +0x37
main.handle{}(0xc000010000)
\t/work/main/examples/leaksvc/main.go:1{} +0x37
created by main.work in goroutine 1
\t/work/main/examples/leaksvc/main.go:121 +0x34b

";
        let mut text = String::new();
        for i in 0..100_000 {
            text += &block
                .replacen("{}", &i.to_string(), 1)
                .replace("{}", &(i % 100).to_string());
        }
        let started = std::time::Instant::now();
        let p = read(&text);
        let took = started.elapsed();
        // ~80 ms in a release build; this bound only catches a blow-up.
        assert!(took < std::time::Duration::from_secs(10), "{took:?}");
        assert_eq!(p.samples.len(), 100_000);
        assert_eq!(p.locations.len(), 3 + 100);
        assert_eq!(p.samples.label_sets().len(), 2);
        eprintln!(
            "100k goroutines ({} MB) parsed in {took:?}",
            text.len() >> 20
        );
    }
}

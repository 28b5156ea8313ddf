//! Text legacy formats: heap/growth profiles, Go count profiles, thread
//! dumps and contention profiles.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    is_memory_map_sentinel, is_space_or_comment, parse_go_frame, parse_hex_addresses, Adjust,
    GoFrame, Legacy,
};
use crate::error::{quote, Error, Result};
use crate::units;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

static COUNT_START: LazyLock<Regex> = LazyLock::new(|| re(r"\A(\S+) profile: total [0-9]+\z"));
static COUNT: LazyLock<Regex> = LazyLock::new(|| re(r"\A([0-9]+) @(( 0x[0-9a-f]+)+)\z"));
static HEAP_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"heap profile: *([0-9]+): *([0-9]+) *\[ *([0-9]+): *([0-9]+) *\] *@ *(heap[_a-z0-9]*)/?([0-9]*)",
    )
});
static HEAP_SAMPLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(-?[0-9]+): *(-?[0-9]+) *\[ *([0-9]+): *([0-9]+) *] @([ x0-9a-f]*)"));
static CONTENTION_SAMPLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"([0-9]+) *([0-9]+) @([ x0-9a-f]*)"));
static GROWTH_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"heap profile: *([0-9]+): *([0-9]+) *\[ *([0-9]+): *([0-9]+) *\] @ growthz?")
});
static FRAGMENTATION_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"heap profile: *([0-9]+): *([0-9]+) *\[ *([0-9]+): *([0-9]+) *\] @ fragmentationz?")
});
static THREADZ_START: LazyLock<Regex> = LazyLock::new(|| re(r"--- threadz [0-9]+ ---"));
static THREAD_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"--- Thread ([[:xdigit:]]+) \(name: (.*)/([0-9]+)\) stack: ---"));

/// A cursor over the lines of a text profile, like Go's `bufio.Scanner`.
struct Lines<'a> {
    lines: Vec<&'a str>,
    next: usize,
    /// The line the last successful `scan` returned.
    current: &'a str,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect::<Vec<_>>();
        // A final newline does not start another line.
        let lines = match lines.split_last() {
            Some((&"", rest)) => rest.to_vec(),
            _ => lines,
        };
        Lines {
            lines,
            next: 0,
            current: "",
        }
    }
    fn scan(&mut self) -> bool {
        match self.lines.get(self.next) {
            Some(l) => {
                self.current = l;
                self.next += 1;
                true
            }
            None => {
                self.current = "";
                false
            }
        }
    }
    /// The lines not yet scanned.
    fn rest(&self) -> &[&'a str] {
        &self.lines[self.next.min(self.lines.len())..]
    }
    /// pprof's `parseAdditionalSections`: skip to the memory map.
    fn memory_map(&mut self) -> &[&'a str] {
        while !is_memory_map_sentinel(self.current) && self.scan() {}
        self.rest()
    }
}

/// Collects a Go `debug=1` frame comment, if the line is one.
fn collect_frame(line: &str, frames: &mut Vec<GoFrame>) {
    if let Some(f) = parse_go_frame(line) {
        frames.push(f);
    }
}

/// A heap (tcmalloc `heapz`, Go `debug=1` heap) or growth profile.
pub(super) fn parse_heap(text: &str) -> Result<Option<Legacy>> {
    let mut s = Lines::new(text);
    if !s.scan() {
        return Ok(None);
    }
    let header = s.current;
    let mut sampling = Sampling::None;
    let mut has_alloc = false;
    let period;
    if let Some(h) = HEAP_HEADER.captures(header) {
        let g = |i| h.get(i).map_or("", |m| m.as_str());
        let mut p: i64 = 0;
        if !g(6).is_empty() {
            match g(6).parse() {
                Ok(v) => p = v,
                Err(_) => return Ok(None),
            }
        }
        if (g(3) != g(1) && g(3) != "0") || (g(4) != g(2) && g(4) != "0") {
            has_alloc = true;
        }
        match g(5) {
            "heapz_v2" | "heap_v2" => sampling = Sampling::V2,
            "heapprofile" => p = 1,
            "heap" => {
                sampling = Sampling::V2;
                p /= 2;
            }
            _ => return Ok(None),
        }
        period = p;
    } else if GROWTH_HEADER.is_match(header) || FRAGMENTATION_HEADER.is_match(header) {
        period = 1;
    } else {
        return Ok(None);
    }
    let types: &[(&str, &str)] = if has_alloc {
        // alloc before inuse, so the default (last) type is inuse_space.
        &[
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ]
    } else {
        &[("objects", "count"), ("space", "bytes")]
    };
    let mut p = Legacy::new(types, ("space", "bytes"), period);
    let mut frames = Vec::new();
    while s.scan() {
        let line = s.current.trim();
        if is_space_or_comment(line) {
            collect_frame(line, &mut frames);
            continue;
        }
        if is_memory_map_sentinel(line) {
            break;
        }
        let (values, block_size, addrs) = parse_heap_sample(line, period, sampling, has_alloc)?;
        p.add_sample(values, &addrs, Adjust::All, Some(block_size));
    }
    p.attach_go_symbols(&frames);
    let map = s.memory_map().to_vec();
    p.finish_with_memory_map(&map)?;
    Ok(Some(p))
}

#[derive(Clone, Copy, PartialEq)]
enum Sampling {
    None,
    /// Poisson sampling at an average rate: values are unsampled.
    V2,
}

fn parse_heap_sample(
    line: &str,
    rate: i64,
    sampling: Sampling,
    include_alloc: bool,
) -> Result<(Vec<i64>, i64, Vec<u64>)> {
    let c = HEAP_SAMPLE.captures(line).ok_or_else(|| {
        Error::malformed(format!(
            "heap profile line {} is not of the form \"N: BYTES [N: BYTES] @ 0x...\"",
            quote(line)
        ))
    })?;
    let g = |i| c.get(i).map_or("", |m| m.as_str());
    let mut values = Vec::with_capacity(4);
    let mut block_size = 0i64;
    let mut add = |count: &str, size: &str, what: &str| -> Result<()> {
        let bad = |e: std::num::ParseIntError| {
            Error::malformed(format!("malformed sample: {}: {e}", quote(line)))
        };
        let mut count: i64 = count.parse().map_err(bad)?;
        let mut size: i64 = size.parse().map_err(bad)?;
        if count == 0 && size != 0 {
            return Err(Error::malformed(format!(
                "{what} count was 0 but {what} bytes was {size} (line {line:?})"
            )));
        }
        if count != 0 {
            block_size = size.wrapping_div(count);
            if sampling == Sampling::V2 {
                (count, size) = scale_heap_sample(count, size, rate);
            }
        }
        values.push(count);
        values.push(size);
        Ok(())
    };
    if include_alloc {
        add(g(3), g(4), "allocation")?;
    }
    add(g(1), g(2), "inuse")?;
    let addrs = parse_hex_addresses(g(5))
        .map_err(|e| Error::malformed(format!("malformed sample: {}: {e}", quote(line))))?;
    Ok((values, block_size, addrs))
}

/// Estimates the unsampled count and size of a heap sample: with Poisson
/// sampling at average rate R, a block of size S is sampled with
/// probability 1 - exp(-S/R) (pprof's `scaleHeapSample`).
pub(super) fn scale_heap_sample(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let avg = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    (
        units::go_int64(count as f64 * scale),
        units::go_int64(size as f64 * scale),
    )
}

/// A Go count profile: `goroutine profile: total N` or `threadcreate ...`.
pub(super) fn parse_go_count(text: &str) -> Result<Option<Legacy>> {
    let mut s = Lines::new(text);
    while s.scan() && is_space_or_comment(s.current) {}
    let Some(m) = COUNT_START.captures(s.current) else {
        return Ok(None);
    };
    let kind = m[1].to_string();
    let mut p = Legacy::new(&[(&kind, "count")], (&kind, "count"), 1);
    let mut frames = Vec::new();
    while s.scan() {
        let line = s.current;
        if is_space_or_comment(line) {
            collect_frame(line, &mut frames);
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        let c = COUNT.captures(line).ok_or_else(|| {
            Error::malformed(format!(
                "{kind} profile line {} is not of the form \"N @ 0x... 0x...\"",
                quote(line)
            ))
        })?;
        let n: i64 = c[1]
            .parse()
            .map_err(|_| Error::malformed(format!("bad count in {}", quote(line))))?;
        let addrs = parse_hex_addresses(&c[2])?;
        p.add_sample(vec![n], &addrs, Adjust::All, None);
    }
    p.attach_go_symbols(&frames);
    let map = s.memory_map().to_vec();
    p.finish_with_memory_map(&map)?;
    Ok(Some(p))
}

/// A thread dump (`--- threadz N ---` with `--- Thread ...` stacks).
pub(super) fn parse_thread(text: &str) -> Result<Option<Legacy>> {
    let mut s = Lines::new(text);
    while s.scan() && is_space_or_comment(s.current) {}
    let mut line = s.current.to_string();
    if THREADZ_START.is_match(&line) {
        // Skip to the first stack.
        while s.scan() {
            line = s.current.to_string();
            if is_memory_map_sentinel(&line) || line.starts_with('-') {
                break;
            }
        }
    } else if !THREAD_START.is_match(&line) {
        return Ok(None);
    }
    let mut p = Legacy::new(&[("thread", "count")], ("thread", "count"), 1);
    while !is_memory_map_sentinel(&line) {
        if line.starts_with("---- no stack trace for") {
            break;
        }
        if !THREAD_START.is_match(&line) {
            return Ok(None);
        }
        let (next, addrs) = parse_thread_sample(&mut s)?;
        line = next;
        if addrs.is_empty() {
            // "same as previous thread" (or an empty stack): count it again.
            if let Some(last) = p.samples.last_mut() {
                last.values[0] += 1;
            }
            continue;
        }
        p.add_sample(vec![1], &addrs, Adjust::AllButLeaf, None);
    }
    let map = s.memory_map().to_vec();
    p.finish_with_memory_map(&map)?;
    p.cleanup_duplicate_locations();
    Ok(Some(p))
}

/// One thread's stack (empty for "same as previous thread"), and the line
/// after it.
fn parse_thread_sample(s: &mut Lines) -> Result<(String, Vec<u64>)> {
    let mut line = String::new();
    let mut same_as_previous = false;
    let mut addrs = Vec::new();
    while s.scan() {
        line = s.current.trim().to_string();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        if line.contains("same as previous thread") {
            same_as_previous = true;
            continue;
        }
        addrs.extend(
            parse_hex_addresses(&line).map_err(|e| {
                Error::malformed(format!("malformed sample: {}: {e}", quote(&line)))
            })?,
        );
    }
    if same_as_previous {
        addrs.clear();
    }
    Ok((line, addrs))
}

/// A contention profile: C++ `--- contentionz`, Go `--- mutex:` / `--- contention:`.
pub(super) fn parse_contention(text: &str) -> Result<Option<Legacy>> {
    let mut s = Lines::new(text);
    if !s.scan() {
        return Ok(None);
    }
    let first = s.current;
    if !(first.starts_with("--- contentionz ")
        || first.starts_with("--- mutex:")
        || first.starts_with("--- contention:"))
    {
        return Ok(None);
    }
    let mut p = Legacy::new(
        &[("contentions", "count"), ("delay", "nanoseconds")],
        ("contentions", "count"),
        1,
    );
    let mut cpu_hz: i64 = 0;
    let mut frames = Vec::new();
    // "attribute = value" lines before the samples.
    let mut in_samples = false;
    while s.scan() {
        let line = s.current.trim();
        if is_space_or_comment(line) {
            collect_frame(line, &mut frames);
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        let Some((key, val)) = line.split_once('=') else {
            in_samples = true;
            break;
        };
        let (key, val) = (key.trim(), val.trim());
        let parse = |v: &str| parse_go_int(v);
        match key {
            "cycles/second" => match parse(val) {
                Some(v) => cpu_hz = v,
                None => return Ok(None),
            },
            "sampling period" => match parse(val) {
                Some(v) => p.period = v,
                None => return Ok(None),
            },
            "ms since reset" => match parse(val) {
                Some(ms) => p.duration_nanos = ms.wrapping_mul(1_000_000),
                None => return Ok(None),
            },
            // C++ contentionz profiles have neither.
            "format" | "resolution" => return Ok(None),
            "discarded samples" => {}
            _ => return Ok(None),
        }
    }
    if in_samples {
        loop {
            let line = s.current.trim();
            if line.starts_with("---") {
                break;
            }
            if is_space_or_comment(line) {
                collect_frame(line, &mut frames);
            } else {
                let Some((values, addrs)) = parse_contention_sample(line, p.period, cpu_hz)? else {
                    return Ok(None);
                };
                p.add_sample(values, &addrs, Adjust::All, None);
            }
            if !s.scan() {
                break;
            }
        }
    }
    p.attach_go_symbols(&frames);
    let map = s.memory_map().to_vec();
    p.finish_with_memory_map(&map)?;
    Ok(Some(p))
}

fn parse_contention_sample(
    line: &str,
    period: i64,
    cpu_hz: i64,
) -> Result<Option<(Vec<i64>, Vec<u64>)>> {
    let Some(c) = CONTENTION_SAMPLE.captures(line) else {
        return Ok(None);
    };
    let bad = |e: std::num::ParseIntError| {
        Error::malformed(format!("malformed sample: {}: {e}", quote(line)))
    };
    let mut v1: i64 = c[1].parse().map_err(bad)?;
    let mut v2: i64 = c[2].parse().map_err(bad)?;
    // Unsample: delays are cycles, scaled to nanoseconds; counts by the period.
    if period > 0 {
        if cpu_hz > 0 {
            let cpu_ghz = cpu_hz as f64 / 1e9;
            v1 = units::go_int64(v1 as f64 * period as f64 / cpu_ghz);
        }
        v2 = v2.wrapping_mul(period);
    }
    let addrs = parse_hex_addresses(&c[3])
        .map_err(|e| Error::malformed(format!("malformed sample: {}: {e}", quote(line))))?;
    Ok(Some((vec![v2, v1], addrs)))
}

/// Go's `strconv.ParseInt(s, 0, 64)`: decimal, `0x` hex, `0` octal, `0b` binary.
pub(super) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits = digits.replace('_', "");
    let v = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        i64::from_str_radix(b, 2).ok()?
    } else if let Some(o) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        i64::from_str_radix(o, 8).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_ints() {
        assert_eq!(parse_go_int("2000000000"), Some(2000000000));
        assert_eq!(parse_go_int("0x10"), Some(16));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("x"), None);
    }

    #[test]
    fn heap_sample_unsampling() {
        // One 10 KB object sampled at 512 KiB average is scaled up
        // (the figures Go's pprof computes for the same input).
        let (c, s) = scale_heap_sample(1, 10240, 524288);
        assert_eq!((c, s), (51, 529424));
    }
}

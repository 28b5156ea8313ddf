//! Java legacy profiles: `--- heapz 1 ---` and `--- contentionz 1 ---`
//! text (attributes, samples, then `0x<id> method (File.java:line)` lines),
//! and the location section of Java binary CPU profiles.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::text::{parse_go_int, scale_heap_sample};
use super::{parse_hex_addresses, Adjust, Legacy};
use crate::error::{quote, Error, Result};
use crate::model::{Function, ValueType};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| re(r"([0-9A-Za-z_ ]+)=([0-9A-Za-z_ ]+)"));
static SAMPLE: LazyLock<Regex> = LazyLock::new(|| re(r" *([0-9]+) +([0-9]+) +@ +([ x0-9a-f]*)"));
static LOCATION: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*0x([[:xdigit:]]+)\s+(.*)\s*$"));
static LOCATION_FILE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*)\s+\((.+):(-?[0-9]+)\)$"));
static LOCATION_PATH: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*)\s+\((.*)\)$"));

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Heap,
    Contention,
}

/// Splits off the first line: (line without newline, rest), if there is a newline.
fn next_line(b: &str) -> Option<(&str, &str)> {
    b.split_once('\n')
}

pub(super) fn parse_heap_or_contention(text: &str) -> Result<Option<Legacy>> {
    let Some((first, body)) = next_line(text) else {
        return Ok(None);
    };
    let kind = match first.trim() {
        "--- heapz 1 ---" => Kind::Heap,
        "--- contentionz 1 ---" => Kind::Contention,
        _ => return Ok(None),
    };
    let mut p = Legacy::default();
    // Attributes.
    let mut b = body;
    while let Some((line, rest)) = next_line(b) {
        let line = line.trim();
        if !line.is_empty() {
            let Some(h) = ATTRIBUTE.captures(line) else {
                break; // the samples start here
            };
            let (attr, value) = (h[1].trim(), h[2].trim());
            let kind_name = if kind == Kind::Heap {
                "heap"
            } else {
                "contention"
            };
            match (kind_name, attr) {
                (_, "format") => {
                    if value != "java" {
                        return Ok(None);
                    }
                }
                ("heap", "resolution") => {
                    p.sample_types = vec![
                        ValueType::new("inuse_objects", "count"),
                        ValueType::new("inuse_space", value),
                    ];
                }
                ("contention", "resolution") => {
                    p.sample_types = vec![
                        ValueType::new("contentions", "count"),
                        ValueType::new("delay", value),
                    ];
                }
                ("contention", "sampling period") => {
                    p.period_type = ValueType::new("contentions", "count");
                    p.period = parse_go_int(value).ok_or_else(|| {
                        Error::malformed(format!("failed to parse attribute {}", quote(line)))
                    })?;
                }
                ("contention", "ms since reset") => {
                    let ms = parse_go_int(value).ok_or_else(|| {
                        Error::malformed(format!("failed to parse attribute {}", quote(line)))
                    })?;
                    p.duration_nanos = ms.wrapping_mul(1_000_000);
                }
                _ => return Ok(None),
            }
        }
        b = rest;
    }
    // Samples: "size count @ 0x... 0x...".
    while let Some((line, rest)) = next_line(b) {
        let line = line.trim();
        if !line.is_empty() {
            let Some(c) = SAMPLE.captures(line) else {
                break; // the locations start here
            };
            let addrs = parse_hex_addresses(&c[3])
                .map_err(|e| Error::malformed(format!("malformed sample: {}: {e}", quote(line))))?;
            let parse = |s: &str| {
                parse_go_int(s).ok_or_else(|| {
                    Error::malformed(format!(
                        "parsing sample {}: bad number {}",
                        quote(line),
                        quote(s)
                    ))
                })
            };
            // Java profiles list the size first and the count second.
            let mut values = vec![parse(&c[2])?, parse(&c[1])?];
            let mut bytes = None;
            match kind {
                Kind::Heap => {
                    const SAMPLING_RATE: i64 = 524288; // 512K
                    if values[0] == 0 {
                        return Err(Error::malformed(format!(
                            "parsing sample {}: second value must be non-zero",
                            quote(line)
                        )));
                    }
                    bytes = Some(values[1].wrapping_div(values[0]));
                    let (c, s) = scale_heap_sample(values[0], values[1], SAMPLING_RATE);
                    values = vec![c, s];
                }
                Kind::Contention => {
                    if p.period != 0 {
                        values = vec![
                            values[0].wrapping_mul(p.period),
                            values[1].wrapping_mul(p.period),
                        ];
                    }
                }
            }
            p.add_sample(values, &addrs, Adjust::None, bytes);
        }
        b = rest;
    }
    parse_locations(b, &mut p)?;
    strip_addresses(&mut p);
    Ok(Some(p))
}

/// Names the sampled method ids from `0x<id> method (File.java:line)`
/// lines, then renumbers as pprof does.
pub(super) fn parse_locations(text: &str, p: &mut Legacy) -> Result<()> {
    let mut functions: HashMap<String, usize> = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(l) = LOCATION.captures(line) else {
            continue;
        };
        let addr = u64::from_str_radix(&l[1], 16)
            .map_err(|e| Error::malformed(format!("parsing sample {}: {e}", quote(line))))?;
        let Some(&loc) = p.by_address.get(&addr) else {
            continue; // unused
        };
        let desc = &l[2];
        let (name, file, line_no) = if let Some(f) = LOCATION_FILE_LINE.captures(desc) {
            let n: i64 = f[3].parse().unwrap_or(0);
            (f[1].to_string(), f[2].to_string(), n.max(0))
        } else if let Some(f) = LOCATION_PATH.captures(desc) {
            // A shared library path: only its base name is interesting.
            let path = &f[2];
            let base = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path);
            (f[1].to_string(), base.to_string(), 0)
        } else if desc.contains("generated stub/JIT") {
            ("STUB".to_string(), String::new(), 0)
        } else {
            // Internal states such as "GC" or "VM".
            (desc.to_string(), String::new(), 0)
        };
        let fi = *functions.entry(name.clone()).or_insert_with(|| {
            p.functions.push(Function {
                id: 0,
                name: name.clone(),
                system_name: name.clone(),
                filename: file,
                start_line: 0,
            });
            p.functions.len() - 1
        });
        p.locations[loc].lines = vec![(fi, line_no)];
        p.locations[loc].address = 0;
    }
    p.remap_locations();
    p.remap_functions();
    super::memory_map::remap_mapping_ids(p);
    Ok(())
}

/// Java locations are merged by method, not address.
pub(super) fn strip_addresses(p: &mut Legacy) {
    for l in &mut p.locations {
        l.address = 0;
    }
}

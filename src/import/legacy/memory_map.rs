//! The memory map section of legacy profiles (`/proc/self/maps` lines and
//! pprof's brief `start-end file` form) and pprof's heuristics that turn it
//! into mappings.

use std::sync::LazyLock;

use regex::Regex;

use super::first_holding::FirstHolding;
use super::Legacy;
use crate::error::Result;
use crate::model::Mapping;

// The pieces of pprof's mapping regexes, with ASCII classes as in Go.
const SPACE_DIGITS: &str = r"\s+[0-9]+";
const HEX_PAIR: &str = r"\s+[[:xdigit:]]+:[[:xdigit:]]+";
const O_SPACE: &str = r"\s*";
const C_HEX: &str = r"(?:0x)?([[:xdigit:]]+)";
const C_SPACE_STRING: &str = r"(?:\s+(\S+))?";
const C_SPACE_HEX: &str = r"(?:\s+([[:xdigit:]]+))?";
const C_SPACE_AT_OFFSET: &str = r"(?:\s+\(@([[:xdigit:]]+)\))?";
const C_PERM: &str = r"(?:\s+([-rwxp]+))?";

fn hex_range() -> String {
    format!(r"\s*{C_HEX}[\s-]?{O_SPACE}{C_HEX}:?")
}

static PROC_MAPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        "^{}{C_PERM}{C_SPACE_HEX}{HEX_PAIR}{SPACE_DIGITS}{C_SPACE_STRING}",
        hex_range()
    ))
    .expect("valid regex")
});

static BRIEF_MAPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        "^{}{C_PERM}{C_SPACE_STRING}{C_SPACE_AT_OFFSET}{C_SPACE_HEX}",
        hex_range()
    ))
    .expect("valid regex")
});

/// glog's `file:line] ` prefix.
static LOG_INFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^\[\]]+:[0-9]+]\s").expect("valid regex"));

static LIB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([.]so$|[.]so[._][0-9]+)").expect("valid regex"));

/// Parses mapping lines; `attr=value` lines define `$attr` substitutions
/// for the lines after them; anything unrecognized is ignored.
/// Attributes (`name=value` lines) used for substitution. pprof keeps
/// them all, but a real memory map has a handful; past this many they are
/// ignored, so a crafted file cannot make every later line cost a scan of
/// thousands of them (a fuzzer found a 230 kB file taking 0.3 s natively,
/// and over 20 s instrumented).
const MAX_ATTRIBUTES: usize = 64;

pub(super) fn parse(lines: &[&str]) -> Result<Vec<Mapping>> {
    let mut mappings = Vec::new();
    let mut attrs: Vec<(String, String)> = Vec::new();
    for raw in lines {
        let line = substitute(remove_logging_info(raw), &attrs);
        match parse_entry(&line) {
            Some(Some(m)) => mappings.push(m),
            Some(None) => {}
            None => {
                if let Some((k, v)) = line.split_once('=') {
                    let key = format!("${}", k.trim());
                    // With equal keys the first listed wins: a repeat never applies.
                    if attrs.len() < MAX_ATTRIBUTES && !attrs.iter().any(|(a, _)| *a == key) {
                        attrs.push((key, v.trim().to_string()));
                    }
                }
            }
        }
    }
    Ok(mappings)
}

fn remove_logging_info(line: &str) -> &str {
    match LOG_INFO.find(line) {
        Some(m) => &line[m.end()..],
        None => line,
    }
}

/// Go's `strings.NewReplacer(old1, new1, ...)`: left to right, the first
/// listed pattern wins at each position.
fn substitute(line: &str, attrs: &[(String, String)]) -> String {
    if attrs.is_empty() {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    'outer: while !rest.is_empty() {
        // Every pattern starts with `$`: copy up to the next one at once.
        let Some(at) = rest.find('$') else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        for (from, to) in attrs {
            if rest.starts_with(from.as_str()) {
                out.push_str(to);
                rest = &rest[from.len()..];
                continue 'outer;
            }
        }
        out.push('$');
        rest = &rest[1..];
    }
    out
}

/// `None`: not a mapping line; `Some(None)`: a non-executable mapping.
fn parse_entry(line: &str) -> Option<Option<Mapping>> {
    let (start, end, perm, file, offset, build_id);
    if let Some(c) = PROC_MAPS.captures(line) {
        let g = |i| c.get(i).map_or("", |m| m.as_str());
        (start, end, perm, offset, file, build_id) = (g(1), g(2), g(3), g(4), g(5), "");
    } else if let Some(c) = BRIEF_MAPS.captures(line) {
        let g = |i| c.get(i).map_or("", |m| m.as_str());
        (start, end, perm, file, offset, build_id) = (g(1), g(2), g(3), g(4), g(5), g(6));
    } else {
        return None;
    }
    if !perm.is_empty() && !perm.contains('x') {
        return Some(None);
    }
    let mut m = Mapping {
        file: file.to_string(),
        build_id: build_id.to_string(),
        ..Default::default()
    };
    m.start = u64::from_str_radix(start, 16).ok()?;
    m.limit = u64::from_str_radix(end, 16).ok()?;
    if !offset.is_empty() {
        m.offset = u64::from_str_radix(offset, 16).ok()?;
    }
    Some(Some(m))
}

/// pprof's `massageMappings`: merge mappings split into adjacent pieces,
/// move the main binary first, renumber.
pub(super) fn massage(p: &mut Legacy) {
    if p.mappings.len() > 1 {
        let old = std::mem::take(&mut p.mappings);
        let mut remap = vec![0usize; old.len()];
        let mut kept: Vec<Mapping> = Vec::new();
        for (i, m) in old.into_iter().enumerate() {
            if let Some(last) = kept.last_mut() {
                if i > 0 && adjacent(last, &m) {
                    last.limit = m.limit;
                    if !m.file.is_empty() {
                        last.file = m.file.clone();
                    }
                    if !m.build_id.is_empty() {
                        last.build_id = m.build_id.clone();
                    }
                    remap[i] = kept.len() - 1;
                    continue;
                }
            }
            remap[i] = kept.len();
            kept.push(m);
        }
        for l in &mut p.locations {
            if let Some(m) = &mut l.mapping {
                *m = remap[*m];
            }
        }
        p.mappings = kept;
    }
    // The first mapping that looks like the main binary moves to the front.
    let main = p.mappings.iter().position(|m| {
        let file = m.file.replace("(deleted)", "");
        let file = file.trim();
        !file.is_empty() && !LIB.is_match(file) && !file.starts_with('[')
    });
    if let Some(i) = main {
        p.mappings.swap(0, i);
        for l in &mut p.locations {
            if let Some(m) = &mut l.mapping {
                if *m == 0 {
                    *m = i;
                } else if *m == i {
                    *m = 0;
                }
            }
        }
    }
    for (i, m) in p.mappings.iter_mut().enumerate() {
        m.id = i as u64 + 1;
    }
}

fn adjacent(m1: &Mapping, m2: &Mapping) -> bool {
    if !m1.file.is_empty() && !m2.file.is_empty() && m1.file != m2.file {
        return false;
    }
    if !m1.build_id.is_empty() && !m2.build_id.is_empty() && m1.build_id != m2.build_id {
        return false;
    }
    if m1.limit != m2.start {
        return false;
    }
    if m1.offset != 0 && m2.offset != 0 {
        let offset = m1.offset.wrapping_add(m1.limit.wrapping_sub(m1.start));
        if offset != m2.offset {
            return false;
        }
    }
    true
}

/// pprof's `remapMappingIDs`: fix up the main mapping and give every
/// location with an address the mapping that contains it (a fake mapping
/// covering everything when none does).
pub(super) fn remap_mapping_ids(p: &mut Legacy) {
    if let Some(m) = p.mappings.first() {
        if m.file.starts_with("/anon_hugepage")
            && p.mappings.len() > 1
            && m.limit == p.mappings[1].start
        {
            p.mappings.remove(0);
            for l in &mut p.locations {
                l.mapping = match l.mapping {
                    Some(0) | None => None,
                    Some(i) => Some(i - 1),
                };
            }
        }
    }
    if let Some(m) = p.mappings.first_mut() {
        const EXPECTED_START: u64 = 0x400000;
        if m.start.wrapping_sub(m.offset) == EXPECTED_START {
            m.start = EXPECTED_START;
            m.offset = 0;
        }
    }
    // Which mapping holds an address, and which (with an offset) has
    // the address just below its start: each the lowest index, found in a
    // tree rather than by a scan per location.
    let gap = |m: &Mapping| (m.offset != 0).then(|| (m.start.wrapping_sub(m.offset), m.start));
    let ends: Vec<u64> = p
        .mappings
        .iter()
        .flat_map(|m| [m.start, m.limit, m.start.wrapping_sub(m.offset)])
        .collect();
    let mut holding = FirstHolding::new(ends.clone());
    let mut below = FirstHolding::new(ends);
    for (i, m) in p.mappings.iter().enumerate() {
        holding.add(i, m.start, m.limit);
        if let Some((lo, hi)) = gap(m) {
            below.add(i, lo, hi);
        }
    }
    let mut fake: Option<usize> = None;
    for li in 0..p.locations.len() {
        let a = p.locations[li].address;
        if p.locations[li].mapping.is_some() || a == 0 {
            continue;
        }
        if let Some(i) = holding.first(a) {
            p.locations[li].mapping = Some(i);
            continue;
        }
        // Once made, the fake mapping holds every address no other does.
        if let Some(f) = fake {
            p.locations[li].mapping = Some(f);
            continue;
        }
        // Legacy handlers may fail to encode the first part of a mapping
        // split into adjacent ranges.
        if let Some(i) = below.first(a) {
            let m = &mut p.mappings[i];
            let (lo, hi) = (m.start.wrapping_sub(m.offset), m.start);
            m.start = lo;
            m.offset = 0;
            holding.add(i, lo, hi.min(m.limit));
            below.remove(i);
            p.locations[li].mapping = Some(i);
            continue;
        }
        p.mappings.push(Mapping {
            id: 1,
            limit: u64::MAX,
            ..Default::default()
        });
        fake = Some(p.mappings.len() - 1);
        p.locations[li].mapping = fake;
    }
    for (i, m) in p.mappings.iter_mut().enumerate() {
        m.id = i as u64 + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::legacy::LegacyLocation;

    /// pprof's loop as written: a scan of every mapping per location.
    fn remap_by_scan(mappings: &mut Vec<Mapping>, locations: &mut [LegacyLocation]) {
        let mut fake: Option<usize> = None;
        for l in locations.iter_mut() {
            let a = l.address;
            if l.mapping.is_some() || a == 0 {
                continue;
            }
            if let Some(i) = mappings.iter().position(|m| m.start <= a && a < m.limit) {
                l.mapping = Some(i);
                continue;
            }
            if let Some(i) = mappings
                .iter()
                .position(|m| m.offset != 0 && m.start.wrapping_sub(m.offset) <= a && a < m.start)
            {
                let m = &mut mappings[i];
                m.start = m.start.wrapping_sub(m.offset);
                m.offset = 0;
                l.mapping = Some(i);
                continue;
            }
            let f = *fake.get_or_insert_with(|| {
                mappings.push(Mapping {
                    id: 1,
                    limit: u64::MAX,
                    ..Default::default()
                });
                mappings.len() - 1
            });
            l.mapping = Some(f);
        }
        for (i, m) in mappings.iter_mut().enumerate() {
            m.id = i as u64 + 1;
        }
    }

    #[test]
    fn the_tree_places_locations_as_the_scan_does() {
        // Random overlapping mappings, some with offsets (gaps below them,
        // one wrapping), some empty or reversed, and addresses around them.
        let mut rng = fastrand::Rng::with_seed(7);
        let mut next = |bound: u64| rng.u64(0..bound);
        for round in 0..300 {
            let mut p = Legacy::default();
            for _ in 0..next(12) {
                let start = 0x1000 + next(40) * 0x100;
                let limit = start.wrapping_add(next(8) * 0x100).wrapping_sub(0x100);
                let offset = match next(4) {
                    0 => next(6) * 0x100,
                    1 => u64::MAX - 5,
                    _ => 0,
                };
                p.mappings.push(Mapping {
                    start,
                    limit,
                    offset,
                    ..Default::default()
                });
            }
            for _ in 0..next(60) {
                p.locations.push(LegacyLocation {
                    address: if next(10) == 0 { 0 } else { next(0x5000) },
                    mapping: None,
                    lines: Vec::new(),
                });
            }
            // (No mapping here is the main binary's at 0x400000, which
            // both would fix up alike before the loop.)
            let mut mappings = p.mappings.clone();
            let mut locations: Vec<LegacyLocation> = p
                .locations
                .iter()
                .map(|l| LegacyLocation {
                    address: l.address,
                    mapping: None,
                    lines: Vec::new(),
                })
                .collect();
            remap_mapping_ids(&mut p);
            remap_by_scan(&mut mappings, &mut locations);
            assert_eq!(p.mappings, mappings, "round {round}: mappings");
            let placed: Vec<Option<usize>> = p.locations.iter().map(|l| l.mapping).collect();
            let scanned: Vec<Option<usize>> = locations.iter().map(|l| l.mapping).collect();
            assert_eq!(placed, scanned, "round {round}: locations");
        }
    }

    #[test]
    fn proc_maps_lines() {
        let m = parse_entry("00400000-00fcb000 r-xp 00000000 00:00 0 /bin/server")
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.start, m.limit, m.file.as_str()),
            (0x400000, 0xfcb000, "/bin/server")
        );
        assert_eq!(
            parse_entry("00400000-00fcb000 rw-p 00000000 00:00 0 /x"),
            Some(None)
        );
    }

    #[test]
    fn brief_lines() {
        let m = parse_entry("  7f794964f000-7f7949652000: /lib/libnss_cache-2.15.so")
            .unwrap()
            .unwrap();
        assert_eq!(m.start, 0x7f794964f000);
        assert_eq!(m.file, "/lib/libnss_cache-2.15.so");
    }

    #[test]
    fn attributes_substitute_left_to_right_first_listed_first() {
        let attrs = vec![
            ("$a".to_string(), "X".to_string()),
            ("$ab".to_string(), "Y".to_string()),
        ];
        assert_eq!(substitute("1 $ab $b $", &attrs), "1 Xb $b $");
        assert_eq!(substitute("no dollars", &attrs), "no dollars");
        assert_eq!(substitute("é$aé", &attrs), "éXé");
    }

    #[test]
    fn many_attribute_lines_stay_linear() {
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("k{i}=v{i}\n"));
        }
        let lines: Vec<&str> = text.lines().collect();
        let started = std::time::Instant::now();
        assert!(parse(&lines).unwrap().is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

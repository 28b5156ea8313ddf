//! gperftools' binary CPU profile (`profilez`): a header of five words,
//! then samples of (count, depth, addresses...), then the memory map as
//! text. Words are 32 or 64 bits, little or big endian: all four are tried.

use super::{java, Adjust, Legacy};
use crate::error::Result;

type Word = fn(&[u8]) -> Option<(u64, &[u8])>;

fn word32le(b: &[u8]) -> Option<(u64, &[u8])> {
    let (w, rest) = b.split_first_chunk::<4>()?;
    Some((u32::from_le_bytes(*w) as u64, rest))
}
fn word32be(b: &[u8]) -> Option<(u64, &[u8])> {
    let (w, rest) = b.split_first_chunk::<4>()?;
    Some((u32::from_be_bytes(*w) as u64, rest))
}
fn word64le(b: &[u8]) -> Option<(u64, &[u8])> {
    let (w, rest) = b.split_first_chunk::<8>()?;
    Some((u64::from_le_bytes(*w), rest))
}
fn word64be(b: &[u8]) -> Option<(u64, &[u8])> {
    let (w, rest) = b.split_first_chunk::<8>()?;
    Some((u64::from_be_bytes(*w), rest))
}

const WORDS: [Word; 4] = [word32le, word32be, word64le, word64be];

enum Kind {
    Cpp,
    Java,
}

/// The header words: 0, 3, 0 (C++) or 1 (Java), period in µs (> 0), 0.
fn header(b: &[u8]) -> Option<(Kind, i64, Word, &[u8])> {
    for word in WORDS {
        let mut rest = b;
        let mut h = [0u64; 5];
        let mut ok = true;
        for slot in &mut h {
            match word(rest) {
                Some((v, r)) => {
                    *slot = v;
                    rest = r;
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok || h[0] != 0 || h[1] != 3 || h[3] == 0 || h[4] != 0 {
            continue;
        }
        match h[2] {
            0 => return Some((Kind::Cpp, h[3] as i64, word, rest)),
            1 => return Some((Kind::Java, h[3] as i64, word, rest)),
            _ => {}
        }
    }
    None
}

pub(super) fn has_header(prefix: &[u8]) -> bool {
    header(prefix).is_some()
}

pub(super) fn parse(data: &[u8]) -> Result<Option<Legacy>> {
    let Some((kind, period_us, word, rest)) = header(data) else {
        return Ok(None);
    };
    let mut p = Legacy::new(
        &[("samples", "count"), ("cpu", "nanoseconds")],
        ("cpu", "nanoseconds"),
        period_us.wrapping_mul(1000),
    );
    let adjust = matches!(kind, Kind::Cpp);
    let Some(rest) = parse_samples(rest, word, adjust, &mut p) else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(rest);
    match kind {
        Kind::Java => {
            java::parse_locations(&text, &mut p)?;
            java::strip_addresses(&mut p);
        }
        Kind::Cpp => {
            strip_signal_frames(&mut p);
            let lines: Vec<&str> = text.lines().collect();
            p.finish_with_memory_map(&lines)?;
            p.cleanup_duplicate_locations();
        }
    }
    Ok(Some(p))
}

/// Reads samples until the end marker (0, 1, 0); returns the bytes after
/// it, or `None` when the data is not a sample list.
fn parse_samples<'a>(
    mut b: &'a [u8],
    word: Word,
    adjust: bool,
    p: &mut Legacy,
) -> Option<&'a [u8]> {
    while !b.is_empty() {
        let (count, r) = word(b)?;
        let (depth, r) = word(r)?;
        if depth > (r.len() / 4) as u64 {
            return None;
        }
        b = r;
        let mut addrs = Vec::with_capacity(depth as usize);
        for _ in 0..depth {
            let (a, r) = word(b).unwrap_or((0, &[]));
            addrs.push(a);
            b = r;
        }
        if count == 0 && depth == 1 && addrs[0] == 0 {
            break; // end of data
        }
        let values = vec![count as i64, (count as i64).wrapping_mul(p.period)];
        // C++ return addresses point after the call: all but the leaf move
        // back onto it. Java "addresses" are method ids: kept as they are.
        let adjust = if adjust {
            Adjust::AllButLeaf
        } else {
            Adjust::None
        };
        p.add_sample(values, &addrs, adjust, None);
    }
    Some(b)
}

/// When most samples share the second-to-leaf frame, it is the signal
/// handler's frame, an artefact of measurement: remove it (twice at most).
fn strip_signal_frames(p: &mut Legacy) {
    let similar = 32;
    let margin = p.samples.len() / similar;
    for _ in 0..2 {
        let mut counts: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        for s in &p.samples {
            if s.stack.len() > 1 {
                *counts.entry(p.locations[s.stack[1]].address).or_default() += 1;
            }
        }
        let n = p.samples.len();
        let Some((&address, _)) = counts.iter().find(|(_, &c)| c >= n - margin) else {
            continue;
        };
        for s in &mut p.samples {
            if s.stack.len() > 1 && p.locations[s.stack[1]].address == address {
                s.stack.remove(1);
            }
        }
    }
}

//! Stacks stored compactly: every stack is a run of LEB128 varints (one per
//! location index, leaf first) in one byte array, with one offset per stack.
//!
//! Profiles hold millions of frames; as varints a frame takes 1–3 bytes
//! instead of 4, which keeps the decoded model smaller than the protobuf it
//! came from. Equal stacks have equal bytes, so stacks hash and compare as
//! byte slices. Varints can be read from either end (only the last byte of
//! each has its high bit clear), so stacks iterate leaf-first or root-first.

use crate::error::{Error, Result};

/// The most bytes all stacks together may take (offsets are u32).
pub const MAX_STACK_BYTES: usize = u32::MAX as usize;

/// Stacks in one byte array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stacks {
    starts: Vec<u32>,
    bytes: Vec<u8>,
}

impl Default for Stacks {
    fn default() -> Self {
        Stacks {
            starts: vec![0],
            bytes: Vec::new(),
        }
    }
}

impl Stacks {
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The encoded bytes of stack `i` (equal stacks, equal bytes).
    pub fn bytes(&self, i: usize) -> &[u8] {
        &self.bytes[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// The frames of stack `i`, leaf first (`.rev()` for root first).
    pub fn get(&self, i: usize) -> StackIter<'_> {
        StackIter {
            bytes: self.bytes(i),
        }
    }

    /// Total bytes used by all stacks.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    pub fn push(&mut self, frames: &[u32]) -> Result<()> {
        for &f in frames {
            encode(f, &mut self.bytes);
        }
        self.close()
    }

    pub fn push_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.bytes.extend_from_slice(bytes);
        self.close()
    }

    pub fn push_iter(&mut self, frames: impl IntoIterator<Item = u32>) -> Result<()> {
        for f in frames {
            encode(f, &mut self.bytes);
        }
        self.close()
    }

    fn close(&mut self) -> Result<()> {
        let end = u32::try_from(self.bytes.len()).map_err(|_| {
            Error::limit(format!(
                "the profile's stacks take more than {MAX_STACK_BYTES} bytes in all"
            ))
        })?;
        self.starts.push(end);
        Ok(())
    }

    /// Keeps the stacks for which `keep(i)` is true, compacting in place;
    /// `edit(i, frames)` may first shorten a kept stack's leaf end by
    /// returning how many leaf frames to drop.
    pub(crate) fn compact(
        &mut self,
        mut keep: impl FnMut(usize) -> bool,
        mut cut_leaves: impl FnMut(usize, StackIter) -> usize,
    ) {
        let mut out = 0usize;
        let mut byte_out = 0usize;
        for i in 0..self.len() {
            if !keep(i) {
                continue;
            }
            let (start, end) = (self.starts[i] as usize, self.starts[i + 1] as usize);
            let cut = cut_leaves(
                i,
                StackIter {
                    bytes: &self.bytes[start..end],
                },
            );
            // Skip `cut` varints at the front (the leaf end).
            let mut skip = start;
            for _ in 0..cut {
                while skip < end && self.bytes[skip] & 0x80 != 0 {
                    skip += 1;
                }
                skip = (skip + 1).min(end);
            }
            self.bytes.copy_within(skip..end, byte_out);
            self.starts[out] = byte_out as u32;
            byte_out += end - skip;
            out += 1;
        }
        self.starts[out] = byte_out as u32;
        self.starts.truncate(out + 1);
        self.bytes.truncate(byte_out);
    }

    /// Replaces every frame by `map(frame)` and drops the stacks for which
    /// `keep(i)` is false, in place where the new encoding fits (it does
    /// whenever mapped indices are not larger, as when a merge renumbers
    /// locations in first-use order), else in a new array.
    pub(crate) fn map_in_place(
        &mut self,
        mut keep: impl FnMut(usize) -> bool,
        mut map: impl FnMut(u32) -> u32,
    ) {
        let n = self.len();
        let mut spill: Option<Vec<u8>> = None;
        let mut scratch = Vec::new();
        let (mut out, mut byte_out) = (0usize, 0usize);
        for i in 0..n {
            let (start, end) = (self.starts[i] as usize, self.starts[i + 1] as usize);
            if !keep(i) {
                continue;
            }
            scratch.clear();
            for f in (StackIter {
                bytes: &self.bytes[start..end],
            }) {
                encode(map(f), &mut scratch);
            }
            if spill.is_none() && byte_out + scratch.len() > end {
                spill = Some(self.bytes[..byte_out].to_vec());
            }
            match &mut spill {
                Some(sp) => sp.extend_from_slice(&scratch),
                None => self.bytes[byte_out..byte_out + scratch.len()].copy_from_slice(&scratch),
            }
            self.starts[out] = byte_out as u32;
            byte_out += scratch.len();
            out += 1;
        }
        self.starts[out] = byte_out as u32;
        self.starts.truncate(out + 1);
        match spill {
            Some(sp) => self.bytes = sp,
            None => self.bytes.truncate(byte_out),
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.starts.shrink_to_fit();
        self.bytes.shrink_to_fit();
    }
}

fn encode(mut v: u32, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Frames of one stack, leaf first; `.rev()` walks from the root.
#[derive(Debug, Clone)]
pub struct StackIter<'a> {
    bytes: &'a [u8],
}

impl StackIter<'_> {
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl Iterator for StackIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        let (&first, rest) = self.bytes.split_first()?;
        if first < 0x80 {
            self.bytes = rest;
            return Some(first as u32);
        }
        let mut v = (first & 0x7f) as u32;
        let mut shift = 7;
        let mut used = 1;
        for &b in rest {
            used += 1;
            v |= ((b & 0x7f) as u32) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        self.bytes = &self.bytes[used.min(self.bytes.len())..];
        Some(v)
    }
}

impl DoubleEndedIterator for StackIter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<u32> {
        let end = self.bytes.len();
        if end == 0 {
            return None;
        }
        // The last byte of a varint has its high bit clear; the bytes before
        // it in the same varint have it set.
        let mut start = end - 1;
        while start > 0 && self.bytes[start - 1] & 0x80 != 0 {
            start -= 1;
        }
        let mut v = 0u32;
        for (k, &b) in self.bytes[start..end].iter().enumerate() {
            v |= ((b & 0x7f) as u32) << (7 * k);
        }
        self.bytes = &self.bytes[..start];
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_both_ways() {
        let frames = [0u32, 1, 127, 128, 300, 16383, 16384, 2_000_000, u32::MAX, 5];
        let mut s = Stacks::default();
        s.push(&frames).unwrap();
        s.push(&[]).unwrap();
        s.push(&[42]).unwrap();
        assert_eq!(s.get(0).collect::<Vec<_>>(), frames);
        let mut back: Vec<u32> = s.get(0).rev().collect();
        back.reverse();
        assert_eq!(back, frames);
        assert_eq!(s.get(1).count(), 0);
        assert_eq!(s.get(2).collect::<Vec<_>>(), [42]);
    }

    #[test]
    fn mapping_in_place_and_spilling() {
        let mut s = Stacks::default();
        s.push(&[300, 2]).unwrap();
        s.push(&[9]).unwrap();
        s.push(&[400, 500]).unwrap();
        // Smaller indices: fits in place.
        let mut a = s.clone();
        a.map_in_place(|i| i != 1, |f| f / 100);
        assert_eq!(a.get(0).collect::<Vec<_>>(), [3, 0]);
        assert_eq!(a.get(1).collect::<Vec<_>>(), [4, 5]);
        // Larger indices: spills to a new array, same result.
        let mut b = s.clone();
        b.map_in_place(|_| true, |f| f * 1000);
        assert_eq!(b.get(1).collect::<Vec<_>>(), [9000]);
        assert_eq!(b.get(2).collect::<Vec<_>>(), [400_000, 500_000]);
    }

    #[test]
    fn compaction_drops_and_cuts() {
        let mut s = Stacks::default();
        s.push(&[1, 200, 3]).unwrap();
        s.push(&[4]).unwrap();
        s.push(&[500, 6, 70000]).unwrap();
        s.compact(|i| i != 1, |i, _| if i == 2 { 1 } else { 0 });
        assert_eq!(s.len(), 2);
        assert_eq!(s.get(0).collect::<Vec<_>>(), [1, 200, 3]);
        assert_eq!(s.get(1).collect::<Vec<_>>(), [6, 70000]);
    }
}

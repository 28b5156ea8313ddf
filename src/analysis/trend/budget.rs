//! Which sites a trend follows when it cannot follow them all, and what
//! it can still say of the ones it leaves out.
//!
//! A trend holds each followed site's value in every snapshot. Thousands of
//! snapshots that each name their sites anew would make that grid sites ×
//! snapshots large (2,000 snapshots of 26,000 sites, none in two of them:
//! 52 M cells, 5.9 GB and 16 s from a 452 kB archive), so past
//! [`MAX_TREND_CELLS`] it follows only some. The sites left out are still
//! read once, cheaply, from the snapshots that have them: enough to know
//! whether any of them could be a growing suspect, so that a verdict ("no
//! site grows", "the culprit is …") is never said for sites nobody looked at.

use super::sites::SiteData;
use super::{MATERIAL_SHARE, STEADY_SHARE};
use crate::sort::SortStable;

/// Sites × snapshots a trend follows at most.
pub const MAX_TREND_CELLS: usize = 4_000_000;

/// The sites a trend did not follow.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeftOutSites {
    /// How many were left out, of how many sites in all.
    pub sites: usize,
    pub of: usize,
    /// How many of them pass the tests a growing suspect must pass that
    /// need no sampling model: a growth of at least 0.5% of the largest
    /// snapshot's total, rising in at least half the steps. The trend
    /// cannot rule these out as suspects.
    pub could_grow: usize,
    /// The largest growth (last snapshot − first) among those, or 0.
    pub largest_growth: i64,
    /// The growth of every site left out (positive growths summed), which
    /// the followed sites' shares of growth count.
    pub growth: f64,
}

/// The sites the trend follows (indexes into `present`, in the order first
/// seen) and, past [`MAX_TREND_CELLS`], what it left out. `present[i]` is
/// site i's data in the snapshots that have it, in snapshot order, of `n`
/// snapshots; `largest_total` is the largest snapshot's total.
///
/// Over budget, half the room goes to the sites that could grow, the most
/// growth first, and the rest to the sites that held the most in some
/// snapshot, so that both the suspects and the largest sites are listed.
/// A site that could grow holds at least 0.5% of the largest total in the
/// last snapshot, so (values being sizes and counts, never negative) at
/// most 200 sites can: up to 10,000 snapshots (room for 400 sites) every
/// one of them is followed, and a site left out can unseat a culprit only
/// past that.
pub fn sites_to_trend(
    present: &[Vec<(usize, SiteData)>],
    n: usize,
    sample_type: usize,
    largest_total: f64,
) -> (Vec<usize>, Option<LeftOutSites>) {
    let keep = (MAX_TREND_CELLS / n.max(1)).max(1);
    choose(present, n, sample_type, largest_total, keep)
}

/// [`sites_to_trend`] with room for `keep` sites.
fn choose(
    present: &[Vec<(usize, SiteData)>],
    n: usize,
    sample_type: usize,
    largest_total: f64,
    keep: usize,
) -> (Vec<usize>, Option<LeftOutSites>) {
    if present.len() <= keep {
        return ((0..present.len()).collect(), None);
    }
    let moves: Vec<Move> = present
        .iter()
        .map(|p| Move::of(p, n, sample_type, largest_total))
        .collect();
    let mut chosen = vec![false; present.len()];
    let mut growers: Vec<usize> = (0..present.len())
        .filter(|&i| moves[i].could_grow)
        .collect();
    growers.sort_stable_by_key(|&i| (std::cmp::Reverse(moves[i].growth), i));
    for &i in growers.iter().take(keep / 2) {
        chosen[i] = true;
    }
    let mut by_peak: Vec<usize> = (0..present.len()).filter(|&i| !chosen[i]).collect();
    by_peak.sort_stable_by_key(|&i| (std::cmp::Reverse(moves[i].peak), i));
    let room = keep - chosen.iter().filter(|&&c| c).count();
    for &i in by_peak.iter().take(room) {
        chosen[i] = true;
    }
    let followed: Vec<usize> = (0..present.len()).filter(|&i| chosen[i]).collect();
    let left: Vec<&Move> = (0..present.len())
        .filter(|&i| !chosen[i])
        .map(|i| &moves[i])
        .collect();
    let left_out = LeftOutSites {
        sites: left.len(),
        of: present.len(),
        could_grow: left.iter().filter(|m| m.could_grow).count(),
        largest_growth: left
            .iter()
            .filter(|m| m.could_grow)
            .map(|m| m.growth)
            .max()
            .unwrap_or(0),
        growth: left.iter().map(|m| m.growth.max(0) as f64).sum(),
    };
    (followed, Some(left_out))
}

/// What one site did, read from the snapshots that have it (it holds 0
/// in the others).
struct Move {
    growth: i64,
    peak: u64,
    /// Growth of at least 0.5% of the largest total, rising in at least
    /// half the steps: `site_trend`'s tests of a growing site, less the
    /// sampling model's.
    could_grow: bool,
}

impl Move {
    fn of(entries: &[(usize, SiteData)], n: usize, sample_type: usize, largest_total: f64) -> Move {
        let value = |d: &SiteData| d.values[sample_type];
        // The list is in snapshot order: only its first entry can be
        // snapshot 0, and only its last snapshot n - 1.
        let first = entries
            .first()
            .filter(|(t, _)| *t == 0)
            .map_or(0, |(_, d)| value(d));
        let last = entries
            .last()
            .filter(|(t, _)| *t + 1 == n)
            .map_or(0, |(_, d)| value(d));
        let growth = last.wrapping_sub(first);
        let peak = entries
            .iter()
            .map(|(_, d)| value(d).unsigned_abs())
            .max()
            .unwrap_or(0);
        let could_grow = growth > 0
            && growth as f64 >= MATERIAL_SHARE * largest_total
            && rises(entries, n, sample_type) as f64 >= STEADY_SHARE * n.saturating_sub(1) as f64;
        Move {
            growth,
            peak,
            could_grow,
        }
    }
}

/// The steps (snapshot i to i + 1) in which a site's value rises, counted
/// from the snapshots that have it: between two of them with no other in
/// between, a step into a gap falls to 0 and a step out of one rises from 0.
fn rises(entries: &[(usize, SiteData)], n: usize, sample_type: usize) -> usize {
    let mut count = 0;
    let mut previous: Option<(usize, i64)> = None;
    for (s, d) in entries {
        let v = d.values[sample_type];
        let before = match previous {
            Some((t, w)) if t + 1 == *s => w,
            Some((_, w)) => {
                // The step from the last entry into the gap.
                count += usize::from(w < 0);
                0
            }
            None => 0,
        };
        if *s > 0 && v > before {
            count += 1;
        }
        previous = Some((*s, v));
    }
    if let Some((t, w)) = previous {
        if t + 1 < n && w < 0 {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: usize, v: i64) -> (usize, SiteData) {
        (
            s,
            SiteData {
                values: vec![v],
                ..Default::default()
            },
        )
    }

    #[test]
    fn rises_count_the_steps_into_and_out_of_gaps() {
        // 0 3 4 0 0 2 → rises at steps 1, 2 and 5.
        assert_eq!(rises(&[at(1, 3), at(2, 4), at(5, 2)], 6, 0), 3);
        // 5 _ _ → no rise; -2 _ → a rise from -2 to 0.
        assert_eq!(rises(&[at(0, 5)], 3, 0), 0);
        assert_eq!(rises(&[at(0, -2)], 2, 0), 1);
        // A dense list counts as the plain sequence does.
        let values = [1, 2, 2, 1, 3];
        let dense: Vec<_> = values.iter().enumerate().map(|(s, &v)| at(s, v)).collect();
        let plain = values.windows(2).filter(|w| w[1] > w[0]).count();
        assert_eq!(rises(&dense, 5, 0), plain);
    }

    #[test]
    fn past_the_budget_half_the_room_goes_to_growers_and_the_rest_to_the_largest() {
        // Room for two sites of four: the one growing most and the one
        // that held the most are followed; of the two left out, one could
        // still grow (by 36), one could not (it fell).
        let n = 10;
        let ramp = |step: i64| -> Vec<(usize, SiteData)> {
            (0..n)
                .map(|s| at(s, 1 + step * s as i64 / n as i64))
                .collect()
        };
        let present = vec![
            ramp(40),
            vec![at(0, 10), at(n - 1, 0)],
            ramp(100),
            vec![at(0, 1_000), at(n - 1, 1_000)],
        ];
        let (followed, left_out) = choose(&present, n, 0, 1_000.0, 2);
        assert_eq!(followed, vec![2, 3]);
        let left_out = left_out.expect("over budget");
        assert_eq!(
            (left_out.sites, left_out.of, left_out.could_grow),
            (2, 4, 1)
        );
        assert_eq!(left_out.largest_growth, 36);
        assert_eq!(left_out.growth, 36.0);
        // Within the budget, every site and nothing left out.
        assert_eq!(choose(&present, n, 0, 1_000.0, 4), ((0..4).collect(), None));
        // The budget itself: 4 M cells over 2 M snapshots is room for 2.
        let (followed, _) = sites_to_trend(&present, MAX_TREND_CELLS / 2, 0, 1_000.0);
        assert_eq!(followed.len(), 2);
    }

    #[test]
    fn a_site_that_appears_once_cannot_grow() {
        // 0 … 0 500 at the end: material, but it rises in one step of
        // 999, not in half of them.
        let n = 1_000;
        let m = Move::of(&[at(n - 1, 500)], n, 0, 1_000.0);
        assert_eq!((m.growth, m.could_grow), (500, false));
    }
}

//! Stable sorting compiled once for the page.
//!
//! The standard library's stable sort (driftsort) is generic over the
//! element and the comparison, so every `sort_by` with its own closure
//! compiles a fresh copy of it, about 4 kB of WebAssembly each: 106
//! copies, 71 of them the core's own sorts, were 415 kB of the page's wasm
//! before wasm-opt, the largest single item in it (`twiggy top`,
//! BENCHMARKS.md "The wasm's size").
//! In the page, [`SortStable`] sorts a list of positions through one
//! comparison object instead, so the sort itself is compiled once; what
//! stays per element type is only putting the elements in that order.
//! The result is the standard stable sort's, element for element (ties
//! keep their order). Natively, where size does not matter, it is the
//! standard sort itself (no list of positions, no call through an
//! object); the page's path is tested here against it.

use std::cmp::Ordering;

/// Stable sorts of slices: the standard library's `sort`, `sort_by` and
/// `sort_by_key`, with the same results (see the module's doc for why).
pub trait SortStable<T> {
    fn sort_stable_by(&mut self, compare: impl FnMut(&T, &T) -> Ordering);

    fn sort_stable_by_key<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        self.sort_stable_by(|a, b| key(a).cmp(&key(b)));
    }

    fn sort_stable(&mut self)
    where
        T: Ord,
    {
        self.sort_stable_by(T::cmp);
    }
}

impl<T> SortStable<T> for [T] {
    #[cfg(target_arch = "wasm32")]
    fn sort_stable_by(&mut self, compare: impl FnMut(&T, &T) -> Ordering) {
        sort_by_positions(self, compare);
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn sort_stable_by(&mut self, compare: impl FnMut(&T, &T) -> Ordering) {
        self.sort_by(compare);
    }
}

/// Sorts `items` stably: a short list by insertion; a longer one by
/// sorting its positions 0..n, comparing the items they point at (the one
/// compiled sort), then moving the items into that order.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn sort_by_positions<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() <= SHORT {
        insertion_sort(items, compare);
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_positions(&mut order, &mut |a, b| compare(&items[a], &items[b]));
    put_in_order(items, &mut order);
}

/// Lists this short are sorted in place by insertion: little code, and
/// no list of positions to allocate for the many sorts of a few labels.
const SHORT: usize = 12;

/// Stable: an item moves left only past items greater than it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn insertion_sort<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut at = i;
        while at > 0 && compare(&items[at - 1], &items[at]) == Ordering::Greater {
            items.swap(at - 1, at);
            at -= 1;
        }
    }
}

/// The one instance of the standard stable sort: positions, compared
/// through a trait object.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn sort_positions(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

/// Rearranges `items` so that position `i` holds what was at `order[i]`,
/// by following each cycle of the permutation with swaps (no copies, so
/// any element type). `order` is used up: each position is set to itself
/// once it holds its item.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn put_in_order<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..items.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's path gives what the standard stable sort gives, ties
    /// in their first order included, on lists with many ties, on sorted
    /// and reversed ones, and on elements that cannot be copied.
    #[test]
    fn sorting_by_positions_is_the_standard_stable_sort() {
        let mut rng = fastrand::Rng::with_seed(14);
        for n in [0usize, 1, 2, 3, 7, 12, 13, 20, 33, 100, 1000, 5000] {
            for keys in [2u32, 10, 1_000_000] {
                let items: Vec<(u32, String)> = (0..n)
                    .map(|i| (rng.u32(0..keys), format!("item {i}")))
                    .collect();
                let mut ours = items.clone();
                let mut std = items.clone();
                sort_by_positions(&mut ours, |a, b| a.0.cmp(&b.0));
                std.sort_by_key(|a| a.0);
                assert_eq!(ours, std, "{n} items, keys below {keys}");

                let mut sorted = std.clone();
                sort_by_positions(&mut sorted, |a, b| a.0.cmp(&b.0));
                assert_eq!(sorted, std, "already sorted, {n} items");

                let mut reversed = items.clone();
                let mut std_reversed = items.clone();
                sort_by_positions(&mut reversed, |a, b| b.0.cmp(&a.0));
                std_reversed.sort_by_key(|a| std::cmp::Reverse(a.0));
                assert_eq!(reversed, std_reversed, "descending, {n} items");
            }
        }
    }

    #[test]
    fn putting_in_order_follows_every_cycle() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        // Two cycles (0 2 4) and (1 5), and 3 in place.
        let mut order = vec![2, 5, 4, 3, 0, 1];
        put_in_order(&mut items, &mut order);
        assert_eq!(items, vec!['c', 'f', 'e', 'd', 'a', 'b']);
    }
}

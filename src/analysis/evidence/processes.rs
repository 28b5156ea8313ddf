//! What tying snapshots to processes asks of every process, worked out
//! once per join: when each process's metrics run, and the words of its
//! labels a file's path may name it by. Each snapshot's questions are then
//! a binary search, one step of a sweep through time and one pass over its
//! path, not a pass over every process: 10,000 snapshots beside 10,000
//! processes took 88 s when each snapshot searched every process's words
//! and named every process running.

use crate::sort::SortStable;
use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::noncontiguous::{Builder, NFA};
use aho_corasick::Input;
use rustc_hash::FxHashMap;

use super::SLACK;
use crate::analysis::leak::Analysis;
use crate::analysis::LISTED;
use crate::model::series::{host_and_port, Series};

pub(super) struct Processes<'a> {
    pub a: &'a Analysis,
    /// The time each process's metrics cover, widened by the slack a
    /// snapshot may be taken outside them.
    covers: Vec<Option<(f64, f64)>>,
    /// Those times, all processes together, as sorted disjoint intervals.
    covered: Vec<(f64, f64)>,
    /// The first and last time of any process's metrics.
    pub span: Option<(f64, f64)>,
    words: PathWords,
    /// Each process's lives (`ProcessAnalysis::lives`), made once.
    lives: Vec<Vec<(f64, f64)>>,
}

/// The words of each process's labels that no other process has, and a
/// search for them in a path.
struct PathWords {
    words: Vec<Vec<String>>,
    /// Every process's words at once; pattern `i` is word `owners[i].1`
    /// of process `owners[i].0`. (`None` past the automaton's 2^31
    /// states: each word is then searched for apart.)
    finder: Option<NFA>,
    owners: Vec<(usize, usize)>,
}

/// The processes whose metrics cover one time.
#[derive(Default)]
pub(super) struct Running {
    pub count: usize,
    /// The first [`LISTED`] of them, in the processes' order.
    pub first: Vec<usize>,
}

impl<'a> Processes<'a> {
    /// `steps`: each process's [`step_of`].
    pub fn new(a: &'a Analysis, steps: &[f64]) -> Processes<'a> {
        let covers: Vec<Option<(f64, f64)>> = (0..a.processes.len())
            .map(|p| {
                let pa = &a.processes[p];
                let slack = SLACK.max(3.0 * steps.get(p).copied().unwrap_or(0.0));
                Some((pa.start? - slack, pa.end? + slack))
            })
            .collect();
        let span = a
            .processes
            .iter()
            .filter_map(|p| Some((p.start?, p.end?)))
            .fold(None, |acc: Option<(f64, f64)>, (x, y)| {
                Some(acc.map_or((x, y), |(lo, hi)| (lo.min(x), hi.max(y))))
            });
        Processes {
            a,
            covered: union(&covers),
            covers,
            span,
            words: PathWords::new(distinctive_words(a)),
            lives: a.processes.iter().map(|p| p.lives()).collect(),
        }
    }

    /// Process `p`'s lives: from its start, or a restart, to the next.
    pub fn lives(&self, p: usize) -> &[(f64, f64)] {
        &self.lives[p]
    }

    /// The words of process `p`'s labels that no other process has.
    pub fn words(&self, p: usize) -> &[String] {
        &self.words.words[p]
    }

    /// Whether process `p`'s metrics cover time `t` (within the slack).
    pub fn runs(&self, p: usize, t: f64) -> bool {
        self.covers[p].is_some_and(|(from, to)| t >= from && t <= to)
    }

    /// Whether any process's metrics cover time `t`.
    pub fn any_runs(&self, t: f64) -> bool {
        in_union(&self.covered, t)
    }

    /// The processes running at each of `times` (a time that is not a
    /// number has none).
    pub fn running_at(&self, times: &[f64]) -> Vec<Running> {
        sweep(&self.covers, times)
    }

    /// The processes a file's path names: it holds a label value (or the
    /// host or port of an `instance`) that belongs to that process alone,
    /// as a word of its own (`instance-19225/heap.0.pb.gz`, `10.0.0.7/heap`),
    /// each with the first of its words the path holds, in the processes'
    /// order.
    pub fn named_by_path(&self, path: &str) -> Vec<(usize, String)> {
        self.words.named_by(path)
    }
}

impl PathWords {
    fn new(words: Vec<Vec<String>>) -> PathWords {
        let owners: Vec<(usize, usize)> = words
            .iter()
            .enumerate()
            .flat_map(|(p, mine)| (0..mine.len()).map(move |i| (p, i)))
            .collect();
        // Only the NFA, and no prefilter: the page's wasm need not carry
        // the crate's other searchers.
        let finder = Builder::new()
            .prefilter(false)
            .build(owners.iter().map(|&(p, i)| &words[p][i]))
            .ok();
        PathWords {
            words,
            finder,
            owners,
        }
    }

    /// [`Processes::named_by_path`].
    fn named_by(&self, path: &str) -> Vec<(usize, String)> {
        let Some(finder) = &self.finder else {
            return self.named_by_word_by_word(path);
        };
        let mut first: BTreeMap<usize, usize> = BTreeMap::new();
        let found = finder
            .try_find_overlapping_iter(Input::new(path))
            .expect("a standard automaton searches overlapping");
        for found in found {
            if !alone(path, found.start(), found.end()) {
                continue;
            }
            let (p, i) = self.owners[found.pattern().as_usize()];
            first.entry(p).and_modify(|w| *w = (*w).min(i)).or_insert(i);
        }
        first
            .into_iter()
            .map(|(p, i)| (p, self.words[p][i].clone()))
            .collect()
    }

    /// The same, each process's words searched for in turn.
    fn named_by_word_by_word(&self, path: &str) -> Vec<(usize, String)> {
        self.words
            .iter()
            .enumerate()
            .filter_map(|(p, mine)| Some((p, mine.iter().find(|w| holds(path, w))?.clone())))
            .collect()
    }
}

/// Whether `word` occurs in `text` alone (see [`alone`]), at any of its
/// occurrences.
fn holds(text: &str, word: &str) -> bool {
    (0..text.len())
        .filter(|&i| text.is_char_boundary(i) && text[i..].starts_with(word))
        .any(|i| alone(text, i, i + word.len()))
}

/// Which of `covers` hold each of `times`, by one sweep through the times
/// in order: each interval enters a set of running ones at its start and
/// leaves after its end.
fn sweep(covers: &[Option<(f64, f64)>], times: &[f64]) -> Vec<Running> {
    let mut order: Vec<usize> = (0..times.len()).filter(|&i| !times[i].is_nan()).collect();
    order.sort_stable_by(|&i, &j| times[i].total_cmp(&times[j]));
    let valid = || {
        covers
            .iter()
            .enumerate()
            .filter_map(|(p, c)| c.filter(|(from, to)| from <= to).map(|c| (p, c)))
    };
    let mut starts: Vec<(f64, usize)> = valid().map(|(p, (from, _))| (from, p)).collect();
    let mut ends: Vec<(f64, usize)> = valid().map(|(p, (_, to))| (to, p)).collect();
    starts.sort_stable_by(|x, y| x.0.total_cmp(&y.0));
    ends.sort_stable_by(|x, y| x.0.total_cmp(&y.0));
    let (mut started, mut ended) = (0, 0);
    let mut active = BTreeSet::new();
    let mut running: Vec<Running> = times.iter().map(|_| Running::default()).collect();
    for i in order {
        let t = times[i];
        while started < starts.len() && starts[started].0 <= t {
            active.insert(starts[started].1);
            started += 1;
        }
        // Each of these started before it ended, so before `t`: it
        // is in the set.
        while ended < ends.len() && ends[ended].0 < t {
            active.remove(&ends[ended].1);
            ended += 1;
        }
        running[i] = Running {
            count: active.len(),
            first: active.iter().take(LISTED).copied().collect(),
        };
    }
    running
}

/// Intervals (those not reversed), merged into sorted disjoint ones.
fn union(intervals: &[Option<(f64, f64)>]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<(f64, f64)> = intervals
        .iter()
        .flatten()
        .copied()
        .filter(|(from, to)| from <= to)
        .collect();
    sorted.sort_stable_by(|x, y| x.0.total_cmp(&y.0));
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(sorted.len());
    for (from, to) in sorted {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// Whether `t` is in one of `covered`'s sorted disjoint intervals.
fn in_union(covered: &[(f64, f64)], t: f64) -> bool {
    let after = covered.partition_point(|&(from, _)| from <= t);
    after > 0 && t <= covered[after - 1].1
}

/// Whether `text[start..end]` has no letter or digit on either side.
fn alone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// The typical time between a process's points (its headline series).
pub(super) fn step_of(a: &Analysis, series: &[Series], p: usize) -> f64 {
    let Some(s) = a.processes[p]
        .main_series
        .and_then(|m| a.series.get(m))
        .and_then(|m| series.get(m.source))
    else {
        return 0.0;
    };
    crate::analysis::leak::merge::median_step(s)
}

/// Each process's words a path may name it by: its label values (and the
/// host and port of an `instance`) that no other process has, in label
/// order.
fn distinctive_words(a: &Analysis) -> Vec<Vec<String>> {
    let words: Vec<Vec<String>> = a
        .processes
        .iter()
        .map(|p| {
            let mut n = Vec::new();
            // (A job is the name every replica shares, and often a word
            // such as `heap` or `goroutine` that files are named after.)
            for (_, v) in p.labels.iter().filter(|(k, _)| k.as_str() != "job") {
                n.push(v.clone());
                if let Some((host, port)) = host_and_port(v) {
                    n.push(host.to_string());
                    n.push(port.to_string());
                }
            }
            n.retain(|x| {
                x.len() >= 3 && !matches!(x.as_str(), "127.0.0.1" | "localhost" | "::1" | "0.0.0.0")
            });
            n
        })
        .collect();
    // How many processes have each word (a process's repeats count once).
    let mut holders: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    for (p, mine) in words.iter().enumerate() {
        for w in mine {
            let entry = holders.entry(w.as_str()).or_insert((0, usize::MAX));
            if entry.1 != p {
                *entry = (entry.0 + 1, p);
            }
        }
    }
    words
        .iter()
        .map(|mine| {
            mine.iter()
                .filter(|w| holders[w.as_str()].0 == 1)
                .cloned()
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `word` occurs in `text` alone, as the automaton finds it.
    fn found(text: &str, word: &str) -> bool {
        Builder::new()
            .build([word])
            .unwrap()
            .try_find_overlapping_iter(Input::new(text))
            .unwrap()
            .any(|m| alone(text, m.start(), m.end()))
    }

    #[test]
    fn words_in_paths() {
        for search in [found, holds] {
            assert!(search("instance-19225/heap.0.pb.gz", "19225"));
            assert!(!search("instance-192250/heap.0.pb.gz", "19225"));
            assert!(search("10.0.0.7/heap", "10.0.0.7"));
            assert!(!search("api-7d9f2/heap", "api-7d9f"));
            assert!(search("x/api-7d9f/heap", "api-7d9f"));
            assert!(!search("é", "x"));
            // An occurrence overlapping one that is not alone.
            assert!(search("xa-a-a", "a-a"));
        }
    }

    #[test]
    fn the_automaton_names_the_processes_the_word_by_word_search_does() {
        // Random words over a small alphabet (so that they overlap, nest
        // and repeat across processes) and paths made of words, pieces
        // of words and separators.
        let mut rng = fastrand::Rng::with_seed(7);
        let word = |rng: &mut fastrand::Rng| -> String {
            (0..rng.usize(1..5))
                .map(|_| ['a', 'b', '1', '-', '.'][rng.usize(0..5)])
                .collect()
        };
        for _ in 0..500 {
            let words: Vec<Vec<String>> = (0..rng.usize(0..8))
                .map(|_| (0..rng.usize(0..4)).map(|_| word(&mut rng)).collect())
                .collect();
            let search = PathWords::new(words);
            assert!(search.finder.is_some());
            for _ in 0..10 {
                let path: String = (0..rng.usize(0..6))
                    .map(|_| match rng.u8(0..3) {
                        0 => "/".to_string(),
                        _ => word(&mut rng),
                    })
                    .collect();
                assert_eq!(
                    search.named_by(&path),
                    search.named_by_word_by_word(&path),
                    "{path:?} in {:?}",
                    search.words
                );
            }
        }
    }

    #[test]
    fn the_sweep_and_the_union_agree_with_a_scan() {
        // Random intervals (some missing, reversed, touching or at one
        // time) and times on and around their ends.
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..500 {
            let covers: Vec<Option<(f64, f64)>> = (0..rng.usize(0..40))
                .map(|_| (rng.u8(0..8) != 0).then(|| (rng.u8(0..50) as f64, rng.u8(0..50) as f64)))
                .collect();
            let mut times: Vec<f64> = (0..rng.usize(0..30))
                .map(|_| rng.u8(0..52) as f64 - 1.0)
                .collect();
            times.push(f64::NAN);
            let holds = |c: &Option<(f64, f64)>, t: f64| c.is_some_and(|(a, b)| t >= a && t <= b);
            let covered = union(&covers);
            for (t, running) in times.iter().zip(sweep(&covers, &times)) {
                let scan: Vec<usize> = (0..covers.len())
                    .filter(|&p| holds(&covers[p], *t))
                    .collect();
                assert_eq!(running.count, scan.len(), "{covers:?} at {t}");
                assert_eq!(
                    running.first,
                    scan[..scan.len().min(LISTED)],
                    "{covers:?} at {t}"
                );
                assert_eq!(
                    in_union(&covered, *t),
                    !scan.is_empty(),
                    "{covers:?} at {t}"
                );
            }
        }
    }
}

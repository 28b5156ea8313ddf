//! Allocation sites of one snapshot: every sample is charged to one site,
//! the leaf-most frame of the program's own code (at the report's
//! granularity) together with the frame that allocated, so that
//! `Track → bytes.Repeat` is one site, "Track via bytes.Repeat".
//!
//! Goroutines are charged likewise to where they wait: the leaf-most frame
//! of the program's own code, with what they wait for (`chan receive`,
//! `select`, `IO wait`: from the dump's state, else from the runtime frames
//! below it), and the function each goroutine runs (or, from a dump, the
//! one that created it).

use rustc_hash::FxHashMap;

use crate::analysis::filter::View;
use crate::analysis::nodes::{Aggregation, NodeInfo, NodeTable, PathOptions};
use crate::analysis::options::Granularity;
use crate::model::Profile;

use super::frames::is_library;

/// A site's identity across snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiteKey {
    /// The program's leaf-most frame at the report's granularity (the leaf
    /// frame itself when the whole stack is library code).
    pub node: NodeInfo,
    /// The allocating (leaf) function, when it is not that frame.
    pub via: String,
}

/// What one snapshot holds at a site.
#[derive(Debug, Clone, Default)]
pub struct SiteData {
    /// Whether the site's frame is the program's own code.
    pub user_code: bool,
    /// One value per sample type.
    pub values: Vec<i64>,
    /// The site frame's (file, line), with the value of the chosen sample
    /// type at each: where in the function the memory was allocated.
    pub lines: FxHashMap<(String, i64), i64>,
    /// Goroutines: the function they run, or (from a dump) that created
    /// them, with the count of each.
    pub started: FxHashMap<String, i64>,
    /// Goroutines: the longest wait a dump gives (minutes).
    pub longest_wait: Option<i64>,
}

/// What is charged to sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    /// Memory, to where it was allocated.
    Allocations,
    /// Goroutines, to where they wait.
    Goroutines,
}

/// Charges every sample of a prepared profile to its site.
pub fn attribute(
    p: &Profile,
    granularity: Granularity,
    sample_type: usize,
    charge: Charge,
) -> FxHashMap<SiteKey, SiteData> {
    let view = View::all(p);
    let paths = PathOptions::default();
    let nodes = NodeTable::build(&view, Aggregation::new(granularity, false), &paths);
    let lines = NodeTable::build(&view, Aggregation::new(Granularity::Lines, false), &paths);
    let types = p.sample_types.len();
    let mut out: FxHashMap<SiteKey, SiteData> = FxHashMap::default();
    // A frame: (node at granularity, node at lines, function index).
    let mut frames: Vec<(u32, u32, u32)> = Vec::new();
    for k in 0..view.len() {
        frames.clear();
        for loc in view.stack(k) {
            let functions = view.lines(loc as usize);
            for (j, (&node, &line)) in nodes
                .of_location(loc)
                .iter()
                .zip(lines.of_location(loc))
                .enumerate()
            {
                let function = functions.get(j).map_or(u32::MAX, |l| l.function);
                frames.push((node, line, function));
            }
        }
        let Some(&leaf) = frames.first() else {
            continue;
        };
        let name = |f: u32| p.functions.get(f as usize).map_or("", |f| f.name.as_str());
        let own = frames.iter().find(|f| !is_library(name(f.2)));
        let labels = p.samples.labels(view.sample(k));
        let (site, via, started) = match charge {
            Charge::Allocations => {
                let site = own.copied().unwrap_or(leaf);
                let via = if site.2 != leaf.2 {
                    name(leaf.2).to_string()
                } else {
                    String::new()
                };
                (site, via, None)
            }
            Charge::Goroutines => {
                // The function the goroutine runs: its root frame.
                let entry = frames
                    .iter()
                    .rev()
                    .find(|f| {
                        let n = name(f.2);
                        !n.starts_with("runtime.goexit") && n != "runtime.<hidden>"
                    })
                    .copied();
                let site = own.copied().or(entry).unwrap_or(leaf);
                let state = match labels.get("state").first() {
                    Some(s) => s.clone(),
                    None => wait_state(frames.iter().map(|f| name(f.2))).to_string(),
                };
                let started = match labels.get("created by").first() {
                    Some(c) => format!("created by {c}"),
                    None => entry.map_or(String::new(), |e| format!("runs {}", name(e.2))),
                };
                (site, state, Some(started))
            }
        };
        let key = SiteKey {
            node: nodes.infos[site.0 as usize].clone(),
            via,
        };
        let data = out.entry(key).or_insert_with(|| SiteData {
            user_code: own.is_some(),
            values: vec![0; types],
            lines: FxHashMap::default(),
            started: FxHashMap::default(),
            longest_wait: None,
        });
        let values = p.samples.values(view.sample(k));
        for (sum, v) in data.values.iter_mut().zip(values) {
            *sum = sum.wrapping_add(*v);
        }
        if let Some(started) = started {
            *data.started.entry(started).or_insert(0) += values[sample_type];
        }
        if let Some(wait) = labels.get_num("wait").and_then(|n| n.values.iter().max()) {
            data.longest_wait = Some(data.longest_wait.map_or(*wait, |w| w.max(*wait)));
        }
        let at = &lines.infos[site.1 as usize];
        *data.lines.entry((at.file.clone(), at.lineno)).or_insert(0) += values[sample_type];
    }
    out
}

/// What a goroutine waits for, from the runtime and library frames of its
/// stack (leaf first), in the words of Go's goroutine dumps.
pub fn wait_state<'a>(frames: impl Iterator<Item = &'a str>) -> &'static str {
    let mut first = true;
    let mut parked = false;
    for f in frames {
        let state = match f {
            "runtime.chanrecv" | "runtime.chanrecv1" | "runtime.chanrecv2" => "chan receive",
            "runtime.chansend" | "runtime.chansend1" => "chan send",
            "runtime.selectgo" | "runtime.block" => "select",
            "runtime.netpollblock" | "internal/poll.runtime_pollWait" => "IO wait",
            "sync.runtime_SemacquireMutex" | "sync.(*Mutex).Lock" | "sync.(*Mutex).lockSlow" => {
                "sync.Mutex.Lock"
            }
            "sync.(*RWMutex).Lock" | "sync.(*RWMutex).RLock" => "sync.RWMutex.Lock",
            "sync.(*WaitGroup).Wait" => "sync.WaitGroup.Wait",
            "sync.runtime_notifyListWait" | "sync.(*Cond).Wait" => "sync.Cond.Wait",
            "sync.runtime_Semacquire" => "semacquire",
            "time.Sleep" => "sleep",
            _ if f.starts_with("syscall.") || f.starts_with("internal/syscall") => "syscall",
            // (Go's debug=1 text leaves the scheduler's frames unnamed.)
            "runtime.gopark" | "runtime.goparkunlock" | "runtime.<hidden>" => {
                parked = true;
                first = false;
                continue;
            }
            _ => {
                if first && !parked {
                    // The leaf is not the scheduler's: the goroutine was running.
                    return "running";
                }
                first = false;
                continue;
            }
        };
        return state;
    }
    if parked {
        "waiting"
    } else {
        "running"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_states_from_frames() {
        assert_eq!(
            wait_state(
                [
                    "runtime.gopark",
                    "runtime.chanrecv",
                    "runtime.chanrecv1",
                    "main.wait"
                ]
                .into_iter()
            ),
            "chan receive"
        );
        assert_eq!(
            wait_state(["runtime.gopark", "runtime.selectgo", "main.loop"].into_iter()),
            "select"
        );
        assert_eq!(
            wait_state(
                [
                    "runtime.gopark",
                    "runtime.netpollblock",
                    "internal/poll.runtime_pollWait",
                    "net.(*conn).Read"
                ]
                .into_iter()
            ),
            "IO wait"
        );
        assert_eq!(
            wait_state(["main.spin", "main.main"].into_iter()),
            "running"
        );
        assert_eq!(
            wait_state(["runtime.gopark", "main.x"].into_iter()),
            "waiting"
        );
    }
}

//! Allocation sites of one snapshot: every sample is charged to one site,
//! the leaf-most frame of the program's own code (at the report's
//! granularity) together with the frame that allocated, so that
//! `Track → bytes.Repeat` is one site, "Track via bytes.Repeat".

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
}

/// Charges every sample of a prepared profile to its site.
pub fn attribute(
    p: &Profile,
    granularity: Granularity,
    sample_type: usize,
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
        let site = own.copied().unwrap_or(leaf);
        let via = if site.2 != leaf.2 {
            name(leaf.2).to_string()
        } else {
            String::new()
        };
        let key = SiteKey {
            node: nodes.infos[site.0 as usize].clone(),
            via,
        };
        let data = out.entry(key).or_insert_with(|| SiteData {
            user_code: own.is_some(),
            values: vec![0; types],
            lines: FxHashMap::default(),
        });
        let values = p.samples.values(view.sample(k));
        for (sum, v) in data.values.iter_mut().zip(values) {
            *sum = sum.wrapping_add(*v);
        }
        let at = &lines.infos[site.1 as usize];
        *data.lines.entry((at.file.clone(), at.lineno)).or_insert(0) += values[sample_type];
    }
    out
}

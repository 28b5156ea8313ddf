//! Turning loaded profiles into the one profile a report reads, as pprof's
//! `fetchProfiles` does: merge the targets, merge the bases, scale the base
//! by -1 and merge it in (a diff is composition, not a second engine), then
//! drop the frames the profile calls uninteresting.

use crate::error::Result;
use crate::model::merge::{merge, DIFF_BASE_LABEL};
use crate::model::prune::remove_uninteresting;
use crate::model::{Mapping, Profile};

/// How a base profile is compared with the target (pprof's two modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffMode {
    /// `-base`: subtract the base; percentages are of the combined total.
    Base,
    /// `-diff_base`: subtract the base; percentages are of the base's total.
    DiffBase,
}

/// Base profiles to subtract from the targets.
pub struct Base {
    pub profiles: Vec<Profile>,
    pub mode: DiffMode,
}

/// Merges `targets` (and subtracts `base`) into the profile to report on.
pub fn prepare(mut targets: Vec<Profile>, base: Option<Base>) -> Result<Profile> {
    targets.iter_mut().for_each(add_fake_mapping);
    let mut p = merge(targets)?;
    if let Some(mut base) = base {
        base.profiles.iter_mut().for_each(add_fake_mapping);
        let mut b = merge(base.profiles)?;
        if base.mode == DiffMode::DiffBase {
            b.set_label(DIFF_BASE_LABEL, "true");
        }
        let minus_one = vec![-1.0; b.sample_types.len()];
        b.scale(&minus_one);
        p = merge(vec![p, b])?;
    }
    remove_uninteresting(&mut p, crate::import::legacy::is_builtin_pattern)?;
    Ok(p)
}

/// pprof gives a profile without mappings one empty mapping that every
/// location belongs to (Go runtime profiles may have none); merging and
/// `raw` output see it, so we do the same.
fn add_fake_mapping(p: &mut Profile) {
    if !p.mappings.is_empty() {
        return;
    }
    p.mappings.push(Mapping {
        id: 1,
        ..Default::default()
    });
    for l in &mut p.locations {
        l.mapping = Some(0);
    }
}

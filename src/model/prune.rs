//! Dropping uninteresting frames, with pprof's `Prune` semantics.
//!
//! A profile may name frames to drop (`drop_frames`, e.g. allocator
//! internals in legacy heap profiles) and frames to keep among those
//! (`keep_frames`). pprof removes a matching frame and everything it calls
//! from every stack before reporting, so the allocation is charged to the
//! caller of `malloc`, not to `malloc`.

use regex::Regex;

use super::name_regex::NameRegex;
use super::Profile;
use crate::error::{ErrorKind, Result};

/// Applies the profile's own `drop_frames` / `keep_frames` (pprof's
/// `RemoveUninteresting`). The regexes come from the file, so they are
/// compiled and priced as the name filters are (`NameRegex`): a
/// pathological one is refused, saying so, instead of slowing every report.
/// `trusted` (a pattern pprof itself gives legacy profiles) is not priced.
pub fn remove_uninteresting(p: &mut Profile, trusted: impl Fn(&str) -> bool) -> Result<()> {
    if p.drop_frames.is_empty() {
        return Ok(());
    }
    // Every function's simplified name is matched once.
    let names = p.functions.len();
    let bytes: u64 = p
        .functions
        .iter()
        .map(|f| simplify_function_name(&f.name).len() as u64)
        .sum();
    let anchored = |re: &str, field: &str| {
        let what = format!("the profile's {field}");
        let compiled = NameRegex::new(&what, &format!("^({re})$"), re).and_then(|n| {
            if trusted(re) {
                return Ok(n.regex);
            }
            n.afford(&what, re, names, bytes).map(|()| n.regex)
        });
        compiled.map_err(|mut err| {
            if err.kind == ErrorKind::InvalidOption {
                err.kind = ErrorKind::Malformed;
            }
            err
        })
    };
    let drop = anchored(&p.drop_frames, "drop_frames")?;
    let keep = if p.keep_frames.is_empty() {
        None
    } else {
        Some(anchored(&p.keep_frames, "keep_frames")?)
    };
    prune(p, &drop, keep.as_ref());
    Ok(())
}

/// Removes every frame matching `drop` (and not `keep`) together with all
/// frames beneath it (its callees), leaving the frames above it.
pub fn prune(p: &mut Profile, drop: &Regex, keep: Option<&Regex>) {
    // Whether each function is dropped: its name matched once, however
    // many locations and lines name it.
    let dropped: Vec<bool> = p
        .functions
        .iter()
        .map(|f| {
            let simple = simplify_function_name(&f.name);
            !f.name.is_empty() && drop.is_match(simple) && !keep.is_some_and(|k| k.is_match(simple))
        })
        .collect();
    // Per location: prune the whole location, or only its inner lines.
    let mut prune_whole = vec![false; p.locations.len()];
    let mut prune_beneath = vec![false; p.locations.len()];
    for (li, loc) in p.locations.iter_mut().enumerate() {
        let matched = (0..loc.lines.len())
            .rev()
            .find(|&i| dropped[loc.lines[i].function as usize]);
        if let Some(i) = matched {
            prune_beneath[li] = true;
            if i == loc.lines.len() - 1 {
                prune_whole[li] = true;
            } else {
                loc.lines.drain(..=i);
            }
        }
    }
    let mut frames: Vec<u32> = Vec::new();
    p.samples.cut_stack_leaves(|_, stack| {
        frames.clear();
        frames.extend(stack);
        let stack = &frames;
        // Scan from the root; frames before the first "user" frame are never
        // pruned, so a profile of only allocator frames keeps them.
        let mut found_user = false;
        for i in (0..stack.len()).rev() {
            let l = stack[i] as usize;
            if !prune_whole[l] && !prune_beneath[l] {
                found_user = true;
                continue;
            }
            if !found_user {
                continue;
            }
            return if prune_whole[l] { i + 1 } else { i };
        }
        0
    });
}

/// pprof's `simplifyFunc`: the name without a leading `.` and without its
/// argument list (cut at the first `(` that does not belong to
/// `(anonymous namespace)` or `operator()`).
pub fn simplify_function_name(name: &str) -> &str {
    let name = name.strip_prefix('.').unwrap_or(name);
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &name[i..];
        if rest.starts_with("(anonymous namespace)") {
            i += "(anonymous namespace)".len();
        } else if rest.starts_with("operator()") {
            i += "operator()".len();
        } else if bytes[i] == b'(' {
            return &name[..i];
        } else {
            // Step over one character (names are UTF-8 text).
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_keeps_reserved_parentheses() {
        assert_eq!(simplify_function_name("foo(int)"), "foo");
        assert_eq!(simplify_function_name(".foo"), "foo");
        assert_eq!(
            simplify_function_name("(anonymous namespace)::bar(int)"),
            "(anonymous namespace)::bar"
        );
        assert_eq!(
            simplify_function_name("Foo::operator()(int)"),
            "Foo::operator()"
        );
        assert_eq!(simplify_function_name("größe(x)"), "größe");
    }
}

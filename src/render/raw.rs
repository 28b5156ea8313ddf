//! pprof's `-raw` output (`Profile.String()`): every field of a profile in
//! text, for debugging and for checking the decoder against pprof.

use crate::sort::SortStable;
use std::fmt::Write;

use super::gotime;
use crate::analysis::filter::View;
use crate::model::LabelSet;

/// The profile as a view presents it: pprof prints `-raw` after its
/// filters ran (which drop samples with empty stacks).
pub fn raw(view: &View) -> String {
    let p = view.profile;
    let mut out = String::new();
    for c in &p.comments {
        let _ = writeln!(out, "Comment: {c}");
    }
    let _ = writeln!(
        out,
        "PeriodType: {} {}",
        p.period_type.name, p.period_type.unit
    );
    let _ = writeln!(out, "Period: {}", p.period);
    if p.time_nanos != 0 {
        let _ = writeln!(out, "Time: {}", gotime::time_string(p.time_nanos));
    }
    if p.duration_nanos != 0 {
        let _ = writeln!(out, "Duration: {}", gotime::duration_4v(p.duration_nanos));
    }
    out.push_str("Samples:\n");
    let header: Vec<String> = p
        .sample_types
        .iter()
        .map(|t| {
            let dflt = if t.name == p.default_sample_type {
                "[dflt]"
            } else {
                ""
            };
            format!("{}/{}{}", t.name, t.unit, dflt)
        })
        .collect();
    let _ = writeln!(out, "{}", header.join(" "));
    for k in 0..view.len() {
        let i = view.sample(k);
        for v in p.samples.values(i) {
            let _ = write!(out, " {v:>10}");
        }
        out.push_str(": ");
        for l in view.stack(k) {
            let _ = write!(out, "{} ", p.locations[l as usize].id);
        }
        out.push('\n');
        write_labels(&mut out, p.samples.labels(i));
    }
    out.push_str("Locations\n");
    for (li, loc) in p.locations.iter().enumerate() {
        let mut head = format!("{:>6}: {:#x} ", loc.id, loc.address);
        if let Some(m) = loc.mapping {
            let _ = write!(head, "M={} ", p.mappings[m as usize].id);
        }
        if loc.is_folded {
            head.push_str("[F] ");
        }
        let lines = view.lines(li);
        if lines.is_empty() {
            let _ = writeln!(out, "{head}");
        }
        for (k, line) in lines.iter().enumerate() {
            let f = &p.functions[line.function as usize];
            let prefix = if k == 0 {
                head.as_str()
            } else {
                "             "
            };
            let _ = write!(
                out,
                "{prefix}{} {}:{} s={}",
                f.name, f.filename, line.line, f.start_line
            );
            if f.name != f.system_name {
                let _ = write!(out, "({})", f.system_name);
            }
            out.push('\n');
        }
    }
    out.push_str("Mappings\n");
    for m in &p.mappings {
        let mut bits = String::new();
        for (on, tag) in [
            (m.has_functions, "[FN]"),
            (m.has_filenames, "[FL]"),
            (m.has_line_numbers, "[LN]"),
            (m.has_inline_frames, "[IN]"),
        ] {
            if on {
                bits.push_str(tag);
            }
        }
        let _ = writeln!(
            out,
            "{}: {:#x}/{:#x}/{:#x} {} {} {}",
            m.id, m.start, m.limit, m.offset, m.file, m.build_id, bits
        );
    }
    out
}

const LABEL_INDENT: &str = "                ";

fn write_labels(out: &mut String, labels: &LabelSet) {
    if !labels.strings.is_empty() {
        let mut parts: Vec<String> = labels
            .strings
            .iter()
            .map(|(k, vs)| format!("{k}:[{}]", vs.join(" ")))
            .collect();
        parts.sort_stable();
        let _ = writeln!(out, "{LABEL_INDENT}{}", parts.join(" "));
    }
    if !labels.numbers.is_empty() {
        let mut parts: Vec<String> = labels
            .numbers
            .iter()
            .map(|n| {
                let values: Vec<String> = if n.units.iter().any(|u| !u.is_empty()) {
                    n.values
                        .iter()
                        .zip(&n.units)
                        .map(|(v, u)| format!("{v} {u}"))
                        .collect()
                } else {
                    n.values.iter().map(|v| v.to_string()).collect()
                };
                format!("{}:[{}]", n.key, values.join(" "))
            })
            .collect();
        parts.sort_stable();
        let _ = writeln!(out, "{LABEL_INDENT}{}", parts.join(" "));
    }
}

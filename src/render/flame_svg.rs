//! Flame graph colours and the standalone SVG (`leakscope flame`).

use std::fmt::Write;

use crate::analysis::flame::Flame;

use super::dot::dot_color;

/// A frame's fill: stable per package (frames of one package match), or,
/// in a diff, red for growth and green for shrinkage (pprof's scale).
pub fn color(name: &str, delta: Option<i64>, total: i64) -> String {
    match delta {
        Some(d) => dot_color(d as f64 / total.unsigned_abs().max(1) as f64 * 4.0, true),
        None => package_color(name),
    }
}

/// Sets every frame's colour.
pub fn colorize(f: &mut Flame) {
    let total = f.total;
    for fr in &mut f.frames {
        fr.color = color(&fr.name, fr.delta, total);
    }
}

/// A warm colour from the package part of a name (FNV-1a of it: stable
/// across runs and platforms).
pub fn package_color(name: &str) -> String {
    let tail = name.rsplit('/').next().unwrap_or(name);
    let package = tail.split(['.', ' ', ':']).next().unwrap_or(tail);
    let mut h: u32 = 0x811c9dc5;
    for b in package.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    format!("hsl({}, 75%, {}%)", 5 + h % 50, 58 + (h >> 8) % 14)
}

const ROW: f64 = 18.0;

/// The flame graph as a standalone SVG, `width` pixels wide (names escaped,
/// each frame titled with its name, value and share).
pub fn svg(f: &Flame, width: f64) -> String {
    let depth = f.frames.iter().map(|fr| fr.depth).max().unwrap_or(0) as f64 + 1.0;
    let height = depth * ROW + 30.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
    );
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    let _ = writeln!(
        out,
        r#"<text x="4" y="16" font-size="13">{}: {} total</text>"#,
        super::xml_escape(&f.sample_type),
        super::xml_escape(&f.total_text)
    );
    for fr in &f.frames {
        let (x, w) = (fr.x * width, fr.w * width);
        if w < 0.5 {
            continue;
        }
        let y = 24.0 + fr.depth as f64 * ROW;
        let _ = write!(
            out,
            r##"<g><title>{} — {} ({})</title><rect x="{x:.2}" y="{y:.1}" width="{:.2}" height="{:.1}" fill="{}" stroke="#ffffff" stroke-width="0.5"/>"##,
            super::xml_escape(&fr.name),
            super::xml_escape(&fr.value_text),
            super::xml_escape(&fr.share),
            w,
            ROW - 1.0,
            if fr.color.is_empty() {
                color(&fr.name, fr.delta, f.total)
            } else {
                fr.color.clone()
            }
        );
        // As many characters as fit (about 6.5 px each).
        let fit = ((w - 6.0) / 6.5).floor() as usize;
        if fit >= 3 {
            let chars: Vec<char> = fr.name.chars().collect();
            let text: String = if chars.len() <= fit {
                fr.name.clone()
            } else {
                chars[..fit - 1].iter().collect::<String>() + "…"
            };
            let _ = write!(
                out,
                r#"<text x="{:.2}" y="{:.1}">{}</text>"#,
                x + 3.0,
                y + 12.5,
                super::xml_escape(&text)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

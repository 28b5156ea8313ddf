//! Flame graph colours and the standalone SVG (`leakscope flame`).

use std::fmt::Write;

use crate::analysis::flame::Flame;

use super::dot::dot_color;

/// A frame's fill: stable per package (frames of one package match), or,
/// in a diff, [`diff_color`] of the change as a share of `total` (the
/// base's total, as pprof's `-diff_base` measures changes).
pub fn color(name: &str, delta: Option<i64>, total: i64) -> String {
    match delta {
        Some(d) => diff_color(d as f64 / total.unsigned_abs().max(1) as f64),
        None => package_color(name),
    }
}

/// pprof's colour for a change of `score` (a share of the total, −1…1):
/// its `dotColor` as pprof draws edges and node borders (the saturated
/// variant, not the pale fill of its boxes). No change is grey
/// (`#b2b2b2`); saturation grows with |score| up to 0.2, then the hue
/// keeps deepening toward pure red (growth) or green (shrinkage): a
/// change of the size of the whole base is `#b20000`.
pub fn diff_color(score: f64) -> String {
    dot_color(score, false)
}

/// The colour a frame's name is written in on `fill`: whichever of white
/// and the page's dark text stands out more (WCAG contrast), so names
/// stay legible on the deep reds and greens of large changes.
pub fn text_color(fill: &str) -> &'static str {
    const DARK: &str = "#1d2430";
    const LIGHT: &str = "#ffffff";
    let Some(fill) = luminance(fill) else {
        // The package colours (hsl) are all light.
        return DARK;
    };
    let dark = luminance(DARK).expect("a hex colour");
    if (1.05 / (fill + 0.05)) > ((fill + 0.05) / (dark + 0.05)) {
        LIGHT
    } else {
        DARK
    }
}

/// The relative luminance of a `#rrggbb` colour (WCAG 2).
fn luminance(color: &str) -> Option<f64> {
    let hex = color.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| -> Option<f64> {
        let c = u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()? as f64 / 255.0;
        Some(if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

/// Sets every frame's colours: changes are measured against the base's
/// total (the profile's own when the base is empty).
pub fn colorize(f: &mut Flame) {
    let total = change_total(f);
    for fr in &mut f.frames {
        fr.color = color(&fr.name, fr.delta, total);
        fr.text_color = text_color(&fr.color).to_string();
    }
}

/// What changes are shares of: the base's total, or the profile's own
/// when the base is empty.
fn change_total(f: &Flame) -> i64 {
    f.base_total.filter(|&t| t != 0).unwrap_or(f.total)
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
    let diff = match &f.base_total_text {
        Some(base) => format!(
            "; colours: change from the base ({base} total), red grew, green shrank, grey unchanged"
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        r#"<text x="4" y="16" font-size="13">{}: {} total{}</text>"#,
        super::xml_escape(&f.sample_type),
        super::xml_escape(&f.total_text),
        super::xml_escape(&diff)
    );
    for fr in &f.frames {
        let (x, w) = (fr.x * width, fr.w * width);
        if w < 0.5 {
            continue;
        }
        let y = 24.0 + fr.depth as f64 * ROW;
        let fill = if fr.color.is_empty() {
            color(&fr.name, fr.delta, change_total(f))
        } else {
            fr.color.clone()
        };
        let change = match &fr.delta_text {
            Some(t) => format!("\nchange: {t}"),
            None => String::new(),
        };
        let _ = write!(
            out,
            r##"<g><title>{} — {} ({}){}</title><rect x="{x:.2}" y="{y:.1}" width="{:.2}" height="{:.1}" fill="{}" stroke="#ffffff" stroke-width="0.5"/>"##,
            super::xml_escape(&fr.name),
            super::xml_escape(&fr.value_text),
            super::xml_escape(&fr.share),
            super::xml_escape(&change),
            w,
            ROW - 1.0,
            fill
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
                r#"<text x="{:.2}" y="{:.1}" fill="{}">{}</text>"#,
                x + 3.0,
                y + 12.5,
                text_color(&fill),
                super::xml_escape(&text)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(c: &str) -> (f64, f64, f64) {
        let v = |i: usize| u8::from_str_radix(&c[i..i + 2], 16).unwrap() as f64;
        (v(1), v(3), v(5))
    }

    /// HSV saturation.
    fn saturation(c: &str) -> f64 {
        let (r, g, b) = rgb(c);
        let (max, min) = (r.max(g).max(b), r.min(g).min(b));
        (max - min) / max
    }

    #[test]
    fn diff_colours_deepen_with_the_change_and_take_its_sign() {
        let scores: Vec<f64> = (0..=40).map(|i| i as f64 / 40.0).collect();
        for pair in scores.windows(2) {
            for sign in [1.0, -1.0] {
                let (a, b) = (diff_color(sign * pair[0]), diff_color(sign * pair[1]));
                // Saturation never falls as the change grows…
                assert!(saturation(&b) >= saturation(&a), "{a} → {b}");
                // …and the hue's own channel pulls ever further ahead of the other.
                let lead = |c: &str| {
                    let (r, g, _) = rgb(c);
                    sign * (r - g)
                };
                assert!(lead(&b) >= lead(&a), "{a} → {b}");
            }
        }
        // The sign is the hue: red for growth, green for shrinkage, grey for none.
        for score in [0.01, 0.1, 0.5, 1.0] {
            let (r, g, _) = rgb(&diff_color(score));
            assert!(r > g, "{score}");
            let (r, g, _) = rgb(&diff_color(-score));
            assert!(g > r, "{score}");
        }
        assert_eq!(diff_color(0.0), "#b2b2b2");
        // Beyond the whole base, as strong as it gets.
        assert_eq!(diff_color(2.0), diff_color(1.0));
    }

    #[test]
    fn the_svg_says_changes_as_the_page_does() {
        use crate::analysis::flame::FlameFrame;
        let frame = |name: &str, x: f64, w: f64, delta: i64, text: &str| FlameFrame {
            depth: 0,
            x,
            w,
            name: name.into(),
            value: 0,
            self_value: 0,
            value_text: "408.97MB".into(),
            share: "98.60%".into(),
            delta: Some(delta),
            delta_text: Some(text.into()),
            color: String::new(),
            text_color: String::new(),
            matched: false,
            parent: None,
        };
        let mut f = Flame {
            sample_type: "inuse_space".into(),
            total: 434_912_793,
            total_text: "414.77MB".into(),
            base_total: Some(139_211_970),
            base_total_text: Some("132.76MB".into()),
            breadcrumb: Vec::new(),
            frames: vec![
                frame(
                    "grew",
                    0.0,
                    0.5,
                    293_830_690,
                    "+280.22MB (+211.07% of the base's total)",
                ),
                frame("same", 0.5, 0.5, 0, "no change"),
            ],
            hidden: 0,
            notes: Vec::new(),
            search: None,
        };
        colorize(&mut f);
        assert_eq!(f.frames[0].color, diff_color(1.0));
        assert_eq!(f.frames[1].color, diff_color(0.0));
        assert_eq!(f.frames[0].text_color, "#ffffff");
        let out = svg(&f, 1000.0);
        assert!(out.contains("<title>grew — 408.97MB (98.60%)\nchange: +280.22MB (+211.07% of the base&#39;s total)</title>"), "{out}");
        assert!(
            out.contains(r##"fill="#b20000""##) && out.contains(r##"fill="#ffffff">grew</text>"##),
            "{out}"
        );
        assert!(out.contains("change from the base (132.76MB total)"));
        assert!(!out.contains("null"));
    }

    #[test]
    fn large_changes_are_strong_and_tiny_ones_grey() {
        // The blog's heap.1 → heap.3: Track's subtree grew by about 280MB
        // on a base of 132.76MB: a strong red.
        let big = color(
            "main.(*RequestTracker).Track",
            Some(282_000_000),
            139_211_970,
        );
        assert_eq!(saturation(&big), 1.0, "{big}");
        let (r, g, b) = rgb(&big);
        assert!(r >= 170.0 && g < 10.0 && b == 0.0, "{big}");
        // A change of 0.1% of the base: next to grey.
        assert!(saturation(&color("x", Some(139_212), 139_211_970)) < 0.01);
        // Names stay legible: white on deep red, dark on grey and on the
        // (brighter) green, and never under 3.9:1 whatever the change.
        assert_eq!(text_color(&big), "#ffffff");
        assert_eq!(text_color(&diff_color(-1.0)), "#1d2430");
        assert_eq!(text_color(&diff_color(0.0)), "#1d2430");
        assert_eq!(text_color(&package_color("main.main")), "#1d2430");
        let contrast = |a: &str, b: &str| {
            let (a, b) = (luminance(a).unwrap(), luminance(b).unwrap());
            (a.max(b) + 0.05) / (a.min(b) + 0.05)
        };
        for i in -100..=100 {
            let fill = diff_color(i as f64 / 100.0);
            assert!(contrast(&fill, text_color(&fill)) >= 3.9, "{fill}");
        }
    }
}

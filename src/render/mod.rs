//! Formatting analysis results: text in pprof's layouts, tables for the
//! page, SVG charts. Renderers only format and draw; every number comes
//! from `analysis`.

pub mod chart;
pub mod dot;
pub mod flame_svg;
pub mod gotime;
pub mod graph_drawing;
pub mod json;
pub mod layout;
pub mod raw;
pub mod table;
pub mod text;

use std::borrow::Cow;
use std::fmt::Write;

/// Text made safe for XML content and attribute values: markup escaped,
/// and the characters XML 1.0 forbids even as references spelled out
/// (see [`xml_chars`]).
pub fn xml_escape(s: &str) -> String {
    xml_chars(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The characters XML 1.0 does not allow in a document, even written as
/// `&#1;` (most C0 controls, U+FFFE, U+FFFF), spelled out as `\x01`,
/// `\u{fffe}`: a name holding one would otherwise make the SVG fail to
/// parse. For writers that escape markup themselves (plotters).
pub fn xml_chars(s: &str) -> Cow<'_, str> {
    let forbidden = |c: char| matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{fffe}' | '\u{ffff}');
    spell_out(s, forbidden)
}

/// Text made safe to write to a terminal: controls other than newline and
/// tab (ESC, CR, backspace, DEL, the C1 controls) spelled out as `\x1b`,
/// so a name cannot move the cursor, recolour or retitle the terminal.
/// The CLI applies it only when its output is a terminal: piped, the bytes
/// stay pprof's.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    spell_out(s, |c| c.is_control() && c != '\n' && c != '\t')
}

/// `s` with every character `spelled` picks written as `\xNN` (below
/// U+0100) or `\u{NNNN}`; borrowed when there is none.
fn spell_out(s: &str, spelled: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&spelled) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !spelled(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_xml_characters_are_spelled_out() {
        assert_eq!(
            xml_escape("a\x01<b>\u{fffe}\0"),
            "a\\x01&lt;b&gt;\\u{fffe}\\x00"
        );
        assert_eq!(xml_escape("tab\tline\ncr\r"), "tab\tline\ncr\r");
        assert!(matches!(xml_chars("main.main"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_controls_are_spelled_out() {
        assert_eq!(
            terminal_safe("\x1b[2Jx\ry\u{9b}\x7f"),
            "\\x1b[2Jx\\x0dy\\x9b\\x7f"
        );
        assert_eq!(terminal_safe("a\tb\n"), "a\tb\n");
    }
}

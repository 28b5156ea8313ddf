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

/// Text made safe for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

//! Formatting analysis results: text in pprof's layouts. Renderers only
//! format; every number comes from `analysis`.

pub mod gotime;
pub mod json;
pub mod raw;
pub mod table;
pub mod text;

//! Formatting analysis results: text in pprof's layouts. Renderers only
//! format; every number comes from `analysis`.

pub mod gotime;
pub mod raw;
pub mod json;
pub mod text;

//! leakscope's core: reads profiles and metrics, and answers the leak hunt
//! with pprof's numbers. It does no I/O: it takes bytes and returns values.
//! See ARCHITECTURE.md for the map.

pub mod civil;
pub mod error;
pub mod import;
pub mod model;
pub mod units;
pub mod words;
pub mod workspace;

pub use error::{Error, ErrorKind, Result};
pub mod analysis;
pub mod fuzzing;
pub mod render;
pub mod share;
pub mod sort;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

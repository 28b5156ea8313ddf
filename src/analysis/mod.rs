//! The reports, with pprof's semantics. Each report is a function from a
//! prepared profile and options to a plain struct; `render` formats them.

pub mod callgraph;
pub mod evidence;
pub mod filter;
pub mod flame;
pub mod graph;
pub mod info;
pub mod leak;
pub mod list;
pub mod nodes;
pub mod options;
pub mod overview;
pub mod promql;
pub mod report;
pub mod scan;
pub mod source;
pub mod top;
pub mod traces;
pub mod trend;

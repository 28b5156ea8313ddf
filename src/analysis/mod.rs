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

/// `names` joined by commas, the first `listed` of them and then how
/// many more: a sentence naming files stays short when thousands are
/// loaded (an archive of 4,000 members made one of 100,000 characters).
pub fn joined_at_most(names: &[impl AsRef<str>], listed: usize) -> String {
    let shown: Vec<&str> = names.iter().take(listed).map(AsRef::as_ref).collect();
    let mut shown = shown.join(", ");
    if names.len() > listed {
        shown += &format!(", {} more", names.len() - listed);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::joined_at_most;

    #[test]
    fn names_past_the_listed_ones_are_counted() {
        assert_eq!(joined_at_most(&["a", "b"], 2), "a, b");
        assert_eq!(joined_at_most(&["a", "b", "c"], 2), "a, b, 1 more");
        assert_eq!(joined_at_most(&Vec::<String>::new(), 2), "");
    }
}

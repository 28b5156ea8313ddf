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

/// How many names a sentence lists before it counts the rest.
pub const LISTED: usize = 6;

/// `names` joined by `separator`, the first [`LISTED`] of them and then
/// how many more: a sentence naming files stays short when thousands are
/// loaded (an archive of 4,000 members made one of 100,000 characters).
pub fn joined_at_most(names: &[impl AsRef<str>], separator: &str) -> String {
    joined_first(&names[..names.len().min(LISTED)], names.len(), separator)
}

/// The same sentence from the first [`LISTED`] names of `count` (more
/// given are left out): for lists too long to make in full.
pub fn joined_first(first: &[impl AsRef<str>], count: usize, separator: &str) -> String {
    let shown: Vec<&str> = first.iter().take(LISTED).map(AsRef::as_ref).collect();
    let mut sentence = shown.join(separator);
    if count > shown.len() {
        sentence += &format!("{separator}{} more", count - shown.len());
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::{joined_at_most, joined_first};

    #[test]
    fn names_past_the_listed_ones_are_counted() {
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        assert_eq!(joined_at_most(&names[..2], ", "), "a, b");
        assert_eq!(joined_at_most(&names[..6], "; "), "a; b; c; d; e; f");
        assert_eq!(joined_at_most(&names, ", "), "a, b, c, d, e, f, 2 more");
        assert_eq!(joined_at_most(&Vec::<String>::new(), ", "), "");
        assert_eq!(
            joined_first(&names[..6], 9000, ", "),
            "a, b, c, d, e, f, 8994 more"
        );
    }
}

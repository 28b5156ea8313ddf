//! Counts in English prose, said the same way by the CLI, the charts and
//! the Overview: "1 OOM kill", "3 OOM kills", "once", "3 times".

/// `n` and its noun, plural (an "s") unless `n` is 1: "1 restart", "0 restarts".
pub fn counted(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", plural_s(n))
}

/// The ending of a noun counted `n` times inside a longer phrase: "" for 1, else "s".
pub fn plural_s(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// How often something happened: "once", "3 times".
pub fn times(n: u64) -> String {
    if n == 1 {
        "once".into()
    } else {
        format!("{n} times")
    }
}

/// `text` with its first letter upper-case, to begin a sentence.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(1, "OOM kill"), "1 OOM kill");
        assert_eq!(counted(0, "OOM kill"), "0 OOM kills");
        assert_eq!(counted(2, "restart"), "2 restarts");
        assert_eq!(times(1), "once");
        assert_eq!(times(0), "0 times");
        assert_eq!(capitalized("the trend"), "The trend");
        assert_eq!(capitalized(""), "");
    }
}

//! The one error type of the core: a message a person can act on.
//!
//! Every error says what is wrong and where ("sample 12 refers to location
//! 99, which does not exist"). Parsers never panic on user input; they return
//! one of these.

use std::fmt;

/// What kind of failure an [`Error`] is, so callers (the CLI's exit codes,
/// the page's error cards) can treat classes of errors differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is not in any format we read.
    UnknownFormat,
    /// The input claims a format but its content is broken.
    Malformed,
    /// A configurable resource limit was hit (size, count).
    Limit,
    /// An option or argument is invalid (bad regex, unknown sample type).
    InvalidOption,
    /// Two inputs cannot be combined (different sample types).
    Incompatible,
}

/// An error with a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    /// An error. A message that quotes too much of the input (past
    /// [`MAX_ERROR_CHARS`]) is cut to one line of that length: a net under
    /// [`quote`], which messages use for input.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let message = message.into();
        let message = if message.chars().nth(MAX_ERROR_CHARS).is_some() {
            cut(&message, MAX_ERROR_CHARS)
        } else {
            message
        };
        Error { kind, message }
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Malformed, message)
    }
    pub fn unknown_format(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnknownFormat, message)
    }
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Limit, message)
    }
    pub fn invalid_option(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidOption, message)
    }
    pub fn incompatible(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Incompatible, message)
    }

    /// A regex that does not compile, in one line: which option, the
    /// pattern, and what is wrong (the regex crate's own message spans
    /// several lines with a caret).
    pub fn bad_regex(what: &str, pattern: &str, e: &regex::Error) -> Self {
        let text = e.to_string();
        let reason = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid")
            .trim()
            .trim_start_matches("error: ");
        Self::invalid_option(format!("parsing {what} regexp {pattern:?}: {reason}"))
    }

    /// Prefixes the message with where the error happened ("heap.3.pprof: ...").
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The longest message an input error should have: one line a person
/// reads at a glance (a file's name goes before it).
pub const MAX_MESSAGE_CHARS: usize = 200;

/// The longest any error message gets, however much of the input or of
/// the user's file names it would name (a message naming many files can
/// pass [`MAX_MESSAGE_CHARS`] by design).
pub const MAX_ERROR_CHARS: usize = 1000;

/// `message` on one line and at most [`MAX_MESSAGE_CHARS`] characters,
/// cut with an ellipsis (for messages that quote the input or a library).
pub fn one_line(message: &str) -> String {
    cut(message, MAX_MESSAGE_CHARS)
}

/// `message` on one line and at most `max` characters.
fn cut(message: &str, max: usize) -> String {
    let mut flat = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c });
    let mut out: String = flat.clone().take(max).collect();
    if flat.nth(max).is_some() {
        out.pop();
        out.push('…');
    }
    out
}

/// The most characters of the input an error or warning quotes.
pub const MAX_QUOTED_CHARS: usize = 40;

/// `text` from the input, quoted for a message: in double quotes with
/// control characters escaped, cut to [`MAX_QUOTED_CHARS`] with an
/// ellipsis (a line of a file can be megabytes long).
pub fn quote(text: &str) -> String {
    if text.chars().nth(MAX_QUOTED_CHARS).is_none() {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(MAX_QUOTED_CHARS - 1).collect();
    format!("{cut:?}…")
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_flattens_and_caps() {
        assert_eq!(one_line("a\nb"), "a b");
        let long = "x".repeat(500);
        let cut = one_line(&long);
        assert_eq!(cut.chars().count(), MAX_MESSAGE_CHARS);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn quotes_are_short() {
        assert_eq!(quote("a\u{1b}b"), "\"a\\u{1b}b\"");
        let q = quote(&"x".repeat(1 << 20));
        assert!(q.chars().count() <= MAX_QUOTED_CHARS + 3, "{q}");
        assert!(q.ends_with("\"…"));
        let e = Error::malformed(format!("bad {}", "y".repeat(1 << 20)));
        assert_eq!(e.message.chars().count(), MAX_ERROR_CHARS);
        assert_eq!(
            one_line(&"z".repeat(MAX_MESSAGE_CHARS)).chars().count(),
            MAX_MESSAGE_CHARS
        );
    }
}

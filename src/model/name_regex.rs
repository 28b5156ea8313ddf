//! Regular expressions matched against names (functions, files,
//! binaries): the filters, the flame graph's search, `list`, and a
//! profile's own `drop_frames`/`keep_frames`. They may come from a file or
//! a link, so each is compiled under a size limit and priced before it
//! runs; `\d \s \w` are read as pprof's Go RE2 reads them.

use crate::error::{quote, Error, Result};

/// Bytes a name regex may compile to (the regex crate's `size_limit`,
/// whose own default is 10 MiB). Filters name functions
/// (`main\.Track|sync`); a pattern past this is a large class repeated
/// (Unicode `\w` alone compiles to ~45 kB, so `(\w){100}` to megabytes),
/// and matching costs its size times each name's length.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The steps a name regex may take on a profile, counted before it runs
/// as its NFA's states times the bytes of the distinct names it is
/// matched on (each name is matched once): the worst case of the
/// engines that run when the lazy DFA gives up, and in the page always
/// (the bounded backtracker). About 2 s natively at worst; a name filter
/// on a 20,000-function profile takes under 1% of it.
#[cfg(not(target_arch = "wasm32"))]
pub const REGEX_STEPS: u64 = 2_000_000_000;

/// The page's budget: its regex engine has no lazy DFA (see Cargo.toml),
/// so a pattern's worst case is its real cost there: the issue's
/// `.*(\w|\d|[a-z]){100}x.*` on 2,000 names of 1,000 bytes (1.2 G steps)
/// ran for over 10 s. A tenth of the CLI's budget keeps a view under ~2 s.
#[cfg(target_arch = "wasm32")]
pub const REGEX_STEPS: u64 = 200_000_000;

/// A regex matched against names (functions, files, binaries), compiled
/// under [`REGEX_SIZE_LIMIT`] and priced by its NFA's states.
///
/// The NFA that prices it is compiled beside the regex crate's own, which
/// the crate does not expose: a second compile, of 20–640 µs more a
/// pattern here (a two-name filter 48 µs against 29 µs; pprof's allocator
/// pattern 218 against 104; a 2,000-byte class run 1.6 ms against 0.9),
/// once a view. Matching with the NFA directly would mean writing the
/// engine choice the regex crate makes.
pub struct NameRegex {
    pub regex: regex::Regex,
    states: u64,
}

impl NameRegex {
    /// Compiles `pattern` for option `what`; `shown` is the pattern as
    /// the person wrote it (the profile's `drop_frames` is anchored).
    pub fn new(what: &str, pattern: &str, shown: &str) -> Result<NameRegex> {
        let go = go_classes(pattern);
        let pattern = go.as_deref().unwrap_or(pattern);
        let syntax = regex_automata::util::syntax::Config::new();
        let nfa = regex_automata::nfa::thompson::Compiler::new()
            .syntax(syntax)
            .configure(
                regex_automata::nfa::thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)),
            )
            .build(pattern);
        let too_big = || {
            Error::limit(format!(
                "{what} regexp {} is too complex: it compiles to over {} kB (a class like \\w repeated?)",
                quote(shown),
                REGEX_SIZE_LIMIT >> 10
            ))
        };
        let states = match nfa {
            Ok(nfa) => nfa.states().len() as u64,
            Err(e) if e.size_limit().is_some() => return Err(too_big()),
            // The regex crate says what is wrong with it.
            Err(_) => 0,
        };
        let regex = regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => too_big(),
                e => Error::bad_regex(what, shown, &e),
            })?;
        Ok(NameRegex { regex, states })
    }

    /// Refuses to match names of `bytes` bytes in all (each distinct name
    /// once) when that could take more than [`REGEX_STEPS`].
    pub fn afford(&self, what: &str, shown: &str, names: usize, bytes: u64) -> Result<()> {
        let steps = self
            .states
            .saturating_mul(bytes.saturating_add(names as u64));
        if steps <= REGEX_STEPS {
            return Ok(());
        }
        Err(Error::limit(format!(
            "{what} regexp {} is too costly on {names} names ({} MB): up to {} M steps, over the {} M budget ([A-Za-z0-9_] is cheaper than \\w)",
            quote(shown),
            bytes >> 20,
            steps / 1_000_000,
            REGEX_STEPS / 1_000_000
        )))
    }
}

/// The pattern with `\d`, `\s` and `\w` (and their negations) as Go's
/// RE2, pprof's engine, reads them: ASCII classes. The regex crate's are
/// Unicode, which matched other names than pprof and compiled a hundred
/// times larger (`\w` is ~45 kB, so `(\w){100}` was megabytes and
/// minutes). `None`: the pattern has none (or does not parse, and the
/// regex crate says why).
fn go_classes(pattern: &str) -> Option<String> {
    use regex_syntax::ast::{self, Ast, ClassSet, ClassSetItem};

    fn ascii(perl: &ast::ClassPerl) -> ast::ClassAscii {
        ast::ClassAscii {
            span: perl.span,
            kind: match perl.kind {
                ast::ClassPerlKind::Digit => ast::ClassAsciiKind::Digit,
                ast::ClassPerlKind::Space => ast::ClassAsciiKind::Space,
                ast::ClassPerlKind::Word => ast::ClassAsciiKind::Word,
            },
            negated: perl.negated,
        }
    }
    fn in_set(set: &mut ClassSet, changed: &mut bool) {
        match set {
            ClassSet::Item(item) => in_item(item, changed),
            ClassSet::BinaryOp(op) => {
                in_set(&mut op.lhs, changed);
                in_set(&mut op.rhs, changed);
            }
        }
    }
    fn in_item(item: &mut ClassSetItem, changed: &mut bool) {
        match item {
            ClassSetItem::Perl(perl) => {
                *item = ClassSetItem::Ascii(ascii(perl));
                *changed = true;
            }
            ClassSetItem::Bracketed(b) => in_set(&mut b.kind, changed),
            ClassSetItem::Union(u) => u.items.iter_mut().for_each(|i| in_item(i, changed)),
            _ => {}
        }
    }
    fn in_ast(node: &mut Ast, changed: &mut bool) {
        match node {
            // Outside brackets an ASCII class is written `[[:word:]]`.
            Ast::ClassPerl(perl) => {
                *node = Ast::class_bracketed(ast::ClassBracketed {
                    span: perl.span,
                    negated: false,
                    kind: ClassSet::Item(ClassSetItem::Ascii(ascii(perl))),
                });
                *changed = true;
            }
            Ast::ClassBracketed(b) => in_set(&mut b.kind, changed),
            Ast::Repetition(r) => in_ast(&mut r.ast, changed),
            Ast::Group(g) => in_ast(&mut g.ast, changed),
            Ast::Alternation(a) => a.asts.iter_mut().for_each(|a| in_ast(a, changed)),
            Ast::Concat(c) => c.asts.iter_mut().for_each(|a| in_ast(a, changed)),
            _ => {}
        }
    }
    let mut tree = ast::parse::Parser::new().parse(pattern).ok()?;
    let mut changed = false;
    in_ast(&mut tree, &mut changed);
    if !changed {
        return None;
    }
    let mut out = String::new();
    ast::print::Printer::new().print(&tree, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_regexes_are_compiled_small_and_priced_before_they_run() {
        // A class repeated ten thousand times: refused at compile time,
        // saying why.
        let slow = r"(.{100}){100}x";
        let e = NameRegex::new("focus", slow, slow).err().unwrap();
        assert_eq!(e.kind, crate::error::ErrorKind::Limit);
        assert!(e.message.contains("too complex"), "{}", e.message);
        assert!(e.message.chars().count() < 180, "{}", e.message);
        // Filters as people write them cost little on a large profile
        // (200,000 names of 60 bytes).
        for pattern in [
            r"main\.Track|sync",
            r"(?i)handler",
            r"^runtime\.",
            r"\w+Handler",
        ] {
            let re = NameRegex::new("focus", pattern, pattern).unwrap();
            assert!(
                re.afford("focus", pattern, 200_000, 12_000_000).is_ok(),
                "{pattern}: {} states",
                re.states
            );
        }
        // A pattern under the size limit is still refused on long names
        // when its states times their bytes pass the budget.
        let big = r".{300}x";
        let re = NameRegex::new("focus", big, big).unwrap();
        let e = re.afford("focus", big, 2000, 2_000_000).unwrap_err();
        assert!(
            e.message.contains("too costly on 2000 names"),
            "{}",
            e.message
        );
        // Perl classes are Go's, ASCII: pprof's names match as in pprof.
        let w = NameRegex::new("focus", r"^\w+\s\d$", "").unwrap().regex;
        assert!(w.is_match("ab_9 7") && !w.is_match("é 7") && !w.is_match("a\u{2003}7"));
        let not = NameRegex::new("focus", r"[^\W\d]x", "").unwrap().regex;
        assert!(not.is_match("ax") && !not.is_match("éx") && !not.is_match("1x"));
        assert_eq!(go_classes(r"main\.Track"), None);
        assert_eq!(
            go_classes(r"a\w[\d.]").as_deref(),
            Some(r"a[[:word:]][[:digit:].]")
        );
        // A bad pattern says what is wrong, as before.
        let e = NameRegex::new("focus", "(", "(").err().unwrap();
        assert!(
            e.message.starts_with("parsing focus regexp"),
            "{}",
            e.message
        );
    }
}

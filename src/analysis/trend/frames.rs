//! Which frames are the program's own code, and which are the language's
//! library and runtime: a growing allocation is headlined at the leaf-most
//! frame the program owns ("main.(*RequestTracker).Track via bytes.Repeat"),
//! not at `bytes.Repeat` or `runtime.malg`.

/// The top-level packages of Go's standard library (and `vendor/`, where
/// it keeps its own copies). A Go function belongs to the library when its
/// import path starts with one of these; anything else (`main`, a module
/// path such as `github.com/...` or a local module) is the program's.
const GO_STD: &[&str] = &[
    "archive",
    "bufio",
    "builtin",
    "bytes",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "unicode",
    "unique",
    "unsafe",
    "vendor",
    "weak",
];

/// Library prefixes of other languages' profiles: the JVM's class
/// libraries, C and C++ allocators and standard libraries.
const OTHER_LIBRARY_PREFIXES: &[&str] = &[
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "scala.",
    "std::",
    "__gnu_cxx::",
    "__cxxabiv1::",
    "operator new",
    "operator delete",
    "malloc",
    "calloc",
    "realloc",
    "posix_memalign",
    "aligned_alloc",
    "__libc_",
    "je_",
    "tc_",
    "tcmalloc::",
    "mmap",
];

/// Whether a function is library or runtime code rather than the program's.
pub fn is_library(function: &str) -> bool {
    if function.is_empty() {
        return true;
    }
    if OTHER_LIBRARY_PREFIXES
        .iter()
        .any(|p| function.starts_with(p))
    {
        return true;
    }
    // Go: the first element of the import path (`net/http.(*conn).serve`
    // → `net`; `bytes.Repeat` → `bytes`; `main.main` → `main`).
    let first = match function.find('/') {
        Some(slash) => &function[..slash],
        None => function.split('.').next().unwrap_or(function),
    };
    GO_STD.contains(&first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_library_and_program_frames() {
        for lib in [
            "bytes.Repeat",
            "runtime.malg",
            "runtime.makeslice",
            "net/http.(*conn).serve",
            "compress/flate.NewWriter",
            "encoding/json.(*decodeState).object",
            "vendor/golang.org/x/net/http2/hpack.(*Decoder).Write",
            "sync.(*Pool).Get",
            "java.util.HashMap.resize",
            "std::vector<int>::_M_realloc_insert",
            "malloc",
        ] {
            assert!(is_library(lib), "{lib}");
        }
        for own in [
            "main.(*RequestTracker).Track",
            "main.main.func1",
            "github.com/prometheus/common/expfmt.MetricFamilyToText",
            "leaksvc/internal/store.(*Store).Keep",
            "golang.org/x/net/http2.(*serverConn).serve",
            "com.example.Cache.put",
            "MyAllocator::grow",
        ] {
            assert!(!is_library(own), "{own}");
        }
    }
}

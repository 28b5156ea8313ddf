//! Report nodes: what a frame becomes at a granularity (pprof's `NodeInfo`).
//!
//! Two frames are the same node when their node infos are equal, so at
//! `functions` granularity every line of `bytes.Repeat` is one node, and at
//! `lines` granularity each line is its own. A location's lines each become
//! a node, innermost (inlined callee) first.

use rustc_hash::FxHashMap;

use super::filter::View;
use super::options::Granularity;
use crate::model::Line;

/// The identity and printable name of a report node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct NodeInfo {
    pub name: String,
    pub orig_name: String,
    pub address: u64,
    pub file: String,
    pub start_line: i64,
    pub lineno: i64,
    pub objfile: String,
}

impl NodeInfo {
    /// The node's name as pprof prints it: `[address] [function] [file[:line]]`,
    /// `[binary]` when only the binary is known, `<unknown>` when nothing is.
    pub fn printable_name(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.address != 0 {
            parts.push(format!("{:016x}", self.address));
        }
        if !self.name.is_empty() {
            parts.push(self.name.clone());
        }
        if self.lineno != 0 {
            parts.push(format!("{}:{}", self.file, self.lineno));
        } else if !self.file.is_empty() {
            parts.push(self.file.clone());
        } else if !self.name.is_empty() {
        } else if !self.objfile.is_empty() {
            parts.push(format!("[{}]", base_name(&self.objfile)));
        } else {
            parts.push("<unknown>".to_string());
        }
        parts.join(" ")
    }

    /// Go's `fmt.Sprint(info)`: pprof's last tie-breaker when sorting.
    pub fn go_sprint(&self) -> String {
        format!(
            "{{{} {} {} {} {} {} {}}}",
            self.name,
            self.orig_name,
            self.address,
            self.file,
            self.start_line,
            self.lineno,
            self.objfile
        )
    }
}

/// Which fields of a frame a granularity keeps (pprof's `Aggregate` flags).
#[derive(Debug, Clone, Copy)]
pub struct Aggregation {
    pub inline_frames: bool,
    pub function: bool,
    pub filename: bool,
    pub line_number: bool,
    pub address: bool,
    /// Keep the binary name on every node (source listings do).
    pub object_names: bool,
}

impl Aggregation {
    pub fn new(granularity: Granularity, no_inlines: bool) -> Self {
        let inline_frames = !no_inlines;
        let (function, filename, line_number, address) = match granularity {
            Granularity::Addresses => (true, true, true, true),
            Granularity::Lines => (true, true, true, false),
            Granularity::Files => (false, true, false, false),
            Granularity::Functions => (true, false, false, false),
            Granularity::Filefunctions => (true, true, false, false),
        };
        Aggregation {
            inline_frames,
            function,
            filename,
            line_number,
            address,
            object_names: false,
        }
    }
}

/// The node of every (location, line) of a view, interned.
pub struct NodeTable {
    pub infos: Vec<NodeInfo>,
    /// `nodes[starts[l]..starts[l+1]]` are location l's nodes, innermost first.
    starts: Vec<u32>,
    nodes: Vec<u32>,
}

impl NodeTable {
    pub fn build(view: &View, agg: Aggregation, paths: &PathOptions) -> NodeTable {
        let p = view.profile;
        let mut index: FxHashMap<NodeInfo, u32> = FxHashMap::default();
        let mut infos = Vec::new();
        let mut starts = Vec::with_capacity(p.locations.len() + 1);
        let mut nodes = Vec::with_capacity(p.locations.len());
        let mut file_names: FxHashMap<u32, String> = FxHashMap::default();
        starts.push(0);
        let empty_line = [Line {
            function: u32::MAX,
            line: 0,
            column: 0,
        }];
        for (li, loc) in p.locations.iter().enumerate() {
            let mut lines = view.lines(li);
            if !agg.inline_frames && lines.len() > 1 {
                lines = &lines[lines.len() - 1..];
            }
            // A location without lines still is a node (its address/binary).
            let lines: &[Line] = if lines.is_empty() { &empty_line } else { lines };
            let address = if agg.address { loc.address } else { 0 };
            let objfile = p.location_objfile(loc);
            for ln in lines {
                let info = if ln.function == u32::MAX {
                    NodeInfo {
                        address,
                        objfile: objfile.to_string(),
                        ..Default::default()
                    }
                } else {
                    let f = &p.functions[ln.function as usize];
                    let name = if agg.function {
                        f.name.clone()
                    } else {
                        String::new()
                    };
                    let file = if agg.filename {
                        file_names
                            .entry(ln.function)
                            .or_insert_with(|| {
                                let trimmed = paths.trim(&f.filename);
                                if trimmed.is_empty() {
                                    trimmed
                                } else {
                                    clean_path(&trimmed)
                                }
                            })
                            .clone()
                    } else {
                        String::new()
                    };
                    let mut info = NodeInfo {
                        name,
                        address,
                        file,
                        lineno: if agg.line_number { ln.line } else { 0 },
                        ..Default::default()
                    };
                    if agg.object_names || info.name.is_empty() {
                        info.objfile = objfile.to_string();
                        info.start_line = f.start_line;
                    }
                    info
                };
                let id = *index.entry(info).or_insert_with_key(|info| {
                    infos.push(info.clone());
                    infos.len() as u32 - 1
                });
                nodes.push(id);
            }
            starts.push(nodes.len() as u32);
        }
        NodeTable {
            infos,
            starts,
            nodes,
        }
    }

    /// The nodes of location `l`, innermost first.
    pub fn of_location(&self, l: u32) -> &[u32] {
        &self.nodes[self.starts[l as usize] as usize..self.starts[l as usize + 1] as usize]
    }

    pub fn len(&self) -> usize {
        self.infos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }
}

/// Source path options that change node file names (pprof trims paths with
/// its source path heuristics before naming nodes).
#[derive(Debug, Clone, Default)]
pub struct PathOptions {
    pub trim_path: String,
    pub source_path: String,
}

impl PathOptions {
    /// pprof's `trimPath`: strip a configured prefix, or guess one from the
    /// source path's base names, and always `/proc/self/cwd/`.
    pub fn trim(&self, path: &str) -> String {
        if self.trim_path.is_empty() {
            for dir in split_list(&self.source_path) {
                let want = format!("/{}/", base_name(dir));
                if let Some(found) = path.find(&want) {
                    return path[found + want.len()..].to_string();
                }
            }
        }
        let mut prefixes: Vec<String> = split_list(&self.trim_path).map(str::to_string).collect();
        prefixes.push("/proc/self/cwd/./".into());
        prefixes.push("/proc/self/cwd/".into());
        for mut prefix in prefixes {
            if !prefix.ends_with('/') {
                prefix.push('/');
            }
            if let Some(rest) = path.strip_prefix(prefix.as_str()) {
                return rest.to_string();
            }
        }
        path.to_string()
    }
}

/// Go's `filepath.SplitList`: empty input is no entries.
fn split_list(s: &str) -> impl Iterator<Item = &str> {
    (!s.is_empty()).then(|| s.split(':')).into_iter().flatten()
}

/// Go's `filepath.Base` for `/`-separated paths.
pub fn base_name(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Go's `filepath.Clean` for `/`-separated paths.
pub fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_names() {
        let f = NodeInfo {
            name: "bytes.Repeat".into(),
            ..Default::default()
        };
        assert_eq!(f.printable_name(), "bytes.Repeat");
        let l = NodeInfo {
            name: "main.f".into(),
            file: "main.go".into(),
            lineno: 24,
            ..Default::default()
        };
        assert_eq!(l.printable_name(), "main.f main.go:24");
        let b = NodeInfo {
            objfile: "/lib/libc-2.15.so".into(),
            ..Default::default()
        };
        assert_eq!(b.printable_name(), "[libc-2.15.so]");
        assert_eq!(NodeInfo::default().printable_name(), "<unknown>");
        assert_eq!(f.go_sprint(), "{bytes.Repeat  0  0 0 }");
    }

    #[test]
    fn paths() {
        assert_eq!(clean_path("/a/./b/../c//d/"), "/a/c/d");
        assert_eq!(clean_path("../x/.."), "..");
        assert_eq!(clean_path("a/.."), ".");
        assert_eq!(base_name("/usr/lib/x.so"), "x.so");
        let p = PathOptions {
            source_path: "/home/me/leaksvc".into(),
            ..Default::default()
        };
        assert_eq!(p.trim("/build/leaksvc/main.go"), "main.go");
        assert_eq!(PathOptions::default().trim("/proc/self/cwd/x.go"), "x.go");
    }
}

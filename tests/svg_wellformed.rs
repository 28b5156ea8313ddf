//! Issue 14, family 10: names holding the controls XML forbids (NUL, SOH,
//! ESC, U+FFFE…) once made the SVGs the core writes fail to parse. Every
//! SVG — the call graph, the flame graph (the page's Download SVG is the
//! same core SVG) and the memory charts — of crafted names must be
//! well-formed XML; and the CLI's text reports spell the controls out on a
//! terminal (a pty here) while keeping pprof's bytes when piped.

mod hostile_cases;

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

use leakscope::import::ImportOptions;
use leakscope::workspace::{ViewState, Workspace};

use hostile_cases::escape::{control_names, CONTROL_NAMES};

/// Whether `c` is XML 1.0's `Char`.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// A small well-formedness check, enough for the SVGs we write: only XML
/// characters; markup `<name attr="…">`, `</name>`, `<name …/>`, `<?…?>`,
/// comments and a DOCTYPE without internal subset (Graphviz writes both);
/// attribute values quoted without `<`; `&` only in a known entity or a
/// reference to an XML character; elements balanced; one root.
fn check_xml(what: &str, doc: &str) {
    if let Some(c) = doc.chars().find(|&c| !xml_char(c)) {
        panic!("{what}: character U+{:04X} is not allowed in XML", c as u32);
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = doc;
    while let Some(lt) = rest.find('<') {
        check_text(what, &rest[..lt]);
        rest = &rest[lt + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            let end = comment
                .find("-->")
                .unwrap_or_else(|| panic!("{what}: comment not closed"));
            rest = &comment[end + 3..];
            continue;
        }
        if let Some(doctype) = rest.strip_prefix("!DOCTYPE") {
            let end = doctype
                .find('>')
                .unwrap_or_else(|| panic!("{what}: DOCTYPE not closed"));
            rest = &doctype[end + 1..];
            continue;
        }
        if let Some(pi) = rest.strip_prefix('?') {
            let end = pi
                .find("?>")
                .unwrap_or_else(|| panic!("{what}: <? not closed"));
            rest = &pi[end + 2..];
            continue;
        }
        let gt = tag_end(what, rest);
        let tag = &rest[..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{what}: </{name}> closes nothing"));
            assert_eq!(open, name.trim(), "{what}: <{open}> closed by </{name}>");
            continue;
        }
        let (body, empty) = match tag.strip_suffix('/') {
            Some(body) => (body, true),
            None => (tag, false),
        };
        let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
        let name = &body[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_:.".contains(c)),
            "{what}: bad element name {name:?}"
        );
        check_attributes(what, &body[name_end..]);
        if stack.is_empty() {
            roots += 1;
        }
        if !empty {
            stack.push(name);
        }
    }
    check_text(what, rest);
    assert!(stack.is_empty(), "{what}: unclosed {stack:?}");
    assert_eq!(roots, 1, "{what}: {roots} root elements");
}

/// Where the tag starting at `s` ends (its `>`), skipping quoted values.
fn tag_end(what: &str, s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            (None, '<') => panic!("{what}: '<' inside a tag"),
            _ => {}
        }
    }
    panic!("{what}: tag not closed")
}

fn check_attributes(what: &str, mut s: &str) {
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return;
        }
        let eq = s
            .find('=')
            .unwrap_or_else(|| panic!("{what}: attribute without value in {s:?}"));
        let name = s[..eq].trim();
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_:.".contains(c)),
            "{what}: bad attribute name {name:?}"
        );
        let value = s[eq + 1..].trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.unwrap_or_else(|| panic!("{what}: unquoted attribute {name}"));
        let end = value[1..]
            .find(quote)
            .unwrap_or_else(|| panic!("{what}: attribute {name} not closed"));
        let text = &value[1..1 + end];
        assert!(!text.contains('<'), "{what}: '<' in attribute {name}");
        check_text(what, text);
        s = &value[end + 2..];
    }
}

/// Character data: every `&` starts a predefined entity or a reference to
/// an XML character; no `>` after `]]`.
fn check_text(what: &str, text: &str) {
    assert!(!text.contains("]]>"), "{what}: ]]> in text");
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        rest = &rest[amp + 1..];
        let semi = rest
            .find(';')
            .unwrap_or_else(|| panic!("{what}: bare & before {:?}", &rest[..rest.len().min(20)]));
        let entity = &rest[..semi];
        let ok = match entity {
            "amp" | "lt" | "gt" | "quot" | "apos" => true,
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).is_some_and(xml_char)
            }
        };
        assert!(ok, "{what}: &{entity}; is not allowed");
        rest = &rest[semi + 1..];
    }
}

#[test]
fn the_checker_refuses_what_xml_refuses() {
    let fails = |doc: &str| std::panic::catch_unwind(|| check_xml("t", doc)).is_err();
    assert!(!fails(
        r#"<svg a="1 &amp; 2"><g><text>x &lt; y</text></g></svg>"#
    ));
    assert!(fails("<svg>\u{1}</svg>"));
    assert!(fails("<svg>\u{fffe}</svg>"));
    assert!(fails("<svg>&#1;</svg>"));
    assert!(fails("<svg>a & b</svg>"));
    assert!(fails(r#"<svg a="x"y"></svg>"#));
    assert!(fails("<svg><g></svg>"));
}

/// A workspace holding the crafted profile and a metrics export whose
/// series are named with the same controls.
fn workspace() -> Workspace {
    let mut w = Workspace::new();
    let profile = control_names();
    w.add(
        "names.pb",
        &profile[..],
        profile.len() as u64,
        &ImportOptions::default(),
    )
    .unwrap();
    // A plain series first: a control in the first bytes makes the text
    // sniffed as binary (family 12's), which is not what is tested here.
    let mut text = String::from("# TYPE container_memory_working_set_bytes gauge\n");
    for (i, name) in ["plain"].iter().chain(&CONTROL_NAMES).enumerate() {
        let name = name
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        for t in 0..30 {
            text.push_str(&format!(
                "container_memory_working_set_bytes{{pod=\"{name}\",container=\"c{i}\"}} {} {}\n",
                (100 + t * 5 + i) << 20,
                1_700_000_000_000i64 + t as i64 * 60_000
            ));
        }
    }
    w.add(
        "metrics.prom",
        text.as_bytes(),
        text.len() as u64,
        &ImportOptions::default(),
    )
    .unwrap();
    w
}

fn profile_state() -> ViewState {
    ViewState {
        profile: "names.pb".into(),
        ..ViewState::default()
    }
}

#[test]
fn the_call_graph_svg_is_well_formed() {
    let w = workspace();
    for g in ["functions", "filefunctions", "files", "lines", "addresses"] {
        let state = ViewState {
            g: g.into(),
            ..profile_state()
        };
        let svg = w.graph_svg(&state).unwrap();
        assert!(svg.contains("\\x01"), "the SOH is spelled out ({g})");
        check_xml(&format!("graph ({g})"), &svg);
    }
}

#[test]
fn the_flame_svg_is_well_formed() {
    let mut w = workspace();
    let svg = w.flame_svg(&profile_state()).unwrap();
    assert!(svg.contains("main.esc\\x1b[2J"), "the ESC is spelled out");
    check_xml("flame", &svg);
}

/// The charts draw derived text (axes, verdict, limit, floors) rather than
/// series names today; plotters' text still passes through `xml_chars`.
#[test]
fn the_memory_charts_are_well_formed() {
    let mut w = workspace();
    let view = w.charts(&ViewState::default());
    let svgs: Vec<&str> = view
        .processes
        .iter()
        .flat_map(|p| p.charts.iter().map(|c| c.svg.as_str()))
        .collect();
    assert!(!svgs.is_empty(), "no chart was drawn");
    for (i, svg) in svgs.iter().enumerate() {
        check_xml(&format!("chart {i}"), svg);
    }
}

/// Graphviz (scripts/setup installs it) turns `dot`'s text of crafted
/// names into a well-formed SVG with no injected node or link.
#[test]
fn graphviz_renders_the_dot_of_crafted_names_safely() {
    use hostile_cases::escape::{profile, Frame, DOT_NODE, DOT_URL};
    assert!(
        Command::new("dot").arg("-V").output().is_ok(),
        "Graphviz's dot is not installed: scripts/setup installs it"
    );
    let dir = std::env::temp_dir().join(format!("leakscope-graphviz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let frames = |file| {
        vec![vec![
            Frame {
                function: "main.leak",
                file,
                line: 12,
            },
            Frame {
                function: "main.main",
                file: "main.go",
                line: 3,
            },
        ]]
    };
    // Not the control names: `dot` keeps pprof's bytes for them, and
    // Graphviz stops at a NUL.
    let inputs = [
        ("url.pb", profile(&frames(DOT_URL), DOT_URL, Some(DOT_URL))),
        (
            "node.pb",
            profile(&frames(DOT_NODE), DOT_NODE, Some(DOT_NODE)),
        ),
    ];
    for (name, bytes) in inputs {
        let file = dir.join(name);
        std::fs::write(&file, bytes).unwrap();
        for g in ["functions", "files", "lines", "addresses", "filefunctions"] {
            let what = format!("{name} at {g}");
            let dot = Command::new(env!("CARGO_BIN_EXE_leakscope"))
                .args(["dot", "--granularity", g, file.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(dot.status.success(), "{what}");
            let mut child = Command::new("dot")
                .arg("-Tsvg")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), &dot.stdout).unwrap();
            let out = child.wait_with_output().unwrap();
            let svg = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            check_xml(&what, svg.trim_start_matches(|c| c != '<'));
            // The names are shown as text; they must not become a link.
            assert!(
                !svg.contains("href=\"javascript:"),
                "{what}: a link was injected"
            );
            assert!(
                !svg.contains("<title>INJECTED</title>"),
                "{what}: a node was injected"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the CLI with stdout and stderr on a new pty and returns what the
/// terminal received.
fn on_a_terminal(args: &[&str]) -> String {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two descriptors we then own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are open and owned by nothing else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // Raw mode: the pty passes bytes as written (no CR added to LF).
    // SAFETY: termios is plain data filled by tcgetattr.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(
            libc::tcgetattr(std::os::fd::AsRawFd::as_raw_fd(&slave), &mut t),
            0
        );
        libc::cfmakeraw(&mut t);
        libc::tcsetattr(std::os::fd::AsRawFd::as_raw_fd(&slave), libc::TCSANOW, &t);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave)
        .spawn()
        .unwrap();
    let mut out = Vec::new();
    let mut master = std::fs::File::from(master);
    // Reads until the child has exited and closed its end (EIO then).
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    assert!(child.wait().unwrap().success(), "leakscope {args:?} failed");
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn text_reports_spell_controls_out_on_a_terminal_only() {
    let dir = std::env::temp_dir().join(format!("leakscope-tty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("names.pb");
    std::fs::write(&file, control_names()).unwrap();
    let file = file.display().to_string();
    for command in ["top", "traces", "raw", "dot"] {
        let out = on_a_terminal(&[command, &file]);
        assert!(
            !out.contains(['\u{1b}', '\r', '\0', '\u{1}']),
            "{command} wrote a control to the terminal: {out:?}"
        );
        assert!(out.contains("\\x1b"), "{command}: {out:?}");
        let piped = Command::new(env!("CARGO_BIN_EXE_leakscope"))
            .args([command, &file])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&piped.stdout).contains('\u{1b}'),
            "{command}: piped output keeps pprof's bytes"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! The `leakscope` command line, run as a process: the blog's figures,
//! the JSON interface, stdin, and clear errors with a non-zero exit.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn leakscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .output()
        .expect("leakscope runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn data(name: &str) -> String {
    common::data(name)
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(name)
}

/// Runs leakscope and checks its output against a golden file.
fn check(args: &[&str], golden_name: &str) {
    let o = leakscope(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    common::check_golden(&golden(golden_name), &stdout(&o));
}

#[test]
fn the_blog_figures_exactly() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let heap3 = corpus.join("blog/heap.3.pprof").display().to_string();
    let top = stdout(&leakscope(&["top", &heap3]));
    assert!(
        top.contains("  408.97MB 98.60% 98.60%   408.97MB 98.60%  bytes.Repeat\n"),
        "{top}"
    );
    assert!(
        top.contains("    1.28MB  0.31% 98.91%   410.25MB 98.91%  main.(*RequestTracker).Track\n"),
        "{top}"
    );
    let list = stdout(&leakscope(&["list", "Track", &heap3]));
    assert!(list.contains("    1.28MB   410.25MB     24:"), "{list}");
}

#[test]
fn top_json_is_the_documented_interface() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let heap3 = corpus.join("blog/heap.3.pprof").display().to_string();
    let o = leakscope(&["top", "--format", "json", &heap3]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sample_type"], "inuse_space");
    assert_eq!(v["unit"], "bytes");
    assert_eq!(v["total"], 434912793);
    let rows = v["rows"].as_array().unwrap();
    // Every node, unpruned, in pprof's order.
    assert_eq!(rows.len(), 17);
    assert_eq!(rows[0]["name"], "bytes.Repeat");
    assert_eq!(rows[0]["inline"], false);
    assert_eq!(rows[0]["flat"], 428833979);
    assert_eq!(rows[0]["cum"], 428833979);
    assert_eq!(rows[1]["name"], "bufio.NewWriterSize");
    assert_eq!(rows[1]["inline"], true);
}

#[test]
fn reads_stdin_as_dash() {
    let bytes = std::fs::read(data("go.heap.pb.gz")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(["top", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let from_file = stdout(&leakscope(&["top", &data("go.heap.pb.gz")]));
    assert_eq!(stdout(&o), from_file);
}

#[test]
fn errors_are_one_clear_line_and_a_failing_exit() {
    let dir = std::env::temp_dir().join(format!("leakscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let gz = std::fs::read(data("go.heap.pb.gz")).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["top".into(), dir.join("missing").display().to_string()],
            "No such file",
        ),
        (vec!["top".into(), write("empty", b"")], "the file is empty"),
        (
            vec!["top".into(), write("garbage", b"\x01\x02\x03garbage\xff")],
            "not a pprof profile, nor another format leakscope reads: its first byte (0x01)",
        ),
        (
            vec!["top".into(), write("truncated.gz", &gz[..gz.len() / 2])],
            "truncated gzip stream",
        ),
        (
            vec!["top".into(), write("text.txt", b"hello, world\n")],
            "not a profile",
        ),
        (
            vec![
                "top".into(),
                "--sample-index".into(),
                "nope".into(),
                data("go.heap.pb.gz"),
            ],
            "must be one of: alloc_objects, alloc_space, inuse_objects, inuse_space",
        ),
        (
            vec![
                "top".into(),
                "--focus".into(),
                "(".into(),
                data("go.heap.pb.gz"),
            ],
            "parsing focus regexp",
        ),
        (
            vec![
                "list".into(),
                "nosuchfunction".into(),
                data("go.heap.pb.gz"),
            ],
            "no matches found for regexp: nosuchfunction",
        ),
    ];
    for (args, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = leakscope(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with("leakscope: "), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: want {message:?} in {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(stdout(&o).is_empty());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn base_and_diff_base_exclude_each_other() {
    let heap = data("go.heap.pb.gz");
    let heap0 = data("go.heap.0.pb.gz");
    let o = leakscope(&["top", "--base", &heap0, "--diff-base", &heap0, &heap]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

#[test]
fn several_profiles_merge() {
    // Two copies of one profile: every value doubles.
    let heap = data("go.heap.pb.gz");
    let one: serde_json::Value =
        serde_json::from_slice(&leakscope(&["top", "--format", "json", &heap]).stdout).unwrap();
    let two: serde_json::Value =
        serde_json::from_slice(&leakscope(&["top", "--format", "json", &heap, &heap]).stdout)
            .unwrap();
    assert_eq!(
        two["total"].as_i64().unwrap(),
        2 * one["total"].as_i64().unwrap()
    );
    assert_eq!(
        two["rows"][0]["flat"].as_i64().unwrap(),
        2 * one["rows"][0]["flat"].as_i64().unwrap()
    );
}

#[test]
fn golden_outputs() {
    check(
        &["top", "--format", "json", &data("synthetic.pb.gz")],
        "synthetic.top.json",
    );
    check(
        &[
            "top",
            "--format",
            "json",
            "--sample-index",
            "cpu",
            "--tagfocus",
            "handler=/slow",
            &data("synthetic.pb.gz"),
        ],
        "synthetic.top.tagfocus.json",
    );
    check(
        &["list", "handle", &data("synthetic.pb.gz")],
        "synthetic.list.txt",
    );
    check(
        &[
            "list",
            "--format",
            "json",
            "Track",
            "--source-dir",
            &data(""),
            &data("go.heap.pb.gz"),
        ],
        "go.heap.list.json",
    );
    check(&["info", &data("synthetic.pb.gz")], "synthetic.info.txt");
    check(
        &["info", "--format", "json", &data("go.heap.pb.gz")],
        "go.heap.info.json",
    );
    check(
        &["top", &data("go.heap.debug1.txt")],
        "go.heap.debug1.top.txt",
    );
    check(
        &["top", &data("go.mutex.debug1.txt")],
        "go.mutex.debug1.top.txt",
    );
    check(
        &[
            "traces",
            "--format",
            "json",
            "--sample-index",
            "1",
            &data("synthetic.pb.gz"),
        ],
        "synthetic.traces.json",
    );
}

/// Runs leakscope from the repository root (so file names in its output
/// are the relative ones given).
fn leakscope_here(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("leakscope runs")
}

#[test]
fn analyze_summarizes_and_combines_files() {
    let leak = "tests/data/series/leak/grafana-joined-epoch.csv";
    let log = "tests/data/series/leak/dmesg.txt";
    let o = leakscope_here(&["analyze", leak, log]);
    assert!(o.status.success(), "{}", stderr(&o));
    common::check_golden(&golden("leak.analyze.txt"), &stdout(&o));
    let o = leakscope_here(&["analyze", "tests/data/series/two/grafana-joined-epoch.csv"]);
    common::check_golden(&golden("two.analyze.txt"), &stdout(&o));
}

#[test]
fn analyze_json_is_the_documented_interface() {
    let leak = "tests/data/series/leak/grafana-joined-epoch.csv";
    let o = leakscope_here(&["analyze", "--format", "json", "--limit", "120MiB", leak]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let input = &v["inputs"][0];
    for key in [
        "file",
        "format",
        "delimiter",
        "time",
        "series",
        "skipped_rows",
    ] {
        assert!(input.get(key).is_some(), "inputs[0].{key}");
    }
    assert_eq!(
        (
            input["file"].as_str(),
            input["format"].as_str(),
            input["delimiter"].as_str()
        ),
        (Some(leak), Some("grafana-csv"), Some(","))
    );
    let rss = v["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "process_resident_memory_bytes")
        .unwrap();
    for key in [
        "name",
        "labels",
        "kind",
        "unit",
        "points",
        "start",
        "end",
        "restarts",
        "segments",
        "verdict",
        "confidence",
        "reason",
        "bytes_per_request",
        "per_request_r2",
        "growth_when_idle",
        "limit",
        "time_to_limit_s",
    ] {
        assert!(rss.get(key).is_some(), "series.{key}");
    }
    assert_eq!(
        (
            rss["kind"].as_str(),
            rss["unit"].as_str(),
            rss["verdict"].as_str()
        ),
        (Some("gauge"), Some("bytes"), Some("leak"))
    );
    assert_eq!(rss["labels"]["job"], "leak");
    // The limit given wins, and times are unix seconds.
    assert_eq!(rss["limit"].as_f64(), Some(125829120.0));
    assert!(rss["start"].as_f64().unwrap() > 1.7e9);
    let restart = &rss["restarts"][0];
    assert!(restart["time"].as_f64().unwrap() > 1.7e9 && restart["peak"].as_f64().unwrap() > 1e8);
    let segment = &rss["segments"][0];
    for key in ["start", "end", "slope_per_hour", "r2"] {
        assert!(segment.get(key).is_some(), "segments[0].{key}");
    }
    let p = &v["processes"][0];
    assert_eq!(
        (p["verdict"].as_str(), p["labels"]["instance"].as_str()),
        (Some("leak"), Some("127.0.0.1:19201"))
    );
    assert!(p["reason"].as_str().unwrap().contains("restarts"));
    assert!(v["warnings"].is_array());
    // A figure that does not apply is null, not absent.
    let goroutines = v["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "go_goroutines")
        .unwrap();
    assert!(
        goroutines["bytes_per_request"].is_null() && goroutines.get("bytes_per_request").is_some()
    );
}

#[test]
fn analyze_reads_stdin_and_refuses_profiles() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/series/steady/query_range.rss.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(["analyze", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&path).unwrap())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["inputs"][0]["file"], "-");
    assert_eq!(v["processes"][0]["verdict"], "steady");

    let o = leakscope(&["analyze", &data("go.heap.pb.gz")]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("analyze needs metrics or an OOM log among its files"),
        "{}",
        stderr(&o)
    );
    // Formatted (zoneless) times move with --utc-offset; epoch times do not.
    let start = |args: &[&str]| {
        let o = leakscope_here(args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (
            v["series"][0]["start"].as_f64().unwrap(),
            v["inputs"][0]["zone"].clone(),
        )
    };
    let formatted = "tests/data/series/steady/grafana-joined-formatted.csv";
    let (utc, zone) = start(&["analyze", "--format", "json", formatted]);
    assert!(zone.as_str().unwrap().contains("assumed"), "{zone}");
    let (east, zone) = start(&[
        "analyze",
        "--format",
        "json",
        "--utc-offset",
        "+01:00",
        formatted,
    ]);
    assert_eq!(
        (utc - east, zone.as_str()),
        (3600.0, Some("UTC+01:00 (given)"))
    );
    let (west, _) = start(&[
        "analyze",
        "--format",
        "json",
        "--utc-offset",
        "-05:00",
        formatted,
    ]);
    assert_eq!(west - utc, 18000.0);
    let o = leakscope(&[
        "analyze",
        "--utc-offset",
        "Mars/Olympus",
        &data("go.heap.pb.gz"),
    ]);
    assert!(stderr(&o).contains("not a UTC offset"), "{}", stderr(&o));
    let o = leakscope(&["analyze", "--limit", "lots", &data("go.heap.pb.gz")]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not a size"), "{}", stderr(&o));
}

#[test]
fn trend_names_the_growing_site() {
    let heaps: Vec<String> = (0..4)
        .map(|i| format!("tests/data/series/leak/heap.{i}.pb.gz"))
        .collect();
    let mut args = vec!["trend"];
    args.extend(heaps.iter().map(String::as_str));
    args.extend([
        "--metrics",
        "tests/data/series/leak/grafana-joined-epoch.csv",
    ]);
    let o = leakscope_here(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    common::check_golden(&golden("leak.trend.txt"), &stdout(&o));
    args.extend(["--format", "json"]);
    let o = leakscope_here(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    common::check_golden(&golden("leak.trend.json"), &stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let top = &v["suspects"][0];
    for key in [
        "name",
        "file",
        "line",
        "via",
        "values",
        "slope_per_hour",
        "share_of_growth",
        "monotonic",
        "verdict",
        "bytes_per_object",
        "bytes_per_request",
    ] {
        assert!(top.get(key).is_some(), "suspects[0].{key}");
    }
    assert_eq!(
        (
            top["name"].as_str(),
            top["line"].as_i64(),
            top["via"].as_str()
        ),
        (Some("main.(*Store).Keep"), Some(60), Some("bytes.Repeat"))
    );
    assert_eq!(v["snapshots"].as_array().unwrap().len(), 4);
    assert!(v["snapshots"][0]["time"].as_f64().unwrap() > 1.7e9);

    // One snapshot: a clear refusal.
    let o = leakscope_here(&["trend", "tests/data/series/leak/heap.0.pb.gz"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("at least two heap snapshots"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn link_carries_the_files_and_the_view() {
    let heap = data("go.heap.pb.gz");
    let o = leakscope(&[
        "link",
        &heap,
        "--site",
        "https://example.org/tools/leakscope/",
        "--view",
        "view=top&si=alloc_space",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let link = stdout(&o);
    let data = link
        .trim()
        .strip_prefix("https://example.org/tools/leakscope/#view=top&si=alloc_space&data=")
        .unwrap_or_else(|| panic!("{link}"));
    let files = leakscope::share::unpack(data).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "go.heap.pb.gz");
    assert_eq!(files[0].bytes, std::fs::read(&heap).unwrap());

    // A file leakscope cannot read makes no link.
    let garbage =
        std::env::temp_dir().join(format!("leakscope-garbage-{}.bin", std::process::id()));
    std::fs::write(&garbage, [0xffu8, 0x00, 0x13, 0x37, 0xfe]).unwrap();
    let o = leakscope(&["link", garbage.to_str().unwrap()]);
    std::fs::remove_file(&garbage).unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("leakscope-garbage"), "{}", stderr(&o));
}

/// A zip of `tests/data/series/leak/` files, written to a temporary file.
fn leak_zip(tag: &str, names: &[&str]) -> PathBuf {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for name in names {
        w.start_file(*name, options).unwrap();
        w.write_all(&std::fs::read(data(&format!("series/leak/{name}"))).unwrap())
            .unwrap();
    }
    let path = std::env::temp_dir().join(format!("leakscope-{tag}-{}.zip", std::process::id()));
    std::fs::write(&path, w.finish().unwrap().into_inner()).unwrap();
    path
}

#[test]
fn analyze_reads_a_zip_of_exports_as_its_files() {
    let names = [
        "grafana-joined-epoch.csv",
        "dmesg.txt",
        "heap.0.pb.gz",
        "heap.1.pb.gz",
        "heap.2.pb.gz",
        "heap.3.pb.gz",
    ];
    let zip = leak_zip("analyze", &names);
    let zip_name = zip.display().to_string();
    let loose: Vec<String> = names
        .iter()
        .map(|n| format!("tests/data/series/leak/{n}"))
        .collect();
    let mut args = vec!["analyze"];
    args.extend(loose.iter().map(String::as_str));
    let want = leakscope_here(&args);
    assert!(want.status.success(), "{}", stderr(&want));
    let got = leakscope_here(&["analyze", &zip_name]);
    assert!(got.status.success(), "{}", stderr(&got));
    // The same report, each member named inside the archive.
    let got = stdout(&got);
    assert!(
        got.contains(&format!("{zip_name}/dmesg.txt: oom-log")),
        "{got}"
    );
    assert_eq!(
        got.replace(&format!("{zip_name}/"), "tests/data/series/leak/"),
        stdout(&want)
    );

    // top of a zip holding one profile is top of that profile.
    let one = leak_zip("top", &["heap.3.pb.gz"]);
    let got = leakscope(&["top", &one.display().to_string()]);
    assert!(got.status.success(), "{}", stderr(&got));
    let want = leakscope(&["top", &data("series/leak/heap.3.pb.gz")]);
    assert_eq!(stdout(&got), stdout(&want));
    let _ = std::fs::remove_file(zip);
    let _ = std::fs::remove_file(one);
}

#[test]
fn a_bad_member_of_an_archive_is_reported_and_skipped() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    w.start_file("leak.csv", options).unwrap();
    w.write_all(&std::fs::read(data("series/leak/grafana-joined-epoch.csv")).unwrap())
        .unwrap();
    w.start_file("shot.png", options).unwrap();
    w.write_all(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let path = std::env::temp_dir().join(format!("leakscope-bad-{}.zip", std::process::id()));
    std::fs::write(&path, w.finish().unwrap().into_inner()).unwrap();
    let o = leakscope(&["analyze", &path.display().to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("LEAK"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("shot.png: a PNG image, not a profile"),
        "{}",
        stderr(&o)
    );
    let o = leakscope(&["analyze", "--max-members", "1", &path.display().to_string()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--max-members"), "{}", stderr(&o));
    let _ = std::fs::remove_file(path);
}

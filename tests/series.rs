//! Memory over time, on data the project made itself (tests/data/series,
//! see its README: a real Go service under real load, real OOM kills,
//! scraped by a real Prometheus) and on the shared corpus's demo export.
//!
//! The accuracy targets of the leak analysis are stated here:
//! - restart times exact to the sample;
//! - bytes per request within 10% of what the service keeps;
//! - no `leak` verdict on a steady series, in any format of any fixture.

mod common;

use std::path::{Path, PathBuf};

use leakscope::analysis::leak::work::IdleGrowth;
use leakscope::analysis::leak::{analyze, Analysis, AnalyzeOptions, SeriesAnalysis, Verdict};
use leakscope::import::{read, ImportOptions, Input};
use leakscope::model::series::{Series, SeriesSet};

const SCENARIOS: &[&str] = &["leak", "steady", "slowleak", "bgleak", "two"];

fn fixture_dir(scenario: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/series")
        .join(scenario)
}

/// The metric and log files of a scenario (not its heap profiles or run.json).
fn fixture_files(scenario: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir(scenario))
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.ends_with(".pb.gz") && name != "run.json"
        })
        .collect();
    files.sort();
    files
}

fn load(paths: &[PathBuf]) -> SeriesSet {
    let mut set = SeriesSet::default();
    for p in paths {
        let data = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        match read(&data, &ImportOptions::default()) {
            Ok(Input::Series(mut one)) => {
                for i in &mut one.inputs {
                    i.file = p.display().to_string();
                }
                set.extend(one);
            }
            Ok(Input::Profile(_)) => panic!("{}: read as a profile", p.display()),
            Err(e) => panic!("{}: {e}", p.display()),
        }
    }
    set
}

fn analyze_files(paths: &[PathBuf]) -> Analysis {
    analyze(&load(paths), &AnalyzeOptions::default())
}

fn file(scenario: &str, name: &str) -> PathBuf {
    fixture_dir(scenario).join(name)
}

/// run.json: what the generator did (the truth to compare against).
fn run(scenario: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(file(scenario, "run.json")).unwrap()).unwrap()
}

fn series<'a>(a: &'a Analysis, name: &str, instance_port: &str) -> &'a SeriesAnalysis {
    a.series
        .iter()
        .find(|s| {
            s.name == name
                && s.labels
                    .get("instance")
                    .is_some_and(|i| i.ends_with(instance_port))
        })
        .unwrap_or_else(|| panic!("no {name} for port {instance_port}"))
}

fn expected_format(name: &str) -> &'static str {
    match name {
        "dmesg.txt" => "oom-log",
        "federate.txt" => "prometheus-text",
        "promtool-dump.txt" => "promtool-tsdb-dump",
        "grafana-series-rows.csv" => "grafana-csv-series-as-rows",
        n if n.starts_with("grafana-") => "grafana-csv",
        n if n.starts_with("query_range.") => "prometheus-json-matrix",
        n if n.starts_with("query.") => "prometheus-json-vector",
        n => panic!("unexpected fixture {n}"),
    }
}

#[test]
fn every_fixture_imports_as_what_it_is() {
    let mut checked = 0;
    for scenario in SCENARIOS {
        let processes = run(scenario)["instances"].as_array().unwrap().len();
        for path in fixture_files(scenario) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let set = load(std::slice::from_ref(&path));
            let input = &set.inputs[0];
            assert_eq!(input.format, expected_format(&name), "{}", path.display());
            assert_eq!(
                input.skipped_rows,
                0,
                "{}: {:?}",
                path.display(),
                input.warnings
            );
            if name == "dmesg.txt" {
                assert_eq!(
                    input.oom_kills,
                    run(scenario)["deaths"].as_array().unwrap().len()
                );
                continue;
            }
            assert!(input.points > 0, "{}", path.display());
            // Joined exports hold the 7 series of each process.
            if name.starts_with("grafana-") && name != "grafana-single.csv" {
                assert_eq!(input.series, 7 * processes, "{}", path.display());
            }
            match name.as_str() {
                "grafana-joined-semicolon.csv" => assert_eq!(input.delimiter.as_deref(), Some(";")),
                "grafana-excel-utf16.csv" => {
                    assert_eq!(input.delimiter.as_deref(), Some("tab"));
                    assert_eq!(input.encoding, "utf-16le (BOM)");
                }
                "grafana-joined-formatted.csv" => {
                    assert_eq!(input.time.as_deref(), Some("YYYY-MM-DD HH:mm:ss"));
                    assert!(
                        input.zone.as_deref().unwrap_or("").contains("UTC"),
                        "{input:?}"
                    );
                }
                "grafana-joined-epoch.csv" => assert_eq!(input.time.as_deref(), Some("epoch-ms")),
                _ => {}
            }
            checked += 1;
        }
    }
    assert!(checked >= 80, "only {checked} fixture files");
}

fn find<'a>(set: &'a SeriesSet, name: &str, port: &str) -> &'a Series {
    set.series
        .iter()
        .find(|s| s.name == name && s.label("instance").is_some_and(|i| i.ends_with(port)))
        .unwrap_or_else(|| panic!("no {name} for {port} in {:?}", set.inputs[0].file))
}

/// The Grafana shapes were rendered from the Prometheus JSON: whatever the
/// shape, the points read back must be the same.
#[test]
fn grafana_shapes_agree_with_the_prometheus_json() {
    for scenario in SCENARIOS {
        let port = run(scenario)["instances"][0]["port"].to_string();
        let json = load(&[file(scenario, "query_range.rss.json")]);
        let truth = find(&json, "process_resident_memory_bytes", &port);
        for shape in [
            "grafana-joined-epoch.csv",
            "grafana-joined-formatted.csv",
            "grafana-joined-semicolon.csv",
            "grafana-excel.csv",
            "grafana-excel-utf16.csv",
            "grafana-series-rows.csv",
            "grafana-single.csv",
        ] {
            let set = load(&[file(scenario, shape)]);
            let got = find(&set, "process_resident_memory_bytes", &port);
            assert_eq!(got.values, truth.values, "{scenario}/{shape}");
            // Formatted times keep whole seconds only.
            let tolerance = if shape.contains("epoch") || shape.contains("single") {
                0.0011
            } else {
                1.0
            };
            for (a, b) in got.times.iter().zip(&truth.times) {
                assert!((a - b).abs() < tolerance, "{scenario}/{shape}: {a} vs {b}");
            }
        }
    }
}

fn process<'a>(a: &'a Analysis, port: &str) -> &'a leakscope::analysis::leak::ProcessAnalysis {
    a.processes
        .iter()
        .find(|p| p.labels.get("instance").is_some_and(|i| i.ends_with(port)))
        .unwrap_or_else(|| panic!("no process on port {port}"))
}

#[test]
fn verdicts_on_the_fixtures() {
    let joined = |s: &str| analyze_files(&[file(s, "grafana-joined-epoch.csv")]);

    let leak = analyze_files(&[
        file("leak", "grafana-joined-epoch.csv"),
        file("leak", "dmesg.txt"),
    ]);
    let p = process(&leak, "19201");
    assert_eq!(p.verdict, Verdict::Leak, "{}", p.reason);
    assert_eq!((p.restarts, p.oom_kills), (3, 3), "{}", p.reason);
    assert_eq!(p.growth_when_idle, Some(IdleGrowth::Stops), "{}", p.reason);
    // The OOM log states the cgroup limit the kernel enforced.
    let rss = series(&leak, "process_resident_memory_bytes", "19201");
    assert_eq!(rss.limit, run("leak")["instances"][0]["limit"].as_f64());
    assert_eq!(rss.limit_source, Some("oom-log"));
    // Without the log, the limit is inferred from where the restarts happen.
    let rss = series(&joined("leak"), "process_resident_memory_bytes", "19201").clone();
    assert_eq!(rss.limit_source, Some("restart-peaks"));
    let peaks: Vec<f64> = rss.restarts.iter().map(|r| r.peak).collect();
    assert!(
        peaks
            .iter()
            .all(|&p| p <= rss.limit.unwrap() && p > 0.9 * rss.limit.unwrap()),
        "{peaks:?} {:?}",
        rss.limit
    );

    let steady = joined("steady");
    assert_eq!(
        process(&steady, "19202").verdict,
        Verdict::Steady,
        "{}",
        process(&steady, "19202").reason
    );

    let slow = joined("slowleak");
    let p = process(&slow, "19203");
    assert_eq!((p.verdict, p.restarts), (Verdict::Leak, 0), "{}", p.reason);
    assert_eq!(p.growth_when_idle, Some(IdleGrowth::Stops), "{}", p.reason);

    // A leak by a background goroutine: growth goes on with no requests,
    // and next to nothing is charged to each request.
    let bg = joined("bgleak");
    let p = process(&bg, "19204");
    assert_eq!(p.verdict, Verdict::Leak, "{}", p.reason);
    assert_eq!(
        p.growth_when_idle,
        Some(IdleGrowth::Continues),
        "{}",
        p.reason
    );
    assert!(
        p.bytes_per_request.unwrap().abs() < 1000.0,
        "{:?}",
        p.bytes_per_request
    );
    let heap = series(&bg, "go_memstats_heap_inuse_bytes", "19204");
    // The goroutine keeps 10000 B (a 10240-B object) every 50 ms: 204.8 kB/s.
    let per_second = heap.background_bytes_per_second.unwrap();
    assert!(
        (per_second - 204_800.0).abs() < 0.2 * 204_800.0,
        "{per_second}"
    );

    // Two processes: the leaking one first.
    let two = joined("two");
    let (l, s) = (process(&two, "19205"), process(&two, "19206"));
    assert_eq!((l.verdict, l.rank), (Verdict::Leak, 1), "{}", l.reason);
    assert_eq!((s.verdict, s.rank), (Verdict::Steady, 2), "{}", s.reason);
}

/// The times `process_start_time_seconds` takes after its first value.
fn start_times(set: &SeriesSet, port: &str) -> Vec<f64> {
    let st = find(set, "process_start_time_seconds", port);
    let mut out: Vec<f64> = Vec::new();
    for w in st.values.windows(2) {
        if w[1] != w[0] {
            out.push(w[1]);
        }
    }
    out
}

#[test]
fn restart_times_are_exact_to_the_sample() {
    let set = load(&[file("leak", "grafana-joined-epoch.csv")]);
    let truth = start_times(&set, "19201");
    assert_eq!(truth.len(), 3);
    // Each new process started after the supervisor saw the kill.
    let deaths = run("leak")["deaths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["time"].as_f64().unwrap())
        .collect::<Vec<_>>();
    for (start, death) in truth.iter().zip(&deaths) {
        assert!(
            start - death >= -1.0 && start - death < 5.0,
            "start {start} death {death}"
        );
    }
    for shape in [
        "grafana-joined-epoch.csv",
        "grafana-series-rows.csv",
        "promtool-dump.txt",
    ] {
        let a = analyze_files(&[file("leak", shape)]);
        let got: Vec<f64> = series(&a, "process_resident_memory_bytes", "19201")
            .restarts
            .iter()
            .map(|r| r.time)
            .collect();
        assert_eq!(got, truth, "{shape}");
    }
    // With the memory series alone, a restart is the first sample of the new
    // life: the first at or after the start time.
    let single = analyze_files(&[file("leak", "grafana-single.csv")]);
    let rss = series(&single, "process_resident_memory_bytes", "19201");
    let times = &find(&set, "process_resident_memory_bytes", "19201").times;
    let first_after: Vec<f64> = truth
        .iter()
        .map(|&t| times[times.partition_point(|&x| x < t)])
        .collect();
    assert_eq!(
        rss.restarts.iter().map(|r| r.time).collect::<Vec<_>>(),
        first_after
    );
    // OOM kills from dmesg (seconds since boot) land on those restarts.
    let with_log = analyze_files(&[
        file("leak", "grafana-joined-epoch.csv"),
        file("leak", "dmesg.txt"),
    ]);
    let rss = series(&with_log, "process_resident_memory_bytes", "19201");
    let p = &with_log.processes[rss.process];
    assert_eq!(p.restart_events.len(), 3);
    for r in &p.restart_events {
        let kill = r.oom_kill.as_ref().expect("every restart was an OOM kill");
        assert_eq!(kill.process, "leaksvc");
        assert!(kill.rss_bytes.unwrap() > 100e6, "{kill:?}");
    }
}

/// What the service keeps per request: a buffer of -bytes rounded up to
/// Go's size class (1000 → 1024, 10000 → 10240), plus its 24-byte slice
/// element.
fn kept_per_request(scenario: &str, instance: usize) -> f64 {
    let args = &run(scenario)["instances"][instance]["args"];
    let bytes: f64 = args[1].as_str().unwrap().parse().unwrap();
    let size_class = match bytes as u64 {
        1000 => 1024.0,
        10000 => 10240.0,
        other => panic!("no size class noted for {other}"),
    };
    size_class + 24.0
}

fn within(got: Option<f64>, truth: f64, tolerance: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: no figure"));
    assert!(
        (got - truth).abs() <= tolerance * truth,
        "{what}: {got} vs {truth}"
    );
}

#[test]
fn bytes_per_request_within_ten_percent() {
    for (scenario, port, instance) in [
        ("leak", "19201", 0),
        ("slowleak", "19203", 0),
        ("two", "19205", 0),
    ] {
        let truth = kept_per_request(scenario, instance);
        for shape in ["grafana-joined-epoch.csv", "promtool-dump.txt"] {
            let a = analyze_files(&[file(scenario, shape)]);
            for s in a.series.iter().filter(|s| {
                s.name.starts_with("go_memstats_heap_") && s.labels["instance"].ends_with(port)
            }) {
                let name = &s.name;
                within(
                    s.bytes_per_request,
                    truth,
                    0.10,
                    &format!("{scenario}/{shape} {name}"),
                );
                assert!(
                    s.per_request_r2.unwrap() > 0.9,
                    "{scenario} {name}: {:?}",
                    s.per_request_r2
                );
            }
            within(
                process(&a, port).bytes_per_request,
                truth,
                0.10,
                &format!("{scenario}/{shape} process"),
            );
        }
    }
}

#[test]
fn no_false_leak_on_steady_series() {
    let mut judged = 0;
    for scenario in SCENARIOS {
        let steady_ports: Vec<String> = run(scenario)["instances"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["mode"] == "steady")
            .map(|i| i["port"].to_string())
            .collect();
        for path in fixture_files(scenario) {
            let a = analyze_files(std::slice::from_ref(&path));
            for s in &a.series {
                let port = s
                    .labels
                    .get("instance")
                    .map(|i| i.rsplit(':').next().unwrap().to_string());
                let steady_process = port.is_some_and(|p| steady_ports.contains(&p));
                // Goroutines of every service here stay bounded.
                if steady_process || s.name == "go_goroutines" {
                    if s.verdict.is_some() {
                        judged += 1;
                    }
                    assert_ne!(
                        s.verdict,
                        Some(Verdict::Leak),
                        "{}: {} {:?}",
                        path.display(),
                        s.display,
                        s.reason
                    );
                }
            }
        }
    }
    assert!(judged >= 50, "only {judged} steady series judged");
}

#[test]
fn the_demo_export_from_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let path = corpus.join("demo/leak.grafana-joined.csv");
    let set = load(std::slice::from_ref(&path));
    let input = &set.inputs[0];
    assert_eq!(
        (input.format.as_str(), input.delimiter.as_deref()),
        ("grafana-csv", Some(","))
    );
    assert!(
        input.zone.as_deref().unwrap_or("").contains("assumed"),
        "{input:?}"
    );
    let a = analyze(&set, &AnalyzeOptions::default());
    let truth = start_times(&set, "19101");
    assert_eq!(truth.len(), 6);
    for name in [
        "process_resident_memory_bytes",
        "go_memstats_heap_inuse_bytes",
    ] {
        let s = series(&a, name, "19101");
        assert_eq!(s.verdict, Some(Verdict::Leak), "{name}: {:?}", s.reason);
        assert_eq!(
            s.restarts.iter().map(|r| r.time).collect::<Vec<_>>(),
            truth,
            "{name}"
        );
    }
    let heap = series(&a, "go_memstats_heap_inuse_bytes", "19101");
    within(heap.bytes_per_request, 10_000.0, 0.10, "demo heap in use");
    let p = process(&a, "19101");
    assert_eq!((p.verdict, p.restarts), (Verdict::Leak, 6));
}

#[test]
fn bad_rows_are_skipped_and_named() {
    let text = std::fs::read_to_string(file("steady", "grafana-joined-epoch.csv")).unwrap();
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    lines.insert(5, "not a time,1,2,3,4,5,6,7");
    lines.insert(9, "1795474520000,oops,2,3");
    let broken = lines.join("\r\n");
    let Input::Series(set) = read(broken.as_bytes(), &ImportOptions::default()).unwrap() else {
        panic!("not series");
    };
    let input = &set.inputs[0];
    assert_eq!(input.skipped_rows, 1, "{:?}", input.warnings);
    assert!(
        input.warnings.iter().any(|w| w.contains("line 6")),
        "{:?}",
        input.warnings
    );
    // A cell that is no number is a gap in its own series, reported too.
    assert!(
        input.warnings.iter().any(|w| w.contains("line 10")),
        "{:?}",
        input.warnings
    );
    let good = load(&[file("steady", "grafana-joined-epoch.csv")]);
    assert_eq!(set.series.len(), good.series.len());

    let err = read(
        b"hello, world\nthis is, not a series\n",
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("not a profile or a time series"),
        "{err}"
    );
}

//! Families 4 (call-graph layout) and 5 (many series).

use super::*;

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // 4. Stacks that are random permutations of N functions keep ~N² edges
    //    through pprof's pruning; laying them all out took minutes.
    // The drawing keeps the heaviest calls and says how many it left out.
    for (name, n) in [("graph-permutations-40", 40), ("graph-permutations-80", 80)] {
        cases.push(
            Case::new(4, name)
                .file("perm.pb.gz", gzip(&encode(&permutations(n, 4 * n))))
                .args(&["svg", "{0}"])
                .stdout_contains("calls not drawn: the lightest")
                .page("view=graph"),
        );
    }
    // Every sample with a label set of its own: each node's tags (DOT's
    // nodelets) were found by comparing strings with all the node had.
    for (name, command) in [
        ("graph-distinct-label-sets-dot", "dot"),
        ("graph-distinct-label-sets-svg", "svg"),
    ] {
        cases.push(
            Case::new(4, name)
                .file("labels.pb.gz", gzip(&encode(&distinct_label_sets(100_000))))
                .args(&[command, "{0}"])
                .stdout_contains("main.handle"),
        );
    }
    cases.last_mut().unwrap().page = Some("view=graph");
    // `dot` is not laid out: pprof's text, fast.
    cases.push(
        Case::new(4, "graph-permutations-80-dot")
            .file("perm.pb.gz", gzip(&encode(&permutations(80, 320))))
            .args(&["dot", "{0}"])
            .stdout_contains("digraph"),
    );

    // 5. Many one-point series: quadratic joins took minutes.
    let text = gzip(prom_text(200_000).as_bytes());
    let json = gzip(prom_json(200_000).as_bytes());
    let rows = gzip(grafana_rows(80_000).as_bytes());
    for (name, file, bytes) in [
        ("series-200k-prom-text", "federate.txt.gz", text),
        ("series-200k-prom-json", "query_range.json.gz", json),
        ("series-80k-grafana-rows", "grafana-rows.csv.gz", rows),
    ] {
        cases.push(
            Case::new(5, name)
                .file(file, bytes)
                .args(&["analyze", "{0}"])
                .page("view=overview"),
        );
    }
    // An OOM log that counts seconds since boot beside a process that
    // restarted at every scrape: each restart less each kill's seconds
    // was tried as the boot time against every kill and every restart
    // (300 of each: 29 s). The nearest restart is found by a binary
    // search now, and past a bound the kills are left off the time axis,
    // with a note.
    for (name, n, says) in [
        ("oom-boot-300", 300, "kills line up with restarts"),
        ("oom-boot-2000", 2_000, "is past what leakscope tries"),
    ] {
        cases.push(
            Case::new(5, name)
                .file("metrics.txt", restarting_process(n).into_bytes())
                .file("dmesg.txt", boot_clock_kills(n).into_bytes())
                .args(&["analyze", "{0}", "{1}"])
                .stdout_contains(says)
                .page("view=overview"),
        );
    }
    // An archive of thousands of members of one name: the page numbers
    // them (`m.csv (2)` …) and once searched every name for each number.
    cases.push(
        Case::new(5, "files-4k-one-name")
            .file("same.tar.gz", gzip(&same_name_tar(4_000)))
            .args(&["analyze", "{0}"])
            .stdout_contains("appear in more than one file")
            .page("view=overview")
            .page_says("3994 more"),
    );
    cases
}

/// A profile of `samples` samples of one stack (main.main → main.handle
/// → main.alloc), each with its own `request` label and `bytes` value.
fn distinct_label_sets(samples: usize) -> wire::Profile {
    let names = ["main.main", "main.handle", "main.alloc"];
    let mut strings: Vec<Vec<u8>> = ["", "alloc_space", "bytes", "request"]
        .iter()
        .chain(&names)
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let function = (0..3)
        .map(|i| wire::Function {
            id: i + 1,
            name: 4 + i as i64,
            ..Default::default()
        })
        .collect();
    let location = (0..3)
        .map(|i| wire::Location {
            id: i + 1,
            line: vec![wire::Line {
                function_id: i + 1,
                line: 1,
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    let sample = (0..samples)
        .map(|i| {
            strings.push(format!("r{i}").into_bytes());
            wire::Sample {
                location_id: vec![3, 2, 1],
                value: vec![1024],
                label: vec![
                    wire::Label {
                        key: 3,
                        str: strings.len() as i64 - 1,
                        ..Default::default()
                    },
                    wire::Label {
                        key: 2,
                        num: 8 * i as i64,
                        num_unit: 2,
                        ..Default::default()
                    },
                ],
            }
        })
        .collect();
    wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
        sample,
        location,
        function,
        string_table: strings,
        ..Default::default()
    }
}

/// One process's memory and start time in Prometheus' text format with
/// timestamps, scraped every 10 s, restarting at each of `restarts` scrapes.
fn restarting_process(restarts: usize) -> String {
    const START: f64 = 1_796_072_335.0;
    let labels = "instance=\"10.0.0.1:8080\",job=\"svc\"";
    let mut out = String::new();
    for (name, value) in [
        (
            "process_resident_memory_bytes",
            &(|i: usize, _| 1e6 + (i % 2) as f64 * 5e7) as &dyn Fn(usize, f64) -> f64,
        ),
        ("process_start_time_seconds", &|_, t: f64| (t - 2.0).floor()),
    ] {
        for i in 0..=restarts {
            let t = START + i as f64 * 10.0;
            out.push_str(&format!(
                "{name}{{{labels}}} {} {}\n",
                value(i, t),
                (t * 1000.0) as i64
            ));
        }
    }
    out
}

/// A kernel log of `n` OOM kills of `svc`, timed in seconds since boot only.
fn boot_clock_kills(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "[{:.6}] Memory cgroup out of memory: Killed process {} (svc) total-vm:1160748kB, anon-rss:122112kB, file-rss:8596kB, shmem-rss:0kB, UID:0\n",
                1000.0 + i as f64 * 7.3,
                1000 + i
            )
        })
        .collect()
}

/// A tar of `n` members all named `m.csv`, each a two-point memory series.
fn same_name_tar(n: usize) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for i in 0..n {
        let csv = format!(
            "time,process_resident_memory_bytes\n2026-11-23T23:00:00Z,{0}\n2026-11-23T23:01:00Z,{0}\n",
            1_000_000 + i
        );
        let mut header = tar::Header::new_gnu();
        header.set_size(csv.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "m.csv", csv.as_bytes())
            .unwrap();
    }
    tar.into_inner().unwrap()
}

/// A deterministic linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound as u64) as usize
    }
}

/// A profile of `n` functions and `samples` stacks, each stack a random
/// permutation of all of them, each sample of the same value: every
/// function's cum is the total, and edges survive pprof's edge fraction.
fn permutations(n: usize, samples: usize) -> wire::Profile {
    let mut strings: Vec<Vec<u8>> = vec![b"".to_vec(), b"samples".to_vec(), b"count".to_vec()];
    let mut functions = Vec::new();
    let mut locations = Vec::new();
    for i in 0..n {
        strings.push(format!("main.function{i:03}").into_bytes());
        functions.push(wire::Function {
            id: i as u64 + 1,
            name: strings.len() as i64 - 1,
            ..Default::default()
        });
        locations.push(wire::Location {
            id: i as u64 + 1,
            line: vec![wire::Line {
                function_id: i as u64 + 1,
                line: 1,
                ..Default::default()
            }],
            ..Default::default()
        });
    }
    let mut rng = Lcg(14);
    let sample = (0..samples)
        .map(|_| {
            let mut stack: Vec<u64> = (1..=n as u64).collect();
            for i in (1..n).rev() {
                stack.swap(i, rng.next(i + 1));
            }
            wire::Sample {
                location_id: stack,
                value: vec![1],
                ..Default::default()
            }
        })
        .collect();
    wire::Profile {
        sample_type: vec![wire::ValueType { r#type: 1, unit: 2 }],
        sample,
        location: locations,
        function: functions,
        string_table: strings,
        ..Default::default()
    }
}

/// `n` one-point RSS series (each its own instance), Prometheus
/// exposition text with timestamps (as `/federate` writes).
fn prom_text(n: usize) -> String {
    let mut out = String::from("# TYPE process_resident_memory_bytes gauge\n");
    for i in 0..n {
        out.push_str(&format!(
            "process_resident_memory_bytes{{instance=\"10.{}.{}.{}:9100\",job=\"many\"}} {} {}\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255,
            1_000_000 + i,
            1_795_475_130_514u64 + (i as u64 % 600) * 1000
        ));
    }
    out
}

/// The same as a Prometheus query_range answer.
fn prom_json(n: usize) -> String {
    let mut out = String::from(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"metric":{{"__name__":"process_resident_memory_bytes","instance":"10.{}.{}.{}:9100","job":"many"}},"values":[[{}.514,"{}"]]}}"#,
            i >> 16,
            (i >> 8) & 255,
            i & 255,
            1_795_475_130 + i % 600,
            1_000_000 + i
        ));
    }
    out.push_str("]}}");
    out
}

/// `n` one-point series as Grafana's "series as rows" CSV.
fn grafana_rows(n: usize) -> String {
    let mut out = String::from("\"Series\";\"Time\";\"Value\"\n");
    for i in 0..n {
        out.push_str(&format!(
            "\"process_resident_memory_bytes{{instance=\"\"10.{}.{}.{}:9100\"\", job=\"\"many\"\"}}\";\"2026-11-23T23:{:02}:{:02}+00:00\";{}\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255,
            (i / 60) % 60,
            i % 60,
            1_000_000 + i
        ));
    }
    out
}

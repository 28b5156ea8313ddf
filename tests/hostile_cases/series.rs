//! Family 5: many series, processes, restarts, kills and columns; each
//! once met a linear scan per item.

use super::*;

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // Many one-point series: quadratic joins took minutes.
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
    // A process that restarted at every scrape: each restart searched
    // every life for the one it ended (40,000 restarts: 4.8 s).
    cases.push(
        Case::new(5, "restarts-40k")
            .file("metrics.txt", restarting_process(40_000).into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("40000 restarts")
            .page("view=overview"),
    );
    // Kills of that process from a log with wall-clock times: each kill
    // scanned every restart for the nearest it can have caused (10,000
    // kills, 40,000 restarts: 1.3 s).
    cases.push(
        Case::new(5, "oom-10k-kills-40k-restarts")
            .file("metrics.txt", restarting_process(40_000).into_bytes())
            .file("kern.log", kills_of_svc(10_000).into_bytes())
            .args(&["analyze", "{0}", "{1}"])
            .stdout_contains("40000 restarts (10000 OOM kills)")
            .page("view=overview"),
    );
    // The same kernel log twice (kern.log and messages hold the same
    // lines) beside that process: each kill's row searched every
    // retelling (40,000 kills told twice: 2.5 s), and a retelling took a
    // second restart near its kill (restarts 10 s apart), counting it
    // twice: "40000 restarts (21623 OOM kills)". The kills every 37 s
    // from 5 s that a restart can have caused (the last at 399,998 s,
    // 15 s of tolerance) are the first 10,812.
    cases.push(
        Case::new(5, "oom-20k-kills-told-twice")
            .file("metrics.txt", restarting_process(40_000).into_bytes())
            .file("kern.log", kills_of_svc(20_000).into_bytes())
            .file("messages", kills_of_svc(20_000).into_bytes())
            .args(&["analyze", "{0}", "{1}", "{2}"])
            .stdout_contains("40000 restarts (10812 OOM kills)")
            .page("view=overview"),
    );
    // Hundreds of memory series of one process that restarted 40,000
    // times, each scraped over 20 of its lives: every series carried a
    // report of every restart (400 × 40,001 with the headline: 18.4 s and
    // 2.5 GB). Now the process holds its restarts once, and a series only
    // those that ended a life it was seen in.
    cases.push(
        Case::new(5, "restarts-40k-series-400")
            .file(
                "metrics.txt",
                (restarting_process(40_000) + &areas_over_lives(400, 20)).into_bytes(),
            )
            .args(&["analyze", "{0}"])
            .stdout_contains("40000 restarts\n")
            .page("view=overview"),
    );
    // Its Memory chart: a dashed line for each pixel column with restarts
    // was ~35,000 polylines, 3.3 MB of SVG, whose decoding as an image
    // held the page's main thread 0.6 s (unseen by the Long Tasks API).
    cases.push(
        Case::new(5, "restarts-40k-memory-chart")
            .file("metrics.txt", restarting_process(40_000).into_bytes())
            .args(&["analyze", "{0}", "--chart", "{dir}/memory.svg"])
            .stdout_contains("40000 restarts\n")
            .page("view=charts")
            .page_says("restarts too close together to draw as lines"),
    );
    // 5,000 lives, each rising: a floor line each, nearly vertical at a
    // fraction of a pixel wide, dashed: 45,000 polylines (4.4 MB of SVG).
    cases.push(
        Case::new(5, "rising-lives-5k-memory-chart")
            .file("metrics.txt", rising_lives(5_000).into_bytes())
            .args(&["analyze", "{0}", "--chart", "{dir}/memory.svg"])
            .stdout_contains("the floor rose in 4999 of 5000 lives")
            .page("view=charts")
            .page_says("lives narrower than 3 pixels not drawn"),
    );
    // An idle stretch after every few scrapes: each point summed the idle
    // time of every stretch (80,000 points, 16,000 stretches: 2.6 s). Its
    // Memory chart shaded each stretch: 16,000 rectangles, 1.5 MB of SVG.
    cases.push(
        Case::new(5, "idle-stretches-16k")
            .file("metrics.txt", idle_every_few_scrapes(80_000).into_bytes())
            .args(&["analyze", "{0}", "--chart", "{dir}/memory.svg"])
            .stdout_contains("growth goes on while idle")
            .page("view=charts")
            .page_says("16000 idle stretches (no requests) shaded"),
    );
    // Thousands of processes running when a heap snapshot was taken:
    // tying it searched every process's labels for each of every other's
    // (10,000: 2.7 s). A file name that holds one process's host ties it
    // to that process; a bare one to none, naming how many ran.
    let around_heap = HEAP_TAKEN - 10.0;
    for (name, file, says) in [
        (
            "processes-10k-snapshot",
            "replica-9999-heap.pb.gz",
            "its path names replica-9999",
        ),
        (
            "processes-10k-snapshot-unnamed",
            "heap.pb.gz",
            "9994 more); its name does not say which: put each instance's snapshots in a folder named after it (e.g. instance-replica-0/)",
        ),
    ] {
        cases.push(
            Case::new(5, name)
                .file("metrics.txt", processes(10_000, around_heap).into_bytes())
                .file(file, HEAP.to_vec())
                .args(&["analyze", "{0}", "{1}"])
                .stdout_contains(says)
                .page("view=overview"),
        );
    }
    // Thousands of snapshots, each in a folder named by a host, beside
    // thousands of processes: each snapshot searched every process's
    // words and its group every group before it. Beside Go services of
    // twenty series each: each snapshot's group read its process's series
    // and requests by a scan of every series (2,000 snapshots beside
    // 10,000 services: 19 s).
    for (name, metrics) in [
        ("snapshots-2k-processes-10k", processes(10_000, around_heap)),
        (
            "snapshots-2k-go-services-4k",
            go_services(4_000, around_heap),
        ),
    ] {
        cases.push(
            Case::new(5, name)
                .file("metrics.txt", metrics.into_bytes())
                .file("heaps.tar.gz", gzip(&heaps_by_port(2_000)))
                .args(&["analyze", "{0}", "{1}"])
                .stdout_contains(
                    r#"{instance="replica-1999:8080", job="svc"}: its path names replica-1999"#,
                )
                .page("view=overview"),
        );
    }
    // A heap snapshot in each of thousands of lives of one process: each
    // snapshot worked out every life of the process, and each series (a
    // life's snapshots) named every other life's series in full.
    cases.push(
        Case::new(5, "snapshots-5k-lives")
            .file("metrics.txt", restarting_process(40_000).into_bytes())
            .file(
                "heaps.tar.gz",
                gzip(&heaps((0..5_000).map(|j| {
                    (format!("heaps/heap.{j}.pb"), START + 5.0 + j as f64 * 80.0)
                }))),
            )
            .args(&["analyze", "{0}", "{1}"])
            .stdout_contains("4993 more (another life of the process")
            .page("view=trend"),
    );
    // Thousands of snapshots of one process, no allocation site in two
    // of them (each names its functions anew): the trend held every site
    // in every snapshot, 26,000 × 2,000 (5.9 GB, 16 s).
    cases.push(
        Case::new(5, "snapshots-2k-distinct-sites")
            .file("heaps.tar.gz", gzip(&heaps_distinct_sites(2_000)))
            .args(&["trend", "{0}"])
            .stdout_contains("24000 of 26000 sites left out of the trend")
            // None of them could be growing, so the verdict covers them.
            .stdout_contains("None of those left out could be growing")
            .stdout_contains("No site grows beyond what sampling explains")
            .page("view=trend"),
    );
    // Two snapshots of each of 200 processes: 200 series to trend; the
    // Trend view makes and draws the first 20 by rank.
    cases.push(
        Case::new(5, "snapshots-2-each-200-processes")
            .file("metrics.txt", processes(200, START).into_bytes())
            .file(
                "heaps.tar.gz",
                gzip(&heaps((0..400).map(|i| {
                    let (j, k) = (i / 2, i % 2);
                    (format!("heaps/replica-{j}/heap.{k}.pb"), START + 5.0 + k as f64 * 10.0)
                }))),
            )
            .args(&["analyze", "{0}", "{1}"])
            .stdout_contains(
                r#"heaps.tar.gz/heaps/replica-199/heap.1.pb (2 files) of {instance="replica-199:8080", job="svc"}"#,
            )
            .page("view=trend")
            .page_says("180 more series of snapshots not shown"),
    );
    // Thousands of OOM kills that name no process beside thousands of
    // processes: each kill scanned every process's labels (10,000 × 10,000: 2.6 s).
    cases.push(
        Case::new(5, "oom-10k-kills-10k-processes")
            .file("metrics.txt", processes(10_000, START).into_bytes())
            .file("kern.log", unnamed_kills(10_000).into_bytes())
            .args(&["analyze", "{0}", "{1}"])
            .stdout_contains("10000 OOM kills name no process")
            .page("view=overview")
            .page_says("the first 500 of 10,000 rows"),
    );
    // cAdvisor's containers: each series searched every container for
    // its own (10,000 containers: 2.0 s).
    cases.push(
        Case::new(5, "cadvisor-10k-containers")
            .file("cadvisor.txt", cadvisor_containers(10_000).into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("pod-9999")
            .page("view=overview"),
    );
    // `kubectl describe` of those pods, each container OOMKilled once:
    // each kill walked every process holding `container="app"` until
    // its pod's (10,000 × 10,000: 2.2 s).
    cases.push(
        Case::new(5, "oom-10k-pods-10k-containers")
            .file("cadvisor.txt", cadvisor_containers(10_000).into_bytes())
            .file("describe.txt", oom_killed_pods(10_000).into_bytes())
            .args(&["analyze", "{0}", "{1}"])
            .stdout_contains(
                r#"OOM kills of {container="app", namespace="default", pod="pod-9999"}"#,
            )
            .page("view=overview"),
    );
    // The same pods as `kubectl get pod -o json`: each container's line
    // was found by searching the text from its start (4,000 pods: 4.4 s),
    // and the page's card told every container in its headline.
    cases.push(
        Case::new(5, "kubectl-json-4k-pods")
            .file("pods.json", oom_killed_pods_json(4_000).into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("4000 OOM kills, 4000 containers")
            .page("view=overview")
            .page_says("3994 more containers restarted or ended"),
    );
    // A wide CSV of (time, value) column pairs: each cell searched the
    // key's every column for its series (10,000 pairs: 1.5 s).
    cases.push(
        Case::new(5, "csv-10k-column-pairs")
            .file("pairs.csv", column_pairs(10_000, 20).into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("mem_bytes_9999")
            .page("view=overview"),
    );
    // A header as wide as the column limit over many two-cell rows: the
    // CSV reader's iterator cloned each row with the bounds of the widest
    // row yet (19,999 columns over 200,000 rows: 4.4 s).
    cases.push(
        Case::new(5, "csv-wide-header-200k-rows")
            .file("wide.csv", wide_header(19_998, 200_000).into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("1 series, 200000 points")
            .page("view=overview"),
    );
    // A month of hourly exports of one series: each export, a copy of the
    // series, was looked up in a copy of all merged so far and the whole
    // sorted after it (4,000 exports of 60 points: 18.7 s).
    cases.push(
        Case::new(5, "exports-4k-hourly")
            .file("exports.tar.gz", gzip(&hourly_exports(4_000)))
            .args(&["analyze", "{0}"])
            .stdout_contains("1 series appear in more than one file")
            .page("view=overview"),
    );
    // Request counters that come and go (a path each, seen twice): the
    // requests were summed by interpolating every counter at every time
    // any has (10,000 counters: 20,000 times × 10,000 counters).
    cases.push(
        Case::new(5, "counters-10k-short-lived")
            .file("metrics.txt", short_lived_counters(10_000).into_bytes())
            .args(&["analyze", "{0}"])
            .stdout_contains("10001 series, 22002 points")
            // A counter no longer scraped still counts: requests never
            // stop, and no idle stretch leaves the memory too few points
            // (the sum fell as counters vanished, read as idle).
            .stdout_lacks("too little to tell growth")
            .page("view=overview"),
    );
    cases
}

/// One process's RSS every 10 s beside `n` request counters, one per
/// path, each scraped twice 10 s apart, the `k`th from 2k s on.
fn short_lived_counters(n: usize) -> String {
    let labels = "instance=\"10.0.0.1:8080\",job=\"svc\"";
    let mut out = String::new();
    for i in 0..=n / 5 + 1 {
        let t = START + 10.0 * i as f64;
        sample(
            &mut out,
            "process_resident_memory_bytes",
            labels,
            1e8 + 1e3 * i as f64,
            t,
        );
    }
    for k in 0..n {
        let path = format!("{labels},path=\"/item/{k}\"");
        for (dt, count) in [(0.0, 1.0), (10.0, 3.0)] {
            sample(
                &mut out,
                "http_requests_total",
                &path,
                count,
                START + 2.0 * k as f64 + dt,
            );
        }
    }
    out
}

/// `n` Go services (the hosts of [`processes`]) scraped three times from
/// `start`, each with twenty series: memory, heap, requests and
/// seventeen of the runtime's others.
fn go_services(n: usize, start: f64) -> String {
    let mut out = String::new();
    for j in 0..n {
        let labels = format!("instance=\"replica-{j}:8080\",job=\"svc\"");
        for i in 0..3 {
            let t = start + i as f64 * 10.0;
            let i = i as f64;
            sample(
                &mut out,
                "process_resident_memory_bytes",
                &labels,
                1e8 + i * 1e3,
                t,
            );
            sample(
                &mut out,
                "go_memstats_heap_inuse_bytes",
                &labels,
                5e7 + i * 5e2,
                t,
            );
            sample(&mut out, "http_requests_total", &labels, 100.0 * i, t);
            for k in 0..17 {
                sample(
                    &mut out,
                    &format!("go_runtime_figure_{k}"),
                    &labels,
                    k as f64,
                    t,
                );
            }
        }
    }
    out
}

/// A tar of `n` Prometheus query_range answers, each an hour of one
/// process's RSS a minute apart, named by an id that does not follow the
/// hours (as a download's name does), so the archive holds them out of
/// time order.
fn hourly_exports(n: usize) -> Vec<u8> {
    tar_of((0..n).map(|k| {
        let h = (k * 7919) % n;
        let points: Vec<String> = (0..60)
            .map(|m| {
                let t = START as usize + h * 3600 + m * 60;
                format!(r#"[{t},"{}"]"#, 50_000_000 + 1_000 * (h * 60 + m))
            })
            .collect();
        let json = format!(
            r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"__name__":"process_resident_memory_bytes","instance":"10.0.0.1:8080","job":"svc"}},"values":[{}]}}]}}}}"#,
            points.join(",")
        );
        (format!("exports/export-{k:04}.json"), json.into_bytes())
    }))
}

/// A CSV whose header names `columns` columns after its time and memory
/// ones, over `rows` rows of a time (epoch ms, a second apart) and a value.
fn wide_header(columns: usize, rows: usize) -> String {
    let mut out = String::from("Time,process_resident_memory_bytes");
    for k in 0..columns {
        out.push_str(&format!(",c{k}"));
    }
    out.push('\n');
    for r in 0..rows {
        out.push_str(&format!(
            "{},{}\n",
            (START as u64 + r as u64) * 1000,
            10_000_000 + 7 * r
        ));
    }
    out
}

/// A small real Go heap profile, to tie to the metrics.
const HEAP: &[u8] = include_bytes!("../data/go.heap.pb.gz");

/// When `HEAP` was taken: 23 November 2026, 22:20:17 UTC.
const HEAP_TAKEN: f64 = 1_795_472_417.0;

/// 30 November 2026, 20:58:55 UTC: the generated metrics' first scrape.
const START: f64 = 1_796_072_335.0;

/// One Prometheus text line with a millisecond timestamp.
fn sample(out: &mut String, name: &str, labels: &str, value: f64, t: f64) {
    out.push_str(&format!(
        "{name}{{{labels}}} {value} {}\n",
        (t * 1000.0) as i64
    ));
}

/// One process's memory, rising 1 kB a scrape, and its request counter,
/// which moves in two scrapes of every five: an idle stretch of 20 s
/// after each busy one.
fn idle_every_few_scrapes(points: usize) -> String {
    let labels = "instance=\"10.0.0.1:8080\",job=\"svc\"";
    let mut out = String::new();
    for i in 0..points {
        let t = START + i as f64 * 10.0;
        sample(
            &mut out,
            "process_resident_memory_bytes",
            labels,
            1e8 + i as f64 * 1000.0,
            t,
        );
    }
    let mut served = 0.0;
    for i in 0..points {
        if i % 5 < 2 {
            served += 1000.0;
        }
        sample(
            &mut out,
            "http_requests_total",
            labels,
            served,
            START + i as f64 * 10.0,
        );
    }
    out
}

/// `n` processes (instances `replica-J:8080`: the port all share, the
/// host a word no temporary path holds), three scrapes of memory each,
/// 10 s apart from `start`.
fn processes(n: usize, start: f64) -> String {
    let mut out = String::new();
    for j in 0..n {
        let labels = format!("instance=\"replica-{j}:8080\",job=\"svc\"");
        for i in 0..3 {
            let t = start + i as f64 * 10.0;
            sample(
                &mut out,
                "process_resident_memory_bytes",
                &labels,
                1e8 + i as f64 * 1000.0,
                t,
            );
        }
    }
    out
}

/// A kernel log (syslog's ISO times) of `n` OOM kills, each of a process
/// no metric names, during the generated scrapes.
fn unnamed_kills(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "2026-11-30T20:58:{:02}.000000+00:00 host kernel: Memory cgroup out of memory: Killed process {} (nomatch{i}) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0\n",
                55 + i % 5,
                1000 + i
            )
        })
        .collect()
}

/// A kernel log (syslog's ISO times) of `n` OOM kills of `svc`, one every
/// 37 s from 5 s after the generated scrapes begin.
fn kills_of_svc(n: usize) -> String {
    (0..n)
        .map(|i| {
            let t = START as i64 + 5 + 37 * i as i64;
            let (day, second) = (t.div_euclid(86_400), t.rem_euclid(86_400));
            let (y, m, d) = leakscope::civil::civil_from_days(day);
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000+00:00 host kernel: Memory cgroup out of memory: Killed process {} (svc) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0\n",
                second / 3600,
                second / 60 % 60,
                second % 60,
                1000 + i
            )
        })
        .collect()
}

/// `n` cAdvisor containers (one pod each), three scrapes of working set.
fn cadvisor_containers(n: usize) -> String {
    let mut out = String::new();
    for j in 0..n {
        let labels = format!(
            "container=\"app\",id=\"/kubepods/burstable/pod{j}/abc{j}\",image=\"img\",name=\"k8s_app_pod-{j}\",namespace=\"default\",pod=\"pod-{j}\""
        );
        for i in 0..3 {
            let t = START + i as f64 * 10.0;
            sample(
                &mut out,
                "container_memory_working_set_bytes",
                &labels,
                1e8 + i as f64 * 1000.0,
                t,
            );
        }
    }
    out
}

/// `kubectl describe` of [`cadvisor_containers`]' `n` pods, each one's
/// container `app` OOMKilled a minute into the generated scrapes.
fn oom_killed_pods(n: usize) -> String {
    (0..n)
        .map(|j| {
            format!(
                "Name:             pod-{j}
Namespace:        default
Containers:
  app:
    State:          Running
      Started:      Mon, 30 Nov 2026 20:59:05 +0000
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Mon, 30 Nov 2026 20:58:00 +0000
      Finished:     Mon, 30 Nov 2026 20:59:00 +0000
    Restart Count:  1
    Limits:
      memory:  50Mi

"
            )
        })
        .collect()
}

/// [`oom_killed_pods`] as `kubectl get pod -o json` writes them (a
/// List, indented), each OOM-killed a minute after the last, from 1
/// December 2026 (at most 44,640 pods).
fn oom_killed_pods_json(n: usize) -> String {
    let pods: Vec<String> = (0..n)
        .map(|j| {
            let (d, h, m) = (1 + j / 1440, j / 60 % 24, j % 60);
            format!(
                r#"    {{
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {{
        "name": "pod-{j}",
        "namespace": "default"
      }},
      "spec": {{
        "containers": [
          {{
            "name": "app",
            "resources": {{ "limits": {{ "memory": "50Mi" }} }}
          }}
        ]
      }},
      "status": {{
        "containerStatuses": [
          {{
            "name": "app",
            "restartCount": 1,
            "state": {{ "running": {{ "startedAt": "2026-12-{d:02}T{h:02}:{m:02}:05Z" }} }},
            "lastState": {{
              "terminated": {{
                "reason": "OOMKilled",
                "exitCode": 137,
                "finishedAt": "2026-12-{d:02}T{h:02}:{m:02}:00Z"
              }}
            }}
          }}
        ]
      }}
    }}"#
            )
        })
        .collect();
    format!(
        "{{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n{}\n  ]\n}}\n",
        pods.join(",\n")
    )
}

/// A CSV of `pairs` (timestamp, mem_bytes_K) column pairs over `rows`
/// minutes (at most 30), as a spreadsheet of exports side by side.
fn column_pairs(pairs: usize, rows: usize) -> String {
    let header: Vec<String> = (0..pairs)
        .map(|k| format!("timestamp,mem_bytes_{k}"))
        .collect();
    let mut out = header.join(",") + "\n";
    for r in 0..rows {
        let row: Vec<String> = (0..pairs)
            .map(|_| format!("2026-11-30T20:{:02}:00Z,{}", 30 + r, 1000 + r))
            .collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// One process's memory and start time in Prometheus' text format with
/// timestamps, scraped every 10 s, restarting at each of `restarts` scrapes.
fn restarting_process(restarts: usize) -> String {
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

/// One process restarting after every 8 scrapes (10 s apart), its memory
/// rising 28 MB in each of its `lives`, in Prometheus' text format.
fn rising_lives(lives: usize) -> String {
    let labels = "instance=\"10.0.0.1:8080\",job=\"svc\"";
    let mut out = String::new();
    for life in 0..lives {
        let start = START + (life * 85) as f64;
        for k in 0..8 {
            let t = start + (k * 10) as f64;
            let ms = (t * 1000.0) as i64;
            let rss = 1e7 + (k as f64) * 4e6 + ((life % 3) as f64) * 1e5;
            out.push_str(&format!(
                "process_resident_memory_bytes{{{labels}}} {rss} {ms}\n"
            ));
            out.push_str(&format!(
                "process_start_time_seconds{{{labels}}} {start} {ms}\n"
            ));
        }
    }
    out
}

/// `n` more memory series of [`restarting_process`]'s process (an `area`
/// label each), the `k`th scraped over `lives` of its lives from the
/// `k × lives`th, climbing in each.
fn areas_over_lives(n: usize, lives: usize) -> String {
    let labels = "instance=\"10.0.0.1:8080\",job=\"svc\"";
    let mut out = String::new();
    for k in 0..n {
        for j in 0..lives {
            let t = START + ((k * lives + j) * 10) as f64 + 5.0;
            out.push_str(&format!(
                "go_memstats_heap_inuse_bytes{{{labels},area=\"a{k}\"}} {} {}\n",
                1e6 + (j % 2) as f64 * 1e6,
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

/// A tar of `n` copies of `HEAP`, the `j`th in a folder named after the
/// `j`th of [`processes`]' hosts.
fn heaps_by_port(n: usize) -> Vec<u8> {
    tar_of((0..n).map(|j| (format!("heaps/replica-{j}/heap.pb.gz"), HEAP.to_vec())))
}

/// A tar of `members`, each a (name, bytes).
fn tar_of(members: impl Iterator<Item = (String, Vec<u8>)>) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, &bytes[..]).unwrap();
    }
    tar.into_inner().unwrap()
}

/// A tar of heap profiles, each its name and when it was taken (raw
/// protobuf, so that the tar's gzip finds each a copy of the last).
fn heaps(members: impl Iterator<Item = (String, f64)>) -> Vec<u8> {
    let mut profile = leak_heap();
    tar_of(members.map(|(name, taken)| {
        profile.time_nanos = (taken * 1e9) as i64;
        (name, encode(&profile))
    }))
}

/// The leak fixture's first heap snapshot, decoded.
fn leak_heap() -> wire::Profile {
    let mut raw = Vec::new();
    let gz = include_bytes!("../data/series/leak/heap.0.pb.gz");
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw).unwrap();
    prost::Message::decode(&raw[..]).unwrap()
}

/// `n` heap snapshots of one process, a minute apart, each with its
/// functions renamed (`main.leak~17`): no site is in two of them.
fn heaps_distinct_sites(n: usize) -> Vec<u8> {
    let base = leak_heap();
    let names: std::collections::BTreeSet<usize> =
        base.function.iter().map(|f| f.name as usize).collect();
    tar_of((0..n).map(|j| {
        let mut p = base.clone();
        for &k in &names {
            let mut name = base.string_table[k].clone();
            name.extend_from_slice(format!("~{j}").as_bytes());
            p.string_table[k] = name;
        }
        p.time_nanos = ((START + 60.0 * j as f64) * 1e9) as i64;
        (format!("heaps/heap.{j}.pb"), encode(&p))
    }))
}

/// A tar of `n` members all named `m.csv`, each a two-point memory series.
fn same_name_tar(n: usize) -> Vec<u8> {
    tar_of((0..n).map(|i| {
        let csv = format!(
            "time,process_resident_memory_bytes\n2026-11-23T23:00:00Z,{0}\n2026-11-23T23:01:00Z,{0}\n",
            1_000_000 + i
        );
        ("m.csv".to_string(), csv.into_bytes())
    }))
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

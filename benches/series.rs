//! Parse + analyze 10 series of 1M points each (issue 3's budget: under
//! 1 s natively), as a Grafana joined CSV and as Prometheus query_range
//! JSON.
//!
//!     cargo bench --bench series [-- --points N]
//!
//! The data is generated in memory, deterministically: two processes
//! scraped every second for N seconds, each with RSS, heap in use, heap
//! alloc (a GC sawtooth over a leak that an OOM kill resets every ~40
//! minutes), a request counter and its start time: 10 series. Each stage
//! is timed on its own; the best of 3 runs is reported.

use std::fmt::Write as _;
use std::time::Instant;

mod common;

use common::Rng;
use leakscope::analysis::leak::{analyze, AnalyzeOptions};
use leakscope::import::{read, ImportOptions, Input};
use leakscope::model::series::SeriesSet;

const START: f64 = 1_795_000_000.0;

/// One process's five series at each second: (name, values).
fn process(points: usize, rng: &mut Rng, per_request: f64) -> Vec<(&'static str, Vec<f64>)> {
    let mut rss = Vec::with_capacity(points);
    let mut inuse = Vec::with_capacity(points);
    let mut alloc = Vec::with_capacity(points);
    let mut requests = Vec::with_capacity(points);
    let mut start_time = Vec::with_capacity(points);
    let (mut live, mut garbage, mut count, mut started) = (8e6, 0.0, 0.0, START);
    let limit = 512.0 * 1048576.0;
    for i in 0..points {
        let t = START + i as f64;
        let served = 100.0 + 20.0 * rng.unit();
        count += served;
        live += served * per_request;
        garbage += served * 4000.0;
        if garbage > live {
            garbage = 0.0; // a collection
        }
        if live * 1.1 > limit {
            // An OOM kill and a restart.
            live = 8e6;
            garbage = 0.0;
            count = 0.0;
            started = t;
        }
        alloc.push((live + garbage).round());
        inuse.push((live + garbage + 1e6).round());
        rss.push((1.1 * live + 2e6 + 1e6 * rng.unit()).round());
        requests.push(count.round());
        start_time.push(started);
    }
    vec![
        ("process_resident_memory_bytes", rss),
        ("go_memstats_heap_inuse_bytes", inuse),
        ("go_memstats_heap_alloc_bytes", alloc),
        ("http_requests_total", requests),
        ("process_start_time_seconds", start_time),
    ]
}

fn all_series(points: usize) -> Vec<(String, Vec<f64>)> {
    let mut rng = Rng(0x5e71e5);
    let mut out = Vec::new();
    for (instance, per_request) in [("10.0.0.1:8080", 1000.0), ("10.0.0.2:8080", 0.0)] {
        for (name, values) in process(points, &mut rng, per_request) {
            out.push((
                format!("{name}{{instance=\"{instance}\", job=\"api\"}}"),
                values,
            ));
        }
    }
    out
}

fn grafana_csv(series: &[(String, Vec<f64>)], points: usize) -> String {
    let mut s = String::with_capacity(points * 130);
    s.push_str("\"Time\"");
    for (name, _) in series {
        write!(s, ",\"{}\"", name.replace('"', "\"\"")).unwrap();
    }
    for i in 0..points {
        write!(s, "\r\n{}", (START + i as f64) as u64 * 1000).unwrap();
        for (_, v) in series {
            write!(s, ",{}", v[i]).unwrap();
        }
    }
    s
}

fn prometheus_json(series: &[(String, Vec<f64>)], points: usize) -> String {
    let mut s = String::with_capacity(points * series.len() * 30);
    s.push_str(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for (k, (name, v)) in series.iter().enumerate() {
        let (metric, labels) = name.split_once('{').unwrap();
        let labels = labels
            .trim_end_matches('}')
            .replace(", ", ",")
            .replace('=', ":");
        let labels: String = labels
            .split(',')
            .map(|kv| {
                let (k, v) = kv.split_once(':').unwrap();
                format!(",\"{k}\":{v}")
            })
            .collect();
        if k > 0 {
            s.push(',');
        }
        write!(
            s,
            r#"{{"metric":{{"__name__":"{metric}"{labels}}},"values":["#
        )
        .unwrap();
        for (i, value) in v.iter().enumerate().take(points) {
            if i > 0 {
                s.push(',');
            }
            write!(s, "[{},\"{}\"]", START + i as f64, value).unwrap();
        }
        s.push_str("]}");
    }
    s.push_str("]}}");
    s
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let points = args
        .iter()
        .position(|a| a == "--points")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000usize);
    let series = all_series(points);
    for (label, text) in [
        ("grafana-csv", grafana_csv(&series, points)),
        ("prometheus-json", prometheus_json(&series, points)),
    ] {
        let (parse_s, set) = best_of(3, || {
            match read(text.as_bytes(), &ImportOptions::default()) {
                Ok(Input::Series(s)) => s,
                Ok(Input::Profile(_)) => panic!("read as a profile"),
                Err(e) => panic!("{e}"),
            }
        });
        let set: SeriesSet = set;
        let total: usize = set.series.iter().map(|s| s.len()).sum();
        let (analyze_s, a) = best_of(3, || analyze(&set, &AnalyzeOptions::default()));
        let verdicts: Vec<String> = a
            .processes
            .iter()
            .map(|p| format!("{:?} ({} restarts)", p.verdict, p.restarts))
            .collect();
        println!(
            "{label}: {:.0} MB, {} series, {} points: parse {:.3} s, analyze {:.3} s, total {:.3} s; {}",
            text.len() as f64 / 1e6,
            set.series.len(),
            total,
            parse_s,
            analyze_s,
            parse_s + analyze_s,
            verdicts.join(", ")
        );
    }
}

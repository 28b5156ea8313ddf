//! Plain time-series CSV tables (wide, long, `timestamp,<metric>` pairs)
//! read through `import::read`, as the CLI and the page read them.

use std::path::Path;

use leakscope::analysis::leak::classify::Role;
use leakscope::analysis::leak::{analyze, AnalyzeOptions};
use leakscope::import::{read, ImportOptions, Input};
use leakscope::model::series::{InputReport, Series, SeriesSet};

fn load_with(text: &str, options: &ImportOptions) -> SeriesSet {
    match read(text.as_bytes(), options) {
        Ok(Input::Series(set)) => set,
        Ok(Input::Profile(_)) => panic!("read as a profile: {text:?}"),
        Err(e) => panic!("{e}: {text:?}"),
    }
}

fn load(text: &str) -> SeriesSet {
    load_with(text, &ImportOptions::default())
}

fn input(set: &SeriesSet) -> &InputReport {
    &set.inputs[0]
}

fn by_display<'a>(set: &'a SeriesSet, display: &str) -> &'a Series {
    set.series
        .iter()
        .find(|s| s.display == display)
        .unwrap_or_else(|| panic!("no series {display:?} in {:?}", set.series))
}

fn warned(set: &SeriesSet, text: &str) -> bool {
    input(set).warnings.iter().any(|w| w.contains(text))
}

#[test]
fn cadvisor_pairs_take_the_time_before_each_metric() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/series/csv/cadvisor-pairs.csv");
    let set = load(&std::fs::read_to_string(path).unwrap());
    let r = input(&set);
    assert_eq!(r.format, "csv-pairs");
    assert_eq!(r.time.as_deref(), Some("epoch-s"));
    assert_eq!((r.series, r.points, r.skipped_rows), (4, 32, 0));
    // The memory pairs' clock runs one second behind the CPU pairs'.
    let cpu = by_display(&set, "cpu_usage");
    let mem = by_display(&set, "memory_usage");
    assert_eq!(cpu.times[0], 1736589600.0);
    assert_eq!(mem.times[0], 1736589601.0);
    assert_eq!(mem.values[..2], [23814144.0, 23818240.0]);
    assert_eq!(mem.name, "memory_usage_bytes");
    let ws = by_display(&set, "memory_working_set");
    assert_eq!(ws.name, "container_memory_working_set_bytes");
    assert!(
        warned(&set, "column \"memory_usage\": memory in bytes (assumed"),
        "{:?}",
        r.warnings
    );
    assert!(
        warned(&set, "column \"cpu_usage\": other"),
        "{:?}",
        r.warnings
    );
    // The analysis takes the memory columns as memory, and nothing else.
    let a = analyze(&set, &AnalyzeOptions::default());
    let memory: Vec<&str> = a
        .series
        .iter()
        .filter(|s| s.role == Role::Memory)
        .map(|s| s.display.as_str())
        .collect();
    assert_eq!(memory, ["memory_usage", "memory_working_set"]);
}

#[test]
fn epoch_times_in_any_unit_are_decided_by_magnitude() {
    let seconds = [1_714_135_410.0, 1_714_135_420.0];
    let cases = [
        ("1714135410", "1714135420", "epoch-s", "epoch seconds"),
        (
            "1714135410000",
            "1714135420000",
            "epoch-ms",
            "epoch milliseconds",
        ),
        (
            "1714135410000000",
            "1714135420000000",
            "epoch-us",
            "epoch microseconds",
        ),
        (
            "1714135410000000000",
            "1714135420000000000",
            "epoch-ns",
            "epoch nanoseconds",
        ),
    ];
    for (a, b, format, said) in cases {
        let set = load(&format!("timestamp,rss\n{a},100\n{b},200\n"));
        let r = input(&set);
        assert_eq!(r.format, "csv", "{a}");
        assert_eq!(r.time.as_deref(), Some(format), "{a}");
        assert!(warned(&set, said), "{a}: {:?}", r.warnings);
        assert_eq!(set.series[0].times, seconds, "{a}");
        assert_eq!(set.series[0].name, "process_resident_memory_bytes");
    }
}

#[test]
fn date_times_with_and_without_a_zone() {
    // Zoned ISO times carry their offset.
    let set = load("Date,heap\n2024-04-26T12:43:30+02:00,1\n2024-04-26T12:43:40+02:00,2\n");
    assert_eq!(set.series[0].times[0], 1714128210.0);
    assert_eq!(input(&set).zone, None);
    // Naive times with microseconds are in the given zone, and it is said.
    let text = "datetime,heap\n2024-04-26 12:43:30.260145,1\n2024-04-26 12:43:31.5,2\n";
    let set = load(text);
    assert!((set.series[0].times[0] - 1714135410.260145).abs() < 1e-6);
    assert!(warned(&set, "UTC (assumed"), "{:?}", input(&set).warnings);
    let options = ImportOptions {
        utc_offset: Some(7200),
        ..Default::default()
    };
    let set = load_with(text, &options);
    assert!((set.series[0].times[0] - 1714128210.260145).abs() < 1e-6);
    assert_eq!(input(&set).zone.as_deref(), Some("UTC+02:00 (given)"));
}

#[test]
fn units_in_the_header_scale_the_values() {
    let set = load(
        "timestamp,mem_MiB,rss [MB],memory_kb,Memory Usage (bytes),memory %\n\
         1714135410,2,3,4,5,50\n1714135420,2,3,4,5,60\n",
    );
    let value = |d: &str| by_display(&set, d).values[0];
    assert_eq!(value("mem_MiB"), 2.0 * 1048576.0);
    assert_eq!(value("rss [MB]"), 3e6);
    assert_eq!(value("memory_kb"), 4e3);
    assert_eq!(value("Memory Usage (bytes)"), 5.0);
    assert_eq!(value("memory %"), 50.0);
    assert!(warned(
        &set,
        "column \"mem_MiB\": memory in MiB (from the header), read as bytes"
    ));
    assert!(warned(
        &set,
        "column \"memory %\": other (not memory or requests), in %"
    ));
    // A share of memory is not memory: only the byte columns are judged.
    let a = analyze(&set, &AnalyzeOptions::default());
    let memory = a.series.iter().filter(|s| s.role == Role::Memory).count();
    assert_eq!(memory, 4);
}

#[test]
fn long_form_is_pivoted_into_a_series_per_process() {
    let text = "Process ID,Process Name,Time,Memory Usage\r\n\
        7,api,2024-04-26 12:00:00.5,100\r\n\
        8,db,2024-04-26 12:00:00.5,900\r\n\
        7,api,2024-04-26 12:00:01.5,110\r\n\
        8,db,2024-04-26 12:00:01.5,0\r\n\
        8,db,2024-04-26 12:00:02.5,0\r\n";
    let set = load(text);
    let r = input(&set);
    assert_eq!(r.format, "csv-long");
    assert_eq!(r.series, 2);
    let api = &set.series[0];
    assert_eq!(api.label("instance"), Some("api"));
    assert_eq!(api.label("pid"), Some("7"));
    assert_eq!(api.values, vec![100.0, 110.0]);
    assert_eq!(api.display, "Memory Usage{instance=\"api\", pid=\"7\"}");
    // psutil writes 0 once a process is gone: not a fall to nothing.
    assert_eq!(set.series[1].values, vec![900.0]);
    assert!(
        warned(&set, "last 2 values of 0 dropped"),
        "{:?}",
        r.warnings
    );
    assert!(warned(&set, "labels instance, pid"), "{:?}", r.warnings);
}

#[test]
fn quoted_cells_crlf_and_a_bad_row_named_by_its_line() {
    let text = "\"Time (UTC)\",\"rss, bytes\",\"requests\"\r\n\
        \"2024-04-26 12:00:00\",\"1,000\",1\r\n\
        \"2024-04-26 12:00:10\",\"2,000\",5\r\n\
        \"yesterday\",\"3,000\",7\r\n\
        \"2024-04-26 12:00:30\",\"4,000\",9\r\n";
    let set = load(text);
    let r = input(&set);
    assert_eq!(r.format, "csv");
    assert_eq!(r.skipped_rows, 1, "{:?}", r.warnings);
    assert!(
        warned(&set, "line 4 skipped: the time \"yesterday\""),
        "{:?}",
        r.warnings
    );
    let rss = by_display(&set, "rss, bytes");
    assert_eq!(rss.values, vec![1000.0, 2000.0, 4000.0]);
    assert!(warned(&set, "digit grouping"), "{:?}", r.warnings);
    // Requests that only grow are a counter the analysis counts as work.
    assert_eq!(by_display(&set, "requests").name, "requests_total");
}

#[test]
fn a_value_that_is_no_number_is_named_with_its_line() {
    let set = load("ts,rss\n1714135410,1\n1714135420,lots\n1714135430,3\n");
    let r = input(&set);
    assert_eq!(r.skipped_rows, 1);
    assert!(
        warned(&set, "line 3: \"lots\" in column \"rss\" is not a number"),
        "{:?}",
        r.warnings
    );
    assert_eq!(set.series[0].values, vec![1.0, 3.0]);
}

#[test]
fn a_table_without_a_time_column_is_refused_with_the_reason() {
    let err = read(
        b"name,value,size\na,1,2\nb,2,3\n",
        &ImportOptions::default(),
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("no time column"), "{message}");
    assert!(
        message.contains("\"name\", \"value\", \"size\""),
        "{message}"
    );
    assert!(message.len() < 200 && !message.contains('\n'), "{message}");
    // A time column with nothing to read beside it says so too.
    let err = read(b"ts,host,zone\n1714135410,a,b\n", &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("no column of numbers"), "{err}");
}

#[test]
fn other_formats_keep_their_readers() {
    // Prometheus exposition whose labels hold commas.
    let text = "http_requests_total{code=\"200\",method=\"get\"} 1027 1395066363000\n\
                http_requests_total{code=\"400\",method=\"post\"} 3 1395066363000\n";
    assert_eq!(input(&load(text)).format, "prometheus-text");
    // A Grafana CSV stays Grafana's.
    let set = load("\"Time\",\"rss\"\n1700000001000,1\n1700000002000,2\n");
    assert_eq!(input(&set).format, "grafana-csv");
    // ...but a `time`-first table with a column of names is a long table.
    let set = load("time,pid,name,rss\n1714135410,7,api,5\n1714135420,7,api,6\n");
    assert_eq!(input(&set).format, "csv-long");
    assert_eq!(set.series[0].label("instance"), Some("api"));
    // A CSV of events whose reason is OOMKilled is a table of counts: the
    // reason a label, no OOM kill made up from it.
    let set = load("pod,time,reason,count\napi,2024-04-26T12:00:00Z,OOMKilled,1\n");
    assert_eq!(input(&set).format, "csv-long");
    assert_eq!(set.series[0].label("reason"), Some("OOMKilled"));
    assert!(set.oom_kills.is_empty());
    // Prose with commas and no numbers is no table.
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

#[test]
fn a_bad_time_in_one_pair_loses_only_that_pair() {
    let set = load(
        "timestamp,cpu,timestamp,rss\n\
         1714135410,1,1714135411,5\n\
         1714135420,2,soon,6\n\
         never,3,never,7\n",
    );
    let r = input(&set);
    assert_eq!(r.format, "csv-pairs");
    assert_eq!(r.skipped_rows, 1, "{:?}", r.warnings);
    assert!(
        warned(&set, "line 4 skipped: the time \"never\""),
        "{:?}",
        r.warnings
    );
    assert!(
        warned(&set, "line 3: the time \"soon\""),
        "{:?}",
        r.warnings
    );
    assert_eq!(by_display(&set, "cpu").values, vec![1.0, 2.0]);
    assert_eq!(by_display(&set, "rss").values, vec![5.0]);
}

/// Every prefix of the shapes, and bytes changed at every position, read
/// without a panic: an answer or an error, whatever the cut or the byte.
#[test]
fn cut_and_damaged_tables_never_panic() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/series/csv/cadvisor-pairs.csv");
    let pairs = std::fs::read(path).unwrap();
    let long = b"Process ID,Process Name,Time,Memory Usage\r\n7,\"a,b\",2024-04-26 12:00:00.5,100\r\n7,\"a,b\",2024-04-26 12:00:01.5,0\r\n".to_vec();
    for text in [pairs, long] {
        for cut in 0..text.len() {
            let _ = read(&text[..cut], &ImportOptions::default());
        }
        for (i, byte) in [b'"', b',', b'\n', b'\r', b'x', b'9', 0xff]
            .iter()
            .cycle()
            .take(text.len())
            .enumerate()
        {
            let mut damaged = text.clone();
            damaged[i] = *byte;
            let _ = read(&damaged, &ImportOptions::default());
        }
    }
}

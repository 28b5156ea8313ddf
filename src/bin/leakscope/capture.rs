//! `leakscope capture`: the post's `curl …/debug/pprof/heap > heap.N.pprof;
//! sleep 30`, four times, for one or more live Go services, with the leak
//! suspects printed as the snapshots come in.
//!
//! The network and the clock live here, in the CLI: the core only reads
//! the bytes fetched (each is decoded before it is kept, so a 404 page or a
//! proxy's HTML never becomes `heap.2.pb.gz`) and finds the trend. Every
//! request is bounded in time (`--timeout`) and size (`--max-mb`); each
//! service has at most one request in flight (its profiles are fetched one
//! after another, services side by side). Ctrl-C stops between requests:
//! what was taken is kept, written in the manifest and analysed.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use serde::Serialize;

use leakscope::analysis::evidence::{self, ProfileInput};
use leakscope::analysis::leak;
use leakscope::analysis::options::Granularity;
use leakscope::analysis::promql;
use leakscope::analysis::source::prepare;
use leakscope::analysis::trend;
use leakscope::import::{read_profile, ImportOptions};
use leakscope::model::Profile;
use leakscope::render;
use leakscope::units;
use leakscope::Error;

use crate::http::{self, Fetch, Outcome};
use crate::prometheus;

/// Set by Ctrl-C: stop at the next check, keep what was taken.
static STOP: AtomicBool = AtomicBool::new(false);

/// The profiles `capture` knows how to ask a Go service for.
const KINDS: [&str; 4] = ["heap", "goroutine", "goroutineleak", "allocs"];

#[derive(Args)]
pub struct CaptureArgs {
    /// Go services (`http://host:6060`) or their pprof URLs
    /// (`http://host:6060/debug/pprof/heap`, which names the profile).
    #[arg(required = true, value_name = "URL")]
    urls: Vec<String>,
    /// The folder the snapshots and their manifest go to (one sub-folder a
    /// service when there are several).
    #[arg(long, default_value = "capture", value_name = "DIR")]
    out: PathBuf,
    /// Time between snapshots (`30s`, `1m`, `500ms`).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    every: Duration,
    /// How many snapshots of each profile (default 4).
    #[arg(long, conflicts_with = "for_")]
    count: Option<u32>,
    /// Take snapshots for this long instead (`10m`): one at the start and
    /// one every --every until then.
    #[arg(long = "for", value_parser = humantime::parse_duration, value_name = "DURATION")]
    for_: Option<Duration>,
    /// Which profiles, comma-separated: heap, goroutine, goroutineleak (where
    /// the server has it), allocs. Default heap, or the one a URL names.
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    profiles: Vec<String>,
    /// The longest a request may take, body included.
    #[arg(long, default_value = "20s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Tries again after a failed connection, a timeout or a 5xx answer.
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// The largest profile (or Prometheus answer) fetched, in MB.
    #[arg(long, default_value_t = 512)]
    max_mb: u64,
    /// A Prometheus (or anything speaking its HTTP API: Thanos, Mimir,
    /// VictoriaMetrics) to fetch the services' memory, request, GC,
    /// goroutine, start-time and restart series from, over the capture's
    /// window, analysed with the snapshots as `analyze` does.
    #[arg(long, value_name = "URL")]
    prometheus: Option<String>,
    /// Which series to fetch (`{job="api"}`); default each service's
    /// instance label, `{instance="host:port"}` from its URL.
    #[arg(long = "match", value_name = "SELECTOR", requires = "prometheus")]
    match_: Option<String>,
    /// How much history before the first snapshot to fetch from
    /// Prometheus with the capture's own window: minutes of a few
    /// snapshots are too few points to tell a leak from warm-up.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration, requires = "prometheus")]
    lookback: Duration,
    /// Print a link that opens what was taken in the page (`#data=`: the
    /// files travel in the link), when it is under 2 MB.
    #[arg(long)]
    link: bool,
    /// Where the page is hosted, for --link.
    #[arg(long, default_value = "http://127.0.0.1:8080/", requires = "link")]
    site: String,
    /// Write a single-file report: the page with what was taken inside,
    /// opening on the Overview, anywhere, even offline.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// The single-file page a report is made from (default
    /// dist/leakscope.html, as scripts/build-dist makes it, here or beside
    /// the leakscope binary's checkout).
    #[arg(long, value_name = "FILE", requires = "report")]
    page: Option<PathBuf>,
}

/// One service and what is taken of it.
struct Service {
    /// `http://host:port` (any path prefix before `/debug/pprof/` kept).
    base: String,
    /// Where its snapshots go.
    dir: PathBuf,
    /// The profiles still asked for (goroutineleak goes on a 404).
    kinds: Vec<String>,
    manifest: Manifest,
    /// Each kind's snapshots so far, decoded and prepared, with their file names.
    taken: Vec<(String, String, Profile)>,
    /// The files the last round wrote.
    last_round: Vec<String>,
}

#[derive(Serialize, Default)]
struct Manifest {
    service: String,
    snapshots: Vec<Snapshot>,
    failures: Vec<Failure>,
}

#[derive(Serialize)]
struct Snapshot {
    file: String,
    kind: String,
    url: String,
    /// When the request was sent: RFC 3339, UTC.
    taken_at: String,
    bytes: usize,
}

#[derive(Serialize)]
struct Failure {
    kind: String,
    round: u32,
    url: String,
    taken_at: String,
    error: String,
}

/// Runs the capture; the exit status is 130 when interrupted (after the
/// analysis of what was taken), 1 when nothing could be taken.
pub fn run(args: CaptureArgs) -> Result<std::process::ExitCode, Error> {
    let count = match (args.count, args.for_) {
        (Some(0), _) => return Err(Error::invalid_option("--count must be at least 1")),
        (Some(n), _) => n,
        (None, Some(d)) => {
            (d.as_secs_f64() / args.every.as_secs_f64().max(1e-3)).floor() as u32 + 1
        }
        (None, None) => 4,
    };
    // trend tells two processes' snapshots by times under a second apart.
    if args.every < Duration::from_secs(2) {
        return Err(Error::invalid_option(format!(
            "--every {}: snapshots must be at least 2s apart (under a second apart, they read as two processes' snapshots)",
            humantime::format_duration(args.every)
        )));
    }
    let mut services = services(&args)?;
    let agent = http::agent(args.timeout);
    // A second Ctrl-C ends at once, as people expect of a stuck program.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!(
            "leakscope: stopping: what was taken is kept and analysed (Ctrl-C again to quit now)"
        );
    });
    let started = Instant::now();
    let started_at = SystemTime::now();
    let limit = args.max_mb.saturating_mul(1 << 20);
    for round in 0..count {
        if round > 0 && !sleep_until(started + args.every * round) {
            break;
        }
        std::thread::scope(|scope| {
            for s in services.iter_mut() {
                let agent = &agent;
                let fetch = Fetch {
                    agent,
                    retries: args.retries,
                    limit,
                    timeout: args.timeout,
                };
                scope.spawn(move || take_round(s, round, &fetch));
            }
        });
        for s in &services {
            if let Err(e) = write_manifest(s) {
                crate::cli::warn(&format!("leakscope: {e}"));
            }
            let line = progress_line(s, round, count, services.len() > 1);
            print!("{line}");
        }
        if STOP.load(Ordering::SeqCst) {
            break;
        }
    }
    let interrupted = STOP.load(Ordering::SeqCst);
    let from = started_at.checked_sub(args.lookback).unwrap_or(UNIX_EPOCH);
    let window = (from.max(UNIX_EPOCH), SystemTime::now());
    let mut out = String::new();
    let mut any = false;
    // Services under one selector (--match, or one host:port) send one query.
    let mut answers = RangeAnswers::new();
    for s in &services {
        any |= !s.taken.is_empty();
        out.push_str(&summary(s, services.len() > 1));
        if let Some(prometheus) = &args.prometheus {
            let fetch = Fetch {
                agent: &agent,
                retries: args.retries,
                limit,
                timeout: args.timeout,
            };
            out.push_str(&with_metrics(
                s,
                prometheus,
                args.match_.as_deref(),
                window,
                (&fetch, &mut answers),
            ));
        }
    }
    print!("{}", render::terminal_safe(&out));
    if args.link || args.report.is_some() {
        share(&args, &services)?;
    }
    Ok(if interrupted {
        std::process::ExitCode::from(130)
    } else if !any {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    })
}

/// The services the URLs name, each with its folder and profiles.
fn services(args: &CaptureArgs) -> Result<Vec<Service>, Error> {
    for k in &args.profiles {
        if !KINDS.contains(&k.as_str()) {
            return Err(Error::invalid_option(format!(
                "--profiles: {} is not one of {}",
                leakscope::error::quote(k),
                KINDS.join(", ")
            )));
        }
    }
    let mut out: Vec<Service> = Vec::new();
    for url in &args.urls {
        let (base, named) = split_url(url)?;
        let kinds = if !args.profiles.is_empty() {
            args.profiles.clone()
        } else {
            vec![named.unwrap_or_else(|| "heap".into())]
        };
        if let Some(s) = out.iter_mut().find(|s| s.base == base) {
            for k in kinds {
                if !s.kinds.contains(&k) {
                    s.kinds.push(k);
                }
            }
            continue;
        }
        out.push(Service {
            manifest: Manifest {
                service: base.clone(),
                ..Manifest::default()
            },
            base,
            dir: PathBuf::new(),
            kinds,
            taken: Vec::new(),
            last_round: Vec::new(),
        });
    }
    // One service: its files in --out; several: a folder each, by host and port.
    let several = out.len() > 1;
    let mut used: Vec<String> = Vec::new();
    for s in &mut out {
        s.dir = if several {
            let mut name = folder_name(&s.base);
            let mut n = 2;
            while used.contains(&name) {
                name = format!("{}-{n}", folder_name(&s.base));
                n += 1;
            }
            used.push(name.clone());
            args.out.join(name)
        } else {
            args.out.clone()
        };
        // An earlier capture's files are not overwritten.
        if s.dir.join("manifest.json").exists() {
            return Err(Error::invalid_option(format!(
                "--out {}: it holds an earlier capture (manifest.json); name another folder",
                s.dir.display()
            )));
        }
        std::fs::create_dir_all(&s.dir)
            .map_err(|e| Error::invalid_option(format!("--out {}: {e}", s.dir.display())))?;
    }
    Ok(out)
}

/// `http://h:6060/debug/pprof/heap?x` → (`http://h:6060`, Some(`heap`)).
fn split_url(url: &str) -> Result<(String, Option<String>), Error> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(Error::invalid_option(format!(
            "{}: a service's URL starts with http:// or https:// (http://host:6060, or its /debug/pprof/heap)",
            leakscope::error::quote(url)
        )));
    }
    let url = url.split(['#', '?']).next().unwrap_or(url);
    match url.find("/debug/pprof") {
        Some(at) => {
            let rest = url[at + "/debug/pprof".len()..].trim_matches('/');
            let named = if rest.is_empty() {
                None
            } else if KINDS.contains(&rest) {
                Some(rest.to_string())
            } else {
                return Err(Error::invalid_option(format!(
                    "{}: capture takes {} profiles; {} is not one",
                    leakscope::error::quote(url),
                    KINDS.join(", "),
                    leakscope::error::quote(rest)
                )));
            };
            Ok((url[..at].to_string(), named))
        }
        None => Ok((url.trim_end_matches('/').to_string(), None)),
    }
}

/// A folder name for a service: its host and port, other characters `_`.
fn folder_name(base: &str) -> String {
    let host = base.split("://").nth(1).unwrap_or(base);
    host.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Sleeps until `when`, waking to check for Ctrl-C; false when stopped.
fn sleep_until(when: Instant) -> bool {
    while Instant::now() < when {
        if STOP.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep((when - Instant::now()).min(Duration::from_millis(100)));
    }
    !STOP.load(Ordering::SeqCst)
}

/// Takes this round's snapshot of each of the service's profiles, one
/// request at a time.
fn take_round(s: &mut Service, round: u32, fetch: &Fetch) {
    s.last_round.clear();
    for kind in s.kinds.clone() {
        if STOP.load(Ordering::SeqCst) {
            return;
        }
        let url = format!("{}/debug/pprof/{kind}", s.base);
        let taken_at = SystemTime::now();
        let mut result = fetch.get(&url);
        for attempt in 1..=fetch.retries {
            match &result {
                Outcome::Failed { retry: true, .. } if !STOP.load(Ordering::SeqCst) => {
                    if !sleep_until(Instant::now() + Duration::from_secs(attempt as u64)) {
                        break;
                    }
                    result = fetch.get(&url);
                }
                _ => break,
            }
        }
        let error = match result {
            Outcome::Bytes(bytes) => match keep(s, &kind, &bytes) {
                Ok(file) => {
                    s.last_round.push(file.clone());
                    s.manifest.snapshots.push(Snapshot {
                        file,
                        kind: kind.clone(),
                        url: url.clone(),
                        taken_at: rfc3339(taken_at),
                        bytes: bytes.len(),
                    });
                    continue;
                }
                Err(e) => e,
            },
            Outcome::Failed { error, .. } => error,
        };
        // A server without the goroutine-leak profile (a Go that does not
        // serve it) is asked no more.
        if kind == "goroutineleak" && error.contains("404") {
            s.kinds.retain(|k| k != "goroutineleak");
        }
        crate::cli::warn(&format!("leakscope: {url}: {error}"));
        s.manifest.failures.push(Failure {
            kind,
            round,
            url,
            taken_at: rfc3339(taken_at),
            error,
        });
    }
}

/// Decodes a fetched profile and, when it is one, writes it as the next
/// `KIND.N.pb.gz`; the file name, or why it is not kept.
fn keep(s: &mut Service, kind: &str, bytes: &[u8]) -> Result<String, String> {
    let profile = read_profile(bytes, &ImportOptions::default())
        .and_then(|p| prepare(vec![p], None))
        .map_err(|e| format!("the answer is not a profile: {e}"))?;
    let n = s.taken.iter().filter(|(k, _, _)| k == kind).count();
    let file = format!("{kind}.{n}.pb.gz");
    std::fs::write(s.dir.join(&file), bytes)
        .map_err(|e| format!("{}: {e}", s.dir.join(&file).display()))?;
    s.taken.push((kind.to_string(), file.clone(), profile));
    Ok(file)
}

fn write_manifest(s: &Service) -> Result<(), Error> {
    let path = s.dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&s.manifest).expect("a manifest serializes");
    std::fs::write(&path, text + "\n")
        .map_err(|e| Error::invalid_option(format!("{}: {e}", path.display())))
}

/// The trend of one kind's snapshots so far, when there are two or more.
fn trend_of(s: &Service, kind: &str) -> Option<Result<trend::TrendReport, Error>> {
    let snapshots: Vec<(String, &Profile)> = s
        .taken
        .iter()
        .filter(|(k, _, _)| k == kind)
        .map(|(_, file, p)| (file.clone(), p))
        .collect();
    if snapshots.len() < 2 {
        return None;
    }
    // An allocs profile is a heap profile read for what was allocated.
    let sample_index = if kind == "allocs" { "alloc_space" } else { "" };
    let options = trend::TrendOptions {
        sample_index: sample_index.into(),
        granularity: Granularity::Functions,
    };
    Some(trend::trend(snapshots, &options, None))
}

/// After a round: what was taken, and the leading suspect so far.
fn progress_line(s: &Service, round: u32, count: u32, name_it: bool) -> String {
    let mut out = String::new();
    let who = if name_it {
        format!("{}: ", s.base)
    } else {
        String::new()
    };
    let _ = write!(out, "[{}/{count}] {who}", round + 1);
    let _ = write!(
        out,
        "{}",
        if s.last_round.is_empty() {
            "nothing taken".to_string()
        } else {
            s.last_round.join(", ")
        }
    );
    for kind in &s.kinds {
        match trend_of(s, kind) {
            Some(Ok(r)) => match r.leader() {
                trend::Leader::Grows(top) => {
                    let _ = write!(
                        out,
                        "; {kind} suspect: {} {}",
                        top.name,
                        render::text::signed_label(top.growth, &r.unit)
                    );
                }
                trend::Leader::Nothing => {
                    let _ = write!(out, "; {kind}: nothing grows yet");
                }
                trend::Leader::Unsure(left) => {
                    let _ = write!(out, "; {kind}: {}", left.why_unsure(&r.unit));
                }
            },
            Some(Err(e)) => {
                let _ = write!(out, "; {kind}: {e}");
            }
            None => {}
        }
    }
    out.push('\n');
    render::terminal_safe(&out).into_owned()
}

/// The end: where the files are, and each kind's trend as `trend` prints it.
fn summary(s: &Service, name_it: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}{} snapshot(s) in {}{}",
        if name_it {
            format!("{}: ", s.base)
        } else {
            String::new()
        },
        s.manifest.snapshots.len(),
        s.dir.display(),
        if s.manifest.failures.is_empty() {
            String::new()
        } else {
            format!(
                " ({} request(s) failed: see manifest.json)",
                s.manifest.failures.len()
            )
        }
    );
    let mut kinds: Vec<&str> = Vec::new();
    for (k, _, _) in &s.taken {
        if !kinds.contains(&k.as_str()) {
            kinds.push(k);
        }
    }
    for kind in kinds {
        match trend_of(s, kind) {
            Some(Ok(r)) => {
                let _ = writeln!(out, "\n{kind}:");
                out.push_str(&render::text::trend(&r));
            }
            Some(Err(e)) => {
                let _ = writeln!(out, "\n{kind}: {e}");
            }
            None => {
                let _ = writeln!(out, "\n{kind}: one snapshot; a trend needs two or more");
            }
        }
    }
    out
}

/// What was taken, as one link and/or one report: every snapshot and
/// metrics.json, named by their folder when there are several services.
fn share(args: &CaptureArgs, services: &[Service]) -> Result<(), Error> {
    let mut files = Vec::new();
    for s in services {
        let mut names: Vec<String> = s
            .manifest
            .snapshots
            .iter()
            .map(|x| x.file.clone())
            .collect();
        if s.dir.join("metrics.json").is_file() {
            names.push("metrics.json".into());
        }
        for name in names {
            let path = s.dir.join(&name);
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::invalid_option(format!("{}: {e}", path.display())))?;
            let name = match (services.len() > 1, s.dir.file_name()) {
                (true, Some(folder)) => format!("{}/{name}", folder.to_string_lossy()),
                _ => name,
            };
            files.push(leakscope::share::SharedFile { name, bytes });
        }
    }
    if files.is_empty() {
        return Err(Error::invalid_option(
            "nothing was taken: no link or report to make",
        ));
    }
    let data = leakscope::share::pack(&files);
    if args.link {
        let link = format!("{}#data={data}", args.site);
        if link.len() <= leakscope::share::LINK_BUDGET {
            println!("\nlink ({} files): {link}", files.len());
        } else {
            println!(
                "\nno link: the {} files make a {}-character link, more than links carry ({}); --report makes one file of them",
                files.len(),
                link.len(),
                leakscope::share::LINK_BUDGET
            );
        }
    }
    if let Some(path) = &args.report {
        let page_path = single_file_page(args.page.as_deref())?;
        let page = std::fs::read_to_string(&page_path)
            .map_err(|e| Error::invalid_option(format!("{}: {e}", page_path.display())))?;
        let html = leakscope::share::report_html(&page, "", &data)
            .map_err(|e| e.context(page_path.display()))?;
        std::fs::write(path, &html)
            .map_err(|e| Error::invalid_option(format!("--report {}: {e}", path.display())))?;
        println!(
            "\nreport: {} ({}, {} files), opens on the Overview in any browser, offline too",
            path.display(),
            units::label(html.len() as i64, "bytes"),
            files.len()
        );
    }
    Ok(())
}

/// The single-file page: --page, else dist/leakscope.html here or in the
/// checkout the binary was built in (target/*/leakscope).
fn single_file_page(given: Option<&std::path::Path>) -> Result<PathBuf, Error> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    let mut tried = vec![PathBuf::from("dist/leakscope.html")];
    if let Some(checkout) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent()?.parent()?.parent().map(PathBuf::from))
    {
        tried.push(checkout.join("dist/leakscope.html"));
    }
    tried.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        Error::invalid_option(format!(
            "--report needs the single-file page, which scripts/build-dist makes as dist/leakscope.html; not found at {}: give its path with --page",
            tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" or ")
        ))
    })
}

/// The Prometheus query of a service's series: under `--match`'s
/// matchers, or its instance (`host:port`, as Prometheus labels a scrape
/// target).
fn selector(s: &Service, given: Option<&str>) -> Result<String, String> {
    let matchers = match given {
        Some(m) => promql::matchers(m).map_err(|e| format!("--match {e}"))?,
        None => format!("instance=\"{}\"", promql::escape(&instance_of(s))),
    };
    Ok(promql::series_query(&matchers))
}

/// A service's `host:port`.
fn instance_of(s: &Service) -> String {
    let host = s.base.split("://").nth(1).unwrap_or(&s.base);
    host.split('/').next().unwrap_or(host).to_string()
}

/// Range-query answers (or why none) by query, so that services whose
/// selector is the same send it once.
type RangeAnswers = std::collections::HashMap<String, Result<(serde_json::Value, Vec<u8>), String>>;

/// Fetches the service's series over the capture's window from Prometheus'
/// `query_range` (one query: the names the analysis reads, under the
/// selector), keeps the answer as `metrics.json` and analyses it with the
/// heap snapshots as `analyze` does; what went wrong otherwise.
fn with_metrics(
    s: &Service,
    prometheus: &str,
    given: Option<&str>,
    (from, to): (SystemTime, SystemTime),
    (fetch, answers): (&Fetch, &mut RangeAnswers),
) -> String {
    let shown = given
        .map(str::to_string)
        .unwrap_or_else(|| format!("{{instance=\"{}\"}}", instance_of(s)));
    let head = format!(
        "\nmetrics from {} for {shown}",
        prometheus.trim_end_matches('/')
    );
    let fail = |why: String| format!("{head}: {why}\n");
    let query = match selector(s, given) {
        Ok(q) => q,
        Err(e) => return fail(e),
    };
    let seconds = |t: SystemTime| {
        t.duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    };
    let (start, end) = (seconds(from), seconds(to).max(seconds(from) + 1.0));
    // As the query asks for it (promql::range_query_params).
    let step = promql::step(end - start);
    let answer = answers.entry(query).or_insert_with_key(|query| {
        prometheus::query_range(fetch, prometheus, query, end - start, end)
    });
    let (answer, bytes) = match answer {
        Ok(a) => a,
        Err(e) => return fail(e.clone()),
    };
    let found = answer["data"]["result"].as_array().map_or(0, |r| r.len());
    if found == 0 {
        return fail(format!(
            "no series between {} and {} (is the service scraped by it, and labelled so?)",
            rfc3339(from),
            rfc3339(to)
        ));
    }
    let path = s.dir.join("metrics.json");
    if let Err(e) = std::fs::write(&path, &bytes) {
        return fail(format!("{}: {e}", path.display()));
    }
    let set = match prometheus::series_set(bytes, "metrics.json") {
        Ok(set) => set,
        Err(e) => return fail(e),
    };
    let mut heaps: Vec<(&String, &Profile)> = s
        .taken
        .iter()
        .filter(|(k, _, _)| k == "heap")
        .map(|(_, f, p)| (f, p))
        .collect();
    heaps.sort_by_key(|(_, p)| p.time_nanos);
    let inputs: Vec<ProfileInput> = heaps
        .iter()
        .map(|(name, profile)| ProfileInput { name, profile })
        .collect();
    let joined = evidence::join(Some(set), &inputs, &leak::AnalyzeOptions { limit: None });
    let Some(report) = render::json::AnalyzeReport::new(&joined) else {
        return fail("nothing to analyse".into());
    };
    format!(
        "{head} ({found} series, a point every {step}s, in {}):\n{}",
        path.display(),
        render::text::analyze_report(&report)
    )
}

/// A time as RFC 3339 in UTC, to the millisecond.
fn rfc3339(t: SystemTime) -> String {
    let ms = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    render::gotime::iso8601(ms * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_service_and_maybe_the_profile() {
        assert_eq!(
            split_url("http://h:6060").unwrap(),
            ("http://h:6060".into(), None)
        );
        assert_eq!(
            split_url("http://h:6060/").unwrap(),
            ("http://h:6060".into(), None)
        );
        assert_eq!(
            split_url("https://h/app/debug/pprof/heap?gc=1").unwrap(),
            ("https://h/app".into(), Some("heap".into()))
        );
        assert_eq!(
            split_url("http://h:1/debug/pprof/").unwrap(),
            ("http://h:1".into(), None)
        );
        assert!(split_url("h:6060")
            .unwrap_err()
            .message
            .contains("starts with http://"));
        assert!(split_url("http://h/debug/pprof/profile")
            .unwrap_err()
            .message
            .contains("is not one"));
        assert_eq!(folder_name("http://127.0.0.1:6060/x"), "127.0.0.1_6060_x");
    }
}

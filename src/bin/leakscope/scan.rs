//! `leakscope scan`: every process a Prometheus holds, ranked by how likely
//! it leaks. Prometheus does the fan-out (three instant queries, whatever
//! the fleet's size); only the leading candidates' series are downloaded,
//! and judged by `analyze`'s verdict engine (see `analysis::scan`).

use std::fmt::Write as _;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Args;

use leakscope::analysis::promql;
use leakscope::analysis::scan::{self, ScanReport};
use leakscope::render;
use leakscope::units;
use leakscope::Error;

use crate::cli::Format;
use crate::http::{self, Fetch};
use crate::prometheus;

#[derive(Args)]
pub struct ScanArgs {
    /// The Prometheus (or Thanos, Mimir, VictoriaMetrics) holding the fleet.
    #[arg(long, value_name = "URL")]
    prometheus: String,
    /// Which processes (`{job="api"}`); default every one with the metric.
    #[arg(long = "match", value_name = "SELECTOR")]
    match_: Option<String>,
    /// The window, ending now (`24h`, `7d`, `30m`).
    #[arg(long, default_value = "24h", value_parser = humantime::parse_duration)]
    since: Duration,
    /// The memory series to rank by.
    #[arg(long, default_value = scan::DEFAULT_METRIC, value_name = "NAME")]
    metric: String,
    /// How many of the leading candidates to fetch and judge (and half as
    /// many more among those that restarted most).
    #[arg(long, default_value_t = 10)]
    top: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The longest a query may take.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// The largest answer read, in MB.
    #[arg(long, default_value_t = 512)]
    max_mb: u64,
}

pub fn run(args: ScanArgs) -> Result<String, Error> {
    let matchers =
        promql::matchers(args.match_.as_deref().unwrap_or("")).map_err(|e| e.context("--match"))?;
    if !args
        .metric
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        || args.metric.is_empty()
    {
        return Err(Error::invalid_option(format!(
            "--metric {}: a metric name",
            leakscope::error::quote(&args.metric)
        )));
    }
    let window_s = args.since.as_secs().max(60);
    let agent = http::agent(args.timeout);
    let fetch = Fetch {
        agent: &agent,
        retries: 0,
        limit: args.max_mb.saturating_mul(1 << 20),
        timeout: args.timeout,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let started = Instant::now();

    // Step one: Prometheus ranks the fleet.
    let q = scan::queries(&args.metric, &matchers, window_s);
    let mut bytes = 0;
    let mut ask = |query: &str| {
        let (samples, size) = prometheus::query(&fetch, &args.prometheus, query, now)
            .map_err(Error::invalid_option)?;
        bytes += size;
        Ok::<_, Error>(samples)
    };
    let slope = ask(&q.floor_slope)?;
    let level = ask(&q.level)?;
    let restarts = ask(&q.restarts)?;
    let mut queries = vec![q.floor_slope.clone(), q.level.clone(), q.restarts.clone()];
    let candidates = scan::candidates(&slope, &level, &restarts);
    if candidates.is_empty() {
        return Err(Error::invalid_option(format!(
            "{} has no {}{} over the last {}: nothing to scan",
            args.prometheus,
            args.metric,
            args.match_.as_deref().unwrap_or(""),
            humantime::format_duration(Duration::from_secs(window_s))
        )));
    }

    // Step two: the leading candidates' own series, judged.
    let mut fetched = Vec::new();
    for c in &scan::to_judge(&candidates, args.top) {
        let query = scan::series_query(&args.metric, c);
        queries.push(query.clone());
        let set = prometheus::query_range(&fetch, &args.prometheus, &query, window_s as f64, now)
            .and_then(|(_, answer)| {
                bytes += answer.len();
                prometheus::series_set(&answer, "query_range")
            });
        fetched.push((c.clone(), set));
    }
    let report = ScanReport {
        metric: args.metric.clone(),
        window_s,
        processes: candidates.len(),
        queries,
        bytes_received: bytes as u64,
        judged: scan::judge(&args.metric, fetched),
    };
    Ok(match args.format {
        Format::Json => crate::cli::json(&report),
        Format::Text => text(&report, started.elapsed()),
    })
}

fn text(r: &ScanReport, took: Duration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} processes with {} over the last {}; {} judged ({} queries, {}, {:.1} s):",
        r.processes,
        r.metric,
        humantime::format_duration(Duration::from_secs(r.window_s)),
        r.judged.len(),
        r.queries.len(),
        units::label(r.bytes_received as i64, "bytes"),
        took.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "{:>4}  {:<17} {:>11} {:>9} {:>8}  process",
        "rank", "verdict", "floor", "per req", "restarts"
    );
    for j in &r.judged {
        let verdict = match (j.verdict, j.confidence) {
            (Some(v), Some(c)) => format!("{} {c:.2}", render::text::verdict_word(v)),
            (Some(v), None) => render::text::verdict_word(v).to_string(),
            (None, _) => "not judged".into(),
        };
        let growth = j.candidate.floor_growth_per_hour;
        let floor = format!(
            "{}{}/h",
            if growth > 0.0 { "+" } else { "" },
            units::label(growth.round() as i64, "bytes")
        );
        let per_request = j
            .bytes_per_request
            .map(|b| units::label(b.round() as i64, "bytes"))
            .unwrap_or_else(|| "-".into());
        let labels = j
            .candidate
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "{:>4}  {:<17} {:>11} {:>9} {:>8}  {{{labels}}}",
            j.rank, verdict, floor, per_request, j.candidate.restarts
        );
        let _ = writeln!(out, "      {}", j.reason);
    }
    let _ = writeln!(
        out,
        "floor: the slope per hour of the memory's minima over {} (Prometheus' deriv of min_over_time); the verdicts are analyze's, on each process's own series.",
        humantime::format_duration(Duration::from_secs(scan::floor_width(r.window_s)))
    );
    render::terminal_safe(&out).into_owned()
}

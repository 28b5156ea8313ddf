//! The command line: a thin shim over the library. It reads
//! files (or `-` for stdin), calls one core function, and prints text or
//! JSON. Errors go to stderr with a non-zero exit, without backtraces.

use std::cell::{Cell, RefCell};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use leakscope::analysis::evidence::{self, ProfileInput};
use leakscope::analysis::options::{Filters, Granularity, ReportOptions, SortOrder};
use leakscope::analysis::source::{prepare, Base, DiffMode};
use leakscope::analysis::{leak, list, top, traces, trend};
use leakscope::import::{
    profile_of, read_contents_from, read_profile_from, ImportOptions, Input, Named, NamedInput,
};
use leakscope::model::series::SeriesSet;
use leakscope::model::Profile;
use leakscope::render;
use leakscope::Error;

#[derive(Parser)]
#[command(
    name = "leakscope",
    version,
    about = "Memory-leak and profile analyzer: pprof's reports with pprof's numbers",
    long_about = "Reads pprof profiles (gzipped or raw protobuf, and the legacy text formats) \
                  and reports on them as `go tool pprof` does. FILE may be `-` for stdin."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Functions ranked by flat (or cum) value, like `go tool pprof -top`.
    Top {
        /// Profiles to report on (several of one kind are merged).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Per-line values of functions matching REGEX, like `go tool pprof -list`.
    List {
        /// Regular expression selecting functions.
        regex: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Directory to find source files in (pprof's -source_path); when
        /// given, only files under it are read.
        #[arg(long)]
        source_dir: Option<PathBuf>,
        /// Skip source files larger than this many MiB.
        #[arg(
            long,
            default_value_t = 16,
            value_name = "MIB",
            help_heading = "Limits"
        )]
        max_source_mb: u64,
        /// Hand at most this many MiB of source text to one listing (each
        /// file read once; each line 24 bytes more).
        #[arg(
            long,
            default_value_t = 256,
            value_name = "MIB",
            help_heading = "Limits"
        )]
        max_source_total_mb: u64,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Every sample with its labels and stack, like `go tool pprof -traces`.
    Traces {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// The call graph in Graphviz DOT, exactly as `go tool pprof -dot` writes it.
    Dot {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// The call graph as an SVG image (laid out by leakscope; no Graphviz needed).
    Svg {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// A flame graph (icicle: roots on top) as an SVG image.
    Flame {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Width of the image in pixels.
        #[arg(long, default_value_t = 1200)]
        width: u32,
        /// Draw frames at most this many levels below the root.
        #[arg(long, default_value_t = leakscope::analysis::flame::MAX_DEPTH, value_name = "N", help_heading = "Limits")]
        max_depth: usize,
        /// Draw at most this many frames (the narrowest are left out).
        #[arg(long, default_value_t = leakscope::analysis::flame::MAX_FRAMES, value_name = "N", help_heading = "Limits")]
        max_frames: usize,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Leak suspects: the allocation sites that keep growing across heap
    /// snapshots heap.0 … heap.N of one process.
    Trend {
        /// Two or more heap profiles of one process (ordered by their time).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Sample type (default inuse_space).
        #[arg(
            long,
            default_value = "",
            hide_default_value = true,
            value_name = "NAME|N"
        )]
        sample_index: String,
        #[arg(long, value_enum, default_value = "functions")]
        granularity: TrendGranularity,
        /// Metrics of the same process (Grafana CSV, Prometheus JSON...), for
        /// bytes per request; may be repeated.
        #[arg(long, value_name = "FILE")]
        metrics: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        import: ImportArgs,
    },
    /// Memory over time: leak or steady, restarts, bytes per request, time
    /// to the limit, from Grafana CSV, Prometheus JSON/text exports and OOM
    /// logs; with heap or goroutine snapshots among the files, each is tied
    /// to the process it was taken from (when the evidence says which) and
    /// its series' leak suspects given.
    Analyze {
        /// Exports, logs and snapshots to read together (`-` for stdin).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The memory limit (e.g. 120MiB, 128Mi, 2GB, bytes), if known.
        #[arg(long, value_parser = parse_limit)]
        limit: Option<f64>,
        /// The UTC offset of times written without a zone (Grafana's
        /// formatted times, dmesg -T, syslog), e.g. +01:00; default UTC.
        #[arg(long, value_parser = parse_offset, allow_hyphen_values = true, value_name = "±HH:MM")]
        utc_offset: Option<i32>,
        /// Also draw the leading process's memory chart (annotated) to this SVG file.
        #[arg(long, value_name = "FILE.svg")]
        chart: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        import: ImportArgs,
    },
    /// Sample types, counts, time, duration and comments of a profile.
    Info {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        import: ImportArgs,
    },
    /// A link to the page that carries the files themselves (in the URL's
    /// #data= fragment, which browsers never send to a server).
    Link {
        /// Profiles, exports, logs (each is read first: a file leakscope
        /// cannot read makes no link).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where the page is hosted.
        #[arg(long, default_value = "http://127.0.0.1:8080/")]
        site: String,
        /// The view to open, as the page's hash parameters (e.g. view=diff&si=alloc_space).
        #[arg(long, default_value = "", hide_default_value = true)]
        view: String,
        #[command(flatten)]
        import: ImportArgs,
    },
    /// Heap (and other) snapshots from live Go services every --every,
    /// written to --out with a manifest, the leak suspects printed as they
    /// appear and each profile's trend at the end. Ctrl-C keeps what was
    /// taken and analyses it (exit 130).
    Capture(crate::capture::CaptureArgs),
    /// Every process a Prometheus holds, ranked by how likely it leaks:
    /// Prometheus ranks the fleet by its memory floors' growth (three
    /// queries, whatever its size), then the leading candidates' series are
    /// fetched and judged as `analyze` judges files.
    Scan(crate::scan::ScanArgs),
    /// Every field of the profile, like `go tool pprof -raw`.
    Raw {
        file: PathBuf,
        #[command(flatten)]
        import: ImportArgs,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

/// Resource limits on inputs (the core's `ImportOptions`; defaults there).
#[derive(Args)]
struct ImportArgs {
    /// Refuse inputs that inflate to more than this many MiB.
    #[arg(
        long,
        default_value_t = 1024,
        value_name = "MIB",
        help_heading = "Limits"
    )]
    max_inflated_mb: u64,
    /// Refuse gzip data inflating more than this many times its size (past 64 MiB).
    #[arg(long, default_value_t = ImportOptions::default().max_ratio, value_name = "N", help_heading = "Limits")]
    max_ratio: u64,
    /// Refuse profiles with more samples.
    #[arg(long, default_value_t = ImportOptions::default().max_samples, value_name = "N", help_heading = "Limits")]
    max_samples: u64,
    /// Refuse profiles with more locations (or functions, or mappings).
    #[arg(long, default_value_t = ImportOptions::default().max_locations, value_name = "N", help_heading = "Limits")]
    max_locations: u64,
    /// Refuse profiles with more strings.
    #[arg(long, default_value_t = ImportOptions::default().max_strings, value_name = "N", help_heading = "Limits")]
    max_strings: u64,
    /// Refuse profiles with more sample types (values per sample).
    #[arg(long, default_value_t = ImportOptions::default().max_sample_types, value_name = "N", help_heading = "Limits")]
    max_sample_types: u64,
    /// Refuse CSV exports with more columns.
    #[arg(long, default_value_t = ImportOptions::default().max_csv_columns, value_name = "N", help_heading = "Limits")]
    max_columns: usize,
    /// Refuse text inputs with a longer line (KiB).
    #[arg(long, default_value_t = ImportOptions::default().max_line_bytes / 1024, value_name = "KIB", help_heading = "Limits")]
    max_line_kb: usize,
    /// Refuse JSON nested deeper.
    #[arg(long, default_value_t = ImportOptions::default().max_json_depth, value_name = "N", help_heading = "Limits")]
    max_json_depth: usize,
    /// Refuse archives (.zip, .tar, .tar.gz) with more members.
    #[arg(long, default_value_t = ImportOptions::default().max_members, value_name = "N", help_heading = "Limits")]
    max_members: u64,
}

impl ImportArgs {
    fn options(&self) -> ImportOptions {
        ImportOptions {
            max_inflated_bytes: self.max_inflated_mb.saturating_mul(1 << 20),
            max_ratio: self.max_ratio,
            max_samples: self.max_samples,
            max_locations: self.max_locations,
            max_strings: self.max_strings,
            max_sample_types: self.max_sample_types,
            max_csv_columns: self.max_columns,
            max_line_bytes: self.max_line_kb.saturating_mul(1024),
            max_json_depth: self.max_json_depth,
            max_members: self.max_members,
            utc_offset: None,
        }
    }
}

#[derive(Args)]
struct ReportArgs {
    /// Sample type, by name (inuse_space, alloc_objects, cpu...) or index.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        value_name = "NAME|N"
    )]
    sample_index: String,
    /// Subtract this profile (pprof's -base); percentages of the combined total.
    #[arg(long, value_name = "FILE", conflicts_with = "diff_base")]
    base: Vec<PathBuf>,
    /// Subtract this profile (pprof's -diff_base); percentages of the base's total.
    #[arg(long, value_name = "FILE")]
    diff_base: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "functions")]
    granularity: GranularityArg,
    /// Keep only samples with a frame matching this regex.
    #[arg(long, default_value = "", hide_default_value = true)]
    focus: String,
    /// Drop samples with a frame matching this regex.
    #[arg(long, default_value = "", hide_default_value = true)]
    ignore: String,
    /// Remove frames matching this regex from the stacks.
    #[arg(long, default_value = "", hide_default_value = true)]
    hide: String,
    /// Keep only frames matching this regex.
    #[arg(long, default_value = "", hide_default_value = true)]
    show: String,
    /// Drop frames above the root-most frame matching this regex.
    #[arg(long, default_value = "", hide_default_value = true)]
    show_from: String,
    /// Keep samples whose labels match (key=regex, regex, or key=1kb:64kb).
    #[arg(long, default_value = "", hide_default_value = true)]
    tagfocus: String,
    /// Drop samples whose labels match.
    #[arg(long, default_value = "", hide_default_value = true)]
    tagignore: String,
    /// Show at most N nodes (0: all).
    #[arg(long, default_value_t = 0, value_name = "N")]
    nodecount: usize,
    /// Drop nodes under this share of the total [default: 0.005 for text,
    /// 0 for json].
    #[arg(long, value_name = "F")]
    nodefraction: Option<f64>,
    /// Drop edges under this share of the total [default: 0.001 for text, 0 for json].
    #[arg(long, value_name = "F")]
    edgefraction: Option<f64>,
    /// Sort by cumulative value.
    #[arg(long)]
    cum: bool,
    /// Unit for values in text output: minimum (chosen per report), or B, MB, ms...
    #[arg(long, default_value = "minimum")]
    unit: String,
    /// Attribute inlined frames to the function they were inlined into.
    #[arg(long)]
    noinlines: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    import: ImportArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum GranularityArg {
    Functions,
    Filefunctions,
    Files,
    Lines,
    Addresses,
}

/// The granularities `trend` works at.
#[derive(Clone, Copy, ValueEnum)]
enum TrendGranularity {
    Functions,
    Filefunctions,
    Lines,
}

impl From<TrendGranularity> for Granularity {
    fn from(g: TrendGranularity) -> Granularity {
        match g {
            TrendGranularity::Functions => Granularity::Functions,
            TrendGranularity::Filefunctions => Granularity::Filefunctions,
            TrendGranularity::Lines => Granularity::Lines,
        }
    }
}

impl ReportArgs {
    fn options(&self) -> ReportOptions {
        let exact = self.format == Format::Json;
        ReportOptions {
            sample_index: self.sample_index.clone(),
            granularity: match self.granularity {
                GranularityArg::Functions => Granularity::Functions,
                GranularityArg::Filefunctions => Granularity::Filefunctions,
                GranularityArg::Files => Granularity::Files,
                GranularityArg::Lines => Granularity::Lines,
                GranularityArg::Addresses => Granularity::Addresses,
            },
            filters: Filters {
                focus: self.focus.clone(),
                ignore: self.ignore.clone(),
                hide: self.hide.clone(),
                show: self.show.clone(),
                show_from: self.show_from.clone(),
                tag_focus: self.tagfocus.clone(),
                tag_ignore: self.tagignore.clone(),
            },
            node_count: self.nodecount,
            node_fraction: self.nodefraction.unwrap_or(if exact { 0.0 } else { 0.005 }),
            edge_fraction: self.edgefraction.unwrap_or(if exact { 0.0 } else { 0.001 }),
            sort: if self.cum {
                SortOrder::Cum
            } else {
                SortOrder::Flat
            },
            unit: self.unit.clone(),
            no_inlines: self.noinlines,
            ..ReportOptions::default()
        }
    }

    /// Loads the targets and bases and prepares the profile to report on.
    fn load(&self, files: &[PathBuf]) -> Result<Profile, Error> {
        let import = self.import.options();
        let targets = load_all(files, &import)?;
        let base = if !self.base.is_empty() {
            Some(Base {
                profiles: load_all(&self.base, &import)?,
                mode: DiffMode::Base,
            })
        } else if !self.diff_base.is_empty() {
            Some(Base {
                profiles: load_all(&self.diff_base, &import)?,
                mode: DiffMode::DiffBase,
            })
        } else {
            None
        };
        prepare(targets, base)
    }
}

fn parse_offset(s: &str) -> Result<i32, String> {
    leakscope::import::series::values::parse_utc_offset(s)
        .ok_or_else(|| format!("{s:?} is not a UTC offset (try +01:00, -0500 or Z)"))
}

fn parse_limit(s: &str) -> Result<f64, String> {
    leakscope::units::parse_bytes(s)
        .ok_or_else(|| format!("{s:?} is not a size (try 120MiB, 128Mi, 2GB or a number of bytes)"))
}

/// Reads a file, or stdin for `-`, streaming: its one input, or each
/// member of an archive named `archive.zip/path`. A member that cannot be
/// read is reported on stderr and skipped, so one bad file in an archive
/// does not lose the others; an archive with nothing readable is an error.
fn load_files(path: &Path, import: &ImportOptions) -> Result<Named, Error> {
    let name = path.display().to_string();
    let contents = if path == Path::new("-") {
        read_contents_from(std::io::stdin().lock(), import)
    } else {
        let file =
            std::fs::File::open(path).map_err(|e| Error::invalid_option(format!("{name}: {e}")))?;
        read_contents_from(std::io::BufReader::with_capacity(256 * 1024, file), import)
    };
    let mut named = contents.map_err(|e| e.context(&name))?.named(&name);
    for (member, e) in &named.errors {
        eprintln!("leakscope: {member}: {e} (skipped)");
    }
    if named.inputs.is_empty() && !named.errors.is_empty() {
        let (member, e) = named.errors.swap_remove(0);
        return Err(e.context(member));
    }
    Ok(named)
}

/// Reads metrics exports or OOM logs (an archive of them too).
fn load_series(path: &Path, import: &ImportOptions) -> Result<Vec<(String, SeriesSet)>, Error> {
    load_files(path, import)?
        .inputs
        .into_iter()
        .map(|NamedInput { name, input, .. }| match input {
            Input::Series(s) => Ok((name, s)),
            Input::Profile(_) => Err(Error::invalid_option(format!(
                "{name}: a profile, not metrics: --metrics reads metric exports and OOM logs"
            ))),
        })
        .collect()
}

/// Reads one profile from a file, or stdin for `-`, streaming (an
/// archive only when it holds exactly one input).
fn load(path: &Path, import: &ImportOptions) -> Result<Profile, Error> {
    let result = if path == Path::new("-") {
        read_profile_from(std::io::stdin().lock(), import)
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::invalid_option(format!("{}: {e}", path.display())))?;
        read_profile_from(std::io::BufReader::with_capacity(256 * 1024, file), import)
    };
    result.map_err(|e| e.context(path.display()))
}

/// Every profile in the files, each named (an archive's members each on
/// their own). A file that is not a profile is an error naming it; in an
/// archive, metrics beside the profiles are skipped with a note (a run's
/// exports are often zipped together).
fn load_named(paths: &[PathBuf], import: &ImportOptions) -> Result<Vec<(String, Profile)>, Error> {
    let mut out = Vec::new();
    for path in paths {
        let files = load_files(path, import)?;
        let archive = files.archive;
        let before = out.len();
        for NamedInput { name, input, .. } in files.inputs {
            match input {
                Input::Series(_) if archive => {
                    eprintln!("leakscope: {name}: metrics, not a profile (skipped)");
                }
                input => out.push((
                    name.clone(),
                    profile_of(input).map_err(|e| e.context(&name))?,
                )),
            }
        }
        if out.len() == before {
            return Err(Error::invalid_option(format!(
                "{}: the archive holds no profile",
                path.display()
            )));
        }
    }
    Ok(out)
}

/// Every profile in the files: several are merged, as pprof merges the
/// profiles it is given (an archive's profiles count as given).
fn load_all(paths: &[PathBuf], import: &ImportOptions) -> Result<Vec<Profile>, Error> {
    Ok(load_named(paths, import)?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
}

/// A report as text (pprof's layout) or as JSON.
fn output<T: serde::Serialize>(format: Format, value: &T, text: fn(&T) -> String) -> String {
    match format {
        Format::Text => text(value),
        Format::Json => json(value),
    }
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report structs serialize");
    s.push('\n');
    s
}

/// What a command built (profiles, their analysis), never freed: the
/// process ends right after printing it, and the system takes the memory
/// back at once, where dropping it piece by piece made `analyze` of
/// 2,000 snapshots 1.36 s instead of 1.19 s (BENCHMARKS.md, issue 14).
/// Only for `run`, which runs once a process.
fn kept_until_exit<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn run(cli: Cli) -> Result<String, Error> {
    match cli.command {
        Command::Top { files, report } => {
            let p = kept_until_exit(report.load(&files)?);
            let r = top::top(p, &report.options())?;
            Ok(match report.format {
                Format::Text => render::text::top(&r),
                Format::Json => json(&render::json::top(&r)),
            })
        }
        Command::List {
            regex,
            files,
            source_dir,
            max_source_mb,
            max_source_total_mb,
            report,
        } => {
            let p = kept_until_exit(report.load(&files)?);
            let mut options = report.options();
            if let Some(dir) = &source_dir {
                options.source_path = dir.display().to_string();
            }
            let sources = DirSources::new(
                source_dir,
                max_source_mb.saturating_mul(1 << 20),
                max_source_total_mb.saturating_mul(1 << 20),
            )?;
            let r = list::list(p, &regex, &options, &sources);
            sources.print_notes();
            Ok(output(report.format, &r?, render::text::list))
        }
        Command::Dot { files, report } => {
            let p = kept_until_exit(report.load(&files)?);
            let g = leakscope::analysis::callgraph::callgraph(p, &report.options())?;
            Ok(render::dot::dot(&g))
        }
        Command::Svg { files, report } => {
            let p = kept_until_exit(report.load(&files)?);
            let g = leakscope::analysis::callgraph::callgraph(p, &report.options())?;
            Ok(render::graph_drawing::svg(&render::graph_drawing::draw(&g)))
        }
        Command::Flame {
            files,
            width,
            max_depth,
            max_frames,
            report,
        } => {
            use leakscope::analysis::flame;
            let p = kept_until_exit(report.load(&files)?);
            let (tree, context) = flame::stacks(p, &report.options())?;
            let view = flame::FlameView {
                zoom: &[],
                min_width: 0.5 / width.max(1) as f64,
                search: "",
                base: None,
                max_depth,
                max_frames,
            };
            let f = flame::flame(&tree, &context, &view)?;
            for note in &f.notes {
                warn(&format!("leakscope: note: {note}"));
            }
            Ok(render::flame_svg::svg(&f, width as f64))
        }
        Command::Traces { files, report } => {
            let p = kept_until_exit(report.load(&files)?);
            let r = traces::traces(p, &report.options())?;
            Ok(output(report.format, &r, render::text::traces))
        }
        Command::Trend {
            files,
            sample_index,
            granularity,
            metrics,
            format,
            import,
        } => {
            let import = import.options();
            let mut profiles = Vec::new();
            for (name, p) in load_named(&files, &import)? {
                let p = prepare(vec![p], None).map_err(|e| e.context(&name))?;
                profiles.push((name, p));
            }
            let profiles = kept_until_exit(profiles);
            let inputs: Vec<ProfileInput> = profiles
                .iter()
                .map(|(name, profile)| ProfileInput { name, profile })
                .collect();
            let options = trend::TrendOptions {
                sample_index,
                granularity: granularity.into(),
            };
            let r = if metrics.is_empty() {
                trend::trend(
                    inputs
                        .iter()
                        .map(|p| (p.name.to_string(), p.profile))
                        .collect(),
                    &options,
                    None,
                )?
            } else {
                let mut set = SeriesSet::default();
                for file in &metrics {
                    for (name, series) in load_series(file, &import)? {
                        set.add_file(&name, series);
                    }
                }
                evidence::trend_with_metrics(set, &inputs, &options)?
            };
            Ok(output(format, &r, render::text::trend))
        }
        Command::Analyze {
            files,
            limit,
            utc_offset,
            chart,
            format,
            import,
        } => {
            let options = ImportOptions {
                utc_offset,
                ..import.options()
            };
            let mut set = SeriesSet::default();
            let mut profiles: Vec<(String, Profile)> = Vec::new();
            for file in &files {
                for NamedInput { name, input, .. } in load_files(file, &options)?.inputs {
                    match input {
                        Input::Series(s) => set.add_file(&name, s),
                        // Prepared as pprof prepares a profile it reads.
                        Input::Profile(p) => {
                            let p = prepare(vec![*p], None).map_err(|e| e.context(&name))?;
                            profiles.push((name, p));
                        }
                    }
                }
            }
            if set.inputs.is_empty() {
                return Err(Error::invalid_option(
                    "analyze needs metrics or an OOM log among its files (for profiles alone, try `leakscope trend` or `leakscope top`)",
                ));
            }
            // Profiles are joined oldest first, as the page does.
            profiles.sort_by_key(|(_, p)| p.time_nanos);
            let profiles = kept_until_exit(profiles);
            let inputs: Vec<ProfileInput> = profiles
                .iter()
                .map(|(name, profile)| ProfileInput { name, profile })
                .collect();
            let joined = kept_until_exit(evidence::join(
                Some(set),
                &inputs,
                &leak::AnalyzeOptions { limit },
            ));
            let a = joined.analysis.as_ref().expect("metrics were given");
            if let Some(path) = chart {
                let leading = a.processes.iter().position(|p| p.rank == 1);
                let charts = leading
                    .map(|p| {
                        render::chart::process_charts(a, &joined.series, p, &Default::default())
                    })
                    .unwrap_or_default();
                let svg = charts
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::invalid_option("no memory series to chart"))?
                    .svg;
                std::fs::write(&path, svg)
                    .map_err(|e| Error::invalid_option(format!("{}: {e}", path.display())))?;
            }
            let report = render::json::AnalyzeReport::new(joined).expect("metrics were given");
            Ok(output(format, &report, render::text::analyze_report))
        }
        Command::Info {
            file,
            format,
            import,
        } => {
            let p = load(&file, &import.options())?;
            let info = leakscope::analysis::info::info(&p);
            Ok(output(format, &info, render::text::info))
        }
        Command::Link {
            files,
            site,
            view,
            import,
        } => {
            let mut shared = Vec::new();
            for path in &files {
                let bytes = std::fs::read(path)
                    .map_err(|e| Error::invalid_option(format!("{}: {e}", path.display())))?;
                // Checked before it is shared (an archive: that it opens).
                read_contents_from(&bytes[..], &import.options())
                    .map_err(|e| e.context(path.display()))?;
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                shared.push(leakscope::share::SharedFile { name, bytes });
            }
            let data = leakscope::share::pack(&shared);
            let view = view.trim_start_matches('#');
            let sep = if view.is_empty() { "" } else { "&" };
            Ok(format!("{site}#{view}{sep}data={data}\n"))
        }
        Command::Raw { file, import } => {
            let p = load(&file, &import.options())?;
            let p = prepare(vec![p], None)?;
            Ok(render::raw::raw(&leakscope::analysis::filter::apply(
                &p,
                &Filters::default(),
            )?))
        }
        Command::Capture(_) => unreachable!("capture runs from main"),
        Command::Scan(args) => crate::scan::run(args),
    }
}

/// Source files for `list`, looked up as pprof does (the profile's path
/// under the source directory and each of its parents, or as it is when
/// absolute), but a profile is not trusted to name what is read: only
/// regular files, never under /proc, /dev or /sys (a FIFO would hang,
/// /dev/zero fill memory, /proc/self/environ show the environment), under
/// `--source-dir` when one is given, within the size limits. A file
/// skipped for one of these reasons gets a note on stderr.
struct DirSources {
    /// The search directory: `--source-dir` or the current directory.
    dir: Option<PathBuf>,
    /// `--source-dir`, resolved: nothing outside it is read.
    root: Option<PathBuf>,
    max_file: u64,
    /// What is left of `--max-source-total-mb` (a listing asks for each
    /// file once, however many functions it holds).
    left: Cell<u64>,
    notes: RefCell<Vec<String>>,
}

/// Notes printed at most; the rest are counted.
const MAX_SOURCE_NOTES: usize = 10;

impl DirSources {
    fn new(dir: Option<PathBuf>, max_file: u64, max_total: u64) -> Result<DirSources, Error> {
        let root = match &dir {
            Some(d) => Some(std::fs::canonicalize(d).map_err(|e| {
                Error::invalid_option(format!("--source-dir {}: {e}", d.display()))
            })?),
            None => None,
        };
        Ok(DirSources {
            dir,
            root,
            max_file,
            left: Cell::new(max_total),
            notes: RefCell::new(Vec::new()),
        })
    }

    /// Where pprof would look for `file`, in its order.
    fn candidates(&self, file: &str) -> Vec<PathBuf> {
        let path = Path::new(file);
        if path.is_absolute() {
            return vec![path.to_path_buf()];
        }
        let Some(mut dir) = self.dir.clone().or_else(|| std::env::current_dir().ok()) else {
            return Vec::new();
        };
        let mut dirs = Vec::new();
        loop {
            dirs.push(dir.join(path));
            if !dir.pop() {
                break;
            }
        }
        dirs
    }

    /// The first candidate that may be read; else the first refusal's
    /// reason, if any candidate existed.
    fn find(&self, file: &str) -> Result<Option<Vec<String>>, String> {
        let mut refusal = None;
        for candidate in self.candidates(file) {
            match self.read_file(&candidate) {
                Ok(Some(lines)) => return Ok(Some(lines)),
                Ok(None) => {}
                Err(why) => {
                    refusal.get_or_insert(format!("{}: {why}", short(&candidate.display())));
                }
            }
        }
        refusal.map_or(Ok(None), Err)
    }

    /// The lines of `path`; `None` when it does not exist or cannot be
    /// opened, an error saying why it may not be read.
    fn read_file(&self, path: &Path) -> Result<Option<Vec<String>>, String> {
        let Ok(real) = std::fs::canonicalize(path) else {
            return Ok(None);
        };
        if ["/proc", "/dev", "/sys"]
            .iter()
            .any(|d| real.starts_with(d))
        {
            return Err(format!("{} is not a source file", real.display()));
        }
        if let Some(root) = &self.root {
            if !real.starts_with(root) {
                return Err(format!("outside --source-dir {}", root.display()));
            }
        }
        // Checked before opening (opening a FIFO waits for a writer) and
        // after, on what was opened, without blocking if it changed since.
        let regular = |m: std::io::Result<std::fs::Metadata>| m.is_ok_and(|m| m.is_file());
        if !regular(std::fs::metadata(&real)) {
            return Err("not a regular file".into());
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
        let Ok(f) = options.open(&real) else {
            return Ok(None);
        };
        if !regular(f.metadata()) {
            return Err("not a regular file".into());
        }
        let mut bytes = Vec::new();
        if f.take(self.max_file.saturating_add(1))
            .read_to_end(&mut bytes)
            .is_err()
        {
            return Ok(None);
        }
        if bytes.len() as u64 > self.max_file {
            return Err(format!(
                "larger than {} MiB (--max-source-mb)",
                self.max_file >> 20
            ));
        }
        Ok(Some(
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::to_string)
                .collect(),
        ))
    }

    fn note(&self, text: String) {
        self.notes
            .borrow_mut()
            .push(leakscope::error::one_line(&text));
    }

    /// The notes, one line each (at most `MAX_SOURCE_NOTES`), on stderr.
    fn print_notes(&self) {
        let notes = self.notes.borrow();
        for n in notes.iter().take(MAX_SOURCE_NOTES) {
            warn(&format!("leakscope: note: {n}"));
        }
        if notes.len() > MAX_SOURCE_NOTES {
            warn(&format!(
                "leakscope: note: {} more source files skipped",
                notes.len() - MAX_SOURCE_NOTES
            ));
        }
    }
}

impl list::SourceFiles for DirSources {
    fn lines(&self, file: &str) -> Option<Vec<String>> {
        let lines = match self.find(file) {
            Ok(found) => found?,
            Err(why) => {
                self.note(format!("{} listed without source: {why}", short(&file)));
                return None;
            }
        };
        let cost = lines.iter().fold(0u64, |s, l| {
            s.saturating_add(l.len() as u64 + std::mem::size_of::<String>() as u64)
        });
        if cost > self.left.get() {
            self.note(format!(
                "{} listed without source: past --max-source-total-mb",
                short(&file)
            ));
            return None;
        }
        self.left.set(self.left.get() - cost);
        Some(lines)
    }
}

/// A name from the profile as a note quotes it: at most 80 characters, so
/// that the note's reason stays on its one line.
fn short(name: &impl std::fmt::Display) -> String {
    let name = name.to_string();
    if name.chars().count() <= 80 {
        return name;
    }
    name.chars().take(79).chain(['…']).collect()
}

/// A line on stderr, its controls spelled out when stderr is a terminal
/// (an error may quote the file).
pub(crate) fn warn(line: &str) {
    let stderr = std::io::stderr();
    if stderr.is_terminal() {
        eprintln!("{}", render::terminal_safe(line));
    } else {
        eprintln!("{line}");
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The one command that prints as it goes.
    if let Command::Capture(args) = cli.command {
        return crate::capture::run(args).unwrap_or_else(|e| {
            warn(&format!("leakscope: {e}"));
            ExitCode::FAILURE
        });
    }
    match run(cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // Names from the file could drive a terminal (ESC, CR): spelled
            // out there; piped, the bytes stay pprof's.
            let out = if stdout.is_terminal() {
                render::terminal_safe(&out)
            } else {
                out.as_str().into()
            };
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            warn(&format!("leakscope: {e}"));
            ExitCode::FAILURE
        }
    }
}

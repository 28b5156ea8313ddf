//! Decode + `top` on a large, realistic heap profile, against
//! `go tool pprof -top` on the same file.
//!
//!     cargo bench --bench large_profile [-- --samples N] [-- --no-go] [-- --go-memory-gb 16]
//!     (--samples 555000 / 2220000 / 5550000: the 50 / 200 / 500 MB profiles
//!     of tests/e2e/huge.mjs)
//!     cargo bench --bench large_profile -- --cpu --generate-only   (for the page's flame graph benchmark)
//!
//! The profile is generated once into target/bench-data/ (deterministic:
//! the same bytes on every machine): ~20k functions in ~400 packages, a
//! call graph walked from ~40 entry points, one million samples with
//! stacks 8–40 deep, four Go heap sample types and a `bytes` label, as a
//! Go heap profile has. Each measurement runs in a child process, so its
//! peak resident memory (from wait4) is the report's alone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod common;

use common::Rng;
use leakscope::import::pprof::wire;
use prost::Message;

const FUNCTIONS: u64 = 20_000;
const SITES_PER_FUNCTION: u64 = 4;
const CALLEES: u64 = 6;

fn generate(samples: u64, cpu: bool) -> (Vec<u8>, u64) {
    let mut rng = Rng(0x1eaf_5c09e);
    let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
    let mut s = |text: String| {
        strings.push(text.into_bytes());
        strings.len() as i64 - 1
    };
    let mut header = wire::Profile::default();
    let types: &[(&str, &str)] = if cpu {
        &[("samples", "count"), ("cpu", "nanoseconds")]
    } else {
        &[
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ]
    };
    for &(t, u) in types {
        header.sample_type.push(wire::ValueType {
            r#type: s(t.into()),
            unit: s(u.into()),
        });
    }
    let bytes_key = s("bytes".into());
    header.mapping.push(wire::Mapping {
        id: 1,
        memory_start: 0x400000,
        memory_limit: 0x4000000,
        filename: s("/usr/local/bin/bigservice".into()),
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
        has_inline_frames: true,
        ..Default::default()
    });
    for f in 0..FUNCTIONS {
        let pkg = f / 50;
        header.function.push(wire::Function {
            id: f + 1,
            name: s(format!(
                "example.com/svc/pkg{pkg}.(*Type{}).Method{f}",
                f % 7
            )),
            system_name: 0,
            filename: s(format!("/src/svc/pkg{pkg}/file{}.go", f % 13)),
            start_line: (f % 300 + 1) as i64,
        });
    }
    // Call sites: each function calls from a few lines; one in ten has an
    // inlined callee (two lines at one address).
    let mut address = 0x401000u64;
    for f in 0..FUNCTIONS {
        for site in 0..SITES_PER_FUNCTION {
            let mut line = vec![wire::Line {
                function_id: f + 1,
                line: (f % 300 + 5 + site * 3) as i64,
                column: 0,
            }];
            if rng.below(10) == 0 {
                let inlined = rng.below(FUNCTIONS) + 1;
                line.insert(
                    0,
                    wire::Line {
                        function_id: inlined,
                        line: 7,
                        column: 0,
                    },
                );
            }
            header.location.push(wire::Location {
                id: f * SITES_PER_FUNCTION + site + 1,
                mapping_id: 1,
                address,
                line,
                is_folded: false,
            });
            address += 0x40;
        }
    }
    // A call graph: each function calls a few others, mostly "deeper" ones.
    let callees: Vec<Vec<u64>> = (0..FUNCTIONS)
        .map(|f| {
            (0..CALLEES)
                .map(|_| (f + 1 + rng.below(FUNCTIONS / 4)) % FUNCTIONS)
                .collect()
        })
        .collect();
    let mut body = Vec::with_capacity(110 << 20);
    let mut sample = wire::Sample::default();
    let mut frames = 0u64;
    let mut stack = Vec::new();
    for _ in 0..samples {
        let depth = 8 + rng.below(33);
        stack.clear();
        let mut f = rng.below(40) * (FUNCTIONS / 40);
        for _ in 0..depth {
            stack.push(f * SITES_PER_FUNCTION + rng.below(SITES_PER_FUNCTION) + 1);
            f = callees[f as usize][rng.below(CALLEES) as usize];
        }
        stack.reverse(); // leaf first
        frames += depth;
        let size = 16u64 << rng.below(10);
        let objects = 1 + rng.below(64);
        let live = rng.below(objects + 1);
        sample.location_id.clone_from(&stack);
        if cpu {
            sample.value = vec![objects as i64, objects as i64 * 10_000_000];
        } else {
            sample.value = vec![
                objects as i64,
                (objects * size) as i64,
                live as i64,
                (live * size) as i64,
            ];
            sample.label = vec![wire::Label {
                key: bytes_key,
                str: 0,
                num: size as i64,
                num_unit: 0,
            }];
        }
        prost::encoding::message::encode(2, &sample, &mut body);
    }
    header.string_table = strings;
    header.time_nanos = 1_700_000_000_000_000_000;
    if cpu {
        header.period_type = Some(header.sample_type[1].clone());
        header.period = 10_000_000;
        header.duration_nanos = 30_000_000_000;
    } else {
        header.period_type = Some(header.sample_type[3].clone());
        header.period = 524288;
    }
    let mut raw = header.encode_to_vec();
    raw.extend_from_slice(&body);
    (raw, frames)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Runs a command, returning (seconds, peak RSS in bytes of it and the
/// children it waited for, from wait4).
fn measure(cmd: &mut Command) -> (f64, u64) {
    let (t, rss, ok) = try_measure(cmd);
    assert!(ok, "command failed");
    (t, rss)
}

/// Wall time, peak RSS, and whether it exited successfully.
// The child is reaped by wait4 (which also reports its peak memory), not
// by Child::wait.
#[allow(clippy::zombie_processes)]
fn try_measure(cmd: &mut Command) -> (f64, u64, bool) {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("command starts");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; rusage is a plain struct.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let secs = start.elapsed().as_secs_f64();
    let ok = pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (secs, usage.ru_maxrss as u64 * 1024, ok)
}

/// The measured work: read the file, decode, prepare, top (as the CLI does).
fn child(path: &Path) {
    let start = Instant::now();
    let stage = |what: &str| {
        if std::env::var("BENCH_STAGES").is_ok() {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            let get = |k: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(k))
                    .unwrap_or("")
                    .to_string()
            };
            eprintln!(
                "{what:>10}: {:.2}s {} {}",
                start.elapsed().as_secs_f64(),
                get("VmRSS"),
                get("VmHWM")
            );
        }
    };
    // As the CLI reads: streaming from the file.
    let file = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(path).unwrap());
    let p = leakscope::import::read_profile_from(file, &Default::default()).unwrap();
    stage("decoded");
    let p = leakscope::analysis::source::prepare(vec![p], None).unwrap();
    stage("prepared");
    let r = leakscope::analysis::top::top(&p, &Default::default()).unwrap();
    stage("top");
    let text = leakscope::render::text::top(&r);
    std::io::stdout().write_all(text.as_bytes()).unwrap();
    // The peak resident memory of this process alone (VmHWM, in kB).
    if let Ok(file) = std::env::var("BENCH_PEAK_FILE") {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        std::fs::write(file, (kib * 1024).to_string()).unwrap();
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    let samples: u64 = args
        .iter()
        .position(|a| a == "--samples")
        .map_or(1_000_000, |i| args[i + 1].parse().unwrap());
    let with_go = !args.iter().any(|a| a == "--no-go");
    let cpu = args.iter().any(|a| a == "--cpu");
    let kind = if cpu { "cpu" } else { "heap" };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("large-{kind}-{samples}.pb.gz"));
    let facts = dir.join(format!("large-{kind}-{samples}.facts"));
    // The parent never holds the profile: a forked child's peak RSS would
    // count the parent's pages.
    if !path.exists() || !facts.exists() {
        eprintln!("generating {} ...", path.display());
        let (raw, frames) = generate(samples, cpu);
        std::fs::write(&path, gzip(&raw)).unwrap();
        std::fs::write(&facts, format!("{} {frames}", raw.len())).unwrap();
    }
    let facts = std::fs::read_to_string(&facts).unwrap();
    let mut facts = facts.split_whitespace().map(|v| v.parse::<u64>().unwrap());
    let (raw_len, frames) = (facts.next().unwrap(), facts.next().unwrap());
    let gz_len = std::fs::metadata(&path).unwrap().len();
    if args.iter().any(|a| a == "--generate-only") {
        println!(
            "wrote {} ({} uncompressed, {} gzipped)",
            path.display(),
            mb(raw_len),
            mb(gz_len)
        );
        return;
    }
    println!(
        "profile: {samples} samples, {frames} frames, {} functions; {} uncompressed, {} gzipped",
        FUNCTIONS,
        mb(raw_len),
        mb(gz_len)
    );
    let me = std::env::current_exe().unwrap();
    let runs = 3;
    let mut best = (f64::MAX, 0u64);
    let peak_file = dir.join("child-peak");
    for _ in 0..runs {
        let (t, _) = measure(
            Command::new(&me)
                .arg("--child")
                .arg(&path)
                .env("BENCH_PEAK_FILE", &peak_file),
        );
        let rss: u64 = std::fs::read_to_string(&peak_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        if t < best.0 {
            best.0 = t;
        }
        best.1 = best.1.max(rss);
    }
    println!(
        "leakscope decode+top: {:.2} s (best of {runs}), peak RSS {} ({:.2}x the uncompressed size)",
        best.0,
        mb(best.1),
        best.1 as f64 / raw_len as f64
    );
    if with_go && Command::new("go").arg("version").output().is_ok() {
        // pprof needs ~40x the profile's size in memory: capped (address
        // space, via prlimit) so a big profile fails instead of swapping
        // the machine to death.
        let cap_gb: u64 = args
            .iter()
            .position(|a| a == "--go-memory-gb")
            .map_or(16, |i| args[i + 1].parse().unwrap());
        let (t, rss, ok) = try_measure(
            Command::new("prlimit")
                .arg(format!("--as={}", cap_gb << 30))
                .args(["go", "tool", "pprof", "-top", "-symbolize=none"])
                .arg(&path)
                .env("TZ", "UTC")
                .stderr(std::process::Stdio::null()),
        );
        if !ok {
            println!(
                "go tool pprof -top: did not finish within {cap_gb} GB of address space (failed after {t:.1} s, peak RSS {})",
                mb(rss)
            );
            return;
        }
        println!("go tool pprof -top: {t:.2} s, peak RSS {}", mb(rss));
        println!(
            "speed-up: {:.1}x, memory: {:.1}x less",
            t / best.0,
            rss as f64 / best.1 as f64
        );
    }
}

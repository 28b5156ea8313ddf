//! Time and peak memory of the CLI on every hostile case
//! (`tests/hostile_cases/`, issue 14): each case runs in a child process
//! whose own peak RSS `wait4` reports. Budgets: 5 s and 1 GB a case.
//!
//!     cargo bench --bench hostile [-- NAME_SUBSTRING] [--keep]
//!
//! `--keep` leaves each case's files in the temporary directory and prints
//! its command line on stderr, to run it again by hand (perf, time).
//!
//! Prints a Markdown table for BENCHMARKS.md; a case over budget is marked.

#[path = "../tests/hostile_cases/mod.rs"]
mod hostile_cases;

use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let keep = std::env::args().any(|a| a == "--keep");
    let root = std::env::temp_dir().join(format!("leakscope-hostile-bench-{}", std::process::id()));
    println!("| family | case | input bytes | exit | seconds | peak RSS MB | |");
    println!("|---|---|---|---|---|---|---|");
    // One family's cases at a time: `ru_maxrss` counts what this process
    // holds when it starts the child.
    for case in hostile_cases::FAMILIES
        .iter()
        .flat_map(|(n, _)| hostile_cases::family(*n))
    {
        if filter.as_deref().is_some_and(|f| !case.name.contains(f)) {
            continue;
        }
        let args = hostile_cases::prepare(&case, &root.join(case.name));
        let input: usize = case.files.iter().map(|(_, b)| b.len()).sum();
        if keep {
            eprintln!("{}: leakscope {}", case.name, args.join(" "));
        }
        let start = Instant::now();
        // Reaped below by wait4, which also reports its peak memory.
        #[allow(clippy::zombie_processes)]
        let child = Command::new(env!("CARGO_BIN_EXE_leakscope"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut status = 0;
        // SAFETY: rusage is plain data; wait4 fills it for this child only.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let pid = child.id() as libc::pid_t;
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(waited, pid);
        let seconds = start.elapsed().as_secs_f64();
        let exit = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status).to_string()
        } else {
            format!("signal {}", libc::WTERMSIG(status))
        };
        let rss_mb = usage.ru_maxrss as f64 / 1024.0; // ru_maxrss is in KiB on Linux
        let over = if seconds > 5.0 || rss_mb > 1000.0 {
            "**over budget**"
        } else {
            ""
        };
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.0} | {} |",
            case.family, case.name, input, exit, seconds, rss_mb, over
        );
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&root);
    }
}

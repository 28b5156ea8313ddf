//! Issue 14's families of hostile input, through the CLI: each generated
//! case (`tests/hostile_cases/`) must end with its exit status and say
//! its one-line message, under a 2 GiB address-space cap (an allocation
//! that balloons fails here instead of eating the machine) and a 120 s
//! guard against hangs. Time and peak memory are measured by
//! `benches/hostile.rs`, not here.

mod hostile_cases;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hostile_cases::{prepare, Case};

const ADDRESS_SPACE: u64 = 2 << 30;
const GUARD: Duration = Duration::from_secs(120);

fn run(case: &Case) {
    let dir = std::env::temp_dir().join(format!(
        "leakscope-hostile-{}-{}",
        std::process::id(),
        case.name
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let args = prepare(case, &dir.join("in"));
    let out_path = dir.join("stdout");
    let err_path = dir.join("stderr");
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakscope"));
    command
        .args(&args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = command.spawn().unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > GUARD {
            let _ = child.kill();
            panic!("{}: still running after {GUARD:?}: {args:?}", case.name);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::fs::File::open(&err_path)
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let stdout = std::fs::read(&out_path).unwrap();
    let stdout = String::from_utf8_lossy(&stdout);
    let context = format!(
        "case {} (family {}): leakscope {:?}\nstatus {status}\nstderr: {}",
        case.name,
        case.family,
        args,
        &stderr[..stderr.len().min(2000)]
    );
    assert_eq!(status.code(), Some(case.exit), "{context}");
    if case.exit != 0 {
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "a refusal is one line\n{context}");
        assert!(
            lines[0].chars().count() <= 200,
            "a refusal is at most 200 characters\n{context}"
        );
    }
    if let Some(message) = case.message {
        assert!(
            stderr.lines().any(|line| line.contains(message)),
            "stderr lacks {message:?}\n{context}"
        );
    }
    for text in &case.stdout_contains {
        assert!(
            stdout.contains(text),
            "stdout lacks {text:?}\n{context}\nstdout begins: {}",
            stdout.chars().take(1500).collect::<String>()
        );
    }
    if let Some(text) = case.stdout_lacks {
        assert!(!stdout.contains(text), "stdout has {text:?}\n{context}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn family(n: u8) {
    let cases: Vec<Case> = hostile_cases::family(n);
    assert!(!cases.is_empty(), "family {n} has no case");
    for case in &cases {
        run(case);
    }
}

#[test]
fn names_are_unique() {
    let mut names: Vec<&str> = Vec::new();
    let cases = hostile_cases::all();
    for case in &cases {
        assert!(!names.contains(&case.name), "two cases named {}", case.name);
        names.push(case.name);
    }
}

#[test]
fn family_01_string_fan_out() {
    family(1);
}

#[test]
fn family_02_decode_amplification() {
    family(2);
}

#[test]
fn family_03_flame_graphs_of_deep_stacks() {
    family(3);
}

#[test]
fn family_04_call_graph_layout() {
    family(4);
}

#[test]
fn family_05_many_series() {
    family(5);
}

#[test]
fn family_06_regexes_from_the_file_or_the_link() {
    family(6);
}

#[test]
fn family_07_list_is_not_quadratic() {
    family(7);
}

// Family 8 (`#url=` downloads) is the page's only: tests/e2e/hostile_links.mjs.

#[test]
fn family_09_dot_injection() {
    family(9);
}

#[test]
fn family_10_control_characters() {
    family(10);
}

#[test]
fn family_11_list_reads_only_source_files() {
    family(11);
}

#[test]
fn family_12_silent_differences() {
    family(12);
}

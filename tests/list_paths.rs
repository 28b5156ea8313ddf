//! Issue 14, family 11: `list` reads the source files a profile names, so
//! a profile chooses what the CLI opens. Cases the hostile frame cannot
//! write as plain files: a FIFO (opening one for reading waits for a
//! writer: the CLI hung), a file over the size limit (sparse, so nothing
//! big is written). The rest are hostile cases (tests/hostile_cases/escape.rs).

mod hostile_cases;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hostile_cases::escape::source_at;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leakscope-list-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the CLI, killing it (and failing) if it is still running after
/// 30 s: a hang is the bug these tests look for. Its output goes through
/// files, so a full pipe cannot stall it.
fn leakscope(args: &[&str]) -> Output {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dir = temp_dir(&format!("out-{}", RUNS.fetch_add(1, Ordering::Relaxed)));
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("leakscope {args:?} still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        status,
        stdout: std::fs::read(&out).unwrap(),
        stderr: std::fs::read(&err).unwrap(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    output
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_fifo_is_not_opened() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("main.go");
    mkfifo(&fifo);
    let prof = dir.join("fifo.pb");
    for (file, source_dir) in [
        (fifo.display().to_string(), None),
        ("main.go".into(), Some(&dir)),
    ] {
        std::fs::write(&prof, source_at(&file)).unwrap();
        let mut args = vec!["list", "main.leak"];
        let d = source_dir.map(|d| d.display().to_string());
        if let Some(d) = &d {
            args.extend(["--source-dir", d]);
        }
        args.push(prof.to_str().unwrap());
        let out = leakscope(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("ROUTINE"),
            "{}",
            text(&out.stdout)
        );
        let err = text(&out.stderr);
        assert!(
            err.lines()
                .any(|l| l.contains("main.go listed without source: ")
                    && l.contains("not a regular file")),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_over_the_limit_is_skipped_with_a_note() {
    let dir = temp_dir("big");
    let big = dir.join("big.go");
    // Sparse: 20 MiB of NULs that take no disk.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(20 << 20)
        .unwrap();
    let prof = dir.join("big.pb");
    std::fs::write(&prof, source_at("big.go")).unwrap();
    let d = dir.display().to_string();
    let p = prof.display().to_string();
    let out = leakscope(&["list", "main.leak", "--source-dir", &d, &p]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.contains("big.go listed without source") && l.contains("--max-source-mb")),
        "{err}"
    );
    // The limit is an option.
    let out = leakscope(&[
        "list",
        "main.leak",
        "--source-dir",
        &d,
        "--max-source-mb",
        "32",
        &p,
    ]);
    assert!(out.status.success());
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

//! Go goroutine dumps (`/debug/pprof/goroutine?debug=2`, a crash's
//! goroutines) through the built `leakscope` binary: read as goroutine
//! profiles, one sample per goroutine, with state / created by / wait
//! labels.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn leakscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .output()
        .expect("leakscope runs")
}

/// Runs leakscope, which must succeed, and returns its stdout.
fn run(args: &[&str]) -> String {
    let o = leakscope(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn data(name: &str) -> String {
    common::data(name)
}

/// Text written to a file of this test's own directory.
struct Files(PathBuf);

impl Files {
    fn new(test: &str) -> Files {
        let dir = std::env::temp_dir().join(format!(
            "leakscope-goroutine-dump-{test}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Files(dir)
    }
    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `top --format json`: the total and each row's (name, flat, cum).
fn top(args: &[&str]) -> (i64, Vec<(String, i64, i64)>) {
    let mut all = vec!["top", "--format", "json"];
    all.extend(args);
    let v: serde_json::Value = serde_json::from_str(&run(&all)).unwrap();
    assert_eq!(v["sample_type"], "goroutine");
    assert_eq!(v["unit"], "count");
    let rows = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["flat"].as_i64().unwrap(),
                r["cum"].as_i64().unwrap(),
            )
        })
        .collect();
    (v["total"].as_i64().unwrap(), rows)
}

fn row<'a>(rows: &'a [(String, i64, i64)], name: &str) -> &'a (String, i64, i64) {
    rows.iter()
        .find(|r| r.0 == name)
        .unwrap_or_else(|| panic!("no row {name} in {rows:?}"))
}

#[test]
fn debug2_dump_of_the_example_service() {
    let dump = data("goroutine.debug2.txt");
    // 8 goroutines, 5 of them parked in main.waitForReply.
    let text = run(&["top", &dump]);
    assert!(text.starts_with("Type: goroutine\n"), "{text}");
    assert!(
        text.contains("Showing nodes accounting for 8, 100% of 8 total\n"),
        "{text}"
    );
    assert!(
        text.contains("         5 62.50% 62.50%          5 62.50%  main.waitForReply\n"),
        "{text}"
    );
    let (total, rows) = top(&[&dump]);
    assert_eq!(total, 8);
    assert_eq!(row(&rows, "main.waitForReply").1, 5);
    // Runtime frames stay (no drop_frames for this format).
    assert_eq!(row(&rows, "runtime.goexit").2, 1);
    // Labels: the state and the creator of each goroutine.
    let (total, rows) = top(&["--tagfocus", "state=chan receive", &dump]);
    assert_eq!(total, 8);
    assert_eq!(rows.iter().map(|r| r.1).sum::<i64>(), 5);
    let traces = run(&["traces", &dump]);
    assert!(
        traces.contains(
            "     state:  chan receive\ncreated by:  main.work\n         5   main.waitForReply\n"
        ),
        "{traces}"
    );
    assert!(traces.contains("     state:  IO wait\n"), "{traces}");
    assert!(
        traces.contains("     state:  running\ncreated by:  net/http.(*Server).Serve\n"),
        "{traces}"
    );
}

#[test]
fn newer_headers_waits_and_elided_frames() {
    let files = Files::new("newer");
    let mut text = String::from(
        "goroutine 1 gp=0xc000002380 m=0 mp=0x5bd500 [running]:
main.main()
\t/src/main.go:44 +0x24a fp=0xc00006cf80 sp=0xc00006cef0 pc=0x481c6a
runtime.main()
\t/usr/lib/go/src/runtime/proc.go:272 +0x28b fp=0xc00006cfe0 sp=0xc00006cf80 pc=0x43c8cb

goroutine 18 gp=0xc000102000 m=nil [chan receive, 42 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/lib/go/src/runtime/proc.go:424 +0xce fp=0xc000046f18 sp=0xc000046ef8 pc=0x43c92e
main.waitForReply(...)
\t/src/main.go:97
main.(*Store).Keep(0xc000010000, 0x2710)
\t/src/main.go:60 +0x36 fp=0xc000046fc8 sp=0xc000046f38 pc=0x4817a5
created by main.work in goroutine 7
\t/src/main.go:121 +0x34b

goroutine 19 [select, 1 minutes]:
main.Map[...].Get({0xc0001..., 0x4e20, 0x4e20})
\t/src/map.go:17 +0x1d
created by main.work in goroutine 7
\t/src/main.go:121 +0x34b

goroutine 20 [syscall, 3 minutes, locked to thread]:
",
    );
    for i in 0..50 {
        text += &format!("main.recurse({i})\n\t/src/main.go:9 +0x1d\n");
    }
    text += "...additional frames elided...\ncreated by main.main.func1\n\t/src/main.go:30 +0x25\n";
    let dump = files.write("newer.txt", &text);
    let (total, rows) = top(&[&dump]);
    assert_eq!(total, 4);
    assert_eq!(row(&rows, "runtime.gopark").1, 1);
    assert_eq!(row(&rows, "main.(*Store).Keep").2, 1);
    assert_eq!(row(&rows, "main.Map[...].Get").1, 1);
    assert_eq!(row(&rows, "main.recurse"), &("main.recurse".into(), 1, 1));
    let traces = run(&["traces", &dump]);
    for want in [
        "     state:  chan receive\ncreated by:  main.work\n      wait:  42\n",
        "     state:  select\ncreated by:  main.work\n      wait:  1\n",
        "     state:  syscall\ncreated by:  main.main.func1\n      wait:  3\n",
    ] {
        assert!(traces.contains(want), "want {want:?} in\n{traces}");
    }
    // The wait is in minutes: 42 minutes is more than half an hour.
    let (_, rows) = top(&["--tagfocus", "wait=30minutes:", &dump]);
    assert_eq!(rows.iter().map(|r| r.1).sum::<i64>(), 1, "{rows:?}");
}

#[test]
fn the_goroutines_of_a_crash() {
    let files = Files::new("crash");
    let crash = files.write(
        "crash.log",
        "2024/05/01 10:00:00 leaksvc mode=leak on 127.0.0.1:19201
panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x481c6a]

goroutine 1 [running]:
main.(*Store).Keep(...)
\t/src/main.go:24
main.main()
\t/src/main.go:44 +0x24a

goroutine 6 [chan receive, 5 minutes]:
main.waitForReply(0x0?)
\t/src/main.go:97 +0x1b
created by main.work
\t/src/main.go:121 +0x2f

goroutine 7 [chan receive, 5 minutes]:
main.waitForReply(0x0?)
\t/src/main.go:97 +0x1b
created by main.work
\t/src/main.go:121 +0x2f
exit status 2
",
    );
    let (total, rows) = top(&[&crash]);
    assert_eq!(total, 3);
    assert_eq!(row(&rows, "main.waitForReply").1, 2);
    assert_eq!(row(&rows, "main.(*Store).Keep").1, 1);

    let quit = files.write(
        "quit.log",
        "SIGQUIT: quit
PC=0x45f681 m=0 sigcode=0

goroutine 0 [idle]:
runtime.futex()
\t/usr/lib/go-1.19/src/runtime/sys_linux_amd64.s:559 +0x21 fp=0x7ffc69032940 sp=0x7ffc69032938 pc=0x45f681

goroutine 1 [chan receive, locked to thread]:
main.main()
\t/src/main.go:51 +0x3b4 fp=0xc000086f80 sp=0xc000086ef0 pc=0x481dd4

rax    0xca
rbx    0x0
rip    0x45f681
rflags 0x286

-----
",
    );
    let (total, rows) = top(&[&quit]);
    assert_eq!(total, 2);
    assert_eq!(row(&rows, "main.main").1, 1);
    assert_eq!(row(&rows, "runtime.futex").1, 1);
}

#[test]
fn a_broken_dump_is_one_clear_error() {
    let files = Files::new("broken");
    for (text, message) in [
        (
            "goroutine 1 [running]:\nthis is not a stack\n",
            "goroutine dump, line 2: expected the stack of goroutine 1",
        ),
        (
            "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\nmain.f()\n",
            "goroutine dump, line 5: expected the \"<TAB>file:line\" line of \"main.main\"",
        ),
        (
            "goroutine 1 [running]:\nmain.main()\n",
            "goroutine dump, line 2: the text ends inside goroutine 1's stack",
        ),
    ] {
        let path = files.write("broken.txt", text);
        let o = leakscope(&["top", &path]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.starts_with("leakscope: "), "{err}");
        assert!(err.contains(message), "want {message:?} in {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(o.stdout.is_empty());
    }
}

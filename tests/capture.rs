//! `leakscope capture` against live services: the project's own example
//! service (examples/leaksvc: real net/http/pprof, built here with Debian's
//! Go and Prometheus client, which scripts/setup installs), and a test
//! server that misbehaves (slow, HTML, an endless body, 5xx then a
//! profile, not a profile, 404). Everything listens on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

fn leakscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_leakscope"))
}

/// `leakscope capture URL --every 2s --count N`, snapshots into `out`.
fn capture(url: &str, count: u32, out: &Path) -> Command {
    let mut command = leakscope();
    command
        .args([
            "capture",
            url,
            "--every",
            "2s",
            "--count",
            &count.to_string(),
            "--out",
        ])
        .arg(out);
    command
}

/// examples/leaksvc, built once (GOPATH mode, with Debian's Go packages).
fn leaksvc_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("leaksvc");
        let status = Command::new("go")
            .args(["build", "-o"])
            .arg(&out)
            .arg(".")
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leaksvc"))
            .env("GOPATH", "/usr/share/gocode")
            .env("GO111MODULE", "off")
            .env("GOFLAGS", "-mod=mod")
            .status()
            .expect("go is installed (scripts/setup: Debian's golang-go)");
        assert!(status.success(), "examples/leaksvc builds (scripts/setup installs golang-github-prometheus-client-golang-dev)");
        out
    })
}

/// The example service on a free loopback port, killed when dropped.
struct Service {
    child: Child,
    url: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (the moment it is asked).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_leaksvc(args: &[&str]) -> Service {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(leaksvc_binary())
        .args(["-addr", &addr])
        .args(args)
        // Collects often, so that each heap profile (as of the last
        // collection) moves between snapshots seconds apart.
        .env("GOGC", "5")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).is_err() {
        assert!(
            Instant::now() < deadline,
            "leaksvc did not listen on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Service {
        child,
        url: format!("http://{addr}"),
    }
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// The final trend's first site line (after `Sites:`) of a kind's section.
fn first_site(stdout: &str, kind: &str) -> String {
    let section = stdout
        .split(&format!("\n{kind}:\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {kind} section in:\n{stdout}"));
    let mut lines = section
        .lines()
        .skip_while(|l| !l.starts_with("Sites:"))
        .skip(2);
    lines.next().unwrap_or_default().to_string()
}

#[test]
fn four_snapshots_of_a_leaking_service_name_the_culprit() {
    // 10 MB a second kept by a background goroutine, as main.(*Store).Keep
    // via bytes.Repeat.
    let svc = start_leaksvc(&["-mode", "bgleak", "-bytes", "200000", "-every", "20ms"]);
    let dir = tempdir("leak");
    let started = Instant::now();
    let out = capture(&svc.url, 4, &dir).output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    for n in 0..4 {
        assert!(
            dir.join(format!("heap.{n}.pb.gz")).is_file(),
            "heap.{n}.pb.gz"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["service"], svc.url.as_str());
    assert_eq!(manifest["snapshots"].as_array().unwrap().len(), 4);
    assert_eq!(manifest["snapshots"][3]["file"], "heap.3.pb.gz");
    assert!(manifest["failures"].as_array().unwrap().is_empty());
    // A line a round, then the trend as `trend` prints it.
    for n in 1..=4 {
        assert!(
            stdout.contains(&format!("[{n}/4] heap.{}.pb.gz", n - 1)),
            "{stdout}"
        );
    }
    let top = first_site(&stdout, "heap");
    assert!(
        top.contains("growing")
            && top.contains("main.(*Store).Keep")
            && top.contains("via bytes.Repeat"),
        "{stdout}"
    );
    // A second capture into the same folder overwrites nothing.
    let again = capture(&svc.url, 1, &dir).output().unwrap();
    assert!(!again.status.success());
    assert!(
        text(&again.stderr)
            .contains("it holds an earlier capture (manifest.json); name another folder"),
        "{}",
        text(&again.stderr)
    );
    // The files are what `trend` reads: the same answer from them.
    let files: Vec<PathBuf> = (0..4)
        .map(|n| dir.join(format!("heap.{n}.pb.gz")))
        .collect();
    let again = leakscope().arg("trend").args(&files).output().unwrap();
    assert!(
        text(&again.stdout).contains("main.(*Store).Keep"),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn ctrl_c_keeps_and_analyses_what_was_taken() {
    let svc = start_leaksvc(&["-mode", "bgleak", "-bytes", "200000", "-every", "20ms"]);
    let dir = tempdir("interrupted");
    let child = capture(&svc.url, 100, &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Until three snapshots are in the manifest.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let taken = std::fs::read(dir.join("manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .map(|m| m["snapshots"].as_array().map_or(0, |a| a.len()))
            .unwrap_or(0);
        if taken >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "no three snapshots in 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = wait_with_deadline(child, Duration::from_secs(20));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("stopping: what was taken is kept and analysed"),
        "{stderr}"
    );
    assert!(dir.join("heap.2.pb.gz").is_file());
    assert!(
        stdout.contains("snapshot(s) in") && stdout.contains("\nheap:\nSnapshots: "),
        "{stdout}"
    );
}

/// Waits for a child, killing it past the deadline (then the test fails).
fn wait_with_deadline(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("capture did not end within {limit:?} of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capture-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A server whose services misbehave, one way each (the first path
/// segment), counting the requests each has in flight at once.
struct BadServer {
    base: String,
    most_in_flight: Arc<Mutex<std::collections::HashMap<String, usize>>>,
    /// Requests by path (without the query string).
    requests: Arc<Mutex<std::collections::HashMap<String, usize>>>,
}

fn bad_server() -> BadServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let most: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
    let in_flight: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
    let flaky_calls = Arc::new(AtomicUsize::new(0));
    let profile =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/go.heap.pb.gz"))
            .unwrap();
    let most_seen = most.clone();
    let requests: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
    let requested = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (requested, most, in_flight, flaky_calls, profile) = (
                requested.clone(),
                most_seen.clone(),
                in_flight.clone(),
                flaky_calls.clone(),
                profile.clone(),
            );
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                // The rest of the head.
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split(' ').nth(1).unwrap_or("/").to_string();
                let service = path.split('/').nth(1).unwrap_or("").to_string();
                let without_query = path.split('?').next().unwrap_or("").to_string();
                *requested.lock().unwrap().entry(without_query).or_default() += 1;
                {
                    let mut f = in_flight.lock().unwrap();
                    let n = f.entry(service.clone()).or_default();
                    *n += 1;
                    let mut m = most.lock().unwrap();
                    let peak = m.entry(service.clone()).or_default();
                    *peak = (*peak).max(*n);
                }
                // A request is in flight until its answer starts: once the
                // answer is written the client may rightly ask again, before
                // this thread gets to count the request out.
                let count_out = || {
                    *in_flight.lock().unwrap().get_mut(&service).unwrap() -= 1;
                };
                let answer = |stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]| {
                    count_out();
                    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body);
                };
                match service.as_str() {
                    // A Prometheus that refuses the query, as Prometheus does.
                    "prom-error" => answer(&mut stream, "400 Bad Request", "application/json", br#"{"status":"error","errorType":"bad_data","error":"parse error at char 3: unexpected"}"#),
                    // No server here has the goroutine-leak profile.
                    _ if path.ends_with("/goroutineleak") => answer(
                        &mut stream,
                        "404 Not Found",
                        "text/plain",
                        b"404 page not found",
                    ),
                    "slow" => {
                        // Answers after 4 s, unless the client hangs up first.
                        let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
                        let until = Instant::now() + Duration::from_secs(4);
                        let mut gone = false;
                        while Instant::now() < until && !gone {
                            gone = matches!(reader.read(&mut [0; 64]), Ok(0));
                        }
                        if gone {
                            count_out();
                        } else {
                            answer(&mut stream, "200 OK", "application/octet-stream", &profile);
                        }
                    }
                    "html" => answer(
                        &mut stream,
                        "200 OK",
                        "text/html; charset=utf-8",
                        b"<html><body>Sign in</body></html>",
                    ),
                    "endless" => {
                        count_out();
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
                        let chunk = vec![0x1f; 64 << 10];
                        while stream.write_all(&chunk).is_ok() {}
                    }
                    "flaky" => {
                        if flaky_calls.fetch_add(1, Ordering::SeqCst) < 2 {
                            answer(
                                &mut stream,
                                "503 Service Unavailable",
                                "text/plain",
                                b"busy",
                            );
                        } else {
                            answer(&mut stream, "200 OK", "application/octet-stream", &profile);
                        }
                    }
                    "garbage" => answer(
                        &mut stream,
                        "200 OK",
                        "application/octet-stream",
                        b"hello, this is not a profile",
                    ),
                    _ => answer(
                        &mut stream,
                        "404 Not Found",
                        "text/plain",
                        b"404 page not found",
                    ),
                }
                let _ = stream.flush();
                let _ = stream.shutdown(std::net::Shutdown::Write);
                // Drain what the client still sends.
                let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                let _ = reader.read(&mut [0; 64]);
            });
        }
    });
    BadServer {
        base,
        most_in_flight: most,
        requests,
    }
}

#[test]
fn misbehaving_servers_get_clear_messages_and_nothing_false_is_kept() {
    let server = bad_server();
    let dir = tempdir("bad");
    let urls: Vec<String> = ["slow", "html", "endless", "flaky", "garbage", "gone"]
        .iter()
        .map(|s| format!("{}/{s}", server.base))
        .collect();
    let started = Instant::now();
    let out = leakscope()
        .arg("capture")
        .args(&urls)
        .args([
            "--count",
            "2",
            "--every",
            "2s",
            "--timeout",
            "1s",
            "--retries",
            "2",
            "--max-mb",
            "1",
            "--profiles",
            "heap,goroutineleak",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // Each request bounded: two rounds of at most three 1 s tries and 3 s of waits.
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "{:?}",
        started.elapsed()
    );
    // The flaky one gave two profiles: not a failure of the run.
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let folder = |s: &str| {
        dir.join(format!(
            "{}_{s}",
            server.base.trim_start_matches("http://").replace(':', "_")
        ))
    };
    for (service, message) in [
        (
            "slow",
            "/slow/debug/pprof/heap: no answer within --timeout 1s",
        ),
        (
            "html",
            "/html/debug/pprof/heap: the server answered an HTML page, not a profile",
        ),
        (
            "endless",
            "/endless/debug/pprof/heap: stopped after 1 MB: a profile may be at most --max-mb 1",
        ),
        (
            "garbage",
            "/garbage/debug/pprof/heap: the answer is not a profile: ",
        ),
        (
            "gone",
            "/gone/debug/pprof/heap: the server answered 404 Not Found",
        ),
    ] {
        assert!(stderr.contains(message), "{message}\n{stderr}");
        assert!(
            !folder(service).join("heap.0.pb.gz").exists(),
            "{service}: nothing false is kept"
        );
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(folder(service).join("manifest.json")).unwrap())
                .unwrap();
        assert!(
            manifest["snapshots"].as_array().unwrap().is_empty(),
            "{service}"
        );
        assert!(
            !manifest["failures"].as_array().unwrap().is_empty(),
            "{service}"
        );
    }
    // Retried past two 503s; its goroutineleak 404 is asked once only.
    assert!(
        folder("flaky").join("heap.0.pb.gz").is_file()
            && folder("flaky").join("heap.1.pb.gz").is_file(),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .matches("/flaky/debug/pprof/goroutineleak: the server answered 404")
            .count(),
        1,
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!("{}/flaky: 2 snapshot(s) in", server.base)),
        "{stdout}"
    );
    // One request in flight per service, ever.
    for (service, most) in server.most_in_flight.lock().unwrap().iter() {
        assert_eq!(*most, 1, "{service}: {most} requests at once");
    }
}

#[test]
fn a_prometheus_that_refuses_or_is_not_one_is_said_so() {
    let server = bad_server();
    for (prometheus, said) in [
        ("prom-error", "Prometheus refused the query (400): parse error at char 3: unexpected"),
        ("html", "/html/api/v1/query_range answered 200 without Prometheus' JSON (is it Prometheus' HTTP API?)"),
    ] {
        let dir = tempdir(&format!("prom-{prometheus}"));
        let out = leakscope()
            .args(["capture", &format!("{}/garbage", server.base), "--count", "1", "--out"])
            .arg(&dir)
            .args(["--prometheus", &format!("{}/{prometheus}", server.base)])
            .output()
            .unwrap();
        let stdout = text(&out.stdout);
        assert!(stdout.contains(said), "{said}\n{stdout}");
        assert!(!dir.join("metrics.json").exists());
    }
}

#[test]
fn services_under_one_selector_send_prometheus_one_query() {
    let server = bad_server();
    let dir = tempdir("prom-once");
    let out = leakscope()
        .arg("capture")
        .args(["garbage", "html"].map(|s| format!("{}/{s}", server.base)))
        .args(["--count", "1", "--out"])
        .arg(&dir)
        .args(["--prometheus", &format!("{}/prom-error", server.base)])
        .args(["--match", "{job=\"api\"}"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    // Each service says what the one answer was.
    assert_eq!(
        stdout.matches("Prometheus refused the query (400)").count(),
        2,
        "{stdout}"
    );
    let asked = server.requests.lock().unwrap()["/prom-error/api/v1/query_range"];
    assert_eq!(asked, 1, "{stdout}");
}

/// Debian's Prometheus on a free loopback port, scraping `target` every
/// second, with its data in a temporary folder; killed when dropped.
fn start_prometheus(target: &str) -> Service {
    start_prometheus_of(&[target])
}

fn start_prometheus_of(targets: &[&str]) -> Service {
    let port = free_port();
    let dir = tempdir(&format!("prometheus-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    let hosts: Vec<String> = targets
        .iter()
        .map(|t| format!("\"{}\"", t.trim_start_matches("http://")))
        .collect();
    std::fs::write(
        &config,
        format!("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: leaksvc\n    static_configs:\n      - targets: [{}]\n", hosts.join(", ")),
    )
    .unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus is installed (scripts/setup: Debian's prometheus)");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_get(&format!("127.0.0.1:{port}"), "/-/ready").is_some_and(|b| b.contains("Ready")) {
        assert!(
            Instant::now() < deadline,
            "Prometheus was not ready on {url}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Service { child, url }
}

/// A GET over a plain socket: the body, if it answered.
fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
}

#[test]
fn with_prometheus_the_snapshots_are_read_beside_the_service_metrics() {
    let svc = start_leaksvc(&["-mode", "leak", "-bytes", "100000"]);
    let prometheus = start_prometheus(&svc.url);
    // ~100 requests a second, bounded in count and time.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (stop, addr) = (
            stop.clone(),
            svc.url.trim_start_matches("http://").to_string(),
        );
        std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(60);
            for _ in 0..6000 {
                if stop.load(Ordering::SeqCst) || Instant::now() > until {
                    break;
                }
                let _ = http_get(&addr, "/work");
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    // A few scrapes before the first snapshot.
    std::thread::sleep(Duration::from_secs(8));
    let dir = tempdir("with-prometheus");
    let out = capture(&svc.url, 4, &dir)
        .args(["--lookback", "30s", "--prometheus", &prometheus.url])
        .output()
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    load.join().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let instance = svc.url.trim_start_matches("http://");
    // One query, kept as Prometheus answered it.
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(metrics["status"], "success");
    let names: Vec<&str> = metrics["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metric"]["__name__"].as_str().unwrap())
        .collect();
    for name in [
        "process_resident_memory_bytes",
        "go_memstats_heap_inuse_bytes",
        "http_requests_total",
        "process_start_time_seconds",
    ] {
        assert!(names.contains(&name), "{name} not fetched: {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.starts_with("promhttp_")),
        "{names:?}"
    );
    // Read as `analyze` reads the files: the process, the snapshots tied to it, the culprit.
    assert!(
        stdout.contains(&format!(
            "metrics from {} for {{instance=\"{instance}\"}} (",
            prometheus.url
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "1. {{instance=\"{instance}\", job=\"leaksvc\"}}: "
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("top suspect main.(*Store).Keep (main.go:60) via bytes.Repeat growing"),
        "{stdout}"
    );
    assert_eq!(
        stdout
            .matches("while it was the only process the metrics show")
            .count(),
        4,
        "{stdout}"
    );
}

#[test]
fn a_scan_of_several_instances_ranks_the_leaking_one_first() {
    // One leaks 2.5 MB a second with no requests at all; two sit idle.
    let leaking = start_leaksvc(&["-mode", "bgleak", "-bytes", "50000", "-every", "20ms"]);
    let idle = [
        start_leaksvc(&["-mode", "steady"]),
        start_leaksvc(&["-mode", "steady"]),
    ];
    let prometheus = start_prometheus_of(&[&leaking.url, &idle[0].url, &idle[1].url]);
    // Fifty-five one-second scrapes (analyze judges a life of 45 s or more).
    std::thread::sleep(Duration::from_secs(55));
    let out = leakscope()
        .args([
            "scan",
            "--prometheus",
            &prometheus.url,
            "--match",
            "{job=\"leaksvc\"}",
            "--since",
            "2m",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // Three instant queries for the fleet, one range query a candidate.
    assert!(stdout.starts_with("3 processes with process_resident_memory_bytes over the last 2m; 3 judged (6 queries, "), "{stdout}");
    assert!(stdout.lines().next().unwrap().contains("kB, "), "{stdout}");
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| {
            l.starts_with("   ")
                && l.trim_start()
                    .split(' ')
                    .next()
                    .is_some_and(|r| r.parse::<usize>().is_ok())
        })
        .collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    let leaking_instance = leaking.url.trim_start_matches("http://");
    assert!(
        rows[0].contains(&format!("instance=\"{leaking_instance}\"")) && rows[0].contains("LEAK"),
        "{stdout}"
    );
    assert!(rows[1..].iter().all(|r| !r.contains("LEAK")), "{stdout}");
    // Verdicts are spelled as analyze spells them.
    assert!(
        rows[1..]
            .iter()
            .all(|r| r.contains(" STEADY ") || r.contains(" INCONCLUSIVE ")),
        "{stdout}"
    );

    let json = leakscope()
        .args([
            "scan",
            "--prometheus",
            &prometheus.url,
            "--since",
            "2m",
            "--top",
            "1",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["processes"], 3);
    assert_eq!(report["queries"].as_array().unwrap().len(), 4);
    assert_eq!(
        report["judged"][0]["candidate"]["labels"]["instance"],
        leaking_instance
    );
    assert_eq!(report["judged"][0]["verdict"], "leak");
}

#[test]
fn what_was_taken_goes_into_a_link_and_a_report() {
    let svc = start_leaksvc(&["-mode", "bgleak", "-bytes", "50000", "-every", "20ms"]);
    let dir = tempdir("shared");
    std::fs::create_dir_all(&dir).unwrap();
    // A stand-in for dist/leakscope.html (the real one is opened in
    // Chromium by tests/e2e/share.mjs): only its data element matters here.
    let page = dir.join("page.html");
    std::fs::write(
        &page,
        r#"<html><script type="application/json" id="leakscope-data">null</script></html>"#,
    )
    .unwrap();
    let report = dir.join("report.html");
    let out = capture(&svc.url, 2, &dir.join("taken"))
        .args(["--link", "--site", "https://leakscope.example/", "--report"])
        .arg(&report)
        .arg("--page")
        .arg(&page)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let link = stdout
        .lines()
        .find_map(|l| l.strip_prefix("link (2 files): "))
        .unwrap_or_else(|| panic!("{stdout}"));
    let data = link
        .strip_prefix("https://leakscope.example/#data=")
        .unwrap();
    let files = leakscope::share::unpack(data).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["heap.0.pb.gz", "heap.1.pb.gz"]);
    assert_eq!(
        files[1].bytes,
        std::fs::read(dir.join("taken/heap.1.pb.gz")).unwrap()
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        html,
        format!(
            r#"<html><script type="application/json" id="leakscope-data">{{"hash":"","data":"{data}"}}</script></html>"#
        )
    );
    assert!(
        stdout.contains(&format!("report: {} (", report.display())),
        "{stdout}"
    );

    // Without the page, a report says where it looked.
    let out = capture(&svc.url, 1, &dir.join("again"))
        .args([
            "--report",
            "/nonexistent/r.html",
            "--page",
            "/nonexistent/page.html",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("/nonexistent/page.html: "),
        "{}",
        text(&out.stderr)
    );
}

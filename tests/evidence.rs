//! The mixes of files a person drops, joined: the claims the Overview,
//! `analyze` and `trend` make must follow from the evidence, count each
//! fact once, tie snapshots to a process only with evidence, and not
//! change with what a view shows. Every run here is a real run of
//! `examples/leaksvc` (tests/data/series/README.md says how each was made).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use leakscope::analysis::leak::work::IdleGrowth;
use leakscope::analysis::overview::{Card, Link, Overview};
use leakscope::analysis::trend::{Measure, ProfileKind, SiteVerdict};
use leakscope::import::ImportOptions;
use leakscope::workspace::{ViewState, Workspace};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/series")
        .join(path)
}

/// A workspace holding files as the page names them (a dropped folder's
/// files keep their path).
/// Every file of the kube fixture (cAdvisor, kube-state-metrics, the app's
/// metrics, kubectl's output), by name.
fn kube_files() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(fixture("kube"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    all.sort();
    all
}

fn page(files: &[(&str, PathBuf)]) -> Workspace {
    let mut w = Workspace::new();
    for (name, path) in files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        w.add(
            name,
            &bytes[..],
            bytes.len() as u64,
            &ImportOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    w
}

/// A scenario's files, named as in its folder.
fn files(scenario: &str, names: &[&str]) -> Vec<(String, PathBuf)> {
    names
        .iter()
        .map(|n| (n.to_string(), fixture(&format!("{scenario}/{n}"))))
        .collect()
}

fn page_of(files: &[(String, PathBuf)]) -> Workspace {
    let borrowed: Vec<(&str, PathBuf)> =
        files.iter().map(|(n, p)| (n.as_str(), p.clone())).collect();
    page(&borrowed)
}

fn overview(w: &mut Workspace) -> Overview {
    w.overview(&ViewState::default())
}

/// The state the page shows after following `link` from `state`: the
/// link's parameters merged into it, as the page's navigate does.
fn followed(link: &Link, mut state: ViewState) -> ViewState {
    for (k, v) in &link.params {
        let field = match k.as_str() {
            "profile" => &mut state.profile,
            "si" => &mut state.si,
            "f" => &mut state.f,
            "list" => &mut state.list,
            "base" => &mut state.base,
            "target" => &mut state.target,
            other => panic!("a link sets {other}"),
        };
        *field = v.clone();
    }
    state
}

fn fact<'a>(card: &'a Card, label: &str) -> Option<&'a str> {
    card.facts
        .iter()
        .find(|f| f.label == label)
        .map(|f| f.value.as_str())
}

fn heaps(scenario: &str) -> Vec<(String, PathBuf)> {
    files(
        scenario,
        &[
            "heap.0.pb.gz",
            "heap.1.pb.gz",
            "heap.2.pb.gz",
            "heap.3.pb.gz",
        ],
    )
}

fn leakscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .output()
        .expect("leakscope runs")
}

fn analyze_json(paths: &[PathBuf]) -> serde_json::Value {
    let mut args = vec!["analyze".to_string(), "--format".into(), "json".into()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = leakscope(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The kernel's whole log beside the metrics, in both of dmesg's forms:
/// each kill is one kill, attached to the restart it caused.
#[test]
fn oom_logs_beside_metrics_count_each_kill_once() {
    let csv = fixture("oom/grafana-joined-epoch.csv");
    let deaths = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(fixture("oom/run.json")).unwrap(),
    )
    .unwrap()["deaths"]
        .as_array()
        .unwrap()
        .len();
    assert!(deaths >= 3, "the run has {deaths} OOM kills");
    let alone = analyze_json(std::slice::from_ref(&csv));
    assert_eq!(alone["processes"][0]["restarts"], deaths);
    for log in ["dmesg.txt", "dmesg-T.txt"] {
        let a = analyze_json(&[csv.clone(), fixture(&format!("oom/{log}"))]);
        let p = &a["processes"][0];
        assert_eq!(
            a["inputs"][1]["oom_kills"], deaths,
            "{log}: kills in the file"
        );
        assert_eq!(p["restarts"], deaths, "{log}: {}", p["reason"]);
        assert_eq!(p["oom_kills"], deaths, "{log}: {}", p["reason"]);
        assert_eq!(
            p["unmatched_oom_kills"].as_array().unwrap().len(),
            0,
            "{log}"
        );
        assert!(
            p["reason"]
                .as_str()
                .unwrap()
                .contains(&format!("fell only at the {deaths} restarts")),
            "{log}: {}",
            p["reason"]
        );
    }
    // The same in the page: the file list and the card agree.
    let mut w = page_of(&files("oom", &["grafana-joined-epoch.csv", "dmesg.txt"]));
    let log = w.files().into_iter().find(|f| f.kind == "oom-log").unwrap();
    assert!(
        log.detail.contains(&format!("{deaths} OOM kills")),
        "{}",
        log.detail
    );
    let o = overview(&mut w);
    assert_eq!(
        fact(&o.cards[0], "Restarts"),
        Some(format!("{deaths} ({deaths} OOM kills)").as_str())
    );
}

/// One run exported three ways counts its requests and restarts once.
#[test]
fn one_run_exported_three_ways_is_counted_once() {
    let csv = fixture("leak/grafana-joined-epoch.csv");
    let three = [
        csv.clone(),
        fixture("leak/query_range.requests.json"),
        fixture("leak/query_range.rss.json"),
        fixture("leak/query_range.heap_inuse.json"),
        fixture("leak/query_range.start_time.json"),
        fixture("leak/promtool-dump.txt"),
    ];
    let one = analyze_json(std::slice::from_ref(&csv));
    let all = analyze_json(&three);
    let (p1, p3) = (&one["processes"][0], &all["processes"][0]);
    assert_eq!(all["processes"].as_array().unwrap().len(), 1);
    assert_eq!(p1["restarts"], p3["restarts"]);
    let (b1, b3) = (
        p1["bytes_per_request"].as_f64().unwrap(),
        p3["bytes_per_request"].as_f64().unwrap(),
    );
    assert!((b1 - b3).abs() < 0.03 * b1, "{b1} vs {b3}");
    assert!(
        all["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("appear in more than one file")),
        "{}",
        all["warnings"]
    );
    // The snapshots' requests are counted once too (the 20,895 for
    // 6,965).
    let mut trend_args = vec!["trend".to_string(), "--format".into(), "json".into()];
    for h in heaps("leak") {
        trend_args.push(h.1.display().to_string());
    }
    let once = {
        let mut a = trend_args.clone();
        a.extend(["--metrics".into(), csv.display().to_string()]);
        a
    };
    let thrice = {
        let mut a = trend_args.clone();
        for f in &three {
            a.extend(["--metrics".into(), f.display().to_string()]);
        }
        a
    };
    let requests = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = leakscope(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["metrics"]["requests"].as_f64().unwrap()
    };
    let (r1, r3) = (requests(&once), requests(&thrice));
    assert!(r1 > 1000.0 && (r1 - r3).abs() < 0.01 * r1, "{r1} vs {r3}");
}

/// A healthy service and its snapshots: no red card anywhere, the largest
/// site said neutrally, and the same whatever sample type a view shows.
#[test]
fn a_healthy_run_and_its_snapshots_make_no_red_card() {
    let mut all = files("steady", &["grafana-joined-epoch.csv"]);
    all.extend(heaps("steady"));
    let mut w = page_of(&all);
    let o = overview(&mut w);
    assert_eq!(o.cards.len(), 1, "{:#?}", o.cards);
    let card = &o.cards[0];
    assert_eq!(card.tone, "steady", "{}", card.headline);
    assert!(fact(card, "Culprit").is_none());
    let heap = fact(card, "Heap snapshots").expect("the snapshots are said");
    assert!(heap.contains("no allocation site grows"), "{heap}");
    assert!(heap.contains("largest in use"), "{heap}");
    // Top shows alloc_space (which only grows): the Overview does not move.
    let alloc = w.overview(&ViewState {
        si: "alloc_space".into(),
        g: "lines".into(),
        ..Default::default()
    });
    assert_eq!(
        serde_json::to_string(&alloc).unwrap(),
        serde_json::to_string(&o).unwrap()
    );
    // The Trend view with alloc_space says what alloc_* means.
    let t = w
        .trend(&ViewState {
            si: "alloc_space".into(),
            ..Default::default()
        })
        .unwrap();
    let r = t.groups[0].report.as_ref().unwrap();
    assert_eq!(r.measure, Measure::Allocations);
    assert!(
        r.warnings.iter().any(|w| w.contains("only grow")),
        "{:?}",
        r.warnings
    );
}

/// Three replicas, snapshots of each in a folder named after it, with the
/// same file names: each series goes to its own process.
#[test]
fn snapshots_of_replicas_go_to_their_instance() {
    let mut all = files("replicas", &["grafana-joined-epoch.csv"]);
    for port in ["19225", "19226", "19227"] {
        for h in heaps(&format!("replicas/instance-{port}")) {
            all.push((format!("instance-{port}/{}", h.0), h.1));
        }
    }
    let mut w = page_of(&all);
    let o = overview(&mut w);
    assert_eq!(o.cards.len(), 3, "{:#?}", o.cards);
    let card = |port: &str| {
        o.cards
            .iter()
            .find(|c| c.title.contains(port))
            .unwrap_or_else(|| panic!("a card for {port}"))
    };
    let leaking = card("19225");
    assert_eq!(leaking.tone, "leak");
    assert!(
        fact(leaking, "Culprit")
            .unwrap()
            .starts_with("main.(*Store).Keep"),
        "{:?}",
        leaking.facts
    );
    assert!(fact(leaking, "Evidence")
        .unwrap()
        .contains("instance-19225/heap.0.pb.gz"));
    for port in ["19226", "19227"] {
        let c = card(port);
        assert_eq!(c.tone, "steady", "{}", c.headline);
        assert!(fact(c, "Culprit").is_none());
        assert!(fact(c, "Evidence")
            .unwrap()
            .contains(&format!("instance-{port}/")));
    }
    // The Trend view: one series per instance, never mixed.
    let t = w.trend(&ViewState::default()).unwrap();
    assert_eq!(t.groups.len(), 3);
    for g in &t.groups {
        let files = &g.report.as_ref().unwrap().snapshots;
        let folder = files[0].file.split('/').next().unwrap();
        assert!(
            files.iter().all(|s| s.file.starts_with(folder)),
            "{files:?}"
        );
    }

    // The same files dropped without their folders: nothing says which
    // instance took which, so none is tied, and the page says why.
    let mut flat = files("replicas", &["grafana-joined-epoch.csv"]);
    for port in ["19225", "19226"] {
        flat.extend(heaps(&format!("replicas/instance-{port}")));
    }
    let mut w = page_of(&flat);
    let names: Vec<String> = w.files().into_iter().map(|f| f.name).collect();
    assert!(names.contains(&"heap.0.pb.gz (2)".to_string()), "{names:?}");
    let o = overview(&mut w);
    for c in o
        .cards
        .iter()
        .filter(|c| c.title.starts_with("First") || c.title.starts_with("Process"))
    {
        assert!(fact(c, "Culprit").is_none(), "{}: {:?}", c.title, c.facts);
    }
    let untied = o
        .cards
        .iter()
        .find(|c| c.headline.contains("Not tied to the metrics"))
        .expect("an untied card");
    assert!(
        untied.headline.contains("while 3 processes ran"),
        "{}",
        untied.headline
    );
    // Eight snapshots of two processes are never one series, in any view.
    assert_ne!(untied.tone, "leak");
    assert!(!untied.title.contains("across"), "{}", untied.title);
    assert!(
        untied.headline.contains("No trend: "),
        "{}",
        untied.headline
    );
    let t = w.trend(&ViewState::default()).unwrap();
    assert!(!t.groups.is_empty());
    for g in &t.groups {
        assert!(
            g.report.is_none(),
            "{}: a trend of mixed processes",
            g.title
        );
        assert!(g.error.as_deref().unwrap().contains("may mix processes"));
    }
}

/// Snapshots of another program, or another year, are not the metrics'
/// process's, and the page says why.
#[test]
fn snapshots_of_another_time_or_program_stay_untied() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut all = files("leak", &["grafana-joined-epoch.csv", "dmesg.txt"]);
    for k in 0..4 {
        all.push((
            format!("heap.{k}.pprof"),
            corpus.join(format!("blog/heap.{k}.pprof")),
        ));
    }
    let mut w = page_of(&all);
    let o = overview(&mut w);
    let process = &o.cards[0];
    assert_eq!(process.tone, "leak");
    assert!(fact(process, "Culprit").is_none(), "{:?}", process.facts);
    let blog = o
        .cards
        .iter()
        .find(|c| c.title.contains("heap snapshots") && c.title.contains("Leak suspect"))
        .expect("the blog's own card");
    assert!(
        blog.headline.contains("main.(*RequestTracker).Track"),
        "{}",
        blog.headline
    );
    assert!(
        blog.headline.contains("taken 2018-07-30"),
        "{}",
        blog.headline
    );

    // A profile of another program taken during the process's life: not a
    // 5th snapshot of it.
    let mut mixed = heaps("leak");
    mixed.push(("other.pb.gz".into(), corpus.join("blog/heap.3.pprof")));
    let with_metrics: Vec<PathBuf> = std::iter::once(fixture("leak/grafana-joined-epoch.csv"))
        .chain(mixed.iter().map(|m| m.1.clone()))
        .collect();
    let a = analyze_json(&with_metrics);
    let snapshots = a["snapshots"].as_array().unwrap();
    let blog = snapshots
        .iter()
        .find(|s| s["file"].as_str().unwrap().ends_with("heap.3.pprof"))
        .unwrap();
    assert!(blog["process"].is_null(), "{blog}");
    let ours = snapshots.iter().filter(|s| s["process"] == 0).count();
    assert_eq!(ours, 4);
}

/// Heap, goroutine (protobuf, debug=1 text, debug=2 dumps) and allocs
/// profiles of one goroutine-leaking run: separate series, side by side,
/// and the verdict names the goroutine leak.
#[test]
fn heap_goroutine_and_allocs_profiles_make_separate_series() {
    let mut all = files("goroutine", &["grafana-joined-epoch.csv"]);
    for k in 0..4 {
        for kind in ["heap", "allocs", "goroutine"] {
            all.extend(files("goroutine", &[&format!("{kind}.{k}.pb.gz")]));
        }
        all.extend(files("goroutine", &[&format!("goroutine.{k}.dump.txt")]));
    }
    let mut w = page_of(&all);
    let o = overview(&mut w);
    let card = &o.cards[0];
    assert_eq!(card.tone, "leak");
    assert!(
        card.headline.starts_with("Goroutine leak"),
        "{}",
        card.headline
    );
    let per_request: f64 = fact(card, "Goroutines per request")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (per_request - 0.2).abs() < 0.03,
        "one goroutine every 5 requests: {per_request}"
    );
    let goroutines = fact(card, "Goroutines").unwrap();
    assert!(
        goroutines.contains("main.waitForReply (chan receive)"),
        "{goroutines}"
    );
    assert!(fact(card, "Culprit").is_some(), "{:?}", card.facts);

    let t = w.trend(&ViewState::default()).unwrap();
    let kinds: Vec<ProfileKind> = t
        .groups
        .iter()
        .map(|g| g.report.as_ref().unwrap().kind)
        .collect();
    for k in [
        ProfileKind::Heap,
        ProfileKind::Allocs,
        ProfileKind::Goroutine,
    ] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    for g in &t.groups {
        let r = g.report.as_ref().unwrap();
        let files: Vec<&str> = r.snapshots.iter().map(|s| s.file.as_str()).collect();
        match r.kind {
            ProfileKind::Goroutine => {
                let top = &r.suspects[0];
                assert_eq!(
                    (top.name.as_str(), top.via.as_deref(), top.verdict),
                    (
                        "main.waitForReply",
                        Some("chan receive"),
                        SiteVerdict::Growing
                    ),
                    "{files:?}"
                );
                // No heap-sampling footnote under goroutine counts.
                assert!(g
                    .table
                    .as_ref()
                    .unwrap()
                    .notes
                    .iter()
                    .all(|n| !n.contains("garbage collection")));
                if files[0].ends_with(".dump.txt") {
                    assert_eq!(top.started.as_deref(), Some("created by main.parkSome"));
                }
            }
            ProfileKind::Heap => assert!(files.iter().all(|f| f.starts_with("heap."))),
            ProfileKind::Allocs => assert!(files.iter().all(|f| f.starts_with("allocs."))),
            k => panic!("unexpected {k:?}"),
        }
    }
}

/// The shapes production data has, each judged right.
#[test]
fn production_shapes() {
    let verdict = |scenario: &str| {
        let a = analyze_json(&[fixture(&format!("{scenario}/grafana-joined-epoch.csv"))]);
        a["processes"][0].clone()
    };
    // A bounded cache filling up, then full: it plateaued.
    let cache = verdict("cache");
    assert_eq!(cache["verdict"], "steady", "{}", cache["reason"]);
    let reason = cache["reason"].as_str().unwrap();
    assert!(reason.contains("plateaued"), "{reason}");
    assert!(
        !reason.contains("/h"),
        "a plateau is never extrapolated: {reason}"
    );
    // Load in waves: memory follows it.
    let waves = verdict("waves");
    assert_eq!(waves["verdict"], "steady", "{}", waves["reason"]);
    assert!(waves["reason"]
        .as_str()
        .unwrap()
        .contains("follows the load"));
    // Rolling deploys: restarts, no OOM kills, no leak.
    let deploys = verdict("deploys");
    assert_eq!(deploys["verdict"], "steady", "{}", deploys["reason"]);
    assert!(
        deploys["restarts"].as_u64().unwrap() >= 3,
        "{}",
        deploys["restarts"]
    );
    assert_eq!(deploys["oom_kills"], 0);
    // A timer-driven leak and no requests at all.
    let idle = verdict("bgidle");
    assert_eq!(idle["verdict"], "leak", "{}", idle["reason"]);
    assert!(idle["bytes_per_request"].is_null());
    assert!(idle["reason"]
        .as_str()
        .unwrap()
        .contains("no request was served"));
    // A leak under GOMEMLIMIT: the collector holds it at the limit.
    let limited = verdict("gomemlimit");
    assert_eq!(limited["verdict"], "leak", "{}", limited["reason"]);
    assert!(limited["soft_limit"].as_f64().unwrap() > 0.0);
    assert!(limited["held_by_gc"].is_array(), "{}", limited["reason"]);
    assert!(limited["reason"].as_str().unwrap().contains("GOMEMLIMIT"));
    // The idle-growth facts of a per-request leak are untouched.
    let slow = verdict("slowleak");
    assert_eq!(
        slow["growth_when_idle"],
        serde_json::to_value(IdleGrowth::Stops).unwrap()
    );
}

/// Kubernetes exports: cAdvisor's series come one per container run,
/// kube-state-metrics counts restarts and says OOMKilled; the app's own
/// metrics name the pod but no container. One process, each restart and
/// kill once.
#[test]
fn kubernetes_exports_make_one_container_with_its_restarts() {
    let all = kube_files();
    let deaths = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(fixture("oom/run.json")).unwrap(),
    )
    .unwrap()["deaths"]
        .as_array()
        .unwrap()
        .len() as u64;
    let a = analyze_json(&all);
    assert_eq!(
        a["processes"].as_array().unwrap().len(),
        1,
        "{}",
        a["processes"]
    );
    let p = &a["processes"][0];
    assert_eq!(p["verdict"], "leak");
    assert_eq!(p["restarts"].as_u64(), Some(deaths));
    assert_eq!(p["oom_kills"].as_u64(), Some(deaths));
    // Without the app's own metrics or the start times: the restart count.
    let ksm: Vec<PathBuf> = all
        .iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            !n.contains("app_rss") && !n.contains("container_start")
        })
        .cloned()
        .collect();
    let a = analyze_json(&ksm);
    let p = &a["processes"][0];
    assert_eq!(p["restarts"].as_u64(), Some(deaths), "{}", p["reason"]);
    assert_eq!(p["oom_kills"].as_u64(), Some(deaths));
    let main = &a["series"][p["main_series"].as_u64().unwrap() as usize];
    assert_eq!(main["limit_source"], "kube-state-metrics");
    // The container as a fact: kube-state-metrics' last restart count, its
    // 0/1 termination gauge that is 1 now, its memory limit.
    let containers = a["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1, "{containers:?}");
    let c = &containers[0];
    assert_eq!(
        (c["namespace"].as_str(), c["container"].as_str()),
        (Some("shop"), Some("leaksvc"))
    );
    assert_eq!(c["restart_count"].as_u64(), Some(deaths));
    assert_eq!(c["last_terminated_reason"], "OOMKilled");
    assert_eq!(c["memory_limit_bytes"].as_f64(), Some(120.0 * 1048576.0));
    assert_eq!(c["source"]["line"], serde_json::Value::Null);
    // The table counts what the card counts: a row per restart the
    // termination gauge calls an OOM kill.
    assert_eq!(a["oom_kills"].as_array().unwrap().len() as u64, deaths);
}

/// The same pod's `kubectl describe` beside its kube-state-metrics: the
/// last OOMKilled termination is the kill the gauge marked, told once, not
/// a second kill "matching no restart".
#[test]
fn kubectl_describe_beside_kube_state_metrics_tells_one_kill_once() {
    let all = kube_files();
    let alone = analyze_json(&all);
    let p = &alone["processes"][0];
    let last_restart = p["restart_events"].as_array().unwrap().last().unwrap()["time"]
        .as_f64()
        .unwrap();
    // Finished a second before the new start, as kubelet reports it.
    let moment = leakscope::render::gotime::moment(last_restart - 1.0);
    let (date, clock) = moment.trim_end_matches(" UTC").split_once(' ').unwrap();
    let d: Vec<&str> = date.split('-').collect();
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let finished = format!(
        "Mon, {} {} {} {clock} +0000",
        d[2],
        MONTHS[d[1].parse::<usize>().unwrap() - 1],
        d[0]
    );
    let describe = format!(
        "Name:         leaksvc-7d9f8b6c4-x2q9z\nNamespace:    shop\nPriority:     0\nContainers:\n  leaksvc:\n    State:          Running\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n      Finished:     {finished}\n    Restart Count:  {}\n    Limits:\n      memory:  120Mi\n",
        p["restarts"]
    );
    let path = std::env::temp_dir().join(format!("leakscope-describe-{}.txt", std::process::id()));
    std::fs::write(&path, &describe).unwrap();
    let describe_text = describe;
    let mut with = all.clone();
    with.push(path.clone());
    let a = analyze_json(&with);
    std::fs::remove_file(&path).unwrap();
    let q = &a["processes"][0];
    assert_eq!(a["processes"].as_array().unwrap().len(), 1);
    assert_eq!(q["restarts"], p["restarts"]);
    assert_eq!(q["oom_kills"], p["oom_kills"]);
    assert_eq!(q["unmatched_oom_kills"], serde_json::json!([]));
    let rows = a["oom_kills"].as_array().unwrap();
    assert_eq!(rows.len(), alone["oom_kills"].as_array().unwrap().len());
    // The last row is the describe's, with its line; the others the gauge's.
    assert_eq!(rows.last().unwrap()["source"]["line"], 10);
    assert!(rows[..rows.len() - 1]
        .iter()
        .all(|r| r["source"]["metric"] == "kube_pod_container_status_last_terminated_reason"));

    // And the node's kernel log beside both: each restart's kill is the
    // kernel's (pid, memory), the describe's termination the last one told
    // again. Still one kill a restart, one row a kill.
    let restarts: Vec<f64> = p["restart_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["time"].as_f64().unwrap())
        .collect();
    let kernel: String = restarts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let iso = leakscope::render::gotime::moment(t - 1.0)
                .trim_end_matches(" UTC")
                .replace(' ', "T");
            format!("{iso}+0000 node-1 kernel: Memory cgroup out of memory: Killed process {} (leaksvc) total-vm:1160748kB, anon-rss:122112kB, file-rss:8596kB, shmem-rss:0kB\n", 1000 + i)
        })
        .collect();
    let log = std::env::temp_dir().join(format!("leakscope-kern-{}.log", std::process::id()));
    std::fs::write(&log, kernel).unwrap();
    let describe =
        std::env::temp_dir().join(format!("leakscope-describe2-{}.txt", std::process::id()));
    std::fs::write(&describe, &describe_text).unwrap();
    let mut three = all.clone();
    three.push(log.clone());
    three.push(describe.clone());
    let a = analyze_json(&three);
    std::fs::remove_file(&log).unwrap();
    std::fs::remove_file(&describe).unwrap();
    let q = &a["processes"][0];
    assert_eq!(q["restarts"], p["restarts"]);
    assert_eq!(q["oom_kills"], p["oom_kills"]);
    assert_eq!(q["unmatched_oom_kills"], serde_json::json!([]));
    let rows = a["oom_kills"].as_array().unwrap();
    assert_eq!(rows.len(), restarts.len(), "{rows:#?}");
    assert!(rows.iter().all(|r| r["pid"].is_u64()), "{rows:#?}");
    let last = rows.last().unwrap();
    assert_eq!(last["pod"], "leaksvc-7d9f8b6c4-x2q9z");
    assert_eq!(last["also_told"][0]["line"], 10);
}

/// A snapshot is tied to the same life of its process whether or not a
/// memory series came beside the start times that show the restarts:
/// the lives are the process's, not its headline series'.
#[test]
fn a_snapshots_life_does_not_hang_on_a_memory_series() {
    let heap = fixture("leak/heap.0.pb.gz");
    let start = fixture("leak/query_range.start_time.json");
    let rss = fixture("leak/query_range.rss.json");
    let alone = analyze_json(&[start.clone(), heap.clone()]);
    let with_rss = analyze_json(&[start, rss, heap]);
    assert_eq!(with_rss["processes"][0]["restarts"], 3);
    let tie = |a: &serde_json::Value| {
        (
            a["snapshots"][0]["life"].clone(),
            a["snapshots"][0]["tie"].clone(),
        )
    };
    assert_eq!(tie(&alone), tie(&with_rss));
    assert!(
        tie(&alone)
            .1
            .as_str()
            .unwrap()
            .contains("'s life 1 of 4: taken"),
        "{}",
        tie(&alone).1
    );
}

/// RSS scraped in the first of three lives only: the Overview's card
/// and the series' reason both say its peak was seen before one of the
/// two restarts, not "at about" for each, and no limit is inferred.
#[test]
fn a_peak_seen_before_one_restart_is_not_told_of_both() {
    let mut text = String::new();
    for i in 0..1800u32 {
        let t = 1.8e9 + f64::from(i);
        if i < 600 {
            text += &format!(
                "process_resident_memory_bytes{{instance=\"a:1\"}} {} {}\n",
                10e6 + 1e5 * f64::from(i),
                (t * 1000.0) as i64
            );
        }
    }
    for i in 0..1800u32 {
        let t = 1.8e9 + f64::from(i);
        text += &format!(
            "process_start_time_seconds{{instance=\"a:1\"}} {} {}\n",
            1.8e9 + f64::from(600 * (i / 600)),
            (t * 1000.0) as i64
        );
    }
    let path = std::env::temp_dir().join(format!("leakscope-seen-{}.txt", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let mut w = page(&[("metrics.txt", path.clone())]);
    std::fs::remove_file(&path).unwrap();
    let o = overview(&mut w);
    let card = &o.cards[0];
    assert!(
        card.headline
            .contains("restarted 2 times (memory seen up to 1 of them, at about 66.66MB)"),
        "{}",
        card.headline
    );
    assert!(!card.headline.contains("limit"), "{}", card.headline);
}

/// One restart is "restarted once", not "restarted 1 times".
#[test]
fn one_restart_is_told_once() {
    let mut text = String::new();
    for i in 0..1200u32 {
        let t = 1.8e9 + f64::from(i);
        let ms = (t * 1000.0) as i64;
        text += &format!(
            "process_resident_memory_bytes{{instance=\"a:1\"}} {} {ms}\n",
            10e6 + 1e5 * f64::from(i % 600)
        );
        text += &format!(
            "process_start_time_seconds{{instance=\"a:1\"}} {} {ms}\n",
            1.8e9 + f64::from(600 * (i / 600))
        );
    }
    let path = std::env::temp_dir().join(format!("leakscope-once-{}.txt", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let mut w = page(&[("metrics.txt", path.clone())]);
    // The CLI's text says it the same way.
    let cli = leakscope(&["analyze", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    let o = overview(&mut w);
    let headline = &o.cards[0].headline;
    assert!(headline.contains("restarted once at about"), "{headline}");
    assert!(!headline.contains("1 times"), "{headline}");
    let text = String::from_utf8_lossy(&cli.stdout);
    assert!(cli.status.success(), "{text}");
    assert!(
        text.contains("     1 restart\n") || text.contains("     1 restart,"),
        "{text}"
    );
    assert!(!text.contains("1 restarts"), "{text}");
    assert!(
        text.contains("fell only at the restart, at about"),
        "{text}"
    );
}

/// A process with no garbage collector (C/C++) is never said to have a
/// GC sawtooth.
#[test]
fn no_gc_words_without_gc_metrics() {
    // RSS alone (a Go service, but nothing in the data says so).
    let mut w = page(&[("rss.csv", fixture("steady/grafana-single.csv"))]);
    let o = overview(&mut w);
    assert_eq!(o.cards[0].tone, "steady", "{}", o.cards[0].headline);
    assert!(
        !o.cards[0].headline.contains("GC"),
        "{}",
        o.cards[0].headline
    );
    assert!(
        o.cards[0].headline.contains("the value swings"),
        "{}",
        o.cards[0].headline
    );
    // With the runtime's own metrics, the sawtooth is the collector's.
    let mut w = page(&[("all.csv", fixture("steady/grafana-joined-epoch.csv"))]);
    let o = overview(&mut w);
    assert!(
        o.cards[0].headline.contains("GC sawtooth"),
        "{}",
        o.cards[0].headline
    );
}

/// One goroutine dump alone: where most goroutines wait, and which have
/// waited longest (the dump's own wait times).
#[test]
fn a_goroutine_dump_says_who_waits_longest() {
    let mut w = page(&[(
        "goroutine.3.dump.txt",
        fixture("goroutine/goroutine.3.dump.txt"),
    )]);
    let o = overview(&mut w);
    let card = &o.cards[0];
    assert_eq!(card.title, "Goroutines in goroutine.3.dump.txt");
    // 3,199 goroutines park there (its header lines say so); the oldest
    // have waited 3 minutes.
    let parked = std::fs::read_to_string(fixture("goroutine/goroutine.3.dump.txt"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("goroutine ") && l.contains("[chan receive"))
        .count();
    assert!(
        card.headline.starts_with(&format!(
            "{parked} goroutines in main.waitForReply (chan receive), created by main.parkSome, the longest waiting 3 minutes or more when the dump was taken"
        )),
        "{}",
        card.headline
    );
}

/// Go 1.26's goroutineleak profile lists only goroutines the runtime
/// proved can never resume. (No Go 1.26 here: this is the goroutine
/// profile of the leaking run with its header named `goroutineleak`, the
/// one difference runtime/pprof's count-profile writer makes.)
#[test]
fn a_goroutineleak_profile_is_a_proven_leak() {
    let text = std::fs::read_to_string(fixture("goroutine/goroutine.3.txt")).unwrap();
    let leak = text.replacen("goroutine profile:", "goroutineleak profile:", 1);
    assert_ne!(leak, text);
    let mut w = Workspace::new();
    w.add(
        "goroutineleak.txt",
        leak.as_bytes(),
        leak.len() as u64,
        &ImportOptions::default(),
    )
    .unwrap();
    let o = overview(&mut w);
    let card = &o.cards[0];
    assert_eq!(card.tone, "leak", "{}", card.headline);
    assert_eq!(card.title, "Goroutine leak proven in goroutineleak.txt");
    assert!(
        card.headline.contains("main.waitForReply"),
        "{}",
        card.headline
    );
    assert!(
        card.headline
            .contains("proved each of these goroutines can never resume"),
        "{}",
        card.headline
    );
}

/// `leakscope trend --metrics` with two instances' snapshots refuses to
/// mix them, naming each; `analyze` ties each to its instance.
#[test]
fn the_cli_never_mixes_two_processes_snapshots() {
    let csv = fixture("replicas/grafana-joined-epoch.csv");
    let mut args = vec![
        "trend".to_string(),
        "--metrics".into(),
        csv.display().to_string(),
    ];
    for port in ["19225", "19226"] {
        for h in heaps(&format!("replicas/instance-{port}")) {
            args.push(h.1.display().to_string());
        }
    }
    let o = leakscope(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the snapshots come from 2 processes"), "{err}");
    assert!(err.contains("19225") && err.contains("19226"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let mut files = vec![csv];
    files.extend(heaps("replicas/instance-19225").into_iter().map(|h| h.1));
    let mut args = vec!["analyze".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let o = leakscope(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("its path names 19225"), "{text}");
    assert!(
        text.contains("top suspect main.(*Store).Keep (main.go:60) via bytes.Repeat growing"),
        "{text}"
    );
}

/// The same snapshot dropped twice is said to be the same snapshot, not a
/// second process, and no culprit is drawn from a series it spoils.
#[test]
fn a_snapshot_dropped_twice_is_said_so() {
    let mut all = files("leak", &["grafana-joined-epoch.csv"]);
    all.extend(heaps("leak"));
    all.push(("heap.3.pb.gz".into(), fixture("leak/heap.3.pb.gz")));
    let mut w = page_of(&all);
    let o = overview(&mut w);
    let card = &o.cards[0];
    assert!(fact(card, "Culprit").is_none(), "{:?}", card.facts);
    let said = fact(card, "Heap snapshots").unwrap();
    assert!(
        said.contains("heap.3.pb.gz and heap.3.pb.gz (2) are the same snapshot"),
        "{said}"
    );
}

/// The same kernel log given twice (a copy under another name): each kill
/// once, on its restart, "also told" by the copy; no kill "matching no
/// restart", no count doubled.
#[test]
fn a_log_given_twice_tells_each_kill_once() {
    let csv = fixture("oom/grafana-joined-epoch.csv");
    let dmesg = fixture("oom/dmesg.txt");
    let copy =
        std::env::temp_dir().join(format!("leakscope-dmesg-copy-{}.txt", std::process::id()));
    std::fs::copy(&dmesg, &copy).unwrap();
    let alone = analyze_json(&[csv.clone(), dmesg.clone()]);
    let twice = analyze_json(&[csv, dmesg, copy.clone()]);
    std::fs::remove_file(&copy).unwrap();
    let (p, q) = (&alone["processes"][0], &twice["processes"][0]);
    assert_eq!(q["restarts"], p["restarts"]);
    assert_eq!(q["oom_kills"], p["oom_kills"]);
    assert_eq!(q["unmatched_oom_kills"], serde_json::json!([]));
    let rows = twice["oom_kills"].as_array().unwrap();
    assert_eq!(rows.len(), alone["oom_kills"].as_array().unwrap().len());
    assert!(rows
        .iter()
        .all(|r| r["also_told"].as_array().is_some_and(|a| a.len() == 1)));
    let n = rows.len();
    let note = format!("{n} of {n} kills line up with restarts");
    assert!(
        twice["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains(&note)),
        "{}",
        twice["warnings"]
    );
}

/// Steady processes beside snapshots of another run that leak: the leak
/// comes first, and no steady process is called the one to look at first.
#[test]
fn a_leak_in_snapshots_of_no_process_comes_before_steady_processes() {
    let mut mix = heaps("leak");
    for scenario in ["steady", "waves", "cache"] {
        mix.push((
            format!("{scenario}.csv"),
            fixture(&format!("{scenario}/grafana-joined-epoch.csv")),
        ));
    }
    let mut w = page_of(&mix);
    let o = overview(&mut w);
    let tones: Vec<&str> = o.cards.iter().map(|c| c.tone).collect();
    assert_eq!(
        tones[0],
        "leak",
        "{:?}",
        o.cards.iter().map(|c| &c.title).collect::<Vec<_>>()
    );
    assert!(
        o.cards[0]
            .headline
            .starts_with("Culprit: main.(*Store).Keep"),
        "{:?}",
        o.cards[0]
    );
    assert_eq!(
        tones.iter().filter(|t| **t == "steady").count(),
        3,
        "{tones:?}"
    );
    assert!(
        o.cards.iter().all(|c| !c.title.starts_with("First:")),
        "{:?}",
        o.cards.iter().map(|c| &c.title).collect::<Vec<_>>()
    );
}

/// Snapshots beside an OOM log and no metrics: the card does not speak of
/// metrics that were never given.
#[test]
fn snapshots_beside_only_an_oom_log_claim_no_metrics() {
    let mut mix = heaps("leak");
    mix.push(("dmesg.txt".into(), fixture("leak/dmesg.txt")));
    let mut w = page_of(&mix);
    let o = overview(&mut w);
    let leak = o
        .cards
        .iter()
        .find(|c| c.tone == "leak")
        .expect("the snapshots' card");
    assert!(
        leak.headline.starts_with("Culprit: main.(*Store).Keep"),
        "{}",
        leak.headline
    );
    assert!(!leak.headline.contains("metrics"), "{}", leak.headline);
    // The OOM log's own card says why there is no verdict.
    assert!(
        o.cards
            .iter()
            .any(|c| c.headline.contains("No memory series were given")),
        "{:?}",
        o.cards.iter().map(|c| &c.headline).collect::<Vec<_>>()
    );
}

/// Two programs' snapshots, each a series with its own card: each card's
/// links open its own series' profiles (they opened the last profile
/// loaded, the other program's), in the sample type its figures are of.
#[test]
fn each_cards_links_open_its_own_snapshots() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut mix = heaps("leak");
    for k in [0, 3] {
        mix.push((
            format!("blog/heap.{k}.pprof"),
            corpus.join(format!("blog/heap.{k}.pprof")),
        ));
    }
    // The blog's first: the views' default profile (the last loaded) is
    // then the other program's.
    mix.rotate_left(4);
    let mut w = page_of(&mix);
    let o = overview(&mut w);
    let leaks: Vec<&Card> = o.cards.iter().filter(|c| c.tone == "leak").collect();
    assert_eq!(leaks.len(), 2, "{:?}", o.cards);
    for (card, latest, first, culprit) in [
        (
            leaks.iter().find(|c| c.headline.contains("Store")).unwrap(),
            "heap.3.pb.gz",
            "heap.0.pb.gz",
            "main.(*Store).Keep",
        ),
        (
            leaks
                .iter()
                .find(|c| c.headline.contains("RequestTracker"))
                .unwrap(),
            "blog/heap.3.pprof",
            "blog/heap.0.pprof",
            "main.(*RequestTracker).Track",
        ),
    ] {
        let state = |view: &str| -> ViewState {
            let l = card.links.iter().find(|l| l.view == view).unwrap();
            followed(l, ViewState::default())
        };
        // It clears the base: the Graph opened after it is not a diff.
        let top_link = card.links.iter().find(|l| l.view == "top").unwrap();
        assert!(
            top_link.params.contains(&("base".into(), String::new())),
            "{top_link:?}"
        );
        let top = w.top(&state("top")).unwrap();
        assert_eq!(top.profile, latest);
        assert!(
            top.table.rows.iter().any(|r| r.name == culprit),
            "{culprit} in {latest}"
        );
        let s = state("diff");
        assert_eq!(
            (s.base.as_str(), s.target.as_str(), s.si.as_str()),
            (first, latest, "inuse_space")
        );
        assert!(w.diff(&s).is_ok());
        assert_eq!(state("list").profile, latest);
    }
}

/// One machine's kills as `dmesg` (seconds since boot) and `dmesg -T`
/// (dated), given twice, beside its process's metrics and another run's:
/// each kill is one row, told at every place, and none is called
/// unattached. (With the other run beside, no boot time could be found
/// for the plain `dmesg`: its 4 kills were 4 more rows, 8 in all.)
#[test]
fn a_kill_in_dmesg_and_dmesg_t_is_one_row_whatever_else_is_given() {
    let dmesg = fixture("oom/dmesg.txt");
    let copy =
        std::env::temp_dir().join(format!("leakscope-dmesg-again-{}.txt", std::process::id()));
    std::fs::copy(&dmesg, &copy).unwrap();
    let a = analyze_json(&[
        fixture("two/grafana-joined-epoch.csv"),
        dmesg,
        fixture("oom/dmesg-T.txt"),
        copy.clone(),
        fixture("oom/grafana-joined-epoch.csv"),
    ]);
    std::fs::remove_file(&copy).unwrap();
    let rows = a["oom_kills"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{rows:#?}");
    for r in rows {
        assert!(
            r["source"]["file"]
                .as_str()
                .unwrap()
                .ends_with("dmesg-T.txt"),
            "{r}"
        );
        assert_eq!(r["also_told"].as_array().unwrap().len(), 2, "{r}");
    }
    let warnings = a["warnings"].to_string();
    assert!(!warnings.contains("not attached"), "{warnings}");
    let oom = a["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["labels"]["job"] == "oom")
        .unwrap();
    assert_eq!(oom["oom_kills"], 4, "{oom}");
}

/// Plain `dmesg` (seconds since boot) beside the killed process's metrics
/// and other processes' (one restarted by deploys): its kills go to the
/// one process whose restarts they line up with. (They were left
/// unattached when more than one process had memory series.)
#[test]
fn dmesg_kills_find_their_process_among_several() {
    for other in ["two", "deploys"] {
        let a = analyze_json(&[
            fixture(&format!("{other}/grafana-joined-epoch.csv")),
            fixture("oom/dmesg.txt"),
            fixture("oom/grafana-joined-epoch.csv"),
        ]);
        let processes = a["processes"].as_array().unwrap();
        for p in processes {
            let want = if p["labels"]["job"] == "oom" { 4 } else { 0 };
            assert_eq!(p["oom_kills"], want, "{other}: {}", p["labels"]);
        }
        let warnings = a["warnings"].to_string();
        assert!(!warnings.contains("not attached"), "{other}: {warnings}");
        assert!(
            warnings.contains("4 of 4 kills line up with restarts"),
            "{other}: {warnings}"
        );
    }
}

/// A goroutine card's Top link, followed from a view showing a heap's
/// inuse_space, opens its goroutine profile in the profile's own sample
/// type (it kept inuse_space, which a goroutine profile does not have).
#[test]
fn a_goroutine_cards_top_link_clears_a_heaps_sample_type() {
    let mut w = page_of(&files(
        "goroutine",
        &["goroutine.0.pb.gz", "goroutine.1.pb.gz", "heap.0.pb.gz"],
    ));
    let o = overview(&mut w);
    let card = o
        .cards
        .iter()
        .find(|c| c.title.contains("oroutine"))
        .unwrap_or_else(|| panic!("{:?}", o.cards.iter().map(|c| &c.title).collect::<Vec<_>>()));
    let top = card.links.iter().find(|l| l.view == "top").unwrap();
    // The page merges a link's parameters into the state it had.
    let had = ViewState {
        si: "inuse_space".into(),
        ..ViewState::default()
    };
    let state = followed(top, had);
    let view = w.top(&state).unwrap();
    assert_eq!(view.profile, "goroutine.1.pb.gz");
}

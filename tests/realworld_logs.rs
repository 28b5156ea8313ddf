//! Real OOM logs and real `kubectl describe pod` output that someone else
//! recorded, with their known answers (`../shared/corpus/realworld/
//! SOURCES.md`), read through the CLI as a person would:
//! `leakscope analyze --format json FILE`. The answers here are the
//! sources' (their projects' own tests and fixtures), not our output.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

fn analyze(files: &[&str], stdin: Option<&[u8]>) -> Value {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(["analyze", "--format", "json"])
        .args(files)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{files:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn realworld(path: &str) -> Option<String> {
    let p = common::corpus()?.join("realworld").join(path);
    Some(p.to_str().unwrap().to_string())
}

/// `(process, pid)` of each kill.
fn victims(report: &Value) -> Vec<(String, u64)> {
    report["oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["process"].as_str().unwrap().to_string(),
                k["pid"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Every field the issue promises is in each row, even when null.
fn assert_stable_fields(report: &Value) {
    for k in report["oom_kills"].as_array().unwrap() {
        for field in [
            "time",
            "process",
            "pid",
            "uid",
            "cgroup",
            "anon_rss_bytes",
            "file_rss_bytes",
            "shmem_rss_bytes",
            "total_vm_bytes",
            "constraint",
            "source",
        ] {
            assert!(k.get(field).is_some(), "no {field} in {k}");
        }
        assert!(k["source"]["file"].is_string() && k["source"]["line"].is_u64());
    }
    for c in report["containers"].as_array().unwrap() {
        for field in [
            "namespace",
            "pod",
            "container",
            "restart_count",
            "last_terminated_reason",
            "memory_limit_bytes",
            "source",
        ] {
            assert!(c.get(field).is_some(), "no {field} in {c}");
        }
    }
}

#[test]
fn cadvisor_fixtures_memcg_and_system_kills() {
    // cAdvisor's oomparser_test.go: one kill each.
    let Some(container) = realworld("google-cadvisor/containerOomExampleLog.txt") else {
        return;
    };
    let r = analyze(&[&container], None);
    assert_stable_fields(&r);
    assert_eq!(victims(&r), [("memorymonster".to_string(), 13536)]);
    let k = &r["oom_kills"][0];
    assert_eq!(k["cgroup"], "/mem2");
    assert_eq!(k["constraint"], "cgroup");
    assert_eq!(k["logged_time"], "Jan 5 15:19:27 UTC, no year");
    assert_eq!(k["anon_rss_bytes"], 920.0 * 1024.0);
    assert_eq!(k["total_vm_bytes"], 33558652.0 * 1024.0);
    assert_eq!(k["limit_bytes"], 980.0 * 1024.0);
    assert_eq!(k["invoked_by"], "memorymonster");

    let system = realworld("google-cadvisor/systemOomExampleLog.txt").unwrap();
    let r = analyze(&[&system], None);
    assert_eq!(victims(&r), [("badsysprogram".to_string(), 1532)]);
    let k = &r["oom_kills"][0];
    assert_eq!(k["constraint"], "system");
    assert_eq!(k["logged_time"], "Jan 28 19:58:45 UTC, no year");
    assert_eq!(k["anon_rss_bytes"], 1595164.0 * 1024.0);
}

#[test]
fn rhel6_messages_oom_storm() {
    // A whole RHEL 6 syslog: the 2.6.32 `Killed process N, UID n, (name)`
    // form, 20 kills in 80 seconds (mysqld once, then php-fpm 19 times).
    // The project's own tool counts 19 incidents; the log has 20
    // `Killed process` lines for 20 pids, each after its own `invoked
    // oom-killer`, so 20 kills.
    let Some(messages) = realworld("LukeShirnia-out-of-memory/messages") else {
        return;
    };
    let r = analyze(&[&messages], None);
    assert_stable_fields(&r);
    let v = victims(&r);
    assert_eq!(v.len(), 20);
    assert_eq!(v[0], ("mysqld".to_string(), 40738));
    assert!(v[1..].iter().all(|(name, _)| name == "php-fpm"));
    let mut pids: Vec<u64> = v.iter().map(|(_, p)| *p).collect();
    pids.dedup();
    assert_eq!(pids.len(), 20, "20 different pids");
    let first = &r["oom_kills"][0];
    assert_eq!(first["uid"], 27);
    assert_eq!(first["constraint"], "system");
    assert_eq!(first["file_rss_bytes"], 4.0 * 1024.0);
    assert_eq!(first["source"]["line"], 14856);
    let times: Vec<&str> = r["oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["logged_time"].as_str().unwrap())
        .collect();
    assert_eq!(times[0], "Jun 20 12:47:04 UTC, no year");
    assert!(times[19].starts_with("Jun 20 12:48:"), "{}", times[19]);

    // RHEL 8, the same project: one kill of Varnish's cache worker.
    // The same log dropped twice (a copy under another name): 20 kills,
    // each told again by the copy, not 40.
    let copy = std::env::temp_dir().join(format!("leakscope-messages-{}", std::process::id()));
    std::fs::copy(&messages, &copy).unwrap();
    let r = analyze(&[&messages, copy.to_str().unwrap()], None);
    std::fs::remove_file(&copy).unwrap();
    assert_eq!(victims(&r), v);
    assert!(r["oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["also_told"][0]["file"] == copy.to_str().unwrap()));

    let one = realworld("LukeShirnia-out-of-memory/messages.1").unwrap();
    let r = analyze(&[&one], None);
    assert_eq!(victims(&r), [("cache-main".to_string(), 3117813)]);
    assert_eq!(r["oom_kills"][0]["anon_rss_bytes"], 4805020.0 * 1024.0);
    assert_eq!(r["oom_kills"][0]["cgroup"], "/system.slice/varnish.service");
}

#[test]
fn debian_clamd_and_node_problem_detector() {
    let Some(clamd) = realworld("ewk-parseoom/messages") else {
        return;
    };
    let r = analyze(&[&clamd], None);
    assert_eq!(victims(&r), [("clamd".to_string(), 517)]);
    let k = &r["oom_kills"][0];
    // The project's README: clamd at 1649.7 MiB.
    let mib = k["anon_rss_bytes"].as_f64().unwrap() / 1048576.0;
    assert!((mib - 1649.7).abs() < 0.05, "{mib}");
    assert_eq!(k["uid"], 111);
    assert_eq!(k["invoked_by"], "f2b/f.postfix");

    let npd = realworld("kubernetes-node-problem-detector/oom_kill").unwrap();
    let r = analyze(&[&npd], None);
    assert_eq!(victims(&r), [("heapster".to_string(), 1012)]);
    assert_eq!(r["oom_kills"][0]["time"], Value::Null);
    assert_eq!(r["oom_kills"][0]["shmem_rss_bytes"], 12345.0 * 1024.0);
}

#[test]
fn kubectl_describe_of_oom_killed_pods() {
    // HolmesGPT's fixtures: real `kubectl describe pod` output after two
    // JSON header lines. Restart counts 6 and 16, limits 100Mi and 50Mi.
    let Some(first) = realworld("robusta-dev-holmesgpt/kubectl_describe.txt") else {
        return;
    };
    let second = realworld(
        "robusta-dev-holmesgpt/kubectl_describepod_giant-narwhal-6958c5bdd8-69gtn_app-02.txt",
    )
    .unwrap();
    for (file, pod, container, restarts, limit_mib) in [
        (
            &first,
            "analytics-exporter-fast-76897854c-cw5wh",
            "memory-eater",
            6,
            100.0,
        ),
        (&second, "giant-narwhal-6958c5bdd8-69gtn", "main", 16, 50.0),
    ] {
        let r = analyze(&[file], None);
        assert_stable_fields(&r);
        let c = &r["containers"].as_array().unwrap()[..];
        assert_eq!(c.len(), 1, "{file}");
        assert_eq!(c[0]["pod"], pod);
        assert_eq!(c[0]["container"], container);
        assert_eq!(c[0]["restart_count"], restarts);
        assert_eq!(c[0]["last_terminated_reason"], "OOMKilled");
        assert_eq!(c[0]["last_exit_code"], 137);
        assert_eq!(c[0]["memory_limit_bytes"], limit_mib * 1048576.0);
        assert_eq!(victims_of_pod(&r), [container.to_string()]);
    }
    // The same pod as `kubectl get pod -o json` beside its describe: one
    // container, one kill (the JSON's told again), not two.
    let json = r#"{"apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "analytics-exporter-fast-76897854c-cw5wh", "namespace": "default"},
  "spec": {"containers": [{"name": "memory-eater", "resources": {"limits": {"memory": "100Mi"}}}]},
  "status": {"containerStatuses": [{"name": "memory-eater", "restartCount": 6,
    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
    "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
      "finishedAt": "2025-02-27T06:36:22Z"}}}]}}"#;
    let path = std::env::temp_dir().join(format!("leakscope-pod-{}.json", std::process::id()));
    std::fs::write(&path, json).unwrap();
    let r = analyze(&[&first, path.to_str().unwrap()], None);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(r["containers"].as_array().unwrap().len(), 1);
    assert_eq!(r["containers"][0]["restart_count"], 6);
    let kills = r["oom_kills"].as_array().unwrap();
    assert_eq!(kills.len(), 1, "{kills:#?}");
    assert_eq!(kills[0]["also_told"][0]["line"], 7, "the finishedAt line");
    // The same output through stdin, as `kubectl describe pod … | leakscope analyze -`.
    let bare = std::fs::read_to_string(&first).unwrap();
    let bare = &bare[bare.find("Name:").unwrap()..];
    let r = analyze(&["-"], Some(bare.as_bytes()));
    assert_eq!(r["containers"][0]["restart_count"], 6);
    assert_eq!(r["containers"][0]["namespace"], "default");
}

fn victims_of_pod(r: &Value) -> Vec<String> {
    r["oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["container"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn logs_beside_each_other_keep_their_kills_apart() {
    // Two hosts' logs dropped together: each kill once, each with its file.
    let (Some(a), Some(b)) = (
        realworld("ewk-parseoom/messages"),
        realworld("LukeShirnia-out-of-memory/messages.1"),
    ) else {
        return;
    };
    let r = analyze(&[&a, &b], None);
    let files: Vec<&str> = r["oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["source"]["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, [a.as_str(), b.as_str()]);
}

/// A log beside a CSV: kills of another pod, or of another host on another
/// day, are listed but never put on the CSV's process.
#[test]
fn another_pods_or_hosts_kills_stay_off_the_process() {
    let (Some(describe), Some(clamd)) = (
        realworld("robusta-dev-holmesgpt/kubectl_describe.txt"),
        realworld("ewk-parseoom/messages"),
    ) else {
        return;
    };
    let data = |p: &str| common::data(&format!("series/oom/{p}"));
    let csv = data("grafana-joined-epoch.csv");
    let dmesg = data("dmesg.txt");
    let alone = analyze(&[&csv, &dmesg], None);
    let r = analyze(&[&csv, &dmesg, &describe, &clamd], None);
    let process = &r["processes"][0];
    assert_eq!(r["processes"].as_array().unwrap().len(), 1);
    assert_eq!(process["unmatched_oom_kills"], serde_json::json!([]));
    assert_eq!(process["restarts"], alone["processes"][0]["restarts"]);
    assert_eq!(process["oom_kills"], alone["processes"][0]["oom_kills"]);
    let unplaced: Vec<&str> = r["unplaced_oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["process"].as_str().unwrap())
        .collect();
    assert_eq!(unplaced, ["memory-eater", "clamd"]);
    // All kills are still listed, each once.
    let n = alone["oom_kills"].as_array().unwrap().len();
    assert_eq!(r["oom_kills"].as_array().unwrap().len(), n + 2);
    // The other host's kill keeps the time its log gave (no year): the
    // metrics' year is not made its own.
    let clamd = r["oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["process"] == "clamd")
        .unwrap();
    assert_eq!(clamd["time"], Value::Null);
    assert_eq!(clamd["logged_time"], "Dec 20 03:17:52 UTC, no year");
    // The kernel's own kills of the CSV's process got wall-clock times
    // from the restarts they caused.
    assert!(alone["oom_kills"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["time"].is_f64()));
}

/// Real kubectl and kernel text cut anywhere, or with bytes replaced by
/// multi-byte characters, is read or refused: never a panic.
#[test]
fn cut_and_damaged_logs_never_panic() {
    use leakscope::import::{read, ImportOptions};
    let Some(corpus) = common::corpus() else {
        return;
    };
    for file in [
        "robusta-dev-holmesgpt/kubectl_describe.txt",
        "google-cadvisor/containerOomExampleLog.txt",
        "ewk-parseoom/messages",
    ] {
        let text = std::fs::read(corpus.join("realworld").join(file)).unwrap();
        for cut in (0..text.len()).step_by(37) {
            let _ = read(&text[..cut], &ImportOptions::default());
            let mut damaged = text[..cut].to_vec();
            damaged.extend("é€\u{0}:".as_bytes());
            damaged.extend(&text[cut..]);
            let _ = read(&damaged, &ImportOptions::default());
        }
    }
}

#!/usr/bin/env python3
"""Makes leakscope's metric fixtures (tests/data/series/) from real runs.

Each scenario runs examples/leaksvc under a bounded load (examples/loadgen)
on 127.0.0.1, scraped every second by a real Prometheus (Debian's 2.42).
Where a scenario has a memory limit, the service runs in a cgroup (v1
memory controller) with that limit, so the kernel's OOM killer kills it
and a supervisor restarts it: a real sawtooth, with the kernel's own
`dmesg` lines. Afterwards the data is exported as Prometheus produces it
(HTTP API query_range/query JSON, /federate text, `promtool tsdb dump`)
and rendered into the Grafana CSV shapes by examples/grafana_csv.py.

Needs: go, prometheus, promtool, golang-github-prometheus-client-golang-dev,
root (for the cgroup). Takes about 20 minutes.

    python3 examples/make_series_fixtures.py [SCENARIO...]
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "series")
sys.path.insert(0, os.path.join(ROOT, "examples"))
import grafana_csv  # noqa: E402

MIB = 1 << 20

# name: (instances, load schedule, load rate, heap snapshot times in seconds[, extras])
# instance: (port, mode, extra args, memory limit or None)
# extras: "env" (the service's environment), "restart_every" (seconds: a
# graceful restart, as a rolling deploy does), "profiles" (endpoints taken at
# each snapshot time besides the heap), "per_instance" (snapshots of every
# instance, each in its own folder), "minimal" (only the joined Grafana CSV
# of the shapes: the older scenarios already cover every shape).
SCENARIOS = {
    # A per-request leak OOM-killed at 120 MiB, with an idle pause.
    "leak": ([(19201, "leak", ["-bytes", "10000"], 120 * MIB)], "100s,40s:idle,170s", 150, [15, 30, 45, 60]),
    # A bounded ring buffer: GC sawtooth around a steady state.
    "steady": ([(19202, "steady", ["-bytes", "10000", "-keep", "3000"], None)], "180s", 150, [40, 80, 120, 160]),
    # A slow per-request leak (1 KB a request), no restarts, an idle pause.
    "slowleak": ([(19203, "leak", ["-bytes", "1000"], None)], "90s,45s:idle,90s", 60, []),
    # A background leak: grows on a timer, also while idle.
    "bgleak": ([(19204, "bgleak", ["-bytes", "10000", "-every", "50ms"], None)], "60s,60s:idle,60s", 60, [30, 90, 150, 175]),
    # Two processes under one load: one leaks, one does not.
    "two": (
        [(19205, "leak", ["-bytes", "10000"], None), (19206, "steady", ["-bytes", "10000", "-keep", "2000"], None)],
        "180s",
        100,
        [],
    ),
    # The leak OOM-killed several times, with the kernel's whole log kept
    # (dmesg and dmesg -T, unfiltered) as a person would paste it.
    "oom": ([(19219, "leak", ["-bytes", "10000"], 120 * MIB)], "230s", 200, [], {"minimal": True}),
    # A goroutine leak: one request in five parks a goroutine forever with
    # a 20 kB buffer; heap, allocs and goroutine profiles (protobuf, debug=1
    # text, debug=2 dump) at each snapshot.
    "goroutine": (
        [(19220, "goroutine", ["-bytes", "20000", "-park", "5"], None)],
        "90s,40s:idle,90s",
        100,
        [20, 60, 150, 200],
        {"minimal": True, "profiles": ["goroutine", "goroutine?debug=1", "goroutine?debug=2", "allocs"]},
    ),
    # A healthy cache: a ring of 6 000 buffers filling for 2 minutes, then
    # full (level) for the last minute; each request also makes 100 kB of
    # garbage, so collections come every few seconds; snapshots in the
    # level part.
    "cache": (
        [(19221, "steady", ["-bytes", "10000", "-keep", "6000", "-garbage", "100000"], None)],
        "180s",
        50,
        [130, 145, 160, 175],
        {"minimal": True},
    ),
    # A leak under GOMEMLIMIT=96MiB: the GC holds the heap at the soft limit
    # and runs ever more often while the live heap climbs to it.
    "gomemlimit": (
        [(19222, "leak", ["-bytes", "10000"], None)],
        "230s",
        40,
        [60, 120, 180, 220],
        {"minimal": True, "env": {"GOMEMLIMIT": "96MiB"}},
    ),
    # Memory that follows the load: buffers kept 20 s, load in waves.
    "waves": ([(19223, "ttl", ["-bytes", "10000", "-ttl", "20s"], None)], "50s@30,50s@150,50s@30,50s@150,50s@30", 30, [], {"minimal": True}),
    # Rolling deploys: a steady service (with garbage, so collections come
    # often) restarted gracefully every 110 s.
    "deploys": (
        [(19224, "steady", ["-bytes", "10000", "-keep", "2000", "-garbage", "50000"], None)],
        "350s",
        100,
        [],
        {"minimal": True, "restart_every": 110},
    ),
    # Three replicas of one job, one of which leaks; heap snapshots of each,
    # in a folder per instance with the same file names.
    "replicas": (
        [
            (19225, "leak", ["-bytes", "10000"], None),
            (19226, "steady", ["-bytes", "10000", "-keep", "2000"], None),
            (19227, "steady", ["-bytes", "10000", "-keep", "2000"], None),
        ],
        "180s",
        60,
        [40, 80, 120, 160],
        {"minimal": True, "per_instance": True},
    ),
    # A timer-driven leak and no requests at all (the request counter is
    # exported at 0 throughout).
    "bgidle": ([(19228, "bgleak", ["-bytes", "10000", "-every", "50ms"], None)], "200s:idle", 1, [], {"minimal": True}),
}

QUERIES = {
    "rss": "process_resident_memory_bytes",
    "heap_inuse": "go_memstats_heap_inuse_bytes",
    "heap_alloc": "go_memstats_heap_alloc_bytes",
    "request_rate": "rate(http_requests_total[10s])",
    "requests": "http_requests_total",
    "goroutines": "go_goroutines",
    "start_time": "process_start_time_seconds",
    "gc_cycles": "go_gc_duration_seconds_count",
    "next_gc": "go_memstats_next_gc_bytes",
    "gomemlimit": "go_gc_gomemlimit_bytes",
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def build(tmp):
    env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off")
    for cmd in ("leaksvc", "loadgen"):
        # (Without -trimpath: the heap profiles name examples/leaksvc/main.go by
        # its full path on the machine that made them, as most builds do.)
        subprocess.run(["go", "build", "-o", os.path.join(tmp, cmd), "."], cwd=os.path.join(ROOT, "examples", cmd), check=True, env=env)


def own_memory_cgroup():
    for line in open("/proc/self/cgroup"):
        parts = line.strip().split(":")
        if "memory" in parts[1].split(","):
            return "/sys/fs/cgroup/memory" + parts[2]
    raise SystemExit("no memory cgroup (v1) for this process")


class Supervisor(threading.Thread):
    """Runs one leaksvc instance, restarting it whenever it dies, until stopped."""

    def __init__(self, tmp, port, mode, args, limit, env=None, restart_every=None):
        super().__init__(daemon=True)
        self.cmd = [os.path.join(tmp, "leaksvc"), "-addr", f"127.0.0.1:{port}", "-mode", mode] + args
        self.env = dict(os.environ, **(env or {}))
        self.restart_every = restart_every
        self.cgroup = None
        if limit:
            self.cgroup = os.path.join(own_memory_cgroup(), f"leaksvc-{port}")
            os.makedirs(self.cgroup, exist_ok=True)
            open(os.path.join(self.cgroup, "memory.limit_in_bytes"), "w").write(str(limit))
            # No swap: the limit is a hard limit.
            try:
                open(os.path.join(self.cgroup, "memory.memsw.limit_in_bytes"), "w").write(str(limit))
            except OSError:
                pass
        self.stopping = False
        self.proc = None
        self.deaths = []

    def run(self):
        while not self.stopping:
            pre = None
            if self.cgroup:
                procs = os.path.join(self.cgroup, "cgroup.procs")
                pre = lambda: open(procs, "w").write(str(os.getpid()))  # noqa: E731
            self.proc = subprocess.Popen(self.cmd, preexec_fn=pre, stderr=subprocess.DEVNULL, env=self.env)
            try:
                code = self.proc.wait(timeout=self.restart_every)
            except subprocess.TimeoutExpired:
                # A graceful restart (a deploy): SIGTERM, then a new process.
                self.proc.send_signal(signal.SIGTERM)
                code = self.proc.wait()
            if not self.stopping:
                self.deaths.append((time.time(), code))
                log(f"  {self.cmd[2]} died ({code}); restarting in 1 s")
                time.sleep(1)

    def stop(self):
        self.stopping = True
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait()
        if self.cgroup:
            for _ in range(50):
                try:
                    os.rmdir(self.cgroup)
                    break
                except OSError:
                    time.sleep(0.1)


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def wait_ready(url, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            http_get(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def dmesg_lines():
    return subprocess.run(["dmesg"], capture_output=True, text=True).stdout.splitlines()


def run(name, tmp):
    instances, schedule, rate, snapshots, *rest = SCENARIOS[name]
    extras = rest[0] if rest else {}
    out = os.path.join(OUT, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    prom_port = 19290
    db = tempfile.mkdtemp(prefix="prom-", dir=tmp)
    targets = ", ".join(f"'127.0.0.1:{port}'" for port, *_ in instances)
    config = os.path.join(db, "prometheus.yml")
    open(config, "w").write(
        f"global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
        f"scrape_configs:\n  - job_name: {name}\n    static_configs:\n      - targets: [{targets}]\n"
    )
    prom = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={db}/data",
         f"--web.listen-address=127.0.0.1:{prom_port}", "--web.enable-admin-api"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{prom_port}"
    dmesg_before = len(dmesg_lines())
    sups = [Supervisor(tmp, port, mode, args, limit, extras.get("env"), extras.get("restart_every")) for port, mode, args, limit in instances]
    try:
        wait_ready(api + "/-/ready")
        for s in sups:
            s.start()
        for port, *_ in instances:
            wait_ready(f"http://127.0.0.1:{port}/metrics")
        time.sleep(5)  # a few idle scrapes first
        start = time.time()
        load = subprocess.Popen(
            [os.path.join(tmp, "loadgen"), "-rate", str(rate), "-schedule", schedule, "-max", "200000"]
            + [f"http://127.0.0.1:{port}/work" for port, *_ in instances]
        )
        for i, at in enumerate(snapshots):
            time.sleep(max(0, start + at - time.time()))
            ports = [p for p, *_ in instances] if extras.get("per_instance") else [instances[0][0]]
            for port in ports:
                folder = os.path.join(out, f"instance-{port}") if extras.get("per_instance") else out
                os.makedirs(folder, exist_ok=True)
                open(os.path.join(folder, f"heap.{i}.pb.gz"), "wb").write(http_get(f"http://127.0.0.1:{port}/debug/pprof/heap"))
                for endpoint in extras.get("profiles", []):
                    file = {"goroutine": f"goroutine.{i}.pb.gz", "goroutine?debug=1": f"goroutine.{i}.txt",
                            "goroutine?debug=2": f"goroutine.{i}.dump.txt", "allocs": f"allocs.{i}.pb.gz"}[endpoint]
                    open(os.path.join(folder, file), "wb").write(http_get(f"http://127.0.0.1:{port}/debug/pprof/{endpoint}"))
        load.wait()
        time.sleep(5)  # idle tail
        end = time.time()
        begin = start - 5
        for key, query in QUERIES.items():
            if key in ("gc_cycles", "next_gc", "gomemlimit") and not extras:
                continue  # (the older scenarios were made without these)
            params = urllib.parse.urlencode({"query": query, "start": f"{begin:.3f}", "end": f"{end:.3f}", "step": "1"})
            open(os.path.join(out, f"query_range.{key}.json"), "wb").write(http_get(f"{api}/api/v1/query_range?{params}"))
        if extras.get("minimal"):
            # Queries that found nothing (a metric the run does not export) are not kept.
            for key in QUERIES:
                path = os.path.join(out, f"query_range.{key}.json")
                if os.path.exists(path) and not json.load(open(path))["data"]["result"]:
                    os.remove(path)
        params = urllib.parse.urlencode({"query": "process_resident_memory_bytes", "time": f"{end:.3f}"})
        open(os.path.join(out, "query.rss.json"), "wb").write(http_get(f"{api}/api/v1/query?{params}"))
        params = urllib.parse.urlencode([("match[]", '{__name__=~"process_resident_memory_bytes|go_memstats_heap_inuse_bytes|http_requests_total|process_start_time_seconds"}')])
        open(os.path.join(out, "federate.txt"), "wb").write(http_get(f"{api}/federate?{params}"))
        deaths = [d for s in sups for d in s.deaths]
    finally:
        for s in sups:
            s.stop()
        prom.send_signal(signal.SIGTERM)
        prom.wait()
    # promtool reads the stopped database (head and WAL included).
    dump = subprocess.run(
        ["promtool", "tsdb", "dump", "--match", '{__name__=~"process_resident_memory_bytes|go_memstats_heap_inuse_bytes|http_requests_total|process_start_time_seconds"}', f"{db}/data"],
        capture_output=True, text=True, check=True,
    ).stdout
    open(os.path.join(out, "promtool-dump.txt"), "w").write(dump)
    new_lines = dmesg_lines()[dmesg_before:]
    oom = [l for l in new_lines if re.search(r"oom|Out of memory|Killed process|memory", l, re.I)]
    if name == "oom":
        # The kernel's whole log of the run, unfiltered, in both of dmesg's forms.
        open(os.path.join(out, "dmesg.txt"), "w").write("\n".join(new_lines) + "\n")
        human = subprocess.run(["dmesg", "-T"], capture_output=True, text=True).stdout.splitlines()
        open(os.path.join(out, "dmesg-T.txt"), "w").write("\n".join(human[dmesg_before:]) + "\n")
    elif oom:
        open(os.path.join(out, "dmesg.txt"), "w").write("\n".join(oom) + "\n")
    if extras.get("minimal"):
        grafana_csv.render_joined(out)
    else:
        grafana_csv.render_all(out)
    json.dump(
        {"scenario": name, "instances": [{"port": p, "mode": m, "args": a, "limit": l} for p, m, a, l in instances],
         "schedule": schedule, "rate": rate, "load_start": start, "end": end, "extras": extras,
         "deaths": [{"time": t, "exit": c} for t, c in deaths]},
        open(os.path.join(out, "run.json"), "w"), indent=1,
    )
    log(f"{name}: {len(deaths)} restarts, written to {out}")


def main():
    names = sys.argv[1:] or list(SCENARIOS)
    tmp = tempfile.mkdtemp(prefix="leakscope-fixtures-")
    try:
        build(tmp)
        for name in names:
            log(f"scenario {name} ...")
            run(name, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

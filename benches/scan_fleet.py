#!/usr/bin/env python3
"""What `leakscope scan` costs against a fleet: queries, bytes and seconds
for N simulated instances (BENCHMARKS.md, "A fleet scan").

    python3 benches/scan_fleet.py 10 100 1000

For each N: writes two hours of OpenMetrics at a 15 s scrape for N
instances (process_resident_memory_bytes as a GC sawtooth on a level
floor, go_memstats_heap_inuse_bytes, http_requests_total,
process_start_time_seconds; instance 7 of each fleet leaks 40 MB an
hour), turns it into a TSDB with `promtool tsdb create-blocks-from
openmetrics`, starts Debian's Prometheus on it (127.0.0.1, a free port),
runs the release `leakscope scan --since 2h --format json` three times
and prints a table row: the queries sent, the bytes of their answers,
the median seconds, and whether the leaking instance ranked first.
"""
import json, math, os, random, socket, statistics, subprocess, sys, tempfile, time, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cli = os.path.join(root, "target/release/leakscope")
STEP, HOURS = 15, 2


def metrics(n, end):
    start = end - HOURS * 3600
    times = range(int(start), int(end), STEP)
    rng = random.Random(n)
    yield "# TYPE process_resident_memory_bytes gauge\n"
    for i in range(n):
        base, phase = 40e6 + rng.random() * 20e6, rng.random() * 60
        for t in times:
            floor = base + (40e6 * (t - start) / 3600 if i == 7 else 0)
            saw = 8e6 * (((t + phase) % 60) / 60)
            yield f'process_resident_memory_bytes{{job="api",instance="10.0.{i // 250}.{i % 250}:8080"}} {floor + saw:.0f} {t}\n'
    yield "# TYPE go_memstats_heap_inuse_bytes gauge\n"
    for i in range(n):
        for t in times:
            v = 20e6 + (40e6 * (t - start) / 3600 if i == 7 else 4e6 * ((t % 60) / 60))
            yield f'go_memstats_heap_inuse_bytes{{job="api",instance="10.0.{i // 250}.{i % 250}:8080"}} {v:.0f} {t}\n'
    yield "# TYPE http_requests counter\n"
    for i in range(n):
        for t in times:
            yield f'http_requests_total{{job="api",instance="10.0.{i // 250}.{i % 250}:8080"}} {50 * (t - start):.0f} {t}\n'
    yield "# TYPE process_start_time_seconds gauge\n"
    for i in range(n):
        for t in times:
            yield f'process_start_time_seconds{{job="api",instance="10.0.{i // 250}.{i % 250}:8080"}} {start - 60:.0f} {t}\n'
    yield "# EOF\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(n):
    with tempfile.TemporaryDirectory() as tmp:
        end = time.time() - 60
        om = os.path.join(tmp, "fleet.om")
        with open(om, "w") as f:
            f.writelines(metrics(n, end))
        data = os.path.join(tmp, "data")
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", om, data], check=True, capture_output=True)
        os.remove(om)
        port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        open(config, "w").write("global:\n  scrape_interval: 15s\n")
        prom = subprocess.Popen(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
                                 "--storage.tsdb.retention.time=30d", f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    if b"Ready" in urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1).read():
                        break
                except OSError:
                    time.sleep(0.1)
            seconds, report = [], None
            for _ in range(3):
                t = time.monotonic()
                out = subprocess.run([cli, "scan", "--prometheus", f"http://127.0.0.1:{port}", "--since", f"{HOURS}h",
                                      "--format", "json"], check=True, capture_output=True)
                seconds.append(time.monotonic() - t)
                report = json.loads(out.stdout)
            first = report["judged"][0]
            leaker = "10.0.0.7:8080"
            print(f"| {n:,} | {report['processes']:,} | {len(report['queries'])} | {report['bytes_received'] / 1024:,.0f} kB "
                  f"| {statistics.median(seconds):.2f} s | {first['candidate']['labels']['instance'] == leaker} "
                  f"({first['verdict']}) |", flush=True)
        finally:
            prom.terminate()
            prom.wait()


subprocess.run(["cargo", "build", "--release", "--bin", "leakscope"], cwd=root, check=True)
print("| instances | processes seen | queries | bytes received | seconds (median of 3) | leaking one first (verdict) |")
print("|---|---|---|---|---|---|")
for n in map(int, sys.argv[1:] or ["10", "100", "1000"]):
    run(n)

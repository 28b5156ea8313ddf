#!/usr/bin/env python3
"""Relabels a real OOM-killed run into the series a Kubernetes cluster exports.

There is no cluster here, so tests/data/series/kube/ is made from the real
`oom` run (tests/data/series/oom/, recorded by make_series_fixtures.py: a
leaking Go service OOM-killed by the kernel and restarted): its own values
and times, in the names and labels real exporters give them:

- cAdvisor's `container_memory_working_set_bytes` and
  `container_start_time_seconds`, one series per container run (cAdvisor's
  `id` and `name` labels change at every restart), from the run's RSS and
  process start time, split at each restart;
- kube-state-metrics' `kube_pod_container_status_restarts_total` (a count
  that steps up at each restart) and
  `kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}` (a
  0/1 gauge, 1 from the first OOM kill on), from the run's deaths, and
  `kube_pod_container_resource_limits{resource="memory"}`, the cgroup limit;
- the service's own `process_resident_memory_bytes` as Prometheus scrapes a
  pod (pod and namespace labels, the pod's IP as instance, no container).

Each is written as a Prometheus query_range JSON response, as the HTTP API
returns them.

    python3 examples/kube_shapes.py
"""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "tests", "data", "series", "oom")
OUT = os.path.join(ROOT, "tests", "data", "series", "kube")

NAMESPACE = "shop"
POD = "leaksvc-7d9f8b6c4-x2q9z"
POD_UID = "3f1c2a9e-8b7d-4e21-9c55-0a6b1d2e3f40"
CONTAINER = "leaksvc"
NODE = "node-1"


def values(name):
    result = json.load(open(os.path.join(SOURCE, f"query_range.{name}.json")))["data"]["result"]
    return [(float(t), v) for t, v in result[0]["values"]]


def response(series):
    return {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": metric, "values": [[t, v] for t, v in points]} for metric, points in series
    ]}}


def write(name, series):
    with open(os.path.join(OUT, f"query_range.{name}.json"), "w") as f:
        json.dump(response(series), f)


def main():
    os.makedirs(OUT, exist_ok=True)
    run = json.load(open(os.path.join(SOURCE, "run.json")))
    rss = values("rss")
    start = values("start_time")
    limit = run["instances"][0]["limit"]
    # Lives: where the process start time changes.
    bounds = [0]
    for i in range(1, len(start)):
        if abs(float(start[i][1]) - float(start[i - 1][1])) >= 1:
            bounds.append(i)
    lives = []
    for k, b in enumerate(bounds):
        first = start[b][0]
        last = start[bounds[k + 1] - 1][0] if k + 1 < len(bounds) else start[-1][0]
        lives.append((first, last))

    def cadvisor(k):
        cid = f"{k:02d}" + "c0ffee" * 10
        return {
            "container": CONTAINER,
            "id": f"/kubepods/burstable/pod{POD_UID}/{cid}",
            "image": "registry.local/leaksvc:1.0",
            "instance": NODE,
            "job": "kubelet",
            "metrics_path": "/metrics/cadvisor",
            "name": f"k8s_{CONTAINER}_{POD}_{NAMESPACE}_{POD_UID}_{k}",
            "namespace": NAMESPACE,
            "node": NODE,
            "pod": POD,
        }

    def in_life(points, life):
        return [(t, v) for t, v in points if life[0] <= t <= life[1]]

    working_set = []
    start_times = []
    for k, life in enumerate(lives):
        working_set.append(({"__name__": "container_memory_working_set_bytes", **cadvisor(k)}, in_life(rss, life)))
        start_times.append(({"__name__": "container_start_time_seconds", **cadvisor(k)}, in_life(start, life)))
    write("working_set", working_set)
    write("container_start", start_times)

    ksm = {"container": CONTAINER, "instance": "10.96.0.12:8080", "job": "kube-state-metrics",
           "namespace": NAMESPACE, "pod": POD, "uid": POD_UID}
    deaths = [d["time"] for d in run["deaths"]]
    times = [t for t, _ in rss]
    restarts = [(t, str(sum(1 for d in deaths if d < t))) for t in times]
    reason = [(t, "1" if any(d < t for d in deaths) else "0") for t in times]
    write("restarts", [({"__name__": "kube_pod_container_status_restarts_total", **ksm}, restarts)])
    write("last_terminated", [({"__name__": "kube_pod_container_status_last_terminated_reason", **ksm,
                                "reason": "OOMKilled"}, reason)])
    write("limits", [({"__name__": "kube_pod_container_resource_limits", **ksm, "node": NODE,
                       "resource": "memory", "unit": "byte"}, [(t, str(limit)) for t in times])])
    app = {"__name__": "process_resident_memory_bytes", "instance": "10.244.1.7:8080", "job": "leaksvc",
           "namespace": NAMESPACE, "pod": POD}
    write("app_rss", [(app, rss)])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Seeds the fuzz corpora (fuzz/corpus/<target>/, git-ignored) from the
shared corpus (../shared/corpus) and tests/data: binary profiles (gunzipped:
mutations should land in the protobuf, not in a gzip checksum) for the
decoders, text inputs for the text readers, small files of every kind for
the views, and a few links. Oracle outputs of pprof are left out. Then
what earlier runs found (fuzz/kept/<target>/). `seed.py DIR` writes the
seeds alone into DIR instead."""
import gzip, hashlib, os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sources = [os.path.join(root, "../shared/corpus"), os.path.join(root, "tests/data")]
skip = (".top.txt", ".dot", ".md", ".json.txt", "oracles_index.json", ".svg", ".sh", ".go", ".mod", ".sum")

# Where the seeds go: fuzz/corpus, or the folder given, which gets the
# seeds alone, without fuzz/kept (fuzz/keep.py tells them from what the
# fuzzers found).
seeds_only = len(sys.argv) > 1
out_root = sys.argv[1] if seeds_only else os.path.join(root, "fuzz/corpus")

def put(target, data):
    d = os.path.join(out_root, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)

def is_text(data):
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        return e.start > len(head) - 4  # a character cut at the end

# A link's view parameters, as the page writes them (www/state.js).
LINK_PARAMS = [
    b"view=top&si=inuse_space&f=main&sort=cum",
    b"view=flame&fz=main.main&fz=main.handler&q=Repeat",
    b"view=graph&g=lines&h=runtime&s=main",
    b"view=list&list=.",
    b"view=diff&mode=diff_base",
    b"view=charts&from=0&to=1e12&hidden=rss&limit=1e9",
    b"view=callers&fn=bytes.Repeat",
    b"view=trend",
]

small = []
for base in sources:
    for dirpath, _, names in os.walk(base):
        if "/golden" in dirpath or "/oracles" in dirpath or "crashers" in dirpath:
            continue
        for name in sorted(names):
            if name.endswith(skip) or ".top." in name or name.startswith("README"):
                continue
            path = os.path.join(dirpath, name)
            data = open(path, "rb").read()
            if not data or len(data) > (1 << 20):
                continue
            if data[:2] == b"\x1f\x8b":
                try:
                    data = gzip.decompress(data)
                except Exception:
                    continue
            if len(data) > (1 << 20):
                continue
            if is_text(data):
                put("text", data[:256 << 10])
                put("series", data[:256 << 10])
            else:
                put("pprof", data)
                put("pprof_gzip", data)
            if len(data) <= (64 << 10):
                put("views", data)
                small.append(path)
                for params in LINK_PARAMS:
                    put("link_view", params + b"\n" + data)

cli = os.path.join(root, "target/release/leakscope")
if os.path.exists(cli):
    for path in small[:20]:
        out = subprocess.run([cli, "link", "--site", "", path], capture_output=True)
        if out.returncode == 0:
            put("link", out.stdout.split(b"data=", 1)[1].strip())
# What earlier runs found, minimised and kept in the repository (fuzz/keep.py).
for t in ("pprof", "pprof_gzip", "text", "series", "views", "link", "link_view"):
    kept = os.path.join(root, "fuzz/kept", t)
    for name in sorted(os.listdir(kept)) if os.path.isdir(kept) and not seeds_only else []:
        put(t, open(os.path.join(kept, name), "rb").read())
for t in ("pprof", "pprof_gzip", "text", "series", "views", "link", "link_view"):
    d = os.path.join(out_root, t)
    print(f"{t}: {len(os.listdir(d)) if os.path.isdir(d) else 0} seeds", file=sys.stderr)

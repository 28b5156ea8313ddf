#!/usr/bin/env python3
"""Keeps what a fuzzing run found: fuzz/keep.py TARGET [MAX_BYTES]

Minimises what fuzz/corpus/TARGET holds beyond the seeds (fuzz/seed.py
makes those again from the shared corpus, which is not copied into the
repository) and at most MAX_BYTES (default 4 KiB: the corpora in the
repository stay small) with libFuzzer's -set_cover_merge (a small set of
inputs with the same coverage features), into fuzz/kept/TARGET/. The
seeds plus fuzz/kept then start the next run where this one ended, or
close to it: the inputs over the size cap are left out, and counted.
Only those inputs go into the merge: with the seeds and the big inputs
too (thousands of links up to 256 KiB for link_view), choosing the set
cover ran past 25 minutes and a 458 MB control file. A kept input may
now repeat a seed's features; none over the cap crowds out a small one."""
import hashlib, os, shutil, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
target = sys.argv[1]
max_bytes = int(sys.argv[2]) if len(sys.argv) > 2 else 4 << 10
sha = lambda data: hashlib.sha1(data).hexdigest()

with tempfile.TemporaryDirectory() as tmp:
    seeds_dir = os.path.join(tmp, "seeds")
    subprocess.run([sys.executable, os.path.join(root, "fuzz/seed.py"), seeds_dir], check=True)
    kept_dir = os.path.join(root, "fuzz/kept", target)
    target_seeds = os.path.join(seeds_dir, target)
    seeds = {sha(open(os.path.join(target_seeds, n), "rb").read()) for n in os.listdir(target_seeds)} if os.path.isdir(target_seeds) else set()

    # The inputs to minimise: found by the fuzzer (not seeds), small.
    corpus_dir = os.path.join(root, "fuzz/corpus", target)
    candidates = os.path.join(tmp, "candidates")
    os.makedirs(candidates)
    found = new = 0
    for n in os.listdir(corpus_dir):
        data = open(os.path.join(corpus_dir, n), "rb").read()
        found += 1
        if sha(data) in seeds:
            continue
        new += 1
        if len(data) <= max_bytes:
            with open(os.path.join(candidates, n), "wb") as f:
                f.write(data)
    small = len(os.listdir(candidates))
    merged = os.path.join(tmp, "merged")
    os.makedirs(merged)
    subprocess.run(["cargo", "+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", "-O", "-a", target, merged,
                    candidates, "--", "-set_cover_merge=1", "-max_len=262144",
                    "-timeout=20", "-rss_limit_mb=2048"], cwd=root, check=True)
    kept = [(n, open(os.path.join(merged, n), "rb").read()) for n in sorted(os.listdir(merged))]
    shutil.rmtree(kept_dir, ignore_errors=True)
    os.makedirs(kept_dir)
    for n, d in kept:
        with open(os.path.join(kept_dir, n), "wb") as f:
            f.write(d)
    print(f"{target}: {found} inputs, {found - new} of them seeds, {new - small} more over {max_bytes} bytes "
          f"left out; the other {small} minimised to {len(kept)} ({sum(len(d) for _, d in kept)} bytes), kept",
          file=sys.stderr)

#!/usr/bin/env python3
"""Keeps what a fuzzing run found: fuzz/keep.py TARGET [MAX_BYTES]

Minimises fuzz/corpus/TARGET with libFuzzer's -set_cover_merge (a small
set of inputs with the same coverage features) and writes to fuzz/kept/TARGET/ the inputs
of that set that are not seeds (fuzz/seed.py makes those again from the
shared corpus, which is not copied into the repository) and are at most
MAX_BYTES (default 4 KiB: the corpora in the repository stay small). The
seeds plus fuzz/kept then start the next run where this one ended, or
close to it: the inputs over the size cap are left out, and counted."""
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

    merged = os.path.join(tmp, "merged")
    os.makedirs(merged)
    subprocess.run(["cargo", "+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", "-O", "-a", target, merged,
                    os.path.join(root, "fuzz/corpus", target), "--", "-set_cover_merge=1", "-max_len=262144",
                    "-timeout=20", "-rss_limit_mb=2048"], cwd=root, check=True)
    names = sorted(os.listdir(merged))
    found = [(n, open(os.path.join(merged, n), "rb").read()) for n in names]
    new = [(n, d) for n, d in found if sha(d) not in seeds]
    small = [(n, d) for n, d in new if len(d) <= max_bytes]
    shutil.rmtree(kept_dir, ignore_errors=True)
    os.makedirs(kept_dir)
    for n, d in small:
        with open(os.path.join(kept_dir, n), "wb") as f:
            f.write(d)
    print(f"{target}: minimised to {len(found)} inputs, {len(found) - len(new)} of them seeds; "
          f"kept {len(small)} ({sum(len(d) for _, d in small)} bytes), "
          f"left out {len(new) - len(small)} over {max_bytes} bytes", file=sys.stderr)

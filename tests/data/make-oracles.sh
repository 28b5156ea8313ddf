#!/usr/bin/env bash
# Makes tests/data/oracles: what `go tool pprof` (Go 1.19, Debian's
# golang-go) prints for the project's fixtures under many options: filters,
# granularities, diffs, labels. tests/pprof_options.rs replays each line of
# oracles/MANIFEST through leakscope and compares.
#
#   tests/data/make-oracles.sh      (needs `go`; run from anywhere)
set -euo pipefail
cd "$(dirname "$0")"
command -v go >/dev/null || { echo "make-oracles: needs go (apt-get install golang-go)" >&2; exit 1; }
rm -rf oracles && mkdir oracles
n=0
oracle() {
  n=$((n + 1))
  local name; name=$(printf '%03d' "$n")
  TZ=UTC go tool pprof -symbolize=none "$@" > "oracles/$name.txt" 2>/dev/null
  printf '%s\t%s\n' "$name" "$*" >> oracles/MANIFEST
}

heap=go.heap.pb.gz
cpu=go.labels.cpu.pb.gz
syn=synthetic.pb.gz

for f in $heap $cpu $syn; do
  for i in $(seq 0 3); do
    [ "$f" = $cpu ] && [ "$i" -gt 1 ] && continue
    [ "$f" = $syn ] && [ "$i" -gt 2 ] && continue
    oracle -top -sample_index=$i $f
    oracle -top -sample_index=$i -nodefraction=0 -edgefraction=0 $f
  done
  oracle -top -nodecount=4 $f
  oracle -top -cum $f
  oracle -top -cum -nodecount=3 $f
  for g in -lines -files -filefunctions -addresses; do
    oracle -top $g $f
  done
  oracle -top -noinlines $f
  oracle -top -noinlines -lines $f
  oracle -traces $f
done

# Filters on names.
for opt in -focus=Track -ignore=Track -hide=bytes -show=main -show_from=main.main \
           -focus=recurse -ignore=runtime -hide=runtime -focus=buffer -show=Track \
           -focus=Track,-ignore=cache -focus=nosuchfunction -show_from=cache; do
  oracle -top ${opt//,/ } $heap
done
oracle -top -focus=Track -lines $heap
oracle -traces -focus=ping $heap

# Diffs between two snapshots of one process.
for i in 1 3; do
  oracle -top -sample_index=$i -base=go.heap.0.pb.gz $heap
  oracle -top -sample_index=$i -diff_base=go.heap.0.pb.gz $heap
  oracle -top -sample_index=$i -nodefraction=0 -edgefraction=0 -base=go.heap.0.pb.gz $heap
done
oracle -top -base=go.heap.0.pb.gz -lines $heap

# Source listing.
oracle -list=Track -source_path=. $heap
oracle -list=main.recurse -source_path=. $heap
oracle -list=main -source_path=. -sample_index=alloc_space $heap

# Labels.
for opt in -tagfocus=handler=/slow -tagignore=tenant=a -tagfocus=slow -tagfocus=handler=/slow,/fast \
           -tagfocus=nosuchlabel; do
  oracle -top $opt $cpu
done
oracle -traces -tagfocus=handler=/fast $cpu
for opt in -tagfocus=bytes=1kb:64kb -tagfocus=bytes=:2kb -tagfocus=bytes=64kb -tagfocus=latency=12ms \
           -tagignore=bytes=1kb: -tagfocus=handler=/slow -tagfocus=tenant:b \
           -focus=walk -focus=even -hide=libc -show=main -show_from=handle -ignore=Cache:: \
           -focus=helper -hide=helper -unit=ms -unit=kB; do
  oracle -top -sample_index=1 $opt $syn
done
oracle -traces -sample_index=2 $syn
# Call graphs (-dot): tags, filters, granularities, node counts, diffs.
for f in $heap $cpu $syn; do
  oracle -dot $f
done
oracle -dot -sample_index=1 $syn
oracle -dot -sample_index=1 -nodefraction=0 -edgefraction=0 $syn
oracle -dot -lines $heap
oracle -dot -nodecount=5 $heap
oracle -dot -focus=Track $heap
oracle -dot -hide=runtime $heap
oracle -dot -noinlines $heap
oracle -dot -cum $heap
oracle -dot -base=go.heap.0.pb.gz $heap
oracle -dot -diff_base=go.heap.0.pb.gz $heap
oracle -dot -tagfocus=handler=/slow $cpu
oracle -dot -sample_index=alloc_space $heap
# Values at the ends of int64 (tests/fixtures.rs: extremes), where pprof's
# abs64 wraps and its sums overflow.
ext=extremes.pb.gz
for i in 0 1; do
  for opts in "" "-nodefraction=0 -edgefraction=0" "-cum -nodefraction=0 -edgefraction=0" "-nodecount=3 -nodefraction=0"; do
    oracle -top -sample_index=$i $opts $ext
    oracle -dot -sample_index=$i $opts $ext
  done
done
oracle -traces $ext
echo "make-oracles: wrote $n oracles" >&2

# pprof's DOT for every profile of the shared corpus that has top oracles
# (tests/graph.rs compares leakscope's with them), but the debug=1
# goroutine texts, whose frames we name from their comments where pprof
# shows <unknown> (tests/conformance.rs, NAMED_FROM_COMMENTS).
corpus=../../../shared/corpus
if [ -d "$corpus" ]; then
  mkdir -p oracles/corpus-dot
  (cd "$corpus" && find . -name '*.exact.*top.txt' | sed 's/\.exact\..*//' | grep -v 'goroutine\.debug1\.txt$' | sort -u) | while read -r f; do
    name=$(echo "${f#./}" | sed 's|/|__|g')
    TZ=UTC go tool pprof -symbolize=none -dot "$corpus/${f#./}" > "oracles/corpus-dot/$name.dot" 2>/dev/null
  done
  echo "make-oracles: wrote $(ls oracles/corpus-dot | wc -l) corpus call graphs" >&2
fi

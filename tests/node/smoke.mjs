// The built WebAssembly package (pkg/, what the page loads), run in Node:
// it must give the same report as the native code. Run by scripts/test.
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = await import(`${root}pkg/leakscope.js`);
await pkg.default({ module_or_path: readFileSync(`${root}pkg/leakscope_bg.wasm`) });

// The project's own fixture, always present.
const heap = new pkg.LoadedProfile(readFileSync(`${root}tests/data/go.heap.pb.gz`));
const info = heap.info();
assert.deepEqual(
  info.sample_types.map((t) => t.type),
  ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
);
const table = heap.top({ sample_index: "inuse_space" });
assert.equal(table.rows[0].name, "bytes.Repeat");
assert.equal(table.rows[0].inline_label, "(inline)");
assert.equal(table.rows[0].flat, 2048000);
assert.equal(table.rows[0].flat_text, "2000kB");

// The blog's figures, when the shared corpus is here.
const blog = `${root}../shared/corpus/blog/heap.3.pprof`;
if (existsSync(blog)) {
  const text = new pkg.LoadedProfile(readFileSync(blog)).top_text({});
  assert.match(text, /\n {2}408\.97MB 98\.60% 98\.60% {3}408\.97MB 98\.60% {2}bytes\.Repeat\n/);
} else {
  console.error("!!! shared corpus missing: the blog check in Node was SKIPPED !!!");
}

// Memory over time: the same analysis as the CLI's.
const series = new pkg.LoadedSeries();
const input = series.add("leak.csv", readFileSync(`${root}tests/data/series/leak/grafana-joined-epoch.csv`));
assert.equal(input.format, "grafana-csv");
series.add("dmesg.txt", readFileSync(`${root}tests/data/series/leak/dmesg.txt`));
const analysis = series.analyze({});
assert.equal(analysis.processes[0].verdict, "leak");
assert.equal(analysis.processes[0].oom_kills, 3);
assert.match(series.analyze_text({ limit: 125829120 }), /limit 120MB \(given\)/);
assert.throws(() => series.add("heap.pb.gz", readFileSync(`${root}tests/data/go.heap.pb.gz`)), /heap\.pb\.gz: a profile, not metrics/);

// Leak suspects across snapshots.
const snaps = new pkg.Snapshots();
for (let i = 0; i < 4; i++) {
  snaps.add_profile(`heap.${i}.pb.gz`, readFileSync(`${root}tests/data/series/leak/heap.${i}.pb.gz`));
}
const trend = snaps.trend({});
assert.equal(trend.suspects[0].name, "main.(*Store).Keep");
assert.equal(trend.suspects[0].via, "bytes.Repeat");
assert.match(snaps.trend_text({ granularity: "lines" }), /Top suspect: main\.\(\*Store\)\.Keep/);
assert.throws(() => new pkg.Snapshots().trend({}), /at least two heap snapshots/);

// Bad input is an error with the core's message, not a crash.
assert.throws(() => new pkg.LoadedProfile(new Uint8Array([0x1f, 0x8b, 1, 2])), /gzip/);
assert.throws(() => heap.top({ filters: { focus: "(" } }), /parsing focus regexp/);
console.error("node smoke test: ok");

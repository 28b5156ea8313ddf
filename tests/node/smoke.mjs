// The built WebAssembly package (pkg/, what the page's worker loads), run in
// Node: the same figures as the native code. Run by scripts/test.
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = await import(`${root}pkg/leakscope.js`);
await pkg.default({ module_or_path: readFileSync(`${root}pkg/leakscope_bg.wasm`) });
const read = (path) => readFileSync(`${root}${path}`);

// A profile: pprof's top.
const s = new pkg.Session();
const added = s.add("go.heap.pb.gz", read("tests/data/go.heap.pb.gz"));
assert.deepEqual(added.errors, []);
assert.equal(added.files[0].kind, "profile");
const top = s.top({ si: "inuse_space" });
assert.deepEqual(top.sample_types, ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
assert.equal(top.table.rows[0].name, "bytes.Repeat");
assert.equal(top.table.rows[0].inline_label, "(inline)");
assert.equal(top.table.rows[0].flat, 2048000);
assert.equal(top.table.rows[0].flat_text, "2000kB");

// The blog's figures, when the shared corpus is here.
const blog = `${root}../shared/corpus/blog/heap.3.pprof`;
if (existsSync(blog)) {
  const b = new pkg.Session();
  b.add("heap.3.pprof", readFileSync(blog));
  const row = b.top({}).table.rows[0];
  assert.equal(`${row.flat_text} ${row.flat_percent} ${row.sum_percent} ${row.cum_text} ${row.cum_percent} ${row.name}`,
    "408.97MB 98.60% 98.60% 408.97MB 98.60% bytes.Repeat");
} else {
  console.error("!!! shared corpus missing: the blog check in Node was SKIPPED !!!");
}

// Metrics, an OOM log and heap snapshots together: the overview, charts, suspects.
const w = new pkg.Session();
for (let i = 0; i < 4; i++) w.add(`heap.${i}.pb.gz`, read(`tests/data/series/leak/heap.${i}.pb.gz`));
assert.equal(w.add("leak.csv", read("tests/data/series/leak/grafana-joined-epoch.csv")).files[0].kind, "metrics");
assert.equal(w.add("dmesg.txt", read("tests/data/series/leak/dmesg.txt")).files[0].kind, "oom-log");
const card = w.overview({}).cards[0];
assert.equal(card.tone, "leak");
assert.match(card.headline, /restarted 3 times at about [0-9.]+MB, 3 of them OOM kills/);
assert.ok(card.facts.some((f) => f.label === "Culprit" && f.value.startsWith("main.(*Store).Keep")), JSON.stringify(card.facts));
const charts = w.charts({ width: 800 }).processes[0].charts;
assert.deepEqual(charts.map((c) => c.kind), ["memory", "requests", "goroutines"]);
assert.match(charts[0].svg, /OOM kill/);
assert.match(w.trend({}).groups[0].table.rows[0].place, / via bytes\.Repeat$/);
assert.equal(w.diff({}).table.rows[0].name, "bytes.Repeat");
const hover = w.hover({}, 0, "memory", charts[0].plot.t0 + 60);
assert.ok(hover.length >= 3 && hover[0].value.endsWith("B"), JSON.stringify(hover));

// Bad input is an error with the core's message, not a crash (the page's
// card names the file; the message does not repeat it).
assert.throws(() => w.add("bad.pb.gz", new Uint8Array([0x1f, 0x8b, 1, 2])), /^Error: truncated gzip stream/);
assert.throws(() => s.top({ f: "(" }), /parsing focus regexp/);
// Links: what the core packs, it unpacks (names and bytes as given).
{
  const bytes = read("tests/data/go.heap.pb.gz");
  const files = pkg.unpack(pkg.pack(["a <b>.pb.gz", "empty"], [bytes, new Uint8Array()]));
  assert.deepEqual(files.map((f) => f.name), ["a <b>.pb.gz", "empty"]);
  assert.deepEqual(Buffer.from(files[0].bytes), bytes);
  assert.equal(files[1].bytes.length, 0);
  assert.throws(() => pkg.unpack("AQ-cut-short"), /link/);
}
console.error("node smoke test: ok");

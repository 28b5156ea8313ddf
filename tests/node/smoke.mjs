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

// Bad input is an error with the core's message, not a crash.
assert.throws(() => new pkg.LoadedProfile(new Uint8Array([0x1f, 0x8b, 1, 2])), /gzip/);
assert.throws(() => heap.top({ filters: { focus: "(" } }), /parsing focus regexp/);
console.error("node smoke test: ok");

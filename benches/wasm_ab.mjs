// Two built WebAssembly packages side by side in Node, on the same inputs:
// what a change to the core costs the page in time (BENCHMARKS.md, "The
// wasm's size"). Each package runs in a child process of its own, the two
// alternating ROUNDS times; a figure is the best of 3 calls in a round.
//
//     cargo bench --bench large_profile -- --samples 555000   # once: the big profile
//     cp -r pkg /tmp/pkg-before        # built from the commit before
//     scripts/build-web                # the change
//     node benches/wasm_ab.mjs /tmp/pkg-before pkg [ROUNDS]
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const root = fileURLToPath(new URL("../", import.meta.url));
const [, self, ...args] = process.argv;

if (args[0] === "--one") {
  // A child: time each step with one package and print JSON.
  const dir = resolve(args[1]);
  const pkg = await import(`${dir}/leakscope.js`);
  await pkg.default({ module_or_path: readFileSync(`${dir}/leakscope_bg.wasm`) });
  const times = {};
  const time = (label, f) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      f();
      best = Math.min(best, performance.now() - start);
    }
    times[label] = Math.round(best);
  };
  const big = `${root}target/bench-data/large-heap-555000.pb.gz`;
  if (existsSync(big)) {
    const bytes = readFileSync(big);
    let s;
    time("add a 555k-sample heap profile", () => {
      s = new pkg.Session();
      s.add("big.pb.gz", bytes);
    });
    time("its top", () => s.top({}));
    time("its flame graph", () => s.flame({}));
    time("its call graph", () => s.graph({}));
  }
  const blog = `${root}../shared/corpus/blog`;
  if (existsSync(blog)) {
    const heaps = readdirSync(blog).filter((f) => f.endsWith(".pprof")).map((f) => [f, readFileSync(`${blog}/${f}`)]);
    time("the blog's 4 heaps + trend + overview", () => {
      const b = new pkg.Session();
      for (const [f, bytes] of heaps) b.add(f, bytes);
      b.trend({});
      b.overview({});
    });
  }
  // 2,000 series of 50 points, long form: many sorts of restarts and rows.
  const csv = ["time,series,value"];
  for (let k = 0; k < 2000; k++) for (let i = 0; i < 50; i++) csv.push(`${1700000000 + i * 60},pod-${k},${(k * 7 + i * 13) % 1000}`);
  const text = new TextEncoder().encode(csv.join("\n"));
  time("2,000 series CSV + overview + charts", () => {
    const c = new pkg.Session();
    c.add("m.csv", text);
    c.overview({});
    c.charts({});
  });
  console.log(JSON.stringify(times));
  process.exit(0);
}

const [a, b, rounds = "3"] = args;
if (!a || !b) {
  console.error("usage: node benches/wasm_ab.mjs PKG_A PKG_B [ROUNDS]");
  process.exit(2);
}
const runs = { [a]: [], [b]: [] };
for (let r = 0; r < Number(rounds); r++) {
  for (const dir of [a, b]) runs[dir].push(JSON.parse(execFileSync(process.execPath, [self, "--one", dir], { encoding: "utf8" })));
}
const size = (dir) => readFileSync(`${dir}/leakscope_bg.wasm`).length.toLocaleString("en");
console.log(`| step | ${a} (${size(a)} bytes) | ${b} (${size(b)} bytes) |`);
console.log("|---|---|---|");
for (const label of Object.keys(runs[a][0])) {
  const span = (dir) => {
    const v = runs[dir].map((t) => t[label]);
    return `${Math.min(...v)}–${Math.max(...v)} ms`;
  };
  console.log(`| ${label} | ${span(a)} | ${span(b)} |`);
}

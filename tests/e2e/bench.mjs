// The page's budgets, measured in headless Chromium (a benchmark, not a
// test): the wasm's size; from dropping the blog's heap.3 to the Top table
// painted; from dropping the demo CSV to the annotated chart painted.
//
//     node tests/e2e/bench.mjs        (after scripts/build-web)
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { serve, launch, open, drop, corpus, root } from "./harness.mjs";

const RUNS = 7;
const wasm = readFileSync(join(root, "pkg/leakscope_bg.wasm"));
console.log(`wasm: ${(wasm.length / 1e6).toFixed(2)} MB (${(gzipSync(wasm, { level: 9 }).length / 1e6).toFixed(2)} MB gzipped)`);

// The repository root (the same page as dist/, and target/bench-data/ for the big files).
const { server, origin } = await serve({ dir: root });
const browser = await launch();

async function measure(label, hash, files, mark) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await open(browser, origin, hash);
    // The worker and its wasm are ready before the clock starts.
    await page.evaluate(() => new Promise((ok) => setTimeout(ok, 300)));
    await drop(page, files);
    // The first paint of the view after the drop (the view was painted,
    // empty, before it too).
    const after = (m) => {
      const drop = performance.getEntriesByName("drop").at(-1)?.startTime;
      const painted = performance.getEntriesByName(m).find((e) => drop !== undefined && e.startTime > drop);
      return painted ? painted.startTime - drop : null;
    };
    await page.waitForFunction(after, mark);
    times.push(await page.evaluate(after, mark));
    await page.context().close();
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: median ${times[RUNS >> 1].toFixed(0)} ms, best ${times[0].toFixed(0)} ms, worst ${times.at(-1).toFixed(0)} ms (${RUNS} runs)`);
}

await measure("blog heap.3 dropped → Top painted", "#view=top", [["heap.3.pprof", readFileSync(join(corpus, "blog/heap.3.pprof"))]], "painted:top");
await measure("demo CSV dropped → annotated chart painted", "#view=charts", [["leak.grafana-joined.csv", readFileSync(join(corpus, "demo/leak.grafana-joined.csv"))]], "painted:charts");
// The call graph: the largest corpus graph, from asking for the view to
// its SVG painted (call graph, layout in wasm, DOM).
async function viewTime(label, files, hash, mark) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await open(browser, origin);
    await drop(page, files);
    const ms = await page.evaluate(async ([h, m]) => {
      const start = performance.now();
      location.hash = h;
      await new Promise((ok) => {
        const poll = () => (performance.getEntriesByName(m).some((e) => e.startTime > start) ? ok() : setTimeout(poll, 5));
        poll();
      });
      return performance.getEntriesByName(m).find((e) => e.startTime > start).startTime - start;
    }, [hash, mark]);
    times.push(ms);
    await page.context().close();
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: median ${times[RUNS >> 1].toFixed(0)} ms, best ${times[0].toFixed(0)} ms, worst ${times.at(-1).toFixed(0)} ms (${RUNS} runs)`);
}
const labels = join(corpus, "pprof/parca/pkg/query/testdata/profile-with-labels.pb.gz");
await viewTime("largest corpus call graph (84 nodes, 130 edges) → painted", [["profile-with-labels.pb.gz", readFileSync(labels)]], "#view=graph", "drawn:graph");
// The budget's 80-node / 200-edge graph (cargo bench --bench graph_layout
// generates it).
const dense = join(root, "target/bench-data/callgraph-80x200.pb");
if (existsSync(dense)) {
  await viewTime("generated call graph (80 nodes, 212 edges) → painted", [["callgraph-80x200.pb", readFileSync(dense)]], "#view=graph", "drawn:graph");
} else {
  console.log("(no target/bench-data/callgraph-80x200.pb: run cargo bench --bench graph_layout for the 80 × 200 figure)");
}

// The flame graph of a 1M-sample CPU profile (cargo bench --bench
// large_profile -- --cpu --generate-only makes it).
const big = join(root, "target/bench-data/large-cpu-1000000.pb.gz");
if (existsSync(big)) {
  const page = await open(browser, origin, "#view=flame");
  const loaded = await page.evaluate(async () => {
    const blob = await (await fetch("/target/bench-data/large-cpu-1000000.pb.gz")).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "large-cpu.pb.gz"));
    const start = performance.now();
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    await new Promise((ok) => {
      const poll = () => (performance.getEntriesByName("painted:flame").some((e) => e.startTime > start) ? ok() : setTimeout(poll, 20));
      poll();
    });
    const painted = performance.getEntriesByName("painted:flame").find((e) => e.startTime > start).startTime - start;
    // Frame time: repaint the canvas (what a resize or hover redraw costs).
    const wrap = document.querySelector(".flame-wrap");
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) wrap.paint();
    const frame = (performance.now() - t0) / 20;
    const frames = document.querySelector("canvas.flame") ? "" : "no canvas";
    return { painted, frame, frames };
  });
  // Zoom: click the widest frame of the second row.
  const box = await (await page.$("canvas.flame")).boundingBox();
  const zoom = await page.evaluate(() => performance.now());
  await page.mouse.click(box.x + 3, box.y + 18 + 9);
  await page.waitForFunction((t) => performance.getEntriesByName("painted:flame").some((e) => e.startTime > t), zoom);
  const zoomed = await page.evaluate((t) => performance.getEntriesByName("painted:flame").find((e) => e.startTime > t).startTime - t, zoom);
  console.log(`1M-sample CPU profile: dropped → flame graph painted ${loaded.painted.toFixed(0)} ms; canvas frame ${loaded.frame.toFixed(1)} ms; zoom → painted ${zoomed.toFixed(0)} ms ${loaded.frames}`);
  await page.context().close();
} else {
  console.log("(no target/bench-data/large-cpu-1000000.pb.gz: run cargo bench --bench large_profile -- --cpu --generate-only for the flame graph figures)");
}

// A #data= link with the blog's four snapshots, opened in a fresh page →
// the Diff painted (unpack, decode, diff, table).
{
  const pkg = await import(join(root, "pkg/leakscope.js"));
  await pkg.default({ module_or_path: readFileSync(join(root, "pkg/leakscope_bg.wasm")) });
  const names = ["heap.0.pprof", "heap.1.pprof", "heap.2.pprof", "heap.3.pprof"];
  const data = pkg.pack(names, names.map((n) => readFileSync(join(corpus, "blog", n))));
  const hash = `#view=diff&si=alloc_space&data=${data}`;
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newContext().then((c) => c.newPage());
    const start = Date.now();
    await page.goto(`${origin}/${hash}`);
    await page.waitForSelector("table.report tbody tr");
    // From navigation start to the Diff's first paint after the load.
    times.push(await page.evaluate(() => performance.getEntriesByName("painted:diff").at(-1).startTime));
    await page.context().close();
  }
  times.sort((a, b) => a - b);
  console.log(`link with blog heap.0–3 (${hash.length} characters) opened → Diff painted: median ${times[RUNS >> 1].toFixed(0)} ms, best ${times[0].toFixed(0)} ms, worst ${times.at(-1).toFixed(0)} ms (${RUNS} runs, from navigation start)`);
}

// A focus filter on the 1M-sample heap profile (cargo bench --bench
// large_profile makes it): the page's regex engine is the backtracker.
const heap = join(root, "target/bench-data/large-heap-1000000.pb.gz");
if (existsSync(heap)) {
  const page = await open(browser, origin, "#view=top");
  await page.evaluate(async () => {
    const blob = await (await fetch("/target/bench-data/large-heap-1000000.pb.gz")).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "large-heap.pb.gz"));
    const before = window.__loads ?? 0;
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    await new Promise((ok) => {
      const poll = () => ((window.__loads ?? 0) > before ? ok() : setTimeout(poll, 50));
      poll();
    });
  });
  const times = {};
  for (const [label, hash] of [["no filter", "#view=top&sort=cum"], ["focus=Func1", "#view=top&f=Func1"], ["ignore=(?i)func9", "#view=top&i=(%3Fi)func9"]]) {
    times[label] = await page.evaluate(async (h) => {
      const start = performance.now();
      location.hash = h;
      await new Promise((ok) => {
        const poll = () => (performance.getEntriesByName("painted:top").some((e) => e.startTime > start) ? ok() : setTimeout(poll, 5));
        poll();
      });
      return performance.getEntriesByName("painted:top").find((e) => e.startTime > start).startTime - start;
    }, hash);
  }
  console.log(`1M-sample heap profile, Top painted after a change: ${Object.entries(times).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")}`);
  await page.context().close();
}

await browser.close();
server.close();

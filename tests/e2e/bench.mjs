// The page's budgets, measured in headless Chromium (a benchmark, not a
// test): the wasm's size; from dropping the blog's heap.3 to the Top table
// painted; from dropping the demo CSV to the annotated chart painted.
//
//     node tests/e2e/bench.mjs        (after scripts/build-web)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { serve, launch, open, drop, corpus, root } from "./harness.mjs";

const RUNS = 7;
const wasm = readFileSync(join(root, "pkg/leakscope_bg.wasm"));
console.log(`wasm: ${(wasm.length / 1e6).toFixed(2)} MB (${(gzipSync(wasm, { level: 9 }).length / 1e6).toFixed(2)} MB gzipped)`);

const { server, origin } = await serve();
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
await browser.close();
server.close();

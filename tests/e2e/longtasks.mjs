// The longest main-thread task per view (a benchmark, not a test), on the
// generated 1M-sample heap profile (make it with `cargo bench --bench
// large_profile -- --generate-only`): the file is dropped, then each view
// is opened by its tab, then its table (if any) scrolled to the end. For
// each: from the click to 500 ms after the view painted, the longest task
// the browser reports (PerformanceObserver "longtask": tasks over 50 ms
// only) and the longest gap between two animation frames (what a person
// feels as a freeze; an idle page shows ~16 ms). The worker's own work is
// off the main thread and not counted.
//
//     node tests/e2e/longtasks.mjs [PROFILE]     (after scripts/build-dist)
import { readFileSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { serve, launch, open, drop, root } from "./harness.mjs";

const VIEWS = ["overview", "charts", "top", "list", "diff", "graph", "flame", "callers", "trend"];
const path = process.argv[2] ?? join(root, "target/bench-data/large-heap-1000000.pb.gz");
if (!existsSync(path)) {
  console.error(`${path} is missing: cargo bench --bench large_profile -- --generate-only`);
  process.exit(1);
}

const { server, origin } = await serve();
const browser = await launch();
const page = await open(browser, origin);
await page.evaluate(() => {
  window.__tasks = [];
  new PerformanceObserver((list) => window.__tasks.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: "longtask" });
  // Gaps between animation frames: a task blocking the thread shows as one.
  window.__gaps = [];
  let last = performance.now();
  const frame = (now) => {
    window.__gaps.push({ at: now, gap: now - last });
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
});
const started = Date.now();
await drop(page, [[basename(path), readFileSync(path)]]);
console.log(`${basename(path)}: loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

/** The longest task and frame gap between `from` and the end of the window. */
const worst = (from) => page.evaluate((t0) => ({
  task: Math.max(0, ...window.__tasks.filter((e) => e.start >= t0).map((e) => e.duration)),
  gap: Math.max(0, ...window.__gaps.filter((e) => e.at >= t0).map((e) => e.gap)),
}), from);

console.log("| view | painted after | longest task over 50 ms | longest frame gap | scrolled to the end: longest task / gap |");
console.log("|---|---|---|---|---|");
for (const view of VIEWS) {
  const t0 = await page.evaluate(() => performance.now());
  const painted = await page.evaluate((v) => performance.getEntriesByName(`painted:${v}`).length, view);
  await page.click(`#tab-${view}`);
  await page.waitForFunction(([v, n]) => performance.getEntriesByName(`painted:${v}`).length > n, [view, painted], { timeout: 300_000 });
  const paintedAt = await page.evaluate((v) => performance.getEntriesByName(`painted:${v}`).at(-1).startTime, view);
  await page.waitForTimeout(500);
  const shown = await worst(t0);
  // Scrolling the view's longest list to its end, a screen at a time.
  const t1 = await page.evaluate(() => performance.now());
  const scrolled = await page.evaluate(async () => {
    const box = document.querySelector("#view .window") ?? document.scrollingElement;
    let steps = 0;
    for (let top = -1; box.scrollTop !== top && steps < 400; steps++) {
      top = box.scrollTop;
      box.scrollBy(0, box.clientHeight || innerHeight);
      await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok)));
    }
    window.scrollTo(0, 0);
    return steps;
  });
  await page.waitForTimeout(300);
  const scroll = await worst(t1);
  const ms = (v) => (v > 0 ? `${v.toFixed(0)} ms` : "none");
  console.log(`| ${view} | ${(paintedAt - t0).toFixed(0)} ms | ${ms(shown.task)} | ${shown.gap.toFixed(0)} ms | ${scrolled > 1 ? `${ms(scroll.task)} / ${scroll.gap.toFixed(0)} ms (${scrolled} screens)` : "—"} |`);
}
await browser.close();
server.close();

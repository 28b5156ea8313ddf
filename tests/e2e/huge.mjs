// Huge profiles in headless Chromium (a benchmark, not a test): for each
// generated heap profile target/bench-data/large-heap-N.pb.gz (make them
// with `cargo bench --bench large_profile -- --samples N`; 555000, 2220000
// and 5550000 samples are ~50, 200 and 500 MB uncompressed), from the drop
// to the Top table painted: the time, the longest main-thread task while
// it loads (PerformanceObserver "longtask"), and the renderer's peak
// memory (VmHWM of Chromium's renderer processes, where the worker runs).
//
//     node tests/e2e/huge.mjs [SAMPLES...]
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { serve, launch, open, root } from "./harness.mjs";

const data = join(root, "target/bench-data");
const wanted = process.argv.slice(2);
const files = readdirSync(data)
  .map((f) => /^large-heap-(\d+)\.pb\.gz$/.exec(f))
  .filter((m) => m && (!wanted.length || wanted.includes(m[1])))
  .sort((a, b) => Number(a[1]) - Number(b[1]));

/** Peak resident memory of each Chromium renderer process, by pid. */
function rendererPeaks() {
  const peaks = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes("--type=renderer")) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (hwm) peaks.set(pid, Number(hwm[1]) * 1024);
    } catch {
      // The process ended meanwhile.
    }
  }
  return peaks;
}

const { server, origin } = await serve({ dir: root });
const browser = await launch();
for (const [file, samples] of files) {
  const facts = join(data, `large-heap-${samples}.facts`);
  const rawMB = existsSync(facts) ? Number(readFileSync(facts, "utf8").split(" ")[0]) / 1e6 : NaN;
  const before = new Set(rendererPeaks().keys());
  const page = await open(browser, origin, "#view=top");
  const result = await page.evaluate(async (name) => {
    const longest = { ms: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longest.ms = Math.max(longest.ms, e.duration);
    }).observe({ type: "longtask", buffered: false });
    const blob = await (await fetch(`/target/bench-data/${name}`)).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], name));
    const start = performance.now();
    const loads = window.__loads ?? 0;
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    await new Promise((ok) => {
      const poll = () => ((window.__loads ?? 0) > loads && performance.getEntriesByName("painted:top").some((e) => e.startTime > start) ? ok() : setTimeout(poll, 50));
      poll();
    });
    const painted = performance.getEntriesByName("painted:top").find((e) => e.startTime > start).startTime - start;
    const error = document.querySelector("#errors .error")?.textContent ?? null;
    const rows = document.querySelectorAll("table.report tbody tr").length;
    return { painted, longest: longest.ms, error, rows };
  }, file);
  const peaks = [...rendererPeaks()].filter(([pid]) => !before.has(pid)).map(([, v]) => v);
  const peak = Math.max(0, ...peaks);
  console.log(
    `${samples} samples (${rawMB.toFixed(0)} MB uncompressed): dropped → Top painted ${(result.painted / 1000).toFixed(2)} s; ` +
      `longest main-thread task ${result.longest.toFixed(0)} ms; renderer peak ${(peak / 1e6).toFixed(0)} MB; ` +
      (result.error ? `error card: ${result.error}` : `${result.rows} rows`),
  );
  await page.context().close();
}
if (!files.length) console.log("no target/bench-data/large-heap-*.pb.gz: run cargo bench --bench large_profile -- --samples N first");
await browser.close();
server.close();

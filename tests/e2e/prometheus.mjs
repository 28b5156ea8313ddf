// "Open from Prometheus" in headless Chromium against the built site
// (dist/), with Debian's Prometheus on 127.0.0.1 scraping itself every
// second (its own process_resident_memory_bytes, go_memstats_*,
// prometheus_http_requests_total…): one started allowing this page's
// origin (--web.cors.origin), whose series open in the Memory view and
// whose URL goes into the link; one allowing another origin only, whose
// refusal names the flag. Run by scripts/test.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, launch, open, screenshot, suite } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("Prometheus tests");

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => ok(port));
  });
});

/** Prometheus scraping itself every second; `cors` its --web.cors.origin. */
async function prometheus(cors) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "leakscope-prom-"));
  writeFileSync(join(dir, "prometheus.yml"), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`);
  const child = spawn("prometheus", [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`, `--web.cors.origin=${cors}`], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await (await fetch(`${url}/-/ready`)).text()).includes("Ready")) break;
    } catch {}
    if (i > 300) throw new Error("Prometheus was not ready");
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return { url, port, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

const allowing = await prometheus(origin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
const refusing = await prometheus("https://elsewhere\\.example");
// A few scrapes first.
await new Promise((ok) => setTimeout(ok, 6000));

async function openFrom(page, url, selector) {
  await page.click("#prom summary");
  await page.fill("#prom-url", url);
  await page.fill("#prom-selector", selector);
  await page.selectOption("#prom-range", "900");
  await page.click("#prom-form button[type=submit]");
}

try {
  await test("a Prometheus that allows this page: its series open, and the link fetches them again", async () => {
    const page = await open(browser, origin, "#view=charts");
    await openFrom(page, allowing.url, `{job="prometheus"}`);
    await page.waitForSelector("table.files tbody tr");
    const name = await page.textContent("table.files tbody tr td");
    assert.match(name, new RegExp(`prometheus-127\\.0\\.0\\.1:${allowing.port}\\.json`));
    await page.waitForSelector("#view .plot");
    assert.match(await page.textContent("#view"), new RegExp(`instance="127\\.0\\.0\\.1:${allowing.port}"`));
    const linked = new URL(new URLSearchParams(new URL(page.url()).hash.slice(1)).get("url"));
    assert.equal(linked.origin + linked.pathname, `${allowing.url}/api/v1/query_range`);
    assert.match(linked.searchParams.get("query"), /^\{__name__=~"process_resident_memory_bytes\|.*",job="prometheus"\}$/);
    assert.equal(Number(linked.searchParams.get("end")) - Number(linked.searchParams.get("start")), 900);
    await screenshot(page, "prometheus-open");
    // The link, in a fresh browser: the same window fetched again.
    const again = await open(browser, origin, new URL(page.url()).hash);
    await again.waitForSelector("#view .plot");
    assert.equal(await again.$$eval("table.files tbody tr", (rows) => rows.length), 1);
    await again.context().close();
    await page.context().close();
  });

  await test("a Prometheus that does not allow this page: the message names --web.cors.origin", async () => {
    const page = await open(browser, origin);
    await openFrom(page, refusing.url, "");
    await page.waitForSelector("#errors .error");
    const text = await page.textContent("#errors .error");
    assert.match(text, /CORS/);
    assert.match(text, /A Prometheus lets this page read it when started with --web\.cors\.origin='http:\/\/127\\\.0\\\.0\\\.1:\d+'/);
    assert.ok(!page.url().includes("url="), "a failed fetch is not written into the link");
    await page.context().close();
  });

  await test("a selector that is not one is refused before anything is fetched", async () => {
    const page = await open(browser, origin);
    const requests = [];
    page.on("request", (r) => r.url().includes("/api/v1/") && requests.push(r.url()));
    await openFrom(page, allowing.url, `up{job="x"}`);
    await page.waitForSelector("#errors .error");
    assert.match(await page.textContent("#errors .error"), /Open from Prometheus.*a selector is label matchers in braces/s);
    assert.deepEqual(requests, []);
    await page.context().close();
  });
} finally {
  allowing.stop();
  refusing.stop();
}

await browser.close();
server.close();
finish();

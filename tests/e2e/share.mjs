// Sharing and offline, in headless Chromium against the built site (dist/):
// a copied #data= link reproduces the view in a fresh browser; #url= fetches
// from a CORS host and explains a host without CORS and a 404; after one
// visit the site works offline; the downloaded report and the single-file
// build work from file://; the site works under a path prefix. Run by
// scripts/test after scripts/build-dist.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync, cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { serve, launch, open, drop, rows, corpus, hasCorpus, dist, artifacts, screenshot, suite, reportViolations, root } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("sharing and offline tests");
const blog = (name) => [name, readFileSync(join(corpus, "blog", name))];
const snapshots = () => ["heap.0.pprof", "heap.1.pprof", "heap.2.pprof", "heap.3.pprof"].map(blog);
const tableRows = async (page) => {
  await page.waitForSelector("table.report tbody tr");
  return rows(page);
};

/** A fresh browser context at a file:// page. */
async function openFile(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await reportViolations(context);
  const page = await context.newPage();
  page.errors = [];
  page.requests = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("request", (r) => page.requests.push(r.url()));
  await page.goto(pathToFileURL(path).href);
  await page.waitForFunction(() => document.querySelectorAll("#tabs button").length > 0);
  return page;
}

await test("a copied #data= link opens the same view and numbers in a fresh browser", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the link test was SKIPPED !!!");
  const page = await open(browser, origin);
  await drop(page, snapshots());
  await page.click("#tab-diff");
  await page.waitForSelector("select[name=si]");
  await page.selectOption("select[name=si]", "alloc_space");
  await page.waitForFunction(() => document.querySelector("pre.header")?.textContent.includes("alloc_space"));
  const want = await tableRows(page);
  assert.ok(want.length > 3, "the diff has rows");

  await page.click("#copy-link");
  await page.waitForSelector("dialog.share #copy-link-confirm:not([disabled])");
  const listed = await page.$$eval("dialog.share .share-files li .name", (els) => els.map((e) => e.textContent));
  assert.deepEqual(listed, ["heap.0.pprof", "heap.1.pprof", "heap.2.pprof", "heap.3.pprof"]);
  const link = await page.inputValue("dialog.share .link-text");
  assert.match(link, /#view=diff&si=alloc_space.*&data=[A-Za-z0-9_-]+$/);
  await page.context().close();

  const fresh = await open(browser, origin, link.slice(link.indexOf("#")));
  assert.deepEqual(await tableRows(fresh), want);
  assert.equal(await fresh.inputValue("select[name=si]"), "alloc_space");
  assert.equal(await fresh.getAttribute("#tab-diff", "aria-current"), "true");
  assert.equal(await fresh.$$eval("table.files tbody tr", (trs) => trs.length), 4);
  assert.deepEqual(fresh.errors, []);
  await fresh.context().close();
});

await test("#url= fetches from a CORS host; no CORS and 404 get clear messages", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the #url= test was SKIPPED !!!");
  const cors = await serve({ dir: join(corpus, "blog"), cors: true });
  const plain = await serve({ dir: join(corpus, "blog") });
  try {
    const url = `${cors.origin}/heap.3.pprof`;
    const page = await open(browser, origin, `#view=top&url=${encodeURIComponent(url)}`);
    const top = await tableRows(page);
    assert.deepEqual(top[0], ["408.97MB", "98.60%", "98.60%", "408.97MB", "98.60%", "bytes.Repeat"]);
    assert.equal(await page.textContent("table.files tbody td.name"), "heap.3.pprof");
    // speedscope's parameter is read too.
    const speedscope = await open(browser, origin, `#view=top&profileURL=${encodeURIComponent(url)}`);
    assert.deepEqual((await tableRows(speedscope))[0].at(-1), "bytes.Repeat");
    await speedscope.context().close();

    const bad = await open(browser, origin, `#url=${encodeURIComponent(`${plain.origin}/heap.3.pprof`)}&url=${encodeURIComponent(`${cors.origin}/missing.pprof`)}&url=${encodeURIComponent(`${cors.origin}/diff.0-3.top.txt`)}&url=javascript:alert(1)`);
    await bad.waitForFunction(() => document.querySelectorAll("#errors .error").length === 4);
    // Fetch failures first (in link order), then what the core refused.
    const errors = await bad.$$eval("#errors .error", (els) => els.map((e) => e.textContent));
    assert.match(errors[0], /heap\.3\.pprof: could not fetch it: .*Access-Control-Allow-Origin/);
    assert.match(errors[1], /missing\.pprof: could not fetch it: HTTP 404/);
    assert.match(errors[2], /^javascript:alert\(1\): only http and https links are fetched/);
    assert.match(errors[3], /^diff\.0-3\.top\.txt: ./, "text that is no profile is the core's error");
    await screenshot(bad, "url-errors");
    await bad.context().close();
    await page.context().close();
  } finally {
    cors.server.close();
    plain.server.close();
  }
});

await test("after one visit the site works offline: reload, then a dropped file is analysed", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the offline test was SKIPPED !!!");
  const page = await open(browser, origin, "#view=top");
  await page.evaluate(() => Promise.race([
    (async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((ok) => navigator.serviceWorker.addEventListener("controllerchange", ok, { once: true }));
    })(),
    new Promise((_, fail) => setTimeout(() => fail(new Error("no service worker took control within 10 s")), 10_000)),
  ]));
  await page.context().setOffline(true);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("#tabs button").length > 0);
  await drop(page, [blog("heap.3.pprof")]);
  assert.deepEqual((await tableRows(page))[0].at(-1), "bytes.Repeat");
  // The example and the report template come from the cache too.
  await page.click("#example");
  await page.waitForFunction(() => document.querySelectorAll("table.files tbody tr").length === 7);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("the downloaded report opens from file:// with the same view", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the report test was SKIPPED !!!");
  const page = await open(browser, origin, "#view=top&si=alloc_space");
  await drop(page, snapshots());
  const want = await tableRows(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#report")]);
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, "report.html");
  await download.saveAs(path);
  assert.match(download.suggestedFilename(), /^leakscope-report-\d{8}-\d{4}\.html$/);
  await page.context().close();

  const report = await openFile(path);
  assert.deepEqual(await tableRows(report), want);
  assert.equal(await report.inputValue("select[name=si]"), "alloc_space");
  assert.deepEqual(report.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("blob:") && !u.startsWith("data:")), []);
  assert.deepEqual(report.errors, []);
  await screenshot(report, "report");
  await report.context().close();
});

await test("leakscope capture --report: the live service's snapshots open from file:// on the Overview", async () => {
  // A service answering /debug/pprof/heap with the blog's snapshots in turn.
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the capture report test was SKIPPED !!!");
  const heaps = snapshots().map(([, bytes]) => bytes);
  let asked = 0;
  const service = createServer((req, res) => {
    if (req.url !== "/debug/pprof/heap") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(heaps[Math.min(asked++, heaps.length - 1)]);
  });
  await new Promise((ok) => service.listen(0, "127.0.0.1", ok));
  const dir = join(artifacts, "capture-report");
  rmSync(dir, { recursive: true, force: true });
  try {
    // Not execFileSync: the service answers from this process's event loop.
    await new Promise((ok, fail) => execFile("cargo", ["run", "--profile", "test", "--quiet", "--bin", "leakscope", "--", "capture", `http://127.0.0.1:${service.address().port}`,
      "--every", "2s", "--count", "2", "--out", join(dir, "taken"), "--report", join(dir, "report.html"), "--page", join(dist, "leakscope.html")],
    { cwd: root }, (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : ok(stdout))));
  } finally {
    service.close();
  }
  const report = await openFile(join(dir, "report.html"));
  await report.waitForFunction(() => document.querySelectorAll("table.files tbody tr").length === 2);
  assert.deepEqual(await report.$$eval("table.files tbody tr td:first-child", (tds) => tds.map((td) => td.textContent.trim())).then((n) => n.map((t) => t.replace(/\s.*$/, ""))), ["heap.0.pb.gz", "heap.1.pb.gz"]);
  await report.waitForSelector("#view .card");
  assert.match(await report.textContent("#view"), /main\.\(\*RequestTracker\)\.Track/);
  assert.deepEqual(report.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("blob:") && !u.startsWith("data:")), []);
  assert.deepEqual(report.errors, []);
  await screenshot(report, "capture-report");
  await report.context().close();
});

await test("dist/leakscope.html from file://: a dropped profile and the example", async () => {
  const page = await openFile(join(dist, "leakscope.html"));
  if (hasCorpus()) {
    await drop(page, [blog("heap.3.pprof")]);
    await page.click("#tab-top");
    assert.deepEqual((await tableRows(page))[1].at(-1), "main.(*RequestTracker).Track");
  }
  await page.click("#example");
  await page.waitForFunction(() => document.querySelectorAll("table.files tbody tr").length >= 6);
  await page.click("#tab-overview");
  await page.waitForSelector(".card");
  // The example's memory export: three OOM kills.
  assert.match(await page.textContent("#view"), /3 OOM kills/);
  assert.deepEqual(page.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("blob:") && !u.startsWith("data:")), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("a new deployment: the old version keeps serving until the user accepts the update", async () => {
  const site = join(artifacts, "site-update");
  rmSync(site, { recursive: true, force: true });
  cpSync(dist, site, { recursive: true });
  const hosted = await serve({ dir: site });
  try {
    const page = await open(browser, hosted.origin, "");
    await page.evaluate(() => Promise.race([
      (async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) await new Promise((ok) => navigator.serviceWorker.addEventListener("controllerchange", ok, { once: true }));
      })(),
      new Promise((_, fail) => setTimeout(() => fail(new Error("no service worker took control within 10 s")), 10_000)),
    ]));
    // Deploy version 2: another page and another service worker version.
    const index = join(site, "index.html");
    writeFileSync(index, readFileSync(index, "utf8").replace("<title>leakscope</title>", "<title>leakscope v2</title>"));
    const sw = join(site, "sw.js");
    writeFileSync(sw, readFileSync(sw, "utf8").replace(/const VERSION = "[^"]*"/, 'const VERSION = "v2-test"'));
    await page.reload();
    await page.waitForSelector(".update button", { timeout: 15_000 });
    assert.equal(await page.title(), "leakscope", "the old version still serves the page");
    await Promise.all([page.waitForEvent("load"), page.click(".update button")]);
    await page.waitForFunction(() => document.title === "leakscope v2");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    hosted.server.close();
  }
});

await test("the site under a path prefix: app, wasm, example, service worker", async () => {
  const prefixed = await serve({ prefix: "/tools/leakscope" });
  try {
    const page = await open(browser, prefixed.base, "");
    await page.click("#example");
    await page.waitForFunction(() => document.querySelectorAll("table.files tbody tr").length === 6);
    await page.waitForSelector(".card");
    const scope = await page.evaluate(() => Promise.race([
      navigator.serviceWorker.ready.then((r) => r.scope),
      new Promise((ok) => setTimeout(() => ok("no service worker within 10 s"), 10_000)),
    ]));
    assert.equal(scope, `${prefixed.base}/`);
    assert.ok(page.requests.every((u) => u.startsWith(`${prefixed.base}/`) || u.startsWith("blob:") || u.startsWith("data:")), page.requests.join("\n"));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    prefixed.server.close();
  }
});

await browser.close();
server.close();
finish();

// The page in a real headless Chromium: the blog's snapshots, the demo
// export, a bad file beside a good one, no request leaving the origin.
// Screenshots go to target/e2e/. Run by scripts/test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve, launch, open, drop, assertLocal, screenshot, rows, oracleRows, corpus, hasCorpus, root, suite, zipStored } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("browser tests");

const tab = (page, view) => page.click(`#tab-${view}`);
const blogFile = (name) => [name, readFileSync(join(corpus, "blog", name))];

await test("blog snapshots: top, overview, sample types, diff", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the blog test was SKIPPED !!!");
  const page = await open(browser, origin);
  await drop(page, ["heap.0.pprof", "heap.1.pprof", "heap.2.pprof", "heap.3.pprof"].map(blogFile));

  // Overview names the culprit and its line.
  await page.waitForSelector(".card");
  const card = await page.textContent(".card");
  assert.match(card, /main\.\(\*RequestTracker\)\.Track \(main\.go:24\) via bytes\.Repeat/);
  await screenshot(page, "overview");

  // Top of the latest snapshot: the blog's figures, to the character.
  await tab(page, "top");
  await page.waitForSelector("table.report tbody tr");
  const top = await rows(page);
  assert.deepEqual(top[0], ["408.97MB", "98.60%", "98.60%", "408.97MB", "98.60%", "bytes.Repeat"]);
  const track = top.find((r) => r[5] === "main.(*RequestTracker).Track");
  assert.deepEqual(track, ["1.28MB", "0.31%", "98.91%", "410.25MB", "98.91%", "main.(*RequestTracker).Track"]);
  await screenshot(page, "top");

  // Trend: the blog's small sites (bufio 0 → 2.01MB beside 409MB) are
  // "minor", and the legend under the table says what each verdict in it
  // means, one line for each and no other.
  await tab(page, "trend");
  await page.waitForSelector("table.trend tbody tr.growing");
  const verdicts = new Set(await page.$$eval("table.trend tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent)));
  assert.ok(verdicts.has("minor"), [...verdicts].join());
  const legend = await page.$$eval("ul.verdicts li", (lis) => lis.map((l) => l.textContent));
  assert.deepEqual(new Set(legend.map((l) => l.split(":")[0])), verdicts);
  assert.equal(legend.length, verdicts.size);
  assert.ok(legend.some((l) => /^minor: changed by more than sampling explains, or came and went, but by less than \d/.test(l)), legend.join("\n"));
  await tab(page, "top");
  await page.waitForSelector("table.report tbody tr");

  // alloc_space: pprof's figures for that sample type.
  await page.selectOption("select[name=si]", "alloc_space");
  await page.waitForFunction(() => document.querySelector("pre.header")?.textContent.includes("alloc_space"));
  const want = oracleRows(readFileSync(join(corpus, "blog/heap.3.alloc_space.top.txt"), "utf8"));
  assert.deepEqual(await rows(page), want);
  assert.match(page.url(), /si=alloc_space/);

  // Diff heap.0 → heap.3 (pprof -base): the oracle, row for row.
  await page.selectOption("select[name=si]", "inuse_space");
  await page.waitForFunction(() => document.querySelector("pre.header")?.textContent.includes("inuse_space"));
  await tab(page, "diff");
  await page.waitForSelector("select[name=base]");
  const diff = oracleRows(readFileSync(join(corpus, "blog/diff.0-3.top.txt"), "utf8"));
  assert.deepEqual(await rows(page), diff);
  assert.ok(await page.$("tr.grew"), "growing rows are marked");
  await screenshot(page, "diff");

  // Clicking a row opens its lines; reload keeps the view (URL state).
  await tab(page, "top");
  await page.click("table.report tbody tr >> text=main.(*RequestTracker).Track");
  await page.waitForSelector("section.listing");
  assert.match(await page.textContent("section.listing"), /410\.25MB/);
  assert.match(page.url(), /view=list/);
  await page.goBack();
  await page.waitForSelector("table.report tbody tr");
  assert.match(page.url(), /view=top/);
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("demo export: leak verdict, restart markers at the restarts, bytes per request", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the demo test was SKIPPED !!!");
  const csv = readFileSync(join(corpus, "demo/leak.grafana-joined.csv"));
  const page = await open(browser, origin);
  await drop(page, [["leak.grafana-joined.csv", csv]]);
  await page.waitForSelector(".card.leak");
  const card = await page.textContent(".card.leak");
  assert.match(card, /Leak: keeps about [\d.]+kB per request/);
  await tab(page, "charts");
  await page.waitForSelector("figure.chart.memory img");
  assert.equal(await page.textContent(".badge"), "leak");
  // The markers sit at the times the process start series changes.
  const text = csv.toString("utf8").split(/\r?\n/);
  const col = text[0].split('","').findIndex((h) => h.includes("process_start_time_seconds"));
  const starts = [...new Set(text.slice(1).filter(Boolean).map((l) => l.split(",")[col]).filter(Boolean))].slice(1).map(Number);
  const markers = await page.$$eval("figure.memory .marker", (ms) => ms.map((m) => Number(m.dataset.time)));
  assert.deepEqual(markers, starts);
  assert.ok(await page.$("figure.chart.requests img"), "request rate chart");
  // Hover shows values.
  const box = await (await page.$("figure.memory .overlay")).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector("figure.memory .tip:not([hidden])");
  assert.match(await page.textContent("figure.memory .tip"), /UTC/);
  await screenshot(page, "chart");
  // Drag to zoom, double-click to reset.
  await page.mouse.move(box.x + box.width * 0.3, box.y + 50);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + 50, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => location.hash.includes("from="));
  await page.dblclick("figure.memory .overlay");
  await page.waitForFunction(() => !location.hash.includes("from="));
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("a bad file beside a good one: an error card, and the good one analysed", async () => {
  const page = await open(browser, origin);
  const good = readFileSync(join(root, "tests/data/go.heap.pb.gz"));
  await drop(page, [["garbage.pb.gz", Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3])], ["go.heap.pb.gz", good]]);
  await page.waitForSelector(".error");
  assert.match(await page.textContent(".error"), /garbage\.pb\.gz.*gzip/s);
  assert.deepEqual(await page.$$eval("table.files tbody tr td.name", (tds) => tds.map((t) => t.textContent)), ["go.heap.pb.gz"]);
  await tab(page, "top");
  await page.waitForSelector("table.report tbody tr");
  assert.equal((await rows(page))[0][5], "bytes.Repeat (inline)");
  assertLocal(page, origin);
  await page.context().close();
});

await test("a dropped zip: a file per member, and a card for the member that cannot be read", async () => {
  const page = await open(browser, origin);
  const zip = zipStored([
    ["snapshots/go.heap.pb.gz", readFileSync(join(root, "tests/data/go.heap.pb.gz"))],
    ["leak.csv", readFileSync(join(root, "tests/data/series/leak/grafana-joined-epoch.csv"))],
    ["shot.png", Buffer.from("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "latin1")],
  ]);
  await drop(page, [["run.zip", zip]]);
  await page.waitForSelector(".error");
  assert.match(await page.textContent(".error"), /run\.zip\/shot\.png.*PNG image/s);
  assert.deepEqual(await page.$$eval("table.files tbody tr td.name", (tds) => tds.map((t) => t.textContent)), ["run.zip/snapshots/go.heap.pb.gz", "run.zip/leak.csv"]);
  await tab(page, "top");
  await page.waitForSelector("table.report tbody tr");
  assert.equal((await rows(page))[0][5], "bytes.Repeat (inline)");
  assert.deepEqual(page.errors, []);
  assertLocal(page, origin);
  await page.context().close();
});

await test("the built-in example", async () => {
  const page = await open(browser, origin);
  await page.click("#example");
  await page.waitForSelector(".card.leak");
  const card = await page.textContent(".card.leak");
  assert.match(card, /restarted 3 times at about [0-9.]+MB, 3 of them OOM kills/);
  assert.match(card, /main\.\(\*Store\)\.Keep/);
  await tab(page, "trend");
  await page.waitForSelector("table.trend tbody tr.growing");
  assert.ok(await page.$("table.trend svg.spark path"), "sparklines");
  // Under the table, one line for each verdict its rows have, and no other.
  const verdicts = new Set(await page.$$eval("table.trend tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent)));
  const legend = await page.$$eval("ul.verdicts li", (lis) => lis.map((l) => l.textContent.split(":")[0]));
  assert.deepEqual(new Set(legend), verdicts);
  assert.equal(legend.length, verdicts.size);
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("source files beside a profile: the listing shows the lines' text", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the source test was SKIPPED !!!");
  const page = await open(browser, origin);
  const source = readFileSync(join(corpus, "demo/source/leaksvc/main.go"));
  // A folder drop names files by their path in the folder.
  await drop(page, [["heap.3.pprof", readFileSync(join(corpus, "demo/heap.3.pprof"))], ["leaksvc/main.go", source]]);
  await page.goto(`${origin}/#view=list&list=main.(*RequestTracker).Track`);
  await page.waitForSelector("section.listing");
  // (A fresh page load: files are gone, so load again on this view.)
  await drop(page, [["heap.3.pprof", readFileSync(join(corpus, "demo/heap.3.pprof"))], ["leaksvc/main.go", source]]);
  await page.waitForSelector("section.listing tr.hot");
  const hot = await page.$$eval("section.listing tr.hot", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const line68 = hot.find((r) => r[2] === "68");
  assert.ok(line68, JSON.stringify(hot));
  assert.match(line68[3], /bytes\.Repeat\(\[\]byte\("a"\), 10000\)/);
  assert.equal(line68[1], "31.81MB");
  await page.context().close();
});

await test("pasted text is read like a dropped file", async () => {
  const page = await open(browser, origin, "#view=top");
  await page.click("#paste summary");
  // (Set directly: typing 230 kB through the keyboard takes a while.)
  const text = readFileSync(join(root, "tests/data/go.heap.debug1.txt"), "utf8");
  await page.$eval("#paste-text", (el, t) => (el.value = t), text);
  const before = await page.evaluate(() => window.__loads ?? 0);
  await page.click("#paste-load");
  await page.waitForFunction((n) => (window.__loads ?? 0) > n, before);
  await page.waitForSelector("table.report tbody tr");
  assert.match((await rows(page))[0][5], /bytes\.Repeat/);
  assert.equal(await page.textContent("table.files td.name"), "pasted-1.txt");
  await page.context().close();
});

await test("a big file shows progress, and Cancel keeps the other files", async () => {
  const page = await open(browser, origin, "#view=top");
  await drop(page, [["go.heap.pb.gz", readFileSync(join(root, "tests/data/go.heap.pb.gz"))]]);
  // A 40 MB Prometheus text export, made in the page.
  const started = page.evaluate(() => {
    const lines = [];
    for (let i = 0; i < 600000; i++) lines.push(`process_resident_memory_bytes{instance="a:1",job="big"} ${1e7 + i * 1000} ${1700000000000 + i * 1000}`);
    const dt = new DataTransfer();
    dt.items.add(new File([lines.join("\n")], "big.prom"));
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await started;
  await page.waitForSelector("#progress:not([hidden])");
  assert.equal(await page.textContent("#progress-name"), "big.prom");
  await page.click("#cancel");
  await page.waitForSelector(".error");
  assert.match(await page.textContent(".error"), /big\.prom: loading cancelled/);
  await page.waitForFunction(() => document.querySelector("#progress").hidden);
  await page.waitForSelector("table.report tbody tr");
  assert.deepEqual(await page.$$eval("table.files tbody tr td.name", (tds) => tds.map((t) => t.textContent)), ["go.heap.pb.gz"]);
  assert.equal((await rows(page))[0][5], "bytes.Repeat (inline)");
  await page.context().close();
});

await test("the call graph: click a node to focus on it", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the graph test was SKIPPED !!!");
  const page = await open(browser, origin, "#view=graph");
  await drop(page, [blogFile("heap.3.pprof")]);
  await page.waitForSelector("svg.graph g.node");
  const names = await page.$$eval("svg.graph g.node", (gs) => gs.map((g) => g.dataset.name));
  assert.ok(names.includes("main.(*RequestTracker).Track") && names.includes("bytes.Repeat"), names.join(", "));
  await screenshot(page, "graph");
  await page.click('svg.graph g.node[data-name="main.(*RequestTracker).Track"]');
  await page.waitForFunction(() => decodeURIComponent(location.hash).includes("f=^main\\.\\(\\*RequestTracker\\)\\.Track$"));
  await page.waitForFunction(() => [...document.querySelectorAll("svg.graph .legend text")].some((t) => t.textContent.includes("focus=")));
  assert.equal(await page.inputValue("input[name=f]"), "^main\\.\\(\\*RequestTracker\\)\\.Track$");
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("the flame graph: click to zoom, breadcrumb back, search", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the flame test was SKIPPED !!!");
  const page = await open(browser, origin, "#view=flame");
  await drop(page, [blogFile("heap.3.pprof")]);
  await page.waitForSelector("canvas.flame");
  await page.waitForTimeout(100);
  await screenshot(page, "flame");
  // The second row holds the first frame under the root: click its left end.
  const box = await (await page.$("canvas.flame")).boundingBox();
  await page.mouse.click(box.x + 5, box.y + 18 + 9);
  await page.waitForFunction(() => location.hash.includes("fz=") && document.querySelectorAll(".breadcrumb button").length >= 2);
  const crumbs = await page.$$eval(".breadcrumb button", (bs) => bs.map((b) => b.textContent));
  assert.ok(crumbs.length >= 2 && crumbs[0] === "root", crumbs.join(" > "));
  const paints = await page.evaluate(() => performance.getEntriesByName("painted:flame").length);
  await page.click(".breadcrumb button >> nth=0");
  // The zoomed-out view painted (its controls replaced) before typing in them.
  await page.waitForFunction((n) => !location.hash.includes("fz=") && performance.getEntriesByName("painted:flame").length > n, paints);
  await page.fill("input[name=q]", "Repeat");
  await page.waitForSelector(".search-result");
  assert.match(await page.textContent(".search-result"), /408\.97MB \(98\.60% of the total\)/);
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await browser.close();
server.close();
finish();

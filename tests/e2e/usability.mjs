// A page a person can live in: filters that forgive half-typed regexes,
// files that survive a reload, every control by keyboard, no sideways
// scroll from 360 to 2560 px, and axe-core's accessibility check on every
// view. Screenshots go to target/e2e/. Run by scripts/test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { serve, launch, open, drop, screenshot, rows, corpus, hasCorpus, dist, reportViolations, suite } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("usability tests");

const VIEWS = ["overview", "charts", "top", "list", "diff", "graph", "flame", "callers", "trend"];
const blogFile = (name) => [name, readFileSync(join(corpus, "blog", name))];
const blog = () => ["heap.0.pprof", "heap.1.pprof", "heap.2.pprof", "heap.3.pprof"].map(blogFile);
const demo = () => [["leak.grafana-joined.csv", readFileSync(join(corpus, "demo/leak.grafana-joined.csv"))]];
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** A page at a given viewport (the harness's `open` is 1280×900). */
const openAt = (width, height, url = `${origin}/`) => open(browser, origin, "", { viewport: { width, height }, url });

/** Opens a view by its tab and waits until its content is painted. */
async function show(page, view) {
  const before = await page.evaluate((v) => performance.getEntriesByName(`painted:${v}`).length, view);
  await page.click(`#tab-${view}`);
  await page.waitForFunction(([v, n]) => performance.getEntriesByName(`painted:${v}`).length > n, [view, before]);
}

await test("a half-typed regex keeps the box, its focus and the last good view, with the error beside it", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the filter test was SKIPPED !!!");
  const page = await open(browser, origin);
  await drop(page, blog());
  await show(page, "top");
  const before = await rows(page);
  await page.click("input[name=f]");
  await page.keyboard.type("(*Request", { delay: 30 });
  await page.waitForSelector(".field-error");
  assert.match(await page.textContent(".field-error"), /focus|regexp|regex/i);
  assert.equal(await page.evaluate(() => document.activeElement?.name), "f", "focus stays in the box");
  assert.equal(await page.inputValue("input[name=f]"), "(*Request");
  assert.equal(await page.getAttribute("input[name=f]", "aria-invalid"), "true");
  assert.deepEqual(await rows(page), before, "the last good view stays");
  assert.doesNotMatch(page.url(), /[#&]f=/, "the refused value does not enter the link");
  await screenshot(page, "filter-refused");
  // Typing on: a good regex applies; focus and caret stay in the box.
  await page.keyboard.press("Control+A");
  await page.keyboard.type("RequestTracker", { delay: 30 });
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get("f") === "RequestTracker");
  await page.waitForFunction(() => !document.querySelector(".field-error"));
  assert.equal(await page.evaluate(() => document.activeElement?.name), "f", "focus stays after the view is redrawn");
  assert.equal(await page.inputValue("input[name=f]"), "RequestTracker");
  assert.equal(await page.evaluate(() => document.activeElement.selectionStart), "RequestTracker".length, "the caret stays at the end");
  await page.waitForFunction(() => document.querySelector("pre.header").textContent.includes("focus=RequestTracker"));
  assert.ok((await rows(page)).length > 0);
  // Every other tab still works (the refused value was never the state).
  for (const view of VIEWS) await show(page, view);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("a link with a bad regex says so and offers the view without filters", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the bad-link test was SKIPPED !!!");
  const page = await open(browser, origin, "#view=top&f=(*x");
  await drop(page, blog());
  await page.waitForSelector("#view .message button");
  assert.match(await page.textContent("#view .message"), /regexp|regex/i);
  await page.click("#view .message button");
  await page.waitForSelector("table.report tbody tr");
  assert.doesNotMatch(page.url(), /f=/);
  await page.context().close();
});

await test("a link naming a view there is none of shows the Overview, its tab marked, and says so as text", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the unknown-view test was SKIPPED !!!");
  const page = await open(browser, origin, "#view=memory");
  await drop(page, blog());
  await page.waitForSelector("#view p.note[role=status]");
  assert.match(await page.textContent("#view p.note"), /a view called “memory”, which leakscope does not have, so here is the Overview\. The views are Overview, Memory, Top/);
  assert.equal(await page.getAttribute("#tab-overview", "aria-current"), "true");
  assert.doesNotMatch(page.url(), /view=/, "the link is rewritten to the view shown");
  await screenshot(page, "unknown-view");
  // A name from a link is text: markup in it is shown, not made.
  await page.evaluate(() => { location.hash = "#view=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"; });
  await page.waitForFunction(() => document.querySelector("#view p.note")?.textContent.includes("<img src=x"));
  assert.equal(await page.$$eval("#view img", (els) => els.length), 0);
  await page.click("#tab-top");
  await page.waitForSelector("table.report tbody tr");
  assert.equal(await page.$$eval("#view p.note[role=status]", (els) => els.length), 0, "the line goes with the view");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("files survive a reload and reopening the page; Forget clears them; an earlier card about a file goes when it loads", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the reload test was SKIPPED !!!");
  const page = await open(browser, origin);
  // A bad file under a name, then a good file under the same name: the card goes.
  await drop(page, [["heap.3.pprof", Buffer.from("not a profile at all\n")]]);
  await page.waitForSelector(".error");
  const card = await page.textContent(".error");
  assert.equal(card.split("heap.3.pprof").length - 1, 1, `the file is named once: ${card}`);
  assert.doesNotMatch(card, /wire type|prost|varint|DecodeError/i, card);
  await drop(page, blog());
  assert.equal(await page.$$eval("#errors .error", (c) => c.length), 0, "the card about heap.3.pprof went when it loaded");
  await drop(page, demo());
  const names = async () => page.$$eval("table.files td.name", (tds) => tds.map((td) => td.textContent));
  const loaded = await names();
  assert.equal(loaded.length, 5);
  await page.waitForSelector("#forget");
  assert.match(await page.textContent("#kept"), /Kept in this browser/);
  await show(page, "top");
  const top = await rows(page);

  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll("table.files td.name").length === n, loaded.length);
  assert.deepEqual(await names(), loaded, "the same files, in the same order");
  await page.waitForSelector("table.report tbody tr");
  assert.deepEqual(await rows(page), top, "the same view");

  // Reopening the page (a new tab, no link) finds them too.
  const again = await page.context().newPage();
  await again.goto(`${origin}/`);
  await again.waitForFunction((n) => document.querySelectorAll("table.files td.name").length === n, loaded.length);
  // Two tabs mirror their files into one store (a known limit): this one
  // is closed once it has written, so the removal below is the last word.
  await again.waitForSelector("#forget");
  await again.close();

  // A removed file stays removed after a reload, even one the moment the
  // table stops showing it (the page wrote storage first; when the table
  // changed first, a quick reload sometimes found five).
  // The page's CPU slowed twentyfold widens the moment between the two.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 20 });
  await page.click(`table.files button[aria-label="remove heap.0.pprof"]`);
  await page.waitForFunction(() => document.querySelectorAll("table.files td.name").length === 4, null, { polling: 1 });
  await page.reload();
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  // Restored: the kept line is written once the files it held are loaded.
  await page.waitForSelector("#forget");
  assert.deepEqual(await names(), loaded.filter((n) => n !== "heap.0.pprof"), "the removed file stays removed");

  await page.click("#forget");
  await page.waitForFunction(() => document.body.classList.contains("empty"));
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("#tabs button").length > 0);
  await page.waitForTimeout(500);
  assert.equal((await names()).length, 0, "forgotten files stay forgotten");
  await page.context().close();
});

await test("a file over the storage limit is loaded but not kept, and the page says why", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await reportViolations(context);
  // For the test only: a limit of 64 kB instead of 512 MB.
  await context.addInitScript(() => (window.__keepLimit = 64 << 10));
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.querySelectorAll("#tabs button").length > 0);
  const big = "# a pasted Prometheus text export\n" + Array.from({ length: 3000 }, (_, i) => `process_resident_memory_bytes{instance="a"} ${1e6 + i * 1000} ${1_700_000_000_000 + i * 15000}`).join("\n") + "\n";
  await drop(page, [["big.prom", Buffer.from(big)], ["small.prom", Buffer.from(big.slice(0, 2000).replace(/\n[^\n]*$/, "\n"))]]);
  await page.waitForSelector("#forget");
  const line = await page.textContent("#kept");
  assert.match(line, /Not kept: big\.prom \([\d.]+kB\): the page keeps at most 64kB/, line);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("table.files td.name").length === 1);
  assert.equal(await page.textContent("table.files td.name"), "small.prom");
  await context.close();
});

await test("dist/leakscope.html from file:// keeps its files over a reload (Chromium gives file:// storage)", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the file:// storage test was SKIPPED !!!");
  const page = await openAt(1280, 900, pathToFileURL(join(dist, "leakscope.html")).href);
  await drop(page, demo());
  await page.waitForSelector("#forget");
  assert.match(await page.textContent("#kept"), /Kept in this browser/);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("table.files td.name").length === 1);
  assert.equal(await page.textContent("table.files td.name"), "leak.grafana-joined.csv");
  await page.context().close();
});

await test("a link's files are not kept and leave the kept ones alone; adding a file of one's own keeps the set", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the link storage test was SKIPPED !!!");
  // A colleague's link, carrying heap.3.
  const colleague = await open(browser, origin);
  await drop(colleague, [blogFile("heap.3.pprof")]);
  await colleague.click("#copy-link");
  await colleague.waitForSelector("dialog.share #copy-link-confirm:not([disabled])");
  const link = await colleague.inputValue("dialog.share .link-text");
  await colleague.context().close();

  // My browser keeps heap.0; the link opens heap.3 beside nothing of mine.
  const mine = await open(browser, origin);
  const names = (page) => page.$$eval("table.files td.name", (tds) => tds.map((td) => td.textContent));
  await drop(mine, [blogFile("heap.0.pprof")]);
  await mine.waitForSelector("#forget");
  const linked = await mine.context().newPage();
  await linked.goto(link);
  await linked.waitForFunction(() => document.querySelectorAll("table.files td.name").length === 1);
  assert.deepEqual(await names(linked), ["heap.3.pprof"]);
  assert.match(await linked.textContent("#kept"), /Not kept in this browser: these files came with the link/);
  assert.equal(await linked.$("#forget"), null, "no Forget: it would clear what was kept before");
  // The page opened without the link finds my heap.0, not the link's file.
  const plain = await mine.context().newPage();
  await plain.goto(`${origin}/`);
  await plain.waitForFunction(() => document.querySelectorAll("table.files td.name").length === 1);
  assert.deepEqual(await names(plain), ["heap.0.pprof"]);
  // Adding a file to the link's: the set is mine now, and kept.
  await drop(linked, [blogFile("heap.1.pprof")]);
  await linked.waitForSelector("#forget");
  assert.doesNotMatch(linked.url(), /data=/);
  await linked.reload();
  await linked.waitForFunction(() => document.querySelectorAll("table.files td.name").length === 2);
  assert.deepEqual((await names(linked)).sort(), ["heap.1.pprof", "heap.3.pprof"]);
  await mine.context().close();
});

await test("keyboard only: open a file, visit every tab, / focuses the search box; focus is visible", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the keyboard test was SKIPPED !!!");
  const page = await open(browser, origin);
  // Listening early: Playwright intercepts the file dialog only once asked to.
  const chooserOpened = page.waitForEvent("filechooser");
  const focusedId = () => page.evaluate(() => document.activeElement?.id);
  /** Presses Tab until the element `id` has focus (at most `limit` times). */
  const tabTo = async (id, limit = 60) => {
    for (let k = 0; k < limit; k++) {
      await page.keyboard.press("Tab");
      if ((await focusedId()) === id) return k + 1;
    }
    throw new Error(`Tab never reached #${id}`);
  };
  await tabTo("open-files");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "the focused button shows it");
  await page.keyboard.press("Enter");
  const chooser = await chooserOpened;
  const loads = await page.evaluate(() => window.__loads ?? 0);
  await chooser.setFiles(["heap.0.pprof", "heap.3.pprof"].map((n) => join(corpus, "blog", n)));
  await page.waitForFunction((n) => (window.__loads ?? 0) > n, loads);
  for (const view of VIEWS) {
    await tabTo(`tab-${view}`);
    const visible = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle !== "none");
    assert.ok(visible, `tab ${view} shows its focus`);
    const before = await page.evaluate((v) => performance.getEntriesByName(`painted:${v}`).length, view);
    await page.keyboard.press("Enter");
    await page.waitForFunction(([v, n]) => performance.getEntriesByName(`painted:${v}`).length > n, [view, before]);
    assert.equal(await page.getAttribute(`#tab-${view}`, "aria-current"), "true");
    await screenshot(page, `keyboard-${view}`);
  }
  // `/` goes to the box that says "/ to search" (Top), not the Focus filter.
  await page.keyboard.press("Shift+Tab");
  await tabTo("tab-top");
  await page.keyboard.press("Enter");
  await page.waitForSelector("input.search");
  await page.locator("#tab-top").focus();
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement?.className), "search");
  // A row opens its source lines with Enter.
  await page.keyboard.type("Track");
  await page.keyboard.press("Tab");
  for (let k = 0; k < 40 && !(await page.evaluate(() => document.activeElement?.tagName === "TR" && !document.activeElement.hidden)); k++) await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.waitForSelector("section.listing");
  await page.context().close();
});

await test("keyboard only: the memory chart reads values and zooms, the flame graph moves between frames and zooms", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the chart keyboard test was SKIPPED !!!");
  const page = await open(browser, origin);
  await page.click("#example");
  await page.waitForSelector(".card.leak");
  await show(page, "charts");
  await page.locator(".legend-item").last().focus();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.focus), "chart-0-memory", "Tab goes from the legend to the chart");
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), "none", "the chart shows its focus");
  for (let k = 0; k < 10; k++) await page.keyboard.press("ArrowRight");
  await page.waitForSelector("figure.chart.memory .tip:not([hidden])");
  assert.match(await page.textContent("figure.chart.memory .tip"), /process_resident_memory_bytes.*B/);
  const painted = await page.evaluate(() => performance.getEntriesByName("painted:charts").length);
  await page.keyboard.press("+");
  await page.waitForFunction((n) => performance.getEntriesByName("painted:charts").length > n, painted);
  const zoomed = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.ok(Number(zoomed.get("to")) > Number(zoomed.get("from")), `zoomed: ${zoomed}`);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.focus), "chart-0-memory", "focus stays on the chart");
  await page.keyboard.press("0");
  await page.waitForFunction(() => !location.hash.includes("from="));
  await screenshot(page, "keyboard-chart");

  await show(page, "flame");
  await page.locator("canvas.flame").focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector(".flame-wrap .tip:not([hidden])");
  const name = await page.textContent(".flame-wrap .tip strong");
  assert.ok(name.length > 0);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => location.hash.includes("fz="));
  const crumbs = await page.textContent("nav.breadcrumb");
  assert.ok(crumbs.includes(name), `zoomed into ${name}: ${crumbs}`);
  assert.match(await page.evaluate(() => document.activeElement?.tagName), /CANVAS/i, "focus stays on the flame graph");
  // Its menu, by keyboard, and Escape back.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Shift+F10");
  await page.waitForSelector(".popup");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Callers and callees");
  await page.keyboard.press("Escape");
  assert.equal(await page.$(".popup"), null);
  assert.match(await page.evaluate(() => document.activeElement?.tagName), /CANVAS/i);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const [width, height] of [[390, 844], [360, 740], [2560, 1440]]) {
  await test(`${width}×${height}: every view fits the width (no sideways scroll)`, async () => {
    if (!hasCorpus()) return console.error("!!! shared corpus missing: the small-screen test was SKIPPED !!!");
    const page = await openAt(width, height);
    await page.click("#example");
    await page.waitForSelector(".card.leak");
    for (const view of VIEWS) {
      await show(page, view);
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      assert.ok(scroll <= inner, `${view} at ${width} px: the page is ${scroll} px wide`);
      // The view itself (on a phone the file list fills the first screen).
      await page.evaluate(() => document.getElementById("tabs").scrollIntoView());
      await screenshot(page, `${width}-${view}`);
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

await test("axe-core: no serious or critical violation on any view, light and dark", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the accessibility test was SKIPPED !!!");
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.querySelectorAll("#tabs button").length > 0);
    const check = async (where) => {
      // Through the DevTools protocol: the page's CSP does not apply to it.
      await page.evaluate(axeSource);
      const found = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
      });
      assert.deepEqual(found, [], `${scheme} ${where}`);
    };
    await check("empty page");
    await page.click("#example");
    await page.waitForSelector(".card.leak");
    for (const view of VIEWS) {
      await show(page, view);
      await check(view);
    }
    await context.close();
  }
});

await browser.close();
server.close();
finish();

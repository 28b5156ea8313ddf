// The call graph and the flame graph as a new reader meets them, in
// Chromium at 1400×900: the blog's graph opens whole, its labels ≥ 11 px
// on screen (font size × the text's screen scale), above the fold; a large
// CPU profile's graph opens readable on its heaviest path with an overview
// to move around; the graph answers the keyboard; the flame graph's
// tooltip has no empty line and, against a base, says the change with its
// unit and share of the base's total, on a colour as deep as the change.
// Screenshots go to target/e2e/graphflame-*.png. Run by scripts/test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve, launch, open, drop, assertLocal, screenshot, corpus, root, hasCorpus, suite } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("graph and flame tests");

const READABLE = 11;
const corpusFile = (path) => [path.split("/").pop(), readFileSync(join(corpus, path))];

/** A page at the size the issue was tried at. */
const openAt = (hash, viewport = { width: 1400, height: 900 }) => open(browser, origin, hash, { viewport });

/** The graph once laid out: how it opened, its scale, and on-screen sizes. */
async function graphState(page) {
  await page.waitForSelector("svg.graph[data-opened]");
  return page.evaluate(() => {
    const root = document.querySelector("svg.graph");
    const rect = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
    // On-screen size of a text: its font size times its screen scale.
    const px = (t) => parseFloat(t.getAttribute("font-size")) * t.getScreenCTM().a;
    const labels = [...root.querySelectorAll("g.node text, g.nodelet text, g.edge text")].map(px);
    const boxes = [...root.querySelectorAll("g.node > rect, g.nodelet > rect")].map((r) => rect(r.getBoundingClientRect()));
    const legend = rect(root.querySelector(".legend rect").getBoundingClientRect());
    const biggest = [...root.querySelectorAll("g.node")].sort((a, b) =>
      parseFloat(b.querySelector("text").getAttribute("font-size")) - parseFloat(a.querySelector("text").getAttribute("font-size")))[0];
    const overview = document.querySelector("svg.overview");
    // Texts that run past their box: the core sizes boxes without a font to measure.
    const spills = [...root.querySelectorAll("g.node, g.nodelet")].flatMap((n) => {
      const box = n.querySelector("rect").getBoundingClientRect();
      return [...n.querySelectorAll("text")]
        .filter((t) => { const r = t.getBoundingClientRect(); return r.left < box.left - 0.5 || r.right > box.right + 0.5; })
        .map((t) => t.textContent);
    });
    // Edge labels drawn across their own edge (its curve sampled at 60 points).
    const onTheirEdge = [...root.querySelectorAll("g.edge")].filter((e) => {
      const path = e.querySelector("path");
      const text = e.querySelector("text");
      if (!path || !text) return false;
      const r = text.getBBox();
      const length = path.getTotalLength();
      return Array.from({ length: 61 }, (_, i) => path.getPointAtLength((length * i) / 60))
        .some((p) => p.x > r.x + 1 && p.x < r.x + r.width - 1 && p.y > r.y + 1 && p.y < r.y + r.height - 1);
    }).map((e) => e.querySelector("text").textContent);
    // Edge labels cut off at the drawing's edge (the overview's viewBox is the whole drawing).
    const whole = overview.viewBox.baseVal;
    const cut = [...root.querySelectorAll("g.edge text")].filter((t) => {
      const r = t.getBBox();
      return r.x < -0.5 || r.y < -0.5 || r.x + r.width > whole.width + 0.5 || r.y + r.height > whole.height + 0.5;
    }).map((t) => t.textContent);
    // Edge labels on a box (1 px of touching allowed).
    const boxRects = [...root.querySelectorAll("g.node > rect, g.nodelet > rect")].map((r) => r.getBBox());
    const onABox = [...root.querySelectorAll("g.edge text")].filter((t) => {
      const l = t.getBBox();
      return boxRects.some((b) => l.x + 1 < b.x + b.width && b.x + 1 < l.x + l.width && l.y + 1 < b.y + b.height && b.y + 1 < l.y + l.height);
    }).map((t) => t.textContent);
    return {
      opened: root.dataset.opened,
      scale: Number(root.dataset.scale),
      viewBox: root.getAttribute("viewBox"),
      smallest: Math.min(...labels),
      frame: rect(document.querySelector(".graph-frame").getBoundingClientRect()),
      boxes,
      spills,
      onTheirEdge,
      cut,
      onABox,
      legend,
      hottest: { name: biggest.dataset.name, box: rect(biggest.querySelector("rect").getBoundingClientRect()) },
      overview: overview && !overview.classList.contains("hidden") ? rect(overview.getBoundingClientRect()) : null,
      window: overview && rect(overview.querySelector(".window").getBoundingClientRect()),
      fold: innerHeight,
      scrolled: scrollY,
    };
  });
}

const inside = (r, f) => r.left >= f.left - 0.5 && r.right <= f.right + 0.5 && r.top >= f.top - 0.5 && r.bottom <= f.bottom + 0.5;

await test("the blog's graph opens whole, labels ≥ 11 px, above the fold", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the graph test was SKIPPED !!!");
  const page = await openAt("#view=graph");
  await drop(page, [corpusFile("blog/heap.3.pprof")]);
  const g = await graphState(page);
  await screenshot(page, "graphflame-blog-graph");
  assert.equal(g.opened, "whole");
  assert.ok(g.smallest >= READABLE, `smallest label ${g.smallest.toFixed(2)} px`);
  // Every box and the legend inside the panel, and the panel above the fold.
  for (const b of [...g.boxes, g.legend]) assert.ok(inside(b, g.frame), `${JSON.stringify(b)} outside the panel ${JSON.stringify(g.frame)}`);
  assert.ok(g.frame.bottom <= g.fold, `the panel ends at ${g.frame.bottom}, below the fold at ${g.fold}`);
  assert.equal(g.scrolled, 0);
  assert.equal(g.boxes.length, 8, "7 nodes and bytes.Repeat's nodelet");
  assert.deepEqual(g.spills, [], "texts past their box");
  assert.deepEqual(g.onTheirEdge, [], "edge labels across their own edge");
  assert.deepEqual(g.cut, [], "edge labels cut off at the drawing's edge");
  assert.deepEqual(g.onABox, [], "edge labels on a box");
  assert.equal(g.overview, null, "no overview when all of it is on show");
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("a box holds its text when the text is all digits at the largest font", async () => {
  // tests/data/extremes.pb.gz: main.e's value line is 44 characters of
  // digits and % at 24 px, which a flat 0.6 em a character drew past its box.
  const page = await openAt("#view=graph&si=inuse_space");
  await drop(page, [["extremes.pb.gz", readFileSync(join(root, "tests/data/extremes.pb.gz"))]]);
  const g = await graphState(page);
  await screenshot(page, "graphflame-extremes-graph");
  assert.ok(g.boxes.length >= 4, `${g.boxes.length} boxes`);
  assert.deepEqual(g.spills, [], "texts past their box");
  assert.deepEqual(g.onTheirEdge, [], "edge labels across their own edge");
  assert.deepEqual(g.cut, [], "edge labels cut off at the drawing's edge");
  assert.deepEqual(g.onABox, [], "edge labels on a box");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("the graph answers the keyboard: zoom, see it all, a focused node in view", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the keyboard test was SKIPPED !!!");
  const page = await openAt("#view=graph");
  await drop(page, [corpusFile("blog/heap.3.pprof")]);
  const start = await graphState(page);
  await page.focus("svg.graph");
  await page.keyboard.press("+");
  await page.keyboard.press("+");
  const zoomed = await graphState(page);
  assert.ok(zoomed.scale > start.scale * 1.5, `${start.scale} → ${zoomed.scale}`);
  assert.ok(zoomed.overview, "zoomed in, the overview shows where");
  await page.keyboard.press("0");
  assert.equal((await graphState(page)).overview, null, "0 shows it all");
  // Tab reaches the nodes; the focused one is marked.
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const g = document.activeElement;
    return { node: g.matches("g.node"), stroke: getComputedStyle(g.querySelector("rect")).strokeWidth };
  });
  assert.deepEqual(focused, { node: true, stroke: "4px" });
  // Zoomed in far, tabbing to a node off screen brings it into view.
  for (let i = 0; i < 6; i++) await page.keyboard.press("+");
  for (let i = 0; i < 6; i++) await page.keyboard.press("Tab");
  const shown = await page.evaluate(() => {
    const r = document.activeElement.querySelector("rect").getBoundingClientRect();
    const f = document.querySelector(".graph-frame").getBoundingClientRect();
    return r.left >= f.left && r.right <= f.right && r.top >= f.top && r.bottom <= f.bottom;
  });
  assert.ok(shown, "the focused node is on show");
  // (The page's scroll is put back on the next frame.)
  assert.equal(await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(scrollY))))), 0, "the graph panned to it, the page did not scroll");
  await screenshot(page, "graphflame-keyboard");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => location.hash.includes("f="));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("a large CPU profile's graph opens readable on its heaviest path, with an overview", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the large graph test was SKIPPED !!!");
  const page = await openAt("#view=graph");
  // 18245 samples, 2516 functions: pprof's 80 nodes.
  await drop(page, [corpusFile("external/Golbat/default.pgo")]);
  const g = await graphState(page);
  await screenshot(page, "graphflame-large-graph");
  assert.equal(g.opened, "heaviest path");
  assert.ok(g.smallest >= READABLE, `smallest label ${g.smallest.toFixed(2)} px`);
  assert.ok(g.boxes.length >= 80, `${g.boxes.length} boxes`);
  assert.deepEqual(g.spills, [], "texts past their box");
  assert.deepEqual(g.onTheirEdge, [], "edge labels across their own edge");
  assert.deepEqual(g.cut, [], "edge labels cut off at the drawing's edge");
  assert.deepEqual(g.onABox, [], "edge labels on a box");
  // The node with the largest flat value (the largest font) is on show.
  assert.ok(inside(g.hottest.box, g.frame), `${g.hottest.name} at ${JSON.stringify(g.hottest.box)}, not in ${JSON.stringify(g.frame)}`);
  assert.ok(g.frame.bottom <= g.fold);
  // The overview: in the panel's corner, the part on show marked in it.
  assert.ok(g.overview && inside(g.overview, g.frame), "an overview in the panel");
  assert.ok(inside(g.window, g.overview) && g.window.right - g.window.left < g.overview.right - g.overview.left);
  // A click in the overview moves the view there; a drag follows the pointer.
  const o = g.overview;
  await page.mouse.click(o.right - 20, o.top + 20);
  const moved = await graphState(page);
  assert.notEqual(moved.viewBox, g.viewBox);
  assert.equal(moved.scale, g.scale, "moving keeps the scale");
  await page.mouse.move(o.left + 30, o.bottom - 20);
  await page.mouse.down();
  await page.mouse.move(o.left + 60, o.bottom - 30, { steps: 4 });
  await page.mouse.up();
  const dragged = await graphState(page);
  const centre = (w) => [(w.left + w.right) / 2, (w.top + w.bottom) / 2];
  const [cx, cy] = centre(dragged.window);
  assert.ok(Math.abs(cx - (o.left + 60)) < 3 && Math.abs(cy - (o.bottom - 30)) < 3, `window centred at ${cx},${cy}`);
  await screenshot(page, "graphflame-large-graph-moved");
  // Drag the graph itself, wheel, double-click to see it all.
  const before = (await graphState(page)).viewBox;
  await page.mouse.move(g.frame.left + 300, g.frame.top + 300);
  await page.mouse.down();
  await page.mouse.move(g.frame.left + 200, g.frame.top + 250, { steps: 5 });
  await page.mouse.up();
  assert.notEqual((await graphState(page)).viewBox, before, "dragging pans");
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((s) => Number(document.querySelector("svg.graph").dataset.scale) > s, dragged.scale);
  await page.mouse.dblclick(g.frame.left + 400, g.frame.top + 200);
  const all = await graphState(page);
  assert.equal(all.overview, null, "double-click shows it all");
  for (const b of all.boxes) assert.ok(inside(b, all.frame));
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** The tooltip's lines at a point of the flame graph's canvas (null: none shown). */
async function tipAt(page, x, y) {
  const box = await (await page.$("canvas.flame")).boundingBox();
  await page.mouse.move(box.x + x, box.y + y);
  return page.evaluate(() => {
    const tip = document.querySelector(".flame-wrap .tip");
    return tip.hidden ? null : [...tip.childNodes].map((n) => n.textContent);
  });
}

/** The frames down the middle of the canvas: [depth, tooltip lines]. */
async function middleColumn(page) {
  const box = await (await page.$("canvas.flame")).boundingBox();
  const column = [];
  for (let d = 0; d * 18 < box.height; d++) column.push([d, await tipAt(page, box.width / 2, d * 18 + 9)]);
  return column.filter(([, tip]) => tip);
}

await test("the flame graph's tooltip has no empty line; against a base it says the change", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the flame test was SKIPPED !!!");
  const page = await openAt("#view=flame");
  await drop(page, [corpusFile("blog/heap.1.pprof"), corpusFile("blog/heap.3.pprof")]);
  await page.waitForSelector("canvas.flame");
  await page.selectOption("select[name=profile]", "heap.3.pprof");
  await page.waitForFunction(() => location.hash.includes("profile=heap.3"));
  await page.waitForTimeout(100);
  const plain = await middleColumn(page);
  assert.ok(plain.length >= 8, `${plain.length} frames down the middle`);
  for (const [, tip] of plain) {
    assert.equal(tip.length, 2, tip.join(" | "));
    assert.ok(!tip.some((l) => /^(null|undefined)$|null|undefined/.test(l)), tip.join(" | "));
  }
  const repeat = plain.find(([, tip]) => tip[0] === "bytes.Repeat");
  assert.deepEqual(repeat[1], ["bytes.Repeat", "408.97MB (98.60%)"]);
  await screenshot(page, "graphflame-flame");

  // Compare with heap.1: the change with its unit and its share of the base's total.
  const paints = await page.evaluate(() => performance.getEntriesByName("painted:flame").length);
  await page.selectOption("select[name=base]", "heap.1.pprof");
  await page.waitForFunction((n) => location.hash.includes("base=heap.1") && performance.getEntriesByName("painted:flame").length > n, paints);
  await page.waitForTimeout(100);
  const diff = await middleColumn(page);
  for (const [, tip] of diff) {
    assert.equal(tip.length, 3, tip.join(" | "));
    assert.match(tip[2], /^change: (no change|[+-][\d.]+(B|kB|MB|GB) \([+-][\d.]+% of the base's total\))$/, tip.join(" | "));
  }
  const [depth, grown] = diff.find(([, tip]) => tip[0] === "bytes.Repeat");
  // bytes.Repeat: 408.97MB in heap.3, 128.75MB in heap.1 (whose total is 132.76MB).
  // 280.22MB of heap.1's 132.76MB total, as pprof -diff_base=heap.1.pprof puts it.
  assert.equal(grown[2], "change: +280.22MB (+211.07% of the base's total)");
  assert.match(await page.textContent("#view"), /the change from heap\.1\.pprof \(total 132\.76MB\): red grew, green shrank/);
  // Its colour: a strong red (pprof's dotColor of a change larger than 20% of the base).
  const box = await (await page.$("canvas.flame")).boundingBox();
  const [r, g, b] = await page.evaluate(([x, y]) => {
    const canvas = document.querySelector("canvas.flame");
    const k = canvas.width / canvas.clientWidth;
    return [...canvas.getContext("2d").getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data];
  }, [box.width / 2, depth * 18 + 2]);
  assert.ok(r >= 170 && g <= 20 && b <= 20, `bytes.Repeat's fill is rgb(${r}, ${g}, ${b})`);
  // The tooltip over a grown frame is on screen with the change.
  await tipAt(page, box.width / 2, depth * 18 + 9);
  await screenshot(page, "graphflame-flame-compare");
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await browser.close();
server.close();
finish();

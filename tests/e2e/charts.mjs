// The memory chart in a real Chromium, at a desktop's size and a phone's,
// on recorded runs with an idle stretch inside a life (tests/data/series/
// leak with its kernel log; the corpus's demo export): each life's floor
// line drawn only over the floors it was fitted to (never over the idle
// stretch, never above the limit where memory is not), the footer's
// counts the Overview's whether zoomed in or not, and time labels whose
// boxes never overlap. Screenshots go to target/e2e/.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve, launch, open, drop, assertLocal, screenshot, root, corpus, hasCorpus, suite } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("charts");

const SIZES = [{ width: 1400, height: 900 }, { width: 390, height: 844 }];
/** The light theme's colours (render/chart.rs): the limit line. */
const LIMIT = "#D77800";

/** harness.open at a given viewport. */
const openAt = (viewport) => open(browser, origin, "", { viewport });

/** The Overview's "Restarts" fact of its first card. */
async function overviewRestarts(page) {
  await page.click("#tab-overview");
  await page.waitForSelector("article.card");
  return page.$eval("article.card", (a) => [...a.querySelectorAll("dt")].find((dt) => dt.textContent === "Restarts")?.nextElementSibling.textContent);
}

/**
 * The memory chart as the page shows it: its footer, markers, the spans
 * the core says it drew floor lines over, and the SVG itself, opened as a
 * document of its own (from the image's blob URL) to read its shapes and
 * measure its labels as Chromium lays them out.
 */
async function memoryChart(page) {
  await page.waitForSelector("figure.memory img");
  const chart = await page.$eval("figure.memory", (f) => ({
    src: f.querySelector("img").src,
    plot: JSON.parse(f.dataset.plot),
    floors: JSON.parse(f.dataset.floors),
    restarts: f.querySelector("figcaption.restarts")?.textContent ?? "",
    notes: f.querySelector("figcaption.notes")?.textContent ?? "",
    markers: [...f.querySelectorAll(".marker")].map((m) => Number(m.dataset.time)),
  }));
  const others = await page.$$eval("figure.chart:not(.memory) img", (imgs) => imgs.map((i) => i.src));
  chart.svg = await readSvg(page, chart.src);
  chart.others = [];
  for (const src of others) chart.others.push(await readSvg(page, src));
  return chart;
}

/** An SVG's shapes and its text boxes, from a tab of its own. */
async function readSvg(page, src) {
  const tab = await page.context().newPage();
  await tab.goto(src);
  const svg = await tab.evaluate(() => {
    const num = (e, a) => Number(e.getAttribute(a));
    return {
      polylines: [...document.querySelectorAll("polyline")].map((p) => ({
        stroke: p.getAttribute("stroke"),
        width: p.getAttribute("stroke-width"),
        points: p.getAttribute("points").trim().split(/\s+/).map((xy) => xy.split(",").map(Number)),
      })),
      idle: [...document.querySelectorAll("rect")].filter((r) => r.getAttribute("opacity") === "0.08").map((r) => [num(r, "x"), num(r, "x") + num(r, "width")]),
      texts: [...document.querySelectorAll("text")].map((t) => {
        const b = t.getBoundingClientRect();
        return { text: t.textContent.trim(), anchor: t.getAttribute("text-anchor"), y: num(t, "y"), box: [b.left, b.top, b.right, b.bottom] };
      }),
    };
  });
  await tab.close();
  return svg;
}

/** The footer's restart count: the Overview's, and when zoomed in, how many of them are in view. */
function expectedRestarts(overview, total, shown, zoomed) {
  if (!overview) return "";
  let inView = "";
  if (zoomed) {
    if (total === 1) inView = shown ? ", in this window" : ", not in this window";
    else if (shown === total) inView = ", all in this window";
    else if (shown === 0) inView = ", none of them in this window";
    else inView = `, ${shown} of them in this window`;
  }
  return `Restarts: ${overview}${inView}`;
}

/** The floor lines: within the spans fitted, off the idle stretches, not above the limit where memory is not. */
function checkFloors(what, chart) {
  const { plot, floors, svg } = chart;
  const px = (t) => plot.left + ((t - plot.t0) / (plot.t1 - plot.t0)) * (plot.right - 1 - plot.left);
  for (const f of floors) {
    assert.ok(f.x_from >= px(f.start) - 1 && f.x_to <= px(f.end) + 1, `${what}: drawn ${f.x_from}..${f.x_to} beyond the floors fitted ${px(f.start)}..${px(f.end)}`);
  }
  const dashes = svg.polylines.filter((p) => p.width === "2");
  assert.equal(dashes.length > 0, floors.length > 0, `${what}: dashes ${dashes.length}, floors ${floors.length}`);
  const limit = svg.polylines.find((p) => p.stroke === LIMIT && p.points.length === 2 && p.points[0][1] === p.points[1][1])?.points[0][1];
  for (const dash of dashes) {
    // The series the floor is of: its colour, drawn 1 px wide.
    const data = svg.polylines.filter((p) => p.stroke === dash.stroke && p.width === "1");
    const highest = (x) => Math.min(...data.flatMap((p) => p.points.slice(1).map((q, k) => {
      const [a, b] = [p.points[k], q];
      if (Math.min(a[0], b[0]) > x + 2 || Math.max(a[0], b[0]) < x - 2) return Infinity;
      if (a[0] === b[0]) return Math.min(a[1], b[1]);
      const t = (Math.min(Math.max(x, Math.min(a[0], b[0])), Math.max(a[0], b[0])) - a[0]) / (b[0] - a[0]);
      return Math.min(a[1] + t * (b[1] - a[1]), ...[a, b].filter((r) => Math.abs(r[0] - x) <= 2).map((r) => r[1]));
    })));
    for (const [x, y] of dash.points) {
      assert.ok(floors.some((f) => x >= f.x_from - 1 && x <= f.x_to + 1), `${what}: a dash at x ${x} outside the floors' spans`);
      assert.ok(svg.idle.every(([a, b]) => x <= a + 1 || x >= b - 1), `${what}: a dash at x ${x} over the idle stretch ${JSON.stringify(svg.idle)}`);
      if (limit !== undefined) {
        const top = highest(x);
        assert.ok(y >= limit - 2 || top <= limit + 2, `${what}: the floor at (${x}, ${y}) is above the limit (y ${limit}) and its memory is not (y ${top})`);
      }
    }
  }
}

/** No two labels of a row (the time axis; the restart labels over the plot) overlap. */
function checkLabels(what, svg) {
  const rows = new Map();
  for (const t of svg.texts.filter((t) => t.anchor === "middle")) {
    const row = rows.get(t.y) ?? [];
    row.push(t);
    rows.set(t.y, row);
  }
  const axis = [...rows.entries()].sort((a, b) => b[0] - a[0])[0]?.[1] ?? [];
  assert.ok(axis.length >= 2, `${what}: time labels ${JSON.stringify(axis.map((t) => t.text))}`);
  for (const row of rows.values()) {
    const boxes = row.map((t) => t.box).sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < boxes.length; k++) {
      assert.ok(boxes[k - 1][2] <= boxes[k][0], `${what}: labels overlap: ${JSON.stringify(row.map((t) => [t.text, t.box.map(Math.round)]))}`);
    }
  }
  return axis.map((t) => t.text);
}

/** Drags across the memory chart from one fraction of the plot to another (the page's zoom). */
async function zoom(page, from, to) {
  const plot = JSON.parse(await page.$eval("figure.memory", (f) => f.dataset.plot));
  await page.locator("figure.memory .overlay").scrollIntoViewIfNeeded();
  const box = await (await page.$("figure.memory .overlay")).boundingBox();
  const x = (f) => box.x + plot.left + f * (plot.right - plot.left);
  await page.mouse.move(x(from), box.y + 60);
  await page.mouse.down();
  await page.mouse.move(x(to), box.y + 60, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => location.hash.includes("from="));
}

async function run(name, files, size, zooms) {
  const page = await openAt(size);
  await drop(page, files);
  const what = `${name} at ${size.width}×${size.height}`;
  const restarts = await overviewRestarts(page);
  await page.click("#tab-charts");
  const whole = await memoryChart(page);
  assert.equal(whole.restarts.split(": ").slice(0, 2).join(": "), expectedRestarts(restarts, whole.markers.length, whole.markers.length, false), what);
  assert.match(whole.notes, /idle stretch/, what);
  checkFloors(what, whole);
  const labels = [whole.svg, ...whole.others].map((svg) => checkLabels(what, svg));
  await page.evaluate(() => document.fonts.ready);
  await page.locator("figure.memory").scrollIntoViewIfNeeded();
  await screenshot(page, `charts-${name}-${size.width}`);
  for (const [k, [from, to]] of zooms.entries()) {
    await zoom(page, from, to);
    const z = await memoryChart(page);
    const zw = `${what}, zoomed ${from}..${to}`;
    assert.ok(z.plot.t0 > whole.plot.t0 || z.plot.t1 < whole.plot.t1, zw);
    // The count is the run's; the markers in view are the run's in the window.
    assert.deepEqual(z.markers, whole.markers.filter((t) => t >= z.plot.t0 && t <= z.plot.t1), zw);
    assert.equal(z.restarts.split(": ").slice(0, 2).join(": "), expectedRestarts(restarts, whole.markers.length, z.markers.length, true), zw);
    checkFloors(zw, z);
    for (const svg of [z.svg, ...z.others]) checkLabels(zw, svg);
    await page.locator("figure.memory").scrollIntoViewIfNeeded();
    await screenshot(page, `charts-${name}-${size.width}-zoomed-${k}`);
    // The Overview says the same, zoomed in.
    assert.equal(await overviewRestarts(page), restarts, zw);
    await page.click("#tab-charts");
    await page.waitForSelector("figure.memory img");
    await page.dblclick("figure.memory .overlay");
    await page.waitForFunction(() => !location.hash.includes("from="));
    await page.waitForSelector("figure.memory img");
  }
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
  return labels;
}

const leakRun = () => ["grafana-joined-epoch.csv", "dmesg.txt"].map((f) => [f, readFileSync(join(root, "tests/data/series/leak", f))]);

for (const size of SIZES) {
  await test(`a leak with an idle stretch in a life, OOM-killed 3 times, at ${size.width}×${size.height}`, async () => {
    // Zoomed onto the idle stretch (with one kill in view), then onto a
    // stretch of the last life (none in view).
    const labels = await run("leak", leakRun(), size, [[0.3, 0.62], [0.87, 0.97]]);
    if (size.width < 500) console.error(`  time labels at ${size.width} px: ${labels[0].join(" ")}`);
  });
  await test(`the corpus's demo export (6 restarts, an idle minute) at ${size.width}×${size.height}`, async () => {
    if (!hasCorpus()) return console.error("!!! shared corpus missing: the demo chart test was SKIPPED !!!");
    await run("demo", [["leak.grafana-joined.csv", readFileSync(join(corpus, "demo/leak.grafana-joined.csv"))]], size, [[0.2, 0.7]]);
  });
}

await browser.close();
server.close();
finish();

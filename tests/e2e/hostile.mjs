// Hostile names, in headless Chromium against the built site (dist/): a
// profile and a CSV whose function, file, label, mapping and series names
// are markup, script and a 100 KB string. Every view must show them as
// text: no dialog opens, no element or handler comes from a name, and the
// Content-Security-Policy reports no violation (the harness turns each
// violation into a console error, collected in page.errors). Run by
// scripts/test.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { serve, launch, open, drop, screenshot, suite } from "./harness.mjs";

const NAMES = [
  "<img src=x onerror=alert(1)>",
  "</script><script>alert(1)</script>",
  "javascript:alert(1)",
  '"><svg onload=alert(1)>',
];
const LONG = `main.${"A".repeat(100 * 1024)}`;

// ---- a pprof profile, written field by field (profile.proto) ------------

const varint = (n) => {
  const out = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
};
const field = (number, wire, payload) => [...varint(number * 8 + wire), ...payload];
const int = (number, n) => field(number, 0, varint(n));
const bytes = (number, data) => field(number, 2, [...varint(data.length), ...data]);
const message = (number, parts) => bytes(number, parts.flat());
const text = (s) => [...Buffer.from(s, "utf8")];
const packed = (number, values) => bytes(number, values.flatMap(varint));

function hostileProfile() {
  const strings = [""];
  const str = (s) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const parts = [message(1, [int(1, str("inuse_space")), int(2, str("bytes"))])];
  const functions = [...NAMES, LONG];
  // A chain: main → each hostile function in turn, each allocating a little.
  functions.forEach((name, i) => {
    parts.push(message(5, [int(1, i + 1), int(2, str(name)), int(3, str(name)), int(4, str(NAMES[(i + 1) % NAMES.length] + ".go"))]));
    parts.push(message(4, [int(1, i + 1), int(2, 1), message(4, [int(1, i + 1), int(2, 10 + i)])]));
  });
  parts.push(message(3, [int(1, 1), int(2, 0x1000), int(3, 0x9000), int(5, str(NAMES[1]))]));
  functions.forEach((_, i) => {
    const stack = Array.from({ length: i + 1 }, (_, k) => i + 1 - k); // leaf first
    parts.push(message(2, [packed(1, stack), packed(2, [1024 * (i + 1)]), message(3, [int(1, str(NAMES[0])), int(2, str(NAMES[i % NAMES.length]))])]));
  });
  for (const s of strings) parts.push(bytes(6, text(s)));
  return gzipSync(Buffer.from(parts.flat()));
}

function hostileCSV() {
  // Hostile label values on a memory metric (a process per instance).
  const header = ["Time", ...NAMES.map((n) => `process_resident_memory_bytes{instance="${n.replace(/["\\]/g, "\\$&")}", job="api"}`)].map((h) => `"${h.replace(/"/g, '""')}"`).join(",");
  const rows = Array.from({ length: 120 }, (_, i) => [1_700_000_000_000 + i * 15_000, ...NAMES.map((_, k) => 1e6 * (k + 1) + i * 1000)].join(","));
  return Buffer.from([header, ...rows].join("\n"));
}

// ---- the test --------------------------------------------------------------

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("hostile input tests");

/** No element, attribute or handler came from a name; no dialog opened. */
async function assertInert(page, where) {
  const injected = await page.evaluate(() => ({
    handlers: [...document.querySelectorAll("*")].filter((el) => [...el.attributes].some((a) => a.name.startsWith("on"))).map((el) => el.outerHTML.slice(0, 80)),
    images: [...document.querySelectorAll("img")].filter((img) => !/^(blob|data):/.test(img.getAttribute("src") ?? "")).length,
    scripts: [...document.querySelectorAll("script")].filter((s) => s.src && !s.src.endsWith("/www/app.js")).length + [...document.querySelectorAll("script:not([src])")].filter((s) => !s.type).length,
    links: [...document.querySelectorAll("a[href]")].filter((a) => /^javascript:/i.test(a.getAttribute("href"))).length,
  }));
  assert.deepEqual(injected, { handlers: [], images: 0, scripts: 0, links: 0 }, where);
  assert.deepEqual(page.dialogs, [], where);
  assert.deepEqual(page.errors, [], where);
}

await test("the violation detector works (a style attribute is refused and reported)", async () => {
  const page = await open(browser, origin);
  await page.evaluate(() => document.body.setAttribute("style", "color: red"));
  await page.waitForFunction(() => true);
  await page.waitForTimeout(100);
  assert.ok(page.errors.some((e) => /CSP violation: style-src/.test(e)), page.errors.join("\n"));
  await page.context().close();
});

await test("hostile names are text in every view, the SVG download and the link", async () => {
  const page = await open(browser, origin);
  page.dialogs = [];
  page.on("dialog", (d) => {
    page.dialogs.push(d.message());
    d.dismiss();
  });
  await drop(page, [[`${NAMES[0]}.pb.gz`, hostileProfile()], [`${NAMES[3]}.csv`, hostileCSV()]]);
  await assertInert(page, "after loading");
  const files = await page.$$eval("table.files td.name", (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(files, [`${NAMES[0]}.pb.gz`, `${NAMES[3]}.csv`]);

  for (const view of ["overview", "charts", "top", "graph", "flame", "trend"]) {
    await page.click(`#tab-${view}`);
    await page.waitForFunction((v) => performance.getEntriesByName(`painted:${v}`).length > 0, view);
    await assertInert(page, view);
  }
  // Top lists every hostile name literally, and the 100 KB one whole.
  await page.click("#tab-top");
  await page.waitForSelector("table.report tbody tr");
  const names = await page.$$eval("table.report tbody tr", (trs) => trs.map((tr) => tr.cells[tr.cells.length - 1].textContent.trim()));
  for (const n of NAMES) assert.ok(names.includes(n), `${n} in ${names.map((x) => x.slice(0, 40))}`);
  assert.ok(names.includes(LONG), "the 100 KB name, whole");
  await screenshot(page, "hostile-top");

  // Source view of a hostile function; the graph's tooltips; the chart legend.
  await page.click(`table.report tbody tr:has-text("${"onerror=alert(1)"}") >> nth=0`);
  await page.waitForFunction(() => performance.getEntriesByName("painted:list").length > 0);
  await assertInert(page, "list");
  await page.click("#tab-graph");
  await page.waitForSelector("svg g.node");
  const titles = await page.$$eval("svg g.node title", (ts) => ts.map((t) => t.textContent));
  assert.ok(titles.some((t) => t.includes(NAMES[1])), "tooltips carry the names as text");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Download SVG")]);
  const svg = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString());
  assert.ok(!svg.includes("<img") && !svg.includes("<script") && !/<svg[^>]*onload/.test(svg), "the downloaded SVG escapes names");
  assert.ok(svg.includes("&lt;img src=x onerror=alert(1)&gt;"), "and keeps them as text");
  await page.click("#tab-charts");
  await page.waitForSelector(".plot img");
  const legend = await page.textContent("#view");
  for (const n of NAMES) assert.ok(legend.includes(n), `the label ${n} as text`);
  await assertInert(page, "charts");

  // The Copy link dialog lists the file names as text.
  await page.click("#copy-link");
  await page.waitForSelector("dialog.share #copy-link-confirm:not([disabled])");
  assert.deepEqual(await page.$$eval("dialog.share .share-files .name", (els) => els.map((e) => e.textContent)), [`${NAMES[0]}.pb.gz`, `${NAMES[3]}.csv`]);
  await assertInert(page, "copy link");
  await page.keyboard.press("Escape");

  // Focus on a hostile name: the URL carries it encoded, and the view still renders.
  await page.evaluate((n) => (location.hash = `#view=top&f=${encodeURIComponent(n.replace(/[()]/g, "\\$&"))}`), NAMES[0]);
  await page.waitForSelector("table.report tbody tr");
  assert.ok(!page.url().includes("<"), page.url().slice(0, 200));
  await assertInert(page, "focused");
  await page.context().close();
});

await test("a panic in the core: an error card, a fresh worker, the files still loaded", async () => {
  const page = await open(browser, origin, "#view=top");
  await drop(page, [["heap.pb.gz", hostileProfile()], ["rss.csv", hostileCSV()]]);
  await page.waitForSelector("table.report tbody tr");
  const before = await page.$$eval("table.report tbody tr", (trs) => trs.length);
  // Ask the worker's core to panic, as a bug would.
  const [worker] = page.workers();
  await worker.evaluate(() => self.onmessage({ data: { id: -1, op: "panic_for_tests", args: {} } }));
  await page.waitForSelector("#errors .error");
  assert.match(await page.textContent("#errors .error"), /core crashed .*a deliberate panic, for the page's crash test.*files are kept/);
  page.errors = page.errors.filter((e) => !/unreachable|panicked/.test(e));
  // The views still answer, from a new worker holding both files.
  await page.click("#tab-overview");
  await page.click("#tab-top");
  await page.waitForFunction((n) => document.querySelectorAll("table.report tbody tr").length === n, before);
  assert.equal(await page.$$eval("table.files tbody tr", (trs) => trs.length), 2);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await browser.close();
server.close();
finish();

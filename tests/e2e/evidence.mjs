// The mixes of files a person drops, in the page: each fact counted once,
// snapshots tied to the right process or to none, claims that do not move
// with what a view shows, goroutine leaks charted and named. Real runs of
// examples/leaksvc (tests/data/series/README.md).
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { serve, launch, open, drop, file, screenshot, assertLocal, root, corpus, hasCorpus, suite } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const { test, finish } = suite("evidence");
const series = (p) => join(root, "tests/data/series", p);

async function cards(page) {
  await page.waitForSelector("article.card");
  return page.$$eval("article.card", (as) => as.map((a) => ({
    tone: [...a.classList].find((c) => c !== "card"),
    title: a.querySelector("h2").textContent,
    headline: a.querySelector(".headline").textContent,
    facts: Object.fromEntries([...a.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
  })));
}

async function tab(page, view) {
  await page.click(`#tab-${view}`);
}

await test("a leak's CSV and its kernel log: every kill once, on the restart it caused", async () => {
  const page = await open(browser, origin);
  const run = JSON.parse(readFileSync(series("oom/run.json")));
  const kills = run.deaths.length;
  await drop(page, [["grafana-joined-epoch.csv", await file(series("oom/grafana-joined-epoch.csv"))], ["dmesg.txt", await file(series("oom/dmesg.txt"))]]);
  const detail = await page.$$eval("table.files tbody tr", (trs) => trs.map((tr) => tr.textContent));
  assert.ok(detail.some((d) => d.includes(`oom-log, ${kills} OOM kills`)), detail.join("\n"));
  const [card] = await cards(page);
  assert.equal(card.facts.Restarts, `${kills} (${kills} OOM kills)`);
  assert.match(card.headline, new RegExp(`fell only at the ${kills} restarts`));
  await screenshot(page, "evidence-oom");
  assertLocal(page, origin);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("a healthy run and its snapshots: no red card, the same whatever Top shows", async () => {
  const page = await open(browser, origin);
  const files = [["grafana-joined-epoch.csv", await file(series("steady/grafana-joined-epoch.csv"))]];
  for (let k = 0; k < 4; k++) files.push([`heap.${k}.pb.gz`, await file(series(`steady/heap.${k}.pb.gz`))]);
  await drop(page, files);
  const before = await cards(page);
  assert.equal(before.length, 1);
  assert.equal(before[0].tone, "steady", before[0].headline);
  assert.ok(!("Culprit" in before[0].facts));
  assert.match(before[0].facts["Heap snapshots"], /no allocation site grows/);
  assert.equal(await page.$(".card.leak"), null);
  // Top on alloc_space (which only grows), then back: nothing moves.
  await tab(page, "top");
  await page.waitForSelector("table.report tbody tr");
  await page.selectOption("select[name=si]", "alloc_space");
  await page.waitForFunction(() => location.hash.includes("si=alloc_space"));
  await tab(page, "overview");
  assert.deepEqual(await cards(page), before);
  // The Trend view says what alloc_space measures.
  await tab(page, "trend");
  await page.waitForSelector("section.trend-group");
  assert.match(await page.textContent("section.trend-group"), /only grow/);
  await screenshot(page, "evidence-steady-trend");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("three replicas' snapshots in folders: each to its instance, never mixed", async () => {
  const page = await open(browser, origin);
  const files = [["grafana-joined-epoch.csv", await file(series("replicas/grafana-joined-epoch.csv"))]];
  for (const port of ["19225", "19226", "19227"]) {
    for (let k = 0; k < 4; k++) files.push([`instance-${port}/heap.${k}.pb.gz`, await file(series(`replicas/instance-${port}/heap.${k}.pb.gz`))]);
  }
  await drop(page, files);
  const all = await cards(page);
  assert.equal(all.length, 3, JSON.stringify(all, null, 1));
  const leaking = all.filter((c) => c.tone === "leak");
  assert.equal(leaking.length, 1);
  assert.match(leaking[0].title, /19225/);
  assert.match(leaking[0].facts.Culprit, /^main\.\(\*Store\)\.Keep/);
  for (const c of all.filter((c) => c.tone !== "leak")) assert.ok(!("Culprit" in c), c.title);
  await screenshot(page, "evidence-replicas");
  await tab(page, "trend");
  await page.waitForSelector("section.trend-group");
  const groups = await page.$$eval("section.trend-group", (ss) => ss.map((s) => ({
    title: s.querySelector("h2").textContent,
    files: [...s.querySelectorAll("table.snapshots tbody td.name")].map((td) => td.textContent),
  })));
  assert.equal(groups.length, 3);
  for (const g of groups) {
    const folder = g.files[0].split("/")[0];
    assert.ok(g.files.every((f) => f.startsWith(folder + "/")), JSON.stringify(g));
    assert.ok(g.title.includes(folder.replace("instance-", "")), JSON.stringify(g));
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("the blog's 2018 snapshots beside 2026 metrics are not the process's culprit", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: the blog-beside-metrics test was SKIPPED !!!");
  const page = await open(browser, origin);
  const files = [["grafana-joined-epoch.csv", await file(series("leak/grafana-joined-epoch.csv"))]];
  for (let k = 0; k < 4; k++) files.push([`heap.${k}.pprof`, await file(join(corpus, `blog/heap.${k}.pprof`))]);
  await drop(page, files);
  const all = await cards(page);
  const process = all.find((c) => c.title.startsWith("Process"));
  assert.ok(!("Culprit" in process.facts), JSON.stringify(process));
  const blog = all.find((c) => /heap snapshots/.test(c.title));
  assert.match(blog.headline, /main\.\(\*RequestTracker\)\.Track/);
  assert.match(blog.headline, /Not tied to the metrics: taken 2018-07-30/);
  await screenshot(page, "evidence-blog-beside-metrics");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("a goroutine leak: charted, named, its profiles trended apart from the heap's", async () => {
  const page = await open(browser, origin);
  const files = [["grafana-joined-epoch.csv", await file(series("goroutine/grafana-joined-epoch.csv"))]];
  for (let k = 0; k < 4; k++) {
    for (const kind of ["heap", "allocs", "goroutine"]) files.push([`${kind}.${k}.pb.gz`, await file(series(`goroutine/${kind}.${k}.pb.gz`))]);
  }
  await drop(page, files);
  const [card] = await cards(page);
  assert.equal(card.tone, "leak");
  assert.match(card.headline, /^Goroutine leak/);
  assert.match(card.facts.Goroutines, /main\.waitForReply \(chan receive\)/);
  await screenshot(page, "evidence-goroutine-overview");
  await tab(page, "charts");
  await page.waitForSelector("figure.chart.goroutines");
  await screenshot(page, "evidence-goroutine-charts");
  await tab(page, "trend");
  await page.waitForSelector("section.trend-group");
  const titles = await page.$$eval("section.trend-group h2", (hs) => hs.map((h) => h.textContent));
  assert.ok(titles.some((t) => t.startsWith("Heap snapshots")), titles.join("; "));
  assert.ok(titles.some((t) => t.startsWith("Goroutine profiles")), titles.join("; "));
  assert.ok(titles.some((t) => t.startsWith("Allocs profiles")), titles.join("; "));
  const goroutines = await page.$$eval("section.trend-group", (ss) => ss.find((s) => s.querySelector("h2").textContent.startsWith("Goroutine")).textContent);
  assert.match(goroutines, /\[chan receive\]/);
  assert.doesNotMatch(goroutines, /garbage collection/);
  await screenshot(page, "evidence-goroutine-trend");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

finish();
await browser.close();
server.close();

// The mixes of files a person drops, in the page: each fact counted once,
// snapshots tied to the right process or to none, claims that do not move
// with what a view shows, goroutine leaks charted and named. Real runs of
// examples/leaksvc (tests/data/series/README.md).
import assert from "node:assert/strict";
import { basename, join } from "node:path";
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

await test("one snapshot: the Trend tab says whose it is, or why it is no one's", async () => {
  // Its own process's snapshot, then (where the corpus is) the blog's
  // 2018 one beside the same metrics.
  const mixes = [[series("leak/heap.3.pb.gz"), /Heap snapshot of \{instance="127\.0\.0\.1:19201", job="leak"\}/, /life 1 of 4: taken 2026-11-23 22:49:53 UTC, while it was the only process the metrics show/]];
  if (hasCorpus()) mixes.push([join(corpus, "blog/heap.0.pprof"), /^Heap snapshot of main$/, /taken 2018-07-30 18:09:11 UTC; the metrics cover 2026-11-23/]);
  else console.error("!!! shared corpus missing: the blog's single snapshot in Trend was SKIPPED !!!");
  for (const [path, title, tie] of mixes) {
    const page = await open(browser, origin);
    await drop(page, [["grafana-joined-epoch.csv", await file(series("leak/grafana-joined-epoch.csv"))], [basename(path), await file(path)]]);
    await cards(page);
    await tab(page, "trend");
    await page.waitForSelector("section.trend-group");
    const sections = await page.$$eval("section.trend-group", (ss) => ss.map((s) => ({ title: s.querySelector("h2").textContent, text: s.textContent })));
    assert.equal(sections.length, 1, JSON.stringify(sections));
    assert.match(sections[0].title, title);
    assert.match(sections[0].text, tie);
    assert.match(sections[0].text, /one snapshot: no trend/);
    if (path.endsWith("heap.3.pb.gz")) await screenshot(page, "evidence-one-snapshot-trend");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

async function factTable(page, id) {
  await page.waitForSelector(`section.facts#${id} tbody tr`);
  return page.$eval(`section.facts#${id}`, (s) => ({
    title: s.querySelector("h2").textContent,
    columns: [...s.querySelectorAll("th")].map((th) => th.textContent),
    rows: [...s.querySelectorAll("tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent)),
  }));
}

await test("an OOM log alone: a row per kill, with pid, uid and memory, and no verdict", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: a realworld OOM test was SKIPPED !!!");
  const page = await open(browser, origin);
  // A real RHEL 6 /var/log/messages: 20 kills in 80 s (SOURCES.md §2).
  const path = join(corpus, "realworld/LukeShirnia-out-of-memory/messages");
  await drop(page, [["messages", await file(path)]]);
  const t = await factTable(page, "oom-kills");
  assert.equal(t.title, "OOM kills (20)");
  assert.equal(t.rows.length, 20);
  const col = (name) => t.columns.indexOf(name);
  const first = t.rows[0];
  assert.equal(first[col("Process")], "mysqld");
  assert.equal(first[col("PID")], "40738");
  assert.equal(first[col("UID")], "27");
  assert.equal(first[col("Time")], "Jun 20 12:47:04 UTC, no year");
  assert.equal(first[col("Out of")], "system memory");
  assert.equal(first[col("Source")], "messages:14856");
  assert.equal(t.rows.filter((r) => r[col("Process")] === "php-fpm").length, 19);
  const [card] = await cards(page);
  assert.equal(card.title, "OOM kills and restarts");
  assert.match(card.headline, /^20 OOM kills: php-fpm 19 times, mysqld once\. No memory series were given, so no leak verdict\.$/);
  assert.equal(card.facts.Kills, "Jun 20 12:47:04 UTC, no year – Jun 20 12:48:24 UTC, no year");
  assert.equal(await page.$(".card.leak"), null);
  await screenshot(page, "evidence-oom-table");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("kubectl describe beside a leak's CSV and kernel log: the container's facts, each kill once", async () => {
  if (!hasCorpus()) return console.error("!!! shared corpus missing: a realworld OOM test was SKIPPED !!!");
  const page = await open(browser, origin);
  const run = JSON.parse(readFileSync(series("oom/run.json")));
  const describe = join(corpus, "realworld/robusta-dev-holmesgpt/kubectl_describe.txt");
  await drop(page, [
    ["grafana-joined-epoch.csv", await file(series("oom/grafana-joined-epoch.csv"))],
    ["dmesg.txt", await file(series("oom/dmesg.txt"))],
    ["kubectl_describe.txt", await file(describe)],
  ]);
  const c = await factTable(page, "containers");
  const col = (name) => c.columns.indexOf(name);
  assert.equal(c.rows.length, 1);
  assert.equal(c.rows[0][col("Container")], "memory-eater");
  assert.equal(c.rows[0][col("Restarts")], "6");
  assert.equal(c.rows[0][col("Memory limit")], "100MB");
  assert.match(c.rows[0][col("Last terminated")], /^OOMKilled \(exit 137\)/);
  // The kernel's kills, each on a wall-clock time the metrics gave, and the
  // pod's last one: no kill counted twice.
  const k = await factTable(page, "oom-kills");
  assert.equal(k.rows.length, run.deaths.length + 1);
  const kcol = (name) => k.columns.indexOf(name);
  assert.ok(k.rows.slice(0, run.deaths.length).every((r) => /^\d{4}-\d\d-\d\d /.test(r[kcol("Time")])), k.rows.map((r) => r[0]).join("; "));
  const [card] = await cards(page);
  assert.equal(card.facts.Restarts, `${run.deaths.length} (${run.deaths.length} OOM kills)`);
  // Another pod's kill, two years before the metrics: not this process's.
  assert.ok(!("OOM kills matching no restart" in card.facts), JSON.stringify(card.facts));
  await screenshot(page, "evidence-kubectl");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("more OOM kills than the page lists: the table says how many it shows, and its search finds the others", async () => {
  const page = await open(browser, origin);
  const log = Array.from({ length: 600 }, (_, i) => `[ ${i + 1}.0] Out of memory: Killed process ${100 + i} (worker-${i}) total-vm:1kB, anon-rss:1kB\n`).join("");
  await drop(page, [["kern.log", Buffer.from(log)]]);
  await page.waitForSelector("section.facts#oom-kills tbody tr");
  const count = "section.facts#oom-kills .controls .muted";
  const note = "section.facts#oom-kills p.note";
  assert.equal(await page.textContent("section.facts#oom-kills h2"), "OOM kills (600)");
  assert.equal(await page.textContent(count), "the first 500 of 600 rows");
  assert.match(await page.textContent(note), /^The first 500 of 600 rows;/);
  // The page holds the first 500: a kill past them is searched for in the core.
  const search = async (query, says) => {
    await page.fill("section.facts#oom-kills input.search", query);
    await page.waitForFunction(([sel, text]) => document.querySelector(sel).textContent === text, [count, says]);
  };
  await search("worker-577", "1 matching row");
  const t = await factTable(page, "oom-kills");
  assert.deepEqual(t.rows.map((r) => r[t.columns.indexOf("Process")]), ["worker-577"]);
  assert.equal(await page.isVisible(note), false);
  await search("WORKER-5", "111 matching rows"); // worker-5, -50…59, -500…599
  await search("worker", "the first 500 of 600 matching rows");
  assert.match(await page.textContent(note), /^The first 500 of 600 matching rows;/);
  await search("no such process", "0 matching rows");
  assert.equal(await page.isVisible("section.facts#oom-kills p.none"), true);
  await search("", "the first 500 of 600 rows");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await test("names in the OOM table are text", async () => {
  const page = await open(browser, origin);
  const log = "[ 1.0] Out of memory: Killed process 7 (<img src=x onerror=alert(1)>) total-vm:1kB, anon-rss:1kB\n";
  await drop(page, [["kern.log", Buffer.from(log)]]);
  const t = await factTable(page, "oom-kills");
  assert.equal(t.rows[0][t.columns.indexOf("Process")], "<img src=x onerror=alert(1)>");
  assert.equal(await page.$("section.facts img"), null);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

finish();
await browser.close();
server.close();

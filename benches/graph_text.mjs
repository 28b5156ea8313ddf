// Where the call graph's text lands, measured in Chromium with the fonts
// this machine has (BENCHMARKS.md, "The call graph's text"). The core
// sizes boxes and places edge labels without a font to measure; this
// draws every corpus profile that has a DOT oracle with the CLI's `svg`,
// opens each SVG in Chromium and counts, from the rendered text:
//   - node texts past their box (left or right),
//   - edge labels across their own edge (its path sampled at 61 points),
//   - edge labels across another edge (likewise),
//   - edge labels on a node's box,
//   - edge labels past the drawing's edge (cut off in the SVG),
//   - pairs of edge labels that overlap.
//
//     cargo build --release
//     node benches/graph_text.mjs [LEAKSCOPE_BINARY]   # default target/release/leakscope
import { readdirSync, statSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { launch, root, corpus } from "../tests/e2e/harness.mjs";

const binary = resolve(process.argv[2] ?? join(root, "target/release/leakscope"));
if (!existsSync(corpus)) throw new Error(`no corpus at ${corpus}`);

// Each oracle is named by its profile's path under the corpus, `/` as `__`
// (as tests/common's corpus_dot_oracles finds them).
const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name);
  return statSync(path).isDirectory() ? walk(path) : [path];
});
const byOracle = new Map(walk(corpus).map((f) => [`${relative(corpus, f).replaceAll("/", "__")}.dot`, f]));
const oracles = readdirSync(join(root, "tests/data/oracles/corpus-dot")).sort();

const browser = await launch();
const page = await browser.newPage();
const totals = { graphs: 0, nodeTexts: 0, edgeLabels: 0, pastBox: 0, acrossOwnEdge: 0, acrossAnotherEdge: 0, onABox: 0, pastDrawing: 0, overlappingPairs: 0 };
const worst = [];
for (const name of oracles) {
  const profile = byOracle.get(name);
  if (!profile) throw new Error(`${name}: no corpus file is named so`);
  const svg = execFileSync(binary, ["svg", profile], { maxBuffer: 1 << 28 }).toString();
  await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
  const counts = await page.evaluate(() => {
    const root = document.querySelector("svg");
    const { width, height } = root.viewBox.baseVal;
    const overlap = (a, b, inset = 1) =>
      a.x + inset < b.x + b.width && b.x + inset < a.x + a.width && a.y + inset < b.y + b.height && b.y + inset < a.y + a.height;
    const nodes = [...root.querySelectorAll("g.node, g.nodelet")];
    const boxes = nodes.map((n) => n.querySelector("rect").getBBox());
    const nodeTexts = nodes.flatMap((n, i) => [...n.querySelectorAll("text")].map((t) => [t.getBBox(), boxes[i]]));
    const edges = [...root.querySelectorAll("g.edge")].filter((e) => e.querySelector("text"));
    const labels = edges.map((e) => e.querySelector("text").getBBox());
    const curves = edges.map((e) => {
      const path = e.querySelector("path");
      const length = path.getTotalLength();
      return Array.from({ length: 61 }, (_, k) => path.getPointAtLength((length * k) / 60));
    });
    const crosses = (r, curve) => curve.some((p) => p.x > r.x + 1 && p.x < r.x + r.width - 1 && p.y > r.y + 1 && p.y < r.y + r.height - 1);
    let pairs = 0;
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) if (overlap(labels[i], labels[j])) pairs++;
    return {
      nodeTexts: nodeTexts.length,
      edgeLabels: labels.length,
      pastBox: nodeTexts.filter(([t, b]) => t.x < b.x - 0.5 || t.x + t.width > b.x + b.width + 0.5).length,
      acrossOwnEdge: labels.filter((r, i) => crosses(r, curves[i])).length,
      acrossAnotherEdge: labels.filter((r, i) => curves.some((c, j) => j !== i && crosses(r, c))).length,
      onABox: labels.filter((l) => boxes.some((b) => overlap(l, b))).length,
      pastDrawing: labels.filter((l) => l.x < -0.5 || l.y < -0.5 || l.x + l.width > width + 0.5 || l.y + l.height > height + 0.5).length,
      overlappingPairs: pairs,
    };
  });
  totals.graphs++;
  for (const [k, v] of Object.entries(counts)) totals[k] += v;
  worst.push([counts.onABox + counts.overlappingPairs + counts.pastDrawing, name, counts]);
}
await browser.close();
console.log(`${binary}`);
console.table(totals);
console.log("most label trouble:");
for (const [, name, c] of worst.sort((a, b) => b[0] - a[0]).slice(0, 5)) {
  console.log(`  ${name}: across its own edge ${c.acrossOwnEdge}, on a box ${c.onABox}, overlapping pairs ${c.overlappingPairs}, past the drawing ${c.pastDrawing}`);
}

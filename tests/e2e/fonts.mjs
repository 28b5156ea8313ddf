// The page's fonts, in headless Chromium against the built site (dist/).
// Chromium looks a font (family, size, weight) up in the browser process
// the first time a page lays out text in it; while V8 compiled the core,
// one such lookup held a view's first drawing up to 60 ms (BENCHMARKS.md).
// So index.html lays out a line in each font the views use before the
// page's first script removes it (#font-warmup). This checks that every
// font a view, a card or a table draws in was laid out at start, and that
// the sample is gone once the page runs. Run by scripts/test.
import assert from "node:assert/strict";
import { serve, launch, open, drop, suite } from "./harness.mjs";

const { test, finish } = suite("fonts");
const { server, origin } = await serve();
const browser = await launch();

/** The fonts of the text laid out in the page (SVG aside: its text is scaled), with an element that uses each. */
const fontsInUse = (page) => page.evaluate(() => {
  const fonts = {};
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg")) continue;
    const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim())
      || ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(el.tagName);
    if (!hasText || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    const font = `${s.fontFamily} ${s.fontSize} ${s.fontWeight} ${s.fontStyle}`;
    fonts[font] ??= `${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join("")} in ${el.parentElement.tagName.toLowerCase()}${[...el.parentElement.classList].map((c) => `.${c}`).join("")}`;
  }
  return fonts;
});

await test("every font the views draw in was laid out at start, and the sample is gone once the page runs", async () => {
  // What the first layout lays out: the page as its HTML has it (scripts off).
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const still = await context.newPage();
  await still.goto(`${origin}/`);
  assert.ok(await still.$("#font-warmup"), "index.html has no #font-warmup");
  const atStart = await fontsInUse(still);
  await context.close();

  const page = await open(browser, origin);
  assert.equal(await page.$("#font-warmup"), null, "the sample is still in the page");
  await page.click("#example");
  await page.waitForFunction(() => (window.__loads ?? 0) >= 1);
  // An error card too.
  await drop(page, [["not-a-profile.pprof", Buffer.from("\x01\x02 not a profile")]]);
  const used = {};
  for (const id of await page.$$eval("#tabs button", (tabs) => tabs.map((t) => t.id))) {
    await page.click(`#${id}`);
    await page.waitForFunction((view) => performance.getEntriesByName(`painted:${view}`).length > 0, id.replace(/^tab-/, ""));
    await page.waitForTimeout(300);
    for (const [font, el] of Object.entries(await fontsInUse(page))) used[font] ??= el;
  }
  const missing = Object.entries(used).filter(([font]) => !(font in atStart)).map(([font, el]) => `${font} (${el})`);
  assert.deepEqual(missing, [], `fonts not laid out at start (add them to #font-warmup in index.html, or use one that is): ${missing.join("; ")}`);
  assert.ok(Object.keys(used).length >= 6, `only ${Object.keys(used).length} fonts seen: ${Object.keys(used).join("; ")}`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

await browser.close();
server.close();
finish();

// Makes docs/screenshot.png (the README's): the built-in example, its
// overview and memory chart. Not a test.
//
//     node tests/e2e/screenshot.mjs        (after scripts/build-web)
import { join } from "node:path";
import { serve, launch, open, root } from "./harness.mjs";

const { server, origin } = await serve();
const browser = await launch();
const page = await open(browser, origin);
await page.click("#example");
await page.waitForSelector(".card.leak");
await page.click("#tab-charts");
await page.waitForSelector("figure.chart.memory img");
await page.evaluate(() => document.fonts.ready);
await page.screenshot({ path: join(root, "docs/screenshot.png") });
await browser.close();
server.close();
console.error("wrote docs/screenshot.png");

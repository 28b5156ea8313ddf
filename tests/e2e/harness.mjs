// What the browser tests share: a static server for the page on
// 127.0.0.1, Debian's Chromium driven by playwright-core (no browser
// download), dropping files onto the page, and a guard that no request
// leaves the page's origin.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const corpus = join(root, "../shared/corpus");
export const artifacts = join(root, "target/e2e");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export const dist = join(root, "dist");

/**
 * Serves a folder (default: the built site, dist/) on 127.0.0.1, under
 * `prefix` (e.g. "/tools/leakscope"), optionally with CORS headers for
 * every origin (a host that lets other sites read its files).
 */
export async function serve({ dir = dist, prefix = "", cors = false } = {}) {
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const headers = cors ? { "access-control-allow-origin": "*" } : {};
    if (!pathname.startsWith(prefix + "/")) return res.writeHead(404, headers).end("not found");
    const path = normalize(pathname.slice(prefix.length)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path.endsWith("/") ? path + "index.html" : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, headers).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { server, origin, base: origin + prefix };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
}

/**
 * A page that records every request it makes and every error it logs, at
 * `viewport` (default 1280×900); `url` instead of origin + hash opens
 * another address (a file:// page).
 */
export async function open(browser, origin, hash = "", { viewport = { width: 1280, height: 900 }, url = `${origin}/${hash}` } = {}) {
  const context = await browser.newContext({ viewport });
  await reportViolations(context);
  const page = await context.newPage();
  page.requests = [];
  page.errors = [];
  page.on("request", (r) => page.requests.push(r.url()));
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll("#tabs button").length > 0);
  return page;
}

/**
 * Content-Security-Policy violations become console errors, which every
 * test collects in page.errors and asserts empty.
 */
export async function reportViolations(context) {
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`)));
}

/** Every request stayed on the page's origin (or in the page: blob:, data:). */
export function assertLocal(page, origin) {
  const away = page.requests.filter((u) => !u.startsWith(origin + "/") && !u.startsWith("blob:") && !u.startsWith("data:"));
  if (away.length) throw new Error(`requests left the page's origin: ${away.join(", ")}`);
}

/** Drops files (name → bytes) onto the page, as a user's drag and drop does. */
export async function drop(page, files) {
  const payload = files.map(([name, bytes]) => [name, Buffer.from(bytes).toString("base64")]);
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const [name, b64] of items) {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], name));
    }
    return dt;
  }, payload);
  const before = await page.evaluate(() => window.__loads ?? 0);
  await page.dispatchEvent("body", "drop", { dataTransfer: transfer });
  await page.waitForFunction((n) => (window.__loads ?? 0) > n, before);
}

export async function file(path) {
  return readFile(path);
}

export async function screenshot(page, name) {
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
}

export const hasCorpus = () => existsSync(corpus);

/** Rows of the report table as arrays of cell texts. */
export async function rows(page, selector = "table.report") {
  return page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
}

/** The rows of a pprof -top oracle: [flat, flat%, sum%, cum, cum%, name]. */
export function oracleRows(text) {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim().startsWith("flat"));
  return lines
    .slice(start + 1)
    .filter((l) => l.trim())
    .map((l) => {
      const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(l);
      return m.slice(1, 7);
    });
}

/**
 * A list of named async tests, run in order; `finish()` reports and sets the exit code.
 * E2E_ONLY=text runs only the tests whose names hold it (while working on one; the report counts the others as not run).
 */
export function suite(label) {
  const results = [];
  const notRun = [];
  const only = process.env.E2E_ONLY;
  return {
    async test(name, body) {
      if (only && !name.includes(only)) return void notRun.push(name);
      const started = Date.now();
      try {
        await body();
        results.push([name, "ok", Date.now() - started]);
      } catch (e) {
        results.push([name, "FAILED", Date.now() - started, e]);
      }
    },
    finish() {
      for (const [name, status, ms, error] of results) {
        console.error(`${status === "ok" ? "ok  " : "FAIL"} ${name} (${ms} ms)`);
        if (error) console.error(error);
      }
      if (results.some((r) => r[1] !== "ok")) process.exit(1);
      console.error(`${label}: ${results.length} passed${notRun.length ? `, ${notRun.length} NOT RUN (E2E_ONLY)` : ""} (screenshots in target/e2e/)`);
    },
  };
}

/** A zip of [name, bytes] entries, stored (no compression): enough for the page to unpack. */
export function zipStored(files) {
  const { crc32 } = createRequire(import.meta.url)("node:zlib");
  const local = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of files) {
    const bytes = Buffer.from(data);
    const nameBytes = Buffer.from(name);
    const crc = crc32(bytes) >>> 0;
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(bytes.length, 18);
    head.writeUInt32LE(bytes.length, 22);
    head.writeUInt16LE(nameBytes.length, 26);
    local.push(head, nameBytes, bytes);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(bytes.length, 20);
    entry.writeUInt32LE(bytes.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += 30 + nameBytes.length + bytes.length;
  }
  const size = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, ...central, end]);
}

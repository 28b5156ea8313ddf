// Where the page's parts come from. Hosted, they are files beside the page
// (www/worker.js, pkg/leakscope_bg.wasm, pkg/example/, leakscope.html).
// In the single-file build (dist/leakscope.html) and in downloaded reports
// they are inside the page, in non-executed <script> elements written by
// scripts/dist.mjs, so the page opens from file:// with no request at all.

const inline = (id) => document.getElementById(id)?.textContent ?? null;

/** True in the single-file build and in reports. */
export const singleFile = inline("leakscope-wasm") !== null;

// The page as built, captured before anything changes the DOM: a report
// made from a single-file page is this with other data.
const pristine = singleFile ? `<!doctype html>\n${document.documentElement.outerHTML}` : null;

let wasmBytes = null;
let workerURL = null;
function decodeBase64(text) {
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A new worker holding the core. Its first message says where the wasm is
 * (a URL, or the bytes themselves), so one worker script serves both builds.
 */
export function startWorker() {
  if (singleFile) {
    // One URL for every worker (a cancelled load starts a new one).
    workerURL ??= URL.createObjectURL(new Blob([inline("leakscope-worker")], { type: "text/javascript" }));
    const worker = new Worker(workerURL);
    wasmBytes ??= decodeBase64(inline("leakscope-wasm"));
    worker.postMessage({ init: wasmBytes });
    return worker;
  }
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.postMessage({ init: new URL("../pkg/leakscope_bg.wasm", import.meta.url).href });
  return worker;
}

/** What a page built with data carries: `{ hash, data }` (or null). */
export function embeddedData() {
  const text = inline("leakscope-data");
  const value = text ? JSON.parse(text) : null;
  return value?.data ? value : null;
}

/** The built-in example: `{ data }` packed like a link (single file) or files to fetch. */
export async function exampleFiles(names) {
  const packed = inline("leakscope-example");
  if (packed) return { data: JSON.parse(packed).data };
  return {
    files: await Promise.all(names.map(async (name) => {
      const response = await fetch(new URL(`../pkg/example/${name}`, import.meta.url));
      if (!response.ok) throw new Error(`the example's ${name}: HTTP ${response.status}`);
      return { name, blob: await response.blob() };
    })),
  };
}

/**
 * A single-file report: the single-file page with `{ hash, data }` inside.
 * `<` is escaped in the JSON, so no name can close the element.
 */
export async function reportHTML(hash, data) {
  let template = pristine;
  if (!template) {
    const response = await fetch(new URL("../leakscope.html", import.meta.url));
    if (!response.ok) throw new Error(`could not read the single-file page leakscope.html (HTTP ${response.status}); was the site built with scripts/build-dist?`);
    template = await response.text();
  }
  const json = JSON.stringify({ hash, data }).replace(/</g, "\\u003c");
  const element = /<script type="application\/json" id="leakscope-data">[^<]*<\/script>/;
  if (!element.test(template)) throw new Error("the single-file page has no place for data");
  return template.replace(element, () => `<script type="application/json" id="leakscope-data">${json}</script>`);
}

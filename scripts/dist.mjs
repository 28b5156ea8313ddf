// Assembles the deployable site in dist/ from the page (index.html, www/)
// and the built wasm package (pkg/, from scripts/build-web):
//
//   dist/index.html, www/, pkg/   the hosted app (relative paths only, so
//                                 it works under any path prefix)
//   dist/sw.js                    its service worker: the file list and a
//                                 version (a hash of the files) filled in
//   dist/leakscope.html           the single-file build: the app bundled
//                                 by esbuild, the worker's code, the wasm
//                                 (base64) and the example inside one page
//                                 that opens from file://
//
// Run by scripts/build-dist.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const read = (path) => readFileSync(join(root, path));

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "pkg"), { recursive: true });
cpSync(join(root, "index.html"), join(dist, "index.html"));
cpSync(join(root, "www"), join(dist, "www"), { recursive: true, filter: (src) => !src.endsWith("sw.js") });
for (const f of ["leakscope.js", "leakscope_bg.wasm"]) cpSync(join(root, "pkg", f), join(dist, "pkg", f));
cpSync(join(root, "pkg/example"), join(dist, "pkg/example"), { recursive: true });

// ---- the single-file build ---------------------------------------------

async function bundle(entry) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: "iife",
    minify: true,
    write: false,
    target: "es2022",
    // The single-file code never takes the import.meta.url (hosted) paths.
    logOverride: { "empty-import-meta": "silent" },
  });
  return result.outputFiles[0].text;
}

/** Text that goes inside a <script> or <style> element must not end it early. */
function checkRaw(text, what) {
  if (/<\/(script|style)|<!--/i.test(text)) throw new Error(`${what} contains </script, </style or <!--; it cannot be inlined`);
  return text;
}

const app = checkRaw(await bundle("www/app.js"), "the app bundle");
const worker = checkRaw(await bundle("www/worker.js"), "the worker bundle");
const css = checkRaw(read("www/style.css").toString(), "style.css");
const wasm = read("pkg/leakscope_bg.wasm").toString("base64");

// The example, packed as a link's data by the core itself.
const pkg = await import(join(root, "pkg/leakscope.js"));
await pkg.default({ module_or_path: read("pkg/leakscope_bg.wasm") });
const exampleNames = readdirSync(join(root, "pkg/example")).sort();
const example = pkg.pack(exampleNames, exampleNames.map((n) => read(`pkg/example/${n}`)));

let html = read("index.html").toString();
const replace = (pattern, text) => {
  if (!pattern.test(html)) throw new Error(`index.html: ${pattern} not found`);
  html = html.replace(pattern, () => text);
};
const sha256 = (text) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
// The same policy as index.html's, with the inline script and style named
// by their hashes (no 'unsafe-inline') and the worker started from a Blob.
replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${sha256(app)} 'wasm-unsafe-eval'; style-src ${sha256(`\n${css}`)}; img-src blob: data:; connect-src https: http:; worker-src blob:; object-src 'none'; base-uri 'none'; form-action 'none'">`);
replace(/<link rel="stylesheet" href="www\/style.css">/, `<style>\n${css}</style>`);
replace(/<script type="module" src="www\/app.js"><\/script>\n/, "");
replace(/<\/body>/, [
  `<script type="application/octet-stream" id="leakscope-wasm">${wasm}</script>`,
  `<script type="text/plain" id="leakscope-worker">${worker}</script>`,
  `<script type="application/json" id="leakscope-example">${JSON.stringify({ data: example })}</script>`,
  `<script type="application/json" id="leakscope-data">null</script>`,
  `<script>${app}</script>`,
  "</body>",
].join("\n"));
writeFileSync(join(dist, "leakscope.html"), html);

// ---- the service worker --------------------------------------------------

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(relative(dist, path));
  }
};
walk(dist);
const version = createHash("sha256");
for (const f of files) version.update(f).update(readFileSync(join(dist, f)));
const sw = read("www/sw.js").toString()
  .replace("__VERSION__", version.digest("hex").slice(0, 16))
  .replace("__FILES__", JSON.stringify(["./", ...files]));
writeFileSync(join(dist, "sw.js"), sw);

const size = (f) => `${(statSync(join(dist, f)).size / 1e6).toFixed(2)} MB`;
console.error(`dist/: ${files.length + 1} files; leakscope.html ${size("leakscope.html")}, pkg/leakscope_bg.wasm ${size("pkg/leakscope_bg.wasm")}`);

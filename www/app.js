// The page's shell: files in, views out. The worker (client.js → worker.js)
// holds the core; every figure and every chart comes from it, formatted.
// This file only wires events, the URL state and the DOM.
import { $, h } from "./dom.js";
import { Client } from "./client.js";
import { readHash, writeHash, coreState, viewHash } from "./state.js";
import { singleFile, embeddedData, exampleFiles, reportHTML } from "./assets.js";
import { fetchFile, nameOf, shareDialog, download } from "./share.js";
import { registerOffline } from "./offline.js";
import { keepFiles, keptFiles, forgetKept, keepLimit } from "./keep.js";
import { renderFiles, errorCard } from "./views/files.js";
import { renderOverview } from "./views/overview.js";
import { renderCharts } from "./views/charts.js";
import { renderTop } from "./views/top.js";
import { renderList } from "./views/list.js";
import { renderDiff } from "./views/diff.js";
import { renderTrend } from "./views/trend.js";
import { renderGraph } from "./views/graph.js";
import { renderFlame, renderCallers } from "./views/flame.js";

// Where the page's own work starts (tests tell the browser's handling of a
// long link, before any script runs, from the page's).
performance.mark("app");

// Every font the views use is laid out once now, while looking one up is
// quick, and the sample removed (style.css says why).
const fontSample = $("font-warmup");
fontSample?.getBoundingClientRect();
fontSample?.remove();

const VIEWS = [
  ["overview", "Overview"],
  ["charts", "Memory"],
  ["top", "Top"],
  ["list", "Source"],
  ["diff", "Diff"],
  ["graph", "Graph"],
  ["flame", "Flame"],
  ["callers", "Callers"],
  ["trend", "Trend"],
];
const EXAMPLE = ["heap.0.pb.gz", "heap.1.pb.gz", "heap.2.pb.gz", "heap.3.pb.gz", "grafana-joined-epoch.csv", "dmesg.txt"];
const BIG = 4 << 20;

let state = readHash();
let loading = null; // { id, size, name }
let cancelFetch = null; // aborts the link's file being fetched
let renderTicket = 0;
let unknownView = null; // the view a link named that there is none of (see show)
const client = new Client(({ id, read }) => {
  if (loading && id === loading.id) $("progress-bar").value = read / loading.size;
}, (message) => addError("leakscope", `${message}. The loaded files are kept: a fresh worker is reading them again.`), watchWorker);

// ---- the worker's long requests ------------------------------------------

/** After this long, what the worker is doing is shown, with Cancel. */
const SLOW_MS = 400;
const WORK = {
  add: "Loading", overview: "Working on the Overview", charts: "Drawing the memory charts", top: "Working on Top",
  list: "Working on Source", diff: "Working on Diff", trend: "Working on Trend", graph: "Laying out the call graph",
  graph_svg: "Drawing the call graph", flame: "Working on the flame graph", flame_svg: "Drawing the flame graph",
  callers: "Working on Callers", unpack: "Unpacking the link's files", pack: "Packing the files",
};
let watching = null;

/**
 * Shows the request the worker has been on for more than SLOW_MS, with the
 * seconds it has taken and Cancel (which stops the worker; a fresh one gets
 * the files again), until the worker is idle.
 */
function watchWorker() {
  if (watching) return;
  watching = setInterval(() => {
    const busy = client.busy();
    if (!busy) {
      clearInterval(watching);
      watching = null;
      if (!cancelFetch) $("progress").hidden = true;
      return;
    }
    const elapsed = performance.now() - busy.started;
    if (elapsed < SLOW_MS || cancelFetch) return;
    $("progress-what").textContent = WORK[busy.op] ?? "Working";
    $("progress-name").textContent = busy.op === "add" ? busy.name : "";
    if (!(loading && busy.op === "add")) $("progress-bar").removeAttribute("value");
    $("progress-time").textContent = `${(elapsed / 1000).toFixed(0)} s`;
    $("progress").hidden = false;
  }, 200);
}

// ---- errors ---------------------------------------------------------------

/** Cards shown at most; past them one card counts the rest. */
const MAX_ERROR_CARDS = 20;
// The most files one link has this browser fetch (its `url=`s).
const MAX_URLS = 100;

/** An error card, unless there are many already: then the count of the rest. */
function addError(name, message) {
  const errors = $("errors");
  if (errors.querySelectorAll(".error:not(.more)").length < MAX_ERROR_CARDS) return errors.append(errorCard(name, message));
  let more = errors.querySelector(".error.more");
  if (!more) {
    more = errorCard("…", h("span", { class: "count" }));
    more.classList.add("more");
    more.dataset.count = "0";
    errors.append(more);
  }
  more.dataset.count = String(Number(more.dataset.count) + 1);
  more.querySelector(".count").textContent = `and ${more.dataset.count} more could not be read (the last: ${name}: ${message})`;
}

// ---- the view ---------------------------------------------------------

// The state asked for last: a change made while an earlier one is still
// being computed builds on it, not on the state shown.
let wanted = state;

function navigate(view, params = {}) {
  return show({ ...wanted, ...params, view }, { push: true });
}

/** A control's change; `control` (the box or menu) hears of a refusal. */
function update(partial, control = null) {
  return show({ ...wanted, ...partial }, { control });
}

const handlers = {
  onChange: update,
  onOpen: (name) => navigate("list", { list: name }),
  hoverAt: (process, kind, time) => client.call("hover", { state: coreState(state, width()), process, kind, time }).catch(() => []),
  onZoom: (from, to) => update({ from, to }),
  onReset: () => update({ from: undefined, to: undefined }),
  onToggle: (name) => update({ hidden: state.hidden.includes(name) ? state.hidden.filter((n) => n !== name) : [...state.hidden, name] }),
  navigate: (view, params) => navigate(view, params),
  // The next page of a view the core sends in pages (the Source view's listings).
  fetchMore: (op, extra) => client.call(op, { state: { ...coreState(state, width()), ...extra } }),
  download: async (op, filename) => download(await client.call(op, { state: coreState(state, width()) }), filename, "image/svg+xml"),
};

const width = () => Math.max(320, $("view").clientWidth - 8);

const RENDERERS = {
  overview: (result) => renderOverview(result, { navigate, searchTable: (id, query) => client.call("overview_table", { state: coreState(state, width()), id, query }) }),
  charts: (result, s) => renderCharts(result, s, handlers),
  top: (result, s) => renderTop(result, s, handlers),
  list: (result, s) => renderList(result, s, handlers),
  diff: (result, s) => renderDiff(result, s, handlers),
  trend: (result, s) => renderTrend(result, s, handlers),
  graph: (result, s) => renderGraph(result, s, handlers),
  flame: (result, s) => renderFlame(result, s, handlers),
  callers: (result, s) => renderCallers(result, s, handlers),
};

const render = () => show(state);

/**
 * Shows the view of `next`, which becomes the state once the core has
 * answered. When the core refuses a change made with a control (a
 * half-typed regex), the last good view stays, the box keeps what was
 * typed and its focus, and the error is told beside it.
 */
async function show(next, { push = false, control = null } = {}) {
  const ticket = ++renderTicket;
  // A link naming a view leakscope does not have (`view=memory`) gets the
  // Overview, its tab marked, and a line saying so until another view is
  // chosen (the Overview is drawn again as files load); the link is rewritten.
  if (!VIEWS.some(([v]) => v === next.view)) {
    unknownView = next.view ? String(next.view) : null;
    next = { ...next, view: "overview" };
  } else if (next.view !== "overview") unknownView = null;
  wanted = next;
  const view = next.view;
  let content;
  try {
    const result = await client.call(view, { state: coreState(next, width()) });
    if (ticket !== renderTicket) return;
    content = RENDERERS[view](result, next);
  } catch (e) {
    if (ticket !== renderTicket) return;
    if (e.message === "cancelled") {
      // Stopped with Cancel: the view is not made, and not written into the link.
      wanted = state;
      const label = VIEWS.find(([v]) => v === view)[1];
      $("view").replaceChildren(h("div", { class: "message" },
        h("p", { class: "muted" }, `Stopped: the ${label} view was cancelled before it was ready. The files are still loaded.`),
        h("button", { class: "button", onclick: () => show(next, { push }) }, "Try again")));
      return;
    }
    if (control?.isConnected) {
      wanted = state;
      return refuse(control, e.message);
    }
    content = failed(e.message, next);
  }
  state = next;
  writeHash(state, { push });
  for (const [v] of VIEWS) $(`tab-${v}`).setAttribute("aria-current", String(v === state.view));
  const focus = focusedControl();
  $("view").replaceChildren(...[view === "overview" && unknownView !== null && unknownViewNote(unknownView), content].flat(Infinity).filter(Boolean));
  refocus(focus);
  // After the next paint (the frame's rendering steps run between the two).
  requestAnimationFrame(() => setTimeout(() => performance.mark(`painted:${view}`)));
}

/** The line above the Overview when a link named a view there is none of. */
function unknownViewNote(name) {
  const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
  return h("p", { class: "note", role: "status" },
    `This link asks for a view called “${shown}”, which leakscope does not have, so here is the Overview. The views are ${VIEWS.map(([, label]) => label).join(", ")}.`);
}

/** The core's refusal of a control's value, beside the control. */
function refuse(control, message) {
  const id = `error-${control.name || "control"}`;
  document.getElementById(id)?.remove();
  control.setAttribute("aria-invalid", "true");
  control.setAttribute("aria-describedby", id);
  (control.closest("label") ?? control).after(h("span", { id, class: "field-error", role: "alert" }, message));
}

/** A view the core could not make (a link's bad regex): the error, and a way out. */
function failed(message, next) {
  const filters = ["f", "i", "h", "s", "q", "list", "fn", "fz"].filter((k) => next[k]?.length);
  return h("div", { class: "message" },
    h("p", { class: "muted" }, message),
    filters.length ? h("button", { class: "button", onclick: () => navigate(next.view, Object.fromEntries(filters.map((k) => [k, k === "fz" ? [] : undefined]))) }, "Show it without the filters") : null);
}

/** The view's focused box or menu, with what was typed and where the caret was. */
function focusedControl() {
  const el = document.activeElement;
  if (!$("view").contains(el)) return null;
  if (el.dataset?.focus) return { focus: el.dataset.focus };
  if (!el.name) return null;
  return { name: el.name, value: el.value, start: el.selectionStart, end: el.selectionEnd };
}

/** Focus back on the same control in the new view (typing goes on uninterrupted). */
function refocus(focus) {
  if (!focus) return;
  if (focus.focus) return $("view").querySelector(`[data-focus="${CSS.escape(focus.focus)}"]`)?.focus({ preventScroll: true });
  const el = $("view").querySelector(`[name="${CSS.escape(focus.name)}"]`);
  if (!el) return;
  if (el.tagName === "INPUT" && el.value !== focus.value) el.value = focus.value;
  el.focus({ preventScroll: true });
  if (focus.start !== null && el.setSelectionRange) el.setSelectionRange(focus.start, focus.end);
}

// ---- files ------------------------------------------------------------

async function refreshFiles() {
  const files = await client.call("files");
  $("files").replaceChildren(...[renderFiles(files, async (id) => {
    await client.remove(id);
    forgetLinkFiles();
    // Storage first: once the table no longer shows the file, a reload does not bring it back.
    await keepLoaded();
    await refreshFiles();
    render();
  })].flat());
  document.body.classList.toggle("empty", files.length === 0);
  keepLoaded();
}

// ---- files kept in this browser ----------------------------------------

// Whether storage mirrors the loaded files (keepMode): "waiting" until what it held
// is loaded again (the page's first, empty, file list must not wipe it);
// "link" while the files are the ones a link or a report carried (opening
// one must not replace what was kept; the link itself brings them back);
// "on" otherwise, and from the moment the files loaded are no longer the
// link's alone.
let keepMode = "waiting";

let keeping = Promise.resolve();

/**
 * Storage holds what is loaded (within its limit); a line under the files
 * says what was kept. The line is there at once (the views below do not
 * move when storage answers); writing a big file may take a while and no
 * view waits for it.
 */
function keepLoaded() {
  if (!client.files.length) {
    $("kept").hidden = true;
    if (keepMode === "on") keeping = keeping.then(forgetKept).catch(() => {});
    return keeping;
  }
  if (keepMode === "link") {
    $("kept").replaceChildren("Not kept in this browser: these files came with the link or report (what was kept before stays as it was).");
  } else if ($("kept").hidden) {
    $("kept").replaceChildren("Keeping these files in this browser for a reload…");
  }
  $("kept").hidden = false;
  if (keepMode === "on") keeping = keeping.then(sayKept, sayKept);
  return keeping;
}

async function sayKept() {
  let line;
  try {
    const { kept, left } = await keepFiles(client.files);
    const labels = await client.call("byte_labels", { bytes: [kept, keepLimit(), ...left.map((f) => f.blob.size)] });
    line = [`Kept in this browser for a reload (${labels[0]}; never uploaded).`,
      ...left.map((f, k) => ` Not kept: ${f.name} (${labels[k + 2]}): ${f.error ? `storage refused it (${f.error.message})` : `the page keeps at most ${labels[1]} of files`}.`)].join("");
  } catch (e) {
    line = `Not kept for a reload: this browser's storage is unavailable here (${e?.message ?? e}).`;
  }
  if (client.files.length) $("kept").replaceChildren(line, " ", h("button", { class: "link", id: "forget", onclick: forgetAll }, "Forget these files"));
}

/** Unloads every file and clears them from storage. */
async function forgetAll() {
  for (const f of [...client.files]) for (const m of f.members) await client.remove(m.id);
  $("errors").replaceChildren();
  forgetLinkFiles();
  await keepLoaded(); // storage first, as for one file (refreshFiles)
  await refreshFiles();
  render();
}

/** The files kept from the last visit, loaded again as they were left. */
async function restoreKept() {
  let kept;
  try {
    kept = await keptFiles();
  } catch {
    return; // No storage here: keepLoaded says so once files are loaded.
  }
  if (kept.length) await loadAll(kept.map((k) => ({ name: k.name, blob: k.blob, utcOffset: k.utcOffset, kept: k.members, key: k.key })), { fromLink: true });
}

/** The files a link named no longer describe what is loaded. */
function forgetLinkFiles() {
  if (!state.url.length && !state.data) return;
  // The files are the person's own set now: kept from here on.
  keepMode = "on";
  state = { ...state, url: [], data: undefined };
  wanted = { ...wanted, url: [], data: undefined };
  writeHash(state);
}

/**
 * Loads files ({ name, blob } or, from a link, { name, bytes }; restored
 * from storage, also { utcOffset, kept, key }); unless they come from the link itself, the link's files are
 * forgotten.
 */
async function loadAll(entries, { fromLink = false } = {}) {
  if (!fromLink) forgetLinkFiles();
  performance.mark("load-start");
  for (const batch of batches(entries)) {
    if (batch.length > 1) {
      let results;
      try {
        results = await client.addBatch(batch);
      } catch (e) {
        results = batch.map(() => ({ error: e.message === "cancelled" ? "loading cancelled" : e.message }));
      }
      results.forEach((result, i) => loaded(batch[i].name, result));
      continue;
    }
    const [{ name, bytes, blob: given, ...options }] = batch;
    const blob = given ?? new Blob([bytes]);
    const id = client.peekId();
    if (blob.size > BIG) {
      loading = { id, size: blob.size, name };
      $("progress-what").textContent = "Loading";
      $("progress-name").textContent = name;
      $("progress-time").textContent = "";
      $("progress-bar").value = 0;
      $("progress").hidden = false;
    }
    try {
      loaded(name, await client.add(name, blob, options));
    } catch (e) {
      loaded(name, { error: e.message === "cancelled" ? "loading cancelled" : e.message });
    } finally {
      loading = null;
      $("progress").hidden = true;
    }
  }
  await refreshFiles();
  await render();
  // For tests and benchmarks: how many loads have completed.
  window.__loads = (window.__loads ?? 0) + 1;
}

/**
 * Small files go to the worker in batches (one request for up to 500 of
 * them or 8 MB), a big one on its own with its progress bar.
 */
function* batches(entries) {
  let batch = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.blob?.size ?? entry.bytes.length;
    // Files restored from storage go one at a time, as they were kept.
    if (size > 1 << 20 || entry.kept) {
      if (batch.length) yield batch;
      batch = [];
      bytes = 0;
      yield [entry];
      continue;
    }
    batch.push(entry);
    bytes += size;
    if (batch.length >= 500 || bytes >= 8 << 20) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) yield batch;
}

/** What the worker said of a file: its members' errors, or its own. */
function loaded(name, added) {
  if (added.error !== undefined) return addError(name, added.error);
  // Read now: an earlier card about this file (a cancelled load) no longer holds.
  for (const card of $("errors").querySelectorAll(".error")) if (card.dataset.name === name) card.remove();
  // An archive's members that could not be read, each on its own card.
  for (const e of added.errors) addError(e.name, e.message);
}

/** Files and folders from a drop (folders are walked: sources keep their paths). */
async function dropped(dataTransfer) {
  const entries = [...dataTransfer.items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...dataTransfer.files].map((f) => ({ name: f.name, blob: f }));
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) out.push(await new Promise((ok, fail) => entry.file((f) => ok({ name: entry.fullPath.replace(/^\//, ""), blob: f }), fail)));
    else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (let batch; (batch = await new Promise((ok, fail) => reader.readEntries(ok, fail))).length;) for (const e of batch) await walk(e);
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

/** Files packed in a link's (or a report's) data. */
async function loadPacked(data, options) {
  let files;
  try {
    files = await client.call("unpack", { data });
  } catch (e) {
    addError("the link's files", e.message);
    return;
  }
  await loadAll(files.map(({ name, bytes }) => ({ name, bytes })), options);
}

/** What a fetched file is called: the core names what it knows (a Prometheus range query), the rest go by their path's last part. */
async function fetchedName(href) {
  const url = URL.canParse(href) ? new URL(href) : null;
  const known = url && (await client.call("fetched_file_name", { path: url.pathname, host: url.host }).catch(() => null));
  return known ?? nameOf(href);
}

/** Files a link names by URL, fetched one at a time with progress and Cancel. */
async function loadURLs(urls) {
  const entries = [];
  // A link asks this browser to fetch each of its urls: a crafted one may
  // name thousands (requests to any server). The first MAX_URLS are
  // fetched, one at a time, and Cancel stops them all.
  if (urls.length > MAX_URLS) addError("this link", `it names ${urls.length} files to fetch (url=); the page fetches at most ${MAX_URLS} from one link: the first ${MAX_URLS}, not the other ${urls.length - MAX_URLS}`);
  let cancelled = false;
  for (const [i, url] of urls.slice(0, MAX_URLS).entries()) {
    const controller = new AbortController();
    cancelFetch = () => {
      cancelled = true;
      controller.abort();
    };
    $("progress-what").textContent = "Downloading";
    $("progress-name").textContent = url;
    $("progress-time").textContent = "";
    $("progress-bar").removeAttribute("value");
    $("progress").hidden = false;
    try {
      const blob = await fetchFile(url, {
        signal: controller.signal,
        onProgress: (read, total) => {
          if (total) $("progress-bar").value = read / total;
          $("progress-time").textContent = `${(read / (1024 * 1024)).toFixed(0)} MB`;
        },
      });
      entries.push({ name: await fetchedName(url), blob });
    } catch (e) {
      const rest = Math.min(urls.length, MAX_URLS) - i - 1;
      // A Prometheus that does not let this page read it: the core says how it would.
      const origin = /^https?:/.test(location.protocol) ? location.origin : null;
      const advice = e.refused ? await client.call("prometheus_cors_advice", { url, origin }).catch(() => null) : null;
      addError(url, e.message + (advice ? `. ${advice}` : "") + (cancelled && rest ? ` (and the link's ${rest} other ${rest === 1 ? "file" : "files"} after it were not fetched)` : ""));
    } finally {
      cancelFetch = null;
      $("progress").hidden = true;
    }
    if (cancelled) break;
  }
  await loadAll(entries, { fromLink: true });
  return entries.length;
}

/** Bytes of the loaded files, packed by the core for a link or a report. */
async function packFiles(files) {
  const list = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.blob.arrayBuffer() })));
  return client.call("pack", { files: list }, list.map((f) => f.bytes));
}

async function downloadReport() {
  try {
    const html = await reportHTML(viewHash(state), await packFiles(client.files));
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
    download(html, `leakscope-report-${stamp}.html`, "text/html");
  } catch (e) {
    addError("report", e.message);
  }
}

/**
 * What the page was opened with: a report's own data, a link's data or
 * URLs; with none, the files kept from the last visit. A link's files
 * leave the kept ones alone (see `keepMode`).
 */
async function openLinked() {
  const embedded = embeddedData();
  if (!embedded && !state.data && !state.url.length) {
    await restoreKept();
    keepMode = "on";
    return;
  }
  keepMode = "link";
  if (embedded && !state.data && !state.url.length) {
    if (!location.hash.slice(1)) {
      state = wanted = readHash(`#${embedded.hash}`);
      writeHash(state);
    }
    await loadPacked(embedded.data, { fromLink: true });
  }
  if (state.data) await loadPacked(state.data, { fromLink: true });
  if (state.url.length) await loadURLs(state.url);
}

let pasted = 0;
function loadText(text) {
  if (text.trim()) loadAll([{ name: `pasted-${++pasted}.txt`, blob: new Blob([text]) }]);
}

// ---- wiring -------------------------------------------------------------

$("tabs").append(...VIEWS.map(([view, label]) => h("button", { id: `tab-${view}`, class: "tab", onclick: () => navigate(view) }, label)));
$("open-files").addEventListener("click", () => $("file").click());
$("open-folder").addEventListener("click", () => $("folder").click());
$("file").addEventListener("change", (e) => loadAll([...e.target.files].map((f) => ({ name: f.name, blob: f }))).then(() => (e.target.value = "")));
$("folder").addEventListener("change", (e) => loadAll([...e.target.files].map((f) => ({ name: f.webkitRelativePath || f.name, blob: f }))).then(() => (e.target.value = "")));
$("example").addEventListener("click", async () => {
  try {
    const example = await exampleFiles(EXAMPLE);
    if (example.data) await loadPacked(example.data);
    else await loadAll(example.files);
  } catch (e) {
    addError("example", e.message);
  }
});
$("copy-link").addEventListener("click", () =>
  shareDialog({
    files: client.files, urls: state.url, hash: viewHash(state), pack: packFiles, onReport: downloadReport,
    labels: (bytes) => client.call("byte_labels", { bytes }),
  }));
$("report").addEventListener("click", downloadReport);
// Open from Prometheus: the core writes the query; the page fetches it
// like a link's #url= (capped, cancellable, its errors said), and the URL
// goes into the link, so a copied link fetches the same window again.
$("prom-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const seconds = Number($("prom-range").value);
  let url;
  try {
    const { path, params } = await client.call("prometheus_query", { selector: $("prom-selector").value, seconds, now: Date.now() / 1000 });
    url = new URL(path.replace(/^\//, ""), $("prom-url").value.replace(/\/*$/, "/"));
    for (const [k, v] of params) url.searchParams.set(k, v);
  } catch (error) {
    return addError("Open from Prometheus", error.message);
  }
  $("prom").open = false;
  if (await loadURLs([url.href])) {
    state = { ...state, url: [...state.url, url.href] };
    writeHash(state);
  }
});

$("paste-load").addEventListener("click", () => {
  loadText($("paste-text").value);
  $("paste-text").value = "";
  $("paste").open = false;
});
$("cancel").addEventListener("click", () => (cancelFetch ? cancelFetch() : client.restart()));
document.addEventListener("dragover", (e) => {
  e.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", (e) => e.relatedTarget === null && document.body.classList.remove("dragging"));
document.addEventListener("drop", async (e) => {
  e.preventDefault();
  document.body.classList.remove("dragging");
  performance.mark("drop");
  loadAll(await dropped(e.dataTransfer));
});
document.addEventListener("paste", (e) => {
  if (e.target.closest?.("input, textarea")) return;
  loadText(e.clipboardData.getData("text"));
});
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && !e.target.closest?.("input, textarea, select")) {
    e.preventDefault();
    // The box that says "/ to search"; where there is none (Flame), the view's own search, then its first box.
    (document.querySelector("#view input.search") ?? document.querySelector('#view input[name="q"]') ?? document.querySelector("#view input"))?.focus();
  }
});
addEventListener("popstate", () => {
  const next = readHash();
  const otherFiles = (next.data && next.data !== state.data) || (next.url.length && next.url.join("\n") !== state.url.join("\n"));
  // The loaded files stay; a link naming other files (pasted into this
  // tab, or an older history entry) is opened only when asked.
  if (otherFiles) {
    const link = location.href;
    const offer = h("div", { class: "update", role: "status" }, "This link names other files than the ones loaded. ",
      h("button", { class: "button", onclick: () => { location.replace(link); location.reload(); } }, "Open them instead"),
      h("button", { class: "link close", "aria-label": "dismiss", onclick: () => offer.remove() }, "×"));
    document.body.prepend(offer);
  }
  show({ ...next, url: state.url, data: state.data });
});
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", render);
let resizeTimer;
addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => state.view === "charts" && render(), 200);
});

if (!singleFile) registerOffline();
refreshFiles().then(render).then(openLinked).then(keepLoaded);

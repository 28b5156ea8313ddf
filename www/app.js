// The page's shell: files in, views out. The worker (client.js → worker.js)
// holds the core; every figure and every chart comes from it, formatted.
// This file only wires events, the URL state and the DOM.
import { $, h } from "./dom.js";
import { Client } from "./client.js";
import { readHash, writeHash, coreState, viewHash } from "./state.js";
import { singleFile, embeddedData, exampleFiles, reportHTML } from "./assets.js";
import { fetchFile, nameOf, shareDialog, download } from "./share.js";
import { registerOffline } from "./offline.js";
import { renderFiles, errorCard } from "./views/files.js";
import { renderOverview } from "./views/overview.js";
import { renderCharts } from "./views/charts.js";
import { renderTop } from "./views/top.js";
import { renderList } from "./views/list.js";
import { renderDiff } from "./views/diff.js";
import { renderTrend } from "./views/trend.js";
import { renderGraph } from "./views/graph.js";
import { renderFlame, renderCallers } from "./views/flame.js";

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
const client = new Client(({ id, read }) => {
  if (loading && id === loading.id) $("progress-bar").value = read / loading.size;
}, (message) => $("errors").append(errorCard("leakscope", `${message}. The loaded files are kept: a fresh worker is reading them again.`)));

// ---- the view ---------------------------------------------------------

function navigate(view, params = {}) {
  state = { ...state, ...params, view };
  writeHash(state, { push: true });
  render();
}

function update(partial) {
  state = { ...state, ...partial };
  writeHash(state);
  render();
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

async function render() {
  const ticket = ++renderTicket;
  for (const [view] of VIEWS) $(`tab-${view}`).setAttribute("aria-current", String(view === state.view));
  const view = VIEWS.some(([v]) => v === state.view) ? state.view : "overview";
  let content;
  try {
    const result = await client.call(view, { state: coreState(state, width()) });
    if (ticket !== renderTicket) return;
    content = {
      overview: () => renderOverview(result, { navigate }),
      charts: () => renderCharts(result, state, handlers),
      top: () => renderTop(result, state, handlers),
      list: () => renderList(result, state, handlers),
      diff: () => renderDiff(result, state, handlers),
      trend: () => renderTrend(result, state, handlers),
      graph: () => renderGraph(result, state, handlers),
      flame: () => renderFlame(result, state, handlers),
      callers: () => renderCallers(result, state, handlers),
    }[view]();
  } catch (e) {
    if (ticket !== renderTicket) return;
    content = h("p", { class: "muted message" }, e.message);
  }
  $("view").replaceChildren(...[content].flat(Infinity).filter(Boolean));
  // After the next paint (the frame's rendering steps run between the two).
  requestAnimationFrame(() => setTimeout(() => performance.mark(`painted:${view}`)));
}

// ---- files ------------------------------------------------------------

async function refreshFiles() {
  const files = await client.call("files");
  $("files").replaceChildren(...[renderFiles(files, async (id) => {
    await client.remove(id);
    forgetLinkFiles();
    await refreshFiles();
    render();
  })].flat());
  document.body.classList.toggle("empty", files.length === 0);
}

/** The files a link named no longer describe what is loaded. */
function forgetLinkFiles() {
  if (!state.url.length && !state.data) return;
  state = { ...state, url: [], data: undefined };
  writeHash(state);
}

/** Loads files; unless they come from the link itself, the link's files are forgotten. */
async function loadAll(entries, { fromLink = false } = {}) {
  if (!fromLink) forgetLinkFiles();
  performance.mark("load-start");
  for (const { name, blob } of entries) {
    const id = client.peekId();
    if (blob.size > BIG) {
      loading = { id, size: blob.size, name };
      $("progress-name").textContent = name;
      $("progress-bar").value = 0;
      $("progress").hidden = false;
    }
    try {
      const added = await client.add(name, blob);
      // An archive's members that could not be read, each on its own card.
      for (const e of added.errors) $("errors").append(errorCard(e.name, e.message));
    } catch (e) {
      $("errors").append(errorCard(name, e.message === "cancelled" ? "loading cancelled" : e.message));
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
    $("errors").append(errorCard("the link's files", e.message));
    return;
  }
  await loadAll(files.map(({ name, bytes }) => ({ name, blob: new Blob([bytes]) })), options);
}

/** Files a link names by URL, fetched one at a time with progress and Cancel. */
async function loadURLs(urls) {
  const entries = [];
  for (const url of urls) {
    const controller = new AbortController();
    cancelFetch = () => controller.abort();
    $("progress-name").textContent = url;
    $("progress-bar").removeAttribute("value");
    $("progress").hidden = false;
    try {
      const blob = await fetchFile(url, {
        signal: controller.signal,
        onProgress: (read, total) => (total ? ($("progress-bar").value = read / total) : null),
      });
      entries.push({ name: nameOf(url), blob });
    } catch (e) {
      $("errors").append(errorCard(url, e.message));
    } finally {
      cancelFetch = null;
      $("progress").hidden = true;
    }
  }
  await loadAll(entries, { fromLink: true });
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
    $("errors").append(errorCard("report", e.message));
  }
}

/** What the page was opened with: a report's own data, a link's data or URLs. */
async function openLinked() {
  const embedded = embeddedData();
  if (embedded && !state.data && !state.url.length) {
    if (!location.hash.slice(1)) {
      state = readHash(`#${embedded.hash}`);
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
$("file").addEventListener("change", (e) => loadAll([...e.target.files].map((f) => ({ name: f.name, blob: f }))).then(() => (e.target.value = "")));
$("folder").addEventListener("change", (e) => loadAll([...e.target.files].map((f) => ({ name: f.webkitRelativePath || f.name, blob: f }))).then(() => (e.target.value = "")));
$("example").addEventListener("click", async () => {
  try {
    const example = await exampleFiles(EXAMPLE);
    if (example.data) await loadPacked(example.data);
    else await loadAll(example.files);
  } catch (e) {
    $("errors").append(errorCard("example", e.message));
  }
});
$("copy-link").addEventListener("click", () =>
  shareDialog({
    files: client.files, urls: state.url, hash: viewHash(state), pack: packFiles, onReport: downloadReport,
    labels: (bytes) => client.call("byte_labels", { bytes }),
  }));
$("report").addEventListener("click", downloadReport);
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
    document.querySelector("input.search, #view input")?.focus();
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
  state = { ...next, url: state.url, data: state.data };
  render();
});
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", render);
let resizeTimer;
addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => state.view === "charts" && render(), 200);
});

if (!singleFile) registerOffline();
refreshFiles().then(render).then(openLinked);

// The leak suspects of every series of snapshots (one kind, program and
// process life each), with a sparkline per site. What the core notes about
// a series comes before its table; the table is drawn a window at a time
// (window.js): a series may have 20,000 sites.
import { h, svg } from "../dom.js";
import { reportControls, searchBox } from "./controls.js";
import { appendSliced, windowedTable } from "./window.js";

const COLUMNS = ["#", "verdict", "first", "last", "growth", "share", "mono", "per object", "per request", "", "site"];

function suspect(r) {
  return h("tr", { class: r.verdict, dataset: { name: r.name }, title: `${r.name} ${r.place}`.trim() },
    h("td", { class: "num" }, r.rank), h("td", { class: "num" }, r.verdict), h("td", { class: "num" }, r.first), h("td", { class: "num" }, r.last),
    h("td", { class: "num" }, r.growth), h("td", { class: "num" }, r.share), h("td", { class: "num" }, r.monotonic),
    h("td", { class: "num" }, r.per_object), h("td", { class: "num" }, r.per_request),
    h("td", { class: "spark" }, svg("svg", { class: "spark", viewBox: "0 0 100 24", width: 100, height: 24, "aria-hidden": "true" }, svg("path", { d: r.sparkline }))),
    h("td", { class: "name" }, r.name, " ", h("span", { class: "muted" }, r.place)));
}

/** Past this many snapshots, their table is drawn a window at a time. */
const MANY_SNAPSHOTS = 60;

// 2,000 snapshots drawn as rows took a 300 ms frame to lay out.
function snapshotsTable(t) {
  const heap = t.snapshots.some((s) => s.metrics_heap);
  const head = h("tr", {}, h("th", { class: "name" }, "snapshot"), h("th", {}, "time"), h("th", { class: "num" }, `total ${t.sample_type}`), heap ? h("th", { class: "num" }, "metrics' heap then") : null);
  const row = (s) => h("tr", {}, h("td", { class: "name", title: s.file }, s.file), h("td", {}, s.time), h("td", { class: "num" }, s.total), heap ? h("td", { class: "num" }, s.metrics_heap) : null);
  if (t.snapshots.length <= MANY_SNAPSHOTS) return h("table", { class: "snapshots" }, h("thead", {}, head), h("tbody", {}, t.snapshots.map(row)));
  return windowedTable({ className: "snapshots", head, rows: t.snapshots, row, name: (s) => s.file }).el;
}

/** A series' section, and its table (null when it has none). */
function group(g, onOpen) {
  if (!g.table) return { el: h("section", { class: "trend-group" }, h("h2", {}, g.title), h("p", { class: "muted" }, g.tie), h("p", { class: "muted message" }, g.error)), table: null };
  const t = g.table;
  const table = windowedTable({
    className: "report trend",
    head: h("tr", {}, COLUMNS.map((c, k) => h("th", { class: k >= 10 ? "name" : k === 9 ? "spark" : "num" }, c))),
    rows: t.rows,
    row: suspect,
    onOpen: (r) => onOpen(r.name),
  });
  const el = h("section", { class: "trend-group" },
    h("h2", {}, g.title),
    g.tie ? h("p", { class: "muted tie" }, g.tie) : null,
    snapshotsTable(t),
    t.notes.map((n) => h("p", { class: "note" }, n)),
    table.el,
    t.legend.length ? h("ul", { class: "muted verdicts" }, t.legend.map((l) => h("li", {}, l))) : null);
  return { el, table };
}

/** Series laid out in one task: each is a table of snapshots and a window of suspects. */
const GROUPS_AT_ONCE = 2;

export function renderTrend(view, state, { onChange, onOpen }) {
  // Twenty series' tables laid out in one task took 445 ms (beside two
  // fuzzers): the first come at once (the answer first), the rest a few
  // per frame; a search reaches the tables made so far and those made
  // after it.
  const tables = [];
  let query = "";
  const sections = h("div", { class: "trend-groups" });
  appendSliced(sections, view.groups, (g) => {
    const made = group(g, onOpen);
    if (made.table) {
      tables.push(made.table);
      if (query) made.table.search(query);
    }
    return made.el;
  }, 8, GROUPS_AT_ONCE);
  return [
    h("div", { class: "controls" }, reportControls({ ...state, g: state.g || "functions" }, null, onChange),
      view.groups.some((g) => g.table) ? searchBox((q) => { query = q; tables.forEach((t) => t.search(q)); }) : null),
    view.notes.map((n) => h("p", { class: "note" }, n)),
    sections,
  ];
}

// The leak suspects of every series of snapshots (one kind, program and
// process life each), with a sparkline per site. What the core notes about
// a series comes before its table; the table is drawn a window at a time
// (window.js): a series may have 20,000 sites.
import { h, svg } from "../dom.js";
import { reportControls, searchBox } from "./controls.js";
import { windowedTable } from "./window.js";

const COLUMNS = ["#", "verdict", "first", "last", "growth", "share", "mono", "per object", "per request", "", "site"];

function suspect(r) {
  return h("tr", { class: r.verdict, dataset: { name: r.name }, title: `${r.name} ${r.place}`.trim() },
    h("td", { class: "num" }, r.rank), h("td", { class: "num" }, r.verdict), h("td", { class: "num" }, r.first), h("td", { class: "num" }, r.last),
    h("td", { class: "num" }, r.growth), h("td", { class: "num" }, r.share), h("td", { class: "num" }, r.monotonic),
    h("td", { class: "num" }, r.per_object), h("td", { class: "num" }, r.per_request),
    h("td", { class: "spark" }, svg("svg", { class: "spark", viewBox: "0 0 100 24", width: 100, height: 24, "aria-hidden": "true" }, svg("path", { d: r.sparkline }))),
    h("td", { class: "name" }, r.name, " ", h("span", { class: "muted" }, r.place)));
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
    h("table", { class: "snapshots" },
      h("thead", {}, h("tr", {}, h("th", { class: "name" }, "snapshot"), h("th", {}, "time"), h("th", { class: "num" }, `total ${t.sample_type}`), t.snapshots.some((s) => s.metrics_heap) ? h("th", { class: "num" }, "metrics' heap then") : null)),
      h("tbody", {}, t.snapshots.map((s) => h("tr", {}, h("td", { class: "name" }, s.file), h("td", {}, s.time), h("td", { class: "num" }, s.total), s.metrics_heap ? h("td", { class: "num" }, s.metrics_heap) : null)))),
    t.notes.map((n) => h("p", { class: "note" }, n)),
    table.el);
  return { el, table };
}

export function renderTrend(view, state, { onChange, onOpen }) {
  const groups = view.groups.map((g) => group(g, onOpen));
  const tables = groups.map((g) => g.table).filter(Boolean);
  return [
    h("div", { class: "controls" }, reportControls({ ...state, g: state.g || "functions" }, null, onChange),
      tables.length ? searchBox((q) => tables.forEach((t) => t.search(q))) : null),
    groups.map((g) => g.el),
    view.notes.map((n) => h("p", { class: "note" }, n)),
  ];
}

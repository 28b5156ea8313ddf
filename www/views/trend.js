// The leak suspects of every series of snapshots (one kind, program and
// process life each), with a sparkline per site.
import { h, svg } from "../dom.js";
import { reportControls } from "./controls.js";

function group(g, onOpen) {
  if (!g.table) return h("section", { class: "trend-group" }, h("h2", {}, g.title), h("p", { class: "muted" }, g.tie), h("p", { class: "muted message" }, g.error));
  const t = g.table;
  return h("section", { class: "trend-group" },
    h("h2", {}, g.title),
    g.tie ? h("p", { class: "muted tie" }, g.tie) : null,
    h("table", { class: "snapshots" },
      h("thead", {}, h("tr", {}, h("th", { class: "name" }, "snapshot"), h("th", {}, "time"), h("th", { class: "num" }, `total ${t.sample_type}`), t.snapshots.some((s) => s.metrics_heap) ? h("th", { class: "num" }, "metrics' heap then") : null)),
      h("tbody", {}, t.snapshots.map((s) => h("tr", {}, h("td", { class: "name" }, s.file), h("td", {}, s.time), h("td", { class: "num" }, s.total), s.metrics_heap ? h("td", { class: "num" }, s.metrics_heap) : null)))),
    h("table", { class: "report trend" },
      h("thead", {}, h("tr", {}, ["#", "verdict", "first", "last", "growth", "share", "mono", "per object", "per request", "", "site"].map((c, k) => h("th", { class: k >= 10 ? "name" : "num" }, c)))),
      h("tbody", {}, t.rows.map((r) =>
        h("tr", { class: r.verdict, tabindex: 0, dataset: { name: r.name }, onclick: () => onOpen(r.name), onkeydown: (e) => e.key === "Enter" && onOpen(r.name) },
          h("td", { class: "num" }, r.rank), h("td", { class: "num" }, r.verdict), h("td", { class: "num" }, r.first), h("td", { class: "num" }, r.last),
          h("td", { class: "num" }, r.growth), h("td", { class: "num" }, r.share), h("td", { class: "num" }, r.monotonic),
          h("td", { class: "num" }, r.per_object), h("td", { class: "num" }, r.per_request),
          h("td", {}, svg("svg", { class: "spark", viewBox: "0 0 100 24", width: 100, height: 24, "aria-hidden": "true" }, svg("path", { d: r.sparkline }))),
          h("td", { class: "name" }, r.name, " ", h("span", { class: "muted" }, r.place)))))),
    t.notes.map((n) => h("p", { class: "note" }, n)));
}

export function renderTrend(view, state, { onChange, onOpen }) {
  return [
    h("div", { class: "controls" }, reportControls({ ...state, g: state.g || "functions" }, null, onChange)),
    view.groups.map((g) => group(g, onOpen)),
  ];
}

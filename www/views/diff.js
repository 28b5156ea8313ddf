// pprof's diff between two snapshots: -base (the base subtracted, percentages
// of the difference) or -diff_base (percentages of the base). Rows that grew
// are red, rows that shrank green.
import { h } from "../dom.js";
import { reportControls, searchBox, select } from "./controls.js";
import { topTable } from "./top.js";

export function renderDiff(view, state, { onChange, onOpen }) {
  const table = topTable(view.table, {
    onOpen, sort: state.sort === "cum" ? "cum" : "flat", onSort: (key) => onChange({ sort: key === "cum" ? "cum" : "" }),
    rowClass: (row) => (row.flat > 0 ? "grew" : row.flat < 0 ? "shrank" : null),
  });
  return [
    h("div", { class: "controls" },
      select("Base", "base", view.profiles, view.base, onChange),
      select("Target", "target", view.profiles, view.target, onChange),
      select("Mode", "mode", ["base", "diff_base"], view.mode, onChange),
      reportControls(state, view.sample_types, onChange), searchBox(table.search)),
    h("pre", { class: "header" }, view.table.header.join("\n")),
    view.table.warnings.map((w) => h("p", { class: "warning" }, w)),
    table.el,
  ];
}

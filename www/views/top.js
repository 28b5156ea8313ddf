// pprof's top table: flat, flat%, sum%, cum, cum%, name. Every figure comes
// formatted from the core; sorting by flat or cum is pprof's own. Drawn a
// window at a time (window.js): a profile may have 20,000 rows.
import { h } from "../dom.js";
import { reportControls, searchBox, select } from "./controls.js";
import { windowedTable } from "./window.js";

/** The table as { el, table, show, search } (see windowedTable). */
export function topTable(table, { onOpen, sort, onSort, rowClass } = {}) {
  const header = (label, key) =>
    h("th", { class: "num" + (sort === key ? " sorted" : ""), title: onSort ? `sort by ${label}` : null },
      onSort ? h("button", { class: "link", onclick: () => onSort(key) }, label) : label);
  return windowedTable({
    className: "report top",
    head: h("tr", {}, header("flat", "flat"), h("th", { class: "num" }, "flat%"), h("th", { class: "num" }, "sum%"),
      header("cum", "cum"), h("th", { class: "num" }, "cum%"), h("th", { class: "name" }, "name")),
    rows: table.rows,
    onOpen: onOpen ? (row) => onOpen(row.name) : null,
    row: (row) => {
      const name = row.inline_label ? `${row.name} ${row.inline_label}` : row.name;
      return h("tr", { class: rowClass?.(row), dataset: { name: row.name }, title: name },
        h("td", { class: "num" }, row.flat_text), h("td", { class: "num" }, row.flat_percent), h("td", { class: "num" }, row.sum_percent),
        h("td", { class: "num" }, row.cum_text), h("td", { class: "num" }, row.cum_percent), h("td", { class: "name" }, name));
    },
  });
}

export function renderTop(view, state, { onChange, onOpen }) {
  const table = topTable(view.table, { onOpen, sort: state.sort === "cum" ? "cum" : "flat", onSort: (key) => onChange({ sort: key === "cum" ? "cum" : "" }) });
  return [
    h("div", { class: "controls" },
      view.profiles.length > 1 ? select("Profile", "profile", view.profiles, view.profile, onChange) : null,
      reportControls(state, view.sample_types, onChange), searchBox(table.search)),
    h("pre", { class: "header" }, view.table.header.join("\n")),
    view.table.warnings.map((w) => h("p", { class: "warning" }, w)),
    table.el,
  ];
}

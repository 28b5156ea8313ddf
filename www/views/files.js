// The loaded files and the ones that failed.
import { h } from "../dom.js";
import { grouped, windowedTable } from "./window.js";
import { searchBox } from "./controls.js";

/** Past this many files the table is drawn a window at a time, with a search. */
const MANY = 60;

export function renderFiles(files, onRemove) {
  if (!files.length) return [];
  const head = h("tr", {}, ["file", "kind", "time", "size", "what", ""].map((c) => h("th", {}, c)));
  const row = (f) =>
    h("tr", { dataset: { kind: f.kind }, title: f.name },
      h("td", { class: "name" }, f.name), h("td", {}, f.kind), h("td", {}, f.time ?? ""), h("td", { class: "num" }, f.size),
      h("td", { class: "muted" }, f.detail, f.warnings.length ? h("span", { class: "warning", title: f.warnings.join("\n") }, ` (${f.warnings.length} warning${f.warnings.length === 1 ? "" : "s"})`) : null),
      h("td", {}, h("button", { class: "link", title: `remove ${f.name}`, "aria-label": `remove ${f.name}`, onclick: () => onRemove(f.id) }, "×")));
  if (files.length <= MANY) return h("table", { class: "files" }, h("thead", {}, head), h("tbody", {}, files.map(row)));
  // Thousands of files (a folder, a link): a table of them all took a
  // second to lay out on every change of view.
  const table = windowedTable({ className: "files many", head, rows: files, row });
  return [
    h("div", { class: "controls" }, h("span", { class: "muted" }, `${grouped(files.length)} files`),
      searchBox((q) => table.search(q))),
    table.el,
  ];
}

export function errorCard(name, message, onClose) {
  const card = h("div", { class: "error", role: "alert", dataset: { name } },
    h("strong", {}, name), ": ", message,
    h("button", { class: "link close", "aria-label": "dismiss", onclick: () => { card.remove(); onClose?.(); } }, "×"));
  return card;
}

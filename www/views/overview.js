// The answer first: a card per process (and per series of snapshots tied
// to no process), each naming its evidence and linking to it; then the
// OOM kills and Kubernetes containers the files tell of, one row each.
import { h } from "../dom.js";
import { appendSliced, grouped, windowedTable } from "./window.js";
import { searchBox } from "./controls.js";

export function renderOverview(view, { navigate, searchTable }) {
  if (!view.cards.length && !view.tables.length) return h("p", { class: "muted" }, "Nothing to judge yet: drop metrics or two or more heap snapshots.");
  const makeCard = (card) =>
    h("article", { class: `card ${card.tone}` },
      h("h2", {}, card.title),
      h("p", { class: "headline" }, card.headline),
      card.facts.length ? h("dl", {}, card.facts.map((f) => [h("dt", {}, f.label), h("dd", {}, f.value)])) : null,
      h("nav", { class: "evidence" }, card.links.map((l) =>
        h("button", { class: "link", onclick: () => navigate(l.view, Object.fromEntries(l.params)) }, l.label + " →"))));
  // A hundred cards took 60 ms to lay out in one task: the first few come
  // at once (the answer first), the rest a few per frame.
  const cards = h("div", { class: "cards" });
  appendSliced(cards, view.cards, makeCard, 8, CARDS_AT_ONCE);
  // The card and both windowed tables laid out in one frame took 57–103
  // ms (kubectl-json-4k-pods: 4,000 OOM kills and containers): the cards
  // come first, then each table in a frame of its own.
  const tables = h("div", { class: "tables" });
  appendSliced(tables, view.tables, (t) => factTable(t, searchTable), 0, 1, view.cards.length > 0);
  return [
    cards,
    tables,
    view.notes.map((n) => h("p", { class: "note muted" }, n)),
  ];
}

/** Cards laid out in one task (one frame). */
const CARDS_AT_ONCE = 12;
/** Past this many rows a table is drawn a window at a time, with a search. */
const MANY = 60;

// Cells are text the core formatted; the table scrolls sideways inside
// its own box on a narrow screen.
function factTable(t, searchTable) {
  const head = h("tr", {}, t.columns.map((c) => h("th", { scope: "col" }, c)));
  const note = h("p", { class: "note muted", hidden: !t.note }, t.note ?? "");
  return h("section", { class: "facts", id: t.id },
    h("h2", {}, t.title),
    t.rows.length > MANY ? manyFacts(t, head, note, searchTable) :
      // Focusable, so that a keyboard can scroll it too.
      h("div", { class: "scroll", tabindex: 0, role: "region", "aria-label": t.title },
        h("table", { class: "facts" },
          h("thead", {}, head),
          h("tbody", {}, t.rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell))))))),
    note);
}

/** "the first 500 of 4,000 rows", "1 matching row". */
function rowCount(t, query) {
  const rows = `${query ? "matching " : ""}row${t.total === 1 ? "" : "s"}`;
  return t.total > t.rows.length ? `the first ${grouped(t.rows.length)} of ${grouped(t.total)} ${rows}` : `${grouped(t.total)} ${rows}`;
}

// Thousands of OOM kills: a row each took 450 ms to lay out for 2,000,
// on every visit to the Overview. Cells end in an ellipsis (one row
// height, for the window), whole in their tooltip.
function manyFacts(t, head, note, searchTable) {
  const row = (cells) => h("tr", {}, cells.map((cell) => h("td", { title: cell }, cell)));
  const table = windowedTable({ className: "facts many", head, rows: t.rows, row, name: (cells) => cells.join(" ") });
  table.table.prepend(h("colgroup", {}, columnWidths(t).map((ch) => {
    const col = h("col");
    col.style.width = `${ch}ch`; // through CSSOM: the CSP allows no style attributes
    return col;
  })));
  const count = h("span", { class: "muted" }, rowCount(t, ""));
  // The page holds only the first rows of a longer table: the core
  // searches them all and sends the first that match (the latest answer
  // wins; an earlier one still on its way is dropped).
  let asked = 0;
  const searchAll = async (query) => {
    const mine = ++asked;
    const found = await searchTable(t.id, query).catch(() => null);
    if (mine !== asked || !found) return;
    table.show(found.rows);
    count.textContent = rowCount(found, query);
    note.textContent = found.note ?? "";
    note.hidden = !found.note;
  };
  return [
    h("div", { class: "controls" }, count,
      searchBox(t.total > t.rows.length ? searchAll : (q) => table.search(q))),
    table.el,
  ];
}

// A windowed table's columns have fixed widths (every row one height):
// each as wide as its longest cell among the first rows, or its header's
// longest word, within reason, so that times and names show whole.
function columnWidths(t) {
  const sample = t.rows.slice(0, 200);
  return t.columns.map((c, k) => {
    const header = Math.max(...c.split(/\s+/).map((w) => w.length));
    const cells = Math.max(0, ...sample.map((row) => String(row[k] ?? "").length));
    return Math.min(40, Math.max(4, header, cells)) + 2;
  });
}

// The answer first: a card per process (and per series of snapshots tied
// to no process), each naming its evidence and linking to it; then the
// OOM kills and Kubernetes containers the files tell of, one row each.
import { h } from "../dom.js";

export function renderOverview(view, { navigate }) {
  if (!view.cards.length && !view.tables.length) return h("p", { class: "muted" }, "Nothing to judge yet: drop metrics or two or more heap snapshots.");
  return [
    view.cards.map((card) =>
      h("article", { class: `card ${card.tone}` },
        h("h2", {}, card.title),
        h("p", { class: "headline" }, card.headline),
        card.facts.length ? h("dl", {}, card.facts.map((f) => [h("dt", {}, f.label), h("dd", {}, f.value)])) : null,
        h("nav", { class: "evidence" }, card.links.map((l) =>
          h("button", { class: "link", onclick: () => navigate(l.view, Object.fromEntries(l.params)) }, l.label + " →"))))),
    view.tables.map(factTable),
    view.notes.map((n) => h("p", { class: "note muted" }, n)),
  ];
}

// Cells are text the core formatted; the table scrolls sideways inside
// its own box on a narrow screen.
function factTable(t) {
  return h("section", { class: "facts", id: t.id },
    h("h2", {}, t.title),
    // Focusable, so that a keyboard can scroll it too.
    h("div", { class: "scroll", tabindex: 0, role: "region", "aria-label": t.title },
      h("table", { class: "facts" },
        h("thead", {}, h("tr", {}, t.columns.map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, t.rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell))))))),
    t.note ? h("p", { class: "note muted" }, t.note) : null);
}

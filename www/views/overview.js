// The answer first: a card per process (and per series of snapshots tied
// to no process), each naming its evidence and linking to it.
import { h } from "../dom.js";

export function renderOverview(view, { navigate }) {
  if (!view.cards.length) return h("p", { class: "muted" }, "Nothing to judge yet: drop metrics or two or more heap snapshots.");
  return [
    view.cards.map((card) =>
      h("article", { class: `card ${card.tone}` },
        h("h2", {}, card.title),
        h("p", { class: "headline" }, card.headline),
        card.facts.length ? h("dl", {}, card.facts.map((f) => [h("dt", {}, f.label), h("dd", {}, f.value)])) : null,
        h("nav", { class: "evidence" }, card.links.map((l) =>
          h("button", { class: "link", onclick: () => navigate(l.view, Object.fromEntries(l.params)) }, l.label + " →"))))),
    view.notes.map((n) => h("p", { class: "note muted" }, n)),
  ];
}

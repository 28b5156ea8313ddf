// The loaded files and the ones that failed.
import { h } from "../dom.js";

export function renderFiles(files, onRemove) {
  if (!files.length) return [];
  return h("table", { class: "files" },
    h("thead", {}, h("tr", {}, ["file", "kind", "time", "size", "what", ""].map((c) => h("th", {}, c)))),
    h("tbody", {}, files.map((f) =>
      h("tr", { dataset: { kind: f.kind } },
        h("td", { class: "name" }, f.name), h("td", {}, f.kind), h("td", {}, f.time ?? ""), h("td", { class: "num" }, f.size),
        h("td", { class: "muted" }, f.detail, f.warnings.length ? h("span", { class: "warning", title: f.warnings.join("\n") }, ` (${f.warnings.length} warnings)`) : null),
        h("td", {}, h("button", { class: "link", title: `remove ${f.name}`, "aria-label": `remove ${f.name}`, onclick: () => onRemove(f.id) }, "×"))))));
}

export function errorCard(name, message, onClose) {
  const card = h("div", { class: "error", role: "alert", dataset: { name } },
    h("strong", {}, name), ": ", message,
    h("button", { class: "link close", "aria-label": "dismiss", onclick: () => { card.remove(); onClose?.(); } }, "×"));
  return card;
}

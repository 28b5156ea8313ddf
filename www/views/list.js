// pprof's list: per-line flat and cum of a function, with the source text
// when the source files were dropped too.
import { h } from "../dom.js";
import { reportControls, select, field } from "./controls.js";

export function renderList(view, state, { onChange }) {
  return [
    h("div", { class: "controls" },
      view.profiles.length > 1 ? select("Profile", "profile", view.profiles, view.profile, onChange) : null,
      field("Function", "list", state.list, "a function name or regex", onChange),
      reportControls(state, null, onChange)),
    h("pre", { class: "header" }, view.header.join("\n")),
    view.functions.map((f) =>
      h("section", { class: "listing" },
        h("h3", {}, f.name, h("span", { class: "muted" }, ` ${f.file}  flat ${f.flat}, cum ${f.cum}`)),
        f.has_source ? null : h("p", { class: "muted" }, "Drop the source file (or its folder) to see the lines' text."),
        h("table", { class: "report listing" },
          h("thead", {}, h("tr", {}, h("th", { class: "num" }, "flat"), h("th", { class: "num" }, "cum"), h("th", { class: "num" }, "line"), h("th", { class: "name" }, "source"))),
          h("tbody", {}, f.lines.map((l) =>
            h("tr", { class: l.hot ? "hot" : null },
              h("td", { class: "num" }, l.flat), h("td", { class: "num" }, l.cum), h("td", { class: "num" }, l.line),
              h("td", { class: "name code" }, l.text))))))),
  ];
}

// pprof's list: per-line flat and cum of a function, with the source text
// when the source files were dropped too. With no function picked, every
// function heaviest first, as pprof's web source view lists them: the
// core sends 50 at a time, "Show the next 50" asks for more, and listings
// are added a slice at a time so the page never stalls.
import { h } from "../dom.js";
import { reportControls, select, field } from "./controls.js";
import { appendSliced } from "./window.js";

const NO_SOURCE = "Drop the source file (or its folder) to see the lines' text.";

function listing(f, hint) {
  return h("section", { class: "listing" },
    h("h3", {}, f.name, h("span", { class: "muted" }, ` ${f.file}  flat ${f.flat}, cum ${f.cum}`)),
    f.has_source || !hint ? null : h("p", { class: "muted" }, NO_SOURCE),
    h("table", { class: "report listing" },
      h("thead", {}, h("tr", {}, h("th", { class: "num" }, "flat"), h("th", { class: "num" }, "cum"), h("th", { class: "num" }, "line"), h("th", { class: "name" }, "source"))),
      h("tbody", {}, f.lines.map((l) =>
        h("tr", { class: l.hot ? "hot" : null },
          h("td", { class: "num" }, l.flat), h("td", { class: "num" }, l.cum), h("td", { class: "num" }, l.line),
          h("td", { class: "name code" }, l.text))))));
}

export function renderList(view, state, { onChange, fetchMore }) {
  // Said once when no listing has its source, else on each that lacks it.
  const noneHasSource = !view.functions.some((f) => f.has_source);
  const add = (functions) => appendSliced(listings, functions, (f) => listing(f, !noneHasSource));
  const note = h("p", { class: "note" }, view.note);
  const listings = h("div", { class: "listings" });
  const more = h("p", { class: "more" });
  const offer = (next) => more.replaceChildren(next ? h("button", {
    class: "button",
    onclick: async (e) => {
      const hadFocus = document.activeElement === e.currentTarget;
      e.currentTarget.disabled = true;
      try {
        const page = await fetchMore("list", { list_from: next.from });
        if (!listings.isConnected) return;
        note.textContent = page.note;
        await add(page.functions);
        offer(page.more);
        if (hadFocus) more.querySelector("button")?.focus();
      } catch (error) {
        more.replaceChildren(h("span", { class: "warning" }, error.message));
      }
    },
  }, next.label) : null);
  add(view.functions);
  offer(view.more);
  return [
    h("div", { class: "controls" },
      view.profiles.length > 1 ? select("Profile", "profile", view.profiles, view.profile, onChange) : null,
      field("Function", "list", state.list, "a function name or regex (empty: every function)", onChange),
      reportControls(state, null, onChange)),
    h("pre", { class: "header" }, view.header.join("\n")),
    note,
    noneHasSource && view.functions.length ? h("p", { class: "muted" }, NO_SOURCE) : null,
    listings,
    more,
  ];
}

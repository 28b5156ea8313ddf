// The report controls shared by Top, Source and Diff: profile, sample type,
// granularity, pprof's filters, and a search box over the rows shown.
import { h } from "../dom.js";

const GRANULARITIES = ["functions", "filefunctions", "files", "lines", "addresses"];
const FILTERS = [
  ["f", "Focus", "keep samples through matching functions"],
  ["i", "Ignore", "drop samples through matching functions"],
  ["h", "Hide", "remove matching frames"],
  ["s", "Show", "keep only matching frames"],
];

export function select(label, name, options, value, onChange) {
  return h("label", {}, label + " ",
    h("select", { name, onchange: (e) => onChange({ [name]: e.target.value }, e.target) },
      options.map((o) => h("option", { value: o, selected: o === value }, o))));
}

/**
 * A text field whose changes reach the state after a pause in typing (a
 * regex is compiled once the user pauses, not per keystroke), or at once
 * on Enter. The field itself goes along: a value the core refuses is told
 * beside it (see app.js).
 */
export function field(label, name, value, title, onChange) {
  let timer;
  const apply = (input) => {
    clearTimeout(timer);
    onChange({ [name]: input.value }, input);
  };
  return h("label", { title }, label + " ",
    h("input", {
      type: "search", name, value: value ?? "", placeholder: "regex", spellcheck: "false",
      oninput: (e) => {
        clearTimeout(timer);
        timer = setTimeout(() => apply(e.target), 400);
      },
      onkeydown: (e) => e.key === "Enter" && apply(e.target),
    }));
}

/** Sample type, granularity and filters. */
/** The profile to show and the one to compare it with (when several are loaded). */
export function profileControls(view, onChange) {
  if (view.profiles.length < 2) return [];
  const base = ["", ...view.profiles.filter((p) => p !== view.profile)];
  return [
    select("Profile", "profile", view.profiles, view.profile, onChange),
    h("label", {}, "Compare with ",
      h("select", { name: "base", onchange: (e) => onChange({ base: e.target.value }, e.target) },
        base.map((p) => h("option", { value: p, selected: p === view.base }, p || "(nothing)")))),
  ];
}

export function reportControls(state, sampleTypes, onChange) {
  return [
    sampleTypes?.length ? select("Sample", "si", sampleTypes, state.si || sampleTypes.at(-1), onChange) : null,
    select("Granularity", "g", GRANULARITIES, state.g || "functions", onChange),
    ...FILTERS.map(([name, label, title]) => field(label, name, state[name], title, onChange)),
  ];
}

/**
 * A search box over a table's rows by name; `/` focuses it. `onSearch`
 * gets the text as typed and filters the data (the rows drawn are a
 * window of it: see window.js).
 */
export function searchBox(onSearch) {
  return h("label", {}, "Search ",
    h("input", {
      type: "search", class: "search", placeholder: "/ to search", spellcheck: "false",
      oninput: (e) => onSearch(e.target.value),
    }));
}

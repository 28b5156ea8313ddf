// The view state lives in the URL hash, with pprof's web UI names where
// they exist (si, f, i, h, s, g), so reload and back/forward keep the view.

const KEYS = ["view", "profile", "si", "g", "f", "i", "h", "s", "sort", "list", "base", "target", "mode", "limit", "from", "to", "hidden", "fz", "q", "fn"];
const ARRAYS = new Set(["hidden", "fz"]);
const NUMBERS = new Set(["limit", "from", "to"]);

export function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const state = { view: "overview", hidden: [], fz: [] };
  for (const key of KEYS) {
    if (!params.has(key)) continue;
    const value = params.get(key);
    if (ARRAYS.has(key)) state[key] = params.getAll(key);
    else if (NUMBERS.has(key)) state[key] = Number(value);
    else state[key] = value;
  }
  return state;
}

export function writeHash(state, { push = false } = {}) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = state[key];
    if (ARRAYS.has(key)) (value ?? []).forEach((v) => params.append(key, v));
    else if (value !== undefined && value !== null && value !== "" && !(key === "view" && value === "overview")) params.set(key, String(value));
  }
  const hash = params.toString();
  const url = hash ? `#${hash}` : location.pathname + location.search;
  if (`#${hash}` === location.hash || (!hash && !location.hash)) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

/** What the core needs of the state, with the page's size and theme. */
export function coreState(state, width) {
  const { view, ...rest } = state;
  return { ...rest, width: Math.round(width), dark: matchMedia("(prefers-color-scheme: dark)").matches };
}

// The view state lives in the URL hash, with pprof's web UI names where
// they exist (si, f, i, h, s, g), so reload and back/forward keep the view
// and a copied link reproduces it. A link may also name files: `url=`
// (repeatable; speedscope's `profileURL=` is read as one) to fetch, or
// `data=` carrying them packed (src/share.rs).

const VIEW_KEYS = ["view", "profile", "si", "g", "f", "i", "h", "s", "sort", "list", "base", "target", "mode", "limit", "from", "to", "hidden", "fz", "q", "fn"];
const FILE_KEYS = ["url", "data"];
const ARRAYS = new Set(["hidden", "fz", "url"]);
const NUMBERS = new Set(["limit", "from", "to"]);

export function readHash(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = { view: "overview", hidden: [], fz: [], url: [] };
  for (const key of [...VIEW_KEYS, ...FILE_KEYS]) {
    if (!params.has(key)) continue;
    const value = params.get(key);
    if (ARRAYS.has(key)) state[key] = params.getAll(key);
    else if (NUMBERS.has(key)) state[key] = Number(value);
    else state[key] = value;
  }
  state.url.push(...params.getAll("profileURL"));
  return state;
}

function params(state, keys) {
  const out = new URLSearchParams();
  for (const key of keys) {
    const value = state[key];
    if (ARRAYS.has(key)) (value ?? []).forEach((v) => out.append(key, v));
    else if (value !== undefined && value !== null && value !== "" && !(key === "view" && value === "overview")) out.set(key, String(value));
  }
  return out.toString();
}

/** The hash of the view alone (no files): what links and reports add files to. */
export const viewHash = (state) => params(state, VIEW_KEYS);

export function writeHash(state, { push = false } = {}) {
  const hash = params(state, [...VIEW_KEYS, ...FILE_KEYS]);
  const url = hash ? `#${hash}` : location.pathname + location.search;
  if (`#${hash}` === location.hash || (!hash && !location.hash)) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

/** What the core needs of the state, with the page's size and theme. */
export function coreState(state, width) {
  const { view, url, data, ...rest } = state;
  // A key set to undefined (a filter cleared) is absent, not null, for the core.
  for (const key of Object.keys(rest)) if (rest[key] === undefined) delete rest[key];
  return { ...rest, width: Math.round(width), dark: matchMedia("(prefers-color-scheme: dark)").matches };
}

// The view state lives in the URL hash, with pprof's web UI names where
// they exist (si, f, i, h, s, g), so reload and back/forward keep the view
// and a copied link reproduces it. A link may also name files: `url=`
// (repeatable; speedscope's `profileURL=` is read as one) to fetch, or
// `data=` carrying them packed (src/share.rs).

const VIEW_KEYS = ["view", "profile", "si", "g", "f", "i", "h", "s", "sort", "list", "base", "target", "mode", "limit", "from", "to", "hidden", "fz", "q", "fn"];
const FILE_KEYS = ["url", "data"];
const ARRAYS = new Set(["hidden", "fz", "url"]);
const NUMBERS = new Set(["limit", "from", "to"]);

// The hash as last read from or written to the address bar: reading
// location.hash copies the whole URL (a link of 1.4 MB: 0.1 s a view change).
let current = null;
// A link's data as the hash spells it, made once.
let data = { value: undefined, spelled: "" };

export function readHash(hash) {
  if (hash === undefined) hash = current = location.hash;
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
  // A link's data is base64url, safe in a URL as it is: added as it is
  // (encoding a megabyte of it again on every view change took 0.15 s).
  if (state.data !== data.value) {
    const safe = !state.data || /^[\w-]*$/.test(state.data);
    data = { value: state.data, spelled: state.data ? `data=${safe ? state.data : encodeURIComponent(state.data)}` : "" };
  }
  const hash = [params(state, [...VIEW_KEYS, "url"]), data.spelled].filter(Boolean).join("&");
  const url = hash ? `#${hash}` : location.pathname + location.search;
  current ??= location.hash;
  if (`#${hash}` === current || (!hash && !current)) return;
  current = hash ? `#${hash}` : "";
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

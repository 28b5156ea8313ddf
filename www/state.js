// The view state lives in the URL hash, with pprof's web UI names where
// they exist (si, f, i, h, s, g), so reload and back/forward keep the view
// and a copied link reproduces it. A link may also name files: `url=`
// (repeatable; speedscope's `profileURL=` is read as one) to fetch, or
// `data=` carrying them packed (src/share.rs).

const VIEW_KEYS = ["view", "profile", "si", "g", "f", "i", "h", "s", "sort", "list", "base", "target", "mode", "limit", "from", "to", "hidden", "fz", "q", "fn"];
const FILE_KEYS = ["url", "data"];
const ARRAYS = new Set(["hidden", "fz", "url"]);
const NUMBERS = new Set(["limit", "from", "to"]);
// The zoom path and the hidden series keep at most this many entries of a
// link: more than any view uses (a flame graph draws 1,000 levels, so a
// longer zoom path is refused by the core either way; the Memory view
// charts 20 processes), and far fewer than a crafted link can hold. A
// 100,000-step zoom path cost the page ~250 ms of reading, spelling and
// sending to the worker. (`url=` is capped where its files are fetched,
// with a card saying so: app.js.)
const CAPPED = new Set(["hidden", "fz"]);
const MAX_LIST = 10_000;

// How this page would spell the link the address bar shows (null: not
// worked out yet since it was read), and the state last read from it. A
// view change rewrites the address bar only when the spelling differs:
// writing a 1.3 MB URL costs ~0.2 s, and the spelling of a link as it
// came (`view=overview&data=…`) often differs from ours for the same state.
let shown = "";
let lastRead = null;
// A link's data as the hash spells it, made once.
let data = { value: undefined, spelled: "" };

/**
 * A form-encoded value (`+` a space, `%XX` bytes of UTF-8), as
 * URLSearchParams decodes it; a value with neither is returned as it is,
 * so a link's megabyte of base64url data is not copied (URLSearchParams
 * took 35 ms over a 1.3 MB hash).
 */
function decode(value) {
  if (!/[%+]/.test(value)) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return new URLSearchParams(`v=${value}`).get("v"); // a malformed %-escape, as the browser reads it
  }
}

export function readHash(hash) {
  const fromBar = hash === undefined;
  if (fromBar) hash = location.hash;
  const state = { view: "overview", hidden: [], fz: [], url: [] };
  const known = new Set([...VIEW_KEYS, ...FILE_KEYS]);
  const seen = new Set();
  const body = hash.replace(/^#/, "");
  const keys = new Map(); // each key as spelled, decoded once
  // Pair by pair with indexOf, not split: a 100,000-step zoom path split
  // and decoded whole took 40-120 ms; past a list's cap a pair is skipped
  // before its value is decoded.
  for (let start = 0; start < body.length; ) {
    let end = body.indexOf("&", start);
    if (end < 0) end = body.length;
    const pair = body.slice(start, end);
    start = end + 1;
    if (!pair) continue;
    const at = pair.indexOf("=");
    const raw = at < 0 ? pair : pair.slice(0, at);
    let key = keys.get(raw);
    if (key === undefined) keys.set(raw, (key = decode(raw)));
    if (key === "profileURL") key = "url"; // speedscope's name, read as one more url
    if (!known.has(key)) continue;
    const full = CAPPED.has(key) && state[key].length >= MAX_LIST;
    // The first of a key that is not a list counts, as URLSearchParams.get has it.
    if (full || (!ARRAYS.has(key) && seen.has(key))) continue;
    const value = at < 0 ? "" : decode(pair.slice(at + 1));
    if (ARRAYS.has(key)) state[key].push(value);
    else state[key] = NUMBERS.has(key) ? Number(value) : value;
    seen.add(key);
  }
  if (fromBar) {
    lastRead = { ...state, hidden: [...state.hidden], fz: [...state.fz], url: [...state.url] };
    shown = null;
  }
  return state;
}

/**
 * A value form-encoded as URLSearchParams.toString spells it (kept: letters,
 * digits, `*-._`; a space is `+`; the rest %-escaped UTF-8). By hand, and
 * once for a value a list repeats: URLSearchParams took 0.14 s over a
 * zoom path of 100,000 steps, on every view change.
 */
function encode(value) {
  if (/^[\w.*-]*$/.test(value)) return value;
  return encodeURIComponent(value.toWellFormed()).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+");
}

function params(state, keys) {
  const out = [];
  const spelled = new Map();
  const pair = (key, value) => {
    let text = spelled.get(value);
    if (text === undefined) spelled.set(value, (text = encode(value)));
    out.push(`${key}=${text}`);
  };
  for (const key of keys) {
    const value = state[key];
    if (ARRAYS.has(key)) (value ?? []).forEach((v) => pair(key, String(v)));
    else if (value !== undefined && value !== null && value !== "" && !(key === "view" && value === "overview")) pair(key, String(value));
  }
  return out.join("&");
}

/** The hash of the view alone (no files): what links and reports add files to. */
export const viewHash = (state) => params(state, VIEW_KEYS);

/** The hash (without `#`) this page writes for `state`. */
function spell(state) {
  // A link's data is base64url, safe in a URL as it is: added as it is
  // (encoding a megabyte of it again on every view change took 0.15 s).
  if (state.data !== data.value) {
    const safe = !state.data || /^[\w-]*$/.test(state.data);
    data = { value: state.data, spelled: state.data ? `data=${safe ? state.data : encodeURIComponent(state.data)}` : "" };
  }
  return [params(state, [...VIEW_KEYS, "url"]), data.spelled].filter(Boolean).join("&");
}

export function writeHash(state, { push = false } = {}) {
  const hash = spell(state);
  shown ??= lastRead ? spell(lastRead) : "";
  if (hash === shown) return;
  shown = hash;
  const url = hash ? `#${hash}` : location.pathname + location.search;
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

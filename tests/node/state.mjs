// www/state.js reads and spells the link's hash by hand (URLSearchParams
// took 35 ms over a 1.3 MB hash and 0.14 s over a 100,000-step zoom path):
// both must agree with URLSearchParams, the oracle here, on every kind of
// value — escapes, `+`, malformed %-escapes, lone surrogates, repeated and
// unknown keys. Run by scripts/test.
import assert from "node:assert/strict";
import { readHash, viewHash } from "../../www/state.js";

const KEYS = ["view", "profile", "si", "g", "f", "i", "h", "s", "sort", "list", "base", "target", "mode", "limit", "from", "to", "hidden", "fz", "q", "fn", "url", "data", "profileURL", "other"];
const LISTS = new Set(["hidden", "fz", "url"]);
const NUMBERS = new Set(["limit", "from", "to"]);
const VALUES = ["main.recurse", "a b", "a+b", "€", "x!'()~*-._y", "%", "%ZZ", "%E2%82", "&=#?", "😀", "\u0000\u001f", "", "(*T).M", "\ud800", "AQ-_x9"];

/** The state as URLSearchParams reads it. */
function oracleRead(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = { view: "overview", hidden: [], fz: [], url: [] };
  for (const key of KEYS.slice(0, 22)) {
    if (!params.has(key)) continue;
    if (LISTS.has(key)) state[key] = params.getAll(key);
    else state[key] = NUMBERS.has(key) ? Number(params.get(key)) : params.get(key);
  }
  state.url.push(...params.getAll("profileURL"));
  return state;
}

let seed = 1;
const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
const pick = (list) => list[random(list.length)];

for (let i = 0; i < 5000; i++) {
  // A hash as a person or another tool may spell it: raw values, some escaped.
  const pairs = Array.from({ length: 1 + random(6) }, () => {
    const value = pick(VALUES);
    return `${pick(KEYS)}=${random(2) ? value : encodeURIComponent(value.toWellFormed())}`;
  });
  const hash = `${random(2) ? "#" : ""}${pairs.join("&")}`;
  const ours = readHash(hash);
  const theirs = oracleRead(hash);
  // profileURL is read as one more url; where it falls among them is not kept.
  ours.url.sort();
  theirs.url.sort();
  assert.deepEqual(ours, theirs, hash);

  // A state spelled back.
  const state = { view: pick(["overview", "top", "flame"]), f: random(2) ? pick(VALUES) : undefined, limit: random(3) ? undefined : 7, fz: Array.from({ length: random(4) }, () => pick(VALUES)), hidden: [pick(VALUES)], q: pick(VALUES) };
  const expected = new URLSearchParams();
  for (const key of ["view", "f", "limit", "hidden", "fz", "q"]) {
    const value = state[key];
    if (LISTS.has(key)) value.forEach((v) => expected.append(key, v));
    else if (value !== undefined && value !== "" && !(key === "view" && value === "overview")) expected.set(key, String(value));
  }
  assert.equal(viewHash(state), expected.toString(), JSON.stringify(state));
}
console.log("state: hashes read and spelled as URLSearchParams does (5,000 random cases)");

// A crafted link's zoom path or hidden series keep their first 10,000
// entries (more than any view uses); its urls are all kept.
const long = (key, n) => Array.from({ length: n }, (_, i) => `${key}=${i}`).join("&");
const read = readHash(`#view=flame&${long("fz", 100_000)}&${long("hidden", 20_000)}&${long("url", 20_000)}`);
assert.equal(read.fz.length, 10_000);
assert.deepEqual(read.fz.slice(0, 3), ["0", "1", "2"]);
assert.equal(read.fz.at(-1), "9999");
assert.equal(read.hidden.length, 10_000);
assert.equal(read.url.length, 20_000);
console.log("state: a link's zoom path and hidden series are read to 10,000 entries, its urls whole");

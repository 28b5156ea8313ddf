// The loaded files, kept in this browser (IndexedDB) so that a reload, or
// opening the page again later, finds them where they were. Nothing leaves
// the browser. One record per loaded file (its Blob, and for an archive the
// members still loaded), written when it is added and deleted when it is
// removed: a big file is copied into storage once, not on every change.

const DB = "leakscope";
const STORE = "files";
/** The most the page keeps; a file that would pass it is left out, and said. */
const KEEP_LIMIT = 512 << 20;
// Tests set a smaller one (window.__keepLimit) rather than load 512 MB.
export const keepLimit = () => globalThis.__keepLimit ?? KEEP_LIMIT;

let opened = null;
function database() {
  opened ??= new Promise((ok, fail) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
    request.onblocked = () => fail(new Error("another tab holds an older version of the page's storage"));
  });
  return opened;
}

/**
 * Runs `body(store)` in one transaction; resolves once it commits, to the
 * result of the request `body` returned (if it returned one).
 */
async function inStore(mode, body) {
  const db = await database();
  return new Promise((ok, fail) => {
    const tx = db.transaction(STORE, mode);
    const request = body(tx.objectStore(STORE));
    tx.oncomplete = () => ok(request?.result);
    tx.onerror = () => fail(tx.error);
    tx.onabort = () => fail(tx.error ?? new Error("storage refused the write"));
  });
}

/** The kept files, in the order they were loaded (getAll returns them by key). */
export const keptFiles = () => inStore("readonly", (store) => store.getAll());

/** Forgets every kept file. */
export const forgetKept = () => inStore("readwrite", (store) => store.clear());

/**
 * Makes storage hold `files` (the client's: `{ key, name, blob, utcOffset,
 * members }`), as far as the limit allows. Returns `{ kept, left }`: the
 * bytes kept and the files left out for the limit.
 */
export async function keepFiles(files) {
  const stored = new Map((await keptFiles()).map((r) => [r.key, r]));
  let kept = 0;
  const left = [];
  const write = [];
  for (const f of files) {
    if (kept + f.blob.size > keepLimit()) {
      left.push(f);
      continue;
    }
    kept += f.blob.size;
    const members = f.members.map((m) => m.name);
    const old = stored.get(f.key);
    if (!old || old.members.join("\n") !== members.join("\n")) write.push({ key: f.key, name: f.name, blob: f.blob, utcOffset: f.utcOffset, members });
    stored.delete(f.key);
  }
  // Written one file per transaction: a file the quota refuses costs only itself.
  for (const record of write) {
    try {
      await inStore("readwrite", (store) => store.put(record));
    } catch (e) {
      kept -= record.blob.size;
      left.push({ name: record.name, blob: record.blob, error: e });
    }
  }
  if (stored.size) await inStore("readwrite", (store) => stored.forEach((_, key) => store.delete(key)));
  return { kept, left };
}

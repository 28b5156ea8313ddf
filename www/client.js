import { startWorker } from "./assets.js";

// Talks to the worker. Keeps the files it was given (as Blobs) so that a
// cancelled load or a crashed worker is replaced by a fresh worker holding
// all the other files again; calls made meanwhile wait for it.

export class Client {
  constructor(onProgress, onCrash, onRequest) {
    this.onProgress = onProgress;
    this.onCrash = onCrash;
    this.onRequest = onRequest;
    this.crashes = 0; // in a row, without an answer in between
    this.files = []; // { key, name, blob, utcOffset, members: [{ id, name }] } (an archive has several)
    this.pending = new Map();
    this.nextId = 1;
    this.restarting = null;
    this.start();
  }

  start() {
    this.worker = startWorker();
    this.worker.onmessage = ({ data }) => {
      if (data.progress) return this.onProgress?.(data.progress);
      const p = this.pending.get(data.id);
      this.pending.delete(data.id);
      if (data.ok) p?.resolve(data.value);
      else p?.reject(new Error(data.error));
      if (!data.fatal) this.crashes = 0;
      else this.crashed(data.error);
    };
    this.worker.onerror = (e) => {
      e.preventDefault();
      const message = `the worker stopped: ${e.message || "unknown error"}`;
      this.failAll(new Error(message));
      this.crashed(message);
    };
  }

  /** The core crashed: a fresh worker gets the files again (not forever). */
  crashed(message) {
    this.onCrash?.(message);
    if (++this.crashes <= 3) this.restart();
  }

  failAll(error) {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /** Posts a request to the current worker. */
  send(op, args = {}, transfer = []) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, op, name: args?.name, started: performance.now() });
      this.worker.postMessage({ id, op, args }, transfer);
    });
    this.onRequest?.();
    return promise;
  }

  /**
   * What the worker is on: the oldest unanswered request ({ op, name,
   * started }), or null when it is idle (requests run one at a time, in order).
   */
  busy() {
    return this.pending.values().next().value ?? null;
  }

  /** A request, after any restart (a crash restarts the worker: see start). */
  async call(op, args = {}, transfer = []) {
    if (this.restarting) await this.restarting;
    return this.send(op, args, transfer);
  }

  /** The id the next request will get (to match progress reports). */
  peekId() {
    return this.nextId;
  }

  /**
   * Adds a file; the worker reads the Blob itself (a big file's bytes are
   * never copied on the page's thread). An archive adds a file per member:
   * `{ files, errors }` (errors: members that could not be read). `kept`
   * names the members to keep (a file restored as it was left: members
   * removed then stay removed); `key` orders and names it in storage.
   */
  add(name, blob, options = {}) {
    return this.addTo((op, args) => this.call(op, args), { name, blob, ...options });
  }

  async addTo(send, entry) {
    const { name, blob, utcOffset = null } = entry;
    return this.adopt(send, entry, await send("add", { name, blob, utcOffset }));
  }

  /**
   * Adds many small files in one request (a link of thousands of files
   * costs one round trip per batch, not per file): for each file, its
   * `{ files, errors }` or `{ error }`. An entry's `bytes` (a link's files),
   * when given, are sent instead of its Blob.
   */
  async addBatch(entries) {
    const send = (op, args) => this.call(op, args);
    const results = await send("add_batch", { files: entries.map(({ name, blob, bytes, utcOffset = null }) => (bytes ? { name, bytes, utcOffset } : { name, blob, utcOffset })) });
    const out = [];
    for (const [i, result] of results.entries()) out.push(result.error === undefined ? await this.adopt(send, entries[i], result) : result);
    return out;
  }

  /** Keeps what the worker added of a file (`kept`: the members to keep, the rest removed again). */
  async adopt(send, { name, blob, bytes, utcOffset = null, kept = null, key = null }, added) {
    // Sets, not array searches: an archive may hold thousands of members.
    const keep = kept && new Set(kept);
    const members = [];
    for (const m of added.files) {
      if (!keep || keep.has(m.name)) members.push({ id: m.id, name: m.name });
      else await send("remove", { fileId: m.id });
    }
    const ids = new Set(members.map((m) => m.id));
    added.files = added.files.filter((f) => ids.has(f.id));
    if (members.length) this.files.push(record({ key: key ?? nextKey(), name, utcOffset, members }, blob, bytes));
    return added;
  }

  /** An archive's Blob is kept while any of its members is. */
  async remove(fileId) {
    this.files = this.files
      .map((f) => ({ ...f, members: f.members.filter((m) => m.id !== fileId) }))
      .filter((f) => f.members.length);
    await this.call("remove", { fileId });
  }

  /** Stops whatever the worker is doing; a new one gets the other files. */
  restart() {
    this.worker.terminate();
    this.failAll(new Error("cancelled"));
    const keep = this.files;
    this.files = [];
    this.start();
    this.restarting = (async () => {
      for (const f of keep) {
        try {
          await this.addTo((op, args) => this.send(op, args), { ...f, kept: f.members.map((m) => m.name) });
        } catch {
          // It loaded before; if it cannot now, it is left out.
        }
      }
      this.restarting = null;
    })();
    return this.restarting;
  }
}

/**
 * A loaded file's record, with its Blob (what storage keeps and a fresh
 * worker reads). A link's files come as bytes: their Blob is made when first
 * asked for (making thousands of Blobs at once blocked the page for a second).
 */
function record(file, blob, bytes) {
  if (blob) return { ...file, blob };
  let made = null;
  return Object.defineProperty(file, "blob", { enumerable: true, get: () => (made ??= new Blob([bytes])) });
}

// Increasing across sessions (restored files keep theirs): storage keeps
// files in the order they were loaded.
let lastKey = 0;
function nextKey() {
  lastKey = Math.max(Date.now(), lastKey + 1);
  return lastKey;
}

import { startWorker } from "./assets.js";

// Talks to the worker. Keeps the files it was given (as Blobs) so that a
// cancelled load or a crashed worker is replaced by a fresh worker holding
// all the other files again; calls made meanwhile wait for it.

export class Client {
  constructor(onProgress, onCrash) {
    this.onProgress = onProgress;
    this.onCrash = onCrash;
    this.crashes = 0; // in a row, without an answer in between
    this.files = []; // { name, blob, utcOffset, members: [{ id, name }] } (an archive has several)
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
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args }, transfer);
    });
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

  /** The worker reads the Blob itself: a big file's bytes are never copied on the page's thread. */
  /** An archive adds a file per member: `{ files, errors }` (errors: members that could not be read). */
  async add(name, blob, utcOffset = null) {
    const added = await this.call("add", { name, blob, utcOffset });
    const members = added.files.map((f) => ({ id: f.id, name: f.name }));
    if (members.length) this.files.push({ name, blob, utcOffset, members });
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
          const added = await this.send("add", { name: f.name, blob: f.blob, utcOffset: f.utcOffset });
          // An archive's members that were removed stay removed.
          const kept = new Set(f.members.map((m) => m.name));
          const members = [];
          for (const m of added.files) {
            if (kept.has(m.name)) members.push({ id: m.id, name: m.name });
            else await this.send("remove", { fileId: m.id });
          }
          if (members.length) this.files.push({ ...f, members });
        } catch {
          // It loaded before; if it cannot now, it is left out.
        }
      }
      this.restarting = null;
    })();
    return this.restarting;
  }
}

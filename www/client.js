import { startWorker } from "./assets.js";

// Talks to the worker. Keeps the files it was given (as Blobs) so that a
// cancelled load or a crashed worker is replaced by a fresh worker holding
// all the other files again; calls made meanwhile wait for it.

export class Client {
  constructor(onProgress, onCrash) {
    this.onProgress = onProgress;
    this.onCrash = onCrash;
    this.crashes = 0; // in a row, without an answer in between
    this.files = []; // { name, blob, utcOffset, fileId }
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
  async add(name, blob, utcOffset = null) {
    const info = await this.call("add", { name, blob, utcOffset });
    this.files.push({ name, blob, utcOffset, fileId: info.id });
    return info;
  }

  async remove(fileId) {
    this.files = this.files.filter((f) => f.fileId !== fileId);
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
          const info = await this.send("add", { name: f.name, blob: f.blob, utcOffset: f.utcOffset });
          this.files.push({ ...f, fileId: info.id });
        } catch {
          // It loaded before; if it cannot now, it is left out.
        }
      }
      this.restarting = null;
    })();
    return this.restarting;
  }
}

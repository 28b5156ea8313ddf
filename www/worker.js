// The worker: holds the core (WebAssembly) and the loaded files, so that
// decoding and analysis never block the page. It answers requests by name;
// the core does all the work and formatting.
import init, { Session, pack, unpack, byte_label, prometheus_query, prometheus_cors_advice, fetched_file_name } from "../pkg/leakscope.js";

// The first message says where the wasm is: a URL, or its bytes (the
// single-file build has no files beside it).
let ready = null;
let session = null;

const ops = {
  // The core reads the Blob a MiB at a time (FileReaderSync: workers may
  // block), so the file never sits whole in wasm memory beside its model.
  add: ({ name, blob, utcOffset }, id) => {
    const reader = new FileReaderSync();
    const read = (offset, length) => new Uint8Array(reader.readAsArrayBuffer(blob.slice(offset, offset + length)));
    return session.add_streamed(name, blob.size, read, (read) => postMessage({ progress: { id, read } }), utcOffset ?? undefined);
  },
  // Many small files in one request; each file's own error is its answer.
  // A link's files come as bytes: reading a Blob is a round trip to the
  // browser's blob store (4 ms a file). A crash of the core (a
  // RuntimeError) ends the batch: the core is gone.
  add_batch: async ({ files }, id) => {
    const contents = await Promise.all(files.map((f) => f.bytes ?? f.blob.arrayBuffer()));
    return files.map(({ name, utcOffset }, i) => {
      try {
        return session.add(name, new Uint8Array(contents[i]), (read) => postMessage({ progress: { id, read } }), utcOffset ?? undefined);
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) throw e;
        return { error: String(e?.message ?? e) };
      }
    });
  },
  remove: ({ fileId }) => session.remove(fileId),
  files: () => session.files(),
  overview: ({ state }) => session.overview(state),
  overview_table: ({ state, id, query }) => session.overview_table(state, id, query),
  charts: ({ state }) => session.charts(state),
  hover: ({ state, process, kind, time }) => session.hover(state, process, kind, time),
  top: ({ state }) => session.top(state),
  list: ({ state }) => session.list(state),
  diff: ({ state }) => session.diff(state),
  trend: ({ state }) => session.trend(state),
  graph: ({ state }) => session.graph(state),
  graph_svg: ({ state }) => session.graph_svg(state),
  flame: ({ state }) => session.flame(state),
  flame_svg: ({ state }) => session.flame_svg(state),
  callers: ({ state }) => session.callers(state),
  pack: ({ files }) => pack(files.map((f) => f.name), files.map((f) => new Uint8Array(f.bytes))),
  unpack: ({ data }) => unpack(data),
  byte_labels: ({ bytes }) => bytes.map((n) => byte_label(n)),
  prometheus_query: ({ selector, seconds, now }) => prometheus_query(selector, seconds, now),
  fetched_file_name: ({ path, host }) => fetched_file_name(path, host),
  prometheus_cors_advice: ({ url, origin }) => prometheus_cors_advice(url, origin ?? undefined),
  panic_for_tests: () => session.panic_for_tests(),
};

// Requests run one at a time, in order (an add reads its Blob
// asynchronously; what comes after it must see the file).
let queue = Promise.resolve();
onmessage = ({ data }) => {
  if (data.init) {
    ready = init({ module_or_path: data.init });
    return;
  }
  queue = queue.then(() => handle(data));
};

async function handle({ id, op, args }) {
  try {
    await ready;
    session ??= new Session();
    postMessage({ id, ok: true, value: await ops[op](args, id) });
  } catch (e) {
    // A panic in the core aborts it and leaves its memory undefined: say
    // so (with the panic's message), so the page starts a fresh worker.
    const fatal = e instanceof WebAssembly.RuntimeError;
    const error = fatal
      ? `leakscope's core crashed (a bug; please report it): ${String(self.leakscopePanic ?? `${e.message} (out of memory? a WebAssembly page has at most 4 GiB; the CLI has no such ceiling)`).replace(/\s*\n\s*/g, " ")}`
      : String(e?.message ?? e);
    postMessage({ id, ok: false, error, fatal });
  }
}

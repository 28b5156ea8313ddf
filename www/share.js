// Sharing: links that carry the view (and, when small, the files), the
// single-file report, and files fetched from the URLs a link names. The
// packing itself is the core's (src/share.rs); this file moves bytes.
import { h } from "./dom.js";

/** A link may be at most this long (browsers and chat tools cope with 2 MB). */
export const LINK_BUDGET = 2_000_000;


/**
 * The most a link's file may download: the bytes are held by the page
 * until the worker has read them, and a server (or a crafted link) may
 * promise or send without end. Tests lower it (`window.__downloadLimit`).
 */
export const downloadLimit = () => globalThis.__downloadLimit ?? 512 * 1024 * 1024;

const MB = (n) => `${Math.round(n / (1024 * 1024))} MB`;

/**
 * Fetches a file a link names (`#url=`). Only http(s); the request carries
 * no cookies and no referrer; at most `downloadLimit()` bytes, refused up
 * front when the server says it is larger, cut off (and refused) when it
 * sends more. Errors say which URL and what went wrong.
 */
export async function fetchFile(href, { onProgress, signal } = {}) {
  let url;
  try {
    url = new URL(href);
  } catch {
    throw new Error(`not a URL: ${href}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`only http and https links are fetched, not ${url.protocol}`);
  let response;
  try {
    response = await fetch(url, { mode: "cors", credentials: "omit", referrerPolicy: "no-referrer", signal });
  } catch (e) {
    if (signal?.aborted) throw new Error("cancelled");
    throw Object.assign(new Error(`could not fetch it: the server does not allow other sites to read it (no Access-Control-Allow-Origin header, CORS), or it could not be reached (${e.message})`), { refused: true });
  }
  if (!response.ok) throw new Error(`could not fetch it: HTTP ${response.status} ${response.statusText}`.trim());
  const limit = downloadLimit();
  const tooBig = `a link's file may be at most ${MB(limit)}; download it and open it from disk instead (a file from disk is read in pieces, without this limit)`;
  const total = Number(response.headers.get("content-length")) || 0;
  if (total > limit) {
    response.body?.cancel().catch(() => {});
    throw new Error(`not fetched: the server says it is ${MB(total)}, and ${tooBig}`);
  }
  const reader = response.body.getReader();
  // Folded into the Blob 8 MB at a time: the browser's blob store holds
  // them (on disk when large), and no single copy blocks the page.
  let blob = new Blob([]);
  let chunks = [];
  let pending = 0;
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      if (read > limit) {
        reader.cancel().catch(() => {});
        throw new Error(`stopped after ${MB(limit)}: ${tooBig}`);
      }
      chunks.push(value);
      pending += value.length;
      if (pending >= 8 * 1024 * 1024) {
        blob = new Blob([blob, ...chunks]);
        chunks = [];
        pending = 0;
      }
      onProgress?.(read, total);
    }
  } catch (e) {
    if (signal?.aborted) throw new Error("cancelled");
    throw e;
  }
  return new Blob([blob, ...chunks]);
}

/** The name a fetched file goes by: the last part of its path, or its host. */
export function nameOf(href) {
  try {
    const url = new URL(href);
    const last = decodeURIComponent(url.pathname.split("/").filter(Boolean).at(-1) ?? "");
    return last || url.host;
  } catch {
    return href;
  }
}

/** Base URL of links: this page without its hash. */
export const pageURL = () => location.href.replace(/#.*$/, "");

/**
 * The "Copy link" dialog: what goes into the link (names, sizes), then the
 * link to copy, or, when the files are too big for a link, the report.
 * `files` are `{ name, blob }`; `pack(files)` returns the `#data=` text;
 * `labels(byteCounts)` the core's labels for sizes; `hash` is the view's
 * hash without files; `urls` the links' own URLs when the files came from
 * them (the link then names them instead of carrying them).
 */
export function shareDialog({ files, urls, hash, pack, labels, onReport }) {
  const output = h("textarea", { class: "link-text", readonly: true, rows: 3, "aria-label": "the link", spellcheck: "false" });
  const status = h("p", { class: "muted share-status" });
  const copy = h("button", { class: "button primary", id: "copy-link-confirm", disabled: true }, "Copy link");
  const report = h("button", { class: "button", onclick: () => { dialog.close(); onReport(); } }, "Download report instead");
  const sizes = files.map(() => h("span", { class: "muted" }));
  const totalSize = h("span");
  const list = urls.length
    ? h("ul", { class: "share-files" }, urls.map((u) => h("li", {}, u)))
    : h("ul", { class: "share-files" }, files.map((f, i) => h("li", {}, h("span", { class: "name" }, f.name), " ", sizes[i])));
  const what = !files.length
    ? "The link carries the view only: no files are loaded."
    : urls.length
      ? "The link names where the files are; whoever opens it fetches them from there:"
      : ["The link carries these files (", totalSize, "), compressed, in its #data= fragment. Browsers never send a fragment to a server, but anyone with the link can read the files:"];
  const dialog = h("dialog", { class: "share", "aria-label": "copy link" },
    h("h2", {}, "Copy link"),
    h("p", {}, what), files.length ? list : null,
    status, output,
    h("div", { class: "actions" }, copy, files.length ? report : null, h("button", { class: "button", onclick: () => dialog.close() }, "Close")));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();

  (async () => {
    const total = files.reduce((n, f) => n + f.blob.size, 0);
    const fileLabels = await labels([...files.map((f) => f.blob.size), total]);
    sizes.forEach((span, i) => (span.textContent = fileLabels[i]));
    totalSize.textContent = fileLabels.at(-1);
    let link = `${pageURL()}#${hash}`;
    if (files.length && urls.length) link += `${hash ? "&" : ""}${urls.map((u) => `url=${encodeURIComponent(u)}`).join("&")}`;
    else if (files.length) {
      status.textContent = "Packing…";
      link += `${hash ? "&" : ""}data=${await pack(files)}`;
    }
    const [linkSize, budget] = await labels([link.length, LINK_BUDGET]);
    if (link.length > LINK_BUDGET) {
      status.textContent = `These files make a ${linkSize} link, more than links can carry (${budget}). Download a report instead: one .html file with the app and the data that opens anywhere, even offline.`;
      status.classList.add("warning");
      return;
    }
    status.textContent = `A link of ${linkSize}.`;
    output.value = link;
    copy.disabled = false;
    copy.onclick = async () => {
      output.select();
      try {
        await navigator.clipboard.writeText(link);
        status.textContent = `Copied: a link of ${linkSize}.`;
      } catch {
        status.textContent = "The browser did not let the page copy: the link is selected above, copy it with Ctrl+C.";
      }
    };
  })().catch((e) => {
    status.textContent = `Could not make the link: ${e.message}`;
  });
  return dialog;
}

/** Offers `text` as a file download. */
export function download(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

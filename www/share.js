// Sharing: links that carry the view (and, when small, the files), the
// single-file report, and files fetched from the URLs a link names. The
// packing itself is the core's (src/share.rs); this file moves bytes.
import { h } from "./dom.js";

/** A link may be at most this long (browsers and chat tools cope with 2 MB). */
export const LINK_BUDGET = 2_000_000;


/**
 * Fetches a file a link names (`#url=`). Only http(s); the request carries
 * no cookies and no referrer. Errors say which URL and what went wrong.
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
    throw new Error(`could not fetch it: the server does not allow other sites to read it (no Access-Control-Allow-Origin header, CORS), or it could not be reached (${e.message})`);
  }
  if (!response.ok) throw new Error(`could not fetch it: HTTP ${response.status} ${response.statusText}`.trim());
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    read += value.length;
    onProgress?.(read, total);
  }
  return new Blob(chunks);
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

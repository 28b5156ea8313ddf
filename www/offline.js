// Offline: the hosted site registers its service worker (dist/sw.js,
// written by scripts/dist.mjs with the list of files and a version), which
// keeps the app and the wasm so later visits work with the network off.
// A new deployment installs beside the old one and waits: the page offers
// a reload, and never mixes files of two versions.
import { h } from "./dom.js";

let updateRequested = false;

export function registerOffline() {
  if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  const url = new URL("../sw.js", import.meta.url);
  navigator.serviceWorker.register(url, { scope: "./" }).then((registration) => {
    const offer = (worker) => {
      if (!worker || !navigator.serviceWorker.controller) return; // first visit: nothing to replace
      const banner = h("div", { class: "update", role: "status" },
        "A new version of leakscope is ready. ",
        h("button", { class: "button", onclick: () => {
          updateRequested = true;
          worker.postMessage("skipWaiting");
        } }, "Reload to update"));
      document.body.prepend(banner);
    };
    if (registration.waiting) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => worker.state === "installed" && offer(worker));
    });
    // The first visit's worker takes control too (clients.claim): only a
    // requested update reloads.
    navigator.serviceWorker.addEventListener("controllerchange", () => updateRequested && location.reload());
  }).catch(() => {
    // No sw.js (the page served from the repository, not dist/): online only.
  });
}

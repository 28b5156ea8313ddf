// The service worker of the hosted site (scripts/dist.mjs fills in the
// version and the files). Every file of one version is cached together at
// install; requests for them are answered from that cache, so the site
// works offline after one visit and a page never gets files of two
// versions. Other requests (a link's #url= files) go to the network.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = `leakscope-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith("leakscope-") && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

// The page asks for this when the user accepts an update.
self.addEventListener("message", (event) => event.data === "skipWaiting" && self.skipWaiting());

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    return (await cache.match(request, { ignoreSearch: true })) ?? fetch(request);
  })());
});

// Service worker: the page and its files come from the cache, so the verifier opens with no
// network; the trust list is fetched network-first with the cached copy as fallback. The
// signed revocation list and pending redemptions live in IndexedDB (see db.js), not here.
const CACHE = "verifier-__VERSION__";
const PRECACHE = "__PRECACHE__";
const TRUST = "/api/v1/trust-list";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("verifier-") && n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === TRUST) {
    event.respondWith(fetch(event.request).then((response) => {
      const copy = response.clone();
      if (response.ok) caches.open(CACHE).then((cache) => cache.put(TRUST, copy));
      return response;
    }).catch(() => caches.match(TRUST)));
    return;
  }
  if (url.pathname.startsWith("/verify/")) {
    event.respondWith(caches.match(event.request, { ignoreSearch: true })
      .then((hit) => hit || fetch(event.request)));
  }
});

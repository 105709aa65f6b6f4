// Service worker: the page and its files come from the cache, so the verifier opens with no
// network. The API is never answered from here: the trust list, the signed revocation list and
// pending redemptions live in IndexedDB (see db.js), and a trust list served from a cache while
// offline would pass for a sync and keep a dropped (compromised) key alive unnoticed.
const CACHE = "verifier-__VERSION__";
const PRECACHE = "__PRECACHE__";

// Fetched past the browser's HTTP cache: the proxy lets vendored files be cached for a year
// (deploy/nginx/voucher.conf), and a new version must not precache an old copy of them.
self.addEventListener("install", (event) => {
  const fresh = PRECACHE.map((url) => new Request(url, { cache: "reload" }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(fresh)).then(() => self.skipWaiting()));
});

// CACHE's name changes with any file or the page (see voucher/verifier/__init__.py). An update
// (an older cache was there) reloads the open pages once it is active: the reload that fetched
// this worker was still answered from the old cache, and a page must not wait for a second one.
// Not inside waitUntil: the reload's request waits for the activation to finish.
self.addEventListener("activate", (event) => {
  const old = caches.keys().then((names) => names.filter((n) => n.startsWith("verifier-") && n !== CACHE));
  const activated = old.then((names) => Promise.all(names.map((n) => caches.delete(n)))).then(() => self.clients.claim());
  event.waitUntil(activated);
  Promise.all([old, activated])
    .then(([names]) => names.length ? self.clients.matchAll({ type: "window" }) : [])
    .then((windows) => windows.forEach((w) => w.navigate(w.url)));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/verify/")) {
    event.respondWith(caches.match(event.request, { ignoreSearch: true })
      .then((hit) => hit || fetch(event.request)));
  }
});

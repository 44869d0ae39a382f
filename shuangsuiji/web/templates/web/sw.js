/* Service worker of the Shuangsuiji platform (served by shuangsuiji.web.pwa.service_worker).
 *
 * - Caches the app shell (stylesheets, scripts, icons, the offline page) in a versioned cache;
 *   a new release is a new cache and the old ones are deleted when it activates.
 * - Static files: from the cache, else from the network (and then kept, unless no-store).
 * - Pages: always from the network and never stored (sealed pages are no-store and every page
 *   is per user); when the network fails, the offline page ("当前离线") answers instead.
 * - Everything else (POST, the API, downloads' errors): not touched, straight to the network.
 */
"use strict";
const VERSION = "{{ version }}";
const CACHE = "ssj-shell-" + VERSION;
const SHELL = {{ shell_json|safe }};
const OFFLINE_URL = {{ offline_url_json|safe }};
const STATIC_PREFIX = {{ static_prefix_json|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload", credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ssj-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function noStore(response) {
  return /no-store/i.test(response.headers.get("Cache-Control") || "");
}

async function fromCacheOrNetwork(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: false });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic" && !noStore(response)) {
    cache.put(request, response.clone());
  }
  return response;
}

async function pageOrOffline(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const cache = await caches.open(CACHE);
    const offline = await cache.match(OFFLINE_URL);
    return offline || new Response("当前离线", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(fromCacheOrNetwork(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(request));
  }
});

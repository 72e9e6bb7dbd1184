// The service worker. The server prepends `self.FIELDOPS_BUILD = {version, files}`
// (server/frontend.py): a new deployment changes it, so browsers install the new
// version beside the old one, which keeps serving until the user updates.
import { sync } from "./lib/sync.js";

const BUILD = self.FIELDOPS_BUILD;
const SHELL = `shell-${BUILD.version}`;
// Files fetched when first needed (the barcode reader's wasm, Leaflet), kept across
// versions under their content's hash: a version that changes one drops the old copy.
const LATER = "on-demand";

function laterKey(pathname) {
  const hash = BUILD.on_demand?.[pathname];
  return hash ? `${pathname}?v=${hash}` : null;
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(BUILD.files)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== SHELL && name !== LATER) await caches.delete(name);
      }
      const later = await caches.open(LATER);
      for (const request of await later.keys()) {
        const url = new URL(request.url);
        if (laterKey(url.pathname) !== url.pathname + url.search) await later.delete(request);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") self.skipWaiting();
});

async function fromShell(request) {
  const cache = await caches.open(SHELL);
  const url = new URL(request.url);
  // Every page of the app is the same document (hash routes).
  const key = request.mode === "navigate" ? "/" : url.pathname;
  const cached = await cache.match(key);
  if (cached) return cached;
  const versioned = laterKey(url.pathname);
  if (!versioned) return fetch(request);
  const later = await caches.open(LATER);
  const kept = await later.match(versioned);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await later.put(versioned, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || event.request.method !== "GET") return;
  // The API is never cached here: the app keeps its data in IndexedDB.
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/schema")) return;
  event.respondWith(fromShell(event.request));
});

// Background Sync: the outbox drains when the connection returns, app open or not.
self.addEventListener("sync", (event) => {
  if (event.tag !== "fieldops-sync") return;
  event.waitUntil(
    (async () => {
      const result = await sync();
      if (!result.ok && result.reason === "offline") throw new Error("still offline");
      for (const client of await self.clients.matchAll()) client.postMessage({ type: "synced" });
    })(),
  );
});

self.addEventListener("push", (event) => {
  const data = event.data ? event.data.json() : {};
  event.waitUntil(
    self.registration.showNotification(data.title || "FieldOps", {
      body: data.body || "",
      tag: data.tag || undefined,
      data,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // The server names the screen to open: "/#/orders/<id>".
  const hash = new URL(event.notification.data?.url || "/", self.location.origin).hash || "#/";
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      if (open.length) {
        open[0].postMessage({ type: "open", hash });
        // Browsers may refuse focus without a user's gesture; the order opens anyway.
        await open[0].focus().catch(() => null);
        return;
      }
      await self.clients.openWindow(`/${hash}`);
    })(),
  );
});

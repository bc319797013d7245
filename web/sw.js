// Service worker: repeat visits and offline use. It keeps one complete snapshot of the
// site per build (the file list and BUILD_ID are written by build.py), serves every
// request from that snapshot, and replaces it whole when a new build is deployed, so
// the page never runs a mix of old and new files.

const BUILD_ID = '%BUILD_ID%';
const FILES = %BUILD_FILES%;
const CACHE = `attention-explorer-${BUILD_ID}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'reload' bypasses the HTTP cache, so the snapshot really is this build's files.
    await cache.addAll(FILES.map((path) => new Request(path, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('attention-explorer-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The page's address may carry ?embed=1 etc.: the snapshot stores the bare file.
    const cached = await cache.match(event.request, { ignoreSearch: true });
    return cached || fetch(event.request);
  })());
});

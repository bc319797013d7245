// Service worker: repeat visits and offline use. It keeps one complete snapshot of the
// site per build (the file list and BUILD_ID are written by build.py) and serves every
// request from a snapshot, so a page never runs a mix of old and new files.
//
// When a new build is deployed, this worker downloads it whole, then takes over at once.
// Each page runs the snapshot it started with: a page this worker opened runs this build;
// a page that was already open (perhaps still starting, about to ask for its app archive,
// which the new build renamed) runs the build before, whose snapshot is kept until no
// page uses it. Workers a page starts run its snapshot too.
//
// Python's memory snapshot (memory-snapshot.js) is another cache, which this worker leaves alone: it
// belongs to the Pyodide build, which outlives our builds, and is not named with PREFIX.

const BUILD_ID = '%BUILD_ID%';
const FILES = %BUILD_FILES%;
const PREFIX = 'attention-explorer-';
const CACHE = `${PREFIX}${BUILD_ID}`;
const STARTED = `${PREFIX}clients`; // one JSON entry: {client id: the snapshot it runs}
const STARTED_URL = './clients.json';
// The real model's files (model/) are not in the snapshot: they are fetched when a learner first asks for
// the real model, and kept from then on, per build, so that it works offline after its first use.
const MODEL_CACHE = `ae-model-${BUILD_ID}`;

let started = null; // the same, in memory (this worker may be stopped and started again at any time)

async function startedClients() {
  if (started === null) {
    const stored = await caches.match(STARTED_URL, { cacheName: STARTED });
    started = stored ? await stored.json() : {};
  }
  return started;
}

async function saveStarted() {
  await (await caches.open(STARTED)).put(STARTED_URL, new Response(JSON.stringify(started)));
}

async function snapshotOf(clientId) { // -> the cache a client's requests are served from
  const known = (await startedClients())[clientId];
  if (known || !clientId) return known || CACHE;
  // A client this worker did not start was opened by the worker before it: it runs the newest older build.
  const older = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE && name !== STARTED);
  return older.length ? older[older.length - 1] : CACHE; // (keys come in the order the caches were made)
}

// Forget clients that are gone; delete every snapshot that neither this build nor a client uses.
async function prune() {
  const clients = await startedClients();
  const live = await self.clients.matchAll({ includeUncontrolled: true, type: 'all' });
  const ids = new Set(live.map((client) => client.id));
  for (const id of Object.keys(clients)) if (!ids.has(id)) delete clients[id];
  const inUse = new Set([CACHE, STARTED]);
  for (const client of live) inUse.add(await snapshotOf(client.id));
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && !inUse.has(name)) await caches.delete(name);
  }
  await saveStarted();
}

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
      if (name.startsWith('ae-model-') && name !== MODEL_CACHE) await caches.delete(name);
    }
    await prune();
    await self.clients.claim();
  })());
});

async function modelFile(request) {
  const cache = await caches.open(MODEL_CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith(new URL('./model/', location.href).pathname)) {
    event.respondWith(modelFile(request));
    return;
  }
  event.respondWith((async () => {
    // A page opened now runs this build; anything else runs the snapshot of the client asking.
    const navigating = request.mode === 'navigate';
    const snapshot = navigating ? CACHE : await snapshotOf(event.clientId);
    if (event.resultingClientId) { // a new page, or a worker started by a page: note what it runs
      (await startedClients())[event.resultingClientId] = snapshot;
      event.waitUntil(navigating ? prune() : saveStarted());
    }
    const cache = await caches.open(snapshot);
    // The page's address may carry ?embed=1 etc.: the snapshot stores the bare file.
    const cached = await cache.match(request, { ignoreSearch: true });
    return cached || fetch(request);
  })());
});

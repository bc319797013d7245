// PyScript keeps a small index of its package cache in IndexedDB. Where the browser refuses
// storage — a cross-origin iframe with third-party storage blocked (incognito windows, strict
// privacy settings), as on many course sites — opening it fails and PyScript never starts.
// This runs before PyScript: when (and only when) the real open() fails, it answers with an
// in-memory store that behaves the same for the few operations PyScript uses. Nothing is lost:
// the cache only speeds up a later visit.

const nativeOpen = window.indexedDB ? window.indexedDB.open.bind(window.indexedDB) : null;

function later(request, compute) {
  queueMicrotask(() => {
    try {
      request.result = compute();
      if (request.onsuccess) request.onsuccess({ target: request });
    } catch (error) {
      request.error = error;
      if (request.onerror) request.onerror({ target: request });
    }
  });
  return request;
}

function memoryDatabase() {
  const data = new Map();
  const store = {
    get: (key) => later({}, () => data.get(key)),
    getKey: (key) => later({}, () => (data.has(key) ? key : undefined)),
    getAllKeys: () => later({}, () => [...data.keys()]),
    put: (value, key) => later({}, () => { data.set(key, value); return key; }),
    delete: (key) => later({}, () => { data.delete(key); }),
    clear: () => later({}, () => { data.clear(); }),
    count: () => later({}, () => data.size),
  };
  return {
    objectStoreNames: { length: 1, contains: () => true },
    createObjectStore: () => store,
    transaction: () => ({ objectStore: () => store }),
    close() {},
  };
}

function open(name, version) {
  const request = {};
  const fallBack = () => {
    console.info('[attention-explorer] storage is blocked here; PyScript uses an in-memory cache instead');
    later(request, memoryDatabase);
  };
  let real = null;
  try {
    real = nativeOpen ? nativeOpen(name, version) : null;
  } catch {
    real = null;
  }
  if (real === null) {
    fallBack();
    return request;
  }
  real.onupgradeneeded = (event) => request.onupgradeneeded && request.onupgradeneeded(event);
  real.onsuccess = (event) => request.onsuccess && request.onsuccess(event);
  real.onblocked = (event) => request.onblocked && request.onblocked(event);
  real.onerror = (event) => {
    event.preventDefault();
    fallBack();
  };
  return request;
}

if (window.indexedDB) {
  window.indexedDB.open = open;
} else {
  Object.defineProperty(window, 'indexedDB', { value: { open }, configurable: true });
}

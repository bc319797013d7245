// A module worker that starts a bare Pyodide of its own, snapshots its memory and stores the snapshot in
// Cache Storage for the page's next visit (see memory-snapshot.js), then says 'made' or why not. An
// instance that made a snapshot cannot call JS any more, which is why this is not the page's instance.

import { loadPyodide } from './pyodide/pyodide.mjs';

self.onmessage = async ({ data: { cache, entry, indexURL } }) => {
  try {
    const pyodide = await loadPyodide({ indexURL, _makeSnapshot: true });
    const snapshot = pyodide.makeMemorySnapshot();
    const store = await caches.open(cache);
    for (const request of await store.keys()) await store.delete(request); // older Pyodide builds' snapshots
    await store.put(entry, new Response(snapshot, { headers: { 'Content-Type': 'application/octet-stream' } }));
    self.postMessage('made');
  } catch (error) {
    self.postMessage(error.message || String(error));
  }
};

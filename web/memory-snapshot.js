// The bare interpreter's memory snapshot: Pyodide's memory right after Python started, before NumPy or
// any of our code, kept in this browser's Cache Storage, so that the next visit restores it instead of
// starting Python again (interpreter.mjs does). What Pyodide 0.27.7's private snapshot API needs:
// - NumPy is loaded after the restore: a snapshot taken after a binary extension fails on restore;
// - the instance that makes a snapshot cannot call JS afterwards ("Illegal invocation"), so it is made in
//   an instance of its own, a module worker (snapshot-worker.js), once the page has started and is idle;
// - a snapshot fits only the Pyodide build that made it: its entry is named after that build (build.py
//   writes a hash of the runtime's files into <html data-pyodide-build>); one that fails is deleted.
// <html data-snapshot> tells tests and the benchmark what happened:
//   none (no snapshot: Python started afresh), restored, discarded (it failed: started afresh), made.

const CACHE = 'ae-pyodide-memory';
const IDLE_AFTER_READY_MS = 3000; // the first visit's own work (the service worker's download) goes first
const root = document.documentElement;
const storage = (() => { // Cache Storage, or null where this page may not have any (some sandboxed iframes)
  try {
    return window.caches || null;
  } catch {
    return null;
  }
})();
const entry = new URL(`./pyodide-memory-${root.dataset.pyodideBuild}.bin`, import.meta.url).href;

root.dataset.snapshot = 'none';

// Read at once, while PyScript and the runtime download: null where there is none or storage is blocked.
export const stored = (async () => {
  try {
    const response = await (await storage.open(CACHE)).match(entry);
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
})();

export function restored() {
  root.dataset.snapshot = 'restored';
}

export async function discard(error) {
  console.warn(`[attention-explorer] the saved Python snapshot did not restore (${error.message}): ` +
    'Python starts afresh, and the snapshot is made again');
  root.dataset.snapshot = 'discarded';
  await forget();
}

// A page that restored and then failed to start: its snapshot goes, so that Reload starts afresh.
export function forgetIfRestored() {
  if (root.dataset.snapshot === 'restored') forget();
}

async function forget() {
  try {
    await (await storage.open(CACHE)).delete(entry);
  } catch {
    // storage blocked: there was nothing to delete
  }
}

// After the page's first frame: unless this browser restored one, make the snapshot once the page is idle.
export function keepWhenIdle() {
  if (root.dataset.snapshot === 'restored' || typeof Worker !== 'function' || !storage) return;
  setTimeout(() => whenIdle(make), IDLE_AFTER_READY_MS);
}

function whenIdle(callback) {
  if (window.requestIdleCallback) window.requestIdleCallback(callback, { timeout: 10000 });
  else callback();
}

function make() {
  const worker = new Worker(new URL('./snapshot-worker.js', import.meta.url), { type: 'module', name: 'snapshot' });
  const done = (message) => {
    worker.terminate();
    if (message === 'made') root.dataset.snapshot = 'made';
    else console.warn(`[attention-explorer] no Python snapshot for the next visit: ${message}`);
  };
  worker.onmessage = ({ data }) => done(data);
  worker.onerror = (event) => done(event.message || 'the worker failed');
  worker.postMessage({ cache: CACHE, entry, indexURL: new URL('./pyodide/', import.meta.url).href });
}

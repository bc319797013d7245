// The page shell's loader: runs before any Python. It shows real download progress,
// and turns the failures that would otherwise hang the page silently (a missing file,
// a wrong MIME type, a wheel whose hash does not match, no WebAssembly) into a message.
// Python reports back through window.aeShell.ready() / .fail().

// Before anything can start PyScript: its IndexedDB must work even where storage is blocked.
import './storage-fallback.js';

const root = document.documentElement;
const bar = document.getElementById('loading-bar');
const status = document.getElementById('loading-status');
const overlay = document.getElementById('loading');
const errorBox = document.querySelector('[data-testid="error"]');
const expectedBytes = Number(root.dataset.runtimeBytes) || 1;
const RUNTIME = /\.(wasm|whl|zip|mjs|asm\.js|json)$/;
let receivedBytes = 0;
let settled = false;

function showProgress(text) {
  if (settled) return;
  if (text) status.textContent = text;
  const fraction = Math.min(0.97, receivedBytes / expectedBytes);
  bar.style.transform = `scaleX(${Math.max(0.03, fraction)})`;
  bar.parentElement.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
}

function fail(reason, message) {
  if (root.dataset.ready === 'true') {
    // After start-up, errors are reported by the app itself (see main.py).
    console.warn(`[attention-explorer] ${reason}: ${message}`);
    return;
  }
  if (settled) return;
  settled = true;
  root.dataset.error = reason;
  overlay.classList.add('failed');
  status.textContent = 'The explorer could not start.';
  errorBox.hidden = false;
  errorBox.querySelector('.error-text').textContent = message;
}

function ready() {
  if (root.dataset.ready === 'true') return;
  performance.mark('ae-ready');
  settled = true;
  bar.style.transform = 'scaleX(1)';
  overlay.hidden = true;
  root.dataset.ready = 'true';
  registerServiceWorker();
}

// After the first frame, so it never competes with the first visit's downloads: the
// service worker keeps a snapshot of this build for repeat visits and offline use.
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !location.protocol.startsWith('http')) return;
  navigator.serviceWorker.register('./sw.js').catch((error) => {
    console.warn(`[attention-explorer] offline support unavailable: ${error.message}`);
  });
}

// Count the bytes of runtime downloads as they stream in, and catch HTTP / MIME errors.
const nativeFetch = window.fetch.bind(window);
window.fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const response = await nativeFetch(input, init).catch(async (error) => {
    // A file checked against its sha256 (subresource integrity) fails the same way whether its
    // bytes were wrong or the download broke off: fetching it again unchecked tells which.
    if (init && init.integrity && await downloadable(url)) {
      fail('hash-mismatch', `${shortName(url)} did not match its expected checksum (corrupted or stale copy). ` +
        'Rebuild dist/ with "python3 build.py" and deploy all of it together.');
    } else {
      fail('network', `Could not download ${shortName(url)} (${error.message}): the connection failed. ` +
        'Check it and press Reload.');
    }
    throw error;
  });
  if (!RUNTIME.test(new URL(url, location.href).pathname)) return response;
  if (!response.ok) {
    fail('missing-file', `Could not download ${shortName(url)} (HTTP ${response.status}). ` +
      'The site is missing a file: rebuild dist/ with "python3 build.py" and copy all of it.');
    return response;
  }
  const type = response.headers.get('content-type') || '';
  if (url.endsWith('.wasm') && !type.startsWith('application/wasm')) {
    fail('mime-type', `The server sent ${shortName(url)} as "${type || 'no type'}" instead of application/wasm. ` +
      'Configure the web server to serve .wasm files as application/wasm.');
  }
  if (!response.body) return response;
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      receivedBytes += chunk.byteLength;
      showProgress();
      controller.enqueue(chunk);
    },
  }));
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
};

async function downloadable(url) {
  try {
    return (await nativeFetch(url, { cache: 'no-store' })).ok;
  } catch {
    return false;
  }
}

function shortName(url) {
  return new URL(url, location.href).pathname.split('/').pop();
}

const LOADING_MESSAGES = {
  'Loading Pyodide': 'Starting Python (Pyodide)…',
  'Loaded Pyodide': 'Python is running. Loading the explorer…',
  'Loading Storage': 'Starting Python (Pyodide)…',
};
window.addEventListener('py:progress', (event) => {
  const text = String(event.detail || '');
  showProgress(LOADING_MESSAGES[text] || (text.startsWith('Load') ? `${text}…` : undefined));
});

window.addEventListener('error', (event) => {
  const message = event.message || (event.error && event.error.message) || 'unknown error';
  fail('script-error', `A script failed while starting: ${message}`);
});
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason && (event.reason.message || String(event.reason));
  if (/integrity|sha256|digest/i.test(reason || '')) {
    fail('hash-mismatch', 'A runtime file did not match its expected checksum (it may be corrupted or stale). ' +
      'Rebuild dist/ and deploy all of it together.');
  } else {
    fail('startup-failed', `Start-up failed: ${reason}`);
  }
});

if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
  fail('no-webassembly', 'This browser cannot run WebAssembly, which the explorer needs. ' +
    'Please open it in a current version of Firefox, Chrome, Edge or Safari.');
}

document.querySelector('[data-action="retry"]').addEventListener('click', () => location.reload());
// KaTeX's stylesheet is only needed once Python renders a formula: attached here, it does not hold
// back the first paint of the shell.
const katexStyle = document.createElement('link');
katexStyle.rel = 'stylesheet';
katexStyle.href = './vendor/katex/katex.min.css';
document.head.appendChild(katexStyle);

window.aeShell = { fail, ready, progress: showProgress };

// Start Python once the shell has painted. PyScript is preloaded (see index.html), but evaluating it
// before the first paint would hold the page's title and loading bar back by a few hundred ms.
requestAnimationFrame(() => setTimeout(() => {
  import('./pyscript/core.js').catch((error) => fail('script-error', `PyScript could not start: ${error.message}`));
}, 0));
showProgress();

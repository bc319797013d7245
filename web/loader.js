// The page shell's loader: runs before any Python. The loading box says which stage start-up is at (the
// runtime's download, N of M MB, then starting Python, loading NumPy, preparing the explorer) and which
// example the link asked for; it turns the failures that would otherwise hang the page silently (a
// missing file, a wrong MIME type, a wheel whose hash does not match, no WebAssembly) into a message.
// interpreter.mjs reports its stages through window.aeShell.stage(); Python reports back through
// window.aeShell.ready() / .fail().

// Before anything can start PyScript: its IndexedDB must work even where storage is blocked.
import './storage-fallback.js';
import { forgetIfRestored, keepWhenIdle } from './memory-snapshot.js';

const root = document.documentElement;
const bar = document.getElementById('loading-bar');
const track = bar.parentElement;
const status = document.getElementById('loading-status');
const stageText = document.getElementById('loading-stage');
const bytesText = document.getElementById('loading-bytes');
const example = document.getElementById('loading-example');
const overlay = document.getElementById('loading');
const errorBox = document.querySelector('[data-testid="error"]');
const expectedBytes = Number(root.dataset.runtimeBytes) || 1;
const RUNTIME = /\.(wasm|whl|zip|mjs|asm\.js|json)$/;
// The runtime's large files, whose bytes the box counts (data-runtime-bytes is their sum, from build.py).
const COUNTED = /\/(pyodide\.asm\.(wasm|js)|python_stdlib\.zip|[^/]+\.whl)$/;
const BEFORE_NUMPY = ['pyodide.asm.wasm', 'python_stdlib.zip']; // NumPy's download starts once these are in
const STAGES = { // what start-up is doing once the runtime is downloaded: [text, share of the bar]
  python: ['Starting Python', 0.8],
  restore: ['Starting Python from the copy this browser keeps', 0.8],
  numpy: ['Loading NumPy', 0.88],
  explorer: ['Preparing the explorer', 0.94],
};
const DOWNLOAD_SHARE = 0.75; // of the bar, while the runtime's bytes arrive
const received = new Map(); // file name -> bytes received so far (of its latest download)
const complete = new Set(); // file names whose (latest) download has finished
let stage = null;
let settled = false;

const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

function showProgress() {
  if (settled) return;
  const bytes = Math.min([...received.values()].reduce((sum, n) => sum + n, 0), expectedBytes);
  // Until Python starts, the download is all there is; later stages name themselves, and say how much of
  // the runtime is still on its way while they wait for it (not when restoring: that comes from the cache).
  const text = stage ? STAGES[stage][0] : 'Downloading Python and NumPy';
  const counting = bytes < expectedBytes && !['restore', 'explorer'].includes(stage);
  if (stageText.textContent !== text) stageText.textContent = text;
  bytesText.textContent = !counting ? '…' : stage ? ` (${megabytes(bytes)} of ${megabytes(expectedBytes)} MB downloaded)`
    : `: ${megabytes(bytes)} of ${megabytes(expectedBytes)} MB`;
  const fraction = counting || !stage ? Math.max(0.03, DOWNLOAD_SHARE * bytes / expectedBytes) : STAGES[stage][1];
  bar.style.transform = `scaleX(${fraction})`;
  track.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
  track.setAttribute('aria-valuetext', text + bytesText.textContent);
}

function enterStage(name) {
  performance.mark(`ae-${name}`); // for the benchmark's breakdown of a start
  stage = name;
  showProgress();
}

function fail(reason, message) {
  if (root.dataset.ready === 'true') {
    // After start-up, errors are reported by the app itself (see main/).
    console.warn(`[attention-explorer] ${reason}: ${message}`);
    return;
  }
  if (settled) return;
  settled = true;
  forgetIfRestored(); // in case the restored interpreter is why: Reload then starts Python afresh
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
  keepWhenIdle();
}

// After the first frame, so it never competes with the first visit's downloads: the
// service worker keeps a snapshot of this build for repeat visits and offline use.
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !location.protocol.startsWith('http')) return;
  navigator.serviceWorker.register('./sw.js').catch((error) => {
    console.warn(`[attention-explorer] offline support unavailable: ${error.message}`);
  });
}

// Count the bytes of the runtime's downloads as they stream in, and catch HTTP / MIME errors.
const nativeFetch = window.fetch.bind(window);
async function checkedFetch(input, init) {
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
  const path = new URL(url, location.href).pathname;
  if (!RUNTIME.test(path)) return response;
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
  if (!response.body || !COUNTED.test(path)) return response;
  return new Response(response.body.pipeThrough(counter(shortName(url))),
    { status: response.status, statusText: response.statusText, headers: response.headers });
}

function counter(name) { // a stream step that counts one file's bytes into the loading box
  received.set(name, 0);
  complete.delete(name);
  return new TransformStream({
    transform(chunk, controller) {
      received.set(name, received.get(name) + chunk.byteLength);
      showProgress();
      controller.enqueue(chunk);
    },
    flush() {
      complete.add(name);
      showProgress();
      if (BEFORE_NUMPY.includes(name)) downloadWheelSoon();
    },
  });
}

// NumPy's wheel: Pyodide asks for it only once Python runs, and a <link rel=preload> that early goes unused
// for longer than browsers like on a slow connection (they warn). So it is fetched here, as Pyodide would
// (same address, same integrity), right after the runtime's first two files, and handed over when asked for.
const wheel = { url: new URL(`./pyodide/${root.dataset.numpyWheel}`, location.href).href,
  integrity: root.dataset.numpyIntegrity, download: null, handedOver: false };

function downloadWheelSoon() {
  if (wheel.download || wheel.handedOver || !BEFORE_NUMPY.every((name) => complete.has(name))) return;
  wheel.download = checkedFetch(wheel.url, { integrity: wheel.integrity });
  wheel.download.catch(() => {}); // reported by checkedFetch; Pyodide gets the same rejection when it asks
}

window.fetch = (input, init) => {
  const url = new URL(String(input instanceof Request ? input.url : input), location.href).href;
  if (url === wheel.url && !wheel.handedOver && init && init.integrity === wheel.integrity) {
    wheel.handedOver = true;
    if (wheel.download) return wheel.download;
  }
  return checkedFetch(input, init);
};

// pyodide.asm.js arrives as a module, not through fetch(): its bytes are counted once it is in.
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) {
    if (entry.name.endsWith('/pyodide.asm.js')) received.set('pyodide.asm.js', entry.decodedBodySize);
  }
  showProgress();
}).observe({ type: 'resource', buffered: true });

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

// The example the link asks for (#scenario=..., ?text=..., ?preset=...: the first of these that is there wins,
// as in Python), named in the loading box and put in the sentence box while Python starts: -> [what the box
// says, the sentence] or null. Python opens it, or refuses a broken one with its reason: this only reads.
function requestedExample() {
  const quote = (text) => `“${text.length > 80 ? `${text.slice(0, 79)}…` : text}”`;
  const tokens = scenarioTokens(location.hash);
  const params = new URLSearchParams(location.search);
  const preset = JSON.parse(example.dataset.examples || '{}')[params.get('preset')];
  if (tokens) return [`Opening the linked scenario: ${quote(tokens.join(' '))}`, tokens.join(' ')];
  if (params.get('text')) return [`Opening ${quote(params.get('text'))}`, params.get('text')];
  return preset ? [`Opening the example ${quote(preset[0])}`, preset[1]] : null;
}

function scenarioTokens(hash) { // -> the tokens of a #scenario=<base64url JSON> fragment, or null
  const match = /scenario=([A-Za-z0-9_-]+)/.exec(hash);
  try {
    const binary = atob(match[1].replace(/-/g, '+').replace(/_/g, '/'));
    const tokens = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))).tokens;
    return Array.isArray(tokens) && tokens.length && tokens.every((t) => typeof t === 'string') ? tokens : null;
  } catch {
    return null; // no fragment, or not one Python will open
  }
}

function nameTheExample() {
  const requested = requestedExample();
  if (!requested) return;
  [example.textContent, document.getElementById('sentence').value] = requested;
}

nameTheExample();
document.querySelector('[data-action="retry"]').addEventListener('click', () => location.reload());
// KaTeX's stylesheet is only needed once Python renders a formula: attached here, it does not hold
// back the first paint of the shell.
const katexStyle = document.createElement('link');
katexStyle.rel = 'stylesheet';
katexStyle.href = './vendor/katex/katex.min.css';
document.head.appendChild(katexStyle);

window.aeShell = { fail, ready, stage: enterStage };

// Start Python once the shell has painted, and PyScript beside it (it runs our Python once both are
// ready). Both are preloaded (see index.html), but evaluating them before the first paint would hold the
// page's title and loading bar back by a few hundred ms.
requestAnimationFrame(() => setTimeout(() => {
  const { packages } = JSON.parse(document.querySelector('script[type="py"]').getAttribute('config'));
  import('./interpreter.mjs').then((python) => python.start(packages))
    .catch((error) => fail('startup-failed', `Python could not start: ${error.message}`));
  import('./pyscript/core.js').catch((error) => fail('script-error', `PyScript could not start: ${error.message}`));
}, 0));
showProgress();

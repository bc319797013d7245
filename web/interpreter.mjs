// PyScript's `interpreter` (build.py's config points at this file): Pyodide from ./pyodide/, restored from
// this browser's memory snapshot of the bare interpreter when it has one (memory-snapshot.js), then NumPy.
// loader.js starts it as soon as the shell has painted, so Python starts while PyScript itself loads;
// PyScript then imports this module, takes `version` and calls `loadPyodide` with its own options (none
// of them about snapshots), which hands over the interpreter already starting, with PyScript's output
// streams. Each stage is reported to the loading box (loader.js).

import { loadPyodide as startPyodide, version } from './pyodide/pyodide.mjs';
import { discard, restored, stored } from './memory-snapshot.js';

export { version };

const root = document.documentElement;
let starting = null; // Promise of the interpreter, NumPy loaded

export function start(packages) {
  starting ??= boot(packages);
  return starting;
}

export async function loadPyodide({ packages = [], stdout, stderr }) {
  performance.mark('ae-pyscript-asks'); // PyScript has loaded and wants its interpreter
  const pyodide = await start(packages);
  await pyodide.loadPackage(packages, { messageCallback() {} }); // nothing left to do unless asked for more
  if (stdout) pyodide.setStdout({ batched: stdout });
  if (stderr) pyodide.setStderr({ batched: stderr });
  performance.mark('ae-pyscript-given'); // PyScript then fetches and unpacks our archive, and runs main/
  return pyodide;
}

async function boot(packages) {
  const settings = { indexURL: new URL('./pyodide/', import.meta.url).href };
  const pyodide = await restore(settings) || await afresh(settings);
  window.aeShell.stage('numpy');
  const bytecode = keptBytecode();
  await pyodide.loadPackage(packages, { messageCallback() {} });
  if (bytecode) {
    const [numpy, app] = await bytecode;
    pyodide.unpackArchive(numpy, 'zip', { extractDir: pyodide.runPython('import site; site.getsitepackages()[0]') });
    // Into the folder where PyScript unpacks our sources (its "files" setting), next.
    pyodide.unpackArchive(app, 'zip', { extractDir: pyodide.runPython('import os; os.getcwd()') });
    root.dataset.bytecode = 'kept';
  }
  // Imported now, while PyScript may still be loading: our code's first `import numpy` finds it ready.
  pyodide.runPython('import numpy');
  window.aeShell.stage('explorer');
  return pyodide;
}

// The modules compiled by the build (build.py: bytecode), NumPy's and ours, so that Python does not compile
// them again at every start: -> Promise of [NumPy's archive, ours], or null. Only when this browser keeps the
// build (the service worker serves it from its cache): on a first visit, the megabyte more to download
// would cost more than compiling. <html data-bytecode="kept"> says they were used.
function keptBytecode() {
  if (!navigator.serviceWorker?.controller) return null;
  const archive = (name) => fetch(new URL(`./${name}`, import.meta.url)).then((response) => response.arrayBuffer());
  return Promise.all([archive(root.dataset.numpyBytecode), archive(root.dataset.appBytecode)]);
}

function afresh(settings) {
  window.aeShell.stage('python');
  return startPyodide(settings);
}

async function restore(settings) { // -> Pyodide restored from the snapshot, or null (none, or it failed)
  const snapshot = await stored;
  if (!snapshot) return null;
  window.aeShell.stage('restore');
  try {
    const pyodide = await startPyodide({ ...settings, _loadSnapshot: snapshot });
    // Every run restored from one snapshot would start from the same random state.
    pyodide.runPython('import random; random.seed()');
    restored();
    return pyodide;
  } catch (error) {
    await discard(error);
    return null;
  }
}

// PyScript's `interpreter` (build.py's config points at this file): Pyodide from ./pyodide/, restored from
// this browser's memory snapshot of the bare interpreter when it has one (memory-snapshot.js), then NumPy.
// loader.js starts it as soon as the shell has painted, so Python starts while PyScript itself loads;
// PyScript then imports this module, takes `version` and calls `loadPyodide` with its own options (none
// of them about snapshots), which hands over the interpreter already starting, with PyScript's output
// streams. Each stage is reported to the loading box (loader.js).

import { loadPyodide as startPyodide, version } from './pyodide/pyodide.mjs';
import { discard, restored, stored } from './memory-snapshot.js';

export { version };

let starting = null; // Promise of the interpreter, NumPy loaded

export function start(packages) {
  starting ??= boot(packages);
  return starting;
}

export async function loadPyodide({ packages = [], stdout, stderr }) {
  const pyodide = await start(packages);
  await pyodide.loadPackage(packages, { messageCallback() {} }); // nothing left to do unless asked for more
  if (stdout) pyodide.setStdout({ batched: stdout });
  if (stderr) pyodide.setStderr({ batched: stderr });
  return pyodide;
}

async function boot(packages) {
  const settings = { indexURL: new URL('./pyodide/', import.meta.url).href };
  const pyodide = await restore(settings) || await afresh(settings);
  window.aeShell.stage('numpy');
  await pyodide.loadPackage(packages, { messageCallback() {} });
  // Imported now, while PyScript may still be loading: our code's first `import numpy` finds it ready.
  pyodide.runPython('import numpy');
  window.aeShell.stage('explorer');
  return pyodide;
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

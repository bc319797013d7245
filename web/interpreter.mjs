// PyScript's `interpreter` (build.py's config points at this file): Pyodide from ./pyodide/, restored from
// this browser's memory snapshot of the bare interpreter when it has one (memory-snapshot.js), then NumPy.
// PyScript imports this module, takes `version` and calls `loadPyodide` with its own options, none of them
// about snapshots; this adds them and tells the loading box (loader.js) which stage start-up is at.

import { loadPyodide as startPyodide, version } from './pyodide/pyodide.mjs';
import { discard, restored, stored } from './memory-snapshot.js';

export { version };

export async function loadPyodide({ packages = [], ...options }) {
  // PyScript derives indexURL from this module's folder: the runtime is one folder down.
  const settings = { ...options, indexURL: new URL('./pyodide/', import.meta.url).href };
  const pyodide = await restore(settings) || await start(settings);
  window.aeShell.stage('numpy');
  await pyodide.loadPackage(packages, { messageCallback() {} });
  window.aeShell.stage('explorer');
  return pyodide;
}

function start(settings) {
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

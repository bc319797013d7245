// The CPU time of NumPy's load and of our imports, with and without the build's bytecode, under Node.js's
// Pyodide (the pinned one in dist/pyodide/): CPU milliseconds (user + system, every thread of the process)
// move far less than wall time on a shared machine. Each case runs in a fresh process.
//
//     python3 build.py && node tests/bench/bytecode_cpu.mjs [runs]

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const named = (prefix) => dist + readdirSync(dist).find((name) => name.startsWith(prefix) && name.endsWith('.zip'));

async function measure(withBytecode) { // -> {stage: CPU ms}
  const { loadPyodide } = await import(`${dist}pyodide/pyodide.mjs`);
  const pyodide = await loadPyodide({ indexURL: `${dist}pyodide/` });
  const cpu = {};
  let before = process.cpuUsage();
  const lap = (stage) => {
    const used = process.cpuUsage(before);
    cpu[stage] = Math.round((used.user + used.system) / 1000);
    before = process.cpuUsage();
  };
  const unpack = (prefix, extractDir) => pyodide.unpackArchive(new Uint8Array(readFileSync(named(prefix))), 'zip',
    { extractDir });
  await pyodide.loadPackage('numpy', { messageCallback() {} });
  lap('loadPackage numpy');
  if (withBytecode) {
    unpack('bytecode-numpy-', pyodide.runPython('import site; site.getsitepackages()[0]'));
    unpack('bytecode-app-', '/home/pyodide');
    lap('unpack the bytecode');
  }
  pyodide.runPython('import numpy');
  lap('import numpy');
  unpack('app-', '/home/pyodide');
  pyodide.runPython('import main');
  lap('import main');
  return cpu;
}

if (process.argv[2] === 'one') {
  console.log(JSON.stringify(await measure(process.argv[3] === 'with')));
} else {
  const runs = Number(process.argv[2] || 3);
  for (let run = 1; run <= runs; run++) {
    for (const mode of run % 2 ? ['without', 'with'] : ['with', 'without']) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'one', mode], { encoding: 'utf8' });
      const cpu = JSON.parse(out.trim().split('\n').pop());
      console.log(`run ${run}, ${mode} the bytecode: ` + Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(', ') +
        ` ms CPU (total ${Object.values(cpu).reduce((a, b) => a + b, 0)})`);
    }
  }
}

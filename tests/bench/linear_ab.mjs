// The forward pass of the real model's shapes in Node.js's Pyodide (the pinned one in dist/pyodide/), with the
// projections by einsum (attention.ops.linear, as the page computes them) and by NumPy's `@`, in turns:
// the A/B of that lever. Random weights of the model's shapes: the time depends on the shapes only.
//
//     python3 build.py && node tests/bench/linear_ab.mjs [repeats]

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const archive = dist + readdirSync(dist).find((name) => name.startsWith('app-') && name.endsWith('.zip'));
const { loadPyodide } = await import(`${dist}pyodide/pyodide.mjs`);
const pyodide = await loadPyodide({ indexURL: `${dist}pyodide/` });
await pyodide.loadPackage('numpy', { messageCallback() {} });
pyodide.unpackArchive(new Uint8Array(readFileSync(archive)), 'zip', { extractDir: '/home/pyodide' });
pyodide.globals.set('repeats', Number(process.argv[2] || 4));
pyodide.runPython(`
import statistics, time
import numpy as np
from attention import core, minilm, ops

rng = np.random.default_rng(0)
def m(*shape):
    return (rng.standard_normal(shape) * 0.05).astype(np.float32)
D, F = minilm.D_MODEL, minilm.D_FF
layers = tuple(minilm.Layer(w_q=m(D, D), b_q=m(D), w_k=m(D, D), b_k=m(D), w_v=m(D, D), b_v=m(D), w_o=m(D, D),
                            b_o=m(D), attn_ln_gamma=m(D) + 1, attn_ln_beta=m(D), w_1=m(D, F), b_1=m(F),
                            w_2=m(F, D), b_2=m(D), ffn_ln_gamma=m(D) + 1, ffn_ln_beta=m(D)) for _ in range(6))
weights = minilm.Weights(word=m(minilm.VOCAB, D), position=m(minilm.MAX_POSITIONS, D), token_type=m(D),
                         ln_gamma=m(D) + 1, ln_beta=m(D), layers=layers)
ways = {"einsum": ops.linear, "@": lambda a, w, b: a @ w + b}
for n in (8, 32, 64):
    ids, times = np.arange(n) + 1000, {name: [] for name in ways}
    for repeat in range(repeats + 1):  # in turns; the first is a warm-up
        for name, way in ways.items():
            core.linear = minilm.linear = way
            start = time.perf_counter()
            minilm.forward(ids, weights)
            if repeat:
                times[name].append((time.perf_counter() - start) * 1000)
    print(f"forward pass, {n} pieces: " + ", ".join(f"by {name} {statistics.median(t):.0f} ms" for name, t in times.items()))
core.linear = minilm.linear = ops.linear
`);

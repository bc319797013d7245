"""Benchmark: the real model's 6-layer forward pass under CPython, beside its matrix products alone.

    .venv/bin/python tests/bench/minilm.py [--repeats N]      (needs the model files: see tests/model_files.py)

For 8, 32 and 64 pieces: the median time of minilm.forward, and in the same run the median time of
the same Q, K, V, O and feed-forward products alone (the floor: SPEC's budget is 1.25 x that, in
Pyodide), computed as the forward pass computes them (attention_trace's in float64, the feed-forward
in float32). Then the time to write the browser pack and to read it back from bytes (what the page
does with the fetched files). Set OPENBLAS_NUM_THREADS=1 to match Pyodide's single thread.
"""
import argparse
from pathlib import Path
import statistics
import sys
import time

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "py"), str(ROOT / "tests")]
from attention import minilm  # noqa: E402  (needs py/ on the path first)
from attention.model_pack import read_pack, write_pack  # noqa: E402
from attention.safetensors import read_safetensors  # noqa: E402
from model_files import model_dir  # noqa: E402


def median_seconds(run, repeats):
    """Median wall time of run() over `repeats` calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def products_only(n, weights):  # -> a function doing the forward pass's matrix products on [n, d_model] inputs
    """The 6 layers' Q, K, V, O (float64, as attention_trace) and feed-forward (float32) products, nothing else."""
    rng = np.random.default_rng(0)
    h32 = rng.standard_normal((n, minilm.D_MODEL)).astype(np.float32)
    h64 = h32.astype(np.float64)
    ffn = rng.standard_normal((n, minilm.D_FF)).astype(np.float32)
    layers = [(layer.w_q.astype(np.float64), layer.w_k.astype(np.float64), layer.w_v.astype(np.float64),
               layer.w_o.astype(np.float64), layer.w_1, layer.w_2) for layer in weights.layers]

    def run():
        for w_q, w_k, w_v, w_o, w_1, w_2 in layers:
            h64 @ w_q, h64 @ w_k, h64 @ w_v, h64 @ w_o, h32 @ w_1, ffn @ w_2
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per size (default 10)")
    repeats = parser.parse_args().repeats
    folder = model_dir()
    if folder is None:
        sys.exit("no model files: set AE_MODEL_DIR to a folder with model.safetensors and vocab.txt")
    weights = minilm.weights_from_safetensors(read_safetensors(folder / "model.safetensors"))
    print(f"all-MiniLM-L6-v2 forward pass, median of {repeats} runs "
          f"(Python {sys.version.split()[0]}, NumPy {np.__version__})")
    print(f"{'pieces':>6}  {'forward':>10}  {'products':>10}  {'ratio':>5}")
    for n in (8, 32, 64):
        ids = [101] + [2000 + 7 * i for i in range(n - 2)] + [102]
        forward = median_seconds(lambda: minilm.forward(ids, weights), repeats)
        floor = median_seconds(products_only(n, weights), repeats)
        print(f"{n:>6}  {forward * 1e3:>7.1f} ms  {floor * 1e3:>7.1f} ms  {forward / floor:>5.2f}")
    start = time.perf_counter()
    manifest, data = write_pack(weights)
    written = time.perf_counter() - start
    load = median_seconds(lambda: read_pack(manifest, data), max(1, repeats // 2))
    print(f"pack: {len(data) / 1e6:.2f} MB + {len(manifest) / 1e3:.1f} kB manifest; "
          f"written in {written:.2f} s, read from bytes in {load * 1e3:.0f} ms (median)")


if __name__ == "__main__":
    main()

"""Benchmark: the real model's 6-layer forward pass under CPython, beside its matrix products alone.

    .venv/bin/python tests/bench/minilm.py [--repeats N]      (needs the model files: see tests/model_files.py)

For 8, 32 and 64 pieces: the median time of minilm.forward, and in the same run the median time of
the same Q, K, V, O and feed-forward products alone (the floor: SPEC's budget is 1.25 x that, in
Pyodide), computed as the forward pass computes them (all float32: attention_trace multiplies float32
inputs in float32). Then the time to write the browser pack, to read it back from bytes and to add a
32-piece sentence's word-embedding shards (what the page does with the fetched files). Set
OPENBLAS_NUM_THREADS=1 to match Pyodide's single thread.
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
from attention.model_pack import add_shard, read_pack, shards_for, write_pack  # noqa: E402
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
    """The 6 layers' Q, K, V, O and feed-forward products (float32, as the forward pass), nothing else."""
    rng = np.random.default_rng(0)
    h = rng.standard_normal((n, minilm.D_MODEL)).astype(np.float32)
    ffn = rng.standard_normal((n, minilm.D_FF)).astype(np.float32)
    layers = [(layer.w_q, layer.w_k, layer.w_v, layer.w_o, layer.w_1, layer.w_2) for layer in weights.layers]

    def run():
        for w_q, w_k, w_v, w_o, w_1, w_2 in layers:
            h @ w_q, h @ w_k, h @ w_v, h @ w_o, h @ w_1, ffn @ w_2
    return run


def with_shards(manifest, data, shards, ids):  # -> Weights holding the rows of these ids
    """What the page does with the fetched files: read the pack, add the sentence's shards."""
    weights = read_pack(manifest, data)
    for index in shards_for(ids, weights):
        add_shard(weights, index, shards[index])
    return weights


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
    manifest, data, shards = write_pack(weights)
    written = time.perf_counter() - start
    ids = [101] + [2000 + 7 * i for i in range(30)] + [102]
    load = median_seconds(lambda: read_pack(manifest, data), max(1, repeats // 2))
    sentence = median_seconds(lambda: with_shards(manifest, data, shards, ids), max(1, repeats // 2))
    print(f"pack: {len(data) / 1e6:.2f} MB + {len(manifest) / 1e3:.1f} kB manifest + {len(shards)} word-embedding "
          f"shards of {len(shards[0]) / 1e3:.0f} kB; written in {written:.2f} s, read from bytes in "
          f"{load * 1e3:.0f} ms, with a 32-piece sentence's {len(shards_for(ids, read_pack(manifest, data)))} "
          f"shards in {sentence * 1e3:.0f} ms (medians)")


if __name__ == "__main__":
    main()

"""Benchmark: median time of one full attention_trace under CPython.

    python3 tests/bench/engine.py [--repeats N]

Self-attention with W_O and a causal mask (the most work the page asks for), 8 heads,
at 4, 32 and 128 tokens, d_model 16 and 64. The budget that matters is in the browser:
a 32-token sentence must be recomputed well within one 16 ms frame.

At 128 tokens the arrays are ~1 MB each, and glibc hands such blocks back to the OS
after every call, so page faults take over half of the CPython time; with
MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 set, it drops about 2.5x.
(Pyodide's wasm heap only grows, so it does not pay this.)
"""
import argparse
from pathlib import Path
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "py"))
from attention.core import attention_trace  # noqa: E402  (needs py/ on the path first)

HEADS = 8


def median_seconds(n_tokens, d_model, repeats):
    """Median wall time of attention_trace over `repeats` runs, after one warm-up run."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n_tokens, d_model))
    w_q, w_k, w_v, w_o = (rng.normal(size=(d_model, d_model)) / np.sqrt(d_model) for _ in range(4))
    attention_trace(x, w_q, w_k, w_v, w_o, heads=HEADS, mask="causal")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        attention_trace(x, w_q, w_k, w_v, w_o, heads=HEADS, mask="causal")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="timed runs per size (default 200)")
    repeats = parser.parse_args().repeats
    print(f"attention_trace, {HEADS} heads, causal, with W_O; median of {repeats} runs "
          f"(Python {sys.version.split()[0]}, NumPy {np.__version__})")
    print(f"{'tokens':>6}  {'d_model':>7}  {'d_k':>3}  {'median':>10}")
    for d_model in (16, 64):
        for n_tokens in (4, 32, 128):
            seconds = median_seconds(n_tokens, d_model, repeats)
            print(f"{n_tokens:>6}  {d_model:>7}  {d_model // HEADS:>3}  {seconds * 1e3:>7.3f} ms")


if __name__ == "__main__":
    main()

"""Hooks for the tests and the benchmark, loaded only with ?dev=1 (main.App._expose_test_hooks).

It is not part of the app archive, so learners never download it: main.py fetches this
file from dist/dev/ and runs it. `install(app, hooks)` adds to `window.aeView`:

    aeView.breakOnce("draw" | "event")   the next frame or state change raises, as a bug in it would
    aeView.timeEngine(n, heads, repeats)  milliseconds per attention_trace here, in Pyodide
    aeView.wasmBytes()                    the size of Pyodide's WebAssembly memory (it only grows)
"""


def install(app, hooks):
    hooks.breakOnce = app._keep(lambda where: break_once(app, str(where)))
    hooks.timeEngine = app._keep(lambda n, heads, repeats: time_engine(int(n), int(heads), int(repeats)))
    hooks.wasmBytes = app._keep(wasm_bytes)
    hooks.bytecodeFlags = app._keep(lambda name: bytecode_flags(str(name)))


def break_once(app, where):
    """The next draw() ("draw") or dispatch() ("event") raises; the class's method is back after it."""
    method = {"draw": "draw", "event": "dispatch"}[where]

    def broken(*args, **kwargs):
        delattr(app, method)
        raise RuntimeError(f"a fault injected into {method}() by a test")
    setattr(app, method, broken)
    if where == "draw":
        app._redraw()


def time_engine(n, heads, repeats, d_model=64):
    """Milliseconds per attention_trace of n tokens x heads (causal, random weights)."""
    import time

    import numpy as np

    from attention.core import attention_trace

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d_model))
    w_q, w_k, w_v = (rng.normal(size=(d_model, d_model)) / 8 for _ in range(3))
    start = time.perf_counter()
    for _ in range(repeats):
        attention_trace(x, w_q, w_k, w_v, heads=heads, mask="causal")
    return (time.perf_counter() - start) * 1000 / repeats


def wasm_bytes():
    import pyodide_js

    return int(pyodide_js._module.HEAP8.length)


def bytecode_flags(name):
    """Import module `name` and say which .pyc file Python ran it from: 1 for build.py's (unchecked-hash),
    -1 for none (Pyodide compiles the source in memory and writes no .pyc), else the flags of another."""
    import importlib

    cached = getattr(importlib.import_module(name), "__cached__", None)
    try:
        with open(cached, "rb") as f:
            return int.from_bytes(f.read(8)[4:], "little")
    except (TypeError, OSError):
        return -1

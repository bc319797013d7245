"""Hooks for the tests and the benchmark, loaded only with ?dev=1 (main.chores.expose_test_hooks).

It is not part of the app archive, so learners never download it: main.py fetches this
file from dist/dev/ and runs it. `install(app, hooks)` adds to `window.aeView`:

    aeView.breakOnce("draw" | "event")   the next frame or state change raises, as a bug in it would
    aeView.timeEngine(n, heads, repeats)  milliseconds per attention_trace here, in Pyodide
    aeView.wasmBytes()                    the size of Pyodide's WebAssembly memory (it only grows)
    aeView.timeRealModel(n, repeats)      the real model's forward pass at n pieces, and its products alone, ms
                                          (by `@`: SPEC's floor; and by einsum, as the forward computes them)
    aeView.bytecodeFlags(name)            imports module `name`: which .pyc it ran from (build.py's: 1)
"""


def install(app, hooks):
    hooks.breakOnce = app.js.keep(lambda where: break_once(app, str(where)))
    hooks.timeEngine = app.js.keep(lambda n, heads, repeats: time_engine(int(n), int(heads), int(repeats)))
    hooks.wasmBytes = app.js.keep(wasm_bytes)
    hooks.timeRealModel = app.js.keep(lambda n, repeats: time_real_model(app.state, int(n), int(repeats)))
    hooks.bytecodeFlags = app.js.keep(lambda name: bytecode_flags(str(name)))


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


def time_real_model(state, n, repeats):
    """{"forward": ms, "products": ms}, medians: all 6 layers of the real model on n pieces (the loaded
    sentence's pieces repeated, whose embedding rows are here), and the same layers' Q, K, V, O and
    feed-forward matrix products alone (float32, the same shapes): the floor of the forward pass here, as
    NumPy's `@` computes them ("products") and as the forward pass does, with einsum ("products_einsum": in
    Pyodide, whose NumPy has no BLAS, 2 to 5 times faster: attention.ops.linear)."""
    import statistics
    import time

    import numpy as np

    from attention import minilm
    from attention.ops import linear

    weights, ids = state.real.weights, state.pieces.ids
    middle = ids[1:-1] or ids
    ids = np.array([ids[0], *(middle[i % len(middle)] for i in range(n - 2)), ids[-1]])
    h = np.random.default_rng(0).standard_normal((n, minilm.D_MODEL)).astype(np.float32)
    u = np.random.default_rng(1).standard_normal((n, minilm.D_FF)).astype(np.float32)

    def products(product):
        def run():
            for layer in weights.layers:
                for a, w in ((h, layer.w_q), (h, layer.w_k), (h, layer.w_v), (h, layer.w_o), (h, layer.w_1),
                             (u, layer.w_2)):
                    product(a, w)
        return run

    runs = {"forward": lambda: minilm.forward(ids, weights),
            "products": products(np.matmul),  # SPEC's floor: the products alone, as NumPy's `@` computes them
            "products_einsum": products(lambda a, w: linear(a, w, 0.0))}  # as the forward computes them
    times = {name: [] for name in runs}
    for repeat in range(repeats + 1):  # taken in turns, so that both see the same load; the first is a warm-up
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            if repeat:
                times[name].append(time.perf_counter() - start)
    return _js_object({name: statistics.median(t) * 1000 for name, t in times.items()})


def _js_object(d):
    from pyodide.ffi import to_js

    import js

    return to_js(d, dict_converter=js.Object.fromEntries)


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

"""Benchmark: CPython time per frame of scene.layout + scene.draw (what the page does every animation frame).

    python3 tests/bench/scene.py [--repeats N]

Two cases: the 4-token preset "cat" (one head, the query's beams), and 32 tokens x 8 heads of
random weights (d_model 64) with every beam of every head (state.beams = "all", overlay on:
32 x 32 x 8 = 8192 beams). Each is timed at rest on the softmax stage and mid-way through
the softmax -> weighted-sum transition, at 1200 x 560. Pyodide runs the same Python about
3x slower, and the page's budget (SPEC) is 3 ms per frame at 4 tokens and 8 ms at 32 x 8.

Then the Python of a change, with nothing cached (a new input each time): the new state, its trace,
the layout and the drawing of the frame that shows it, for a new 32-token sentence (the toy model)
and for a new temperature at 32 x 8 with every head's beams on the softmax stage. The page's budget
is one frame (16.7 ms) for all of a change's main-thread work, this and the browser's share.
"""
import argparse
from dataclasses import replace
from pathlib import Path
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "py"))
from attention.scenario import parse_scenario  # noqa: E402  (needs py/ on the path first)
from canvas.api import P  # noqa: E402
from scene.colors import palette  # noqa: E402
from scene.draw import draw_scene  # noqa: E402
from scene.layout import layout  # noqa: E402
from scene.timeline import View  # noqa: E402
from ui import state as ev  # noqa: E402

WORDS = ("the cat sat on a mat while dogs ran far away from home and birds sang loud songs in tall green "
         "trees near an old river bank under grey clouds at dusk today").split()


def big_scenario(n_tokens=32, d_model=64, heads=8, seed=0):  # -> Scenario with random embeddings and weights
    """A custom scenario as a learner could import it: n_tokens tokens, `heads` heads of random weights."""
    rng = np.random.default_rng(seed)
    weight = lambda: (rng.normal(size=(d_model, d_model)) / np.sqrt(d_model)).tolist()  # noqa: E731
    return parse_scenario({"tokens": WORDS[:n_tokens], "embeddings": rng.normal(size=(n_tokens, d_model)).tolist(),
                           "heads": heads, "w_q": weight(), "w_k": weight(), "w_v": weight(), "query": 5, "step": 3})


def cases():  # -> [(name, AppState)]
    small = ev.set_step(ev.load_preset(None, "cat"), 3)
    big = replace(ev.set_beams(ev.from_scenario(big_scenario()), "all"), overlay=True)
    return [("4 tokens, 1 head, query beams", small), ("32 tokens x 8 heads, all beams", big)]


def median_ms(fn, repeats):
    fn(0)
    times = []
    for k in range(1, repeats + 1):
        start = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def changes():  # -> [(name, state, change(state, k) -> the new state)]: every k a new input
    sentence = lambda state, k: ev.edit_sentence(  # noqa: E731
        state, " ".join(np.random.default_rng(k).choice(WORDS, 32)), False)
    temperature = lambda state, k: ev.set_temperature(state, 10 ** (0.001 * k - 0.3))  # noqa: E731
    big = ev.set_step(replace(ev.set_beams(ev.from_scenario(big_scenario()), "all"), overlay=True), 3)
    return [("new 32-token sentence", ev.initial_state(), sentence),
            ("new temperature, 32 x 8, all beams", big, temperature)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100, help="timed frames per case (default 100)")
    repeats = parser.parse_args().repeats
    width, height, pal = 1200, 560, palette(False)
    print(f"scene per frame at {width}x{height}, median of {repeats} (Python {sys.version.split()[0]}, "
          f"NumPy {np.__version__})")
    print(f"{'case':<34} {'view':<14} {'beams':>6} {'layout ms':>10} {'draw ms':>8} {'total ms':>9}")
    for name, state in cases():
        computed = ev.compute(state.scenario)
        for label, view in (("at rest", View(3, 3, 1.0)), ("3 -> 4, t=0.5", View(3, 4, 0.5))):
            scene = layout(computed, state, width, height, view, pal)
            p = P(width, height)

            def draw(k):
                p.begin_frame()
                draw_scene(p, scene)

            t_layout = median_ms(lambda k: layout(computed, state, width, height, view, pal), repeats)
            t_draw = median_ms(draw, repeats)
            beams = sum(len(item.curves) for item in scene.shapes() if hasattr(item, "curves"))
            print(f"{name:<34} {label:<14} {beams:>6} {t_layout:>10.2f} {t_draw:>8.2f} {t_layout + t_draw:>9.2f}")
    print(f"\na change and the frame that shows it, median of {repeats}, nothing cached")
    for name, state, change in changes():
        step = state.step

        def changed_frame(k):
            new = change(state, k)
            p = P(width, height)
            p.begin_frame()
            draw_scene(p, layout(ev.compute(new.scenario), new, width, height, View(step, step, 1.0), pal))
            p.list.array()

        print(f"{name:<40} {median_ms(changed_frame, repeats):>6.2f} ms")


if __name__ == "__main__":
    main()

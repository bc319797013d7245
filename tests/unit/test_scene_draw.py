"""Drawing a scene, checked through the recording backend: what reaches the canvas is the trace's numbers."""
from dataclasses import replace

import numpy as np
import pytest

from bench.scene import big_scenario
from canvas.recording import RecordingBackend
from canvas.runner import run
from scene.colors import palette, sequential
from scene.draw import draw_scene
from scene.layout import layout
from scene.timeline import View
from ui import state as ev


class Sketch:
    """What main/ does each frame, minus the DOM: layout the state, draw the scene."""

    def __init__(self, state, dark=False):
        self.state, self.dark = state, dark
        self.scene = None

    def setup(self, p):
        pass

    def draw(self, p):
        step = self.state.step
        self.scene = layout(ev.compute(self.state.scenario), self.state, p.width, p.height,
                            View(step, step, 1.0), palette(self.dark))
        draw_scene(p, self.scene)


def drawn(state, width=1200, height=560, dark=False):  # -> RecordingBackend holding the frame
    backend = RecordingBackend(width, height)
    run(Sketch(state, dark), backend)
    assert backend.step() and not backend.errors, backend.errors
    return backend


def test_the_softmax_heatmap_shows_the_traces_weights():
    state = ev.set_step(ev.load_preset(None, "cat"), 3)
    s = state.scenario
    weights = ev.compute(s).trace.weights[state.head]
    texts = drawn(state).texts()
    for value in weights.ravel():
        assert f"{value:.2f}" in texts
    numbers = [t for t in texts if t[:1].isdigit() and len(t) == 4]
    row_sums = 4  # the Σ column: "1.00" per row
    assert len(numbers) == weights.size + row_sums


def test_the_softmax_heatmap_fills_each_cell_with_its_weights_colour_in_one_command():
    state = ev.set_step(ev.load_preset(None, "cat"), 3)
    s = state.scenario
    expected = np.clip(np.round(sequential(ev.compute(s).trace.weights[state.head], palette(False))), 0, 255)
    backend = RecordingBackend(1200, 560)
    sketch = Sketch(state)
    run(sketch, backend)
    assert backend.step() and not backend.errors
    heatmaps = [c for c in backend.commands if c[0] == "cells"]
    assert len(heatmaps) == 1  # every cell of the grid, whatever its colour, in one command
    filled = {(round(x, 1), round(y, 1)): colour for x, y, _, _, *colour in heatmaps[0][2]}
    grid = sketch.scene.grid
    for i, j in np.ndindex(expected.shape[:2]):
        x, y, _, _ = grid.cell(i, j)
        assert filled[(round(x, 1), round(y, 1))] == expected[i, j].tolist()
    colours = [tuple(row[4:]) for row in heatmaps[0][2]]
    runs = [c for n, c in enumerate(colours) if n == 0 or c != colours[n - 1]]
    assert len(runs) == len(set(colours)), "cells of one colour come together: the replayer sets each colour once"


def test_the_scores_heatmap_shows_scaled_scores_and_minus_infinity_where_masked():
    state = ev.set_step(ev.load_preset(None, "causal"), 2)
    trace = ev.compute(state.scenario).trace
    texts = drawn(state, 1400).texts()
    n = trace.n_q
    assert texts.count("−∞") == n * (n - 1) // 2
    assert f"{trace.scaled[state.head, 1, 0]:.2f}".replace("-", "−") in texts


@pytest.mark.parametrize("step", range(5))
@pytest.mark.parametrize("width", (360, 800, 1400))
def test_every_token_is_drawn(step, width):
    state = ev.set_step(ev.load_preset(None, "pronoun"), step)
    texts = drawn(state, width).texts()
    for token in state.tokens:
        assert token in texts


def test_every_token_of_a_32_token_sentence_is_drawn_on_a_wide_canvas():
    state = ev.from_scenario(big_scenario())
    texts = drawn(state, 1400).texts()
    assert all(token in texts for token in state.tokens)


def test_the_beziers_command_carries_one_curve_per_beam():
    state = ev.set_step(ev.load_preset(None, "causal"), 3)
    batches = [c for c in drawn(state).commands if c[0] == "beziers"]
    assert len(batches) == 1 and len(batches[0][1]) == state.query + 1
    everything = replace(ev.set_beams(ev.from_scenario(big_scenario()), "all"), overlay=True)
    batches = [c for c in drawn(everything).commands if c[0] == "beziers"]
    assert sum(len(rows) for _, rows in batches) == 8 * 32 * 32


def test_a_hovered_key_shows_its_weight_as_a_percentage():
    state = ev.set_step(ev.load_preset(None, "hot-dog"), 3)
    s = state.scenario
    weight = ev.compute(s).trace.weights[state.head, state.query, 1]
    assert f"{100 * weight:.1f}%" not in drawn(state).texts()
    assert f"{100 * weight:.1f}%" in drawn(ev.set_hover(state, ("key", 1))).texts()


def test_the_weighted_sum_stage_shows_percentages_and_the_output_vector():
    state = ev.set_step(ev.load_preset(None, "hot-dog"), 4)
    s = state.scenario
    trace = ev.compute(s).trace
    texts = drawn(state).texts()
    for w in trace.weights[state.head, state.query]:
        assert f"{100 * w:.1f}%" in texts
    out = trace.head_outputs[state.head, state.query]
    assert "o = [" + ", ".join(f"{v:.3f}".replace("-", "−") for v in out) + "]" in texts


def test_the_open_cell_gets_a_ring():
    state = ev.set_step(ev.load_preset(None, "cat"), 3)
    plain = drawn(state).commands
    ringed = drawn(ev.select_cell(state, 1, 2)).commands
    backend = drawn(ev.select_cell(state, 1, 2))
    x, y, w, h = backend.loop.sketch.scene.grid.cell(1, 2)
    rings = [c for c in ringed if c[0] == "rect" and abs(c[1] - (x - 2)) < 0.01 and abs(c[2] - (y - 2)) < 0.01]
    assert len(rings) == 1 and len(ringed) > len(plain)


def test_dark_mode_draws_the_same_texts_on_a_dark_background():
    state = ev.set_step(ev.load_preset(None, "cat"), 3)
    light, dark = drawn(state), drawn(state, dark=True)
    assert sorted(light.texts()) == sorted(dark.texts())  # the same, grouped by ink colour differently
    assert np.mean(dark.commands[0][1:4]) < 64 < np.mean(light.commands[0][1:4])

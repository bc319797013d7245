"""The Input stage's X under the pointer: which token, which number of its input, its value (both models)."""

import pytest

from model_files import load_model, model_dir
from scene.colors import palette
from scene.layout import layout
from scene.shapes import Texts
from scene.timeline import View
from ui import inputs, real
from ui import state as ev
from ui.state import computed_of

PAL = palette(False)


def scene_of(state, width=1400, height=560):
    return layout(computed_of(state), state, width, height, View(state.step, state.step, 1.0), PAL)


def texts(scene):
    return [t for item in scene.shapes() if isinstance(item, Texts) for t in item.strings]


def center(rect):
    x, y, w, h = rect
    return x + w / 2, y + h / 2


def hover_input(state, i, c):  # -> (the hit under X[i, c]'s centre, the scene with that hit hovered)
    grid = dict(scene_of(state).matrices)["X"]
    hit = scene_of(state).hit(*center(grid.cell(i, c)))
    return hit, scene_of(ev.set_hover(state, hit))


def test_hovering_a_number_of_the_designed_inputs_names_its_token_feature_and_value():
    state = ev.set_step(ev.load_preset(None, "cat"), 0)
    c = computed_of(state)
    hit, hovered = hover_input(state, 1, 2)
    assert hit == ("input", 1, 2)
    readout = f"'{state.tokens[1]}', feature '{c.features[2]}': "
    assert any(t.startswith(readout) for t in texts(hovered)) and not any(t.startswith(readout) for t in texts(
        scene_of(state)))
    assert inputs.press_action(state, hit) == (ev.set_hover, hit)  # a tap shows it too (touch has no hover)
    assert scene_of(ev.set_step(state, 1)).hit(*center(dict(scene_of(state).matrices)["X"].cell(1, 2))) != hit


def test_hovering_the_real_models_384_number_strip_reads_one_dimension():
    if model_dir() is None:
        pytest.skip("the real model's files are not on this machine")
    loaded = real.Loaded(*load_model(model_dir()))
    state = ev.set_step(ev.model_loaded(ev.edit_sentence(ev.initial_state(), "the cat sat"), loaded), 0)
    c = computed_of(state)
    grid = dict(scene_of(state).matrices)["X"]
    assert (grid.n_rows, grid.n_cols) == (5, 384)
    hit, hovered = hover_input(state, 2, 300)
    assert hit == ("input", 2, 300)
    assert f"'cat', dimension 300 of 384: {c.x[2, 300]:.3f}".replace("-", "−") in texts(hovered)
    twice = ev.set_step(ev.edit_sentence(state, "the cat saw the dog"), 0)  # [CLS] the cat saw the dog [SEP]
    _, hovered = hover_input(twice, 4, 0)
    assert any(t.startswith("'the' (token 4), dimension 0 of 384: ") for t in texts(hovered))  # as the query menu

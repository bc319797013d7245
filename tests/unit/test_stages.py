"""The one table of the five stages: every part present, and the HTML's TeX and the canvas's formula agree."""
import itertools

import pytest

from scene.numbers import MINUS, knob
from scene.stages import STAGES, Knobs, Stage, canvas_formula, code_of, numpy_lines
from ui import state as ev

KNOBS = [Knobs(scale, temperature, cross) for scale, temperature, cross
         in itertools.product((True, False), (1.0, 0.5, 2.0), (False, True))]


def test_every_stage_has_a_title_an_explanation_formulas_and_code():
    assert [s.value for s in Stage] == [0, 1, 2, 3, 4] and set(STAGES) == set(Stage)
    code = code_of(ev.compute(ev.initial_state().scenario), ev.initial_state())
    for stage in Stage:
        info = STAGES[stage]
        assert info.title and info.text.endswith(".") and info.tex(Knobs()) and canvas_formula(stage, Knobs())
        assert info.numpy(code) and info.result(code).startswith("print(")


@pytest.mark.parametrize("knobs", KNOBS, ids=str)
def test_the_tex_and_the_canvas_formula_say_where_k_and_v_come_from(knobs):
    source = "C" if knobs.cross else "X"
    tex, canvas = STAGES[Stage.PROJECT].tex(knobs), canvas_formula(Stage.PROJECT, knobs)
    assert f"K = {source} W_K" in tex and f"V = {source} W_V" in tex and "Q = X W_Q" in tex
    assert f"K = {source}·W_K" in canvas and f"V = {source}·W_V" in canvas and "Q = X·W_Q" in canvas


@pytest.mark.parametrize("knobs", KNOBS, ids=str)
def test_the_tex_and_the_canvas_formula_divide_the_scores_alike(knobs):
    tex, canvas = STAGES[Stage.SCORES].tex(knobs), canvas_formula(Stage.SCORES, knobs)
    assert (r"\sqrt{d_k}" in tex) == ("√d_k" in canvas) == knobs.scale
    shows_temperature = knobs.temperature != 1
    assert (knob(knobs.temperature) in tex.split("=")[1]) == shows_temperature
    assert (f"· {knob(knobs.temperature)}" in canvas or f"/ {knob(knobs.temperature)}" in canvas) == shows_temperature
    assert "-" not in canvas and MINUS not in canvas


def test_the_code_makes_keys_and_values_from_the_context_only_in_cross_attention():
    cross = ev.set_step(ev.load_preset(None, "translate"), 1)
    plain = ev.set_step(ev.initial_state(), 1)
    for state, context in ((cross, True), (plain, False)):
        lines = numpy_lines(code_of(ev.compute(state.scenario), state), Stage.PROJECT)
        assert any(line.startswith('C = np.array(s["context_embeddings"])') for line in lines) == context
        assert any(line.startswith("C = X ") for line in lines) != context

"""Exports and the "Show the NumPy" code: the code really runs on the exported file."""

import csv
import io
import os

import numpy as np
import pytest

from attention.presets import PRESETS
from ui import export
from ui import state as ev
from ui.state import compute


def run_code(code, scenario_json, tmp_path):
    (tmp_path / "attention-scenario.json").write_text(scenario_json)
    namespace = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "numpy_code", "exec"), namespace)  # noqa: S102 - the code under test
    finally:
        os.chdir(cwd)
    return namespace


@pytest.mark.parametrize("preset", [p.id for p in PRESETS])
def test_the_numpy_code_reproduces_the_engine_on_the_exported_json(preset, tmp_path, capsys):
    state = ev.set_step(ev.load_preset(None, preset), 4)
    computed = compute(state.scenario)
    ns = run_code(export.numpy_code(computed, state), export.scenario_json(state, compute(state.scenario)), tmp_path)
    h = state.head
    assert np.allclose(ns["A"], computed.trace.weights[h])
    assert np.allclose(ns["O"], computed.trace.head_outputs[h])


@pytest.mark.parametrize("step", range(5))
def test_the_code_stops_at_the_current_stage(step, tmp_path, capsys):
    state = ev.set_step(ev.initial_state(), step)
    code = export.numpy_code(compute(state.scenario), state)
    ns = run_code(code, export.scenario_json(state, compute(state.scenario)), tmp_path)
    assert ("A" in ns) == (step >= 3) and ("S" in ns) == (step >= 2) and ("Q" in ns) == (step >= 1)


def test_the_exported_json_reimports_to_the_same_numbers_and_head_names():
    state = ev.set_kind(ev.initial_state(), "causal")
    again = ev.load_scenario(None, export.scenario_json(state, compute(state.scenario)))
    a, b = compute(state.scenario), compute(again.scenario)
    assert np.array_equal(a.trace.weights, b.trace.weights)
    assert b.head_names == a.head_names, "the toy model's weights are recognised again"


def test_csv_has_every_matrix_of_the_current_head():
    state = ev.initial_state()
    computed = compute(state.scenario)
    rows = list(csv.reader(io.StringIO(export.csv_text(computed, state))))
    titles = [r[0] for r in rows if len(r) == 1]
    assert titles == ["X (inputs of the queries)", "Q (head 2)", "K (head 2)", "V (head 2)",
                      "scores Q K^T (head 2, unscaled)", "weights (head 2)", "head output A V (head 2)",
                      "output (all heads, after W_O)"]
    start = rows.index(["weights (head 2)"]) + 2
    weights = np.array([[float(v) for v in r[1:]] for r in rows[start:start + 4]])
    assert np.array_equal(weights, computed.trace.weights[2])


def test_the_exported_file_reopens_the_same_computation_and_view():
    from ui import share
    from ui import state as ev

    s = ev.set_beams(ev.select_query(ev.load_preset(None, "pronoun"), 7), "all")
    again = share.open_document(ev.initial_state(), export.scenario_json(s, compute(s.scenario)))
    np.testing.assert_allclose(compute(again.scenario).trace.weights, compute(s.scenario).trace.weights)
    assert again.query == 7 and again.beams == "all"

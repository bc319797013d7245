"""The HTML mirror's words and numbers."""

import json

import numpy as np
import pytest

from scene.stages import STAGES, Knobs, Stage, knobs_of
from ui import panels, view
from ui import state as ev
from ui.state import compute


@pytest.fixture
def hot_dog():
    return ev.initial_state("hot-dog")


def test_weights_rows_are_the_selected_row_in_percent(hot_dog):
    rows = panels.weights_rows(compute(hot_dog.scenario), hot_dog)
    weights = compute(hot_dog.scenario).trace.weights[hot_dog.head, hot_dog.query]
    assert [token for token, _ in rows] == list(hot_dog.tokens)
    assert [text for _, text in rows] == [f"{100 * w:.1f}%" for w in weights]
    assert rows[1][1] == "85.3%"  # 'dog' attends to 'hot' in the semantic head


def test_the_html_writes_numbers_with_a_true_minus_sign(hot_dog):
    c = compute(hot_dog.scenario)
    rows = panels.qkv_rows(c, hot_dog)
    texts = [r[2] for r in rows] + [panels.output_text(c, hot_dog), panels.head_output_text(c, hot_dog)]
    texts += [cell for row in panels.matrix_rows(c.trace.scores[0] - 2.5, hot_dog.tokens) for cell in row[1:]]
    assert any("−" in t for t in texts), "some of these numbers are negative"
    assert not any("-" in t for t in texts)


def test_matrix_rows_label_each_row(hot_dog):
    c = compute(hot_dog.scenario)
    rows = panels.matrix_rows(c.trace.weights[0], hot_dog.tokens)
    assert rows[0][0] == "the" and len(rows[0]) == 1 + len(hot_dog.tokens)
    assert all(len(cell.split(".")[1]) == 3 for row in rows for cell in row[1:])


def test_qkv_rows_cover_queries_keys_and_values(hot_dog):
    rows = panels.qkv_rows(compute(hot_dog.scenario), hot_dog)
    assert [r[0] for r in rows].count("query") == 4 and [r[0] for r in rows].count("value") == 4


@pytest.mark.parametrize("scale, temperature, expected", [
    (True, 1.0, r"\frac{Q K^\top}{\sqrt{d_k}}"),
    (False, 1.0, r"S = Q K^\top,"),
    (True, 2.0, r"\sqrt{d_k}\,\cdot\,2"),
    (False, 0.5, r"{0.5}"),
])
def test_the_scores_formula_follows_the_knobs(scale, temperature, expected):
    assert expected in STAGES[Stage.SCORES].tex(Knobs(scale, temperature, False))


def test_arithmetic_lines_explain_the_selected_cell(hot_dog):
    s = ev.select_cell(hot_dog, 2, 1)
    lines = panels.arithmetic_lines(compute(s.scenario), s)
    assert lines[0] == "Query 'dog' → key 'hot', head 2"
    assert lines[1].startswith("q·k = ")
    assert lines[2] == "scaled: 8.000 ÷ √4 = 8.000 ÷ 2.000 = 4.000", "each '=' joins equal things"
    assert "(85.3%)" in lines[3]
    assert panels.arithmetic_lines(compute(hot_dog.scenario), hot_dog) == []


def test_a_masked_cell_says_so(hot_dog):
    s = ev.select_cell(ev.set_kind(hot_dog, "causal"), 0, 3)
    lines = panels.arithmetic_lines(compute(s.scenario), s)
    assert any("masked" in line and "exactly 0" in line for line in lines)


def test_narration_names_the_top_keys_once_there_are_weights(hot_dog):
    text = panels.narration(compute(hot_dog.scenario), hot_dog)
    assert text.startswith("Weighted sum, head 2 (semantic): 'dog' attends 85.3% to 'hot'")
    early = ev.set_step(hot_dog, 1)
    assert panels.narration(compute(early.scenario), early) == "Project Q, K, V, head 2 (semantic): query 'dog'."


def test_entropy_text_gives_the_range(hot_dog):
    assert "spread evenly over 4" in panels.entropy_text(compute(hot_dog.scenario), hot_dog)


def test_arithmetic_with_a_temperature_names_each_divisor_then_its_value(hot_dog):
    s = ev.select_cell(ev.set_temperature(hot_dog, 2.0), 2, 1)
    assert panels.arithmetic_lines(compute(s.scenario), s)[2] == \
        "scaled: 8.000 ÷ √4 ÷ 2 (temperature) = 8.000 ÷ 2.000 ÷ 2 = 2.000"
    unscaled = ev.select_cell(ev.set_scale(s, False), 2, 1)
    assert panels.arithmetic_lines(compute(unscaled.scenario), unscaled)[2] == "scaled: 8.000 ÷ 2 (temperature) = 4.000"


def test_the_dot_product_puts_each_products_sign_between_the_terms():
    q, k = np.array([-0.7071, 0.5, -0.25, 0.1]), np.array([1.329, 2.0, -4.0, -1.0])
    assert panels.dot_terms(q, k) == "−0.707×1.329 + 0.500×2.000 + 0.250×4.000 − 0.100×1.000"
    assert "+ −" not in panels.dot_terms(q[::-1], k) and "-" not in panels.dot_terms(q, k)


def test_the_softmax_line_subtracts_a_negative_maximum_in_brackets():
    scenario = {"tokens": ["a", "b"], "embeddings": [[1, 0], [0, 1]], "heads": 1, "w_q": [[-1, 0], [0, -1]],
                "w_k": [[1, 0], [0, 1]], "w_v": [[1, 0], [0, 1]], "mask": "causal"}
    s = ev.select_cell(ev.load_scenario(None, json.dumps(scenario)), 0, 0)
    softmax = next(line for line in panels.arithmetic_lines(compute(s.scenario), s) if line.startswith("softmax"))
    assert softmax.startswith("softmax: e^(−0.707 − (−0.707)) / Σ")


def test_the_projection_formula_says_where_keys_come_from():
    assert STAGES[Stage.PROJECT].tex(Knobs(True, 1.0, True)) == r"Q = X W_Q,\quad K = C W_K,\quad V = C W_V"
    assert STAGES[Stage.PROJECT].tex(Knobs(True, 1.0, False)) == r"Q = X W_Q,\quad K = X W_K,\quad V = X W_V"


def test_the_translate_preset_says_k_comes_from_the_context_in_the_html_and_on_the_canvas():
    state = ev.set_step(ev.load_preset(None, "translate"), 1)
    shown = view.page_view(state, compute(state.scenario))
    assert shown["stage-title.text"] == "2. Project Q, K, V" and "K = C W_K" in shown["formula.tex"]
    assert "K = C·W_K" in STAGES[Stage.PROJECT].canvas(knobs_of(state))

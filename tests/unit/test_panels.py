"""The HTML mirror's words and numbers."""

import numpy as np
import pytest

from ui import panels
from ui import state as ev
from ui.state import compute


@pytest.fixture
def hot_dog():
    return ev.initial_state("hot-dog")


def test_weights_rows_are_the_selected_row_in_percent(hot_dog):
    rows = panels.weights_rows(compute(hot_dog.scenario), hot_dog)
    weights = compute(hot_dog.scenario).trace.weights[hot_dog.scenario.head, hot_dog.scenario.query]
    assert [token for token, _ in rows] == list(hot_dog.tokens)
    assert [text for _, text in rows] == [f"{100 * w:.1f}%" for w in weights]
    assert rows[1][1] == "85.3%"  # 'dog' attends to 'hot' in the semantic head


def test_numbers_have_three_decimals_and_no_negative_zero():
    assert panels.fmt(-0.0004) == "0.000"
    assert panels.fmt(-0.3164) == "-0.316"
    assert panels.vector(np.array([-0.3164, -0.5771])) == "[-0.316, -0.577]"


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
    assert expected in panels.formula(2, scale, temperature)


def test_arithmetic_lines_explain_the_selected_cell(hot_dog):
    s = ev.select_cell(hot_dog, 2, 1)
    lines = panels.arithmetic_lines(compute(s.scenario), s)
    assert lines[0] == "Query 'dog' → key 'hot', head 3"
    assert lines[1].startswith("q·k = ") and "÷ √d_k = 2.000" in lines[2]
    assert "(85.3%)" in lines[3]
    assert panels.arithmetic_lines(compute(hot_dog.scenario), hot_dog) == []


def test_a_masked_cell_says_so(hot_dog):
    s = ev.select_cell(ev.set_kind(hot_dog, "causal"), 0, 3)
    lines = panels.arithmetic_lines(compute(s.scenario), s)
    assert any("masked" in line and "exactly 0" in line for line in lines)


def test_narration_names_the_top_keys_once_there_are_weights(hot_dog):
    text = panels.narration(compute(hot_dog.scenario), hot_dog)
    assert text.startswith("Weighted sum, head semantic: 'dog' attends 85.3% to 'hot'")
    early = ev.set_step(hot_dog, 1)
    assert panels.narration(compute(early.scenario), early) == "Project Q, K, V, head semantic: query 'dog'."


def test_entropy_text_gives_the_range(hot_dog):
    assert "spread evenly over 4" in panels.entropy_text(compute(hot_dog.scenario), hot_dog)

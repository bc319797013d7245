"""The AppState and its events: every change the page can make, without a browser."""

import numpy as np
import pytest

from attention.core import attention_trace
from attention.scenario import ScenarioError, Selection, parse_scenario, to_json
from ui import state as ev
from ui.state import compute


@pytest.fixture
def hot_dog():
    return ev.initial_state("hot-dog")


def test_the_initial_state_is_the_hot_dog_preset_at_the_last_stage(hot_dog):
    assert hot_dog.tokens == ("the", "hot", "dog", "was")
    assert hot_dog.kind == "self" and hot_dog.preset == "hot-dog"
    assert hot_dog.step == 4 and hot_dog.tokens[hot_dog.query] == "dog"


def test_typing_a_sentence_retokenizes_and_keeps_the_selection_in_range(hot_dog):
    s = ev.edit_sentence(hot_dog, "Cats sleep")
    assert s.tokens == ("Cats", "sleep") and s.preset is None and s.message == ""
    assert s.query == 1  # was 2, clamped to the last token


@pytest.mark.parametrize("text, message", [
    ("", "Type at least one word."),
    ("   \t ", "Type at least one word."),
    (" ".join(["word"] * 33), "That sentence has 33 tokens; the limit is 32."),
    ("x" * 10_000, "'xxxxxxxxxxxx…' is longer than 40 characters: split it into words."),
])
def test_a_refused_sentence_keeps_the_last_good_scenario(hot_dog, text, message):
    s = ev.edit_sentence(hot_dog, text)
    assert s.message == message
    assert s.scenario == hot_dog.scenario and s.text == text


def test_html_in_a_sentence_is_just_tokens(hot_dog):
    s = ev.edit_sentence(hot_dog, "<img src=x onerror=alert(1)>")
    assert "<" in s.tokens and "img" in s.tokens
    assert np.isfinite(compute(s.scenario).trace.output).all()


def test_switching_attention_type(hot_dog):
    causal = ev.set_kind(hot_dog, "causal")
    assert causal.kind == "causal" and causal.scenario.mask == "causal"
    assert np.all(np.triu(compute(causal.scenario).trace.weights[0], k=1) == 0)
    cross = ev.set_kind(causal, "cross")
    assert cross.kind == "cross" and cross.key_tokens == ev.DEFAULT_CONTEXT
    assert compute(cross.scenario).trace.weights.shape[1:] == (4, 3)
    back = ev.set_kind(cross, "self")
    assert back.kind == "self" and back.key_tokens == back.tokens
    with pytest.raises(ValueError, match="attention type"):
        ev.set_kind(hot_dog, "sideways")


def test_editing_the_source_sentence_in_cross_attention(hot_dog):
    s = ev.edit_sentence(ev.set_kind(hot_dog, "cross"), "a big red ball", context=True)
    assert s.key_tokens == ("a", "big", "red", "ball") and s.tokens == hot_dog.tokens


def test_selection_wraps_and_only_the_selection_changes(hot_dog):
    assert ev.move_query(hot_dog, 2).query == 0  # 2 + 2 wraps around 4 tokens
    assert ev.cycle_head(ev.select_head(hot_dog, 3)).head == 0
    assert ev.set_step(hot_dog, 99).step == 4 and ev.set_step(hot_dog, -3).step == 0
    s = ev.select_query(hot_dog, 0)
    assert compute(s.scenario) is compute(hot_dog.scenario), "moving the query must not recompute attention"


def test_a_cell_opens_its_arithmetic_and_a_new_query_closes_it(hot_dog):
    s = ev.select_cell(hot_dog, 1, 3)
    assert s.cell == (1, 3) and s.query == 1
    assert ev.select_head(s, 0).cell == (1, 3)
    assert ev.select_query(s, 2).cell is None
    assert ev.close_cell(s).cell is None


def test_knobs(hot_dog):
    assert not ev.set_scale(hot_dog, False).scenario.scale
    assert ev.set_temperature(hot_dog, 1000).scenario.temperature == 10.0
    assert ev.set_temperature(hot_dog, float("nan")) is hot_dog
    assert ev.set_beams(hot_dog, "all").beams == "all"
    with pytest.raises(ValueError):
        ev.set_beams(hot_dog, "some")


def test_scaling_off_sharpens_attention(hot_dog):
    on = compute(hot_dog.scenario).entropy
    off = compute(ev.set_scale(hot_dog, False).scenario).entropy
    assert off.mean() < on.mean()


def test_play_restarts_from_the_first_stage_when_at_the_last(hot_dog):
    s = ev.play(hot_dog)
    assert s.playing and s.step == 0
    assert ev.play(ev.set_step(hot_dog, 2)).step == 2
    assert not ev.pause(s).playing


def test_hover_changes_state_only_when_it_moves(hot_dog):
    s = ev.set_hover(hot_dog, ("key", 1))
    assert s.hover == ("key", 1)
    assert ev.set_hover(s, ("key", 1)) is s


def test_a_scenario_link_round_trips_through_the_state(hot_dog):
    s = ev.select_cell(ev.set_step(ev.set_kind(hot_dog, "causal"), 3), 2, 1)
    restored = ev.load_scenario(None, to_json(s.scenario, s.selection))
    assert restored.scenario == s.scenario and restored.selection == s.selection == Selection(query=2, head=2, step=3)


def test_a_malformed_scenario_is_refused_with_its_reason(hot_dog):
    with pytest.raises(ScenarioError, match="temperature"):
        ev.load_scenario(hot_dog, '{"tokens": ["a"], "temperature": -1}')


def test_spec_example_scenario_computes_what_the_formula_says():
    spec = {"version": 1, "tokens": ["The", "cat", "sat", "down"],
            "embeddings": [[0.8, 0.2], [0.3, 0.9], [0.1, 0.4], [0.6, 0.1]],
            "heads": 1, "w_q": [[1, 0], [0, 1]], "w_k": [[1, 0], [0, 1]], "w_v": [[1, 0], [0, 1]],
            "mask": "none", "scale": True, "temperature": 1.0, "query": 0, "head": 0, "step": 4}
    s = ev.load_scenario(None, spec)
    x = np.array(spec["embeddings"])
    scores = x @ x.T / np.sqrt(2)
    weights = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    c = compute(s.scenario)
    assert np.allclose(c.trace.weights[0], weights) and np.allclose(c.trace.output, weights @ x)
    assert c.head_names == ("head 0",) and not c.toy


def test_compute_matches_the_engine_directly(hot_dog):
    from attention.scenario import resolve
    direct = attention_trace(**resolve(parse_scenario(hot_dog.scenario)))
    assert np.array_equal(compute(hot_dog.scenario).trace.weights, direct.weights)


def test_a_change_of_the_doms_own_fields_alone_is_the_same_picture():
    start = ev.initial_state()
    assert start.same_picture(ev.set_computing(start, "computing layer 2 (layers 0–5)"))
    assert start.same_picture(ev.set_status(start, "Link copied."))
    assert not start.same_picture(ev.set_step(start, 1))
    assert not start.same_picture(ev.set_status(ev.select_query(start, 1), "Link copied."))


def test_the_canvas_never_reads_the_doms_own_fields():
    import re
    from pathlib import Path

    scene = Path(ev.__file__).resolve().parents[1] / "scene"
    for path in sorted(scene.glob("*.py")):
        read = set(re.findall(r"\.(\w+)\b", path.read_text(encoding="utf-8"))) & set(ev.DOM_ONLY)
        assert not read, f"{path.name} reads {sorted(read)}: take it out of ui.state.DOM_ONLY, or out of the scene"

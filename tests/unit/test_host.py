"""The host page protocol (postMessage): what a "set" message does and what the host hears back."""

import json

from ui import host
from ui import state as ev


def test_a_set_message_sets_the_attention_type_and_the_selection():
    start = ev.initial_state()
    state, problems, _ = host.read_set(start, {"type": "attention-explorer:set", "attention": "causal",
                                            "step": 1, "query": 2, "head": 3})
    assert problems == []
    assert state.kind == "causal" and (state.step, state.query, state.head) == (1, 2, 3)


def test_the_envelope_type_is_never_read_as_the_attention_type():
    _, problems, _ = host.read_set(ev.initial_state(), {"type": "attention-explorer:set", "step": 2})
    assert problems == []


def test_messages_for_someone_else_are_not_ours():
    start = ev.initial_state()
    assert host.read_set(start, {"type": "another-widget:set", "step": 2}) is None
    assert host.read_set(start, "attention-explorer:set") is None
    assert host.read_set(start, [1, 2]) is None


def test_a_malformed_message_is_answered_with_its_problems_and_the_rest_still_applies():
    start = ev.initial_state()
    state, problems, _ = host.read_set(start, {"type": "attention-explorer:set", "query": 99, "step": 3,
                                            "colour": "red", "attention": "sideways"})
    assert state.step == 3 and state.query == start.query and state.kind == start.kind
    assert problems[0].startswith("unknown field 'colour'")
    assert any(p.startswith("'attention=sideways' was ignored") for p in problems)
    assert any("query 99 is not a token of this sentence" in p for p in problems)
    reply = host.message("error", problems=problems)
    assert reply["type"] == "attention-explorer:error" and json.loads(json.dumps(reply)) == reply


def test_a_scenario_travels_as_an_object_or_as_text():
    start = ev.initial_state()
    scenario = {"tokens": ["a", "b", "c"], "embeddings": [[1, 0], [0, 1], [1, 1]], "step": 2}
    for sent in (scenario, json.dumps(scenario)):
        state, problems, _ = host.read_set(start, {"type": "attention-explorer:set", "scenario": sent, "query": 2})
        assert problems == [] and state.tokens == ("a", "b", "c") and state.query == 2 and state.step == 2


def test_a_bad_scenario_is_a_problem_and_the_state_is_kept():
    start = ev.initial_state()
    state, problems, _ = host.read_set(start, {"type": "attention-explorer:set", "scenario": {"tokens": []}})
    assert state == start and len(problems) == 1 and problems[0].startswith("scenario: ")


def test_values_of_every_json_type_are_read_like_address_parameters():
    start = ev.initial_state()
    state, problems, _ = host.read_set(start, {"type": "attention-explorer:set", "scale": False,
                                            "temperature": 2.5, "preset": "pronoun", "heads": "all"})
    assert problems == [] and not state.scenario.scale and state.scenario.temperature == 2.5
    assert state.preset == "pronoun" and state.overlay
    _, problems, _ = host.read_set(start, {"type": "attention-explorer:set", "step": None, "query": [1]})
    assert problems == ["'query=[1]' was ignored: use a whole number", "'step=null' was ignored: use a whole number"]


def test_the_host_hears_step_and_query_changes():
    start = ev.initial_state()
    moved = ev.select_query(ev.set_step(start, 1), 1)
    assert host.changes(start, moved) == [
        {"type": "attention-explorer:step-changed", "step": 1},
        {"type": "attention-explorer:query-changed", "query": 1, "token": "hot"},
    ]
    assert host.changes(moved, ev.set_hover(moved, ("key", 1))) == []


def test_the_real_models_head_layer_and_query_wait_for_its_files_as_a_links_do():
    import pytest

    from model_files import load_model, model_dir
    from ui import real
    from ui.params import apply_params

    start = ev.initial_state()
    message = {"type": "attention-explorer:set", "model": "minilm", "text": "the cat sat on the mat",
               "layer": 3, "head": 7, "query": 6, "step": 2, "overview": True}
    state, problems, later = host.read_set(start, message)
    assert problems == [] and state.model_status == "loading" and state.step == 2  # 12 heads are not there yet
    assert state.model_view  # the 72 heads open as soon as they are in
    assert later == {"layer": "3", "head": "7", "query": "6"}
    if model_dir() is None:
        pytest.skip("the real model's files are not on this machine")
    shown, refused = apply_params(ev.model_loaded(state, real.Loaded(*load_model(model_dir()))), later)
    assert refused == [] and (shown.model, shown.layer, shown.head, shown.query) == ("minilm", 3, 7, 6)
    assert shown.tokens[6] == "mat"  # [CLS] the cat sat on the mat [SEP]: a piece the designed model lacks (6 words)
    _, problems, later = host.read_set(shown, {**message, "head": 12})  # once it is in: at once, and checked
    assert later == {} and problems == ["'head=12' was ignored: head 12 does not exist: there are 12, counted from 0 to 11"]

"""Address parameters for course sites."""

from ui import state as ev
from ui.params import apply_params, split_params


def test_parameters_set_up_the_exact_state():
    state, problems = apply_params(ev.initial_state(), {
        "embed": "1", "preset": "pronoun", "attention": "causal", "scale": "0", "temperature": "2",
        "beams": "all", "heads": "all", "query": "7", "head": "3", "step": "2", "theme": "dark", "large": "1"})
    s = state.scenario
    assert problems == []
    assert state.tokens[state.query] == "it" and state.head == 3 and state.step == 2
    assert state.kind == "causal" and not s.scale and s.temperature == 2 and state.beams == "all"
    assert state.overlay and state.theme == "dark" and state.dark and state.large


def test_older_links_still_name_the_attention_type_as_type():
    state, problems = apply_params(ev.initial_state(), {"type": "cross"})
    assert problems == [] and state.kind == "cross"


def test_text_opens_with_the_sentence_as_if_typed():
    state, problems = apply_params(ev.initial_state(), {"text": "the cat sat on the mat", "query": "1"})
    assert problems == [] and state.tokens == ("the", "cat", "sat", "on", "the", "mat") and state.query == 1
    state, problems = apply_params(ev.initial_state(), {"text": "   "})
    assert problems == ["'text=   ' was ignored: Type at least one word."]
    assert state.tokens == ev.initial_state().tokens


def test_bad_parameters_are_skipped_and_named():
    start = ev.initial_state()
    state, problems = apply_params(start, {"preset": "nope", "step": "9", "head": "x", "temperature": "abc"})
    assert state.scenario == start.scenario
    assert problems[0].startswith("'preset=nope' was ignored: no preset 'nope'")
    assert problems[1] == "'temperature=abc' was ignored: use a number, like 0.5 or 2"
    assert problems[2] == "'head=x' was ignored: use a whole number"
    assert "steps are 0 to 4" in problems[3] and len(problems) == 4


def test_unknown_parameters_are_ignored_without_a_word():
    start = ev.initial_state()
    state, problems = apply_params(start, {"utm_source": "moodle", "fbclid": "abc123", "colour": "red"})
    assert problems == [] and state == start


def test_an_out_of_range_query_or_head_is_refused_not_wrapped():
    start = ev.initial_state()  # 4 tokens, 4 heads
    state, problems = apply_params(start, {"query": "9", "head": "-1"})
    assert state.query == start.query and state.head == start.head
    assert problems == [
        "'query=9' was ignored: query 9 is not a token of this sentence: it has 4, counted from 0 to 3",
        "'head=-1' was ignored: head -1 does not exist: there are 4, counted from 0 to 3",
    ]


def test_no_raw_python_text_reaches_the_learner():
    _, problems = apply_params(ev.initial_state(), {
        "temperature": "abc", "scale": "maybe", "query": "1.5", "theme": "blue", "heads": "some", "large": "yes"})
    assert len(problems) == 6
    for problem in problems:
        assert "could not convert" not in problem and "invalid literal" not in problem, problem


def test_the_real_models_selection_waits_for_its_files():
    params = {"model": "minilm", "text": "the cat sat", "layer": "3", "head": "11", "query": "2", "step": "3"}
    now, later = split_params(ev.initial_state(), params)
    assert later == {"layer": "3", "head": "11", "query": "2"}
    state, problems = apply_params(ev.initial_state(), now)
    assert problems == [] and state.model_status == "loading" and state.step == 3 and state.text == "the cat sat"
    assert split_params(ev.initial_state(), {"head": "2"}) == ({"head": "2"}, {})

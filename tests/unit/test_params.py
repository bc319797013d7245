"""Address parameters for course sites."""

from ui import state as ev
from ui.params import apply_params


def test_parameters_set_up_the_exact_state():
    state, problems = apply_params(ev.initial_state(), {
        "embed": "1", "preset": "pronoun", "type": "causal", "scale": "0", "temperature": "2",
        "beams": "all", "query": "7", "head": "3", "step": "2", "theme": "dark"})
    s = state.scenario
    assert problems == []
    assert state.tokens[s.query] == "it" and s.head == 3 and s.step == 2
    assert state.kind == "causal" and not s.scale and s.temperature == 2 and state.beams == "all"


def test_bad_parameters_are_skipped_and_named():
    start = ev.initial_state()
    state, problems = apply_params(start, {"preset": "nope", "step": "9", "head": "x", "colour": "red"})
    assert state.scenario == start.scenario
    assert len(problems) == 4
    assert problems[0].startswith("'preset=nope' was ignored: no preset 'nope'")
    assert problems[1] == "'head=x' was ignored: use a whole number"
    assert "steps are 0 to 4" in problems[2] and "unknown parameter 'colour'" in problems[3]

"""What Copy link and Export JSON carry (ui.share): the scenario, the view, the example it is."""

import base64
import json

import pytest

from attention.scenario import ScenarioError, to_fragment
from ui import share
from ui import state as ev


def _looking(state):
    return (state.beams, state.overlay, state.theme, state.large)


def test_a_link_reopens_the_exact_state_view_included():
    s = ev.select_query(ev.set_step(ev.load_preset(None, "pronoun"), 3), 7)
    s = ev.set_large(ev.set_theme(ev.set_overlay(ev.set_beams(s, "all"), True), "dark"), True)
    again = share.open_fragment(ev.initial_state(), share.link_fragment(s))
    assert again.scenario == s.scenario and _looking(again) == ("all", True, "dark", True)
    assert again.preset == "pronoun"  # its note and the Examples menu come back


def test_a_changed_example_is_no_longer_that_example():
    s = ev.edit_sentence(ev.load_preset(None, "pronoun"), "the cat sat")
    assert "preset" not in share.document(s)
    doc = share.document(ev.load_preset(None, "hot-dog"))
    doc["temperature"] = 2.0  # a link edited by hand still naming the preset
    assert share.open_document(ev.initial_state(), doc).preset is None


def test_links_made_before_the_view_was_shared_still_open():
    s = ev.set_step(ev.load_preset(None, "lions"), 1)
    old_link = to_fragment(s.scenario)
    again = share.open_fragment(ev.set_beams(ev.initial_state(), "all"), old_link)
    assert again.scenario == s.scenario and again.beams == "all"  # the learner's own view stays


def test_a_fresh_view_adds_nothing_to_the_document():
    assert "view" not in share.document(ev.initial_state())


@pytest.mark.parametrize("view, problem", [
    ("dark", "'view' must be an object"),
    ({"colour": "red"}, "unknown view setting 'colour'"),
    ({"theme": "blue"}, "view setting 'theme'"),
    ({"large": "yes"}, "view setting 'large': use true or false"),
    ({"heads": 3}, "view setting 'heads'"),
])
def test_a_bad_view_is_refused_with_a_message(view, problem):
    doc = {"tokens": ["a", "b"], "view": view}
    with pytest.raises(ScenarioError, match=problem):
        share.open_document(ev.initial_state(), doc)


def test_the_fragment_is_base64url_of_the_document():
    s = ev.set_beams(ev.initial_state(), "all")
    encoded = share.link_fragment(s).removeprefix("scenario=")
    doc = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert doc["view"] == {"beams": "all"} and doc["tokens"] == list(s.tokens)

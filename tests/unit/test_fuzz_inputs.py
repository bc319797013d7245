"""Hypothesis: whatever a learner types or a link carries, the toy model's front door never crashes.

tokenize takes any text; parse_scenario and from_fragment take any JSON value, text or bytes and
either return a Scenario or raise ScenarioError, never anything else.
"""
import base64
import json

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from attention import model
from attention.lexicon import POS, lookup
from attention.scenario import FIELDS, Scenario, ScenarioError, from_fragment, parse_document, parse_scenario, to_fragment
from attention.tokenizer import tokenize

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
numbers = st.one_of(st.integers(-10, 10), st.floats(-3, 3), st.sampled_from([float("nan"), float("inf"), 1e300]))
# Objects shaped like scenarios, so the checks beyond "is it an object?" get exercised too.
scenario_like = st.fixed_dictionaries({"tokens": st.lists(st.text(min_size=1, max_size=5), max_size=5)}, optional={
    "version": st.sampled_from([1, 2, True]),
    "context": st.none() | st.lists(st.sampled_from(["the", "cat", "x"]), max_size=4),
    "embeddings": st.lists(st.lists(numbers, max_size=4), max_size=5),
    "context_embeddings": st.lists(st.lists(numbers, max_size=4), max_size=5),
    "heads": st.integers(-1, 9) | st.none(),
    "w_q": st.lists(st.lists(numbers, max_size=4), max_size=4),
    "w_k": st.lists(st.lists(numbers, max_size=4), max_size=4),
    "w_v": st.lists(st.lists(numbers, max_size=4), max_size=4),
    "w_o": st.none() | st.lists(st.lists(numbers, max_size=4), max_size=4),
    "mask": st.sampled_from(["none", "causal", "all"]) | st.lists(st.lists(st.booleans(), max_size=5), max_size=5),
    "scale": json_values,
    "temperature": json_values,
    "query": st.integers(-2, 6),
    "head": st.integers(-2, 6),
    "step": st.integers(-1, 6),
})


@FAST
@given(st.text())
def test_tokenize_never_raises_and_returns_pieces_of_the_input(text):
    tokens = tokenize(text)
    assert all(isinstance(t, str) and t and t in text and not t.isspace() for t in tokens)
    x = model.embed(tokens)
    assert x.shape == (len(tokens), model.D_MODEL) and np.isfinite(x).all()


@FAST
@given(st.text(max_size=30))
def test_lookup_always_answers(word):
    assert lookup(word).pos in POS


@FAST
@given(json_values | scenario_like)
def test_parse_scenario_accepts_any_json_value_or_says_why_not(value):
    _refuses_cleanly(parse_scenario, value)
    _refuses_cleanly(parse_scenario, json.dumps(value))


@FAST
@given(st.text() | st.binary().map(lambda b: b.decode("latin-1")))
def test_parse_scenario_accepts_any_text(text):
    _refuses_cleanly(parse_scenario, text)


@FAST
@given(st.binary())
def test_parse_scenario_accepts_any_bytes(data):
    _refuses_cleanly(parse_scenario, data)


@FAST
@given(st.text() | st.binary().map(lambda b: "scenario=" + base64.urlsafe_b64encode(b).decode().rstrip("=")))
def test_from_fragment_accepts_any_text(fragment):
    _refuses_cleanly(from_fragment, fragment)
    _refuses_cleanly(from_fragment, "#scenario=" + fragment)


@FAST
@given(scenario_like)
def test_whatever_parses_survives_the_link_round_trip(value):
    try:
        s, selection = parse_document(value)
    except ScenarioError:
        return
    assert from_fragment(to_fragment(s, selection)) == (s, selection)


def _refuses_cleanly(parse, source):
    """parse(source) returns a Scenario or raises ScenarioError with a message; nothing else escapes."""
    try:
        assert isinstance(parse(source), Scenario)
    except ScenarioError as error:
        assert str(error)


def test_fields_are_the_spec_fields():
    assert set(FIELDS) == {"version", "tokens", "context", "embeddings", "context_embeddings", "heads", "w_q",
                           "w_k", "w_v", "w_o", "mask", "scale", "temperature", "query", "head", "step"}

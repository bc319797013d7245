"""Scenarios: JSON and link round trips, how absent fields are filled, and refusals that name the problem."""
import base64
import json

import numpy as np
import pytest

from attention import model
from attention.core import attention_trace
from attention.scenario import (FIELDS, MAX_JSON_BYTES, SELECTION_FIELDS, Scenario, ScenarioError, Selection,
                                from_fragment, heads_of, parse_document, parse_scenario, resolve, to_dict,
                                to_fragment, to_json)

SPEC_EXAMPLE = {
    "version": 1,
    "tokens": ["The", "cat", "sat", "down"],
    "context": None,
    "embeddings": [[0.8, 0.2], [0.3, 0.9], [0.1, 0.4], [0.6, 0.1]],
    "context_embeddings": None,
    "heads": 1,
    "w_q": [[1, 0], [0, 1]], "w_k": [[1, 0], [0, 1]], "w_v": [[1, 0], [0, 1]],
    "w_o": None,
    "mask": "none",
    "scale": True,
    "temperature": 1.0,
    "query": 0, "head": 0, "step": 4,
}

FULL = Scenario(
    tokens=("le", "chat", "noir"), context=("the", "black", "cat", "."),
    embeddings=((1.0, 0.0), (0.5, -2.0), (0.0, 1e6)),
    context_embeddings=((1.0, 1.0), (0.0, 0.25), (3.0, 1.0), (0.0, 0.0)),
    heads=2, w_q=((1.0, 0.0), (0.0, 1.0)), w_k=((0.5, 0.0), (0.0, 2.0)),
    w_v=((1.0, 2.0, 3.0, 4.0), (0.0, 0.0, 0.0, 1.0)),
    w_o=((1.0,), (2.0,), (3.0,), (-4.5,)),
    mask=((True, False, True, True), (True, True, False, False), (False, False, False, False)),
    scale=False, temperature=0.5,
)
FULL_SELECTION = Selection(query=2, head=1, step=3)


def refusal(source):
    """The message parse_scenario refuses `source` with."""
    with pytest.raises(ScenarioError) as error:
        parse_scenario(source)
    return str(error.value)


def with_(**changes):
    """The SPEC example with some fields changed (None removes a field)."""
    obj = {**SPEC_EXAMPLE, **changes}
    return {k: v for k, v in obj.items() if not (k in changes and v is None)}


# Round trips.

@pytest.mark.parametrize(("s", "selection"), [(Scenario(tokens=("the", "hot", "dog", "was")), Selection(2, 2)),
                                              (FULL, FULL_SELECTION)], ids=["toy", "everything"])
def test_round_trips(s, selection):
    doc = (s, selection)
    assert parse_document(to_json(s, selection)) == doc
    assert from_fragment(to_fragment(s, selection)) == doc
    assert from_fragment("#" + to_fragment(s, selection)) == doc
    assert from_fragment("embed=1&" + to_fragment(s, selection) + "&theme=dark") == doc
    assert parse_document(to_dict(s, selection)) == doc
    assert parse_scenario(to_dict(s, selection)) == s == parse_scenario(s)


def test_the_selection_is_no_input_of_the_computation():
    """query / head / step live beside the scenario: moving them changes no field the engine reads."""
    assert not set(SELECTION_FIELDS) & set(Scenario.__dataclass_fields__)
    assert set(FIELDS) == set(Scenario.__dataclass_fields__) | set(SELECTION_FIELDS)
    assert parse_scenario(with_(query=3, head=0, step=1)) == parse_scenario(with_(query=0, head=0, step=4))


def test_fragment_is_unpadded_base64url_of_the_json():
    s = Scenario(tokens=("día", "😀", "?>?"))
    fragment = to_fragment(s)
    encoded = fragment.removeprefix("scenario=")
    assert fragment.startswith("scenario=") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode() == to_json(s)


def test_json_leaves_out_defaults_but_keeps_version_and_tokens():
    assert json.loads(to_json(Scenario(tokens=("a",)))) == {"version": 1, "tokens": ["a"]}
    assert json.loads(to_json(Scenario(tokens=("a",)), Selection(step=0)))["step"] == 0


def test_spec_example_parses():
    s = parse_scenario(json.dumps(SPEC_EXAMPLE))
    assert s.embeddings[1] == (0.3, 0.9) and s.w_q == ((1.0, 0.0), (0.0, 1.0)) and heads_of(s) == 1


# Filling in from the toy model.

def test_tokens_alone_use_the_toy_model():
    s = parse_scenario('{"tokens": ["the", "hot", "dog", "was"]}')
    args = resolve(s)
    np.testing.assert_array_equal(args["x"], model.embed(["the", "hot", "dog", "was"]))
    for name, w in zip(("w_q", "w_k", "w_v", "w_o"), model.weights()):
        np.testing.assert_array_equal(args[name], w)
    assert args["heads"] == model.HEADS and args["mask"] is None and args["context"] is None
    assert attention_trace(**args).weights.shape == (4, 4, 4)


def test_context_embeddings_come_from_the_toy_model_too():
    args = resolve(parse_scenario({"tokens": ["le", "chat"], "context": ["the", "cat", "."], "mask": "causal"}))
    np.testing.assert_array_equal(args["context"], model.embed(["the", "cat", "."]))
    assert args["mask"] == "causal"
    assert attention_trace(**args).weights.shape == (4, 2, 3)


def test_other_widths_without_weights_use_identity_projections():
    s = parse_scenario(with_(w_q=None, w_k=None, w_v=None, heads=2))
    args = resolve(s)
    np.testing.assert_array_equal(args["w_q"], np.eye(2))
    assert args["heads"] == 2 and args["w_o"] is None
    assert attention_trace(**args).weights.shape == (2, 4, 4)


def test_full_scenario_resolves_to_what_it_says():
    args = resolve(FULL)
    assert args["x"].shape == (3, 2) and args["context"].shape == (4, 2) and args["w_o"].shape == (4, 1)
    assert args["mask"].dtype == bool and args["mask"].shape == (3, 4)
    assert (args["heads"], args["scale"], args["temperature"]) == (2, False, 0.5)
    trace = attention_trace(**args)
    assert (trace.weights[:, 2] == 0).all()  # the fully masked row


# Refusals, one kind of problem at a time.

@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ("{'tokens': ['a']}", "not valid JSON"),
    ('{"tokens": ["a"]} trailing', "not valid JSON"),
    ("", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('"tokens"', "must be a JSON object"),
    (b"\xff\xfe", "not valid UTF-8"),
])
def test_bad_json(text, message):
    assert message in refusal(text)


@pytest.mark.parametrize("fragment", [
    "scenario=not base64!", "scenario=abc%3D", "scenario=a", "scenario=AAAAA", "#scenario=eyJ0b2tlbnMiOl+/",
])
def test_bad_base64(fragment):
    with pytest.raises(ScenarioError, match="the link's scenario is not valid base64url"):
        from_fragment(fragment)


def test_fragment_without_a_scenario_or_with_bad_contents():
    with pytest.raises(ScenarioError, match="no 'scenario=' part"):
        from_fragment("#embed=1")
    with pytest.raises(ScenarioError, match="not valid UTF-8"):
        from_fragment("scenario=" + base64.urlsafe_b64encode(b"\xff\xff\xff").decode())
    with pytest.raises(ScenarioError, match="not valid JSON"):
        from_fragment("scenario=" + base64.urlsafe_b64encode(b"{tokens").decode().rstrip("="))


@pytest.mark.parametrize("changes, message", [
    ({"embeddings": [[0.8, 0.2], [0.3, 0.9], [0.1, 0.4]]}, "'embeddings' has 3 rows but there are 4 tokens"),
    ({"embeddings": [[0.8, 0.2], [0.3], [0.1, 0.4], [0.6, 0.1]]}, "'embeddings': row 1 has 1 numbers but row 0 has 2"),
    ({"embeddings": []}, "'embeddings' must be a non-empty list"),
    ({"embeddings": [1, 2, 3, 4]}, "'embeddings' must be a non-empty list"),
    ({"w_q": [[1, 0]]}, "'w_q' has 1 rows but d_model is 2"),
    ({"w_k": [[1], [0]]}, "'w_k' has 1 columns but 'w_q' has 2"),
    ({"w_v": None}, "'w_v' missing"),
    ({"w_q": None, "w_k": None, "w_v": None, "w_o": [[1]]}, "'w_q', 'w_k', 'w_v' missing"),
    ({"w_o": [[1, 0]]}, "'w_o' has 1 rows but 'w_v' has 2 columns"),
    ({"heads": 3, "w_q": [[1, 0, 0], [0, 1, 0]], "w_k": [[1, 0, 0], [0, 1, 0]]},
     "'w_v' has 2 columns, which do not split into 3 heads"),
    ({"heads": 0}, "'heads' must be from 1 to 8"),
    ({"w_q": None, "w_k": None, "w_v": None, "heads": 3}, "does not split into 3 equal heads"),
    ({"embeddings": None, "w_q": None, "w_k": None, "w_v": None, "heads": 2}, "'heads' must be 4 (or left out)"),
    ({"context": ["a", "b"]}, "'context_embeddings' is missing"),
    ({"context_embeddings": [[1, 2]]}, "'context_embeddings' needs 'context'"),
    ({"context": ["a"], "context_embeddings": [[1, 2, 3]]},
     "'context_embeddings' has 3 columns but 'embeddings' has 2"),
    ({"context": ["a"], "context_embeddings": [[1, 2], [3, 4]]},
     "'context_embeddings' has 2 rows but there are 1 context tokens"),
])
def test_wrong_shapes(changes, message):
    assert message in refusal(with_(**changes))


@pytest.mark.parametrize("text, field", [
    ('{"tokens": ["a"], "embeddings": [[NaN]], "w_q": [[1]], "w_k": [[1]], "w_v": [[1]]}', "embeddings"),
    ('{"tokens": ["a"], "embeddings": [[1]], "w_q": [[Infinity]], "w_k": [[1]], "w_v": [[1]]}', "w_q"),
    ('{"tokens": ["a"], "embeddings": [[1]], "w_q": [[1]], "w_k": [[-Infinity]], "w_v": [[1]]}', "w_k"),
    ('{"tokens": ["a"], "embeddings": [[1]], "w_q": [[1]], "w_k": [[1]], "w_v": [[1e999]]}', "w_v"),
])
def test_nan_and_infinity(text, field):
    assert refusal(text) == f"NaN/Infinity are not allowed in '{field}'"


@pytest.mark.parametrize("source, message", [
    ("{" + " " * MAX_JSON_BYTES + "}", "too large: the scenario has 262,146 bytes; the limit is 262,144 (256 KB)"),
    ({"tokens": ["w"] * 33}, "too large: 'tokens' has 33 tokens; the limit is 32"),
    ({"tokens": ["a"], "context": ["w"] * 40}, "too large: 'context' has 40 tokens; the limit is 32"),
    ({"tokens": ["a"], "embeddings": [[0.0] * 65]}, "too large: d_model is 65; the limit is 64"),
    ({"tokens": ["a"], "embeddings": [[1e7]]}, "too large: 'embeddings' has a number beyond ±1e+06"),
    ({"tokens": ["a"], "embeddings": [[10 ** 400]]}, "too large: 'embeddings' has a number beyond ±1e+06"),
    ({"tokens": ["a"], "heads": 9}, "'heads' must be from 1 to 8"),
    ({"tokens": ["a"], "embeddings": [[0.0] * 600]}, "too large: 'embeddings' has more than 512 rows or columns"),
])
def test_too_large(source, message):
    assert message in refusal(source)


def test_fragment_too_large():
    with pytest.raises(ScenarioError, match="too large"):
        from_fragment("scenario=" + "A" * (MAX_JSON_BYTES * 2))


@pytest.mark.parametrize("depth", [17, 1000, 100_000])
def test_deep_nesting(depth):
    assert "too deeply nested" in refusal('{"tokens": ' + "[" * depth + "]" * depth + "}")


def test_deep_nesting_inside_strings_is_only_text():
    assert parse_scenario('{"tokens": ["' + "[" * 30 + '"]}').tokens == ("[" * 30,)


@pytest.mark.parametrize("changes, message", [
    ({"query": 4}, "'query' is 4 but must be from 0 to 3"),
    ({"query": -1}, "'query' is -1 but must be from 0 to 3"),
    ({"head": 1}, "'head' is 1 but must be from 0 to 0"),
    ({"step": 5}, "'step' is 5 but must be from 0 to 4"),
    ({"step": 2.5}, "'step' must be a whole number"),
    ({"query": True}, "'query' must be a whole number"),
])
def test_out_of_range_query_head_step(changes, message):
    assert message in refusal(with_(**changes))


@pytest.mark.parametrize("mask", [
    "future", 1, [[True, False]], [[True] * 4] * 3, [[1, 0, 0, 0]] * 4, [[True] * 4] * 3 + [[True] * 3], [True] * 4,
])
def test_bad_mask(mask):
    assert "'mask'" in refusal(with_(mask=mask))


@pytest.mark.parametrize("changes, message", [
    ({"temperature": 0}, "'temperature' must be a positive number"),
    ({"temperature": -1}, "'temperature' must be a positive number"),
    ({"temperature": "hot"}, "'temperature' must be a positive number"),
    ({"scale": "yes"}, "'scale' must be true or false"),
    ({"version": 2}, "'version' must be 1"),
    ({"tokens": []}, "'tokens' must have at least one token"),
    ({"tokens": ["a", 2]}, "'tokens' must be a list of strings"),
    ({"tokens": "The cat"}, "'tokens' must be a list of strings"),
    ({"tokens": ["a", " ", "b", "c"]}, "'tokens': token 1 is empty"),
    ({"tokens": ["a", "b", "c", "x" * 41]}, "'tokens': token 3 is longer than 40 characters"),
    ({"temprature": 2}, "unknown field 'temprature'"),
    ({"embeddings": [[0.8, "0.2"], [0.3, 0.9], [0.1, 0.4], [0.6, 0.1]]}, "'embeddings' must contain only numbers"),
])
def test_other_bad_fields(changes, message):
    assert message in refusal(with_(**changes))


def test_tokens_are_required():
    assert "'tokens' is missing" in refusal("{}")

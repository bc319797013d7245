"""The toy model: readable embeddings, and designed heads that do what HEAD_INFO says, run through attention_trace."""
import numpy as np
import pytest

from attention import model
from attention.core import attention_trace
from attention.presets import get_preset
from attention.scenario import resolve

POSITIONAL, SYNTACTIC, SEMANTIC, COREFERENCE = range(model.HEADS)


def trace_of(preset_id):
    """The preset's tokens, key tokens and attention trace on the toy model."""
    s = get_preset(preset_id).scenario
    return list(s.tokens), list(s.context or s.tokens), attention_trace(**resolve(s))


def top_key(trace, keys, head, i):
    """The key token that query i attends to most in this head."""
    return keys[int(np.argmax(trace.weights[head, i]))]


def test_shapes_and_names():
    assert model.D_MODEL == len(model.FEATURES) == 16 and model.HEADS == 4 and model.D_K == model.D_V == 4
    assert len(set(model.FEATURES)) == model.D_MODEL and all(len(f) <= 8 for f in model.FEATURES)
    assert [h.name for h in model.HEAD_INFO] == ["positional", "syntactic", "semantic", "coreference"]
    assert all(h.explanation.endswith(".") and len(h.values) == model.D_V for h in model.HEAD_INFO)
    w_q, w_k, w_v, w_o = model.weights()
    assert w_q.shape == w_k.shape == w_v.shape == (model.D_MODEL, model.HEADS * model.D_K)
    assert w_o.shape == (model.HEADS * model.D_V, model.D_MODEL)
    assert all(np.isfinite(w).all() for w in (w_q, w_k, w_v, w_o))


def test_embedding_reads_as_features():
    x = model.embed(["the", "hot", "dog"], positions=False)
    column = dict(zip(model.FEATURES, x[2]))
    assert column["noun"] == 1 and column["alive"] == 1 and column["animal"] == 1 and column["food"] == 0.5
    assert dict(zip(model.FEATURES, x[1]))["heat"] == 1
    assert not x[0].any()  # "the" carries no meaning here, only its position
    assert model.embed([]).shape == (0, model.D_MODEL)


def test_position_signal_is_the_rotation_described():
    x = model.embed(["a", "a", "a"]) - model.embed(["a", "a", "a"], positions=False)
    w = model.OMEGA
    cols = [model.FEATURES.index(f) for f in ("pos cos", "pos sin", "pos cos4", "pos sin4")]
    np.testing.assert_allclose(x[2, cols], [np.cos(2 * w), np.sin(2 * w), np.cos(8 * w), np.sin(8 * w)])


def test_unknown_word_embedding_is_deterministic_and_pinned():
    a, b = model.embed(["xyzzy"]), model.embed(["xyzzy"])
    np.testing.assert_array_equal(a, b)
    meaning = dict(zip(model.FEATURES, model.embed(["xyzzy"], positions=False)[0]))
    assert meaning == {"noun": 1.0, "verb": 0.0, "adj": 0.0, "adv": 0.0, "pron": 0.0, "alive": 0.0,
                       "animal": 0.02, "food": 0.07, "heat": 0.13, "place": 0.01, "feel": 0.17, "color": 0.12,
                       "pos cos": 0.0, "pos sin": 0.0, "pos cos4": 0.0, "pos sin4": 0.0}


def test_embeddings_are_finite_for_odd_input():
    tokens = ["🦄", "\ud800", "3.14", "'", "Ωmega", "x" * 40] * 5 + ["end", "."]
    x = model.embed(tokens)
    assert x.shape == (32, model.D_MODEL) and np.isfinite(x).all()


def test_scatter_xy():
    xy = model.scatter_xy(["cat", "lion", "hot", "cold", "the"])
    assert xy.shape == (5, 2) and np.isfinite(xy).all()
    assert np.linalg.norm(xy[0] - xy[1]) < np.linalg.norm(xy[0] - xy[2])  # animals cluster away from heat words
    np.testing.assert_array_equal(model.scatter_xy(["cat"]), model.scatter_xy(["Cat"]))
    assert model.scatter_xy([]).shape == (0, 2)


@pytest.mark.parametrize("preset_id", ["cat", "hot-dog", "lions", "pronoun"])
def test_positional_head_attends_to_the_previous_token(preset_id):
    tokens, _, trace = trace_of(preset_id)
    for i in range(1, len(tokens)):
        row = trace.weights[POSITIONAL, i]
        assert np.argmax(row) == i - 1
        assert 0.5 < row[i - 1] < 0.95  # clearly first, yet the softmax still spreads a little


def test_positional_head_holds_up_to_the_token_limit():
    tokens = ["word"] * 32
    w_q, w_k, w_v, w_o = model.weights()
    trace = attention_trace(model.embed(tokens), w_q, w_k, w_v, w_o, heads=model.HEADS)
    assert all(np.argmax(trace.weights[POSITIONAL, i]) == i - 1 for i in range(1, 32))


def test_syntactic_head_finds_nouns_for_adjectives_and_subjects_for_verbs():
    tokens, keys, trace = trace_of("lions")
    assert top_key(trace, keys, SYNTACTIC, tokens.index("Angry")) == "lions"
    assert top_key(trace, keys, SYNTACTIC, tokens.index("hunt")) == "lions"  # its subject, not "zebras"
    assert top_key(trace, keys, SYNTACTIC, tokens.index("sleep")) == "cats"
    assert top_key(trace, keys, SYNTACTIC, tokens.index("peacefully")) == "sleep"
    tokens, keys, trace = trace_of("hot-dog")
    assert top_key(trace, keys, SYNTACTIC, tokens.index("hot")) == "dog"
    tokens, keys, trace = trace_of("cat")
    assert top_key(trace, keys, SYNTACTIC, tokens.index("sat")) == "cat"
    tokens, keys, trace = trace_of("pronoun")
    assert top_key(trace, keys, SYNTACTIC, tokens.index("cross")) == "animal"


def test_semantic_head_lets_hot_change_dog():
    tokens, keys, trace = trace_of("hot-dog")
    row = trace.weights[SEMANTIC, tokens.index("dog")]
    assert keys[np.argmax(row)] == "hot" and row[keys.index("hot")] > 0.5
    tokens, keys, trace = trace_of("dog")
    assert top_key(trace, keys, SEMANTIC, tokens.index("dog")) == "dog"  # without "hot", dog finds only itself


def test_semantic_output_gives_dog_heat_only_next_to_hot():
    heat = model.FEATURES.index("heat")
    _, _, plain = trace_of("dog")
    _, _, hot = trace_of("hot-dog")
    assert plain.output[1, heat] == 0 and hot.output[2, heat] > 0.5


def test_coreference_head_resolves_it_to_the_animal():
    tokens, keys, trace = trace_of("pronoun")
    row = trace.weights[COREFERENCE, tokens.index("it")]
    assert keys[np.argmax(row)] == "animal"
    assert row[keys.index("animal")] > row[keys.index("street")] + 0.3


def test_causal_preset_never_looks_ahead():
    tokens, keys, trace = trace_of("causal")
    above_diagonal = np.triu(np.ones((len(tokens), len(keys)), dtype=bool), k=1)
    assert (trace.weights[:, above_diagonal] == 0).all()
    np.testing.assert_allclose(trace.weights.sum(axis=-1), 1.0)
    assert top_key(trace, keys, COREFERENCE, tokens.index("it")) == "dog"


def test_translation_aligns_each_french_word_with_its_english_translation():
    tokens, keys, trace = trace_of("translate")
    assert trace.weights.shape == (model.HEADS, 3, 3)
    for french, english in [("chat", "cat"), ("noir", "black")]:
        assert top_key(trace, keys, SEMANTIC, tokens.index(french)) == english

"""The presets: the ones the page promises exist, are valid scenarios, and run on the engine."""
import numpy as np
import pytest

from attention.core import attention_trace
from attention.presets import PRESETS, get_preset
from attention.scenario import parse_scenario, resolve, to_json
from attention.tokenizer import tokenize


def test_required_presets_exist_in_a_stable_order():
    assert [p.id for p in PRESETS] == ["cat", "dog", "hot-dog", "lions", "pronoun", "causal", "translate"]
    assert len({p.id for p in PRESETS}) == len(PRESETS)


def test_sentences():
    assert get_preset("cat").scenario.tokens == ("The", "cat", "sat", "down")
    assert get_preset("dog").scenario.tokens == ("the", "dog", "was")
    assert get_preset("hot-dog").scenario.tokens == ("the", "hot", "dog", "was")
    assert get_preset("causal").scenario.mask == "causal"
    translate = get_preset("translate").scenario
    assert translate.tokens == ("le", "chat", "noir") and translate.context == ("the", "black", "cat")


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.id)
def test_preset_is_a_valid_scenario_that_runs(preset):
    s = preset.scenario
    assert parse_scenario(to_json(s)) == s
    assert list(s.tokens) == tokenize(" ".join(s.tokens))  # what the tokenizer makes of the sentence
    assert preset.title and preset.description.endswith(".")
    trace = attention_trace(**resolve(s))
    assert trace.weights.shape == (4, len(s.tokens), s.n_k) and np.isfinite(trace.output).all()


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(KeyError, match="hot-dog"):
        get_preset("hotdog")

"""The tokenizer: words, numbers, punctuation and emoji, each a piece of the input; the length limit."""
import pytest

from attention.presets import PRESETS
from attention.tokenizer import MAX_TOKENS, TooManyTokens, check_length, detokenize, normalize, tokenize


@pytest.mark.parametrize("text, tokens", [
    ("The cat sat down", ["The", "cat", "sat", "down"]),
    ("Angry lions hunt zebras, while cats sleep peacefully",
     ["Angry", "lions", "hunt", "zebras", ",", "while", "cats", "sleep", "peacefully"]),
    ("The animal didn't cross the street.", ["The", "animal", "didn't", "cross", "the", "street", "."]),
    ("don’t stop", ["don’t", "stop"]),
    ("a well-known fact", ["a", "well-known", "fact"]),
    ("Pi is 3.14, not 1,000!", ["Pi", "is", "3.14", ",", "not", "1,000", "!"]),
    ("Wait...", ["Wait", ".", ".", "."]),
    ("'quoted' dogs'", ["'", "quoted", "'", "dogs", "'"]),
    ("Zoë's café", ["Zoë's", "café"]),
    ("e\u0301te\u0301", ["e\u0301te\u0301"]),  # decomposed accents stay with their letters
    ("I ❤️ NumPy 👍🏽", ["I", "❤️", "NumPy", "👍🏽"]),
    ("family: 👨‍👩‍👧", ["family", ":", "👨‍👩‍👧"]),
    ("🇫🇷🇩🇪", ["🇫🇷", "🇩🇪"]),
    ("猫が好き", ["猫が好き"]),
    ("  \t\n ", []),
    ("", []),
])
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def test_tokens_are_pieces_of_the_input_in_order():
    text = "  Hello,   wörld! It's 12.5 °C 🙂 "
    tokens = tokenize(text)
    position = 0
    for token in tokens:
        position = text.index(token, position) + len(token)
    assert "".join(tokens) == "".join(text.split())


def test_normalize_is_the_case_folded_lookup_key():
    assert normalize("The") == "the"
    assert normalize("DON’T") == "don't"
    assert normalize("Straße") == "strasse"
    assert normalize("ｃａｔ") == "cat"  # full-width letters


def test_check_length_allows_the_limit_and_names_the_count_beyond_it():
    check_length(["w"] * MAX_TOKENS)
    with pytest.raises(TooManyTokens, match=r"^That sentence has 41 tokens; the limit is 32\.$"):
        check_length(tokenize(" ".join(["w"] * 41)))
    assert issubclass(TooManyTokens, ValueError)


def test_detokenize_glues_punctuation_and_round_trips_the_presets():
    assert detokenize(["Angry", "lions", "hunt", "zebras", ",", "while", "cats", "sleep", "."]) == \
        "Angry lions hunt zebras, while cats sleep."
    assert detokenize(["(", "hot", ")", "dog"]) == "(hot) dog"
    for preset in PRESETS:
        assert tokenize(detokenize(list(preset.scenario.tokens))) == list(preset.scenario.tokens)

"""The lexicon: known words, inflections, and deterministic guesses for unknown words."""
import pytest

from attention.lexicon import CLASSES, GUESS_STRENGTH, POS, TABLE, lookup
from attention.lexicon_data import GROUPS


def test_size_and_well_formed_groups():
    assert 300 <= len(TABLE) <= 1000
    for pos, classes, animacy, words in GROUPS:
        assert pos in POS and set(classes) <= set(CLASSES) and 0 <= animacy <= 1 and words.split()
        assert all(0 < s <= 1 for s in classes.values())


@pytest.mark.parametrize("word, pos, classes, animacy", [
    ("cat", "noun", {"animal": 1.0}, 1.0),
    ("dog", "noun", {"animal": 1.0, "food": 0.5}, 1.0),  # merged from two groups: "hot dog"
    ("street", "noun", {"place": 1.0}, 0.0),
    ("hot", "adj", {"temperature": 1.0}, 0.0),
    ("Angry", "adj", {"emotion": 1.0}, 0.0),
    ("it", "pron", {}, 0.0),
    ("She", "pron", {"person": 1.0}, 1.0),
    ("didn't", "verb", {}, 0.0),
    ("the", "det", {}, 0.0),
    (",", "punct", {}, 0.0),
    ("chat", "noun", {"animal": 1.0}, 1.0),  # the French word: the translation preset needs it
    ("noir", "adj", {"color": 1.0}, 0.0),
])
def test_known_words(word, pos, classes, animacy):
    entry = lookup(word)
    assert (entry.pos, entry.classes, entry.animacy, entry.guessed) == (pos, classes, animacy, False)


@pytest.mark.parametrize("word, base, pos", [
    ("lions", "lion", "noun"), ("zebras", "zebra", "noun"), ("boxes", "box", "noun"), ("puppies", "puppy", "noun"),
    ("cat's", "cat", "noun"), ("hunts", "hunt", "verb"), ("hunted", "hunt", "verb"), ("liked", "like", "verb"),
    ("stopped", "stop", "verb"), ("running", "run", "verb"), ("making", "make", "verb"), ("cried", "cry", "verb"),
    ("peacefully", "peaceful", "adv"), ("happily", "happy", "adv"), ("gently", "gentle", "adv"),
    ("bigger", "big", "adj"), ("colder", "cold", "adj"), ("happiest", "happy", "adj"),
])
def test_inflections_inherit_their_base(word, base, pos):
    entry = lookup(word)
    assert entry.pos == pos and not entry.guessed
    assert entry.classes == TABLE[base].classes and entry.animacy == TABLE[base].animacy
    assert entry.source.startswith(base + " + ")


@pytest.mark.parametrize("word, pos", [
    ("blorply", "adv"), ("snarfing", "verb"), ("glorped", "verb"), ("zorbulous", "adj"), ("frobness", "noun"),
    ("xyzzy", "noun"), ("Quibbleton", "noun"), ("42", "num"), ("3.14", "num"), ("§", "punct"), ("🦄", "other"),
])
def test_unknown_words_get_a_best_guess(word, pos):
    entry = lookup(word)
    assert entry.guessed and entry.pos == pos and entry.source.startswith("guess")


def test_capitalised_unknown_word_is_probably_a_name():
    assert lookup("Quibbleton").animacy == 0.5 and lookup("quibbleton").animacy == 0.0


def test_guessed_classes_are_weak_and_deterministic():
    entry = lookup("xyzzy")
    assert entry == lookup("xyzzy") == lookup("XYZZY".lower())
    assert all(0 < s <= GUESS_STRENGTH for s in entry.classes.values())
    assert lookup("xyzzy").classes != lookup("plugh").classes
    assert lookup("42").classes == {} and lookup("!!").classes == {}


def test_guessed_classes_are_pinned():
    """sha256("xyzzy") gives these strengths on every machine (Python's hash() would not)."""
    assert lookup("xyzzy").classes == {
        "animal": 0.02, "person": 0.06, "food": 0.07, "temperature": 0.13, "place": 0.01,
        "emotion": 0.17, "color": 0.12, "time": 0.02, "object": 0.1, "action": 0.01,
    }


def test_lookup_never_fails_on_odd_tokens():
    for token in ["", "'", "’s", "\ud800", "\u0301", "_", "Ⅻ", "s", "'s", "ies", "ly"]:
        assert lookup(token).pos in POS

"""The lexicon: known words, inflections, gender and number, deterministic guesses, and the guessed-word notice."""
import pytest

from attention.lexicon import CLASSES, GENDERS, GUESS_STRENGTH, NUMBERS, POS, TABLE, guessed_words, lookup
from attention.lexicon_data import FEMALE, GROUPS, MALE, PLURAL, SINGULAR
from attention.presets import PRESETS
from attention.tokenizer import tokenize


def test_size_and_well_formed_groups():
    assert 1500 <= len(TABLE) <= 2500
    for pos, classes, animacy, words in GROUPS:
        assert pos in POS and set(classes) <= set(CLASSES) and 0 <= animacy <= 1 and words.split()
        assert all(0 < s <= 1 for s in classes.values())
    assert all(e.gender in GENDERS and e.number in NUMBERS for e in TABLE.values())


def test_gender_and_number_lists_name_known_words_once():
    for words in (MALE, FEMALE, PLURAL, SINGULAR):
        assert set(words.split()) <= set(TABLE)
    assert not set(MALE.split()) & set(FEMALE.split()) and not set(PLURAL.split()) & set(SINGULAR.split())


# The presets, the sentences the lesson asks learners to type, and words the issue found guessed.
LESSON_SENTENCES = [
    "The animal didn't cross the street because it was too wide",
    "The animal didn't cross the street because it was too narrow",
    "She gave him the book because he asked",
    "The big dog chased the small cat",
    "Red apples and green pears",
    "Tom paid for the pears",
]


@pytest.mark.parametrize("sentence", [" ".join(p.scenario.tokens + (p.scenario.context or ())) for p in PRESETS]
                         + LESSON_SENTENCES)
def test_lesson_and_preset_words_are_known(sentence):
    assert guessed_words(tokenize(sentence)) == ()
    assert not any(lookup(token).guessed for token in tokenize(sentence))


@pytest.mark.parametrize("word, gender, number", [
    ("he", "male", "singular"), ("Him", "male", "singular"), ("his", "male", "singular"),
    ("she", "female", "singular"), ("her", "female", "singular"), ("it", "", "singular"),
    ("they", "", "plural"), ("us", "", "plural"), ("you", "", ""), ("I", "", "singular"),
    ("man", "male", "singular"), ("women", "female", "plural"), ("Tom", "male", "singular"),
    ("Anna", "female", "singular"), ("teacher", "", "singular"), ("cat", "", "singular"),
    ("mice", "", "plural"), ("children", "", "plural"),
    ("lions", "", "plural"), ("kings", "male", "plural"), ("queen's", "female", "singular"),
    ("hunts", "", ""), ("wide", "", ""),
])
def test_gender_and_number(word, gender, number):
    entry = lookup(word)
    assert (entry.gender, entry.number) == (gender, number)


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
    ("xyzzy", "noun"), ("Quibbleton", "noun"), ("blorps", "noun"), ("42", "num"), ("3.14", "num"), ("§", "punct"),
    ("🦄", "other"),
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


def test_guessed_words_names_each_guess_once_with_its_reason():
    tokens = tokenize("Quibbleton ate 42 blorps, xyzzy and XYZZY zorbulously § 🦄")
    notice = guessed_words(tokens)
    assert [word for word, _ in notice] == ["Quibbleton", "blorps", "xyzzy", "zorbulously", "🦄"]
    how = dict(notice)
    size = f"not in the {len(TABLE):,}-word lexicon"
    assert how["Quibbleton"] == f"treated as a noun: {size}; it starts with a capital letter, so probably a name"
    assert how["blorps"] == f"treated as a noun: {size}; it ends in -s, like most plural nouns"
    assert how["xyzzy"] == f"treated as a noun: {size}; most unknown words are nouns"
    assert how["zorbulously"] == f"treated as an adverb: {size}; it ends in -ly"
    assert how["🦄"].startswith("treated as a symbol: ")


def test_guessed_words_leaves_out_known_words_inflections_numbers_and_punctuation():
    assert guessed_words(tokenize("The lions hunted 3 zebras, peacefully!")) == ()
    assert guessed_words([]) == ()
    (word, how), = guessed_words(["snarfing"])
    assert word == "snarfing" and how.startswith("treated as a verb: ") and how.endswith("; it ends in -ing")

"""The toy model's dictionary: part of speech, meaning classes and animacy of a word.

How it is built: `lexicon_data.GROUPS` lists about 900 common English words and forms (and
the few French words of the translation preset), written for this project and
grouped by part of speech and meaning ("nouns for animals", "adjectives of
temperature", ...). A word listed in several groups takes the part of speech of
its first group and, for each class, its strongest strength across the groups:
"dog" is an animal and, weakly, food (for "hot dog").

`lookup` finds a word in three ways, in order:

1. in the table;
2. as an inflection of a word in the table: "-s", "-es", "-ies", possessive "'s",
   "-ed", "-ing", comparatives "-er" / "-est", and adverbs in "-ly" made from
   adjectives ("lions" -> lion, "peacefully" -> peaceful);
3. as a guess from its spelling: suffixes ("-ly" adverb, "-ing" verb, "-ous"
   adjective, "-tion" noun, ...), a capital letter (a name), digits,
   punctuation. A guessed word also gets weak meaning classes (strength at most
   0.2) read from the SHA-256 of its lookup key, so the same unknown word gets
   the same entry, and the same embedding, on every machine.
"""
import hashlib
import unicodedata
from dataclasses import dataclass

from attention.lexicon_data import GROUPS
from attention.tokenizer import normalize

POS = ("noun", "verb", "adj", "adv", "det", "pron", "prep", "conj", "punct", "num", "other")
CLASSES = ("animal", "person", "food", "temperature", "place", "emotion", "color", "time", "object", "action")
GUESS_STRENGTH = 0.2  # a guessed word's meaning classes stay below this: noticeable, never mistaken for a known word


@dataclass(frozen=True)
class Entry:
    word: str  # the lookup key, as tokenizer.normalize gives it
    pos: str  # part of speech, one of POS
    classes: dict  # meaning class -> strength in (0, 1]; classes absent are 0
    animacy: float  # 1 for people and animals, 0 for things, between for "they"; 0 for non-nominal words
    source: str  # how the entry was found, for the page: "lexicon", "lion + -s", "guess: ends in -ly"
    guessed: bool  # True when neither the word nor a word it inflects is in the lexicon


def _build_table(groups):
    """Merge the word groups into {word: Entry}: first part of speech, strongest class strengths."""
    table = {}
    for pos, classes, animacy, words in groups:
        for word in words.split():
            old = table.get(word)
            if old is None:
                table[word] = Entry(word, pos, dict(classes), animacy, "lexicon", False)
                continue
            merged = {c: max(old.classes.get(c, 0.0), classes.get(c, 0.0)) for c in {*old.classes, *classes}}
            table[word] = Entry(word, old.pos, merged, max(old.animacy, animacy), "lexicon", False)
    return table


TABLE = _build_table(GROUPS)

# (suffix, endings that may replace it, parts of speech the base may have,
#  part of speech of the result or None to keep the base's)
_INFLECTIONS = (
    ("'s", ("",), ("noun", "pron"), None),
    ("ies", ("y",), ("noun", "verb"), None),
    ("es", ("",), ("noun", "verb"), None),
    ("s", ("",), ("noun", "verb"), None),
    ("ied", ("y",), ("verb",), "verb"),
    ("ed", ("", "e", "double"), ("verb",), "verb"),
    ("ing", ("", "e", "double"), ("verb",), "verb"),
    ("ily", ("y",), ("adj",), "adv"),
    ("ly", ("", "le"), ("adj",), "adv"),
    ("ier", ("y",), ("adj",), "adj"),
    ("iest", ("y",), ("adj",), "adj"),
    ("er", ("", "e", "double"), ("adj",), "adj"),
    ("est", ("", "e", "double"), ("adj",), "adj"),
)

# (suffixes, part of speech) for words the lexicon cannot explain, tried in order.
_GUESSES = (
    (("ly",), "adv"),
    (("ing", "ed"), "verb"),
    (("ous", "ful", "ive", "able", "ible", "al", "ic", "less", "ish"), "adj"),
    (("tion", "sion", "ment", "ness", "ity", "ship", "ism", "ist", "er", "or", "ance", "ence"), "noun"),
)


def lookup(word):  # str -> Entry
    """The lexicon entry of a token (original spelling; capitals matter only for guesses)."""
    key = normalize(word)
    if key in TABLE:
        return TABLE[key]
    return _inflected(key) or _guess(word, key)


def _inflected(key):
    """The entry of a known word that `key` inflects ("lions" -> lion), or None."""
    for suffix, endings, base_pos, pos in _INFLECTIONS:
        if not key.endswith(suffix) or len(key) <= len(suffix) + 1:
            continue
        stem = key[: -len(suffix)]
        for ending in endings:
            base = TABLE.get(_undouble(stem) if ending == "double" else stem + ending)
            if base is not None and base.pos in base_pos:
                ending_shown = suffix if suffix.startswith("'") else "-" + suffix
                return Entry(key, pos or base.pos, base.classes, base.animacy, f"{base.word} + {ending_shown}", False)
    return None


def _undouble(stem):
    """'stopp' -> 'stop' (stopped, running, bigger); other stems unchanged."""
    return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem


def _guess(word, key):
    """A best-guess entry for a word the lexicon does not know, with hashed weak meaning classes."""
    kinds = {unicodedata.category(ch)[0] for ch in key}
    if kinds and kinds <= {"N", "P"} and "N" in kinds:
        return Entry(key, "num", {}, 0.0, "guess: a number", True)
    if kinds == {"P"}:
        return Entry(key, "punct", {}, 0.0, "guess: punctuation", True)
    classes = _hashed_classes(key)
    if "L" not in kinds:
        return Entry(key, "other", classes, 0.0, "guess: a symbol", True)
    for suffixes, pos in _GUESSES:
        for suffix in suffixes:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                return Entry(key, pos, classes, 0.0, f"guess: ends in -{suffix}", True)
    if word[:1].isupper():
        return Entry(key, "noun", classes, 0.5, "guess: capitalised, probably a name", True)
    return Entry(key, "noun", classes, 0.0, "guess: most unknown words are nouns", True)


def _hashed_classes(key):
    """Weak meaning classes from the SHA-256 of `key`: one byte per class, scaled to [0, GUESS_STRENGTH]."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    strengths = {c: round(b / 255 * GUESS_STRENGTH, 2) for c, b in zip(CLASSES, digest)}
    return {c: s for c, s in strengths.items() if s > 0}

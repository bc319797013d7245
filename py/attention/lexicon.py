"""The toy model's dictionary: part of speech, meaning classes, animacy, gender and number of a word.

How it is built: `lexicon_data.GROUPS` lists about 1,900 common English words and forms (and
the few French words of the translation preset), written for this project and
grouped by part of speech and meaning ("nouns for animals", "adjectives of
temperature", ...). A word listed in several groups takes the part of speech of
its first group and, for each class, its strongest strength across the groups:
"dog" is an animal and, weakly, food (for "hot dog"). `lexicon_data.MALE`,
`FEMALE`, `PLURAL` and `SINGULAR` add grammatical gender and number.

`lookup` finds a word in three ways, in order:

1. in the table;
2. as an inflection of a word in the table: "-s", "-es", "-ies" (a noun's plural),
   possessive "'s", "-ed", "-ing", comparatives "-er" / "-est", and adverbs in "-ly"
   made from adjectives ("lions" -> lion, "peacefully" -> peaceful);
3. as a guess from its spelling: suffixes ("-ly" adverb, "-ing" verb, "-ous"
   adjective, "-tion" noun, "-s" plural noun, ...), a capital letter (a name), digits,
   punctuation. A guessed word also gets weak meaning classes (strength at most
   0.2) read from the SHA-256 of its lookup key, so the same unknown word gets
   the same entry, and the same embedding, on every machine.

`guessed_words` tells the learner which words of a sentence were guessed, and how.
"""
import hashlib
import unicodedata
from dataclasses import dataclass

from attention.lexicon_data import FEMALE, GROUPS, MALE, PLURAL, SINGULAR
from attention.tokenizer import normalize

POS = ("noun", "verb", "adj", "adv", "det", "pron", "prep", "conj", "punct", "num", "other")
CLASSES = ("animal", "person", "food", "temperature", "place", "emotion", "color", "time", "object", "action")
GENDERS = ("", "male", "female")  # "" when English does not mark it ("teacher", "it", "they")
NUMBERS = ("", "singular", "plural")  # "" for words that have no number, or may be either ("you", "who")
GUESS_STRENGTH = 0.2  # a guessed word's meaning classes stay below this: noticeable, never mistaken for a known word


@dataclass(frozen=True)
class Entry:
    word: str  # the lookup key, as tokenizer.normalize gives it
    pos: str  # part of speech, one of POS
    classes: dict  # meaning class -> strength in (0, 1]; classes absent are 0
    animacy: float  # 1 for people and animals, 0 for things, between for "they"; 0 for non-nominal words
    gender: str  # one of GENDERS
    number: str  # one of NUMBERS
    source: str  # how the entry was found, for the page: "lexicon", "lion + -s", "guess: it ends in -ly"
    guessed: bool  # True when neither the word nor a word it inflects is in the lexicon


def _build_table(groups):
    """Merge the word groups into {word: Entry}: first part of speech, strongest class strengths."""
    table = {}
    for pos, classes, animacy, words in groups:
        for word in words.split():
            old = table.get(word)
            if old is None:
                first_pos, merged, alive = pos, dict(classes), animacy
            else:
                first_pos, alive = old.pos, max(old.animacy, animacy)
                merged = {c: max(old.classes.get(c, 0.0), classes.get(c, 0.0)) for c in {*old.classes, *classes}}
            gender, number = _gender(word), _number(word, first_pos)
            table[word] = Entry(word, first_pos, merged, alive, gender, number, "lexicon", False)
    return table


def _gender(word):
    """A listed word's grammatical gender: 'male', 'female' or ''."""
    return "male" if word in _MALE else "female" if word in _FEMALE else ""


def _number(word, pos):
    """A listed word's grammatical number: listed plurals and singulars; other nouns are singular."""
    if word in _PLURAL:
        return "plural"
    return "singular" if word in _SINGULAR or pos == "noun" else ""


_MALE, _FEMALE, _PLURAL, _SINGULAR = (frozenset(words.split()) for words in (MALE, FEMALE, PLURAL, SINGULAR))
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
_PLURAL_ENDINGS = ("s", "es", "ies")  # on a noun these make its plural

# (suffixes, part of speech) for words the lexicon cannot explain, tried in order.
_GUESSES = (
    (("ly",), "adv"),
    (("ing", "ed"), "verb"),
    (("ous", "ful", "ive", "able", "ible", "al", "ic", "less", "ish"), "adj"),
    (("tion", "sion", "ment", "ness", "ity", "ship", "ism", "ist", "er", "or", "ance", "ence"), "noun"),
)
_READABLE_POS = {"noun": "a noun", "verb": "a verb", "adj": "an adjective", "adv": "an adverb", "other": "a symbol"}


def lookup(word):  # str -> Entry
    """The lexicon entry of a token (original spelling; capitals matter only for guesses)."""
    key = normalize(word)
    if key in TABLE:
        return TABLE[key]
    return _inflected(key) or _guess(word, key)


def guessed_words(tokens):  # list[str] -> tuple of (token, how)
    """The words of a sentence that the lexicon had to guess, each once, with how it was guessed.

    `how` reads "treated as a noun: not in the 1,935-word lexicon; it ends in -s, like most plural nouns".
    Numbers and punctuation are left out: the lexicon reads them from their characters, not a guess.
    """
    found, seen = [], set()
    for token in tokens:
        entry = lookup(token)
        if entry.guessed and entry.pos not in ("num", "punct") and entry.word not in seen:
            seen.add(entry.word)
            reason = entry.source.removeprefix("guess: ")
            found.append((token, f"treated as {_READABLE_POS[entry.pos]}: not in the {len(TABLE):,}-word lexicon; "
                                 f"{reason}"))
    return tuple(found)


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
                plural = base.pos == "noun" and suffix in _PLURAL_ENDINGS
                number = "plural" if plural else base.number if suffix == "'s" else ""
                return Entry(key, pos or base.pos, base.classes, base.animacy, base.gender, number,
                             f"{base.word} + {ending_shown}", False)
    return None


def _undouble(stem):
    """'stopp' -> 'stop' (stopped, running, bigger); other stems unchanged."""
    return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem


def _guess(word, key):
    """A best-guess entry for a word the lexicon does not know, with hashed weak meaning classes."""
    kinds = {unicodedata.category(ch)[0] for ch in key}
    if kinds and kinds <= {"N", "P"} and "N" in kinds:
        return Entry(key, "num", {}, 0.0, "", "", "guess: a number", True)
    if kinds == {"P"}:
        return Entry(key, "punct", {}, 0.0, "", "", "guess: punctuation", True)
    classes = _hashed_classes(key)
    if "L" not in kinds:
        return Entry(key, "other", classes, 0.0, "", "", "guess: it is not a word, a number or punctuation", True)
    for suffixes, pos in _GUESSES:
        for suffix in suffixes:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                return Entry(key, pos, classes, 0.0, "", "", f"guess: it ends in -{suffix}", True)
    if word[:1].isupper():
        return Entry(key, "noun", classes, 0.5, "", "singular",
                     "guess: it starts with a capital letter, so probably a name", True)
    if key.endswith("s") and not key.endswith("ss") and len(key) > 2:
        return Entry(key, "noun", classes, 0.0, "", "plural", "guess: it ends in -s, like most plural nouns", True)
    return Entry(key, "noun", classes, 0.0, "", "singular", "guess: most unknown words are nouns", True)


def _hashed_classes(key):
    """Weak meaning classes from the SHA-256 of `key`: one byte per class, scaled to [0, GUESS_STRENGTH]."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    strengths = {c: round(b / 255 * GUESS_STRENGTH, 2) for c, b in zip(CLASSES, digest)}
    return {c: s for c, s in strengths.items() if s > 0}

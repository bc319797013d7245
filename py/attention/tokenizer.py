"""Split a typed sentence into the tokens the toy model attends over.

A token is a word ("cat", "didn't", "well-known", "Zoë"), a number ("3.14",
"1,000"), or one punctuation mark, symbol or emoji ("," "?" "👍🏽"). Every token
is a piece of the input, so the page shows exactly what the learner typed;
`normalize` gives the case-folded key used to look the token up in the lexicon.
The tokenizer never raises; the page enforces the length limit with
`check_length`.
"""
import unicodedata

MAX_TOKENS = 32  # the page refuses longer sentences: 32 tokens still fit on a projector

_JOINERS = "'’-"  # inside a word: "didn't", "don’t", "well-known"
_NUMBER_JOINERS = ".,"  # between digits: "3.14", "1,000"
_ATTACHED = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}  # zero-width joiner, variation selectors, keycap


class TooManyTokens(ValueError):
    """A sentence longer than the page allows."""


def tokenize(text):  # str -> list[str]
    """Words, numbers and single symbols of `text`, in order, each a substring of it."""
    tokens, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        end = _word_end(text, i) if _is_word_char(text[i]) else _symbol_end(text, i)
        tokens.append(text[i:end])
        i = end
    return tokens


def check_length(tokens, limit=MAX_TOKENS):  # list[str] -> None
    """Raise TooManyTokens if there are more than `limit` tokens."""
    if len(tokens) > limit:
        raise TooManyTokens(f"That sentence has {len(tokens)} tokens; the limit is {limit}.")


def normalize(token):  # str -> str
    """The lexicon key of a token: Unicode-normalised, case-folded, with a straight apostrophe."""
    return unicodedata.normalize("NFKC", token).casefold().replace("’", "'")


def _is_word_char(ch):
    """Letters, digits and combining marks (the accent of a decomposed "é") make up words."""
    return unicodedata.category(ch)[0] in "LNM"


def _word_end(text, i):
    """Index just past the word or number starting at text[i]."""
    while i < len(text):
        if _is_word_char(text[i]):
            i += 1
        elif i + 1 < len(text) and _is_word_char(text[i + 1]) and _joins(text[i - 1], text[i], text[i + 1]):
            i += 2
        else:
            break
    return i


def _joins(before, ch, after):
    """Whether `ch` glues the characters on either side of it into one token."""
    if ch in _JOINERS:
        return True
    return ch in _NUMBER_JOINERS and before.isdigit() and after.isdigit()


def _symbol_end(text, i):
    """Index just past one symbol, keeping emoji modifiers, ZWJ sequences and flag pairs with it."""
    i += 2 if i + 1 < len(text) and _is_flag_letter(text[i]) and _is_flag_letter(text[i + 1]) else 1
    while i < len(text):
        if text[i] in _ATTACHED or _is_skin_tone(text[i]) or unicodedata.category(text[i]) == "Mn":
            i += 1
            if text[i - 1] == "\u200d" and i < len(text) and not text[i].isspace():
                i += 1
        else:
            break
    return i


def _is_skin_tone(ch):
    """The five emoji skin-tone modifiers, U+1F3FB to U+1F3FF."""
    return "\U0001f3fb" <= ch <= "\U0001f3ff"


def _is_flag_letter(ch):
    """The regional indicator letters, U+1F1E6 to U+1F1FF: a pair of them is a flag."""
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


_NO_SPACE_BEFORE = set(",.;:!?)]}%…'’\"»")  # punctuation that sticks to the word before it
_NO_SPACE_AFTER = set("([{«¿¡")


def detokenize(tokens):  # list[str] -> str
    """Tokens back into a readable sentence: "zebras, while" rather than "zebras , while"."""
    text = ""
    for token in tokens:
        glued = not text or token in _NO_SPACE_BEFORE or text[-1] in _NO_SPACE_AFTER
        text += token if glued else " " + token
    return text

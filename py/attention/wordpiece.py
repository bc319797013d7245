"""WordPiece: split a sentence into the pieces the real model (all-MiniLM-L6-v2) reads.

The same pieces and ids as the reference BERT uncased tokenizer, transformers' pure-Python one
(`BertTokenizer(vocab_file, do_lower_case=True)`; `BertTokenizerLegacy` since transformers 5),
in plain Python so it runs in Pyodide. Two steps:

1. The basic tokenizer cuts the text into words: the special tokens typed in the text
   ("[MASK]") are kept whole; then it drops NUL, U+FFFD and control characters, puts each CJK
   ideograph in a word of its own, composes (NFC), splits at whitespace, lower-cases, strips
   accents (NFD, then drop the combining marks) and splits off every punctuation mark.
2. WordPiece cuts each word into vocabulary pieces, greedily, longest match first: the first
   piece as is, the next ones written with "##" ("tokenization" -> "token", "##ization").
   A word with no match, or longer than 100 characters, becomes the one piece "[UNK]".

`encode` frames the pieces with [CLS] ... [SEP] and keeps, for each piece, the index of its
word, so the page can join "##" continuations back into words and sum or average per word.
"""
import re
import unicodedata
from dataclasses import dataclass

MAX_PIECES = 512  # the model's positions, [CLS] and [SEP] included
MAX_WORD_CHARS = 100  # a longer word is one [UNK], as in the reference
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(token) for token in SPECIAL_TOKENS) + ")")
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
               (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_CJK = re.compile("([" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _CJK_RANGES) + "])")
_ASCII_PUNCTUATION = frozenset(chr(cp) for cp in range(33, 127) if not chr(cp).isalnum())


class TooManyPieces(ValueError):
    """A sentence with more WordPiece pieces than the model (or the page) takes.

    `pieces` is how many it has, [CLS] and [SEP] included; `limit` is the most allowed.
    """

    def __init__(self, pieces, limit):
        super().__init__(f"That sentence has {pieces} pieces, counting [CLS] and [SEP]; "
                         f"the limit is {limit}. Shorten it and try again.")
        self.pieces = pieces
        self.limit = limit


@dataclass(frozen=True)
class Encoding:
    """A sentence as the model reads it: n pieces, [CLS] first and [SEP] last."""

    ids: tuple  # [n] vocabulary ids
    pieces: tuple  # [n] the pieces, "##" marking a continuation of the previous piece's word
    word_of_piece: tuple  # [n] index into `words`, None for the framing [CLS] and [SEP]
    words: tuple  # the words of the basic tokenizer, in order


def load_vocab(text):  # str (vocab.txt) -> dict[str, int]
    """The vocabulary: piece -> id, the id being the piece's line number from 0."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    vocab = dict(zip(lines, range(len(lines))))
    missing = [token for token in SPECIAL_TOKENS if token not in vocab]
    if missing:
        raise ValueError(f"Not a BERT vocabulary: it lacks {', '.join(missing)}.")
    return vocab


def encode(text, vocab, max_pieces=MAX_PIECES):  # str, dict[str, int] -> Encoding
    """[CLS], the WordPiece pieces of `text`, [SEP]; TooManyPieces if more than `max_pieces`."""
    words = basic_tokenize(text)
    pieces, word_of_piece = ["[CLS]"], [None]
    for index, word in enumerate(words):
        word_pieces = wordpiece(word, vocab)
        pieces.extend(word_pieces)
        word_of_piece.extend([index] * len(word_pieces))
    pieces.append("[SEP]")
    word_of_piece.append(None)
    if len(pieces) > max_pieces:
        raise TooManyPieces(len(pieces), max_pieces)
    return Encoding(ids=tuple(vocab[piece] for piece in pieces), pieces=tuple(pieces),
                    word_of_piece=tuple(word_of_piece), words=tuple(words))


def basic_tokenize(text):  # str -> list[str]
    """The words of `text`: special tokens kept whole, the rest cleaned, lower-cased, split."""
    return [word for segment in _SPECIAL_SPLIT.split(text) for word in _segment_words(segment)]


def wordpiece(word, vocab):  # str, dict[str, int] -> list[str]
    """Greedy longest-match-first pieces of one word; ["[UNK]"] if it cannot be covered."""
    if len(word) > MAX_WORD_CHARS:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start and _as_piece(word, start, end) not in vocab:
            end -= 1
        if end == start:
            return ["[UNK]"]
        pieces.append(_as_piece(word, start, end))
        start = end
    return pieces


def _as_piece(word, start, end):
    """word[start:end] as a vocabulary piece: "##" marks one that does not begin the word."""
    return word[start:end] if start == 0 else "##" + word[start:end]


def _segment_words(segment):  # str -> list[str]
    """The reference basic tokenizer on a special token or on text between special tokens."""
    text = unicodedata.normalize("NFC", _space_cjk(_clean(segment)))
    words = []
    for chunk in text.split():
        if chunk in SPECIAL_TOKENS:  # also one that cleaning revealed, "[MA\x00SK]", as the reference does
            words.append(chunk)
        else:
            words.extend(_split_punctuation(_strip_accents(chunk.lower())))
    return words


def _clean(text):
    """Drop NUL, U+FFFD and control characters (whitespace is left to str.split)."""
    return "".join(ch for ch in text if ch != "\ufffd" and not _is_control(ch))


def _space_cjk(text):
    """Surround each CJK ideograph (not kana, not hangul) with spaces: a word of its own."""
    return _CJK.sub(r" \1 ", text)


def _strip_accents(word):
    """Decompose (NFD) and drop the combining marks: "café" -> "cafe"."""
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if unicodedata.category(ch) != "Mn")


def _split_punctuation(word):  # str -> list[str]
    """Each punctuation character alone, the runs between them as words: "don't" -> don ' t."""
    parts, run = [], ""
    for ch in word:
        if _is_punctuation(ch):
            parts.extend([run, ch] if run else [ch])
            run = ""
        else:
            run += ch
    return parts + [run] if run else parts


def _is_control(ch):
    """The Unicode C* categories (NUL included), except tab, newline and carriage return."""
    return ch not in "\t\n\r" and unicodedata.category(ch)[0] == "C"


def _is_punctuation(ch):
    """The Unicode P* categories, and every ASCII character that is not a letter or digit."""
    return ch in _ASCII_PUNCTUATION or unicodedata.category(ch)[0] == "P"

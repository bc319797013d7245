"""The WordPiece tokenizer: identical ids to the reference BERT uncased tokenizer, on any text.

Three layers: transformers' own tokenizers where installed (slow: the reference; fast: checked
where the two agree), the ids committed in data/wordpiece_reference.json (always, given the
model's vocab.txt), and properties of any text with Hypothesis.
"""
import hashlib
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import make_wordpiece_reference as reference
from attention.wordpiece import (MAX_PIECES, SPECIAL_TOKENS, Encoding, TooManyPieces, encode,
                                 load_vocab, wordpiece)
from model_files import model_dir

REFERENCE_FILE = Path(__file__).parent / "data" / "wordpiece_reference.json"
NO_LIMIT = 10**6  # for comparing long texts with the reference, which does not truncate

# Words and decorations multiplied into a few hundred texts, beside the committed ones.
WORDS = ["cat", "Zo\u00eb", "NA\u00cfVE", "don't", "3.14", "1,000", "\u65e5\u672c", "\U0001f44d\U0001f3fd",
         "\u039f\u0394\u039f\u03a3", "Stra\u00dfe", "\u0130stanbul", "tokenization", "unaffable",
         "\u041c\u043e\u0441\u043a\u0432\u0430", "\u0915\u093f\u0924\u093e\u092c", "\ud55c\uae00",
         "e\u0301te\u0301", "C++", "state-of-the-art", "\uff21\uff22\uff23"]
DECORATIONS = ["{}", "{}!", "({})", "\u00ab{}\u00bb", "{}\u0301", "{} {}", "\x00{}\x07", "{}\u200b{}",
               "{} [MASK]", "{}\ufffd", "\u00bf{}?", "{}-{}", "{}\u3000{}", "{}\u4e16"]
VARIED = [decoration.format(word, word) for word in WORDS for decoration in DECORATIONS]

# Pieces of real words and the characters the rules single out, mixed into generated text.
FRAGMENTS = ["the", "token", "ization", "un", "aff", "able", "Caf\u00e9", "\u0301", "\u0308", " ", "\t",
             "'", "-", ".", "[MASK]", "[SEP]", "[", "]", "\u03a3", "\u4e16", "\u3042", "\U0001f600",
             "\x00", "\ufffd", "\u200b", "\u2028", "\u00a0", "\u212a", "1", "##"]
ANY_CHARACTER = st.characters(exclude_categories=())  # every category, surrogates included
ANY_TEXT = st.lists(st.one_of(ANY_CHARACTER, st.sampled_from(FRAGMENTS)), max_size=40).map("".join)


@pytest.fixture(scope="module")
def vocab_path():
    folder = model_dir()
    if folder is None:
        pytest.skip("no model files (vocab.txt): see tests/model_files.py")
    return folder / "vocab.txt"


@pytest.fixture(scope="module")
def vocab(vocab_path):
    return load_vocab(vocab_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def slow(vocab_path):
    pytest.importorskip("transformers")
    return reference.reference_tokenizer(vocab_path)


@pytest.fixture(scope="module")
def fast(vocab_path):
    transformers = pytest.importorskip("transformers")
    return transformers.BertTokenizerFast(str(vocab_path), do_lower_case=True)


def _ids(text, vocab):
    """Our ids for `text` as a list, without the piece limit."""
    return list(encode(text, vocab, max_pieces=NO_LIMIT).ids)


def _mismatches(texts, vocab, tokenizer):
    """The texts whose ids differ from `tokenizer`'s."""
    return [text for text in texts if _ids(text, vocab) != tokenizer.encode(text)]


def _fast_agrees_here(text, vocab):
    """Whether the fast tokenizer is expected to give the reference's ids for `text`.

    It differs from the slow reference by design on: a capital sigma (it lower-cases one
    character at a time, so no final "ς"); a special token that appears only once the text is
    cleaned ("[MA\\x00SK]"); and characters its older Unicode tables place in another category
    (unassigned, private use, or assigned since): the fast comparisons skip such texts.
    """
    typed = sum(text.count(token) for token in SPECIAL_TOKENS)
    found = sum(word in SPECIAL_TOKENS for word in encode(text, vocab, max_pieces=NO_LIMIT).words)
    return "\u03a3" not in text and typed == found and all(map(_in_old_unicode, text))


def _in_old_unicode(ch):
    """Assigned, not private use nor a surrogate, and in the same category since Unicode 3.2."""
    category = unicodedata.category(ch)
    return category not in ("Cn", "Co", "Cs") and unicodedata.ucd_3_2_0.category(ch) == category


def _committed():
    """The committed reference: its header and its (text, ids) entries."""
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return data, [(entry["text"], entry["ids"]) for entry in data["texts"]]


def _check_encoding(encoding, vocab):
    """The invariants of any encoding, asserted."""
    n, inner = len(encoding.ids), encoding.word_of_piece[1:-1]
    assert encoding.pieces[0] == "[CLS]" and encoding.pieces[-1] == "[SEP]"
    assert len(encoding.pieces) == len(encoding.word_of_piece) == n >= 2
    assert encoding.ids == tuple(vocab[piece] for piece in encoding.pieces)
    assert all(0 <= i < len(vocab) for i in encoding.ids)
    assert encoding.word_of_piece[0] is None and encoding.word_of_piece[-1] is None
    assert list(inner) == sorted(inner) and list(dict.fromkeys(inner)) == list(range(len(encoding.words)))
    for k in range(1, n - 1):
        continues = k > 1 and encoding.word_of_piece[k] == encoding.word_of_piece[k - 1]
        assert encoding.pieces[k].startswith("##") == continues
    for index, word in enumerate(encoding.words):
        pieces = [p for p, w in zip(encoding.pieces, encoding.word_of_piece) if w == index]
        assert pieces == ["[UNK]"] or "".join(p.removeprefix("##") for p in pieces) == word


# --- the committed reference: runs wherever vocab.txt is ---

def test_committed_reference_is_for_these_texts_and_this_vocabulary(vocab_path):
    data, entries = _committed()
    assert [text for text, _ in entries] == reference.TEXTS, "run tests/unit/make_wordpiece_reference.py"
    assert data["vocab_sha256"] == hashlib.sha256(vocab_path.read_bytes()).hexdigest()


def test_ids_equal_the_committed_reference(vocab):
    _, entries = _committed()
    assert len(entries) >= 100
    assert [text for text, ids in entries if _ids(text, vocab) != ids] == []


# --- transformers itself, when installed ---

def test_vocabulary_equals_the_reference(vocab, slow):
    assert vocab == dict(slow.vocab)


def test_ids_equal_the_slow_reference_on_varied_texts(vocab, slow):
    texts = reference.TEXTS + VARIED
    assert len(texts) >= 300
    assert _mismatches(texts, vocab, slow) == []


def test_ids_equal_the_fast_tokenizer_where_it_agrees_with_the_reference(vocab, fast):
    texts = [text for text in reference.TEXTS + VARIED if _fast_agrees_here(text, vocab)]
    assert len(texts) >= 250
    assert _mismatches(texts, vocab, fast) == []


@settings(max_examples=400, deadline=None)
@given(text=ANY_TEXT)
def test_ids_equal_the_slow_reference_on_any_text(text, vocab, slow):
    assert _ids(text, vocab) == slow.encode(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cn", "Co", "Cs")).filter(_in_old_unicode)))
def test_ids_equal_the_fast_tokenizer_on_text_it_handles_like_the_reference(text, vocab, fast):
    assume(_fast_agrees_here(text, vocab))
    assert _ids(text, vocab) == fast.encode(text)


# --- properties of any text ---

@settings(max_examples=400, deadline=None)
@given(text=ANY_TEXT, max_pieces=st.integers(2, 40))
def test_any_text_encodes_or_raises_only_too_many_pieces(text, max_pieces, vocab):
    try:
        encoding = encode(text, vocab, max_pieces=max_pieces)
    except TooManyPieces as error:
        assert error.limit == max_pieces < error.pieces
        assert len(encode(text, vocab, max_pieces=error.pieces).ids) == error.pieces
    else:
        assert len(encoding.ids) <= max_pieces
        _check_encoding(encoding, vocab)


@pytest.mark.parametrize("text, pieces, words, word_of_piece", [
    ("", ("[CLS]", "[SEP]"), (), (None, None)),
    ("Tokenization, unaffable!", ("[CLS]", "token", "##ization", ",", "una", "##ffa", "##ble", "!", "[SEP]"),
     ("tokenization", ",", "unaffable", "!"), (None, 0, 0, 1, 2, 2, 2, 3, None)),
    ("Zo\u00eb's CAF\u00c9", ("[CLS]", "zoe", "'", "s", "cafe", "[SEP]"), ("zoe", "'", "s", "cafe"),
     (None, 0, 1, 2, 3, None)),
    ("\u65e5\u672c\U0001f600", ("[CLS]", "\u65e5", "\u672c", "[UNK]", "[SEP]"),
     ("\u65e5", "\u672c", "\U0001f600"), (None, 0, 1, 2, None)),
    ("a [MASK]b", ("[CLS]", "a", "[MASK]", "b", "[SEP]"), ("a", "[MASK]", "b"), (None, 0, 1, 2, None)),
    ("x" * 101, ("[CLS]", "[UNK]", "[SEP]"), ("x" * 101,), (None, 0, None)),
])
def test_encoding_fields(text, pieces, words, word_of_piece, vocab):
    encoding = encode(text, vocab)
    assert isinstance(encoding, Encoding)
    assert (encoding.pieces, encoding.words, encoding.word_of_piece) == (pieces, words, word_of_piece)
    _check_encoding(encoding, vocab)


def test_the_model_limit_is_512_pieces_with_cls_and_sep(vocab):
    assert len(encode("a " * 510, vocab).ids) == MAX_PIECES == 512
    with pytest.raises(TooManyPieces) as raised:
        encode("a " * 511, vocab)
    assert (raised.value.pieces, raised.value.limit) == (513, 512)
    assert isinstance(raised.value, ValueError)


def test_too_many_pieces_tells_the_learner_the_count_and_the_limit(vocab):
    with pytest.raises(TooManyPieces, match=r"^That sentence has 5 pieces, counting \[CLS\] and \[SEP\]; "
                                            r"the limit is 4\. Shorten it and try again\.$"):
        encode("one two three", vocab, max_pieces=4)


# --- the vocabulary file and WordPiece on a small vocabulary: always run ---

TINY = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nun\n##aff\n##able\nu\n##n\n##a\n"


def test_load_vocab_numbers_the_lines_from_zero():
    vocab = load_vocab(TINY)
    assert vocab["[PAD]"] == 0 and vocab["[MASK]"] == 4 and vocab["##a"] == 10 and len(vocab) == 11
    assert load_vocab(TINY.replace("\n", "\r\n")) == vocab == load_vocab(TINY.rstrip("\n"))


def test_load_vocab_refuses_a_vocabulary_without_the_special_tokens():
    with pytest.raises(ValueError, match=r"lacks \[CLS\], \[SEP\]"):
        load_vocab("[PAD]\n[UNK]\n[MASK]\nword\n")


@pytest.mark.parametrize("word, pieces", [
    ("unaffable", ["un", "##aff", "##able"]),  # longest match first: "un", not "u" + "##n"
    ("una", ["un", "##a"]),
    ("unaffablex", ["[UNK]"]),  # one uncovered character makes the whole word unknown
    ("x", ["[UNK]"]),
    ("u" + "n" * 99, ["un"] + ["##n"] * 98),
    ("u" + "n" * 100, ["[UNK]"]),  # longer than 100 characters
])
def test_wordpiece_on_a_small_vocabulary(word, pieces):
    assert wordpiece(word, load_vocab(TINY)) == pieces


def test_the_model_vocabulary(vocab):
    assert len(vocab) == 30522
    assert [vocab[token] for token in SPECIAL_TOKENS] == [0, 100, 101, 102, 103]

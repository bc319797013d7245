"""What a real model's heads do on this sentence, read from their weights; which do what a designed head does.

Three questions the model view and "designed beside real" ask of all-MiniLM-L6-v2's 72 heads:

1. `label_heads`: a short name for each head of a layer, measured on the current sentence (never
   hard-coded): "previous token", "next token", "[CLS]", "[SEP]", "self", "same word", "broad" or
   "mixed", with the number that earned it and one sentence for the learner.
2. `word_rows`: the attention between words rather than WordPiece pieces: a word's pieces are summed
   as keys and averaged as queries; [CLS] and [SEP] are dropped, and the rows are NOT renormalised,
   so a word's row sums to the share of its attention that went to words (1 minus what went to the
   markers): a head that parks 0.9 on [CLS] keeps only 0.1 to show, as it really does.
3. `match_designed`: for each designed head, the real (layer, head) pairs ranked by how much of their
   attention falls in the same places, on the same words.

The toy model splits text into its own tokens ("didn't"), WordPiece into more words ("didn", "'", "t");
`align_words` and `tokens_of_pieces` map the real model's pieces onto the toy tokens, so that
`word_rows(weights, tokens_of_pieces(...), n_words=len(tokens))` is comparable with the designed heads.
"""
from dataclasses import dataclass

import numpy as np

from attention.ops import entropy
from attention.wordpiece import basic_tokenize

PATTERN_THRESHOLD = 0.5  # a pattern names a head when it takes more than half of a token's attention: then no other can
BROAD_THRESHOLD = 0.5  # "broad": as even as a split over at least half of the tokens, so no key stands out


@dataclass(frozen=True)
class Measure:
    """One pattern a head may follow: its label, the score it must reach, and how it reads to a learner."""

    label: str
    threshold: float
    score: object  # (weights [heads, n, n], word_of_piece) -> ([heads] mean, k queries), (None, 0) if undefined
    sentence: str  # "{x}" the score, "{k}" how many queries the mean is over
    strongest: str  # the phrase "mixed" uses when this is a head's strongest pattern


# The measures: each returns every head's score, a mean over the k queries it is defined for.

def _previous(weights, groups):  # [heads, n, n], [n] -> ([heads], k)
    """Mean weight of a query on the token just before it, over the queries that have one (all but the first)."""
    i = np.arange(1, weights.shape[-1])
    return weights[:, i, i - 1].mean(axis=-1) if len(i) else None, len(i)


def _next(weights, groups):  # [heads, n, n], [n] -> ([heads], k)
    """Mean weight of a query on the token just after it, over the queries that have one (all but the last)."""
    i = np.arange(weights.shape[-1] - 1)
    return weights[:, i, i + 1].mean(axis=-1) if len(i) else None, len(i)


def _cls(weights, groups):  # [heads, n, n], [n] -> ([heads], k)
    """Mean weight on the first piece, over all queries, when that piece is a marker ([CLS]: word None)."""
    return (weights[:, :, 0].mean(axis=-1), len(groups)) if groups[0] is None else (None, 0)


def _sep(weights, groups):  # [heads, n, n], [n] -> ([heads], k)
    """Mean weight on the last piece, over all queries, when that piece is a marker ([SEP]: word None)."""
    return (weights[:, :, -1].mean(axis=-1), len(groups)) if groups[-1] is None else (None, 0)


def _self(weights, groups):  # [heads, n, n], [n] -> ([heads], k)
    """Mean weight of a query on itself, over all queries."""
    i = np.arange(weights.shape[-1])
    return weights[:, i, i].mean(axis=-1), len(i)


def _same_word(weights, groups):  # [heads, n, n], [n] -> ([heads], k)
    """Mean weight a piece of a several-piece word gives to the other pieces of its word, over those pieces."""
    same = np.array([[a is not None and a == b for b in groups] for a in groups], dtype=bool)  # [n, n]
    np.fill_diagonal(same, False)
    split = same.any(axis=1)  # [n] the pieces whose word has others
    if not split.any():
        return None, 0
    return (weights * same).sum(axis=-1)[:, split].mean(axis=-1), int(split.sum())


def _broad(weights, groups):  # [heads, n, n], [n] -> ([heads], k)
    """Mean over all queries of 2^H / n, H the row's entropy in bits: 1 for a uniform row, 1/n for a one-hot one."""
    n = weights.shape[-1]
    return (2.0 ** entropy(weights) / n).mean(axis=-1), n


# In this order exact ties are settled: the earlier measure wins.
MEASURES = (
    Measure("previous token", PATTERN_THRESHOLD, _previous,
            "On average each token gives {x} of its attention to the token just before it "
            "(the mean over the {k} tokens that have one).",
            "{x} of its attention on the token just before"),
    Measure("next token", PATTERN_THRESHOLD, _next,
            "On average each token gives {x} of its attention to the token just after it "
            "(the mean over the {k} tokens that have one).",
            "{x} of its attention on the token just after"),
    Measure("[CLS]", PATTERN_THRESHOLD, _cls,
            "On average each token gives {x} of its attention to [CLS], the marker before the sentence: "
            "an attention sink, where a head parks the attention it has no use for (the mean over all {k} tokens).",
            "{x} of its attention on [CLS]"),
    Measure("[SEP]", PATTERN_THRESHOLD, _sep,
            "On average each token gives {x} of its attention to [SEP], the marker after the sentence: "
            "an attention sink, where a head parks the attention it has no use for (the mean over all {k} tokens).",
            "{x} of its attention on [SEP]"),
    Measure("self", PATTERN_THRESHOLD, _self,
            "On average each token gives {x} of its attention to itself (the mean over all {k} tokens).",
            "{x} of its attention on itself"),
    Measure("same word", PATTERN_THRESHOLD, _same_word,
            "On average each piece of a word split into several pieces gives {x} of its attention to the "
            "word's other pieces (the mean over those {k} pieces).",
            "{x} of its attention on the other pieces of its word"),
    Measure("broad", BROAD_THRESHOLD, _broad,
            "On average each token spreads its attention as evenly as over {x} of the tokens, so no key stands "
            "out (the mean of 2^entropy / n over all {k} tokens).",
            "its attention spread as evenly as over {x} of the tokens"),
)
MIXED = "mixed"


@dataclass(frozen=True)
class HeadLabel:
    """What one head does on this sentence, and the number that says so."""

    label: str  # a MEASURES label, or "mixed" when none reaches its threshold
    number: float  # the score that earned the label; for "mixed", its strongest score
    explanation: str  # one sentence for the learner, with the number in it
    scores: tuple  # ((label, score), ...) every measure this sentence defines, in MEASURES order


@dataclass(frozen=True)
class Match:
    """A real head and how much of its attention it puts where a designed head puts it."""

    layer: int
    head: int
    similarity: float  # mean over query words of Σ_j min(real_ij, designed_ij), 0..1


def label_heads(weights, word_of_piece):  # [heads, n, n], [n] int|None -> tuple of heads HeadLabel
    """Each head's label: the measure with the largest score among those at or above their threshold, else "mixed"."""
    weights = _checked_square(weights)
    groups = _checked_groups(word_of_piece, weights.shape[-1])
    measured = [(m, *m.score(weights, groups)) for m in MEASURES]
    measured = [(m, values, k) for m, values, k in measured if k > 0]
    return tuple(_label_one([(m, float(values[h]), k) for m, values, k in measured])
                 for h in range(weights.shape[0]))


def word_rows(weights, word_of_piece, n_words=None):  # [heads, n, n], [n] int|None -> [heads, n_words, n_words]
    """Word-level attention: W[h, a, b] = mean over word a's pieces i of Σ over word b's pieces j of A[h, i, j].

    Pieces whose word is None ([CLS], [SEP]) are dropped as queries and as keys, and the rows are not
    renormalised: row a sums to the share of word a's attention that went to words. A word with no
    pieces (possible when n_words is given) has an all-zero row and column. `n_words` defaults to the
    largest word index + 1.
    """
    weights = _checked_square(weights)
    groups = _checked_groups(word_of_piece, weights.shape[-1])
    used = [g for g in groups if g is not None]
    n_words = max(used, default=-1) + 1 if n_words is None else n_words
    if any(not 0 <= g < n_words for g in used):
        raise ValueError(f"word_of_piece must hold word indices 0..{n_words - 1} or None, got {sorted(set(used))}")
    member = np.zeros((weights.shape[-1], n_words), dtype=np.float64)  # [n, n_words] 1 where piece i is in word a
    for i, group in enumerate(groups):
        if group is not None:
            member[i, group] = 1.0
    sizes = member.sum(axis=0)  # [n_words] pieces per word
    mean_queries = np.divide(member, sizes, out=np.zeros_like(member), where=sizes > 0)  # [n, n_words]
    return mean_queries.T @ weights @ member  # [n_words, n] @ [heads, n, n] @ [n, n_words]


def match_designed(real_word_weights, designed_weights, queries=None):  # [L, H, w, w], [D, w, w], [w] -> D x L*H Match
    """For each of the D designed heads, all L x H real (layer, head) pairs ranked by similarity, best first.

    similarity = mean over the query words of Σ_j min(real_ij, designed_ij): the share of attention that
    both heads put on the same key words. For two rows that each sum to 1 it is 1 - ½ Σ_j |real_ij -
    designed_ij|, one minus the total-variation distance; a real row keeps only what it gave to words
    (word_rows), so attention parked on [CLS]/[SEP] counts as not shared. `queries` says which query words
    count (default all): leave out the toy tokens that no WordPiece piece covers. Equal similarities keep
    (layer, head) order.
    """
    real = np.asarray(real_word_weights, dtype=np.float64)
    designed = np.asarray(designed_weights, dtype=np.float64)
    if real.ndim != 4 or designed.ndim != 3 or real.shape[2:] != designed.shape[1:] or real.shape[2] != real.shape[3]:
        raise ValueError(f"real_word_weights must be [layers, heads, w, w] and designed_weights [designed_heads, w, w] "
                         f"on the same words, got {real.shape} and {designed.shape}")
    counted = np.ones(real.shape[2], dtype=bool) if queries is None else np.asarray(queries, dtype=bool)
    if counted.shape != (real.shape[2],) or not counted.any():
        raise ValueError(f"queries must be {real.shape[2]} booleans with at least one True, got {counted.shape}")
    overlap = np.minimum(real[:, :, None], designed[None, None]).sum(axis=-1)  # [layers, heads, designed_heads, w]
    similarity = overlap[..., counted].mean(axis=-1)  # [layers, heads, designed_heads]
    return tuple(_ranked(similarity[:, :, d]) for d in range(designed.shape[0]))


def align_words(tokens, words):  # [n_tokens] str, [n_words] str -> tuple of n_words int
    """For each WordPiece word (Encoding.words), the index of the toy token (tokenizer.tokenize) it starts in.

    Both split the same text; each toy token is normalised as WordPiece normalises text (basic_tokenize:
    lower-cased, accents stripped, control characters dropped), and the words are laid along those
    characters: "didn't" covers "didn", "'", "t"; "3.14" covers "3", ".", "14". A word that runs over
    several toy tokens belongs to the first. ValueError if the two do not spell the same characters.
    """
    ends = np.cumsum([len("".join(basic_tokenize(token))) for token in tokens])  # [n_tokens] end of each token
    starts = np.cumsum([0] + [len(word) for word in words])  # [n_words + 1]
    total = int(ends[-1]) if len(tokens) else 0
    if int(starts[-1]) != total:
        raise ValueError(f"the toy tokens and the WordPiece words spell {total} and {int(starts[-1])} characters: "
                         f"not the same text")
    return tuple(int(np.searchsorted(ends, start, side="right")) for start in starts[:-1])


def tokens_of_pieces(word_of_piece, token_of_word):  # [n] int|None, [n_words] int -> tuple of n int|None
    """Each piece's toy token: word_of_piece composed with align_words' token_of_word ([CLS]/[SEP] stay None)."""
    return tuple(None if word is None else token_of_word[word] for word in word_of_piece)


def covered(token_of_piece, n_tokens):  # [n] int|None, int -> [n_tokens] bool
    """Which toy tokens some WordPiece piece belongs to: the `queries` match_designed should count."""
    mask = np.zeros(n_tokens, dtype=bool)
    mask[[t for t in token_of_piece if t is not None]] = True
    return mask


def _label_one(scores):  # [(Measure, score, k)] -> HeadLabel
    """The largest score at or above its threshold names the head; otherwise "mixed", with its strongest."""
    table = tuple((m.label, score) for m, score, _ in scores)
    passing = [entry for entry in scores if entry[1] >= entry[0].threshold]
    pool = passing or scores
    best = max(pool, key=lambda entry: entry[1])  # max keeps the first of equals: MEASURES order
    measure, score, k = best
    x = _share(measure, score)
    if passing:
        return HeadLabel(measure.label, score, measure.sentence.format(x=x, k=k), table)
    return HeadLabel(MIXED, score, f"No single pattern takes most of its attention; the strongest is "
                                   f"'{measure.label}', with {measure.strongest.format(x=x)}.", table)


def _share(measure, score):  # Measure, float -> str
    """The score as the learner reads it: a weight with two decimals, a spread as a percentage."""
    return f"{score:.0%}" if measure.label == "broad" else f"{score:.2f}"


def _ranked(similarity):  # [layers, heads] -> tuple of Match, best first
    """Every (layer, head) by decreasing similarity; a stable sort keeps (layer, head) order among equals."""
    order = np.argsort(-similarity, axis=None, kind="stable")
    layers, heads = np.unravel_index(order, similarity.shape)
    return tuple(Match(int(l), int(h), float(similarity[l, h])) for l, h in zip(layers, heads))


def _checked_square(weights):  # array-like -> [heads, n, n] float64
    """The weights as float64 [heads, n, n] with n >= 1, or a ValueError naming the shape."""
    a = np.asarray(weights, dtype=np.float64)
    if a.ndim != 3 or a.shape[1] != a.shape[2] or a.shape[1] == 0:
        raise ValueError(f"weights must be one layer's [heads, n, n] self-attention, got shape {a.shape}")
    return a


def _checked_groups(word_of_piece, n):  # [n] int|None, int -> tuple
    """word_of_piece as a tuple of n entries, or a ValueError."""
    groups = tuple(word_of_piece)
    if len(groups) != n:
        raise ValueError(f"word_of_piece must have one entry per piece ({n}), got {len(groups)}")
    return groups

"""The toy model: readable embeddings and four attention heads designed by hand.

Nothing here is trained. Each token becomes a row of D_MODEL = 16 numbers that a
learner can read (FEATURES names the columns): what kind of word it is, what
it means and its grammatical gender, all from the lexicon, plus where it stands
(a position signal). Then
each head's W_Q and W_K are written so that the head asks one question that
trained transformers are known to ask: which word came before me? which noun do I
belong to? which words mean something related? what does "it" stand for?

How a head is written down. Its score is q_i · k_j = Σ_d q_i[d] k_j[d] over its
D_K = 4 dimensions, and each dimension is one question: a column of W_Q reads
some features of the query word, the matching column of W_K reads some features
of the key word, and the product is large when both are present. The numbers in
those columns are the head's sharpness: how much a match counts. They are chosen
so that the intended key clearly wins (usually 50-90 % of the weight) while the
softmax still gives the other keys something to show.

Position works the same way with rotations. Position i is the point
(cos iω, sin iω) on a circle for two speeds: ω = π/18 (the slow pair, once
round in 36 tokens, so no two positions of a 32-token sentence look alike) and
4π/18 (the fast pair, once round in 9). W_K copies the
point; W_Q turns it by `offset` steps. The dot product of two points is the
cosine of the angle between them, so query i scores highest on the key at
position i + offset and less the further a key is from there: the slow pair
tells near from far, the fast pair tells neighbours apart. The offset need not
be whole: the syntactic head's -0.3 makes the nearer of two words win and, of
two equally near, the one before.

The values copy four features per head (HeadInfo.values) and W_O writes them
back onto the same columns, so a head's output says what it found.
"""
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from attention.lexicon import lookup
from attention.tokenizer import normalize

FEATURES = (
    "noun", "verb", "adj", "adv", "pron",  # part of speech (other parts of speech leave these 0)
    "alive",  # animacy: people and animals 1, things 0
    "animal", "food", "heat", "feel", "color",  # meaning classes from the lexicon
    "gender",  # grammatical gender: he, man, Tom 1; she, woman, Anna -1; words without one 0
    "pos cos", "pos sin", "pos cos4", "pos sin4",  # where the token stands: slow and fast position pairs
)
D_MODEL = len(FEATURES)  # 16: small enough to print every number
HEADS = 4
D_K = D_MODEL // HEADS  # 4 questions per head
D_V = D_K
OMEGA = np.pi / 18  # slow pair: radians per token, a full turn in 36 > MAX_TOKENS; the fast pair turns 4ω

_COLUMN = {name: i for i, name in enumerate(FEATURES)}
_POS_FEATURES = ("noun", "verb", "adj", "adv", "pron")
_CLASS_FEATURES = {"animal": "animal", "food": "food", "temperature": "heat", "emotion": "feel", "color": "color"}
_GENDER_SIGN = {"male": 1.0, "female": -1.0, "": 0.0}
_SLOW = ("pos cos", "pos sin", 1)  # the pair's cos column, sin column, speed in units of OMEGA
_FAST = ("pos cos4", "pos sin4", 4)


@dataclass(frozen=True)
class HeadInfo:
    name: str  # the head selector's label
    explanation: str  # one sentence under the selector: what the head looks for
    values: tuple  # the features its value vectors copy: the labels of its D_V output columns


HEAD_INFO = (
    HeadInfo("positional",
             "Each word looks at the word just before it, using nothing but the position signal.",
             ("noun", "verb", "adj", "adv")),
    HeadInfo("syntactic",
             "Adjectives and verbs look for the nearest noun (pronouns count half), the one before if two are "
             "equally near: an adjective finds the noun right after it ('the small cat'), a verb the subject "
             "just before it ('lions hunt zebras'); adverbs look for their verb, other words at their neighbours.",
             ("noun", "alive", "animal", "food")),
    HeadInfo("semantic",
             "Words look for related meanings: animals find animals, colours find colours, living things "
             "find feelings, and a word that may be food finds heat words, which is how 'hot' makes 'dog' a food.",
             ("animal", "food", "heat", "feel")),
    HeadInfo("coreference",
             "Pronouns look back for a noun or pronoun to stand for: living ones first (even for 'it'), and "
             "above all one of the same gender ('he' finds 'him', not 'her'); other words find little (a "
             "gendered word finds its gender) and spread their attention, leaning towards earlier words.",
             ("noun", "alive", "animal", "gender")),
)


def embed(tokens, positions=True):  # list[str] -> [n, d_model]
    """x_i = lexicon features of token i (+ its position signal): one readable row per token."""
    x = np.array([_features(token) for token in tokens], dtype=np.float64).reshape(len(tokens), D_MODEL)
    return x + position_signal(len(tokens)) if positions else x


def position_signal(n):  # int -> [n, d_model]
    """Rows with only the position columns set: (cos iω, sin iω, cos 4iω, sin 4iω) for i = 0..n-1."""
    p = np.zeros((n, D_MODEL))
    for cos_name, sin_name, speed in (_SLOW, _FAST):
        angle = np.arange(n) * speed * OMEGA  # [n]
        p[:, _COLUMN[cos_name]] = np.cos(angle)
        p[:, _COLUMN[sin_name]] = np.sin(angle)
    return p


@lru_cache(maxsize=1)
def weights():  # -> w_q, w_k [d_model, heads*d_k], w_v [d_model, heads*d_v], w_o [heads*d_v, d_model]
    """The designed heads side by side: head h uses columns h*D_K:(h+1)*D_K, as attention_trace expects.
    Built once; the arrays are read-only, so every caller shares them safely."""
    designs = (_positional_head(), _syntactic_head(), _semantic_head(), _coreference_head())
    w_q = np.concatenate([_columns([q for q, _ in dims]) for dims in designs], axis=1)
    w_k = np.concatenate([_columns([k for _, k in dims]) for dims in designs], axis=1)
    w_v = np.concatenate([_columns([{f: 1.0} for f in info.values]) for info in HEAD_INFO], axis=1)
    matrices = (w_q, w_k, w_v, w_v.T.copy())
    for w in matrices:
        w.setflags(write=False)
    return matrices


# Each head is a list of D_K questions (query features, key features); a dict gives a column's non-zero weights.

def _positional_head():
    """Previous token: both position pairs turned back one step, so key i-1 lines up with query i.

    score(i, j) = 9 cos((j-i+1)ω) + 16 cos(4(j-i+1)ω): the slow pair alone would barely tell
    j = i-1 from its neighbours, the fast pair alone would confuse i-1 with i-10 and i+8.
    The first word has no word before it and mostly attends to itself, the nearest thing.
    """
    return [*_relative(_SLOW, offset=-1, sharpness=3.0), *_relative(_FAST, offset=-1, sharpness=4.0)]


def _syntactic_head():
    """Grammar: a content match (who is my partner?) plus a preference for the nearest word.

    score(i, j) = 8 [adj_i + verb_i] noun_j + 4 [adj_i + verb_i] pron_j + 8 adv_i verb_j + 81 cos((j-i+0.3)ω).
    The position term peaks 0.3 of a step before the query, so nearer is better, and of two words
    equally near the one before is better: a word one step before scores 81 cos(0.7ω), one step after
    81 cos(1.3ω), 1.5 less, and two steps before 81 cos(1.7ω), 1.5 less again. A verb therefore takes the
    noun before it over the one after it (its subject, "lions hunt zebras"), and an adjective the noun
    right after it over one two or more words back ("red apples and green pears"). Possessives are
    pronouns in the lexicon, so pronouns count half: "my little sister" -> sister.
    """
    return [
        ({"adj": 2.0, "verb": 2.0}, {"noun": 4.0, "pron": 2.0}),
        ({"adv": 2.0}, {"verb": 4.0}),
        *_relative(_SLOW, offset=-0.3, sharpness=9.0),
    ]


def _semantic_head():
    """Meaning: four class-to-class matches, no position at all.

    score(i, j) = 4 animal_i animal_j + 16 food_i heat_j + 4 color_i color_j + 3 alive_i feel_j.
    "dog" is an animal (1) and weakly food (0.5): alone it matches itself (4); next to "hot"
    its food sense matches hot's heat (16 x 0.5 = 8) and wins. A French word has the features
    of its English translation, so in cross-attention this head aligns "chat" with "cat".
    """
    return [
        ({"animal": 2.0}, {"animal": 2.0}),
        ({"food": 4.0}, {"heat": 4.0}),
        ({"color": 2.0}, {"color": 2.0}),
        ({"alive": 1.5}, {"feel": 2.0}),
    ]


def _coreference_head():
    """Pronouns: a pronoun query matches nouns and living things, a same-gender word more, and looks back.

    score(i, j) = 4 pron_i noun_j + 4 pron_i alive_j + 4 gender_i gender_j + 6.25 sin((i-j)ω).
    A living noun scores 8 and a lifeless one 4, so "it" prefers "animal" to "street" (the head cannot
    tell that "it" usually means a thing). A person's pronoun ("him") is alive, 4, plus 4 when its
    gender matches the query's (he -> him) or minus 4 when it does not (he -> she). The last term is the
    slow pair turned back 9 steps (a quarter turn): 0 on the query itself, positive for the 17 words
    before it and negative after, since an antecedent comes first. The query matches itself as well as
    any earlier "him", so only this term sends "he" past itself to the "him" four words back.
    """
    return [
        ({"pron": 2.0}, {"noun": 2.0, "alive": 2.0}),
        ({"gender": 2.0}, {"gender": 2.0}),
        *_relative(_SLOW, offset=-9, sharpness=2.5),
    ]


def _relative(pair, offset, sharpness):
    """Two questions that make query i prefer the key at position i + offset (see the module docstring).

    k = s (cos jω, sin jω) and q = s (cos (i+offset)ω, sin (i+offset)ω), so q·k = s² cos((j-i-offset)ω),
    with ω the pair's own speed.
    """
    cos_name, sin_name, speed = pair
    a = offset * speed * OMEGA
    return [
        ({cos_name: sharpness * np.cos(a), sin_name: -sharpness * np.sin(a)}, {cos_name: sharpness}),
        ({cos_name: sharpness * np.sin(a), sin_name: sharpness * np.cos(a)}, {sin_name: sharpness}),
    ]


def _columns(dims):  # list of {feature: weight} -> [d_model, len(dims)]
    """A weight block whose column d has the given weights on the named feature rows."""
    w = np.zeros((D_MODEL, len(dims)))
    for d, column in enumerate(dims):
        for feature, weight in column.items():
            w[_COLUMN[feature], d] = weight
    return w


@lru_cache(maxsize=4096)
def _features(token):  # str -> tuple of d_model floats (remembered: typing looks the same words up again)
    """The lexicon half of an embedding: part of speech, animacy and meaning classes of one token."""
    entry = lookup(token)
    row = [0.0] * D_MODEL
    if entry.pos in _POS_FEATURES:
        row[_COLUMN[entry.pos]] = 1.0
    row[_COLUMN["alive"]] = float(entry.animacy)
    row[_COLUMN["gender"]] = _GENDER_SIGN[entry.gender]
    for cls, feature in _CLASS_FEATURES.items():
        row[_COLUMN[feature]] = float(entry.classes.get(cls, 0.0))
    return tuple(row)


# scatter_xy's projection: each feature pulls a word in one direction. x runs from things
# (left) to actions and descriptions (right); y from lifeless (down) to living and feeling (up).
SCATTER = {
    "noun": (-1.0, 0.0), "pron": (-0.8, 0.4), "verb": (1.0, 0.0), "adj": (0.6, -0.2), "adv": (0.9, -0.5),
    "alive": (0.0, 0.7), "animal": (-0.3, 0.7), "food": (-0.2, -0.8), "heat": (0.3, -0.7),
    "feel": (0.5, 0.7), "color": (0.7, -0.7),
}  # "gender" is left out, so "he" and "she" share a place on the map
_SCATTER_PROJECTION = _columns([{f: xy[0] for f, xy in SCATTER.items()}, {f: xy[1] for f, xy in SCATTER.items()}])
SCATTER_JITTER = 0.08  # words with identical features are nudged apart by up to this much, by a hash of the word


def scatter_xy(tokens):  # list[str] -> [n, 2]
    """A 2-D point per token for the scatter plot: xy = features · SCATTER + a small fixed nudge.

    Position is left out, so the same word lands in the same place wherever it stands,
    and words that share features (the animals, the feelings) cluster.
    """
    nudge = np.array([_nudge(token) for token in tokens], dtype=np.float64).reshape(len(tokens), 2)
    return project_xy(embed(tokens, positions=False)) + nudge


def project_xy(vectors):  # [n, d_model] -> [n, 2]
    """The linear part of scatter_xy, vectors · SCATTER: where a change of the features moves a point."""
    return np.asarray(vectors, dtype=np.float64) @ _SCATTER_PROJECTION


@lru_cache(maxsize=4096)
def _nudge(token):  # str -> (dx, dy)
    """A fixed offset in [-SCATTER_JITTER, SCATTER_JITTER]² from the SHA-256 of the token's lookup key."""
    digest = hashlib.sha256(normalize(token).encode("utf-8", "surrogatepass")).digest()
    return tuple(SCATTER_JITTER * (2 * b / 255 - 1) for b in digest[:2])

"""all-MiniLM-L6-v2, a trained BERT encoder, in NumPy: the real model beside the designed heads.

    h_0 = LN(E_word[ids] + E_pos[0..n-1] + E_type[0])
    for each of the 6 layers:
        t = attention_trace(h, W_Q, W_K, W_V, W_O, heads=12, b_q=b_Q, b_k=b_K, b_v=b_V, b_o=b_O)
        a = LN(h + t.output)
        h = LN(a + GELU(a W_1 + b_1) W_2 + b_2)

Layer l's attention, head j, is the very `attention_trace` the designed heads use: traces[l].weights[j].
Row vectors as in the engine (x @ W); torch's Linear stores W transposed, so weights_from_safetensors
transposes each matrix once. Everything outside attention_trace is float32 (it works in float64).
In the browser the word embeddings arrive in shards, only those a sentence needs (WordShards): embed
raises MissingShards, naming them, for a row that is not there yet, never a row of zeros.
MiniLM is by Microsoft, all-MiniLM-L6-v2 by sentence-transformers, both Apache-2.0.
"""
from dataclasses import dataclass, fields
import math

import numpy as np

from attention.core import attention_trace
from attention.ops import linear

LAYERS = 6
HEADS = 12
D_MODEL = 384         # = HEADS * d_k, d_k = 32
D_FF = 1536           # the feed-forward's hidden width
VOCAB = 30522         # WordPiece pieces, uncased
MAX_POSITIONS = 512   # learned absolute positions
EPS = 1e-12           # LayerNorm's epsilon, as the model was trained with

# erfc(z) = t exp(-z² + P(t)), t = 2 / (2 + z): the form of Numerical Recipes' erfcc, with P (lowest power
# first) refitted by least squares to math.erfc on z in [0, 6]; |erf error| < 4e-9 there, and beyond 6
# erf is 1 to float64 precision.
ERFC_P = (-1.2656644243459478, 1.0036115145177125, 0.3369825015553918, 0.3171193014145144,
          -1.0142161488062356, 2.3319117716390867, -4.5375582815186295, 5.214201281673734,
          -3.4073459744907186, 1.1997470130557497, -0.17878855809110344)


@dataclass(frozen=True, eq=False)
class Layer:
    """One encoder layer's weights, float32, row-vector convention (x @ w)."""

    w_q: np.ndarray          # [d_model, heads * d_k]
    b_q: np.ndarray          # [heads * d_k]
    w_k: np.ndarray          # [d_model, heads * d_k]
    b_k: np.ndarray          # [heads * d_k]
    w_v: np.ndarray          # [d_model, heads * d_v]
    b_v: np.ndarray          # [heads * d_v]
    w_o: np.ndarray          # [heads * d_v, d_model]
    b_o: np.ndarray          # [d_model]
    attn_ln_gamma: np.ndarray  # [d_model]     LayerNorm after attention + residual
    attn_ln_beta: np.ndarray   # [d_model]
    w_1: np.ndarray          # [d_model, d_ff]
    b_1: np.ndarray          # [d_ff]
    w_2: np.ndarray          # [d_ff, d_model]
    b_2: np.ndarray          # [d_model]
    ffn_ln_gamma: np.ndarray   # [d_model]     LayerNorm after feed-forward + residual
    ffn_ln_beta: np.ndarray    # [d_model]


class MissingShards(LookupError):
    """Some ids' word-embedding rows are not loaded yet; `shards` lists their shards' indices, sorted."""

    def __init__(self, shards, ids):
        self.shards = shards
        super().__init__(f"the word embeddings of ids {', '.join(map(str, ids))} are not loaded yet: "
                         f"fetch shard{'s' if len(shards) > 1 else ''} {', '.join(map(str, shards))} "
                         "and add each with model_pack.add_shard first")


@dataclass(frozen=True, eq=False)
class WordShards:
    """Which rows of Weights.word are loaded, when they arrive in shards of `rows` consecutive ids."""

    rows: int             # ids per shard: shard s holds ids s*rows .. s*rows + rows - 1 (the last one fewer)
    sha256: tuple         # n_shards x hex digest of each shard's bytes, to check it when it arrives
    present: np.ndarray   # bool [n_shards], True once the shard's rows are in Weights.word (the mutable part)

    def missing(self, ids):  # [n] int -> sorted indices of the shards holding ids whose rows are not loaded
        """The shards still needed before these ids can be embedded."""
        shards = np.unique(_checked_ids(ids) // self.rows)
        return [int(s) for s in shards[~self.present[shards]]]


@dataclass(frozen=True, eq=False)
class Weights:
    """The whole model's weights, float32; shapes are checked when it is made."""

    word: np.ndarray         # [vocab, d_model]          one row per WordPiece id
    position: np.ndarray     # [max_positions, d_model]  one row per position 0..511
    token_type: np.ndarray   # [d_model]                 type 0 (sentence A): a single sentence uses only it
    ln_gamma: np.ndarray     # [d_model]                 LayerNorm of the embeddings
    ln_beta: np.ndarray      # [d_model]
    layers: tuple            # LAYERS x Layer
    word_shards: WordShards = None  # None: every row of `word` is there; else which shards are (the browser)

    def __post_init__(self):
        if len(self.layers) != LAYERS:
            raise ValueError(f"the model has {LAYERS} layers, got {len(self.layers)}")
        for name, array in named_arrays(self).items():
            expected = EXPECTED_SHAPES[name.split(".")[-1]]
            if array.shape != expected or array.dtype != np.float32:
                raise ValueError(f"{name} must be float32 {expected}, got {array.dtype} {array.shape}")
        shards = self.word_shards
        if shards is not None and not (len(shards.sha256) == len(shards.present) == -(-VOCAB // shards.rows)):
            raise ValueError(f"{VOCAB} word rows in shards of {shards.rows} make {-(-VOCAB // shards.rows)} "
                             f"shards, got {len(shards.sha256)} digests and {len(shards.present)} flags")


EXPECTED_SHAPES = {
    "word": (VOCAB, D_MODEL), "position": (MAX_POSITIONS, D_MODEL),
    "w_q": (D_MODEL, D_MODEL), "w_k": (D_MODEL, D_MODEL), "w_v": (D_MODEL, D_MODEL), "w_o": (D_MODEL, D_MODEL),
    "w_1": (D_MODEL, D_FF), "b_1": (D_FF,), "w_2": (D_FF, D_MODEL),
    **{name: (D_MODEL,) for name in ("token_type", "ln_gamma", "ln_beta", "b_q", "b_k", "b_v", "b_o", "b_2",
                                     "attn_ln_gamma", "attn_ln_beta", "ffn_ln_gamma", "ffn_ln_beta")},
}


@dataclass(frozen=True, eq=False)
class Run:
    """What the model computed for one sentence: every layer's attention and every hidden state."""

    traces: tuple   # LAYERS x Trace             traces[l].weights[j]: layer l, head j, [n, n]
    hidden: tuple   # (LAYERS + 1) x [n, d_model] h_0 (embeddings) .. h_6 (the model's output)


# The equations.

def layer_norm(x, gamma, beta, eps=EPS):  # [n, d], [d], [d] -> [n, d]
    """(x - mean) / √(variance + eps) * gamma + beta, over each row."""
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * gamma + beta


def erf(x):  # [...] -> [...] float64
    """The error function, |error| < 4e-9, vectorised (NumPy has none); in place in one buffer (twice as fast)."""
    z = np.minimum(np.abs(np.asarray(x, dtype=np.float64)), 6.0)
    t = 2.0 / (2.0 + z)
    p = np.full_like(t, ERFC_P[-1])
    for c in reversed(ERFC_P[:-1]):  # Horner: P(t)
        p *= t
        p += c
    z *= z
    p -= z
    np.exp(p, out=p)
    p *= t                      # erfc(|x|) = t exp(P(t) - z²)
    np.subtract(1.0, p, out=p)
    p *= np.sign(x)
    return p


def gelu(x):  # [...] float32 -> [...] float32
    """x Φ(x) = x (1 + erf(x / √2)) / 2: BERT's exact GELU (not the tanh approximation)."""
    phi = erf(x / math.sqrt(2.0))
    phi += 1.0
    phi *= x
    phi *= 0.5
    return phi.astype(np.float32)


def embed(ids, weights):  # [n] int -> [n, d_model]
    """h_0 = LN(E_word[ids] + E_pos[0..n-1] + E_type[0]); MissingShards if some ids' rows are not loaded."""
    ids = _checked_ids(ids)
    missing = [] if weights.word_shards is None else weights.word_shards.missing(ids)
    if missing:
        rows = weights.word_shards.rows
        raise MissingShards(missing, sorted({int(i) for i in ids if i // rows in missing}))
    e = weights.word[ids] + weights.position[:len(ids)] + weights.token_type
    return layer_norm(e, weights.ln_gamma, weights.ln_beta)


def encoder_layer(h, layer):  # [n, d_model], Layer -> [n, d_model], Trace
    """One post-LN BERT layer: multi-head self-attention, then the GELU feed-forward, each + residual + LN."""
    a, t = attention_part(h, layer)
    return feed_forward_out(a, feed_forward_in(a, layer), layer), t


def attention_part(h, layer):  # [n, d_model], Layer -> [n, d_model], Trace
    """a = LN(h + attention(h)): the layer's first half."""
    t = attention_trace(h, layer.w_q, layer.w_k, layer.w_v, layer.w_o, heads=HEADS,
                        b_q=layer.b_q, b_k=layer.b_k, b_v=layer.b_v, b_o=layer.b_o)
    return layer_norm(h + t.output.astype(np.float32), layer.attn_ln_gamma, layer.attn_ln_beta), t


def feed_forward_in(a, layer):  # [n, d_model], Layer -> [n, d_ff]
    """GELU(a W_1 + b_1): the feed-forward's hidden layer."""
    return gelu(linear(a, layer.w_1, layer.b_1))


def feed_forward_out(a, u, layer):  # [n, d_model], [n, d_ff], Layer -> [n, d_model]
    """h = LN(a + u W_2 + b_2): the layer's output."""
    return layer_norm(a + linear(u, layer.w_2, layer.b_2), layer.ffn_ln_gamma, layer.ffn_ln_beta)


PARTS = ("attention", "feed-forward in", "feed-forward out")  # the steps of one layer in forward_steps


def forward(ids, weights):  # [n] int, Weights -> Run
    """All 6 layers on one sentence's ids ([CLS] ... [SEP]), keeping each layer's Trace."""
    steps = forward_steps(ids, weights)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def forward_steps(ids, weights):  # [n] int, Weights -> generator of (layer, part), returning the Run
    """forward() in 18 steps, for a page that draws and reads keys between them (ui.real.Pass): it yields
    (l, part) after each part of layer l (PARTS), and returns the Run; the same operations, so the same numbers."""
    hidden, traces = [embed(ids, weights)], []
    for l, layer in enumerate(weights.layers):
        a, t = attention_part(hidden[-1], layer)
        yield l, PARTS[0]
        u = feed_forward_in(a, layer)
        yield l, PARTS[1]
        hidden.append(feed_forward_out(a, u, layer))
        traces.append(t)
        yield l, PARTS[2]
    return Run(tuple(traces), tuple(hidden))


def _checked_ids(ids):  # array-like -> int64 [n]
    """The ids as an int64 vector of 1..512 valid vocabulary indices, or a ValueError saying what is wrong."""
    a = np.asarray(ids)
    if a.ndim != 1 or not 1 <= len(a) <= MAX_POSITIONS:
        raise ValueError(f"ids must be a list of 1 to {MAX_POSITIONS} token ids, got shape {a.shape}")
    if a.dtype.kind not in "iu":
        raise ValueError(f"ids must be integers, got dtype {a.dtype}")
    if a.min() < 0 or a.max() >= VOCAB:
        raise ValueError(f"ids must be in 0..{VOCAB - 1}, got {a.min()}..{a.max()}")
    return a.astype(np.int64)


# Weights in and out.

def weights_from_safetensors(tensors):  # {torch name: array} -> Weights
    """The model's weights from its model.safetensors tensors (torch names; Linear W transposed to x @ W)."""
    def vector(name):
        return np.array(tensors[name], dtype=np.float32)

    def matrix(name):  # torch Linear [out, in] -> [in, out]
        return np.ascontiguousarray(np.asarray(tensors[name], dtype=np.float32).T)

    def layer(l):
        p = f"encoder.layer.{l}."
        return Layer(
            w_q=matrix(p + "attention.self.query.weight"), b_q=vector(p + "attention.self.query.bias"),
            w_k=matrix(p + "attention.self.key.weight"), b_k=vector(p + "attention.self.key.bias"),
            w_v=matrix(p + "attention.self.value.weight"), b_v=vector(p + "attention.self.value.bias"),
            w_o=matrix(p + "attention.output.dense.weight"), b_o=vector(p + "attention.output.dense.bias"),
            attn_ln_gamma=vector(p + "attention.output.LayerNorm.weight"),
            attn_ln_beta=vector(p + "attention.output.LayerNorm.bias"),
            w_1=matrix(p + "intermediate.dense.weight"), b_1=vector(p + "intermediate.dense.bias"),
            w_2=matrix(p + "output.dense.weight"), b_2=vector(p + "output.dense.bias"),
            ffn_ln_gamma=vector(p + "output.LayerNorm.weight"), ffn_ln_beta=vector(p + "output.LayerNorm.bias"))

    return Weights(word=vector("embeddings.word_embeddings.weight"),
                   position=vector("embeddings.position_embeddings.weight"),
                   token_type=vector("embeddings.token_type_embeddings.weight")[0],
                   ln_gamma=vector("embeddings.LayerNorm.weight"), ln_beta=vector("embeddings.LayerNorm.bias"),
                   layers=tuple(layer(l) for l in range(LAYERS)))


TOP_NAMES = tuple(f.name for f in fields(Weights) if f.name not in ("layers", "word_shards"))
ARRAY_NAMES = TOP_NAMES + tuple(f"layers.{l}.{f.name}" for l in range(LAYERS) for f in fields(Layer))


def named_arrays(weights):  # Weights -> {"word": ..., "layers.0.w_q": ..., ...} in ARRAY_NAMES order
    """Every array of the weights under a flat name, as the model pack stores them."""
    top = {name: getattr(weights, name) for name in TOP_NAMES}
    per_layer = {f"layers.{l}.{f.name}": getattr(layer, f.name)
                 for l, layer in enumerate(weights.layers) for f in fields(Layer)}
    return {**top, **per_layer}


def weights_from_named(arrays, word_shards=None):  # {flat name: array}, WordShards | None -> Weights
    """The inverse of named_arrays."""
    layers = tuple(Layer(**{f.name: arrays[f"layers.{l}.{f.name}"] for f in fields(Layer)}) for l in range(LAYERS))
    return Weights(**{name: arrays[name] for name in TOP_NAMES}, layers=layers, word_shards=word_shards)

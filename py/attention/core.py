"""Scaled dot-product attention that keeps every intermediate, so each step can be shown.

    Q = X W_Q + b_Q  K = C W_K + b_K  V = C W_V + b_V    (C = context, or X for self-attention;
                                                          the biases are optional, 0 when absent)
    A = softmax(Q Kᵀ / √d_k / temperature)               per head, over the allowed keys only
    O = concat(A_1 V_1, ..., A_heads V_heads) W_O + b_O

Row-vector convention: a token is a row, so `x @ w_q` projects every token at once.
Head h uses columns h*d_k:(h+1)*d_k of w_q and w_k, and h*d_v:(h+1)*d_v of w_v.
The projections (x W + b) are multiplied in float32 when x, the context and every matrix are float32
arrays (a trained model's weights: as that model computes, and without widening them on every call),
otherwise in float64; everything else, and every array of the Trace, is float64.
"""
from dataclasses import dataclass, fields
import math
import numbers

import numpy as np

from attention.ops import causal_mask, linear, softmax


@dataclass(frozen=True, eq=False)
class Trace:
    """Every intermediate of one attention computation; the arrays are float64 and read-only."""

    q: np.ndarray             # [heads, n_q, d_k]   queries
    k: np.ndarray             # [heads, n_k, d_k]   keys
    v: np.ndarray             # [heads, n_k, d_v]   values
    scores: np.ndarray        # [heads, n_q, n_k]   Q Kᵀ, before scaling
    scaled: np.ndarray        # [heads, n_q, n_k]   scores / scale_factor / temperature, not masked
    allowed: np.ndarray       # bool [n_q, n_k]     True where query i may attend key j
    weights: np.ndarray       # [heads, n_q, n_k]   softmax over allowed keys; rows sum to 1 (0 if none allowed)
    head_outputs: np.ndarray  # [heads, n_q, d_v]   A V, per head
    concat: np.ndarray        # [n_q, heads * d_v]  the heads side by side
    output: np.ndarray        # [n_q, d_out]        concat W_O, or concat when there is no W_O
    scale: bool               # whether the scores were divided by √d_k
    scale_factor: float       # √d_k, or 1.0 when scale is False
    temperature: float        # divides the scaled scores: > 1 flattens the weights, < 1 sharpens them

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    # Sizes, read off the arrays.
    heads = property(lambda self: self.q.shape[0])
    n_q = property(lambda self: self.q.shape[1])
    n_k = property(lambda self: self.k.shape[1])
    d_k = property(lambda self: self.q.shape[2])
    d_v = property(lambda self: self.v.shape[2])


# Overflow is caught by value (_require_finite), which also works where there are no FP flags (wasm).
@np.errstate(over="ignore", invalid="ignore")
def attention_trace(x, w_q, w_k, w_v, w_o=None, heads=1, mask=None, context=None, scale=True, temperature=1.0,
                    *, b_q=None, b_k=None, b_v=None, b_o=None):
    """softmax(Q Kᵀ / √d_k / temperature) V for every head, concatenated and projected by W_O, as a Trace.

    x         [n_q, d_model]              the tokens that ask (queries)
    context   [n_k, d_model] or None      the tokens asked (keys, values); None: x itself (self-attention)
    w_q, w_k  [d_model, heads * d_k]
    w_v       [d_model, heads * d_v]
    w_o       [heads * d_v, d_out] or None (then the output is the concatenated heads)
    mask      None; "causal": query i may attend key j iff j <= i (top-left aligned, as torch's
              is_causal=True, also when n_q != n_k); or bool [n_q, n_k], True = may attend
    scale     divide the scores by √d_k;  temperature > 0 divides them once more
    b_q, b_k  [heads * d_k] or None       biases added to Q and K (a trained model's Linear layers have them)
    b_v       [heads * d_v] or None
    b_o       [d_out] or None             added to the output (also where a query may attend nothing); needs w_o

    Raises ValueError, naming the argument and the problem, for anything it cannot compute.
    """
    x, context, w_q, w_k, w_v, w_o, allowed, temperature = _checked(
        x, w_q, w_k, w_v, w_o, heads, mask, context, scale, temperature)
    b_q, b_k, b_v, b_o = _biases(w_q, w_k, w_v, w_o, b_q=b_q, b_k=b_k, b_v=b_v, b_o=b_o)
    q = _split_heads(_project(x, w_q, b_q), heads)        # [heads, n_q, d_k]
    k = _split_heads(_project(context, w_k, b_k), heads)  # [heads, n_k, d_k]
    v = _split_heads(_project(context, w_v, b_v), heads)  # [heads, n_k, d_v]
    _require_finite(x.dtype, q=q, k=k, v=v)
    scores = q @ k.transpose(0, 2, 1)             # [heads, n_q, n_k]
    scale_factor = math.sqrt(q.shape[2]) if scale else 1.0  # √d_k
    scaled = scores / scale_factor / temperature
    _require_finite(np.float64, scores=scores, scaled=scaled)
    weights = softmax(scaled, allowed)            # [heads, n_q, n_k]; allowed is shared by all heads
    head_outputs = weights @ v                    # [heads, n_q, d_v]
    concat = _merge_heads(head_outputs)           # [n_q, heads * d_v]
    _require_finite(np.float64, head_outputs=head_outputs)
    output = concat if w_o is None else _project(concat, w_o, b_o)
    _require_finite(x.dtype, output=output)
    return Trace(q, k, v, scores, scaled, allowed, weights, head_outputs, concat, output,
                 bool(scale), scale_factor, temperature)


def _project(a, w, b):  # [n, d_in], [d_in, d_out], [d_out] -> float64 [n, d_out]
    """a W + b, multiplied in the weights' precision (float32 or float64)."""
    return np.asarray(linear(np.asarray(a, dtype=w.dtype), w, b), dtype=np.float64)


def _split_heads(a, heads):  # [n, heads * d] -> [heads, n, d]
    """Cut the columns into `heads` equal blocks and stack them, head first."""
    return a.reshape(a.shape[0], heads, -1).transpose(1, 0, 2)


def _merge_heads(a):  # [heads, n, d] -> [n, heads * d]
    """Put the heads' columns side by side again."""
    return a.transpose(1, 0, 2).reshape(a.shape[1], -1)


# Validation: turn the arguments into float32 or float64 arrays, or say exactly what is wrong with them.

def _checked(x, w_q, w_k, w_v, w_o, heads, mask, context, scale, temperature):
    if isinstance(heads, bool) or not isinstance(heads, numbers.Integral) or heads < 1:
        raise ValueError(f"heads must be an integer >= 1, got {heads!r}")
    if not isinstance(scale, (bool, np.bool_)):
        raise ValueError(f"scale must be True or False, got {scale!r}")
    if not isinstance(temperature, numbers.Real) or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
    matrices = (x, context, w_q, w_k, w_v, w_o)
    dtype = np.float32 if all(getattr(a, "dtype", None) == np.float32 for a in matrices if a is not None) \
        else np.float64
    x = _matrix("x", x, "(n_q, d_model)", dtype)
    n_q, d_model = x.shape
    context = x if context is None else _matrix("context", context, f"(n_k, d_model={d_model})", dtype, cols=d_model)
    w_q = _matrix("w_q", w_q, f"(d_model={d_model}, heads*d_k)", dtype, rows=d_model, heads=heads)
    w_k = _matrix("w_k", w_k, f"{w_q.shape} like w_q", dtype, rows=d_model, cols=w_q.shape[1])
    w_v = _matrix("w_v", w_v, f"(d_model={d_model}, heads*d_v)", dtype, rows=d_model, heads=heads)
    w_o = None if w_o is None else _matrix("w_o", w_o, f"(heads*d_v={w_v.shape[1]}, d_out)", dtype,
                                           rows=w_v.shape[1])
    return x, context, w_q, w_k, w_v, w_o, _allowed(mask, n_q, context.shape[0]), float(temperature)


def _matrix(name, a, expected, dtype, rows=None, cols=None, heads=1):  # array-like -> dtype [rows, cols]
    """`a` as a finite, non-empty float32 or float64 matrix whose shape fits `expected`."""
    try:
        a = np.asarray(a, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a matrix of numbers {expected}: {error}") from None
    if a.size == 0:
        raise ValueError(f"{name} is empty: shape {a.shape}, it needs at least one row and one column")
    if a.ndim != 2 or rows not in (None, a.shape[0]) or cols not in (None, a.shape[1]):
        raise ValueError(f"{name} must have shape {expected}, got {a.shape}")
    if a.shape[1] % heads:
        raise ValueError(f"{name} has {a.shape[1]} columns, which cannot be split evenly into heads={heads}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or Inf")
    return a


def _biases(w_q, w_k, w_v, w_o, **biases):  # -> b_q [heads*d_k], b_k [heads*d_k], b_v [heads*d_v], b_o [d_out]
    """Each bias as a finite vector as long as its matrix has columns, in its precision; zeros where absent."""
    if w_o is None and biases["b_o"] is not None:
        raise ValueError("b_o is given but w_o is None: the output bias needs an output projection")
    widths = dict(b_q=w_q.shape[1], b_k=w_k.shape[1], b_v=w_v.shape[1], b_o=(w_v if w_o is None else w_o).shape[1])
    return tuple(_vector(name, bias, widths[name], w_q.dtype) for name, bias in biases.items())


def _vector(name, b, length, dtype):  # array-like | None -> dtype [length]
    """`b` as a finite vector of `length` numbers (zeros when None)."""
    if b is None:
        return np.zeros(length, dtype=dtype)
    try:
        b = np.asarray(b, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a vector of numbers ({length},): {error}") from None
    if b.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), got {b.shape}")
    if not np.isfinite(b).all():
        raise ValueError(f"{name} contains NaN or Inf")
    return b


def _allowed(mask, n_q, n_k):  # None | "causal" | bool [n_q, n_k] -> bool [n_q, n_k]
    """The mask as a fresh boolean matrix, True where query i may attend key j."""
    if mask is None:
        return np.ones((n_q, n_k), dtype=bool)
    if isinstance(mask, str):
        if mask != "causal":
            raise ValueError(f"mask must be None, 'causal' or a boolean array, got {mask!r}")
        return causal_mask(n_q, n_k)
    try:
        mask = np.array(mask)
    except ValueError as error:
        raise ValueError(f"mask must be a boolean array of shape (n_q, n_k) = {(n_q, n_k)}: {error}") from None
    if mask.dtype != bool:
        raise ValueError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
    if mask.shape != (n_q, n_k):
        raise ValueError(f"mask must have shape (n_q, n_k) = {(n_q, n_k)}, got {mask.shape}")
    return mask


def _require_finite(dtype, **arrays):
    """Refuse results that overflowed the precision they were computed in, naming the first one."""
    for name, a in arrays.items():
        if not np.isfinite(a).all():
            raise ValueError(f"{name} overflowed {np.dtype(dtype).name}: the inputs are too large "
                             "(or the temperature too small)")

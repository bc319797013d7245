"""The pieces of attention: a linear layer, the causal mask, a numerically stable masked softmax, entropy."""
import numpy as np


def linear(a, w, b):  # [n, d_in], [d_in, d_out], [d_out] -> [n, d_out], in their precision
    """a W + b. Written with einsum rather than `a @ w`: Pyodide's NumPy has no BLAS, and its matmul falls back
    to a plain loop that einsum's vectorised one beats 2 to 5 times at a trained model's sizes (a 32 x 384 by
    384 x 1536 float32 product: 48 ms -> 9 ms in the page). The same sums, in another order: equal to rounding."""
    return np.einsum("ik,kj->ij", a, w) + b


def causal_mask(n_q, n_k):  # int, int -> bool [n_q, n_k]
    """True where query i may attend key j, i.e. j <= i (top-left aligned, like torch's is_causal=True)."""
    return np.tri(n_q, n_k, dtype=bool)


def softmax_parts(x, allowed=None):  # [..., n_k], bool [..., n_k] -> [..., 1], [..., n_k], [..., 1]
    """The pieces of a masked softmax: the row max m, the numerators exp(x - m), their row sum.

    m is the largest allowed entry of the row (0 when nothing is allowed), so every
    numerator is at most exp(0) = 1 and nothing overflows; entries that are not
    allowed get a numerator of exactly 0. `x` must be finite.
    """
    x = np.asarray(x, dtype=np.float64)
    allowed = np.broadcast_to(np.asarray(True if allowed is None else allowed, dtype=bool), x.shape)
    row_max = np.max(x, axis=-1, keepdims=True, where=allowed, initial=-np.inf)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)
    with np.errstate(over="ignore"):  # a difference below -1.8e308 becomes -inf, whose exp is the 0 it should be
        shifted = np.subtract(x, row_max, out=np.zeros_like(x), where=allowed)
    numerators = np.exp(shifted, out=np.zeros_like(x), where=allowed)
    return row_max, numerators, numerators.sum(axis=-1, keepdims=True)


def softmax(x, allowed=None):  # [..., n_k], bool [..., n_k] -> [..., n_k]
    """softmax(x)_j = exp(x_j - m) / Σ_allowed exp(x_l - m) over each row's allowed entries.

    Entries that are not allowed are exactly 0; a row with nothing allowed is all 0, not NaN.
    """
    _, numerators, denominators = softmax_parts(x, allowed)
    return np.divide(numerators, denominators, out=np.zeros_like(numerators), where=denominators > 0)


def entropy(weights):  # [..., n_k] -> [...]
    """Shannon entropy of each row in bits, H = -Σ a log2 a with 0 log 0 = 0: 0 for one-hot, log2(n_k) for uniform."""
    weights = np.asarray(weights, dtype=np.float64)
    log_w = np.log2(weights, out=np.zeros_like(weights), where=weights > 0)
    return 0.0 - np.sum(weights * log_w, axis=-1)  # "0.0 -" keeps a one-hot row at +0.0 rather than -0.0

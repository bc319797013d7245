"""A second, independent attention trace in plain Python (lists, loops, math) to check the engine against.

Written from the equations, not from the engine: every number is a loop over indices.
Inputs are nested lists; the result is a dict with the same names and layouts as Trace.
"""
import math


def reference_trace(x, w_q, w_k, w_v, w_o=None, heads=1, mask=None, context=None, scale=True, temperature=1.0):
    """Q = X W_Q, K = C W_K, V = C W_V; A = softmax(Q Kᵀ / √d_k / T) over allowed keys; O = concat(A V) W_O."""
    keys_from = x if context is None else context
    n_q, n_k = len(x), len(keys_from)
    d_k, d_v = len(w_q[0]) // heads, len(w_v[0]) // heads
    allowed = [[_may_attend(mask, i, j) for j in range(n_k)] for i in range(n_q)]
    factor = math.sqrt(d_k) if scale else 1.0

    q = [_project(x, w_q, h * d_k, d_k) for h in range(heads)]
    k = [_project(keys_from, w_k, h * d_k, d_k) for h in range(heads)]
    v = [_project(keys_from, w_v, h * d_v, d_v) for h in range(heads)]
    scores = [[[sum(q[h][i][c] * k[h][j][c] for c in range(d_k)) for j in range(n_k)]
               for i in range(n_q)] for h in range(heads)]
    scaled = [[[scores[h][i][j] / factor / temperature for j in range(n_k)]
               for i in range(n_q)] for h in range(heads)]
    weights = [[_softmax_row(scaled[h][i], allowed[i]) for i in range(n_q)] for h in range(heads)]
    head_outputs = [[[sum(weights[h][i][j] * v[h][j][c] for j in range(n_k)) for c in range(d_v)]
                     for i in range(n_q)] for h in range(heads)]
    concat = [[head_outputs[h][i][c] for h in range(heads) for c in range(d_v)] for i in range(n_q)]
    output = concat if w_o is None else [
        [sum(concat[i][r] * w_o[r][c] for r in range(heads * d_v)) for c in range(len(w_o[0]))]
        for i in range(n_q)]
    return dict(q=q, k=k, v=v, scores=scores, scaled=scaled, allowed=allowed, weights=weights,
                head_outputs=head_outputs, concat=concat, output=output)


def _may_attend(mask, i, j):
    if mask is None:
        return True
    if mask == "causal":
        return j <= i
    return bool(mask[i][j])


def _project(tokens, w, first_column, width):
    """tokens @ w[:, first_column:first_column + width], one dot product at a time."""
    return [[sum(token[r] * w[r][first_column + c] for r in range(len(token))) for c in range(width)]
            for token in tokens]


def _softmax_row(row, allowed):
    """exp(s_j - max) / Σ exp(s_l - max) over the allowed entries; 0 elsewhere; all 0 if none allowed."""
    kept = [s for s, ok in zip(row, allowed) if ok]
    if not kept:
        return [0.0] * len(row)
    top = max(kept)
    total = math.fsum(math.exp(s - top) for s in kept)
    return [math.exp(s - top) / total if ok else 0.0 for s, ok in zip(row, allowed)]


def random_mask(rng, n_q, n_k, kind):  # -> None | "causal" | bool [n_q, n_k]
    """A mask of the kind the tests name: "none", "causal", "custom", or "custom with an empty row"."""
    mask = {"none": None, "causal": "causal"}.get(kind)
    if kind.startswith("custom"):
        mask = rng.random((n_q, n_k)) < 0.6
        mask[-1, 0] = True
        if kind == "custom with an empty row":
            mask[0] = False
    return mask

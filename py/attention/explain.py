"""The arithmetic behind one number of a Trace, so a click on any cell can show how it came about.

Everything is read from the trace. The softmax numerator and denominator come from
ops.softmax_parts, the same function the engine's softmax divides, so numerator /
denominator is the weight the trace holds.
"""
from dataclasses import dataclass

import numpy as np

from attention.ops import softmax_parts


@dataclass(frozen=True, eq=False)
class CellArithmetic:
    """How weights[head, i, j] and its share of head_outputs[head, i] were computed."""

    head: int
    i: int                       # the query token
    j: int                       # the key token
    q_i: np.ndarray              # [d_k]  query of token i
    k_j: np.ndarray              # [d_k]  key of token j
    products: np.ndarray         # [d_k]  q_i * k_j, element by element; they sum to dot
    dot: float                   # q_i · k_j = scores[head, i, j]
    scale: float                 # √d_k, or 1.0 when scaling is off
    temperature: float
    scaled: float                # dot / scale / temperature = scaled[head, i, j]
    allowed: bool                # may query i attend key j?
    row_max: float               # largest allowed scaled value in row i (0.0 if none is allowed)
    numerator: float             # exp(scaled - row_max), 0.0 when not allowed
    denominator: float           # Σ numerators over the allowed keys of row i
    weight: float                # numerator / denominator = weights[head, i, j]
    v_j: np.ndarray              # [d_v]  value of token j
    weighted_value: np.ndarray   # [d_v]  weight * v_j, this key's term in the output
    head_output_i: np.ndarray    # [d_v]  Σ_j weight_ij * v_j = head_outputs[head, i]


def cell_arithmetic(trace, head, i, j):  # Trace, int, int, int -> CellArithmetic
    """Every step from q_i and k_j to a_ij = exp(s_ij - max_l s_il) / Σ_l exp(s_il - max_l s_il) and a_ij v_j."""
    _check_index("head", head, trace.heads)
    _check_index("i", i, trace.n_q)
    _check_index("j", j, trace.n_k)
    row_max, numerators, denominator = softmax_parts(trace.scaled[head, i], trace.allowed[i])
    q_i, k_j, v_j = trace.q[head, i], trace.k[head, j], trace.v[head, j]
    weight = float(trace.weights[head, i, j])
    return CellArithmetic(
        head=head, i=i, j=j, q_i=q_i, k_j=k_j, products=q_i * k_j,
        dot=float(trace.scores[head, i, j]), scale=trace.scale_factor, temperature=trace.temperature,
        scaled=float(trace.scaled[head, i, j]), allowed=bool(trace.allowed[i, j]),
        row_max=float(row_max[0]), numerator=float(numerators[j]), denominator=float(denominator[0]),
        weight=weight, v_j=v_j, weighted_value=weight * v_j, head_output_i=trace.head_outputs[head, i])


def output_terms(trace, head, i):  # Trace, int, int -> [n_k, d_v]
    """Row j is a_ij * v_j; the rows sum to head_outputs[head, i]."""
    _check_index("head", head, trace.heads)
    _check_index("i", i, trace.n_q)
    return trace.weights[head, i][:, np.newaxis] * trace.v[head]


def _check_index(name, value, size):
    """Refuse an index outside 0..size-1 (negative indices would silently count from the end)."""
    if not 0 <= value < size:
        raise IndexError(f"{name}={value} is out of range: expected 0..{size - 1}")

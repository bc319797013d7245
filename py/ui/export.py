"""What the Export buttons save, and the "Show the NumPy" code: pure text from the state.

`full_scenario` writes every number (embeddings with position, all weights) into
the SPEC scenario format, so the file reproduces the computation anywhere; the
code from `numpy_code` runs as-is on that file in any Python with NumPy.
"""

import csv
import io
from dataclasses import replace

from attention.scenario import resolve, to_json


def full_scenario(state):  # AppState -> Scenario with every number filled in
    """The current scenario with the toy model's embeddings and weights written out."""
    s = state.scenario
    args = resolve(s)

    def rows(a):
        return tuple(tuple(float(v) for v in row) for row in a)

    return replace(
        s,
        embeddings=rows(args["x"]),
        context_embeddings=rows(args["context"]) if args["context"] is not None else None,
        heads=args["heads"],
        w_q=rows(args["w_q"]), w_k=rows(args["w_k"]), w_v=rows(args["w_v"]),
        w_o=rows(args["w_o"]) if args["w_o"] is not None else None,
    )


def scenario_json(state):
    return to_json(full_scenario(state))


def csv_text(computed, state):
    """X, Q, K, V, scores, weights and output of the current head, one block per matrix."""
    t, h = computed.trace, state.scenario.head
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def block(name, matrix, row_labels, col_labels):
        writer.writerow([name])
        writer.writerow(["token", *col_labels])
        for label, row in zip(row_labels, matrix):
            writer.writerow([label, *(repr(float(v)) for v in row)])
        writer.writerow([])

    dims = [f"d{c + 1}" for c in range(t.d_k)]
    values = [f"d{c + 1}" for c in range(t.d_v)]
    block("X (inputs of the queries)", computed.x, state.tokens, computed.features)
    block(f"Q (head {h + 1})", t.q[h], state.tokens, dims)
    block(f"K (head {h + 1})", t.k[h], state.key_tokens, dims)
    block(f"V (head {h + 1})", t.v[h], state.key_tokens, values)
    block(f"scores Q K^T (head {h + 1}, unscaled)", t.scores[h], state.tokens, state.key_tokens)
    block(f"weights (head {h + 1})", t.weights[h], state.tokens, state.key_tokens)
    block(f"head output A V (head {h + 1})", t.head_outputs[h], state.tokens, values)
    block("output (all heads, after W_O)", t.output, state.tokens, [f"o{c + 1}" for c in range(t.output.shape[1])])
    return out.getvalue()


def numpy_code(computed, state):
    """The NumPy that computes the current stage, with the current shapes; runs on the exported JSON."""
    s, t = state.scenario, computed.trace
    n_q, n_k, d_model = t.n_q, t.n_k, computed.x.shape[1]
    h, d_k, d_v = s.head, t.d_k, t.d_v
    source = 'np.array(s["context_embeddings"])' if s.context is not None else "X"
    lines = [
        "import json",
        "import numpy as np",
        "",
        's = json.load(open("attention-scenario.json"))  # from Export → JSON',
        f'X = np.array(s["embeddings"])                     # ({n_q}, {d_model}) one row per token',
        f"C = {source:<46}# ({n_k}, {d_model}) the keys' and values' tokens",
    ]
    if s.step >= 1:
        lines += [
            f"h, d_k, d_v = {h}, {d_k}, {d_v}                           # head {h + 1} of {t.heads}",
            'W_Q = np.array(s["w_q"])[:, h*d_k:(h+1)*d_k]       # ' + f"({d_model}, {d_k})",
            'W_K = np.array(s["w_k"])[:, h*d_k:(h+1)*d_k]       # ' + f"({d_model}, {d_k})",
            'W_V = np.array(s["w_v"])[:, h*d_v:(h+1)*d_v]       # ' + f"({d_model}, {d_v})",
            f"Q, K, V = X @ W_Q, C @ W_K, C @ W_V               # ({n_q}, {d_k}), ({n_k}, {d_k}), ({n_k}, {d_v})",
        ]
    if s.step >= 2:
        scale = " / np.sqrt(d_k)" if s.scale else ""
        temp = f" / {s.temperature!r}" if s.temperature != 1 else ""
        lines.append(f"S = Q @ K.T{scale}{temp}".ljust(51) + f"# ({n_q}, {n_k}) scores")
        if s.mask == "causal":
            lines.append(f"allowed = np.tril(np.ones(({n_q}, {n_k}), dtype=bool))  # causal: key j <= query i")
        elif not isinstance(s.mask, str):
            lines.append('allowed = np.array(s["mask"], dtype=bool)         # True = may attend')
        else:
            lines.append(f"allowed = np.ones(({n_q}, {n_k}), dtype=bool)       # no mask")
        lines.append("S = np.where(allowed, S, -np.inf)                  # masked scores are -inf")
    if s.step >= 3:
        lines += [
            "E = np.exp(S - S.max(axis=1, keepdims=True))       # subtract the row max: no overflow",
            f"A = E / E.sum(axis=1, keepdims=True)               # ({n_q}, {n_k}) each row sums to 1",
        ]
    if s.step >= 4:
        lines += [
            f"O = A @ V                                          # ({n_q}, {d_v}) this head's output",
            f"print(A[{s.query}].round(3), O[{s.query}].round(3))              # query '{state.tokens[s.query]}'",
        ]
    else:
        last = ("X", "Q", "S", "A")[s.step]
        lines.append(f"print({last}.round(3))")
    return "\n".join(lines) + "\n"

"""What the Export buttons save, and the "Show the NumPy" code: pure text from the state.

`full_scenario` writes every number (embeddings with position, all weights) into
the SPEC scenario format, so the file reproduces the computation anywhere; the
code from `numpy_code` runs as-is on that file in any Python with NumPy.
"""

import csv
import io
from dataclasses import replace

from attention.scenario import resolve
from scene.stages import Stage, code_of, numpy_lines


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


def scenario_json(state, computed):  # AppState, its Computed -> what Export JSON saves
    """The designed model's full scenario (with how it was shown), or the real model's sentence and numbers."""
    from ui import share  # noqa: PLC0415 - share reads the state module that this one's callers hold

    if state.model == "minilm":
        return share.to_text(share.real_document(state, computed))
    return share.to_text(share.document(state, full_scenario(state)))


def csv_text(computed, state):
    """X, Q, K, V, scores, weights and output of the current head, one block per matrix."""
    t, h = computed.trace, state.head
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
    block(f"Q (head {h})", t.q[h], state.tokens, dims)
    block(f"K (head {h})", t.k[h], state.key_tokens, dims)
    block(f"V (head {h})", t.v[h], state.key_tokens, values)
    block(f"scores Q K^T (head {h}, unscaled)", t.scores[h], state.tokens, state.key_tokens)
    block(f"weights (head {h})", t.weights[h], state.tokens, state.key_tokens)
    block(f"head output A V (head {h})", t.head_outputs[h], state.tokens, values)
    block("output (all heads, after W_O)", t.output, state.tokens, [f"o{c + 1}" for c in range(t.output.shape[1])])
    return out.getvalue()


def numpy_code(computed, state):
    """The NumPy that computes the current stage, with the current shapes; runs on the exported JSON."""
    header = ["import json", "import numpy as np", "",
              's = json.load(open("attention-scenario.json"))  # from Export → JSON']
    return "\n".join(header + numpy_lines(code_of(computed, state), Stage(state.step))) + "\n"

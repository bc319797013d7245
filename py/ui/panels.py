"""Words and numbers for the HTML around the canvas: pure functions of the state.

The canvas is mirrored by accessible HTML (tables, the query detail, a live
narration), and these functions produce its text. main/ only moves the
strings into the DOM, always as text, never as HTML.
"""

import math

from attention.explain import cell_arithmetic
from scene.numbers import MINUS, knob, number, percent, vector
from scene.stages import STAGES, Stage


def weights_rows(computed, state):
    """(key token, "34.5%") for the selected query in the selected head."""
    row = computed.trace.weights[state.head, state.query]
    return [(token, percent(w)) for token, w in zip(state.key_tokens, row.tolist())]


def output_text(computed, state):
    return vector(computed.trace.output[state.query])


def head_output_text(computed, state):
    return vector(computed.trace.head_outputs[state.head, state.query])


def matrix_rows(matrix, row_labels):
    """Rows of (label, "0.123", ...) for an HTML table of a matrix."""
    return [(label, *(number(x) for x in row.tolist())) for label, row in zip(row_labels, matrix)]


def qkv_rows(computed, state):
    """Per query token: its q, and per key token its k and v, in the current head (3 decimals)."""
    t, h = computed.trace, state.head
    rows = [("query", token, vector(t.q[h, i])) for i, token in enumerate(state.tokens)]
    rows += [("key", token, vector(t.k[h, j])) for j, token in enumerate(state.key_tokens)]
    rows += [("value", token, vector(t.v[h, j])) for j, token in enumerate(state.key_tokens)]
    return rows


def entropy_text(computed, state):
    bits = float(computed.entropy[state.head, state.query])
    n_allowed = int(computed.trace.allowed[state.query].sum())
    top = math.log2(n_allowed) if n_allowed > 1 else 0.0
    return f"{number(bits, 2)} bits (0 = all on one key, {number(top, 2)} = spread evenly over {n_allowed})"


def dot_terms(q, k):  # [d_k], [d_k] -> "0.500×1.000 − 0.707×1.329 + …": each product's sign between the terms
    """q·k written as a sum whose signs stand between the terms, never "+ -0.707×1.329"."""
    text = ""
    for n, (a, b) in enumerate(zip(q.tolist(), k.tolist())):
        term, negative = f"{number(abs(a))}×{number(abs(b))}", a * b < 0
        text += (MINUS + term if negative else term) if n == 0 else (f" {MINUS} " if negative else " + ") + term
    return text


def scaling_line(a, d_k):  # CellArithmetic, int -> "scaled: 8.000 ÷ √4 = 8.000 ÷ 2.000 = 4.000" | None
    """How the dot product became the scaled score: each divisor named, then its value, then the result."""
    named, valued = [], []
    if a.scale != 1:
        named.append(f"√{d_k}")
        valued.append(number(a.scale))
    if a.temperature != 1:
        named.append(f"{knob(a.temperature)} (temperature)")
        valued.append(knob(a.temperature))
    if not named:
        return None
    dot = number(a.dot)
    steps = [f"{dot} ÷ {' ÷ '.join(named)}"] + ([f"{dot} ÷ {' ÷ '.join(valued)}"] if a.scale != 1 else [])
    return f"scaled: {' = '.join(steps)} = {number(a.scaled)}"


def _minus(x):  # -> "− 2.000", or "− (−2.000)" for a negative x
    text = number(x)
    return f"{MINUS} ({text})" if text.startswith(MINUS) else f"{MINUS} {text}"


def arithmetic_lines(computed, state):
    """How the selected cell's weight and its share of the output were computed, line by line."""
    if state.cell is None:
        return []
    i, j = state.cell
    a = cell_arithmetic(computed.trace, state.head, i, j)
    k_tok = state.key_tokens[j]
    lines = [f"Query '{state.tokens[i]}' → key '{k_tok}', head {state.head}",
             f"q·k = {dot_terms(a.q_i, a.k_j)} = {number(a.dot)}"]
    scaling = scaling_line(a, computed.trace.d_k)
    lines += [scaling] if scaling else []
    if not a.allowed:
        lines.append("masked: this key is not allowed, its score is −∞ and its weight is exactly 0")
    else:
        lines.append(f"softmax: e^({number(a.scaled)} {_minus(a.row_max)}) / Σ = {number(a.numerator, 4)} / "
                     f"{number(a.denominator, 4)} = {number(a.weight, 4)} ({percent(a.weight)})")
    lines.append(f"its share of the output: {number(a.weight, 4)} × v_{k_tok} = {vector(a.weighted_value)}")
    lines.append(f"head output (sum over all keys) = {vector(a.head_output_i)}")
    return lines


def unnamed(names, h):  # -> whether head h has no name of its own (a scenario's heads: "head 0", ...)
    return names[h] == f"head {h}"


def head_title(names, h):  # -> "head 2 (semantic)", or "head 0" for a head without a name (counted from 0)
    return names[h] if unnamed(names, h) else f"head {h} ({names[h]})"


def head_option(names, h):  # -> the head select's text: "2. semantic", or "head 0"
    return names[h] if unnamed(names, h) else f"{h}. {names[h]}"


def narration(computed, state, top=3):
    """One sentence for the live region: what the selected query does at this stage."""
    stage = STAGES[Stage(state.step)].title
    token = state.tokens[state.query]
    head = head_title(computed.head_names, state.head)
    row = computed.trace.weights[state.head, state.query]
    order = sorted(range(len(row)), key=lambda j: -row[j])[:top]
    if state.step < Stage.SOFTMAX:
        return f"{stage}, {head}: query '{token}'."
    attends = ", ".join(f"{percent(row[j])} to '{state.key_tokens[j]}'" for j in order if row[j] > 0)
    if not attends:
        return f"{stage}, {head}: '{token}' may attend to nothing here, so its output is zero."
    return f"{stage}, {head}: '{token}' attends {attends}."

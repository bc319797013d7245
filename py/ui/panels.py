"""Words and numbers for the HTML around the canvas: pure functions of the state.

The canvas is mirrored by accessible HTML (tables, the query detail, a live
narration), and these functions produce its text. main.py only moves the
strings into the DOM, always as text, never as HTML.
"""

import math

from attention.explain import cell_arithmetic

STAGE_TEXT = (
    ("Input",
     "Each token becomes a vector of numbers: its meaning features (is it a noun? an animal? hot?) plus a position "
     "signal, so the same word in another place is slightly different."),
    ("Project Q, K, V",
     "Three weight matrices turn every token into a query (what am I looking for?), a key (what do I offer?) and a "
     "value (what do I pass on?). Each head has its own three matrices, so each head can look for something else."),
    ("Scores",
     "Every query is compared with every key by a dot product: large when they point the same way. Dividing by √d_k "
     "keeps the scores in a range where softmax can still spread attention. Masked pairs get −∞."),
    ("Softmax",
     "Each row of scores becomes weights that are positive and sum to 1. Subtracting the row's largest score first "
     "changes nothing in the result but keeps e^s from overflowing. A uniform row means the query found nothing "
     "in particular."),
    ("Weighted sum",
     "Each token's new vector is the weighted average of the values: it takes on meaning from the words it attends "
     "to. All heads do this in parallel; their outputs are concatenated and projected by W_O."),
)


def fmt(x, places=3):
    """A number as the page prints it: fixed decimals, a real minus sign never shown for zero."""
    text = f"{x:.{places}f}"
    return "0." + "0" * places if text.lstrip("-") == "0." + "0" * places else text


def percent(w):
    return f"{100 * w:.1f}%"


def vector(v, places=3):
    return "[" + ", ".join(fmt(float(x), places) for x in v) + "]"


def formula(step, scale=True, temperature=1.0):
    """The stage's equation in TeX, matching the knobs (scale off, temperature)."""
    denominator = (r"\sqrt{d_k}" if scale else "") + (rf"\cdot {temperature:g}" if temperature != 1 else "")
    if scale and temperature != 1:
        denominator = rf"\sqrt{{d_k}}\,\cdot\,{temperature:g}"
    elif not scale and temperature != 1:
        denominator = f"{temperature:g}"
    scores = rf"\frac{{Q K^\top}}{{{denominator}}}" if denominator else r"Q K^\top"
    return (
        r"X = \mathrm{embed}(\text{tokens}) + \mathrm{position}",
        r"Q = X W_Q,\quad K = X W_K,\quad V = X W_V",
        rf"S = {scores},\quad S_{{ij}} = -\infty \text{{ where masked}}",
        r"A = \mathrm{softmax}(S),\quad A_{ij} = \frac{e^{S_{ij}}}{\sum_l e^{S_{il}}}",
        r"O = A V,\quad \mathrm{MultiHead} = [O_1, \dots, O_h]\, W_O",
    )[step]


def weights_rows(computed, state):
    """(key token, "34.5%") for the selected query in the selected head."""
    s = state.scenario
    row = computed.trace.weights[s.head, s.query]
    return [(token, percent(float(w))) for token, w in zip(state.key_tokens, row)]


def output_text(computed, state):
    return vector(computed.trace.output[state.scenario.query])


def head_output_text(computed, state):
    s = state.scenario
    return vector(computed.trace.head_outputs[s.head, s.query])


def matrix_rows(matrix, row_labels):
    """Rows of (label, "0.123", ...) for an HTML table of a matrix."""
    return [(label, *(fmt(float(x)) for x in row)) for label, row in zip(row_labels, matrix)]


def qkv_rows(computed, state):
    """Per query token: its q, and per key token its k and v, in the current head (3 decimals)."""
    t, h = computed.trace, state.scenario.head
    rows = [("query", token, vector(t.q[h, i])) for i, token in enumerate(state.tokens)]
    rows += [("key", token, vector(t.k[h, j])) for j, token in enumerate(state.key_tokens)]
    rows += [("value", token, vector(t.v[h, j])) for j, token in enumerate(state.key_tokens)]
    return rows


def entropy_text(computed, state):
    s = state.scenario
    bits = float(computed.entropy[s.head, s.query])
    n_allowed = int(computed.trace.allowed[s.query].sum())
    top = math.log2(n_allowed) if n_allowed > 1 else 0.0
    return f"{bits:.2f} bits (0 = all on one key, {top:.2f} = spread evenly over {n_allowed})"


def arithmetic_lines(computed, state):
    """How the selected cell's weight and its share of the output were computed, line by line."""
    if state.cell is None:
        return []
    s = state.scenario
    i, j = state.cell
    a = cell_arithmetic(computed.trace, s.head, i, j)
    q_tok, k_tok = state.tokens[i], state.key_tokens[j]
    terms = " + ".join(f"{fmt(float(q))}×{fmt(float(k))}" for q, k in zip(a.q_i, a.k_j))
    lines = [
        f"Query '{q_tok}' → key '{k_tok}', head {s.head + 1}",
        f"q·k = {terms} = {fmt(a.dot)}",
    ]
    divide = []
    if a.scale != 1:
        divide.append(f"√d_k = {fmt(a.scale)}")
    if a.temperature != 1:
        divide.append(f"temperature {a.temperature:g}")
    if divide:
        lines.append(f"scaled: {fmt(a.dot)} ÷ {' ÷ '.join(divide)} = {fmt(a.scaled)}")
    if not a.allowed:
        lines.append("masked: this key is not allowed, its score is −∞ and its weight is exactly 0")
    else:
        lines.append(f"softmax: e^({fmt(a.scaled)} − {fmt(a.row_max)}) / Σ = {fmt(a.numerator, 4)} / "
                     f"{fmt(a.denominator, 4)} = {fmt(a.weight, 4)} ({percent(a.weight)})")
    lines.append(f"its share of the output: {fmt(a.weight, 4)} × v_{k_tok} = {vector(a.weighted_value)}")
    lines.append(f"head output (sum over all keys) = {vector(a.head_output_i)}")
    return lines


def narration(computed, state, top=3):
    """One sentence for the live region: what the selected query does at this stage."""
    s = state.scenario
    stage = STAGE_TEXT[s.step][0]
    token = state.tokens[s.query]
    head = computed.head_names[s.head]
    row = computed.trace.weights[s.head, s.query]
    order = sorted(range(len(row)), key=lambda j: -row[j])[:top]
    if s.step < 3:
        return f"{stage}, head {head}: query '{token}'."
    attends = ", ".join(f"{percent(float(row[j]))} to '{state.key_tokens[j]}'" for j in order if row[j] > 0)
    if not attends:
        return f"{stage}, head {head}: '{token}' may attend to nothing here, so its output is zero."
    return f"{stage}, head {head}: '{token}' attends {attends}."

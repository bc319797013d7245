"""The five stages of attention, each in one home: title, explanation, formulas and NumPy lines.

`STAGES[stage]` is read by the canvas (its title and its plain-text formula), by the HTML
around it (the title, the explanation, the TeX formula) and by "Show the NumPy" (the code
lines, which run on the exported scenario). The formulas follow the knobs: the √d_k scale,
the temperature, and cross-attention, where keys and values come from the context C.
"""
from dataclasses import dataclass
from enum import IntEnum
from typing import Callable

from scene.numbers import knob


class Stage(IntEnum):
    """The step slider's five positions."""
    INPUT = 0
    PROJECT = 1
    SCORES = 2
    SOFTMAX = 3
    WEIGHTED_SUM = 4


@dataclass(frozen=True)
class Knobs:
    """What a stage's formulas depend on."""
    scale: bool = True  # divide the scores by √d_k
    temperature: float = 1.0  # and by this
    cross: bool = False  # keys and values from the context C, not from X


@dataclass(frozen=True)
class Code:
    """What a stage's NumPy lines depend on: the knobs, the sizes, the head, the mask, the query."""
    knobs: Knobs
    n_q: int
    n_k: int
    d_model: int
    d_k: int
    d_v: int
    head: int
    heads: int
    mask: str  # "none" | "causal" | "custom"
    query: int
    query_token: str


@dataclass(frozen=True)
class StageInfo:
    """One stage as the learner meets it everywhere."""
    title: str
    text: str  # the explanation under the title
    tex: Callable[[Knobs], str]  # the formula the HTML typesets
    canvas: Callable[[Knobs], tuple]  # the formula on the canvas in plain text, in parts that may stand apart
    numpy: Callable[[Code], list]  # the lines that compute this stage from the previous ones
    result: Callable[[Code], str]  # the line that prints what this stage made, when it is the last one shown


def _source(k):  # -> the matrix that keys and values are made from
    return "C" if k.cross else "X"


def _divisors(k):  # -> what the scores are divided by, in order: ("√d_k", "2")
    return (("√d_k",) if k.scale else ()) + ((knob(k.temperature),) if k.temperature != 1 else ())


def _scores_tex(k):
    tex = {"√d_k": r"\sqrt{d_k}"}
    below = r"\,\cdot\,".join(tex.get(d, d) for d in _divisors(k))
    scores = rf"\frac{{Q K^\top}}{{{below}}}" if below else r"Q K^\top"
    return rf"S = {scores},\quad S_{{ij}} = -\infty \text{{ where masked}}"


def _scores_canvas(k):  # -> (formula,)
    divisors = _divisors(k)
    if not divisors:
        return ("S = QKᵀ (unscaled)",)
    below = divisors[0] if len(divisors) == 1 else "(" + " · ".join(divisors) + ")"
    return (f"S = QKᵀ / {below}",)


def _input_tex(k):
    tex = r"X = \mathrm{embed}(\text{tokens}) + \mathrm{position}"
    return tex + (r",\quad C = \mathrm{embed}(\text{context}) + \mathrm{position}" if k.cross else "")


def _input_code(c):  # -> lines
    context = 'np.array(s["context_embeddings"])' if c.knobs.cross else "X"
    return [f'X = np.array(s["embeddings"])                     # ({c.n_q}, {c.d_model}) one row per token',
            f"C = {context:<46}# ({c.n_k}, {c.d_model}) the keys' and values' tokens"]


def _project_code(c):  # -> lines
    return [f"h, d_k, d_v = {c.head}, {c.d_k}, {c.d_v}                           # one of heads 0 to {c.heads - 1}",
            'W_Q = np.array(s["w_q"])[:, h*d_k:(h+1)*d_k]       # ' + f"({c.d_model}, {c.d_k})",
            'W_K = np.array(s["w_k"])[:, h*d_k:(h+1)*d_k]       # ' + f"({c.d_model}, {c.d_k})",
            'W_V = np.array(s["w_v"])[:, h*d_v:(h+1)*d_v]       # ' + f"({c.d_model}, {c.d_v})",
            f"Q, K, V = X @ W_Q, C @ W_K, C @ W_V               # ({c.n_q}, {c.d_k}), ({c.n_k}, {c.d_k}), "
            f"({c.n_k}, {c.d_v})"]


def _scores_code(c):  # -> lines
    scale = " / np.sqrt(d_k)" if c.knobs.scale else ""
    temperature = f" / {c.knobs.temperature!r}" if c.knobs.temperature != 1 else ""
    allowed = {
        "causal": f"allowed = np.tril(np.ones(({c.n_q}, {c.n_k}), dtype=bool))  # causal: key j <= query i",
        "custom": 'allowed = np.array(s["mask"], dtype=bool)         # True = may attend',
        "none": f"allowed = np.ones(({c.n_q}, {c.n_k}), dtype=bool)       # no mask",
    }[c.mask]
    return [f"S = Q @ K.T{scale}{temperature}".ljust(51) + f"# ({c.n_q}, {c.n_k}) scores", allowed,
            "S = np.where(allowed, S, -np.inf)                  # masked scores are -inf"]


def _softmax_code(c):  # -> lines
    return ["E = np.exp(S - S.max(axis=1, keepdims=True))       # subtract the row max: no overflow",
            f"A = E / E.sum(axis=1, keepdims=True)               # ({c.n_q}, {c.n_k}) each row sums to 1"]


def _sum_result(c):
    return f"print(A[{c.query}].round(3), O[{c.query}].round(3))              # query '{c.query_token}'"


STAGES = {
    Stage.INPUT: StageInfo(
        "Input",
        "Each token becomes a vector of numbers: its meaning features (is it a noun? an animal? hot?) plus a "
        "position signal, so the same word in another place is slightly different.",
        _input_tex,
        lambda k: ("X: one row per token",),
        _input_code,
        lambda c: "print(X.round(3))"),
    Stage.PROJECT: StageInfo(
        "Project Q, K, V",
        "Three weight matrices turn every token into a query (what am I looking for?), a key (what do I offer?) "
        "and a value (what do I pass on?). Each head has its own three matrices, so each head can look for "
        "something else.",
        lambda k: rf"Q = X W_Q,\quad K = {_source(k)} W_K,\quad V = {_source(k)} W_V",
        lambda k: ("Q = X·W_Q", f"K = {_source(k)}·W_K", f"V = {_source(k)}·W_V"),
        _project_code,
        lambda c: "print(Q.round(3))"),
    Stage.SCORES: StageInfo(
        "Scores",
        "Every query is compared with every key by a dot product: large when they point the same way. Dividing "
        "by √d_k keeps the scores in a range where softmax can still spread attention. Masked pairs get −∞.",
        _scores_tex,
        _scores_canvas,
        _scores_code,
        lambda c: "print(S.round(3))"),
    Stage.SOFTMAX: StageInfo(
        "Softmax",
        "Each row of scores becomes weights that are positive and sum to 1. Subtracting the row's largest score "
        "first changes nothing in the result but keeps e^s from overflowing. A uniform row means the query found "
        "nothing in particular.",
        lambda k: r"A = \mathrm{softmax}(S),\quad A_{ij} = \frac{e^{S_{ij}}}{\sum_l e^{S_{il}}}",
        lambda k: ("A = softmax(S), row by row",),
        _softmax_code,
        lambda c: "print(A.round(3))"),
    Stage.WEIGHTED_SUM: StageInfo(
        "Weighted sum",
        "Each token's new vector is the weighted average of the values: it takes on meaning from the words it "
        "attends to. All heads do this in parallel; their outputs are concatenated and projected by W_O.",
        lambda k: r"O = A V,\quad o_i = \sum_j a_{ij} v_j,\quad \mathrm{MultiHead} = [O_1, \dots, O_h]\, W_O",
        lambda k: ("o_i = Σ_j a_ij v_j",),
        lambda c: [f"O = A @ V                                          # ({c.n_q}, {c.d_v}) this head's output"],
        _sum_result),
}


def knobs_of(state):  # AppState -> Knobs
    """The formulas' knobs as the state sets them."""
    s = state.scenario
    return Knobs(bool(s.scale), float(s.temperature), state.kind == "cross")


def code_of(computed, state):  # -> Code
    """Everything the NumPy lines print, from the computed trace and the state."""
    t, s = computed.trace, state.scenario
    mask = s.mask if isinstance(s.mask, str) else "custom"
    return Code(knobs_of(state), t.n_q, t.n_k, computed.x.shape[1], t.d_k, t.d_v, state.head, t.heads, mask,
                state.query, state.tokens[state.query])


def numpy_lines(code, stage):  # Code, Stage -> every line from the input up to `stage`, then its result
    """The code of stages 0..stage, in order, and the line printing what `stage` made."""
    lines = [line for s in Stage if s <= stage for line in STAGES[s].numpy(code)]
    return lines + [STAGES[Stage(stage)].result(code)]


def canvas_formula(stage, knobs):  # -> "Q = X·W_Q   K = C·W_K   V = C·W_V": the parts on one line
    return "   ".join(STAGES[Stage(stage)].canvas(knobs))

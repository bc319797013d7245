"""The one application state, and the events that change it.

`AppState` is immutable: an event is a function `(state, ...) -> new state`, so
the page can be driven, and tested, without a browser. What is computed lives in
a `Scenario` (SPEC "Scenario format": tokens, weights, mask, knobs); what the
learner selected in it (query, head, step, and the real model's layer) are
fields of the state beside it. A permalink stores both; the rest is how the
learner is looking at it right now.

`compute(scenario)` runs the engine, cached on the scenario: it never sees the
selection, so moving the query or the step never recomputes attention.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from attention import model
from attention.core import attention_trace
from attention.ops import entropy
from attention.presets import get_preset
from attention.scenario import (MAX_TOKEN_CHARS, STEPS, Scenario, Selection, heads_of, parse_document,
                                parse_scenario, resolve)
from attention.tokenizer import MAX_TOKENS, TooManyTokens, check_length, detokenize, tokenize
from ui import real
from ui.predict_state import Predict

KINDS = ("self", "causal", "cross")
TEMPERATURE_RANGE = (0.1, 10.0)  # the slider's range (logarithmic); scenarios may hold 0.01-100
DEFAULT_CONTEXT = ("the", "black", "cat")  # keys' sentence when a learner switches to cross-attention


@dataclass(frozen=True)
class AppState:
    scenario: Scenario  # what is computed
    text: str  # the sentence box's content; may be refused (too long, empty) while the scenario stays
    query: int = 0  # the selected query token
    head: int = 0  # the selected head
    step: int = STEPS - 1  # the stage on the step slider, 0-4
    context_text: str = ""  # the keys' sentence box (cross-attention)
    preset: str | None = None  # the preset this came from; None once the learner changed the sentence
    beams: str = "query"  # "query": the selected query's beams; "all": every query's beams, faintly
    overlay: bool = False  # beams of every head at once, coloured and dashed by head
    cell: tuple | None = None  # (query, key) of the heatmap cell whose arithmetic is open
    hover: tuple | None = None  # what the pointer is over: ("query", i), ("key", j) or ("cell", i, j)
    playing: bool = False  # Play walks through the stages and stops at the last
    message: str = ""  # why the last edit was refused, shown next to the sentence box
    theme: str | None = None  # "light" or "dark" as the learner chose; None = follow the system
    system_dark: bool = False  # the system's colour preference (prefers-color-scheme), for theme None
    large: bool = False  # large text, for projectors
    status: str = ""  # the last share / export / import outcome, shown by the toolbar
    model: str = "toy"  # "toy": the designed heads; "minilm": the real, trained model (ui.real)
    layer: int = 0  # the real model's layer, 0-5
    real: object = None  # ui.real.Loaded once its files are in the page, else None
    pieces: object = None  # the real model's wordpiece.Encoding of the sentence (model "minilm")
    model_status: str = ""  # the real model's download: "loading", its progress, or why it failed
    awaiting: object = None  # a sentence's Encoding whose embedding rows are on their way (ui.real.missing_rows)
    computing: str = ""  # while the real model computes a newer sentence (ui.real.Pass): how far it is
    predict: Predict = Predict()  # predict mode: its question, the guess, the score (ui.predict's events)
    model_view: bool = False  # the real model's 72 heads at once (ui.model_view), shown with the real model on
    preview: tuple | None = None  # (layer, head) the pointer or focus is on in the model view: the canvas shows it
    pair: tuple | None = None  # (designed head, layer, head) open side by side ("designed beside real")

    def same_picture(self, other):  # AppState -> bool: whether the canvas draws the same for both
        """Every field but the DOM's own (DOM_ONLY) is the very same object: a change of those alone (a status
        line, the real model's progress) writes its element and redraws nothing."""
        return self is other or all(getattr(self, f) is getattr(other, f) for f in _CANVAS_FIELDS)

    @property
    def dark(self):  # the theme the page shows
        return self.theme == "dark" if self.theme is not None else self.system_dark

    @property
    def kind(self):
        s = self.scenario
        return "cross" if s.context is not None else ("causal" if s.mask == "causal" else "self")

    @property
    def veil(self):  # what predict mode hides until the reveal: None, "weights" or "name"
        return self.predict.veil

    @property
    def asked_cell(self):  # the score a "score by hand" question highlights, or None
        return self.predict.asked_cell

    @property
    def selection(self):  # what a link stores beside the scenario
        return Selection(query=self.query, head=self.head, step=self.step)

    @property
    def tokens(self):
        return self.scenario.tokens

    @property
    def key_tokens(self):
        return self.scenario.context if self.scenario.context is not None else self.scenario.tokens


DOM_ONLY = ("status", "computing", "message", "model_status")  # shown by the page's elements; scene/ never reads them
_CANVAS_FIELDS = tuple(f for f in AppState.__dataclass_fields__ if f not in DOM_ONLY)


def from_scenario(scenario, preset=None, selection=Selection()):
    """The state that shows `scenario` as it is, at `selection`."""
    context = detokenize(scenario.context) if scenario.context is not None else ""
    return AppState(scenario=scenario, text=detokenize(scenario.tokens), context_text=context, preset=preset,
                    query=selection.query, head=selection.head, step=selection.step)


def initial_state(preset_id="hot-dog"):
    return load_preset(None, preset_id)


# -- events -------------------------------------------------------------------

# How the learner looks, kept across examples (the model view too: it shows only with the real model on).
VIEW_FIELDS = ("beams", "overlay", "theme", "system_dark", "large", "model_view")
KEPT_FIELDS = VIEW_FIELDS + ("predict", "real", "model_status")  # and predict mode, what the page downloaded


def _keep_view(new, old):  # AppState, AppState | None -> new with old's view
    return new if old is None else replace(new, **{f: getattr(old, f) for f in KEPT_FIELDS})


def load_preset(state, preset_id):
    """An example; with the real model on, its sentence on the real model."""
    preset = get_preset(preset_id)
    new = _keep_view(from_scenario(preset.scenario, preset=preset_id, selection=preset.selection), state)
    if state is not None and state.model == "minilm":
        return replace(_real_sentence(replace(new, layer=state.layer), new.text), preset=preset_id)
    return new


def load_scenario(state, source, preset=None):
    """A scenario (and its selection) from a link or a file (the designed model's); ScenarioError (a
    ValueError) if it is malformed."""
    scenario, selection = parse_document(source)
    return _keep_view(from_scenario(scenario, preset=preset, selection=selection), state)


def edit_sentence(state, text, context=False):
    """The learner typed: retokenize, or keep the last good scenario and say why not."""
    field = "context_text" if context else "text"
    state = replace(state, **{field: text})
    if state.model == "minilm":
        return _real_sentence(state, text)
    tokens = tokenize(text)
    if not tokens:
        return replace(state, message="Type at least one word.")
    try:
        check_length(tokens, MAX_TOKENS)
    except TooManyTokens as exc:
        return replace(state, message=str(exc))
    too_long = next((t for t in tokens if len(t) > MAX_TOKEN_CHARS), None)
    if too_long is not None:
        return replace(state, message=f"'{too_long[:12]}…' is longer than {MAX_TOKEN_CHARS} characters: "
                                      "split it into words.")
    # New tokens invalidate given embeddings, weights and a custom mask's shape: back to the toy model.
    s, tokens = state.scenario, tuple(tokens)
    n_q = len(s.tokens) if context else len(tokens)
    fresh = Scenario(
        tokens=s.tokens if context else tokens,
        context=tokens if context else s.context,
        mask=s.mask if isinstance(s.mask, str) else "none",
        scale=s.scale, temperature=s.temperature)
    try:
        fresh = _valid(fresh)  # the same limits as a link or a file (e.g. a 40-character word)
    except ValueError as exc:
        return replace(state, message=str(exc))
    return replace(state, scenario=fresh, preset=None, message="", cell=None, hover=None,
                   head=min(state.head, model.HEADS - 1), query=min(state.query, n_q - 1))


def set_kind(state, kind):
    """Self-attention, causal (masked) self-attention, or cross-attention."""
    if kind not in KINDS:
        raise ValueError(f"attention type must be one of {', '.join(KINDS)}, not {kind!r}")
    if state.model == "minilm" and kind != "self":
        raise ValueError("the real model is an encoder: every token attends to every other (self-attention only)")
    s = state.scenario
    if kind == "cross":
        context = s.context or tokenize(state.context_text) or DEFAULT_CONTEXT
        if s.embeddings is not None:  # custom inputs have no context sentence to go with them
            s = Scenario(tokens=s.tokens, scale=s.scale, temperature=s.temperature)
        s = replace(s, context=tuple(context)[:MAX_TOKENS], mask="none")
    else:
        s = replace(s, context=None, context_embeddings=None, mask="causal" if kind == "causal" else "none")
    s = _valid(s)
    context_text = detokenize(s.context) if s.context is not None else state.context_text
    return replace(state, scenario=s, context_text=context_text, preset=None, cell=None, hover=None,
                   head=state.head if state.head < heads_of(s) else 0)


def select_query(state, i):
    """Select query token i (counting from 0); an index the sentence does not have is refused."""
    i, n_q = int(i), len(state.tokens)
    if not 0 <= i < n_q:
        raise ValueError(f"query {i} is not a token of this sentence: it has {n_q}, counted from 0 to {n_q - 1}")
    return _select(state, query=i)


def move_query(state, delta):
    """The next or previous query token, wrapping around at the ends."""
    return select_query(state, (state.query + delta) % len(state.tokens))


def select_head(state, h):
    """Select head h (counting from 0); a head the model does not have is refused."""
    h, heads = int(h), heads_of(state.scenario)
    if not 0 <= h < heads:
        raise ValueError(f"head {h} does not exist: there are {heads}, counted from 0 to {heads - 1}")
    return _select(state, head=h)


def cycle_head(state):
    return select_head(state, (state.head + 1) % heads_of(state.scenario))


def set_step(state, step):
    return _select(state, step=min(max(int(step), 0), STEPS - 1))


def set_scale(state, on):
    _designed_only(state, "switching √d_k off")
    return replace(state, scenario=replace(state.scenario, scale=bool(on)))


def set_temperature(state, t):
    _designed_only(state, "the temperature")
    t = float(t)
    if not np.isfinite(t):
        return state
    lo, hi = TEMPERATURE_RANGE
    return replace(state, scenario=replace(state.scenario, temperature=min(max(t, lo), hi)))


def set_beams(state, mode):
    if mode not in ("query", "all"):
        raise ValueError(f"beams must be 'query' or 'all', not {mode!r}")
    return replace(state, beams=mode)


def set_overlay(state, on):
    """Show every head's beams at once (True) or only the selected head's (False)."""
    return replace(state, overlay=bool(on))


def select_cell(state, i, j):
    """Open the arithmetic of weight (i, j); the query follows the clicked row."""
    return replace(select_query(state, i), cell=(int(i), int(j) % len(state.key_tokens)))


def close_cell(state):
    return replace(state, cell=None)


def set_hover(state, target):
    """The pointer moved onto a chip or cell (a scene hit), or off everything (None)."""
    return state if target == state.hover else replace(state, hover=target)


def _designed_only(state, what):
    if state.model == "minilm":
        raise ValueError(f"{what} is for the designed model: the real one runs as it was trained")


# -- the real model (ui.real) ----------------------------------------------------

MODELS = ("toy", "minilm")


def set_model(state, name):
    """The designed model or the real one. The real one's files come when first asked for: until they are
    in the page (`model_loaded`) the state says "loading" and the designed model stays on."""
    if name not in MODELS:
        raise ValueError(f"model must be toy or minilm, not {name!r}")
    if name == state.model:
        return state
    if name == "toy":
        back = edit_sentence(replace(state, model="toy", pieces=None, awaiting=None, preview=None, pair=None),
                             state.text)
        if back.message:  # the designed model takes at most 32 words: its last good sentence stays
            back = replace(from_scenario(initial_state().scenario), **{f: getattr(state, f) for f in KEPT_FIELDS},
                           message=f"{back.message} The designed model shows its first example instead.")
        return replace(back, model_status="")
    if state.real is None:
        return replace(state, model_status="loading")
    return _real_sentence(state, state.text)


def model_progress(state, text):
    return replace(state, model_status=str(text))


def model_loaded(state, loaded):
    """The real model's files arrived: switch to it, on the sentence in the box."""
    return set_model(replace(state, real=loaded, model_status=""), "minilm")


def model_failed(state, reason):
    return replace(state, model_status=f"failed: {reason}", awaiting=None)


def rows_arrived(state):
    """The awaited sentence's embedding rows are in (ui.real.add_rows): show it, unless the learner moved on."""
    if state.awaiting is None:
        return state
    return _real_sentence(replace(state, awaiting=None), state.text)


def drop_awaited(state):
    """A newer sentence's forward pass has started (main/: RealPass): the sentence whose embedding rows are still
    on their way is not the newest any more, and is not shown when they arrive."""
    return state if state.awaiting is None else replace(state, awaiting=None)


def set_computing(state, progress):
    """How far the real model's forward pass on the newest sentence is ("" once it is shown, or dropped)."""
    return state if state.computing == progress else replace(state, computing=str(progress))


def select_layer(state, layer):
    layer = int(layer)
    if not 0 <= layer < real.LAYERS:
        raise ValueError(f"layer {layer} does not exist: the real model has {real.LAYERS}, counted from 0")
    return replace(state, layer=layer, cell=None)


# -- the model view: the 72 heads at once (ui.model_view), and designed beside real --------------

def set_model_view(state, on):
    """Open or close the model view; closing it ends a preview."""
    return replace(state, model_view=bool(on), preview=None)


def toggle_model_view(state):
    return set_model_view(state, not state.model_view)


def preview_head(state, layer, head):
    """The pointer or the focus is on a head of the model view: the canvas shows that head until it leaves.
    Nothing is previewed while a predict question hides the weights."""
    target = _real_head(layer, head)
    if state.model != "minilm" or not state.model_view or state.predict.hidden or state.preview == target:
        return state
    return replace(state, preview=target)


def end_preview(state):
    """The pointer or the focus left the model view's heads: the canvas shows the selected head again."""
    return state if state.preview is None else replace(state, preview=None)


def open_head(state, layer, head):
    """A head of the model view (or of a pair) was clicked: select its layer and head."""
    layer, head = _real_head(layer, head)
    return replace(select_head(select_layer(state, layer), head), preview=None, pair=None)


def previewed(state):  # AppState -> the state the canvas draws: the previewed layer and head, if any
    if state.preview is None or state.model != "minilm":
        return state
    layer, head = state.preview
    return replace(state, layer=layer, head=head, preview=None, cell=None)


def open_pair(state, designed, layer, head):
    """Open a designed head and a real head side by side."""
    designed = int(designed)
    if not 0 <= designed < model.HEADS:
        raise ValueError(f"designed head {designed} does not exist: there are {model.HEADS}, counted from 0")
    if state.model != "minilm":
        raise ValueError("designed beside real needs the real model on")
    if state.predict.hidden:
        raise ValueError("answer the open question first: the pair would show the weights it hides")
    return replace(state, pair=(designed, *_real_head(layer, head)))


def close_pair(state):
    return state if state.pair is None else replace(state, pair=None)


def open_designed(state, designed):
    """The pair's designed head in the explorer: the designed model, on the same sentence, at that head."""
    designed = int(designed)
    toy = set_model(replace(state, pair=None, preview=None), "toy")
    return select_head(toy, designed) if toy.model == "toy" else toy


def _real_head(layer, head):  # -> (layer, head) of the real model, or ValueError
    layer, head = int(layer), int(head)
    if not (0 <= layer < real.LAYERS and 0 <= head < real.HEADS):
        raise ValueError(f"layer {layer}, head {head} does not exist: the real model has layers 0-{real.LAYERS - 1} "
                         f"and heads 0-{real.HEADS - 1}")
    return layer, head


def _real_sentence(state, text):  # AppState (real loaded), str -> AppState on the real model
    """The sentence as the real model's pieces; a refused one keeps the last good one and says why, and one
    whose embedding rows are still to come keeps what is shown until they are in."""
    try:
        pieces = real.encode(state.real, text)
    except real.Refused as exc:
        return replace(state, text=text, message=str(exc))
    if real.missing_rows(state.real, pieces.ids):  # shown once they arrive (rows_arrived)
        return replace(state, text=text, message="", awaiting=pieces)
    scenario = Scenario(tokens=pieces.pieces, heads=real.HEADS)
    return replace(state, model="minilm", text=text, scenario=scenario, pieces=pieces, context_text="",
                   preset=None, message="", cell=None, hover=None, awaiting=None, pair=None,
                   query=min(state.query, len(pieces.ids) - 1), head=min(state.head, real.HEADS - 1))


THEMES = ("light", "dark")


def set_theme(state, theme):
    """"light", "dark", or None to follow the system again."""
    if theme is not None and theme not in THEMES:
        raise ValueError(f"theme must be light or dark, not {theme!r}")
    return replace(state, theme=theme)


def toggle_theme(state):
    return set_theme(state, "light" if state.dark else "dark")


def set_system_dark(state, dark):
    return replace(state, system_dark=bool(dark))


def set_large(state, on):
    return replace(state, large=bool(on))


def toggle_large(state):
    return set_large(state, not state.large)


def set_status(state, text):
    """What the last share, export or import did (a later one replaces it)."""
    return replace(state, status=str(text))


def play(state):
    """Start Play; from the last stage it starts again at the first."""
    s = state if state.step < STEPS - 1 else set_step(state, 0)
    return replace(s, playing=True)


def pause(state):
    return replace(state, playing=False)


def _select(state, **selection):
    cell = state.cell if "query" not in selection or selection["query"] == state.query else None
    return replace(state, **selection, cell=cell)


def _valid(s):
    """Round-trip through the validator so an event can never produce a scenario a link could not hold."""
    return parse_scenario(s)


# -- what the state computes ----------------------------------------------------

@dataclass(frozen=True, eq=False)
class Computed:
    """The engine's trace for a scenario, with what the page shows next to it."""

    trace: object  # attention.core.Trace
    x: np.ndarray  # [n_q, d_model] the queries' inputs (embedding + position)
    context_x: np.ndarray  # [n_k, d_model] the keys'/values' inputs (x itself for self-attention)
    entropy: np.ndarray  # [heads, n_q] bits: 0 = all on one key, log2(n_k) = spread evenly
    xy: np.ndarray  # [n_q, 2] the queries' tokens on the embedding scatter plot
    features: tuple  # column labels of x
    head_names: tuple  # one short name per head
    head_explanations: tuple  # one sentence per head ("" when the weights are not the toy model's)
    toy: bool  # True when the toy model's designed weights are in use
    plane: str = "first two coordinates"  # what the scatter plot's two axes are (xy)


def computed_of(state):  # AppState -> Computed: what the page shows, from whichever model is on
    if state.model == "minilm":
        return real.computed(state.real, state.pieces, state.layer)
    return compute(state.scenario)


def compute(scenario):
    """The trace of a scenario (cached: the selection is not part of it, so moving it recomputes nothing)."""
    return _compute(scenario)


@lru_cache(maxsize=32)
def _compute(scenario):
    args = resolve(scenario)
    trace = attention_trace(**args)
    x = args["x"]
    context_x = args["context"] if args["context"] is not None else x
    toy = x.shape[1] == model.D_MODEL and all(
        np.array_equal(given, designed) for given, designed in zip(
            (args["w_q"], args["w_k"], args["w_v"]), model.weights()[:3]))
    if toy:
        names = tuple(h.name for h in model.HEAD_INFO)
        explanations = tuple(h.explanation for h in model.HEAD_INFO)
        features = model.FEATURES
        xy = model.scatter_xy(list(scenario.tokens)) if scenario.embeddings is None else _first_two(x)
    else:
        names = tuple(f"head {h}" for h in range(trace.heads))
        explanations = ("",) * trace.heads
        features = tuple(f"x{c + 1}" for c in range(x.shape[1]))
        xy = _first_two(x)
    return Computed(trace, x, context_x, entropy(trace.weights), xy, features, names, explanations, toy)


def _first_two(x):  # [n, d_model] -> [n, 2]
    """Custom embeddings are plotted by their first two coordinates (zero-padded when d_model is 1)."""
    xy = np.zeros((len(x), 2))
    xy[:, :min(2, x.shape[1])] = x[:, :2]
    return xy

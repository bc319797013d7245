"""What every element of the page shows, as one plain value: `page_view(state, computed)`.

The value is a dict `{"element-id.property": value}`; main/ writes an entry into
the DOM only when it differs from what it wrote last time, always as text, never
as HTML. Properties:

    text      textContent              value     an input's value (left alone while it has the focus)
    checked   a checkbox or radio      disabled  a button's disabled flag
    hidden    the hidden flag          href      a link's address
    options   a <select>'s (value, label) pairs
    header    a table's column labels  rows      a table's body rows (the first cell is the row header)
    list      an <ol>'s items          tex       a formula, typeset by KaTeX
    heads     the model view's grid    current   its selected head, "layer,head" (ui.model_view)
    matches   a list of pair buttons   heatmap   a table heatmap (ui.model_view.heatmap)
    modal     a <dialog> open (showModal) or closed
    @name     an attribute (None removes it); "html.@data-theme" is on <html>

The bigger parts are built by functions of exactly what they read, each
remembered, so a part that did not change costs a dictionary lookup: those
that read the state declare its fields with `scene.memo.memo` (and see only
those), the others take plain arguments under `functools.lru_cache`.
"""

import math
from functools import lru_cache

from attention.lexicon import guessed_words
from attention.presets import PRESETS, get_preset
from attention.scenario import STEPS
from attention.tokenizer import MAX_TOKENS, tokenize
from scene.memo import memo
from scene.numbers import number
from scene.stages import STAGES, Stage, knobs_of
from ui import export, model_view, panels, predict, real, share

PLAY, PAUSE = "▶ Play", "❚❚ Pause"
KINDS = ("self", "causal", "cross")


def page_view(state, computed):  # AppState, Computed -> {"id.prop": value}
    s = state.scenario
    view = {
        "sentence.value": state.text,
        "context.value": state.context_text,
        "sentence-message.text": state.message,
        "token-count.text": (f"{len(state.tokens)} / {real.MAX_PIECES} pieces" if state.model == "minilm" else
                             token_count(state.text, state.message, len(state.tokens),
                                         len(state.key_tokens) if state.kind == "cross" else None)),
        "context-field.hidden": state.kind != "cross",
        "preset.options": preset_options(),
        "preset.value": state.preset or "",
        "preset-note.text": get_preset(state.preset).description if state.preset else "",
        "guessed-words.text": guessed_text(state.tokens, state.scenario.context) if computed.toy else "",
        "query.options": query_options(state.tokens),
        "query.value": str(state.query),
        "head.options": head_options(computed.head_names),
        "head.value": str(state.head),
        "head-explanation.text": computed.head_explanations[state.head],
        "beams.value": state.beams,
        "overlay.checked": state.overlay,
        "scale.checked": s.scale,
        "temperature.value": str(math.log10(s.temperature)),
        "temperature-value.text": number(s.temperature, 2),
        "temperature.@aria-valuetext": number(s.temperature, 2),
        "play.text": PAUSE if state.playing else PLAY,
        "play.@aria-label": "Pause" if state.playing else "Play",
        "share-status.text": state.status,
        "theme-toggle.@aria-pressed": _true(state.dark),
        "large-toggle.@aria-pressed": _true(state.large),
        "html.@data-theme": state.theme,
        "html.@data-large": "true" if state.large else None,
        "open-full.href": full_page_href(state),
    }
    view.update({f"kind-{kind}.checked": state.kind == kind for kind in KINDS})
    view["designed-match.matches"] = (designed_pairs(state.real, state.pieces, state.text)
                                      if state.model == "minilm" else ())
    view["designed-match-box.hidden"] = not view["designed-match.matches"]
    view.update(model_view_part(state))
    view.update(pair_part(state))
    view.update(model_part(state.model, state.layer,
                           f"The real model is on the new sentence: {state.computing}…" if state.computing else
                           state.model_status if state.awaiting is None else "Fetching the sentence's word embeddings…"))
    view.update(stage_part(state.step, knobs_of(state)))
    view.update(detail_part(computed, state))
    view.update(arithmetic_part(computed, state))
    view.update(matrix_part(computed, state.tokens, state.key_tokens, state.head))
    view.update(qkv_part(computed, state))
    view["numpy-code.text"] = numpy_part(computed, state)
    narration = panels.narration(computed, state)
    view["live.text"] = narration
    view["canvas.@aria-label"] = f"Attention visualisation. {narration}"
    view.update(predict_part(state.predict))
    view.update(veiled_part(state, computed))
    return view


_UNSET = object()  # what no view entry equals


def changed_entries(shown, view):  # {"id.prop": written}, page_view(...) -> ["id.prop", ...] to write now
    """The entries of `view` that differ from what was written last; `shown` is updated to `view`'s. New
    options forget a select's selection, so its value is written again too."""
    changed = []
    for key, value in view.items():
        if shown.get(key, _UNSET) != value:
            changed.append(key)
            shown[key] = value
            if key.endswith(".options"):
                shown.pop(key.removesuffix("options") + "value", None)
    return changed


@lru_cache(maxsize=8)
def designed_pairs(loaded, pieces, text):  # -> ((name, ((button text, aria-label, designed, layer, head), ...)), ...)
    """Per designed head, the real heads most like it here: each a button that opens the pair side by side."""
    return tuple((name, tuple((f"layer {layer} head {head} ({number(overlap, 2)} shared)",
                               f"{name} beside layer {layer} head {head}, side by side ({number(overlap, 2)} shared)",
                               d, layer, head)
                              for layer, head, overlap in matches))
                 for d, (name, matches) in enumerate(real.designed_matches(loaded, pieces, text)))


def match_lines(pairs):  # designed_pairs(...) -> the lines the list reads as: "positional: layer 0 head 2 (...), ..."
    return tuple(f"{name}: " + ", ".join(text for text, *_ in buttons) for name, buttons in pairs)


def model_view_part(state):  # -> the model view's toggle, grid and the line under it
    """The 72 heads at once, with the real model on; their pictures are hidden while a predict question is open."""
    on = state.model == "minilm"
    shown = on and state.model_view
    view = {
        "canvas.@data-preview": f"{state.preview[0]},{state.preview[1]}" if on and state.preview else None,
        "model-view-toggle.hidden": not on,
        "model-view-toggle.@aria-pressed": _true(shown),
        "model-view.hidden": not shown,
    }
    if not shown:
        return view
    layer, head = state.preview or (state.layer, state.head)
    hidden = state.predict.hidden
    view.update({
        "model-view-grid.hidden": hidden,
        "model-view-grid.heads": model_view.grid_part(state.real, state.pieces, state.dark),
        "model-view-grid.current": f"{state.layer},{state.head}",
        "model-view-preview.text": (f"The heads' pictures are {predict.HIDDEN_TEXT}." if hidden else
                                    ("Preview: " if state.preview else "Selected: ") +
                                    model_view.describe(state.real, state.pieces, layer, head)),
    })
    return view


def pair_part(state):  # -> the "designed beside real" dialog
    p = (model_view.pair(state.real, state.pieces, state.text, *state.pair)
         if state.pair is not None and state.model == "minilm" else None)
    return {"pair.modal": p is not None, **model_view.pair_part(p, state.dark)}


@lru_cache(maxsize=16)
def model_part(model, layer, status):  # -> the model and layer controls, the download's progress
    """The real model's controls; the designed model's knobs are off while it runs as trained."""
    on = model == "minilm"
    failed = status.startswith("failed: ")
    shown = {
        "model.value": "minilm" if on or status == "loading" or status.startswith("Downloading") else "toy",
        "layer.options": tuple((str(l), f"layer {l}") for l in range(real.LAYERS)),
        "layer.value": str(layer),
        "layer-field.hidden": not on,
        "model-status.text": (f"The real model could not be loaded: {status.removeprefix('failed: ')}"
                              if failed else "Downloading the real model…" if status == "loading" else status),
        "model-retry.hidden": not failed,
        "model-credit.text": real.CREDIT if on else "",
        "scale.disabled": on,
        "temperature.disabled": on,
    }
    shown.update({f"kind-{kind}.disabled": on and kind != "self" for kind in KINDS})
    return shown


def _true(flag):
    return "true" if flag else "false"


def token_count(text, message, n_q, n_k=None):  # -> "4 / 32 tokens" (· "3 source" in cross-attention)
    """The count of what was typed, also when it was refused (33 / 32)."""
    n = len(tokenize(text)) if message else n_q
    return f"{n} / {MAX_TOKENS} tokens" + (f" · {n_k} source" if n_k is not None else "")


@lru_cache(maxsize=16)
def guessed_text(tokens, context=None, shown=3):  # -> "" when the lexicon knew every word
    """Which words the toy model's lexicon did not know, and what it took them for."""
    guessed = guessed_words(tokens + (context or ()))
    if not guessed:
        return ""
    parts = [f"'{word}' {how}" for word, how in guessed[:shown]]
    more = f"; and {len(guessed) - shown} more" if len(guessed) > shown else ""
    return "Guessed: " + "; ".join(parts) + more + "."


@lru_cache(maxsize=1)
def preset_options():
    return (("", "Choose an example…"), *((p.id, p.title) for p in PRESETS))


@lru_cache(maxsize=8)
def query_options(tokens):
    return tuple((str(i), f"{i}. {t}") for i, t in enumerate(tokens))


@lru_cache(maxsize=8)
def head_options(head_names):
    return tuple((str(h), panels.head_option(head_names, h)) for h in range(len(head_names)))


def full_page_href(state):
    """'Open full page' opens the state the learner is in, not the default example."""
    if state.model == "minilm":
        return "./index.html?" + share.real_model_query(state)
    return "./index.html#" + _fragment(state)


@lru_cache(maxsize=4)
def _fragment(state):
    return share.link_fragment(state)


@lru_cache(maxsize=16)
def stage_part(step, knobs):  # int, scene.stages.Knobs -> the stage's controls and texts, from the one table
    info = STAGES[Stage(step)]
    return {
        "step.value": str(step),
        "step.@aria-valuetext": f"{step + 1} of {STEPS}: {info.title}",
        "stage-title.text": f"{step + 1}. {info.title}",
        "stage-text.text": info.text,
        "prev.disabled": step == 0,
        "next.disabled": step == STEPS - 1,
        "formula.tex": info.tex(knobs),
    }


@memo("tokens", "key_tokens", "query", "head")
def detail_part(computed, picked):
    tokens, query, head = picked.tokens, picked.query, picked.head
    return {
        "weights-table.rows": tuple(panels.weights_rows(computed, picked)),
        "weights-caption.text": f"Where '{tokens[query]}' looks, {panels.head_title(computed.head_names, head)}",
        "head-output.text": panels.head_output_text(computed, picked),
        "output-vector.text": panels.output_text(computed, picked),
        "entropy.text": panels.entropy_text(computed, picked),
    }


@memo("tokens", "key_tokens", "head", "cell")
def arithmetic_part(computed, picked):
    lines = panels.arithmetic_lines(computed, picked)
    return {"arithmetic.hidden": not lines, "arithmetic-lines.list": tuple(lines)}


@lru_cache(maxsize=8)
def matrix_part(computed, tokens, key_tokens, head):
    return {
        "attention-matrix.header": ("query \\ key", *key_tokens),
        "attention-matrix.rows": tuple(tuple(r) for r in panels.matrix_rows(computed.trace.weights[head], tokens)),
        "matrix-head.text": panels.head_title(computed.head_names, head),
    }


@memo("tokens", "key_tokens", "head", size=8)
def qkv_part(computed, picked):
    return {"qkv-table.rows": tuple(tuple(r) for r in panels.qkv_rows(computed, picked))}


@memo("scenario", "tokens", "kind", "query", "head", "step", size=8)
def numpy_part(computed, picked):
    return export.numpy_code(computed, picked)


# -- predict mode -------------------------------------------------------------------

HOW_MUCH_START = "50"  # where the "how much" slider stands before the learner moves it


def predict_part(p):  # ui.predict_state.Predict -> the predict panel's entries
    """The question, its answer controls (a select, a percent slider or a number field), reveal, feedback, score."""
    q = p.question
    choices, slider = q is not None and bool(q.choices), q is not None and q.kind == "how much"
    field = q is not None and not choices and not slider
    if not p.on:
        text = ""
    elif q is None:
        text = "Nothing to ask here: the query may attend to nothing, or every answer is the same. Try another step."
    else:
        text = q.text
    return {
        "predict-toggle.@aria-pressed": _true(p.on),
        "predict-toggle.disabled": p.locked,
        "predict-body.hidden": not p.on,
        "predict-question.text": text,
        "predict-choice-field.hidden": not choices,
        "predict-choice.options": (("", "Choose an answer…"), *(q.choices if choices else ())),
        "predict-choice.value": (p.guess or "") if choices else "",
        "predict-choice.disabled": p.revealed,
        "predict-percent-field.hidden": not slider,
        "predict-percent.value": (p.guess or HOW_MUCH_START) if slider else HOW_MUCH_START,
        "predict-percent.disabled": p.revealed,
        "predict-percent-value.text": f"{p.guess}%" if slider and p.guess is not None else "move the slider",
        "predict-number-field.hidden": not field,
        "predict-number.value": (p.guess or "") if field else "",
        "predict-number.disabled": p.revealed,
        "predict-reveal.disabled": q is None or p.guess is None or p.revealed,
        "predict-feedback.text": predict.feedback(p),
        "predict-score.text": predict.score_text(p),
        "predict-next.disabled": not p.on,
        "predict-reset.disabled": p.answered == 0,
    }


def veiled_part(state, computed):  # -> the entries that would show the answer, while it is hidden
    """Every number of the weights and what follows from them says HIDDEN_TEXT until the reveal.

    During "which head" the matrix shows the asked head's weights and the head's name is hidden.
    """
    p = state.predict
    if not p.hidden:
        return {"head-field.hidden": False}
    hidden = predict.HIDDEN_TEXT
    entries = {
        "weights-table.rows": tuple((token, hidden) for token in state.key_tokens),
        "weights-caption.text": f"Where '{state.tokens[state.query]}' looks: {hidden}",
        "head-output.text": hidden, "output-vector.text": hidden, "entropy.text": hidden,
        "arithmetic-lines.list": (hidden,),
        "attention-matrix.rows": tuple((token, hidden) for token in state.tokens),
        "live.text": f"A question is open; the numbers are {hidden}.",
        "canvas.@aria-label": f"Attention visualisation: the weights are {hidden}.",
        "head-field.hidden": False,
    }
    if p.question.kind == "which head":
        entries.update(matrix_part(computed, state.tokens, state.key_tokens, p.question.head))
        entries.update({"matrix-head.text": f"which head? {hidden}", "head-explanation.text": "",
                        "head-field.hidden": True})
    return entries

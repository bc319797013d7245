"""Start-up parameters from the page's address, and the fields of a host page's message.

    index.html?embed=1&preset=hot-dog&step=3&query=2&head=2&attention=causal&theme=dark&mode=predict

`apply_params` turns them into events on the state. A bad value is skipped and
named in the returned problems, so a typo in a course page's link still opens
the explorer (in its default state for that setting) and says what was wrong.
Names it does not know are left alone without a word: learning platforms and
social sites add their own (`utm_source`, `fbclid`, ...).
"""

from attention.presets import PRESETS
from ui import predict
from ui import state as ev

PARAMS = {
    "embed": "1 = compact layout for iframes",
    "preset": "an example's id: " + ", ".join(p.id for p in PRESETS),
    "text": "the sentence to open with, as if typed",
    "model": "toy (the designed heads) or minilm (the real, trained model)",
    "layer": "the real model's layer, 0 to 5",
    "overview": "1 = the real model's 72 heads at once, the model view (with model=minilm)",
    "attention": "self, causal or cross",
    "type": "the same as attention (older links)",
    "scale": "1 or 0: divide the scores by √d_k",
    "temperature": "softmax temperature, 0.1 to 10",
    "beams": "query or all",
    "heads": "all = every head's beams at once",
    "query": "the selected query token, counting from 0",
    "head": "the selected head, counting from 0",
    "step": "0 Input, 1 Project, 2 Scores, 3 Softmax, 4 Weighted sum",
    "theme": "light or dark",
    "large": "1 = large text for projectors",
    "mode": "predict = open in predict mode (the page asks before it shows); explore = without it",
    "lock": "1 = predict mode stays on (its toggle is disabled), for a teacher's sequence",
}


def _flag(text):  # "1" | "0" | "true" | "false" -> bool
    if text not in ("0", "1", "true", "false"):
        raise ValueError("use 1 or 0")
    return text in ("1", "true")


def _whole(text):  # -> int
    try:
        return int(text)
    except ValueError:
        raise ValueError("use a whole number") from None


def _number(text):  # -> float
    try:
        return float(text)
    except ValueError:
        raise ValueError("use a number, like 0.5 or 2") from None


def _step(text):  # -> int in 0..4
    value = _whole(text)
    if not 0 <= value <= 4:
        raise ValueError("steps are 0 to 4")
    return value


def _heads(text):  # "all" | "one" -> overlay on or off
    if text not in ("all", "one"):
        raise ValueError("use all or one")
    return text == "all"


def _mode(text):  # "predict" | "explore" -> predict mode on or off
    if text not in ("predict", "explore"):
        raise ValueError("use predict or explore")
    return text == "predict"


def _typed(state, text):
    """The sentence as if typed; a refused one is a problem, not a silent default."""
    new = ev.edit_sentence(state, text)
    if new.message:
        raise ValueError(new.message)
    return new


# In the order they are applied: what is computed first, then the selection, then the view.
STEPS = (
    ("preset", ev.load_preset, str),
    ("text", _typed, str),
    ("model", ev.set_model, str),
    ("attention", ev.set_kind, str),
    ("type", ev.set_kind, str),
    ("scale", ev.set_scale, _flag),
    ("temperature", ev.set_temperature, _number),
    ("layer", ev.select_layer, _whole),
    ("query", ev.select_query, _whole),
    ("head", ev.select_head, _whole),
    ("step", ev.set_step, _step),
    ("overview", ev.set_model_view, _flag),
    ("beams", ev.set_beams, str),
    ("heads", ev.set_overlay, _heads),
    ("theme", ev.set_theme, str),
    ("large", ev.set_large, _flag),
    ("mode", predict.set_mode, _mode),
    ("lock", predict.lock_mode, _flag),
)


AFTER_LOAD = ("layer", "query", "head")  # what counts the real model's layers, pieces and heads


def split_params(state, params):  # AppState, {name: str} -> (apply now, apply once the real model is in)
    """With model=minilm before its files are in the page, the selection waits for them."""
    if params.get("model") != "minilm" or state.real is not None:
        return dict(params), {}
    later = {name: params[name] for name in AFTER_LOAD if name in params}
    return {k: v for k, v in params.items() if k not in later}, later


def apply_params(state, params):  # AppState, {name: str} -> (AppState, [problem])
    """Apply the known parameters in order; each bad one is skipped and described."""
    problems = []
    for name, event, convert in STEPS:
        if name not in params:
            continue
        try:
            state = event(state, convert(params[name]))
        except (ValueError, KeyError) as exc:
            problems.append(f"'{name}={_short(params[name])}' was ignored: {_reason(exc)}")
    return state, problems


def _short(value, limit=40):
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _reason(exc):
    return str(exc.args[0]) if exc.args else type(exc).__name__

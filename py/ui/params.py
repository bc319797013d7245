"""Start-up parameters from the page's address, for course sites that embed or link the explorer.

    index.html?embed=1&preset=hot-dog&step=3&query=2&head=2&type=causal&theme=dark

`apply_params` turns them into events on the state. A bad value is skipped and
named in the returned problems, so a typo in a course page's link still opens
the explorer (in its default state for that parameter) and says what was wrong.
"""

from attention.presets import PRESETS
from ui import state as ev

PARAMS = {
    "embed": "1 = compact layout for iframes",
    "preset": "an example's id: " + ", ".join(p.id for p in PRESETS),
    "type": "self, causal or cross",
    "scale": "1 or 0: divide the scores by √d_k",
    "temperature": "softmax temperature, 0.1 to 10",
    "beams": "query or all",
    "query": "the selected query token, counting from 0",
    "head": "the selected head, counting from 0",
    "step": "0 Input, 1 Project, 2 Scores, 3 Softmax, 4 Weighted sum",
    "theme": "light or dark",
    "large": "1 = large text for projectors",
}


def apply_params(state, params):  # AppState, {name: str} -> (AppState, [problem])
    """Apply the address's parameters in a sensible order (what is computed first, then the selection)."""
    problems = []
    steps = [
        ("preset", ev.load_preset, str),
        ("type", ev.set_kind, str),
        ("scale", ev.set_scale, _flag),
        ("temperature", ev.set_temperature, float),
        ("beams", ev.set_beams, str),
        ("query", ev.select_query, _index),
        ("head", ev.select_head, _index),
        ("step", ev.set_step, _step),
    ]
    for name, event, convert in steps:
        if name not in params:
            continue
        try:
            state = event(state, convert(params[name]))
        except (ValueError, KeyError) as exc:
            problems.append(f"'{name}={params[name]}' was ignored: {_reason(exc)}")
    for name in params:
        if name not in PARAMS:
            problems.append(f"unknown parameter '{name}' was ignored")
    return state, problems


def _flag(text):
    if text not in ("0", "1", "true", "false"):
        raise ValueError("use 1 or 0")
    return text in ("1", "true")


def _whole(text):
    try:
        return int(text)
    except ValueError:
        raise ValueError("use a whole number") from None


def _index(text):
    value = _whole(text)
    if value < 0:
        raise ValueError("counts from 0")
    return value


def _step(text):
    value = _whole(text)
    if not 0 <= value <= 4:
        raise ValueError("steps are 0 to 4")
    return value


def _reason(exc):
    return str(exc.args[0]) if exc.args else type(exc).__name__

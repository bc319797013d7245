"""What Copy link and Export JSON carry: the scenario, and how the learner was looking at it.

A shared document is a SPEC scenario (tokens, weights, mask, knobs, the selected
query / head / step) with two optional fields more, which `attention.scenario`
does not know and this module takes off before validating the rest:

    "view":   {"beams": "all", "heads": "all", "theme": "dark", "large": true}
    "preset": "hot-dog"   (the example it is, so its note and the Examples menu come back)

Links and files written before these fields existed open as they always did.
"""

import base64
import json
from urllib.parse import quote, urlencode

from attention.presets import get_preset
from attention.scenario import ScenarioError, fragment_bytes, loads, parse_document, to_dict
from ui import state as ev

VIEW_KEYS = ("beams", "heads", "theme", "large")


def view_of(state):  # AppState -> dict: only what differs from a fresh page
    view = {"beams": state.beams, "heads": "all" if state.overlay else "one",
            "theme": state.theme, "large": state.large}
    fresh = {"beams": "query", "heads": "one", "theme": None, "large": False}
    return {k: v for k, v in view.items() if v != fresh[k]}


def document(state, scenario=None):  # AppState, Scenario | None -> dict
    """The state as a JSON-ready document; `scenario` replaces the state's own (Export writes every number)."""
    doc = to_dict(scenario if scenario is not None else state.scenario, state.selection)
    view = view_of(state)
    if view:
        doc["view"] = view
    if state.preset is not None and scenario is None:
        doc["preset"] = state.preset
    return doc


def real_model_query(state):  # AppState (model "minilm") -> "model=minilm&text=...&layer=...": its link
    """The real model's state as address parameters (it runs on a sentence, not on a scenario)."""
    params = {"model": "minilm", "text": state.text, "layer": state.layer, "head": state.head,
              "query": state.query, "step": state.step, **({"overview": "1"} if state.model_view else {})}
    view = view_of(state)
    params.update({k: ("1" if v is True else v) for k, v in view.items()})
    return urlencode(params, quote_via=quote)


REAL_KEYS = ("model", "text", "layer", "head", "query", "step")


def real_document(state, computed):  # AppState (model "minilm"), its Computed -> dict
    """Export JSON on the real model: the sentence and selection (what reopens it) and the layer's numbers."""
    trace = computed.trace
    doc = {"model": "minilm", "text": state.text, "layer": state.layer, "head": state.head,
           "query": state.query, "step": state.step, "tokens": list(state.tokens),
           "attention": [[[round(float(w), 6) for w in row] for row in head] for head in trace.weights]}
    view = view_of(state)
    if view:
        doc["view"] = view
    return doc


def _open_real(state, doc):  # a real_document -> the state it describes (the selection once the model is in)
    from ui.params import apply_params, split_params  # noqa: PLC0415 - ui.params imports this module's users

    params = {k: str(doc[k]) for k in REAL_KEYS if k in doc}
    now, _ = split_params(state, params)
    new, problems = apply_params(state, now)
    if problems:
        raise ScenarioError("; ".join(problems))
    return _with_view(new, doc.get("view"))


def to_text(doc):  # dict -> compact JSON
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def link_fragment(state):  # AppState -> "scenario=<base64url>"
    encoded = base64.urlsafe_b64encode(to_text(document(state)).encode("utf-8")).decode("ascii")
    return "scenario=" + encoded.rstrip("=")


def open_document(state, source):  # AppState, str | bytes | dict -> AppState
    """The state a link, a file or a host page's scenario describes; ScenarioError if malformed."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError("the scenario is not valid UTF-8 text") from None
    doc = loads(source) if isinstance(source, str) else source
    if not isinstance(doc, dict):
        return ev.load_scenario(state, doc)  # parse_scenario names what is wrong with it
    if doc.get("model") == "minilm":
        return _open_real(state, doc)
    doc = dict(doc)
    view, preset = doc.pop("view", None), doc.pop("preset", None)
    new = ev.load_scenario(state, doc, preset=_preset_if_same(preset, parse_document(doc)[0]))
    return _with_view(new, view)


def open_fragment(state, fragment):  # AppState, str -> AppState
    return open_document(state, fragment_bytes(fragment))


def _preset_if_same(preset_id, scenario):  # the preset's id only if the scenario is that preset's (any selection)
    if not isinstance(preset_id, str):
        return None
    try:
        given = get_preset(preset_id).scenario
    except KeyError:
        return None
    return preset_id if given == scenario else None


def _with_view(state, view):  # AppState, dict | None -> AppState
    if view is None:
        return state
    if not isinstance(view, dict):
        raise ScenarioError("'view' must be an object like {\"beams\": \"all\"}")
    unknown = sorted(set(view) - set(VIEW_KEYS))
    if unknown:
        raise ScenarioError(f"unknown view setting '{unknown[0]}' (known: {', '.join(VIEW_KEYS)})")
    events = {"beams": ev.set_beams, "heads": lambda s, v: ev.set_overlay(s, _heads(v)),
              "theme": ev.set_theme, "large": lambda s, v: ev.set_large(s, _boolean(v))}
    for key, value in view.items():
        try:
            state = events[key](state, value)
        except ValueError as exc:
            raise ScenarioError(f"view setting '{key}': {exc}") from None
    return state


def _heads(value):
    if value not in ("all", "one"):
        raise ValueError("use \"all\" or \"one\"")
    return value == "all"


def _boolean(value):
    if not isinstance(value, bool):
        raise ValueError("use true or false")
    return value

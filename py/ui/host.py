"""The conversation with a page that embeds the explorer in an iframe (window.postMessage).

    host -> explorer  {type: "attention-explorer:set", scenario?, preset?, text?, model?, layer?, overview?,
                       attention?, scale?, temperature?, query?, head?, step?, beams?, heads?, theme?, large?}
    explorer -> host  {type: "attention-explorer:ready", step, query}
                      {type: "attention-explorer:step-changed", step}
                      {type: "attention-explorer:query-changed", query, token}
                      {type: "attention-explorer:error", problems: [...]}   (a message it could not apply)
                      {type: "attention-explorer:answered", kind, correct, score}  (a predict-mode reveal)

`type` is the envelope; the attention type travels as `attention`. Fields are applied
like the address's parameters (what is computed first, then the selection). A host's
mistakes go back to the host, never as a banner over the learner's page.
"""

import json

from ui import predict, share
from ui.params import PARAMS, apply_params, split_params

PREFIX = "attention-explorer:"
SET = PREFIX + "set"
FIELDS = ("scenario", *(name for name in PARAMS if name not in ("embed", "type")))


def message(kind, **fields):  # -> the dict posted to the host
    return {"type": PREFIX + kind, **fields}


def read_set(state, data):  # AppState, decoded JSON -> (AppState, [problem], {name: str} later) | None (not ours)
    """Apply a host's "set" message; each field it could not use is a problem, the others still apply.

    With model "minilm" before the real model's files are in the page, its layer, head and query come back
    as `later`: the page applies them once the model is in, as it does a link's (ui.params.split_params)."""
    if not isinstance(data, dict) or data.get("type") != SET:
        return None
    problems = [f"unknown field '{name}' (known: {', '.join(FIELDS)})"
                for name in data if name != "type" and name not in FIELDS]
    if "scenario" in data:
        try:
            state = share.open_document(state, data["scenario"])
        except ValueError as exc:
            problems.append(f"scenario: {exc}")
    params = {name: _param_text(data[name]) for name in FIELDS if name in data and name != "scenario"}
    now, later = split_params(state, params)
    state, refused = apply_params(state, now)
    return state, problems + refused, later


def _param_text(value):  # a JSON value -> the text an address parameter would have
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return value if isinstance(value, str) else json.dumps(value)


def changes(old, new):  # AppState, AppState -> [message]: what the host hears after a change
    out = []
    if new.step != old.step:
        out.append(message("step-changed", step=new.step))
    if new.query != old.query or new.tokens != old.tokens:
        out.append(message("query-changed", query=new.query, token=new.tokens[new.query]))
    if new.predict.answered > old.predict.answered:
        out.append(predict.answered_report(new.predict))
    return out

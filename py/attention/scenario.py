"""Scenarios: one attention set-up as JSON, for presets, permalinks, import and export.

A scenario names the tokens and, optionally, everything else attention_trace
needs (SPEC, "Scenario format"); what it leaves out comes from the toy model,
see `resolve`. The same JSON also holds what the learner has selected (query,
head, step): `parse_document` returns it apart, as a `Selection`, since it is no
input of the computation. The page reads scenarios from the URL fragment
`#scenario=<base64url of the JSON>` and from its Import control. `parse_scenario`
refuses anything malformed with a ScenarioError whose message names the problem,
so the page can show it and keep its previous state.

Rules this module decides beyond SPEC:

- Unknown fields are refused ("unknown field 'temprature'"), so a typo is never
  silently ignored. Only version 1 exists.
- `w_q`, `w_k` and `w_v` come together or not at all; `w_o` only with them.
- Without weights, inputs as wide as the toy model (D_MODEL columns) use the toy
  model's weights and its HEADS heads; inputs of another width use identity
  projections (Q = K = V = X, split into `heads` heads, default 1), which is what
  SPEC's 2-column example means. `heads` may not contradict the toy model.
- Absent embeddings come from the toy model only if it fits: embeddings given for
  the tokens but not for the context (or the other way round) must be D_MODEL wide.
- Limits: MAX_TOKENS tokens in `tokens` and in `context`, tokens of at most 40
  characters, d_model and d_out at most 64, at most 8 heads and 64 columns per
  head, numbers finite with |x| <= 1e6, temperature in [0.01, 100], JSON at
  most 256 KB and nested at most 16 deep (checked before json.loads, whose
  recursion a deeply nested text could otherwise exhaust).
"""
import base64
import binascii
from collections import OrderedDict
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from attention import model
from attention.tokenizer import MAX_TOKENS

VERSION = 1
MAX_JSON_BYTES = 256 * 1024
MAX_DEPTH = 16  # the format itself needs 3: object > matrix > row
MAX_TOKEN_CHARS = 40
MAX_D_MODEL = 64
MAX_HEADS = 8
MAX_ABS = 1e6  # larger numbers could overflow float64 once multiplied through Q Kᵀ
TEMPERATURE_RANGE = (0.01, 100.0)
STEPS = 5  # the step slider's stages: input, project, scores, softmax, weighted sum


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message says what is wrong with it."""


@dataclass(frozen=True)
class Scenario:
    tokens: tuple  # the queries' tokens, as shown: ("The", "cat", "sat", "down")
    version: int = VERSION  # the format's version, for future changes
    context: tuple | None = None  # the keys' tokens for cross-attention; None = self-attention
    embeddings: tuple | None = None  # rows of numbers, one per token; None = the toy model's
    context_embeddings: tuple | None = None  # one row per context token; None = the toy model's
    heads: int | None = None  # None = the toy model's HEADS with its weights, else 1
    w_q: tuple | None = None  # (d_model, heads*d_k); None = the toy model's (or identity, see above)
    w_k: tuple | None = None  # (d_model, heads*d_k)
    w_v: tuple | None = None  # (d_model, heads*d_v)
    w_o: tuple | None = None  # (heads*d_v, d_out); None = concatenate the heads
    mask: str | tuple = "none"  # "none", "causal", or rows of booleans (n_q, n_k), True = may attend
    scale: bool = True  # divide the scores by √d_k
    temperature: float = 1.0  # divides the scaled scores

    @property
    def n_k(self):
        """How many keys each query sees: the context's length, or the tokens' own."""
        return len(self.context if self.context is not None else self.tokens)


@dataclass(frozen=True)
class Selection:
    """What the learner looks at in a scenario. Not an input of the computation: changing it recomputes nothing."""
    query: int = 0  # the selected query token
    head: int = 0  # the selected head
    step: int = STEPS - 1  # the step slider's position, 0..4


SELECTION_FIELDS = tuple(Selection.__dataclass_fields__)
FIELDS = tuple(Scenario.__dataclass_fields__) + SELECTION_FIELDS  # the JSON's fields: both


def parse_scenario(source):  # str | bytes | dict | Scenario -> Scenario
    """A validated Scenario from JSON text or an already decoded JSON object; raises ScenarioError.
    Its query / head / step are checked too, and left out: `parse_document` returns them."""
    return parse_document(source)[0]


def parse_document(source):  # str | bytes | dict | Scenario -> (Scenario, Selection)
    """The scenario and the selection a JSON document holds, both validated; raises ScenarioError."""
    if isinstance(source, Scenario):
        source = to_dict(source)
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError("the scenario is not valid UTF-8 text") from None
    if isinstance(source, str):
        source = loads(source)
    if not isinstance(source, dict):
        raise ScenarioError(f"a scenario must be a JSON object {{...}}, not {_json_type(source)}")
    return _validated(source)


def to_dict(s, selection=Selection()):  # Scenario, Selection -> dict
    """The scenario (and selection) as a JSON-ready dict: version and tokens always, other fields only where
    not default."""
    out = {"version": s.version, "tokens": list(s.tokens)}
    for part in (s, selection):
        for name, field in part.__dataclass_fields__.items():
            value = getattr(part, name)
            if name not in out and value != field.default:
                out[name] = _lists(value)
    return out


def to_json(s, selection=Selection()):  # Scenario, Selection -> str
    """Compact JSON of the scenario (what Export saves and the link encodes)."""
    return json.dumps(to_dict(s, selection), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_fragment(s, selection=Selection()):  # Scenario, Selection -> str
    """'scenario=<base64url of the JSON, no padding>', for the page's URL after '#'."""
    encoded = base64.urlsafe_b64encode(to_json(s, selection).encode("utf-8")).decode("ascii")
    return "scenario=" + encoded.rstrip("=")


def from_fragment(fragment):  # str -> (Scenario, Selection)
    """The scenario and selection in a URL fragment ('#scenario=...' or 'scenario=...', maybe among '&'
    parameters)."""
    return parse_document(fragment_bytes(fragment))


def fragment_bytes(fragment):  # str -> bytes
    """The JSON text a URL fragment carries, still to be parsed; ScenarioError if it is not base64url."""
    if not isinstance(fragment, str):
        raise ScenarioError(f"a link fragment must be text, not {_json_type(fragment)}")
    parts = [p for p in fragment.lstrip("#").split("&") if p.startswith("scenario=")]
    if not parts:
        raise ScenarioError("the link has no 'scenario=' part")
    encoded = parts[0][len("scenario="):].rstrip("=")
    if len(encoded) > (MAX_JSON_BYTES * 4 + 2) // 3:
        raise ScenarioError(f"too large: the link's scenario is over {MAX_JSON_BYTES // 1024} KB")
    not_base64 = ScenarioError("the link's scenario is not valid base64url")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", encoded):
        raise not_base64
    try:
        data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise not_base64 from None
    return data


def resolve(s):  # Scenario -> dict of attention_trace keyword arguments
    """x, context, weights, heads, mask, scale and temperature for attention_trace, the toy model filling gaps.

    x [n_q, d_model]; context [n_k, d_model] or None; w_q, w_k [d_model, heads*d_k];
    w_v [d_model, heads*d_v]; w_o [heads*d_v, d_out] or None; mask None, "causal" or bool [n_q, n_k].
    """
    x = _array(s.embeddings) if s.embeddings is not None else None
    context = _array(s.context_embeddings) if s.context_embeddings is not None else None
    d_model = _d_model(s)
    if x is None:
        x = model.embed(list(s.tokens))
    if context is None and s.context is not None:
        context = model.embed(list(s.context))
    if s.w_q is not None:
        w_q, w_k, w_v = _array(s.w_q), _array(s.w_k), _array(s.w_v)
        w_o = _array(s.w_o) if s.w_o is not None else None
    elif d_model == model.D_MODEL:
        w_q, w_k, w_v, w_o = model.weights()
    else:
        w_q = w_k = w_v = np.eye(d_model)
        w_o = None
    mask = {"none": None, "causal": "causal"}[s.mask] if isinstance(s.mask, str) else np.array(s.mask, dtype=bool)
    return {"x": x, "w_q": w_q, "w_k": w_k, "w_v": w_v, "w_o": w_o, "heads": heads_of(s), "mask": mask,
            "context": context, "scale": s.scale, "temperature": s.temperature}


def heads_of(s):  # Scenario -> int
    """How many heads the scenario runs: its own `heads`, else HEADS with the toy weights, else 1."""
    if s.heads is not None:
        return s.heads
    return model.HEADS if s.w_q is None and _d_model(s) == model.D_MODEL else 1


def _d_model(s):
    """The width of the inputs: the given embeddings' (either), else the toy model's."""
    for rows in (s.embeddings, s.context_embeddings):
        if rows is not None:
            return len(rows[0])
    return model.D_MODEL


# Reading JSON text safely.

_JSON_LEXEMES = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|["\[\]{}]', re.DOTALL)


def loads(text):
    """json.loads, refusing oversized or too deeply nested text first."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_JSON_BYTES:
        raise ScenarioError(f"too large: the scenario has {size:,} bytes; "
                            f"the limit is {MAX_JSON_BYTES:,} ({MAX_JSON_BYTES // 1024} KB)")
    if _too_deep(text):
        raise ScenarioError(f"too deeply nested: more than {MAX_DEPTH} levels of [ ] or {{ }}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ScenarioError(f"not valid JSON: {error}") from None


def _too_deep(text):
    """Whether brackets outside strings nest deeper than MAX_DEPTH; linear time, stops early."""
    depth = 0
    for match in _JSON_LEXEMES.finditer(text):
        lexeme = match.group()
        if lexeme == '"':
            return False  # an unterminated string: json.loads will report it
        if lexeme in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif lexeme in "]}":
            depth -= 1
    return False


# Validating a decoded object, one field at a time, then the fields against each other.

def _validated(obj):
    for key in obj:
        if key not in FIELDS:
            raise ScenarioError(f"unknown field {_quote(key)}; the fields are {', '.join(FIELDS)}")
    version = obj.get("version", VERSION)
    if version != VERSION or isinstance(version, bool):
        raise ScenarioError(f"'version' must be {VERSION}, not {_short(version)}")
    if "tokens" not in obj:
        raise ScenarioError("'tokens' is missing: a scenario needs at least its tokens")
    fields = {
        "tokens": _tokens("tokens", obj["tokens"]),
        "context": _optional(obj, "context", _tokens),
        "embeddings": _optional(obj, "embeddings", _matrix),
        "context_embeddings": _optional(obj, "context_embeddings", _matrix),
        "heads": _optional(obj, "heads", _integer),
        "w_q": _optional(obj, "w_q", _matrix),
        "w_k": _optional(obj, "w_k", _matrix),
        "w_v": _optional(obj, "w_v", _matrix),
        "w_o": _optional(obj, "w_o", _matrix),
        "mask": _mask(obj.get("mask")),
        "scale": _boolean("scale", obj.get("scale", True)),
        "temperature": _temperature(obj.get("temperature", 1.0)),
    }
    s = Scenario(version=VERSION, **fields)
    selection = Selection(query=_integer("query", obj.get("query", 0)), head=_integer("head", obj.get("head", 0)),
                          step=_integer("step", obj.get("step", STEPS - 1)))
    _check_shapes(s)
    check_selection(s, selection)
    return s, selection


def _optional(obj, name, check):
    """check(name, value), or None when the field is absent or null."""
    value = obj.get(name)
    return None if value is None else check(name, value)


def _tokens(name, value):
    if not isinstance(value, (list, tuple)) or not all(isinstance(t, str) for t in value):
        raise ScenarioError(f"{_quote(name)} must be a list of strings")
    if not value:
        raise ScenarioError(f"{_quote(name)} must have at least one token")
    if len(value) > MAX_TOKENS:
        raise ScenarioError(f"too large: {_quote(name)} has {len(value)} tokens; the limit is {MAX_TOKENS}")
    for i, token in enumerate(value):
        if not token.strip():
            raise ScenarioError(f"{_quote(name)}: token {i} is empty")
        if len(token) > MAX_TOKEN_CHARS:
            raise ScenarioError(f"{_quote(name)}: token {i} is longer than {MAX_TOKEN_CHARS} characters")
    return tuple(value)


def _matrix(name, value):
    """A list of equally long, non-empty rows of finite numbers, as a tuple of tuples of floats."""
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(r, (list, tuple)) and r for r in value):
        raise ScenarioError(f"{_quote(name)} must be a non-empty list of non-empty rows of numbers")
    limit = MAX_HEADS * MAX_D_MODEL
    if len(value) > limit or any(len(r) > limit for r in value):
        raise ScenarioError(f"too large: {_quote(name)} has more than {limit} rows or columns")
    for i, row in enumerate(value):
        if len(row) != len(value[0]):
            raise ScenarioError(f"{_quote(name)}: row {i} has {len(row)} numbers but row 0 has {len(value[0])}")
        for x in row:
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise ScenarioError(f"{_quote(name)} must contain only numbers, not {_short(x)}")
            if isinstance(x, float) and not math.isfinite(x):
                raise ScenarioError(f"NaN/Infinity are not allowed in {_quote(name)}")
            if abs(x) > MAX_ABS:
                raise ScenarioError(f"too large: {_quote(name)} has a number beyond ±{MAX_ABS:g}")
    return tuple(tuple(float(x) for x in row) for row in value)


def _integer(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{_quote(name)} must be a whole number, not {_short(value)}")
    return value


def _boolean(name, value):
    if not isinstance(value, bool):
        raise ScenarioError(f"{_quote(name)} must be true or false, not {_short(value)}")
    return value


def _temperature(value):
    low, high = TEMPERATURE_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ScenarioError(f"'temperature' must be a positive number from {low:g} to {high:g}, not {_short(value)}")
    return float(value)


def _mask(value):
    if value is None or value in ("none", "causal"):
        return value or "none"
    rows_ok = isinstance(value, (list, tuple)) and all(isinstance(r, (list, tuple)) for r in value)
    if not rows_ok or not all(isinstance(b, bool) for r in value for b in r):
        raise ScenarioError("'mask' must be \"none\", \"causal\" or a list of rows of true/false")
    return tuple(tuple(r) for r in value)


def _check_shapes(s):
    """The fields against each other: shapes, widths, the toy model's constraints, indices in range."""
    n_q = len(s.tokens)
    _rows("embeddings", s.embeddings, n_q, "tokens")
    if s.context_embeddings is not None and s.context is None:
        raise ScenarioError("'context_embeddings' needs 'context' (the context's tokens)")
    if s.context is not None:
        _rows("context_embeddings", s.context_embeddings, len(s.context), "context tokens")
    d_model = _d_model(s)
    if d_model > MAX_D_MODEL:
        raise ScenarioError(f"too large: d_model is {d_model}; the limit is {MAX_D_MODEL}")
    for name in ("embeddings", "context_embeddings"):
        if getattr(s, name) is None and (name == "embeddings" or s.context is not None) and d_model != model.D_MODEL:
            raise ScenarioError(f"{_quote(name)} is missing: the other embeddings have {d_model} columns, "
                                f"so the toy model's ({model.D_MODEL} columns) cannot fill in")
    if s.context_embeddings is not None and len(s.context_embeddings[0]) != d_model:
        raise ScenarioError(f"'context_embeddings' has {len(s.context_embeddings[0])} columns "
                            f"but 'embeddings' has {d_model}")
    heads = heads_of(s)
    if not 1 <= heads <= MAX_HEADS:
        raise ScenarioError(f"'heads' must be from 1 to {MAX_HEADS}, not {heads}")
    if s.w_q is not None or s.w_k is not None or s.w_v is not None or s.w_o is not None:
        _check_weights(s, d_model, heads)
    elif d_model == model.D_MODEL and heads != model.HEADS:
        raise ScenarioError(f"'heads' must be {model.HEADS} (or left out) to use the toy model's weights")
    elif d_model % heads:
        raise ScenarioError(f"'heads' is {heads} but d_model {d_model} does not split into {heads} equal heads")
    if not isinstance(s.mask, str):
        shape = (len(s.mask), len(s.mask[0]) if s.mask else 0)
        if shape != (n_q, s.n_k) or any(len(r) != s.n_k for r in s.mask):
            raise ScenarioError(f"'mask' must have {n_q} rows of {s.n_k} true/false values (queries × keys)")


def check_selection(s, selection):  # Scenario, Selection -> None; ScenarioError if it points outside the scenario
    _index("query", selection.query, len(s.tokens))
    _index("head", selection.head, heads_of(s))
    _index("step", selection.step, STEPS)


def _rows(name, matrix, n, what):
    if matrix is not None and len(matrix) != n:
        raise ScenarioError(f"{_quote(name)} has {len(matrix)} rows but there are {n} {what}")


def _check_weights(s, d_model, heads):
    missing = [name for name in ("w_q", "w_k", "w_v") if getattr(s, name) is None]
    if missing:
        raise ScenarioError(f"{', '.join(map(_quote, missing))} missing: give 'w_q', 'w_k' and 'w_v' together")
    for name in ("w_q", "w_k", "w_v"):
        w = getattr(s, name)
        if len(w) != d_model:
            raise ScenarioError(f"{_quote(name)} has {len(w)} rows but d_model is {d_model}")
        if len(w[0]) % heads:
            raise ScenarioError(f"{_quote(name)} has {len(w[0])} columns, which do not split into {heads} heads")
        if len(w[0]) // heads > MAX_D_MODEL:
            raise ScenarioError(f"too large: {_quote(name)} has more than {MAX_D_MODEL} columns per head")
    if len(s.w_k[0]) != len(s.w_q[0]):
        raise ScenarioError(f"'w_k' has {len(s.w_k[0])} columns but 'w_q' has {len(s.w_q[0])}")
    if s.w_o is not None:
        if len(s.w_o) != len(s.w_v[0]):
            raise ScenarioError(f"'w_o' has {len(s.w_o)} rows but 'w_v' has {len(s.w_v[0])} columns")
        if len(s.w_o[0]) > MAX_D_MODEL:
            raise ScenarioError(f"too large: 'w_o' has {len(s.w_o[0])} columns; the limit is {MAX_D_MODEL}")


def _index(name, value, size):
    if not 0 <= value < size:
        raise ScenarioError(f"{_quote(name)} is {value} but must be from 0 to {size - 1}")


# Small helpers.

_ARRAYS = OrderedDict()  # id(rows) -> (rows, matrix): the last few conversions, least recently used first


def _array(rows):
    """Rows of numbers as a read-only float64 matrix. A scenario keeps its weights when only the
    temperature, the step... change, so the same rows come back often: they are converted once."""
    hit = _ARRAYS.get(id(rows))
    if hit is not None and hit[0] is rows:
        _ARRAYS.move_to_end(id(rows))
        return hit[1]
    matrix = np.array(rows, dtype=np.float64)
    matrix.setflags(write=False)
    _ARRAYS[id(rows)] = (rows, matrix)
    if len(_ARRAYS) > 16:
        _ARRAYS.popitem(last=False)
    return matrix


def _lists(value):
    """Tuples (of tuples) back into lists for JSON."""
    return [_lists(v) for v in value] if isinstance(value, tuple) else value


def _quote(name):
    """A field name in quotes, as messages show it."""
    return f"'{name}'" if isinstance(name, str) else repr(name)


def _short(value):
    """A value shortened for an error message."""
    if isinstance(value, int) and abs(value) > MAX_ABS:
        return "a very large number"
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else _json_type(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _json_type(value):
    """The JSON name of a value's type."""
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string", type(None): "null",
             list: "a list", tuple: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)

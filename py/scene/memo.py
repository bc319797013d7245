"""Remembering what a builder made, keyed on exactly what it reads.

A builder that works from the page's state (a stage panel, the weights table)
does not get the whole state: it gets a `Picked`, which holds only the fields
the builder declared, and reading any other field is an AttributeError. The same
fields, with the computed trace and any extra arguments, are the key the result
is remembered by. So a builder cannot show something (a head, a hover) that its
key leaves out, and a frame in which none of its inputs changed rebuilds nothing.

    @memo("tokens", "query", "head")
    def weights_rows(computed, picked):        # reads picked.query, picked.head ...
        ...
    weights_rows(computed, state)               # built once per (computed, tokens, query, head)

A field is an attribute of the state, or a derived value: `memo(..., veil=veil)`
stores `veil(computed, state)` under `picked.veil`.

Functions of plain arguments only (no state) are remembered with
`functools.lru_cache`, which already keys on exactly its arguments.
"""
from collections import OrderedDict, namedtuple
from functools import wraps


class Memo:
    """A bounded cache for builders `build(computed, picked, *extra)`, least recently used out first."""

    def __init__(self, fields, derived=None, size=16, name="Picked"):
        self.derived = dict(derived or {})
        self.fields = tuple(fields) + tuple(self.derived)
        self.Picked = namedtuple(name, self.fields)
        self.size = size
        self._cache = OrderedDict()

    def pick(self, computed, state):  # -> Picked: the declared fields' values, nothing more
        values = [getattr(state, f) for f in self.fields[:len(self.fields) - len(self.derived)]]
        values += [derive(computed, state) for derive in self.derived.values()]
        return self.Picked(*values)

    def key(self, computed, state, *extra):
        return (computed, self.pick(computed, state), *extra)

    def get(self, computed, state, build, *extra):  # -> build(computed, picked, *extra), or the remembered one
        picked = self.pick(computed, state)
        key = (computed, picked, *extra)  # Computed compares by identity: a new trace is a new key
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = build(computed, picked, *extra)
        self._cache[key] = value
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return value

    def clear(self):
        self._cache.clear()


def memo(*fields, size=16, **derived):
    """Decorator: `build(computed, picked, *extra)` becomes `f(computed, state, *extra)`, remembered on its
    inputs. The wrapper's `.memo` is the Memo (its fields and key, for tests)."""
    def wrap(build):
        cache = Memo(fields, derived, size, name=f"{build.__name__}_inputs")

        @wraps(build)
        def remembered(computed, state, *extra):
            return cache.get(computed, state, build, *extra)

        remembered.memo = cache
        return remembered
    return wrap

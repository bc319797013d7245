"""Every remembered part is keyed on exactly what its builder reads (scene.memo).

Two halves make "exactly": a builder sees only its declared fields (reading another is an
AttributeError, so the key can leave nothing out), and every declared field is read by the
builder on some state (so the key holds nothing the builder ignores).
"""
from dataclasses import replace
from types import SimpleNamespace

import pytest

from canvas.api import P
from canvas.display_list import decode
from scene import panels
from scene.draw import draw_scene
from scene.colors import palette
from scene.layout import layout
from scene.memo import Memo, memo
from scene.timeline import View
from ui import predict as pr
from ui.predict_state import Predict
from ui import state as ev
from ui import view
from ui.state import compute

PAL = palette(False)


def test_a_part_is_built_once_per_inputs_and_again_when_one_changes():
    built = []

    @memo("a", "b")
    def part(computed, picked, extra=0):
        built.append((picked.a, picked.b, extra))
        return picked.a + picked.b + extra

    computed, state = object(), SimpleNamespace(a=1, b=2, c=3)
    assert part(computed, state) == 3 and part(computed, state) == 3 and len(built) == 1
    assert part(computed, SimpleNamespace(a=1, b=2, c=99)) == 3 and len(built) == 1  # c is not read
    assert part(computed, SimpleNamespace(a=1, b=5, c=3)) == 6 and len(built) == 2
    assert part(object(), state) == 3 and len(built) == 3  # another trace: another key
    assert part(computed, state, 10) == 13 and len(built) == 4  # and so is another extra argument


def test_a_builder_cannot_read_what_its_key_leaves_out():
    @memo("a")
    def part(computed, picked):
        return picked.b

    with pytest.raises(AttributeError):
        part(object(), SimpleNamespace(a=1, b=2))


def test_derived_fields_are_computed_from_the_trace_and_the_state():
    cache = Memo(("a",), {"twice": lambda computed, state: 2 * state.a}, size=2)
    assert cache.pick(None, SimpleNamespace(a=4)) == cache.Picked(a=4, twice=8)
    assert cache.key(None, SimpleNamespace(a=4)) != cache.key(None, SimpleNamespace(a=5))


def test_the_cache_is_bounded_least_recently_used_out_first():
    cache, built = Memo(("a",), size=2), []

    def build(computed, picked):
        built.append(picked.a)
        return picked.a

    for a in (1, 2, 1, 3, 1, 2):  # 2 is the least recently used when 3 comes in
        cache.get(None, SimpleNamespace(a=a), build)
    assert built == [1, 2, 3, 2]


class Recording:
    """Wraps a Memo's Picked so the test sees which fields the builders read."""

    def __init__(self, cache, monkeypatch):
        self.read = set()
        base, read = cache.Picked, self.read

        class Picked(base):
            __slots__ = ()

            def __getattribute__(self, name):
                if name in base._fields:
                    read.add(name)
                return super().__getattribute__(name)

        monkeypatch.setattr(cache, "Picked", Picked)
        cache.clear()


def states():  # -> states that between them use every input of the canvas's parts
    hot_dog = ev.initial_state()
    yield from (ev.set_step(hot_dog, step) for step in range(5))
    yield ev.select_cell(ev.set_step(hot_dog, 3), 2, 1)
    yield ev.set_hover(ev.set_step(hot_dog, 4), ("key", 1))
    yield ev.set_overlay(ev.set_beams(ev.set_step(hot_dog, 3), "all"), True)
    yield ev.set_step(ev.set_kind(ev.load_preset(None, "translate"), "cross"), 1)
    cat = ev.set_step(ev.initial_state("cat"), 2)
    q = pr.make_question(cat, compute(cat.scenario), "score by hand", 0)
    yield replace(cat, predict=Predict(on=True, question=q))


def test_the_canvas_parts_read_every_input_they_are_keyed_on(monkeypatch):
    recording = Recording(panels.PANEL_INPUTS, monkeypatch)
    for state in states():
        view_at = View(state.step, state.step, 1.0)
        for width, height in ((1400, 560), (400, 560)):
            layout(compute(state.scenario), state, width, height, view_at, PAL)
    assert recording.read == set(panels.PANEL_INPUTS.fields)


@pytest.mark.parametrize("part", [view.detail_part, view.arithmetic_part, view.qkv_part, view.numpy_part],
                         ids=lambda part: part.__name__)
def test_the_html_parts_read_every_input_they_are_keyed_on(part, monkeypatch):
    recording = Recording(part.memo, monkeypatch)
    for state in states():
        part(compute(state.scenario), state)
    assert recording.read == set(part.memo.fields)


def test_the_project_step_shows_the_head_just_selected():
    """The bug a hand-written key hid: leaving out the head kept the Project step on the old head."""
    state = ev.set_step(ev.initial_state(), 1)
    computed = compute(state.scenario)

    def drawn_texts(s):
        p = P(1400, 560)
        draw_scene(p, layout(computed, s, 1400, 560, View(1, 1, 1.0), PAL))
        return [c[1:] for c in decode(p.list.array(), p.list.strings) if c[0] == "text"]

    other = ev.select_head(state, (state.head + 1) % 4)
    assert drawn_texts(state) != drawn_texts(other)  # Q, K and V of the other head: other numbers
    assert drawn_texts(other) == drawn_texts(ev.select_head(ev.select_head(state, 0), other.head))

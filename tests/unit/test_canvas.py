"""The p5-style canvas layer under CPython, through the recording backend."""

import numpy as np
import pytest

from canvas.api import CENTER, MIDDLE, P, parse_color
from canvas.display_list import BEZIER_FIELDS, CODES, OPS, DisplayList, decode
from canvas.recording import RecordingBackend
from canvas.runner import run


class Boxes:
    """A small sketch: a background, a rounded box, a label, and a click counter."""

    def __init__(self):
        self.clicks = []

    def setup(self, p):
        self.setup_size = (p.width, p.height)

    def draw(self, p):
        p.background(250)
        p.fill("#1f5fbf")
        p.no_stroke()
        p.rect(10, 20, 100, 40, 8)
        p.fill(255)
        p.text_size(16, bold=True)
        p.text_align(CENTER, MIDDLE)
        p.text("dog", 60, 40)

    def mouse_pressed(self, p):
        self.clicks.append((p.mouse_x, p.mouse_y))


def test_a_frame_records_exactly_the_calls_made():
    backend = RecordingBackend(300, 200)
    sketch = Boxes()
    run(sketch, backend)
    assert sketch.setup_size == (300, 200)
    assert backend.step()
    assert backend.commands == [
        ("background", 250.0, 250.0, 250.0, 255.0),
        ("fill", 31.0, 95.0, 191.0, 255.0),
        ("no_stroke",),
        ("rect", 10.0, 20.0, 100.0, 40.0, 8.0),
        ("fill", 255.0, 255.0, 255.0, 255.0),
        ("font", 16.0, 1.0, 0.0),
        ("text_align", 1.0, 1.0),
        ("text", "dog", 60.0, 40.0),
    ]
    assert backend.texts() == ["dog"]


def test_idle_costs_nothing_until_a_redraw_is_asked_for():
    backend = RecordingBackend()
    loop = run(Boxes(), backend)
    assert backend.step()
    assert not backend.step() and not backend.step()
    assert loop.frames_drawn == 1
    loop.redraw()
    assert backend.step() and not backend.step()
    loop.looping = True
    assert all(backend.step() for _ in range(5))
    assert loop.frames_drawn == 7


def test_style_changes_are_recorded_only_when_they_change_something():
    p = P()
    p.begin_frame()
    for _ in range(3):
        p.fill(10, 20, 30)
        p.stroke_weight(2)
    names = [c[0] for c in decode(p.list.array(), p.list.strings)]
    assert names.count("fill") == 1 and names.count("stroke_weight") == 1


def test_pop_restores_the_style_so_it_is_set_again_afterwards():
    p = P()
    p.begin_frame()
    p.fill(1)
    p.push()
    p.fill(2)
    p.pop()
    p.fill(2)  # differs from the restored fill(1): must be recorded again
    names = [c[0] for c in decode(p.list.array(), p.list.strings)]
    assert names == ["fill", "push", "fill", "pop", "fill"]


@pytest.mark.parametrize("args, expected", [
    ((128,), (128, 128, 128, 255)),
    ((128, 40), (128, 128, 128, 40)),
    ((1, 2, 3), (1, 2, 3, 255)),
    ((1, 2, 3, 4), (1, 2, 3, 4)),
    (("#ff8000",), (255, 128, 0, 255)),
    (("#ff800080",), (255, 128, 0, 128)),
    (((9, 8, 7),), (9, 8, 7, 255)),
])
def test_colours_follow_p5(args, expected):
    assert parse_color(*args) == expected


def test_a_bad_colour_names_itself():
    with pytest.raises(ValueError, match="#12"):
        parse_color("#12")


def test_many_beziers_travel_as_one_command():
    p = P()
    p.begin_frame()
    curves = np.arange(5 * len(BEZIER_FIELDS), dtype=float).reshape(5, -1)
    p.beziers(curves)
    p.beziers(np.zeros((0, len(BEZIER_FIELDS))))  # nothing to draw: nothing recorded
    commands = decode(p.list.array(), p.list.strings)
    assert [c[0] for c in commands] == ["beziers"]
    assert np.allclose(np.array(commands[0][1]), curves)


def test_the_display_list_grows_and_keeps_its_contents():
    dl = DisplayList(capacity=8)
    for i in range(100):
        dl.add("line", i, i + 1, i + 2, i + 3)
    dl.add_text("a\0b", 1, 2)
    commands = decode(dl.array(), dl.strings)
    assert len(commands) == 101 and commands[99] == ("line", 99.0, 100.0, 101.0, 102.0)
    assert dl.joined_strings() == "ab"  # NUL separates texts on the way to JS, so it is dropped
    assert len(dl.buffer()) >= dl.size == 100 * 5 + 4


def test_every_opcode_has_a_name_and_decodes():
    p = P()
    p.begin_frame()
    p.background(0); p.fill(1); p.no_fill(); p.stroke(2); p.no_stroke(); p.stroke_weight(3)
    p.line(0, 0, 1, 1); p.rect(0, 0, 1, 1); p.ellipse(0, 0, 4); p.bezier(*range(8))
    p.text("t", 0, 0); p.text_size(12, mono=True); p.text_align(2, 3); p.push(); p.translate(1, 2); p.rotate(-1.5)
    p.line_dash(4, 2); p.clip_rect(0, 0, 5, 5); p.pop(); p.beziers(np.ones((1, len(BEZIER_FIELDS))))
    p.rects(np.ones((2, 4)), 3); p.cells(np.ones((2, 8)), 1)
    p.push(); p.opacity(0.5); p.play(p.record(lambda q: q.text("s", 1, 1))); p.pop()
    p.play(p.record(lambda q: q.rect(1, 1, 2, 2)), bounds=(0, 0, 4, 4))
    names = {c[0] for c in decode(p.list.array(), p.list.strings)}
    assert names == {name for name, _ in OPS.values()}


def _texts_and_fills(p):  # the decoded frame without the bookkeeping commands
    return [c for c in decode(p.list.array(), p.list.strings) if c[0] not in ("push", "pop", "string_base")]


def test_a_recorded_segment_replays_exactly_what_drawing_again_would():
    def panel(q):
        q.fill(200, 10, 10)
        q.rect(1, 2, 3, 4)
        q.text_size(12, bold=True)
        q.text("panel", 5, 6)

    direct = P()
    direct.begin_frame()
    direct.fill(200, 10, 10)  # the frame's style already matches the segment's first settings
    direct.text("before", 0, 0)
    panel(direct)
    direct.text("after", 9, 9)

    recorded = P()
    segment = recorded.record(panel)
    for _ in range(2):  # the same segment serves frame after frame
        recorded.begin_frame()
        recorded.fill(200, 10, 10)
        recorded.text("before", 0, 0)
        recorded.play(segment)
        recorded.text("after", 9, 9)
        # the segment sets its own fill although the frame had the same: it assumes no style
        assert [c for c in _texts_and_fills(recorded) if c[0] == "fill"] == [("fill", 200.0, 10.0, 10.0, 255.0)] * 2
        texts = [c for c in _texts_and_fills(recorded) if c[0] == "text"]
        assert texts == [c for c in _texts_and_fills(direct) if c[0] == "text"]
        assert recorded.list.joined_strings() == "before\0panel\0after"


def test_playing_a_segment_leaves_the_frame_style_as_it_was():
    p = P()
    segment = p.record(lambda q: (q.fill(1, 2, 3), q.text_size(30)))
    p.begin_frame()
    p.fill(9, 9, 9)
    p.play(segment)
    p.fill(9, 9, 9)  # unchanged for p, so not recorded again
    assert [c[0] for c in decode(p.list.array(), p.list.strings)].count("fill") == 2


def test_a_segment_played_with_bounds_is_a_picture_of_its_own_numbers():
    p = P()
    panel = p.record(lambda q: (q.fill(200, 10, 10), q.rect(1, 2, 3, 4), q.text("panel", 5, 6)))
    other = p.record(lambda q: q.rect(0, 0, 1, 1))
    pictures = []
    for _ in range(2):
        p.begin_frame()
        p.text("before", 0, 0)
        p.play(panel, bounds=(0, 0, 10, 20))
        p.play(other, bounds=(0, 0, 5, 5))
        values = p.list.array()
        at = [i for i, v in enumerate(values) if v == CODES["picture"] and values[i - 2] == CODES["string_base"]]
        pictures.append([tuple(values[i + 1 : i + 7]) for i in at])
        first_id, x, y, w, h, count = pictures[-1][0]
        assert (x, y, w, h) == (0, 0, 10, 20) and count == len(panel.values)
        start = at[0] + 7
        assert list(values[start : start + int(count)]) == list(panel.values)  # the numbers follow the command
        commands = decode(values, p.list.strings)
        assert commands.index(("text", "panel", 5.0, 6.0)) > commands.index(("picture", *pictures[-1][0]))
        assert p.list.joined_strings() == "before\0panel"  # a segment without texts adds no separator
    assert pictures[0] == pictures[1]  # the same segment, the same id: the replayer can keep its bitmap
    assert pictures[0][0][0] != pictures[0][1][0]  # another segment, another id


def test_segments_do_not_nest_and_must_balance_push_and_pop():
    p = P()
    with pytest.raises(RuntimeError):
        p.record(lambda q: q.record(lambda r: None))
    with pytest.raises(RuntimeError):
        p.record(lambda q: q.push())
    p.begin_frame()
    p.text("still works", 0, 0)
    assert p.list.strings == ["still works"]


def test_an_error_in_draw_is_reported_and_the_loop_survives():
    class Flaky(Boxes):
        fail = True

        def draw(self, p):
            if self.fail:
                raise ZeroDivisionError("division by zero")
            super().draw(p)

    backend = RecordingBackend()
    sketch = Flaky()
    loop = run(sketch, backend)
    loop.looping = True
    assert not backend.step(), "a frame whose draw() failed is not shown"
    assert backend.errors == ["ZeroDivisionError: division by zero"]
    assert not loop.looping, "a failing animation must stop instead of failing every frame"
    sketch.fail = False
    loop.redraw()
    assert backend.step() and backend.texts() == ["dog"]


def test_a_looping_sketch_can_keep_the_last_picture_when_nothing_changed():
    class Holding(Boxes):
        changed = True

        def draw(self, p):
            if not self.changed and not p.redraw_requested:
                return False
            super().draw(p)

    backend = RecordingBackend()
    sketch = Holding()
    loop = run(sketch, backend)
    assert backend.step() and loop.frames_drawn == 1  # the first frame is always painted
    loop.looping = True
    sketch.changed = False
    assert not backend.step() and not backend.step()  # looping, nothing new: nothing painted
    assert loop.frames_drawn == 1 and loop.looping and backend.errors == []
    backend.resize(400, 300)  # a resize clears the canvas: that frame must be painted
    assert backend.step() and backend.texts() == ["dog"] and loop.frames_drawn == 2


def test_a_sketch_cannot_skip_a_frame_that_must_be_painted():
    class Lazy(Boxes):
        def draw(self, p):
            return False

    backend = RecordingBackend()
    loop = run(Lazy(), backend)
    assert not backend.step() and loop.frames_drawn == 0
    assert backend.errors == ["draw() returned False in a frame that must be painted"]


def test_events_reach_the_sketch_with_the_mouse_position():
    backend = RecordingBackend()
    sketch = Boxes()
    run(sketch, backend)
    backend.click(42.0, 17.5)
    assert sketch.clicks == [(42.0, 17.5)]


def test_a_missing_hook_is_simply_skipped():
    class Minimal:
        def setup(self, p):
            pass

        def draw(self, p):
            p.background(0)

    backend = RecordingBackend()
    run(Minimal(), backend)
    backend.click(1, 1)
    backend.resize(50, 60)
    assert backend.step() and backend.errors == []
    assert (backend.loop.p.width, backend.loop.p.height) == (50, 60)


def test_cells_each_with_its_own_colour_travel_as_one_command():
    p = P()
    p.begin_frame()
    p.cells(np.array([[0, 0, 5, 5, 255, 0, 0, 255], [5, 0, 5, 5, 0, 0, 255, 128]]), radius=1)
    p.cells(np.zeros((0, 8)))
    commands = decode(p.list.array(), p.list.strings)
    assert commands == [("cells", 1.0, [(0.0, 0.0, 5.0, 5.0, 255.0, 0.0, 0.0, 255.0),
                                        (5.0, 0.0, 5.0, 5.0, 0.0, 0.0, 255.0, 128.0)])]


def test_many_rects_in_one_style_travel_as_one_command():
    p = P()
    p.begin_frame()
    p.fill(9)
    p.rects(np.array([[0, 0, 5, 5], [5, 0, 5, 5], [10, 0, 5, 5]]), radius=2)
    p.rects(np.zeros((0, 4)))
    commands = decode(p.list.array(), p.list.strings)
    assert commands[-1] == ("rects", 2.0, [(0.0, 0.0, 5.0, 5.0), (5.0, 0.0, 5.0, 5.0), (10.0, 0.0, 5.0, 5.0)])
    assert len(commands) == 2

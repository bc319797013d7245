"""Every number the canvas draws, read back from the display list and checked against the engine.

A number is drawn at a precision it really has or not at all: read back, it equals the engine's value
rounded to the decimals shown, and to the canvas's own precision (2 decimals for matrices, 1 for
percentages, 3 for vectors) too, so 0.5 is never "0" and 0.766 never "1". Inside a heatmap it is the
value of the very cell it is drawn in. Checked for every settled stage, at the canvas sizes the page has
at 360 x 640, 400 x 560 embedded, 768 x 900, 1024 x 900 and 1440 x 900, for 4, 11 and 32 tokens.
"""
import math
import re

import numpy as np
import pytest

from canvas.recording import RecordingBackend
from canvas.runner import run
from scene.colors import palette
from scene.draw import draw_scene
from scene.layout import asked_height, layout, stacked_need
from scene.numbers import MINUS
from scene.panels import _column_label_plan
from scene.shapes import Cells, text_w
from scene.timeline import View
import model_files
from ui import predict
from ui import state as ev

# The canvas's CSS size (width, height) at each viewport, measured in Chromium on the built page
# (web/style.css sizes .canvas-wrap; the embed's canvas takes what its controls leave; the full page's canvas is
# the same size with large text).
CANVAS = {
    "360 x 640": (318, 560),
    "400 x 560 embedded": (386, 370.5),
    "768 x 900": (726, 645.1),
    "1024 x 900": (650, 471),
    "1440 x 900": (1066, 580),
}
EMBED_LARGE_LEFT = 337.5  # px the embed's controls leave the canvas with large text, whose controls are taller


def canvas(size, large=False, state=None):  # -> (width, height) of the canvas at `size`, with large text or not
    """With large text the embed's canvas is at least the height its stacked layout needs to label every row, up
    to the frame's height less its margins (style.css; tests/browser/test_course.py measures it)."""
    width, height = CANVAS[size]
    if large and size == "400 x 560 embedded":
        need = stacked_need(ev.compute(state.scenario), state, width, palette(False, True))
        height = max(EMBED_LARGE_LEFT, min(need, 560 - 14))
    return width, height


LONG = ("the big dog chased the small cat across the green field while the old man and his young son "
        "watched from a wooden bench near the quiet river at dusk today again")
NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?%?")
VECTOR = re.compile(r"= \[([^\]]*)\]")
PRECISION = {"%": 1, "o": 3}  # decimals the canvas writes these with; everything else: 2


def sentence(name):  # -> AppState
    if name == "4 tokens":
        return ev.load_preset(None, "hot-dog")
    if name == "11 tokens":
        return ev.load_preset(None, "pronoun")
    return ev.edit_sentence(ev.initial_state(), LONG)


class Sketch:
    """Lay the state out at its settled stage and draw it, as main/ does each frame."""

    def __init__(self, state, large=False):
        self.state, self.large, self.scene = state, large, None

    def setup(self, p):
        pass

    def draw(self, p):
        step = self.state.step
        self.scene = layout(ev.computed_of(self.state), self.state, p.width, p.height,
                            View(step, step, 1.0), palette(False, self.large))
        draw_scene(p, self.scene)


def frame(state, size, large=False):  # -> (Scene, display-list commands)
    backend = RecordingBackend(*size)
    sketch = Sketch(state, large)
    run(sketch, backend)
    assert backend.step() and not backend.errors, backend.errors
    return sketch.scene, backend.commands


def drawn_texts(commands):  # -> [(text, x, y)] every text of the frame, in canvas px
    """The texts with their positions, moved by the translations in force where they are drawn."""
    out, dx, dy, saved = [], 0.0, 0.0, []
    for c in commands:
        if c[0] == "push":
            saved.append((dx, dy))
        elif c[0] == "pop":
            dx, dy = saved.pop()
        elif c[0] == "translate":
            dx, dy = dx + c[1], dy + c[2]
        elif c[0] == "text":
            out.append((c[1], c[2] + dx, c[3] + dy))
    return out


def drawn_numbers(texts):  # [(text, x, y)] -> [(number text, x, y, in a vector?)]
    """Texts that are a number ("0.77", "−1.5", "34.5%"), and each number of a drawn vector ("o = [...]")."""
    out = []
    for text, x, y in texts:
        if NUMBER.fullmatch(text):
            out.append((text, x, y, False))
        for inside in VECTOR.findall(text):
            out += [(entry, x, y, True) for entry in inside.split(", ") if entry != "…"]
    return out


def shown_values(computed, state):  # -> {name: array}: what the state's stage shows, by the layout's names
    t, h, i, step = computed.trace, state.head, state.query, state.step
    weights = t.weights[h]
    return [{"X": computed.x},
            {"Q": t.q[h], "K": t.k[h], "V": t.v[h]},
            {"S": np.where(t.allowed, t.scaled[h], np.nan)},
            {"A": weights, "Σ": weights.sum(axis=1), "%": 100 * weights[i]},
            {"%": 100 * weights[i], "o": t.head_outputs[h, i]}][step]


def close(value, text, precision):  # -> whether `text` is `value` at the decimals shown and at `precision`
    digits = text.rstrip("%")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    shown = float(digits.replace(MINUS, "-"))
    return bool(abs(value - shown) <= 0.5 * 10.0 ** -max(decimals, precision) + 1e-9)


def wrong_numbers(scene, values, texts):  # Scene, {name: array}, [(text, x, y)] -> [problem]
    """Each drawn number that is not the engine's value: in a heatmap the value of its cell, elsewhere some
    value of the stage (a percentage one of its percentages, a vector's entry one of its entries)."""
    problems = []
    for text, x, y, in_vector in drawn_numbers(texts):
        if "-" in text or re.fullmatch(f"{MINUS}0(\\.0+)?%?", text):
            problems.append(f"{text!r}: a number is written with a true minus sign, never as −0")
            continue
        kind = "o" if in_vector else "%" if text.endswith("%") else None
        cell = next(((name, grid.index(x, y)) for name, grid in scene.matrices if grid.index(x, y)), None)
        if cell is not None and kind is None:
            name, (i, j) = cell
            candidates = [float(values[name][i, j])]
        else:
            pools = [v for n, v in values.items() if (n == kind if kind else n not in PRECISION)]
            candidates = [float(v) for pool in pools for v in np.ravel(pool)]
        precision = PRECISION.get(kind, 2)
        if not any(math.isfinite(c) and close(c, text, precision) for c in candidates):
            where = f"in cell {cell[1]} of {cell[0]}" if cell else "outside the heatmaps"
            problems.append(f"{text!r} at ({x:.0f}, {y:.0f}) {where} is none of {sorted(candidates)[:6]}…")
    return problems


@pytest.mark.parametrize("step", range(5))
@pytest.mark.parametrize("size", CANVAS)
@pytest.mark.parametrize("name", ["4 tokens", "11 tokens", "32 tokens"])
def test_every_number_the_canvas_draws_is_the_engines_value_at_the_precision_shown(name, size, step):
    state = ev.set_step(sentence(name), step)
    scene, commands = frame(state, CANVAS[size])
    texts = drawn_texts(commands)
    problems = wrong_numbers(scene, shown_values(ev.compute(state.scenario), state), texts)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("step", range(5))
def test_cross_attention_numbers_are_right_too(step):
    state = ev.set_step(ev.load_preset(None, "translate"), step)
    scene, commands = frame(state, CANVAS["1440 x 900"])
    problems = wrong_numbers(scene, shown_values(ev.compute(state.scenario), state), drawn_texts(commands))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("step, names", [(1, "QKV"), (2, "S"), (3, "A")])
def test_on_a_wide_canvas_every_cell_of_four_tokens_has_its_number(step, names):
    state = ev.set_step(sentence("4 tokens"), step)
    scene, commands = frame(state, CANVAS["1440 x 900"])
    numbers = [(x, y) for _, x, y, _ in drawn_numbers(drawn_texts(commands))]
    grids = dict(scene.matrices)
    assert sorted(grids) == sorted(names)
    for name in names:
        filled = {grids[name].index(x, y) for x, y in numbers} - {None}
        assert len(filled) == grids[name].n_rows * grids[name].n_cols, name


def test_at_768_px_four_tokens_heatmap_uses_the_width_of_its_panel():
    """The stage view is 682 px wide there: the 4 columns, their Σ and the row labels take most of it, in cells
    tall enough for the larger numbers (the numbers' box is their text size)."""
    state = ev.set_step(sentence("4 tokens"), 3)
    scene, commands = frame(state, CANVAS["768 x 900"])
    a = dict(scene.matrices)["A"]
    assert a.x + (a.n_cols + 1) * a.cw >= 0.8 * CANVAS["768 x 900"][0] and a.ch >= 48, a
    in_cells = [size for text, x, y, w, h, size in text_boxes(commands) if a.index(x + w / 2, y + h / 2)]
    assert len(in_cells) == 16 and set(in_cells) == {palette(False, False).title}


@pytest.mark.parametrize("canvas_size", [(758, 672), CANVAS["1440 x 900"]], ids=["800 x 1100", "1440 x 900"])
def test_q_k_and_v_in_tall_cells_write_their_numbers_in_one_size(canvas_size):
    """'The cat sat down' on the 800 x 1100 page (a 758 x 672 canvas, web/screenshots/project-800.png): the cells
    are 51 px tall and K's numbers would fit the title's size where Q's (−0.47) do not; at 1440 x 900, K's and
    V's fit the text size where Q's do not. One picture, one size."""
    scene, commands = frame(ev.set_step(ev.load_preset(None, "cat"), 1), canvas_size)
    grids = dict(scene.matrices)
    sizes = {size for text, x, y, w, h, size in text_boxes(commands) if NUMBER.fullmatch(text)
             and any(grids[name].index(x + w / 2, y + h / 2) for name in "QKV")}
    assert len(sizes) == 1, sizes


def test_at_1024_px_the_projection_draws_x_large_enough_to_see():
    """Q, K, V at 650 x 471: below the three matrices, X (4 x 16) with its arrows to them, its cells at least
    5 px square (they were 1 px, where the matrices' rows took all the height)."""
    scene, _ = frame(ev.set_step(sentence("4 tokens"), 1), CANVAS["1024 x 900"])
    squares = [cells.rects for cells in scene.shapes() if isinstance(cells, Cells) and len(cells.rects)
               and np.allclose(cells.rects[:, 2], cells.rects[:, 3])]  # the thumbnail's cells are square
    assert len(squares) == 1 and squares[0][0, 2] >= 5, squares


def test_the_weighted_sum_draws_every_percentage_and_the_output_vector():
    state = ev.set_step(sentence("4 tokens"), 4)
    _, commands = frame(state, CANVAS["1440 x 900"])
    numbers = drawn_numbers(drawn_texts(commands))
    assert sum(text.endswith("%") for text, *_ in numbers) == len(state.key_tokens)
    assert sum(in_vector for *_, in_vector in numbers) == ev.compute(state.scenario).trace.d_v


def test_q_of_dog_is_drawn_as_it_is_even_in_narrow_cells():
    """Q of 'dog' is [2, 2, 0, 1.5]: "2 2 0 1.5", or without the 1.5, never "2 2 0 2"."""
    state = ev.set_step(sentence("4 tokens"), 1)
    for size in ("360 x 640", "400 x 560 embedded"):
        scene, commands = frame(state, CANVAS[size])
        q = dict(scene.matrices)["Q"]
        row = {q.index(x, y)[1]: text for text, x, y, _ in drawn_numbers(drawn_texts(commands))
               if q.index(x, y) and q.index(x, y)[0] == 2}
        assert row.get(3) in ("1.5", "1.50", None) and row.get(0) in ("2", "2.00"), (size, row)


def checked(texts, state=None):  # [(text, x, y)] -> problems found in a real frame of hot-dog at step 1
    state = state or ev.set_step(sentence("4 tokens"), 1)
    scene, _ = frame(state, CANVAS["1440 x 900"])
    return wrong_numbers(scene, shown_values(ev.compute(state.scenario), state), texts)


def test_the_checker_itself_catches_a_wrong_number():
    state = ev.set_step(sentence("4 tokens"), 1)
    scene, commands = frame(state, CANVAS["1440 x 900"])
    texts = drawn_texts(commands)
    assert checked(texts) == []
    q = dict(scene.matrices)["Q"]
    x, y = (q.x + 3.5 * q.cw, q.y + 2.5 * q.ch)  # Q of 'dog', its last entry: 1.5
    assert checked(texts + [("1.50", x, y)]) == []
    assert checked(texts + [("2", x, y)]), "1.5 drawn as a whole number"
    assert checked(texts + [("1.5", q.x + 2.5 * q.cw, y)]), "the right number in the wrong cell"
    assert checked(texts + [("9.99", 5.0, 5.0)]), "a number outside the heatmaps that the stage does not have"


def test_the_checker_itself_catches_a_rounded_or_badly_signed_number():
    weights = ev.set_step(sentence("4 tokens"), 4)
    assert checked([("12.0%", 5.0, 5.0)], weights), "a percentage the stage does not have"
    assert checked([("o = [0.115, 0.058, 1, 0.000]", 5.0, 5.0)], weights), "0.853 in a vector drawn as 1"
    assert checked([("-0.50", 5.0, 5.0)]) and checked([("−0", 5.0, 5.0)]), "ASCII minus and −0"


# -- labels: legible, apart, inside the canvas ---------------------------------------------

def text_boxes(commands):  # -> [(text, x, y, w, h, size)] every text's box in canvas px (estimated width)
    """Each text's rectangle, from the font, the alignment, and the translation and rotation in force where it
    is drawn (the box that holds the turned rectangle)."""
    out, dx, dy, turn, size, bold, h, v, saved = [], 0.0, 0.0, 0.0, 12.0, False, 0, 1, []
    for c in commands:
        if c[0] == "push":
            saved.append((dx, dy, turn, size, bold, h, v))
        elif c[0] == "pop":
            dx, dy, turn, size, bold, h, v = saved.pop()
        elif c[0] == "translate":
            cos, sin = math.cos(turn), math.sin(turn)
            dx, dy = dx + c[1] * cos - c[2] * sin, dy + c[1] * sin + c[2] * cos
        elif c[0] == "rotate":
            turn += c[1]
        elif c[0] == "font":
            size, bold = c[1], bool(c[2])
        elif c[0] == "text_align":
            h, v = int(c[1]), int(c[2])
        elif c[0] == "text":
            w = text_w(c[1], size, bold)
            x, y = c[2] - (0.0, w / 2, w)[h], c[3] - (0.0, size / 2, size, size * 0.8)[v]
            cos, sin = math.cos(turn), math.sin(turn)
            corners = [(px * cos - py * sin, px * sin + py * cos) for px in (x, x + w) for py in (y, y + size)]
            xs, ys = [dx + px for px, _ in corners], [dy + py for _, py in corners]
            out.append((c[1], min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys), size))
    return out


def label_problems(boxes, width, height, min_size):  # -> [problem]
    """Texts that overlap another one, run past the canvas or are smaller than `min_size` px."""
    problems = [f"{t!r} is {s} px" for t, _, _, _, _, s in boxes if s < min_size]
    problems += [f"{t!r} runs past the canvas" for t, x, y, w, h, _ in boxes
                 if x < -0.5 or y < -0.5 or x + w > width + 0.5 or y + h > height + 0.5]
    for n, (t1, x1, y1, w1, h1, _) in enumerate(boxes):
        for t2, x2, y2, w2, h2, _ in boxes[n + 1:]:
            if x1 < x2 + w2 - 0.5 and x2 < x1 + w1 - 0.5 and y1 < y2 + h2 - 0.5 and y2 < y1 + h1 - 0.5:
                problems.append(f"{t1!r} overlaps {t2!r}")
    return problems


@pytest.mark.parametrize("large", [False, True], ids=["normal text", "large text"])
@pytest.mark.parametrize("size", CANVAS)
@pytest.mark.parametrize("name", ["4 tokens", "11 tokens", "32 tokens"])
def test_no_label_overlaps_another_runs_past_the_canvas_or_is_too_small(name, size, large):
    width, height = canvas(size, large, sentence(name))
    problems = []
    for step in range(5):
        _, commands = frame(ev.set_step(sentence(name), step), (width, height), large)
        problems += [f"step {step}: {p}" for p in label_problems(text_boxes(commands), width, height,
                                                                 13 if large else 10)]
    assert not problems, "\n".join(problems[:20])


def texts_over_cells(scene, boxes):  # -> [problem]: texts over a heatmap's cells, but a number inside its own cell
    problems = []
    for name, g in scene.matrices:
        right, bottom = g.x + g.n_cols * g.cw, g.y + g.n_rows * g.ch
        for t, x, y, w, h, _ in boxes:
            if x < right - 0.5 and g.x < x + w - 0.5 and y < bottom - 0.5 and g.y < y + h - 0.5:
                cell = g.index(x + w / 2, y + h / 2)
                cx, cy, cw, ch = g.cell(*cell) if cell else (0, 0, 0, 0)
                if not (cell and cx - 0.5 <= x and x + w <= cx + cw + 0.5 and cy - 0.5 <= y and y + h <= cy + ch + 0.5):
                    problems.append(f"{t!r} lies over the cells of {name}")
    return problems


# The compact embed's canvas (400 x 560) while a predict question is open under it, and while the real model's
# 72 heads are (measured like CANVAS).
SHORT = {"predict": (386, 257.9), "model view": (386, 239.4)}


@pytest.mark.parametrize("step", range(5))
@pytest.mark.parametrize("name", ["4 tokens", "11 tokens", "32 tokens"])
def test_the_embed_with_a_question_open_overlaps_nothing(name, step):
    state = predict.drawn(predict.settle(predict.set_mode(ev.set_step(sentence(name), step), True)))
    scene, commands = frame(state, SHORT["predict"])
    boxes = text_boxes(commands)
    problems = label_problems(boxes, *SHORT["predict"], 10) + texts_over_cells(scene, boxes)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("step", range(5))
def test_the_embed_with_the_real_models_heads_open_overlaps_nothing(step):
    loaded = model_files.loaded_or_skip()
    sentence_on_real = ev.set_model(ev.edit_sentence(ev.initial_state(), model_files.SENTENCE), "minilm")
    state = ev.toggle_model_view(ev.model_loaded(sentence_on_real, loaded))
    scene, commands = frame(ev.set_step(state, step), SHORT["model view"])
    boxes = text_boxes(commands)
    problems = label_problems(boxes, *SHORT["model view"], 10) + texts_over_cells(scene, boxes)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("width", (306, 386, 586))  # the compact embed's canvas in frames 320, 400 and 600 px wide
@pytest.mark.parametrize("name", ["4 tokens", "11 tokens", "32 tokens"])
def test_the_least_height_the_embed_asks_for_overlaps_nothing(name, width):
    """A frame shorter than the page's controls and this leaves scrolls (style.css: --canvas-need), rather than
    squeeze the canvas under it; at this height every stage's labels are still apart and inside the canvas."""
    state = sentence(name)
    height = asked_height(ev.compute(state.scenario), state, width, palette(False))
    assert 0 < height < 560 - 14
    problems = []
    for step in range(5):
        scene, commands = frame(ev.set_step(state, step), (width, height))
        boxes = text_boxes(commands)
        problems += [f"step {step}: {p}" for p in label_problems(boxes, width, height, 10)
                     + texts_over_cells(scene, boxes)]
    assert not problems, "\n".join(problems[:20])


def test_the_check_for_texts_over_cells_itself_sees_one():
    state = ev.set_step(sentence("4 tokens"), 3)
    scene, commands = frame(state, CANVAS["1440 x 900"])
    boxes = text_boxes(commands)
    assert texts_over_cells(scene, boxes) == []
    a = dict(scene.matrices)["A"]
    assert texts_over_cells(scene, boxes + [("row 'dog'", a.x - 20, a.y + 3 * a.ch, 80, 12, 12)])


def test_the_label_check_itself_sees_an_overlap_an_overflow_and_small_text():
    assert label_problems([("a", 0, 0, 10, 12, 12), ("b", 20, 0, 10, 12, 12)], 100, 100, 10) == []
    assert label_problems([("a", 0, 0, 10, 12, 12), ("b", 5, 6, 10, 12, 12)], 100, 100, 10) == ["'a' overlaps 'b'"]
    assert label_problems([("a", 95, 0, 10, 12, 12)], 100, 100, 10) == ["'a' runs past the canvas"]
    assert label_problems([("a", 0, 0, 10, 9, 9)], 100, 100, 10) == ["'a' is 9 px"]


# -- every heatmap row and column has its token ---------------------------------------------

def labels_of(scene, commands, name, key_tokens=(), large=False):  # -> (rows with a label, texts above the columns) of `name`
    """Row labels: texts left of the grid, by the row their middle is in; column labels: labels' texts (not
    the title) in the band of column labels right above it."""
    pal = palette(False, large)
    grid = dict(scene.matrices)[name]
    band = _column_label_plan(key_tokens, grid.cw, pal, upright=True).height if key_tokens else 0
    bottom, right = grid.y + grid.n_rows * grid.ch, grid.x + grid.n_cols * grid.cw
    rows, columns = set(), []
    for text, x, y, w, h, size in text_boxes(commands):
        middle = y + h / 2
        if x + w <= grid.x + 0.5 and grid.y <= middle < bottom:
            rows.add(int((middle - grid.y) // grid.ch))
        elif grid.y - band - 1 <= y and y + h <= grid.y + 0.5 and x < right and text != "Σ" \
                and size == pal.small:
            columns.append(text)
    return rows, columns


def short(token):  # a column label as drawn (panels._short)
    return token if len(token) <= 9 else token[:8] + "…"


@pytest.mark.parametrize("large", [False, True], ids=["normal text", "large text"])
@pytest.mark.parametrize("size", CANVAS)
@pytest.mark.parametrize("name", ["4 tokens", "11 tokens"])
def test_every_row_and_column_of_the_heatmaps_has_its_token(name, size, large):
    problems = []
    for step, grid in ((2, "S"), (3, "A"), (0, "X"), (1, "Q"), (1, "K")):
        state = ev.set_step(sentence(name), step)
        scene, commands = frame(state, canvas(size, large, state), large)
        rows, columns = labels_of(scene, commands, grid, state.key_tokens if grid in 'SA' else (), large)
        n_rows = dict(scene.matrices)[grid].n_rows
        if rows != set(range(n_rows)):
            problems.append(f"step {step} {grid}: rows {sorted(set(range(n_rows)) - rows)} have no label")
        if grid in "SA" and sorted(columns) != sorted(map(short, state.key_tokens)):
            problems.append(f"step {step} {grid}: columns labelled {columns}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", CANVAS)
def test_32_tokens_label_the_query_and_rows_evenly_where_not_every_row_has_room(size):
    state = ev.set_step(ev.select_query(sentence("32 tokens"), 20), 3)
    scene, commands = frame(state, CANVAS[size])
    rows, _ = labels_of(scene, commands, "A")
    assert 20 in rows
    assert len(rows) >= 32 // (4 if size != "400 x 560 embedded" else 8), sorted(rows)  # every 4th (8th) row


def test_the_row_label_check_itself_sees_a_missing_label():
    state = ev.set_step(sentence("4 tokens"), 3)
    scene, commands = frame(state, CANVAS["1440 x 900"])
    rows, columns = labels_of(scene, commands, "A", state.key_tokens)
    assert rows == {0, 1, 2, 3} and sorted(columns) == sorted(state.key_tokens)
    dropped = [c for c in commands if not (c[0] == "text" and c[1] == "was")]
    rows, columns = labels_of(scene, dropped, "A", state.key_tokens)
    assert 3 not in rows and "was" not in columns

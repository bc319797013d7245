"""The shapes a Scene is made of: plain data, positioned in CSS px, drawn by scene.draw.

Each shape holds many items of one style where it can (all the texts of one
font and colour, all the cells of one colour), so drawing a frame makes few calls.
`Box` and `Grid` are the geometry layout works with: a rectangle that can be
cut into strips, and where the cells of a matrix are.
"""
from dataclasses import dataclass
import math

import numpy as np

from canvas.api import LEFT, MIDDLE, approximate_text_width as _estimate


@dataclass(frozen=True, eq=False)
class Rect:
    """A rectangle, rounded when radius > 0; fill or stroke may be None."""
    x: float
    y: float
    w: float
    h: float
    fill: tuple | None
    stroke: tuple | None = None
    weight: float = 1.0
    radius: float = 0.0


@dataclass(frozen=True, eq=False)
class Texts:
    """Strings in one font, colour and alignment, each at its own point."""
    strings: tuple
    xy: np.ndarray  # [n, 2]
    size: float
    color: tuple
    h: int = LEFT
    v: int = MIDDLE
    bold: bool = False
    upright: bool = False  # turned a quarter left about each point, reading upwards (`h` then runs up the page)


@dataclass(frozen=True, eq=False)
class Lines:
    """Straight segments in one stroke, clipped to `clip` (x, y, w, h) when given."""
    xy: np.ndarray  # [n, 4] x1 y1 x2 y2
    color: tuple
    weight: float
    dash: tuple = (0, 0)
    clip: tuple | None = None


@dataclass(frozen=True, eq=False)
class Dots:
    xy: np.ndarray  # [n, 2] centres
    d: float
    color: tuple


@dataclass(frozen=True, eq=False)
class Cells:
    """Filled rectangles [n, 4]: one rgba `fill` for all, or a colour per rectangle in `fills` [n, 4]."""
    rects: np.ndarray
    fill: tuple | None = None
    fills: np.ndarray | None = None  # rows in colour order, so the replayer sets each colour once
    radius: float = 0.0
    stroke: tuple | None = None  # one outline for all of them, or None
    weight: float = 1.0


@dataclass(frozen=True, eq=False)
class Beams:
    curves: np.ndarray  # [count, 13] display_list.BEZIER_FIELDS, sorted by (alpha, width)
    dash: tuple = (0, 0)


@dataclass(frozen=True, eq=False)
class Layer:
    """Shapes drawn as a group, `alpha` times as opaque and moved `dx` px (a panel fading in or out).

    `still` marks shapes that come back unchanged frame after frame (a stage panel, the chips):
    scene.draw records their drawing once and replays it while the same shapes are shown.
    `bounds` (a Box) is where a still layer's shapes all lie: the browser may then keep it
    as a bitmap and only stamp it, faded and slid, in the frames of a transition.
    """
    items: list
    alpha: float = 1.0
    dx: float = 0.0
    still: bool = False
    bounds: "Box | None" = None


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def top(self, h, gap=0.0):  # -> (the top strip, the rest below it)
        return Box(self.x, self.y, self.w, h), Box(self.x, self.y + h + gap, self.w, self.h - h - gap)

    def bottom(self, h, gap=0.0):  # -> (the bottom strip, the rest above it)
        return Box(self.x, self.y + self.h - h, self.w, h), Box(self.x, self.y, self.w, self.h - h - gap)

    def left(self, w, gap=0.0):  # -> (the left strip, the rest right of it)
        return Box(self.x, self.y, w, self.h), Box(self.x + w + gap, self.y, self.w - w - gap, self.h)

    def inset(self, d):
        return Box(self.x + d, self.y + d, self.w - 2 * d, self.h - 2 * d)


@dataclass(frozen=True)
class Grid:
    """Where a matrix's cells are: row i, column j at (x + j cw, y + i ch)."""
    x: float
    y: float
    cw: float
    ch: float
    n_rows: int
    n_cols: int

    def cell(self, i, j):  # -> (x, y, w, h)
        return (self.x + j * self.cw, self.y + i * self.ch, self.cw, self.ch)

    def rects(self):  # -> [n_rows * n_cols, 4], row by row
        rects = np.empty((self.n_rows * self.n_cols, 4))
        rects[:, 0] = np.tile(self.x + np.arange(self.n_cols) * self.cw, self.n_rows)
        rects[:, 1] = np.repeat(self.y + np.arange(self.n_rows) * self.ch, self.n_cols)
        rects[:, 2], rects[:, 3] = self.cw, self.ch
        return rects

    def centers(self):  # -> [n_rows * n_cols, 2]
        r = self.rects()
        return r[:, :2] + r[:, 2:] / 2

    def index(self, x, y):  # -> (i, j) | None
        j, i = math.floor((x - self.x) / self.cw), math.floor((y - self.y) / self.ch)
        return (i, j) if 0 <= i < self.n_rows and 0 <= j < self.n_cols else None


# -- building shapes ---------------------------------------------------------------

def text_w(s, size, bold=False):
    """Estimated width of s in px, generously: layout has no browser to measure with."""
    return 1.1 * _estimate(s, size, bold)


def fit_text(s, size, max_w, bold=False):  # -> s, or its beginning + "…" so that it fits max_w px
    if text_w(s, size, bold) <= max_w:
        return s
    keep = max(1, int(max_w / text_w("n", size, bold)) - 1)
    return s[:keep] + "…"


def first_fitting(candidates, size, max_w):  # -> the first string that fits, else the last one shortened
    for text in candidates:
        if text_w(text, size) <= max_w:
            return text
    return fit_text(candidates[-1], size, max_w)


def fit_all(strings, size, max_w):
    return tuple(fit_text(s, size, max_w) for s in strings)


def texts_at(entries, size, color, h=LEFT, bold=False, upright=False):  # [(string, x, y)] -> [Texts] (or [])
    if not entries:
        return []
    strings, xs, ys = zip(*entries)
    return [Texts(tuple(strings), np.column_stack([xs, ys]), size, color, h, MIDDLE, bold, upright)]


def cells_by_colour(rects, colors, radius=0.0, stroke=None, weight=1.0):  # [n, 4], [n, 4] or [4] -> Cells
    """Rectangles in (rounded) colours, sorted so that equal colours come together; fully transparent ones
    are left out. `colors` may be one rgba for them all."""
    colors = np.clip(np.round(np.asarray(colors, dtype=np.float64)), 0, 255)
    if colors.ndim == 1:  # one colour for all
        color = tuple(colors.tolist())
        return Cells(rects if color[3] > 0 else rects[:0], color, None, radius, stroke, weight)
    keep = colors[:, 3] > 0  # (compress and take: NumPy's fancy indexing is several times slower in Pyodide)
    if not keep.all():
        rects, colors = rects.compress(keep, axis=0), colors.compress(keep, axis=0)
    keys = ((colors[:, 0] * 256 + colors[:, 1]) * 256 + colors[:, 2]) * 256 + colors[:, 3]  # one number per colour
    order = np.argsort(keys)
    return Cells(rects.take(order, axis=0), None, colors.take(order, axis=0), radius, stroke, weight)


def outline_rect(rect, color, weight, radius=3.0):  # (x, y, w, h) -> Rect
    x, y, w, h = rect
    return Rect(x, y, w, h, None, color, weight, radius)


def arrow_lines(start, end):  # (x, y), (x, y) -> [3, 4] the shaft and the two strokes of the head
    d = np.asarray(end) - np.asarray(start)
    length = float(np.hypot(*d))
    if length < 1.0:
        return np.array([[*start, *end]])
    u = d / length
    head = min(10.0, length * 0.4)
    back = np.asarray(end) - head * u
    side = np.array([-u[1], u[0]]) * head * 0.5
    return np.array([[*start, *end], [*end, *(back + side)], [*end, *(back - side)]])

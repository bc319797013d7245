"""Layout: (computed trace, app state, canvas size, stage view, palette) -> a Scene of positioned shapes.

This is the one place that decides where things go and what colour they are;
`scene.draw` only replays the result on `p`. It does no attention maths: every
number shown is read (indexed, sliced, lerped) from `computed.trace` or from the
engine's helpers (`explain.output_terms`, `model.project_xy`).

The canvas has two regions: the token view (token chips and attention beams) and
the stage view (the numbers of the current stage). Side by side on wide canvases,
stacked on narrow ones. The five stages: 0 input, 1 project Q K V, 2 scores,
3 softmax, 4 weighted sum. Between two stages (a View with t in (0, 1)) the panels
cross-fade and slide (a Layer with an opacity and an offset); scores and weights
share one grid whose weights colouring is drawn ever more opaque over the scores';
in 3 -> 4 the query's row of weights slides into the bars; beams grow from uniform
grey lines into their weights.

What does not move from one frame to the next is built once and remembered
(`_remembered`, keyed by what it depends on) and marked as a still Layer, which
`scene.draw` records once and replays: an animation frame only builds what moves.

Beams are laid out with NumPy for all pairs at once, as rows of
display_list.BEZIER_FIELDS, with alpha and width quantised to BEAM_LEVELS and
sorted by style, so web/canvas.js strokes each run of equal style as one path.
"""
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
import math

import numpy as np

from attention import model
from attention.explain import output_terms
from canvas.api import CENTER, LEFT, MIDDLE, RIGHT, approximate_text_width as _estimate
from scene.colors import diverging, head_color, head_dash, ink_for, rgba, sequential
from scene.shapes import Beams, Box, Cells, Dots, Grid, Layer, Lines, Rect, Texts
from scene.timeline import View

WIDE = 760  # px: from this canvas width on, the two views sit side by side
TOKEN_SHARE = 0.42  # of a wide canvas's width, for the token view
PAD, GAP = 12, 14  # px: canvas margin; space between the views
SLIDE = 10  # px that a panel slides while it fades in or out (less than the panel's inner margin)
BEAM_LEVELS = 16  # distinct beam widths and opacities
MIN_BEAM_SPACE, NICE_BEAM_SPACE = 44, 120  # px between the query chips and the key chips
UNIFORM_LEVEL = 0.12  # beam level of the grey "being compared" lines of stage 2
FAINT = 0.3  # opacity factor of the other queries' beams in "all" mode
MAX_CELL_W, MAX_CELL_H = 72, 44
STAGE_TITLES = ("Input", "Project Q, K, V", "Scores", "Softmax", "Weighted sum")


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything one frame draws, in paint order, plus what a click can hit."""
    width: float
    height: float
    background: tuple
    items: tuple  # shapes (scene.shapes), painted in this order; Layers hold more of them
    q_rects: np.ndarray  # [n_q, 4] query chips (x, y, w, h)
    k_rects: np.ndarray  # [n_k, 4] key chips
    grid: Grid | None  # the n_q x n_k heatmap (scores, softmax), if one is shown
    beam_paths: tuple | None = None  # ([m, 8] curves, [m] key index) of the focused query's beams, if shown
    head_rects: np.ndarray | None = None  # [heads, 4] the small multiples of every head's weights, if shown

    def shapes(self):  # -> every shape, layers opened (where a layer moves its shapes, they are not moved)
        def walk(items):
            for item in items:
                if isinstance(item, Layer):
                    yield from walk(item.items)
                else:
                    yield item
        return walk(self.items)

    def hit(self, x, y):  # px, px -> ("query", i) | ("key", j) | ("cell", i, j) | ("head", h) | None
        """What is under the point: a chip, a beam (its key), a heatmap cell, a head's small multiple, or nothing."""
        for kind, rects in (("query", self.q_rects), ("key", self.k_rects)):
            inside = np.flatnonzero((rects[:, 0] <= x) & (x <= rects[:, 0] + rects[:, 2])
                                    & (rects[:, 1] <= y) & (y <= rects[:, 1] + rects[:, 3]))
            if len(inside):
                return (kind, int(inside[0]))
        if self.beam_paths is not None:
            j = _beam_under(*self.beam_paths, x, y)
            if j is not None:
                return ("key", j)
        cell = self.grid.index(x, y) if self.grid is not None else None
        if cell is not None:
            return ("cell", *cell)
        if self.head_rects is not None:
            r = self.head_rects
            inside = np.flatnonzero((r[:, 0] <= x) & (x <= r[:, 0] + r[:, 2]) & (r[:, 1] <= y) & (y <= r[:, 1] + r[:, 3]))
            if len(inside):
                return ("head", int(inside[0]))
        return None

    def chip_center(self, kind, index):  # "query" | "key", int -> (x, y)
        x, y, w, h = (self.q_rects if kind == "query" else self.k_rects)[index]
        return (float(x + w / 2), float(y + h / 2))


@dataclass(frozen=True, eq=False)
class Chips:
    """The token chips as arranged: rows (queries above keys) or columns (queries left of keys)."""
    orientation: str  # "rows" | "columns"
    size: float  # text px
    q_rects: np.ndarray  # [n_q, 4]
    k_rects: np.ndarray  # [n_k, 4]
    q_labels: tuple  # the tokens, shortened with "…" where a chip cannot hold them
    k_labels: tuple
    height: float  # px the arrangement needs, beams included


@dataclass(frozen=True, eq=False)
class Panel:
    """One stage's shapes, with the heatmap grid and weight bars a transition may need."""
    items: list
    grid: Grid | None = None
    bars: np.ndarray | None = None  # [n_k, 4] stage 4's weight bars at full length
    arrow: np.ndarray | None = None  # [2, 2] px: stage 4's arrow from the query's embedding to x + output
    heads: np.ndarray | None = None  # [heads, 4] px: the small multiples of every head (softmax, all heads shown)
    still: bool = True  # False when `items` are layers already (a blend of two still pictures)


# -- the scene -----------------------------------------------------------------

def layout(computed, state, width, height, view, palette):  # -> Scene
    """Position everything one frame shows: chips, beams, the stage's matrices, captions."""
    token_box, stage_box = _regions(state, width, height, palette)
    chips = _arrange(state.tokens, state.key_tokens, _chip_area(token_box, state, palette), palette)
    token_items = _token_view(computed, state, token_box, chips, view, palette)
    stage_items, panel = _stage_view(computed, state, stage_box, view, palette)
    return Scene(width, height, rgba(palette.background), tuple(token_items + stage_items),
                 chips.q_rects, chips.k_rects, panel.grid, _beam_paths(computed, state, chips, view), panel.heads)


def _beam_paths(computed, state, chips, view):  # -> ([m, 8], [m]) | None
    """The focused query's beam curves and their keys, for hovering and clicking a beam."""
    if _shown(view) < 2:
        return None
    qi, kj, focus = _beam_pairs(state, computed.trace.allowed)
    return _beam_geometry(chips, qi[focus], kj[focus]), kj[focus]


def _beam_under(curves, keys, x, y, reach=6.0):  # [m, 8], [m], px, px -> key index | None
    """The key whose beam passes within `reach` px of (x, y), sampling each cubic Bézier at 64 points."""
    if not len(curves):
        return None
    t = np.linspace(0.0, 1.0, 64)
    basis = np.stack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3])  # [4, 64] Bernstein
    px, py = curves[:, 0::2] @ basis, curves[:, 1::2] @ basis   # [m, 64] points along each curve
    distance = np.hypot(px - x, py - y).min(axis=1)             # [m]
    nearest = int(np.argmin(distance))
    return int(keys[nearest]) if distance[nearest] <= reach else None


def _regions(state, width, height, pal):  # -> (token Box, stage Box)
    """Side by side when wide; stacked when narrow, the token view as tall as its chips need."""
    outer = Box(0, 0, width, height).inset(PAD)
    if width >= WIDE:
        return outer.left(outer.w * TOKEN_SHARE - GAP / 2, GAP)
    trial, _ = outer.top(outer.h * 0.6)
    need = _arrange(state.tokens, state.key_tokens, _chip_area(trial, state, pal), pal).height
    chrome = trial.h - _chip_area(trial, state, pal).h
    return outer.top(min(max(need + chrome, outer.h * 0.36), outer.h * 0.6), GAP)


def _line_h(pal):
    return pal.small + 8


def _chip_area(box, state, pal):  # token view Box -> the Box its chips and beams use
    footer = _line_h(pal) * (2 if state.overlay else 1)
    return Box(box.x, box.y + _line_h(pal), box.w, box.h - _line_h(pal) - footer)


# -- token chips -----------------------------------------------------------------

@lru_cache(maxsize=8)
def _arrange(q_tokens, k_tokens, box, pal):  # tuples of str, Box, Palette -> Chips (its arrays read-only)
    """Two rows at the largest text that fits; else two columns; else rows that wrap."""
    chips = _arrangement(q_tokens, k_tokens, box, pal)
    chips.q_rects.flags.writeable = chips.k_rects.flags.writeable = False
    return chips


def _arrangement(q_tokens, k_tokens, box, pal):  # -> Chips
    q_unit, k_unit = _unit_widths(q_tokens), _unit_widths(k_tokens)
    for size in range(pal.chip_text, pal.small - 1, -1):
        rows = _rows(q_tokens, k_tokens, q_unit, k_unit, box, size)
        if rows is not None:
            return rows
    return (_columns(q_tokens, k_tokens, q_unit, k_unit, box, pal)
            or _flow(q_tokens, k_tokens, q_unit, k_unit, box, pal.small))


def _unit_widths(tokens):  # -> [n] text width per px of font size
    return np.array([_text_w(t, 1.0) for t in tokens], dtype=np.float64)


def _chip_w(unit, size):  # [n], px -> [n] chip widths
    return np.maximum(unit * size + 1.2 * size, 2.2 * size)


def _rows(q_tokens, k_tokens, q_unit, k_unit, box, size):  # -> Chips | None
    h, gap = round(size * 1.75), max(4, size * 0.4)
    wq, wk = _chip_w(q_unit, size), _chip_w(k_unit, size)
    if max(wq.sum() + gap * (len(wq) - 1), wk.sum() + gap * (len(wk) - 1)) > box.w:
        return None
    if 2 * h + MIN_BEAM_SPACE > box.h:
        return None
    q_rects = _row_rects(wq, box.x, box.w, box.y, h, gap)
    k_rects = _row_rects(wk, box.x, box.w, box.y + box.h - h, h, gap)
    return Chips("rows", size, q_rects, k_rects, tuple(q_tokens), tuple(k_tokens), 2 * h + NICE_BEAM_SPACE)


def _row_rects(widths, x, w, y, h, gap):  # [n] -> [n, 4], one line centred in [x, x + w]
    total = widths.sum() + gap * (len(widths) - 1)
    left = x + (w - total) / 2 + np.concatenate([[0.0], np.cumsum(widths[:-1] + gap)])
    return np.stack([left, np.full(len(widths), y), widths, np.full(len(widths), h)], axis=1)


def _columns(q_tokens, k_tokens, q_unit, k_unit, box, pal):  # -> Chips | None
    n = max(len(q_tokens), len(k_tokens))
    pitch = min(pal.small * 2.2, box.h / n)
    if pitch < pal.small + 3:
        return None
    h = pitch - max(1.0, pitch * 0.15)
    size = max(pal.small, min(pal.chip_text, h * 0.62))
    cap = (box.w - MIN_BEAM_SPACE) / 2
    wq = min(_chip_w(q_unit, size).max(), cap)
    wk = min(_chip_w(k_unit, size).max(), cap)
    if cap < 3 * size:
        return None
    q_rects = _column_rects(len(q_tokens), box.x, wq, box, pitch, h)
    k_rects = _column_rects(len(k_tokens), box.x + box.w - wk, wk, box, pitch, h)
    return Chips("columns", size, q_rects, k_rects, _fit_all(q_tokens, size, wq - 0.8 * size),
                 _fit_all(k_tokens, size, wk - 0.8 * size), n * (pal.small + 8))


def _column_rects(n, x, w, box, pitch, h):  # -> [n, 4], one column centred vertically in box
    top = box.y + (box.h - n * pitch) / 2 + np.arange(n) * pitch
    return np.stack([np.full(n, x), top, np.full(n, w), np.full(n, h)], axis=1)


def _flow(q_tokens, k_tokens, q_unit, k_unit, box, size):  # -> Chips
    """Rows that wrap: the queries' block at the top, the keys' block at the bottom."""
    h, gap = size + 6, 4
    q_rects, q_height = _flow_rects(np.minimum(_chip_w(q_unit, size), box.w), box, box.y, h, gap)
    k_rects, k_height = _flow_rects(np.minimum(_chip_w(k_unit, size), box.w), box, 0.0, h, gap)
    k_rects[:, 1] += box.y + box.h - k_height
    return Chips("rows", size, q_rects, k_rects, _fit_all(q_tokens, size, box.w - size),
                 _fit_all(k_tokens, size, box.w - size), q_height + k_height + MIN_BEAM_SPACE)


def _flow_rects(widths, box, y, h, gap):  # -> [n, 4], block height
    """Greedy line breaking: as many chips per line as fit, each line centred."""
    lines, line, used = [], [], 0.0
    for i, w in enumerate(widths):
        if line and used + gap + w > box.w:
            lines.append(line)
            line, used = [], 0.0
        used += (gap if line else 0.0) + w
        line.append(i)
    lines.append(line)
    rects = np.concatenate([_row_rects(widths[ix], box.x, box.w, y + k * (h + gap), h, gap)
                            for k, ix in enumerate(lines)])
    return rects, len(lines) * (h + gap) - gap


def _text_w(s, size, bold=False):
    """Estimated width of s in px, generously: layout has no browser to measure with."""
    return 1.1 * _estimate(s, size, bold)


def _fit(s, size, max_w, bold=False):  # -> s, or its beginning + "…" so that it fits max_w px
    if _text_w(s, size, bold) <= max_w:
        return s
    keep = max(1, int(max_w / _text_w("n", size, bold)) - 1)
    return s[:keep] + "…"


def _first_fitting(candidates, size, max_w):  # -> the first string that fits, else the last one shortened
    for text in candidates:
        if _text_w(text, size) <= max_w:
            return text
    return _fit(candidates[-1], size, max_w)


def _fit_all(strings, size, max_w):
    return tuple(_fit(s, size, max_w) for s in strings)


# -- the token view --------------------------------------------------------------

def _token_view(computed, state, box, chips, view, pal):  # -> list of shapes
    """The beams (they grow and fade with the transition), then the chips and labels over them."""
    still = _token_still(computed, state, box, chips, _shown(view), pal)
    return _beam_layer(computed, state, box, chips, view, pal) + [still]


def _beam_look(step):  # -> what the beams show at a stage: 0 nothing, 1 uniform grey lines, 2 the weights
    return min(max(step - 1, 0), 2)


def _beam_layer(computed, state, box, chips, view, pal):  # -> list of shapes
    """The beams; when both ends of a transition show them alike, they do not move: a still layer."""
    look = _beam_look(view.from_step)
    if look != _beam_look(view.to_step):
        return _beams(computed, state, chips, view, pal)
    if look == 0:
        return []
    beams = _remembered("beams", computed, state, box, pal,
                        lambda: _beams(computed, state, chips, View(view.to_step, view.to_step, 1.0), pal),
                        look, chips)
    return [Layer(beams, still=True)] if beams else []


def _token_still(computed, state, box, chips, stage, pal):  # -> Layer
    """Chips, key labels, headers and legend: the same in every frame until the state or stage changes."""
    return _remembered("tokens", computed, state, box, pal, lambda: Layer(
        _chip_shapes(state, chips, computed.trace.allowed[state.scenario.query], pal)
        + _key_labels(computed, state, chips, stage, pal)
        + _token_headers(state, box, chips, pal)
        + _legend(computed, state, box, stage, pal), still=True), stage, chips)


def _shown(view):  # View -> the stage that dominates the picture
    return view.to_step if view.t >= 0.5 else view.from_step


def _focus_query(state):  # -> the query whose beams are drawn in full
    """The selected query, or the one the pointer rests on (its chip or its heatmap row) as a preview."""
    hover = state.hover
    if hover and hover[0] in ("query", "cell") and hover[1] < len(state.tokens):
        return hover[1]
    return state.scenario.query


def _beam_pairs(state, allowed):  # bool [n_q, n_k] -> qi [m], kj [m], emphasised [m] bool
    """Which (query, key) pairs get a beam: the focused query's allowed keys, or every allowed pair."""
    focus = _focus_query(state)
    if state.beams == "all":
        qi, kj = np.nonzero(allowed)
    else:
        kj = np.flatnonzero(allowed[focus])
        qi = np.full(kj.shape, focus)
    return qi, kj, qi == focus


def _beam_level(step, weights):  # int, [heads, m] -> (level [heads, m], visibility)
    """What a stage shows: nothing (0-1), uniform comparison lines (2), the weights (3-4)."""
    if step < 2:
        return np.zeros_like(weights), 0.0
    if step == 2:
        return np.full_like(weights, UNIFORM_LEVEL), 1.0
    return weights, 1.0


def _beam_color(step, head, pal):  # -> (r, g, b) as an array
    return np.array(head_color(pal, head) if step >= 3 else pal.comparison, dtype=np.float64)


def _beams(computed, state, chips, view, pal):  # -> list of Beams, one per head shown
    """Cubic curves query -> key; width ≈ 0.5 + 10 w px and opacity ≈ 0.08 + 0.92 w encode the weight."""
    trace, t = computed.trace, view.t
    qi, kj, emph = _beam_pairs(state, trace.allowed)
    heads = _beam_heads(state, trace.heads)
    weights = trace.weights[np.array(heads)][:, qi, kj]  # [heads, m]
    level_a, vis_a = _beam_level(view.from_step, weights)
    level_b, vis_b = _beam_level(view.to_step, weights)
    visibility = vis_a + (vis_b - vis_a) * t
    if visibility <= 0 or len(qi) == 0:
        return []
    level = np.round((level_a + (level_b - level_a) * t) * (BEAM_LEVELS - 1)) / (BEAM_LEVELS - 1)
    emphasis = np.where(emph, 1.0, FAINT)
    alpha = 255.0 * visibility * emphasis * (0.08 + 0.92 * level)  # [heads, m]
    width = np.where(emph, 1.0, 0.5) * (0.5 + 10.0 * level)
    style = np.round(level * (BEAM_LEVELS - 1)).astype(np.int64) + np.where(emph, BEAM_LEVELS, 0)  # [heads, m]
    order = np.argsort(style, axis=1, kind="stable")  # alpha and width both grow with style
    geometry = _beam_geometry(chips, qi, kj)  # [m, 8]
    out = []
    for row, h in enumerate(heads):
        a, b = _beam_color(view.from_step, h, pal), _beam_color(view.to_step, h, pal)
        o = order[row]
        curves = np.empty((len(qi), 13))
        curves[:, :8] = geometry[o]
        curves[:, 8:11] = a + (b - a) * t
        curves[:, 11], curves[:, 12] = alpha[row, o], width[row, o]
        out.append(Beams(curves, head_dash(pal, h) if state.overlay else (0, 0)))
    return out


def _beam_heads(state, heads):  # -> list of heads, the selected one last (on top)
    if not state.overlay:
        return [state.scenario.head]
    return [h for h in range(heads) if h != state.scenario.head] + [state.scenario.head]


def _beam_geometry(chips, qi, kj):  # [m], [m] -> [m, 8] x1 y1 c1x c1y c2x c2y x2 y2
    """From the query chip's bottom (rows) or right side (columns) to the key chip's top or left side."""
    q, k = chips.q_rects[qi], chips.k_rects[kj]
    g = np.empty((len(qi), 8))
    if chips.orientation == "rows":
        g[:, 0], g[:, 1] = q[:, 0] + q[:, 2] / 2, q[:, 1] + q[:, 3]
        g[:, 6], g[:, 7] = k[:, 0] + k[:, 2] / 2, k[:, 1]
        bend = (g[:, 7] - g[:, 1]) * 0.5
        g[:, 2], g[:, 3], g[:, 4], g[:, 5] = g[:, 0], g[:, 1] + bend, g[:, 6], g[:, 7] - bend
    else:
        g[:, 0], g[:, 1] = q[:, 0] + q[:, 2], q[:, 1] + q[:, 3] / 2
        g[:, 6], g[:, 7] = k[:, 0], k[:, 1] + k[:, 3] / 2
        bend = (g[:, 6] - g[:, 0]) * 0.5
        g[:, 2], g[:, 3], g[:, 4], g[:, 5] = g[:, 0] + bend, g[:, 1], g[:, 6] - bend, g[:, 7]
    return g


def _chip_shapes(state, chips, allowed_row, pal):  # bool [n_k] -> list of shapes
    """Rounded chips with their tokens: the selected query filled with the accent, masked keys faded,
    the hovered chip outlined."""
    s = state.scenario
    radius = min(8.0, chips.size * 0.6)
    q_plain = np.arange(len(chips.q_labels)) != s.query
    items = []
    for rects, labels, keep in ((chips.q_rects, chips.q_labels, q_plain), (chips.k_rects, chips.k_labels, allowed_row),
                                (chips.k_rects, chips.k_labels, ~allowed_row)):
        faded = labels is chips.k_labels and keep is not allowed_row
        idx = np.flatnonzero(keep)
        if len(idx):
            items.append(_cells(rects[idx], np.tile(rgba(pal.chip, 0.5 if faded else 1.0), (len(idx), 1)), radius,
                                rgba(pal.grid, 0.5 if faded else 1.0), pal.line))
            items.append(_chip_texts(rects[idx], [labels[i] for i in idx], chips.size,
                                     rgba(pal.muted if faded else pal.ink)))
    x, y, w, h = chips.q_rects[s.query].tolist()
    items.append(Rect(x, y, w, h, rgba(pal.accent), rgba(pal.accent), pal.line, radius))
    items.append(_chip_texts(chips.q_rects[s.query:s.query + 1], [chips.q_labels[s.query]], chips.size,
                             rgba(pal.accent_ink), bold=True))
    if state.hover and state.hover[0] in ("query", "key"):
        kind, i = state.hover
        rects = chips.q_rects if kind == "query" else chips.k_rects
        if i < len(rects):
            items.append(_outline(rects[i].tolist(), rgba(pal.hover), 2.5, radius))
    return items


def _chip_texts(rects, labels, size, color, bold=False):  # [n, 4], [n] -> Texts centred in the chips
    return Texts(tuple(labels), rects[:, :2] + rects[:, 2:] / 2, size, color, CENTER, MIDDLE, bold)


def _texts(entries, size, color, h=LEFT, bold=False):  # [(string, x, y)] -> [Texts] (empty if no entries)
    if not entries:
        return []
    strings, xs, ys = zip(*entries)
    return [Texts(tuple(strings), np.column_stack([xs, ys]), size, color, h, MIDDLE, bold)]


def _key_labels(computed, state, chips, stage, pal):  # -> list of shapes
    """Stage 2: each allowed key's scaled score by its chip, where there is room; 3-4: the hovered key's weight."""
    trace, s = computed.trace, state.scenario
    if stage == 2:
        keys = np.flatnonzero(trace.allowed[s.query])
        strings = [_number(v, 2) for v in trace.scaled[s.head, s.query, keys]]
        return _texts(_beside_keys(chips, keys, strings, pal), pal.small, rgba(pal.muted), _label_align(chips))
    if stage >= 3 and state.hover and state.hover[0] == "key":
        j = state.hover[1]
        label = f"{100 * trace.weights[s.head, s.query, j]:.1f}%"
        placed = _beside_keys(chips, [j], [label], pal, always=True)
        align = _label_align(chips)
        return _pills(placed, align, pal) + _texts(placed, pal.small, rgba(pal.ink), align, bold=True)
    return []


def _label_align(chips):
    return CENTER if chips.orientation == "rows" else RIGHT


def _beside_keys(chips, keys, strings, pal, always=False):  # -> [(string, x, y)]
    """Labels just above key chips (rows) or left of them (columns); dropped where they would not fit."""
    out = []
    for j, text in zip(keys, strings):
        x, y, w, h = chips.k_rects[j]
        width = _text_w(text, pal.small)
        if chips.orientation == "rows" and (always or width <= w + 2):
            out.append((text, x + w / 2, y - pal.small * 0.5 - 4))
        elif chips.orientation == "columns":
            out.append((text, x - 6, y + h / 2))
    return out


def _pills(placed, align, pal):  # [(string, x, y)] labels aligned at x -> background shapes
    out = []
    for text, x, y in placed:
        w = _text_w(text, pal.small, True) + 10
        left = x - w / 2 if align == CENTER else x - w + 5
        out.append(Rect(left, y - pal.small * 0.75, w, pal.small * 1.5, rgba(pal.background, 0.92),
                        rgba(pal.hover), 1.5, 5))
    return out


def _token_headers(state, box, chips, pal):  # -> list of shapes
    """'queries' above the query chips; 'keys & values' above (columns) or below (rows) the key chips."""
    y_top = box.y + _line_h(pal) / 2
    items = _texts([("queries", box.x, y_top)], pal.small, rgba(pal.muted), LEFT, bold=True)
    if chips.orientation == "columns":
        return items + _texts([("keys & values", box.x + box.w, y_top)], pal.small, rgba(pal.muted), RIGHT,
                              bold=True)
    y = box.y + box.h - _line_h(pal) * (1.5 if state.overlay else 0.5)
    return items + _texts([("keys & values", box.x, y)], pal.small, rgba(pal.muted), LEFT, bold=True)


def _legend(computed, state, box, stage, pal):  # -> list of shapes
    """How to read the beams, at the bottom right; with the overlay, a dashed sample per head."""
    y = box.y + box.h - _line_h(pal) / 2
    if stage < 2:
        return []
    texts = (("grey lines: every allowed key is compared", "comparing keys") if stage == 2
             else ("beam width and opacity = attention weight", "width & opacity = weight"))
    text = _first_fitting(texts, pal.small, box.w * 0.62)
    items = _texts([(text, box.x + box.w, y - (_line_h(pal) if state.overlay else 0))], pal.small,
                   rgba(pal.muted), RIGHT)
    if not state.overlay:
        return items
    heads = computed.trace.heads
    slot = box.w / heads
    fits = all(_text_w(n, pal.small) <= slot - 30 for n in computed.head_names)
    names = computed.head_names if fits else [str(h + 1) for h in range(heads)]
    for h in range(heads):
        x = box.x + h * slot
        items.append(Lines(np.array([[x, y, x + 20, y]]), rgba(head_color(pal, h)), 3.0, head_dash(pal, h)))
        items += _texts([(names[h], x + 24, y)], pal.small, rgba(pal.ink))
    return items


# -- the stage view --------------------------------------------------------------

def _stage_view(computed, state, box, view, pal):  # -> (list of shapes, the Panel a click can hit)
    """The stage's panel on a background, with its title; cross-fading (and morphing) in transitions."""
    a, b, t = view.from_step, view.to_step, view.t
    shown = _shown(view)
    items = [_remembered("title", computed, state, box, pal, lambda: Layer(
        [Rect(box.x, box.y, box.w, box.h, rgba(pal.panel), None, 1.0, 10)]
        + _stage_title(computed, state, box, shown, pal), still=True), shown)]
    body = box.inset(10).top(pal.title + 10)[1]
    if a == b or {a, b} == {2, 3}:
        mix = (t if b == 3 else 1 - t) if a != b else float(b == 3)
        panel = _panel(b, computed, state, body, pal, mix)
        return items + _panel_items(panel, 1.0, pal), panel
    direction = 1 if b > a else -1
    old = _panel(a, computed, state, body, pal, float(a == 3))
    new = _panel(b, computed, state, body, pal, float(b == 3))
    items += (_fade(_panel_items(old, 1.0, pal), 1 - t, -direction * SLIDE * t)
              + _fade(_panel_items(new, t, pal), t, direction * SLIDE * (1 - t)))
    if {a, b} == {3, 4}:
        items += _row_to_bars(computed, state, old if a == 3 else new, new if b == 4 else old,
                              t if b == 4 else 1 - t, pal)
    return items, new


def _stage_title(computed, state, box, stage, pal):  # -> list of shapes
    """'3  Scores   S = QKᵀ / √d_k' on the left; the head's colour sample and name on the right."""
    s, trace = state.scenario, computed.trace
    x, y = box.x + 12, box.y + 10 + pal.title / 2 + 2
    name = computed.head_names[s.head]
    numbered = f"head {s.head + 1}"
    head = _first_fitting((f"{numbered}: {name}", name) if name != numbered else (name,), pal.small, box.w * 0.4)
    head_w = _text_w(head, pal.small)
    title = f"{stage + 1}  {STAGE_TITLES[stage]}"
    formula = _formula(stage, trace, state.kind)
    room = box.w - 60 - head_w - _text_w(title, pal.title, True)
    formula = formula if _text_w(formula, pal.text) <= room else ""
    right = box.x + box.w - 12
    swatch = np.array([[right - head_w - 30, y, right - head_w - 8, y]])
    return (_texts([(title, x, y)], pal.title, rgba(pal.ink), bold=True)
            + _texts([(formula, x + _text_w(title, pal.title, True) + 16, y)], pal.text,
                     rgba(pal.muted))
            + [Lines(swatch, rgba(head_color(pal, s.head)), 4.0, head_dash(pal, s.head) if state.overlay else (0, 0))]
            + _texts([(head, right, y)], pal.small, rgba(pal.ink), RIGHT))


def _formula(stage, trace, kind="self"):
    source = "C" if kind == "cross" else "X"
    scale = "/ √d_k" if trace.scale else "(unscaled)"
    temperature = f" / T={trace.temperature:g}" if trace.temperature != 1.0 else ""
    return ("X: one row per token",
            f"Q = X·W_Q   K = {source}·W_K   V = {source}·W_V",
            f"S = QKᵀ {scale}{temperature}",
            "A = softmax(S), row by row",
            "o = Σ_j a_ij v_j")[stage]


_PANELS = OrderedDict()  # memo: a panel's inputs -> (computed, shapes), least recently used first
MAX_PANELS = 64  # every stage's panel and parts for a few states: stepping back and forth rebuilds nothing


def _remembered(kind, computed, state, box, pal, build, *extra):  # -> build(), or what it returned last time
    """Panels (and parts of panels) depend on these inputs only; while they stay, the shapes stay."""
    s = state.scenario
    key = (kind, id(computed), state.tokens, state.key_tokens, s.query, s.head, state.cell, state.hover,
           state.overlay, state.beams, _projectable(computed, state), box, pal, *extra)
    hit = _PANELS.get(key)
    if hit is not None and hit[0] is computed:
        _PANELS.move_to_end(key)
        return hit[1]
    value = build()
    _PANELS[key] = (computed, value)
    if len(_PANELS) > MAX_PANELS:
        _PANELS.popitem(last=False)
    return value


def _panel(stage, computed, state, box, pal, mix):  # -> Panel
    """Stage `stage`'s shapes in `box` (`mix` blends scores into weights), remembered for the next frames."""
    if stage in (2, 3):
        return _matrix_panel(computed, state, box, pal, mix)
    return _remembered(stage, computed, state, box, pal, lambda: _build_panel(stage, computed, state, box, pal))


def _build_panel(stage, computed, state, box, pal):  # -> Panel
    if stage == 0:
        return _input_panel(computed, state, box, pal)
    if stage == 1:
        return _project_panel(computed, state, box, pal)
    return _sum_panel(computed, state, box, pal)


def _panel_items(panel, arrival, pal):  # -> the panel's shapes, with its output arrow grown to `arrival` (0..1)
    items = [Layer(panel.items, still=True)] if panel.still else panel.items
    if panel.arrow is None:
        return items
    start, end = panel.arrow
    tip = start + (end - start) * arrival
    return items + [Lines(_arrow(start, tip), rgba(pal.accent), 2.5), Dots(tip[None, :], 9.0, rgba(pal.accent))]


def _fade(items, alpha, dx):  # list of shapes, float, px -> list of shapes
    """The same shapes, `alpha` times as opaque and moved dx px to the right."""
    return [Layer(items, alpha, dx)] if alpha > 0 else []



# -- matrices -----------------------------------------------------------------------

def _cells(rects, colors, radius=0.0, stroke=None, weight=1.0):  # [n, 4], [n, 4] -> Cells
    """Rectangles grouped by (rounded) colour; fully transparent ones are left out."""
    colors = np.clip(np.round(np.asarray(colors, dtype=np.float64)), 0, 255).astype(np.int64)
    keep = colors[:, 3] > 0
    rects, colors = rects[keep], colors[keep]
    keys = ((colors[:, 0] * 256 + colors[:, 1]) * 256 + colors[:, 2]) * 256 + colors[:, 3]  # one int per colour
    order = np.argsort(keys, kind="stable")
    starts = np.flatnonzero(np.diff(keys[order], prepend=-1))
    parts = np.split(rects[order], starts[1:])
    firsts = colors[order[starts]].tolist()
    return Cells(tuple((tuple(float(v) for v in c), r) for c, r in zip(firsts, parts)), radius, stroke, weight)


def _grid_in(box, n_rows, n_cols, row_labels, col_labels, pal, extra_cols=0, selected_row=None, label_share=0.28):
    """A grid of cells in `box` after its row labels (left) and column labels (top); -> Grid, label shapes."""
    label_w = 0.0
    if row_labels is not None:
        label_w = min(max(_text_w(s, pal.small, True) for s in row_labels) + 8, box.w * label_share)
    cw = min((box.w - label_w) / (n_cols + extra_cols), MAX_CELL_W)
    col_lines, col_step = _column_label_plan(col_labels, cw, pal) if col_labels is not None else (0, 1)
    col_h = col_lines * (pal.small + 4)
    ch = max(min((box.h - col_h) / n_rows, MAX_CELL_H), 1.0)
    grid = Grid(box.x + label_w, box.y + col_h, cw, ch, n_rows, n_cols)
    items = []
    if row_labels is not None:
        items += _row_labels(grid, row_labels, label_w, pal, selected_row)
    if col_labels is not None:
        items += _column_labels(grid, col_labels, col_lines, col_step, pal)
    return grid, items


def _column_label_plan(labels, cw, pal):  # -> (lines 1 or 2, label every `step` columns)
    """One line when every label fits its column; else two staggered lines, thinned out as needed."""
    widest = max(_text_w(_short(s), pal.small) for s in labels) + 4
    if widest <= cw:
        return 1, 1
    return 2, max(1, math.ceil(widest / (2 * cw)))


def _short(s):  # column labels: at most 9 characters
    return s if len(s) <= 9 else s[:8] + "…"


def _column_labels(grid, labels, lines, step, pal):  # -> list of shapes
    line_h = pal.small + 4
    top = grid.y - lines * line_h
    entries = [(_short(labels[j]), grid.x + (j + 0.5) * grid.cw, top + line_h * ((j // step) % lines + 0.5))
               for j in range(0, grid.n_cols, step)]
    return _texts(entries, pal.small, rgba(pal.muted), CENTER)


def _row_labels(grid, labels, width, pal, selected):  # -> list of shapes
    """Every k-th row's label, so that labels never overlap; the selected row's always, in bold."""
    step = max(1, math.ceil((pal.small + 1) / grid.ch))
    rows = [i for i in range(0, grid.n_rows, step) if selected is None or abs(i - selected) >= step]
    x = grid.x - 6
    plain = [(_fit(labels[i], pal.small, width - 8), x, grid.y + (i + 0.5) * grid.ch) for i in rows]
    items = _texts(plain, pal.small, rgba(pal.muted), RIGHT)
    if selected is not None:
        items += _texts([(_fit(labels[selected], pal.small, width - 8, True), x, grid.y + (selected + 0.5) * grid.ch)],
                        pal.small, rgba(pal.ink), RIGHT, bold=True)
    return items


def _numbers(grid, values, colors, pal, special=None):  # [r, c], [r, c, 4], str [r, c] | None
    """Each cell's number, in dark or light ink to suit its colour, when the cells are large enough."""
    size = pal.text if grid.ch >= 30 and _decimals(values, grid, pal.text) == 2 else pal.small
    decimals = _decimals(values, grid, size)
    if decimals is None:
        return []
    strings = [_number(v, decimals) for v in values.ravel().tolist()]
    if special is not None:
        strings = [sp or s for s, sp in zip(strings, special.ravel().tolist())]
    ink = ink_for(colors.reshape(-1, 4), pal)
    dark = ink[:, 0] < 128
    centers = grid.centers()
    out = []
    for group in (dark, ~dark):
        idx = np.flatnonzero(group)
        if len(idx):
            out.append(Texts(tuple(strings[i] for i in idx), centers[idx], size,
                             tuple(ink[idx[0]]), CENTER, MIDDLE))
    return out


def _decimals(values, grid, size):  # -> 2, 1, 0 or None (no room for numbers in `size` px)
    if grid.ch < size + 2:
        return None
    biggest = float(np.max(np.abs(values))) if values.size else 0.0
    digits = len(str(int(biggest))) + (1 if np.any(values < 0) else 0)
    for decimals in (2, 1, 0):
        text = "8" * digits + ("." + "8" * decimals if decimals else "")
        if _text_w(text, size) + 6 <= grid.cw:
            return decimals
    return None


def _number(v, decimals):
    """v with `decimals` decimals and a true minus sign; never "−0"."""
    text = f"{v:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text.replace("-", "−")


def _separators(grid, pal):  # -> [Lines] hairlines between cells, in the panel's colour, when cells are large
    if min(grid.cw, grid.ch) < 8:
        return []
    w, h = grid.cw * grid.n_cols, grid.ch * grid.n_rows
    xs = grid.x + np.arange(1, grid.n_cols) * grid.cw
    ys = grid.y + np.arange(1, grid.n_rows) * grid.ch
    xy = np.concatenate([np.column_stack([xs, np.full(xs.shape, grid.y), xs, np.full(xs.shape, grid.y + h)]),
                         np.column_stack([np.full(ys.shape, grid.x), ys, np.full(ys.shape, grid.x + w), ys])])
    return [Lines(xy, rgba(pal.panel), 1.0)]


def _outline(rect, color, weight, radius=3.0):  # (x, y, w, h) -> Rect
    x, y, w, h = rect
    return Rect(x, y, w, h, None, color, weight, radius)


def _limit(*arrays):  # -> the largest |value| (1.0 if all are 0), the colour scale of a signed matrix
    m = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    return m if m > 0 else 1.0


def _signed_matrix(box, values, limit, row_labels, col_labels, pal, selected_row=None, label_share=0.28):
    """A matrix of signed numbers as a diverging heatmap (±limit full strength); -> shapes, Grid."""
    grid, items = _grid_in(box, *values.shape, row_labels, col_labels, pal, selected_row=selected_row,
                           label_share=label_share)
    colors = diverging(values, limit, pal)
    items += [_cells(grid.rects(), colors.reshape(-1, 4)), *_separators(grid, pal)]
    items += _numbers(grid, values, colors, pal)
    if selected_row is not None:
        x, y, _, h = grid.cell(selected_row, 0)
        items.append(_outline((x - 1, y - 1, grid.cw * grid.n_cols + 1, h + 1), rgba(pal.accent), 2.0))
    return items, grid


def _caption(text, x, y, pal, h=LEFT):
    return _texts([(text, x, y)], pal.text, rgba(pal.muted), h)


# -- stage 0: input ---------------------------------------------------------------

def _input_panel(computed, state, box, pal):  # -> Panel
    """X as a heatmap (feature names as column labels) and the tokens on the 2-D scatter plot."""
    matrix_box, scatter_box = _split_for_scatter(box, 0.6)
    x = computed.x
    heat, cap = matrix_box.bottom(_line_h(pal), 4)[1], matrix_box.bottom(_line_h(pal))[0]
    items, _ = _signed_matrix(heat, x, _limit(x), state.tokens, computed.features, pal, state.scenario.query)
    items += _caption(f"X: {x.shape[0]} tokens × d_model = {x.shape[1]}", cap.x, cap.y + cap.h / 2, pal)
    if scatter_box is not None:
        items += _scatter(scatter_box, computed.xy, state.tokens, state.scenario.query, None, pal,
                          "embedding map" if _projectable(computed, state) else "first two coordinates")[0]
    return Panel(items)


def _split_for_scatter(box, share):  # -> (matrix Box, scatter Box | None)
    """Side by side when the box is wide, stacked when tall, no scatter when there is no room."""
    if box.w >= 1.3 * box.h and box.w >= 420:
        return box.left(box.w * share, GAP)
    if box.h >= 220:
        return box.top(box.h * share, GAP)
    return box, None


def _projectable(computed, state):
    """Whether the scatter plot is the toy model's map, on which an output vector can be placed too."""
    return computed.toy and state.scenario.embeddings is None


def _scatter(box, xy, labels, selected, arrow_to, pal, caption):  # [n, 2], ..., [2] | None -> shapes, [2, 2] | None
    """Points with their tokens, scaled to leave room for `arrow_to`; -> shapes, the arrow's ends in px."""
    cap, plot = box.bottom(_line_h(pal), 2)
    items = [Rect(plot.x, plot.y, plot.w, plot.h, rgba(pal.background), rgba(pal.grid), 1.0, 6)]
    points = xy if arrow_to is None else np.vstack([xy, arrow_to])
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    label_room = min(max(_text_w(s, pal.small) for s in labels) + 10, plot.w * 0.35)
    inner = Box(plot.x + 12, plot.y + 12, plot.w - 24 - label_room, plot.h - 24)
    px = np.column_stack([inner.x + (points[:, 0] - lo[0]) / span[0] * inner.w,
                          inner.y + inner.h - (points[:, 1] - lo[1]) / span[1] * inner.h])
    n = len(labels)
    others = np.arange(n) != selected
    items.append(Dots(px[:n][others], 8.0, rgba(pal.muted)))
    items += _texts([(_short(labels[i]), px[i, 0] + 7, px[i, 1]) for i in np.flatnonzero(others)],
                    pal.small, rgba(pal.muted))
    items.append(Dots(px[selected:selected + 1], 11.0, rgba(pal.accent)))
    items += _texts([(_short(labels[selected]), px[selected, 0] + 8, px[selected, 1] - 1)], pal.small,
                    rgba(pal.ink), bold=True)
    arrow = None if arrow_to is None else px[[selected, n]]
    return items + _caption(_fit(caption, pal.text, cap.w), cap.x, cap.y + cap.h / 2, pal), arrow


def _arrow(start, end):  # (x, y), (x, y) -> [3, 4] the shaft and the two strokes of the head
    d = np.asarray(end) - np.asarray(start)
    length = float(np.hypot(*d))
    if length < 1.0:
        return np.array([[*start, *end]])
    u = d / length
    head = min(10.0, length * 0.4)
    back = np.asarray(end) - head * u
    side = np.array([-u[1], u[0]]) * head * 0.5
    return np.array([[*start, *end], [*end, *(back + side)], [*end, *(back - side)]])


# -- stage 1: project ----------------------------------------------------------------

def _project_panel(computed, state, box, pal):  # -> Panel
    """Q, K and V of the current head side by side, one colour scale, the query's row outlined in Q;
    below them, where they come from: X (and C for cross-attention) times W_Q, W_K, W_V."""
    trace, s = computed.trace, state.scenario
    q, k, v = trace.q[s.head], trace.k[s.head], trace.v[s.head]
    limit = _limit(q, k, v)
    cap_h = _line_h(pal)
    rows = max(len(state.tokens), len(state.key_tokens))
    flow_h = min(box.h * 0.4, 140.0) if box.h - min(box.h * 0.4, 140.0) >= rows * 10 + cap_h else 0.0
    top = box.top(box.h - flow_h, 6)[0] if flow_h else box
    label_w = min(max(_text_w(t, pal.small, True) for t in (*state.tokens, *state.key_tokens)) + 8,
                  box.w * 0.18)
    cw = min((box.w - 2 * label_w - 2 * GAP) / (q.shape[1] + k.shape[1] + v.shape[1]), MAX_CELL_W)
    boxes, x = [], box.x
    for width in (label_w + cw * q.shape[1], label_w + cw * k.shape[1], cw * v.shape[1]):
        boxes.append(Box(x, top.y + cap_h, width, top.h - cap_h))
        x += width + GAP
    source = "C" if state.kind == "cross" else "X"
    items, grids = [], []
    specs = ((q, state.tokens, "Q = X·W_Q", s.query), (k, state.key_tokens, f"K = {source}·W_K", None),
             (v, None, f"V = {source}·W_V", None))
    for b, (values, labels, caption, selected) in zip(boxes, specs):
        shapes, grid = _signed_matrix(b, values, limit, labels, None, pal, selected, label_share=0.6)
        items += shapes + _texts([(caption, grid.x, top.y + cap_h / 2)], pal.text, rgba(pal.ink), bold=True)
        grids.append(grid)
    if flow_h:
        items += _projection_flow(computed, state, Box(box.x, box.y + box.h - flow_h, box.w, flow_h), grids, pal)
    return Panel(items)


def _projection_flow(computed, state, box, grids, pal):  # -> shapes: X (and C) with arrows up to Q, K, V
    """Thumbnails of the inputs, each with arrows labelled W_Q / W_K / W_V (and their shapes) to what they make."""
    trace = computed.trace
    d_model, d_k, d_v = computed.x.shape[1], trace.d_k, trace.d_v
    sources = [("X", computed.x, (0, 1, 2))]
    if state.kind == "cross":
        sources = [("X", computed.x, (0,)), ("C", computed.context_x, (1, 2))]
    label_h = pal.small + 6
    items = []
    for n, (name, values, targets) in enumerate(sources):
        slot = Box(box.x + box.w * n / len(sources), box.y, box.w / len(sources), box.h)
        cell = max(min(slot.w * 0.3 / values.shape[1], (slot.h - 2 * label_h - 30) / values.shape[0]), 1.0)
        w, h = cell * values.shape[1], cell * values.shape[0]
        x, y = slot.x + (slot.w - w) / 2, slot.y + slot.h - h - label_h
        thumb = Grid(x, y, cell, cell, *values.shape)
        items.append(_cells(thumb.rects(), diverging(values, _limit(values), pal).reshape(-1, 4)))
        items += _texts([(f"{name}  ({values.shape[0]} × {d_model})", x + w / 2, y + h + label_h / 2)],
                        pal.small, rgba(pal.ink), CENTER, bold=True)
        for target in targets:
            g = grids[target]
            end = np.array([g.x + g.cw * g.n_cols / 2, g.y + g.ch * g.n_rows + 4])
            start = np.array([x + w * (0.2 + 0.3 * (target - targets[0])) if len(targets) > 1 else x + w / 2, y - 2])
            items.append(Lines(_arrow(start, end), rgba(pal.muted), 1.5))
            mid = (start + end) / 2
            matrix = ("W_Q", "W_K", "W_V")[target]
            cols = (d_k, d_k, d_v)[target]
            room = box.w / 3 - 12  # the labels of three arrows share the width
            label = _first_fitting((f"× {matrix} ({d_model} × {cols})", f"× {matrix}"), pal.small, room)
            items += _texts([(label, float(mid[0]) + 6, float(mid[1]))], pal.small, rgba(pal.muted))
    return items


# -- stages 2 and 3: scores and weights ------------------------------------------------

def _matrix_panel(computed, state, box, pal, mix):  # -> Panel
    """The n_q x n_k grid: scaled scores (mix 0, diverging) blending into weights (mix 1, sequential).

    Each colouring is a still layer; the blend draws the weights' layer at opacity `mix` over
    the scores' one, which is exactly the mixed colour because the cells are opaque. Numbers
    fade out (scores) and in (weights) around mix = 0.5, when the small multiples appear.
    """
    parts = _remembered("matrix", computed, state, box, pal, lambda: _matrix_parts(computed, state, box, pal, mix),
                        mix >= 0.5)
    layers = [(parts.under, 1.0), (parts.score_cells, 1.0 if mix < 1 else 0.0), (parts.weight_cells, mix),
              (parts.over, 1.0)]
    layers += [(parts.score_numbers, 1 - 2 * mix)] if mix < 0.5 else [(parts.weight_numbers, 2 * mix - 1)]
    layers += [(parts.marks, 1.0)]
    items = [Layer(shapes, alpha, still=True) for shapes, alpha in layers if shapes and alpha > 0]
    return Panel(items, parts.grid, heads=parts.heads, still=False)


@dataclass(frozen=True, eq=False)
class MatrixParts:
    """Stages 3-4's grid in still pieces, each drawn once (lists of shapes)."""
    grid: Grid
    heads: np.ndarray | None  # [heads, 4] the small multiples' rects, when shown
    under: list  # labels, mask hatching
    score_cells: list
    weight_cells: list
    over: list  # separators between cells
    score_numbers: list
    weight_numbers: list  # and the row sums
    marks: list  # outlines of the query's row and the open/hovered cell, the caption, the small multiples


def _matrix_parts(computed, state, box, pal, mix):  # -> MatrixParts (for mix < 0.5 or mix >= 0.5)
    trace, s = computed.trace, state.scenario
    scores, weights, allowed = trace.scaled[s.head], trace.weights[s.head], trace.allowed
    heat, cap = box.bottom(_line_h(pal), 4)[1], box.bottom(_line_h(pal))[0]
    multiples, head_rects = [], None
    if state.overlay and mix >= 0.5 and trace.heads > 1:
        strip, heat = heat.bottom(min(heat.h * 0.38, 150), 8)
        multiples, head_rects = _small_multiples(computed, state, strip, pal)
    grid, under = _grid_in(heat, *scores.shape, state.tokens, state.key_tokens, pal, extra_cols=1,
                           selected_row=s.query)
    if not allowed.all():
        under.append(_hatch(grid, pal))
    score_colors, weight_colors = diverging(scores, _limit(scores[allowed]), pal), sequential(weights, pal)
    score_colors[~allowed] = weight_colors[~allowed] = rgba(pal.background, 0.0)
    caption = (f"row '{state.tokens[s.query]}': entropy {computed.entropy[s.head, s.query]:.2f} bits"
               if mix >= 0.5 else _scores_caption(trace, allowed))
    return MatrixParts(
        grid, head_rects, under,
        [_cells(grid.rects(), score_colors.reshape(-1, 4))], [_cells(grid.rects(), weight_colors.reshape(-1, 4))],
        _separators(grid, pal),
        _numbers(grid, scores, score_colors, pal, special=np.where(allowed, "", "−∞")),
        _numbers(grid, weights, weight_colors, pal) + _row_sums(grid, weights, pal),
        _grid_marks(grid, state, pal) + _caption(_fit(caption, pal.text, cap.w), cap.x, cap.y + cap.h / 2, pal)
        + multiples)


def _small_multiples(computed, state, box, pal):  # -> (shapes, [heads, 4] rects)
    """Every head's weights as a small heatmap with its name, side by side; the selected head outlined."""
    weights, heads = computed.trace.weights, computed.trace.heads
    n_q, n_k = weights.shape[1:]
    gap = 10.0
    width = (box.w - gap * (heads - 1)) / heads
    label = pal.small + 4
    cell = max(min(width / n_k, (box.h - label) / n_q), 1.0)
    items, rects = [], []
    for h in range(heads):
        x = box.x + h * (width + gap) + (width - cell * n_k) / 2
        grid = Grid(x, box.y + label, cell, cell, n_q, n_k)
        items.append(_cells(grid.rects(), sequential(weights[h], pal).reshape(-1, 4)))
        name = _fit(computed.head_names[h], pal.small, width)
        items += _texts([(name, x + cell * n_k / 2, box.y + label / 2)], pal.small, rgba(pal.ink), CENTER)
        rect = (x - 2, box.y, cell * n_k + 4, label + cell * n_q + 2)
        rects.append(rect)
        if h == state.scenario.head:
            items.append(_outline(rect, rgba(pal.accent), 2.0))
    return items, np.array(rects, dtype=np.float64)


def _scores_caption(trace, allowed):
    scale = f"divided by √d_k = {trace.scale_factor:.2f}" if trace.scale else "not scaled"
    return f"scores {scale}" + ("; masked: −∞" if not allowed.all() else "")


def _hatch(grid, pal):  # -> Lines: diagonal stripes over the grid, seen where masked cells leave gaps
    w, h = grid.cw * grid.n_cols, grid.ch * grid.n_rows
    start = np.arange(-h, w, 7.0)
    xy = np.column_stack([grid.x + start, np.full(start.shape, grid.y + h), grid.x + start + h,
                          np.full(start.shape, grid.y)])
    return Lines(xy, rgba(pal.hatch), 1.0, (0, 0), (grid.x, grid.y, w, h))


def _row_sums(grid, weights, pal):  # -> shapes: a "Σ" column after the last key
    x = grid.x + (grid.n_cols + 0.5) * grid.cw
    items = _texts([("Σ", x, grid.y - (pal.small + 4) / 2)], pal.small, rgba(pal.ink), CENTER, bold=True)
    if grid.ch < pal.small + 2 or _text_w("1.00", pal.small) + 4 > grid.cw:
        return items
    sums = weights.sum(axis=1)
    entries = [(_number(v, 2), x, grid.y + (i + 0.5) * grid.ch) for i, v in enumerate(sums.tolist())]
    return items + _texts(entries, pal.small, rgba(pal.muted), CENTER)


def _grid_marks(grid, state, pal):  # -> outlines: the query's row, the open cell, the hovered cell
    s = state.scenario
    x, y, _, h = grid.cell(s.query, 0)
    items = [_outline((x - 1, y - 1, grid.cw * grid.n_cols + 1, h + 1), rgba(pal.accent), 2.0)]
    if state.hover and state.hover[0] == "cell" and state.hover[1] < grid.n_rows and state.hover[2] < grid.n_cols:
        items.append(_outline(grid.cell(*state.hover[1:]), rgba(pal.hover), 1.5))
    if state.cell is not None and state.cell[0] < grid.n_rows and state.cell[1] < grid.n_cols:
        cx, cy, cw, ch = grid.cell(*state.cell)
        items.append(_outline((cx - 2, cy - 2, cw + 3, ch + 3), rgba(pal.ink), 2.5, 4.0))
    return items


# -- stage 4: weighted sum --------------------------------------------------------------

def _sum_panel(computed, state, box, pal):  # -> Panel
    """The query's weight per key as bars, a_ij v_j as small glyphs, the head output; the scatter arrow."""
    trace, s = computed.trace, state.scenario
    projectable = _projectable(computed, state)
    main, scatter_box = _split_for_scatter(box, 0.62) if projectable else (box, None)
    weights = trace.weights[s.head, s.query]  # [n_k]
    terms = output_terms(trace, s.head, s.query)  # [n_k, d_v]
    out = trace.head_outputs[s.head, s.query]  # [d_v]
    header, rows_box = main.top(_line_h(pal))
    foot_h = 2 * _line_h(pal) + 6
    label_w = min(max(_text_w(t, pal.small, True) for t in state.key_tokens) + 14, main.w * 0.22)
    pct_w = _text_w("100.0%", pal.small) + 8
    rest = main.w - label_w - pct_w - GAP
    bar_w, glyph_w = rest * 0.5, rest * 0.5
    n_k = len(weights)
    pitch = min((rows_box.h - foot_h - 8) / n_k, 30.0)
    foot = Box(main.x, rows_box.y + n_k * pitch + 8, main.w, foot_h)
    bar_x, glyph_x = main.x + label_w, main.x + label_w + bar_w + pct_w + GAP
    top = rows_box.y + np.arange(n_k) * pitch
    bars = np.column_stack([np.full(n_k, bar_x), top + pitch * 0.18, bar_w * weights, np.full(n_k, pitch * 0.64)])
    items = _texts([("weight a_ij", bar_x, header.y + header.h / 2), ("a_ij · v_j", glyph_x, header.y + header.h / 2)],
                   pal.small, rgba(pal.muted), bold=True)
    items.append(_cells(np.column_stack([np.full(n_k, bar_x), top + pitch * 0.18, np.full(n_k, bar_w),
                                         np.full(n_k, pitch * 0.64)]), np.tile(rgba(pal.background), (n_k, 1)), 3))
    items.append(_cells(bars, np.tile(rgba(head_color(pal, s.head)), (n_k, 1)), 3))
    items += _bar_labels(state.key_tokens, weights, top, pitch, main.x + label_w - 6, label_w - 8,
                         bar_x + bar_w + 4, pal)
    limit = _limit(terms, out)
    items.append(_glyphs(terms, glyph_x, top, glyph_w, pitch, limit, pal))
    items += _output_row(out, foot, glyph_x, glyph_w, limit, pal, state)
    below = foot.y + foot.h + 10
    items += _multihead_strip(computed, state, Box(main.x, below, main.w, main.y + main.h - below), pal)
    if scatter_box is None:
        return Panel(items, bars=bars)
    end = computed.xy[s.query] + model.project_xy(trace.output[s.query:s.query + 1])[0]
    shapes, arrow = _scatter(scatter_box, computed.xy, state.tokens, s.query, end, pal,
                             "x + attention output (all heads)")
    return Panel(items + shapes, bars=bars, arrow=arrow)


def _multihead_strip(computed, state, box, pal):  # -> shapes (none when one head or no room)
    """concat(o_1 … o_h) · W_O = output for the query: every head's output side by side, then the projection."""
    trace, i = computed.trace, state.scenario.query
    line = _line_h(pal)
    if trace.heads < 2 or box.h < 2 * line + 10:
        return []
    concat, output = trace.concat[i], trace.output[i]
    arrow = "× W_O →"
    arrow_w = _text_w(arrow, pal.small) + 16
    cell = min(14.0, (box.w - arrow_w) / (len(concat) + len(output) + 1), box.h - 2 * line)
    y = box.y + line
    limit = _limit(concat, output)
    concat_grid = Grid(box.x, y, cell, cell, 1, len(concat))
    out_x = box.x + cell * len(concat) + arrow_w
    out_grid = Grid(out_x, y, cell, cell, 1, len(output))
    d_v = trace.d_v
    underline = np.array([[box.x + h * d_v * cell + 1, y + cell + 3, box.x + (h + 1) * d_v * cell - 1, y + cell + 3]
                          for h in range(trace.heads)])
    items = _texts([(_fit(f"all {trace.heads} heads for '{state.tokens[i]}': concat(o_1 … o_{trace.heads}) · W_O",
                          pal.small, box.w), box.x, box.y + line / 2)], pal.small, rgba(pal.muted), bold=True)
    items += [_cells(concat_grid.rects(), diverging(concat[None, :], limit, pal).reshape(-1, 4)),
              _cells(out_grid.rects(), diverging(output[None, :], limit, pal).reshape(-1, 4))]
    items += [Lines(underline[h:h + 1], rgba(head_color(pal, h)), 3.0) for h in range(trace.heads)]
    items += _texts([(arrow, out_x - arrow_w / 2, y + cell / 2)], pal.small, rgba(pal.ink), CENTER)
    items += _texts([("output", out_x, y + cell + line / 2 + 4)], pal.small, rgba(pal.muted))
    return items


def _bar_labels(tokens, weights, top, pitch, label_x, label_w, pct_x, pal):  # -> token left, percent right
    step = max(1, math.ceil((pal.small + 1) / pitch))
    rows = range(0, len(tokens), step)
    ys = top + pitch / 2
    return (_texts([(_fit(tokens[j], pal.small, label_w), label_x, ys[j]) for j in rows], pal.small,
                   rgba(pal.ink), RIGHT)
            + _texts([(f"{100 * weights[j]:.1f}%", pct_x, ys[j]) for j in rows], pal.small, rgba(pal.muted)))


def _glyphs(values, x, top, width, pitch, limit, pal):  # [rows, d] -> Cells: a small signed bar per component
    rows, d = values.shape
    slot = width / d
    half = pitch * 0.42 * values / limit  # [rows, d] px, up for positive
    mid = (top + pitch / 2)[:, None]
    y = np.where(half > 0, mid - half, mid)
    xs = x + np.arange(d) * slot + slot * 0.15
    rects = np.stack([np.broadcast_to(xs, values.shape), y, np.full(values.shape, slot * 0.7),
                      np.maximum(np.abs(half), 0.5)], axis=-1).reshape(-1, 4)
    return _cells(rects, diverging(np.sign(values), 1.0, pal).reshape(-1, 4))


def _output_row(out, box, glyph_x, glyph_w, limit, pal, state):  # [d_v] -> shapes: glyphs and numbers of o_i
    glyph_row, numbers = box.top(box.h - _line_h(pal))
    items = [Lines(np.array([[box.x, box.y - 3, box.x + box.w, box.y - 3]]), rgba(pal.grid), 1.0)]
    items.append(_glyphs(out[None, :], glyph_x, np.array([glyph_row.y]), glyph_w, glyph_row.h, limit, pal))
    token = state.tokens[state.scenario.query]
    items += _texts([(_fit(f"output of '{token}'", pal.small, glyph_x - box.x - 8), glyph_x - 8,
                      glyph_row.y + glyph_row.h / 2)], pal.small, rgba(pal.ink), RIGHT, bold=True)
    text = "o = [" + ", ".join(_number(v, 3) for v in out.tolist()) + "]"
    items += _texts([(_fit(text, pal.small, box.w), box.x, numbers.y + numbers.h / 2)], pal.small, rgba(pal.ink))
    return items


def _row_to_bars(computed, state, softmax, weighted, t, pal):  # Panel (stage 3), Panel (stage 4) -> [Cells]
    """The query's row of softmax cells sliding and stretching into stage 4's bars (t: 0 cells, 1 bars)."""
    if softmax.grid is None or weighted.bars is None or not 0 < t < 1:
        return []
    s = state.scenario
    x, y, w, h = softmax.grid.cell(s.query, 0)
    n = softmax.grid.n_cols
    cells = np.column_stack([x + w * np.arange(n), np.full(n, y), np.full(n, w), np.full(n, h)])
    rects = cells + (weighted.bars - cells) * t
    weights = computed.trace.weights[s.head, s.query]
    colors = sequential(weights, pal) * (1 - t) + np.array(rgba(head_color(pal, s.head))) * t
    colors = np.clip(np.round(colors), 0, 255).tolist()  # one cell per colour: no grouping needed
    return [Cells(tuple((tuple(c), r[None, :]) for c, r in zip(colors, rects) if c[3] > 0), 3 * t)]

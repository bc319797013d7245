"""Layout: (computed trace, app state, canvas size, stage view, palette) -> a Scene of positioned shapes.

Together with scene.panels (what each stage's panel shows) this decides where
things go and what colour they are; `scene.draw` only replays the result on `p`.
Neither does attention maths: every number shown is read (indexed, sliced,
lerped) from `computed.trace` or from the engine's helpers
(`explain.output_terms`, `model.project_xy`).

The canvas has two regions: the token view (token chips and attention beams) and
the stage view (the numbers of the current stage). Side by side on wide canvases,
stacked on narrow ones. The five stages: 0 input, 1 project Q K V, 2 scores,
3 softmax, 4 weighted sum. Between two stages (a View with t in (0, 1)) the panels
cross-fade and slide (a Layer with an opacity and an offset); scores and weights
share one grid whose weights colouring is drawn ever more opaque over the scores';
in 3 -> 4 the query's row of weights slides into the bars; beams grow from uniform
grey lines into their weights.

What does not move from one frame to the next is built once and remembered
(`panels.remembered`, keyed by what it depends on) and marked as a still Layer, which
`scene.draw` records once and replays: an animation frame only builds what moves.

Beams are laid out with NumPy for all pairs at once, as rows of
display_list.BEZIER_FIELDS, with alpha and width quantised to BEAM_LEVELS and
sorted by style, so web/canvas.js strokes each run of equal style as one path.
"""
from dataclasses import dataclass
from functools import lru_cache
import math

import numpy as np

from canvas.api import CENTER, LEFT, MIDDLE, RIGHT
from scene.colors import head_color, head_dash, rgba
from scene.numbers import number, percent
from scene.panels import GAP, line_h, panel_items, remembered, row_to_bars, stage_need, stage_panel
from scene.shapes import (Beams, Box, Grid, Layer, Lines, Rect, Texts, cells_by_colour, first_fitting, fit_all,
                          fit_text, outline_rect, text_w, texts_at)
from scene.stages import STAGES, Stage, canvas_formula
from scene.timeline import View

WIDE = 760  # px: from this canvas width on, the two views sit side by side
TOKEN_SHARE = 0.42  # of a wide canvas's width, for the token view
PAD = 12  # px: canvas margin
SLIDE = 10  # px that a panel slides while it fades in or out (less than the panel's inner margin)
CROSS_FADE_BEAMS = 256  # from this many beams on, a transition cross-fades them instead of morphing each one
BLEED = 4  # px a still layer may reach past its view (a frame's stroke): at most PAD and STACK_GAP / 2
BEAM_LEVELS = 16  # distinct beam widths and opacities
MIN_BEAM_SPACE, NICE_BEAM_SPACE = 36, 120  # px between the query chips and the key chips
LEAST_BEAM_SPACE = 22  # px between two strips of chips, where the stage view needs the rest of a short canvas
STACK_GAP = 8  # px between the token view and the stage view when stacked
LEAST_ROW = 2  # px: a stage's rows on a canvas too short to label each one (the token view gives way first)
UNIFORM_LEVEL = 0.12  # beam level of the grey "being compared" lines of stage 2
FAINT = 0.3  # opacity factor of the other queries' beams in "all" mode


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
    matrices: tuple = ()  # ((name, Grid), ...): where the stage's matrices ("X", "Q", "S", "A", ...) are drawn

    def shapes(self):  # -> every shape, layers opened (where a layer moves its shapes, they are not moved)
        def walk(items):
            for item in items:
                if isinstance(item, Layer):
                    yield from walk(item.items)
                else:
                    yield item
        return walk(self.items)

    def hit(self, x, y):  # px, px -> ("query", i) | ("key", j) | ("cell", i, j) | ("head", h) | ("input", i, c) | None
        """What is under the point: a chip, a beam (its key), a heatmap cell, a head's small multiple, a number of
        the Input stage's X (token i's input, column c), or nothing."""
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
        inputs = dict(self.matrices).get("X")
        cell = inputs.index(x, y) if inputs is not None else None
        return ("input", *cell) if cell is not None else None

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
    label_every: int = 1  # a strip labels every k-th chip (the selected query's always)


# -- the scene -----------------------------------------------------------------

def layout(computed, state, width, height, view, palette):  # -> Scene
    """Position everything one frame shows: chips, beams, the stage's matrices, captions."""
    token_box, stage_box = _regions(computed, state, width, height, palette)
    chips = _arrange(state.tokens, state.key_tokens, _chip_area(token_box, state, palette), palette)
    token_items = _token_view(computed, state, token_box, chips, view, palette)
    stage_items, panel = _stage_view(computed, state, stage_box, view, palette)
    return Scene(width, height, rgba(palette.background), tuple(token_items + stage_items),
                 chips.q_rects, chips.k_rects, panel.grid, _beam_paths(computed, state, chips, view), panel.heads,
                 panel.matrices)


def _beam_paths(computed, state, chips, view):  # -> ([m, 8], [m]) | None
    """The focused query's beam curves and their keys, for hovering and clicking a beam."""
    if _shown(view) < 2 or state.veil:
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


def _regions(computed, state, width, height, pal):  # -> (token Box, stage Box)
    """Side by side when wide; stacked when narrow: the stage view gets what its tallest stage needs to
    label every row (`panels.stage_need`), the token view the rest, between the least its chips need (a
    strip of them) and what they would like. The split is the same at every step: nothing jumps."""
    outer = Box(0, 0, width, height).inset(PAD)
    if width >= WIDE:
        return outer.left(outer.w * TOKEN_SHARE - GAP / 2, GAP)
    trial, _ = outer.top(outer.h * 0.6)
    chrome = trial.h - _chip_area(trial, state, pal).h
    want = _arrange(state.tokens, state.key_tokens, _chip_area(trial, state, pal), pal).height + chrome
    room = outer.h - STACK_GAP - _stage_need(computed, state, width, pal)
    tokens = max(min(max(want, outer.h * 0.36), outer.h * 0.6, room), _least_token_view(state, pal))
    most = outer.h - STACK_GAP - _stage_need(computed, state, width, pal, row=LEAST_ROW)  # the stage's every part
    return outer.top(max(min(tokens, most), _two_strips(pal)), STACK_GAP)


def stacked_need(computed, state, width, pal):  # -> px: the height a stacked canvas `width` px wide needs
    """The least height at which a canvas narrower than WIDE labels every row of every stage, its token
    view a strip of chips."""
    return 2 * PAD + _least_token_view(state, pal) + STACK_GAP + _stage_need(computed, state, width, pal)


def asked_height(computed, state, width, pal):  # -> px the compact embed asks the page for, for its canvas
    """With large text, the height at which every row is labelled (the page scrolls to the controls under it);
    otherwise, stacked, the least at which nothing overlaps: two bare strips of chips and the stage's rows
    LEAST_ROW px tall, as _regions gives them (a frame shorter than that scrolls rather than pile the stage's
    labels on each other); side by side, nothing."""
    if state.large:
        return stacked_need(computed, state, width, pal)
    if width >= WIDE:
        return 0
    return 2 * PAD + _two_strips(pal) + STACK_GAP + _stage_need(computed, state, width, pal, row=LEAST_ROW)


def _least_token_view(state, pal):  # px: two strips of chips with room for beams between, and their headers
    return line_h(pal) * (3 if state.overlay else 2) + _two_strips(pal)


def _two_strips(pal):  # px: the least a token view can be, two strips of chips with room for beams between
    return 2 * _strip_chip_h(pal) + LEAST_BEAM_SPACE


def _bare(box, state, pal):  # -> whether a token view is too short for its headers and legend: chips only
    return box.h < _least_token_view(state, pal)


def _stage_need(computed, state, width, pal, row=None):  # px of stage view, title and margins included
    """(_stage_view's) with rows `row` px tall, or as tall as their labels need."""
    return _title_chrome(pal) + stage_need(computed, state, pal, width - 2 * PAD - 20, row)


def _title_chrome(pal):  # px of the stage view around its panel (its margins and title; see _stage_view)
    return 2 * 10 + pal.title + 6


def _chip_area(box, state, pal):  # token view Box -> the Box its chips and beams use
    if _bare(box, state, pal):
        return box
    footer = line_h(pal) * (2 if state.overlay else 1)
    return Box(box.x, box.y + line_h(pal), box.w, box.h - line_h(pal) - footer)


# -- token chips -----------------------------------------------------------------

@lru_cache(maxsize=8)
def _arrange(q_tokens, k_tokens, box, pal):  # tuples of str, Box, Palette -> Chips (its arrays read-only)
    """Two rows at the largest text that fits; else two columns; else rows that wrap."""
    chips = _arrangement(q_tokens, k_tokens, box, pal)
    chips.q_rects.flags.writeable = chips.k_rects.flags.writeable = False
    return chips


def _arrangement(q_tokens, k_tokens, box, pal):  # -> Chips
    """Two rows at the largest text that fits; else two columns; else rows that wrap; else two strips."""
    q_unit, k_unit = _unit_widths(q_tokens), _unit_widths(k_tokens)
    for size in range(pal.chip_text, pal.small - 1, -1):
        rows = _rows(q_tokens, k_tokens, q_unit, k_unit, box, size)
        if rows is not None:
            return rows
    return (_columns(q_tokens, k_tokens, q_unit, k_unit, box, pal)
            or _flow(q_tokens, k_tokens, q_unit, k_unit, box, pal.small)
            or _strip(q_tokens, k_tokens, box, pal))


def _unit_widths(tokens):  # -> [n] text width per px of font size
    return np.array([text_w(t, 1.0) for t in tokens], dtype=np.float64)


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
    return Chips("columns", size, q_rects, k_rects, fit_all(q_tokens, size, wq - 0.8 * size),
                 fit_all(k_tokens, size, wk - 0.8 * size), n * (pal.small + 8))


def _column_rects(n, x, w, box, pitch, h):  # -> [n, 4], one column centred vertically in box
    top = box.y + (box.h - n * pitch) / 2 + np.arange(n) * pitch
    return np.stack([np.full(n, x), top, np.full(n, w), np.full(n, h)], axis=1)


def _flow(q_tokens, k_tokens, q_unit, k_unit, box, size):  # -> Chips | None (when the blocks need more height)
    """Rows that wrap: the queries' block at the top, the keys' block at the bottom."""
    h, gap = size + 6, 4
    q_rects, q_height = _flow_rects(np.minimum(_chip_w(q_unit, size), box.w), box, box.y, h, gap)
    k_rects, k_height = _flow_rects(np.minimum(_chip_w(k_unit, size), box.w), box, 0.0, h, gap)
    if q_height + k_height + MIN_BEAM_SPACE > box.h:
        return None
    k_rects[:, 1] += box.y + box.h - k_height
    return Chips("rows", size, q_rects, k_rects, fit_all(q_tokens, size, box.w - size),
                 fit_all(k_tokens, size, box.w - size), q_height + k_height + MIN_BEAM_SPACE)


def _strip_chip_h(pal):
    return pal.small + 8


def _strip(q_tokens, k_tokens, box, pal):  # -> Chips
    """Where nothing else fits: one line of narrow chips each, queries at the top, keys at the bottom,
    every k-th chip labelled (k as small as keeps the labels apart); the selected query's label always."""
    h = _strip_chip_h(pal)
    n = max(len(q_tokens), len(k_tokens))
    pitch = box.w / n
    gap = min(2.0, pitch * 0.2)
    widths = [text_w(t, pal.small) for t in (*q_tokens, *k_tokens)]
    typical = float(np.percentile(widths, 75))
    every = max(1, math.ceil((typical + 6) / pitch))
    slot = every * pitch - 6  # px a label may take: its chip and the unlabelled ones beside it

    def line(tokens, y):  # -> [n, 4] rects, labels
        left = box.x + (box.w - len(tokens) * pitch) / 2 + np.arange(len(tokens)) * pitch
        rects = np.stack([left, np.full(len(tokens), y), np.full(len(tokens), pitch - gap),
                          np.full(len(tokens), float(h))], axis=1)
        labels = tuple(fit_text(t, pal.small, slot) if j % every == every // 2 else ""  # none at the very ends
                       for j, t in enumerate(tokens))
        return rects, labels

    q_rects, q_labels = line(q_tokens, box.y)
    k_rects, k_labels = line(k_tokens, box.y + box.h - h)
    return Chips("rows", pal.small, q_rects, k_rects, q_labels, k_labels, 2 * h + MIN_BEAM_SPACE, every)


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


# -- the token view --------------------------------------------------------------

def _token_view(computed, state, box, chips, view, pal):  # -> list of shapes
    """The beams (they grow and fade with the transition), then the chips and labels over them."""
    still = _token_still(computed, state, box, chips, _shown(view), pal)
    return _beam_layer(computed, state, box, chips, view, pal) + [still]


def _beam_look(step):  # -> what the beams show at a stage: 0 nothing, 1 uniform grey lines, 2 the weights
    return min(max(step - 1, 0), 2)


def _beam_layer(computed, state, box, chips, view, pal):  # -> list of shapes
    """The beams; when both ends of a transition show them alike, they do not move: a still layer.

    When they change, a few beams morph (each one's width, opacity and colour move from one look
    to the other). Hundreds of beams cross-fade instead, the old look's still layer fading out
    over the new one's: the same picture at both ends, and two bitmaps to stamp per frame
    rather than thousands of curves to stroke.
    """
    if state.veil:
        return []  # predict mode: no beams until the reveal
    a, b = _beam_look(view.from_step), _beam_look(view.to_step)
    if view.reveal < 1.0 and a == b:  # the reveal: the guess's beam gives way to the weights' beams
        return (_guess_beam(state, chips, view, pal)
                + _still_beams(computed, state, box, chips, view.to_step, b, view.reveal, pal))
    if a != b and _beam_count(computed, state) < CROSS_FADE_BEAMS:
        return _beams(computed, state, chips, view, pal)
    t = view.t if a != b else 1.0
    return (_still_beams(computed, state, box, chips, view.from_step, a, 1 - t, pal)
            + _still_beams(computed, state, box, chips, view.to_step, b, t, pal))


def _guess_beam(state, chips, view, pal):  # -> [Beams] or []: the key the learner chose, fading out
    """A "where" guess drawn as a full-weight beam from the asked query to the chosen key."""
    q, guess = state.predict.question, state.predict.guess
    if q is None or not q.keys or guess is None:
        return []
    curves = np.empty((1, 13))
    curves[:, :8] = _beam_geometry(chips, np.array([q.query]), np.array([int(guess)]))
    curves[:, 8:11] = _beam_color(view.to_step, state.head, pal)
    curves[:, 11], curves[:, 12] = 255.0 * (1.0 - view.reveal), 10.5
    return [Beams(curves)]


def _still_beams(computed, state, box, chips, step, look, alpha, pal):  # -> [Layer] or []
    """The beams as `step` shows them, as a still layer `alpha` times as opaque."""
    if look == 0 or alpha <= 0:
        return []
    beams = remembered(computed, state, lambda picked: _beams(computed, picked, chips, View(step, step, 1.0), pal),
                       "beams", box, pal, look, chips)
    return [Layer(beams, alpha, still=True, bounds=box.inset(-BLEED))] if beams else []


def _beam_count(computed, state):  # -> how many curves the beams are, every head shown included
    qi, _, _ = _beam_pairs(state, computed.trace.allowed)
    return len(qi) * len(_beam_heads(state, computed.trace.heads))


def _token_still(computed, state, box, chips, stage, pal):  # -> Layer
    """Chips, key labels, headers and legend: the same in every frame until the state or stage changes."""
    return remembered(computed, state, lambda picked: Layer(
        _chip_shapes(picked, chips, computed.trace.allowed[picked.query], pal)
        + _key_labels(computed, picked, chips, stage, pal)
        + ([] if _bare(box, picked, pal) else _token_headers(picked, box, chips, pal)
           + _legend(computed, picked, box, stage, pal)), still=True, bounds=box.inset(-BLEED)), "tokens", box, pal,
        stage, chips)


def _shown(view):  # View -> the stage that dominates the picture
    return view.to_step if view.t >= 0.5 else view.from_step


def _focus_query(state):  # -> the query whose beams are drawn in full
    """The selected query, or the one the pointer rests on (its chip or its heatmap row) as a preview."""
    hover = state.hover
    if hover and hover[0] in ("query", "cell") and hover[1] < len(state.tokens):
        return hover[1]
    return state.query


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
    n_k = trace.weights.shape[2]  # (take, not fancy indexing: several times faster in Pyodide's NumPy)
    weights = trace.weights.take(heads, axis=0).reshape(len(heads), -1).take(qi * n_k + kj, axis=1)  # [heads, m]
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
        curves[:, :8] = geometry.take(o, axis=0)
        curves[:, 8:11] = a + (b - a) * t
        curves[:, 11], curves[:, 12] = alpha[row].take(o), width[row].take(o)
        out.append(Beams(curves, head_dash(pal, h) if state.overlay else (0, 0)))
    return out


def _beam_heads(state, heads):  # -> list of heads, the selected one last (on top)
    if not state.overlay:
        return [state.head]
    return [h for h in range(heads) if h != state.head] + [state.head]


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
    radius = min(8.0, chips.size * 0.6)
    q_plain = np.arange(len(chips.q_labels)) != state.query
    items = []
    q_labels = _strip_labels(chips, state.query) if chips.label_every > 1 else chips.q_labels
    for rects, labels, keep in ((chips.q_rects, q_labels, q_plain), (chips.k_rects, chips.k_labels, allowed_row),
                                (chips.k_rects, chips.k_labels, ~allowed_row)):
        faded = labels is chips.k_labels and keep is not allowed_row
        idx = np.flatnonzero(keep)
        if len(idx):
            items.append(cells_by_colour(rects[idx], rgba(pal.chip, 0.5 if faded else 1.0), radius,
                                rgba(pal.grid, 0.5 if faded else 1.0), pal.line))
            items.append(_chip_texts(rects[idx], [labels[i] for i in idx], chips.size,
                                     rgba(pal.muted if faded else pal.ink), row=_row_span(rects)))
    x, y, w, h = chips.q_rects[state.query].tolist()
    items.append(Rect(x, y, w, h, rgba(pal.accent), rgba(pal.accent), pal.line, radius))
    if chips.label_every > 1:  # a strip: the query's label on an accent pill, over the unlabelled chips beside it
        items += _query_pill(state, chips, pal)
    else:
        items.append(_chip_texts(chips.q_rects[state.query:state.query + 1], [chips.q_labels[state.query]], chips.size,
                                 rgba(pal.accent_ink), bold=True))
    if state.hover and state.hover[0] in ("query", "key"):
        kind, i = state.hover
        rects, tokens = (chips.q_rects, state.tokens) if kind == "query" else (chips.k_rects, state.key_tokens)
        if i < len(rects) and chips.label_every > 1 and (kind, i) != ("query", state.query):
            items += _pill(rects, i, tokens[i], chips, (pal.chip, pal.ink), (pal.hover, 2.5))  # a strip: the whole token
        elif i < len(rects):
            items.append(outline_rect(rects[i].tolist(), rgba(pal.hover), 2.5, radius))
    return items


def _chip_texts(rects, labels, size, color, bold=False, row=None):  # [n, 4], [n] -> Texts centred in the chips
    """A strip leaves most chips unlabelled and its labels are wider than their chips: they stay inside
    `row` (left, right)."""
    keep = [i for i, label in enumerate(labels) if label]
    centers = rects[keep, :2] + rects[keep, 2:] / 2
    if row is not None and keep:
        half = np.array([text_w(labels[i], size, bold) / 2 for i in keep])
        centers[:, 0] = np.minimum(np.maximum(centers[:, 0], row[0] + half), row[1] - half)
    return Texts(tuple(labels[i] for i in keep), centers, size, color, CENTER, MIDDLE, bold)


def _row_span(rects):  # [n, 4] -> (left, right) of a line of chips
    return float(rects[:, 0].min()), float((rects[:, 0] + rects[:, 2]).max())


def _strip_labels(chips, query):  # -> the query row's labels without those the query's pill would cover
    every = chips.label_every
    return tuple("" if abs(j - query) < every and j != query else label for j, label in enumerate(chips.q_labels))


def _query_pill(state, chips, pal):  # -> shapes: the selected query's whole token on an accent pill
    """In a strip the query's chip is narrow: its token sits on a pill centred on it, kept inside the row."""
    return _pill(chips.q_rects, state.query, state.tokens[state.query], chips, (pal.accent, pal.accent_ink),
                 (pal.accent, pal.line))


def _pill(rects, i, token, chips, colors, edge):  # (fill, ink), (stroke, width) -> shapes: chip i's token on a pill
    """A strip's chip i with its whole token (as far as it fits in a few chips' width), centred on the chip
    and kept inside the row: the selected query (accent), or the chip the pointer is on (outlined)."""
    x, y, w, h = rects[i].tolist()
    left_end, right_end = rects[0, 0], rects[-1, 0] + rects[-1, 2]
    text = fit_text(token, chips.size, min((2 * chips.label_every - 1) * w, right_end - left_end) - 8, True)
    pill_w = text_w(text, chips.size, True) + 8
    left = min(max(x + w / 2 - pill_w / 2, left_end), right_end - pill_w)
    return [Rect(left, y, pill_w, h, rgba(colors[0]), rgba(edge[0]), edge[1], 4.0),
            Texts((text,), np.array([[left + pill_w / 2, y + h / 2]]), chips.size, rgba(colors[1]), CENTER, MIDDLE,
                  True)]


def _key_labels(computed, state, chips, stage, pal):  # -> list of shapes
    """Stage 2: each allowed key's scaled score by its chip, where there is room; 3-4: the hovered key's weight."""
    trace = computed.trace
    if state.veil:
        return []
    if stage == 2:
        keys = np.flatnonzero(trace.allowed[state.query])
        strings = [number(v, 2) for v in trace.scaled[state.head, state.query, keys].tolist()]
        return texts_at(_beside_keys(chips, keys, strings, pal), pal.small, rgba(pal.muted), _label_align(chips))
    if stage >= 3 and state.hover and state.hover[0] == "key":
        j = state.hover[1]
        label = percent(trace.weights[state.head, state.query, j])
        placed = _beside_keys(chips, [j], [label], pal, always=True)
        align = _label_align(chips)
        return _pills(placed, align, pal) + texts_at(placed, pal.small, rgba(pal.ink), align, bold=True)
    return []


def _label_align(chips):
    return CENTER if chips.orientation == "rows" else RIGHT


def _beside_keys(chips, keys, strings, pal, always=False):  # -> [(string, x, y)]
    """Labels just above key chips (rows) or left of them (columns); dropped where they would not fit
    (wider than the chip, or over any chip); `always` keeps them (a hovered key's pill, drawn on top)."""
    chip_rects = np.concatenate([chips.q_rects, chips.k_rects])
    out = []
    for j, text in zip(keys, strings):
        x, y, w, h = chips.k_rects[j]
        width = text_w(text, pal.small)
        if chips.orientation == "rows":
            entry, rect = (text, x + w / 2, y - pal.small * 0.5 - 4), (x + w / 2 - width / 2, y - pal.small - 4, width)
        else:
            entry, rect = (text, x - 6, y + h / 2), (x - 6 - width, y + h / 2 - pal.small / 2, width)
        wide = chips.orientation == "rows" and width > w + 2
        if always or not (wide or _hits_any(rect[0], rect[1], rect[2], pal.small, chip_rects)):
            out.append(entry)
    return out


def _hits_any(x, y, w, h, rects):  # px, [n, 4] -> whether the rectangle overlaps any of rects
    return bool(np.any((x < rects[:, 0] + rects[:, 2]) & (rects[:, 0] < x + w)
                       & (y < rects[:, 1] + rects[:, 3]) & (rects[:, 1] < y + h)))


def _pills(placed, align, pal):  # [(string, x, y)] labels aligned at x -> background shapes
    out = []
    for text, x, y in placed:
        w = text_w(text, pal.small, True) + 10
        left = x - w / 2 if align == CENTER else x - w + 5
        out.append(Rect(left, y - pal.small * 0.75, w, pal.small * 1.5, rgba(pal.background, 0.92),
                        rgba(pal.hover), 1.5, 5))
    return out


def _token_headers(state, box, chips, pal):  # -> list of shapes
    """'queries' above the query chips; 'keys & values' above (columns) or below (rows) the key chips."""
    y_top = box.y + line_h(pal) / 2
    items = texts_at([("queries", box.x, y_top)], pal.small, rgba(pal.muted), LEFT, bold=True)
    if chips.orientation == "columns":
        return items + texts_at([("keys & values", box.x + box.w, y_top)], pal.small, rgba(pal.muted), RIGHT,
                              bold=True)
    y = box.y + box.h - line_h(pal) * (1.5 if state.overlay else 0.5)
    return items + texts_at([("keys & values", box.x, y)], pal.small, rgba(pal.muted), LEFT, bold=True)


def _legend(computed, state, box, stage, pal):  # -> list of shapes
    """How to read the beams, at the bottom right; with the overlay, a dashed sample per head."""
    y = box.y + box.h - line_h(pal) / 2
    if stage < 2 or state.veil:
        return []
    texts = (("grey lines: every allowed key is compared", "comparing keys") if stage == 2
             else ("beam width and opacity = attention weight", "width & opacity = weight"))
    text = first_fitting(texts, pal.small, box.w * 0.62)
    items = texts_at([(text, box.x + box.w, y - (line_h(pal) if state.overlay else 0))], pal.small,
                   rgba(pal.muted), RIGHT)
    if not state.overlay:
        return items
    heads = computed.trace.heads
    slot = box.w / heads
    names = [_legend_name(name, h, slot - 30, pal) for h, name in enumerate(computed.head_names)]
    for h in range(heads):
        x = box.x + h * slot
        items.append(Lines(np.array([[x, y, x + 20, y]]), rgba(head_color(pal, h)), 3.0, head_dash(pal, h)))
        items += texts_at([(names[h], x + 24, y)], pal.small, rgba(pal.ink))
    return items


def _legend_name(name, h, room, pal):  # -> the head's name, shortened to `room` px ("coref…"); its number if
    """too little of the name would be left to read."""
    text = fit_text(name, pal.small, room)
    return text if text == name or len(text) >= 4 else fit_text(str(h), pal.small, room)


# -- the stage view --------------------------------------------------------------

def _stage_view(computed, state, box, view, pal):  # -> (list of shapes, the Panel a click can hit)
    """The stage's panel on a background, with its title; cross-fading (and morphing) in transitions."""
    a, b, t = view.from_step, view.to_step, view.t
    shown = _shown(view)
    items = [remembered(computed, state, lambda picked: Layer(
        [Rect(box.x, box.y, box.w, box.h, rgba(pal.panel), None, 1.0, 10)]
        + _stage_title(computed, picked, box, shown, pal), still=True, bounds=box.inset(-BLEED)), "title", box, pal,
        shown)]
    body = box.inset(10).top(pal.title + 6)[1]  # _title_chrome(pal) px less than the box
    if a == b or {a, b} == {2, 3}:
        mix = (t if b == 3 else 1 - t) if a != b else float(b == 3)
        panel = stage_panel(b, computed, state, body, pal, mix)
        return items + panel_items(panel, 1.0, box.inset(-BLEED), pal), panel
    direction = 1 if b > a else -1
    old = stage_panel(a, computed, state, body, pal, float(a == 3))
    new = stage_panel(b, computed, state, body, pal, float(b == 3))
    bounds = box.inset(-BLEED)
    items += (_fade(panel_items(old, 1.0, bounds, pal), 1 - t, -direction * SLIDE * t)
              + _fade(panel_items(new, t, bounds, pal), t, direction * SLIDE * (1 - t)))
    if {a, b} == {3, 4} and state.veil != "weights":
        items += row_to_bars(computed, state, old if a == 3 else new, new if b == 4 else old,
                              t if b == 4 else 1 - t, pal)
    return items, new


def _stage_title(computed, state, box, stage, pal):  # -> list of shapes
    """'3  Scores   S = QKᵀ / √d_k' on the left; the head's colour sample and name on the right.

    The title comes first; the head's name shortens (or goes, with its sample) so that it never runs
    into the title, and the formula is shown only where it fits between the two."""
    x, y = box.x + 12, box.y + 10 + pal.title / 2 + 2
    title = f"{stage + 1}  {STAGES[Stage(stage)].title}"
    title_end = x + text_w(title, pal.title, True)
    right = box.x + box.w - 12
    name, numbered = computed.head_names[state.head], f"head {state.head}"
    candidates = (f"{numbered}: {name}", name) if name != numbered else (name,)
    if state.veil == "name":
        candidates = ("which head?",)
    room = min(right - title_end - 16 - 30, box.w * 0.4)  # 30: the colour sample before the name
    head = next((c for c in candidates if text_w(c, pal.small) <= room), None)
    items = texts_at([(title, x, y)], pal.title, rgba(pal.ink), bold=True)
    if head is None:
        return items
    head_w = text_w(head, pal.small)
    swatch = np.array([[right - head_w - 30, y, right - head_w - 8, y]])
    formula = canvas_formula(stage, state.knobs)
    if text_w(formula, pal.text) <= right - head_w - 30 - 16 - (title_end + 16):
        items += texts_at([(formula, title_end + 16, y)], pal.text, rgba(pal.muted))
    dash = head_dash(pal, state.head) if state.overlay else (0, 0)
    color = pal.muted if state.veil == "name" else head_color(pal, state.head)  # a colour would name the head
    return (items + [Lines(swatch, rgba(color), 4.0, dash)]
            + texts_at([(head, right, y)], pal.small, rgba(pal.ink), RIGHT))


def _fade(items, alpha, dx):  # list of shapes, float, px -> list of shapes
    """The same shapes, `alpha` times as opaque and moved dx px to the right."""
    return [Layer(items, alpha, dx)] if alpha > 0 else []

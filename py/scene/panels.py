"""The stage view's panels: what each of the five stages shows, as shapes in a Box.

Stage 0 input (X as a heatmap, the 2-D scatter), 1 projection (Q, K, V and the
arrows from X), 2-3 the n_q x n_k grid of scores blending into weights, 4 the
weighted sum (bars, a_ij v_j, the output, every head's concat). Panels are
remembered (`remembered`) while what they depend on stays, so animation frames
rebuild nothing; scene.layout places them, fades them and adds the title.
"""
from dataclasses import dataclass, replace
from functools import lru_cache
import math

import numpy as np

from attention import model
from attention.explain import output_terms
from canvas.api import CENTER, LEFT, MIDDLE, RIGHT
from scene.memo import Memo
from scene.colors import diverging, head_color, ink_for, rgba, sequential
from scene.numbers import CANVAS_DECIMALS, exact_text, number, percent
from scene.stages import STAGES, Stage, knobs_of
from scene.shapes import (Box, Dots, Grid, Layer, Lines, Rect, Texts, arrow_lines, cells_by_colour,
                          first_fitting, fit_text, outline_rect, text_w, texts_at)

GAP = 14  # px between the parts of a panel (and between the two views)
MAX_CELL_W, MAX_CELL_H = 112, 64  # px: a few tokens' cells fill a wide panel
COLUMN_LINES = 3  # at most this many staggered lines of column labels
MIN_SCATTER_H = 100  # px: a smaller scatter plot gives way to the matrix beside it
MIN_FLOW_H = 90  # px: the projection's X thumbnail and arrows, at least (cells of 6 px for 4 tokens), or none
HIDDEN_CAPTION = "predict first: the numbers show after your answer"


@dataclass(frozen=True, eq=False)
class Panel:
    """One stage's shapes, with the heatmap grid and weight bars a transition may need."""
    items: list
    grid: Grid | None = None
    bars: np.ndarray | None = None  # [n_k, 4] stage 4's weight bars at full length
    arrow: np.ndarray | None = None  # [2, 2] px: stage 4's arrow from the query's embedding to x + output
    heads: np.ndarray | None = None  # [heads, 4] px: the small multiples of every head (softmax, all heads shown)
    still: bool = True  # False when `items` are layers already (a blend of two still pictures)
    matrices: tuple = ()  # ((name, Grid), ...): the grids whose cells show a matrix, by the engine's name ("Q")


def line_h(pal):  # px: the height of one line of small text with its margin
    return pal.small + 8


def projectable(computed, state):
    """Whether the scatter plot is the toy model's map, on which an output vector can be placed too."""
    return computed.toy and state.scenario.embeddings is None


# What the canvas's remembered parts (stage panels, the matrix, the chips, the beams, the title) may read of
# the state: their builders get only these (scene.memo), and they are the key the parts are remembered by.
PANEL_INPUTS = Memo(("tokens", "key_tokens", "kind", "query", "head", "cell", "hover", "overlay", "beams", "veil",
                     "asked_cell"), {"projectable": projectable, "knobs": lambda _, state: knobs_of(state)},
                    size=64, name="PanelInputs")


def remembered(computed, state, build, *key):  # build(picked) -> shapes; -> them, or what it built last time
    """A part of the canvas, rebuilt only when what it reads (PANEL_INPUTS, `key`) changed."""
    return PANEL_INPUTS.get(computed, state, lambda _, picked, *__: build(picked), *key)


def row_h(pal):  # px: the least height of a matrix row that keeps its label and its number (_numbers)
    return pal.small + 2


def stage_need(computed, state, pal, width, row=None):  # -> px of panel height that every stage's rows need
    """The height of the tallest stage's panel (`width` px wide) with every row `row` px tall, by default at
    `row_h`, which labels each one: X (stage 0), Q K V (1), the scores and weights grid with its column labels
    (2-3, and the small multiples with every head at once), the bars with the output (4). A stacked layout
    gives the stage view this much before the token view takes the rest (scene.layout)."""
    n_q, n_k, line = len(state.tokens), len(state.key_tokens), line_h(pal)
    row = row or row_h(pal)
    caption = line + 4
    inputs = _column_band(state.tokens, computed.features, width, pal) + n_q * row + caption
    grid = _column_band(state.tokens, state.key_tokens, width, pal, extra_cols=1, upright=True) + n_q * row
    if state.overlay:
        grid += min(grid * 0.38 / 0.62, 150) + 8  # the small multiples' strip (_matrix_parts)
    sums = line + n_k * row + 8 + 2 * line + 6  # _sum_panel (every head's concat below it, where there is room)
    return max(inputs, line + max(n_q, n_k) * row, grid + caption, sums)


@lru_cache(maxsize=16)
def _column_band(row_labels, col_labels, width, pal, extra_cols=0, upright=False):  # tuples of str -> px
    """The height of the column labels of a grid `width` px wide, as _grid_in sets them."""
    label_w = min(max(text_w(s, pal.small, True) for s in row_labels) + 8, width * 0.28)
    cw = min((width - label_w) / (len(col_labels) + extra_cols), MAX_CELL_W)
    return _column_label_plan(col_labels, cw, pal, upright).height


def stage_panel(stage, computed, state, box, pal, mix):  # -> Panel
    """Stage `stage`'s shapes in `box` (`mix` blends scores into weights), remembered for the next frames."""
    if stage in (2, 3):
        return _matrix_panel(computed, state, box, pal, mix)
    return remembered(computed, state, lambda picked: _build_panel(stage, computed, picked, box, pal), stage, box, pal)


def _build_panel(stage, computed, state, box, pal):  # -> Panel
    if stage == 0:
        return _input_panel(computed, state, box, pal)
    if stage == 1:
        return _project_panel(computed, state, box, pal)
    return _sum_panel(computed, state, box, pal)


def panel_items(panel, arrival, bounds, pal):  # -> the panel's shapes, with its output arrow grown to `arrival` (0..1)
    """`bounds`: the stage view's Box, which the panel's still layers never leave."""
    if panel.still:
        items = [Layer(panel.items, still=True, bounds=bounds)]
    else:
        items = [replace(layer, bounds=bounds) for layer in panel.items]
    if panel.arrow is None:
        return items
    start, end = panel.arrow
    tip = start + (end - start) * arrival
    return items + [Lines(arrow_lines(start, tip), rgba(pal.accent), 2.5), Dots(tip[None, :], 9.0, rgba(pal.accent))]


# -- matrices -----------------------------------------------------------------------

def _grid_in(box, n_rows, n_cols, row_labels, col_labels, pal, extra_cols=0, selected_row=None, label_share=0.28,
             upright=False):
    """A grid of cells in `box` after its row labels (left) and column labels (top, `upright` where staggered
    lines cannot hold them all); -> Grid, label shapes."""
    label_w = 0.0
    if row_labels is not None:
        label_w = min(max(text_w(s, pal.small, True) for s in row_labels) + 8, box.w * label_share)
    cw = min((box.w - label_w) / (n_cols + extra_cols), MAX_CELL_W)
    plan = _column_label_plan(col_labels, cw, pal, upright) if col_labels is not None else None
    col_h = plan.height if plan else 0.0
    ch = max(min((box.h - col_h) / n_rows, MAX_CELL_H), 1.0)
    grid = Grid(box.x + label_w, box.y + col_h, cw, ch, n_rows, n_cols)
    items = []
    if row_labels is not None:
        items += _row_labels(grid, row_labels, label_w, pal, selected_row)
    if col_labels is not None:
        items += _column_labels(grid, col_labels, plan, box.x + box.w, pal)
    return grid, items


@dataclass(frozen=True)
class ColumnPlan:
    """How a heatmap's column labels are set above it: in 1 to 3 staggered lines, or upright (turned to read
    upwards, one per column); every `step`-th column labelled."""
    lines: int
    step: int
    upright: bool
    height: float  # px the labels take above the grid


def _column_label_plan(labels, cw, pal, upright=False):  # -> ColumnPlan
    """One line when every label fits its column; else two or three staggered lines; else (if `upright`), where
    columns are as wide as a line of text, upright labels, so that every column keeps its token; else
    staggered lines thinned out."""
    widest = max(text_w(_short(s), pal.small) for s in labels) + 4
    lines = min(COLUMN_LINES, math.ceil(widest / cw))
    step = max(1, math.ceil(widest / (lines * cw)))
    if upright and step > 1 and cw >= pal.small + 2:
        return ColumnPlan(1, 1, True, widest + 2)
    return ColumnPlan(lines, step, False, lines * (pal.small + 4))


def _short(s):  # column labels: at most 9 characters
    return s if len(s) <= 9 else s[:8] + "…"


def _column_labels(grid, labels, plan, right, pal):  # -> list of shapes
    """Centred over their columns, moved left where they would run past x = `right`, and left out where
    that would put them over the previous label of their line; upright ones rise from just above the grid."""
    if plan.upright:
        entries = [(_short(s), grid.x + (j + 0.5) * grid.cw, grid.y - 4) for j, s in enumerate(labels)]
        return texts_at(entries, pal.small, rgba(pal.muted), LEFT, upright=True)
    lines, step, line_h = plan.lines, plan.step, pal.small + 4
    top = grid.y - lines * line_h
    entries, ends = [], {}  # ends: line -> right end of its last label
    for j in range(0, grid.n_cols, step):
        text, line = _short(labels[j]), (j // step) % lines
        half = text_w(text, pal.small) / 2
        x = min(grid.x + (j + 0.5) * grid.cw, right - half)
        if x - half >= ends.get(line, -math.inf):
            entries.append((text, x, top + line_h * (line + 0.5)))
            ends[line] = x + half
    return texts_at(entries, pal.small, rgba(pal.muted), CENTER)


def row_label_size(ch, pal):  # px: the row labels' text, smaller (down to pal.least) where that labels every row
    """Rows `ch` px tall hold labels of ch - 1 px; where not even pal.least fits, the labels keep pal.small
    and only every k-th row has one (fewer, larger labels)."""
    return int(min(pal.small, ch - 1)) if ch >= pal.least + 1 else pal.small


def _row_labels(grid, labels, width, pal, selected):  # -> list of shapes
    """Every row's label, in smaller text where rows are dense; where even the least size does not fit,
    every k-th row's, so that labels never overlap; the selected row's always, in bold. A label taller than
    its row stays beside the grid (none reaches the caption below it)."""
    size = row_label_size(grid.ch, pal)
    step = max(1, math.ceil((size + 1) / grid.ch))
    middle = grid.y + grid.n_rows * grid.ch / 2  # where labels go that are taller than the whole grid
    top, bottom = min(grid.y + size / 2, middle), max(grid.y + grid.n_rows * grid.ch - size / 2, middle)

    def y_of(i):
        return min(max(grid.y + (i + 0.5) * grid.ch, top), bottom)

    taken = [] if selected is None else [y_of(selected)]
    plain = []
    for i in range(0, grid.n_rows, step):
        if all(abs(y_of(i) - y) >= size + 1 for y in taken[:1] + taken[-1:]):
            taken.append(y_of(i))
            plain.append((fit_text(labels[i], size, width - 8), grid.x - 6, y_of(i)))
    items = texts_at(plain, size, rgba(pal.muted), RIGHT)
    if selected is not None:
        items += texts_at([(fit_text(labels[selected], size, width - 8, True), grid.x - 6, y_of(selected))],
                          size, rgba(pal.ink), RIGHT, bold=True)
    return items


def _number_size(grid, strings, pal, grow=False):  # -> px: the text size a grid's numbers are written in
    """Larger text when the cells are tall and every number fits it (with `grow`, for a grid that stands
    alone, the title's size when they are taller still); else the small size."""
    sizes = ((pal.title, 48), (pal.text, 30)) if grow else ((pal.text, 30),)  # (size, least cell height)
    return next((size for size, least_h in sizes if grid.ch >= least_h and _all_fit(strings, size, grid.cw)),
                pal.small)


def _numbers(grid, values, colors, pal, special=None, grow=False, size=None):  # [r, c], [r, c, 4], str [r, c] | None
    """Each cell's number, in dark or light ink to suit its colour, where it fits its cell at a precision it has.

    All at CANVAS_DECIMALS decimals when they all fit (at `size`, else at `_number_size`); else each as
    short as it is exact (2 -> "2", 1.5 -> "1.5", 0.766 -> "0.77", never "1"), and left out where that does
    not fit: its colour and the HTML table still give it.
    """
    if grid.ch < pal.small + 2:
        return []
    strings = _cell_strings(values, special, number)
    size = size or _number_size(grid, strings, pal, grow)
    if not _all_fit(strings, size, grid.cw):
        strings = _cell_strings(values, special, exact_text)
        fitting = {s for s in set(strings) if _fits(s, size, grid.cw)}
        strings = [s if s in fitting else "" for s in strings]
    ink = ink_for(colors.reshape(-1, 4), pal)
    dark = ink[:, 0] < 128
    shown = np.array([bool(s) for s in strings], dtype=bool)
    centers = grid.centers()
    out = []
    for group in (dark & shown, ~dark & shown):
        idx = np.flatnonzero(group)
        if len(idx):
            out.append(Texts(tuple(strings[i] for i in idx), centers[idx], size,
                             tuple(ink[idx[0]]), CENTER, MIDDLE))
    return out


def _cell_strings(values, special, write):  # [r, c], str [r, c] | None, number -> str -> [r * c] strings
    """Each value written by `write` at the canvas's precision; a special string ("−∞") where there is one."""
    strings = [write(v, CANVAS_DECIMALS) for v in values.ravel().tolist()]
    if special is None:
        return strings
    return [sp or s for s, sp in zip(strings, special.ravel().tolist())]


def _fits(text, size, cell_w):  # -> whether `text` fits a cell `cell_w` px wide with its margins
    return text_w(text, size) + 6 <= cell_w


def _all_fit(strings, size, cell_w):
    return _fits(max(strings, key=len), size, cell_w) if strings else True


def _separators(grid, pal):  # -> [Lines] hairlines between cells, in the panel's colour, when cells are large
    if min(grid.cw, grid.ch) < 8:
        return []
    w, h = grid.cw * grid.n_cols, grid.ch * grid.n_rows
    xs = grid.x + np.arange(1, grid.n_cols) * grid.cw
    ys = grid.y + np.arange(1, grid.n_rows) * grid.ch
    xy = np.concatenate([np.column_stack([xs, np.full(xs.shape, grid.y), xs, np.full(xs.shape, grid.y + h)]),
                         np.column_stack([np.full(ys.shape, grid.x), ys, np.full(ys.shape, grid.x + w), ys])])
    return [Lines(xy, rgba(pal.panel), 1.0)]


def _limit(*arrays):  # -> the largest |value| (1.0 if all are 0), the colour scale of a signed matrix
    m = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    return m if m > 0 else 1.0


def _signed_matrix(box, values, limit, row_labels, col_labels, pal, selected_row=None, label_share=0.28,
                   number_size=None):
    """A matrix of signed numbers as a diverging heatmap (±limit full strength); -> shapes, Grid.
    Its numbers are written at `number_size`, else in the largest size they all fit (`_number_size`)."""
    grid, items = _grid_in(box, *values.shape, row_labels, col_labels, pal, selected_row=selected_row,
                           label_share=label_share)
    colors = diverging(values, limit, pal)
    items += [cells_by_colour(grid.rects(), colors.reshape(-1, 4)), *_separators(grid, pal)]
    items += _numbers(grid, values, colors, pal, size=number_size)
    if selected_row is not None:
        x, y, _, h = grid.cell(selected_row, 0)
        items.append(outline_rect((x - 1, y - 1, grid.cw * grid.n_cols + 1, h + 1), rgba(pal.accent), 2.0))
    return items, grid


def _caption(text, x, y, pal, h=LEFT):
    return texts_at([(text, x, y)], pal.text, rgba(pal.muted), h)


# -- stage 0: input ---------------------------------------------------------------

def _input_panel(computed, state, box, pal):  # -> Panel
    """X as a heatmap (feature names as column labels) and the tokens on the 2-D scatter plot."""
    x = computed.x
    need = _column_band(state.tokens, computed.features, box.w, pal) + len(x) * row_h(pal) + line_h(pal) + 4  # caption
    matrix_box, scatter_box = _split_for_scatter(box, 0.6, need)
    heat, cap = matrix_box.bottom(line_h(pal), 4)[1], matrix_box.bottom(line_h(pal))[0]
    items, grid = _signed_matrix(heat, x, _limit(x), state.tokens, computed.features, pal, state.query)
    hover = state.hover if state.hover and state.hover[0] == "input" else None
    if hover is not None and hover[1] < grid.n_rows and hover[2] < grid.n_cols:
        items.append(outline_rect(grid.cell(*hover[1:]), rgba(pal.hover), 1.5))
        caption = input_readout(computed, state.tokens, *hover[1:])
    else:
        caption = f"X: {x.shape[0]} tokens × d_model = {x.shape[1]}"
    items += _caption(fit_text(caption, pal.text, cap.w), cap.x, cap.y + cap.h / 2, pal)
    if scatter_box is not None:
        items += _scatter(scatter_box, computed.xy, state.tokens, state.query, None, pal,
                          ("embedding map" if state.projectable else computed.plane,))[0]
    return Panel(items, matrices=(("X", grid),))


def input_readout(computed, tokens, i, c):  # -> "'cat', feature 'animal': 0.900" | "'cat', dimension 17 of 384: 0.532"
    """What the pointer is over in the Input stage's X: whose input (a repeated token with its place, numbered
    as the query menu numbers it), which number of it, its value."""
    token = f"'{tokens[i]}'" if tokens.count(tokens[i]) == 1 else f"'{tokens[i]}' (token {i})"
    where = f"feature '{computed.features[c]}'" if computed.toy else f"dimension {c} of {computed.x.shape[1]}"
    return f"{token}, {where}: {number(computed.x[i, c])}"


def _split_for_scatter(box, share, need=0.0):  # -> (matrix Box, scatter Box | None)
    """Side by side when the box is wide, stacked when tall, no scatter when there is no room: the matrix
    keeps the `need` px its rows need, the scatter takes what is left if that is at least MIN_SCATTER_H."""
    if box.w >= 1.3 * box.h and box.w >= 420:
        return box.left(box.w * share, GAP)
    main = max(box.h * share, need)
    if box.h >= 220 and box.h - main - GAP >= MIN_SCATTER_H:
        return box.top(main, GAP)
    return box, None


def _scatter(box, xy, labels, selected, arrow_to, pal, captions):  # [n, 2], ..., [2] | None -> shapes, [2, 2] | None
    """Points with their tokens, scaled to leave room for `arrow_to`, and the first of `captions` that fits;
    -> shapes, the arrow's ends in px."""
    cap, plot = box.bottom(line_h(pal), 2)
    items = [Rect(plot.x, plot.y, plot.w, plot.h, rgba(pal.background), rgba(pal.grid), 1.0, 6)]
    points = xy if arrow_to is None else np.vstack([xy, arrow_to])
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    label_room = min(max(text_w(s, pal.small) for s in labels) + 10, plot.w * 0.35)
    inner = Box(plot.x + 12, plot.y + 12, plot.w - 24 - label_room, plot.h - 24)
    px = np.column_stack([inner.x + (points[:, 0] - lo[0]) / span[0] * inner.w,
                          inner.y + inner.h - (points[:, 1] - lo[1]) / span[1] * inner.h])
    n = len(labels)
    others = np.arange(n) != selected
    items.append(Dots(px[:n][others], 8.0, rgba(pal.muted)))
    items.append(Dots(px[selected:selected + 1], 11.0, rgba(pal.accent)))
    items += _point_labels(px[:n], labels, selected, plot, pal)
    arrow = None if arrow_to is None else px[[selected, n]]
    return items + _caption(first_fitting(captions, pal.text, cap.w), cap.x, cap.y + cap.h / 2, pal), arrow


def _point_labels(px, labels, selected, plot, pal):  # [n, 2] px, ... -> Texts that never overlap
    """Each point's token to the right of its dot, else to the left, else left out; the selected token first
    and in bold. Points on top of each other share one label ("lions, zebras, cats"), so that their words
    are not printed over each other."""
    points = px.tolist()  # plain floats: this runs once per panel, for every pair of points
    groups = []  # [first point, words]: points within 6 px of a group's first point join it
    for i in [selected] + [i for i in range(len(labels)) if i != selected]:
        x, y = points[i]
        near = next((g for g in groups if g[0] != selected
                     and math.hypot(x - points[g[0]][0], y - points[g[0]][1]) < 6), None)
        if near is not None and i != selected:
            near[1].append(_short(labels[i]))
        else:
            groups.append((i, [_short(labels[i])]))
    half_h = (pal.small + 2) / 2
    taken = []  # (left, top, right, bottom) of the labels placed so far
    placed = {LEFT: [], RIGHT: []}
    for i, words in groups:
        text, (x, y) = fit_text(", ".join(dict.fromkeys(words)), pal.small, plot.w * 0.45), points[i]
        w, gap = text_w(text, pal.small, i == selected), 7 + (i == selected)
        for align, left in ((LEFT, x + gap), (RIGHT, x - gap - w)):
            rect = (left, y - half_h, left + w, y + half_h)
            inside = plot.x <= rect[0] and rect[2] <= plot.x + plot.w
            if inside and all(rect[2] <= r[0] or r[2] <= rect[0] or rect[3] <= r[1] or r[3] <= rect[1] for r in taken):
                taken.append(rect)
                placed[align].append((i, (text, x + gap if align == LEFT else x - gap, y)))
                break
    shapes = []
    for align, entries in placed.items():
        chosen = [entry for i, entry in entries if i == selected]
        shapes += texts_at(chosen, pal.small, rgba(pal.ink), align, bold=True)
        shapes += texts_at([entry for i, entry in entries if i != selected], pal.small, rgba(pal.muted), align)
    return shapes


# -- stage 1: project ----------------------------------------------------------------

def _project_panel(computed, state, box, pal):  # -> Panel
    """Q, K and V of the current head side by side, one colour scale, the query's row outlined in Q;
    below them, where they come from: X (and C for cross-attention) times W_Q, W_K, W_V."""
    trace = computed.trace
    q, k, v = trace.q[state.head], trace.k[state.head], trace.v[state.head]
    limit = _limit(q, k, v)
    cap_h = line_h(pal)
    rows = max(len(state.tokens), len(state.key_tokens))
    flow_h = min(max(box.h * 0.4, MIN_FLOW_H), 140.0, box.h - rows * row_h(pal) - cap_h - 6)  # what the rows leave
    flow_h = flow_h if flow_h >= MIN_FLOW_H else 0.0
    top = box.top(box.h - flow_h, 6)[0] if flow_h else box
    label_w = min(max(text_w(t, pal.small, True) for t in (*state.tokens, *state.key_tokens)) + 8,
                  box.w * 0.18)
    cw = min((box.w - 2 * label_w - 2 * GAP) / (q.shape[1] + k.shape[1] + v.shape[1]), MAX_CELL_W)
    boxes, x = [], box.x
    for width in (label_w + cw * q.shape[1], label_w + cw * k.shape[1], cw * v.shape[1]):
        boxes.append(Box(x, top.y + cap_h, width, top.h - cap_h))
        x += width + GAP
    items, grids = [], []
    captions = STAGES[Stage.PROJECT].canvas(state.knobs)  # "Q = X·W_Q", "K = C·W_K", "V = C·W_V"
    specs = ((q, state.tokens, state.query), (k, state.key_tokens, None), (v, None, None))
    ends = [b.x - 6 for b in boxes[1:]] + [box.x + box.w]  # a caption ends before the next matrix or the panel's edge

    def matrices(number_size=None):  # -> [(shapes, Grid)] for Q, K and V
        return [_signed_matrix(b, values, limit, labels, None, pal, selected, label_share=0.6,
                               number_size=number_size) for b, (values, labels, selected) in zip(boxes, specs)]
    made = matrices()
    sizes = {_number_size(grid, _cell_strings(values, None, number), pal) for (_, grid), (values, _, _) in
             zip(made, specs)}
    if len(sizes) > 1:  # one picture, one size: the largest that all three fit
        made = matrices(min(sizes))
    for b, (shapes, grid), caption, end in zip(boxes, made, captions, ends):
        caption = caption if grid.x + text_w(caption, pal.text, True) <= end else caption[0]  # "Q = X·W_Q" or "Q"
        items += shapes + texts_at([(caption, grid.x, top.y + cap_h / 2)], pal.text, rgba(pal.ink), bold=True)
        grids.append(grid)
    if flow_h:
        items += _projection_flow(computed, state, Box(box.x, box.y + box.h - flow_h, box.w, flow_h), grids, pal)
    return Panel(items, matrices=tuple(zip("QKV", grids)))


def _projection_flow(computed, state, box, grids, pal):  # -> shapes: X (and C) with arrows up to Q, K, V
    """Thumbnails of the inputs, each with arrows labelled W_Q / W_K / W_V (and their shapes) to what they make."""
    trace = computed.trace
    d_model, d_k, d_v = computed.x.shape[1], trace.d_k, trace.d_v
    sources = [("X", computed.x, (0, 1, 2))]
    if state.kind == "cross":
        sources = [("X", computed.x, (0,)), ("C", computed.context_x, (1, 2))]
    label_h = pal.small + 6
    items, taken = [], []  # taken: (left, top, right, bottom) of the arrow labels placed so far
    for n, (name, values, targets) in enumerate(sources):
        slot = Box(box.x + box.w * n / len(sources), box.y, box.w / len(sources), box.h)
        cell = max(min(slot.w * 0.3 / values.shape[1], (slot.h - 2 * label_h - 30) / values.shape[0]), 1.0)
        w, h = cell * values.shape[1], cell * values.shape[0]
        x, y = slot.x + (slot.w - w) / 2, slot.y + slot.h - h - label_h
        thumb = Grid(x, y, cell, cell, *values.shape)
        items.append(cells_by_colour(thumb.rects(), diverging(values, _limit(values), pal).reshape(-1, 4)))
        items += texts_at([(f"{name}  ({values.shape[0]} × {d_model})", x + w / 2, y + h + label_h / 2)],
                        pal.small, rgba(pal.ink), CENTER, bold=True)
        for target in targets:
            g = grids[target]
            end = np.array([g.x + g.cw * g.n_cols / 2, g.y + g.ch * g.n_rows + 4])
            start = np.array([x + w * (0.2 + 0.3 * (target - targets[0])) if len(targets) > 1 else x + w / 2, y - 2])
            items.append(Lines(arrow_lines(start, end), rgba(pal.muted), 1.5))
            matrix = ("W_Q", "W_K", "W_V")[target]
            cols = (d_k, d_k, d_v)[target]
            placed = _arrow_label((f"× {matrix} ({d_model} × {cols})", f"× {matrix}"), start, end, box, taken, pal)
            items += texts_at(placed, pal.small, rgba(pal.muted))
    return items


def _arrow_label(candidates, start, end, box, taken, pal):  # -> [(text, x, y)] or [] when nothing has room
    """The first candidate that, beside the arrow (at its middle, else nearer one end; right of it, else left)
    and inside the panel, overlaps no label in `taken`."""
    for text in candidates:
        w = text_w(text, pal.small)
        for at in (0.5, 0.15, 0.85):
            x, y = (start + (end - start) * at).tolist()
            for left in (min(x + 6, box.x + box.w - w), max(x - 6 - w, box.x)):
                rect = (left, y - pal.small / 2, left + w, y + pal.small / 2)
                if all(rect[2] <= r[0] or r[2] <= rect[0] or rect[3] <= r[1] or r[3] <= rect[1] for r in taken):
                    taken.append(rect)
                    return [(text, left, y)]
    return []


# -- stages 2 and 3: scores and weights ------------------------------------------------

def _matrix_panel(computed, state, box, pal, mix):  # -> Panel
    """The n_q x n_k grid: scaled scores (mix 0, diverging) blending into weights (mix 1, sequential).

    Each colouring is a still layer; the blend draws the weights' layer at opacity `mix` over
    the scores' one, which is exactly the mixed colour because the cells are opaque. Numbers
    fade out (scores) and in (weights) around mix = 0.5, when the small multiples appear.
    """
    parts = remembered(computed, state, lambda picked: _matrix_parts(computed, picked, box, pal, mix),
                       "matrix", box, pal, mix >= 0.5)
    layers = [(parts.under, 1.0), (parts.score_cells, 1.0 if mix < 1 else 0.0), (parts.weight_cells, mix),
              (parts.over, 1.0)]
    layers += [(parts.score_numbers, 1 - 2 * mix)] if mix < 0.5 else [(parts.weight_numbers, 2 * mix - 1)]
    layers += [(parts.marks, 1.0)]
    items = [Layer(shapes, alpha, still=True) for shapes, alpha in layers if shapes and alpha > 0]
    shown = "A" if mix >= 0.5 else "S"  # the numbers drawn: weights, or scaled scores
    return Panel(items, parts.grid, heads=parts.heads, still=False, matrices=((shown, parts.grid),))


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
    trace = computed.trace
    scores, weights, allowed = trace.scaled[state.head], trace.weights[state.head], trace.allowed
    heat, cap = box.bottom(line_h(pal), 4)[1], box.bottom(line_h(pal))[0]
    multiples, head_rects = [], None
    if state.overlay and mix >= 0.5 and trace.heads > 1:
        strip, heat = heat.bottom(min(heat.h * 0.38, 150), 8)
        multiples, head_rects = _small_multiples(computed, state, strip, pal)
    grid, under = _grid_in(heat, *scores.shape, state.tokens, state.key_tokens, pal, extra_cols=1,
                           selected_row=state.query, upright=True)
    sums = _sums_fit(grid, pal)
    if not sums:  # no room for the row sums: their column goes, the keys' columns get its width
        grid, under = _grid_in(heat, *scores.shape, state.tokens, state.key_tokens, pal, selected_row=state.query,
                               upright=True)
    if not allowed.all():
        under.append(_hatch(grid, pal))
    score_colors, weight_colors = diverging(scores, _limit(scores[allowed]), pal), sequential(weights, pal)
    score_colors[~allowed] = weight_colors[~allowed] = rgba(pal.background, 0.0)
    caption = (f"row '{state.tokens[state.query]}': entropy {number(computed.entropy[state.head, state.query], 2)} bits"
               if mix >= 0.5 else _scores_caption(trace, allowed))
    hidden = state.veil
    if hidden is not None:
        multiples = []  # every head's name
    if hidden == "weights":  # greyed cells, no numbers: predict mode before the reveal
        score_colors[allowed] = weight_colors[allowed] = rgba(pal.grid)
        return MatrixParts(
            grid, None, under, [cells_by_colour(grid.rects(), score_colors.reshape(-1, 4))],
            [cells_by_colour(grid.rects(), weight_colors.reshape(-1, 4))], _separators(grid, pal), [], [],
            _grid_marks(grid, state, pal) + _caption(fit_text(HIDDEN_CAPTION, pal.text, cap.w), cap.x,
                                                     cap.y + cap.h / 2, pal))
    return MatrixParts(
        grid, head_rects, under,
        [cells_by_colour(grid.rects(), score_colors.reshape(-1, 4))], [cells_by_colour(grid.rects(), weight_colors.reshape(-1, 4))],
        _separators(grid, pal),
        _numbers(grid, scores, score_colors, pal, special=np.where(allowed, "", "−∞"), grow=True),
        _numbers(grid, weights, weight_colors, pal, grow=True)
        + (_row_sums(grid, weights, state.key_tokens, pal) if sums else []),
        _grid_marks(grid, state, pal) + _caption(fit_text(caption, pal.text, cap.w), cap.x, cap.y + cap.h / 2, pal)
        + multiples)


def _small_multiples(computed, state, box, pal):  # -> (shapes, [heads, 4] rects)
    """Every head's weights as a small heatmap with its name, side by side; the selected head outlined."""
    weights, heads = computed.trace.weights, computed.trace.heads
    n_q, n_k = weights.shape[1:]
    gap = 10.0
    width = (box.w - gap * (heads - 1)) / heads
    label = pal.small + 4
    cell = max(min(width / n_k, (box.h - label) / n_q), 1.0)
    xs = [box.x + h * (width + gap) + (width - cell * n_k) / 2 for h in range(heads)]
    cells = np.concatenate([Grid(x, box.y + label, cell, cell, n_q, n_k).rects() for x in xs])
    names = [(fit_text(computed.head_names[h], pal.small, width), x + cell * n_k / 2, box.y + label / 2)
             for h, x in enumerate(xs)]
    rects = np.array([(x - 2, box.y, cell * n_k + 4, label + cell * n_q + 2) for x in xs], dtype=np.float64)
    items = [cells_by_colour(cells, sequential(weights, pal).reshape(-1, 4)),  # every head's cells at once
             *texts_at(names, pal.small, rgba(pal.ink), CENTER),
             outline_rect(tuple(rects[state.head]), rgba(pal.accent), 2.0)]
    return items, rects


def _scores_caption(trace, allowed):
    scale = f"divided by √d_k = {number(trace.scale_factor, 2)}" if trace.scale else "not scaled"
    return f"scores {scale}" + ("; masked: −∞" if not allowed.all() else "")


def _hatch(grid, pal):  # -> Lines: diagonal stripes over the grid, seen where masked cells leave gaps
    w, h = grid.cw * grid.n_cols, grid.ch * grid.n_rows
    start = np.arange(-h, w, 7.0)
    xy = np.column_stack([grid.x + start, np.full(start.shape, grid.y + h), grid.x + start + h,
                          np.full(start.shape, grid.y)])
    return Lines(xy, rgba(pal.hatch), 1.0, (0, 0), (grid.x, grid.y, w, h))


def _sums_fit(grid, pal):  # -> whether each row's sum ("1.00") fits a cell of the grid
    return grid.ch >= pal.small + 2 and text_w("1.00", pal.small) + 4 <= grid.cw


def _row_sums(grid, weights, col_labels, pal):  # -> shapes: a "Σ" column after the last key
    """Each row's sum under a "Σ" heading, which sits on the other line than the last key's staggered label."""
    x = grid.x + (grid.n_cols + 0.5) * grid.cw
    plan = _column_label_plan(col_labels, grid.cw, pal, upright=True)
    line = ((grid.n_cols - 1) // plan.step + 1) % plan.lines  # the line a next label would take: farthest from the last
    y = grid.y - (plan.lines - line - 0.5) * (pal.small + 4)
    items = texts_at([("Σ", x, y)], pal.small, rgba(pal.ink), CENTER, bold=True)
    sums = weights.sum(axis=1)
    entries = [(number(v, 2), x, grid.y + (i + 0.5) * grid.ch) for i, v in enumerate(sums.tolist())]
    return items + texts_at(entries, pal.small, rgba(pal.muted), CENTER)


def _grid_marks(grid, state, pal):  # -> outlines: the query's row, the open cell, the hovered cell
    x, y, _, h = grid.cell(state.query, 0)
    items = [outline_rect((x - 1, y - 1, grid.cw * grid.n_cols + 1, h + 1), rgba(pal.accent), 2.0)]
    if state.hover and state.hover[0] == "cell" and state.hover[1] < grid.n_rows and state.hover[2] < grid.n_cols:
        items.append(outline_rect(grid.cell(*state.hover[1:]), rgba(pal.hover), 1.5))
    asked = state.asked_cell  # "score by hand": the cell to compute
    cell = asked or state.cell
    if cell is not None and cell[0] < grid.n_rows and cell[1] < grid.n_cols:
        cx, cy, cw, ch = grid.cell(*cell)
        items.append(outline_rect((cx - 2, cy - 2, cw + 3, ch + 3), rgba(pal.ink), 2.5, 4.0))
    return items


# -- stage 4: weighted sum --------------------------------------------------------------

def _sum_panel(computed, state, box, pal):  # -> Panel
    """The query's weight per key as bars, a_ij v_j as small glyphs, the head output; the scatter arrow."""
    if state.veil == "weights":
        return _hidden_sum_panel(state, box, pal)
    trace = computed.trace
    has_map = state.projectable
    weights = trace.weights[state.head, state.query]  # [n_k]
    need = line_h(pal) * 3 + len(weights) * row_h(pal) + 14 + (2 * line_h(pal) + 20) * (trace.heads > 1)
    main, scatter_box = _split_for_scatter(box, 0.62, need) if has_map else (box, None)
    terms = output_terms(trace, state.head, state.query)  # [n_k, d_v]
    out = trace.head_outputs[state.head, state.query]  # [d_v]
    header, rows_box = main.top(line_h(pal))
    foot_h = 2 * line_h(pal) + 6
    label_w = min(max(text_w(t, pal.small, True) for t in state.key_tokens) + 14, main.w * 0.22)
    pct_w = text_w("100.0%", pal.small) + 8
    rest = main.w - label_w - pct_w - GAP
    bar_w, glyph_w = rest * 0.5, rest * 0.5
    n_k = len(weights)
    pitch = min((rows_box.h - foot_h - 8) / n_k, 30.0)
    foot = Box(main.x, rows_box.y + n_k * pitch + 8, main.w, foot_h)
    bar_x, glyph_x = main.x + label_w, main.x + label_w + bar_w + pct_w + GAP
    top = rows_box.y + np.arange(n_k) * pitch
    bars = np.column_stack([np.full(n_k, bar_x), top + pitch * 0.18, bar_w * weights, np.full(n_k, pitch * 0.64)])
    headings = (first_fitting(("weight a_ij", "a_ij"), pal.small * 1.06, bar_w + pct_w - 4),  # 1.06: bold is wider
                first_fitting(("a_ij · v_j", "a·v"), pal.small * 1.06, glyph_w))
    items = texts_at([(headings[0], bar_x, header.y + header.h / 2), (headings[1], glyph_x, header.y + header.h / 2)],
                     pal.small, rgba(pal.muted), bold=True)
    items.append(cells_by_colour(np.column_stack([np.full(n_k, bar_x), top + pitch * 0.18, np.full(n_k, bar_w),
                                         np.full(n_k, pitch * 0.64)]), rgba(pal.background), 3))
    bar_color = pal.muted if state.veil == "name" else head_color(pal, state.head)  # "which head": no telltale colour
    items.append(cells_by_colour(bars, rgba(bar_color), 3))
    items += _bar_labels(state.key_tokens, weights, top, pitch, main.x + label_w - 6, label_w - 8,
                         bar_x + bar_w + 4, pal)
    limit = _limit(terms, out)
    items += _glyphs(terms, glyph_x, top, glyph_w, pitch, limit, pal)
    items += _output_row(out, foot, glyph_x, glyph_w, limit, pal, state)
    below = foot.y + foot.h + 10
    items += _multihead_strip(computed, state, Box(main.x, below, main.w, main.y + main.h - below), pal)
    if scatter_box is None:
        return Panel(items, bars=bars)
    end = computed.xy[state.query] + model.project_xy(trace.output[state.query:state.query + 1])[0]
    shapes, arrow = _scatter(scatter_box, computed.xy, state.tokens, state.query, end, pal,
                             ("x + attention output (all heads)", "x + attention output", "x + output"))
    return Panel(items + shapes, bars=bars, arrow=arrow)


def _hidden_sum_panel(state, box, pal):  # -> Panel: the keys with empty grey tracks, before the reveal
    """Predict mode before the reveal: every key's row is there, its bar, share, a_ij v_j and the output are not."""
    header, rows_box = box.top(line_h(pal))
    label_w = min(max(text_w(t, pal.small, True) for t in state.key_tokens) + 14, box.w * 0.22)
    n_k = len(state.key_tokens)
    pitch = min((rows_box.h - line_h(pal) - 8) / n_k, 30.0)
    top = rows_box.y + np.arange(n_k) * pitch
    x, w = box.x + label_w, box.w - label_w
    tracks = np.column_stack([np.full(n_k, x), top + pitch * 0.18, np.full(n_k, w), np.full(n_k, pitch * 0.64)])
    step = max(1, math.ceil((pal.small + 1) / pitch))
    labels = [(fit_text(state.key_tokens[j], pal.small, label_w - 8), x - 6, top[j] + pitch / 2)
              for j in range(0, n_k, step)]
    items = texts_at([(first_fitting(("weight a_ij and a_ij · v_j", "a_ij"), pal.small * 1.06, w), x,
                       header.y + header.h / 2)], pal.small, rgba(pal.muted), bold=True)
    items += [cells_by_colour(tracks, rgba(pal.grid), 3)] + texts_at(labels, pal.small, rgba(pal.ink), RIGHT)
    y = rows_box.y + n_k * pitch + 8 + line_h(pal) / 2
    return Panel(items + _caption(fit_text(HIDDEN_CAPTION, pal.text, box.w), box.x, y, pal))


def _multihead_strip(computed, state, box, pal):  # -> shapes (none when one head or no room)
    """concat(o_1 … o_h) · W_O = output for the query: every head's output side by side, then the projection."""
    trace, i = computed.trace, state.query
    line = line_h(pal)
    if trace.heads < 2 or box.h < 2 * line + 10:
        return []
    concat, output = trace.concat[i], trace.output[i]
    arrow = "× W_O →"
    arrow_w = text_w(arrow, pal.small) + 16
    cell = min(14.0, (box.w - arrow_w) / (len(concat) + len(output) + 1), box.h - 2 * line)
    y = box.y + line
    limit = _limit(concat, output)
    concat_grid = Grid(box.x, y, cell, cell, 1, len(concat))
    out_x = box.x + cell * len(concat) + arrow_w
    out_grid = Grid(out_x, y, cell, cell, 1, len(output))
    d_v = trace.d_v
    underline = np.array([[box.x + h * d_v * cell + 1, y + cell + 3, box.x + (h + 1) * d_v * cell - 1, y + cell + 3]
                          for h in range(trace.heads)])
    items = texts_at([(fit_text(f"all {trace.heads} heads for '{state.tokens[i]}': concat(o_1 … o_{trace.heads}) · W_O",
                          pal.small, box.w), box.x, box.y + line / 2)], pal.small, rgba(pal.muted), bold=True)
    items += [cells_by_colour(concat_grid.rects(), diverging(concat[None, :], limit, pal).reshape(-1, 4)),
              cells_by_colour(out_grid.rects(), diverging(output[None, :], limit, pal).reshape(-1, 4))]
    items += [Lines(underline[h:h + 1], rgba(head_color(pal, h)), 3.0) for h in range(trace.heads)]
    items += texts_at([(arrow, out_x - arrow_w / 2, y + cell / 2)], pal.small, rgba(pal.ink), CENTER)
    items += texts_at([("output", out_x, y + cell + line / 2 + 4)], pal.small, rgba(pal.muted))
    return items


def _bar_labels(tokens, weights, top, pitch, label_x, label_w, pct_x, pal):  # -> token left, percent right
    """Every k-th row's token and percentage, so that they never overlap each other or the headings above."""
    step = max(1, math.ceil((pal.small + 1) / pitch))
    ys = top + pitch / 2
    first = max(0, math.ceil((pal.small / 2 - 4 - pitch / 2) / pitch))  # the headings end 4 px above the rows
    rows = range(first, len(tokens), step)
    return (texts_at([(fit_text(tokens[j], pal.small, label_w), label_x, ys[j]) for j in rows], pal.small,
                   rgba(pal.ink), RIGHT)
            + texts_at([(percent(weights[j]), pct_x, ys[j]) for j in rows], pal.small, rgba(pal.muted)))


def _glyphs(values, x, top, width, pitch, limit, pal):  # [rows, d] -> shapes: a little bar chart per row
    """Each row's d numbers as bars up (positive) or down (negative) from a zero line, on a track per number,
    so that a row of near-zeros still shows its d places and a small value is not lost."""
    rows, d = values.shape
    slot = width / d
    half = pitch * 0.4 * values / limit  # [rows, d] px, up for positive
    mid = (top + pitch / 2)[:, None]
    y = np.where(half > 0, mid - half, mid)
    xs = np.broadcast_to(x + np.arange(d) * slot + slot * 0.12, values.shape)
    bar_w = np.full(values.shape, slot * 0.76)
    tracks = np.stack([xs, np.broadcast_to(mid - pitch * 0.4, values.shape), bar_w,
                       np.full(values.shape, pitch * 0.8)], axis=-1).reshape(-1, 4)
    bars = np.stack([xs, y, bar_w, np.maximum(np.abs(half), 1.0)], axis=-1).reshape(-1, 4)
    zero = np.column_stack([np.full(rows, x), mid[:, 0], np.full(rows, x + width), mid[:, 0]])
    return [cells_by_colour(tracks, rgba(pal.background), 2),
            Lines(zero, rgba(pal.grid), 1.0),
            cells_by_colour(bars, diverging(np.sign(values), 1.0, pal).reshape(-1, 4))]


def _output_row(out, box, glyph_x, glyph_w, limit, pal, state):  # [d_v] -> shapes: glyphs and numbers of o_i
    glyph_row, numbers = box.top(box.h - line_h(pal))
    items = [Lines(np.array([[box.x, box.y - 3, box.x + box.w, box.y - 3]]), rgba(pal.grid), 1.0)]
    items += _glyphs(out[None, :], glyph_x, np.array([glyph_row.y]), glyph_w, glyph_row.h, limit, pal)
    token = state.tokens[state.query]
    items += texts_at([(fit_text(f"output of '{token}'", pal.small, glyph_x - box.x - 8), glyph_x - 8,
                      glyph_row.y + glyph_row.h / 2)], pal.small, rgba(pal.ink), RIGHT, bold=True)
    text = _vector_fitting("o = ", out, pal.small, box.w)
    items += texts_at([(text, box.x, numbers.y + numbers.h / 2)], pal.small, rgba(pal.ink))
    return items


def _vector_fitting(prefix, values, size, max_w):  # [d] -> "o = [0.115, −0.058, …]": whole numbers only
    """The vector at 3 decimals, its last entries left out (", …]") where it is too wide: never a cut number."""
    entries = [number(v, 3) for v in values.tolist()]
    for keep in range(len(entries), 0, -1):
        text = prefix + "[" + ", ".join(entries[:keep]) + (", …]" if keep < len(entries) else "]")
        if text_w(text, size) <= max_w:
            return text
    return prefix + "[…]"


def row_to_bars(computed, state, softmax, weighted, t, pal):  # Panel (stage 3), Panel (stage 4) -> [Cells]
    """The query's row of softmax cells sliding and stretching into stage 4's bars (t: 0 cells, 1 bars)."""
    if softmax.grid is None or weighted.bars is None or not 0 < t < 1:
        return []
    x, y, w, h = softmax.grid.cell(state.query, 0)
    n = softmax.grid.n_cols
    cells = np.column_stack([x + w * np.arange(n), np.full(n, y), np.full(n, w), np.full(n, h)])
    rects = cells + (weighted.bars - cells) * t
    weights = computed.trace.weights[state.head, state.query]
    colors = sequential(weights, pal) * (1 - t) + np.array(rgba(head_color(pal, state.head))) * t
    return [cells_by_colour(rects, colors, 3 * t)]

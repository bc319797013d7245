"""The scene layout as numbers: chips, beams, hit testing, every stage at every width, transitions, colours."""
from collections import OrderedDict
from dataclasses import replace

import numpy as np
import pytest

from bench.scene import big_scenario
from canvas.api import P, approximate_text_width
from canvas.display_list import decode
from scene.colors import contrast, diverging, ink_for, luminance, palette, sequential
from scene import draw
from scene import panels
from scene.draw import draw_scene
from scene.layout import LEAST_BEAM_SPACE, SLIDE, STACK_GAP, layout
from scene.shapes import Beams, Box, Layer, Texts, text_w
from scene.timeline import View
from ui import state as ev

WIDTHS = (360, 800, 1400)
HEIGHT = {360: 560, 800: 500, 1400: 560}
PAL = palette(False)


def cat(step=3):
    return ev.set_step(ev.load_preset(None, "cat"), step)


def big(step=3):
    return ev.set_step(ev.from_scenario(big_scenario()), step)


def cross():
    """Cross-attention with n_q = 3 queries and n_k = 5 keys, so shape mix-ups show."""
    s = ev.set_kind(ev.load_preset(None, "translate"), "cross")
    return ev.edit_sentence(s, "the small black cat sleeps", context=True)


def scene_of(state, width=1400, view=None, pal=PAL):
    step = state.step
    return layout(ev.compute(state.scenario), state, width, HEIGHT.get(width, 500),
                  view or View(step, step, 1.0), pal)


def beams_of(scene):  # -> [count, 13], all Beams batches stacked
    rows = [item.curves for item in scene.shapes() if isinstance(item, Beams)]
    return np.concatenate(rows) if rows else np.zeros((0, 13))


def overlaps(rects):  # [n, 4] -> whether any two rectangles overlap
    x, y, w, h = rects.T
    apart = ((x[:, None] + w[:, None] <= x[None, :]) | (x[None, :] + w[None, :] <= x[:, None])
             | (y[:, None] + h[:, None] <= y[None, :]) | (y[None, :] + h[None, :] <= y[:, None]))
    np.fill_diagonal(apart, True)
    return not apart.all()


# -- chips ------------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("make", [cat, big, cross], ids=["4 tokens", "32 tokens", "cross"])
def test_chips_lie_inside_the_canvas_and_never_overlap(make, width):
    scene = scene_of(make(), width)
    chips = np.concatenate([scene.q_rects, scene.k_rects])
    assert (chips[:, 0] >= 0).all() and (chips[:, 0] + chips[:, 2] <= width).all()
    assert (chips[:, 1] >= 0).all() and (chips[:, 1] + chips[:, 3] <= HEIGHT[width]).all()
    assert not overlaps(chips)
    assert len(scene.q_rects) == len(make().tokens) and len(scene.k_rects) == len(make().key_tokens)


def test_the_overlap_check_itself_sees_an_overlap():
    assert overlaps(np.array([[0, 0, 10, 10], [5, 5, 10, 10]]))
    assert not overlaps(np.array([[0, 0, 10, 10], [10, 0, 10, 10]]))


def test_few_tokens_sit_in_two_rows_and_many_on_a_narrow_canvas_do_not():
    four = scene_of(cat(), 1400)
    assert np.ptp(four.q_rects[:, 1]) == 0 and four.k_rects[0, 1] > four.q_rects[0, 3] + four.q_rects[0, 1]
    many = scene_of(big(), 360)
    wrapped = np.ptp(many.q_rects[:, 1]) > 0
    strip = many.q_rects[:, 2].max() < text_w("wo", PAL.small)  # a strip of narrow chips, every k-th labelled
    assert wrapped or strip  # not one impossible row of whole chips


# -- beams ------------------------------------------------------------------------

@pytest.mark.parametrize("make", [cat, big, cross], ids=["4 tokens", "32 tokens", "cross"])
def test_one_beam_per_allowed_key_of_the_query_or_per_allowed_pair(make):
    state = make()
    allowed = ev.compute(state.scenario).trace.allowed
    assert len(beams_of(scene_of(state))) == allowed[state.query].sum()
    assert len(beams_of(scene_of(ev.set_beams(state, "all")))) == allowed.sum()


def test_the_overlay_draws_every_head_dashed_differently():
    state = replace(ev.set_beams(big(), "all"), overlay=True)
    scene = scene_of(state)
    batches = [item for item in scene.shapes() if isinstance(item, Beams)]
    assert len(batches) == 8 and len(beams_of(scene)) == 8 * 32 * 32
    assert len({b.dash for b in batches}) == 8


def beam_targets(scene):  # -> [count] the key chip each beam ends on
    targets = []
    for x, y in beams_of(scene)[:, 6:8]:
        hits = [scene.hit(x, y + 1), scene.hit(x + 1, y)]
        targets.append(next(h[1] for h in hits if h and h[0] == "key"))
    return np.array(targets)


@pytest.mark.parametrize("width", WIDTHS)
def test_beam_width_and_opacity_grow_with_the_weight(width):
    state = ev.set_step(ev.load_preset(None, "pronoun"), 3)
    s = state.scenario
    weights = ev.compute(s).trace.weights[state.head, state.query]
    scene = scene_of(state, width)
    curves = beams_of(scene)[np.argsort(weights[beam_targets(scene)])]
    alpha, beam_w = curves[:, 11], curves[:, 12]
    assert (np.diff(alpha) >= 0).all() and (np.diff(beam_w) >= 0).all()
    assert beam_w[-1] > beam_w[0] + 5 and alpha[-1] > 4 * alpha[0]  # the strongest key clearly stands out


def test_beams_are_sorted_by_style_so_runs_can_share_a_path():
    curves = beams_of(scene_of(ev.set_beams(big(), "all")))
    styles = len(np.unique(curves[:, 8:13], axis=0))
    runs = 1 + np.count_nonzero(np.any(np.diff(curves[:, 8:13], axis=0) != 0, axis=1))
    assert runs == styles <= 32  # each style in one run: one stroke per style in web/canvas.js


@pytest.mark.parametrize("width", WIDTHS)
def test_causal_attention_draws_no_beam_to_a_later_key(width):
    state = ev.set_step(ev.load_preset(None, "causal"), 4)
    targets = beam_targets(scene_of(state, width))
    assert sorted(targets) == list(range(state.query + 1))


def test_no_beams_before_the_scores_stage_and_uniform_grey_ones_at_it():
    assert len(beams_of(scene_of(cat(0)))) == 0 and len(beams_of(scene_of(cat(1)))) == 0
    grey = beams_of(scene_of(cat(2)))
    assert len(grey) == 4 and np.ptp(grey[:, 11]) == 0 and np.ptp(grey[:, 12]) == 0
    assert tuple(grey[0, 8:11]) == PAL.comparison


# -- hit testing ------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("make", [cat, big, cross], ids=["4 tokens", "32 tokens", "cross"])
def test_chip_center_round_trips_through_hit(make, width):
    scene = scene_of(make(), width)
    for kind, n in (("query", len(scene.q_rects)), ("key", len(scene.k_rects))):
        for i in range(n):
            assert scene.hit(*scene.chip_center(kind, i)) == (kind, i)


def test_hit_finds_heatmap_cells_and_nothing_elsewhere():
    scene = scene_of(cat(3))
    g = scene.grid
    for i in range(4):
        for j in range(4):
            x, y, w, h = g.cell(i, j)
            assert scene.hit(x + w / 2, y + h / 2) == ("cell", i, j)
    assert scene.hit(1, 1) is None
    assert scene.hit(g.x + g.cw * 4.5, g.y + g.ch / 2) is None  # the Σ column is not a cell
    assert scene.hit(1399, 559) is None
    assert scene_of(cat(1)).grid is None


# -- every stage at every width -------------------------------------------------------

@pytest.mark.parametrize("width", (360, 500, 800, 1200, 1400))
@pytest.mark.parametrize("make", [cat, big, cross], ids=["4 tokens", "32 tokens", "cross"])
def test_every_stage_lays_out_with_readable_text_inside_the_canvas(make, width):
    for step in range(5):
        for height in (340, 560):
            state = ev.set_step(make(), step)
            scene = layout(ev.compute(state.scenario), state, width, height, View(step, step, 1.0), PAL)
            texts = [item for item in scene.shapes() if isinstance(item, Texts)]
            assert texts and min(t.size for t in texts) >= PAL.least  # 10 px: a dense heatmap's row labels
            xy = np.concatenate([t.xy for t in texts])
            assert (xy >= 0).all() and (xy[:, 0] <= width).all() and (xy[:, 1] <= height).all()
            for t in texts:  # whole strings, not just their anchors (with the width layout assumes here)
                for s, (x, _) in zip(t.strings, t.xy.tolist()):
                    w = approximate_text_width(s, t.size, t.bold)
                    left = x - (0, w / 2, w)[t.h]
                    assert -1 <= left and left + w <= width + 1, (step, s)


@pytest.mark.parametrize("dark, large", [(False, False), (True, False), (False, True), (True, True)])
def test_every_palette_lays_out_every_transition(dark, large):
    state, pal = cat(), palette(dark, large)
    for a in range(5):
        for b in range(5):
            scene = layout(ev.compute(state.scenario), state, 800, 500, View(a, b, 0.4), pal)
            assert min(t.size for t in scene.shapes() if isinstance(t, Texts)) >= 12


# -- transitions ------------------------------------------------------------------

def commands(scene):
    p = P(scene.width, scene.height)
    draw_scene(p, scene)
    return decode(p.list.array(), p.list.strings)


def numbers(command):  # a decoded command's numbers, flattened (batches hold rows)
    return np.array([v for arg in command[1:] for v in (np.ravel(arg) if isinstance(arg, list) else [arg])])


def same_picture(a, b):
    """The same shapes in the same styles (layers that neither move nor fade change nothing)."""
    bookkeeping = ("push", "pop", "string_base", "picture")
    ca, cb = ([c for c in commands(s) if c[0] not in bookkeeping] for s in (a, b))
    return len(ca) == len(cb) and all(x[0] == y[0] and (x[0] in ("text", "beziers") and x == y or
                                                           np.allclose(numbers(x), numbers(y), atol=0.01))
                                      for x, y in zip(ca, cb))


@pytest.mark.parametrize("make", [cat, lambda: ev.load_preset(None, "causal"), cross], ids=["cat", "causal", "cross"])
def test_a_transition_starts_as_the_from_stage_and_ends_as_the_to_stage(make):
    state = make()
    for a in range(5):
        for b in range(5):
            if a == b:
                continue
            start = scene_of(ev.set_step(state, b), 800, View(a, b, 0.0))
            end = scene_of(ev.set_step(state, b), 800, View(a, b, 1.0))
            assert same_picture(start, scene_of(ev.set_step(state, a), 800, View(a, a, 1.0))), (a, b)
            assert same_picture(end, scene_of(ev.set_step(state, b), 800, View(b, b, 1.0))), (a, b)


def test_the_check_for_same_picture_can_fail():
    assert not same_picture(scene_of(cat(2)), scene_of(cat(3)))


def test_beams_grow_from_uniform_to_their_weights():
    state = cat(3)
    widths = [np.sort(beams_of(scene_of(state, view=View(2, 3, t)))[:, 12]) for t in (0.0, 0.5, 1.0)]
    assert np.ptp(widths[0]) == 0
    assert np.ptp(widths[0]) < np.ptp(widths[1]) < np.ptp(widths[2])


def beam_layers(scene):  # -> [(alpha, curves)] of the beams inside still layers
    return [(layer.alpha, np.concatenate([b.curves for b in layer.items]))
            for layer in still_layers_with_bounds(scene.items) if isinstance(layer.items[0], Beams)]


@pytest.mark.parametrize("a, b", [(1, 2), (2, 3), (3, 2)])
def test_thousands_of_beams_cross_fade_between_their_looks_instead_of_morphing(a, b):
    state = ev.set_overlay(ev.set_beams(big(b), "all"), True)  # 8 heads x 32 x 32 = 8,192 beams
    mid = scene_of(state, view=View(a, b, 0.3))
    layers = beam_layers(mid)
    assert len(beams_of(mid)) == sum(len(c) for _, c in layers)  # every beam is in a still layer: none morphs
    start, end = (beam_layers(scene_of(ev.set_step(state, s), view=View(s, s, 1.0))) for s in (a, b))
    expected = ([(0.7, start[0][1])] if start else []) + [(0.3, end[0][1])]
    assert len(layers) == len(expected)
    for (alpha, curves), (want_alpha, want) in zip(layers, expected):
        assert alpha == pytest.approx(want_alpha) and np.array_equal(curves, want)
    assert len(end[0][1]) == 8 * 32 * 32
    assert same_picture(scene_of(state, view=View(a, b, 1.0)), scene_of(ev.set_step(state, b)))


def test_a_few_beams_still_morph_one_by_one():
    layers = beam_layers(scene_of(cat(3), view=View(2, 3, 0.3)))
    assert not layers and len(beams_of(scene_of(cat(3), view=View(2, 3, 0.3)))) == 4


def test_scores_and_weights_share_one_grid_whose_colours_blend():
    state = cat(3)
    scenes = [scene_of(state, view=View(2, 3, t)) for t in (0.0, 0.5, 1.0)]
    assert scenes[0].grid == scenes[1].grid == scenes[2].grid


# -- colours ----------------------------------------------------------------------

@pytest.mark.parametrize("dark, large", [(False, False), (True, False), (False, True), (True, True)])
def test_text_colours_reach_4_5_to_1(dark, large):
    pal = palette(dark, large)
    for ink in (pal.ink, pal.muted):
        assert contrast(ink, pal.background) >= 4.5 and contrast(ink, pal.panel) >= 4.5
    assert contrast(pal.ink, pal.chip) >= 4.5 and contrast(pal.accent_ink, pal.accent) >= 4.5
    cells = np.concatenate([sequential(np.linspace(0, 1, 50), pal), diverging(np.linspace(-1, 1, 50), 1.0, pal)])
    for cell, ink in zip(cells, ink_for(cells, pal)):
        assert contrast(ink, cell) >= 4.5


def test_heads_differ_by_colour_and_by_dash():
    pal = palette(False)
    assert len(set(pal.heads)) == len(pal.heads) == 8 and len(set(pal.dashes)) == 8
    assert palette(False, True).small > palette(False).small >= 12


def test_colour_maps_are_monotonic_in_lightness():
    light = luminance(sequential(np.linspace(0, 1, 32), palette(False))[:, :3])
    dark = luminance(sequential(np.linspace(0, 1, 32), palette(True))[:, :3])
    assert (np.diff(light) <= 0).all() and (np.diff(dark) >= 0).all()


def midpoint(curve):  # [8] cubic Bézier -> its point at t = 0.5
    x1, y1, c1x, c1y, c2x, c2y, x2, y2 = curve
    return (x1 + 3 * c1x + 3 * c2x + x2) / 8, (y1 + 3 * c1y + 3 * c2y + y2) / 8


@pytest.mark.parametrize("width", [400, 1400])
def test_pointing_at_a_beam_hits_its_key(width):
    state = ev.set_step(ev.load_preset(None, "hot-dog"), 3)
    scene = scene_of(state, width)
    curves, keys = scene.beam_paths
    assert sorted(keys.tolist()) == [0, 1, 2, 3]
    for curve in curves:  # beams may cross, so a midpoint may belong to a neighbour's beam too
        assert scene.hit(*midpoint(curve))[0] == "key"
    x, y = midpoint(curves[keys.tolist().index(1)])  # the beam to 'hot' is the thick one: hit it squarely
    assert scene.hit(x, y) == ("key", 1)


def test_no_beam_is_hit_before_the_scores_step():
    assert scene_of(ev.set_step(ev.load_preset(None, "hot-dog"), 1)).beam_paths is None


def test_hovering_a_heatmap_row_previews_that_querys_beams():
    state = ev.set_step(ev.load_preset(None, "hot-dog"), 3)  # query 'dog' (2)
    selected = beams_of(scene_of(state))
    hovered = beams_of(scene_of(ev.set_hover(state, ("cell", 0, 1))))
    q_rects = scene_of(state).q_rects
    assert np.allclose(selected[:, 0], q_rects[2, 0] + q_rects[2, 2] / 2)  # beams leave the selected query
    assert np.allclose(hovered[:, 0], q_rects[0, 0] + q_rects[0, 2] / 2)   # now they leave the hovered row's
    assert ev.set_hover(state, ("cell", 0, 1)).query == 2, "a preview, not a selection"


@pytest.mark.parametrize("width", [400, 800, 1400])
def test_every_head_at_once_shows_small_multiples_that_select_a_head(width):
    state = ev.set_overlay(ev.set_step(ev.load_preset(None, "hot-dog"), 3), True)
    scene = scene_of(state, width)
    rects = scene.head_rects
    assert rects.shape == (4, 4) and not overlaps(rects)
    assert (rects[:, 0] >= 0).all() and (rects[:, 0] + rects[:, 2] <= width).all()
    for h, (x, y, w, hh) in enumerate(rects):
        assert scene.hit(x + w / 2, y + hh - 3) == ("head", h)
    texts = [t for item in scene.shapes() if isinstance(item, Texts) for t in item.strings]
    assert {"positional", "syntactic", "semantic", "coreference"} <= set(texts)
    assert scene_of(ev.set_overlay(state, False), width).head_rects is None


@pytest.mark.parametrize("width", [400, 1400])
def test_the_project_step_shows_where_q_k_v_come_from(width):
    def texts(state):
        scene = scene_of(ev.set_step(state, 1), width)
        return [t for item in scene.shapes() if isinstance(item, Texts) for t in item.strings]

    own = texts(ev.load_preset(None, "cat"))
    assert "X  (4 × 16)" in own and sum(t.startswith("× W_") for t in own) == 3
    assert "K = X·W_K" in own
    cross = texts(ev.load_preset(None, "translate"))
    assert {"X  (3 × 16)", "C  (3 × 16)", "K = C·W_K", "V = C·W_V"} <= set(cross)


def test_the_last_step_shows_concat_times_w_o_for_several_heads():
    def texts(state):
        scene = scene_of(ev.set_step(state, 4), 1400)
        return [t for item in scene.shapes() if isinstance(item, Texts) for t in item.strings]

    many = texts(ev.load_preset(None, "hot-dog"))
    assert "all 4 heads for 'dog': concat(o_1 … o_4) · W_O" in many and "× W_O →" in many
    spec = {"tokens": ["a", "b"], "embeddings": [[1, 0], [0, 1]], "w_q": [[1, 0], [0, 1]],
            "w_k": [[1, 0], [0, 1]], "w_v": [[1, 0], [0, 1]]}
    assert "× W_O →" not in texts(ev.load_scenario(None, spec)), "one head: nothing to concatenate"


def test_mid_transition_the_old_panel_fades_out_and_the_new_one_fades_in():
    state = cat(2)
    drawn = commands(scene_of(state, 800, View(1, 2, 0.25)))
    assert [c for c in drawn if c[0] == "opacity"] == [("opacity", 0.75), ("opacity", 0.25)]
    # they slide the same way, the old one out to the left and the new one in from the right
    assert [c[1] for c in drawn if c[0] == "translate"] == pytest.approx([-SLIDE * 0.25, SLIDE * 0.75])


def still_shapes(scene):  # ids of the shapes inside still layers
    def walk(items, still):
        for item in items:
            if isinstance(item, Layer):
                yield from walk(item.items, still or item.still)
            elif still:
                yield id(item)
    return set(walk(scene.items, False))


@pytest.mark.parametrize("a, b", [(1, 2), (2, 3), (3, 4), (4, 3)])
def test_a_still_panel_is_drawn_once_and_replayed_in_the_next_frames(monkeypatch, a, b):
    monkeypatch.setattr(draw, "_RECORDED", OrderedDict())  # start with nothing remembered from other tests
    panels.PANEL_INPUTS.clear()
    drawn = []
    for kind, function in list(draw._DRAW.items()):
        monkeypatch.setitem(draw._DRAW, kind, lambda p, shape, f=function: (drawn.append(id(shape)), f(p, shape)))
    state = cat(b)
    first_scene, second_scene = (scene_of(state, 800, View(a, b, t)) for t in (0.6, 0.8))  # same side of 0.5
    first = commands(first_scene)
    drawn_first, drawn[:] = set(drawn), []
    second = commands(second_scene)
    still = still_shapes(second_scene)
    assert len(still) > 10 and still <= drawn_first  # drawn in the first frame, recorded...
    assert not still & set(drawn)  # ...and replayed in the second, not drawn again
    assert [c for c in first if c[0] == "text"] == [c for c in second if c[0] == "text"]  # the same labels
    if (a, b) == (2, 3):
        assert [c for c in first if c[0] == "beziers"] != [c for c in second if c[0] == "beziers"]  # beams grew


def test_scores_blend_into_weights_as_the_weights_layer_grows_opaque():
    state = cat(3)
    drawn = commands(scene_of(state, 800, View(2, 3, 0.4)))
    assert ("opacity", pytest.approx(0.4)) in drawn  # the weights' colours over the scores'
    assert ("opacity", pytest.approx(0.2)) in drawn  # the scores' numbers fading out (1 - 2 x 0.4)
    rest = commands(scene_of(state, 800, View(3, 3, 1.0)))
    assert not [c for c in rest if c[0] == "opacity"]  # at rest: only the weights, fully opaque


def extents(commands):  # decoded commands -> [m, 4] (left, top, right, bottom) of everything they paint
    boxes, weight, size, h_align, v_align = [], 1.0, 14.0, 0, 3
    for c in commands:
        name = c[0]
        if name == "stroke_weight":
            weight = c[1]
        elif name == "font":
            size = c[1]
        elif name == "text_align":
            h_align, v_align = int(c[1]), int(c[2])
        elif name == "rect":
            x, y, w, h = c[1:5]
            boxes.append((x - weight / 2, y - weight / 2, x + w + weight / 2, y + h + weight / 2))
        elif name in ("rects", "cells"):
            boxes += [(x - weight / 2, y - weight / 2, x + w + weight / 2, y + h + weight / 2) for x, y, w, h, *_ in c[2]]
        elif name == "line":
            x1, y1, x2, y2 = c[1:5]
            boxes.append((min(x1, x2) - weight, min(y1, y2) - weight, max(x1, x2) + weight, max(y1, y2) + weight))
        elif name == "ellipse":
            x, y, w, h = c[1:5]
            boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        elif name == "beziers":  # a Bézier curve lies inside the hull of its four points
            for row in c[1]:
                xs, ys, half = row[0:8:2], row[1:8:2], row[12] / 2
                boxes.append((min(xs) - half, min(ys) - half, max(xs) + half, max(ys) + half))
        elif name == "text":
            w = approximate_text_width(c[1], size)
            left = c[2] - (0, w / 2, w)[h_align]
            top = c[3] - (0, size * 0.6, size * 1.2, size)[v_align]
            boxes.append((left, top, left + w, top + size * 1.2))
    return np.array(boxes).reshape(-1, 4)


def still_layers_with_bounds(items):
    for item in items:
        if isinstance(item, Layer):
            if item.still and item.bounds is not None:
                yield item
            yield from still_layers_with_bounds(item.items)


@pytest.mark.parametrize("width", (360, 800, 1400))
@pytest.mark.parametrize("make", [cat, big, cross], ids=["4 tokens", "32 tokens", "cross"])
def test_a_still_layer_draws_only_inside_its_bounds_so_its_bitmap_cuts_nothing_off(make, width):
    for a, b in [(s, s) for s in range(5)] + [(1, 2), (2, 3), (3, 4)]:
        state = ev.set_step(make(), b)
        layers = list(still_layers_with_bounds(scene_of(state, width, View(a, b, 0.4)).items))
        assert layers
        for layer in layers:
            p = P(width, HEIGHT[width])
            p.begin_frame()
            draw._draw_all(p, layer.items)
            left, top, right, bottom = extents(decode(p.list.array(), p.list.strings)).T
            box = layer.bounds
            outside = (left < box.x - 0.5) | (top < box.y - 0.5) | (right > box.x + box.w + 0.5) | (bottom > box.y + box.h + 0.5)
            assert not outside.any(), (a, b, box, extents(decode(p.list.array(), p.list.strings))[outside][:3])


def test_the_bounds_check_itself_sees_a_shape_outside():
    p = P()
    p.begin_frame()
    p.stroke_weight(4)
    p.rect(10, 10, 20, 20)
    p.text_align(2, 1)
    p.text("wide label", 5, 50)
    left, top, right, bottom = extents(decode(p.list.array(), p.list.strings)).T
    assert left.min() < 0 and top.min() == 8 and right.max() == 32


def test_scatter_labels_never_print_over_each_other_and_the_selected_one_is_always_there():
    rng = np.random.default_rng(3)
    xy = np.vstack([rng.normal(size=(12, 2)), [[4.0, 4.0]] * 3, [[4.01, 4.0]]])  # a crowd of twins, in a corner
    labels = [f"word{i}" for i in range(len(xy))]
    for selected in (0, 13):
        shapes, _ = panels._scatter(Box(0, 0, 420, 260), xy, labels, selected, None, PAL, "embedding map")
        texts = [t for t in shapes if isinstance(t, Texts) and t.size == PAL.small and t.strings[0] != "embedding map"]
        rects = []
        for t in texts:
            for s, (x, y) in zip(t.strings, t.xy.tolist()):
                w = text_w(s, t.size, t.bold)
                left = x - (0, w / 2, w)[t.h]
                rects.append((left, y - t.size / 2, left + w, y + t.size / 2))
                assert 0 <= left and left + w <= 420
        rects = np.array(rects)
        as_xywh = np.column_stack([rects[:, :2], rects[:, 2:] - rects[:, :2]])
        assert not overlaps(as_xywh)
        bold = [s for t in texts if t.bold for s in t.strings]
        assert bold == [labels[selected]]
        shown = [s for t in texts for s in t.strings]
        assert len(shown) >= 8
        if selected == 0:  # the crowd shares one label
            assert any(s.startswith("word12, word13") for s in shown)


# -- the split of a stacked canvas between the token view and the stage view ---------------------

def split_of(state, width, height, pal=PAL):  # -> (token Box, stage Box) as layout() cuts them
    from scene.layout import _regions
    return _regions(ev.compute(state.scenario), state, width, height, pal)


def test_a_stacked_canvas_gives_the_stage_what_its_rows_need_and_the_token_view_the_rest():
    """400 x 560 embed (a 386 x 370.5 canvas), 4 tokens: the stage view holds every stage's rows at panels.row_h; the
    token view takes the rest, at least two lines of chips with beams between."""
    state = cat(3)
    tokens, stage = split_of(state, 386, 370.5)
    body = stage.h - (2 * 10 + PAL.title + 6)
    assert body >= panels.stage_need(ev.compute(state.scenario), state, PAL, 386 - 24 - 20)
    assert tokens.h >= 2 * (PAL.small + 8) + LEAST_BEAM_SPACE and tokens.h + STACK_GAP + stage.h == 370.5 - 24


def test_the_split_is_the_same_at_every_step_so_nothing_jumps_while_stepping():
    assert len({split_of(cat(step), 386, 340) for step in range(5)}) == 1


def test_when_the_stage_cannot_have_all_it_needs_the_token_view_keeps_a_strip_of_chips():
    state = big(3)
    tokens, stage = split_of(state, 386, 340)
    scene = scene_of(state, 386)
    assert tokens.h >= 2 * (PAL.small + 8) + LEAST_BEAM_SPACE  # two strips of chips and room for beams
    assert not overlaps(np.concatenate([scene.q_rects, scene.k_rects]))


def test_a_tall_canvas_keeps_its_generous_token_view():
    state = cat(3)
    tokens, _ = split_of(state, 726, 645)
    assert tokens.h >= (645 - 24) * 0.36


def test_a_strip_labels_every_kth_chip_and_the_selected_query_on_its_pill():
    state = ev.select_query(big(3), 13)
    scene = scene_of(state, 386)
    texts = [t for item in scene.shapes() if isinstance(item, Texts) for t in item.strings]
    assert state.tokens[13] in texts  # the query's whole token
    assert sum(bool(t) for t in texts) < 2 * len(state.tokens)  # not every chip has its label


@pytest.mark.parametrize("kind", ("query", "key"))
def test_a_strip_shows_the_whole_token_of_the_chip_under_the_pointer(kind):
    state = ev.select_query(big(3), 13)
    bare = scene_of(state, 386)
    rects, tokens = (bare.q_rects, state.tokens) if kind == "query" else (bare.k_rects, state.key_tokens)
    shown = [t for item in bare.shapes() if isinstance(item, Texts) for t in item.strings]
    hidden = next(j for j in range(len(tokens)) if tokens[j] not in shown and j != 13 and len(tokens[j]) > 2)
    scene = scene_of(ev.set_hover(state, (kind, hidden)), 386)
    texts = [(t, xy) for item in scene.shapes() if isinstance(item, Texts) for t, xy in zip(item.strings, item.xy)]
    x, y, w, h = rects[hidden]
    assert any(t == tokens[hidden] and y <= xy[1] <= y + h and abs(xy[0] - (x + w / 2)) < 3 * w for t, xy in texts), \
        (tokens[hidden], texts)
    assert state.tokens[13] in [t for t, _ in texts]  # the selected query keeps its pill


# -- head names ---------------------------------------------------------------------------

def legend_texts(state, width):
    scene = scene_of(state, width)
    return [t for item in scene.shapes() if isinstance(item, Texts) for t in item.strings]


@pytest.mark.parametrize("width", (386, 800, 1400))
def test_with_every_head_at_once_the_legend_names_the_heads_shortened_to_fit(width):
    state = ev.set_overlay(cat(3), True)
    names = ev.compute(state.scenario).head_names
    texts = legend_texts(state, width)
    for name in names:  # each name whole, or its beginning and "…"
        assert any(t == name or (t.endswith("…") and len(t) >= 4 and name.startswith(t[:-1])) for t in texts), \
            (name, texts)
    assert not {"1", "2", "3", "4"} & set(texts)


def test_a_scenarios_unnamed_heads_are_head_0_head_1_on_the_canvas_and_never_head_head_0():
    from attention.scenario import Scenario, Selection
    from ui import panels as page_panels
    from ui.view import head_options
    scenario = Scenario(tokens=("a", "b", "c"), embeddings=((1.0, 0.0), (0.0, 1.0), (1.0, 1.0)), heads=2,
                        w_q=((1.0, 0.0), (0.0, 1.0)), w_k=((1.0, 0.0), (0.0, 1.0)), w_v=((1.0, 0.0), (0.0, 1.0)))
    state = ev.set_overlay(ev.from_scenario(scenario, selection=Selection(step=3, head=1)), True)
    computed = ev.compute(state.scenario)
    assert computed.head_names == ("head 0", "head 1")
    assert head_options(computed.head_names) == (("0", "head 0"), ("1", "head 1"))
    assert page_panels.narration(computed, state).startswith("Softmax, head 1: 'a' attends")
    texts = legend_texts(state, 1400)
    assert "head 1" in texts and not any("head head" in t or "head 1: head 1" in t for t in texts)
    designed = ev.compute(cat(3).scenario)
    assert page_panels.head_title(designed.head_names, 2) == "head 2 (semantic)"
    assert head_options(designed.head_names)[2] == ("2", "2. semantic")

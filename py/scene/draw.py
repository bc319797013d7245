"""Drawing: a Scene (scene.layout) turned into calls on the p5-style `p`. No decisions, no maths.

Each shape type has one small function; the scene lists its shapes in paint order.
A still layer (a stage panel, the chips) is recorded once and replayed in the
frames that show the same shapes again, so an animation frame only draws what moves;
with its bounds, the browser stamps it as a bitmap instead of painting it again.
"""
from collections import OrderedDict

import math

import numpy as np

from scene.shapes import Beams, Cells, Dots, Layer, Lines, Rect, Texts

_RECORDED = OrderedDict()  # id(shapes) -> (shapes, Segment): still layers drawn lately, least recent first
MAX_RECORDED = 96  # more than layout remembers (scene.panels.PANEL_INPUTS' size), so what it keeps stays recorded


def draw_scene(p, scene):  # P, Scene -> None
    """Paint the background, then every shape of the scene in order."""
    p.background(*scene.background)
    _draw_all(p, scene.items)


def _draw_all(p, items):
    for item in items:
        _DRAW[type(item)](p, item)


def _layer(p, layer):
    p.push()
    if layer.dx:
        p.translate(layer.dx, 0)
    if layer.alpha != 1:
        p.opacity(layer.alpha)
    if layer.still:
        box = layer.bounds
        p.play(_recorded(p, layer.items), None if box is None else (box.x, box.y, box.w, box.h))
    else:
        _draw_all(p, layer.items)
    p.pop()


def _recorded(p, shapes):  # -> Segment
    hit = _RECORDED.get(id(shapes))
    if hit is not None and hit[0] is shapes:
        _RECORDED.move_to_end(id(shapes))
        return hit[1]
    segment = p.record(lambda q: _draw_all(q, shapes))
    _RECORDED[id(shapes)] = (shapes, segment)
    if len(_RECORDED) > MAX_RECORDED:
        _RECORDED.popitem(last=False)
    return segment


def _rect(p, r):
    _fill(p, r.fill)
    _stroke(p, r.stroke, r.weight)
    p.rect(r.x, r.y, r.w, r.h, r.radius)


def _texts(p, t):
    p.no_stroke()
    p.fill(*t.color)
    p.text_size(t.size, bold=t.bold)
    p.text_align(t.h, t.v)
    for s, (x, y) in zip(t.strings, t.xy.tolist()):
        if t.upright:
            p.push()
            p.translate(x, y)
            p.rotate(-math.pi / 2)
            p.text(s, 0, 0)
            p.pop()
        else:
            p.text(s, x, y)


def _lines(p, s):
    p.push()
    if s.clip is not None:
        p.clip_rect(*s.clip)
    _stroke(p, s.color, s.weight)
    p.line_dash(*s.dash)
    for x1, y1, x2, y2 in s.xy.tolist():
        p.line(x1, y1, x2, y2)
    p.pop()


def _dots(p, d):
    p.no_stroke()
    p.fill(*d.color)
    for x, y in d.xy.tolist():
        p.ellipse(x, y, d.d)


def _cells(p, c):
    _stroke(p, c.stroke, c.weight)
    if c.fills is None:
        p.fill(*c.fill)
        p.rects(c.rects, c.radius)
    else:
        p.cells(np.concatenate([c.rects, c.fills], axis=1), c.radius)


def _beams(p, b):
    p.push()
    p.line_dash(*b.dash)
    p.beziers(b.curves)
    p.pop()


def _fill(p, color):
    if color is None:
        p.no_fill()
    else:
        p.fill(*color)


def _stroke(p, color, weight):
    if color is None:
        p.no_stroke()
    else:
        p.stroke(*color)
        p.stroke_weight(weight)


_DRAW = {Rect: _rect, Texts: _texts, Lines: _lines, Dots: _dots, Cells: _cells, Beams: _beams, Layer: _layer}

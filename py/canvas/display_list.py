"""The display list: every drawing call of one frame, packed into numbers.

Python calls into JavaScript cost about a microsecond each, and a frame with
thousands of attention beams would make thousands of them. Instead, the p5-style
API (`api.P`) appends each call here as an opcode followed by its numbers; once
per frame the browser backend hands the whole float32 array (plus one string
of texts) to `web/canvas.js`, which replays it on the 2-D context. Tests decode
the same array back into readable tuples (`decode`), so what they check is
exactly what the browser draws.

Layout of one command: `[opcode, arg1, arg2, ...]`, a fixed number of args per
opcode, except the batches BEZIERS, RECTS and CELLS, whose first arg is the number
of shapes that follow.
Texts are stored once per frame in `strings` and referred to by index.

A `Segment` is a recorded piece of display list (its own numbers and texts) that
can be appended to later frames as one chunk, without running the drawing code
again: a stage panel that stays the same while the beams move is recorded once.
Its text indices count from its own first text; `string_base` tells the replayer
where its texts start in the frame's table.

A segment played with bounds goes in as a `picture`: the command names the
segment (its id), the rectangle it stays inside, and how many numbers follow.
The replayer may paint those numbers as usual, or, once it has seen the same
segment twice, paint them once into an offscreen bitmap (p5's createGraphics)
and from then on stamp the bitmap and skip the numbers. Either way the picture
is the same; the bitmap saves redrawing a panel that only fades or slides.
"""

import itertools

import numpy as np

# opcode: (name, number of float arguments)
OPS = {
    1: ("background", 4),       # r g b a
    2: ("fill", 4),             # r g b a
    3: ("no_fill", 0),
    4: ("stroke", 4),           # r g b a
    5: ("no_stroke", 0),
    6: ("stroke_weight", 1),    # width
    7: ("line", 4),             # x1 y1 x2 y2
    8: ("rect", 5),             # x y w h radius
    9: ("ellipse", 4),          # cx cy w h
    10: ("bezier", 8),          # x1 y1 c1x c1y c2x c2y x2 y2
    11: ("text", 3),            # string-index x y
    12: ("font", 3),            # size bold(0/1) mono(0/1)
    13: ("text_align", 2),      # horizontal(0 left, 1 center, 2 right) vertical(0 top, 1 middle, 2 bottom, 3 baseline)
    14: ("push", 0),
    15: ("pop", 0),
    16: ("translate", 2),       # dx dy
    17: ("beziers", 1),         # count, then count x BEZIER_FIELDS numbers
    18: ("line_dash", 2),       # dash gap (0 0 = solid)
    19: ("clip_rect", 4),       # x y w h
    20: ("rects", 2),           # count radius, then count x (x y w h), all in the current fill and stroke
    21: ("opacity", 1),         # alpha 0..1 that multiplies everything drawn until pop
    22: ("string_base", 1),     # index of text 0 in the frame's strings, for the commands that follow
    23: ("picture", 6),         # segment-id x y w h count: the next `count` numbers are that segment
    24: ("cells", 2),           # count radius, then count x (x y w h r g b a): each its own fill, the current stroke
    25: ("rotate", 1),          # angle in radians, clockwise on screen (an upright label: -pi/2)
}
CODES = {name: code for code, (name, _) in OPS.items()}

# One curve of a "beziers" batch: the 8 control numbers, then its own stroke.
BEZIER_FIELDS = ("x1", "y1", "c1x", "c1y", "c2x", "c2y", "x2", "y2", "r", "g", "b", "a", "width")


_SEGMENT_IDS = itertools.count(1)


class Segment:
    """Recorded commands: a float32 array and the texts it refers to (from index 0).

    `id` is unique for the page's lifetime: the replayer keys its bitmaps by it.
    """

    def __init__(self, values, strings):  # strings: as DisplayList keeps them, already without NUL
        self.values = values
        self.strings = strings
        self.joined = "\0".join(self.strings)  # the texts as the replayer receives them, joined once
        self.id = next(_SEGMENT_IDS)


def _clean(text):  # -> str without NUL, the separator of the texts sent to the replayer
    return str(text).replace("\0", "")


class DisplayList:
    """Drawing commands of one frame as float32 numbers, plus a table of strings.

    Small commands go into a Python list (cheap to append to); the batches
    (beziers, rects) arrive as NumPy arrays and are kept as they are. `finish()`
    joins everything into one float32 buffer, once per frame.
    """

    def __init__(self, capacity=4096):
        self._buf = np.zeros(capacity, dtype=np.float32)
        self._n = 0
        self._small = []  # numbers of the current run of small commands
        self._chunks = []  # float32 arrays in order: runs of small commands and batches
        self.strings = []
        self._joined = []  # the texts as joined_strings() sends them: one entry per text or per segment

    def clear(self):
        self._n = 0
        self._small = []
        self._chunks = []
        self.strings = []
        self._joined = []

    def add(self, name, *args):
        """Append one command with its fixed number of arguments."""
        self._small.append(CODES[name])
        self._small.extend(args)

    def add_text(self, text, x, y):
        text = _clean(text)
        self.strings.append(text)
        self._joined.append(text)
        self._small.extend((CODES["text"], len(self.strings) - 1, x, y))

    def add_beziers(self, curves):  # [count, 13] float -> None
        """Append many styled curves at once (one row per curve, BEZIER_FIELDS)."""
        curves = np.asarray(curves, dtype=np.float32).reshape(-1, len(BEZIER_FIELDS))
        self._small.extend((CODES["beziers"], len(curves)))
        self._batch(curves)

    def add_rects(self, rects, radius):  # [count, 4] float, float -> None
        """Append many rectangles that share the current style, in one command."""
        rects = np.asarray(rects, dtype=np.float32).reshape(-1, 4)
        self._small.extend((CODES["rects"], len(rects), radius))
        self._batch(rects)

    def add_cells(self, cells, radius):  # [count, 8] float, float -> None
        """Append many rectangles, each with its own fill colour (a heatmap), in one command."""
        cells = np.asarray(cells, dtype=np.float32).reshape(-1, 8)
        self._small.extend((CODES["cells"], len(cells), radius))
        self._batch(cells)

    def add_segment(self, segment, bounds=None):
        """Append recorded commands as they are; their texts join the frame's table.

        With `bounds` (x, y, w, h: everything the segment draws lies inside), they
        go in as a picture that the replayer may keep as a bitmap.
        """
        self._small.extend((CODES["string_base"], len(self.strings)))
        if bounds is not None:
            self._small.extend((CODES["picture"], segment.id, *bounds, len(segment.values)))
        self._batch(segment.values)
        if segment.strings:
            self.strings.extend(segment.strings)
            self._joined.append(segment.joined)
        self._small.extend((CODES["string_base"], 0))

    def _batch(self, rows):
        self._chunks.append(np.array(self._small, dtype=np.float32))
        self._chunks.append(rows.ravel())
        self._small = []

    def finish(self):
        """Join the frame's commands into the buffer; returns how many numbers it holds."""
        parts = self._chunks + [np.array(self._small, dtype=np.float32)]
        size = sum(len(part) for part in parts)
        if size > len(self._buf):
            self._buf = np.zeros(max(2 * len(self._buf), size), dtype=np.float32)
        at = 0
        for part in parts:
            self._buf[at : at + len(part)] = part
            at += len(part)
        self._n = size
        self._small, self._chunks = [], []
        return size

    @property
    def size(self):
        """How many numbers of the buffer are in use (after finish())."""
        return self._n

    def array(self):  # -> [size] float32: the finished frame (finishes it if needed)
        if self._small or self._chunks:
            self.finish()
        return self._buf[: self._n]

    def buffer(self):  # -> [capacity] float32, of which the first `size` are in use
        self.array()
        return self._buf

    def joined_strings(self):
        """All texts of the frame in one string, separated by NUL (one transfer to JS)."""
        return "\0".join(self._joined)


def decode(values, strings):
    """Turn a display list back into a list of (name, *args) tuples, for tests."""
    values = [float(v) for v in values]
    out, i, base = [], 0, 0
    while i < len(values):
        code = int(values[i])
        if code not in OPS:
            raise ValueError(f"unknown opcode {code} at position {i}")
        name, count = OPS[code]
        args = values[i + 1 : i + 1 + count]
        i += 1 + count
        if name == "text":
            out.append(("text", strings[base + int(args[0])], args[1], args[2]))
        elif name == "string_base":
            base = int(args[0])
            out.append(("string_base", *args))
        elif name == "rects":
            rows = [tuple(values[i + 4 * k : i + 4 * (k + 1)]) for k in range(int(args[0]))]
            out.append(("rects", args[1], rows))
            i += 4 * int(args[0])
        elif name == "cells":
            rows = [tuple(values[i + 8 * k : i + 8 * (k + 1)]) for k in range(int(args[0]))]
            out.append(("cells", args[1], rows))
            i += 8 * int(args[0])
        elif name == "beziers":
            n_fields = len(BEZIER_FIELDS)
            rows = [tuple(values[i + k * n_fields : i + (k + 1) * n_fields]) for k in range(int(args[0]))]
            out.append(("beziers", rows))
            i += n_fields * int(args[0])
        else:
            out.append((name, *args))
    return out

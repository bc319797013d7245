"""The p5-style drawing API that sketches use: one object `p`, snake_case names.

    def draw(p):
        p.background(255)
        p.fill(30, 90, 200)
        p.rect(10, 10, 80, 30, 6)
        p.text("dog", 50, 25)

Every call is recorded into a `DisplayList`; a backend (browser or recording)
decides what happens to it. Colours follow p5: a grey level, an (r, g, b[, a])
triple with 0-255 channels, or a "#rrggbb" string. Coordinates are CSS pixels;
the browser backend takes care of the device-pixel ratio.
"""

from canvas.display_list import DisplayList, Segment

LEFT, CENTER, RIGHT = 0, 1, 2
TOP, MIDDLE, BOTTOM, BASELINE = 0, 1, 2, 3

# p5's defaults; web/canvas.js resets the context to the same at the start of every frame.
UNKNOWN = object()  # a style value that matches nothing: the next setting is always recorded

DEFAULT_STYLE = {
    "fill": (255, 255, 255, 255),
    "stroke": (0, 0, 0, 255),
    "weight": 1.0,
    "font": (14.0, 0, 0),
    "align": (LEFT, BASELINE),
}


def parse_color(*args):
    """p5 colour arguments -> (r, g, b, a) floats in 0..255."""
    if len(args) == 4:
        return args
    if len(args) == 1 and isinstance(args[0], str):
        h = args[0].lstrip("#")
        if len(h) not in (6, 8):
            raise ValueError(f"colour {args[0]!r} is not #rrggbb or #rrggbbaa")
        a = int(h[6:8], 16) if len(h) == 8 else 255
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), a)
    if len(args) == 1 and isinstance(args[0], tuple):
        return parse_color(*args[0])
    if len(args) == 1:
        return (args[0], args[0], args[0], 255)
    if len(args) == 2:
        return (args[0], args[0], args[0], args[1])
    if len(args) == 3:
        return (*args, 255)
    raise ValueError(f"a colour takes 1 to 4 values, not {len(args)}")


class P:
    """The sketch's drawing surface: p5-like state plus a recorder of commands."""

    def __init__(self, width=640, height=400):
        self.width, self.height = width, height
        self.mouse_x, self.mouse_y = -1.0, -1.0
        self.mouse_pressed = False
        self.pointer_type = "mouse"  # "mouse", "pen" or "touch", from the last pointer event
        self.frame_count = 0
        self.redraw_requested = True  # set by the loop: False in a frame that only runs because it is looping
        self.reduced_motion = False
        self.list = DisplayList()
        self.time_ms = 0.0  # the frame's clock, set by the backend (requestAnimationFrame's timestamp)
        self._style = dict(DEFAULT_STYLE)
        self._saved = []
        self._recording = False

    def millis(self):
        """Milliseconds on the frame clock: the same value for every call within one frame."""
        return self.time_ms

    # -- frame -----------------------------------------------------------
    def begin_frame(self):
        """Start a new display list; the context starts from its defaults too."""
        self.list.clear()
        self._style = dict(DEFAULT_STYLE)
        self._saved = []

    # -- colour and style ------------------------------------------------
    def background(self, *color):
        self.list.add("background", *parse_color(*color))

    def fill(self, *color):
        self._set("fill", parse_color(*color), "fill")

    def no_fill(self):
        self._set("fill", None, "no_fill")

    def stroke(self, *color):
        self._set("stroke", parse_color(*color), "stroke")

    def no_stroke(self):
        self._set("stroke", None, "no_stroke")

    def stroke_weight(self, width):
        self._set("weight", float(width), "stroke_weight")

    def line_dash(self, dash=0.0, gap=0.0):
        """Dashed strokes (dash, gap in px); line_dash() is solid again."""
        self.list.add("line_dash", dash, gap)

    def text_size(self, size, bold=False, mono=False):
        self._set("font", (float(size), int(bool(bold)), int(bool(mono))), "font")

    def text_align(self, horizontal, vertical=BASELINE):
        self._set("align", (horizontal, vertical), "text_align")

    def _set(self, key, value, op):
        """Record a style change only when it changes something."""
        if self._style[key] == value:
            return
        self._style[key] = value
        if value is None:
            self.list.add(op)
        elif isinstance(value, tuple):
            self.list.add(op, *value)
        else:
            self.list.add(op, value)

    # -- shapes ----------------------------------------------------------
    def line(self, x1, y1, x2, y2):
        self.list.add("line", x1, y1, x2, y2)

    def rect(self, x, y, w, h, radius=0.0):
        self.list.add("rect", x, y, w, h, radius)

    def rects(self, rects, radius=0.0):  # [count, 4] (x y w h) -> None
        """Many rectangles in the current fill and stroke, in one command."""
        if len(rects):
            self.list.add_rects(rects, radius)

    def cells(self, cells, radius=0.0):  # [count, 8] (x y w h r g b a) -> None
        """Many rectangles, each filled with its own colour (the fill style is left as it was), in one command."""
        if len(cells):
            self.list.add_cells(cells, radius)

    def ellipse(self, cx, cy, w, h=None):
        self.list.add("ellipse", cx, cy, w, w if h is None else h)

    def bezier(self, x1, y1, c1x, c1y, c2x, c2y, x2, y2):
        self.list.add("bezier", x1, y1, c1x, c1y, c2x, c2y, x2, y2)

    def beziers(self, curves):  # [count, 13] (x1 y1 c1x c1y c2x c2y x2 y2 r g b a width) -> None
        """Many curves, each with its own colour and width, in one command."""
        if len(curves):
            self.list.add_beziers(curves)

    def text(self, s, x, y):
        self.list.add_text(s, x, y)

    def clip_rect(self, x, y, w, h):
        """Clip what follows (until pop) to a rectangle."""
        self.list.add("clip_rect", x, y, w, h)

    # -- transform -------------------------------------------------------
    def push(self):
        self._saved.append(dict(self._style))
        self.list.add("push")

    def pop(self):
        self._style = self._saved.pop()
        self.list.add("pop")

    def translate(self, dx, dy):
        self.list.add("translate", dx, dy)

    def rotate(self, angle):
        """Turn what follows (until pop) by `angle` radians, clockwise on screen, about the current origin."""
        self.list.add("rotate", angle)

    def opacity(self, alpha):
        """Everything drawn from here until pop() is `alpha` (0..1) times as opaque."""
        self.list.add("opacity", alpha)

    # -- recorded segments -------------------------------------------------
    def record(self, draw):  # callable(p) -> Segment
        """Run draw(p) into a Segment instead of this frame, to play() it in later frames.

        The segment assumes nothing about the style it starts in: its first fill,
        stroke, font... are always recorded. Segments do not nest.
        """
        if self._recording:
            raise RuntimeError("p.record() inside p.record()")
        frame, style, saved = self.list, self._style, self._saved
        self.list, self._style, self._saved = DisplayList(256), dict.fromkeys(DEFAULT_STYLE, UNKNOWN), []
        self._recording = True
        try:
            draw(self)
            if self._saved:
                raise RuntimeError("a recorded segment must pop() what it push()es")
            return Segment(self.list.array().copy(), list(self.list.strings))
        finally:
            self.list, self._style, self._saved, self._recording = frame, style, saved, False

    def play(self, segment, bounds=None):
        """Append a recorded segment, inside push()/pop() so it changes no style after it.

        `bounds` (x, y, w, h) promises that everything it draws lies inside that
        rectangle; the browser may then keep it as a bitmap (see display_list).
        """
        self.push()
        self.list.add_segment(segment, bounds)
        self.pop()


def approximate_text_width(text, size, bold=0, mono=0):
    """A font-free estimate of text width, used where no browser can measure."""
    return len(text) * size * (0.6 if mono else 0.55 + 0.03 * bold)

"""A backend that draws nothing and remembers everything: for tests under CPython.

    backend = RecordingBackend(800, 500)
    loop = run(sketch, backend)
    backend.step()                      # one frame, if one is needed
    backend.commands                    # [("background", ...), ("rect", ...), ...]
"""

from canvas.api import P
from canvas.display_list import decode
from canvas.runner import Loop


class RecordingBackend:
    """Runs a sketch headless; each drawn frame is decoded into `commands`."""

    def __init__(self, width=800, height=500):
        self.width, self.height = width, height
        self.loop = None
        self.commands = []
        self.errors = []

    def start(self, sketch):
        p = P(self.width, self.height)
        self.loop = Loop(sketch, p, on_error=lambda message, details: self.errors.append(message))
        self.loop.setup()
        return self.loop

    def now(self):
        """The frame clock (tests set it through step(now_ms))."""
        return self.loop.p.time_ms

    def step(self, now_ms=None):
        """Run one frame (at `now_ms` on the frame clock); return True if it drew (and `commands` holds it)."""
        if now_ms is not None:
            self.loop.p.time_ms = float(now_ms)
        drew = self.loop.frame()
        if drew:
            p = self.loop.p
            self.commands = decode(p.list.array(), p.list.strings)
        return drew

    def move_mouse(self, x, y):
        self.loop.p.mouse_x, self.loop.p.mouse_y = x, y
        self.loop.dispatch("mouse_moved")

    def click(self, x, y):
        self.move_mouse(x, y)
        self.loop.p.mouse_pressed = True
        self.loop.dispatch("mouse_pressed")
        self.loop.p.mouse_pressed = False
        self.loop.dispatch("mouse_released")

    def resize(self, width, height):
        self.loop.p.width, self.loop.p.height = width, height
        self.loop.redraw()

    def texts(self):
        """The strings drawn in the last frame, in order."""
        return [c[1] for c in self.commands if c[0] == "text"]

"""The render loop, independent of where it draws.

A sketch is any object with `setup(p)` and `draw(p)`, and optionally
`update(p)`, called at the start of every frame before `draw(p)` (the place to
change state: `draw` only reads it), and the pointer hooks `mouse_moved(p)`,
`mouse_pressed(p)`, `mouse_released(p)` and `mouse_left(p)`.
`run(sketch, backend)` connects it to a backend, which calls `Loop.frame()`
when the screen can be painted.

Idle costs nothing: a frame is drawn only after `p.redraw()` was requested, or
on every frame while `loop.looping` is set (an animation is running). While
looping, `draw()` may return False to say that the picture has not changed
since the last frame (an animation holding still), and nothing is repainted;
it must draw when `p.redraw_requested` (the canvas may have been cleared). An
exception in `draw()` or in a hook goes to `on_error` and the loop carries on,
so one bad frame never silently kills the page.
"""

import traceback

FAILED = object()  # what _guard returns when the sketch raised


class Loop:
    """Owns the sketch, its `P`, and the decision whether a frame is needed."""

    def __init__(self, sketch, p, on_error=None):
        self.sketch, self.p = sketch, p
        self.on_error = on_error or (lambda message: None)
        self.looping = False
        self.dirty = True
        self.frames_drawn = 0

    def redraw(self):
        """Ask for one more frame."""
        self.dirty = True

    def needs_frame(self):
        return self.dirty or self.looping

    def setup(self):
        self._guard(self.sketch.setup, self.p)

    def frame(self):
        """Run draw() if a frame is needed; True when it completed (a failed frame is not shown)."""
        if not self.needs_frame():
            return False
        requested, self.dirty = self.dirty, False
        self.p.redraw_requested = requested
        self.p.begin_frame()
        self.p.frame_count += 1
        update = getattr(self.sketch, "update", None)
        if update is not None and self._guard(update, self.p) is FAILED:
            self.looping = False
            return False
        result = self._guard(self.sketch.draw, self.p)
        if result is FAILED:
            self.looping = False  # an animation that throws would throw every frame
            return False
        if result is False:
            if requested:
                self.on_error("draw() returned False in a frame that must be painted", "")
            return False  # the same picture as the last frame: keep it
        self.frames_drawn += 1
        return True

    def dispatch(self, hook, *args):
        """Call an optional event hook of the sketch; errors are reported, not raised."""
        fn = getattr(self.sketch, hook, None)
        if fn is not None:
            self._guard(fn, self.p, *args)

    def _guard(self, fn, *args):  # -> what fn returned, or FAILED
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - shown to the user, loop continues
            self.on_error(f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return FAILED


def run(sketch, backend):
    """Start `sketch` on `backend` (browser.BrowserBackend or recording.RecordingBackend)."""
    return backend.start(sketch)

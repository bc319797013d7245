"""The browser backend: runs a sketch on an HTML canvas, inside Pyodide only.

This module (with main/) is the only place that touches `js`. It refuses to
import under plain CPython, so everything else stays testable there.

Per frame it makes a handful of JavaScript calls, whatever is drawn: the
display list (float32) is copied into one persistent JS Float32Array with
`assign`, the texts go over as one string, and `web/canvas.js` replays them: in a
worker where the browser can hand the canvas over (the replay and the rasterising
then leave the main thread), else on the main thread.
One `create_proxy` is made for `requestAnimationFrame` (and one per event type)
at start, never per frame. Frames are requested only when the loop needs one.
"""

import sys

if sys.platform != "emscripten":
    raise ImportError("canvas.browser runs only in the browser (Pyodide)")

import js
from pyodide.ffi import create_proxy

from canvas.api import P
from canvas.runner import Loop

MOUSE_EVENTS = {
    "pointermove": "mouse_moved",
    "pointerdown": "mouse_pressed",
    "pointerup": "mouse_released",
    "pointerleave": "mouse_left",
}


class BrowserBackend:
    """Draws a sketch on `canvas` (an HTMLCanvasElement) and feeds it DOM events."""

    def __init__(self, canvas, on_error=None, on_frame=None):
        self.canvas = canvas
        self.surface = js.window.aeCanvas.surface  # web/canvas.js: replays in a worker where it can
        self.surface.attach(canvas)
        self.on_error = on_error
        self.on_frame = on_frame or (lambda: None)
        self.loop = None
        self._js_buffer = None
        self._frame_pending = False
        self._proxies = []

    def start(self, sketch):
        p = P()
        p.reduced_motion = bool(js.window.matchMedia("(prefers-reduced-motion: reduce)").matches)
        self.loop = Loop(sketch, p, on_error=self.on_error)
        self._fit_to_container()
        self._on_animation_frame = self._keep(self._animation_frame)
        self._request_animation_frame = js.window.requestAnimationFrame  # looked up once, not per frame
        for dom_event, hook in MOUSE_EVENTS.items():
            self.canvas.addEventListener(dom_event, self._keep(self._pointer_handler(hook)))
        js.ResizeObserver.new(self._keep(lambda entries, observer: self._resized())).observe(self.canvas.parentElement)
        self.loop.setup()
        self.request_frame()
        return self.loop

    def now(self):
        """Milliseconds on the frame clock's timebase (requestAnimationFrame's), right now: for events."""
        return float(js.performance.now())

    def request_frame(self):
        """Schedule one animation frame unless one is already pending."""
        if not self._frame_pending:
            self._frame_pending = True
            self._request_animation_frame(self._on_animation_frame)

    def _animation_frame(self, timestamp):
        self._frame_pending = False
        self.loop.p.time_ms = float(timestamp)
        if self.loop.frame():
            self._replay()
            self.on_frame()
        if self.loop.needs_frame():
            self.request_frame()

    def _replay(self):
        dl = self.loop.p.list
        buf = dl.buffer()
        if self._js_buffer is None or self._js_buffer.length != len(buf):
            self._js_buffer = js.Float32Array.new(len(buf))
        self._js_buffer.assign(buf)
        self.surface.draw(self._js_buffer, dl.size, dl.joined_strings(), self._dpr)

    def _pointer_handler(self, hook):
        def handle(event):
            p = self.loop.p
            p.mouse_x, p.mouse_y = float(event.offsetX), float(event.offsetY)
            p.pointer_type = str(event.pointerType or "mouse")
            if hook == "mouse_pressed":
                p.mouse_pressed = True
            elif hook in ("mouse_released", "mouse_left"):
                p.mouse_pressed = False
            if hook == "mouse_left":
                p.mouse_x = p.mouse_y = -1.0
            self.loop.dispatch(hook)
            if self.loop.needs_frame():
                self.request_frame()
        return handle

    def _resized(self):
        self._fit_to_container()
        self.loop.redraw()
        self.request_frame()

    def _fit_to_container(self):
        """Match the canvas's backing store to its CSS size times the pixel ratio."""
        box = self.canvas.getBoundingClientRect()
        width, height = max(1.0, float(box.width)), max(1.0, float(box.height))
        self._dpr = float(js.window.devicePixelRatio or 1)
        self.surface.resize(round(width * self._dpr), round(height * self._dpr))
        self.loop.p.width, self.loop.p.height = width, height

    def _keep(self, fn):
        """A JS-callable proxy that lives as long as the page."""
        proxy = create_proxy(fn)
        self._proxies.append(proxy)
        return proxy

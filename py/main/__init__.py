"""Entry point in the browser: wiring only. DOM events -> ui events -> AppState -> canvas and DOM.

    DOM event ─> ui.inputs / ui.host / ui.params ─> (event, args) ─> new AppState ─┬─> next frame: update, then
                                                                                 │   draw = scene.layout -> scene.draw
                                                                                 └─> right after it: ui.view.page_view
                                                                                     -> write what changed into the DOM

Every decision (what a key does, what a host's message means, what each element
shows) is made in ui/, tested under CPython; this module looks up elements, binds
events and writes the view; main/chores.py does the browser's chores (clipboard,
downloads, imported files, fullscreen). The main package and canvas/browser.py
are the only modules that touch `js`. Every string from the learner goes into the DOM as
textContent, never as HTML.
"""

import js

js.performance.mark("ae-main")  # stage marks of a start, before and after our imports (tests/bench/startup.py)

from dataclasses import replace  # noqa: E402 - after the mark
from functools import lru_cache  # noqa: E402

from pyodide.ffi import to_js  # noqa: E402

from canvas.browser import BrowserBackend
from canvas.runner import run
from main import chores  # noqa: E402 - the browser's chores, beside this wiring
from scene.colors import palette
from scene.draw import draw_scene
from scene.layout import asked_height, layout
from scene.timeline import StepAnimation, reveal_progress
from ui import host, inputs, predict, real
from ui import state as ev
from ui.params import apply_params, split_params
from ui.state import computed_of
from ui.view import changed_entries, page_view

js.performance.mark("ae-imported")

CATCH_UP_MS = 250  # the DOM catches up after the next frame, or after this long if no frame comes
PLAY_HOLD_MS = 900  # Play pauses this long on each stage before moving on
themed_palette = lru_cache(maxsize=4)(palette)  # (dark, large) -> Palette


class App:
    """The sketch (setup / update / draw and the pointer hooks) plus the DOM around it."""

    def __init__(self, document):
        self.doc, self.root = document, document.documentElement
        self.state = ev.initial_state()
        self.embed_layout = getattr(self.root.dataset, "embed", None) == "true"
        self.backend = self.anim = self.scene = None
        self.pending_edit = None  # the newest sentence edit, applied at the next frame (coalesces fast typing)
        self.settled_at = None  # when Play's current stage finished its transition
        self.swipe_from = None  # where a touch started, px
        self.after_load = {}  # the link's selection for the real model, applied once its files are in
        self.revealed_at = None  # when predict mode last revealed an answer (frame clock, ms)
        self._drawn = None  # (state, picture) of the last frame drawn
        self._shown = {}  # "id.prop" -> the value written there last (ui.view)
        self._elements = {}
        self._in_frame = self.dom_due = False
        self.js = chores.Callbacks(on_error=self.show_error)
        self.chores, self.model_files, self.host = chores.Chores(self), chores.ModelFiles(self), chores.HostPage(self)
        self.arithmetic, self.real_pass = chores.ArithmeticFocus(self), chores.RealPass(self)
        self._catch_up_proxy = self.js.keep(self.js.guarded(self._catch_up))  # one proxy for every catch-up
        self._fallback_proxy = self.js.keep(self.js.guarded(self._catch_up_unless_drawn))

    # -- start -------------------------------------------------------------------
    def start(self):
        dark = js.window.matchMedia("(prefers-color-scheme: dark)")
        self.state = ev.set_system_dark(self.state, dark.matches)
        params = js.URLSearchParams.new(js.location.search)
        given = {str(k): str(params.get(k)) for k in getattr(js.Array, "from")(params.keys())}
        now, self.after_load = split_params(self.state, given)
        self.state, problems = apply_params(self.state, now)
        self.state = predict.settle(self.state)
        self.chores.link_problems(problems)
        self.chores.open_fragment(js.location.hash)
        self._wire_events(dark)
        chores.expose_test_hooks(self)
        self.backend = BrowserBackend(self.element("canvas"), on_error=self.show_error, on_frame=self._first_frame)
        run(self, self.backend)
        js.performance.mark("ae-started")
        if self.state.model_status == "loading":  # the link asked for the real model
            self.model_files.download()

    def setup(self, p):
        self.anim = StepAnimation(self.state.step, reduced_motion=p.reduced_motion)
        self._sync_dom()

    def _first_frame(self):
        js.window.aeShell.ready()
        for element in self.doc.querySelectorAll("main [disabled]"):
            element.disabled = False
        self._shown = {k: v for k, v in self._shown.items() if not k.endswith(".disabled")}
        self._sync_dom()  # the buttons the view disables (first / last step) stay disabled
        self.element("fullscreen").hidden = not self.doc.fullscreenEnabled
        self.backend.on_frame = lambda: None
        self.host.post(host.message("ready", step=self.state.step, query=self.state.query))

    # -- the render loop: update changes the state, draw only reads it --------------
    def update(self, p):
        now = p.millis()
        if self.pending_edit is not None:
            text, is_context, self.pending_edit = *self.pending_edit, None
            self.dispatch(ev.edit_sentence, text, is_context)
        action, self.settled_at = inputs.play_tick(self.state, now, self.anim.running(now), self.settled_at,
                                                   PLAY_HOLD_MS)
        if action is not None:
            self.dispatch(*action)
        revealing = reveal_progress(self.revealed_at, now, p.reduced_motion) < 1.0
        self.backend.loop.looping = self.anim.running(now) or self.state.playing or revealing

    def draw(self, p):
        self._in_frame = True
        try:
            now, pal = p.millis(), themed_palette(self.state.dark, self.state.large)
            view = replace(self.anim.view(now), reveal=reveal_progress(self.revealed_at, now, p.reduced_motion))
            picture = (self.state, view, p.width, p.height, pal)
            if not p.redraw_requested and self._drawn is not None and self._drawn[0] is self.state \
                    and self._drawn[1:] == picture[1:]:
                return False  # Play holding a stage: the same picture as the last frame
            self._drawn = picture
            shown = ev.previewed(self.state)  # a head the model view previews, else the selected one
            self.scene = layout(computed_of(shown), predict.drawn(shown), p.width, p.height, view, pal)
            draw_scene(p, self.scene)
            if self.embed_layout:
                self.chores.ask_height(asked_height(computed_of(shown), predict.drawn(shown), p.width, pal))
        finally:
            self._in_frame = False
            if self.dom_due:
                js.setTimeout(self._catch_up_proxy, 0)  # the DOM catches up right behind this frame

    def mouse_moved(self, p):
        if self.scene is not None:
            self.dispatch(ev.set_hover, self.scene.hit(p.mouse_x, p.mouse_y))

    def mouse_left(self, p):
        self.dispatch(ev.set_hover, None)

    def mouse_pressed(self, p):
        self.swipe_from = p.mouse_x if p.pointer_type == "touch" else None
        hit = self.scene.hit(p.mouse_x, p.mouse_y) if self.scene is not None else None
        self.act(inputs.press_action(self.state, hit))

    def mouse_released(self, p):
        start, self.swipe_from = self.swipe_from, None
        self.act(inputs.swipe_action(self.state, start, p.mouse_x))

    # -- events -> state ---------------------------------------------------------
    def dispatch(self, event, *args):
        """Apply one event; a refused one (ValueError) is shown and the state stays as it was.

        The canvas shows a change first; the DOM catches up right after that frame (a 32 x 32 table
        and a typeset formula cost more than the frame itself)."""
        try:
            new = event(self.state, *args)
            new = new if real.needs_pass(new) else predict.settle(new)  # settle computes what the state shows
        except ValueError as exc:
            self.show_error(str(exc))
            return
        new = None if new is self.state else self.real_pass.check(event, args, self.state, new)
        if new is None:  # nothing changed, or a real model's sentence still to compute (the last one stays)
            return
        old, self.state = self.state, new
        if new.scenario is not old.scenario and new.status == old.status:
            self.state = ev.set_status(new, "")  # "Saved ..." belongs to the computation it saved
        if new.predict.revealed and not old.predict.revealed and self.backend is not None:
            self.revealed_at = self.backend.now()  # the reveal moves from the guess to the truth (ui: predict)
        if new.step != old.step and self.anim is not None:
            self.anim.go(new.step, self.backend.now())  # now, not the last frame's time (long gone after a pause)
        for message in host.changes(old, new):
            self.host.post(message)
        if new.model_status == "loading" and not self.model_files.downloading:
            self.model_files.download()
        if new.awaiting is not None and new.awaiting is not old.awaiting:
            self.model_files.fetch_rows(new.awaiting.ids)
        if self.after_load and new.model == "minilm":  # the link's layer, head and query, now that they exist
            pending, self.after_load = self.after_load, {}
            self.chores.apply_link(pending)
        self.dom_due = True
        if not self._in_frame and self.backend is not None and old.same_picture(self.state):
            js.setTimeout(self._catch_up_proxy, 0)  # only the DOM changes (a status line): no frame to draw
        elif not self._in_frame and self.backend is not None:
            self._redraw()
            # in case no frame comes (a hidden page draws none)
            js.setTimeout(self._fallback_proxy, CATCH_UP_MS, self.backend.loop.frames_drawn)

    def act(self, action):  # (event, *args) | "help" | "play" | None
        if action == "help":
            self.element("help").showModal()
        elif action == "play":
            self.dispatch(ev.pause if self.state.playing else ev.play)
        elif action is not None:
            self.dispatch(*action)

    def _wire_events(self, dark_query):
        on, el, do = self.js.on, self.element, self.chores

        def dispatch(*args):  # looked up at each event, so a development hook can stand in for it
            self.dispatch(*args)
        on(el("sentence"), "input", lambda e: self._queue_edit(e.target.value, False))
        on(el("context"), "input", lambda e: self._queue_edit(e.target.value, True))
        on(el("preset"), "change", lambda e: e.target.value and dispatch(ev.load_preset, e.target.value))
        on(el("query"), "change", lambda e: dispatch(ev.select_query, int(e.target.value)))
        on(el("head"), "change", lambda e: dispatch(ev.select_head, int(e.target.value)))
        on(el("layer"), "change", lambda e: dispatch(ev.select_layer, int(e.target.value)))
        on(el("model"), "change", lambda e: dispatch(ev.set_model, str(e.target.value)))
        on(el("model-retry"), "click", lambda e: dispatch(ev.set_model, "minilm"))
        on(el("beams"), "change", lambda e: dispatch(ev.set_beams, e.target.value))
        on(el("scale"), "change", lambda e: self._flip("scale", ev.set_scale, bool(e.target.checked)))
        on(el("overlay"), "change", lambda e: dispatch(ev.set_overlay, bool(e.target.checked)))
        on(el("temperature"), "input", lambda e: dispatch(ev.set_temperature, 10 ** float(e.target.value)))
        on(el("step"), "input", lambda e: dispatch(ev.set_step, int(e.target.value)))
        on(el("prev"), "click", lambda e: dispatch(ev.set_step, self.state.step - 1))
        on(el("next"), "click", lambda e: dispatch(ev.set_step, self.state.step + 1))
        on(el("play"), "click", lambda e: self.act("play"))
        on(el("close-arithmetic"), "click", lambda e: dispatch(ev.close_cell))
        on(el("attention-matrix"), "click", lambda e: self.arithmetic.matrix_cell(e, "Enter"))
        on(el("attention-matrix"), "keydown", lambda e: self.arithmetic.matrix_cell(e, str(e.key)))
        for radio in self.doc.querySelectorAll('input[name="kind"]'):
            on(radio, "change", lambda e: self._flip(str(e.target.value), ev.set_kind, str(e.target.value)))
        on(self.doc.querySelector('[data-action="dismiss"]'), "click", lambda e: chores.hide_error(self.doc))
        on(js.window, "hashchange", lambda e: self.chores.open_fragment(js.location.hash))
        on(self.doc, "keydown", self._key)
        on(dark_query, "change", lambda e: dispatch(ev.set_system_dark, e.matches))
        on(el("copy-link"), "click", lambda e: do.copy_link())
        for kind in ("png", "json", "csv"):
            on(el(f"export-{kind}"), "click", lambda e, kind=kind: do.export(kind))
        on(el("import-file"), "change", lambda e: do.import_file(e.target.files.item(0)))
        on(self.doc, "dragover", lambda e: do.drag(e, True))
        on(self.doc, "dragleave", lambda e: do.drag(e, False))
        on(self.doc, "drop", do.drop)
        on(el("fullscreen"), "click", lambda e: do.toggle_fullscreen())
        on(self.doc, "fullscreenchange", lambda e: do.fullscreen_changed(self.embed_layout))
        on(el("theme-toggle"), "click", lambda e: dispatch(ev.toggle_theme))
        on(el("large-toggle"), "click", lambda e: dispatch(ev.toggle_large))
        on(el("help-button"), "click", lambda e: el("help").showModal())
        on(el("copy-code"), "click", lambda e: do.clipboard(el("numpy-code").textContent, "Code copied."))
        on(js.window, "message", self.host.receive)
        chores.wire_predict(self, dispatch)
        chores.wire_model_view(self, dispatch)

    def _flip(self, switch, event, *args):
        """A switch flipped: in predict mode it may become a "what if" first, so its control is written again."""
        self.dispatch(predict.flip, switch, event, *args)
        for key in ("scale.checked", *(f"kind-{kind}.checked" for kind in ev.KINDS)):
            self._shown.pop(key, None)

    def _queue_edit(self, text, is_context):
        self.pending_edit = (str(text), is_context)
        self._redraw()

    def _key(self, e):
        focus = self.doc.activeElement
        in_explorer = focus is not None and bool(self.element("app").contains(focus))
        modified = bool(e.ctrlKey or e.metaKey or e.altKey)
        action = inputs.key_action(self.state, str(e.key), str(e.target.tagName), in_explorer, modified)
        if action is not None:
            e.preventDefault()
            self.act(action)

    # -- the DOM catches up with the state -----------------------------------------
    def _catch_up(self):
        if self.dom_due:
            self._sync_dom()

    def _catch_up_unless_drawn(self, frames_then):
        """The fallback: if a frame was drawn since, the DOM caught up behind it, and a later change waits for
        its own frame (the canvas first: a real-model pass that ends as this fires must not wait for the DOM)."""
        if self.backend.loop.frames_drawn == frames_then:
            self._catch_up()

    def _sync_dom(self):
        """Send the entries of the page's view that differ from what was written last, in one call."""
        self.dom_due = False
        view = page_view(self.state, computed_of(self.state))
        changed = changed_entries(self._shown, view)
        if changed:
            later = js.window.aeDom.apply(to_js([[*key.rsplit(".", 1), view[key]] for key in changed]))
            for k in later:
                self._shown.pop(changed[int(k)], None)  # the text box the learner is in: written later
        if "arithmetic.hidden" in changed:
            self.arithmetic.shown(not view["arithmetic.hidden"])

    def show_error(self, message, details=None):  # details (a traceback) go to the console
        chores.show_error(self.doc, message, details)

    def element(self, element_id):
        if element_id not in self._elements:
            self._elements[element_id] = self.doc.getElementById(element_id)
        return self._elements[element_id]

    def _redraw(self):
        self.backend.loop.redraw()
        self.backend.request_frame()


def start():
    App(js.document).start()

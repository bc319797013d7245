"""Entry point in the browser: wiring only. DOM events -> ui events -> AppState -> canvas and DOM.

    DOM event ─> ui.inputs / ui.host / ui.params ─> (event, args) ─> new AppState ─┬─> next frame: update, then
                                                                                 │   draw = scene.layout -> scene.draw
                                                                                 └─> right after it: ui.view.page_view
                                                                                     -> write what changed into the DOM

Every decision (what a key does, what a host's message means, what each element
shows) is made in ui/, tested under CPython; this module looks up elements, binds
events, writes the view and does the browser's chores (clipboard, downloads,
fullscreen). It and canvas/browser.py are the only ones that touch `js`. Every
string from the learner goes into the DOM as textContent, never as HTML.
"""

import js

js.performance.mark("ae-main")  # stage marks of a start, before and after our imports (tests/bench/startup.py)

import json
from dataclasses import replace
from functools import lru_cache

from pyodide.ffi import create_once_callable, create_proxy, to_js

from attention.scenario import MAX_JSON_BYTES
from canvas.browser import BrowserBackend
from canvas.runner import run
from scene.colors import palette
from scene.draw import draw_scene
from scene.layout import layout
from scene.timeline import StepAnimation, reveal_progress
from ui import export, host, inputs, predict, real, share
from ui import state as ev
from ui.params import apply_params, split_params
from ui.state import computed_of
from ui.view import page_view

js.performance.mark("ae-imported")

CATCH_UP_MS = 250  # the DOM catches up after the next frame, or after this long if no frame comes
PLAY_HOLD_MS = 900  # Play pauses this long on each stage before moving on
UNSET = object()  # what no view entry equals
themed_palette = lru_cache(maxsize=4)(palette)  # (dark, large) -> Palette


class App:
    """The sketch (setup / update / draw and the pointer hooks) plus the DOM around it."""

    def __init__(self, document):
        self.doc, self.root = document, document.documentElement
        self.state = ev.initial_state()
        self.embedded = js.window.parent != js.window
        self.embed_layout = getattr(self.root.dataset, "embed", None) == "true"
        self.backend = self.anim = self.scene = None
        self.pending_edit = None  # the newest sentence edit, applied at the next frame (coalesces fast typing)
        self.settled_at = None  # when Play's current stage finished its transition
        self.swipe_from = None  # where a touch started, px
        self.after_load = {}  # the link's selection for the real model, applied once its files are in
        self.revealed_at = None  # when predict mode last revealed an answer (frame clock, ms)
        self.downloading = False  # the real model's files are on their way
        self._drawn = None  # (state, picture) of the last frame drawn
        self._shown = {}  # "id.prop" -> the value written there last (ui.view)
        self._elements = {}
        self._in_frame = self._dom_due = False
        self._proxies = []
        self._catch_up_proxy = self._keep(self._catch_up)  # one proxy, reused for every queued catch-up

    # -- start -------------------------------------------------------------------
    def start(self):
        dark = js.window.matchMedia("(prefers-color-scheme: dark)")
        self.state = ev.set_system_dark(self.state, dark.matches)
        params = js.URLSearchParams.new(js.location.search)
        given = {str(k): str(params.get(k)) for k in getattr(js.Array, "from")(params.keys())}
        now, self.after_load = split_params(self.state, given)
        self.state, problems = apply_params(self.state, now)
        self.state = predict.settle(self.state)
        if problems:
            self.show_error("Some of this link's settings were ignored: " + "; ".join(problems) + ".")
        self._open_fragment(js.location.hash)
        self._wire_events(dark)
        self._expose_test_hooks()
        self.backend = BrowserBackend(self.element("canvas"), on_error=self.show_error, on_frame=self._first_frame)
        run(self, self.backend)
        js.performance.mark("ae-started")
        if self.state.model_status == "loading":  # the link asked for the real model
            self._download_model()

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
        self._post(host.message("ready", step=self.state.step, query=self.state.query))

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
            self.scene = layout(computed_of(self.state), predict.drawn(self.state), p.width, p.height, view, pal)
            draw_scene(p, self.scene)
        finally:
            self._in_frame = False
            if self._dom_due:
                js.setTimeout(self._catch_up_proxy, 0)  # the DOM catches up right behind this frame

    def mouse_moved(self, p):
        if self.scene is not None:
            self.dispatch(ev.set_hover, self.scene.hit(p.mouse_x, p.mouse_y))

    def mouse_left(self, p):
        self.dispatch(ev.set_hover, None)

    def mouse_pressed(self, p):
        self.swipe_from = p.mouse_x if p.pointer_type == "touch" else None
        hit = self.scene.hit(p.mouse_x, p.mouse_y) if self.scene is not None else None
        self._act(inputs.press_action(self.state, hit))

    def mouse_released(self, p):
        start, self.swipe_from = self.swipe_from, None
        self._act(inputs.swipe_action(self.state, start, p.mouse_x))

    # -- events -> state ---------------------------------------------------------
    def dispatch(self, event, *args):
        """Apply one event; a refused one (ValueError) is shown and the state stays as it was.

        The canvas shows a change first; the DOM catches up right after that frame (a 32 x 32 table
        and a typeset formula cost more than the frame itself)."""
        try:
            new = predict.settle(event(self.state, *args))
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if new is self.state:
            return
        old, self.state = self.state, new
        if new.scenario is not old.scenario and new.status == old.status:
            self.state = ev.set_status(new, "")  # "Saved ..." belongs to the computation it saved
        if new.predict.revealed and not old.predict.revealed and self.backend is not None:
            self.revealed_at = self.backend.now()  # the reveal moves from the guess to the truth (ui: predict)
        if new.step != old.step and self.anim is not None:
            self.anim.go(new.step, self.backend.now())  # now, not the last frame's time (long gone after a pause)
        for message in host.changes(old, new):
            self._post(message)
        if new.model_status == "loading" and not self.downloading:
            self._download_model()
        if new.awaiting is not None and new.awaiting is not old.awaiting:
            self._fetch_rows(new.awaiting.ids)
        if self.after_load and new.model == "minilm":  # the link's layer, head and query, now that they exist
            pending, self.after_load = self.after_load, {}
            state, problems = apply_params(self.state, pending)
            self.dispatch(lambda _: state)
            if problems:
                self.show_error("Some of this link's settings were ignored: " + "; ".join(problems) + ".")
        self._dom_due = True
        if not self._in_frame and self.backend is not None:
            self._redraw()
            js.setTimeout(self._catch_up_proxy, CATCH_UP_MS)  # in case no frame comes (a hidden page draws none)

    def _act(self, action):  # (event, *args) | "help" | "play" | None
        if action == "help":
            self.element("help").showModal()
        elif action == "play":
            self.dispatch(ev.pause if self.state.playing else ev.play)
        elif action is not None:
            self.dispatch(*action)

    def _wire_events(self, dark_query):
        on, el = self._on, self.element

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
        on(el("play"), "click", lambda e: self._act("play"))
        on(el("close-arithmetic"), "click", lambda e: dispatch(ev.close_cell))
        for radio in self.doc.querySelectorAll('input[name="kind"]'):
            on(radio, "change", lambda e: self._flip(str(e.target.value), ev.set_kind, str(e.target.value)))
        on(el("predict-toggle"), "click", lambda e: self.dispatch(predict.set_mode, not self.state.predict.on))
        on(el("predict-choice"), "change", lambda e: self.dispatch(predict.set_guess, str(e.target.value)))
        on(el("predict-percent"), "input", lambda e: self.dispatch(predict.set_guess, str(e.target.value)))
        on(el("predict-number"), "input", lambda e: self.dispatch(predict.set_guess, str(e.target.value)))
        on(el("predict-reveal"), "click", lambda e: self.dispatch(predict.reveal_answer))
        on(el("predict-next"), "click", lambda e: self.dispatch(predict.next_question))
        on(el("predict-reset"), "click", lambda e: self.dispatch(predict.reset))
        on(self.doc.querySelector('[data-action="dismiss"]'), "click", lambda e: self.hide_error())
        on(js.window, "hashchange", lambda e: self._open_fragment(js.location.hash))
        on(self.doc, "keydown", self._key)
        on(dark_query, "change", lambda e: dispatch(ev.set_system_dark, e.matches))
        on(el("copy-link"), "click", lambda e: self._copy_link())
        on(el("export-png"), "click", lambda e: self.backend.surface.blob("image/png").then(
            self._keep_once(lambda blob: self._save(blob, "attention.png"))))
        on(el("export-json"), "click", lambda e: self._download(
            "attention-scenario.json", export.scenario_json(self.state, computed_of(self.state)), "application/json"))
        on(el("export-csv"), "click", lambda e: self._download(
            "attention-numbers.csv", export.csv_text(computed_of(self.state), self.state), "text/csv"))
        on(el("import-file"), "change", lambda e: self._import(e.target.files.item(0)))
        on(self.doc, "dragover", lambda e: self._drag(e, True))
        on(self.doc, "dragleave", lambda e: self._drag(e, False))
        on(self.doc, "drop", self._drop)
        on(el("fullscreen"), "click", lambda e: self._toggle_fullscreen())
        on(self.doc, "fullscreenchange", lambda e: self._fullscreen_changed())
        on(el("theme-toggle"), "click", lambda e: dispatch(ev.toggle_theme))
        on(el("large-toggle"), "click", lambda e: dispatch(ev.toggle_large))
        on(el("help-button"), "click", lambda e: el("help").showModal())
        on(el("copy-code"), "click", lambda e: self._clipboard(el("numpy-code").textContent, "Code copied."))
        on(js.window, "message", self._message)

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
            self._act(action)

    def _open_fragment(self, fragment):
        fragment = str(fragment or "")
        if "scenario=" in fragment:
            try:
                opened = share.open_fragment(self.state, fragment)
            except ValueError as exc:
                self.show_error(f"This link's scenario could not be opened: {exc}")
                return
            self.dispatch(lambda _: opened)

    # -- a host page (the iframe's parent) may drive the explorer ---------------------
    def _message(self, e):
        """Only messages from the window that embeds us, as JSON data; its mistakes go back to it."""
        if not self.embedded or not getattr(js.Object, "is")(e.source, js.window.parent):
            return
        try:
            data = json.loads(str(js.JSON.stringify(e.data)))
        except Exception:  # noqa: BLE001 - unserialisable or cyclic data is simply not for us
            return
        result = host.read_set(self.state, data)
        if result is None:
            return
        state, problems = result
        self.dispatch(lambda _: state)
        if problems:
            js.console.warn("[attention-explorer] the host page's message was partly ignored: " + "; ".join(problems))
            self._post(host.message("error", problems=problems))

    def _post(self, message):
        if self.embedded:
            js.window.parent.postMessage(to_js(message, dict_converter=js.Object.fromEntries), "*")

    # -- the real model's files, fetched when first asked for ------------------------
    def _download_model(self):
        self.downloading = True

        def progress(received, total):
            self.dispatch(ev.model_progress, f"Downloading the real model: {received / 1e6:.1f} of {total / 1e6:.1f} MB")

        def arrived(files):
            self.dispatch(ev.model_progress, "Preparing the real model…")
            js.setTimeout(self._keep_once(lambda: self._model_arrived(files)), 0)  # show that before the work

        js.window.aeModel.load(self._keep(progress)).then(self._keep_once(arrived), self._keep_once(
            lambda err: self._model_failed(str(getattr(err, "message", err)))))

    def _model_arrived(self, files):
        from attention import model_pack, wordpiece  # noqa: PLC0415 - only once the real model is asked for

        try:
            weights = model_pack.read_pack(str(files.manifest), files.data.to_bytes())
            vocab = wordpiece.load_vocab(str(files.vocab))
        except ValueError as exc:
            self._model_failed(f"its files are damaged ({exc})")
            return
        self.downloading = False
        self.dispatch(ev.model_loaded, real.Loaded(weights, vocab))

    def _fetch_rows(self, ids):
        from attention.model_pack import shard_path  # noqa: PLC0415 - only with the real model

        shards = real.missing_rows(self.state.real, ids)

        def arrived(parts):
            try:
                real.add_rows(self.state.real, {s: bytes(part.to_bytes()) for s, part in zip(shards, parts)})
            except ValueError as exc:
                self._model_failed(f"its files are damaged ({exc})")
                return
            self.dispatch(ev.rows_arrived)

        js.window.aeModel.rows(to_js([shard_path(s) for s in shards])).then(self._keep_once(arrived), self._keep_once(
            lambda err: self._model_failed(str(getattr(err, "message", err)))))

    def _model_failed(self, reason):
        self.downloading = False
        self.dispatch(ev.model_failed, f"{reason}. The designed model keeps working; press Retry to try again.")

    # -- the DOM catches up with the state -----------------------------------------
    def _catch_up(self):
        if self._dom_due:
            try:
                self._sync_dom()
            except Exception as exc:  # noqa: BLE001 - shown, like a fault in any other handler
                self.show_error(f"{type(exc).__name__}: {exc}")

    def _sync_dom(self):
        """Send the entries of the page's view that differ from what was written last, in one call."""
        self._dom_due = False
        view, changed = page_view(self.state, computed_of(self.state)), []
        for key, value in view.items():
            if self._shown.get(key, UNSET) != value:
                changed.append(key)
                self._shown[key] = value
                if key.endswith(".options"):  # new options forget the selection: write it again
                    self._shown.pop(key.removesuffix("options") + "value", None)
        if changed:
            later = js.window.aeDom.apply(to_js([[*key.rsplit(".", 1), view[key]] for key in changed]))
            for k in later:
                self._shown.pop(changed[int(k)], None)  # the text box the learner is in: written later

    # -- the browser's chores: clipboard, files, fullscreen -------------------------
    def _copy_link(self):
        if self.state.model == "minilm":
            url = f"{js.location.origin}{js.location.pathname}?{share.real_model_query(self.state)}"
            self._clipboard(url, "Link copied: it opens the explorer exactly as it is now.", show_on_failure=True)
            return
        fragment = "#" + share.link_fragment(self.state)
        js.history.replaceState(js.undefined, "", fragment)
        url = f"{js.location.origin}{js.location.pathname}{js.location.search}{fragment}"
        self._clipboard(url, "Link copied: it opens the explorer exactly as it is now.", show_on_failure=True)

    def _clipboard(self, text, success, show_on_failure=False):
        def failed(err):
            self.dispatch(ev.set_status, f"Copy this: {text}" if show_on_failure else
                          "The browser did not allow copying.")
        clipboard = getattr(js.navigator, "clipboard", None)
        if clipboard is None:
            failed(None)
        else:
            clipboard.writeText(text).then(self._keep_once(lambda _: self.dispatch(ev.set_status, success)),
                                           self._keep_once(failed))

    def _download(self, filename, text, mime):
        self._save(js.Blob.new(to_js([text]), to_js({"type": mime}, dict_converter=js.Object.fromEntries)), filename)

    def _save(self, blob, filename):
        url = js.URL.createObjectURL(blob)
        link = self.doc.createElement("a")
        link.href, link.download = url, filename
        link.click()
        js.setTimeout(self._keep_once(lambda: js.URL.revokeObjectURL(url)), 1000)
        self.dispatch(ev.set_status, f"Saved {filename}.")

    def _import(self, file):
        if file is None or file == js.undefined:
            return
        name = str(file.name)
        if file.size > MAX_JSON_BYTES:
            self._import_failed(f"{name} is too large for a scenario ({file.size // 1024} KB; the limit is "
                                f"{MAX_JSON_BYTES // 1024} KB).")
        else:
            file.text().then(self._keep_once(lambda text: self._import_text(str(text), name)))

    def _import_text(self, text, name):
        try:
            new = share.open_document(self.state, text)
        except ValueError as exc:
            self._import_failed(f"{name} could not be imported: {exc}")
            return
        self.dispatch(lambda _: ev.set_status(new, f"Imported {name}."))

    def _import_failed(self, message):
        self.dispatch(ev.set_status, "")
        self.show_error(message)

    def _drag(self, e, over):
        e.preventDefault()
        self.doc.body.classList.toggle("dragging", over)

    def _drop(self, e):
        self._drag(e, False)
        files = e.dataTransfer.files if e.dataTransfer else None
        if files and files.length:
            self._import(files.item(0))

    def _toggle_fullscreen(self):
        if self.doc.fullscreenElement:
            self.doc.exitFullscreen()
        else:
            self.root.requestFullscreen().catch(self._keep_once(lambda err: self.show_error(
                f"Fullscreen was refused: {err}")))

    def _fullscreen_changed(self):
        """Fullscreen from an embed uses the full layout; leaving it brings the compact one back."""
        full = bool(self.doc.fullscreenElement)
        self.element("fullscreen").textContent = "Exit fullscreen" if full else "Fullscreen"
        if self.embed_layout:
            self.root.dataset.embed = "false" if full else "true"

    # -- errors -------------------------------------------------------------------
    def show_error(self, message, details=None):
        box = self.doc.querySelector('[data-testid="error"]')
        box.querySelector(".error-text").textContent = str(message)
        box.querySelector('[data-action="retry"]').hidden = True
        box.querySelector('[data-action="dismiss"]').hidden = False
        box.hidden = False
        if details:
            js.console.warn(details)

    def hide_error(self):
        self.doc.querySelector('[data-testid="error"]').hidden = True

    # -- plumbing -----------------------------------------------------------------
    def element(self, element_id):
        if element_id not in self._elements:
            self._elements[element_id] = self.doc.getElementById(element_id)
        return self._elements[element_id]

    def _redraw(self):
        self.backend.loop.redraw()
        self.backend.request_frame()

    def _on(self, target, event, handler):
        """addEventListener with a proxy kept for the page's lifetime; handler errors are shown, not lost."""
        def guarded(e):
            try:
                handler(e)
            except Exception as exc:  # noqa: BLE001 - the app keeps responding
                self.show_error(f"{type(exc).__name__}: {exc}")
        target.addEventListener(event, self._keep(guarded))

    def _keep(self, fn):
        proxy = create_proxy(fn)
        self._proxies.append(proxy)
        return proxy

    def _keep_once(self, fn):
        """A JS callback called at most once (a promise's then/catch); it frees itself."""
        def guarded(*args):
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001
                self.show_error(f"{type(exc).__name__}: {exc}")
        return create_once_callable(guarded)

    def _expose_test_hooks(self):
        """Read-only views for the tests (where things are drawn); more behind ?dev=1 (devtools.py)."""
        hooks = js.Object.new()
        hooks.frames = self._keep(lambda: self.backend.loop.frames_drawn)
        hooks.settled = self._keep(lambda: self.pending_edit is None and not self._dom_due)  # the DOM caught up
        hooks.chipCenter = self._keep(lambda kind, i: to_js(list(self.scene.chip_center(str(kind), int(i)))))
        hooks.cellCenter = self._keep(lambda i, j: to_js(_center(self.scene.grid.cell(int(i), int(j)))))
        hooks.headCenter = self._keep(lambda h: to_js(_center(self.scene.head_rects[int(h)].tolist())))
        js.window.aeView = hooks
        if js.URLSearchParams.new(js.location.search).get("dev") == "1":
            from pyodide.http import open_url  # development only: devtools.py is not in the app archive
            namespace = {"__name__": "devtools"}
            exec(open_url("./dev/devtools.py").read(), namespace)  # noqa: S102 - our own file, same origin
            namespace["install"](self, hooks)


def _center(rect):  # (x, y, w, h) -> [cx, cy]
    x, y, w, h = rect
    return [x + w / 2, y + h / 2]


def start():
    App(js.document).start()

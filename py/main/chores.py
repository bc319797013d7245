"""The browser's chores for main.App: the clipboard, files saved and opened, fullscreen, the real model's
files and its forward pass in steps, the host page's messages, the test hooks.

None of them decides anything: what a link holds, what a file contains and what an import
means are ui.share's and ui.export's; this module moves text and bytes between them and
the browser, and reports the outcome as an event (`ev.set_status`) or an error box.
Like the rest of the main package and canvas/browser.py, it touches `js`, and so runs only in Pyodide.
"""

import json

import js
from pyodide.ffi import create_once_callable, create_proxy, to_js

from attention.scenario import MAX_JSON_BYTES
from ui import export, host, inputs, model_view, predict, share
from ui import state as ev
from ui.params import apply_params
from ui.state import computed_of

LINK_COPIED = "Link copied: it opens the explorer exactly as it is now."


class Callbacks:
    """JS callbacks made from Python functions; a fault in one is shown, never lost."""

    def __init__(self, on_error):
        self.on_error = on_error
        self._proxies = []

    def keep(self, fn):  # a callback kept for the page's lifetime (an event listener, a hook)
        proxy = create_proxy(fn)
        self._proxies.append(proxy)
        return proxy

    def once(self, fn):  # a callback called at most once (a promise's then / catch); it frees itself
        return create_once_callable(self.guarded(fn))

    def on(self, target, event, handler):  # addEventListener
        target.addEventListener(event, self.keep(self.guarded(handler)))

    def guarded(self, fn):
        def call(*args):
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - the app keeps responding
                self.on_error(f"{type(exc).__name__}: {exc}")
        return call


class Chores:
    """Links opened and copied, Export PNG / JSON / CSV, Import (a file chosen or dropped), fullscreen."""

    def __init__(self, app):
        self.app, self.doc, self.js = app, app.doc, app.js
        self._asked_height = None  # px the canvas last asked the compact embed for (ask_height)

    def open_fragment(self, fragment):  # the page's #scenario=... (on load, and when the hash changes)
        fragment = str(fragment or "")
        if "scenario=" in fragment:
            try:
                opened = share.open_fragment(self.app.state, fragment)
            except ValueError as exc:
                self.app.show_error(f"This link's scenario could not be opened: {exc}")
                return
            self.app.dispatch(lambda _: opened)

    def link_problems(self, problems):  # what a link (or its parameters) asked for that the page could not do
        if problems:
            self.app.show_error("Some of this link's settings were ignored: " + "; ".join(problems) + ".")

    def apply_link(self, params):  # the link's layer, head and query, once the real model's files are in
        state, problems = apply_params(self.app.state, params)
        self.app.dispatch(lambda _: state)
        self.link_problems(problems)

    def ask_height(self, need):  # px: the compact embed gives the canvas at least this much (style.css)
        if need != self._asked_height:
            self._asked_height = need
            self.doc.documentElement.style.setProperty("--canvas-need", f"{need:.0f}px")

    def copy_link(self):
        state = self.app.state
        if state.model == "minilm":
            url = f"{js.location.origin}{js.location.pathname}?{share.real_model_query(state)}"
        else:
            fragment = "#" + share.link_fragment(state)
            js.history.replaceState(js.undefined, "", fragment)
            url = f"{js.location.origin}{js.location.pathname}{js.location.search}{fragment}"
        self.clipboard(url, LINK_COPIED, show_on_failure=True)

    def clipboard(self, text, success, show_on_failure=False):
        def failed(_):
            self.app.dispatch(ev.set_status, f"Copy this: {text}" if show_on_failure else
                              "The browser did not allow copying.")
        clipboard = getattr(js.navigator, "clipboard", None)
        if clipboard is None:
            failed(None)
        else:
            clipboard.writeText(text).then(self.js.once(lambda _: self.app.dispatch(ev.set_status, success)),
                                           self.js.once(failed))

    def export(self, kind):  # "png" | "json" | "csv": the buttons under the canvas
        state = self.app.state
        if kind == "png":
            saved = self.js.once(lambda blob: self.save(blob, "attention.png"))
            self.app.backend.surface.blob("image/png").then(saved)
        elif kind == "json":
            self.download("attention-scenario.json", export.scenario_json(state, computed_of(state)), "application/json")
        else:
            self.download("attention-numbers.csv", export.csv_text(computed_of(state), state), "text/csv")

    def download(self, filename, text, mime):
        self.save(js.Blob.new(to_js([text]), to_js({"type": mime}, dict_converter=js.Object.fromEntries)), filename)

    def save(self, blob, filename):
        url = js.URL.createObjectURL(blob)
        link = self.doc.createElement("a")
        link.href, link.download = url, filename
        link.click()
        js.setTimeout(self.js.once(lambda: js.URL.revokeObjectURL(url)), 1000)
        self.app.dispatch(ev.set_status, f"Saved {filename}.")

    def import_file(self, file):
        if file is None or file == js.undefined:
            return
        name = str(file.name)
        if file.size > MAX_JSON_BYTES:
            self._import_failed(f"{name} is too large for a scenario ({file.size // 1024} KB; the limit is "
                                f"{MAX_JSON_BYTES // 1024} KB).")
        else:
            file.text().then(self.js.once(lambda text: self._import_text(str(text), name)))

    def _import_text(self, text, name):
        try:
            new = share.open_document(self.app.state, text)
        except ValueError as exc:
            self._import_failed(f"{name} could not be imported: {exc}")
            return
        self.app.dispatch(lambda _: ev.set_status(new, f"Imported {name}."))

    def _import_failed(self, message):
        self.app.dispatch(ev.set_status, "")
        self.app.show_error(message)

    def drag(self, e, over):
        e.preventDefault()
        self.doc.body.classList.toggle("dragging", over)

    def drop(self, e):
        self.drag(e, False)
        files = e.dataTransfer.files if e.dataTransfer else None
        if files and files.length:
            self.import_file(files.item(0))

    def toggle_fullscreen(self):
        if self.doc.fullscreenElement:
            self.doc.exitFullscreen()
        else:
            self.doc.documentElement.requestFullscreen().catch(self.js.once(lambda err: self.app.show_error(
                f"Fullscreen was refused: {err}")))

    def fullscreen_changed(self, embed_layout):
        """Fullscreen from an embed uses the full layout; leaving it brings the compact one back."""
        full = bool(self.doc.fullscreenElement)
        self.app.element("fullscreen").textContent = "Exit fullscreen" if full else "Fullscreen"
        if embed_layout:
            self.doc.documentElement.dataset.embed = "false" if full else "true"


class ArithmeticFocus:
    """The arithmetic panel where the learner looks: the HTML matrix's cells open it (click, Enter, Space; the
    arrows move between cells, ui.inputs.matrix_key), it scrolls into view with the focus on its title, and
    Close gives the focus back to what opened it."""

    def __init__(self, app):
        self.app, self.doc = app, app.doc
        self.opener = None  # what had the focus when the arithmetic opened

    def matrix_cell(self, e, key):
        cell = e.target.closest("td")
        if cell is None or e.ctrlKey or e.metaKey or e.altKey:
            return
        body = self.app.element("attention-matrix").tBodies.item(0)
        i, j = int(cell.parentElement.sectionRowIndex), int(cell.cellIndex) - 1
        action = inputs.matrix_key(key, i, j, int(body.rows.length), int(cell.parentElement.cells.length) - 1)
        if action is None:
            return
        e.preventDefault()
        e.stopPropagation()  # the page's shortcuts (Space: play, arrows: query) do not see it
        if action[0] == "focus":
            cell.tabIndex = -1
            target = body.rows.item(action[1]).cells.item(action[2] + 1)
            target.tabIndex = 0
            target.focus()
        else:
            self.opener = cell
            self.app.act(inputs.press_action(self.app.state, ("cell", i, j)))

    def shown(self, shown):
        if shown:
            if self.opener is None:
                self.opener = self.doc.activeElement
            self.app.element("arithmetic").scrollIntoView(_options(block="nearest"))
            self.app.element("arithmetic-title").focus(_options(preventScroll=True))
        elif self.opener is not None:
            opener, self.opener = self.opener, None
            if opener.isConnected:
                opener.focus()


def _options(**options):  # -> a JS object {name: value}
    return to_js(options, dict_converter=js.Object.fromEntries)


def wire_predict(app, dispatch):
    """Predict mode's controls: ask, guess, reveal, the next question, start again (ui.predict decides)."""
    on, el, state = app.js.on, app.element, lambda: app.state
    on(el("predict-toggle"), "click", lambda e: dispatch(predict.set_mode, not state().predict.on))
    for guess, event in (("predict-choice", "change"), ("predict-percent", "input"), ("predict-number", "input")):
        on(el(guess), event, lambda e: dispatch(predict.set_guess, str(e.target.value)))
    on(el("predict-reveal"), "click", lambda e: dispatch(predict.reveal_answer))
    on(el("predict-next"), "click", lambda e: dispatch(predict.next_question))
    on(el("predict-reset"), "click", lambda e: dispatch(predict.reset))


def wire_model_view(app, dispatch):
    """The model view's heads preview when the pointer rests on them (ui.model_view.PREVIEW_AFTER_MS) and on
    focus, open on click or Enter; arrows move the focus
    (ui.model_view.moved); the designed-beside-real pairs open side by side."""
    on, el, grid = app.js.on, app.element, app.element("model-view-grid")

    def at(e, event, *fields):  # the event on the element that carries these data-fields, if any
        target = e.target.closest(f"[data-{fields[0]}]")
        if target is not None:
            dispatch(event, *(int(getattr(target.dataset, f)) for f in fields))

    def head_key(e):
        button = e.target.closest("[data-layer]")
        to = button and model_view.moved(int(button.dataset.layer), int(button.dataset.head), str(e.key))
        if to:
            e.preventDefault()
            e.stopPropagation()  # not the explorer's own arrow keys (the query)
            grid.querySelector(f'[data-layer="{to[0]}"][data-head="{to[1]}"]').focus()

    on(el("model-view-toggle"), "click", lambda e: dispatch(ev.toggle_model_view))
    on(el("model-view-close"), "click", lambda e: (dispatch(ev.set_model_view, False),
                                                   el("model-view-toggle").focus()))  # the focus stays near
    resting = {"on": None, "timer": None}  # the head under the pointer, previewed once it rests there

    def rested():
        resting["timer"] = None
        if resting["on"] is not None:
            dispatch(ev.preview_head, *resting["on"])
    rested_proxy = app.js.keep(rested)

    def pointer_over(e):
        target = e.target.closest("[data-layer]")
        resting["on"] = None if target is None else (int(target.dataset.layer), int(target.dataset.head))
        if resting["timer"] is not None:
            js.clearTimeout(resting["timer"])
        resting["timer"] = js.setTimeout(rested_proxy, model_view.PREVIEW_AFTER_MS)

    def pointer_left(e):
        resting["on"] = None
        dispatch(ev.end_preview)

    on(grid, "pointerover", pointer_over)
    on(grid, "focusin", lambda e: at(e, ev.preview_head, "layer", "head"))
    on(grid, "pointerleave", pointer_left)
    on(grid, "focusout", lambda e: None if e.relatedTarget and grid.contains(e.relatedTarget) else
       dispatch(ev.end_preview))
    on(grid, "click", lambda e: at(e, ev.open_head, "layer", "head"))
    on(grid, "keydown", head_key)
    on(el("designed-match"), "click", lambda e: at(e, ev.open_pair, "designed", "layer", "head"))
    on(el("pair"), "close", lambda e: dispatch(ev.close_pair))
    on(el("pair-open-designed"), "click", lambda e: dispatch(ev.open_designed, app.state.pair[0]))
    on(el("pair-open-real"), "click", lambda e: dispatch(ev.open_head, *app.state.pair[1:]))


def show_error(doc, message, details=None):  # the error box: for what the learner did, or a fault
    box = doc.querySelector('[data-testid="error"]')
    box.querySelector(".error-text").textContent = str(message)
    box.querySelector('[data-action="retry"]').hidden = True
    box.querySelector('[data-action="dismiss"]').hidden = False
    box.hidden = False
    if details:
        js.console.warn(details)


def hide_error(doc):
    doc.querySelector('[data-testid="error"]').hidden = True


def expose_test_hooks(app):
    """Read-only views for the tests (where things are drawn); more behind ?dev=1 (web/dev/devtools.py)."""
    keep, hooks = app.js.keep, js.Object.new()
    hooks.frames = keep(lambda: app.backend.loop.frames_drawn)
    hooks.settled = keep(lambda: app.pending_edit is None and app.real_pass.held is None
                         and not app.dom_due)  # the DOM caught up
    hooks.chipCenter = keep(lambda kind, i: to_js(list(app.scene.chip_center(str(kind), int(i)))))
    hooks.cellCenter = keep(lambda i, j: to_js(_center(app.scene.grid.cell(int(i), int(j)))))
    hooks.headCenter = keep(lambda h: to_js(_center(app.scene.head_rects[int(h)].tolist())))
    hooks.matrixCell = keep(lambda name, i, j: to_js(_center(dict(app.scene.matrices)[str(name)].cell(int(i), int(j)))))
    hooks.hover = keep(lambda: to_js(list(app.state.hover or ())))
    js.window.aeView = hooks
    if js.URLSearchParams.new(js.location.search).get("dev") == "1":
        from pyodide.http import open_url  # noqa: PLC0415 - development only: devtools.py is not in the app archive
        namespace = {"__name__": "devtools"}
        exec(open_url("./dev/devtools.py").read(), namespace)  # noqa: S102 - our own file, same origin
        namespace["install"](app, hooks)


def _center(rect):  # (x, y, w, h) -> [cx, cy]
    x, y, w, h = rect
    return [x + w / 2, y + h / 2]


class ModelFiles:
    """The real model's files, fetched when first asked for (web/model-loader.js), turned into a ui.real.Loaded."""

    def __init__(self, app):
        self.app, self.js = app, app.js
        self.downloading = False

    def download(self):
        self.downloading = True
        dispatch = self.app.dispatch

        def progress(received, total):
            dispatch(ev.model_progress, f"Downloading the real model: {received / 1e6:.1f} of {total / 1e6:.1f} MB")

        def arrived(files):
            dispatch(ev.model_progress, "Preparing the real model…")
            js.setTimeout(self.js.once(lambda: self._arrived(files)), 0)  # show that before the work

        js.window.aeModel.load(self.js.keep(progress)).then(self.js.once(arrived), self.js.once(self._failed))

    def _arrived(self, files):
        from attention import model_pack, wordpiece  # noqa: PLC0415 - only once the real model is asked for
        from ui import real  # noqa: PLC0415

        try:
            weights = model_pack.read_pack(str(files.manifest), files.data.to_bytes())
            vocab = wordpiece.load_vocab(str(files.vocab))
        except ValueError as exc:
            self.failed(f"its files are damaged ({exc})")
            return
        self.downloading = False
        self.app.dispatch(ev.model_loaded, real.Loaded(weights, vocab))

    def fetch_rows(self, ids):
        """The embedding rows a sentence needs (attention.model_pack's shards), then `ev.rows_arrived`."""
        from attention.model_pack import shard_path  # noqa: PLC0415 - only with the real model
        from ui import real  # noqa: PLC0415

        loaded = self.app.state.real
        shards = real.missing_rows(loaded, ids)

        def arrived(parts):
            try:
                real.add_rows(loaded, {s: bytes(part.to_bytes()) for s, part in zip(shards, parts)})
            except ValueError as exc:
                self.failed(f"its files are damaged ({exc})")
                return
            self.app.dispatch(ev.rows_arrived)

        js.window.aeModel.rows(to_js([shard_path(s) for s in shards])).then(self.js.once(arrived),
                                                                            self.js.once(self._failed))

    def _failed(self, err):
        self.failed(str(getattr(err, "message", err)))

    def failed(self, reason):
        self.downloading = False
        self.app.dispatch(ev.model_failed, f"{reason}. The designed model keeps working; press Retry to try again.")


class HostPage:
    """The window that embeds the explorer (an iframe's parent): its messages in, ours out (ui.host)."""

    def __init__(self, app):
        self.app = app
        self.embedded = js.window.parent != js.window

    def receive(self, e):
        """Only messages from the window that embeds us, as JSON data; its mistakes go back to it."""
        if not self.embedded or not getattr(js.Object, "is")(e.source, js.window.parent):
            return
        try:
            data = json.loads(str(js.JSON.stringify(e.data)))
        except Exception:  # noqa: BLE001 - unserialisable or cyclic data is simply not for us
            return
        result = host.read_set(self.app.state, data)
        if result is None:
            return
        state, problems, later = result
        self.app.after_load.update(later)  # the real model's layer, head and query, once its files are in
        self.app.dispatch(lambda _: state)
        if problems:
            js.console.warn("[attention-explorer] the host page's message was partly ignored: " + "; ".join(problems))
            self.post(host.message("error", problems=problems))

    def post(self, message):
        if self.embedded:
            js.window.parent.postMessage(to_js(message, dict_converter=js.Object.fromEntries), "*")


class RealPass:
    """The real model's forward pass on a new sentence, a few steps per task (ui.real.Pass), so the page keeps
    responding: the change that needs it is held (the last sentence stays drawn, the status says which layer)
    and applied once the pass is done; a newer sentence drops an unfinished pass."""

    TASK_S = 0.075  # each task runs steps for about this long, no more

    def __init__(self, app):
        self.app = app
        self.held = None  # (event, args, ui.real.Pass): a change shown once its sentence is computed
        self._due = False
        self._proxy = app.js.keep(self._task)

    def hold(self, event, args, new):
        from ui import real  # noqa: PLC0415 - only with the real model

        job = self.held[2] if self.held is not None and self.held[2].ids == new.pieces.ids else None
        if job is None:  # a new sentence: the unfinished pass of the last one is dropped
            job = real.Pass(new.real, new.pieces.ids, new.pieces, new.text)
        self.held = (event, args, job)
        if event is not ev.rows_arrived:  # a newer sentence than one still fetching its rows, which is not shown
            self.app.dispatch(ev.drop_awaited)
        self.app.dispatch(ev.set_computing, real.pass_status(job))  # first: the status is written before the work
        self._next_task()

    def check(self, event, args, old, new):  # -> new, or None while it waits for its sentence's forward pass
        from ui import real  # noqa: PLC0415 - only with the real model

        if real.needs_pass(new):
            self.hold(event, args, new)
            return None
        if self.held is not None and (new.model != old.model or new.model == "minilm" and new.text != old.text):
            self.held = None  # a newer sentence already computed (or the other model) replaces the one held
            return ev.set_computing(new, "")
        return new

    def _next_task(self):
        if not self._due:
            self._due = True
            js.setTimeout(self._proxy, 0)

    def _task(self):
        from ui import real  # noqa: PLC0415

        self._due = False
        if self.held is None:
            return
        event, args, job = self.held
        try:
            job.advance(self.TASK_S)
        except Exception as exc:  # noqa: BLE001 - shown, like a fault in any other handler; the last sentence stays
            self.held = None
            self.app.dispatch(ev.set_computing, "")
            self.app.show_error(f"{type(exc).__name__}: {exc}")
            return
        if not job.done:
            self.app.dispatch(ev.set_computing, real.pass_status(job))
            self._next_task()
            return
        self.held = None
        self.app.dispatch(ev.set_computing, "")
        self.app.dispatch(event, *args)  # now computed: the change applies to the state as it is now

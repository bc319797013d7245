"""Entry point in the browser: wires DOM events -> AppState -> scene -> canvas.

    DOM event ──> ui.state event ──> new AppState ──┬─> sync the HTML mirror (ui.panels -> textContent)
                                                    └─> redraw: compute -> scene.layout -> scene.draw -> canvas

This module and canvas/browser.py are the only ones that touch `js`. Every
string from the learner goes into the DOM as textContent, never as HTML.
"""

import math
from dataclasses import replace

import json

import js
from pyodide.ffi import create_once_callable, create_proxy, to_js

from attention.presets import PRESETS, get_preset
from attention.scenario import MAX_JSON_BYTES, STEPS, from_fragment, to_fragment
from canvas.browser import BrowserBackend
from canvas.runner import run
from scene.colors import palette
from scene.draw import draw_scene
from scene.layout import layout
from scene.timeline import StepAnimation
from ui import export, panels
from ui import state as ev
from ui.params import apply_params
from ui.state import compute

CATCH_UP_MS = 250  # the DOM catches up after the next frame, or after this long if no frame comes
PLAY_HOLD_MS = 900  # Play pauses this long on each stage before moving on
SWIPE_PX = 50  # a horizontal touch drag longer than this changes the step
MESSAGE_TYPE = "attention-explorer:"  # prefix of postMessage types, both ways


class App:
    """The sketch (setup/draw/mouse hooks) plus the DOM around it."""

    def __init__(self, document):
        self.doc = document
        self.el = {name: document.getElementById(name) for name in (
            "sentence", "context", "preset", "preset-note", "token-count", "sentence-message", "prev", "play", "next",
            "step", "overlay",
            "stage-title", "formula", "stage-text", "query", "head", "head-explanation", "beams", "scale",
            "temperature", "temperature-value", "entropy", "weights-caption", "head-output", "output-vector",
            "arithmetic", "arithmetic-lines", "close-arithmetic", "attention-matrix", "matrix-head", "qkv-table",
            "canvas", "live", "copy-link", "export-png", "export-json", "export-csv", "import-file", "fullscreen",
            "theme-toggle", "large-toggle", "help-button", "help", "share-status", "numpy-code", "copy-code",
            "open-full")}
        self.state = ev.initial_state()
        self.shown = {}  # panel name -> the key it was last drawn for, so unchanged panels are left alone
        self.pending_edit = None  # the newest sentence edit, applied at the next frame (coalesces fast typing)
        self.scene = None
        self._drawn = None  # (state, (view, width, height, palette)) of the last frame drawn
        self.settled_at = None
        self.backend = None
        self.anim = None
        self.root = document.documentElement
        self.embedded = js.window.parent != js.window
        self.swipe_from = None
        self._cache = {}  # per-frame values that change rarely: the trace, the palette
        self._in_frame = False  # inside draw()
        self._dom_due = False  # the state changed and the DOM has not caught up yet (see dispatch)
        self._catch_up_proxy = create_proxy(self._catch_up)  # one proxy, reused for every queued catch-up
        self._dark = None  # the theme the page shows; None = follow the system
        self._look = None  # (dark, large) as last shown on the buttons
        self._proxies = []

    # -- start -------------------------------------------------------------------
    def start(self):
        self._load_params()
        self._load_fragment(js.location.hash)
        self._fill_presets()
        self._wire_events()
        self._expose_test_hooks()
        self.backend = BrowserBackend(self.el["canvas"], on_error=self.show_error, on_frame=self._first_frame)
        run(self, self.backend)

    def setup(self, p):
        self.anim = StepAnimation(self.state.scenario.step, reduced_motion=p.reduced_motion)
        self.sync_dom()

    def _first_frame(self):
        js.window.aeShell.ready()
        for element in self.doc.querySelectorAll("main [disabled]"):
            element.disabled = False
        self.el["fullscreen"].hidden = not self.doc.fullscreenEnabled
        self.backend.on_frame = lambda: None
        self._post("ready", step=self.state.scenario.step, query=self.state.scenario.query)

    # -- the render loop ---------------------------------------------------------
    def draw(self, p):
        self._in_frame = True
        try:
            return self._draw(p)
        finally:
            self._in_frame = False
            self._after_frame()

    def _draw(self, p):
        now = p.millis()
        if self.pending_edit is not None:
            text, is_context, self.pending_edit = *self.pending_edit, None
            self.dispatch(ev.edit_sentence, text, is_context)
        self._advance_play(now)
        self.backend.loop.looping = self.anim.running(now) or self.state.playing
        view, pal = self.anim.view(now), self._palette()
        picture = (view, p.width, p.height, pal)
        if (not p.redraw_requested and self._drawn is not None and self._drawn[0] is self.state
                and self._drawn[1] == picture):
            return False  # Play holding a stage: the same picture as the last frame
        self._drawn = (self.state, picture)
        self.scene = layout(self._computed(), self.state, p.width, p.height, view, pal)
        draw_scene(p, self.scene)

    def _computed(self):
        """The trace of the current scenario; compute() is called only when the scenario changed."""
        if self._cache.get("scenario") is not self.state.scenario:
            self._cache["scenario"] = self.state.scenario
            self._cache["computed"] = compute(self.state.scenario)
        return self._cache["computed"]

    def _palette(self):
        """Colours for the current theme, rebuilt only when the theme changes."""
        key = self._look  # set by _view_buttons, which sync_dom calls before the first frame
        if self._cache.get("palette key") != key:
            self._cache["palette key"] = key
            self._cache["palette"] = palette(*key)
        return self._cache["palette"]

    def _advance_play(self, now):
        """Play: hold each stage for a moment after its transition, then go on; stop at the last."""
        if not self.state.playing or self.anim.running(now):
            self.settled_at = None
            return
        if self.settled_at is None:
            self.settled_at = now
        if self.state.scenario.step >= STEPS - 1:
            self.dispatch(ev.pause)
        elif now - self.settled_at >= PLAY_HOLD_MS:
            self.settled_at = None
            self.dispatch(ev.set_step, self.state.scenario.step + 1)

    def mouse_moved(self, p):
        if self.scene is not None:
            self.dispatch(ev.set_hover, self.scene.hit(p.mouse_x, p.mouse_y))

    def mouse_left(self, p):
        self.dispatch(ev.set_hover, None)

    def mouse_released(self, p):
        """On touch screens a horizontal swipe across the picture changes the step."""
        start, self.swipe_from = self.swipe_from, None
        if start is not None and abs(p.mouse_x - start) > SWIPE_PX:
            self.dispatch(ev.set_step, self.state.scenario.step + (1 if p.mouse_x < start else -1))

    def mouse_pressed(self, p):
        self.swipe_from = p.mouse_x if p.pointer_type == "touch" else None
        hit = self.scene.hit(p.mouse_x, p.mouse_y) if self.scene is not None else None
        if hit is None:
            return
        if hit[0] == "query":
            self.dispatch(ev.select_query, hit[1])
        elif hit[0] == "key":
            self.dispatch(ev.select_cell, self.state.scenario.query, hit[1])
        elif hit[0] == "cell":
            self.dispatch(ev.select_cell, hit[1], hit[2])
        elif hit[0] == "head":
            self.dispatch(ev.select_head, hit[1])

    # -- events -> state ---------------------------------------------------------
    def dispatch(self, event, *args):
        """Apply one event; a refused one (ValueError) is shown and the state stays as it was.

        The canvas shows a change first, the DOM (controls, tables, text) catches up right after that
        frame: filling a 32 x 32 table, laying it out and typesetting the formula cost more than the
        frame itself, and in front of it they would make the learner wait for the picture. Typing and
        Play's steps are applied inside a frame; everything else asks for one."""
        try:
            new = event(self.state, *args)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if new is self.state:
            return
        old, self.state = self.state, new
        if new.scenario.step != old.scenario.step:
            if self.anim is not None:
                # now, not the last frame's time: after a pause that frame is long gone, and a
                # transition that started then would already be over (a jump, not an animation)
                self.anim.go(new.scenario.step, self.backend.now() if self.backend else 0.0)
            self._post("step-changed", step=new.scenario.step)
        if new.scenario.query != old.scenario.query or new.tokens != old.tokens:
            self._post("query-changed", query=new.scenario.query, token=new.tokens[new.scenario.query])
        self._dom_due = True
        if not self._in_frame and self.backend is not None:
            self.backend.loop.redraw()
            self.backend.request_frame()
            js.setTimeout(self._catch_up_proxy, CATCH_UP_MS)  # in case no frame comes (a hidden page draws none)

    def _wire_events(self):
        on = self._on
        on(self.el["sentence"], "input", lambda e: self._queue_edit(e.target.value, False))
        on(self.el["context"], "input", lambda e: self._queue_edit(e.target.value, True))
        on(self.el["preset"], "change", lambda e: e.target.value and self.dispatch(ev.load_preset, e.target.value))
        on(self.el["query"], "change", lambda e: self.dispatch(ev.select_query, int(e.target.value)))
        on(self.el["head"], "change", lambda e: self.dispatch(ev.select_head, int(e.target.value)))
        on(self.el["beams"], "change", lambda e: self.dispatch(ev.set_beams, e.target.value))
        on(self.el["scale"], "change", lambda e: self.dispatch(ev.set_scale, bool(e.target.checked)))
        on(self.el["overlay"], "change", lambda e: self.dispatch(ev.set_overlay, bool(e.target.checked)))
        on(self.el["temperature"], "input",
           lambda e: self.dispatch(ev.set_temperature, 10 ** float(e.target.value)))
        on(self.el["step"], "input", lambda e: self.dispatch(ev.set_step, int(e.target.value)))
        on(self.el["prev"], "click", lambda e: self.dispatch(ev.set_step, self.state.scenario.step - 1))
        on(self.el["next"], "click", lambda e: self.dispatch(ev.set_step, self.state.scenario.step + 1))
        on(self.el["play"], "click", lambda e: self._toggle_play())
        on(self.el["close-arithmetic"], "click", lambda e: self.dispatch(ev.close_cell))
        for radio in self.doc.querySelectorAll('input[name="kind"]'):
            on(radio, "change", lambda e: self.dispatch(ev.set_kind, e.target.value))
        on(self.doc.querySelector('[data-action="dismiss"]'), "click", lambda e: self.hide_error())
        on(js.window, "hashchange", lambda e: self._load_fragment(js.location.hash))
        on(self.doc, "keydown", self._key)
        on(js.window.matchMedia("(prefers-color-scheme: dark)"), "change", lambda e: self._system_theme(e.matches))
        on(self.el["copy-link"], "click", lambda e: self._copy_link())
        on(self.el["export-png"], "click", lambda e: self._export_png())
        on(self.el["export-json"], "click",
           lambda e: self._download("attention-scenario.json", export.scenario_json(self.state), "application/json"))
        on(self.el["export-csv"], "click", lambda e: self._download(
            "attention-numbers.csv", export.csv_text(compute(self.state.scenario), self.state), "text/csv"))
        on(self.el["import-file"], "change", lambda e: self._import(e.target.files.item(0)))
        on(self.doc, "dragover", lambda e: self._drag(e, True))
        on(self.doc, "dragleave", lambda e: self._drag(e, False))
        on(self.doc, "drop", self._drop)
        on(self.el["fullscreen"], "click", lambda e: self._toggle_fullscreen())
        on(self.doc, "fullscreenchange", lambda e: self._fullscreen_label())
        on(self.el["theme-toggle"], "click", lambda e: self._toggle_view("theme"))
        on(self.el["large-toggle"], "click", lambda e: self._toggle_view("large"))
        on(self.el["help-button"], "click", lambda e: self.el["help"].showModal())
        on(self.el["copy-code"], "click", lambda e: self._clipboard(self.el["numpy-code"].textContent, "Code copied."))
        on(js.window, "message", self._message)

    def _on(self, target, event, handler):
        """addEventListener with a proxy kept for the page's lifetime; handler errors are shown, not lost."""
        def guarded(e):
            try:
                handler(e)
            except Exception as exc:  # noqa: BLE001 - the app keeps responding
                self.show_error(f"{type(exc).__name__}: {exc}")
        proxy = create_proxy(guarded)
        self._proxies.append(proxy)
        target.addEventListener(event, proxy)

    def _queue_edit(self, text, is_context):
        self.pending_edit = (str(text), is_context)
        self.backend.loop.redraw()
        self.backend.request_frame()

    def _toggle_play(self):
        self.dispatch(ev.pause if self.state.playing else ev.play)

    def _key(self, e):
        """Keyboard: ←/→ query, [ ] or PageUp/PageDown step, Space play/pause, h next head."""
        tag = str(e.target.tagName)
        if tag in ("INPUT", "SELECT", "TEXTAREA") or e.ctrlKey or e.metaKey or e.altKey:
            return
        key = str(e.key)
        actions = {
            "ArrowLeft": (ev.move_query, -1), "ArrowRight": (ev.move_query, 1),
            "[": (ev.set_step, self.state.scenario.step - 1), "PageUp": (ev.set_step, self.state.scenario.step - 1),
            "]": (ev.set_step, self.state.scenario.step + 1), "PageDown": (ev.set_step, self.state.scenario.step + 1),
            "h": (ev.cycle_head,), "H": (ev.cycle_head,),
        }
        if key == "?":
            e.preventDefault()
            self.el["help"].showModal()
        elif key == " " and tag != "BUTTON":
            e.preventDefault()
            self._toggle_play()
        elif key in actions:
            e.preventDefault()
            self.dispatch(*actions[key])

    def _load_fragment(self, fragment):
        fragment = str(fragment or "")
        if "scenario=" not in fragment:
            return
        try:
            self.dispatch(ev.load_scenario, from_fragment(fragment))
        except ValueError as exc:
            self.show_error(f"This link's scenario could not be opened: {exc}")

    def _load_params(self):
        params = js.URLSearchParams.new(js.location.search)
        given = {str(k): str(params.get(k)) for k in getattr(js.Array, "from")(params.keys())}
        self.state, problems = apply_params(self.state, given)
        if problems:
            self.show_error("Some of this link's settings were ignored: " + "; ".join(problems) + ".")
        self.el["open-full"].href = "./index.html" + str(js.location.hash)

    def _system_theme(self, dark):
        self._dark = bool(dark)
        self._view_buttons()
        self._redraw()

    def _redraw(self):
        self.backend.loop.redraw()
        self.backend.request_frame()

    # -- view options: theme and large text live on <html> as data attributes ----------
    @property
    def dark(self):
        theme = getattr(self.root.dataset, "theme", None)
        if theme in ("light", "dark"):
            return theme == "dark"
        if self._dark is None:  # the system's preference, read once and kept up to date by a listener
            self._dark = bool(js.window.matchMedia("(prefers-color-scheme: dark)").matches)
        return self._dark

    @property
    def large(self):
        return getattr(self.root.dataset, "large", None) == "true"

    def _toggle_view(self, which):
        if which == "theme":
            self.root.dataset.theme = "light" if self.dark else "dark"
        else:
            self.root.dataset.large = "false" if self.large else "true"
        self._view_buttons()
        self._redraw()

    def _view_buttons(self):
        """Show the theme and text size on their buttons; note them for the render loop (no DOM reads per frame)."""
        self._look = (self.dark, self.large)
        self.el["theme-toggle"].setAttribute("aria-pressed", "true" if self.dark else "false")
        self.el["large-toggle"].setAttribute("aria-pressed", "true" if self.large else "false")

    def _toggle_fullscreen(self):
        if self.doc.fullscreenElement:
            self.doc.exitFullscreen()
            return
        promise = self.root.requestFullscreen()
        promise.catch(self._keep_once(lambda err: self.show_error(f"Fullscreen was refused: {err}")))

    def _fullscreen_label(self):
        self.el["fullscreen"].textContent = "Exit fullscreen" if self.doc.fullscreenElement else "Fullscreen"

    # -- sharing, export, import ----------------------------------------------------
    def _copy_link(self):
        fragment = "#" + to_fragment(self.state.scenario)
        js.history.replaceState(js.undefined, "", fragment)
        url = f"{js.location.origin}{js.location.pathname}{js.location.search}{fragment}"
        self._clipboard(url, "Link copied: it opens the explorer exactly as it is now.", show_on_failure=True)

    def _clipboard(self, text, success, show_on_failure=False):
        status = self.el["share-status"]

        def failed(err):
            status.textContent = f"Copy this: {text}" if show_on_failure else "The browser did not allow copying."

        clipboard = getattr(js.navigator, "clipboard", None)
        if clipboard is None:
            failed(None)
            return
        clipboard.writeText(text).then(self._keep_once(lambda _: setattr(status, "textContent", success)),
                                       self._keep_once(failed))

    def _download(self, filename, text, mime):
        self._save(js.Blob.new(to_js([text]), to_js({"type": mime}, dict_converter=js.Object.fromEntries)), filename)

    def _export_png(self):
        self.backend.surface.blob("image/png").then(self._keep_once(lambda blob: self._save(blob, "attention.png")))

    def _save(self, blob, filename):
        url = js.URL.createObjectURL(blob)
        link = self.doc.createElement("a")
        link.href, link.download = url, filename
        link.click()
        js.setTimeout(self._keep_once(lambda: js.URL.revokeObjectURL(url)), 1000)
        self.el["share-status"].textContent = f"Saved {filename}."

    def _import(self, file):
        if file is None or file == js.undefined:
            return
        if file.size > MAX_JSON_BYTES:
            self.show_error(f"{file.name} is too large for a scenario ({file.size // 1024} KB; the limit is "
                            f"{MAX_JSON_BYTES // 1024} KB).")
            return
        file.text().then(self._keep_once(lambda text: self._import_text(str(text), str(file.name))))

    def _import_text(self, text, name):
        try:
            new = ev.load_scenario(self.state, text)
        except ValueError as exc:
            self.show_error(f"{name} could not be imported: {exc}")
            return
        self.dispatch(lambda _: new)
        self.el["share-status"].textContent = f"Imported {name}."

    def _drag(self, e, over):
        e.preventDefault()
        self.doc.body.classList.toggle("dragging", over)

    def _drop(self, e):
        e.preventDefault()
        self.doc.body.classList.remove("dragging")
        files = e.dataTransfer.files if e.dataTransfer else None
        if files and files.length:
            self._import(files.item(0))

    # -- a host page (the iframe's parent) may drive the explorer ---------------------
    def _message(self, e):
        """Accept only messages from the window that embeds us, as JSON data, validated field by field."""
        if not self.embedded or not getattr(js.Object, "is")(e.source, js.window.parent):
            return
        try:
            data = json.loads(str(js.JSON.stringify(e.data)))
        except Exception:  # noqa: BLE001 - unserialisable or cyclic data is simply not for us
            return
        if not isinstance(data, dict) or data.get("type") != MESSAGE_TYPE + "set":
            return
        if "scenario" in data:
            self._import_text(json.dumps(data["scenario"]) if not isinstance(data["scenario"], str)
                              else data["scenario"], "The host page's scenario")
        params = {k: str(data[k]) for k in ("preset", "type", "query", "head", "step") if k in data}
        state, problems = apply_params(self.state, params)
        self.dispatch(lambda _: state)
        if problems:
            self.show_error("The host page sent settings that were ignored: " + "; ".join(problems) + ".")

    def _post(self, kind, **fields):
        if self.embedded:
            message = to_js({"type": MESSAGE_TYPE + kind, **fields}, dict_converter=js.Object.fromEntries)
            js.window.parent.postMessage(message, "*")

    # -- the HTML mirror ---------------------------------------------------------
    def _sync_tables(self):
        """The big HTML tables (the full matrix, Q/K/V) and the NumPy code: only what changed."""
        s, st = self.state, self.state.scenario
        computed = compute(st)
        if self._changed("matrix", replace(st, query=0, step=0)):
            table = self.el["attention-matrix"]
            self._header(table, ["query \\ key", *s.key_tokens])
            self._rows(table, panels.matrix_rows(computed.trace.weights[st.head], s.tokens))
            self.el["matrix-head"].textContent = f"head {st.head + 1}: {computed.head_names[st.head]}"
        # Q, K and V do not depend on the mask, the scaling or the temperature
        if self._changed("qkv", replace(st, query=0, step=0, mask="none", scale=True, temperature=1.0)):
            self._rows(self.el["qkv-table"], panels.qkv_rows(computed, s))
        if self._changed("numpy", st, s.key_tokens):
            self.el["numpy-code"].textContent = export.numpy_code(computed, s)

    def _after_frame(self):
        """The DOM catches up in a task queued right behind the frame just drawn (see dispatch)."""
        if self._dom_due:
            js.setTimeout(self._catch_up_proxy, 0)

    def _catch_up(self):
        if not self._dom_due:
            return
        try:
            self.sync_dom()
        except Exception as exc:  # noqa: BLE001 - shown, like a fault in any other handler
            self.show_error(f"{type(exc).__name__}: {exc}")

    def sync_dom(self):
        """Bring every control, panel and table in line with the state, touching only what changed."""
        self._dom_due = False
        s, st = self.state, self.state.scenario
        computed = compute(st)
        changed = self._changed
        if changed("sentence", s.text, s.context_text, s.message):
            self._set_value(self.el["sentence"], s.text)
            self._set_value(self.el["context"], s.context_text)
            self.el["sentence-message"].textContent = s.message
            self.el["token-count"].textContent = f"{len(s.tokens)} / 32 tokens" + (
                f" · {len(s.key_tokens)} source" if s.kind == "cross" else "")
        if changed("kind", s.kind):
            self.doc.querySelector(".context-field").hidden = s.kind != "cross"
            for radio in self.doc.querySelectorAll('input[name="kind"]'):
                radio.checked = radio.value == s.kind
        self.el["preset"].value = s.preset or ""
        self.el["preset-note"].textContent = get_preset(s.preset).description if s.preset else ""
        if changed("query-options", s.tokens):
            self._options(self.el["query"], [(str(i), f"{i + 1}. {t}") for i, t in enumerate(s.tokens)])
        self.el["query"].value = str(st.query)
        if changed("head-options", computed.head_names):
            self._options(self.el["head"], [(str(h), f"{h + 1}. {name}") for h, name in enumerate(computed.head_names)])
        self.el["head"].value = str(st.head)
        self.el["head-explanation"].textContent = computed.head_explanations[st.head]
        self.el["beams"].value = s.beams
        self.el["scale"].checked = st.scale
        self.el["overlay"].checked = s.overlay
        self.el["temperature"].value = str(math.log10(st.temperature))
        self.el["temperature-value"].textContent = f"{st.temperature:.2f}"
        self.el["temperature"].setAttribute("aria-valuetext", f"{st.temperature:.2f}")
        if changed("step", st.step):
            title, text = panels.STAGE_TEXT[st.step]
            self.el["step"].value = str(st.step)
            self.el["step"].setAttribute("aria-valuetext", f"{st.step + 1} of {STEPS}: {title}")
            self.el["stage-title"].textContent = f"{st.step + 1}. {title}"
            self.el["stage-text"].textContent = text
            self.el["prev"].disabled = st.step == 0
            self.el["next"].disabled = st.step == STEPS - 1
        tex = panels.formula(st.step, st.scale, st.temperature)
        if changed("formula", tex):  # typeset only when it reads differently (dragging the temperature mostly not)
            self._formula(tex)
        self.el["play"].textContent = "❚❚ Pause" if s.playing else "▶ Play"
        self.el["play"].setAttribute("aria-label", "Pause" if s.playing else "Play")
        if changed("detail", st, s.key_tokens):
            self._rows(self.el["weights-caption"].parentElement, panels.weights_rows(computed, s))
            self.el["weights-caption"].textContent = (
                f"Where '{s.tokens[st.query]}' looks, head {st.head + 1} ({computed.head_names[st.head]})")
            self.el["head-output"].textContent = panels.head_output_text(computed, s)
            self.el["output-vector"].textContent = panels.output_text(computed, s)
            self.el["entropy"].textContent = panels.entropy_text(computed, s)
        if changed("arithmetic", st, s.cell):
            lines = panels.arithmetic_lines(computed, s)
            self.el["arithmetic"].hidden = not lines
            self._list(self.el["arithmetic-lines"], lines)
        self._sync_tables()
        self._view_buttons()
        narration = panels.narration(computed, s)
        if changed("narration", narration):
            self.el["live"].textContent = narration
            self.el["canvas"].setAttribute("aria-label", f"Attention visualisation. {narration}")

    def _changed(self, name, *key):
        if self.shown.get(name) == key:
            return False
        self.shown[name] = key
        return True

    def _set_value(self, element, value):
        if str(element.value) != value and self.doc.activeElement != element:
            element.value = value

    def _options(self, select, options):
        js.window.aeDom.fillOptions(select, to_js([list(o) for o in options]))

    def _header(self, table, labels):
        js.window.aeDom.fillHeader(table.tHead, to_js(list(labels)))

    def _rows(self, table, rows):
        """Replace a table's body: the first cell of each row is its header."""
        js.window.aeDom.fillRows(table.tBodies[0], to_js([list(r) for r in rows]))

    def _list(self, ol, lines):
        js.window.aeDom.fillList(ol, to_js(list(lines)))

    def _formula(self, tex):
        target = self.el["formula"]
        katex = getattr(js.window, "katex", None)
        if katex is None:
            target.textContent = tex
            return
        katex.render(tex, target, to_js({"throwOnError": False, "displayMode": False}, dict_converter=js.Object.fromEntries))

    def _fill_presets(self):
        self._options(self.el["preset"], [("", "Choose an example…")] + [(p.id, p.title) for p in PRESETS])

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

    # -- hooks for tests and the benchmark (read-only, but for breakOnce) ---------------
    def _expose_test_hooks(self):
        hooks = js.Object.new()
        hooks.frames = self._keep(lambda: self.backend.loop.frames_drawn)
        hooks.settled = self._keep(lambda: self.pending_edit is None and not self._dom_due)  # the DOM caught up
        hooks.chipCenter = self._keep(lambda kind, i: to_js(list(self.scene.chip_center(str(kind), int(i)))))
        hooks.cellCenter = self._keep(lambda i, j: to_js(self._cell_center(int(i), int(j))))
        hooks.headCenter = self._keep(lambda h: to_js(self._head_center(int(h))))
        hooks.timeEngine = self._keep(lambda n, heads, repeats: _time_engine(int(n), int(heads), int(repeats)))
        hooks.wasmBytes = self._keep(_wasm_bytes)
        hooks.breakOnce = self._keep(lambda where: self._break_once(str(where)))
        js.window.aeView = hooks

    def _break_once(self, where):
        """Test hook: the next draw() ("draw") or state change ("event") raises, as a bug in it would."""
        method = {"draw": "draw", "event": "dispatch"}[where]

        def broken(*args, **kwargs):
            delattr(self, method)  # the class's method is back for the next call
            raise RuntimeError(f"a fault injected into {method}() by a test")
        setattr(self, method, broken)
        if where == "draw":
            self._redraw()

    def _cell_center(self, i, j):
        """Where the heatmap shows weight (i, j), in canvas px (only at the Scores and Softmax steps)."""
        x, y, w, h = self.scene.grid.cell(i, j)
        return [x + w / 2, y + h / 2]

    def _head_center(self, h):
        """Where head h's small multiple is drawn (Softmax step with every head shown), in canvas px."""
        x, y, w, height = self.scene.head_rects[h].tolist()
        return [x + w / 2, y + height / 2]

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


def _time_engine(n, heads, repeats, d_model=64):
    """Milliseconds per attention_trace of n tokens x heads (causal, random weights), here in Pyodide."""
    import time

    import numpy as np

    from attention.core import attention_trace

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d_model))
    w_q, w_k, w_v = (rng.normal(size=(d_model, d_model)) / 8 for _ in range(3))
    start = time.perf_counter()
    for _ in range(repeats):
        attention_trace(x, w_q, w_k, w_v, heads=heads, mask="causal")
    return (time.perf_counter() - start) * 1000 / repeats


def _wasm_bytes():
    """Size of Pyodide's WebAssembly memory (it only grows), for the soak benchmark."""
    import pyodide_js

    return int(pyodide_js._module.HEAP8.length)


def start():
    App(js.document).start()

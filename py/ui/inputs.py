"""Keys and pointer gestures -> events on the state: which key or tap does what.

main/ reads the browser's event (key, where the focus is, where the pointer is)
and asks these functions what it means; an answer is `(event, *args)` for
`ui.state`, a command the page itself carries out ("help", "play"), or None.
"""

from attention.scenario import STEPS
from ui import predict
from ui import state as ev

SWIPE_PX = 50  # a horizontal touch drag longer than this changes the step
FORM_FIELDS = ("INPUT", "SELECT", "TEXTAREA")  # keys typed there belong to the field


def key_action(state, key, focus_tag, in_explorer, modified=False):  # -> (event, *args) | "help" | "play" | None
    """Shortcuts, only while the explorer has the focus: with nothing focused, PageDown and Space scroll the page.

    ←/→ query, [ ] or PageUp/PageDown step, Space play/pause, h next head, ? help."""
    if not in_explorer or focus_tag in FORM_FIELDS or modified:
        return None
    if key == "?":
        return "help"
    if key == " ":
        return None if focus_tag == "BUTTON" else "play"  # Space on a button presses the button
    back, forward = (ev.set_step, max(state.step - 1, 0)), (ev.set_step, min(state.step + 1, STEPS - 1))
    return {
        "ArrowLeft": (ev.move_query, -1), "ArrowRight": (ev.move_query, 1),
        "[": back, "PageUp": back, "]": forward, "PageDown": forward,
        "h": (ev.cycle_head,), "H": (ev.cycle_head,),
    }.get(key)


def press_action(state, hit):  # AppState, scene hit | None -> (event, *args) | None
    """A click or tap on the canvas: a query chip selects it, a key chip or a cell opens its arithmetic.

    While a predict question about the keys is open, a key chip (or its beam) answers it instead."""
    if hit is None:
        return None
    kind, *where = hit
    q = state.predict.question
    if kind == "key" and state.predict.hidden and q.keys:
        return (predict.click_key, where[0])
    if kind == "query":
        return (ev.select_query, where[0])
    if kind == "key":
        return (ev.select_cell, state.query, where[0])
    if kind == "cell":
        return (ev.select_cell, where[0], where[1])
    if kind == "head":
        return (ev.select_head, where[0])
    if kind == "input":  # a tap shows the number's readout, as hovering it does
        return (ev.set_hover, hit)
    return None


MATRIX_MOVES = {"ArrowLeft": (0, -1), "ArrowRight": (0, 1), "ArrowUp": (-1, 0), "ArrowDown": (1, 0),
                "Home": (0, -10 ** 6), "End": (0, 10 ** 6)}


def matrix_key(key, i, j, n_rows, n_cols):  # -> ("open", i, j) | ("focus", i, j) | None
    """A key on the HTML attention matrix's cell (i, j): Enter or Space opens its arithmetic (as a click does),
    the arrow keys (Home, End) move the focus to the next cell, staying inside the matrix."""
    if key in ("Enter", " "):
        return ("open", i, j)
    if key not in MATRIX_MOVES:
        return None
    di, dj = MATRIX_MOVES[key]
    return ("focus", min(max(i + di, 0), n_rows - 1), min(max(j + dj, 0), n_cols - 1))


def swipe_action(state, start_x, end_x):  # px | None, px -> (event, step) | None
    """On a touch screen a horizontal swipe across the picture changes the step (left = next)."""
    if start_x is None or abs(end_x - start_x) <= SWIPE_PX:
        return None
    step = state.step + (1 if end_x < start_x else -1)
    return (ev.set_step, min(max(step, 0), STEPS - 1))


def play_tick(state, now, transition_running, settled_at, hold_ms):  # -> (action | None, settled_at)
    """Play: hold each stage `hold_ms` after its transition, then go on; stop at the last stage."""
    if not state.playing or transition_running:
        return None, None
    if settled_at is None:
        settled_at = now
    if state.step >= STEPS - 1:
        return (ev.pause,), None
    if now - settled_at >= hold_ms:
        return (ev.set_step, state.step + 1), None
    return None, settled_at

"""Which key, tap, swipe or Play tick does what (ui.inputs)."""

from ui import inputs
from ui import state as ev


def _apply(state, action):
    event, *args = action
    return event(state, *args)


def test_shortcuts_act_only_while_the_explorer_has_the_focus():
    s = ev.set_step(ev.initial_state(), 2)
    assert inputs.key_action(s, "PageDown", "BODY", in_explorer=False) is None  # the page scrolls
    assert inputs.key_action(s, " ", "BODY", in_explorer=False) is None
    assert _apply(s, inputs.key_action(s, "PageDown", "CANVAS", in_explorer=True)).step == 3
    assert inputs.key_action(s, " ", "CANVAS", in_explorer=True) == "play"


def test_keys_typed_in_a_field_or_with_a_modifier_belong_to_the_browser():
    s = ev.initial_state()
    for tag in ("INPUT", "SELECT", "TEXTAREA"):
        assert inputs.key_action(s, "ArrowRight", tag, in_explorer=True) is None
    assert inputs.key_action(s, "[", "CANVAS", in_explorer=True, modified=True) is None
    assert inputs.key_action(s, " ", "BUTTON", in_explorer=True) is None  # Space presses the button


def test_the_key_map():
    s = ev.select_query(ev.set_step(ev.initial_state(), 2), 3)
    on_canvas = {key: inputs.key_action(s, key, "CANVAS", True) for key in
                 ("ArrowLeft", "ArrowRight", "[", "]", "PageUp", "PageDown", "h", "H", "?", "x")}
    assert _apply(s, on_canvas["ArrowLeft"]).query == 2
    assert _apply(s, on_canvas["ArrowRight"]).query == 0  # wraps around
    assert _apply(s, on_canvas["["]).step == _apply(s, on_canvas["PageUp"]).step == 1
    assert _apply(s, on_canvas["]"]).step == _apply(s, on_canvas["PageDown"]).step == 3
    assert _apply(s, on_canvas["h"]).head == _apply(s, on_canvas["H"]).head == (s.head + 1) % 4
    assert on_canvas["?"] == "help" and on_canvas["x"] is None


def test_steps_stop_at_the_ends():
    first, last = ev.set_step(ev.initial_state(), 0), ev.set_step(ev.initial_state(), 4)
    assert _apply(first, inputs.key_action(first, "[", "CANVAS", True)).step == 0
    assert _apply(last, inputs.key_action(last, "]", "CANVAS", True)).step == 4


def test_pointer_presses():
    s = ev.select_query(ev.initial_state(), 1)
    assert inputs.press_action(s, None) is None
    assert _apply(s, inputs.press_action(s, ("query", 3))).query == 3
    assert _apply(s, inputs.press_action(s, ("key", 0))).cell == (1, 0)  # the selected query's weight on key 0
    opened = _apply(s, inputs.press_action(s, ("cell", 2, 3)))
    assert opened.cell == (2, 3) and opened.query == 2
    assert _apply(s, inputs.press_action(s, ("head", 2))).head == 2


def test_a_swipe_changes_the_step_and_a_tap_does_not():
    s = ev.set_step(ev.initial_state(), 2)
    assert inputs.swipe_action(s, None, 300) is None
    assert inputs.swipe_action(s, 200, 230) is None  # a tap that moved a little
    assert _apply(s, inputs.swipe_action(s, 300, 100)).step == 3  # to the left: next
    assert _apply(s, inputs.swipe_action(s, 100, 300)).step == 1


def test_play_holds_each_stage_then_moves_on_and_stops_at_the_last():
    s = ev.play(ev.set_step(ev.initial_state(), 3))
    assert inputs.play_tick(s, 1000, True, None, 900) == (None, None)  # the transition is still running
    action, since = inputs.play_tick(s, 1000, False, None, 900)
    assert action is None and since == 1000
    assert inputs.play_tick(s, 1500, False, since, 900) == (None, 1000)
    action, since = inputs.play_tick(s, 1900, False, since, 900)
    s = _apply(s, action)
    assert s.step == 4 and since is None
    action, _ = inputs.play_tick(s, 2000, False, None, 900)
    assert not _apply(s, action).playing
    assert inputs.play_tick(ev.pause(s), 5000, False, 0, 900) == (None, None)


def test_keys_on_a_matrix_cell_open_it_or_move_the_focus_inside_the_matrix():
    from ui.inputs import matrix_key
    assert matrix_key("Enter", 2, 1, 4, 4) == ("open", 2, 1) and matrix_key(" ", 0, 0, 4, 4) == ("open", 0, 0)
    assert matrix_key("ArrowRight", 2, 1, 4, 4) == ("focus", 2, 2)
    assert matrix_key("ArrowDown", 3, 1, 4, 4) == ("focus", 3, 1)  # stays in the last row
    assert matrix_key("ArrowLeft", 0, 0, 4, 4) == ("focus", 0, 0)
    assert matrix_key("End", 1, 0, 4, 5) == ("focus", 1, 4) and matrix_key("Home", 1, 3, 4, 5) == ("focus", 1, 0)
    assert matrix_key("x", 1, 1, 4, 4) is None and matrix_key("Tab", 1, 1, 4, 4) is None

"""Predict mode wired into the page, under CPython: the AppState's events and `settle` (run after every event),
the page's view (no number of the answer in any entry before the reveal), the canvas click, the host's
message and the address's parameters."""
import re

import numpy as np
import pytest

from attention.presets import PRESETS
from scene.numbers import number, percent
from ui import host, inputs
from ui import predict as pr
from ui.predict_state import Predict
from ui import state as ev
from ui.params import apply_params
from ui.state import compute
from ui.view import page_view


def predicting(state):
    return pr.settle(pr.set_mode(state, True))


def asked(state, kind, variant=0):  # -> the state with an open question of `kind` (None if not offered)
    q = pr.make_question(state, compute(state.scenario), kind, variant)
    return None if q is None else ev.replace(state, predict=Predict(on=True, question=q))


def strings(value):  # -> every str inside a view value (tuples of tuples of ...)
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for v in value:
            yield from strings(v)


def view_text(state):
    """Every string of the page's view, the question's own text left out (it shows q and k, never the answer)."""
    view = page_view(state, compute(state.scenario))
    question = state.predict.question.text
    return [s for v in view.values() for s in strings(v) if s != question]


def answer_numbers(state):  # -> the strings that would give the open question's answer away
    q, t = state.predict.question, compute(state.scenario).trace
    if q.kind in ("where", "how much", "what if", "blend"):
        return {percent(w) for w in t.weights[q.head, q.query] if w > 0}
    if q.kind == "score by hand":  # but not a value that the q, k, v table gives anyway (0.000)
        given = {x for row in page_view(state, compute(state.scenario))["qkv-table.rows"] for x in numbers_in(row[2])}
        return {number(v) for v in q.targets} - given
    return set()


def numbers_in(text):
    return set(re.findall(r"−?\d+\.\d+%?", text))


CASES = [(p.id, step) for p in PRESETS for step in range(5)]


@pytest.mark.parametrize("preset,step", CASES)
def test_no_number_of_the_answer_reaches_the_page_before_the_reveal(preset, step):
    base = ev.set_step(ev.initial_state(preset), step)
    kinds = pr.offered(base, compute(base.scenario))
    assert kinds
    for kind in kinds:
        state = asked(base, kind)
        secret = answer_numbers(state)
        found = {s for text in view_text(state) for s in numbers_in(text)} & secret
        assert found == set(), f"{kind} at step {step}: {found} shown before the reveal"
        revealed = ev.replace(state, predict=pr.reveal(pr.choose(state.predict, state.predict.question.choices[0][0]
                                                                  if state.predict.question.choices else "1")))
        after = {s for text in view_text(revealed) for s in numbers_in(text)}
        assert not secret or secret & after, f"{kind}: the reveal shows the numbers"


def test_which_head_shows_the_asked_heads_pattern_and_hides_its_name():
    state = asked(ev.set_step(ev.initial_state("pronoun"), 3), "which head", variant=2)
    q, computed = state.predict.question, compute(state.scenario)
    assert q.head != state.head
    view = page_view(state, computed)
    assert view["head-field.hidden"] and view["head-explanation.text"] == ""
    assert computed.head_names[q.head] not in view["matrix-head.text"] + view["weights-caption.text"]
    assert view["attention-matrix.rows"][0][1:] == tuple(number(w) for w in computed.trace.weights[q.head, 0])
    assert pr.drawn(state).head == q.head and pr.drawn(ev.replace(state, predict=Predict())).head == state.head


def test_the_panel_follows_the_mode():
    off = page_view(ev.initial_state(), compute(ev.initial_state().scenario))
    assert off["predict-body.hidden"] and off["predict-toggle.@aria-pressed"] == "false"
    assert off["weights-table.rows"][0][1].endswith("%")
    state = predicting(ev.set_step(ev.initial_state("pronoun"), 3))
    view = page_view(state, compute(state.scenario))
    assert not view["predict-body.hidden"] and view["predict-question.text"] == state.predict.question.text
    assert view["predict-reveal.disabled"] and not view["predict-choice-field.hidden"]
    assert view["weights-table.rows"][0][1] == pr.HIDDEN_TEXT == view["output-vector.text"]
    chosen = pr.settle(pr.set_guess(state, "1"))
    assert not page_view(chosen, compute(chosen.scenario))["predict-reveal.disabled"]
    done = pr.settle(pr.reveal_answer(chosen))
    view = page_view(done, compute(done.scenario))
    assert view["predict-feedback.text"].startswith("Correct. 'it' gave")
    assert view["predict-score.text"] == "1 / 1" and view["predict-reveal.disabled"]
    assert view["weights-table.rows"][1][1].endswith("%")


def test_settle_runs_after_any_event_and_asks_about_the_new_state():
    state = predicting(ev.set_step(ev.initial_state("pronoun"), 3))
    moved = pr.settle(ev.select_query(state, 1))
    assert moved.predict.question.query == 1 and "'animal'" in moved.predict.question.text
    other = pr.settle(ev.load_preset(moved, "cat"))
    assert other.predict.on and other.predict.question.basis[0] == other.scenario, "kept across examples, re-asked"
    assert pr.settle(other) is other, "nothing changed: the same state"
    assert pr.settle(ev.initial_state()) == ev.initial_state(), "off: nothing asked"


def test_a_revealed_answer_stays_until_next():
    state = pr.settle(pr.reveal_answer(pr.set_guess(predicting(ev.set_step(ev.initial_state("pronoun"), 3)), "5")))
    moved = pr.settle(ev.select_query(state, 2))
    assert moved.predict.revealed and pr.feedback(moved.predict).startswith("Not quite")
    fresh = pr.settle(pr.next_question(moved))
    assert not fresh.predict.revealed and fresh.predict.question.query == 2
    assert pr.next_question(ev.initial_state()) == ev.initial_state()


def test_a_switch_in_predict_mode_is_asked_about_then_applied_at_the_reveal():
    state = predicting(ev.set_step(ev.initial_state("pronoun"), 3))
    flipped = pr.settle(pr.flip(state, "scale", ev.set_scale, False))
    q = flipped.predict.question
    assert q.kind == "what if" and q.switch == "scale" and flipped.scenario.scale, "asked, not applied yet"
    revealed = pr.settle(pr.reveal_answer(pr.set_guess(flipped, "sharper")))
    assert not revealed.scenario.scale and revealed.predict.revealed and revealed.predict.question is q
    assert pr.flip(ev.initial_state(), "scale", ev.set_scale, False).scenario.scale is False, "mode off: at once"
    cross = pr.flip(state, "cross", ev.set_kind, "cross")
    assert cross.kind == "cross", "a switch no question is about applies at once"


def test_a_click_on_a_key_answers_a_question_about_the_keys():
    state = predicting(ev.set_step(ev.initial_state("pronoun"), 3))
    assert inputs.press_action(state, ("key", 5)) == (pr.click_key, 5)
    assert pr.click_key(state, 5).predict.guess == "5"
    how_much = asked(state, "how much")
    assert inputs.press_action(how_much, ("key", 5)) == (ev.select_cell, state.query, 5)
    assert inputs.press_action(ev.initial_state(), ("key", 1))[0] is ev.select_cell


def test_the_host_hears_each_answer_once():
    state = pr.set_guess(predicting(ev.set_step(ev.initial_state("pronoun"), 3)), "1")
    revealed = pr.settle(pr.reveal_answer(state))
    assert host.changes(state, revealed)[-1] == {"type": "attention-explorer:answered", "kind": "where",
                                                  "correct": True, "score": "1 / 1"}
    assert all(m["type"] != "attention-explorer:answered" for m in host.changes(revealed, pr.reset(revealed)))
    assert host.changes(revealed, pr.settle(ev.select_query(revealed, 1))) == [
        host.message("query-changed", query=1, token="animal")]


def test_the_address_opens_and_locks_the_mode():
    state, problems = apply_params(ev.initial_state(), {"mode": "predict", "step": "3"})
    assert problems == [] and pr.settle(state).predict.question.kind == "where"
    locked, problems = apply_params(ev.initial_state(), {"lock": "1"})
    assert problems == [] and locked.predict.on and locked.predict.locked
    assert pr.set_mode(locked, False) is locked
    _, problems = apply_params(ev.initial_state(), {"mode": "quiz"})
    assert problems == ["'mode=quiz' was ignored: use predict or explore"]
    assert apply_params(ev.initial_state(), {"lock": "0"})[0] == ev.initial_state()


def test_the_score_by_hand_field_and_the_slider():
    state = asked(ev.set_step(ev.initial_state("cat"), 2), "score by hand")
    view = page_view(state, compute(state.scenario))
    assert not view["predict-number-field.hidden"] and view["predict-choice-field.hidden"]
    exact = state.predict.question.targets[0]
    right = pr.settle(pr.reveal_answer(pr.set_guess(state, number(exact))))
    assert right.predict.right == 1
    slider = asked(ev.set_step(ev.initial_state("cat"), 3), "how much")
    view = page_view(slider, compute(slider.scenario))
    assert not view["predict-percent-field.hidden"] and view["predict-percent-value.text"] == "move the slider"
    moved = pr.set_guess(slider, "40")
    assert page_view(moved, compute(moved.scenario))["predict-percent-value.text"] == "40%"
    assert np.isclose(pr.parse_number("40"), 40.0)


# -- the canvas ------------------------------------------------------------------------

SIZES = ((1000, 560), (400, 420))  # the full page's canvas, and the compact embed's


def canvas_texts(state, size):
    from test_canvas_numbers import drawn_texts, frame
    scene, commands = frame(pr.drawn(state), size)
    return scene, [text for text, _, _ in drawn_texts(commands)]


@pytest.mark.parametrize("preset,step", [(p, s) for p, s in CASES if s >= 2])
def test_the_canvas_draws_no_number_of_the_answer_and_no_beam_before_the_reveal(preset, step):
    base = ev.set_step(ev.initial_state(preset), step)
    for kind in pr.offered(base, compute(base.scenario)):
        state = asked(base, kind)
        secret = answer_numbers(state)
        for size in SIZES:
            scene, texts = canvas_texts(state, size)
            found = {n for text in texts for n in numbers_in(text) | {text}} & secret
            assert found == set(), f"{kind} at step {step}, {size}: {found} drawn before the reveal"
            assert scene.beam_paths is None and not any(type(s).__name__ == "Beams" for s in scene.shapes())
            if kind == "which head":
                names = set(compute(state.scenario).head_names)
                assert not any(name in text for text in texts for name in names), texts
        revealed = ev.replace(state, predict=ev.replace(state.predict, guess="0", revealed=True))
        scene, _ = canvas_texts(revealed, SIZES[0])
        assert any(type(s).__name__ == "Beams" for s in scene.shapes()), "the reveal draws the beams"


def test_the_score_by_hand_cell_is_outlined_on_the_canvas():
    state = asked(ev.set_step(ev.initial_state("cat"), 2), "score by hand", variant=1)
    scene, _ = canvas_texts(state, SIZES[0])
    i, j = state.predict.question.cell
    x, y, w, h = scene.grid.cell(i, j)
    outlines = [s for s in scene.shapes() if type(s).__name__ == "Rect" and s.fill is None
                and abs(s.x - (x - 2)) < 1e-6 and abs(s.y - (y - 2)) < 1e-6]
    assert outlines, "the asked cell is outlined"

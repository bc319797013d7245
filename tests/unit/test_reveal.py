"""Predict mode's reveal moves from the learner's guess to the truth: the guessed key's beam gives way to the
weights' beams (scene.layout; the progress comes from scene.timeline.reveal_progress)."""

import numpy as np

from scene.colors import palette
from scene.layout import layout
from scene.shapes import Beams
from scene.timeline import DURATION_MS, View, reveal_progress
from ui import predict
from ui import state as ev
from ui.state import computed_of

PAL = palette(False)


def revealed_where(guess):  # -> the pronoun example at Softmax, a "where" question answered with key `guess`
    s = predict.settle(ev.set_step(ev.load_preset(None, "pronoun"), 3))
    s = predict.settle(predict.set_mode(s, True))
    assert s.predict.question.kind == "where" and s.predict.question.keys
    return predict.reveal_answer(predict.set_guess(s, str(guess)))


def single_beams(scene):  # -> the one-curve beams the scene draws (the guess's)
    return [shape for shape in scene.shapes() if isinstance(shape, Beams) and len(shape.curves) == 1]


def test_at_the_start_of_the_reveal_the_guess_is_drawn_and_at_the_end_only_the_truth():
    street = 5
    s = revealed_where(street)
    c = computed_of(s)
    start = layout(c, s, 1066, 580, View(3, 3, 1.0, reveal=0.0), PAL)
    (guess,) = single_beams(start)
    end_y = guess.curves[0, 7]
    key_ys = [start.chip_center("key", j)[1] for j in range(len(s.key_tokens))]
    assert int(np.argmin(np.abs(np.array(key_ys) - end_y))) == street  # it lands on 'street'
    assert guess.curves[0, 11] == 255.0
    halfway = single_beams(layout(c, s, 1066, 580, View(3, 3, 1.0, reveal=0.5), PAL))
    assert halfway and halfway[0].curves[0, 11] == 127.5  # fading out
    assert single_beams(layout(c, s, 1066, 580, View(3, 3, 1.0, reveal=1.0), PAL)) == []


def test_the_reveal_progress_eases_over_a_transition_and_is_instant_with_reduced_motion():
    assert reveal_progress(None, 5000) == 1.0
    assert reveal_progress(1000, 1000) == 0.0
    assert 0 < reveal_progress(1000, 1000 + DURATION_MS / 2) < 1
    assert reveal_progress(1000, 1000 + DURATION_MS) == 1.0
    assert reveal_progress(1000, 1000, reduced_motion=True) == 1.0

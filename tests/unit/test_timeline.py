"""The stage timeline: eased, interruptible, instant with reduced motion."""
import numpy as np

from scene.timeline import DURATION_MS, StepAnimation, View, ease


def test_ease_is_monotonic_from_0_to_1_and_symmetric():
    u = np.linspace(0, 1, 201)
    e = np.array([ease(x) for x in u])
    assert e[0] == 0 and e[-1] == 1 and (np.diff(e) >= 0).all()
    assert np.allclose(e, 1 - e[::-1])
    assert ease(0.1) < 0.1 and ease(0.9) > 0.9  # slow start, slow end


def test_at_rest_it_shows_its_step():
    anim = StepAnimation(2)
    assert anim.view(0) == View(2, 2, 1.0) and not anim.running(0)


def test_a_transition_runs_for_its_duration_with_eased_progress():
    anim = StepAnimation(0)
    anim.go(1, now_ms=1000)
    assert anim.running(1000) and anim.view(1000) == View(0, 1, 0.0)
    ts = [anim.view(1000 + ms).t for ms in range(0, int(DURATION_MS), 10)]
    assert (np.diff(ts) >= 0).all()
    assert anim.view(1000 + DURATION_MS / 2).t == 0.5
    assert not anim.running(1000 + DURATION_MS) and anim.view(1000 + DURATION_MS) == View(1, 1, 1.0)


def test_going_back_mid_way_reverses_from_exactly_where_it_is():
    anim = StepAnimation(2)
    anim.go(3, now_ms=0)
    before = anim.view(200)
    anim.go(2, now_ms=200)
    after = anim.view(200)
    assert (after.from_step, after.to_step) == (3, 2)
    assert abs((1 - after.t) - before.t) < 1e-9  # the same picture: t of 2->3 equals 1 - t of 3->2
    assert not anim.running(200 + DURATION_MS) and anim.view(200 + DURATION_MS).to_step == 2


def test_a_new_target_mid_way_starts_from_the_stage_on_screen():
    anim = StepAnimation(0)
    anim.go(1, now_ms=0)
    anim.go(4, now_ms=600)  # mostly at 1 by now
    assert anim.view(600) == View(1, 4, 0.0)
    anim = StepAnimation(0)
    anim.go(1, now_ms=0)
    anim.go(4, now_ms=100)  # still mostly at 0
    assert anim.view(100) == View(0, 4, 0.0)
    assert anim.view(100 + DURATION_MS) == View(4, 4, 1.0)


def test_going_to_where_it_already_goes_changes_nothing():
    anim = StepAnimation(0)
    anim.go(1, now_ms=0)
    anim.go(1, now_ms=300)
    assert anim.view(350) == View(0, 1, ease(0.5))


def test_going_to_the_shown_step_at_rest_does_not_animate():
    anim = StepAnimation(3)
    anim.go(3, now_ms=0)
    assert not anim.running(0) and anim.view(0) == View(3, 3, 1.0)


def test_reduced_motion_makes_every_change_instant():
    anim = StepAnimation(0, reduced_motion=True)
    anim.go(4, now_ms=0)
    assert not anim.running(0) and anim.view(0) == View(4, 4, 1.0)
    anim.go(1, now_ms=1)
    assert anim.view(1) == View(1, 1, 1.0)

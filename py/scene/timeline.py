"""The stage timeline: an eased, interruptible move from one step of the slider to another.

Time is passed in (milliseconds), so the timeline is pure and testable:

    anim = StepAnimation(step=0)
    anim.go(1, now_ms=0)
    anim.view(350)     # View(from_step=0, to_step=1, t=0.5): halfway, eased
    anim.running(800)  # False: done after DURATION_MS

A go() during a transition starts from what is on screen: going back to where it
came from reverses the motion from exactly the current point; going elsewhere
starts from the stage that the picture shows the most of. With reduced motion
every change is instant.
"""
from dataclasses import dataclass

DURATION_MS = 700.0


@dataclass(frozen=True)
class View:
    from_step: int
    to_step: int
    t: float  # eased progress, 0 (from_step) to 1 (to_step)
    reveal: float = 1.0  # predict mode's reveal, eased: 0 shows the learner's guess, 1 the truth


def reveal_progress(revealed_at, now_ms, reduced_motion=False):  # ms | None, ms -> eased progress in [0, 1]
    """How far the reveal has moved from the guess to the truth (at once with reduced motion)."""
    if revealed_at is None or reduced_motion:
        return 1.0
    return ease((now_ms - revealed_at) / DURATION_MS)


def ease(u):  # float in [0, 1] -> float in [0, 1]
    """Cubic ease-in-out: slow start, slow end, symmetric (ease(1 - u) = 1 - ease(u))."""
    u = min(max(u, 0.0), 1.0)
    return 4 * u ** 3 if u < 0.5 else 1 - (2 - 2 * u) ** 3 / 2


class StepAnimation:
    """Which stage is shown at any moment, given the go() calls so far."""

    def __init__(self, step, reduced_motion=False, duration_ms=DURATION_MS):
        self.reduced_motion = reduced_motion
        self.duration_ms = duration_ms
        self._from = self._to = int(step)
        self._start_ms = float("-inf")

    def go(self, to_step, now_ms):
        """Start moving to `to_step` from what is shown at `now_ms`."""
        to_step = int(to_step)
        if self.reduced_motion:
            self._from = self._to = to_step
            return
        if not self.running(now_ms):
            self._from, self._to, self._start_ms = self._to, to_step, now_ms
        elif to_step == self._from:  # reverse from exactly here: progress u becomes 1 - u
            done = self._progress(now_ms)
            self._from, self._to = self._to, self._from
            self._start_ms = now_ms - (1.0 - done) * self.duration_ms
        elif to_step != self._to:
            shown = self._to if self._progress(now_ms) >= 0.5 else self._from
            self._from, self._to, self._start_ms = shown, to_step, now_ms
        if self._from == self._to:
            self._start_ms = float("-inf")

    def view(self, now_ms):  # float -> View
        """What to draw at `now_ms`: View(s, s, 1.0) when at rest on stage s."""
        if not self.running(now_ms):
            return View(self._to, self._to, 1.0)
        return View(self._from, self._to, ease(self._progress(now_ms)))

    def running(self, now_ms):
        """Whether a transition is under way (the render loop keeps drawing while it is)."""
        return self._from != self._to and self._progress(now_ms) < 1.0

    def _progress(self, now_ms):  # -> linear progress in [0, 1]
        return min(max((now_ms - self._start_ms) / self.duration_ms, 0.0), 1.0)

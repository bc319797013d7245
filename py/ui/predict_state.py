"""The predict mode's values, `Question` and `Predict`: the AppState holds a Predict.

They live apart from ui.predict (which makes the questions and builds on ui.state), so that
ui.state can hold the mode without importing what imports it. The scene reads
`state.veil` (Predict.veil) to grey the weights and leave the beams out.
"""
from dataclasses import dataclass

HIDDEN_TEXT = "hidden until you answer"  # what the HTML mirrors show instead of the numbers


@dataclass(frozen=True)
class Question:
    """One question about the state it was made from; everything after `number` is the hidden answer."""

    kind: str  # one of ui.predict.KINDS
    text: str  # what is asked, in plain words; never the answer
    basis: tuple  # (scenario, query, head, step) it was made from: the question is stale once they change
    query: int  # the query token asked about
    head: int  # the head asked about; for "which head", the head whose pattern is shown
    step: int  # the stage it was asked at
    cell: tuple | None = None  # "score by hand": (query, key) of the highlighted score
    switch: str | None = None  # "what if": one of ui.predict.SWITCHES, applied by `switched` at the reveal
    choices: tuple = ()  # ((value, label), ...) for the <select>; () when the answer is a number
    keys: bool = False  # the choices are the key tokens (value str(j)), so a click on key j chooses it
    number: tuple | None = None  # (low, high, step) of the slider or number field; None with choices
    right: frozenset = frozenset()  # the choice values that count as right
    targets: tuple = ()  # the numbers that count as right, each within `tolerance`
    tolerance: float = 0.0
    reason: str = ""  # the explanation: what the numbers are, and why
    notes: tuple = ()  # ((value, "you chose 'street', which got 11.0%"), ...) for each choice


@dataclass(frozen=True)
class Predict:
    """The mode's state: on or off, the question, the learner's guess, and the score this visit."""

    on: bool = False
    locked: bool = False  # a teacher's lock=1: the mode cannot be turned off
    question: Question | None = None  # None: nothing asked yet, or nothing to ask at this state
    guess: str | None = None  # a choice's value, or a number as typed; None until there is a valid one
    revealed: bool = False
    right: int = 0  # questions answered right this visit
    answered: int = 0  # questions answered this visit
    asked: int = 0  # questions asked: varies which cell, switch or head the next question picks

    @property
    def hidden(self):
        """Whether the answer must stay out of sight: a question is open and not yet revealed."""
        return self.on and self.question is not None and not self.revealed

    @property
    def veil(self):  # -> None (all shown) | "weights" | "name"
        """What the page hides until the reveal: the weights (and the scores) or, for "which head", the head's name."""
        if not self.hidden:
            return None
        return "name" if self.question.kind == "which head" else "weights"

    @property
    def asked_cell(self):  # -> (query, key) of the score a "score by hand" question highlights, or None
        return self.question.cell if self.hidden else None

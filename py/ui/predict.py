"""Predict, then reveal: questions made from the state, the learner's guess, the reveal and the score.

In predict mode the page asks before it shows (SPEC "Predict, then reveal"). A `Question`
is made from the current AppState and its Computed trace, so it works on any sentence, head,
mask and model; it carries its answer (the truth, computed from the same numbers the page
reveals) and the sentence that explains it, both kept out of `text` and the choices' labels
until the reveal. `Predict` is the mode's state, one frozen value; its events are functions
`(Predict, ...) -> Predict`, and those that need the app state take `(AppState, Computed, Predict)`.

The kinds, in plain words:

- "where": which key the selected query attends to most (keys within TIE_POINTS of the top, or shown
  with the same percentage, count too).
- "how much": the top weight in percent, on a 0-100 slider; within HOW_MUCH_POINTS counts.
- "what if": before a switch takes effect (√d_k, temperature x or / TEMPERATURE_FACTOR, the causal
  mask on): sharper, flatter or unchanged by the row's entropy as the page shows it (2 decimals), or,
  for the causal mask, which weights become exactly 0, judged on the recomputed trace.
- "score by hand": q·k / √d_k of one cell from the q and k shown to HAND_PLACES decimals.
- "which head": one head's weight matrix; which designed head made it (the toy model only).
- "blend": which key's a_ij v_j is largest, i.e. contributes most to the query's output.
"""
from dataclasses import replace

import numpy as np

from attention.explain import cell_arithmetic, output_terms
from scene.numbers import knob, number, parse, percent, vector
from scene.stages import Stage
from ui.panels import dot_terms, scaling_line
from ui.predict_state import HIDDEN_TEXT, Question
from ui.state import computed_of, set_kind, set_scale, set_temperature

KINDS = ("where", "how much", "what if", "score by hand", "which head", "blend")
FIRST = {Stage.INPUT: "where", Stage.PROJECT: "where", Stage.SCORES: "score by hand", Stage.SOFTMAX: "where",
         Stage.WEIGHTED_SUM: "blend"}  # each stage's first question
TIE_POINTS = 0.05  # percentage points: keys this close to the top weight count as right too
HOW_MUCH_POINTS = 10.0  # a "how much" guess this close to the shown top percentage counts as right
HAND_PLACES = 3  # "score by hand" shows q and k, and asks for the score, to this many decimals
HAND_TOLERANCE = 0.5 * 10.0 ** -HAND_PLACES  # half a unit of the last decimal shown
TEMPERATURE_FACTOR = 2.0  # a "what if" moves the temperature up or down by this factor
ENTROPY_PLACES = 2  # entropy is shown, and compared, to this many decimals (as the entropy readout)
SWITCHES = ("scale", "hotter", "colder", "causal")
ANSWERED = "attention-explorer:answered"  # the host page message's type
_SLIDER = (0.0, 100.0, 1.0)  # "how much": low, high, step of the slider, in percent
SHARPNESS = (("sharper", "sharper: more weight on fewer keys"),
              ("flatter", "flatter: the weight spreads more evenly"),
              ("unchanged", "unchanged"))
_ROUNDING = 1e-9  # float slack when a guess is exactly at the edge of its tolerance


def recompute(state):  # AppState -> Computed
    """What the page shows for a state, from whichever model is on (the real one: the selected layer)."""
    return computed_of(state)


# -- events that need only the Predict ------------------------------------------

def toggle(predict, on):
    """Turn the mode on or off; a locked mode stays on. Off drops the question, keeps the score."""
    if predict.locked or bool(on) == predict.on:
        return predict
    return replace(predict, on=bool(on), question=None, guess=None, revealed=False)


def lock(predict):
    """A teacher's lock: predict mode on, and it stays on."""
    return replace(predict, on=True, locked=True)


def choose(predict, value):
    """The learner picked a choice or typed / slid a number; ignored after the reveal or if invalid."""
    q = predict.question
    if q is None or predict.revealed:
        return predict
    text = str(value).strip()
    if q.choices:
        return replace(predict, guess=text) if text in {v for v, _ in q.choices} else predict
    value = parse_number(text)
    low, high, _ = q.number
    valid = value is not None and (low is None or low <= value <= high)
    return replace(predict, guess=text if valid else None)


def choose_key(predict, j):
    """A click on key token j: the guess, when the question's choices are the keys."""
    q = predict.question
    return choose(predict, str(int(j))) if q is not None and q.keys else predict


def reveal(predict):
    """Commit the guess: the answer shows and the score counts it (once)."""
    if predict.question is None or predict.guess is None or predict.revealed:
        return predict
    right = is_right(predict.question, predict.guess)
    return replace(predict, revealed=True, right=predict.right + right, answered=predict.answered + 1)


def reset_score(predict):
    return replace(predict, right=0, answered=0)


# -- events that need the app state -----------------------------------------------

def new_question(state, computed, predict, recompute=recompute):
    """The next question for the current state: the stage's first kind on arriving at a stage, then the others in turn.

    `computed` is the state's Computed (for a real model: the selected layer's); `recompute(state)`
    gives the Computed of a changed state, which a "what if" needs.
    """
    kinds = offered(state, computed)
    previous = predict.question
    if not kinds:
        kind = None
    elif previous is not None and previous.step == state.step and previous.kind in kinds:
        kind = kinds[(kinds.index(previous.kind) + 1) % len(kinds)]
    else:
        kind = FIRST[state.step] if FIRST[state.step] in kinds else kinds[0]
    question = None if kind is None else make_question(state, computed, kind, predict.asked, recompute)
    return replace(predict, question=question, guess=None, revealed=False, asked=predict.asked + 1)


def ask_what_if(state, computed, predict, switch, recompute=recompute):
    """The learner flipped a switch in predict mode: ask about it before it takes effect (apply it at the reveal).

    Returns `predict` itself when that switch cannot be asked about here (see offered, available_switches):
    then the page applies the switch at once.
    """
    if "what if" not in offered(state, computed) or switch not in available_switches(state):
        return predict
    question = _what_if(state, computed, switch, recompute)
    return replace(predict, question=question, guess=None, revealed=False, asked=predict.asked + 1)


def refresh(state, computed, predict, recompute=recompute):
    """After any change of the state: a new question when the mode is on and the open one no longer fits.

    A revealed question stays (its feedback is read until "next"), so applying a "what if"'s switch
    at the reveal does not replace it.
    """
    if not predict.on or predict.revealed or not (predict.question is None or is_stale(state, predict)):
        return predict
    return new_question(state, computed, predict, recompute)


def switched(state, switch):  # AppState, str | None -> AppState
    """The state with a switch applied (a "what if" question's `switch`, at its reveal); None changes nothing."""
    s = state.scenario
    if switch == "scale":
        return set_scale(state, not s.scale)
    if switch == "hotter":
        return set_temperature(state, s.temperature * TEMPERATURE_FACTOR)
    if switch == "colder":
        return set_temperature(state, s.temperature / TEMPERATURE_FACTOR)
    if switch == "causal":
        return set_kind(state, "causal")
    return state


# -- events on the AppState: main/ dispatches these, then settle ---------------------

def settle(state, recompute=recompute):
    """The one place predict mode follows the state: run after every event (main's dispatch, the address)."""
    return _with(state, refresh(state, recompute(state), state.predict, recompute))


def set_mode(state, on):
    """The predict-toggle: the mode on or off (a locked mode stays on)."""
    return _with(state, toggle(state.predict, on))


def lock_mode(state, on=True):
    """The address's lock=1: predict mode on for good; lock=0 changes nothing."""
    return _with(state, lock(state.predict)) if on else state


def set_guess(state, value):
    """The learner chose an answer in predict-choice, or slid / typed a number."""
    return _with(state, choose(state.predict, value))


def click_key(state, j):
    """A click on key token j of the canvas, while a question about the keys is open."""
    return _with(state, choose_key(state.predict, j))


def reveal_answer(state):
    """predict-reveal: score the guess and show the answer; a "what if"'s switch takes effect now."""
    p = reveal(state.predict)
    if p is state.predict:
        return state
    return switched(_with(state, p), p.question.switch)


def next_question(state, recompute=recompute):
    """predict-next: another question about the state as it is now."""
    return _with(state, new_question(state, recompute(state), state.predict, recompute)) if state.predict.on else state


def reset(state):
    """The reset button: the score back to 0 / 0."""
    return _with(state, reset_score(state.predict))


def flip(state, switch, event, *args, recompute=recompute):
    """The learner flipped a switch (`event(state, *args)` would apply it): in predict mode, first ask about it.

    When the mode is off, or the switch cannot be asked about here, the event applies at once.
    """
    if state.predict.on:
        asked = ask_what_if(state, recompute(state), state.predict, switch, recompute)
        if asked is not state.predict:
            return _with(state, asked)
    return event(state, *args)


def drawn(state):
    """The state the canvas draws: during an open "which head", the asked head's pattern (its name hidden)."""
    q = state.predict.question
    if not state.predict.hidden or q.kind != "which head":
        return state
    return replace(state, head=q.head)


def _with(state, predict):  # AppState, Predict -> the state holding it (the same object when nothing changed)
    return state if predict is state.predict else replace(state, predict=predict)


# -- what the page reads ------------------------------------------------------------

def offered(state, computed):  # AppState, Computed -> tuple of KINDS
    """The kinds that can be asked here, each with at least one wrong answer."""
    t, h, i = computed.trace, state.head, state.query
    row, allowed = t.weights[h, i], bool(t.allowed[i].any())
    step = state.step
    kinds = {
        "where": allowed and len(_top_keys(row)) < len(row),
        "how much": allowed,
        "what if": int(t.allowed[i].sum()) > 1 and bool(available_switches(state)),  # one key stays at 100%
        "score by hand": step == Stage.SCORES,
        "which head": step >= Stage.SOFTMAX and _which_head_pattern(computed, 0) is not None,
        "blend": step == Stage.WEIGHTED_SUM and allowed and not _all_tie(_blend_norms(t, h, i)),
    }
    return tuple(kind for kind in KINDS if kinds[kind])


def available_switches(state):  # AppState -> tuple of SWITCHES
    """The switches a "what if" can ask about: those that change something here (none on the real model,
    which runs as it was trained)."""
    if state.model == "minilm":
        return ()
    s = state.scenario
    hotter = set_temperature(state, s.temperature * TEMPERATURE_FACTOR).scenario.temperature != s.temperature
    colder = set_temperature(state, s.temperature / TEMPERATURE_FACTOR).scenario.temperature != s.temperature
    causal = state.kind == "self" and s.mask == "none" and len(state.tokens) > 1
    return tuple(name for name, ok in zip(SWITCHES, (True, hotter, colder, causal)) if ok)


def make_question(state, computed, kind, variant=0, recompute=recompute):
    """A question of `kind` about the state (`variant` picks the switch, cell or head); None if not offered here."""
    if kind not in offered(state, computed):
        return None
    if kind == "what if":
        switches = available_switches(state)
        return _what_if(state, computed, switches[variant % len(switches)], recompute)
    return {"where": _where, "how much": _how_much, "score by hand": _by_hand,
            "which head": _which_head, "blend": _blend}[kind](state, computed, variant)


def is_stale(state, predict):
    """Whether the open question was made from another sentence, selection or stage than the state's."""
    return predict.question is not None and predict.question.basis != _basis(state)


def is_right(question, guess):
    """Right by the numbers the page reveals: a right choice, or a number within the tolerance of a target."""
    if question.choices:
        return guess in question.right
    value = parse_number(guess)
    return value is not None and any(abs(value - t) <= question.tolerance + _ROUNDING for t in question.targets)


def answer_hidden(predict):
    """Whether the page must keep the answer out of sight (greyed weights, no beams, HIDDEN_TEXT in the HTML)."""
    return predict.hidden


def mirror_text(predict, text):
    """What an HTML mirror (weights table, matrix, output vector, live region) shows: `text`, or HIDDEN_TEXT."""
    return HIDDEN_TEXT if answer_hidden(predict) else text


def feedback(predict):
    """After the reveal: "Correct. ..." or "Not quite. ..." with the explanation; "" before."""
    q = predict.question
    if q is None or not predict.revealed:
        return ""
    verdict = "Correct" if is_right(q, predict.guess) else "Not quite"
    return f"{verdict}. {q.reason}; {_guess_note(q, predict.guess)}."


def score_text(predict):
    return f"{predict.right} / {predict.answered}"


def answered_report(predict):
    """The host page's message for a revealed answer ({type, kind, correct, score}); None before a reveal."""
    q = predict.question
    if q is None or not predict.revealed:
        return None
    return {"type": ANSWERED, "kind": q.kind, "correct": is_right(q, predict.guess), "score": score_text(predict)}


def parse_number(text):  # str -> float | None
    """A typed number ("0.617", "-1,5", "−2", "84%"), or None when it is not a finite number."""
    text = str(text).strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return parse(text)
    except ValueError:
        return None


# -- the kinds ------------------------------------------------------------------------

def _where(state, computed, variant):
    t, h, i = computed.trace, state.head, state.query
    row, keys, q = t.weights[h, i], state.key_tokens, _name(state.tokens, i)
    top = _top_keys(row)
    said = " and ".join(f"{percent(row[j])} to {_name(keys, j)}" for j in sorted(top))
    reason = f"{q} gave {said}"
    if len(top) > 1:
        reason += (f" (a key within {number(TIE_POINTS, 2)} points of the top, or shown with the same percentage, "
                   "counts as right)")
    notes = tuple((str(j), f"you chose {_name(keys, j)}" + ("" if j in top else _got(t, h, i, j)))
                  for j in range(len(keys)))
    return Question(
        kind="where", basis=_basis(state), query=i, head=h, step=state.step,
        text=f"Where will {q} look? In {_head(computed, h)}, which key will get the largest share of its attention?",
        choices=_key_choices(keys), keys=True, right=frozenset(str(j) for j in top),
        reason=reason + _why(computed, h), notes=notes)


def _how_much(state, computed, variant):
    t, h, i = computed.trace, state.head, state.query
    row, q = t.weights[h, i], _name(state.tokens, i)
    j = int(np.argmax(row))
    points = number(HOW_MUCH_POINTS, 0)
    return Question(
        kind="how much", basis=_basis(state), query=i, head=h, step=state.step,
        text=(f"How much attention will {q} give to the key it attends to most, in {_head(computed, h)}? "
              f"Answer in percent, from 0 to 100: within {points} points counts as right."),
        number=_SLIDER, targets=(_percent(row[j]),), tolerance=HOW_MUCH_POINTS,
        reason=f"{q} gave {percent(row[j])} to {_name(state.key_tokens, j)}, its largest weight" + _why(computed, h))


def _what_if(state, computed, switch, recompute):
    """A "what if" about `switch`, judged on recompute(the switched state)."""
    h, i, q = state.head, state.query, _name(state.tokens, state.query)
    after = recompute(switched(state, switch))
    before_row, after_row = computed.trace.weights[h, i], after.trace.weights[h, i]
    head = _head(computed, h)
    change = (f"the entropy of the weights of {q} goes from {number(computed.entropy[h, i], ENTROPY_PLACES)} to "
              f"{number(after.entropy[h, i], ENTROPY_PLACES)} bits (0 = all on one key) and the largest weight "
              f"from {percent(before_row.max())} to {percent(after_row.max())}")
    common = dict(kind="what if", basis=_basis(state), query=i, head=h, step=state.step, switch=switch)
    zeroed = frozenset(int(j) for j in np.flatnonzero(after_row == 0.0))
    options = _causal_options(state) if switch == "causal" else {}
    if zeroed in options.values():
        names = ", ".join(_name(state.key_tokens, j) for j in sorted(zeroed)) or "no key"
        labels = {"after": f"the keys after {q}", "before": f"the keys before {q}",
                  "others": f"every key except {q} itself", "none": "none of them"}
        return Question(
            **common, text=(f"What if the causal mask is switched on, so that no word may look ahead? "
                            f"Which of the weights of {q} in {head} become exactly 0?"),
            choices=tuple((v, labels[v]) for v in options), right=frozenset(v for v in options if options[v] == zeroed),
            reason=(f"With the causal mask on, {names} get exactly {percent(0.0)}: a query may attend only to keys up "
                    f"to its own position, and the allowed keys share the whole row; {change}"),
            notes=tuple((v, f"you chose {labels[v]}") for v in options))
    h0, h1 = (parse(number(e[h, i], ENTROPY_PLACES)) for e in (computed.entropy, after.entropy))
    outcome = "sharper" if h1 < h0 else "flatter" if h1 > h0 else "unchanged"
    action, question = _switch_words(state, after, switch)
    return Question(
        **common, text=f"What if {question}? Will the weights of {q} in {head} get sharper, flatter, or stay the same?",
        choices=SHARPNESS, right=frozenset({outcome}),
        reason=f"{action}, {change}: {outcome}, because {_sharpness_why(computed.trace, after.trace, switch, outcome)}",
        notes=tuple((v, f"you chose {v}") for v, _ in SHARPNESS))


def _by_hand(state, computed, variant):
    t, h, i = computed.trace, state.head, state.query
    if state.cell is not None and state.cell[0] == i:
        j = state.cell[1]
    else:
        candidates = np.flatnonzero(t.allowed[i]) if t.allowed[i].any() else np.arange(t.n_k)
        j = int(candidates[variant % len(candidates)])
    q_shown, k_shown = (np.array([parse(number(x, HAND_PLACES)) for x in v]) for v in (t.q[h, i], t.k[h, j]))
    exact = float(t.scaled[h, i, j])
    from_shown = float(q_shown @ k_shown) / t.scale_factor / t.temperature
    divisors = (["√d_k"] if t.scale else []) + (["T"] if t.temperature != 1 else [])
    formula = " / ".join(["q·k", *divisors])
    where = f" (d_k = {t.d_k})" if t.scale else ""
    where += f", with temperature T = {knob(t.temperature)}" if t.temperature != 1 else ""
    q, k = _name(state.tokens, i), _name(state.key_tokens, j)
    a = cell_arithmetic(t, h, i, j)
    reason = "; ".join([f"q·k = {dot_terms(a.q_i, a.k_j)} = {number(a.dot)}", *filter(None, [scaling_line(a, t.d_k)])])
    two = number(from_shown) != number(exact)
    if two:
        reason += f"; from the rounded values shown it comes to {number(from_shown)}"
    reason += f" (answers within {number(HAND_TOLERANCE, HAND_PLACES + 1)} of {'either' if two else 'it'} count)"
    return Question(
        kind="score by hand", basis=_basis(state), query=i, head=h, step=state.step, cell=(i, j),
        text=(f"Score by hand: in {_head(computed, h)}, compute the score of query {q} against key {k}, "
              f"{formula}{where}, from q = {vector(t.q[h, i])} and k = {vector(t.k[h, j])}. "
              f"Give it to {HAND_PLACES} decimals."),
        number=(None, None, 10.0 ** -HAND_PLACES), targets=(exact, from_shown), tolerance=HAND_TOLERANCE,
        reason=reason)


def _which_head(state, computed, variant):
    h = _which_head_pattern(computed, variant)
    same = _same_pattern(computed, h)
    t, i, names = computed.trace, state.query, computed.head_names
    reason = f"This was the {names[h]} head" + _why(computed, h, lead=": ") + _top_clause(state, t, h, i)
    if len(same) > 1:
        reason += (f" (the {', '.join(names[g] for g in sorted(same - {h}))} head gives the same pattern to 3 "
                   "decimals, so it counts too)")
    notes = tuple((str(g), f"you chose the {names[g]} head" + ("" if g in same else _top_clause(state, t, g, i)))
                  for g in range(t.heads))
    return Question(
        kind="which head", basis=_basis(state), query=i, head=h, step=state.step,
        text=("Which head made this pattern? The matrix shows one head's attention weights for the whole sentence "
              "(a row per query, a column per key). Pick the designed head that produced it."),
        choices=tuple((str(g), names[g]) for g in range(t.heads)), right=frozenset(str(g) for g in same),
        reason=reason, notes=notes)


def _blend(state, computed, variant):
    t, h, i = computed.trace, state.head, state.query
    keys, q = state.key_tokens, _name(state.tokens, i)
    terms, norms, row = output_terms(t, h, i), _blend_norms(t, h, i), t.weights[h, i]
    top = _top_set(norms, HAND_TOLERANCE)

    def term(j):
        return f"{percent(row[j])} × its value = {vector(terms[j])}, of length {number(norms[j])}"

    reason = " and ".join(f"{_name(keys, j)} contributes most to the output of {q}: {term(j)}" for j in sorted(top))
    heaviest = int(np.argmax(row))
    if heaviest not in top:
        reason += (f" (the largest weight, {percent(row[heaviest])}, goes to {_name(keys, heaviest)}, "
                   f"but its value is shorter)")
    notes = tuple((str(j), f"you chose {_name(keys, j)}" + ("" if j in top else f": {term(j)}"))
                  for j in range(len(keys)))
    return Question(
        kind="blend", basis=_basis(state), query=i, head=h, step=state.step,
        text=(f"The blend: in {_head(computed, h)}, the new vector of {q} is the weighted sum of the values, "
              "Σ a_j v_j. Which key's value contributes most to it (the longest a_j v_j)?"),
        choices=_key_choices(keys), keys=True, right=frozenset(str(j) for j in top), reason=reason, notes=notes)


# -- helpers ----------------------------------------------------------------------------

def _basis(state):
    """What a question depends on: the scenario and the selection."""
    return (state.scenario, state.query, state.head, state.step)


def _percent(w):  # float -> float
    """A weight as the page shows it: percent() read back as a number of percent."""
    return parse(percent(w))


def _top_keys(row):  # [n_k] -> frozenset of keys
    """The keys that count as the top: within TIE_POINTS of it, or shown with the same percentage."""
    shown = np.array([_percent(w) for w in row], dtype=np.float64)
    return _top_set(100.0 * row, TIE_POINTS) | _top_set(shown, 0.0)


def _top_set(values, within):  # [n] -> frozenset of indices
    """The indices whose value is within `within` of the largest (with float slack)."""
    values = np.asarray(values, dtype=np.float64)
    return frozenset(int(j) for j in np.flatnonzero(values.max() - values <= within + _ROUNDING))


def _all_tie(norms):
    return len(_top_set(norms, HAND_TOLERANCE)) == len(norms)


def _blend_norms(trace, head, i):  # -> [n_k] the length of each a_ij v_j, as shown (3 decimals)
    """|a_ij v_j| rounded as the page prints it."""
    return np.array([parse(number(x)) for x in np.linalg.norm(output_terms(trace, head, i), axis=1)],
                    dtype=np.float64)


def _shown_pattern(trace, head):
    """A head's weight matrix as the attention-matrix table prints it."""
    return tuple(number(float(w)) for w in trace.weights[head].ravel())


def _same_pattern(computed, head):  # -> frozenset of heads whose shown matrix equals this head's
    pattern = _shown_pattern(computed.trace, head)
    return frozenset(g for g in range(computed.trace.heads) if _shown_pattern(computed.trace, g) == pattern)


def _which_head_pattern(computed, variant):
    """The head whose pattern a "which head" shows: the `variant`-th that not every head shares; None if none."""
    heads = computed.trace.heads
    if not computed.toy or heads < 2:
        return None
    for offset in range(heads):
        h = (variant + offset) % heads
        if len(_same_pattern(computed, h)) < heads:
            return h
    return None


def _causal_options(state):  # AppState -> {value: frozenset of keys that value says become 0}
    """The causal "what if"'s choices, as sets of key positions, the first of equal sets kept."""
    i, n_k = state.query, len(state.key_tokens)
    sets = {"none": (), "after": range(i + 1, n_k), "before": range(i), "others": (*range(i), *range(i + 1, n_k))}
    options = {}
    for value, keys in sets.items():
        if frozenset(keys) not in options.values():
            options[value] = frozenset(keys)
    return options


def _switch_words(state, after, switch):  # -> (what happened, what is asked)
    """The switch in words: "With √d_k scaling off" and "√d_k scaling is switched off"."""
    s = state.scenario
    if switch == "scale":
        state_word = "off" if s.scale else "on"
        return f"With √d_k scaling {state_word}", f"√d_k scaling is switched {state_word}"
    if switch == "causal":
        return "With the causal mask on", "the causal mask is switched on"
    new = knob(after.trace.temperature)
    direction = "up" if switch == "hotter" else "down"
    return f"At temperature {new}", f"the temperature goes {direction} from {knob(s.temperature)} to {new}"


def _sharpness_why(before, after, switch, outcome):  # Trace, Trace, str, str -> clause
    """Why the switch sharpened or flattened the row, or left it as it was."""
    if switch == "causal":
        return "the mask takes the weight of the later keys away and the allowed keys share it"
    factor = (before.scale_factor * before.temperature) / (after.scale_factor * after.temperature)
    if factor == 1:
        return "the scores do not change: √d_k is 1 when d_k is 1"
    gaps = "widens the gaps between them, and softmax turns wider gaps into sharper weights" if factor > 1 else (
        "narrows the gaps between them, and softmax turns narrower gaps into flatter weights")
    why = f"every score is multiplied by {number(factor)}, which {gaps}"
    if outcome == "unchanged":
        why += "; here too little to show, as the scores are (nearly) equal or one key already has almost everything"
    return why


def _got(trace, head, i, j):
    """", which got 11.0%" (and why, when the mask forbids the key)."""
    masked = "" if trace.allowed[i, j] else " (the mask forbids it)"
    return f", which got {percent(trace.weights[head, i, j])}{masked}"


def _top_clause(state, trace, head, i):
    """", where 'it' gives 84.0% to 'animal'" in that head, or "" when the query may attend to nothing."""
    if not trace.allowed[i].any():
        return ""
    row = trace.weights[head, i]
    j = int(np.argmax(row))
    return f", where {_name(state.tokens, i)} gives {percent(row[j])} to {_name(state.key_tokens, j)}"


def _why(computed, head, lead=": in the {name} head, "):
    """The designed head's explanation as a clause, or "" when the head has none (a real model's)."""
    text = computed.head_explanations[head]
    if not text:
        return ""
    return lead.format(name=computed.head_names[head]) + text[0].lower() + text[1:].rstrip(".")


def _head(computed, head):
    """The head in words: "the semantic head" for a designed head, its own name ("head 3") otherwise."""
    name = computed.head_names[head]
    return f"the {name} head" if computed.toy else name


def _name(tokens, j):
    """Token j in quotes, with its place when the sentence has it more than once: 'the' (word 5)."""
    quoted = f"'{tokens[j]}'"
    return quoted if tokens.count(tokens[j]) == 1 else f"{quoted} (word {j + 1})"


def _key_choices(keys):  # -> ((str(j), label), ...)
    """One choice per key token; a repeated token's label says which one."""
    return tuple((str(j), token if keys.count(token) == 1 else f"{token} (word {j + 1})")
                 for j, token in enumerate(keys))


def _guess_note(question, guess):
    """What the learner answered, in numbers: the choice's note, or the guess and its gap."""
    if question.choices:
        return dict(question.notes)[guess]
    value = parse_number(guess)
    gap = min(abs(value - t) for t in question.targets)
    if question.kind == "how much":
        return (f"you said {percent(value / 100.0)}, {number(gap, 1)} points away "
                f"(within {number(question.tolerance, 0)} counts)")
    return f"you wrote {number(value, HAND_PLACES)}, {number(gap, HAND_PLACES + 1)} away"

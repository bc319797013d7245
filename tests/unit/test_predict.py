"""Predict, then reveal: every kind of question judges a right answer right and a wrong one wrong, on
every preset, on random sentences, custom embeddings and a 12-head model; the answer never shows before
the reveal; the explanation cites the numbers; the score counts; the events are pure."""
import re
import string
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from attention.core import attention_trace
from attention.lexicon import TABLE
from attention.ops import entropy
from attention.presets import PRESETS
from attention.scenario import Scenario, Selection
from scene.numbers import knob, number, parse, percent
from ui import predict as pr
from ui.predict_state import Predict
from ui import state as ev
from ui.state import Computed, compute

WORDS = sorted(w for w in TABLE if w.isalpha())
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def at(state, step):
    return ev.set_step(state, step), compute(ev.set_step(state, step).scenario)


def row_of(computed, state):  # -> [n_k] the selected query's weights in the selected head
    return computed.trace.weights[state.head, state.query]


def answer(question, value):  # a Predict that chose `value` for `question` and revealed it
    return pr.reveal(pr.choose(Predict(on=True, question=question), value))


def texts(question):
    """What the page shows before the reveal: the question and the choices' labels."""
    return " ".join([question.text, *(label for _, label in question.choices)])


# -- independent truths: what each kind's answer is, from the trace -------------------

def expected_where(computed, state):  # -> set of choice values: within 0.05 points of the top, or shown alike
    row = row_of(computed, state)
    top = row.max()
    return {str(j) for j, w in enumerate(row) if 100 * (top - w) <= 0.05 + 1e-9 or percent(w) == percent(top)}


def expected_blend(computed, state):  # -> set of choice values: the longest a_ij v_j, to 3 decimals
    t = computed.trace
    lengths = [number(np.linalg.norm(a * v)) for a, v in zip(row_of(computed, state), t.v[state.head])]
    top = max(lengths, key=parse)
    return {str(j) for j, text in enumerate(lengths) if text == top}


def expected_heads(computed, head):  # -> set of choice values: heads whose matrix prints like `head`'s
    t = computed.trace
    shown = [[number(w) for w in t.weights[g].ravel()] for g in range(t.heads)]
    return {str(g) for g in range(t.heads) if shown[g] == shown[head]}


def after_switch(state, switch):  # the state the switch leads to, made with the state's own events
    s = state.scenario
    return {"scale": lambda: ev.set_scale(state, not s.scale),
            "hotter": lambda: ev.set_temperature(state, 2 * s.temperature),
            "colder": lambda: ev.set_temperature(state, s.temperature / 2),
            "causal": lambda: ev.set_kind(state, "causal")}[switch]()


def expected_what_if(computed, state, question, recompute):  # -> set of right choice values
    after = recompute(after_switch(state, question.switch))
    h, i = state.head, state.query
    if question.choices == pr.SHARPNESS:
        h0, h1 = (number(e, 2) for e in (computed.entropy[h, i], after.entropy[h, i]))
        return {"sharper"} if parse(h1) < parse(h0) else {"flatter"} if parse(h1) > parse(h0) else {"unchanged"}
    zero = {j for j, w in enumerate(after.trace.weights[h, i]) if w == 0.0}
    n = len(state.key_tokens)
    meaning = {"none": set(), "after": set(range(i + 1, n)), "before": set(range(i)),
               "others": set(range(n)) - {i}}
    return {v for v, _ in question.choices if meaning[v] == zero}


# -- the check every question passes -----------------------------------------------------

def check(state, computed, question, recompute=pr.recompute):
    """A right answer is judged right, a wrong one wrong; no leak before the reveal; the feedback cites the numbers."""
    kind, row = question.kind, row_of(computed, state)
    top = float(row.max())
    if kind == "where":
        right = expected_where(computed, state)
        assert question.right == right and question.keys
        wrong = next(v for v, _ in question.choices if v not in right)
        assert answer(question, sorted(right)[0]).right == 1
        missed = answer(question, wrong)
        assert missed.right == 0 and pr.feedback(missed).startswith("Not quite. ")
        assert percent(top) in pr.feedback(missed) and percent(row[int(wrong)]) in pr.feedback(missed)
        leaks = [percent(top), number(top)]
    elif kind == "how much":
        shown = parse(percent(top))
        for guess, ok in ((shown, True), (shown + 10, True), (shown - 10, True), (shown + 10.2, False),
                          (shown - 10.2, False), (0.0 if shown > 50 else 100.0, False)):
            assert pr.is_right(question, number(guess, 1)) == ok, (guess, shown)
        assert percent(top) in pr.feedback(answer(question, "0" if shown > 50 else "100"))
        leaks = [percent(top), number(top), number(100 * top, 1)]
    elif kind == "what if":
        right = expected_what_if(computed, state, question, recompute)
        assert question.right == right and len(right) == 1
        assert answer(question, next(iter(right))).right == 1
        wrong = next(v for v, _ in question.choices if v not in right)
        after = recompute(pr.switched(state, question.switch))
        told = pr.feedback(answer(question, wrong))
        assert told.startswith("Not quite. ")
        h, i = state.head, state.query
        for bits in (number(computed.entropy[h, i], 2), number(after.entropy[h, i], 2)):
            assert f"{bits} bits" in told or f"from {bits} to" in told
        leaks = [number(after.entropy[h, i], 2), percent(after.trace.weights[h, i].max())]
        for temperature in (computed.trace.temperature, after.trace.temperature):  # the question's own givens
            leaks = [leak for leak in leaks if leak != knob(temperature)]
    elif kind == "score by hand":
        t, (i, j) = computed.trace, question.cell
        exact = float(t.scaled[state.head, i, j])
        shown = [parse(number(x)) for x in (*t.q[state.head, i], *t.k[state.head, j])]
        d_k = t.d_k
        from_shown = float(np.dot(shown[:d_k], shown[d_k:])) / t.scale_factor / t.temperature
        for guess in (number(exact), number(from_shown), str(exact + 0.0004)):
            assert pr.is_right(question, guess), guess
        for guess in (number(exact + 0.002), number(exact - 0.002), number(exact + 1)):
            if min(abs(parse(guess) - exact), abs(parse(guess) - from_shown)) > 0.0006:
                assert not pr.is_right(question, guess), guess
        assert number(exact) in pr.feedback(answer(question, number(exact + 1)))
        givens = {number(x) for x in shown} | {str(d_k), "3"} | set(NUMBER.findall(knob(t.temperature)))
        givens |= set(NUMBER.findall(computed.head_names[state.head]))  # "head 12" of a real model
        text = re.sub(r"\(word \d+\)", "", question.text).replace("−", "")  # a repeated token's place is no answer
        assert set(NUMBER.findall(text)) <= {g.replace("−", "") for g in givens}
        leaks = []
    elif kind == "which head":
        right = expected_heads(computed, question.head)
        assert question.right == right and len(right) < computed.trace.heads
        assert answer(question, sorted(right)[0]).right == 1
        wrong = next(v for v, _ in question.choices if v not in right)
        assert answer(question, wrong).right == 0
        if computed.trace.allowed[state.query].any():
            told = pr.feedback(answer(question, wrong))
            for head in (question.head, int(wrong)):
                assert percent(computed.trace.weights[head, state.query].max()) in told
        assert computed.head_names[question.head] not in question.text  # the choices name every head
        leaks = []
    else:
        assert kind == "blend"
        right = expected_blend(computed, state)
        assert question.right == right and question.keys
        assert answer(question, sorted(right)[0]).right == 1
        wrong = next(v for v, _ in question.choices if v not in right)
        missed = answer(question, wrong)
        assert missed.right == 0
        terms = computed.trace.weights[state.head, state.query][:, None] * computed.trace.v[state.head]
        assert number(np.linalg.norm(terms[int(sorted(right)[0])])) in pr.feedback(missed)
        leaks = [number(np.linalg.norm(terms[int(sorted(right)[0])]))]
    shown_before = texts(question)
    for leak in leaks:
        assert leak not in shown_before, (leak, shown_before)


def every_question(state, computed, recompute=pr.recompute):
    """Every question the state offers: each kind, and a "what if" for each switch."""
    for kind in pr.offered(state, computed):
        variants = len(pr.available_switches(state)) if kind == "what if" else 1
        for variant in range(variants):
            yield pr.make_question(state, computed, kind, variant, recompute)


PRESET_STATES = [(p.id, step) for p in PRESETS for step in range(5)]


@pytest.mark.parametrize("preset_id, step", PRESET_STATES)
def test_every_question_on_every_preset_query_and_head(preset_id, step):
    base = ev.load_preset(None, preset_id)
    asked = set()
    for head in range(4):
        for query in range(len(base.tokens)):
            state, computed = at(ev.select_query(ev.select_head(base, head), query), step)
            for question in every_question(state, computed):
                check(state, computed, question)
                asked.add(question.kind)
    expected = {"where", "how much", "what if"} | ({"score by hand"} if step == 2 else set()) | (
        {"which head"} if step >= 3 else set()) | ({"blend"} if step == 4 else set())
    assert asked == expected


sentences = st.lists(st.sampled_from(WORDS) | st.text(string.ascii_letters, min_size=1, max_size=10),
                     min_size=1, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentences, st.sampled_from(ev.KINDS), st.booleans(), st.sampled_from([0.1, 0.5, 1.0, 3.7, 10.0]), st.data())
def test_every_question_on_random_sentences(text, kind, scale, temperature, data):
    state = ev.set_kind(ev.edit_sentence(ev.initial_state(), text), kind)
    state = ev.set_temperature(ev.set_scale(state, scale), temperature)
    state = ev.select_query(state, data.draw(st.integers(0, len(state.tokens) - 1)))
    state, computed = at(ev.select_head(state, data.draw(st.integers(0, 3))), data.draw(st.integers(0, 4)))
    for question in every_question(state, computed):
        check(state, computed, question)


def test_custom_embeddings_offer_everything_but_which_head():
    scenario = Scenario(tokens=("a", "b", "c", "d"), embeddings=((0.8, 0.2), (0.3, 0.9), (0.1, 0.4), (0.6, 0.1)))
    state, computed = at(ev.from_scenario(scenario, selection=Selection(query=1)), 4)
    assert pr.offered(state, computed) == ("where", "how much", "what if", "blend")
    for question in every_question(state, computed):
        check(state, computed, question)
    assert "which head" not in pr.offered(*at(state, 3))


def twelve_heads(state):  # AppState -> Computed: a stand-in for a real model, 12 heads and no designed names
    s = state.scenario
    rng = np.random.default_rng(7)
    x, context = rng.normal(size=(len(s.tokens), 24)), rng.normal(size=(len(state.key_tokens), 24))
    w = [rng.normal(size=(24, 24)) for _ in range(3)]
    t = attention_trace(x, *w, heads=12, mask=None if s.mask == "none" else s.mask, scale=s.scale,
                        temperature=s.temperature, context=context if s.context is not None else None)
    return Computed(t, x, context, entropy(t.weights), x[:, :2], (), tuple(f"head {h + 1}" for h in range(12)),
                    ("",) * 12, False)


# head 11 in cross-attention; in self-attention head 3, since the causal switch (set_kind) validates
# the scenario by the toy model's rules, which know 4 heads
@pytest.mark.parametrize("context, head", [(("le", "chat", "noir"), 11), (None, 3)])
@pytest.mark.parametrize("step", range(5))
def test_a_twelve_head_model_without_names_gets_every_kind_but_which_head(step, context, head):
    state = ev.from_scenario(Scenario(tokens=("[CLS]", "the", "cat", "sat", "[SEP]"), context=context),
                             selection=Selection(query=2, head=head, step=step))
    computed = twelve_heads(state)
    kinds = pr.offered(state, computed)
    assert "which head" not in kinds and {"where", "how much", "what if"} <= set(kinds)
    for question in every_question(state, computed, twelve_heads):
        check(state, computed, question, twelve_heads)
        assert "designed" not in question.text and "the head 12 head" not in question.text
    assert pr.new_question(state, computed, Predict(on=True), twelve_heads).question is not None


def test_a_causal_what_if_whose_zeros_are_no_simple_set_asks_sharper_or_flatter():
    # key 0 scores -2e6 against query 2, so its weight underflows to 0 before the mask takes key 3 away
    scenario = Scenario(tokens=("a", "b", "c", "d"), embeddings=((-2000.0, 0.0), (1.0, 0.0), (1.0, 0.0), (0.0, 5.0)))
    state, computed = at(ev.from_scenario(scenario, selection=Selection(query=2)), 3)
    assert row_of(computed, state)[0] == 0.0
    question = pr.make_question(state, computed, "what if", pr.available_switches(state).index("causal"))
    assert question.switch == "causal" and question.choices == pr.SHARPNESS
    check(state, computed, question)


def test_the_causal_what_if_names_the_later_keys():
    state, computed = at(ev.load_preset(None, "pronoun"), 3)
    question = pr.make_question(state, computed, "what if", pr.available_switches(state).index("causal"))
    assert question.right == {"after"}
    told = pr.feedback(answer(question, "after"))
    assert told.startswith("Correct. With the causal mask on, 'was', 'too', 'tired' get exactly 0.0%")
    last, computed = at(ev.select_query(state, len(state.tokens) - 1), 3)
    question = pr.make_question(last, computed, "what if", pr.available_switches(last).index("causal"))
    assert question.right == {"none"} and "after" not in dict(question.choices)


def test_the_pronoun_explanation_reads_like_the_issue():
    state, computed = at(ev.load_preset(None, "pronoun"), 3)
    question = pr.make_question(state, computed, "where")
    street = str(state.tokens.index("street"))
    told = pr.feedback(answer(question, street))
    weights = row_of(computed, state)
    why = computed.head_explanations[state.head]  # "Pronouns look back for ..."
    assert told.startswith(f"Not quite. 'it' gave {percent(weights[1])} to 'animal': in the coreference head, "
                           f"{why[0].lower()}{why[1:].rstrip('.')}; ")
    assert told.endswith(f"; you chose 'street', which got {percent(weights[int(street)])}.")


def one_query_over(weights):  # -> (state, computed): a query whose weights on three keys are `weights`
    scores = np.sqrt(2.0) * np.log(weights)  # d_k = 2: the engine divides q·k = score by √2
    scenario = Scenario(tokens=("q",), context=("a", "b", "c"), embeddings=((1.0, 0.0),),
                        context_embeddings=tuple((float(x), 0.0) for x in scores))
    state, computed = at(ev.from_scenario(scenario), 3)
    assert np.allclose(row_of(computed, state), weights)
    return state, computed


@pytest.mark.parametrize("weights, shown", [
    ((0.4006, 0.4002, 0.1992), ("40.1%", "40.0%")),  # 0.04 points apart: a tie, though shown differently
    ((0.40049, 0.39951, 0.2), ("40.0%", "40.0%")),  # 0.098 points apart, but shown the same: a tie too
])
def test_ties_count_within_005_points_or_when_shown_alike(weights, shown):
    state, computed = one_query_over(weights)
    assert tuple(percent(w) for w in row_of(computed, state)[:2]) == shown
    question = pr.make_question(state, computed, "where")
    assert question.right == {"0", "1"} and "0.05 points of the top" in question.reason
    assert answer(question, "1").right == 1 and answer(question, "2").right == 0
    check(state, computed, question)


def test_keys_apart_by_more_than_005_points_and_shown_apart_do_not_tie():
    state, computed = one_query_over((0.4005, 0.3995, 0.2))
    assert pr.make_question(state, computed, "where").right == {"0"}


def test_a_uniform_row_asks_no_where_and_one_token_asks_no_which_head():
    state, computed = at(ev.edit_sentence(ev.initial_state(), "cat"), 4)
    assert "where" not in pr.offered(state, computed) and "which head" not in pr.offered(state, computed)
    assert "blend" not in pr.offered(state, computed)
    assert pr.offered(state, computed) == ("how much",)  # and no "what if": one key keeps 100% whatever the switch


def test_a_query_that_may_attend_to_nothing_is_asked_only_the_score():
    mask = ((False, False), (True, True))
    state, computed = at(ev.from_scenario(Scenario(tokens=("a", "b"), mask=mask)), 2)
    assert pr.offered(state, computed) == ("score by hand",)
    assert pr.offered(*at(state, 3)) == ("which head",)  # the other rows still tell the heads apart
    empty = pr.new_question(*at(state, 1), Predict(on=True))
    assert empty.question is None and not pr.answer_hidden(empty)


# -- the mode's flow ------------------------------------------------------------------------

def test_the_first_question_at_each_stage_then_the_others_in_turn():
    base = ev.load_preset(None, "hot-dog")
    firsts = {step: pr.new_question(*at(base, step), Predict(on=True)).question.kind for step in range(5)}
    assert firsts == {0: "where", 1: "where", 2: "score by hand", 3: "where", 4: "blend"}
    state, computed = at(base, 3)
    p, kinds = Predict(on=True), []
    for _ in range(5):
        p = pr.new_question(state, computed, p)
        kinds.append(p.question.kind)
    assert kinds == ["where", "how much", "what if", "which head", "where"] and p.asked == 5
    moved = pr.new_question(*at(state, 4), p)
    assert moved.question.kind == "blend"
    assert pr.new_question(state, computed, moved).question.kind == "where"


def test_scoring_counts_right_and_answered_and_reveals_once():
    state, computed = at(ev.load_preset(None, "hot-dog"), 3)
    p = pr.new_question(state, computed, Predict(on=True))
    assert pr.score_text(p) == "0 / 0" and pr.reveal(p) is p  # no guess yet: nothing to reveal
    p = pr.reveal(pr.choose(p, "1"))  # 'hot', the right key
    assert pr.score_text(p) == "1 / 1" and pr.feedback(p).startswith("Correct. ")
    assert pr.reveal(p) is p and pr.choose(p, "0") is p  # revealed: counted once, the guess stays
    assert pr.answered_report(p) == {"type": "attention-explorer:answered", "kind": "where", "correct": True,
                                     "score": "1 / 1"}
    p = pr.reveal(pr.choose(pr.new_question(state, computed, p), "0"))  # "how much": 0% is far off
    assert pr.score_text(p) == "1 / 2" and pr.answered_report(p)["correct"] is False
    assert pr.score_text(pr.reset_score(p)) == "0 / 0"


def test_the_answer_is_hidden_until_the_reveal():
    state, computed = at(ev.load_preset(None, "hot-dog"), 3)
    p = pr.new_question(state, computed, Predict(on=True))
    assert pr.answer_hidden(p) and pr.mirror_text(p, "85.3%") == pr.HIDDEN_TEXT == "hidden until you answer"
    assert pr.feedback(p) == "" and pr.answered_report(p) is None
    p = pr.reveal(pr.choose(p, "2"))
    assert not pr.answer_hidden(p) and pr.mirror_text(p, "85.3%") == "85.3%"
    assert not pr.answer_hidden(Predict()) and pr.mirror_text(Predict(), "1.0%") == "1.0%"


def test_choices_and_numbers_that_are_not_answers_are_ignored():
    state, computed = at(ev.load_preset(None, "hot-dog"), 3)
    where = pr.make_question(state, computed, "where")
    p = Predict(on=True, question=where)
    assert pr.choose(p, "9") is p and pr.choose(p, "hot") is p
    assert pr.choose_key(p, 1).guess == "1"
    how_much = Predict(on=True, question=pr.make_question(state, computed, "how much"))
    assert pr.choose(how_much, "120").guess is None and pr.choose(how_much, "abc").guess is None
    assert pr.choose(how_much, " 85 ").guess == "85" and pr.choose_key(how_much, 1) is how_much
    typed = ("0,5", "−2", "84%", "inf", "", "1e400")
    assert [pr.parse_number(t) for t in typed] == [0.5, -2.0, 84.0, None, None, None]


def test_toggle_lock_and_refresh():
    state, computed = at(ev.load_preset(None, "hot-dog"), 3)
    p = pr.toggle(Predict(), True)
    p = pr.refresh(state, computed, p)
    assert p.on and p.question.kind == "where"
    assert pr.refresh(state, computed, p) is p  # the question still fits
    other, other_computed = at(ev.select_query(state, 0), 3)
    assert pr.is_stale(other, p) and pr.refresh(other, other_computed, p).question.query == 0
    assert pr.toggle(p, False).question is None and pr.toggle(p, False).on is False
    locked = pr.lock(Predict())
    assert pr.toggle(locked, False) is locked and locked.on
    assert pr.refresh(state, computed, Predict()) == Predict()  # off: nothing asked


def test_a_what_if_is_asked_before_the_switch_and_survives_it_after_the_reveal():
    state, computed = at(ev.load_preset(None, "hot-dog"), 3)
    p = pr.ask_what_if(state, computed, Predict(on=True), "scale")
    assert p.question.switch == "scale" and p.question.right == {"sharper"}
    p = pr.reveal(pr.choose(p, "sharper"))
    flipped = pr.switched(state, p.question.switch)
    assert flipped.scenario.scale is False
    assert pr.refresh(flipped, compute(flipped.scenario), p) is p  # the feedback stays until "next"
    cross = ev.set_kind(state, "cross")
    assert pr.ask_what_if(cross, compute(cross.scenario), p, "causal") is p  # not a switch cross-attention has
    assert pr.switched(state, None) is state


def test_the_temperature_switches_stop_at_the_sliders_ends():
    hot = ev.set_temperature(ev.load_preset(None, "hot-dog"), 10.0)
    assert pr.available_switches(hot) == ("scale", "colder", "causal")
    assert "causal" not in pr.available_switches(ev.load_preset(None, "causal"))


def test_events_are_pure():
    state, computed = at(ev.load_preset(None, "hot-dog"), 3)
    before = pr.new_question(state, computed, Predict(on=True))
    chosen = pr.choose(before, "1")
    revealed = pr.reveal(chosen)
    assert before.guess is None and chosen.guess == "1" and not chosen.revealed and chosen.answered == 0
    snapshot = replace(revealed)
    changed = [pr.reset_score(revealed), pr.toggle(revealed, False), pr.lock(revealed),
               pr.new_question(state, computed, revealed), pr.ask_what_if(state, computed, revealed, "scale")]
    assert all(new != revealed for new in changed) and revealed == snapshot and revealed.answered == 1

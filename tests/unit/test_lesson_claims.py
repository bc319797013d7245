"""The lesson's and the README's figures, recomputed: every quoted weight, entropy and winner against the engine.

Each claim names the state it describes (a link of the lesson, then events written as address parameters),
the words the page prints, and the figures in those words. A claim holds only if the words are on the page,
each figure is in the words, and the engine, rounded to the decimals written, gives that figure. When the toy
model changes, this test names each sentence that no longer tells the truth.

The trained-model activity's figures are checked the same way on all-MiniLM-L6-v2, as the page gets it (the
float16 pack) and as released (float32), opened as the page opens a `model=minilm` link; without the model's
files on this machine those checks skip.
"""
import html
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from attention import minilm, model_pack, wordpiece
from attention.lexicon import TABLE
from attention.safetensors import read_safetensors
from model_files import model_dir
from ui import real, view
from ui import state as ev
from ui.params import apply_params, split_params
from ui.predict import settle
from ui.share import open_fragment, real_model_query
from ui.state import computed_of

ROOT = Path(__file__).resolve().parents[2]
LESSON = (ROOT / "web" / "lesson.html").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def prose(source):  # html | markdown -> its text on one line
    """The words of a page as a reader sees them: tags dropped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", source)).split())


def lesson_links():  # -> [href], as a browser reads them
    return [html.unescape(h) for h in re.findall(r'href="(\./index\.html[^"]*)"', LESSON)]


# Activity 2's links, at Scores and at Softmax: its own model of two numbers per token, with Q = K = V = X.
TWO_NUMBERS, TWO_NUMBERS_SOFTMAX = (h for h in lesson_links() if "#scenario=" in h)


def open_link(href, events=None):  # str, {param: str} | None -> AppState
    """The state a lesson link opens in the explorer, then `events` applied as address parameters would be."""
    address = urlsplit(href)
    state = ev.initial_state()
    if address.fragment:
        state = open_fragment(state, address.fragment)
    state, problems = apply_params(state, dict(parse_qsl(address.query)))
    state, more = apply_params(state, events or {})
    assert not problems + more, problems + more
    return state


MARKERS = ("[CLS]", "[SEP]")  # the real model's pieces before and after the sentence: not words


def measured(state, kind, key, written):  # AppState, str, str, str -> str
    """The engine's figure for the selected query and head, written the way `written` is (same decimals)."""
    c = computed_of(state)
    h, i = state.head, state.query
    if kind == "label":
        return c.head_names[h]
    decimals = len(re.search(r"\.(\d+)", written).group(1)) if "." in written else 0
    if kind == "entropy":
        return f"{c.entropy[h, i]:.{decimals}f}"
    if kind == "output":
        return "[" + ", ".join(f"{v:.{decimals}f}" for v in c.trace.head_outputs[h, i]) + "]"
    keys = list(state.key_tokens)
    row = c.trace.weights[h, i]  # [n_k]
    if kind == "top":
        return keys[int(np.argmax(row))]
    if kind == "top word":
        words = [k for k, token in enumerate(keys) if token not in MARKERS]
        return keys[max(words, key=lambda k: row[k])]
    assert keys.count(key) == 1, f"{key!r} is not exactly one key of {keys}"
    if kind == "rest":
        return f"{100 * np.delete(row, keys.index(key)).max():.{decimals}f}%"
    arrays = {"weight": c.trace.weights, "score": c.trace.scores, "scaled": c.trace.scaled}  # [heads, n_q, n_k]
    value = arrays[kind][h, i, keys.index(key)]
    return f"{100 * value:.{decimals}f}%" if written.endswith("%") else f"{value:.{decimals}f}"


@dataclass(frozen=True)
class Claim:
    link: str  # where the state starts: a link of the lesson (or of the README's presets)
    words: str  # what the page says, as prose() reads it
    query: str  # the query token the words talk about
    head: str  # the head they talk about (a HEAD_INFO name, "head 0" for Activity 2's own weights, "layer 0 head 2")
    figures: tuple  # (kind, key token, as written): kind weight / score / scaled / entropy / output / top, or
    #                 top word (no marker), rest (the largest weight on the other keys), label (the head's name)
    events: tuple = ()  # (param, value) applied after the link, in the order apply_params knows


CAT_SCALED = "./index.html?preset=cat&step=3&query=2&head=1&scale=1"
CAT_UNSCALED = "./index.html?preset=cat&step=3&query=2&head=1&scale=0"
HOT_DOG = "./index.html?preset=hot-dog&step=4"
TEMPERATURE = "./index.html?preset=hot-dog&step=3&temperature="
HUNT = "./index.html?preset=lions&step=3&query=2&head=1"
IT = "./index.html?preset=pronoun&step=3&query=7&head=3"
CAUSAL = "./index.html?preset=causal&step=2&query=6"
LIONS = ("Angry", "lions", "hunt", "zebras", ",", "while", "cats", "sleep", "peacefully")
WIDE = "The animal didn't cross the street because it was too wide"
A4 = ("“dog” gives “hot” 99.9% at T = 0.3, 85.3% at T = 1 and only 38.9% at T = 5. The entropy climbs from "
      "about 0.01 bits through 0.74 to 1.92 bits")
A6_HUNT = ("for “hunt”, the syntactic head finds its subject “lions” (66.3%, with 31.8% on the object “zebras”); "
           "the positional head also lands on “lions” (77.6%)")
A6_HUNT_REST = ("the semantic head gives all nine tokens 11.1%, a uniform row; the coreference head has no pronoun "
                "to resolve, spreads over the whole sentence and leans towards the earliest words (41.3% on "
                "“Angry”, 24.4% on “lions”)")
A6_IT = ("For “it”, the coreference head picks “animal” (92.4%) over “street” (2.4%), while the positional head "
         "simply looks at “because” (77.6%)")
Q1 = "dropped the entropy from 0.26 to 0.01 bits"
DESIGNED_POSITIONAL = "./index.html?preset=pronoun&step=3&query=7&head=0"  # Activity 10's first link, the designed head
A10_POSITIONAL = ("the designed positional head gives “because”, the word before “it”, 77.6% and lets the rest "
                  "spill over to its neighbours (11.1% on “street”, 11.1% on “it” itself)")
A10_Q1_POSITIONAL = "(77.6% on “because”, 11.1% on “street” and on “it”)"
A10_Q2_UNIFORM = "the semantic head gives each of the nine tokens 11.1% for “hunt”"

LESSON_CLAIMS = (
    Claim(TWO_NUMBERS, "the dot products are 0.42, 0.90, 0.39 and 0.27, and the scaled scores 0.297, 0.636, "
          "0.276 and 0.191", "cat", "head 0",
          (("score", "The", "0.42"), ("score", "cat", "0.90"), ("score", "sat", "0.39"), ("score", "down", "0.27"),
           ("scaled", "The", "0.297"), ("scaled", "cat", "0.636"), ("scaled", "sat", "0.276"),
           ("scaled", "down", "0.191"))),
    Claim(TWO_NUMBERS, "After softmax “cat” keeps only 32.8% for itself and gives the other three keys 23.4%, 22.9% "
          "and 21.0%", "cat", "head 0",
          (("weight", "cat", "32.8%"), ("weight", "The", "23.4%"), ("weight", "sat", "22.9%"),
           ("weight", "down", "21.0%"))),
    Claim(CAT_SCALED, "Scaled, “sat” gives 96.5% to “cat” and the entropy is about 0.26 bits", "sat", "syntactic",
          (("weight", "cat", "96.5%"), ("entropy", None, "0.26"))),
    Claim(CAT_UNSCALED, "unscaled, it gives 99.9% and the entropy falls to about 0.01 bits", "sat", "syntactic",
          (("weight", "cat", "99.9%"), ("entropy", None, "0.01"))),
    Claim(CAT_SCALED, Q1, "sat", "syntactic", (("entropy", None, "0.26"),)),
    Claim(CAT_UNSCALED, Q1, "sat", "syntactic", (("entropy", None, "0.01"),)),
    Claim(TEMPERATURE + "0.3", A4, "dog", "semantic", (("weight", "hot", "99.9%"), ("entropy", None, "0.01"))),
    Claim(TEMPERATURE + "1", A4, "dog", "semantic", (("weight", "hot", "85.3%"), ("entropy", None, "0.74"))),
    Claim(TEMPERATURE + "5", A4, "dog", "semantic", (("weight", "hot", "38.9%"), ("entropy", None, "1.92"))),
    Claim(TEMPERATURE + "0.3", "“dog” → “hot” went from 99.9% at T = 0.3", "dog", "semantic",
          (("weight", "hot", "99.9%"),)),
    Claim(TEMPERATURE + "5", "to 38.9% at T = 5", "dog", "semantic", (("weight", "hot", "38.9%"),)),
    Claim("./index.html?preset=dog&step=4", "alone, “dog” attends 78.7% to itself and its output is about "
          "[0.787, 0.393, 0.000, 0.000]: mostly animal", "dog", "semantic",
          (("weight", "dog", "78.7%"), ("output", None, "[0.787, 0.393, 0.000, 0.000]"))),
    Claim(HOT_DOG, "With “hot” in front it attends 85.3% to “hot”, and the output becomes about "
          "[0.115, 0.058, 0.853, 0.000]: mostly heat", "dog", "semantic",
          (("weight", "hot", "85.3%"), ("output", None, "[0.115, 0.058, 0.853, 0.000]"))),
    Claim(HOT_DOG, "with “hot” present the semantic head gives “hot” 85.3% of the weight", "dog", "semantic",
          (("weight", "hot", "85.3%"),)),
    Claim(HUNT, A6_HUNT, "hunt", "syntactic", (("weight", "lions", "66.3%"), ("weight", "zebras", "31.8%"))),
    Claim(HUNT, A6_HUNT, "hunt", "positional", (("weight", "lions", "77.6%"),), (("head", "0"),)),
    Claim(HUNT, A6_HUNT_REST, "hunt", "semantic", tuple(("weight", t, "11.1%") for t in LIONS), (("head", "2"),)),
    Claim(HUNT, A6_HUNT_REST, "hunt", "coreference",
          (("top", None, "Angry"), ("weight", "Angry", "41.3%"), ("weight", "lions", "24.4%")), (("head", "3"),)),
    Claim(IT, A6_IT, "it", "coreference", (("weight", "animal", "92.4%"), ("weight", "street", "2.4%"))),
    Claim(IT, A6_IT, "it", "positional", (("weight", "because", "77.6%"),), (("head", "0"),)),
    Claim(CAUSAL, "their weights are exactly 0.000, “it” still finds “dog” (92.1%)", "it", "coreference",
          (("weight", "was", "0.000"), ("weight", "tired", "0.000"), ("weight", "dog", "92.1%"))),
    Claim("./index.html?preset=translate&step=3&query=1&head=2", "“chat” attends 78.7% to “cat”", "chat",
          "semantic", (("weight", "cat", "78.7%"),)),
    Claim("./index.html?preset=translate&step=3&query=2&head=2", "“noir” 78.7% to “black”", "noir", "semantic",
          (("weight", "black", "78.7%"),)),
    Claim("./index.html?preset=translate&step=3&query=1&head=2", "“le” has nothing to match in this head and "
          "spreads evenly (33.3% each)", "le", "semantic",
          tuple(("weight", t, "33.3%") for t in ("the", "black", "cat")), (("query", "0"),)),
    Claim(IT, "goes mostly to “animal” (about 92%, just as with “tired”)", "it", "coreference",
          (("weight", "animal", "92%"),)),
    Claim(IT, "goes mostly to “animal” (about 92%, just as with “tired”)", "it", "coreference",
          (("weight", "animal", "92%"),), (("text", WIDE), ("query", "7"), ("head", "3"))),
    Claim(IT, "(“it” → “because”)", "it", "positional", (("top", None, "because"),), (("head", "0"),)),
    Claim(HUNT, "adverbs for their verb (“hunt” → “lions”)", "hunt", "syntactic", (("top", None, "lions"),)),
    Claim(HOT_DOG, "(“dog” → “hot”, “chat” → “cat”)", "dog", "semantic", (("top", None, "hot"),)),
    Claim("./index.html?preset=translate&step=3&query=1&head=2", "(“dog” → “hot”, “chat” → “cat”)", "chat",
          "semantic", (("top", None, "cat"),)),
    Claim(IT, "preferring living things (“it” → “animal”)", "it", "coreference", (("top", None, "animal"),)),
    Claim(IT, "(“he” → “him” in “She gave him the book because he asked”)", "he", "coreference",
          (("top", None, "him"),), (("text", "She gave him the book because he asked"), ("query", "6"))),
    Claim(DESIGNED_POSITIONAL, A10_POSITIONAL, "it", "positional",
          (("weight", "because", "77.6%"), ("weight", "street", "11.1%"), ("weight", "it", "11.1%"))),
    Claim(DESIGNED_POSITIONAL, A10_Q1_POSITIONAL, "it", "positional",
          (("weight", "because", "77.6%"), ("weight", "street", "11.1%"), ("weight", "it", "11.1%"))),
    Claim(HUNT, A10_Q2_UNIFORM, "hunt", "semantic", tuple(("weight", t, "11.1%") for t in LIONS), (("head", "2"),)),
)

README_CLAIMS = (
    Claim("./index.html?preset=pronoun", "'it' attends 92% to 'animal' in the coreference head", "it", "coreference",
          (("weight", "animal", "92%"),)),
    Claim("./index.html?preset=pronoun", "(query 'it', coreference head: it→animal ~92%)", "it", "coreference",
          (("weight", "animal", "92%"),)),
    Claim("./index.html?preset=hot-dog", "(query 'dog', semantic head: 'dog' attends ~85% to 'hot')", "dog",
          "semantic", (("weight", "hot", "85%"),)),
    Claim("./index.html?preset=lions", "(query 'hunt', syntactic head: hunt→lions)", "hunt", "syntactic",
          (("top", None, "lions"),)),
    Claim("./index.html?preset=translate", "semantic head aligns chat→cat, noir→black", "chat", "semantic",
          (("top", None, "cat"),)),
    Claim("./index.html?preset=translate", "semantic head aligns chat→cat, noir→black", "noir", "semantic",
          (("top", None, "black"),), (("query", "2"),)),
)


def head_of(state):  # AppState -> "syntactic" | "layer 0 head 2"
    """The selected head as a claim names it: by its designed name, or by layer and number in the real model."""
    if state.model == "minilm":
        return f"layer {state.layer} head {state.head}"
    return computed_of(state).head_names[state.head]


def check(claim, page, state=None):  # Claim, str, AppState | None -> None
    """The claim's words are on the page, its figures in its words, and the engine agrees with each.

    `state`: what the claim's link opens, when open_link cannot open it (a real-model link: open_trained)."""
    assert claim.words in prose(page), f"the page no longer says: {claim.words}"
    state = open_link(claim.link, dict(claim.events)) if state is None else state
    shown = (state.tokens[state.query], head_of(state))
    assert shown == (claim.query, claim.head), f"not the state described: {shown}"
    for kind, key, written in claim.figures:
        assert written in claim.words, f"{written} is not a figure of: {claim.words}"
        assert measured(state, kind, key, written) == written, f"{kind} {key or ''} in: {claim.words}"


@pytest.mark.parametrize("claim", LESSON_CLAIMS, ids=lambda c: f"{c.query}-{c.head}-{c.figures[0][2]}")
def test_the_lesson_quotes_the_engine(claim):
    assert claim.link in lesson_links()
    check(claim, LESSON)


@pytest.mark.parametrize("claim", README_CLAIMS, ids=lambda c: f"{c.query}-{c.head}")
def test_the_readme_quotes_the_engine(claim):
    check(claim, README)


def test_the_readme_gives_the_lexicon_size():
    assert f"on a {len(TABLE):,}-word toy lexicon" in prose(README)


PREDICT, LOCKED = "./index.html?", "&mode=predict&lock=1"  # Activity 9: predict mode, locked on
# What each link of the lesson opens, as the activity's text describes it: query token, head, step, what else.
LINKS = {
    "./index.html?preset=cat&step=0&query=2&head=1": ("sat", "syntactic", 0, {}),
    "./index.html?preset=cat&step=1&query=2&head=1": ("sat", "syntactic", 1, {}),
    TWO_NUMBERS: ("cat", "head 0", 2, {}),
    TWO_NUMBERS_SOFTMAX: ("cat", "head 0", 3, {}),
    CAT_SCALED: ("sat", "syntactic", 3, {"scale": True}),
    CAT_UNSCALED: ("sat", "syntactic", 3, {"scale": False}),
    TEMPERATURE + "0.3": ("dog", "semantic", 3, {"temperature": 0.3}),
    TEMPERATURE + "1": ("dog", "semantic", 3, {"temperature": 1.0}),
    TEMPERATURE + "5": ("dog", "semantic", 3, {"temperature": 5.0}),
    "./index.html?preset=dog&step=4": ("dog", "semantic", 4, {}),
    HOT_DOG: ("dog", "semantic", 4, {}),
    HUNT: ("hunt", "syntactic", 3, {}),
    IT: ("it", "coreference", 3, {}),
    "./index.html?preset=lions&step=3&head=1&beams=all": ("hunt", "syntactic", 3, {"beams": "all"}),
    CAUSAL: ("it", "coreference", 2, {"kind": "causal"}),
    "./index.html?preset=causal&step=3&query=6&beams=all": ("it", "coreference", 3,
                                                            {"kind": "causal", "beams": "all"}),
    "./index.html?preset=pronoun&type=causal&step=3&query=7&head=3": ("it", "coreference", 3, {"kind": "causal"}),
    "./index.html?preset=translate&step=3&query=1&head=2": ("chat", "semantic", 3, {"kind": "cross"}),
    "./index.html?preset=translate&step=3&query=2&head=2": ("noir", "semantic", 3, {"kind": "cross"}),
    DESIGNED_POSITIONAL: ("it", "positional", 3, {}),
    PREDICT + "preset=hot-dog&step=3&query=2&head=2" + LOCKED: ("dog", "semantic", 3, {"predict": "where"}),
    PREDICT + "preset=pronoun&step=3&query=7&head=3" + LOCKED: ("it", "coreference", 3, {"predict": "where"}),
    PREDICT + "preset=cat&step=2&query=2&head=1" + LOCKED: ("sat", "syntactic", 2, {"predict": "score by hand"}),
    PREDICT + "preset=hot-dog&step=4&query=2&head=2" + LOCKED: ("dog", "semantic", 4, {"predict": "blend"}),
    PREDICT + "preset=lions&step=3&query=2&head=1" + LOCKED: ("hunt", "syntactic", 3, {"predict": "where"}),
}
SETTINGS = {"scale": lambda s: s.scenario.scale, "temperature": lambda s: s.scenario.temperature,
            "beams": lambda s: s.beams, "kind": lambda s: s.kind,
            "predict": lambda s: settle(s).predict.locked and settle(s).predict.question.kind}


def test_every_activity_link_is_described_here():
    activity_links = [h for h in lesson_links() if "preset=" in h or "#scenario=" in h]
    assert sorted(activity_links) == sorted(LINKS)


@pytest.mark.parametrize("link", LINKS, ids=lambda h: h.split("?")[-1][:60])
def test_each_link_opens_the_state_its_activity_describes(link):
    query, head, step, settings = LINKS[link]
    state = open_link(link)
    assert (state.tokens[state.query], ev.compute(state.scenario).head_names[state.head], state.step) == (
        query, head, step)
    assert {name: SETTINGS[name](state) for name in settings} == settings


def test_activity_7_the_row_of_it_hardly_changes_under_the_causal_mask_while_earlier_rows_do():
    free = ev.compute(open_link(IT).scenario).trace.weights[3]
    masked = ev.compute(open_link(IT, {"attention": "causal"}).scenario).trace.weights[3]
    change = np.abs(free - masked).max(axis=1)  # [n_q]
    assert change[7] < 0.01 and change[:3].min() > 0.1


def test_activity_7_the_mask_hides_the_words_after_it_and_leaves_the_first_word_itself():
    state = open_link(CAUSAL)
    trace = ev.compute(state.scenario).trace
    hidden = [k for k, allowed in zip(state.key_tokens, trace.allowed[state.query]) if not allowed]
    assert hidden == ["was", "tired"]
    assert trace.weights[state.head, 0].tolist() == [1.0] + [0.0] * (len(state.tokens) - 1)


def test_the_check_itself_sees_a_stale_figure_and_a_wrong_state():
    right = LESSON_CLAIMS[2]
    stale = Claim(right.link, right.words.replace("96.5%", "96.3%"), right.query, right.head,
                  (("weight", "cat", "96.3%"),))
    with pytest.raises(AssertionError, match="weight cat"):
        check(stale, stale.words)
    elsewhere = Claim(right.link, right.words, "cat", right.head, right.figures)
    with pytest.raises(AssertionError, match="not the state described"):
        check(elsewhere, LESSON)
    with pytest.raises(AssertionError, match="no longer says"):
        check(right, LESSON.replace("96.5%", "96.3%"))


# -- the trained-model activity: all-MiniLM-L6-v2 on the pronoun sentence, the query "it" at Softmax -----------

TRAINED = ("./index.html?model=minilm&text=The%20animal%20didn%27t%20cross%20the%20street%20because%20it%20was"
           "%20too%20{}&layer={}&head={}&query=10&step=3")
PREVIOUS, SINK = TRAINED.format("tired", 0, 2), TRAINED.format("tired", 4, 5)
IT_3, IT_5, IT_3_WIDE = TRAINED.format("tired", 3, 1), TRAINED.format("tired", 5, 11), TRAINED.format("wide", 3, 1)
TYPED_WIDE = (("text", WIDE),)  # step 4: "tired" changed to "wide" in the sentence box
PIECES = ("[CLS]", "the", "animal", "didn", "'", "t", "cross", "the", "street", "because", "it", "was", "too")
# What each real-model link opens: its sentence's last piece before [SEP], the query piece, layer, head, step.
TRAINED_LINKS = {PREVIOUS: ("tired", "it", 0, 2, 3), SINK: ("tired", "it", 4, 5, 3), IT_3: ("tired", "it", 3, 1, 3),
                 IT_5: ("tired", "it", 5, 11, 3), IT_3_WIDE: ("wide", "it", 3, 1, 3)}
A10_PREVIOUS = ("The trained layer 0, head 2 gives “because” 100.0% and every other piece 0.0%. Its name in the Head "
                "menu, “previous token 1.00”")
A10_SINK = ("In layer 4, head 5, “it” puts 88.0% on [CLS], which is not a word at all, and the head is named "
            "“[CLS] 0.90”: on average the sentence's tokens park 0.90 of their attention there")
A10_TIRED = ("With “tired”, layer 3, head 1 gives “animal” 64.0% (“street” 5.2%) and layer 5, head 11 gives it 64.7% "
             "(“street” 2.2%). Layer 3, head 1 is named “[CLS] 0.54”")
A10_WIDE = ("still prefer “animal” to every other word: layer 3, head 1 gives it 26.6%, “street” 12.8% and [CLS] "
            "36.1%; layer 5, head 11 gives “animal” 50.3% and “street” 3.6%")
A10_Q3 = ("With “tired” it gives “animal” 64.7%; with “wide”, where a reader picks “street”, it still gives “animal” "
          "50.3% and “street” only 3.6% (layer 3, head 1: 26.6% against 12.8%)")

WIDE_3 = (("top word", None, "animal"), ("weight", "animal", "26.6%"), ("weight", "street", "12.8%"),
          ("weight", "[CLS]", "36.1%"))
TRAINED_CLAIMS = (
    Claim(PREVIOUS, A10_PREVIOUS, "it", "layer 0 head 2",
          (("weight", "because", "100.0%"), ("rest", "because", "0.0%"), ("label", None, "previous token 1.00"))),
    Claim(PREVIOUS, "without hesitation, 100.0% on the piece before", "it", "layer 0 head 2",
          (("weight", "because", "100.0%"),)),
    Claim(SINK, A10_SINK, "it", "layer 4 head 5", (("weight", "[CLS]", "88.0%"), ("label", None, "[CLS] 0.90"))),
    Claim(SINK, "here [CLS], which gets 88.0% of “it” in layer 4, head 5", "it", "layer 4 head 5",
          (("weight", "[CLS]", "88.0%"),)),
    Claim(IT_3, A10_TIRED, "it", "layer 3 head 1",
          (("weight", "animal", "64.0%"), ("weight", "street", "5.2%"), ("label", None, "[CLS] 0.54"))),
    Claim(IT_5, A10_TIRED, "it", "layer 5 head 11", (("weight", "animal", "64.7%"), ("weight", "street", "2.2%"))),
    Claim(IT_3_WIDE, A10_WIDE, "it", "layer 3 head 1", WIDE_3),
    Claim(IT_3, A10_WIDE, "it", "layer 3 head 1", WIDE_3, TYPED_WIDE),
    Claim(IT_5, A10_WIDE, "it", "layer 5 head 11",
          (("top word", None, "animal"), ("weight", "animal", "50.3%"), ("weight", "street", "3.6%")), TYPED_WIDE),
    Claim(IT_5, A10_Q3, "it", "layer 5 head 11", (("weight", "animal", "64.7%"),)),
    Claim(IT_5, A10_Q3, "it", "layer 5 head 11", (("weight", "animal", "50.3%"), ("weight", "street", "3.6%")),
          TYPED_WIDE),
    Claim(IT_3_WIDE, A10_Q3, "it", "layer 3 head 1", (("weight", "animal", "26.6%"), ("weight", "street", "12.8%"))),
)


@pytest.fixture(scope="module")
def released():  # -> (attention.minilm.Weights float32, vocab)
    folder = model_dir()
    if folder is None:
        pytest.skip("the real model's files are not on this machine")
    weights = minilm.weights_from_safetensors(read_safetensors(folder / "model.safetensors"))
    return weights, wordpiece.load_vocab((folder / "vocab.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=("page-pack", "float32"))
def trained(request, released):  # -> ui.real.Loaded
    """The model as the page computes it (its float16 pack, with every embedding shard in) and as released."""
    weights, vocab = released
    if request.param == "float32":
        return real.Loaded(weights, vocab)
    manifest, data, shards = model_pack.write_pack(weights)
    loaded = real.Loaded(model_pack.read_pack(manifest, data), vocab)
    real.add_rows(loaded, dict(enumerate(shards)))
    return loaded


def open_trained(href, loaded, events=None):  # str, ui.real.Loaded, {param: str} | None -> AppState
    """A real-model link as the page opens it: what applies at once, then (the model's files in) the layer, query
    and head that count its pieces (split_params), then `events` as address parameters would apply them."""
    state = ev.initial_state()
    now, later = split_params(state, dict(parse_qsl(urlsplit(href).query)))
    state, problems = apply_params(state, now)
    assert state.model_status == "loading" and later, "the link must wait for the model's files"
    state, more = apply_params(ev.model_loaded(state, loaded), later)
    state, after = apply_params(state, events or {})
    assert not problems + more + after, problems + more + after
    assert state.model == "minilm" and state.awaiting is None
    return state


@pytest.mark.parametrize("claim", TRAINED_CLAIMS,
                         ids=lambda c: f"{c.head}-{c.figures[0][2]}" + "-typed" * bool(c.events))
def test_the_trained_model_activity_quotes_the_page(claim, trained):
    assert claim.link in lesson_links()
    check(claim, LESSON, open_trained(claim.link, trained, dict(claim.events)))


def test_every_real_model_link_is_described_here():
    assert sorted(h for h in lesson_links() if "model=minilm" in h) == sorted(TRAINED_LINKS)


@pytest.mark.parametrize("link", TRAINED_LINKS, ids=lambda h: h.split("too%20")[-1])
def test_each_real_model_link_opens_the_pieces_and_head_its_activity_describes(link, trained):
    last, query, layer, head, step = TRAINED_LINKS[link]
    state = open_trained(link, trained)
    assert state.tokens == PIECES + (last, "[SEP]")
    assert (state.tokens[state.query], state.layer, state.head, state.step) == (query, layer, head, step)
    assert link == "./index.html?" + real_model_query(state)  # the page's own Copy link for that state


def test_typing_wide_in_the_box_gives_what_the_last_link_opens(trained):
    typed, linked = open_trained(IT_3, trained, dict(TYPED_WIDE)), open_trained(IT_3_WIDE, trained)
    assert (typed.text, typed.tokens, typed.layer, typed.head, typed.query, typed.step) == (
        linked.text, linked.tokens, linked.layer, linked.head, linked.query, linked.step)


def test_the_sink_count_is_the_heads_the_menus_name_after_cls(trained):
    state = open_trained(PREVIOUS, trained)
    names = [name for layer in range(real.LAYERS) for name in computed_of(ev.select_layer(state, layer)).head_names]
    sinks, total = sum(name.startswith("[CLS] ") for name in names), real.LAYERS * real.HEADS
    assert f"On this sentence {sinks} of the {total} heads are named “[CLS] …”" in prose(LESSON)
    assert f"on this sentence {sinks} of the {total} heads are named after it" in prose(LESSON)


def test_the_head_menu_counts_heads_from_0_as_the_links_do(trained):
    state = open_trained(PREVIOUS, trained)
    shown = view.page_view(state, computed_of(state))
    value, text = shown["head.options"][state.head]
    assert value == "2" and f"layer 0, head 2 is the Head menu's “{text}”" in prose(LESSON)
    assert computed_of(state).head_explanations[state.head].startswith("A trained head (layer 0, head 2)")


def test_designed_beside_real_lists_the_previous_token_head_first_for_the_positional_head(trained):
    state = open_trained(PREVIOUS, trained)
    first = view.match_lines(view.page_view(state, computed_of(state))["designed-match.matches"])[0]
    shared = re.match(r"positional: layer 0 head 2 \((\d\.\d\d) shared\)", first)
    assert shared, first
    assert f"“Designed beside real” box lists it first for the positional head ({shared.group(1)} shared)" in (
        prose(LESSON))


def test_the_check_itself_sees_a_stale_trained_figure_a_wrong_label_and_another_head(trained):
    right = TRAINED_CLAIMS[4]  # layer 3, head 1 with "tired"
    for old, new, kind in (("64.0%", "64.1%", "weight animal"), ("[CLS] 0.54", "[CLS] 0.55", "label")):
        stale = replace(right, words=right.words.replace(old, new),
                        figures=tuple((k, key, new if shown == old else shown) for k, key, shown in right.figures))
        with pytest.raises(AssertionError, match=re.escape(kind)):
            check(stale, stale.words, open_trained(stale.link, trained))
    with pytest.raises(AssertionError, match="not the state described"):
        check(right, LESSON, open_trained(IT_5, trained))

"""The lesson's and the README's figures, recomputed: every quoted weight, entropy and winner against the engine.

Each claim names the state it describes (a link of the lesson, then events written as address parameters),
the words the page prints, and the figures in those words. A claim holds only if the words are on the page,
each figure is in the words, and the engine, rounded to the decimals written, gives that figure. When the toy
model changes, this test names each sentence that no longer tells the truth.
"""
import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from attention.lexicon import TABLE
from ui import state as ev
from ui.params import apply_params
from ui.predict import settle
from ui.share import open_fragment

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


def measured(state, kind, key, written):  # AppState, str, str, str -> str
    """The engine's figure for the selected query and head, written the way `written` is (same decimals)."""
    c = ev.compute(state.scenario)
    h, i = state.head, state.query
    decimals = len(re.search(r"\.(\d+)", written).group(1)) if "." in written else 0
    if kind == "entropy":
        return f"{c.entropy[h, i]:.{decimals}f}"
    if kind == "output":
        return "[" + ", ".join(f"{v:.{decimals}f}" for v in c.trace.head_outputs[h, i]) + "]"
    keys = list(state.key_tokens)
    if kind == "top":
        return keys[int(np.argmax(c.trace.weights[h, i]))]
    assert keys.count(key) == 1, f"{key!r} is not exactly one key of {keys}"
    arrays = {"weight": c.trace.weights, "score": c.trace.scores, "scaled": c.trace.scaled}  # [heads, n_q, n_k]
    value = arrays[kind][h, i, keys.index(key)]
    return f"{100 * value:.{decimals}f}%" if written.endswith("%") else f"{value:.{decimals}f}"


@dataclass(frozen=True)
class Claim:
    link: str  # where the state starts: a link of the lesson (or of the README's presets)
    words: str  # what the page says, as prose() reads it
    query: str  # the query token the words talk about
    head: str  # the head they talk about (a HEAD_INFO name, or "head 1" for Activity 2's own weights)
    figures: tuple  # (kind, key token, as written): kind weight / score / scaled / entropy / output / top
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

LESSON_CLAIMS = (
    Claim(TWO_NUMBERS, "the dot products are 0.42, 0.90, 0.39 and 0.27, and the scaled scores 0.297, 0.636, "
          "0.276 and 0.191", "cat", "head 1",
          (("score", "The", "0.42"), ("score", "cat", "0.90"), ("score", "sat", "0.39"), ("score", "down", "0.27"),
           ("scaled", "The", "0.297"), ("scaled", "cat", "0.636"), ("scaled", "sat", "0.276"),
           ("scaled", "down", "0.191"))),
    Claim(TWO_NUMBERS, "After softmax “cat” keeps only 32.8% for itself and gives the other three keys 23.4%, 22.9% "
          "and 21.0%", "cat", "head 1",
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


def check(claim, page):  # Claim, str -> None
    """The claim's words are on the page, its figures in its words, and the engine agrees with each."""
    assert claim.words in prose(page), f"the page no longer says: {claim.words}"
    state = open_link(claim.link, dict(claim.events))
    c = ev.compute(state.scenario)
    shown = (state.tokens[state.query], c.head_names[state.head])
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
    TWO_NUMBERS: ("cat", "head 1", 2, {}),
    TWO_NUMBERS_SOFTMAX: ("cat", "head 1", 3, {}),
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

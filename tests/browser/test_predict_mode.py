"""Predict, then reveal, in the page: the answer is out of the DOM until the reveal, right and wrong guesses are
scored by the numbers the page then shows, the score counts, the keyboard and the canvas answer, the host page
hears each answer, the address opens and locks the mode, and the lesson's predict links open what they name."""

import re
import sys
from urllib.parse import parse_qs, urlparse

import pytest
from harness import ROOT, listening_host, settled, wait_ready
from playwright.sync_api import expect

sys.path.insert(0, str(ROOT / "py"))
from scene.numbers import number, percent  # noqa: E402
from scene.stages import STAGES, Stage  # noqa: E402
from ui import predict as pr  # noqa: E402
from ui import state as ev  # noqa: E402
from ui.params import apply_params  # noqa: E402
from ui.state import compute  # noqa: E402

T = lambda name: f'[data-testid="{name}"]'  # noqa: E731
WHERE = "?preset=pronoun&step=3&mode=predict"  # 'it' at Softmax, the coreference head: "where does it look?"


def open_app(page, server, query):
    page.goto(server.url + query)
    assert wait_ready(page) is None
    return settled(page)


def cpython_state(query):
    """The same address applied under CPython: the state the page opens, with its question."""
    params = {k: v[0] for k, v in parse_qs(query.lstrip("?")).items()}
    state, problems = apply_params(ev.initial_state(), params)
    assert problems == []
    return pr.settle(state)


def dom_text(page):
    """Everything the DOM holds: the visible text, every attribute and every hidden element's text."""
    return page.evaluate("document.body.outerHTML")


def weights_from_table(page):  # -> {key token: percent as shown}
    rows = page.locator(f'{T("weights-table")} tbody tr')
    return {rows.nth(r).locator("th").inner_text(): rows.nth(r).locator("td").inner_text() for r in range(rows.count())}


def answer(page, value):
    page.select_option(T("predict-choice"), value)
    settled(page)
    page.click(T("predict-reveal"))
    return settled(page)


def test_the_answer_is_absent_from_the_dom_before_the_reveal_and_shown_after(app, server):
    page = open_app(app, server, WHERE)
    expect(page.locator(T("predict-question"))).to_contain_text("Where will 'it' look?")
    state = cpython_state(WHERE)
    row = compute(state.scenario).trace.weights[state.head, state.query]
    shown = [percent(w) for w in row]
    html = dom_text(page)
    leaked = [text for text in set(shown) if text in html]
    assert leaked == [], f"the weights reach the DOM before the reveal: {leaked}"
    assert "hidden until you answer" in page.inner_text(T("weights-table"))
    assert page.inner_text(T("output-vector")) == "hidden until you answer"
    assert "%" not in page.get_attribute(T("attention-canvas"), "aria-label")
    expect(page.locator(T("predict-reveal"))).to_be_disabled()
    top = max(range(len(row)), key=lambda j: row[j])
    answer(page, str(top))
    assert weights_from_table(page)["animal"] == shown[top]


def test_a_right_and_a_wrong_guess_are_scored_by_the_numbers_the_page_reveals(app, server):
    page = open_app(app, server, WHERE)
    answer(page, "1")  # 'animal'
    table = weights_from_table(page)
    right = max(table, key=lambda token: float(table[token].rstrip("%")))
    assert right == "animal"
    expect(page.locator(T("predict-feedback"))).to_have_text(re.compile(r"^Correct\. 'it' gave "))
    assert table["animal"] in page.inner_text(T("predict-feedback")), "the explanation cites the revealed number"
    assert page.inner_text(T("predict-score")) == "1 / 1"
    page.click(T("predict-next"))
    settled(page)
    assert "hidden until you answer" in page.inner_text(T("weights-table")), "the next question hides it again"
    question = page.inner_text(T("predict-question"))
    assert question.startswith("How much attention will 'it' give"), question
    page.locator(T("predict-percent")).fill("2")  # far from the top weight
    settled(page)
    assert page.inner_text(T("predict-percent-value")) == "2%"
    page.click(T("predict-reveal"))
    settled(page)
    top = max(float(v.rstrip("%")) for v in weights_from_table(page).values())
    assert abs(top - 2) > pr.HOW_MUCH_POINTS
    expect(page.locator(T("predict-feedback"))).to_have_text(re.compile(r"^Not quite\. "))
    assert page.inner_text(T("predict-score")) == "1 / 2"
    page.click(T("predict-reset"))
    expect(page.locator(T("predict-score"))).to_have_text("0 / 0")


def test_score_by_hand_takes_a_typed_number(app, server):
    query = "?preset=cat&step=2&mode=predict"
    page = open_app(app, server, query)
    state = cpython_state(query)
    q = state.predict.question
    assert q.kind == "score by hand"
    expect(page.locator(T("predict-question"))).to_have_text(q.text)
    truth = number(compute(state.scenario).trace.scaled[q.head, q.cell[0], q.cell[1]])
    assert truth not in dom_text(page).replace(q.text, "")
    page.fill(T("predict-number"), truth)
    settled(page)
    page.click(T("predict-reveal"))
    expect(page.locator(T("predict-feedback"))).to_have_text(re.compile(r"^Correct\. q·k = "))


def test_keyboard_only(app, server):
    page = open_app(app, server, "?preset=pronoun&step=3")
    toggle = page.locator(T("predict-toggle"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "predict-choice"
    page.keyboard.press("ArrowDown")  # the first key, 'The'
    page.keyboard.press("ArrowDown")  # 'animal'
    settled(page)
    assert page.input_value(T("predict-choice")) == "1"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "predict-reveal"
    page.keyboard.press("Enter")
    expect(page.locator(T("predict-feedback"))).to_have_text(re.compile(r"^Correct"))
    expect(page.locator(T("predict-feedback"))).to_have_attribute("aria-live", "polite")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "predict-next"


def test_a_click_on_a_key_token_answers_where(app, server):
    page = open_app(app, server, WHERE)
    x, y = page.evaluate("aeView.chipCenter('key', 5)")  # 'street'
    box = page.locator(T("attention-canvas")).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    settled(page)
    assert page.input_value(T("predict-choice")) == "5"
    page.click(T("predict-reveal"))
    expect(page.locator(T("predict-feedback"))).to_have_text(re.compile(r"^Not quite\. .*you chose 'street', which got"))


def test_a_switch_in_predict_mode_asks_what_if_first(app, server):
    page = open_app(app, server, WHERE)
    scale = page.locator(T("scale-toggle"))
    scale.click()
    settled(page)
    expect(page.locator(T("predict-question"))).to_contain_text("What if √d_k scaling is switched off?")
    expect(scale).to_be_checked()  # not yet applied
    page.select_option(T("predict-choice"), "sharper")
    settled(page)
    page.click(T("predict-reveal"))
    settled(page)
    expect(scale).not_to_be_checked()  # applied at the reveal
    expect(page.locator(T("predict-feedback"))).to_have_text(re.compile(r"^Correct\. With √d_k scaling off"))


def test_the_address_opens_and_locks_the_mode(app, server):
    page = open_app(app, server, "?preset=cat&mode=predict&lock=1")
    toggle = page.locator(T("predict-toggle"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_be_disabled()
    assert page.inner_text(T("predict-question")) != ""
    open_app(page, server, "?preset=cat&mode=explore")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator(T("predict-question"))).to_be_hidden()


@pytest.mark.parametrize("width", (400, 768))
def test_the_compact_embed_shows_the_panel_and_nothing_scrolls(page, server, width):
    page.set_viewport_size({"width": width, "height": 560})
    open_app(page, server, "?embed=1&preset=pronoun&step=3&mode=predict")
    for name in ("predict-toggle", "predict-question", "predict-choice", "predict-reveal", "predict-score"):
        expect(page.locator(T(name))).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1"), "nothing scrolls"
    canvas = page.locator(T("attention-canvas"))
    asked = canvas.bounding_box()["height"]
    answer(page, "1")
    expect(page.locator(T("predict-feedback"))).to_be_in_viewport()  # its first lines; the card scrolls for more
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    # the picture keeps its height (the heatmap the feedback speaks of); the selects and the sentence give way
    assert canvas.bounding_box()["height"] >= min(asked, 0.45 * 560) - 2, (asked, canvas.bounding_box())
    expect(page.locator(T("query-select"))).to_be_hidden()
    expect(page.locator(T("predict-next"))).to_be_in_viewport()
    page.click(T("predict-next"))
    expect(page.locator(T("query-select"))).to_be_in_viewport()
    expect(page.locator(T("sentence-input"))).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")


def test_the_host_page_hears_each_answer(page, server, tmp_path):
    app_url = server.url.replace("127.0.0.1", "localhost")
    host = listening_host(page, tmp_path, f'{app_url}?embed=1{WHERE.replace("?", "&")}')
    try:
        frame = page.frame_locator("#app")
        frame.locator(T("predict-choice")).select_option("1")
        frame.locator(T("predict-reveal")).click()
        page.wait_for_function("() => heard.some(m => m.type === 'attention-explorer:answered')")
        frame.locator(T("predict-next")).click()
        frame.locator(T("predict-percent")).fill("2")
        frame.locator(T("predict-reveal")).click()
        page.wait_for_function("() => heard.filter(m => m.type === 'attention-explorer:answered').length === 2")
        answered = page.evaluate("heard.filter(m => m.type === 'attention-explorer:answered')")
        assert answered == [
            {"type": "attention-explorer:answered", "kind": "where", "correct": True, "score": "1 / 1"},
            {"type": "attention-explorer:answered", "kind": "how much", "correct": False, "score": "1 / 2"}]
    finally:
        host.close()


def test_the_lessons_predict_links_open_the_states_they_name(page, server):
    page.goto(server.url + "lesson.html")
    links = page.locator('[data-testid="predict-sequence"] a')
    hrefs = [(links.nth(k).get_attribute("href"), links.nth(k).inner_text()) for k in range(links.count())]
    assert len(hrefs) >= 4
    for href, text in hrefs:
        query = urlparse(href).query
        params = {k: v[0] for k, v in parse_qs(query).items()}
        assert params["mode"] == "predict"
        open_app(page, server, "index.html?" + query)
        state = cpython_state("?" + query)
        expect(page.locator(T("predict-toggle"))).to_have_attribute("aria-pressed", "true")
        expect(page.locator(T("stage-title"))).to_have_text(f"{state.step + 1}. " + _stage_title(state.step))
        assert page.input_value(T("query-select")) == str(state.query)
        assert f"“{state.tokens[state.query]}”" in text, f"the link names its query: {text}"
        assert _stage_title(state.step) in text, f"the link names its stage: {text}"
        expect(page.locator(T("predict-question"))).to_have_text(state.predict.question.text)
        page.goto(server.url + "lesson.html")


def _stage_title(step):
    return STAGES[Stage(step)].title

"""The explorer as a learner uses it: type, click tokens on the canvas, step, play, switch heads and knobs.

State is read back from the DOM hooks (SPEC's data-testids), never guessed from pixels.
"""

import base64
import json

import numpy as np
import pytest

from harness import open_cell, settled, wait_ready
from playwright.sync_api import expect

T = lambda name: f'[data-testid="{name}"]'  # noqa: E731 - a locator for a stable test id


def weights(page):
    rows = page.locator(f'{T("weights-table")} tbody tr')
    return [(r.locator("th").inner_text(), r.locator("td").inner_text()) for r in rows.all()]


def click_chip(page, kind, index):
    """Click a token where the canvas drew it."""
    x, y = page.evaluate(f"aeView.chipCenter('{kind}', {index})")
    box = page.locator(T("attention-canvas")).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_first_view_is_hot_dog_with_dog_attending_to_hot(app):
    assert app.input_value(T("sentence-input")) == "the hot dog was"
    assert weights(app)[1] == ("hot", "85.3%")
    assert app.inner_text(T("stage-title")) == "5. Weighted sum"
    assert app.input_value(T("head-select")) == "2"
    assert app.inner_text(T("head-explanation")).startswith("Words look for related meanings")


def test_typing_a_sentence_recomputes(app):
    app.fill(T("sentence-input"), "the cat sat on the mat")
    app.wait_for_function("() => document.querySelectorAll('[data-testid=query-select] option').length === 6")
    assert len(weights(app)) == 6
    assert app.inner_text("#token-count").startswith("6 / 32")
    percents = [float(w.rstrip("%")) for _, w in weights(app)]
    assert sum(percents) == pytest.approx(100, abs=0.3)


def test_a_too_long_sentence_is_refused_and_the_last_one_kept(app):
    app.fill(T("sentence-input"), " ".join(["word"] * 40))
    app.wait_for_function("() => document.querySelector('[data-testid=sentence-message]').textContent.length > 0")
    assert "limit is 32" in app.inner_text(T("sentence-message"))
    assert len(weights(app)) == 4


def test_clicking_a_token_on_the_canvas_selects_that_query(app):
    click_chip(app, "query", 1)
    app.wait_for_function("() => document.querySelector('[data-testid=query-select]').value === '1'")
    assert "'hot'" in app.inner_text("#weights-caption")


def test_arrow_keys_move_the_query(app):
    app.locator(T("attention-canvas")).focus()
    app.keyboard.press("ArrowRight")
    assert settled(app).input_value(T("query-select")) == "3"
    app.keyboard.press("ArrowLeft")
    app.keyboard.press("ArrowLeft")
    assert settled(app).input_value(T("query-select")) == "1"


def test_the_step_slider_and_buttons_walk_the_stages(app):
    slider = app.locator(T("step-slider"))
    slider.focus()
    app.keyboard.press("ArrowLeft")
    assert settled(app).inner_text(T("stage-title")) == "4. Softmax"
    app.click(T("prev-step"))
    assert settled(app).input_value(T("step-slider")) == "2" and app.inner_text(T("stage-title")) == "3. Scores"
    slider.focus()  # the click moved focus to the button
    app.keyboard.press("Home")
    assert settled(app).inner_text(T("stage-title")) == "1. Input"
    assert app.locator(T("prev-step")).is_disabled()
    app.click(T("next-step"))
    assert settled(app).inner_text(T("stage-title")) == "2. Project Q, K, V"
    assert app.locator(f'{T("formula")} .katex').count() == 1, "the formula is typeset by the vendored KaTeX"


def test_play_walks_through_every_stage_and_stops(app):
    app.locator(T("step-slider")).focus()
    app.keyboard.press("Home")
    app.click(T("play"))
    seen = set()
    for _ in range(80):
        seen.add(app.input_value(T("step-slider")))
        if app.inner_text(T("play")).startswith("▶") and "4" in seen:
            break
        app.wait_for_timeout(100)
    assert seen == {"0", "1", "2", "3", "4"}
    assert app.inner_text(T("play")) == "▶ Play", "Play stops at the last stage"


def test_switching_heads_changes_the_weights_and_explains_the_head(app):
    app.select_option(T("head-select"), "0")
    assert settled(app).inner_text(T("head-explanation")).startswith("Each word looks at the word just before it")
    top = max(weights(app), key=lambda kv: float(kv[1].rstrip("%")))
    assert top[0] == "hot", "the positional head sends 'dog' to the previous token"


def test_causal_attention_zeroes_everything_above_the_diagonal(app):
    app.check('input[name="kind"][value="causal"]')
    settled(app)  # the table follows the canvas, right after its frame
    rows = app.locator(f'{T("attention-matrix")} tbody tr')
    matrix = [[float(c.replace("−", "-")) for c in r.locator("td").all_inner_texts()] for r in rows.all()]
    assert all(matrix[i][j] == 0 for i in range(4) for j in range(i + 1, 4))
    assert all(sum(row) == pytest.approx(1, abs=0.003) for row in matrix)


def test_cross_attention_shows_a_second_sentence(app):
    app.check('input[name="kind"][value="cross"]')
    assert settled(app).locator(T("context-input")).is_visible()
    app.fill(T("context-input"), "a very hot day")
    app.wait_for_function("() => document.querySelectorAll('[data-testid=weights-table] tbody tr').length === 4 && "
                          "document.querySelector('[data-testid=weights-table] tbody th').textContent === 'a'")
    assert [k for k, _ in weights(app)] == ["a", "very", "hot", "day"]


def test_scaling_off_sharpens_and_temperature_flattens(app):
    def bits():
        return float(settled(app).inner_text(T("entropy")).split()[0])

    base = bits()
    app.uncheck(T("scale-toggle"))
    sharp = bits()
    app.check(T("scale-toggle"))
    app.locator(T("temperature")).fill("1")  # log10 scale: 10x temperature
    flat = bits()
    assert sharp < base < flat
    assert settled(app).inner_text(T("temperature-value")) == "10.00"
    app.locator(T("step-slider")).fill("2")  # the Scores formula divides by the temperature too
    assert "⋅10" in settled(app).inner_text(T("formula")).replace(" ", "")
    app.locator(T("temperature")).fill("0")
    assert "⋅10" not in settled(app).inner_text(T("formula")).replace(" ", "")


def test_clicking_a_heatmap_cell_opens_its_arithmetic(app):
    app.locator(T("step-slider")).fill("3")
    settled(app).wait_for_timeout(900)  # the transition to Softmax: the heatmap where it comes to rest
    panel = open_cell(app, 2, 1)
    text = panel.inner_text()
    assert "Query 'dog' → key 'hot'" in text and "85.3%" in text
    app.click(T("close-arithmetic"))
    assert settled(app).locator(T("arithmetic")).is_hidden()


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def test_a_scenario_from_the_url_matches_an_independent_computation(page, server):
    x = np.array([[0.8, 0.2], [0.3, 0.9], [0.1, 0.4], [0.6, 0.1]])
    w_q = np.array([[1.0, 0.5], [0.0, 1.0]])
    scenario = {"version": 1, "tokens": ["The", "cat", "sat", "down"], "embeddings": x.tolist(), "heads": 1,
                "w_q": w_q.tolist(), "w_k": np.eye(2).tolist(), "w_v": np.eye(2).tolist(),
                "mask": "none", "scale": True, "temperature": 2.0, "query": 1, "head": 0, "step": 3}
    page.goto(server.url + "#scenario=" + b64(scenario))
    assert wait_ready(page) is None
    scores = (x @ w_q) @ x.T / np.sqrt(2) / 2.0
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    output = expected @ x
    assert [w for _, w in weights(page)] == [f"{100 * w:.1f}%" for w in expected[1]]
    assert page.inner_text(T("output-vector")) == "[" + ", ".join(f"{v:.3f}".replace("-", "−") for v in output[1]) + "]"
    assert page.inner_text(T("stage-title")) == "4. Softmax"
    assert page.input_value(T("sentence-input")) == "The cat sat down"


def test_a_broken_scenario_link_says_why_and_keeps_the_default(page, server, expect_errors):
    page.goto(server.url + "#scenario=" + b64({"tokens": ["a", "b"], "temperature": "hot"}))
    assert wait_ready(page) is None
    assert "temperature" in page.inner_text(T("error"))
    assert page.input_value(T("sentence-input")) == "the hot dog was"


def test_an_example_says_what_it_shows_until_the_sentence_is_edited(app):
    app.select_option(T("preset-select"), "pronoun")
    expect(app.locator(T("preset-note"))).to_contain_text("Who is 'it'?")
    app.fill(T("sentence-input"), "the cat sat")
    expect(app.locator(T("preset-note"))).to_be_hidden()


def test_next_animates_even_after_the_page_was_idle(app):
    """A step change starts its transition now, not at the last frame drawn (seconds ago when idle)."""
    app.locator(T("step-slider")).fill("1")
    app.wait_for_timeout(1500)  # idle: no frames
    before = app.evaluate("aeView.frames()")
    app.click(T("next-step"))
    app.wait_for_timeout(1200)  # the 700 ms transition, and then rest
    drawn = app.evaluate("aeView.frames()") - before
    assert drawn >= 10, f"{drawn} frames: the stage jumped instead of moving"
    app.wait_for_timeout(500)
    assert app.evaluate("aeView.frames()") - before == drawn, "at rest again: no more frames"


def test_every_head_at_once_changes_the_picture(app):
    def picture():
        return app.evaluate("""() => aeCanvas.surface.pixels().then((image) => {  // a hash of every pixel
            let hash = 0;
            for (const value of image.data) hash = (Math.imul(hash, 31) + value) | 0;
            return hash;
        })""")

    single = picture()
    frames = app.evaluate("aeView.frames()")
    app.check(T("overlay-toggle"))
    app.wait_for_function(f"() => aeView.frames() > {frames}")
    app.wait_for_timeout(100)
    assert picture() != single, "the other heads' beams are drawn"
    app.uncheck(T("overlay-toggle"))
    app.wait_for_timeout(200)
    assert picture() == single


def test_clicking_a_heads_small_multiple_selects_that_head(app):
    app.check(T("overlay-toggle"))
    app.locator(T("step-slider")).fill("3")
    app.wait_for_timeout(900)  # the transition to Softmax
    x, y = app.evaluate("aeView.headCenter(0)")
    box = app.locator(T("attention-canvas")).bounding_box()
    app.mouse.click(box["x"] + x, box["y"] + y)
    app.wait_for_function("() => document.querySelector('[data-testid=head-select]').value === '0'")
    assert app.inner_text(T("head-explanation")).startswith("Each word looks at the word just before it")


SNAPSHOT = """async (name) => {  // keep the canvas's pixels under `name`
    window[name] = (await aeCanvas.surface.pixels()).data;
}"""

DIFFERENCE = """() => {  // pixels of the two snapshots that differ by more than 8 in a channel, and the largest difference
    let differing = 0, largest = 0;
    for (let i = 0; i < shapeByShape.length; i += 4) {
        let d = 0;
        for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(shapeByShape[i + k] - stamped[i + k]));
        if (d > 8) differing++;
        largest = Math.max(largest, d);
    }
    return [differing / (shapeByShape.length / 4), largest];
}"""


def test_still_panels_stamped_as_bitmaps_look_as_when_drawn_shape_by_shape(page, server):
    """32 tokens x 8 heads: the panels are big enough to be kept as bitmaps during transitions (web/canvas.js)."""
    from bench.page import big_scenario_fragment

    page.goto(server.url + "?beams=all" + big_scenario_fragment())
    assert wait_ready(page) is None

    def there_and_back():
        for step in ("2", "3"):
            page.locator(T("step-slider")).fill(step)
            page.wait_for_timeout(900)  # the transition, then the frame at rest

    page.evaluate("aeCanvas.surface.pictures(false)")
    there_and_back()
    page.evaluate(SNAPSHOT, "shapeByShape")
    before = page.evaluate("aeCanvas.surface.pictures(true)")
    there_and_back()
    page.evaluate(SNAPSHOT, "stamped")
    assert page.evaluate("aeCanvas.surface.pictures()") - before > 20, "the transitions stamped bitmaps"
    differing, largest = page.evaluate(DIFFERENCE)
    assert differing < 0.001, f"{differing:.2%} of the pixels differ (by up to {largest})"


def test_a_word_the_lexicon_does_not_know_is_named_as_guessed(app):
    expect(app.locator(T("guessed-words"))).to_be_hidden()  # every word of the first example is known
    app.fill(T("sentence-input"), "the blorps sat")
    expect(app.locator(T("guessed-words"))).to_contain_text("Guessed: 'blorps' treated as a noun")
    app.fill(T("sentence-input"), "the cat sat")
    expect(app.locator(T("guessed-words"))).to_be_hidden()


def in_viewport(page, testid):  # -> whether the element's top part (or all of it) is on screen
    box = page.locator(T(testid)).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and 0 <= box["y"] and box["y"] + min(box["height"], 120) <= height


@pytest.mark.parametrize("width, height", [(1440, 900), (768, 900), (360, 640)])
def test_a_clicked_cell_opens_its_arithmetic_on_screen_with_the_focus_on_it(app, width, height):
    app.set_viewport_size({"width": width, "height": height})
    app.locator(T("step-slider")).fill("3")
    settled(app).wait_for_timeout(900)
    app.locator(T("attention-canvas")).scroll_into_view_if_needed()
    panel = open_cell(app, 2, 1)
    app.wait_for_function("document.activeElement && document.activeElement.id === 'arithmetic-title'")
    assert in_viewport(app, "arithmetic"), panel.bounding_box()
    assert "Query 'dog' → key 'hot'" in panel.inner_text()


def test_the_html_matrix_cells_open_the_arithmetic_from_the_keyboard(app):
    first = app.locator(f'{T("attention-matrix")} tbody tr').first.locator("td").first
    first.focus()
    for key in ("ArrowRight", "ArrowDown", "ArrowDown", "ArrowLeft", "ArrowRight"):  # to row 2, column 1
        app.keyboard.press(key)
    focused = app.evaluate("[document.activeElement.parentElement.sectionRowIndex, document.activeElement.cellIndex]")
    assert focused == [2, 2]  # the row's header cell is index 0
    app.keyboard.press("Enter")
    panel = app.locator(T("arithmetic"))
    panel.wait_for(state="visible")
    assert "Query 'dog' → key 'hot'" in panel.inner_text() and "85.3%" in panel.inner_text()
    assert in_viewport(app, "arithmetic")
    assert settled(app).input_value(T("step-slider")) == "4", "Enter opened the cell; it did not change the step"
    app.click(T("close-arithmetic"))
    settled(app).wait_for_function("document.activeElement.cellIndex === 2")  # the focus is back on the cell
    app.keyboard.press(" ")  # Space opens too, and does not start Play
    panel.wait_for(state="visible")
    assert app.locator(T("play")).inner_text() == "▶ Play"
    app.locator(f'{T("attention-matrix")} tbody tr').nth(0).locator("td").nth(3).click()
    assert "Query 'the' → key 'was'" in settled(app).locator(T("arithmetic")).inner_text()

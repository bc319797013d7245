"""Course-ready: embedding, permalinks, export / import, keyboard, screen readers, touch, accessibility."""

import csv
import io
import json
import struct
import sys

import pytest

from harness import ROOT, Server, open_cell, settled, wait_ready
from playwright.sync_api import expect

sys.path.insert(0, str(ROOT / "py"))
from attention.scenario import parse_scenario  # noqa: E402
from scene.colors import palette  # noqa: E402
from scene.layout import asked_height, stacked_need  # noqa: E402
from ui import state as ev  # noqa: E402

T = lambda name: f'[data-testid="{name}"]'  # noqa: E731


def test_copy_link_restores_exactly_that_state(app, context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    app.select_option(T("preset-select"), "pronoun")
    app.check('input[name="kind"][value="causal"]')
    app.select_option(T("head-select"), "1")
    app.locator(T("step-slider")).fill("2")
    app.click(T("copy-link"))
    app.wait_for_function("() => document.querySelector('[data-testid=share-status]').textContent.startsWith('Link copied')")
    link = app.evaluate("navigator.clipboard.readText()")
    assert link.startswith(server.url) and "#scenario=" in link
    expected = {t: settled(app).inner_text(T(t)) for t in ("attention-matrix", "output-vector", "stage-title")}
    fresh = context.new_page()
    fresh.goto(link)
    assert wait_ready(fresh) is None
    assert {t: fresh.inner_text(T(t)) for t in expected} == expected
    assert fresh.input_value(T("head-select")) == "1"
    assert fresh.is_checked('input[name="kind"][value="causal"]')


def download(page, testid):
    with page.expect_download() as info:
        page.click(T(testid))
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def test_exports_are_valid_files(app):
    name, png = download(app, "export-png")
    assert name == "attention.png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == tuple(app.evaluate(
        "(() => { const c = document.querySelector('canvas'); return [c.width, c.height]; })()"))

    name, raw = download(app, "export-json")
    scenario = parse_scenario(raw.decode())
    assert name == "attention-scenario.json" and scenario.tokens == ("the", "hot", "dog", "was")
    assert len(scenario.w_q) == 16 and scenario.embeddings is not None

    name, raw = download(app, "export-csv")
    rows = list(csv.reader(io.StringIO(raw.decode())))
    assert name == "attention-numbers.csv" and ["weights (head 2)"] in rows  # heads counted from 0, as in the links


def test_importing_a_good_and_a_bad_file(app, tmp_path, expect_errors):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"tokens": ["Angry", "lions", "hunt"], "query": 2, "step": 3}))
    app.set_input_files(T("import-file"), str(good))
    app.wait_for_function("() => document.querySelector('[data-testid=sentence-input]').value === 'Angry lions hunt'")
    assert app.inner_text(T("stage-title")) == "4. Softmax"

    bad = tmp_path / "bad.json"
    bad.write_text('{"tokens": ["a", "b"], "embeddings": [[1, 2]]}')
    app.set_input_files(T("import-file"), str(bad))
    box = app.locator(T("error"))
    box.wait_for(state="visible")
    assert "bad.json could not be imported" in box.inner_text() and "embeddings" in box.inner_text()
    assert app.input_value(T("sentence-input")) == "Angry lions hunt", "the previous state stays"


def test_every_control_works_from_the_keyboard(app):
    app.keyboard.press("Tab")
    focused = []
    for _ in range(40):
        focused.append(app.evaluate("document.activeElement.dataset.testid || document.activeElement.id || "
                                    "document.activeElement.tagName"))
        app.keyboard.press("Tab")
    for control in ("sentence-input", "preset-select", "step-slider", "play", "copy-link", "query-select",
                    "head-select", "beams-select", "scale-toggle", "temperature"):
        assert control in focused, f"{control} cannot be reached with Tab"
    app.locator(T("head-select")).focus()
    app.keyboard.press("ArrowDown")
    assert app.input_value(T("head-select")) == "3"
    app.locator(T("attention-canvas")).focus()
    app.keyboard.press("h")
    assert settled(app).input_value(T("head-select")) == "0"
    app.keyboard.press("[")
    assert settled(app).input_value(T("step-slider")) == "3"
    app.keyboard.press("PageDown")
    assert settled(app).input_value(T("step-slider")) == "4"
    app.keyboard.press("?")
    assert app.locator(T("shortcuts")).is_visible()
    app.keyboard.press("Escape")
    assert app.locator(T("shortcuts")).is_hidden()


def test_the_live_region_narrates_a_step_change(app):
    app.locator(T("step-slider")).focus()
    app.keyboard.press("ArrowLeft")
    assert settled(app).inner_text(T("live")) == "Softmax, head 2 (semantic): 'dog' attends 85.3% to 'hot', 11.5% to 'dog', 1.6% to 'the'."
    assert "attends 85.3%" in app.get_attribute(T("attention-canvas"), "aria-label")


@pytest.mark.parametrize("context", [{"has_touch": True, "is_mobile": True,
                                      "viewport": {"width": 400, "height": 800}}], indirect=True)
def test_touch_taps_select_tokens(app):
    x, y = app.evaluate("aeView.chipCenter('query', 3)")
    box = app.locator(T("attention-canvas")).bounding_box()
    app.touchscreen.tap(box["x"] + x, box["y"] + y)
    app.wait_for_function("() => document.querySelector('[data-testid=query-select]').value === '3'")


def test_embed_parameters_set_up_the_compact_view(page, server):
    page.set_viewport_size({"width": 400, "height": 480})
    page.goto(server.url + "?embed=1&preset=pronoun&step=2&head=3&theme=dark")
    assert wait_ready(page) is None
    assert page.evaluate("document.documentElement.dataset.embed") == "true"
    assert page.locator(".page-header").is_hidden()
    assert page.inner_text(T("stage-title")) == "3. Scores"
    assert page.input_value(T("head-select")) == "3"
    assert page.locator(T("open-full")).is_visible()
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1"), "nothing scrolls"


def host_page(tmp_path, app_url, allow_fullscreen=True):
    allow = ' allow="fullscreen"' if allow_fullscreen else ""
    (tmp_path / "host.html").write_text(
        f'<!doctype html><title>course</title><link rel="icon" href="data:,"><h1>Lesson</h1>'
        f'<iframe id="app" src="{app_url}?embed=1&preset=cat" width="800" height="560"{allow}></iframe>')
    return Server(tmp_path)


@pytest.mark.parametrize("allow", [True, False])
def test_cross_origin_iframe_reaches_ready_and_fullscreen_follows_the_host(page, server, tmp_path, allow):
    host = host_page(tmp_path, server.url.replace("127.0.0.1", "localhost"), allow_fullscreen=allow)
    try:
        page.goto(host.url + "host.html")
        frame = page.frame_locator("#app")
        frame.locator("html[data-ready=true]").wait_for(timeout=90_000)
        button = frame.locator(T("fullscreen"))
        if not allow:
            assert button.is_hidden()
            return
        button.click()
        inner = page.frames[1]
        inner.wait_for_function("() => document.fullscreenElement !== null")
        assert button.inner_text() == "Exit fullscreen"
    finally:
        host.close()


def test_the_host_page_can_drive_it_and_hears_its_events(page, server, tmp_path):
    host = host_page(tmp_path, server.url.replace("127.0.0.1", "localhost"))
    try:
        page.add_init_script("window.heard = []; addEventListener('message', e => heard.push(e.data));")
        page.goto(host.url + "host.html")
        page.wait_for_function("() => heard.some(m => m.type === 'attention-explorer:ready')", timeout=90_000)
        page.evaluate("document.getElementById('app').contentWindow.postMessage("
                      "{type: 'attention-explorer:set', step: 1, query: 1}, '*')")
        page.wait_for_function("() => heard.some(m => m.type === 'attention-explorer:step-changed' && m.step === 1)")
        assert page.evaluate("heard.find(m => m.type === 'attention-explorer:query-changed').token") == "cat"
        frame = page.frame_locator("#app")
        expect(frame.locator(T("stage-title"))).to_have_text("2. Project Q, K, V")  # the DOM follows the frame
        page.evaluate("document.getElementById('app').contentWindow.postMessage("
                      "{type: 'attention-explorer:set', attention: 'causal'}, '*')")
        expect(frame.locator("#kind-causal")).to_be_checked()
        page.evaluate("document.getElementById('app').contentWindow.postMessage("
                      "{type: 'attention-explorer:set', preset: '<img src=x onerror=alert(1)>', query: 99}, '*')")
        page.wait_for_function("() => heard.some(m => m.type === 'attention-explorer:error')")
        problems = page.evaluate("heard.find(m => m.type === 'attention-explorer:error').problems")
        assert len(problems) == 2 and "query 99 is not a token of this sentence" in problems[1], problems
        assert frame.locator(T("error")).is_hidden(), "a host's mistake is not a banner over the learner's page"
        assert frame.locator("img").count() == 0
    finally:
        host.close()


def test_the_readme_postmessage_example_drives_the_explorer_with_no_banner(page, server, tmp_path):
    readme = (ROOT / "README.md").read_text()
    start = readme.index('```html\n<iframe id="explorer"')
    example = readme[start + len("```html\n"):readme.index("```", start + 7)]
    app_url = server.url.replace("127.0.0.1", "localhost")  # another origin than the host page's
    (tmp_path / "course.html").write_text('<!doctype html><title>course</title><link rel="icon" href="data:,">'
                                          + example.replace("https://example.org/attention-explorer/", app_url))
    host = Server(tmp_path)
    try:
        page.goto(host.url + "course.html")
        frame = page.frame_locator("#explorer")
        frame.locator("html[data-ready=true]").wait_for(timeout=90_000)
        expect(frame.locator(T("stage-title"))).to_have_text("4. Softmax")  # the example's step: 3
        expect(frame.locator(T("sentence-input"))).to_have_value("the hot dog was")  # preset hot-dog...
        expect(frame.locator("#kind-causal")).to_be_checked()  # ...made causal
        assert frame.locator(T("query-select")).input_value() == "2"
        assert frame.locator(T("head-select")).input_value() == "2"
        assert frame.locator(T("error")).is_hidden()
    finally:
        host.close()


@pytest.mark.parametrize("context", [{"bypass_csp": True}], indirect=True)
def test_no_serious_accessibility_violations(app):
    app.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    result = app.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_the_embed_demo_page_shows_both_embeds_ready(page, server):
    page.goto(server.url + "embed-demo.html")
    for testid in ("embed-compact", "embed-full"):
        page.frame_locator(T(testid)).locator("html[data-ready=true]").wait_for(timeout=90_000)
    assert page.locator(f'{T("embed-events")} li').count() >= 2, "the demo hears both explorers' ready events"
    assert "embed=1" in page.inner_text("pre")


@pytest.mark.parametrize("context", [{"has_touch": True, "is_mobile": True,
                                      "viewport": {"width": 400, "height": 800}}], indirect=True)
def test_a_swipe_across_the_picture_changes_the_step(app):
    assert app.input_value(T("step-slider")) == "4"
    app.evaluate("""() => {
        const canvas = document.querySelector('[data-testid=attention-canvas]');
        const box = canvas.getBoundingClientRect();
        const at = (type, x) => canvas.dispatchEvent(new PointerEvent(type, {
            pointerType: 'touch', isPrimary: true, bubbles: true,
            clientX: box.left + x, clientY: box.top + box.height - 40}));
        at('pointerdown', 60);
        at('pointermove', 160);
        at('pointerup', 260);
    }""")
    app.wait_for_function("() => document.querySelector('[data-testid=step-slider]').value === '3'")


def test_large_text_mode_for_projectors(app):
    before = app.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    app.click(T("large-toggle"))
    assert settled(app).get_attribute(T("large-toggle"), "aria-pressed") == "true"
    assert app.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 20 > before
    app.click(T("theme-toggle"))
    assert settled(app).evaluate("document.documentElement.dataset.theme") in ("dark", "light")


def test_the_compact_embed_has_visible_touch_sized_query_and_head_controls(page, server):
    page.set_viewport_size({"width": 400, "height": 560})
    page.goto(server.url + "?embed=1&preset=hot-dog&step=3")
    assert wait_ready(page) is None
    for testid in ("query-select", "head-select"):
        box = page.locator(T(testid)).bounding_box()
        assert page.locator(T(testid)).is_visible() and box["height"] >= 34 and box["y"] + box["height"] <= 560
    page.select_option(T("head-select"), "0")
    assert settled(page).inner_text(T("live")).startswith("Softmax, head 0 (positional)")
    page.select_option(T("query-select"), "1")
    assert "'hot'" in settled(page).inner_text(T("live"))
    page.focus(T("head-select"))
    page.keyboard.press("ArrowDown")  # a select changes from the keyboard as well
    assert settled(page).input_value(T("head-select")) == "1"
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1"), "nothing scrolls"


def test_large_text_in_the_compact_embed_gives_the_canvas_the_height_its_labels_need(page, server):
    """11 tokens in 400 x 560 with large text: the canvas is as tall as a stacked canvas needs to label every
    row (tests/unit/test_canvas_numbers.py checks the labels at that size); the controls are a scroll away."""
    page.set_viewport_size({"width": 400, "height": 560})
    page.goto(server.url + "?embed=1&large=1&preset=pronoun&step=3")
    assert wait_ready(page) is None
    canvas = settled(page).locator(T("attention-canvas")).bounding_box()
    state = ev.load_preset(None, "pronoun")
    need = stacked_need(ev.compute(state.scenario), state, canvas["width"], palette(False, True))
    assert canvas["y"] >= 0 and abs(canvas["height"] - need) <= 1, (canvas, need)
    assert page.evaluate("document.documentElement.scrollHeight > window.innerHeight")
    page.locator(T("sentence-input")).scroll_into_view_if_needed()
    expect(page.locator(T("sentence-input"))).to_be_in_viewport()
    page.goto(server.url + "?embed=1&preset=pronoun&step=3")  # normal text: as before, nothing scrolls
    assert wait_ready(page) is None
    assert settled(page).evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")


@pytest.mark.parametrize("width", (400, 600))
def test_a_frame_too_short_for_the_canvas_scrolls_rather_than_squeeze_it(page, server, width):
    """11 tokens at the weighted sum in a frame 360 px tall: the canvas keeps the least height at which nothing on
    it overlaps (tests/unit/test_canvas_numbers.py checks that height) and the controls are a scroll away."""
    page.set_viewport_size({"width": width, "height": 360})
    page.goto(server.url + "?embed=1&preset=pronoun&step=4")
    assert wait_ready(page) is None
    canvas = settled(page).locator(T("attention-canvas")).bounding_box()
    state = ev.load_preset(None, "pronoun")
    least = asked_height(ev.compute(state.scenario), state, canvas["width"], palette(False))
    assert canvas["height"] >= least - 1, (canvas, least)
    assert page.evaluate("document.documentElement.scrollHeight > window.innerHeight")
    for name in ("next-step", "fullscreen", "sentence-input"):  # none clipped by the stage it sits in
        page.locator(T(name)).scroll_into_view_if_needed()
        expect(page.locator(T(name))).to_be_in_viewport()


def test_a_cell_clicked_in_the_compact_embed_opens_its_arithmetic_over_the_picture(page, server):
    page.set_viewport_size({"width": 400, "height": 560})
    page.goto(server.url + "?embed=1&preset=hot-dog&step=3")
    assert wait_ready(page) is None
    page.wait_for_timeout(900)
    panel = open_cell(page, 2, 1)
    area = panel.bounding_box()
    assert area["y"] >= 0 and area["y"] + area["height"] <= 560 and "85.3%" in panel.inner_text()
    page.click(T("close-arithmetic"))
    assert settled(page).locator(T("arithmetic")).is_hidden()

"""The model view (the real model's 72 heads at once) and designed beside real, side by side, in the page."""

import base64
import sys
from urllib.parse import quote

import numpy as np
import pytest
from harness import ROOT, settled, wait_ready
from playwright.sync_api import expect

sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT / "tests"))
from model_files import SENTENCE, model_dir, reference_attention  # noqa: E402

T = lambda name: f'[data-testid="{name}"]'  # noqa: E731
LOADED_MS = 120_000  # the pack from loopback, then NumPy turning it into arrays, on a busy 2-core machine

pytestmark = pytest.mark.skipif(model_dir() is None, reason="the real model's files are not on this machine")


@pytest.fixture(scope="module")
def reference():
    """float32 attention of the original weights, computed here under CPython: (pieces, [layers, heads, n, n])."""
    return reference_attention(SENTENCE)


def open_real(page, server, **params):
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    page.goto(f"{server.url}?model=minilm&text={quote(SENTENCE)}{extra}")
    assert wait_ready(page) is None
    expect(page.locator(T("token-count"))).to_have_text("15 / 64 pieces", timeout=LOADED_MS)
    return settled(page)


def head(page, layer, h):
    return page.locator(f'{T("model-view-head")}[data-layer="{layer}"][data-head="{h}"]')


def shown_weights(page):  # -> the weights-table's weights, as numbers
    rows = page.locator(f'{T("weights-table")} tbody tr').all_inner_texts()
    return [float(r.split("\t")[1].rstrip("%")) / 100 for r in rows]


def canvas_picture(page):
    settled(page)
    page.wait_for_timeout(100)  # the frame after the change
    return page.locator(T("attention-canvas")).screenshot()


def changed_share(page, a, b):  # two PNGs of the same size -> the share of pixels that differ visibly
    """Decoded by the browser: a screenshot's antialiasing may vary by a level or two from one frame to another."""
    return page.evaluate("""async ([a, b]) => {
        const pixels = async (data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));  // no fetch: the page's CSP
            const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
            const canvas = new OffscreenCanvas(image.width, image.height);
            const ctx = canvas.getContext('2d');
            ctx.drawImage(image, 0, 0);
            return ctx.getImageData(0, 0, image.width, image.height).data;
        };
        const [p, q] = [await pixels(a), await pixels(b)];
        let changed = 0;
        for (let i = 0; i < p.length; i += 4) {
            if (Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1]) + Math.abs(p[i + 2] - q[i + 2]) > 24) changed += 1;
        }
        return changed / (p.length / 4);
    }""", [base64.b64encode(a).decode(), base64.b64encode(b).decode()])


def test_the_model_view_shows_72_labelled_heads_previews_on_hover_and_opens_on_click(page, server, reference):
    pieces, weights = reference
    page.goto(server.url)
    assert wait_ready(page) is None
    expect(page.locator(T("model-view-toggle"))).to_be_hidden()  # the designed model has 4 heads, all in the menu
    open_real(page, server, query=pieces.index("it"))
    page.click(T("model-view-toggle"))
    expect(page.locator(T("model-view"))).to_be_visible()
    expect(page.locator(T("model-view-toggle"))).to_have_attribute("aria-pressed", "true")
    expect(page.locator(T("model-view-head"))).to_have_count(72)
    # Labelled from the weights, as the head menu labels them; painted from them (n x n pixels, not blank).
    page.select_option(T("layer-select"), "0")
    menu = settled(page).locator(f'{T("head-select")} option').all_inner_texts()
    expect(head(page, 0, 2)).to_have_attribute("aria-label", "layer 0, head 2: previous token 1.00")
    assert menu[2] == "2. previous token 1.00"
    painted = page.evaluate("""() => {
        const c = document.querySelector('[data-testid="model-view-head"][data-layer="0"][data-head="2"] canvas');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return [c.width, c.height, new Set(data).size];
    }""")
    assert painted[:2] == [15, 15] and painted[2] > 2

    before = canvas_picture(page)
    head(page, 3, 1).hover()
    expect(page.locator(T("attention-canvas"))).to_have_attribute("data-preview", "3,1")
    expect(page.locator(T("model-view-preview"))).to_contain_text("Preview: layer 3, head 1:")
    assert page.input_value(T("layer-select")) == "0", "a preview selects nothing"
    assert changed_share(page, before, canvas_picture(page)) > 0.005, "the canvas shows the previewed head"
    page.mouse.move(5, 5)  # off the grid: back to the selected head
    expect(page.locator(T("attention-canvas"))).not_to_have_attribute("data-preview", "3,1")
    assert changed_share(page, before, canvas_picture(page)) < 0.001, "the canvas is back to the selected head"

    head(page, 4, 7).click()
    expect(page.locator(T("layer-select"))).to_have_value("4")
    expect(page.locator(T("head-select"))).to_have_value("7")
    np.testing.assert_allclose(shown_weights(settled(page)), weights[4, 7, pieces.index("it")], atol=0.0006)
    expect(head(page, 4, 7)).to_have_attribute("aria-current", "true")
    expect(page.locator(T("model-view"))).to_be_visible()  # it stays open for the next head


def test_the_keyboard_moves_between_heads_previewing_them_and_enter_opens_one(page, server, reference):
    pieces, weights = reference
    open_real(page, server, layer=4, head=7, query=pieces.index("it"))
    page.click(T("model-view-toggle"))
    expect(page.locator(T("model-view-head"))).to_have_count(72)
    assert head(page, 4, 7).get_attribute("tabindex") == "0", "Tab reaches the selected head"
    assert head(page, 0, 0).get_attribute("tabindex") == "-1"
    head(page, 4, 7).focus()
    expect(page.locator(T("attention-canvas"))).to_have_attribute("data-preview", "4,7")
    page.keyboard.press("ArrowRight")
    expect(head(page, 4, 8)).to_be_focused()
    expect(page.locator(T("attention-canvas"))).to_have_attribute("data-preview", "4,8")
    page.keyboard.press("ArrowDown")
    expect(head(page, 5, 8)).to_be_focused()
    expect(page.locator(T("model-view-preview"))).to_contain_text("layer 5, head 8:")
    assert page.input_value(T("query-select")) == str(pieces.index("it")), "the arrows were the grid's, not the query's"
    page.keyboard.press("Enter")
    expect(page.locator(T("layer-select"))).to_have_value("5")
    expect(page.locator(T("head-select"))).to_have_value("8")
    np.testing.assert_allclose(shown_weights(settled(page)), weights[5, 8, pieces.index("it")], atol=0.0006)
    # A new sentence repaints the same 72 buttons (the focus stays where it was) with the new sentence's heads.
    page.fill(T("sentence-input"), "Dogs bark")
    expect(page.locator(T("token-count"))).to_have_text("4 / 64 pieces")
    expect(page.locator(T("model-view-head"))).to_have_count(72)
    assert settled(page).evaluate("document.querySelector('[data-testid=model-view-head] canvas').width") == 4
    page.click(T("model-view-close"))
    expect(page.locator(T("model-view"))).to_be_hidden()
    expect(page.locator(T("model-view-toggle"))).to_be_focused()
    expect(page.locator(T("attention-canvas"))).not_to_have_attribute("data-preview", "5,8")


def test_a_designed_head_and_its_real_match_open_side_by_side_and_either_opens_in_the_explorer(page, server):
    open_real(page, server)
    first = page.locator(T("designed-match-pair")).first
    expect(first).to_have_text("layer 0 head 2 (0.68 shared)")
    first.click()
    dialog = page.locator(T("pair-dialog"))
    expect(dialog).to_be_visible()
    expect(page.locator("#pair-title")).to_have_text("Designed beside real: positional and layer 0, head 2")
    expect(page.locator(T("pair-similarity"))).to_contain_text("0.68")
    words = ["The", "animal", "didn't", "cross", "the", "street", "because", "it", "was", "too", "tired"]
    for side in ("pair-designed", "pair-real"):
        assert page.locator(f"{T(side)} thead th").all_inner_texts()[1:] == words
        assert page.locator(f"{T(side)} tbody th").all_inner_texts() == words
    # The previous-token head: 'animal' gives (nearly) all its word-level attention to 'The'.
    assert page.locator(f'{T("pair-real")} tbody tr').nth(1).locator("td").first.inner_text() == "1.00"
    page.click(T("pair-open-real"))
    expect(dialog).to_be_hidden()
    expect(page.locator(T("layer-select"))).to_have_value("0")
    expect(page.locator(T("head-select"))).to_have_value("2")

    page.locator(T("designed-match-pair")).nth(2).click()  # syntactic beside its best match
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.locator(T("designed-match-pair")).nth(2).click()
    page.click(T("pair-open-designed"))
    expect(page.locator(T("model-select"))).to_have_value("toy")
    expect(page.locator(T("head-select"))).to_have_value("1")
    assert page.input_value(T("sentence-input")) == SENTENCE


@pytest.mark.parametrize("context", [{"viewport": {"width": 400, "height": 560}}], indirect=True)
def test_the_model_view_fits_the_compact_embed_and_opens_a_head_there(page, server):
    open_real(page, server, embed=1, theme="dark")
    page.click(T("model-view-toggle"))
    expect(page.locator(T("model-view-head"))).to_have_count(72)
    box = page.locator(T("model-view")).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 400 and box["y"] + box["height"] <= 560
    assert page.locator(T("attention-canvas")).bounding_box()["height"] >= 150, "the picture keeps its room"
    for h in (0, 11):
        thumb = head(page, 0, h).bounding_box()
        assert thumb["width"] >= 20 and thumb["x"] + thumb["width"] <= 400
    target = head(page, 5, 11)
    target.scroll_into_view_if_needed()
    target.click()
    expect(page.locator(T("layer-select"))).to_have_value("5")
    expect(page.locator(T("head-select"))).to_have_value("11")


def test_a_link_opens_the_model_view_and_copy_link_keeps_it_open(page, server, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_real(page, server, layer=2, head=5, overview=1)
    expect(page.locator(T("model-view"))).to_be_visible()
    expect(page.locator(T("model-view-head"))).to_have_count(72)
    page.click(T("copy-link"))
    page.wait_for_function("() => document.querySelector('[data-testid=share-status]').textContent.startsWith('Link copied')")
    link = page.evaluate("navigator.clipboard.readText()")
    assert "overview=1" in link and "layer=2" in link and "head=5" in link
    page.click(T("model-view-close"))
    expect(page.locator(T("model-view"))).to_be_hidden()
    page.click(T("copy-link"))
    page.wait_for_function("(before) => navigator.clipboard.readText().then(t => t !== before)", arg=link)
    assert "overview" not in page.evaluate("navigator.clipboard.readText()"), "a closed model view is not in the link"


def test_a_pointer_crossing_heads_previews_only_the_head_it_rests_on(page, server):
    open_real(page, server, overview=1)
    expect(page.locator(T("model-view-head"))).to_have_count(72)
    page.evaluate("""() => {
        window.previews = [];
        const canvas = document.querySelector('[data-testid="attention-canvas"]');
        new MutationObserver(() => previews.push(canvas.dataset.preview || ''))
            .observe(canvas, { attributes: true, attributeFilter: ['data-preview'] });
        const over = (layer, head) => document.querySelector(
            `[data-testid="model-view-head"][data-layer="${layer}"][data-head="${head}"]`)
            .dispatchEvent(new PointerEvent('pointerover', { bubbles: true }));
        over(0, 1);  // on its way, a frame apart: each would redraw the whole canvas for a head not looked at
        requestAnimationFrame(() => { over(1, 4); requestAnimationFrame(() => over(2, 7)); });
    }""")
    expect(page.locator(T("attention-canvas"))).to_have_attribute("data-preview", "2,7")
    assert page.evaluate("previews") == ["2,7"]

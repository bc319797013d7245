"""The real model (all-MiniLM-L6-v2) in the page: fetched when asked for, exact, offline after first use."""

import re
import sys
from urllib.parse import quote

import numpy as np
import pytest
from harness import ROOT, listening_host, settled, wait_ready
from playwright.sync_api import expect

sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT / "tests"))
from attention import minilm, wordpiece  # noqa: E402
from model_files import SENTENCE, load_model, model_dir, reference_attention  # noqa: E402
from test_robustness import SNAPSHOT_STORED  # noqa: E402

T = lambda name: f'[data-testid="{name}"]'  # noqa: E731
LOADED_MS = 120_000  # the 44 MB pack from loopback, then NumPy turning it into arrays, on a busy 2-core machine

pytestmark = pytest.mark.skipif(model_dir() is None, reason="the real model's files are not on this machine")


@pytest.fixture(scope="module")
def reference():
    """float32 attention of the original weights, computed here under CPython: (pieces, [layers, heads, n, n])."""
    return reference_attention(SENTENCE)


def shown_weights(page):  # -> [(token, weight)] from the weights-table
    rows = page.locator(f'{T("weights-table")} tbody tr').all_inner_texts()
    return [(r.split("\t")[0], float(r.split("\t")[1].rstrip("%")) / 100) for r in rows]


def real_url(server, **params):
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return f"{server.url}?model=minilm&text={quote(SENTENCE)}&{query}"


def wait_model(page):
    expect(page.locator(T("token-count"))).to_have_text("15 / 64 pieces", timeout=LOADED_MS)
    return settled(page)


def test_a_link_opens_the_real_model_at_its_layer_head_and_query_with_the_references_weights(page, server, reference):
    pieces, weights = reference
    it = pieces.index("it")
    page.goto(real_url(server, layer=5, head=11, query=it, step=3))
    assert wait_ready(page) is None
    wait_model(page)
    assert page.input_value(T("model-select")) == "minilm" and page.input_value(T("layer-select")) == "5"
    assert page.input_value(T("head-select")) == "11" and page.input_value(T("query-select")) == str(it)
    shown = shown_weights(page)
    assert [token for token, _ in shown] == list(pieces)
    np.testing.assert_allclose([w for _, w in shown], weights[5, 11, it], atol=0.0005 + 0.002)  # 1 decimal of %
    expect(page.locator(T("model-credit"))).to_contain_text("Apache-2.0")


def test_nothing_of_the_model_is_downloaded_until_asked_and_switching_keeps_the_sentence(page, server, reference):
    fetched = []
    page.on("request", lambda r: "/model/" in r.url and fetched.append(r.url))
    page.goto(server.url)
    assert wait_ready(page) is None
    page.fill(T("sentence-input"), "the cat sat")
    settled(page)
    assert fetched == [], "the designed model needs none of the real model's files"
    page.select_option(T("model-select"), "minilm")
    expect(page.locator(T("token-count"))).to_have_text("5 / 64 pieces", timeout=LOADED_MS)
    assert fetched, "asked for, it is fetched"
    expect(page.locator(f'{T("query-select")} option')).to_have_count(5)  # [CLS] the cat sat [SEP]
    assert page.input_value(T("sentence-input")) == "the cat sat"
    page.select_option(T("layer-select"), "2")
    page.select_option(T("head-select"), "7")
    assert settled(page).inner_text("#matrix-head").startswith("head 7")  # counted from 0, as in the links
    page.select_option(T("model-select"), "toy")
    expect(page.locator(T("token-count"))).to_have_text("3 / 32 tokens")
    assert page.input_value(T("sentence-input")) == "the cat sat"


def test_a_failed_download_says_so_with_a_retry_and_the_designed_model_keeps_working(page, server, expect_errors):
    page.route("**/model/minilm-pack.bin", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(server.url)
    assert wait_ready(page) is None
    page.select_option(T("model-select"), "minilm")
    expect(page.locator(T("model-status"))).to_contain_text("could not be loaded: HTTP 404", timeout=30_000)
    assert page.locator(T("model-retry")).is_visible()
    assert settled(page).input_value(T("model-select")) == "toy"
    page.fill(T("sentence-input"), "the dog was")
    expect(page.locator(f'{T("query-select")} option')).to_have_count(3)  # the designed model still computes
    page.unroute("**/model/minilm-pack.bin")
    page.click(T("model-retry"))
    expect(page.locator(T("token-count"))).to_have_text("5 / 64 pieces", timeout=LOADED_MS)


@pytest.mark.parametrize("context", [{"service_workers": "allow"}], indirect=True)
def test_after_its_first_use_the_real_model_works_offline(page, server, context):
    page.goto(real_url(server, head=3))
    assert wait_ready(page) is None
    wait_model(page)
    assert page.evaluate(SNAPSHOT_STORED, ""), "the service worker stored this build"
    page.reload()  # now through the service worker, which keeps the model's files as they are fetched
    assert wait_ready(page) is None
    wait_model(page)
    context.set_offline(True)
    page.reload()
    assert wait_ready(page) is None
    wait_model(page)
    assert len(shown_weights(page)) == 15


LONG = ("While the committee reviewed the unexpectedly complicated proposal, several members quietly wondered "
        "whether anyone had read it")


WRITTEN_STATUSES = """() => {  // window.written: [model status, piece count] after each change of the status line
    const status = document.getElementById('model-status'), count = document.getElementById('token-count');
    window.written = [];
    new MutationObserver(() => written.push([status.textContent, count.textContent]))
        .observe(status, {childList: true, characterData: true, subtree: true});
}"""


def reference_of(text, layer, head, query):  # -> (pieces, weights of that row) from the float32 weights, CPython
    weights, vocab = load_model(model_dir())
    encoding = wordpiece.encode(text, vocab)
    return encoding.pieces, minilm.forward(np.array(encoding.ids), weights).traces[layer].weights[head, query]


def test_typing_a_long_sentence_computes_in_steps_and_shows_the_last_keystrokes_sentence(page, server):
    page.goto(real_url(server, layer=4, head=5, query=3))
    assert wait_ready(page) is None
    wait_model(page)
    # one new sentence of 20 pieces: once its embedding rows are in, its pass runs in short tasks, and the status
    # names the step it is on before each. Every status the page writes is recorded with the piece count beside it
    # (a fast machine computes 20 pieces in one task: the status is written, then gone before a poll could look)
    page.evaluate(WRITTEN_STATUSES)
    page.fill(T("sentence-input"), LONG[:100])
    page.wait_for_function("written.some(([status]) => status.includes('on the new sentence'))", polling=5)
    status, count = next(seen for seen in page.evaluate("written") if "on the new sentence" in seen[0])
    assert status == "The real model is on the new sentence: computing layer 0 (layers 0–5)…", status
    assert count == "15 / 64 pieces", "the last sentence is shown until the new one is computed"
    box = page.locator(T("sentence-input"))
    box.press("End")
    box.press_sequentially(LONG[100:], delay=15)  # keystrokes faster than a pass: each drops the one before
    pieces, row = reference_of(LONG, 4, 5, 3)
    expect(page.locator(T("token-count"))).to_have_text(f"{len(pieces)} / 64 pieces", timeout=60_000)
    settled(page)
    shown = shown_weights(page)
    assert [token for token, _ in shown] == list(pieces)
    np.testing.assert_allclose([w for _, w in shown], row, atol=0.0005 + 0.002)
    assert page.inner_text(T("model-status")) == ""
    page.select_option(T("layer-select"), "0")  # computed with the sentence: shown without a new pass
    page.select_option(T("head-select"), "2")
    pieces, row = reference_of(LONG, 0, 2, 3)
    expect(page.locator("#matrix-head")).to_have_text(re.compile(r"^head 2 \(previous token"))
    np.testing.assert_allclose([w for _, w in shown_weights(settled(page))], row, atol=0.0005 + 0.002)


def test_a_sentence_still_fetching_its_rows_never_replaces_a_newer_one(page, server):
    """A word whose embedding rows are not in yet (held back here), then a long sentence whose rows are all in:
    its forward pass runs while the older sentence's rows arrive, and the newer sentence is the one shown."""
    page.goto(real_url(server, layer=4, head=5, query=3))
    assert wait_ready(page) is None
    wait_model(page)
    held = []
    page.route("**/model/embeddings/*.bin", lambda route: held.append(route))
    page.fill(T("sentence-input"), SENTENCE + " zebras")
    expect(page.locator(T("model-status"))).to_have_text("Fetching the sentence's word embeddings…")
    newer = " ".join([SENTENCE] * 4)  # 54 pieces, every row of them in since the first sentence
    page.fill(T("sentence-input"), newer)
    expect(page.locator(T("model-status"))).to_contain_text("on the new sentence")
    assert held, "the first sentence did wait for its rows"
    for route in held:  # they arrive while the newer sentence is being computed
        route.continue_()
    page.unroute("**/model/embeddings/*.bin")
    pieces, row = reference_of(newer, 4, 5, 3)
    expect(page.locator(T("token-count"))).to_have_text(f"{len(pieces)} / 64 pieces", timeout=60_000)
    page.wait_for_timeout(500)  # and nothing replaces it
    shown = shown_weights(settled(page))
    assert [token for token, _ in shown] == list(pieces)
    assert page.input_value(T("sentence-input")) == newer
    np.testing.assert_allclose([w for _, w in shown], row, atol=0.0005 + 0.002)


def test_a_host_can_ask_for_a_real_head_before_the_model_is_in(page, server, tmp_path):
    app_url = server.url.replace("127.0.0.1", "localhost")  # another origin than the host page's
    host = listening_host(page, tmp_path, f"{app_url}?embed=1", 900, 700)
    try:
        page.evaluate("document.getElementById('app').contentWindow.postMessage({type: 'attention-explorer:set', "
                      f"model: 'minilm', text: {SENTENCE!r}, layer: 5, head: 11, query: 10, step: 3}}, '*')")
        frame = page.frame_locator("#app")
        expect(frame.locator(T("token-count"))).to_have_text("15 / 64 pieces", timeout=LOADED_MS)
        expect(frame.locator(T("head-select"))).to_have_value("11")
        assert frame.locator(T("layer-select")).input_value() == "5"
        assert frame.locator(T("query-select")).input_value() == "10"
        assert not page.evaluate("heard.some(m => m.type === 'attention-explorer:error')"), page.evaluate("heard")
    finally:
        host.close()


def test_the_input_strip_reads_out_the_number_under_the_pointer_or_finger(page, server, reference):
    pieces, _ = reference
    page.goto(real_url(server, step=0))
    assert wait_ready(page) is None
    wait_model(page)
    canvas = page.locator(T("attention-canvas"))
    before = canvas.screenshot()
    x, y = page.evaluate("aeView.matrixCell('X', 10, 200)")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_function("aeView.hover().join() === 'input,10,200'")
    settled(page).wait_for_timeout(100)
    assert canvas.screenshot() != before, "the readout and the outlined number are drawn"
    assert pieces[10] == "it"
    page.mouse.move(box["x"] + 2, box["y"] + 2)  # off it: the caption is back
    page.wait_for_function("aeView.hover().length === 0")

"""Hostile and broken input never breaks the page, injects anything, or loses the learner's state."""

import base64
from contextlib import contextmanager
import json
import shutil

import pytest

from harness import Server, settled, wait_ready
from playwright.sync_api import expect

T = lambda name: f'[data-testid="{name}"]'  # noqa: E731

HOSTILE_SENTENCES = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned=1">',
    "javascript:window.pwned=1",
    '"><svg onload=window.pwned=1>',
    "👩‍👩‍👧 loves 🍕 and 🇫🇷 e\u0301te\u0301",
    "שלום עולם مرحبا بالعالم",
    "\u200b\u200d\ufeff zero width",
    "{{7*7}} ${7*7} %s %n",
]

ELEMENT_COUNT = "document.querySelectorAll('script, img, svg, iframe, object, embed').length"


def snapshot(page):
    return {t: page.inner_text(T(t)) for t in ("weights-table", "output-vector", "attention-matrix")}


def test_hostile_sentences_are_only_ever_text(app):
    elements = app.evaluate(ELEMENT_COUNT)
    for text in HOSTILE_SENTENCES:
        app.fill(T("sentence-input"), text)
        settled(app)
        assert app.evaluate("window.pwned") is None
        assert app.evaluate(ELEMENT_COUNT) == elements, f"an element was injected by {text!r}"
        assert app.inner_text(T("sentence-message")) == ""
        header = app.locator(f'{T("attention-matrix")} thead th').all_inner_texts()[1:]
        assert "".join(header) == "".join(text.split()), "the tokens appear, as text, in the matrix header"


@pytest.mark.parametrize("text, message", [
    ("", "Type at least one word."),
    ("      ", "Type at least one word."),
    ("x" * 10_000, "longer than 40 characters"),
    (" ".join(["w"] * 500), "limit is 32"),
])
def test_empty_and_huge_sentences_get_a_message_and_keep_the_state(app, text, message):
    before = snapshot(app)
    app.fill(T("sentence-input"), text)
    assert message in settled(app).inner_text(T("sentence-message"))
    assert snapshot(app) == before


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BROKEN_LINKS = [
    ("#scenario=%%%not-base64%%%", "base64"),
    ("#scenario=" + b64("this is not json"), "JSON"),
    ("#scenario=" + b64(json.dumps({"tokens": ["a", "b"], "embeddings": [[1, 2, 3]]})), "embeddings"),
    ("#scenario=" + b64('{"tokens": ["a"], "embeddings": [[NaN, 1]]}'), "NaN"),
    ("#scenario=" + b64(json.dumps({"tokens": ["a"], "embeddings": [[1e308, 1]]})), "1e+06"),
    ("#scenario=" + b64("[" * 5000 + "]" * 5000), "nest"),
    ("#scenario=" + b64(json.dumps({"tokens": ["w"] * 1000})), "32"),
    ("#scenario=" + b64(json.dumps({"tokens": ["<img src=x onerror=window.pwned=1>"], "query": 3})), "query"),
]


@pytest.mark.parametrize("fragment, reason", BROKEN_LINKS)
def test_broken_scenario_links_are_refused_with_their_reason(page, server, fragment, reason, expect_errors):
    page.goto(server.url + fragment)
    assert wait_ready(page) is None, "a broken link must not stop the explorer"
    text = page.inner_text(T("error"))
    assert "could not be opened" in text and reason.lower() in text.lower()
    assert page.input_value(T("sentence-input")) == "the hot dog was"
    assert page.evaluate("window.pwned") is None and page.locator("main img").count() == 0


def test_a_bad_link_after_start_keeps_the_current_state(app, expect_errors):
    app.fill(T("sentence-input"), "cats chase mice")
    app.wait_for_function("() => document.querySelectorAll('[data-testid=query-select] option').length === 3")
    before = snapshot(app)
    app.evaluate("location.hash = '#scenario=' + btoa('{broken')")
    app.locator(T("error")).wait_for(state="visible")
    assert snapshot(app) == before
    app.click('[data-testid="error"] [data-action="dismiss"]')  # the learner has read it: it goes
    app.locator(T("error")).wait_for(state="hidden")
    assert snapshot(app) == before


def test_rapid_edits_end_on_the_last_one(app):
    app.evaluate("""() => {
        const input = document.querySelector('[data-testid=sentence-input]');
        for (let i = 1; i <= 2000; i++) {
            input.value = 'word '.repeat(1 + i % 20) + 'end' + i;
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }
    }""")
    app.wait_for_function("() => document.querySelector('[data-testid=query-select]').options.length === 2000 % 20 + 2")
    last = app.locator(f'{T("query-select")} option').last.inner_text()
    assert last.endswith("end2000")


def test_thousands_of_step_changes_do_not_queue_up(app):
    app.evaluate("""() => {
        const slider = document.querySelector('[data-testid=step-slider]');
        for (let i = 0; i < 3000; i++) {
            slider.value = String(i % 5);
            slider.dispatchEvent(new Event('input', {bubbles: true}));
        }
    }""")
    frames = app.evaluate("aeView.frames()")
    app.wait_for_timeout(1500)
    assert app.inner_text(T("stage-title")) == "5. Weighted sum"  # 2999 % 5 == 4
    assert app.evaluate("aeView.frames()") - frames < 200, "a frame per event would mean queued work"


def test_the_content_security_policy_blocks_inline_script(app, expect_errors):
    """Even if text ever reached the DOM as HTML, an inline script would not run."""
    ran = app.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.body.append(script);
        const img = document.createElement('img');
        img.setAttribute('onerror', 'window.handlerRan = true');
        img.src = 'data:,not-an-image';
        document.body.append(img);
        return new Promise((resolve) => setTimeout(() => resolve([!!window.inlineRan, !!window.handlerRan]), 300));
    }""")
    assert ran == [False, False]
    assert any("Content Security Policy" in e for e in expect_errors.errors)


# The service worker's snapshots of the build (not its list of clients, nor Python's memory snapshot).
SNAPSHOTS = """async () => (await caches.keys()).filter((name) => /^attention-explorer-(?!clients$)/.test(name))"""

SNAPSHOT_STORED = """async (other) => {  // the newest snapshot, once it is complete, in use, and not `other`
    await navigator.serviceWorker.ready;
    for (const deadline = Date.now() + 60000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        const names = (await caches.keys()).filter((name) => /^attention-explorer-(?!clients$)/.test(name));
        const newest = names[names.length - 1], registration = await navigator.serviceWorker.getRegistration();
        if (!newest || newest === other || !navigator.serviceWorker.controller) continue;
        if (registration.installing || registration.waiting) continue;  // a new build is not active yet
        if ((await (await caches.open(newest)).keys()).length > 20) return newest;
    }
    return null;
}"""


@pytest.mark.parametrize("context", [{"service_workers": "allow"}], indirect=True)
def test_after_one_visit_the_explorer_opens_offline(app, context):
    """The service worker keeps a snapshot of the build; with the network gone, a reload still starts."""
    assert app.evaluate(SNAPSHOT_STORED, ""), "the service worker stored this build"
    assert wait_ready(app) is None
    context.set_offline(True)
    app.reload()
    assert wait_ready(app) is None
    assert app.inner_text(T("weights-table")).count("%") == 4


def deploy_new_build(site):
    """What deploying another build does to the host: new index.html, a new app archive name, a new sw.js."""
    import build

    old = next(site.glob("app-*.zip"))
    new = old.with_name("app-0000deploy2.zip")
    old.rename(new)
    for stale in site.glob("app-*.zip.gz"):
        stale.unlink()
    index = site / "index.html"
    index.write_text(index.read_text().replace(old.name, new.name)
                     .replace("<head>", '<head>\n  <meta name="ae-build" content="second">', 1))
    build.write_service_worker(site)
    build.precompress(site)


@contextmanager
def a_visited_site(page, dist, tmp_path):
    """A copy of dist/ on a server of its own, visited once: -> (its folder, the name of the stored snapshot)."""
    site = tmp_path / "site"
    shutil.copytree(dist, site)
    server = Server(site)
    try:
        page.goto(server.url)
        assert wait_ready(page) is None
        first = page.evaluate(SNAPSHOT_STORED, "")
        assert first, "the service worker stored this build"
        yield site, first
    finally:
        server.close()


@pytest.mark.parametrize("context", [{"service_workers": "allow"}], indirect=True)
def test_a_new_deployment_is_picked_up_whole_never_mixed_with_the_old_one(page, dist, tmp_path, context):
    """The open page keeps its snapshot; the service worker fetches the new build whole; the next visit runs it."""
    with a_visited_site(page, dist, tmp_path) as (site, first):
        deploy_new_build(site)
        page.reload()  # the old snapshot, complete: its index.html with its own archive (gone from the host)
        assert wait_ready(page) is None and not page.locator("meta[name=ae-build]").count()
        second = page.evaluate(SNAPSHOT_STORED, first)
        assert second, "the new build, downloaded whole, is in use"
        assert page.evaluate(SNAPSHOTS) == [first, second], "the open page keeps the snapshot it started with"
        page.reload()
        assert wait_ready(page) is None
        assert page.locator("meta[name=ae-build]").get_attribute("content") == "second"
        assert page.inner_text(T("weights-table")).count("%") == 4
        page.reload()  # the old build's page is gone now: its snapshot is deleted
        assert wait_ready(page) is None
        page.wait_for_function(f"async () => JSON.stringify(await ({SNAPSHOTS})()) === '{json.dumps([second])}'")


HOLD_ARCHIVE = """(() => {  // the app archive's download waits for window.releaseArchive()
    const fetch = window.fetch.bind(window);
    const gate = new Promise((resolve) => { window.releaseArchive = resolve; });
    window.fetch = async (input, init) => {
        if (/app-[0-9a-z]+[.]zip/.test(String(input instanceof Request ? input.url : input))) await gate;
        return fetch(input, init);
    };
})()"""


@pytest.mark.parametrize("context", [{"service_workers": "allow"}], indirect=True)
def test_a_page_still_starting_when_a_new_build_takes_over_finishes_with_its_own_files(page, dist, tmp_path,
                                                                                        context):
    """The new service worker takes over open pages at once; one that has not yet fetched its app archive
    (renamed in the new build, so gone from the host) must still get it: from the snapshot it started with."""
    with a_visited_site(page, dist, tmp_path) as (site, first):
        deploy_new_build(site)
        page.add_init_script(HOLD_ARCHIVE)
        page.reload()  # the old build starts from its snapshot and stops before its archive...
        assert page.evaluate(SNAPSHOT_STORED, first), "...while the new build is downloaded and takes over"
        page.evaluate("window.releaseArchive()")
        assert wait_ready(page) is None, "the old page got its own archive"
        assert not page.locator("meta[name=ae-build]").count()
        assert page.inner_text(T("weights-table")).count("%") == 4


@pytest.mark.parametrize("where", ["draw", "event"])
def test_a_python_exception_is_shown_and_the_explorer_keeps_working(page, server, where):
    """A bug in one frame or one event handler (injected through a development hook) must not freeze the page."""
    app = page
    app.goto(server.url + "?dev=1")
    assert wait_ready(app) is None
    app.locator(T("step-slider")).fill("1")
    app.evaluate(f"aeView.breakOnce('{where}')")
    if where == "event":
        app.click(T("next-step"))  # this click's handler raises: the step stays
    expect(app.locator(T("error"))).to_contain_text("a fault injected into")
    assert app.input_value(T("step-slider")) == "1"
    frames = app.evaluate("aeView.frames()")
    app.click(T("next-step"))
    expect(app.locator(T("stage-title"))).to_have_text("3. Scores")
    app.wait_for_function(f"() => aeView.frames() > {frames}")  # and frames are drawn again
    app.fill(T("sentence-input"), "the cat sat")
    expect(app.locator(f'{T("query-select")} option')).to_have_count(3)  # and edits are computed


def test_a_short_soak_of_play_grows_no_memory(browser, server):
    """The benchmark's 10-minute soak (tests/bench/page.py) in a short mode: Play over and over for 20 s."""
    from bench.page import soak

    result = soak(browser, server.url, seconds=20)
    assert result["frames"] > 200, "the animation ran"
    assert result["js_heap_after_mb"] - result["js_heap_before_mb"] < 2.0, result
    assert result["wasm_after_mb"] - result["wasm_before_mb"] < 1.0, result
    assert result["worker_heap_before_mb"] is not None, "the canvas is replayed in a worker here"
    assert result["worker_heap_after_mb"] - result["worker_heap_before_mb"] < 1.0, result

"""Starting fast and saying so: the interpreter's memory snapshot (web/memory-snapshot.js), and the loading box."""

import base64
import json

import pytest

from harness import wait_ready
from test_robustness import HOLD_ARCHIVE, SNAPSHOT_STORED

T = lambda name: f'[data-testid="{name}"]'  # noqa: E731
SNAPSHOT_MADE_MS = 90_000  # a second Pyodide starts in a worker once the page is idle
MADE = "() => document.documentElement.dataset.snapshot === 'made'"

TAMPER = """async (how) => {  // replace the stored snapshot by a broken or another build's copy of it
    const cache = await caches.open('ae-pyodide-memory');
    const [entry] = await cache.keys();
    const bytes = new Uint8Array(await (await cache.match(entry)).arrayBuffer());
    if (how === 'corrupt') bytes.fill(7, 0, 4096);  // the header (magic number, sizes) is gone
    else bytes.fill(48, 16, 48);  // Pyodide's build id, written after the header's first 16 bytes
    await cache.put(entry, new Response(bytes));
    return entry.url;
}"""

STORED = "async (url) => !!(await (await caches.open('ae-pyodide-memory')).match(url))"


def started(page):
    """Wait for the first frame; -> the page's snapshot readout."""
    assert wait_ready(page) is None, page.inner_text(T("error"))
    assert page.inner_text(T("weights-table")).count("%") >= 3, "the weights of a real trace are shown"
    return page.evaluate("document.documentElement.dataset.snapshot")


def visited_once(page, url):
    """A first visit that leaves its snapshot behind."""
    page.goto(url)
    assert started(page) == "none"
    page.wait_for_function(MADE, timeout=SNAPSHOT_MADE_MS)


def test_a_second_visit_restores_python_from_the_memory_snapshot(page, server):
    visited_once(page, server.url)
    page.reload()
    assert started(page) == "restored"
    # The restored Python runs NumPy and our code as a fresh one does.
    assert sum(float(p.rstrip("%")) for p in
               page.locator(f'{T("weights-table")} td:nth-child(2)').all_inner_texts()) == pytest.approx(100, abs=0.2)
    page.fill(T("sentence-input"), "the cat sat on the mat")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=query-select] option').length === 6")


@pytest.mark.parametrize("how", ["corrupt", "foreign"])
def test_a_broken_or_foreign_snapshot_is_discarded_and_the_page_still_starts(page, server, how):
    visited_once(page, server.url)
    entry = page.evaluate(TAMPER, how)
    page.reload()
    assert started(page) == "discarded"
    assert not page.evaluate(STORED, entry), "the broken snapshot is deleted"
    page.wait_for_function(MADE, timeout=SNAPSHOT_MADE_MS)  # and a good one made in its place
    page.reload()
    assert started(page) == "restored"


@pytest.mark.parametrize("context", [{"service_workers": "allow"}], indirect=True)
def test_once_the_browser_keeps_the_build_python_imports_the_bytecode_it_was_built_with(page, server, context):
    """A first visit compiles what it imports; once the service worker keeps the build, NumPy's and our
    modules come from the .pyc files build.py compiled (flags 1, unchecked-hash), offline too, and a module
    outside them (numpy.random: `import numpy` does not load it) is still imported when first used."""
    bytecode_of = "(name) => aeView.bytecodeFlags(name)"
    page.goto(server.url + "?dev=1")
    started(page)
    assert page.evaluate("document.documentElement.dataset.bytecode") is None
    assert page.evaluate(bytecode_of, "ui.state") == -1, "compiled from its source at this start"
    assert page.evaluate(SNAPSHOT_STORED, ""), "the service worker stored this build"
    page.reload()
    started(page)
    assert page.evaluate("document.documentElement.dataset.bytecode") == "kept"
    for module in ("main", "ui.state", "scene.layout", "attention.wordpiece", "numpy", "numpy._core.numeric",
                   "numpy.linalg._linalg"):
        assert page.evaluate(bytecode_of, module) == 1, module
    assert page.evaluate(bytecode_of, "numpy.random._pickle") == -1
    assert page.evaluate("aeView.timeEngine(4, 2, 1)") > 0  # uses numpy.random
    context.set_offline(True)  # (the development hooks are not kept for offline use)
    page.goto(server.url)
    started(page)
    assert page.evaluate("document.documentElement.dataset.bytecode") == "kept"
    page.fill(T("sentence-input"), "the cat sat on the mat")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=query-select] option').length === 6")


RECORD_STAGES = """(() => {  // every text the loading box's status line shows, in order
    window.loadingTexts = [];
    document.addEventListener('readystatechange', () => {
        const status = document.getElementById('loading-status');
        if (!status || window.loadingObserved) return;
        window.loadingObserved = true;
        const note = () => {
            const text = document.getElementById('loading-stage')?.textContent ?? status.textContent;
            if (window.loadingTexts.at(-1) !== text) window.loadingTexts.push(text);
        };
        note();
        new MutationObserver(note).observe(status, {childList: true, characterData: true, subtree: true});
    });
})()"""


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("link, says, sentence", [
    ("?preset=pronoun", "Opening the example “The animal didn't cross the street because it was too tired”",
     "The animal didn't cross the street because it was too tired"),
    ("#scenario=" + b64(json.dumps({"version": 1, "tokens": ["le", "chat", "dort"]})),
     "Opening the linked scenario: “le chat dort”", "le chat dort"),
])
def test_the_loading_box_names_the_example_the_link_asks_for(page, server, link, says, sentence):
    """Read from the address by JavaScript, before Python runs; the sentence box shows it too."""
    page.add_init_script(HOLD_ARCHIVE)
    page.goto(server.url + link)
    box = page.locator("#loading")
    assert box.is_visible() and page.evaluate("document.documentElement.dataset.ready") is None
    assert page.inner_text("#loading-example") == says
    assert page.input_value(T("sentence-input")) == sentence
    page.evaluate("window.releaseArchive()")
    assert started(page)
    assert page.input_value(T("sentence-input")) == sentence


def test_the_loading_box_shows_our_own_stages_in_order(page, server):
    """The download (whenever bytes are what it waits for), then Python, NumPy, the explorer: nothing else."""
    page.add_init_script(RECORD_STAGES)
    page.goto(server.url)
    started(page)
    texts = page.evaluate("window.loadingTexts")
    assert texts[0] == "Downloading Python and NumPy", texts
    assert [t for t in texts if t != texts[0]] == ["Starting Python", "Loading NumPy", "Preparing the explorer"], texts

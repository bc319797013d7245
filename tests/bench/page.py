"""Benchmark of the page in headless Chromium: prints load and frame figures against SPEC's budget.

    python3 build.py bench                 # builds, then runs this with the test venv
    python3 build.py bench --runs 5 --soak-seconds 600

Load: first paint of the shell and time to data-ready, each beside a bare page that only loads
Pyodide + NumPy in the same run (so the ratio is fair): cold in a fresh context; a repeat visit in a
persistent profile (a returning learner's browser: the first visit, idle until the page has done what it
does once started, the browser closed and opened again on the same profile); a repeat visit in a fresh
context (a reload: Chromium does not keep the 10 MB wasm in such a context's cache, so it is half cold);
and first visits on throttled networks (CDP network emulation) with their bytes.
Frames: main-thread time per frame from Chrome's own counters (CDP
Performance.getMetrics: TaskDuration) while animating and while idle, and for the
same frames' display lists replayed by JavaScript alone (what the main thread spends
painting them, without Python).
Figures are medians over --runs. Nothing here asserts: it measures and prints.
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from harness import CHROMIUM_FLAGS, Server, build, chromium_path, settled, wait_ready  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare Pyodide + NumPy</title>
<p>bare</p>
<script type="module">
import { loadPyodide } from "./pyodide/pyodide.mjs";
const py = await loadPyodide({ indexURL: "./pyodide/", packages: ["numpy"] });
py.runPython("import numpy; numpy.ones(3).sum()");
performance.mark("ae-ready");
document.documentElement.dataset.ready = "true";
</script>"""

# The floor of a repeat visit: the bare page as it would be with the lever SPEC measured (a memory snapshot of
# the bare interpreter, restored, then NumPy loaded), made on the first visit by a second instance of its own.
BARE_SNAPSHOT_PAGE = """<!doctype html><meta charset="utf-8"><title>bare Pyodide + NumPy, snapshot</title>
<p>bare, snapshot</p>
<script type="module">
import { loadPyodide } from "./pyodide/pyodide.mjs";
const root = document.documentElement;
root.dataset.snapshot = "none";
const store = await caches.open("bare-snapshot");
const kept = await store.match("interpreter");
const py = kept ? await loadPyodide({ indexURL: "./pyodide/", _loadSnapshot: kept.arrayBuffer() })
                : await loadPyodide({ indexURL: "./pyodide/" });
await py.loadPackage("numpy");
py.runPython("import numpy; numpy.ones(3).sum()");
performance.mark("ae-ready");
root.dataset.snapshot = kept ? "restored" : "making";
root.dataset.ready = "true";
if (!kept) {
  try {
    const maker = await loadPyodide({ indexURL: "./pyodide/", _makeSnapshot: true });
    await store.put("interpreter", new Response(maker.makeMemorySnapshot()));
    root.dataset.snapshot = "made";
  } catch (error) {
    root.dataset.snapshot = "failed: " + error;  // its repeat visit is then a plain one, and says so
  }
}
</script>"""

LOAD_FIGURES = """() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const ready = performance.getEntriesByName('ae-ready')[0];
    const entries = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')];
    return {
        first_paint_ms: paint ? paint.startTime : null,
        ready_ms: ready ? ready.startTime : null,
        transfer_bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0),
        body_bytes: entries.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
        requests: entries.length,
        snapshot: document.documentElement.dataset.snapshot || null,
    };
}"""


# The page has done what it does once started and idle (kept its interpreter's memory snapshot): the bare
# page does nothing (it has no snapshot readout), the bare page with a snapshot and ours make one.
SETTLED_AFTER_START = """() => !document.documentElement.dataset.snapshot
    || document.documentElement.dataset.snapshot === 'made'
    || document.documentElement.dataset.snapshot.startsWith('failed')"""
IDLE_AFTER_FIRST_VISIT_MS = 6000  # the service worker's download of the build, with or without the readout
THROTTLED = {"10 Mbit/s": 10e6, "2 Mbit/s": 2e6}  # first visits on slower networks, bits per second down


def repeat_in_profile(pw, url):
    """A returning learner: a first visit in a new persistent profile, idle until the page settled, the browser
    closed; then opened again on the same profile for a second visit. -> (first's figures, second's figures)"""
    with tempfile.TemporaryDirectory() as profile:
        figures = []
        for visit in range(2):
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path('run this through `python3 build.py bench`'), args=CHROMIUM_FLAGS, headless=True,
                viewport={"width": 1200, "height": 900})
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(url)
            assert wait_ready(page) is None, "the page failed to start"
            figures.append(page.evaluate(LOAD_FIGURES))
            if visit == 0:
                page.wait_for_timeout(IDLE_AFTER_FIRST_VISIT_MS)
                page.wait_for_function(SETTLED_AFTER_START, timeout=60_000)
            context.close()
        return figures


def throttled_first_visit(browser, url, bits_per_second):
    """A cold visit with the network emulated at `bits_per_second` down (a quarter of it up, 20 ms latency).
    -> load figures, and how many console warnings named a preload that went unused"""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    page = context.new_page()
    warnings = []
    page.on("console", lambda m: "preload" in m.text and warnings.append(m.text))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20,
                                                   "downloadThroughput": bits_per_second / 8,
                                                   "uploadThroughput": bits_per_second / 32})
    page.goto(url)
    assert wait_ready(page, timeout=300_000) is None, "the page failed to start"
    figures = page.evaluate(LOAD_FIGURES)
    page.wait_for_timeout(4000)  # Chromium warns of an unused preload a few seconds after the load event
    context.close()
    return {**figures, "preload_warnings": len(warnings)}


def load_figures(pw, browser, server, runs):
    """Every load figure, ours beside the bare page's: medians over `runs`; the throttled visits once each."""
    results = {key: [] for key in ("ours", "ours_warm", "bare", "bare_warm", "ours_profile", "bare_profile",
                                   "bare_snapshot_profile")}
    for run in range(runs):
        # Alternate the order so neither page always benefits from a warmer machine.
        order = [("bare", "bare.html"), ("ours", "")] if run % 2 else [("ours", ""), ("bare", "bare.html")]
        for name, path in order:
            cold, warm = load_once(browser, server.url + path)
            results[name].append(cold)
            results[name + "_warm"].extend(warm)
        for name, path in [*order, ("bare_snapshot", "bare-snapshot.html")]:
            results[name + "_profile"].append(repeat_in_profile(pw, server.url + path)[1])
    throttled = {label: {name: throttled_first_visit(browser, server.url + path, bits)
                         for name, path in (("ours", ""), ("bare", "bare.html"))}
                 for label, bits in THROTTLED.items()}

    def middle(key, figure="ready_ms"):
        return median(r[figure] for r in results[key])
    figures = {
        "first_paint_ms": middle("ours", "first_paint_ms"), "bare_first_paint_ms": middle("bare", "first_paint_ms"),
        "ready_cold_ms": middle("ours"), "bare_pyodide_numpy_ms": middle("bare"),
        "ready_profile_ms": middle("ours_profile"), "bare_profile_ms": middle("bare_profile"),
        "snapshot_on_repeat": [r["snapshot"] for r in results["ours_profile"]],
        "bare_snapshot_profile_ms": middle("bare_snapshot_profile"),
        "bare_snapshot_on_repeat": [r["snapshot"] for r in results["bare_snapshot_profile"]],
        "ready_warm_ms": middle("ours_warm"), "bare_warm_ms": middle("bare_warm"),
        "transfer_bytes": middle("ours", "transfer_bytes"), "bare_transfer_bytes": middle("bare", "transfer_bytes"),
        "body_bytes": middle("ours", "body_bytes"), "requests": middle("ours", "requests"),
        "throttled": throttled,
    }
    figures["ready_ratio"] = figures["ready_cold_ms"] / figures["bare_pyodide_numpy_ms"]
    return figures


def load_once(browser, url, warm_reloads=1):
    """Cold load in a fresh context, then reloads that reuse its cache."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(url)
    assert wait_ready(page) is None, "the page failed to start"
    cold = page.evaluate(LOAD_FIGURES)
    warm = []
    for _ in range(warm_reloads):
        page.reload()
        assert wait_ready(page) is None
        warm.append(page.evaluate(LOAD_FIGURES))
    context.close()
    return cold, warm


def frame_cost(page, seconds, counter="aeView.frames()"):
    """Main-thread milliseconds per animation frame over `seconds` (Chrome's TaskDuration)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def sample():
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        frames = page.evaluate(counter)
        return metrics["TaskDuration"], frames

    busy0, frames0 = sample()
    page.wait_for_timeout(seconds * 1000)
    busy1, frames1 = sample()
    drawn = frames1 - frames0
    ms_per_wall_frame = (busy1 - busy0) * 1000 / (seconds * 60)
    return {"frames_drawn": drawn, "fps": drawn / seconds,
            "main_thread_ms_per_frame": (busy1 - busy0) * 1000 / drawn if drawn else None,
            "main_thread_ms_per_60hz_frame": ms_per_wall_frame}


def big_scenario_fragment(n=32, heads=8, d_model=64, seed=0):
    """A 32-token, 8-head scenario with random weights: the heaviest case SPEC budgets for."""
    import base64

    import numpy as np

    rng = np.random.default_rng(seed)
    scenario = {
        "version": 1, "tokens": [f"t{i}" for i in range(n)], "heads": heads,
        "embeddings": rng.normal(size=(n, d_model)).round(3).tolist(),
        "w_q": (rng.normal(size=(d_model, d_model)) / 4).round(3).tolist(),
        "w_k": (rng.normal(size=(d_model, d_model)) / 4).round(3).tolist(),
        "w_v": (rng.normal(size=(d_model, d_model)) / 4).round(3).tolist(),
        "query": 5, "step": 0,
    }
    return "#scenario=" + base64.urlsafe_b64encode(json.dumps(scenario).encode()).decode().rstrip("=")


def big_url(server):
    """32 tokens x 8 heads, every allowed pair's beam; with every head shown: 8 x 32 x 32 = 8,192 curves."""
    return server.url + "?beams=all" + big_scenario_fragment()


STEP_THROUGH = """(ms) => {  // one transition after another: next, next... then back, for as long as asked
    let direction = 1;
    const step = () => {
        const at = Number(document.querySelector('[data-testid=step-slider]').value);
        if (at + direction < 0 || at + direction > 4) direction = -direction;
        document.querySelector(direction > 0 ? '[data-testid=next-step]' : '[data-testid=prev-step]').click();
    };
    step();  // the first transition now, not after the first interval
    const timer = setInterval(step, 720);
    setTimeout(() => clearInterval(timer), ms);
}"""


CAPTURE = """() => {  // keep a copy of every display list replayed from now on
    window.captured = [];
    const surface = aeCanvas.surface, draw = surface.draw;
    surface.draw = (ops, size, strings, dpr) => {
        captured.push([ops.slice(0, size), size, strings, dpr]);
        draw.call(surface, ops, size, strings, dpr);
    };
    surface.original = draw;
}"""

REPLAY_ONLY = """() => {  // the captured frames, over and over, by JavaScript alone: no Python
    const surface = aeCanvas.surface;
    surface.draw = surface.original;
    window.replayed = 0;
    const frame = () => {
        const [ops, size, strings, dpr] = captured[replayed++ % captured.length];
        surface.draw(ops, size, strings, dpr);
        requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
}"""


def animate_and_measure(browser, url, seconds, pictures=True, every_head=False):
    """Main-thread time per frame while the stages animate one after another, then while idle.

    Each 700 ms transition starts as soon as the last one ends, so every frame measured moves
    (Play would also count the frames it holds a stage still, which repaint nothing). Then the
    main thread's share without Python: the same display lists handed to the canvas by JavaScript alone.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    page = context.new_page()
    page.goto(url)
    assert wait_ready(page) is None
    if not pictures:
        page.evaluate("aeCanvas.surface.pictures(false)")
    if every_head:
        page.check('[data-testid="overlay-toggle"]')  # every head's beams, not only the selected head's
    page.locator('[data-testid="step-slider"]').fill("0")
    page.wait_for_timeout(1000)
    page.evaluate(STEP_THROUGH, seconds * 1000)
    animating = frame_cost(page, seconds)
    page.wait_for_timeout(1500)
    idle = frame_cost(page, 2)
    page.evaluate(CAPTURE)
    page.evaluate(STEP_THROUGH, 3000)
    page.wait_for_timeout(3000)
    page.evaluate(REPLAY_ONLY)
    replay_only = frame_cost(page, seconds, counter="replayed")
    context.close()
    animating["replay_only_ms_per_frame"] = replay_only["main_thread_ms_per_frame"]
    return animating, idle


SENTENCE_EDIT = """(k) => {  // 32 words, a different sentence each time (k < 12), typed into the sentence box
    const vocabulary = ['cat', 'dog', 'hot', 'was', 'the', 'ran', 'sat', 'mat', 'big', 'red', 'ate', 'fish'];
    const input = document.querySelector('[data-testid=sentence-input]');
    const words = Array.from({length: 32}, (_, i) => vocabulary[(i * 7 + k * 5) % 12]);
    input.value = words.join(' ');
    input.dispatchEvent(new Event('input', {bubbles: true}));
}"""

TEMPERATURE_CHANGE = """(k) => {  // the temperature slider moved: every head's weights recomputed
    const input = document.querySelector('[data-testid=temperature]');
    input.value = (0.05 * k - 0.31).toFixed(2);  // a new temperature each time (k < 26), never the first one: nothing cached
    input.dispatchEvent(new Event('input', {bubbles: true}));
}"""

TIMED_CHANGE = """([change, k]) => new Promise((resolve) => {
    if (!aeCanvas.timed) {  // note when each frame's display list has been handed to the canvas
        const surface = aeCanvas.surface, draw = surface.draw;
        surface.draw = (...args) => {
            draw.apply(surface, args);
            Object.assign(aeCanvas, {lastReplay: performance.now(), replayTick: window.ticks});
        };
        aeCanvas.timed = true;
    }
    // A callback asked for before the change runs first in each frame, so it marks when the frame's
    // callbacks start. (requestAnimationFrame's timestamp is no use here: Chromium stamps a frame asked for
    // mid-interval with the interval's start, up to 16.7 ms before any callback runs.)
    window.ticks = 0;
    let done = false, frameStart = null;
    const tick = () => {
        window.ticks++;
        if (window.ticks === 1) frameStart = performance.now();
        if (!done) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const before = aeView.frames();
    const start = performance.now();
    eval(change)(k);  // the change's own event handlers run here, synchronously
    const handled = performance.now();
    const check = () => {
        if (aeView.frames() === before) return setTimeout(check, 1);
        done = true;
        resolve({tick: aeCanvas.replayTick, handler: handled - start, frame: aeCanvas.lastReplay - frameStart,
                 total: aeCanvas.lastReplay - start});
    };
    setTimeout(check, 1);
})"""


def change_latency(browser, url, change, runs=11, setup=None):
    """A change (SENTENCE_EDIT, TEMPERATURE_CHANGE) until the frame that shows it, `runs` times.

    -> {shown: runs shown by the very next frame, handler/frame/work: median ms of main-thread work in
    the change's event handlers, in that frame's callbacks, and both together; total: median ms from
    the change to the end of that frame's work, which includes waiting for the display's next frame}
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    page = context.new_page()
    page.goto(url)
    assert wait_ready(page) is None
    if setup:
        setup(page)
        page.wait_for_timeout(1000)
    results = []
    for k in range(runs):
        page.wait_for_timeout(250)  # as between keystrokes: what a change leaves for later (the tables) is done
        results.append(page.evaluate(TIMED_CHANGE, [change, k]))
    context.close()
    return {"shown": sum(1 for r in results if r["tick"] == 1), "runs": runs,
            **{key: median(r[key] for r in results) for key in ("handler", "frame", "total")},
            "work": median(r["handler"] + r["frame"] for r in results)}


def edit_figures(browser, server, runs=11):
    """The two recompute-and-redraw cases: a 32-token sentence typed (the toy model's 4 heads: typing
    always returns to it), and the temperature moved at 32 tokens x 8 heads with every head's beams."""
    def every_head_at_softmax(page):
        page.check('[data-testid="overlay-toggle"]')
        page.locator('[data-testid="step-slider"]').fill("3")
    return (change_latency(browser, server.url, SENTENCE_EDIT, runs),
            change_latency(browser, big_url(server), TEMPERATURE_CHANGE, runs, setup=every_head_at_softmax))


REAL_SENTENCES = [  # 29 words, about 32 pieces with [CLS] and [SEP]; reshuffled for each edit, so no new rows
    "the old man saw a small dog run across the green field while his young daughter laughed and the sun went "
    "down over the quiet town near the river",
]
LONG_TASKS = """() => { window.aeLongTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) aeLongTasks.push(e.duration); })
        .observe({ type: 'longtask', buffered: false }); }"""


MODEL_VIEW_SWEEP = """() => new Promise((resolve) => {  // the pointer over a new head in every display frame
    const heads = [...document.querySelectorAll('[data-testid="model-view-head"]')];
    const gaps = [];
    let k = 0, last = null;
    const tick = (now) => {
        if (last !== null) gaps.push(now - last);
        last = now;
        if (k === heads.length) return resolve(gaps);
        heads[k++].dispatchEvent(new PointerEvent('pointerover', { bubbles: true }));
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""


MODEL_VIEW_REST = """([layer, head]) => new Promise((resolve) => {  // the pointer comes to rest on a head
    const canvas = document.querySelector('[data-testid="attention-canvas"]');
    const start = performance.now(), frames = aeView.frames();
    document.querySelector(`[data-testid="model-view-head"][data-layer="${layer}"][data-head="${head}"]`)
        .dispatchEvent(new PointerEvent('pointerover', { bubbles: true }));
    const check = () => canvas.dataset.preview === `${layer},${head}` && aeView.frames() > frames
        ? resolve(performance.now() - start) : requestAnimationFrame(check);
    requestAnimationFrame(check);
})"""


def model_view_sweep(page, steps=(1, 3)):
    """The 72-head model view open at each stage in `steps`, the pointer crossing a new head in every frame, then
    resting on one: -> {step: (median ms between frames while it crosses, the longest, main-thread ms per frame
    from Chrome's TaskDuration, ms from resting on a head to the frame that previews it, median of 5)}.
    60 fps is 16.7 ms between frames."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    busy = lambda: next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]  # noqa: E731
                        if m["name"] == "TaskDuration")
    page.click('[data-testid="model-view-toggle"]')
    out = {}
    for step in steps:
        page.locator('[data-testid="step-slider"]').fill(str(step))
        settled(page)
        page.wait_for_timeout(800)  # the stage's transition is over
        page.evaluate(MODEL_VIEW_SWEEP)  # once to warm up: every head's layout is then in the caches it has
        before = busy()
        gaps = page.evaluate(MODEL_VIEW_SWEEP)
        work = (busy() - before) * 1000 / len(gaps)
        rests = []
        for k in range(5):
            page.wait_for_timeout(300)
            rests.append(page.evaluate(MODEL_VIEW_REST, [k + 1, 2 * k + 1]))
        out[step] = (median(gaps), max(gaps), work, median(rests))
    page.click('[data-testid="model-view-toggle"]')
    return out


def real_model_figures(browser, server, runs=5):
    """The real model: bytes its first use downloads, the time until its first frame, and then sentence edits at
    32 pieces (the same words reordered, so only the computation is timed): edit -> DOM caught up, and the
    longest main-thread task meanwhile."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes, urls = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(server.url + "?dev=1")  # timeRealModel is a development hook
    assert wait_ready(page) is None
    page.evaluate(LONG_TASKS)
    start = page.evaluate("performance.now()")
    page.select_option('[data-testid="model-select"]', "minilm")
    page.wait_for_function("() => document.getElementById('token-count').textContent.includes('pieces')",
                           timeout=180_000)
    first_frame_ms = page.evaluate("performance.now()") - start
    model_bytes = sum(size for rid, size in sizes.items() if "/model/" in urls.get(rid, ""))
    words = REAL_SENTENCES[0].split()
    edits = []
    for k in range(runs):
        text = " ".join(words[k:] + words[:k])  # a new sentence of the same pieces
        page.evaluate("aeLongTasks.length = 0")
        t0 = page.evaluate("performance.now()")
        page.fill('[data-testid="sentence-input"]', text)
        page.wait_for_function("(t) => document.getElementById('sentence').value === t && aeView.settled() && "
                               "document.querySelector('[data-testid=weights-table] tbody th').textContent === '[CLS]'",
                               arg=text)
        settled(page)
        edits.append({"total": page.evaluate("performance.now()") - t0,
                      "longest_task": max(page.evaluate("aeLongTasks") or [0.0])})
        page.wait_for_timeout(300)
    pieces = page.inner_text('[data-testid="token-count"]').split(" / ")[0]
    sweep = model_view_sweep(page)
    timed = {n: page.evaluate(f"aeView.timeRealModel({n}, 3)") for n in (8, 32, 64)}
    context.close()
    return {"pieces": int(pieces), "model_bytes_first_use": model_bytes, "first_real_frame_ms": first_frame_ms,
            "edit_32_pieces_ms": median(e["total"] for e in edits),
            "edit_32_pieces_longest_task_ms": median(e["longest_task"] for e in edits),
            "edit_32_pieces_longest_task_max_ms": max(e["longest_task"] for e in edits),
            "forward_ms": {n: t["forward"] for n, t in timed.items()},
            "model_view_sweep": sweep, "products_32_ms": timed[32]["products"], "products_einsum_32_ms": timed[32]["products_einsum"]}


def describe_change(name, r):
    return (f"{name}: shown by the next frame {r['shown']}/{r['runs']}, main-thread work {r['work']:.1f} ms "
            f"(event {r['handler']:.1f} + frame {r['frame']:.1f}), change -> frame's end {r['total']:.1f} ms")


def engine_in_pyodide(browser, url):
    """attention_trace timed inside the page's Pyodide: {tokens: ms} at 8 heads, d_model 64."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(url + "?dev=1")  # timeEngine is a development hook
    assert wait_ready(page) is None
    figures = {n: page.evaluate(f"aeView.timeEngine({n}, 8, {200 if n < 128 else 20})") for n in (4, 32, 128)}
    context.close()
    return figures


class WorkerHeap:
    """The canvas worker's JS heap after a garbage collection. Playwright opens no CDP session on a worker,
    so this goes through the browser's: attach to the worker's target, then send it messages."""

    def __init__(self, browser, page):
        self.page, self.cdp, self.replies, self.asked = page, browser.new_browser_cdp_session(), {}, 0
        targets = self.cdp.send("Target.getTargets")["targetInfos"]
        workers = [t for t in targets if t["type"] == "worker" and t["url"].endswith("canvas-worker.js")]
        self.session = None
        if len(workers) == 1:  # none where the canvas is replayed on the main thread
            self.session = self.cdp.send("Target.attachToTarget", {"targetId": workers[0]["targetId"],
                                                                   "flatten": False})["sessionId"]
            self.cdp.on("Target.receivedMessageFromTarget", self._received)

    def _received(self, event):
        reply = json.loads(event["message"])
        if "id" in reply:
            self.replies[reply["id"]] = reply

    def _ask(self, method):
        self.asked += 1
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": self.session,
                                                     "message": json.dumps({"id": self.asked, "method": method})})
        for _ in range(250):
            if self.asked in self.replies:
                return self.replies.pop(self.asked).get("result", {})
            self.page.wait_for_timeout(20)
        raise TimeoutError(f"the canvas worker did not answer {method}")

    def used_bytes(self):  # -> int, or None without a worker
        if self.session is None:
            return None
        self._ask("HeapProfiler.collectGarbage")
        return self._ask("Runtime.getHeapUsage")["usedSize"]


def soak(browser, url, seconds):
    """Play the walk-through over and over for `seconds`; memory (the page's and the canvas worker's) before
    and after, and frames painted."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    page = context.new_page()
    page.goto(url + "?dev=1")  # wasmBytes is a development hook
    assert wait_ready(page) is None
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    worker = WorkerHeap(browser, page)

    def memory():
        cdp.send("HeapProfiler.collectGarbage")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return (metrics["JSHeapUsedSize"], page.evaluate("aeView.wasmBytes()"), page.evaluate("aeView.frames()"),
                worker.used_bytes())

    page.click('[data-testid="play"]')  # the first press starts from stage 1
    page.wait_for_timeout(2000)
    heap0, wasm0, frames0, worker0 = memory()
    end = time.time() + seconds
    while time.time() < end:
        if page.inner_text('[data-testid="play"]').startswith("▶"):
            page.click('[data-testid="play"]')  # finished: play again
        page.wait_for_timeout(500)
    heap1, wasm1, frames1, worker1 = memory()
    context.close()
    return {"seconds": seconds, "frames": frames1 - frames0, "js_heap_before_mb": heap0 / 1e6,
            "js_heap_after_mb": heap1 / 1e6, "wasm_before_mb": wasm0 / 1e6, "wasm_after_mb": wasm1 / 1e6,
            "worker_heap_before_mb": worker0 / 1e6 if worker0 is not None else None,
            "worker_heap_after_mb": worker1 / 1e6 if worker1 is not None else None}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--animate-seconds", type=float, default=4.0)
    parser.add_argument("--soak-seconds", type=float, default=30.0, help="endurance run (600 for the full soak)")
    parser.add_argument("--no-gzip", action="store_true", help="serve without the precompressed .gz copies")
    parser.add_argument("--load-only", action="store_true", help="only the load figures (quick A/B of a lever)")
    parser.add_argument("--frames-only", action="store_true", help="only the animation figures (quick A/B of a lever)")
    parser.add_argument("--edit-only", action="store_true", help="only the recompute-and-redraw figures (sentence edit, temperature at 32 x 8)")
    parser.add_argument("--real-only", action="store_true", help="only the real model's figures (bytes, first frame, edits)")
    parser.add_argument("--no-worker", action="store_true",
                        help="replay on the main thread, as browsers without OffscreenCanvas do (the lever's A/B)")
    parser.add_argument("--no-pictures", action="store_true",
                        help="paint still layers shape by shape, never as bitmaps (the lever's A/B)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(build.DIST, site)
        if args.no_gzip:
            for packed in site.rglob("*.gz"):
                packed.unlink()
        (site / "bare.html").write_text(BARE_PAGE)
        (site / "bare-snapshot.html").write_text(BARE_SNAPSHOT_PAGE)
        server = Server(site)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path('run this through `python3 build.py bench`'), args=CHROMIUM_FLAGS, headless=True)
            pictures = not args.no_pictures
            if args.no_worker:
                _without_worker(browser)
            if args.real_only:
                for run in range(args.runs):
                    r = real_model_figures(browser, server)
                    floor, forward = r["products_32_ms"], r["forward_ms"]
                    print(f"run {run + 1}: real model first use {r['model_bytes_first_use'] / 1e6:.1f} MB over the "
                          f"network, first frame after {r['first_real_frame_ms']:.0f} ms; a {r['pieces']}-piece sentence edit "
                          f"{r['edit_32_pieces_ms']:.0f} ms to the DOM caught up ({r['edit_32_pieces_ms'] / floor:.2f} x the "
                          f"floor), longest main-thread task {r['edit_32_pieces_longest_task_ms']:.0f} ms (median of the "
                          f"edits; {r['edit_32_pieces_longest_task_max_ms']:.0f} at most)\n"
                          f"       in Pyodide: forward pass at 8 / 32 / 64 pieces {forward[8]:.0f} / {forward[32]:.0f} / "
                          f"{forward[64]:.0f} ms; its matrix products alone at 32 pieces: by `@` (SPEC's floor) "
                          f"{floor:.0f} ms, by einsum as the pass computes them {r['products_einsum_32_ms']:.0f} ms "
                          f"(the edit is {r['edit_32_pieces_ms'] / r['products_einsum_32_ms']:.2f} x that)\n"
                          f"       the model view, the pointer crossing a new head every frame: " + "; ".join(
                              f"step {step}: {gap:.1f} ms between frames (median; {longest:.0f} at most), "
                              f"{work:.1f} ms of main-thread work a frame, a head previewed {rest:.0f} ms after the "
                              f"pointer rests on it" for step, (gap, longest, work, rest)
                              in r["model_view_sweep"].items()))
                browser.close()
                server.close()
                return 0
            if args.edit_only:
                for run in range(args.runs):
                    sentence, temperature = edit_figures(browser, server)
                    print(f"run {run + 1}: " + describe_change("sentence, 32 tokens", sentence))
                    print("       " + describe_change("temperature, 32 x 8, every beam", temperature))
                browser.close()
                server.close()
                return 0
            if args.frames_only:
                for run in range(args.runs):
                    small, _ = animate_and_measure(browser, server.url, args.animate_seconds, pictures)
                    big, _ = animate_and_measure(browser, big_url(server), args.animate_seconds, pictures,
                                                 every_head=True)
                    print(f"run {run + 1}: 4 tokens {small['main_thread_ms_per_frame']:.2f} ms/frame "
                          f"({small['fps']:.0f} fps; replayed by JS alone {small['replay_only_ms_per_frame']:.2f}), "
                          f"32 x 8 all beams {big['main_thread_ms_per_frame']:.2f} ms/frame ({big['fps']:.0f} fps; "
                          f"JS alone {big['replay_only_ms_per_frame']:.2f})")
                browser.close()
                server.close()
                return 0
            figures = load_figures(pw, browser, server, args.runs)
            if args.load_only:
                browser.close()
                server.close()
                report_load(figures, args.runs)
                if args.json:
                    Path(args.json).write_text(json.dumps(figures, indent=2))
                return 0
            small_anim, small_idle = animate_and_measure(browser, server.url, args.animate_seconds, pictures)
            big_anim, big_idle = animate_and_measure(browser, big_url(server), args.animate_seconds, pictures,
                                                     every_head=True)
            sentence, temperature = edit_figures(browser, server)
            engine = engine_in_pyodide(browser, server.url)
            endurance = soak(browser, server.url, args.soak_seconds) if args.soak_seconds > 0 else None
            browser.close()
        server.close()

    figures.update({
        "frame_ms_4_tokens": small_anim["main_thread_ms_per_frame"], "fps_4_tokens": small_anim["fps"],
        "frame_ms_32x8_all_beams": big_anim["main_thread_ms_per_frame"], "fps_32x8": big_anim["fps"],
        "replay_only_ms_4_tokens": small_anim["replay_only_ms_per_frame"],
        "replay_only_ms_32x8": big_anim["replay_only_ms_per_frame"],
        "idle_ms_per_60hz_frame": max(small_idle["main_thread_ms_per_60hz_frame"],
                                      big_idle["main_thread_ms_per_60hz_frame"]),
        "idle_frames_drawn": small_idle["frames_drawn"] + big_idle["frames_drawn"],
        **{f"sentence_edit_{k}": v for k, v in sentence.items()},
        **{f"temperature_32x8_{k}": v for k, v in temperature.items()},
        **{f"engine_ms_{n}_tokens_8_heads_pyodide": ms for n, ms in engine.items()},
    })
    if endurance:
        figures.update({f"soak_{k}": v for k, v in endurance.items()})
    report(figures, args.runs)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


def report_load(f, runs):
    def row(label, ours, bare, note=""):
        print(f"  {label:<58} {ours:>9}  {bare:>9}   {note}")

    print(f"\nload (medians of {runs} runs, headless Chromium, localhost; throttled visits once each)")
    row("", "ours", "bare page", "(bare: Pyodide + NumPy only, same run)")
    row("first paint of the shell", f"{f['first_paint_ms']:.0f} ms", f"{f['bare_first_paint_ms']:.0f} ms",
        "budget <= 300 ms")
    row("ready, cold (fresh context)", f"{f['ready_cold_ms']:.0f} ms", f"{f['bare_pyodide_numpy_ms']:.0f} ms",
        f"ratio {f['ready_ratio']:.2f}, budget <= 1.10")
    row("ready, repeat visit in a persistent profile", f"{f['ready_profile_ms']:.0f} ms",
        f"{f['bare_profile_ms']:.0f} ms",
        f"budget <= 1500 ms; memory snapshot: {', '.join(map(str, f['snapshot_on_repeat']))}")
    row("  the floor: the bare page restored from a snapshot, then NumPy", "", f"{f['bare_snapshot_profile_ms']:.0f} ms",
        f"its snapshot: {', '.join(map(str, f['bare_snapshot_on_repeat']))}")
    row("ready, repeat visit in a fresh context (reload, half cold)", f"{f['ready_warm_ms']:.0f} ms",
        f"{f['bare_warm_ms']:.0f} ms")
    row("bytes transferred, cold", f"{f['transfer_bytes'] / 1e6:.2f} MB", f"{f['bare_transfer_bytes'] / 1e6:.2f} MB",
        f"content {f['body_bytes'] / 1e6:.2f} MB in {f['requests']:.0f} requests")
    for label, pair in f["throttled"].items():
        ours, bare = pair["ours"], pair["bare"]
        row(f"ready, first visit at {label}", f"{ours['ready_ms'] / 1000:.1f} s", f"{bare['ready_ms'] / 1000:.1f} s",
            f"ratio {ours['ready_ms'] / bare['ready_ms']:.2f}; {ours['transfer_bytes'] / 1e6:.2f} vs "
            f"{bare['transfer_bytes'] / 1e6:.2f} MB; unused-preload warnings {ours['preload_warnings']}")


def report(f, runs):
    def row(label, value, budget=""):
        print(f"  {label:<44} {value:>14}   {budget}")

    report_load(f, runs)
    print(f"\nAttention Explorer benchmark (medians of {runs} runs, headless Chromium, localhost)")
    row("animating, 4 tokens: main thread per frame", f"{f['frame_ms_4_tokens']:.2f} ms", "budget <= 3 ms")
    row("  frames per second", f"{f['fps_4_tokens']:.0f}", "budget 60")
    row("  the same frames without Python", f"{f['replay_only_ms_4_tokens']:.2f} ms", "the rest is Python's")
    row("animating, 32 tok x 8 heads, all beams", f"{f['frame_ms_32x8_all_beams']:.2f} ms", "budget <= 8 ms")
    row("  frames per second", f"{f['fps_32x8']:.0f}", "budget 60")
    row("  the same frames without Python", f"{f['replay_only_ms_32x8']:.2f} ms", "the rest is Python's")
    row("idle: main thread per 60 Hz frame", f"{f['idle_ms_per_60hz_frame']:.3f} ms", "budget ~0")
    row("idle: frames drawn in 4 s", f"{f['idle_frames_drawn']:.0f}", "budget 0")
    for n in (4, 32, 128):
        row(f"attention_trace in Pyodide, {n} tokens x 8 heads", f"{f[f'engine_ms_{n}_tokens_8_heads_pyodide']:.2f} ms",
            "32 tokens: well within 16 ms" if n == 32 else "")
    if "soak_seconds" in f:
        row(f"soak {f['soak_seconds']:.0f} s of Play: frames painted", f"{f['soak_frames']:.0f}")
        row("  JS heap before -> after (MB)", f"{f['soak_js_heap_before_mb']:.1f} -> {f['soak_js_heap_after_mb']:.1f}",
            "no growth")
        row("  wasm memory before -> after (MB)", f"{f['soak_wasm_before_mb']:.1f} -> {f['soak_wasm_after_mb']:.1f}",
            "no growth")
        if f["soak_worker_heap_before_mb"] is not None:
            row("  canvas worker's JS heap before -> after (MB)",
                f"{f['soak_worker_heap_before_mb']:.2f} -> {f['soak_worker_heap_after_mb']:.2f}", "no growth")
    for label, key in (("edit sentence, 32 tokens (4 heads)", "sentence_edit"),
                       ("temperature, 32 tok x 8 heads, all beams", "temperature_32x8")):
        row(f"{label}: shown by", f"{f[key + '_shown']}/{f[key + '_runs']} next frames", "budget: the next frame")
        row("  main-thread work: event + that frame", f"{f[key + '_work']:.1f} ms", "budget < 16.7 ms (one frame)")
        row("    in the event handlers / in the frame", f"{f[key + '_handler']:.1f} / {f[key + '_frame']:.1f} ms")
        row("  change -> that frame's end (incl. vsync wait)", f"{f[key + '_total']:.1f} ms")


def _without_worker(browser):
    """Every page of `browser` from now on lacks transferControlToOffscreen, so it replays on the main thread."""
    new_context = browser.new_context

    def without(**options):
        context = new_context(**options)
        context.add_init_script("delete HTMLCanvasElement.prototype.transferControlToOffscreen")
        return context
    browser.new_context = without




if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Start-up: Python + NumPy really run in the page, and broken deployments say so."""

import shutil
import socket
import subprocess
import sys
import time

import pytest

from harness import Server, build, wait_ready


def test_numpy_ran_in_the_page(app):
    """Numbers only NumPy-in-Pyodide could have produced reach the DOM."""
    percents = [float(cell.rstrip("%")) for cell in
                app.locator('[data-testid="weights-table"] td:nth-child(2)').all_inner_texts()]
    assert len(percents) >= 2
    assert sum(percents) == pytest.approx(100, abs=0.2)
    vector = app.inner_text('[data-testid="output-vector"]')
    assert vector.startswith("[") and vector.endswith("]")
    assert app.evaluate("document.documentElement.dataset.error") is None
    assert app.locator('[data-testid="error"]').is_hidden()


INKED = """async () => {  // how many different colours a sample of the canvas's pixels shows
    const data = (await aeCanvas.surface.pixels()).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 97) seen.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2]);
    return seen.size;
}"""


def test_first_frame_drew_on_the_canvas(app):
    """The canvas has real pixels (not blank) once data-ready is set."""
    assert app.evaluate(INKED) > 5


def test_frames_are_replayed_in_a_worker_where_the_browser_allows(app):
    assert app.evaluate("aeCanvas.surface.mode") == "worker"


def test_without_offscreen_canvas_it_draws_on_the_main_thread(browser, server):
    """A browser that cannot hand its canvas to a worker gets the same page, drawn on the main thread."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    ctx.add_init_script("delete HTMLCanvasElement.prototype.transferControlToOffscreen")
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    assert wait_ready(page) is None
    assert page.evaluate("aeCanvas.surface.mode") == "main"
    assert page.evaluate(INKED) > 5
    page.locator('[data-testid="step-slider"]').fill("1")
    page.wait_for_function("() => document.querySelector('[data-testid=stage-title]').textContent.startsWith('2.')")
    assert not errors
    ctx.close()


def test_canvas_backing_store_follows_device_pixel_ratio(browser, server):
    ctx = browser.new_context(viewport={"width": 800, "height": 700}, device_scale_factor=2)
    page = ctx.new_page()
    page.goto(server.url)
    assert wait_ready(page) is None
    css_width, pixel_width = page.evaluate("""() => {
        const c = document.querySelector('[data-testid="attention-canvas"]');
        return [c.getBoundingClientRect().width, aeCanvas.surface.width];
    }""")
    ctx.close()
    assert pixel_width == pytest.approx(2 * css_width, abs=1)


@pytest.fixture
def broken_copy(dist, tmp_path):
    """A private copy of dist/ that a test may damage."""
    target = tmp_path / "dist"
    shutil.copytree(dist, target)
    return target


def start_and_expect_error(page, directory, handler=None):
    """Serve `directory`, open it, and return the start-up failure it reports: (reason, message)."""
    server = Server(directory, handler=handler)
    try:
        page.goto(server.url)
        reason = wait_ready(page, timeout=60_000)
        assert reason, "the page did not report the failure"
        box = page.locator('[data-testid="error"]')
        assert box.is_visible()
        return reason, box.inner_text()
    finally:
        server.close()


def test_corrupted_numpy_wheel_is_reported(page, broken_copy, expect_errors):
    wheel = next((broken_copy / "pyodide").glob("numpy-*.whl"))
    data = bytearray(wheel.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wheel.write_bytes(bytes(data))
    reason, text = start_and_expect_error(page, broken_copy)
    assert reason == "hash-mismatch"
    assert "checksum" in text


def test_missing_runtime_file_is_reported(page, broken_copy, expect_errors):
    (broken_copy / "pyodide" / "python_stdlib.zip").unlink()
    reason, text = start_and_expect_error(page, broken_copy)
    assert reason == "missing-file"
    assert "python_stdlib.zip" in text and "404" in text


def test_a_broken_download_says_so_and_reload_recovers(page, server, expect_errors):
    """The NumPy wheel's download fails (connection lost): a message and a Reload button that works."""
    page.context.route("**/numpy-*.whl", lambda route: route.abort("connectionreset"))
    page.goto(server.url)
    assert wait_ready(page, timeout=60_000) == "network"
    box = page.locator('[data-testid="error"]')
    assert "numpy-" in box.inner_text() and "connection" in box.inner_text()
    page.context.unroute("**/numpy-*.whl")
    box.get_by_role("button", name="Reload").click()
    assert wait_ready(page) is None
    assert page.evaluate("document.documentElement.dataset.error") is None


class WrongWasmType(build.Handler):
    extensions_map = {**build.Handler.extensions_map, ".wasm": "application/octet-stream"}


def test_wrong_wasm_mime_type_is_reported(page, dist, expect_errors):
    reason, text = start_and_expect_error(page, dist, handler=WrongWasmType)
    assert reason == "mime-type"
    assert "application/wasm" in text


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dist_copy_served_by_plain_http_server(page, broken_copy):
    """dist/ is self-contained: any static server works, here Python's own."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                            cwd=broken_copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        page.goto(f"http://127.0.0.1:{port}/")
        assert wait_ready(page) is None
    finally:
        proc.terminate()
        proc.wait()


def test_the_runtime_arrives_precompressed_when_the_browser_accepts_gzip(app):
    """build.py writes .gz copies and serve sends them; the page starts the same and moves far fewer bytes."""
    wasm = app.evaluate("""() => {
        const entry = performance.getEntriesByType('resource').find(e => e.name.endsWith('pyodide.asm.wasm'));
        return [entry.transferSize, entry.decodedBodySize];
    }""")
    assert 0 < wasm[0] < wasm[1] / 2, f"transferred {wasm[0]} of {wasm[1]} bytes"

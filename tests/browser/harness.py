"""Helpers shared by the browser tests and the benchmark: serving dist/, Chromium flags, readiness."""

import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

# Keep Chromium quiet on a closed network (see SPEC, "Runtime facts").
CHROMIUM_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--no-sandbox",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm; use /tmp for shared memory
]
# A function, not an expression: Playwright polls expressions with eval(), which the page's CSP forbids.
READY = "() => document.documentElement.dataset.ready === 'true' || !!document.documentElement.dataset.error"
START_TIMEOUT_MS = 90_000


class Server:
    """A static server for a folder on a free loopback port, in a thread."""

    def __init__(self, directory, handler=None):
        self.httpd = build.make_server(directory, 0, handler=handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def settled(page):
    """Wait until the DOM has caught up with the last change: it follows the canvas's next frame (main/'s
    dispatch). -> page, so that `settled(app).inner_text(...)` reads what the change made."""
    page.wait_for_function("aeView.settled()")
    return page


def wait_ready(page, timeout=START_TIMEOUT_MS):
    """Wait until the app drew its first real frame; return the start-up error, if any."""
    page.wait_for_function(READY, timeout=timeout)
    return page.evaluate("document.documentElement.dataset.error || null")


def open_cell(page, i, j):
    """Click cell (i, j) of the canvas's heatmap; -> the arithmetic panel's locator, once it is visible."""
    x, y = page.evaluate(f"aeView.cellCenter({int(i)}, {int(j)})")
    box = page.locator('[data-testid="attention-canvas"]').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    panel = page.locator('[data-testid="arithmetic"]')
    panel.wait_for(state="visible")
    return panel


def listening_host(page, tmp_path, app_src, width=800, height=560):
    """A course page on another origin with the explorer in an iframe (#app, at `app_src`), whose messages it
    collects in `window.heard`; -> its Server (close it), once the explorer said it is ready."""
    (tmp_path / "host.html").write_text(
        '<!doctype html><title>course</title><link rel="icon" href="data:,">'
        f'<iframe id="app" src="{app_src}" width="{width}" height="{height}"></iframe>')
    host = Server(tmp_path)
    page.add_init_script("window.heard = []; addEventListener('message', e => heard.push(e.data));")
    page.goto(host.url + "host.html")
    page.wait_for_function("() => heard.some(m => m.type === 'attention-explorer:ready')", timeout=90_000)
    return host


def chromium_path(hint="set AE_CHROMIUM"):  # -> the Chromium to drive: $AE_CHROMIUM or `chromium` on the PATH
    import os
    import shutil

    path = os.environ.get("AE_CHROMIUM") or shutil.which("chromium")
    if not path:
        sys.exit(f"no Chromium: {hint}")
    return path

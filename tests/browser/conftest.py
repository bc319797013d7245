"""Playwright harness: build dist/ once, serve it on loopback, drive Debian's Chromium.

Every test page fails its test on a console error, an uncaught page error, or a
request that leaves the loopback address (the page must be self-contained).
Tests that provoke errors on purpose take the `expect_errors` fixture.
"""

import os
import shutil

import pytest

from harness import CHROMIUM_FLAGS, Server, build, wait_ready

playwright_api = pytest.importorskip("playwright.sync_api")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def dist():
    """The built dist/ (build.py test builds first and sets AE_BUILT=1)."""
    if os.environ.get("AE_BUILT") != "1" or not (build.DIST / "index.html").exists():
        build.build()
    return build.DIST


@pytest.fixture(scope="session")
def server(dist):
    s = Server(dist)
    yield s
    s.close()


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("AE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("no Chromium: run the suite with `python3 build.py test`, which finds or installs one")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    with playwright_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


class PageProblems:
    """Console errors, page errors and off-loopback requests seen by one page."""

    def __init__(self):
        self.errors = []
        self.external = []
        self.expected = False

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}\n{e.stack}"))

    def block_external(self, context):
        def route(route):
            url = route.request.url
            if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
                route.continue_()
            else:
                self.external.append(url)
                route.abort()
        context.route("**/*", route)


@pytest.fixture
def problems():
    return PageProblems()


@pytest.fixture
def expect_errors(problems):
    """Use in tests that provoke errors on purpose: console errors are then allowed."""
    problems.expected = True
    return problems


@pytest.fixture
def context(browser, problems, request):
    options = getattr(request, "param", None) or {}
    # Service workers only where a test asks for them: their background caching would slow every test.
    options = {"viewport": {"width": 1200, "height": 900}, "service_workers": "block", **options}
    ctx = browser.new_context(**options)
    problems.block_external(ctx)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, problems):
    p = context.new_page()
    problems.watch(p)
    yield p
    assert not problems.external, f"requests left loopback: {problems.external}"
    if not problems.expected:
        assert not problems.errors, "\n".join(problems.errors)


@pytest.fixture
def app(page, server):
    """The explorer, loaded and ready."""
    page.goto(server.url)
    error = wait_ready(page)
    assert error is None, f"start-up failed: {error}: {page.inner_text('[data-testid=error]')}"
    return page

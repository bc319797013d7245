"""Where a start goes: the stage marks of a repeat visit in a persistent profile, and Python's imports.

    python3 build.py                                   # dist/ first
    AE_CHROMIUM=$(which chromium) .venv/bin/python tests/bench/startup.py --runs 3

For each run: a first visit in a new persistent profile (idle until the page kept its memory snapshot), the
browser closed and opened again on the same profile, and the second visit's timeline printed: every
`performance.mark('ae-…')` the loader and main.py write, and when the files the start needs arrived.
Then, once, `import` of each of our modules timed under Pyodide (PYTHONPROFILEIMPORTTIME: self and cumulative
microseconds, the ones over 5 ms), in a page that starts Pyodide + NumPy and unpacks the app archive.
Nothing here asserts: it measures and prints.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from harness import CHROMIUM_FLAGS, Server, build, chromium_path, wait_ready  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

TIMELINE = """() => {
    const seen = new Set(); // the first of each name (some are written at every frame)
    const marks = performance.getEntriesByType('mark')
        .filter((m) => m.name.startsWith('ae-') && !seen.has(m.name) && seen.add(m.name))
        .map((m) => [m.name, m.startTime]);
    const files = performance.getEntriesByType('resource')
        .filter((e) => /\\.(wasm|zip|whl|mjs|js)$/.test(e.name) && e.duration > 20)
        .map((e) => [e.name.split('/').pop(), e.startTime, e.responseEnd, e.transferSize]);
    const root = document.documentElement;
    return { marks, files, snapshot: root.dataset.snapshot, bytecode: root.dataset.bytecode || 'not used' };
}"""

IMPORTS_PAGE = """<!doctype html><meta charset="utf-8"><title>imports</title>
<script type="module">
import { loadPyodide } from "./pyodide/pyodide.mjs";
const lines = [];
const py = await loadPyodide({ indexURL: "./pyodide/", packages: ["numpy"], env: { PYTHONPROFILEIMPORTTIME: "1" },
  stderr: (line) => lines.push(line) });
const given = new URLSearchParams(location.search);
const unpack = async (name, extractDir) => py.unpackArchive(await (await fetch(name)).arrayBuffer(), "zip", { extractDir });
await unpack(given.get("archive"), "/home/pyodide");
if (given.get("bytecode")) {
  await unpack(given.get("numpy"), py.runPython("import site; site.getsitepackages()[0]"));
  await unpack(given.get("bytecode"), "/home/pyodide");
}
lines.length = 0;
let t0 = performance.now();
py.runPython("import numpy");
window.numpyMs = performance.now() - t0;
lines.length = 0;
t0 = performance.now();
py.runPython("import main");
window.importMs = performance.now() - t0;
window.importLines = lines;
document.documentElement.dataset.ready = "true";
</script>"""


# The A/B of the build's bytecode: the second visit's page does not see that the service worker controls it,
# so web/interpreter.mjs does not unpack the bytecode (the worker still serves every file from its cache).
WITHOUT_BYTECODE = "Object.defineProperty(ServiceWorkerContainer.prototype, 'controller', { get: () => null })"


def repeat_visit(pw, url, chromium, bytecode=True):
    with tempfile.TemporaryDirectory() as profile:
        for visit in range(2):
            context = pw.chromium.launch_persistent_context(profile, executable_path=chromium, args=CHROMIUM_FLAGS,
                                                            headless=True, viewport={"width": 1200, "height": 900})
            if visit == 1 and not bytecode:
                context.add_init_script(WITHOUT_BYTECODE)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(url)
            assert wait_ready(page) is None, "the page failed to start"
            if visit == 0:
                page.wait_for_timeout(6000)
                page.wait_for_function("() => document.documentElement.dataset.snapshot === 'made'", timeout=60_000)
            else:
                page.wait_for_timeout(300)  # marks written right after ready
                timeline = page.evaluate(TIMELINE)
            context.close()
    return timeline


def imports(browser, url, site, bytecode):
    """`import numpy`, then `import main` (ms), and the modules' import times, with or without the bytecode."""
    archives = {"archive": next(site.glob("app-[0-9a-f]*.zip")).name}
    if bytecode:
        archives.update(numpy=next(site.glob("bytecode-numpy-*.zip")).name,
                        bytecode=next(site.glob("bytecode-app-*.zip")).name)
    page = browser.new_page()
    page.goto(url + "imports.html?" + "&".join(f"{k}={v}" for k, v in archives.items()))
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=120_000)
    numpy_ms, total, lines = page.evaluate("[window.numpyMs, window.importMs, window.importLines]")
    page.close()
    rows = []
    for line in lines:
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        if self_us.strip().isdigit():
            rows.append((int(self_us), int(cumulative_us), name.rstrip()))
    return numpy_ms, total, rows


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-imports", action="store_true", help="only the repeat visits")
    parser.add_argument("--ab", action="store_true",
                        help="each run: a repeat visit with the build's bytecode and one without (alternating order)")
    args = parser.parse_args(argv)
    chromium = chromium_path('set AE_CHROMIUM')
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(build.DIST, site)
        (site / "imports.html").write_text(IMPORTS_PAGE)
        server = Server(site)
        with sync_playwright() as pw:
            marks = {}
            for run, bytecode in ((run, bytecode) for run in range(args.runs) for bytecode in (
                    [bool(run % 2), not run % 2] if args.ab else [True])):
                timeline = repeat_visit(pw, server.url, chromium, bytecode)
                print(f"\nrun {run + 1}: repeat visit, persistent profile, snapshot {timeline['snapshot']}, "
                      f"bytecode {timeline['bytecode']}")
                events = [(t, name, "") for name, t in timeline["marks"]]
                events += [(start, f"  fetch {name}", f"-> {end:.0f} ms, {size / 1e3:.0f} kB over the network")
                           for name, start, end, size in timeline["files"]]
                for t, name, note in sorted(events):
                    print(f"  {t:7.0f} ms  {name} {note}")
                at = dict(timeline["marks"])
                for (name, t), (_, before) in zip(timeline["marks"][1:], timeline["marks"]):
                    marks.setdefault((timeline["bytecode"], name), []).append(t - before)
                marks.setdefault((timeline["bytecode"], "ae-ready (from the navigation)"), []).append(at["ae-ready"])
            print("\nmedians: the time from the stage before to each mark, ms")
            for kept in sorted({kept for kept, _ in marks}):
                print(f"  bytecode {kept}:")
                for (_, name), times in ((key, times) for key, times in marks.items() if key[0] == kept):
                    print(f"  {statistics.median(times):7.0f}  {name}  ({', '.join(f'{t:.0f}' for t in times)})")
            if not args.no_imports:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
                for run in range(args.runs):
                    for bytecode in (False, True):
                        numpy_ms, total, rows = imports(browser, server.url, site, bytecode)
                        print(f"\nrun {run + 1}, {'with' if bytecode else 'without'} the build's bytecode: "
                              f"`import numpy` {numpy_ms:.0f} ms, then `import main` {total:.0f} ms")
                        if run == 0:
                            print("  modules over 5 ms (self / cumulative, ms):")
                            for self_us, cumulative_us, name in rows:
                                if cumulative_us > 5000:
                                    print(f"  {self_us / 1e3:6.1f} {cumulative_us / 1e3:7.1f}  {name}")
                browser.close()
        server.close()
    return 0




if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

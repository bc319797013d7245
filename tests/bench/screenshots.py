"""Screenshots for the README and for review: the explorer at 400, 800 and 1400 px in light and dark,
a few stages, the real model, the embed demo at 400 and 1200 px, and predict mode (a question, a reveal, the
compact embed).

    python3 build.py screenshots                  # writes web/screenshots/*.png (not copied into dist/)
    python3 build.py screenshots --review DIR     # every page size a course uses, light and dark, both
                                                  # models, into DIR (to look at, not for the README)
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from harness import CHROMIUM_FLAGS, ROOT, Server, build, wait_ready  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

OUT = ROOT / "web" / "screenshots"
SHOTS = [  # (file name, address, width, height, colour scheme)
    ("explorer-1400-light", "", 1400, 900, "light"),
    ("explorer-1400-dark", "", 1400, 900, "dark"),
    ("explorer-800-light", "", 800, 1100, "light"),
    ("explorer-800-dark", "", 800, 1100, "dark"),
    ("explorer-400-light", "", 400, 1000, "light"),
    ("explorer-400-dark", "", 400, 1000, "dark"),
    ("softmax-pronoun-1400", "?preset=pronoun&step=3", 1400, 900, "light"),
    ("scores-causal-1400", "?preset=causal&step=2", 1400, 900, "light"),
    ("input-1400", "?preset=lions&step=0", 1400, 900, "light"),
    ("project-800", "?preset=cat&step=1", 800, 1100, "light"),
    ("all-beams-32-tokens-1400",
     "?beams=all&step=4#", 1400, 900, "light"),
    ("embed-demo-1200", "embed-demo.html", 1200, 1400, "light"),
    ("embed-demo-400", "embed-demo.html", 400, 1400, "light"),
    ("predict-question-1400", "?preset=pronoun&step=3&mode=predict", 1400, 1100, "light"),
    ("predict-reveal-1400", "?preset=pronoun&step=3&mode=predict", 1400, 1100, "light"),
    ("predict-embed-400", "?embed=1&preset=pronoun&step=3&mode=predict", 400, 560, "light"),
]
PRONOUN = "The%20animal%20didn't%20cross%20the%20street%20because%20it%20was%20too%20tired"
REAL = f"?model=minilm&text={PRONOUN}&layer=5&head=11&query=10"
SHOTS += [
    ("real-softmax-1400", REAL + "&step=3", 1400, 900, "light"),
    ("real-input-1400", REAL + "&step=0", 1400, 900, "light"),
    ("real-embed-400-dark", REAL + "&step=3&embed=1", 400, 560, "dark"),
]
SIZES = [("360", 360, 640, ""), ("embed-400x560", 400, 560, "&embed=1"), ("768", 768, 900, ""),
         ("1024", 1024, 900, ""), ("1440", 1440, 900, "")]
REVIEW = [(f"{kind}-{size}-{scheme}", f"?step={step}{extra}" + (REAL.replace("?", "&") if kind.startswith("real") else ""),
           width, height, scheme)
          for kind, step in (("designed", 3), ("real", 3), ("designed-project", 1), ("real-input", 0))
          for size, width, height, extra in SIZES for scheme in ("light", "dark")]
REVEALED = ("predict-reveal-1400",)  # shots taken after answering the question (with 'street': a wrong guess)
LONG = "The quick brown fox jumps over the lazy dog while the old cat sleeps by the warm fire and a small bird sings"


def main():
    import os
    review = "--review" in sys.argv
    out = Path(sys.argv[sys.argv.index("--review") + 1]) if review else OUT
    out.mkdir(parents=True, exist_ok=True)
    server = Server(build.DIST)
    chromium = os.environ.get("AE_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for name, address, width, height, scheme in (REVIEW if review else SHOTS):
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme,
                                    service_workers="block")
            page.goto(server.url + address.rstrip("#"))
            if address.startswith("embed-demo"):
                page.wait_for_timeout(500)
                for frame in page.frames[1:]:
                    frame.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=90_000)
            else:
                assert wait_ready(page) is None, f"{name}: the page failed to start"
            if name.startswith("all-beams"):
                page.fill('[data-testid="sentence-input"]', LONG)
            if "model=minilm" in address:  # the real model's files, then its first frame
                page.wait_for_function("() => document.getElementById('token-count').textContent.includes('pieces')",
                                       timeout=120_000)
            if name in REVEALED:
                page.select_option('[data-testid="predict-choice"]', "5")
                page.click('[data-testid="predict-reveal"]')
            page.wait_for_timeout(1200)  # let the step transition finish
            page.screenshot(path=str(out / f"{name}.png"))
            print(f"wrote {out / name}.png")
            page.close()
        browser.close()
    server.close()


if __name__ == "__main__":
    main()

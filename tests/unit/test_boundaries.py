"""The layout's one rule that the code could quietly break: only the browser glue touches the browser.

`js`, `pyodide` and `pyscript` are imported in the main package (the wiring and its chores) and in
canvas/browser.py; everything else runs, and is tested, under plain CPython.
"""
import ast
from pathlib import Path

PY = Path(__file__).resolve().parents[2] / "py"
BROWSER_MODULES = ("js", "pyodide", "pyscript")
ALLOWED = {"main/__init__.py", "main/chores.py", "canvas/browser.py"}


def browser_imports(path):  # -> the browser modules `path` imports, anywhere in it
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                 [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found |= {n.split(".")[0] for n in names if n.split(".")[0] in BROWSER_MODULES}
    return found


def test_only_the_browser_glue_imports_the_browser():
    importing = {str(p.relative_to(PY)) for p in PY.rglob("*.py") if browser_imports(p)}
    assert importing == ALLOWED


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from pyodide.ffi import to_js\n    import json\n")
    assert browser_imports(module) == {"pyodide"}


def test_the_wiring_stays_wiring():
    """main/__init__.py looks up elements, binds events and writes the view; anything longer than a screenful
    or two of that is a decision or a chore that belongs in ui/ or main/chores.py (issue 11: <= 300 lines)."""
    lines = (PY / "main" / "__init__.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300

"""web/canvas.js takes its opcodes from the one table in py/canvas/display_list.py, through the build."""

import re
import sys
from pathlib import Path

from canvas.display_list import BEZIER_FIELDS, OPS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402


def test_the_generated_module_holds_every_opcode_of_the_table():
    module = build.display_ops_module()
    written = dict(re.findall(r"(\w+): (\d+)", module.split("Object.freeze(")[1]))
    assert written == {name.upper(): str(code) for code, (name, _) in OPS.items()}
    assert f"BEZIER_FIELDS = {len(BEZIER_FIELDS)};" in module


def test_the_replayer_handles_every_opcode_by_name_and_no_number():
    replayer = (ROOT / "web" / "canvas.js").read_text()
    handled = re.findall(r"case OP\.(\w+):", replayer)
    assert sorted(handled) == sorted(name.upper() for name, _ in OPS.values())
    assert not re.search(r"case \d+:", replayer), "an opcode kept by hand"

"""Where the tests find the real model's files (all-MiniLM-L6-v2: model.safetensors, vocab.txt).

The first folder that holds both: $AE_MODEL_DIR, the build's cache (.cache/model/), or the
verified copy in ../shared/models/ beside the repository. None: the tests that need them skip.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_FILES = ("model.safetensors", "vocab.txt")


def model_dir():  # -> Path | None
    candidates = [os.environ.get("AE_MODEL_DIR"), ROOT / ".cache" / "model",
                  ROOT.parent / "shared" / "models" / "all-MiniLM-L6-v2"]
    for folder in candidates:
        if folder and all((Path(folder) / name).is_file() for name in MODEL_FILES):
            return Path(folder)
    return None

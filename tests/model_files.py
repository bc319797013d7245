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


def load_model(folder):  # Path -> (attention.minilm.Weights in float32, WordPiece vocabulary)
    """The real model's weights and vocabulary, read from its original files."""
    from attention import minilm, wordpiece
    from attention.safetensors import read_safetensors

    weights = minilm.weights_from_safetensors(read_safetensors(Path(folder) / "model.safetensors"))
    return weights, wordpiece.load_vocab((Path(folder) / "vocab.txt").read_text(encoding="utf-8"))


SENTENCE = "The animal didn't cross the street because it was too tired"  # the tests' sentence for the real model


def loaded_or_skip():  # -> ui.real.Loaded, or the calling test is skipped
    """The real model as the page holds it, from its original files; pytest skips when they are absent."""
    import pytest

    from ui import real

    folder = model_dir()
    if folder is None:
        pytest.skip("the real model's files are not on this machine")
    return real.Loaded(*load_model(folder))


def reference_attention(sentence=SENTENCE):  # -> (pieces, [layers, heads, n, n] float32 attention)
    """The real model's attention on `sentence`, computed under CPython from the original weights."""
    import numpy as np

    from attention import minilm, wordpiece

    weights, vocab = load_model(model_dir())
    encoding = wordpiece.encode(sentence, vocab)
    run = minilm.forward(np.array(encoding.ids), weights)
    return encoding.pieces, np.stack([t.weights for t in run.traces])


def random_weights(seed, scale):  # -> attention.minilm.Weights of the model's shapes, random, float32
    """Enough for shapes, properties and the pack's round trip, without the model files."""
    import numpy as np

    from attention import minilm

    rng = np.random.default_rng(seed)
    arrays = {name: (rng.standard_normal(minilm.EXPECTED_SHAPES[name.rsplit(".", 1)[-1]]) * scale).astype(np.float32)
              for name in minilm.ARRAY_NAMES}
    return minilm.weights_from_named(arrays)

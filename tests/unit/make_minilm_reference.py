"""Write tests/unit/data/minilm_reference.npz: all-MiniLM-L6-v2's attention on a few sentences, from transformers.

    .venv/bin/python tests/unit/make_minilm_reference.py [MODEL_DIR]

The reference is float32 transformers.BertModel with eager attention (SPEC's fidelity bar is measured
against it), and its own BertTokenizer for the ids. Kept small: float16, and for long sentences only
a few query rows. test_minilm.py compares the NumPy forward pass with it when transformers is absent.
"""
from pathlib import Path
import sys

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from model_files import model_dir  # noqa: E402  (needs tests/ on the path first)

OUT = Path(__file__).resolve().parent / "data" / "minilm_reference.npz"
SENTENCES = [
    "the hot dog was",
    "The animal didn't cross the street because it was too tired.",
    "Ünïcödé àccents, 3.14159 and 2024 -- punctuation!?",
    "In 1905, Albert Einstein published four groundbreaking papers that changed physics: on the photoelectric "
    "effect, Brownian motion, special relativity, and mass-energy equivalence; each overturned assumptions "
    "that physicists had held for centuries, and together they laid the foundations on which quantum theory "
    "and modern cosmology were later built.",
]
ALL_ROWS_UP_TO = 20  # longer sentences keep only the rows of ROWS_OF_LONG queries
ROWS_OF_LONG = 4


def reference_model(folder):  # -> (BertTokenizer, BertModel) from model.safetensors and vocab.txt alone
    """The reference tokenizer and float32 model with eager attention; the config is all-MiniLM-L6-v2's own."""
    from transformers import BertConfig, BertModel, BertTokenizer

    config = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                        intermediate_size=1536, hidden_act="gelu", layer_norm_eps=1e-12,
                        max_position_embeddings=512, type_vocab_size=2, pad_token_id=0)
    tokenizer = BertTokenizer.from_pretrained(folder)  # from vocab.txt; its defaults are the uncased reference
    model = BertModel.from_pretrained(folder, config=config, attn_implementation="eager").eval()
    return tokenizer, model


def main(folder):
    import torch

    tokenizer, model = reference_model(folder)
    arrays = {}
    for i, text in enumerate(SENTENCES):
        ids = tokenizer(text)["input_ids"]
        with torch.no_grad():
            out = model(torch.tensor([ids]), output_attentions=True)
        attention = np.stack([a[0].numpy() for a in out.attentions])   # [layers, heads, n, n]
        n = len(ids)
        rows = np.arange(n) if n <= ALL_ROWS_UP_TO else np.linspace(0, n - 1, ROWS_OF_LONG).round().astype(int)
        arrays[f"ids_{i}"] = np.array(ids, dtype=np.int32)
        arrays[f"rows_{i}"] = rows.astype(np.int32)
        arrays[f"attention_{i}"] = attention[:, :, rows].astype(np.float16)   # [layers, heads, rows, n]
        arrays[f"cls_{i}"] = out.last_hidden_state[0, 0].numpy().astype(np.float16)  # [d_model]
        print(f"{n:4d} pieces: {text[:60]}")
    OUT.parent.mkdir(exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else model_dir()
    if folder is None:
        sys.exit("no model files: pass MODEL_DIR or set AE_MODEL_DIR")
    main(folder)

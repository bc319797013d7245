"""The real model's weights as a browser pack: a small JSON manifest, one binary file, and the word
embeddings in shards the page fetches only as a sentence needs them. No pickles.

Every array of minilm.Weights is stored under its flat name (minilm.ARRAY_NAMES) in one encoding:
    "f32"  raw float32
    "f16"  raw float16
    "q8"   int8 values v, and one float16 scale s per group of `group` consecutive values (C order):
           x ≈ v s, with s = max |x| / 127 over the group (rounded up to float16)
All little-endian; every part starts at a multiple of 16 bytes. The manifest lists, per tensor: name,
shape, encoding, offset and length (and for q8: group, scales_offset, scales_length), plus the data's
size and sha256.

The word embeddings (30,522 x 384, half the model) are not in the data: the manifest's "word" entry has
"shards": {"rows", "count", "sha256"}, and shard s is the file shard_path(s) = "embeddings/NNN.bin" (NNN =
s, three digits) holding rows s*rows .. s*rows + rows - 1 as raw float16. The page calls:
    weights = read_pack(manifest_json, data)      every row of weights.word missing
    for s in shards_for(ids, weights):            the shards this sentence needs that are not there yet
        add_shard(weights, s, <bytes of shard_path(s)>)
    minilm.forward(ids, weights)
"""
import hashlib
import json
import numbers

import numpy as np

from attention import minilm

FORMAT = "attention-explorer-model-pack"
VERSION = 2  # 2: the word embeddings in shards
ALIGN = 16
ENCODINGS = ("f32", "f16", "q8")
# Rows per word-embedding shard (49 KB of float16). Measured on all-MiniLM-L6-v2: a 10-30 piece sentence
# needs 3-20 shards (0.1-0.9 MB), and 64 pieces in 64 different shards add 3 MB to the 19.2 MB main pack,
# inside SPEC's 24 MB; 256 rows would make that 12.5 MB (over), 32 rows twice as many requests.
SHARD_ROWS = 64


def plan_for(name):  # flat array name -> (encoding, group or None)
    """How the default pack stores each array: the smallest plan measured to keep SPEC's fidelity bar.

    int8 anywhere that reaches an attention weight moved some weights by 0.03-0.07 on repetitive or
    long sentences (float16: 0.0012), so every matrix is float16, except the last layer's feed-forward:
    it only makes the final hidden state, which no attention weight depends on.
    """
    kind = name.rsplit(".", 1)[-1]
    if name in (f"layers.{minilm.LAYERS - 1}.w_1", f"layers.{minilm.LAYERS - 1}.w_2"):
        return "q8", 32
    if kind in ("word", "position", "w_q", "w_k", "w_v", "w_o", "w_1", "w_2"):
        return "f16", None
    return "f32", None  # biases, LayerNorm: 0.1 % of the bytes


def write_pack(weights, plan=plan_for, about=None, shard_rows=SHARD_ROWS):  # -> (manifest, data, shards)
    """Encode every array as `plan(name)` says, the word embeddings as float16 shards of `shard_rows` rows
    (None: in the data, as `plan` says); `about` (a dict) is copied into the manifest as is.

    Returns the manifest's JSON text, the data's bytes, and a tuple of each shard's bytes (empty if None).
    """
    parts, entries, offset, shards = [], [], 0, ()
    for name, array in minilm.named_arrays(weights).items():
        encoding, group = plan(name)
        entry = {"name": name, "shape": list(array.shape), "encoding": encoding}
        if name == "word" and shard_rows is not None:
            shards = tuple(_raw(name, array[start:start + shard_rows], "f16")
                           for start in range(0, len(array), shard_rows))
            entry["encoding"] = "f16"
            entry["shards"] = {"rows": shard_rows, "count": len(shards),
                               "sha256": [hashlib.sha256(shard).hexdigest() for shard in shards]}
        elif encoding == "q8":
            values, scales = quantize_q8(array, group)
            entry["group"] = group
            offset = _append(parts, entry, "offset", "length", values.tobytes(), offset)
            offset = _append(parts, entry, "scales_offset", "scales_length", scales.astype("<f2").tobytes(), offset)
        else:
            offset = _append(parts, entry, "offset", "length", _raw(name, array, encoding), offset)
        entries.append(entry)
    data = b"".join(parts)
    manifest = {"format": FORMAT, "version": VERSION, **(about or {}), "data_bytes": len(data),
                "data_sha256": hashlib.sha256(data).hexdigest(), "tensors": entries}
    return json.dumps(manifest, indent=1), data, shards


def read_pack(manifest_json, data):  # str | bytes, bytes-like -> Weights (float32)
    """The weights from a pack's manifest and data, checked against each other; ValueError names what is wrong.

    With sharded word embeddings, weights.word is all zeros and weights.word_shards says no shard is there.
    """
    manifest = _checked_manifest(manifest_json, data)
    view = memoryview(data)
    arrays = {entry["name"]: _decoded(entry, view) for entry in manifest["tensors"] if "shards" not in entry}
    shards = next((entry["shards"] for entry in manifest["tensors"] if "shards" in entry), None)
    if shards is None:
        return minilm.weights_from_named(arrays)
    arrays["word"] = np.zeros((minilm.VOCAB, minilm.D_MODEL), dtype=np.float32)
    word_shards = minilm.WordShards(shards["rows"], tuple(shards["sha256"]), np.zeros(shards["count"], dtype=bool))
    return minilm.weights_from_named(arrays, word_shards)


def shard_path(index):  # int -> "embeddings/NNN.bin", relative to the manifest
    """Where shard `index` of the word embeddings is, beside the manifest."""
    return f"embeddings/{index:03d}.bin"


def shards_for(ids, weights):  # [n] int, Weights -> sorted shard indices
    """The word-embedding shards these ids need that are not in `weights` yet (none for full weights)."""
    return [] if weights.word_shards is None else weights.word_shards.missing(ids)


def add_shard(weights, index, data):  # Weights, int, bytes-like -> None (fills rows of weights.word)
    """Put shard `index`'s rows into weights.word, once its size and sha256 match the manifest's; else ValueError."""
    shards = weights.word_shards
    if shards is None:
        raise ValueError("these weights hold every word embedding already: they have no shards to add")
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < len(shards.present):
        raise ValueError(f"shard index must be an integer in 0..{len(shards.present) - 1}, got {index!r}")
    start = index * shards.rows
    stop = min(start + shards.rows, minilm.VOCAB)
    expected = (stop - start) * minilm.D_MODEL * 2
    if len(data) != expected:
        raise ValueError(f"word-embedding shard {index} ({shard_path(index)}) has {len(data)} bytes, it needs "
                         f"{expected}: the download is truncated or from another build")
    if hashlib.sha256(data).hexdigest() != shards.sha256[index]:
        raise ValueError(f"word-embedding shard {index} ({shard_path(index)}) does not match its manifest's "
                         "sha256: the download is corrupt or from another build")
    rows = np.frombuffer(data, dtype="<f2").reshape(stop - start, minilm.D_MODEL)
    weights.word[start:stop] = rows
    shards.present[index] = True


def quantize_q8(x, group):  # [...] float -> int8 [size // group, group], float16 [size // group]
    """Symmetric int8 per group of `group` consecutive values: v = round(x / s), s = max |x| / 127.

    s is rounded up to float16, so no value is clipped and every error is at most s / 2.
    """
    flat = np.asarray(x, dtype=np.float32).reshape(-1, group)
    exact = np.abs(flat).max(axis=1) / np.float32(127)
    scales = exact.astype(np.float16)
    scales = np.where(scales < exact, np.nextafter(scales, np.float16(np.inf)), scales)
    divisor = np.where(scales == 0, np.float32(1), scales.astype(np.float32))
    values = np.clip(np.rint(flat / divisor[:, None]), -127, 127).astype(np.int8)
    return values, scales


def dequantize_q8(values, scales, shape):  # int8 [g, group], float16 [g] -> float32 shape
    """x ≈ v s, one scale per group, all groups at once."""
    return (values * scales.astype(np.float32)[:, None]).reshape(shape)


def _raw(name, array, encoding):  # array -> little-endian bytes
    """The array as raw float32 or float16 bytes (float16 only if every value fits)."""
    raw = np.asarray(array).astype("<f4" if encoding == "f32" else "<f2")
    if not np.isfinite(raw).all():
        raise ValueError(f"{name} does not fit {encoding} (it has values beyond its range, or NaN)")
    return raw.tobytes()


def _append(parts, entry, offset_key, length_key, blob, offset):  # -> the next aligned offset
    """Add one blob (padded to ALIGN bytes) and record where it is."""
    entry[offset_key], entry[length_key] = offset, len(blob)
    padding = -len(blob) % ALIGN
    parts.append(blob + bytes(padding))
    return offset + len(blob) + padding


def _decoded(entry, view):  # manifest entry, memoryview -> float32 array
    """One tensor, decoded with a few whole-array NumPy operations."""
    shape, start = tuple(entry["shape"]), entry["offset"]
    if entry["encoding"] == "q8":
        values = np.frombuffer(view, dtype=np.int8, count=entry["length"], offset=start)
        scales = np.frombuffer(view, dtype="<f2", count=entry["scales_length"] // 2, offset=entry["scales_offset"])
        return dequantize_q8(values.reshape(-1, entry["group"]), scales, shape)
    dtype = "<f4" if entry["encoding"] == "f32" else "<f2"
    count = entry["length"] // np.dtype(dtype).itemsize
    return np.frombuffer(view, dtype=dtype, count=count, offset=start).astype(np.float32).reshape(shape)


# Checking a manifest against its data, before anything is decoded.

def _checked_manifest(manifest_json, data):  # -> dict
    try:
        manifest = json.loads(manifest_json)
    except (TypeError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"the model pack's manifest is not JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"not a model pack manifest (its format is not {FORMAT!r})")
    if manifest.get("version") != VERSION:
        raise ValueError(f"model pack version {manifest.get('version')!r}, this page reads version {VERSION}")
    if manifest.get("data_bytes") != len(data):
        raise ValueError(f"the model pack's data has {len(data)} bytes, its manifest says "
                         f"{manifest.get('data_bytes')}: the download is truncated or from another build")
    if hashlib.sha256(data).hexdigest() != manifest.get("data_sha256"):
        raise ValueError("the model pack's data does not match its manifest's sha256: the download is corrupt")
    entries = manifest.get("tensors")
    names = [entry.get("name") for entry in entries] if isinstance(entries, list) and all(
        isinstance(entry, dict) for entry in entries) else None
    if names is None or sorted(names) != sorted(minilm.ARRAY_NAMES):
        raise ValueError("the model pack's manifest does not list exactly the model's tensors")
    for entry in entries:
        _check_entry(entry, len(data))
    return manifest


def _check_entry(entry, size):
    """A tensor entry must have a known encoding, and byte ranges inside the data that fit its shape."""
    name, shape, encoding = entry["name"], entry.get("shape"), entry.get("encoding")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n > 0 for n in shape):
        raise ValueError(f"{name}: shape {shape!r} is not a list of positive integers")
    if encoding not in ENCODINGS:
        raise ValueError(f"{name}: encoding {encoding!r} is not one of {', '.join(ENCODINGS)}")
    if "shards" in entry:
        _check_shards(name, shape, encoding, entry["shards"])
        return
    count = int(np.prod(shape))
    ranges = [("offset", "length", count * {"f32": 4, "f16": 2, "q8": 1}[encoding])]
    if encoding == "q8":
        group = entry.get("group")
        if not isinstance(group, int) or group < 1 or count % group:
            raise ValueError(f"{name}: group {group!r} does not divide its {count} values")
        ranges.append(("scales_offset", "scales_length", 2 * (count // group)))
    for offset_key, length_key, expected in ranges:
        offset, length = entry.get(offset_key), entry.get(length_key)
        if length != expected:
            raise ValueError(f"{name}: {length_key} is {length!r}, {encoding} {shape} needs {expected} bytes")
        if not isinstance(offset, int) or offset < 0 or offset % ALIGN or offset + length > size:
            raise ValueError(f"{name}: {offset_key} {offset!r} (+{length} bytes) is not a {ALIGN}-byte aligned "
                             f"range inside the {size} data bytes")


def _check_shards(name, shape, encoding, shards):
    """Only the word embeddings come in shards: float16, `count` shards of `rows` rows, one sha256 each."""
    if name != "word" or encoding != "f16" or shape != [minilm.VOCAB, minilm.D_MODEL]:
        raise ValueError(f"{name}: only the word embeddings, float16 {[minilm.VOCAB, minilm.D_MODEL]}, come in "
                         f"shards, not {encoding} {shape}")
    rows, count = (shards.get("rows"), shards.get("count")) if isinstance(shards, dict) else (None, None)
    if not isinstance(rows, int) or rows < 1 or not isinstance(count, int) or count != -(-minilm.VOCAB // rows):
        raise ValueError(f"{name}: shards of {rows!r} rows, {count!r} of them, do not hold its {minilm.VOCAB} rows")
    digests = shards.get("sha256")
    if not isinstance(digests, list) or len(digests) != count or not all(
            isinstance(d, str) and len(d) == 64 and set(d) <= set("0123456789abcdef") for d in digests):
        raise ValueError(f"{name}: its shards need {count} sha256 digests (64 hex digits each)")

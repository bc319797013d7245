"""Read a .safetensors file (how trained models ship their weights) into NumPy arrays, no pickles.

The format: an 8-byte little-endian header length N, then N bytes of JSON
    {"name": {"dtype": "F32", "shape": [384, 384], "data_offsets": [begin, end]}, ..., "__metadata__": {...}}
then the tensors' raw little-endian bytes, each at [begin, end) counted from the end of the header.
"""
import json
from pathlib import Path
import struct

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
          "U8": "u1", "BOOL": "?"}


def read_safetensors(source):  # bytes | bytearray | memoryview | str | Path -> {name: np.ndarray}
    """Every tensor of a safetensors file (its bytes, or a path to it), as arrays that view those bytes (no copy)."""
    data = memoryview(Path(source).read_bytes() if isinstance(source, (str, Path)) else source)
    header, start = _header(data)
    return {name: _tensor(name, entry, data, start) for name, entry in header.items() if name != "__metadata__"}


def _header(data):  # memoryview -> ({name: entry}, offset of the first tensor byte)
    """The JSON header and where the tensor bytes begin."""
    if len(data) < 8:
        raise ValueError(f"not a safetensors file: {len(data)} bytes, shorter than the 8-byte header length")
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise ValueError(f"not a safetensors file: its header claims {length} bytes, the file has {len(data) - 8}")
    try:
        header = json.loads(bytes(data[8:8 + length]))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a safetensors file: its header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise ValueError("not a safetensors file: its header is not a JSON object")
    return header, 8 + length


def _tensor(name, entry, data, start):  # header entry -> np.ndarray (a view of `data`)
    """One tensor, checked against its declared dtype, shape and byte range."""
    dtype = DTYPES.get(entry.get("dtype"))
    if dtype is None:
        raise ValueError(f"{name}: dtype {entry.get('dtype')!r} is not supported (only {', '.join(DTYPES)})")
    shape = tuple(entry["shape"])
    begin, end = entry["data_offsets"]
    expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    if end - begin != expected or begin < 0 or start + end > len(data):
        raise ValueError(f"{name}: bytes [{begin}, {end}) do not hold {entry['dtype']} {list(shape)} "
                         f"({expected} bytes) inside the {len(data) - start} data bytes")
    array = np.frombuffer(data, dtype=dtype, count=expected // np.dtype(dtype).itemsize, offset=start + begin)
    return array.reshape(shape)

"""The pure-Python safetensors reader: its own round trip, the safetensors package's files, and broken files."""
import json
import struct

import numpy as np
import pytest

from attention.safetensors import read_safetensors
from model_files import model_dir

ARRAYS = {
    "a.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    "b": np.array([1.5, -2.25], dtype=np.float16),
    "ids": np.arange(5, dtype=np.int64).reshape(1, 5),
    "scalar": np.array(3.0, dtype=np.float64),
    "flags": np.array([True, False, True]),
    "bytes": np.array([[-3, 4]], dtype=np.int8),
}
CODES = {"float32": "F32", "float16": "F16", "int64": "I64", "float64": "F64", "bool": "BOOL", "int8": "I8"}


def encode(arrays, metadata=None):  # {name: array} -> bytes, written here from the format's description
    header, blobs, offset = {}, [], 0
    for name, a in arrays.items():
        blob = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": CODES[a.dtype.name], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def test_every_array_comes_back_with_its_dtype_and_shape_from_bytes_and_from_a_path(tmp_path):
    data = encode(ARRAYS, metadata={"format": "pt"})
    (tmp_path / "m.safetensors").write_bytes(data)
    path = tmp_path / "m.safetensors"
    for source in (data, bytearray(data), memoryview(data), path, str(path)):
        got = read_safetensors(source)
        assert list(got) == list(ARRAYS)
        for name, a in ARRAYS.items():
            assert got[name].dtype == a.dtype and got[name].shape == a.shape, name
            np.testing.assert_array_equal(got[name], a, err_msg=name)


def test_files_written_by_the_safetensors_package_read_the_same(tmp_path):
    numpy_io = pytest.importorskip("safetensors.numpy")
    arrays = {name: a for name, a in ARRAYS.items() if a.ndim}
    numpy_io.save_file(arrays, tmp_path / "m.safetensors", metadata={"who": "test"})
    got = read_safetensors(tmp_path / "m.safetensors")
    assert got.keys() == arrays.keys()
    for name, a in arrays.items():
        np.testing.assert_array_equal(got[name], a, err_msg=name)


def with_header(header):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + bytes(24)


BROKEN = [
    (b"\x01\x02", r"shorter than the 8-byte header length"),
    (struct.pack("<Q", 10 ** 9) + b"{}", r"its header claims 1000000000 bytes"),
    (struct.pack("<Q", 3) + b"{x}", r"its header is not JSON"),
    (struct.pack("<Q", 2) + b"[]", r"its header is not a JSON object"),
    (with_header({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}), r"w: dtype 'BF16' is not supported"),
    (with_header({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}}), r"w: bytes \[0, 20\) do not hold"),
    (with_header({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [8, 32]}}), r"inside the 24 data bytes"),
]


@pytest.mark.parametrize("data, message", BROKEN)
def test_a_broken_file_raises_a_value_error_that_says_what_is_wrong(data, message):
    with pytest.raises(ValueError, match=message):
        read_safetensors(data)


def test_a_truncated_file_is_refused():
    data = encode({"w": np.ones((2, 3), dtype=np.float32)})
    assert read_safetensors(data)["w"].shape == (2, 3)
    with pytest.raises(ValueError, match=r"w: bytes \[0, 24\) do not hold F32 \[2, 3\] \(24 bytes\) inside the 20"):
        read_safetensors(data[:-4])


def test_the_real_model_file_has_the_expected_tensors():
    folder = model_dir()
    if folder is None:
        pytest.skip("the model files are not available (set AE_MODEL_DIR)")
    tensors = read_safetensors(folder / "model.safetensors")
    assert tensors["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert tensors["encoder.layer.5.intermediate.dense.weight"].shape == (1536, 384)
    assert len([name for name in tensors if name.startswith("encoder.layer.")]) == 6 * 16

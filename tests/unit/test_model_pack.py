"""The model pack: its encodings' error bounds, an exact round trip, and manifests that do not fit their data."""
import json

import numpy as np
import pytest

from attention import minilm
from attention.model_pack import ALIGN, dequantize_q8, plan_for, quantize_q8, read_pack, write_pack


@pytest.mark.parametrize("group", [1, 4, 32, 64])
@pytest.mark.parametrize("seed", range(3))
def test_q8_errors_stay_within_half_a_step_of_each_group(group, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((8, 64)) * rng.choice([1e-4, 0.05, 3.0], size=(8, 1))).astype(np.float32)
    x[0, :group] = 0.0  # a group of zeros
    values, scales = quantize_q8(x, group)
    assert values.dtype == np.int8 and scales.dtype == np.float16 and values.shape == (x.size // group, group)
    back = dequantize_q8(values, scales, x.shape)
    assert back.dtype == np.float32 and back.shape == x.shape
    step = scales.astype(np.float64)
    group_max = np.abs(x).reshape(-1, group).max(axis=1).astype(np.float64)
    # the scale is max / 127 rounded up to float16 (whose spacing is 2^-10 relative, 2^-24 below 2^-14)
    assert np.all(step >= group_max / 127) and np.all(step <= group_max / 127 * (1 + 2.0 ** -10) + 2.0 ** -24)
    error = np.abs(back.astype(np.float64) - x).reshape(-1, group)
    assert np.all(error <= 0.5 * step[:, None] + group_max[:, None] * 2.0 ** -23)  # + float32 rounding of v s
    np.testing.assert_array_equal(back[0, :group], 0.0)


def test_q8_groups_are_consecutive_values_in_c_order():
    x = np.concatenate([np.full(4, 1.0), np.full(4, 100.0)]).astype(np.float32).reshape(2, 4)
    values, scales = quantize_q8(x, 4)
    np.testing.assert_array_equal(values, 127)
    np.testing.assert_allclose(scales.astype(np.float64), [1 / 127, 100 / 127], rtol=1e-3)


@pytest.fixture(scope="module")
def weights():
    """Random weights of the model's shapes (the pack does not care whether they were trained)."""
    rng = np.random.default_rng(0)
    arrays = {name: (rng.standard_normal(minilm.EXPECTED_SHAPES[name.rsplit(".", 1)[-1]]) * 0.05).astype(np.float32)
              for name in minilm.ARRAY_NAMES}
    return minilm.weights_from_named(arrays)


@pytest.fixture(scope="module")
def pack(weights):
    return write_pack(weights, about={"model": "random"})


def test_f32_everywhere_is_an_exact_round_trip(weights):
    back = read_pack(*write_pack(weights, plan=lambda name: ("f32", None)))
    for name, a in minilm.named_arrays(weights).items():
        np.testing.assert_array_equal(minilm.named_arrays(back)[name], a, err_msg=name)


def test_the_default_plan_decodes_within_each_encodings_error(weights, pack):
    back = minilm.named_arrays(read_pack(*pack))
    for name, a in minilm.named_arrays(weights).items():
        encoding, group = plan_for(name)
        got = back[name]
        assert got.dtype == np.float32 and got.shape == a.shape, name
        if encoding == "f32":
            np.testing.assert_array_equal(got, a, err_msg=name)
        elif encoding == "f16":
            np.testing.assert_array_equal(got, a.astype(np.float16).astype(np.float32), err_msg=name)
        else:
            group_max = np.abs(a).reshape(-1, group).max(axis=1).repeat(group).reshape(a.shape)
            assert np.all(np.abs(got - a) <= group_max * (0.5 / 127 + 2.0 ** -10)), name


def test_the_manifest_lists_aligned_parts_in_order_and_what_it_was_given(pack):
    manifest_json, data = pack
    manifest = json.loads(manifest_json)
    assert manifest["model"] == "random" and manifest["data_bytes"] == len(data) and len(data) % ALIGN == 0
    assert [entry["name"] for entry in manifest["tensors"]] == list(minilm.ARRAY_NAMES)
    ends = 0
    for entry in manifest["tensors"]:
        for key in ("offset", "scales_offset"):
            if key in entry:
                assert entry[key] % ALIGN == 0 and entry[key] >= ends
                ends = entry[key] + entry[key.replace("offset", "length")]


def changed(pack, **changes):
    """The pack's manifest with top-level fields replaced, and its data."""
    manifest_json, data = pack
    return json.dumps({**json.loads(manifest_json), **changes}), data


def with_entry(pack, name, **changes):
    """The pack with one tensor's manifest entry changed."""
    manifest = json.loads(pack[0])
    manifest["tensors"] = [{**entry, **changes} if entry["name"] == name else entry for entry in manifest["tensors"]]
    return json.dumps(manifest), pack[1]


def without_entry(pack, name):
    manifest = json.loads(pack[0])
    manifest["tensors"] = [entry for entry in manifest["tensors"] if entry["name"] != name]
    return json.dumps(manifest), pack[1]


BAD_PACKS = [
    (lambda p: (p[0], p[1][:-100]), r"has \d+ bytes, its manifest says \d+: the download is truncated"),
    (lambda p: (p[0], p[1] + bytes(16)), r"the download is truncated or from another build"),
    (lambda p: (p[0], p[1][:-1] + b"\x01"), r"does not match its manifest's sha256: the download is corrupt"),
    (lambda p: ("{not json", p[1]), r"the model pack's manifest is not JSON"),
    (lambda p: changed(p, format="something else"), r"not a model pack manifest"),
    (lambda p: changed(p, version=99), r"model pack version 99, this page reads version 1"),
    (lambda p: without_entry(p, "layers.3.b_k"), r"does not list exactly the model's tensors"),
    (lambda p: changed(p, tensors="all of them"), r"does not list exactly the model's tensors"),
    (lambda p: with_entry(p, "word", shape=[30522, -384]), r"word: shape \[30522, -384\] is not a list of positive"),
    (lambda p: with_entry(p, "word", encoding="q4"), r"word: encoding 'q4' is not one of f32, f16, q8"),
    (lambda p: with_entry(p, "layers.5.w_1", group=100), r"layers.5.w_1: group 100 does not divide its 589824"),
    (lambda p: with_entry(p, "layers.5.w_1", scales_length=4), r"layers.5.w_1: scales_length is 4, q8 .* needs 36864"),
    (lambda p: with_entry(p, "word", length=12), r"word: length is 12, f16 \[30522, 384\] needs 23440896 bytes"),
    (lambda p: with_entry(p, "ln_beta", offset=8), r"ln_beta: offset 8 \(\+1536 bytes\) is not a 16-byte aligned"),
    (lambda p: with_entry(p, "ln_beta", offset=len(p[1])), r"ln_beta: offset \d+ .* inside the \d+ data bytes"),
    (lambda p: with_entry(p, "ln_beta", shape=[385]), r"ln_beta: length is 1536, f32 \[385\] needs 1540 bytes"),
]


@pytest.mark.parametrize("spoil, message", BAD_PACKS)
def test_a_pack_whose_manifest_does_not_fit_its_data_raises_a_clear_value_error(pack, spoil, message):
    with pytest.raises(ValueError, match=message):
        read_pack(*spoil(pack))


def test_the_unspoiled_pack_reads(pack):
    assert isinstance(read_pack(*pack), minilm.Weights)


def test_a_shape_the_model_does_not_have_is_refused_when_the_weights_are_made(weights):
    arrays = {name: np.zeros(np.shape(a)[::-1], np.float32) if name == "layers.2.w_1" else a
              for name, a in minilm.named_arrays(weights).items()}
    with pytest.raises(ValueError, match=r"layers.2.w_1 must be float32 \(384, 1536\), got float32 \(1536, 384\)"):
        minilm.weights_from_named(arrays)

"""The model pack: its encodings' error bounds, an exact round trip, manifests that do not fit their data,
the word-embedding shards (fetched as a sentence needs them, refused when damaged), and the download budget."""
import gzip
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from attention import minilm, wordpiece
from attention.model_pack import (ALIGN, SHARD_ROWS, add_shard, dequantize_q8, plan_for, quantize_q8, read_pack,
                                  shard_path, shards_for, write_pack)
import model_files
from model_files import model_dir

ROOT = Path(__file__).resolve().parents[2]


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
    return model_files.random_weights(seed=0, scale=0.05)


@pytest.fixture(scope="module")
def pack(weights):  # -> (manifest JSON, data, shards)
    return write_pack(weights, about={"model": "random"})


def with_every_shard(pack):  # (manifest, data, shards) -> Weights with all its word rows
    weights = read_pack(pack[0], pack[1])
    for index, shard in enumerate(pack[2]):
        add_shard(weights, index, shard)
    return weights


def test_f32_everywhere_without_shards_is_an_exact_round_trip(weights):
    manifest, data, shards = write_pack(weights, plan=lambda name: ("f32", None), shard_rows=None)
    back = read_pack(manifest, data)
    assert shards == () and back.word_shards is None
    for name, a in minilm.named_arrays(weights).items():
        np.testing.assert_array_equal(minilm.named_arrays(back)[name], a, err_msg=name)


def test_the_default_plan_decodes_within_each_encodings_error(weights, pack):
    back = minilm.named_arrays(with_every_shard(pack))
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
    manifest_json, data, _ = pack
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
    manifest_json, data, _ = pack
    return json.dumps({**json.loads(manifest_json), **changes}), data


def with_entry(pack, name, **changes):
    """The pack's manifest with one tensor's entry changed, and its data."""
    manifest = json.loads(pack[0])
    manifest["tensors"] = [{**entry, **changes} if entry["name"] == name else entry for entry in manifest["tensors"]]
    return json.dumps(manifest), pack[1]


def without_entry(pack, name):
    """The pack's manifest without one tensor's entry, and its data."""
    manifest = json.loads(pack[0])
    manifest["tensors"] = [entry for entry in manifest["tensors"] if entry["name"] != name]
    return json.dumps(manifest), pack[1]


BAD_PACKS = [
    (lambda p: (p[0], p[1][:-100]), r"has \d+ bytes, its manifest says \d+: the download is truncated"),
    (lambda p: (p[0], p[1] + bytes(16)), r"the download is truncated or from another build"),
    (lambda p: (p[0], p[1][:-1] + b"\x01"), r"does not match its manifest's sha256: the download is corrupt"),
    (lambda p: ("{not json", p[1]), r"the model pack's manifest is not JSON"),
    (lambda p: changed(p, format="something else"), r"not a model pack manifest"),
    (lambda p: changed(p, version=1), r"model pack version 1, this page reads version 2"),
    (lambda p: without_entry(p, "layers.3.b_k"), r"does not list exactly the model's tensors"),
    (lambda p: changed(p, tensors="all of them"), r"does not list exactly the model's tensors"),
    (lambda p: with_entry(p, "word", shape=[30522, -384]), r"word: shape \[30522, -384\] is not a list of positive"),
    (lambda p: with_entry(p, "word", encoding="q4"), r"word: encoding 'q4' is not one of f32, f16, q8"),
    (lambda p: with_entry(p, "layers.5.w_1", group=100), r"layers.5.w_1: group 100 does not divide its 589824"),
    (lambda p: with_entry(p, "layers.5.w_1", scales_length=4), r"layers.5.w_1: scales_length is 4, q8 .* needs 36864"),
    (lambda p: with_entry(p, "position", length=12), r"position: length is 12, f16 \[512, 384\] needs 393216 bytes"),
    (lambda p: with_entry(p, "word", shards={"rows": 0, "count": 477}), r"word: shards of 0 rows, 477 of them, do not"),
    (lambda p: with_entry(p, "word", shards={"rows": 64, "count": 478}), r"word: shards of 64 rows, 478 of them"),
    (lambda p: with_entry(p, "word", shards={**json.loads(p[0])["tensors"][0]["shards"], "sha256": ["ab"] * 477}),
     r"word: its shards need 477 sha256 digests \(64 hex digits each\)"),
    (lambda p: with_entry(p, "word", encoding="f32"), r"word: only the word embeddings, float16 \[30522, 384\], come"),
    (lambda p: with_entry(p, "position", shards={"rows": 64, "count": 8}), r"position: only the word embeddings"),
    (lambda p: with_entry(p, "ln_beta", offset=8), r"ln_beta: offset 8 \(\+1536 bytes\) is not a 16-byte aligned"),
    (lambda p: with_entry(p, "ln_beta", offset=len(p[1])), r"ln_beta: offset \d+ .* inside the \d+ data bytes"),
    (lambda p: with_entry(p, "ln_beta", shape=[385]), r"ln_beta: length is 1536, f32 \[385\] needs 1540 bytes"),
]


@pytest.mark.parametrize("spoil, message", BAD_PACKS)
def test_a_pack_whose_manifest_does_not_fit_its_data_raises_a_clear_value_error(pack, spoil, message):
    with pytest.raises(ValueError, match=message):
        read_pack(*spoil(pack))


def test_the_unspoiled_pack_reads(pack):
    assert isinstance(read_pack(pack[0], pack[1]), minilm.Weights)


def test_a_shape_the_model_does_not_have_is_refused_when_the_weights_are_made(weights):
    arrays = {name: np.zeros(np.shape(a)[::-1], np.float32) if name == "layers.2.w_1" else a
              for name, a in minilm.named_arrays(weights).items()}
    with pytest.raises(ValueError, match=r"layers.2.w_1 must be float32 \(384, 1536\), got float32 \(1536, 384\)"):
        minilm.weights_from_named(arrays)


# The word embeddings in shards.

def test_the_word_embeddings_are_float16_shards_of_consecutive_rows_each_with_its_sha256(weights, pack):
    word = json.loads(pack[0])["tensors"][0]
    shards = pack[2]
    assert word["name"] == "word" and "offset" not in word and word["shards"]["rows"] == SHARD_ROWS
    assert len(shards) == word["shards"]["count"] == -(-minilm.VOCAB // SHARD_ROWS)
    assert {len(shard) for shard in shards[:-1]} == {SHARD_ROWS * minilm.D_MODEL * 2}
    assert len(shards[-1]) == (minilm.VOCAB - (len(shards) - 1) * SHARD_ROWS) * minilm.D_MODEL * 2
    assert word["shards"]["sha256"] == [hashlib.sha256(shard).hexdigest() for shard in shards]
    assert b"".join(shards) == weights.word.astype("<f2").tobytes()
    assert shard_path(7) == "embeddings/007.bin" and shard_path(476) == "embeddings/476.bin"


def test_a_read_pack_has_no_word_rows_until_their_shards_are_added(weights, pack):
    back = read_pack(pack[0], pack[1])
    ids = [101, 2003, 2009, 29000, 102]  # shards 1, 1, 31, 31, 453, 1
    assert shards_for(ids, back) == [1, 31, 453]
    np.testing.assert_array_equal(back.word, 0.0)
    with pytest.raises(minilm.MissingShards, match=r"ids 101, 102, 2003, 2009, 29000 .* shards 1, 31, 453"):
        minilm.embed(ids, back)
    add_shard(back, 31, pack[2][31])
    assert shards_for(ids, back) == [1, 453]
    np.testing.assert_array_equal(back.word[31 * 64:32 * 64], weights.word[31 * 64:32 * 64].astype(np.float16))
    np.testing.assert_array_equal(np.delete(back.word, np.s_[31 * 64:32 * 64], axis=0), 0.0)
    with pytest.raises(minilm.MissingShards, match=r"ids 101, 102, 29000 .* shards 1, 453 and"):
        minilm.embed(ids, back)
    for index in shards_for(ids, back):
        add_shard(back, index, pack[2][index])
    assert shards_for(ids, back) == []
    np.testing.assert_array_equal(minilm.embed(ids, back), minilm.embed(ids, with_every_shard(pack)))


def test_full_weights_need_no_shard():
    arrays = {name: np.zeros(minilm.EXPECTED_SHAPES[name.rsplit(".", 1)[-1]], np.float32)
              for name in minilm.ARRAY_NAMES}
    assert shards_for([101, 29000, 102], minilm.weights_from_named(arrays)) == []


BAD_SHARDS = [
    (31, lambda s: s[31][:-2], r"shard 31 \(embeddings/031.bin\) has 49150 bytes, it needs 49152: .* truncated"),
    (31, lambda s: s[31] + bytes(2), r"shard 31 \(embeddings/031.bin\) has 49154 bytes"),
    (476, lambda s: s[476][:-768], r"shard 476 \(embeddings/476.bin\) has 43776 bytes, it needs 44544"),
    (31, lambda s: s[31][:-1] + bytes([s[31][-1] ^ 1]), r"shard 31 .* does not match its manifest's sha256"),
    (31, lambda s: s[32], r"shard 31 .* does not match its manifest's sha256: the download is corrupt"),
    (477, lambda s: s[31], r"shard index must be an integer in 0..476, got 477"),
    (-1, lambda s: s[31], r"shard index must be an integer in 0..476, got -1"),
    (True, lambda s: s[1], r"shard index must be an integer in 0..476, got True"),
]


@pytest.mark.parametrize("index, spoil, message", BAD_SHARDS)
def test_a_damaged_shard_is_refused_with_a_clear_value_error_and_changes_nothing(pack, index, spoil, message):
    back = read_pack(pack[0], pack[1])
    with pytest.raises(ValueError, match=message):
        add_shard(back, index, spoil(pack[2]))
    assert not back.word_shards.present.any()
    np.testing.assert_array_equal(back.word, 0.0)


def test_a_shard_is_refused_by_weights_that_have_every_row(weights):
    with pytest.raises(ValueError, match=r"hold every word embedding already"):
        add_shard(weights, 0, bytes(SHARD_ROWS * minilm.D_MODEL * 2))


# The download budget, on the files the build writes (SPEC: the real model, <= 24 MB over the network).

BUDGET = 24e6
TYPICAL = ["the dog was", "The animal didn't cross the street because it was too wide.",
           "She said: \"Don't go there\" -- but he went anyway; nobody knew why.",
           "In 1905, Einstein published papers on the photoelectric effect, Brownian motion and relativity."]


@pytest.fixture(scope="module")
def built():  # -> (the build's pack folder, the model's folder)
    folder = model_dir()
    if folder is None:
        pytest.skip("the model files are not available (set AE_MODEL_DIR)")
    sys.path.insert(0, str(ROOT))
    import build  # noqa: PLC0415 - the build's own pack writer and cache, only when the model is there
    return build.model_pack(folder), folder


def sent(path):  # -> at most the bytes over the network: the .gz copy's size where the build wrote one
    packed = path.with_name(path.name + ".gz")
    return (packed if packed.is_file() else path).stat().st_size


def first_use(built):  # -> (bytes of the manifest, vocabulary and main pack, bytes of each shard, manifest)
    pack, folder = built
    manifest = json.loads((pack / "minilm-pack.json").read_text())
    fixed = sent(pack / "minilm-pack.json") + sent(folder / "vocab.txt") + sent(pack / manifest["data_file"])
    shards = [sent(pack / shard_path(s)) for s in range(manifest["tensors"][0]["shards"]["count"])]
    return fixed, shards, manifest


def test_the_built_shards_are_the_ones_the_manifest_names(built):
    pack, _ = built
    manifest = json.loads((pack / "minilm-pack.json").read_text())
    for index, digest in enumerate(manifest["tensors"][0]["shards"]["sha256"]):
        data = (pack / shard_path(index)).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, index
        packed = pack / (shard_path(index) + ".gz")
        assert not packed.is_file() or gzip.decompress(packed.read_bytes()) == data, index


def test_a_first_use_with_a_typical_sentence_fits_the_budget(built):
    fixed, shards, manifest = first_use(built)
    vocab = wordpiece.load_vocab((built[1] / "vocab.txt").read_text())
    rows = manifest["tensors"][0]["shards"]["rows"]
    for text in TYPICAL:
        needed = {i // rows for i in wordpiece.encode(text, vocab).ids}
        assert fixed + sum(shards[s] for s in needed) <= BUDGET, text


def test_a_first_use_with_64_pieces_in_64_different_shards_fits_the_budget(built):
    fixed, shards, _ = first_use(built)
    assert fixed + sum(sorted(shards)[-64:]) <= BUDGET

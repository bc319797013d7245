"""The NumPy all-MiniLM-L6-v2 against transformers (when installed), against committed reference values,
and its parts (erf, GELU, LayerNorm, the embedding) against their definitions.

SPEC's fidelity bar: every attention weight within 0.02 of float32 transformers.BertModel (eager),
mean absolute error <= 0.002; the float32 weights must do far better, the browser pack must keep it.
"""
import dataclasses
import math

import numpy as np
import pytest

from attention import minilm
from attention.core import Trace
from attention.model_pack import add_shard, read_pack, shards_for, write_pack
from attention.safetensors import read_safetensors
import model_files
from model_files import model_dir
from unit.make_minilm_reference import OUT as REFERENCE, reference_model

MAX_ERROR, MEAN_ERROR = 0.02, 0.002          # SPEC, for the pack
F32_MAX_ERROR, F32_MEAN_ERROR = 1e-4, 1e-6    # the float32 weights: the same computation up to rounding

SENTENCES = [
    "the dog was",
    "The animal didn't cross the street because it was too wide.",
    "She said: \"Don't go there\" -- but he went anyway; nobody knew why.",
    "東京 is a city; emoji 😀 and symbols #@$%^&*() [MASK]",
    "the the the the the the the the the the the the the the the the",
    "The quick brown fox jumps over the lazy dog. " * 4,
    "Transformers compute softmax(QK^T / sqrt(d_k)) V for every head, concatenate the heads and project "
    "them; the residual stream then carries the result through a feed-forward network with GELU, layer "
    "after layer, until the final hidden states emerge at the top of the stack. " * 2,
    # rare words: 70 pieces in 65 different word-embedding shards
    "detachments flinders zenith trooper facilitates uncles coyotes overgrown tracey sprawled "
    "quaternary palatinate sinhalese kaiserslautern ptolemaic hyperbolic oaxaca azerbaijani mitochondrial "
    "cartographer liechtenstein zoroastrian thessaloniki byzantium quixotic ombudsman marzipan archipelago "
    "saxophonist kilimanjaro phosphorescent silhouettes aubergine",
]


@pytest.fixture(scope="module")
def folder():
    found = model_dir()
    if found is None:
        pytest.skip("the model files are not available (set AE_MODEL_DIR)")
    return found


@pytest.fixture(scope="module")
def weights(folder):
    return minilm.weights_from_safetensors(read_safetensors(folder / "model.safetensors"))


@pytest.fixture(scope="module")
def pack(weights):  # -> (manifest JSON, data, word-embedding shards)
    return write_pack(weights)


@pytest.fixture(scope="module")
def packed(pack):
    """The browser pack's weights with every word-embedding shard added."""
    weights = read_pack(pack[0], pack[1])
    for index, shard in enumerate(pack[2]):
        add_shard(weights, index, shard)
    return weights


def attention_of(run):  # Run -> [layers, heads, n, n]
    return np.stack([t.weights for t in run.traces])


def errors(actual, expected):  # -> (max, mean) absolute error
    e = np.abs(np.asarray(actual, dtype=np.float64) - np.asarray(expected, dtype=np.float64))
    return e.max(), e.mean()


# Against transformers itself.

@pytest.fixture(scope="module")
def reference(folder):
    pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    tokenizer, model = reference_model(folder)
    cases = []
    for text in SENTENCES:
        ids = tokenizer(text)["input_ids"]
        with torch.no_grad():
            out = model(torch.tensor([ids]), output_attentions=True, output_hidden_states=True)
        cases.append((ids, np.stack([a[0].numpy() for a in out.attentions]),
                      [h[0].numpy() for h in out.hidden_states]))
    return cases


def test_the_sentences_include_long_ones(reference):
    assert max(len(ids) for ids, _, _ in reference) >= 64


def test_float32_weights_match_transformers(weights, reference):
    for ids, attention, hidden in reference:
        run = minilm.forward(ids, weights)
        max_error, mean_error = errors(attention_of(run), attention)
        assert max_error <= F32_MAX_ERROR and mean_error <= F32_MEAN_ERROR, (len(ids), max_error, mean_error)
        for l, (ours, theirs) in enumerate(zip(run.hidden, hidden)):
            np.testing.assert_allclose(ours, theirs, atol=1e-4, err_msg=f"hidden state {l}")


def test_a_sentence_needs_only_its_own_shards_and_gets_the_full_float16_packs_attention_exactly(weights, pack):
    full = read_pack(*write_pack(weights, shard_rows=None)[:2])
    for text_ids in ([101, 1996, 3899, 2001, 102], list(range(101, 30522, 487)) + [102]):
        sharded = read_pack(pack[0], pack[1])
        needed = shards_for(text_ids, sharded)
        for index in needed:
            add_shard(sharded, index, pack[2][index])
        assert sharded.word_shards.present.sum() == len(needed) == len({i // 64 for i in text_ids})
        np.testing.assert_array_equal(attention_of(minilm.forward(text_ids, sharded)),
                                      attention_of(minilm.forward(text_ids, full)))


def test_the_pack_keeps_the_fidelity_bar(packed, reference):
    for ids, attention, _ in reference:
        max_error, mean_error = errors(attention_of(minilm.forward(ids, packed)), attention)
        assert max_error <= MAX_ERROR / 4 and mean_error <= MEAN_ERROR / 10, (len(ids), max_error, mean_error)


# Against the values committed in tests/unit/data (made by make_minilm_reference.py from transformers).

def committed():
    data = np.load(REFERENCE)
    return [(data[f"ids_{i}"], data[f"rows_{i}"], data[f"attention_{i}"], data[f"cls_{i}"])
            for i in range(len(data.files) // 4)]


def test_the_committed_reference_has_a_long_sentence():
    assert max(len(ids) for ids, _, _, _ in committed()) >= 64


@pytest.mark.parametrize("which", ["float32", "pack"])
def test_the_committed_reference_values_are_met(weights, packed, which):
    bound = (2e-3, 1e-4) if which == "float32" else (MAX_ERROR / 4, MEAN_ERROR / 10)  # float16 storage: 2^-11
    for ids, rows, attention, cls in committed():
        run = minilm.forward(ids, weights if which == "float32" else packed)
        max_error, mean_error = errors(attention_of(run)[:, :, rows], attention)
        assert max_error <= bound[0] and mean_error <= bound[1], (len(ids), max_error, mean_error)
        np.testing.assert_allclose(run.hidden[-1][0], cls, atol=0.02)


# The parts, against their definitions.

def test_erf_matches_math_erf_within_4e_9():
    x = np.concatenate([np.linspace(-8, 8, 20001), [0.0, 1e-12, -1e-12, 50.0, -50.0, 5.99, 6.0, 6.01]])
    expected = np.array([math.erf(v) for v in x])
    assert np.abs(minilm.erf(x) - expected).max() < 4e-9
    assert minilm.erf(0.0) == 0.0 and minilm.erf(np.float32(30.0)) == 1.0


def test_gelu_is_x_times_the_normal_cdf_in_float32():
    x = np.linspace(-10, 10, 4001, dtype=np.float32).reshape(1, -1)
    expected = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x[0].astype(np.float64)])
    got = minilm.gelu(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got[0], expected, rtol=1e-6, atol=1e-7)


def test_layer_norm_normalises_each_row_then_scales_and_shifts():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(5, 384)).astype(np.float32)
    gamma, beta = rng.normal(size=384).astype(np.float32), rng.normal(size=384).astype(np.float32)
    got = minilm.layer_norm(x, gamma, beta)
    assert got.dtype == np.float32
    for row, out in zip(x.astype(np.float64), got):
        mean = sum(row) / len(row)
        sd = math.sqrt(sum((v - mean) ** 2 for v in row) / len(row) + 1e-12)
        np.testing.assert_allclose(out, (row - mean) / sd * gamma + beta, rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module")
def random_weights():
    """Weights of the model's shapes, random: enough for shapes and properties, without the model files."""
    return model_files.random_weights(seed=1, scale=0.1)


def test_every_layer_gives_a_trace_of_12_heads_whose_rows_sum_to_1(random_weights):
    ids = [101, 7592, 2088, 999, 102]
    run = minilm.forward(ids, random_weights)
    assert len(run.traces) == 6 and len(run.hidden) == 7
    for t in run.traces:
        assert isinstance(t, Trace) and (t.heads, t.n_q, t.n_k, t.d_k, t.d_v) == (12, 5, 5, 32, 32)
        np.testing.assert_allclose(t.weights.sum(axis=-1), 1.0, rtol=1e-12)
        assert t.output.shape == (5, 384)
    assert all(h.shape == (5, 384) and h.dtype == np.float32 for h in run.hidden)


def test_layer_l_is_attention_trace_on_its_input_then_the_feed_forward(random_weights):
    run = minilm.forward([101, 2003, 102], random_weights)
    h, t = minilm.encoder_layer(run.hidden[2], random_weights.layers[2])
    np.testing.assert_array_equal(h, run.hidden[3])
    np.testing.assert_array_equal(t.weights, run.traces[2].weights)
    np.testing.assert_array_equal(run.hidden[0], minilm.embed([101, 2003, 102], random_weights))


def test_positions_matter_so_swapping_two_tokens_changes_the_attention(random_weights):
    a = minilm.forward([101, 2000, 3000, 102], random_weights).traces[0].weights
    b = minilm.forward([101, 3000, 2000, 102], random_weights).traces[0].weights
    assert not np.allclose(a[:, [0, 2, 1, 3]][:, :, [0, 2, 1, 3]], b)


def test_an_id_whose_shard_is_missing_is_refused_naming_the_shard(random_weights):
    shards = minilm.WordShards(64, ("0" * 64,) * 477, np.zeros(477, dtype=bool))
    weights = dataclasses.replace(random_weights, word_shards=shards)
    with pytest.raises(minilm.MissingShards, match=r"ids 101, 102, 2003 are not loaded yet: fetch shards 1, 31 "):
        minilm.embed([101, 2003, 102], weights)
    shards.present[1] = True
    with pytest.raises(minilm.MissingShards, match=r"ids 2003 are not loaded yet: fetch shard 31 and") as raised:
        minilm.embed([101, 2003, 102], weights)
    assert raised.value.shards == [31]
    shards.present[31] = True
    np.testing.assert_array_equal(minilm.embed([101, 2003, 102], weights), minilm.embed([101, 2003, 102],
                                                                                         random_weights))


def test_shards_that_do_not_cover_the_vocabulary_are_refused(random_weights):
    with pytest.raises(ValueError, match=r"30522 word rows in shards of 64 make 477 shards, got 476 digests"):
        dataclasses.replace(random_weights, word_shards=minilm.WordShards(64, ("0" * 64,) * 476,
                                                                          np.zeros(476, dtype=bool)))


BAD_IDS = [
    ([], r"ids must be a list of 1 to 512 token ids, got shape \(0,\)"),
    ([[101, 102]], r"got shape \(1, 2\)"),
    (list(range(513)), r"got shape \(513,\)"),
    ([101.0, 102.0], r"ids must be integers, got dtype float64"),
    ([101, 30522], r"ids must be in 0..30521, got 101..30522"),
    ([-1, 102], r"ids must be in 0..30521, got -1..102"),
]


@pytest.mark.parametrize("ids, message", BAD_IDS)
def test_ids_the_model_cannot_take_are_refused(random_weights, ids, message):
    with pytest.raises(ValueError, match=message):
        minilm.embed(ids, random_weights)


def test_weights_from_safetensors_transposes_torch_linear_weights(weights, folder):
    tensors = read_safetensors(folder / "model.safetensors")
    np.testing.assert_array_equal(weights.layers[1].w_q, tensors["encoder.layer.1.attention.self.query.weight"].T)
    np.testing.assert_array_equal(weights.layers[4].w_2, tensors["encoder.layer.4.output.dense.weight"].T)
    np.testing.assert_array_equal(weights.token_type, tensors["embeddings.token_type_embeddings.weight"][0])

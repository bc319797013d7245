"""attention_trace against PyTorch, where torch is installed (skipped otherwise).

torch uses column-vector weights (y = x Wᵀ), so every W is transposed on the way in.
scaled_dot_product_attention checks q, k, v, scores, head outputs, concat and output
per head; multi_head_attention_forward checks the per-head weights and the output of
the whole block where its shapes fit (heads * d_k = d_model = heads * d_v = d_out).
"""
import itertools
import math

import numpy as np
import pytest

from attention.core import attention_trace
from unit.reference_loops import random_mask

torch = pytest.importorskip("torch")
F = torch.nn.functional

MASK_KINDS = ["none", "causal", "custom", "custom with an empty row"]
SCALE_TEMPERATURE = [(True, 1.0), (False, 0.7), (True, 2.5)]
CASES = list(itertools.product([1, 2, 4], MASK_KINDS, [False, True], SCALE_TEMPERATURE))


def tensor(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))


def random_args(seed, heads, mask_kind, cross, scale, temperature, d_k, d_v, d_out):
    """Random arguments, n_q != n_k for cross-attention, d_model = heads * d_k."""
    rng = np.random.default_rng(1000 + seed)
    n_q = int(rng.integers(2, 6))
    n_k = n_q + int(rng.choice([-1, 1, 3])) if cross else n_q
    d_model = heads * d_k
    mask = random_mask(rng, n_q, n_k, mask_kind)
    return dict(x=rng.normal(size=(n_q, d_model)), w_q=rng.normal(size=(d_model, heads * d_k)),
                w_k=rng.normal(size=(d_model, heads * d_k)), w_v=rng.normal(size=(d_model, heads * d_v)),
                w_o=rng.normal(size=(heads * d_v, d_out)), heads=heads, mask=mask,
                context=rng.normal(size=(n_k, d_model)) if cross else None, scale=scale, temperature=temperature)


def allowed_from(args):  # -> torch bool [n_q, n_k], True = may attend
    """The mask as torch would build it, not read off the trace."""
    n_q, n_k = len(args["x"]), len(args["x"] if args["context"] is None else args["context"])
    if args["mask"] is None:
        return torch.ones(n_q, n_k, dtype=torch.bool)
    if isinstance(args["mask"], str):  # "causal"
        return torch.ones(n_q, n_k, dtype=torch.bool).tril()
    return torch.tensor(args["mask"])


def split_heads(a, heads):  # torch [n, heads * d] -> [heads, n, d]
    return a.reshape(a.shape[0], heads, -1).transpose(0, 1)


def close(actual, expected, name):
    np.testing.assert_allclose(np.asarray(actual), expected.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("heads, mask_kind, cross, scale_temperature", CASES)
def test_matches_scaled_dot_product_attention_per_head(heads, mask_kind, cross, scale_temperature):
    args = random_args(CASES.index((heads, mask_kind, cross, scale_temperature)), heads, mask_kind, cross,
                       *scale_temperature, d_k=3, d_v=2, d_out=5)
    t = attention_trace(**args)
    scale, temperature = scale_temperature
    factor = math.sqrt(3) if scale else 1.0
    x, c = tensor(args["x"]), tensor(args["x"] if args["context"] is None else args["context"])
    q = split_heads(F.linear(x, tensor(args["w_q"]).T), heads)
    k = split_heads(F.linear(c, tensor(args["w_k"]).T), heads)
    v = split_heads(F.linear(c, tensor(args["w_v"]).T), heads)
    allowed = allowed_from(args)
    head_outputs = F.scaled_dot_product_attention(q / temperature, k, v, attn_mask=allowed, scale=1 / factor)
    concat = head_outputs.transpose(0, 1).reshape(t.n_q, -1)
    np.testing.assert_array_equal(t.allowed, allowed.numpy())
    close(t.q, q, "q")
    close(t.k, k, "k")
    close(t.v, v, "v")
    close(t.scores, q @ k.transpose(1, 2), "scores")
    close(t.scaled, q @ k.transpose(1, 2) / factor / temperature, "scaled")
    close(t.head_outputs, head_outputs, "head_outputs")
    close(t.concat, concat, "concat")
    close(t.output, F.linear(concat, tensor(args["w_o"]).T), "output")
    if mask_kind == "causal":
        causal = F.scaled_dot_product_attention(q / temperature, k, v, is_causal=True, scale=1 / factor)
        close(t.head_outputs, causal, "head_outputs with is_causal=True")


@pytest.mark.parametrize("heads, mask_kind, cross, scale_temperature", CASES)
def test_matches_multi_head_attention_forward(heads, mask_kind, cross, scale_temperature):
    d_k, d_model = 2, heads * 2
    args = random_args(CASES.index((heads, mask_kind, cross, scale_temperature)), heads, mask_kind, cross,
                       *scale_temperature, d_k=d_k, d_v=d_k, d_out=d_model)
    t = attention_trace(**args)
    scale, temperature = scale_temperature
    allowed = allowed_from(args)
    c = args["x"] if args["context"] is None else args["context"]
    # torch always divides by √d_k; fold ours (√d_k or 1) and the temperature into W_Q instead.
    w_q = args["w_q"] * math.sqrt(d_k) / ((math.sqrt(d_k) if scale else 1.0) * temperature)
    output, weights = F.multi_head_attention_forward(
        tensor(args["x"]), tensor(c), tensor(c), d_model, heads,
        in_proj_weight=None, in_proj_bias=None, bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0,
        out_proj_weight=tensor(args["w_o"]).T, out_proj_bias=None, training=False,
        need_weights=True, attn_mask=~allowed, use_separate_proj_weight=True,
        q_proj_weight=tensor(w_q).T, k_proj_weight=tensor(args["w_k"]).T, v_proj_weight=tensor(args["w_v"]).T,
        average_attn_weights=False)
    rows = allowed.any(dim=1).numpy()  # torch gives NaN where a query may attend nothing; we give 0
    close(t.weights[:, rows], weights[:, rows], "weights")
    close(t.output[rows], output[rows], "output")
    assert np.all(t.weights[:, ~rows] == 0.0) and np.all(t.output[~rows] == 0.0)


@pytest.mark.parametrize("heads, cross", list(itertools.product([1, 2, 4], [False, True])))
def test_biases_match_multi_head_attention_forward(heads, cross):
    d_k, d_model = 3, heads * 3
    args = random_args(50 + heads + 10 * cross, heads, "custom", cross, True, 1.0, d_k=d_k, d_v=d_k, d_out=d_model)
    rng = np.random.default_rng(heads)
    b_q, b_k, b_v, b_o = (rng.normal(size=d_model) for _ in range(4))
    t = attention_trace(**args, b_q=b_q, b_k=b_k, b_v=b_v, b_o=b_o)
    allowed = allowed_from(args)
    c = args["x"] if args["context"] is None else args["context"]
    output, weights = F.multi_head_attention_forward(
        tensor(args["x"]), tensor(c), tensor(c), d_model, heads,
        in_proj_weight=None, in_proj_bias=tensor(np.concatenate([b_q, b_k, b_v])), bias_k=None, bias_v=None,
        add_zero_attn=False, dropout_p=0.0, out_proj_weight=tensor(args["w_o"]).T, out_proj_bias=tensor(b_o),
        training=False, need_weights=True, attn_mask=~allowed, use_separate_proj_weight=True,
        q_proj_weight=tensor(args["w_q"]).T, k_proj_weight=tensor(args["w_k"]).T,
        v_proj_weight=tensor(args["w_v"]).T, average_attn_weights=False)
    rows = allowed.any(dim=1).numpy()
    close(t.weights[:, rows], weights[:, rows], "weights")
    close(t.output[rows], output[rows], "output")
    close(t.q, split_heads(F.linear(tensor(args["x"]), tensor(args["w_q"]).T, tensor(b_q)), heads), "q")

"""Properties attention must have for every input, checked on inputs hypothesis makes up."""
import math

import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from attention.core import attention_trace
from attention.ops import entropy, softmax

PROPERTY_SETTINGS = settings(max_examples=75, deadline=None)


def floats(bound):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False)


def matrix(rows, cols, bound=10.0):
    return arrays(np.float64, (rows, cols), elements=floats(bound))


@st.composite
def attention_args(draw, bound=10.0, cross=None, masks=(None, "causal", "custom")):
    """Arguments for attention_trace: sizes up to 6, heads 1-3, entries within ±bound, context and W_O or not."""
    n_q, d_model, heads, d_k, d_v = (draw(st.integers(1, hi)) for hi in (6, 5, 3, 3, 3))
    cross = draw(st.booleans()) if cross is None else cross
    n_k = draw(st.integers(1, 6)) if cross else n_q
    mask = draw(st.sampled_from(masks))
    if mask == "custom":
        mask = draw(arrays(bool, (n_q, n_k)))
    return dict(
        x=draw(matrix(n_q, d_model, bound)),
        w_q=draw(matrix(d_model, heads * d_k, bound)),
        w_k=draw(matrix(d_model, heads * d_k, bound)),
        w_v=draw(matrix(d_model, heads * d_v, bound)),
        w_o=draw(st.none() | matrix(heads * d_v, draw(st.integers(1, 4)), bound)),
        heads=heads, mask=mask,
        context=draw(matrix(n_k, d_model, bound)) if cross else None,
        scale=draw(st.booleans()),
        temperature=draw(st.floats(0.1, 10.0)))


@PROPERTY_SETTINGS
@given(attention_args())
def test_rows_sum_to_one_or_to_zero_when_nothing_is_allowed(args):
    t = attention_trace(**args)
    expected = np.where(t.allowed.any(axis=1), 1.0, 0.0)
    np.testing.assert_allclose(t.weights.sum(axis=-1), np.broadcast_to(expected, t.weights.shape[:2]), atol=1e-12)
    assert np.all(t.weights >= 0.0)


@PROPERTY_SETTINGS
@given(attention_args())
def test_masked_weights_are_exactly_zero(args):
    t = attention_trace(**args)
    assert np.all(t.weights[:, ~t.allowed] == 0.0)


@PROPERTY_SETTINGS
@given(attention_args(bound=1e50))
def test_any_finite_input_within_bounds_gives_finite_numbers(args):
    t = attention_trace(**args)
    for a in (t.q, t.k, t.v, t.scores, t.scaled, t.weights, t.head_outputs, t.concat, t.output):
        assert np.isfinite(a).all()


@PROPERTY_SETTINGS
@given(st.integers(1, 4).flatmap(lambda n_k: st.tuples(
    matrix(3, n_k, 100.0), arrays(bool, (3, n_k)), arrays(np.float64, (3, 1), elements=floats(1e3)))))
def test_adding_a_constant_to_a_score_row_changes_nothing(scores_allowed_shift):
    scores, allowed, shift = scores_allowed_shift
    np.testing.assert_allclose(softmax(scores + shift, allowed), softmax(scores, allowed), atol=1e-9)


@PROPERTY_SETTINGS
@given(attention_args(cross=False, masks=[None]), st.data())
def test_permuting_the_tokens_permutes_weights_and_outputs(args, data):
    order = data.draw(st.permutations(range(len(args["x"]))))
    t = attention_trace(**args)
    p = attention_trace(**{**args, "x": args["x"][order]})
    np.testing.assert_allclose(p.weights, t.weights[:, order][:, :, order], rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(p.output, t.output[order], rtol=1e-9, atol=1e-9)


@PROPERTY_SETTINGS
@given(attention_args(cross=False, masks=["causal"]), st.data())
def test_causal_output_of_token_i_ignores_later_tokens(args, data):
    n_q, d_model = args["x"].shape
    i = data.draw(st.integers(0, n_q - 1))
    changed = args["x"].copy()
    changed[i + 1:] = data.draw(matrix(n_q - i - 1, d_model))
    t, u = attention_trace(**args), attention_trace(**{**args, "x": changed})
    np.testing.assert_allclose(u.weights[:, :i + 1], t.weights[:, :i + 1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(u.output[:i + 1], t.output[:i + 1], rtol=1e-12, atol=1e-12)


@PROPERTY_SETTINGS
@given(attention_args())
def test_switching_the_scale_off_is_multiplying_w_q_by_sqrt_d_k(args):
    t = attention_trace(**{**args, "scale": False})
    d_k = t.d_k
    s = attention_trace(**{**args, "scale": True, "w_q": args["w_q"] * math.sqrt(d_k)})
    np.testing.assert_allclose(s.scaled, t.scaled, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(s.weights, t.weights, rtol=1e-6, atol=1e-6)


@PROPERTY_SETTINGS
@given(attention_args())
def test_entropy_lies_between_zero_and_log2_of_the_allowed_keys(args):
    t = attention_trace(**args)
    h = entropy(t.weights)
    assert h.shape == (t.heads, t.n_q)
    assert np.all(h >= 0.0)
    assert np.all(h <= np.log2(np.maximum(t.allowed.sum(axis=1), 1)) + 1e-12)

"""attention_trace against the plain-Python loop reference, its edge cases, and its input validation."""
import itertools
import math

import numpy as np
import pytest

from attention.core import Trace, attention_trace
from attention.ops import linear
from unit.reference_loops import random_mask, reference_trace

INTERMEDIATES = ["q", "k", "v", "scores", "scaled", "weights", "head_outputs", "concat", "output"]
MASK_KINDS = ["none", "causal", "custom", "custom with an empty row"]
SCALE_TEMPERATURE = [(True, 1.0), (False, 0.7), (True, 2.5)]


def random_case(seed, heads, mask_kind, cross, with_w_o, scale, temperature):
    """Random arguments for attention_trace; n_q != n_k whenever keys come from a context."""
    rng = np.random.default_rng(seed)
    n_q = int(rng.integers(2, 6))
    n_k = n_q + int(rng.choice([-1, 1, 2])) if cross else n_q
    d_model, d_k = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    d_v = d_k + int(rng.integers(1, 3))
    mask = random_mask(rng, n_q, n_k, mask_kind)
    return dict(
        x=rng.normal(size=(n_q, d_model)),
        w_q=rng.normal(size=(d_model, heads * d_k)),
        w_k=rng.normal(size=(d_model, heads * d_k)),
        w_v=rng.normal(size=(d_model, heads * d_v)),
        w_o=rng.normal(size=(heads * d_v, int(rng.integers(1, 5)))) if with_w_o else None,
        heads=heads, mask=mask,
        context=rng.normal(size=(n_k, d_model)) if cross else None,
        scale=scale, temperature=temperature)


def as_lists(args):
    return {name: value.tolist() if isinstance(value, np.ndarray) else value for name, value in args.items()}


CASES = list(itertools.product([1, 2, 4], MASK_KINDS, [False, True], [False, True], SCALE_TEMPERATURE))


@pytest.mark.parametrize("heads, mask_kind, cross, with_w_o, scale_temperature", CASES)
def test_every_intermediate_matches_the_loop_reference(heads, mask_kind, cross, with_w_o, scale_temperature):
    seed = CASES.index((heads, mask_kind, cross, with_w_o, scale_temperature))
    args = random_case(seed, heads, mask_kind, cross, with_w_o, *scale_temperature)
    trace = attention_trace(**args)
    expected = reference_trace(**as_lists(args))
    np.testing.assert_array_equal(trace.allowed, np.array(expected["allowed"], dtype=bool))
    for name in INTERMEDIATES:
        np.testing.assert_allclose(getattr(trace, name), np.array(expected[name]), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


def test_shapes_sizes_and_settings_are_recorded():
    args = random_case(0, heads=2, mask_kind="causal", cross=True, with_w_o=True, scale=True, temperature=0.5)
    n_q, n_k, d_k = len(args["x"]), len(args["context"]), args["w_q"].shape[1] // 2
    d_v, d_out = args["w_v"].shape[1] // 2, args["w_o"].shape[1]
    t = attention_trace(**args)
    assert (t.heads, t.n_q, t.n_k, t.d_k, t.d_v) == (2, n_q, n_k, d_k, d_v)
    assert (t.scale, t.scale_factor, t.temperature) == (True, math.sqrt(d_k), 0.5)
    shapes = dict(q=(2, n_q, d_k), k=(2, n_k, d_k), v=(2, n_k, d_v), scores=(2, n_q, n_k), scaled=(2, n_q, n_k),
                  allowed=(n_q, n_k), weights=(2, n_q, n_k), head_outputs=(2, n_q, d_v), concat=(n_q, 2 * d_v),
                  output=(n_q, d_out))
    for name, shape in shapes.items():
        assert getattr(t, name).shape == shape, name
        assert getattr(t, name).dtype == (bool if name == "allowed" else np.float64), name
    assert attention_trace(**{**args, "scale": False}).scale_factor == 1.0


def test_trace_is_read_only():
    t = attention_trace(np.eye(3), np.eye(3), np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match="read-only"):
        t.weights[0, 0, 0] = 1.0
    with pytest.raises(AttributeError):
        t.weights = None
    assert isinstance(t, Trace)


def test_inputs_are_neither_modified_nor_frozen():
    x, mask = np.eye(3), np.ones((3, 3), dtype=bool)
    t = attention_trace(x, x, x, x, mask=mask)
    x[0, 0], mask[0, 0] = 5.0, False
    assert t.allowed[0, 0] and x.flags.writeable and mask.flags.writeable


def test_without_w_o_the_output_is_the_concatenated_heads():
    args = random_case(1, heads=4, mask_kind="none", cross=False, with_w_o=False, scale=True, temperature=1.0)
    t = attention_trace(**args)
    np.testing.assert_array_equal(t.output, np.concatenate(list(t.head_outputs), axis=1))


def test_causal_mask_is_top_left_aligned_when_n_q_differs_from_n_k():
    wide = attention_trace(np.ones((2, 3)), np.eye(3), np.eye(3), np.eye(3), mask="causal", context=np.ones((4, 3)))
    tall = attention_trace(np.ones((4, 3)), np.eye(3), np.eye(3), np.eye(3), mask="causal", context=np.ones((2, 3)))
    np.testing.assert_array_equal(wide.allowed, [[1, 0, 0, 0], [1, 1, 0, 0]])
    np.testing.assert_array_equal(tall.allowed, [[1, 0], [1, 1], [1, 1], [1, 1]])
    np.testing.assert_array_equal(wide.weights[0], [[1, 0, 0, 0], [0.5, 0.5, 0, 0]])


def test_causal_scores_stay_real_numbers_where_masked():
    t = attention_trace(np.eye(3), np.eye(3), np.eye(3), np.eye(3), mask="causal")
    assert np.isfinite(t.scores).all() and np.isfinite(t.scaled).all()
    assert np.all(np.triu(t.weights[0], k=1) == 0.0)


def test_a_row_with_nothing_allowed_has_zero_weights_and_zero_output():
    mask = np.array([[False, False], [True, False], [True, True]])
    t = attention_trace(np.arange(6.0).reshape(3, 2), np.eye(2), np.eye(2), np.eye(2), w_o=np.ones((2, 3)),
                        mask=mask, context=np.array([[1.0, 2.0], [3.0, -1.0]]))
    assert not np.isnan(t.weights).any()
    np.testing.assert_array_equal(t.weights[0, 0], [0.0, 0.0])
    np.testing.assert_array_equal(t.output[0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(t.weights[0].sum(axis=1), [0.0, 1.0, 1.0])


def test_huge_and_tiny_finite_scores_give_proper_weights():
    for size in (1e150, 1e-150):
        x = np.array([[size, 0.0], [0.0, size], [size, size]])
        t = attention_trace(x, np.eye(2), np.eye(2), np.eye(2))
        assert np.isfinite(t.weights).all() and np.isfinite(t.output).all()
        np.testing.assert_allclose(t.weights.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(t.weights[0, 0], [1 / 3, 1 / 3, 1 / 3])


def test_a_huge_score_takes_all_the_weight():
    x = np.array([[1e150, 0.0], [0.0, 1.0]])
    t = attention_trace(x, np.eye(2), np.eye(2), np.eye(2), scale=False)
    np.testing.assert_array_equal(t.weights[0, 0], [1.0, 0.0])
    np.testing.assert_allclose(t.weights[0, 1], [1 / (1 + math.e), math.e / (1 + math.e)])


def test_lists_and_integers_are_accepted():
    x = [[1, 0], [0, 1], [1, 1]]
    from_lists = attention_trace(x, x[:2], x[:2], x[:2], heads=np.int64(1), mask=[[True, False, True]] * 3,
                                 temperature=np.float32(2))
    from_arrays = attention_trace(np.array(x, dtype=float), np.eye(2), np.eye(2), np.eye(2),
                                  mask=np.array([[True, False, True]] * 3), temperature=2.0)
    for name in INTERMEDIATES:
        np.testing.assert_array_equal(getattr(from_lists, name), getattr(from_arrays, name))


def test_temperature_divides_the_scaled_scores():
    args = random_case(2, heads=2, mask_kind="none", cross=True, with_w_o=False, scale=True, temperature=1.0)
    cold, hot = attention_trace(**args), attention_trace(**{**args, "temperature": 4.0})
    np.testing.assert_allclose(hot.scaled * 4.0, cold.scaled)
    np.testing.assert_array_equal(hot.scores, cold.scores)


def valid(**changes):
    """Arguments that work (n_q=3, d_model=4, heads=2, d_k=2, d_v=3), with some replaced."""
    args = dict(x=np.ones((3, 4)), w_q=np.ones((4, 4)), w_k=np.ones((4, 4)), w_v=np.ones((4, 6)), heads=2)
    return {**args, **changes}


NAN_X = np.ones((3, 4))
NAN_X[1, 2] = np.nan

INVALID = [
    (dict(x=np.ones(4)), r"x must have shape \(n_q, d_model\), got \(4,\)"),
    (dict(x=np.ones((1, 3, 4))), r"x must have shape \(n_q, d_model\), got \(1, 3, 4\)"),
    (dict(x=np.ones((0, 4))), r"x is empty: shape \(0, 4\)"),
    (dict(x=[]), r"x is empty"),
    (dict(x=[[1.0, "a"]]), r"x must be a matrix of numbers"),
    (dict(x=[[1.0, 2.0], [3.0]]), r"x must be a matrix of numbers"),
    (dict(x=NAN_X), r"x contains NaN or Inf"),
    (dict(context=np.ones((5, 3))), r"context must have shape \(n_k, d_model=4\), got \(5, 3\)"),
    (dict(context=np.ones((0, 4))), r"context is empty"),
    (dict(context=np.full((2, 4), np.inf)), r"context contains NaN or Inf"),
    (dict(w_q=np.ones((3, 4))), r"w_q must have shape \(d_model=4, heads\*d_k\), got \(3, 4\)"),
    (dict(w_q=np.ones((4, 5)), w_k=np.ones((4, 5))), r"w_q has 5 columns, which cannot be split evenly into heads=2"),
    (dict(w_q=np.ones((4, 0))), r"w_q is empty"),
    (dict(w_q=np.full((4, 4), -np.inf)), r"w_q contains NaN or Inf"),
    (dict(w_k=np.ones((4, 6))), r"w_k must have shape \(4, 4\) like w_q, got \(4, 6\)"),
    (dict(w_k=np.ones((5, 4))), r"w_k must have shape \(4, 4\) like w_q, got \(5, 4\)"),
    (dict(w_v=np.ones((4, 3))), r"w_v has 3 columns, which cannot be split evenly into heads=2"),
    (dict(w_v=np.ones((5, 6))), r"w_v must have shape \(d_model=4, heads\*d_v\), got \(5, 6\)"),
    (dict(w_o=np.ones((4, 2))), r"w_o must have shape \(heads\*d_v=6, d_out\), got \(4, 2\)"),
    (dict(w_o=np.full((6, 2), np.nan)), r"w_o contains NaN or Inf"),
    (dict(heads=0), r"heads must be an integer >= 1, got 0"),
    (dict(heads=2.0), r"heads must be an integer >= 1, got 2.0"),
    (dict(heads=True), r"heads must be an integer >= 1, got True"),
    (dict(temperature=0), r"temperature must be a finite number > 0, got 0"),
    (dict(temperature=-1.0), r"temperature must be a finite number > 0, got -1.0"),
    (dict(temperature=np.nan), r"temperature must be a finite number > 0, got nan"),
    (dict(temperature=np.inf), r"temperature must be a finite number > 0, got inf"),
    (dict(temperature="1"), r"temperature must be a finite number > 0, got '1'"),
    (dict(scale="yes"), r"scale must be True or False, got 'yes'"),
    (dict(mask="future"), r"mask must be None, 'causal' or a boolean array, got 'future'"),
    (dict(mask=np.ones((3, 3), dtype=int)), r"mask must be boolean \(True = may attend\), got dtype int"),
    (dict(mask=np.ones((4, 3), dtype=bool)), r"mask must have shape \(n_q, n_k\) = \(3, 3\), got \(4, 3\)"),
    (dict(mask=np.ones((3, 3), dtype=bool), context=np.ones((5, 4))),
     r"mask must have shape \(n_q, n_k\) = \(3, 5\), got \(3, 3\)"),
    (dict(mask=[[True], [True, False]]), r"mask must be a boolean array of shape \(n_q, n_k\) = \(3, 3\)"),
    (dict(x=np.full((3, 4), 1e200), w_q=np.full((4, 4), 1e200)), r"q overflowed float64"),
    (dict(x=np.full((3, 4), 1e150), w_q=np.full((4, 4), 1e10)), r"scores overflowed float64"),
    (dict(w_q=np.full((4, 4), 1e150), w_k=np.full((4, 4), 1e150), temperature=1e-10), r"scaled overflowed float64"),
    (dict(w_v=np.full((4, 6), 1e300), w_o=np.full((6, 2), 1e10)), r"output overflowed float64"),
]


@pytest.mark.parametrize("changes, message", INVALID)
def test_invalid_inputs_are_refused_with_a_message_naming_the_problem(changes, message):
    with pytest.raises(ValueError, match=message):
        attention_trace(**valid(**changes))


def test_the_valid_baseline_is_valid():
    assert attention_trace(**valid()).output.shape == (3, 6)


# Biases: Q = X W_Q + b_Q, ... and O = concat W_O + b_O, as in a trained model's Linear layers.

def with_biases(seed, heads=2, cross=True):
    """random_case's arguments plus a random bias for every projection."""
    args = random_case(seed, heads, "custom", cross, with_w_o=True, scale=True, temperature=1.0)
    rng = np.random.default_rng(seed)
    biases = {name: rng.normal(size=args[matrix].shape[1])
              for name, matrix in (("b_q", "w_q"), ("b_k", "w_k"), ("b_v", "w_v"), ("b_o", "w_o"))}
    return args, biases


def with_a_ones_column(a, bias):  # [n, d], [d_out] -> [n, d + 1] and a weight row for it
    return np.hstack([a, np.ones((len(a), 1))]), bias[None, :]


@pytest.mark.parametrize("seed", range(6))
def test_q_k_v_biases_equal_an_extra_input_of_ones_with_the_bias_as_its_weight_row(seed):
    args, b = with_biases(seed, heads=1 + seed % 3, cross=seed % 2 == 1)
    x, row_q = with_a_ones_column(args["x"], b["b_q"])
    context = None if args["context"] is None else with_a_ones_column(args["context"], b["b_k"])[0]
    folded = attention_trace(**{**args, "x": x, "context": context,
                                "w_q": np.vstack([args["w_q"], row_q]),
                                "w_k": np.vstack([args["w_k"], b["b_k"][None, :]]),
                                "w_v": np.vstack([args["w_v"], b["b_v"][None, :]])})
    t = attention_trace(**args, **b)
    for name in ["q", "k", "v", "scores", "scaled", "weights", "head_outputs", "concat"]:
        np.testing.assert_allclose(getattr(t, name), getattr(folded, name), rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(t.output, folded.output + b["b_o"], rtol=1e-10, atol=1e-12)


def test_zero_biases_change_nothing():
    args, b = with_biases(7)
    zeros = {name: np.zeros_like(bias) for name, bias in b.items()}
    plain, zero = attention_trace(**args), attention_trace(**args, **zeros)
    for name in INTERMEDIATES:
        np.testing.assert_array_equal(getattr(zero, name), getattr(plain, name), err_msg=name)


def test_biases_are_keyword_only():
    args, b = with_biases(8)
    positional = [args[name] for name in ("x", "w_q", "w_k", "w_v", "w_o", "heads", "mask", "context", "scale",
                                          "temperature")]
    with pytest.raises(TypeError):
        attention_trace(*positional, b["b_q"])


INVALID_BIASES = [
    (dict(b_q=np.ones(3)), r"b_q must have shape \(4,\), got \(3,\)"),
    (dict(b_k=np.ones((1, 4))), r"b_k must have shape \(4,\), got \(1, 4\)"),
    (dict(b_v=np.ones(4)), r"b_v must have shape \(6,\), got \(4,\)"),
    (dict(b_v=[1.0, "a", 2, 3, 4, 5]), r"b_v must be a vector of numbers"),
    (dict(b_q=np.full(4, np.nan)), r"b_q contains NaN or Inf"),
    (dict(w_o=np.ones((6, 2)), b_o=np.ones(3)), r"b_o must have shape \(2,\), got \(3,\)"),
    (dict(w_o=np.ones((6, 2)), b_o=np.full(2, np.inf)), r"b_o contains NaN or Inf"),
    (dict(b_o=np.ones(6)), r"b_o is given but w_o is None"),
    (dict(w_o=np.ones((6, 2)), b_o=np.full(2, 1.5e308), w_v=np.full((4, 6), 2e306)), r"output overflowed float64"),
]


@pytest.mark.parametrize("changes, message", INVALID_BIASES)
def test_invalid_biases_are_refused_with_a_message_naming_them(changes, message):
    with pytest.raises(ValueError, match=message):
        attention_trace(**valid(**changes))


# Precision: float32 inputs (a trained model's weights) are multiplied in float32; the Trace is float64.

def as_float32(args):
    """The case's matrices and biases as float32 arrays, the rest as it is."""
    return {name: value.astype(np.float32) if isinstance(value, np.ndarray) and value.dtype == np.float64 else value
            for name, value in args.items()}


def as_float64(args):
    """The case's float32 arrays widened to float64 (the same values), the rest as it is."""
    return {name: value.astype(np.float64) if isinstance(value, np.ndarray) and value.dtype == np.float32 else value
            for name, value in args.items()}


@pytest.mark.parametrize("seed", range(4))
def test_float32_inputs_are_projected_in_float32_and_give_a_float64_trace(seed):
    args, b = with_biases(seed, heads=2, cross=seed % 2 == 1)
    low = as_float32({**args, **b})
    t = attention_trace(**low)
    context = low["x"] if low["context"] is None else low["context"]
    q = linear(low["x"], low["w_q"], low["b_q"]).astype(np.float64)  # the product float32, then widened
    v = linear(context, low["w_v"], low["b_v"]).astype(np.float64)
    np.testing.assert_array_equal(t.q, q.reshape(len(q), 2, -1).transpose(1, 0, 2))
    np.testing.assert_array_equal(t.v, v.reshape(len(v), 2, -1).transpose(1, 0, 2))
    np.testing.assert_array_equal(t.output, linear(t.concat.astype(np.float32), low["w_o"], low["b_o"]).astype(np.float64))
    assert all(getattr(t, name).dtype == np.float64 for name in INTERMEDIATES)
    wide = attention_trace(**as_float64(low))
    for name in INTERMEDIATES:  # the same numbers up to float32 rounding
        np.testing.assert_allclose(getattr(t, name), getattr(wide, name), rtol=1e-4, atol=1e-5, err_msg=name)


def test_one_float64_input_makes_every_product_float64():
    args, b = with_biases(5)
    low = as_float32({**args, **b})
    mixed = attention_trace(**{**low, "w_k": low["w_k"].astype(np.float64)})
    wide = attention_trace(**as_float64(low))
    for name in INTERMEDIATES:
        np.testing.assert_array_equal(getattr(mixed, name), getattr(wide, name), err_msg=name)


INVALID_FLOAT32 = [
    (dict(w_q=np.full((4, 4), np.nan, np.float32)), r"w_q contains NaN or Inf"),
    (dict(b_v=np.full(6, np.inf, np.float32)), r"b_v contains NaN or Inf"),
    (dict(x=np.full((3, 4), 1e20, np.float32), w_q=np.full((4, 4), 1e20, np.float32)), r"q overflowed float32"),
    (dict(w_v=np.full((4, 6), 1e20, np.float32), w_o=np.full((6, 2), 1e20, np.float32)), r"output overflowed float32"),
]


@pytest.mark.parametrize("changes, message", INVALID_FLOAT32)
def test_float32_inputs_are_checked_and_overflow_is_named_in_their_precision(changes, message):
    with pytest.raises(ValueError, match=message):
        attention_trace(**as_float32(valid(**changes)))

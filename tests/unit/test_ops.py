"""The element-wise operations: causal mask, masked softmax, entropy."""
import math

import numpy as np
import pytest

from attention.ops import causal_mask, entropy, linear, softmax, softmax_parts


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1, 1), (4, 8, 3), (32, 384, 1536)])
def test_linear_is_a_w_plus_b_in_the_inputs_precision(dtype, shape):
    n, d_in, d_out = shape
    rng = np.random.default_rng(n)
    a, w, b = (rng.standard_normal(s).astype(dtype) for s in ((n, d_in), (d_in, d_out), (d_out,)))
    out = linear(a, w, b)
    exact = a.astype(np.float64) @ w.astype(np.float64) + b
    assert out.dtype == dtype and out.shape == (n, d_out)
    # summed in another order than matmul's, so equal to the rounding of a sum of d_in products
    np.testing.assert_allclose(out, exact, rtol=0, atol=np.finfo(dtype).eps * 4 * np.sqrt(d_in) * np.abs(exact).max())


def test_causal_mask_allows_key_j_for_query_i_when_j_le_i():
    np.testing.assert_array_equal(causal_mask(3, 3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    np.testing.assert_array_equal(causal_mask(2, 4), [[1, 0, 0, 0], [1, 1, 0, 0]])
    np.testing.assert_array_equal(causal_mask(3, 2), [[1, 0], [1, 1], [1, 1]])
    assert causal_mask(2, 2).dtype == bool


def test_softmax_matches_the_definition():
    scores = np.array([1.0, 2.0, 3.0])
    expected = np.exp(scores) / np.exp(scores).sum()
    np.testing.assert_allclose(softmax(scores), expected, rtol=1e-15)
    np.testing.assert_allclose(softmax([[0.0, 0.0]]), [[0.5, 0.5]])


def test_masked_entries_are_exactly_zero_and_the_rest_renormalise():
    weights = softmax(np.array([1.0, 5.0, 2.0]), np.array([True, False, True]))
    assert weights[1] == 0.0
    np.testing.assert_allclose(weights, [1 / (1 + math.e), 0.0, math.e / (1 + math.e)])


def test_a_row_with_nothing_allowed_is_all_zero():
    weights = softmax(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[False, False], [True, True]]))
    np.testing.assert_array_equal(weights[0], [0.0, 0.0])
    assert weights[1].sum() == pytest.approx(1.0)


def test_allowed_broadcasts_over_leading_axes():
    scores = np.arange(12.0).reshape(2, 2, 3)
    allowed = np.array([[True, True, False], [False, True, True]])
    weights = softmax(scores, allowed)
    for head in range(2):
        np.testing.assert_array_equal(weights[head], softmax(scores[head], allowed))
    assert np.all(weights[:, ~allowed] == 0.0)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("row", [[1e300, -1e300, 0.0], [1e308, -1e308, 1e308], [-1e300, -1e300, -1e300],
                                 [1e-300, 0.0, -1e-300], [-745.0, 0.0, 709.0]])
def test_extreme_scores_neither_overflow_nor_warn(row):
    weights = softmax(np.array(row))
    assert np.isfinite(weights).all()
    assert weights.sum() == pytest.approx(1.0)


def test_a_huge_score_takes_all_the_weight():
    np.testing.assert_array_equal(softmax(np.array([1e300, 1.0, -1e300])), [1.0, 0.0, 0.0])


def test_softmax_parts_divide_to_the_softmax():
    scores, allowed = np.array([2.0, -1.0, 0.5]), np.array([True, True, False])
    row_max, numerators, denominator = softmax_parts(scores, allowed)
    assert row_max[0] == 2.0
    np.testing.assert_array_equal(numerators, [1.0, math.exp(-3.0), 0.0])
    assert denominator[0] == 1.0 + math.exp(-3.0)
    np.testing.assert_array_equal(numerators / denominator, softmax(scores, allowed))


def test_softmax_parts_of_an_empty_row():
    row_max, numerators, denominator = softmax_parts(np.array([3.0, 4.0]), np.array([False, False]))
    assert (row_max[0], denominator[0]) == (0.0, 0.0)
    np.testing.assert_array_equal(numerators, [0.0, 0.0])


def test_entropy_in_bits():
    weights = np.array([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(entropy(weights), [2.0, 0.0, 1.0, 0.0])
    assert math.copysign(1.0, entropy(weights)[1]) == 1.0
    assert entropy(np.ones((2, 3, 4)) / 4).shape == (2, 3)


@pytest.mark.filterwarnings("error")
def test_entropy_of_zero_weights_does_not_warn():
    assert entropy(np.array([0.0, 1.0])) == 0.0

"""cell_arithmetic and output_terms reproduce the trace's own numbers."""
import itertools
import math

import numpy as np
import pytest

from attention.core import attention_trace
from attention.explain import cell_arithmetic, output_terms


@pytest.fixture(scope="module")
def trace():
    """Cross-attention, 2 heads, a custom mask with one fully masked row, scale off, temperature 0.8."""
    rng = np.random.default_rng(7)
    n_q, n_k, d_model, heads, d_k, d_v = 3, 4, 5, 2, 3, 2
    mask = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])
    return attention_trace(rng.normal(size=(n_q, d_model)), rng.normal(size=(d_model, heads * d_k)),
                           rng.normal(size=(d_model, heads * d_k)), rng.normal(size=(d_model, heads * d_v)),
                           heads=heads, mask=mask, context=rng.normal(size=(n_k, d_model)),
                           scale=False, temperature=0.8)


def cells(trace):
    return itertools.product(range(trace.heads), range(trace.n_q), range(trace.n_k))


def test_every_cell_is_read_from_the_trace(trace):
    for head, i, j in cells(trace):
        cell = cell_arithmetic(trace, head, i, j)
        np.testing.assert_array_equal(cell.q_i, trace.q[head, i])
        np.testing.assert_array_equal(cell.k_j, trace.k[head, j])
        np.testing.assert_array_equal(cell.v_j, trace.v[head, j])
        np.testing.assert_array_equal(cell.head_output_i, trace.head_outputs[head, i])
        assert (cell.dot, cell.scaled, cell.weight) == (trace.scores[head, i, j], trace.scaled[head, i, j],
                                                          trace.weights[head, i, j])
        assert (cell.head, cell.i, cell.j, cell.allowed) == (head, i, j, trace.allowed[i, j])


def test_the_products_sum_to_the_dot_product(trace):
    for head, i, j in cells(trace):
        cell = cell_arithmetic(trace, head, i, j)
        np.testing.assert_array_equal(cell.products, cell.q_i * cell.k_j)
        assert math.fsum(cell.products) == pytest.approx(cell.dot, rel=1e-12, abs=1e-14)


def test_dot_over_scale_over_temperature_is_the_scaled_score(trace):
    for head, i, j in cells(trace):
        cell = cell_arithmetic(trace, head, i, j)
        assert (cell.scale, cell.temperature) == (1.0, 0.8)
        assert cell.dot / cell.scale / cell.temperature == cell.scaled


def test_numerator_over_denominator_is_the_weight(trace):
    for head, i, j in cells(trace):
        cell = cell_arithmetic(trace, head, i, j)
        if cell.denominator > 0:
            assert cell.numerator / cell.denominator == pytest.approx(cell.weight, rel=1e-14, abs=0)
            allowed_scaled = trace.scaled[head, i][trace.allowed[i]]
            assert cell.row_max == allowed_scaled.max()
            assert cell.denominator == pytest.approx(np.exp(allowed_scaled - cell.row_max).sum(), rel=1e-14)
        if cell.allowed:
            assert cell.numerator == pytest.approx(math.exp(cell.scaled - cell.row_max), rel=1e-14)


def test_a_masked_cell_has_zero_numerator_and_weight(trace):
    cell = cell_arithmetic(trace, 1, 0, 1)
    assert (cell.allowed, cell.numerator, cell.weight) == (False, 0.0, 0.0)
    np.testing.assert_array_equal(cell.weighted_value, [0.0, 0.0])
    assert cell.denominator > 0


def test_a_fully_masked_row_has_nothing_to_divide(trace):
    cell = cell_arithmetic(trace, 0, 1, 2)
    assert (cell.numerator, cell.denominator, cell.weight, cell.row_max) == (0.0, 0.0, 0.0, 0.0)
    np.testing.assert_array_equal(cell.head_output_i, [0.0, 0.0])


def test_the_weighted_value_is_the_weight_times_v_j(trace):
    cell = cell_arithmetic(trace, 0, 2, 3)
    np.testing.assert_array_equal(cell.weighted_value, cell.weight * cell.v_j)


def test_output_terms_sum_to_the_head_output(trace):
    for head, i in itertools.product(range(trace.heads), range(trace.n_q)):
        terms = output_terms(trace, head, i)
        assert terms.shape == (trace.n_k, trace.d_v)
        np.testing.assert_allclose(terms.sum(axis=0), trace.head_outputs[head, i], rtol=1e-12, atol=1e-15)
        for j in range(trace.n_k):
            np.testing.assert_array_equal(terms[j], cell_arithmetic(trace, head, i, j).weighted_value)


@pytest.mark.parametrize("head, i, j, message", [(2, 0, 0, r"head=2 is out of range: expected 0..1"),
                                                 (0, 3, 0, r"i=3 is out of range: expected 0..2"),
                                                 (0, 0, 4, r"j=4 is out of range: expected 0..3"),
                                                 (0, -1, 0, r"i=-1 is out of range")])
def test_indices_out_of_range_are_refused(trace, head, i, j, message):
    with pytest.raises(IndexError, match=message):
        cell_arithmetic(trace, head, i, j)
    if j == 0:
        with pytest.raises(IndexError, match=message):
            output_terms(trace, head, i)

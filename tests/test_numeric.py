"""The article's model in NumPy (derivation.numeric), against independent oracles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from derivation import numeric as N

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 6)), elements=finite))
def test_softmax_rows_sum_to_one_and_ignore_shifts(z):
    p = N.softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(N.softmax(z + 7.5), p, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(np.exp(N.log_softmax(z)), p, rtol=1e-9, atol=1e-300)


def test_softmax_of_huge_logits_is_finite():
    p = N.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])


def test_softmax_along_another_axis():
    z = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_allclose(N.softmax(z, axis=0), N.softmax(z.T).T)


@settings(max_examples=30)
@given(
    arrays(np.float64, (3, 2), elements=st.floats(-3, 3)),
    arrays(np.float64, (4,), elements=st.floats(-3, 3)),
    arrays(np.int64, (4,), elements=st.integers(0, 2)),
)
def test_theta_grad_matches_central_differences(theta, x1, labels):
    X, Y = N.design_matrix(x1), N.one_hot(labels, 3)
    numerical = N.numerical_grad(lambda t: N.cost(t, X, Y), theta, h=1e-5)
    np.testing.assert_allclose(N.theta_grad(theta, X, Y), numerical, rtol=1e-6, atol=1e-7)


def test_theta_grad_is_a_sum_of_per_sample_terms():
    X, Y, theta = N.example_problem()
    H = N.hypotheses(theta, X)
    by_loop = np.zeros_like(theta)
    for i in range(X.shape[0]):
        for k in range(3):
            for j in range(2):
                by_loop[k, j] += (H[i, k] - Y[i, k]) * X[i, j]
    np.testing.assert_allclose(N.theta_grad(theta, X, Y), by_loop, rtol=1e-14)


def test_gradient_rows_of_H_minus_Y_sum_to_zero():
    X, Y, theta = N.example_problem()
    grad = N.theta_grad(theta, X, Y)
    np.testing.assert_allclose(grad.sum(axis=0), 0.0, atol=1e-12)


def test_cost_is_a_sum_not_a_mean():
    X, Y, theta = N.example_problem()
    H = N.hypotheses(theta, X)
    assert N.cost(theta, X, Y) == pytest.approx(-np.sum(Y * np.log(H)), rel=1e-12)
    assert N.cost(theta, X, Y) == pytest.approx(N.cost(theta, X, np.array([0, 0, 1, 2, 2])))


def test_example_problem_is_the_article_setting():
    X, Y, theta = N.example_problem()
    assert X.shape == (5, 2) and np.all(X[:, 0] == 1)
    assert Y.shape == (5, 3) and np.all(Y.sum(axis=1) == 1)
    assert theta.shape == (3, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: N.softmax([1.0, np.nan]), "NaN"),
        (lambda: N.softmax([1.0, np.inf]), "inf"),
        (lambda: N.softmax([1.0]), "at least two classes"),
        (lambda: N.softmax(np.zeros((0, 3))), "empty"),
        (lambda: N.softmax(3.0), "class axis"),
        (lambda: N.softmax(["a", "b"]), "real numbers"),
        (lambda: N.one_hot([0, 3], 3), r"0\.\.2"),
        (lambda: N.one_hot([0.5], 3), "integer"),
        (lambda: N.one_hot([], 3), "empty"),
        (lambda: N.one_hot([0], 1), "classes"),
        (lambda: N.design_matrix([]), "non-empty"),
        (lambda: N.theta_grad(np.zeros((3, 2)), N.design_matrix([1.0]), [[1, 1, 0]]), "sum to 1"),
        (
            lambda: N.theta_grad(np.zeros((3, 2)), N.design_matrix([1.0]), [[0.5, 0.5, 0]]),
            "0 and 1",
        ),
        (lambda: N.theta_grad(np.zeros((3, 2)), N.design_matrix([1.0]), [[1, 0]]), "shape"),
        (lambda: N.theta_grad(np.zeros((3, 3)), N.design_matrix([1.0]), [0]), "theta must have"),
        (
            lambda: N.theta_grad(np.zeros((3, 2)), N.design_matrix([1.0, 2.0]), np.array([0])),
            "labels",
        ),
        (lambda: N.numerical_grad(lambda t: 0.0, [1.0], h=0), "positive"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()

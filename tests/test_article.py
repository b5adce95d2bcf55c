"""derivation.article: the article's model against complex-step derivatives and loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from derivation import article
from derivation.gradcheck import numerical_grad


@settings(max_examples=30)
@given(
    arrays(np.float64, (3, 2), elements=st.floats(-3, 3)),
    arrays(np.float64, (4,), elements=st.floats(-3, 3)),
    arrays(np.int64, (4,), elements=st.integers(0, 2)),
)
def test_theta_grad_matches_complex_step(theta, x1, labels):
    X = article.design_matrix(x1)
    numerical = numerical_grad(lambda t: article.cost(t, X, labels), theta, method="complex")
    np.testing.assert_allclose(
        article.theta_grad(theta, X, labels), numerical, rtol=1e-12, atol=1e-14
    )


def test_theta_grad_is_a_sum_of_per_sample_terms():
    X, Y, theta = article.example_problem()
    H = article.hypotheses(theta, X)
    by_loop = np.zeros_like(theta)
    for i in range(X.shape[0]):
        for k in range(3):
            for j in range(2):
                by_loop[k, j] += (H[i, k] - Y[i, k]) * X[i, j]
    np.testing.assert_allclose(article.theta_grad(theta, X, Y), by_loop, rtol=1e-14)


def test_cost_is_a_sum_not_a_mean():
    X, Y, theta = article.example_problem()
    H = article.hypotheses(theta, X)
    assert article.cost(theta, X, Y) == pytest.approx(-np.sum(Y * np.log(H)), rel=1e-12)
    assert article.cost(theta, X, Y) == article.cost(theta, X, np.array([0, 0, 1, 2, 2]))


def test_example_problem_is_the_article_setting():
    X, Y, theta = article.example_problem()
    assert X.shape == (5, 2) and np.all(X[:, 0] == 1)
    assert Y.shape == (5, 3) and np.all(Y.sum(axis=1) == 1)
    assert theta.shape == (3, 2)


def test_messages_of_the_articles_model_name_theta_x_and_y():
    X = article.design_matrix([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Y of shape \(1,\) and X @ theta.T") as info:
        article.theta_grad(np.zeros((3, 2)), X, [0])
    assert " z " not in str(info.value) and "logits of shape" not in str(info.value)
    with pytest.raises(ValueError, match="class index 5 in Y"):
        article.cost(np.zeros((3, 2)), X, [0, 5])
    with pytest.raises(ValueError, match="theta or X is too large"):
        article.theta_grad(np.full((3, 2), 1e300), X * 1e10, [0, 1])
    with pytest.raises(ValueError, match="one-hot row of Y"):
        article.theta_grad(np.zeros((3, 2)), X, [[1, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: article.design_matrix([]), "non-empty"),
        (lambda: article.design_matrix(np.array([1, 2])), "floating point"),
        (
            lambda: article.theta_grad(np.zeros((3, 3)), article.design_matrix([1.0]), [0]),
            "theta must",
        ),
        (
            lambda: article.theta_grad(np.zeros((3, 2)), article.design_matrix([1.0, 2.0]), [0]),
            "do not match",
        ),
        (
            lambda: article.theta_grad(np.full((3, 2), np.nan), article.design_matrix([1.0]), [0]),
            "NaN",
        ),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_article_parts_are_the_article_parts():
    import sympy as sp

    from derivation.symbolic import model, step

    theta, x1, label = np.array([[0.3, -0.7], [0.1, 0.4], [-0.2, 0.9]]), 1.3, 1
    m = model()
    h = article.hypotheses(theta, article.design_matrix([x1]))[0]
    values = {**dict(zip(m.h, h, strict=True)), **dict(zip(m.y, np.eye(3)[label], strict=True))}
    values[m.x1] = x1
    for j, refs in (
        (0, (12, 16, 20)),
        (1, ("Theta_11/part/h_1", "Theta_11/part/h_2", "Theta_11/part/h_3")),
    ):
        expected = [float(sp.sympify(step(r).rhs).subs(values)) for r in refs]
        parts = article.article_parts(theta, x1, label, 0, j)
        np.testing.assert_allclose(parts, expected, atol=1e-15)
    with pytest.raises(ValueError, match="expected"):
        article.article_parts(theta, x1, label, 3, 0)

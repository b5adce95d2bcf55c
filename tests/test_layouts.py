"""derivation.layouts: the gradient in both layouts, shapes, Jacobian layouts and the proof."""

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivation import article
from derivation import layouts as Lay
from derivation.differences import numerical_grad

X, Y, THETA = article.example_problem()


def test_both_layouts_are_the_complex_step_gradient():
    expected = numerical_grad(lambda t: article.cost(t, X, Y), THETA, "complex")
    assert np.allclose(Lay.theta_gradient(X, Y, THETA), expected, rtol=1e-13, atol=1e-14)
    W = THETA.T.copy()
    cs = numerical_grad(lambda w: article.cost(w.T, X, Y), W, "complex")
    assert Lay.theta_gradient(X, Y, W, layout="cs231n").shape == (2, 3)
    assert np.allclose(Lay.theta_gradient(X, Y, W, layout="cs231n"), cs, rtol=1e-13, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 20), st.integers(2, 6), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_the_layouts_are_transposes(m, K, d, seed):
    rng = np.random.default_rng(seed)
    Xr, theta = rng.normal(size=(m, d)), rng.normal(size=(K, d))
    Yr = np.eye(K)[rng.integers(0, K, size=m)]
    a = Lay.theta_gradient(Xr, Yr, theta)
    b = Lay.theta_gradient(Xr, Yr, theta.T, "cs231n")
    assert a.shape == (K, d) and b.shape == (d, K)
    assert np.array_equal(a, b.T)
    H = np.exp(Xr @ theta.T) / np.exp(Xr @ theta.T).sum(axis=1, keepdims=True)
    assert np.allclose(b, Xr.T @ (H - Yr), atol=1e-12)


def test_factor_shapes():
    assert Lay.factor_shapes("article") == "(H − Y)ᵀ: 3 × m, X: m × 2 → 3 × 2"
    assert Lay.factor_shapes("cs231n", m=5, K=4, d=3) == "Xᵀ: 3 × 5, H − Y: 5 × 4 → 3 × 4"


def test_jacobian_layouts_and_vjp():
    rng = np.random.default_rng(3)
    theta, g = rng.normal(size=(3, 3)), rng.normal(size=3)
    num, den = Lay.jacobian(theta), Lay.jacobian(theta, "denominator")
    assert np.array_equal(num, den.T)
    # the oracle: central differences of J = g . (theta x) by x
    expected = numerical_grad(lambda x: float(g @ (theta @ x)), rng.normal(size=3))
    assert np.allclose(Lay.vjp(g, num), expected, atol=1e-9)
    assert np.allclose(Lay.vjp(g, den, "denominator"), expected, atol=1e-9)
    assert not np.allclose(num @ g, expected)  # the wrong side: a non-symmetric Jacobian
    wide = rng.normal(size=(3, 2))
    with pytest.raises(ValueError, match=r"length jac\.shape"):
        Lay.vjp(g, Lay.jacobian(wide, "denominator"))


def test_the_proof_holds_and_matches_explicit_matrices():
    s = Lay.layout_proof(3)
    assert s.check() == (True, True)
    m = 4  # an independent oracle: explicit matrices with m = 4 samples
    H, Y_, X_ = (sp.Matrix(m, c, lambda i, j, n=n: sp.Symbol(f"{n}{i}{j}"))
                 for n, c in (("h", 3), ("y", 3), ("x", 2)))  # fmt: skip
    assert (H - Y_).T * X_ == (X_.T * (H - Y_)).T
    entry = sum((H[i, 1] - Y_[i, 1]) * X_[i, 0] for i in range(m))
    assert sp.expand(((H - Y_).T * X_)[1, 0] - entry) == 0
    assert not replace(s, chain=(s.chain[0], 2 * s.chain[1])).holds()
    assert Lay.layout_proof(2).holds()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Lay.theta_gradient(X, Y, THETA, layout="row"), "layout must be one of"),
        (lambda: Lay.theta_gradient(X, Y, THETA, layout="cs231n"), "theta must have shape"),
        (lambda: Lay.theta_gradient(X, Y, THETA[0]), "params must be a matrix"),
        (lambda: Lay.factor_shapes("numerator"), "layout must be one of"),
        (lambda: Lay.factor_shapes("article", m=0), "m must be"),
        (lambda: Lay.factor_shapes("article", K=True), "K must be"),
        (lambda: Lay.jacobian(THETA, "article"), "layout must be one of"),
        (lambda: Lay.jacobian([[np.nan]]), "NaN"),
        (lambda: Lay.vjp([1.0, 2.0], THETA), "length jac.shape"),
        (lambda: Lay.layout_proof(1), "classes must be"),
    ],
)
def test_bad_input_is_a_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()

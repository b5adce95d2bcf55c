"""The student's route as a vector-Jacobian product: proven, equal to h - y, O(m K)."""

import tracemalloc

import numpy as np
import pytest
import sympy as sp

from derivation import numeric as N
from derivation.stability import route_breaks


@pytest.mark.parametrize("K", [2, 3, 5])
def test_vjp_identity_and_h_minus_y_in_sympy(K):
    h = sp.symbols(f"h_1:{K + 1}", positive=True)
    y = sp.symbols(f"y_1:{K + 1}")
    g = sp.Matrix([[-yk / hk for yk, hk in zip(y, h, strict=True)]])
    hv = sp.Matrix([h])
    jacobian = sp.diag(*h) - hv.T * hv
    vjp = sp.Matrix([[h[k] * g[k] - h[k] * (hv.dot(g)) for k in range(K)]])
    # g^T (diag h - h h^T) = h ∘ g - h (h·g), for any g
    free = sp.Matrix([sp.symbols(f"g_1:{K + 1}")])
    lhs = free * jacobian
    rhs = sp.Matrix([[h[k] * free[k] - h[k] * hv.dot(free) for k in range(K)]])
    assert sp.simplify(lhs - rhs) == sp.zeros(1, K)
    # with g = -y/h it is h - y, using sum y = 1 (and only then)
    one_hot = {y[-1]: 1 - sum(y[:-1])}
    assert sp.simplify((vjp - (hv - sp.Matrix([y]))).subs(one_hot)) == sp.zeros(1, K)
    assert sp.simplify(vjp - (hv - sp.Matrix([y]))) != sp.zeros(1, K)


def test_vjp_equals_the_fused_gradient_and_the_stored_jacobian_route():
    rng = np.random.default_rng(12)
    z = rng.normal(size=(40, 7)) * 3
    y = rng.integers(0, 7, size=40)
    vjp = N.vjp_route_grad(z, y)
    np.testing.assert_allclose(vjp, N.cross_entropy_grad(z, y), rtol=0, atol=1e-14)
    np.testing.assert_allclose(vjp, N.jacobian_route_grad(z, y), rtol=0, atol=1e-14)
    np.testing.assert_allclose(N.vjp_route_grad(z, N.one_hot(y, 7)), vjp, rtol=0, atol=0)


def test_vjp_stores_no_jacobian():
    m, K = 64, 2000  # the stored Jacobians would take m K^2 8 bytes = 2 GB
    z = np.random.default_rng(1).normal(size=(m, K))
    y = np.arange(m) % K
    tracemalloc.start()
    N.vjp_route_grad(z, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * m * K * 8  # some (m, K) temporaries, nothing of size m K^2 (40 times more)


def test_the_division_is_the_only_source_of_non_finite_values():
    breaks = route_breaks(np.float64)
    for gap in (breaks["-y/h overflows"], breaks["h underflows"]):
        z = np.array([[0.0, gap, 0.0]])
        h = N.softmax(z)
        assert np.all(np.isfinite(h)) and np.all(np.isfinite(N.softmax_jacobian(z)))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            g = -np.array([1.0, 0.0, 0.0]) / h
        assert not np.all(np.isfinite(g))
        assert not np.all(np.isfinite(N.vjp_route_grad(z, [0])))
        # the same product with the division done by hand, h ∘ g = -y, is finite and exact
        hg = -np.array([[1.0, 0.0, 0.0]])
        np.testing.assert_array_equal(hg - h * hg.sum(), N.cross_entropy_grad(z, [0]))
    below = float(np.nextafter(breaks["-y/h overflows"], 0))
    z = np.array([[0.0, below, 0.0]])
    np.testing.assert_allclose(N.vjp_route_grad(z, [0]), N.cross_entropy_grad(z, [0]), atol=1e-15)


def test_vjp_rejects_a_single_row_without_batch_axis():
    with pytest.raises(ValueError, match="batch of rows"):
        N.vjp_route_grad([0.0, 1.0], [0])

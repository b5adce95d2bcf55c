"""derivation.symbolic.oracles: SymPy's own gradient for NumPy, and the student's Jacobian route
as proven claims."""

import numpy as np
import pytest

from derivation import numeric
from derivation.symbolic import jacobian_route, lambdified_gradient


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_the_jacobian_route_is_proven(classes):
    route = jacobian_route(classes)
    assert route.jacobian.shape == (classes, classes)
    assert route.jacobian_holds()
    assert route.chain_holds()
    assert not route.chain_holds(one_hot=False)


def test_sympy_gradient_agrees_with_numpy_theta_grad():
    rng = np.random.default_rng(0)
    f = lambdified_gradient()
    for _ in range(5):
        theta = rng.normal(size=(3, 2))
        x = rng.normal(size=4)
        labels = rng.integers(0, 3, size=4)
        X, Y = numeric.design_matrix(x), numeric.one_hot(labels, 3)
        expected = sum(f(theta, X[i, 1], Y[i]) for i in range(4))
        np.testing.assert_allclose(
            numeric.theta_grad(theta, X, Y), expected, rtol=1e-12, atol=1e-14
        )


def test_lambdified_gradient_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="expected theta of shape"):
        lambdified_gradient()(np.zeros((2, 2)), 1.0, np.zeros(3))

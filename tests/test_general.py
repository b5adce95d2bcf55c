"""derivation.general: any number of classes, the sigmoid case, the Hessian."""

import numpy as np
import pytest

from derivation import general, numeric


def test_symbolic_K_proof():
    jacobian, gradient = general.general_proof()
    assert jacobian.holds()
    assert gradient.check() == (True, True)  # h_k sum y - y_k, then h_k - y_k
    assert gradient.check(one_hot=False) == (True, False)  # the assumption is needed
    assert "K" in jacobian.latex() and r"\sum_{l=1}^{K}" in gradient.latex()


@pytest.mark.parametrize("classes", range(2, 9))
def test_explicit_K_every_derivative_holds(classes):
    steps = general.explicit_proofs(classes)
    assert len(steps) == classes + classes**2
    assert all(step.holds() for step in steps)
    gradient_steps = [s for s in steps if s.key.startswith("dJ/")]
    assert not any(s.holds(one_hot=False) for s in gradient_steps)


def test_a_wrong_jacobian_entry_is_rejected():
    from dataclasses import replace

    step = next(s for s in general.explicit_proofs(3) if s.key == "dh_1/dz_2")
    assert step.holds()
    assert not replace(step, chain=(step.rhs * -1,)).holds()


def test_two_classes_are_logistic_regression():
    assert all(s.holds() for s in general.sigmoid_case())
    z = np.array([[1.3, -0.4]])
    sigma = 1 / (1 + np.exp(-(1.3 + 0.4)))
    assert numeric.softmax(z)[0, 0] == pytest.approx(sigma, rel=1e-15)


@pytest.mark.parametrize("classes", [2, 3, 4])
def test_the_hessian_is_the_softmax_jacobian_and_positive_semidefinite(classes):
    hessian, variance = general.hessian_proof(classes)
    assert hessian.holds() and variance.holds()
    assert not hessian.holds(one_hot=False)  # in general the Hessian carries sum_l y_l
    z = np.random.default_rng(classes).normal(size=classes) * 3
    eigenvalues = np.linalg.eigvalsh(numeric.softmax_jacobian(z))
    assert eigenvalues.min() > -1e-15

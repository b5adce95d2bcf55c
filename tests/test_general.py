"""derivation.general: any number of classes, the sigmoid case, the Hessian."""

import subprocess
import sys
import textwrap
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from derivation import general, numeric
from derivation.symbolic import latex

JACOBIAN, GRADIENT = general.general_proof()
SYMBOLS = general.symbolic_K()
H_K, H_L, K_, L_, DELTA = SYMBOLS.h_k, SYMBOLS.h_l, SYMBOLS.k, SYMBOLS.l, SYMBOLS.delta


TRUE_JACOBIANS = {
    "h_k (delta_kl - h_l)": H_K * (DELTA - H_L),
    "h_l (delta_kl - h_k)": H_L * (DELTA - H_K),  # the transposed form: the Jacobian is symmetric
    "delta_kl h_k - h_k h_l": DELTA * H_K - H_K * H_L,
    "h_k delta_kl - h_l h_k": H_K * DELTA - H_L * H_K,
    "delta_lk h_l - h_l h_k": sp.KroneckerDelta(L_, K_) * H_L - H_L * H_K,
    "h_l delta_kl - h_k h_l": H_L * DELTA - H_K * H_L,  # delta_kl h_l = delta_kl h_k
    "h_k delta_kl - h_k^2 delta_kl - h_k h_l (1 - delta_kl)":
        H_K * DELTA - H_K**2 * DELTA - H_K * H_L * (1 - DELTA),
}  # fmt: skip
FALSE_JACOBIANS = {
    "h_k (delta_kl - h_k)": H_K * (DELTA - H_K),
    "h_l (delta_kl - h_l)": H_L * (DELTA - H_L),  # right on the diagonal only
    "h_k (1 - h_l)": H_K * (1 - H_L),
    "missing delta: -h_k h_l": -H_K * H_L,
    "diagonal only: h_k delta_kl (1 - h_k)": H_K * DELTA * (1 - H_K),
    "sign lost: h_k (h_l - delta_kl)": H_K * (H_L - DELTA),
}


@pytest.mark.parametrize("name", TRUE_JACOBIANS)
def test_every_true_form_of_the_symbolic_K_jacobian_is_proven(name):
    assert replace(JACOBIAN, chain=(TRUE_JACOBIANS[name],)).holds()


@pytest.mark.parametrize("name", FALSE_JACOBIANS)
def test_every_false_form_of_the_symbolic_K_jacobian_is_refused(name):
    assert not replace(JACOBIAN, chain=(FALSE_JACOBIANS[name],)).holds()


def test_the_symbolic_K_gradient_accepts_any_name_for_the_summation_index():
    y, p = SYMBOLS.y, sp.Idx("p", (1, SYMBOLS.K))
    any_labels = H_K * sp.Sum(y[p], (p, 1, SYMBOLS.K)) - y[K_]
    assert replace(GRADIENT, chain=(any_labels, GRADIENT.rhs)).check() == (True, True)
    assert replace(GRADIENT, chain=(any_labels, GRADIENT.rhs), one_hot_from=None).check() == (
        True, False)  # fmt: skip
    assert not replace(GRADIENT, chain=(any_labels, H_K - 2 * y[K_])).holds()
    assert not replace(GRADIENT, chain=(H_K * sp.Sum(y[p], (p, 1, SYMBOLS.K - 1)) - y[K_],
                                        GRADIENT.rhs)).holds()  # fmt: skip


def test_an_index_that_a_sum_runs_over_is_not_a_class_of_the_claim():
    odd = replace(JACOBIAN, chain=(H_K * (sp.KroneckerDelta(SYMBOLS.q, L_) - H_L),))
    assert odd.check() == (False,)


@pytest.mark.parametrize("failure", [StopIteration, RuntimeError, TypeError, RecursionError])
def test_a_failure_inside_sympy_is_not_proven_rather_than_an_error(monkeypatch, failure):
    def broken(*args, **kwargs):
        raise failure("inside sympy.simplify")

    monkeypatch.setattr(sp, "simplify", broken)
    fresh = replace(JACOBIAN, chain=(H_L * (DELTA - H_K),))  # true, but SymPy cannot say so
    assert fresh.check() == (False,)


@pytest.mark.parametrize("classes", range(2, 9))
def test_explicit_K_every_derivative_holds(classes):
    steps = general.explicit_proofs(classes)
    assert len(steps) == classes + classes**2
    assert all(step.holds() for step in steps)
    gradient_steps = [s for s in steps if s.key.startswith("dJ/")]
    assert not any(s.holds(one_hot=False) for s in gradient_steps)


def test_a_wrong_jacobian_entry_is_rejected():
    step = next(s for s in general.explicit_proofs(3) if s.key == "dh_1/dz_2")
    assert step.holds()
    assert not replace(step, chain=(step.rhs * -1,)).holds()


def test_an_explicit_jacobian_entry_passes_in_any_true_form():
    diagonal = next(s for s in general.explicit_proofs(3) if s.key == "dh_1/dz_1")
    h1, h2, h3 = (sp.Symbol(f"h_{c}") for c in (1, 2, 3))
    for form in (h1 - h1**2, h1 * (h2 + h3), h1 * (1 - h1)):  # h_2 + h_3 = 1 - h_1: softmax
        assert replace(diagonal, chain=(form,)).holds(), form
    assert not replace(diagonal, chain=(h1 * (h1 + h2),)).holds()


def test_two_classes_are_logistic_regression():
    assert all(s.holds() for s in general.sigmoid_case())
    z = np.array([[1.3, -0.4]])
    sigma = 1 / (1 + np.exp(-(1.3 + 0.4)))
    assert numeric.softmax(z)[0, 0] == pytest.approx(sigma, rel=1e-15)


@pytest.mark.parametrize("classes", [2, 3, 4])
def test_the_hessian_is_the_softmax_jacobian_and_positive_semidefinite(classes):
    hessian, sums_to_one, variance = general.hessian_proof(classes)
    assert hessian.holds() and sums_to_one.holds() and variance.check() == (True, True)
    assert not hessian.holds(one_hot=False)  # in general the Hessian carries sum_l y_l
    # the variance identity needs sum_k h_k = 1, and its display says so where it is used
    assert variance.check(one_hot=False) == (True, False)
    total = " + ".join(f"h_{{{c}}}" for c in range(1, classes + 1))
    assert rf"\text{{using }} {total} = 1" in variance.latex()
    assert latex(sums_to_one.lhs) == total and sums_to_one.rhs == 1
    z = np.random.default_rng(classes).normal(size=classes) * 3
    eigenvalues = np.linalg.eigvalsh(numeric.softmax_jacobian(z))
    assert eigenvalues.min() > -1e-15


def test_the_variance_form_is_what_numbers_say_and_never_negative():
    _, _, variance = general.hessian_proof(4)
    rng = np.random.default_rng(11)
    z, v = rng.normal(size=4) * 3, rng.normal(size=4)
    h = numeric.softmax(z)
    quadratic = v @ numeric.softmax_jacobian(z) @ v
    mu = h @ v
    assert quadratic == pytest.approx(np.sum(h * (v - mu) ** 2), rel=1e-12)
    assert np.sum(h * (v - mu) ** 2) >= 0
    assert r"\left(d_{1} - \bar{d}\right)^{2}" in variance.latex()  # the squares, as displayed


@pytest.mark.slow  # a new process
def test_the_symbolic_K_jacobian_forms_prove_in_bounded_time_and_memory():
    code = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        from dataclasses import replace
        from derivation import general
        jac, _ = general.general_proof()
        s = general.symbolic_K()
        hk, hl, d = s.h_k, s.h_l, s.delta
        transposed, diagonal_only = hl * (d - hk), hl * (d - hl)
        print(*(replace(jac, chain=(form,)).holds() for form in (transposed, diagonal_only)))
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "False"]

"""derivation.gradcheck: numerical gradients, verdicts, and clear errors."""

import numpy as np
import pytest

from derivation import numeric as N
from derivation.gradcheck import default_step, gradcheck, numerical_grad, relative_error, verdict


def cube(v):
    return (v**3).sum()


X = np.array([[0.3, -1.2], [2.0, 0.7]])


@pytest.mark.parametrize(
    ("method", "tol"), [("complex", 1e-15), ("central", 1e-9), ("forward", 1e-6)]
)
def test_methods_reach_their_accuracy(method, tol):
    np.testing.assert_allclose(numerical_grad(cube, X, method=method), 3 * X**2, rtol=tol)


def test_complex_step_beats_central_by_orders_of_magnitude():
    z = np.random.default_rng(0).normal(size=(3, 4))
    y = np.array([0, 3, 1])
    exact = N.cross_entropy_grad(z, y)
    errors = {
        m: relative_error(exact, numerical_grad(lambda v: N.cross_entropy(v, y), z, m)).max()
        for m in ("complex", "central")
    }
    assert errors["complex"] < 1e-14 < 1e-11 < errors["central"] < 1e-8


def test_default_steps_follow_machine_epsilon():
    assert default_step("central") == pytest.approx(np.finfo(float).eps ** (1 / 3))
    assert default_step("forward", np.float32) == pytest.approx(np.finfo(np.float32).eps ** 0.5)
    assert default_step("complex") == 1e-20


def test_x_is_not_modified():
    x = X.copy()
    numerical_grad(cube, x)
    np.testing.assert_array_equal(x, X)


@pytest.mark.parametrize(
    ("error", "expected"),
    [(1e-9, "fine"), (1e-7, "fine"), (1e-5, "suspicious"), (1e-3, "uncomfortable"), (0.5, "wrong")],
)
def test_verdict_bands(error, expected):
    assert verdict(error)[0] == expected


def test_gradcheck_reports_the_worst_entry():
    wrong = 3 * X**2
    wrong[1, 0] *= 1.01
    result = gradcheck(cube, wrong, X)
    assert result.worst == (1, 0) and result.verdict == "uncomfortable" and not result.ok
    assert "(1, 0)" in str(result)
    assert gradcheck(cube, lambda v: 3 * v**2, X).ok


def test_relative_error_is_zero_where_both_are_zero():
    assert relative_error([0.0, 1.0], [0.0, 1.0]).max() == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: numerical_grad(cube, X, method="backward"), "method must be"),
        (lambda: numerical_grad(cube, X, h=-1.0), "positive"),
        (lambda: numerical_grad(cube, X.astype(np.float32), h=1e-12), "too small"),
        (lambda: numerical_grad(cube, np.array([1, 2])), "floating-point"),
        (lambda: numerical_grad(cube, np.array([np.nan])), "NaN"),
        (lambda: numerical_grad(cube, np.zeros(0)), "empty"),
        (lambda: numerical_grad(lambda v: v, X), "single number"),
        (lambda: numerical_grad(lambda v: float(np.abs(v).sum()), X, "complex"), "complex-step"),
        (lambda: gradcheck(cube, np.zeros(3), X), "shape"),
        (lambda: relative_error([1.0], [1.0, 2.0]), "different shapes"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()

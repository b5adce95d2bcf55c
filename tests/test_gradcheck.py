"""derivation.gradcheck: numerical gradients, verdicts, and clear errors."""

from functools import partial

import numpy as np
import pytest

from derivation import numeric as N
from derivation.gradcheck import (
    bands,
    comparison_table,
    default_step,
    error_vs_step,
    fine_bound,
    gradcheck,
    numerical_grad,
    relative_error,
    verdict,
)


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


# ----------------------------------------------------------- issue 10: honest verdicts
CONFIDENT = np.array([[40.0, 0.0, 0.0], [0.0, 41.0, 0.5]])
CONFIDENT_Y = np.array([0, 1])


def confident_loss(v):
    return N.cross_entropy(v, CONFIDENT_Y)


@pytest.mark.parametrize("method", ["complex", "central", "forward"])
def test_a_zero_or_sign_flipped_gradient_is_wrong_where_the_true_one_is_tiny(method):
    right = N.cross_entropy_grad(CONFIDENT, CONFIDENT_Y)
    assert 1e-18 < np.abs(right).max() < 1e-17  # small, but far above any rounding
    zero = gradcheck(confident_loss, np.zeros_like(CONFIDENT), CONFIDENT, method=method)
    flipped = gradcheck(confident_loss, -right, CONFIDENT, method=method)
    assert zero.verdict == "wrong" and zero.max_error >= 0.5, str(zero)
    assert flipped.verdict == "wrong" and flipped.max_error >= 1.0, str(flipped)
    result = gradcheck(confident_loss, right, CONFIDENT, method=method)
    if method != "forward":
        assert result.ok, str(result)
        return
    # issue 16: forward differences are wrong here by more than the fine bound of the gradient
    # (truncation: the step of x = 40 is 6e-7), so "fine" (as before, by a floor of 8 times the
    # gradient) would certify what the numerical gradient cannot see
    actual = np.abs(result.numerical - right).max()
    assert actual > result.fine_below * np.abs(right).max()
    assert result.verdict == "cannot check" and "method='complex'" in result.reason, str(result)


def test_verdicts_do_not_change_when_f_is_scaled():
    rng = np.random.default_rng(11)
    z, y = rng.normal(size=(4, 3)), np.array([0, 2, 1, 1])
    for scale in (1e-200, 1e-20, 1.0, 1e20):
        loss = lambda v, s=scale: s * N.cross_entropy(v, y)  # noqa: E731
        right = gradcheck(loss, lambda v, s=scale: s * N.cross_entropy_grad(v, y), z)
        zero = gradcheck(loss, np.zeros_like(z), z)
        assert (right.verdict, zero.verdict) == ("fine", "wrong"), (scale, str(right), str(zero))


@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0, 30.0])
def test_a_right_float32_gradient_is_fine_with_the_default_method(scale):
    rng = np.random.default_rng(int(scale * 10))
    for _ in range(20):
        z = (rng.normal(size=(6, 5)) * scale).astype(np.float32)
        y = rng.integers(0, 5, 6)
        loss, grad = partial(N.cross_entropy, y=y), partial(N.cross_entropy_grad, y=y)
        result = gradcheck(loss, grad, z)
        assert result.ok and result.dtype == "float32", str(result)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("method", ["complex", "central", "forward"])
def test_right_gradients_are_fine_and_real_bugs_are_not_in_either_precision(dtype, method):
    from derivation import bugs

    rng = np.random.default_rng(3)
    z, y = rng.normal(size=(5, 4)).astype(dtype), np.array([0, 3, 1, 2, 3])
    loss = lambda v: N.cross_entropy(v, y)  # noqa: E731
    assert gradcheck(loss, lambda v: N.cross_entropy_grad(v, y), z, method=method).ok
    for name, (function, is_wrong) in bugs.BUGS.items():
        result = gradcheck(loss, lambda v, g=function: g(v, y), z, method=method)
        assert result.ok != is_wrong, (name, str(result))


def test_the_bands_depend_on_dtype_and_method():
    assert fine_bound("complex") == fine_bound("central") == 1e-7  # the CS231n bands
    assert [b[0] for b in bands()] == [1e-7, 1e-4, 1e-2, np.inf]
    assert fine_bound("complex", np.float32) == pytest.approx(100 * np.finfo(np.float32).eps)
    assert fine_bound("complex", np.float64, np.float32) == fine_bound("complex", np.float32)
    assert fine_bound("complex", np.float32) < fine_bound("central", np.float32)
    assert fine_bound("central", np.float32) < fine_bound("forward", np.float32) < 1e-2
    assert verdict(1e-6, fine=1e-5)[0] == "fine" and verdict(1e-6)[0] == "suspicious"


def test_a_float32_gradient_of_a_float64_point_is_judged_in_float32():
    z, y = np.random.default_rng(4).normal(size=(3, 4)), np.array([0, 1, 3])
    g32 = N.cross_entropy_grad(z, y).astype(np.float32)
    result = gradcheck(lambda v: N.cross_entropy(v, y), g32, z)
    assert result.ok and result.dtype == "float32", str(result)


def in_place_loss(v):
    """Cross-entropy of CONFIDENT_Y-like labels, computed by overwriting its argument."""
    v -= v.max(axis=-1, keepdims=True)
    np.exp(v, out=v)
    v /= v.sum(axis=-1, keepdims=True)
    return -np.log(v[np.arange(v.shape[0]), [0, 1]]).sum()


@pytest.mark.parametrize("method", ["central", "forward"])
def test_f_and_grad_get_copies_so_in_place_functions_are_fine(method):
    z = np.array([[1.0, -0.5, 0.3], [0.2, 0.1, -1.0]])
    before = z.copy()

    def in_place_grad(v):
        v[...] = N.cross_entropy_grad(v, [0, 1])
        return v

    result = gradcheck(in_place_loss, in_place_grad, z, method=method)
    assert result.ok, str(result)
    np.testing.assert_array_equal(z, before)


@pytest.mark.parametrize("method", ["central", "forward", "complex"])
def test_the_step_scales_with_x(method):
    x = np.array([1e6, -3e5])  # a fixed step of 6e-6 would be lost in rounding next to 1e6
    g = numerical_grad(lambda v: (v**3).sum(), x, method=method)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-6 if method == "forward" else 1e-9)
    assert gradcheck(lambda v: (v**3).sum(), lambda v: 3 * v**2, x, method=method).ok


def test_an_absolute_floor_can_still_be_asked_for_and_f_must_be_finite():
    # the old absolute floor of 1e-10 called a zero gradient "fine" here (the true one is about
    # 1e-17); a user's floor is now capped at the largest entry G, so it cannot turn the check off
    tiny = gradcheck(confident_loss, np.zeros_like(CONFIDENT), CONFIDENT, floor=1e-10)
    assert tiny.verdict == "wrong" and np.all(tiny.floor <= np.abs(tiny.numerical).max())
    x = np.array([0.5, -1.0])
    assert gradcheck(cube, lambda v: 3 * v**2 * (1 + 1e-9), x, floor=1e300).ok
    with pytest.raises(ValueError, match="finite"):
        gradcheck(lambda v: float("inf"), np.zeros(2), np.ones(2), method="central")


def test_the_report_names_dtype_method_and_bound():
    text = str(gradcheck(cube, lambda v: 3 * v**2, X.astype(np.float32)))
    assert text.startswith("fine:") and "complex, float32, fine up to 1.2e-05" in text


def test_comparison_table_lists_entries_and_errors():
    g = np.array([[1.0, -2.0]])
    text = comparison_table({"a": g, "b": g * (1 + 1e-9)}, reference="a")
    lines = text.splitlines()
    assert lines[0].split() == ["entry", "a", "b"]
    assert len(lines) == 4 and lines[-1].startswith("max rel. error")
    assert "1.0e-09" in lines[-1]
    with pytest.raises(ValueError, match="reference"):
        comparison_table({"a": g}, reference="c")
    with pytest.raises(ValueError, match="shape"):
        comparison_table({"a": g, "b": g.ravel()}, reference="a")


def test_error_vs_step_has_the_u_shape_for_central_differences():
    z = np.array([[0.3, -0.2, 0.1]])
    exact = N.cross_entropy_grad(z, [1])
    steps = np.logspace(-14, -1, 14)
    errors = error_vs_step(lambda v: N.cross_entropy(v, [1]), exact, z, steps, "central")
    best = errors.argmin()
    assert 0 < best < len(steps) - 1 and errors[best] < 1e-9
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]
    flat = error_vs_step(lambda v: N.cross_entropy(v, [1]), exact, z, steps, "complex")
    assert flat[steps <= 1e-6].max() < 1e-13  # no round-off at all: only O(h^2) truncation
    with pytest.raises(ValueError, match="positive"):
        error_vs_step(lambda v: 0.0, exact, z, [0.0])

"""gradcheck's guards (issue B2): the holes a reviewer found, each a regression test and family.

1. A non-analytic ``f`` (np.abs, np.linalg.norm, np.vdot, .real, np.sign) fools the complex step:
   it is cross-checked against central differences.
2. A float16 analytic gradient stretches the bands: refused.
3. Gradients in the subnormal range (or all zero) cannot be told from an underflow: "cannot check".
4. A user's floor larger than the gradient turned the check off: capped at the largest entry.
6. A large step outside the asymptotic regime made a right gradient "wrong": a third step checks it.
10. ``h`` of the wrong type, and ``f`` returning a str, bool or complex number: clear errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_gradcheck_noise import RIGHT_VERDICTS, assert_honest

from derivation import numeric
from derivation.differences import numerical_grad
from derivation.gradcheck import fine_bound, gradcheck

X3 = np.array([0.5, -1.0, 2.0])
LAM = 0.3


def square(v):
    return (v**2).sum()


# ------------------------------------------------- 1. f that is not complex-analytic
NON_ANALYTIC = {  # a term, and its true gradient (the complex step drops or bends it)
    "norm squared": (lambda w: LAM * np.linalg.norm(w) ** 2, lambda w: 2 * LAM * w),
    "abs": (lambda w: np.abs(w).sum(), np.sign),
    "builtin abs": (lambda w: abs(w).sum(), np.sign),
    "vdot": (lambda w: LAM * np.vdot(w, w), lambda w: 2 * LAM * w),
    ".real": (lambda w: (w**2).real.sum(), lambda w: 2 * w),
    "sign": (lambda w: LAM * np.sign(w).sum(), np.zeros_like),
    "norm": (lambda w: np.linalg.norm(w), lambda w: w / np.linalg.norm(w)),
}


def test_the_reviewers_regulariser_is_not_fine_and_the_right_gradient_is_not_wrong():
    f = lambda w: (w**3).sum() + LAM * np.linalg.norm(w) ** 2  # noqa: E731
    missing = gradcheck(f, lambda w: 3 * w**2, X3)
    right = gradcheck(f, lambda w: 3 * w**2 + 2 * LAM * w, X3)
    for result in (missing, right):
        assert result.verdict == "cannot check" and "not complex-safe" in result.reason
        assert "method='central'" in result.reason, str(result)
    assert gradcheck(f, lambda w: 3 * w**2 + 2 * LAM * w, X3, method="central").ok
    assert gradcheck(f, lambda w: 3 * w**2, X3, method="central").verdict == "wrong"


@pytest.mark.parametrize("name", list(NON_ANALYTIC))
def test_a_non_analytic_term_never_makes_the_complex_step_say_fine(name):
    term, term_grad = NON_ANALYTIC[name]
    f = lambda w: (w**3).sum() + term(w)  # noqa: E731
    true = 3 * X3**2 + term_grad(X3)
    seen = numerical_grad(f, X3, "complex")  # what the complex step believes
    size = np.abs(true).max()
    assert np.abs(seen - true).max() > 10 * fine_bound("complex") * size  # a real hole
    result = assert_honest(f, true, X3, "complex")
    assert result.verdict == "cannot check" and "complex-safe" in result.reason, str(result)
    assert gradcheck(f, seen, X3).verdict != "fine"  # the complex step's own answer
    assert gradcheck(f, true, X3, method="central").ok  # central differences see the term


@pytest.mark.parametrize(
    ("term", "term_grad"),
    [
        (lambda w: np.maximum(w, 0.0).sum(), lambda w: (w > 0).astype(float)),
        (lambda w: np.round(2 * w).sum(), np.zeros_like),
        (lambda w: np.where(w.real > 0, w, -w).sum(), np.sign),  # abs written analytically
    ],
    ids=["maximum", "round", "where"],
)
def test_a_term_the_complex_step_gets_right_away_from_its_kinks_is_fine(term, term_grad):
    """np.maximum keeps the imaginary part of the larger entry, np.round makes a step function
    whose derivative is zero either way: no false alarm from the cross-check there."""
    f = lambda w: (w**3).sum() + term(w)  # noqa: E731
    true = 3 * X3**2 + term_grad(X3)
    assert assert_honest(f, true, X3, "complex").ok


def test_an_analytic_f_still_passes_the_cross_check_in_both_precisions():
    rng = np.random.default_rng(7)
    z, y = rng.normal(size=(4, 5)), rng.integers(0, 5, 4)
    for dtype in (np.float64, np.float32):
        zz = z.astype(dtype)
        result = gradcheck(lambda v: numeric.cross_entropy(v, y), numeric.cross_entropy_grad(zz, y),
                           zz)  # fmt: skip
        assert result.ok, str(result)


# ------------------------------------------------- 2. float16 gradients
@pytest.mark.parametrize(
    "make",
    [
        lambda w: (-2 * w).astype(np.float16),
        lambda w: (2 * w).astype(np.float16),
        lambda w: [np.float16(v) for v in 2 * w],  # a list of float16 scalars
        lambda w: np.array([np.float16(v) for v in 2 * w], dtype=object),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_float16_gradient_is_refused_with_what_to_do(make, dtype):
    with pytest.raises(ValueError, match=r"float16, too coarse.*float32 or float64"):
        gradcheck(square, make, X3.astype(dtype))


# ------------------------------------------------- 3. the subnormal range
def test_cross_entropy_gradients_in_the_subnormal_range_cannot_be_checked():
    labels, z = np.array([0]), np.array([[0.0, -740.0, -740.0]])
    g = numeric.cross_entropy_grad(z, labels)
    assert 0 < np.abs(g).max() < np.finfo(float).tiny  # subnormal
    f = lambda v: numeric.cross_entropy(v, labels)  # noqa: E731
    for method in ("complex", "central", "forward"):
        for grad in (g, -g, np.zeros_like(z)):
            result = gradcheck(f, grad, z, method=method)
            assert result.verdict == "cannot check", (method, str(result))
        assert gradcheck(f, np.ones_like(z), z, method=method).verdict == "wrong"


@pytest.mark.parametrize("method", ["complex", "central", "forward"])
@pytest.mark.parametrize(
    ("f", "right", "x"),
    [
        (lambda v: 1e-310 * (v**2).sum(), lambda v: 2e-310 * v, np.array([0.5, -1.0])),
        (square, lambda v: 2 * v, np.array([1e-305, -2e-305])),
        (lambda v: 1e-300 * (v**2).sum(), lambda v: 2e-300 * v, np.array([0.5, -1.0])),
    ],
)
def test_gradients_below_the_range_are_cannot_check_whatever_their_sign(method, f, right, x):
    r = right(x)
    for grad in (r, -r, np.zeros_like(r)):
        result = gradcheck(f, grad, x, method=method)
        assert result.verdict == "cannot check" and result.reason, str(result)
        if np.abs(result.numerical).max() < 1e-292:  # else: forward's step 1.5e-8 >> |x|
            assert "floating-point range" in result.reason or "exactly zero" in result.reason


def test_float32_has_its_own_range_for_finite_differences():
    x = np.array([0.5, -1.0], dtype=np.float32)
    c = np.float32(1e-35)  # gradient 1e-35: normal in float32 but below tiny / eps = 1e-31
    f = lambda v: c * (v**2).sum()  # noqa: E731
    for method in ("central", "forward"):
        for grad in (2 * c * x, np.zeros_like(x)):
            assert gradcheck(f, grad, x, method=method).verdict == "cannot check"
    # the complex step works in complex128, where 1e-35 is far inside the range
    assert gradcheck(f, 2 * c * x, x).ok and gradcheck(f, np.zeros_like(x), x).verdict == "wrong"


def test_a_tiny_complex_step_narrows_the_range():
    x = np.array([0.5, -1.0])
    f = lambda v: 1e-280 * (v**2).sum()  # noqa: E731
    assert gradcheck(f, np.zeros(2), x).verdict == "wrong"  # default h = 1e-20: resolved
    result = gradcheck(f, np.zeros(2), x, h=1e-40)  # Im f(x + ih) = 1e-320: subnormal
    assert result.verdict == "cannot check" and "floating-point range" in result.reason


def test_an_all_zero_gradient_cannot_be_told_from_an_underflow():
    result = gradcheck(square, np.zeros(3), np.zeros(3))
    assert result.verdict == "cannot check" and "exactly zero" in result.reason, str(result)
    assert gradcheck(square, np.ones(3), np.zeros(3)).verdict == "wrong"


# ------------------------------------------------- 4. a user's floor
@pytest.mark.parametrize("floor", [1e-10, 1.0, 1e300])
@pytest.mark.parametrize("method", ["complex", "central", "forward"])
def test_a_large_floor_does_not_turn_the_check_off(floor, method):
    x = np.array([0.5, -1.0])
    for bad in (-2 * x, np.zeros(2), 1.5 * 2 * x):
        assert gradcheck(square, bad, x, method=method, floor=floor).verdict == "wrong"
    result = gradcheck(square, 2 * x, x, method=method, floor=floor)
    assert result.ok and np.all(result.floor <= np.abs(2 * x).max()), str(result)


# ------------------------------------------------- 6. a large step
SIN = (lambda v: np.sin(2 * v).sum(), lambda v: 2 * np.cos(2 * v))
EXP = (lambda v: np.exp(3.8 * v).sum(), lambda v: 3.8 * np.exp(3.8 * v))
XS = np.array([0.37, -0.69, -0.23])


@pytest.mark.parametrize(
    ("fg", "method", "h"),
    [(SIN, "central", np.pi), (EXP, "complex", np.pi / 2), (SIN, "forward", 0.64),
     (SIN, "forward", 3.1)],
)  # fmt: skip
def test_the_reviewers_large_steps_do_not_make_a_right_gradient_wrong(fg, method, h):
    f, g = fg
    result = assert_honest(f, g(XS), XS, method, h=h)
    assert result.verdict == "cannot check" and "smaller h" in result.reason, str(result)


@pytest.mark.parametrize("method", ["complex", "central", "forward"])
@pytest.mark.parametrize("fg", [SIN, EXP], ids=["sin", "exp"])
def test_no_step_makes_a_right_gradient_wrong_or_a_wrong_one_fine(fg, method):
    f, g = fg
    for h in np.concatenate([np.geomspace(1e-3, 3.5, 15), [np.pi / 2, np.pi, 2 * np.pi]]):
        assert_honest(f, g(XS), XS, method, h=float(h))


# ------------------------------------------------- 10. types
@pytest.mark.parametrize("h", [True, "1e-5", [1e-5], 1j])
def test_a_step_that_is_not_a_real_number_is_a_type_error(h):
    with pytest.raises(TypeError, match="step h must be"):
        gradcheck(square, 2 * X3, X3, method="central", h=h)


@pytest.mark.parametrize("value", ["1.0", True, np.bool_(False), None])
@pytest.mark.parametrize("method", ["complex", "central", "forward"])
def test_f_returning_something_other_than_a_number_is_a_type_error(value, method):
    with pytest.raises(TypeError, match="f must return a real number"):
        gradcheck(lambda v: value, 2 * X3, X3, method=method)


@pytest.mark.parametrize("method", ["central", "forward"])
def test_f_returning_a_complex_number_for_real_input_is_refused(method):
    with pytest.raises(ValueError, match=r"complex number .* for real input"):
        gradcheck(lambda v: square(v) + 1j, 2 * X3, X3, method=method)
    assert gradcheck(lambda v: square(v) + 0j, 2 * X3, X3, method=method).verdict in RIGHT_VERDICTS

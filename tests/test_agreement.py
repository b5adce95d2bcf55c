"""derivation.agreement: a numerical check shown as one honest line."""

import numpy as np
import pytest

from derivation.agreement import Agreement, agree, holds


def test_identical_arrays_are_said_identical_only_when_exact():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert agree("a = b", a, a.copy(), exact=True).line() == "✔ a = b: identical, entry by entry"
    assert agree("a = b", a, a.copy()).line() == "✔ a = b: largest difference 0"


def test_a_difference_is_reported_with_its_size_and_fails_when_beyond_tolerance():
    a = np.array([1.0, 2.0])
    close = agree("a = b", a, a + np.array([2.3e-16, 0.0]))
    assert close and close.detail == "largest difference 2.2e−16"
    far = agree("a = b", a, a + np.array([0.0, 1e-6]))
    assert not far and far.line() == "✘ a = b: largest difference 1e−6"
    exact = agree("a = b", a, a + np.array([0.0, 4e-16]), exact=True)
    assert not exact and "4.4e−16" in exact.detail


def test_shapes_nan_and_empty_are_honest():
    assert not agree("a = b", np.zeros(3), np.zeros(4))
    assert "shapes (3,) and (4,) differ" in agree("a = b", np.zeros(3), np.zeros(4)).detail
    nan = np.array([np.nan, 1.0])
    assert agree("a = b", nan, nan.copy(), exact=True)
    assert not agree("a = b", nan, np.array([0.0, 1.0]))
    assert not agree("a = b", nan, nan.copy())  # allclose: NaN is not close to NaN
    assert agree("a = b", np.zeros(0), np.zeros(0)).detail == "both empty"


def test_holds_takes_one_bool_and_refuses_arrays():
    assert holds("J never rises", np.bool_(True)).line() == "✔ J never rises"
    assert holds("J never rises", False).line() == "✘ J never rises"
    with pytest.raises(TypeError, match="shape"):
        holds("x", np.array([True, False]))
    with pytest.raises(TypeError, match="needs a bool"):
        holds("x", 1)
    with pytest.raises(ValueError, match="one-line label"):
        Agreement("two\nlines", True)


def test_html_is_coloured_by_the_outcome_and_escaped():
    assert "#007a5a" in holds("a < b", True)._repr_html_()
    assert "a &lt; b" in holds("a < b", False)._repr_html_()
    assert "#b34700" in holds("a < b", False)._repr_html_()

"""derivation.checks: the shared input checks say what was wrong and what was expected."""

import numpy as np
import pytest

from derivation.checks import as_float, check_finite, check_logits, check_reduction, class_indices


def test_good_input_passes_through():
    z = np.zeros((2, 3), np.float32)
    assert check_logits(z) is z
    assert as_float([1, 2], "x").dtype == np.float64  # a list of whole numbers: float64
    np.testing.assert_array_equal(class_indices([2, 0], (2, 3)), [2, 0])
    np.testing.assert_array_equal(class_indices(np.eye(3)[[2, 0]], (2, 3)), [2, 0])
    check_reduction("mean")
    check_finite(z, "z")
    assert check_logits([np.inf, 0.0], require_finite=False).shape == (2,)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: as_float(np.array([1, 2]), "x"), r"x must be floating point .* x.astype"),
        (lambda: as_float(["a"], "x", allow_complex=True), "floating point or complex"),
        (lambda: check_finite(np.array([0.0, np.nan]), "w"), r"w contains NaN at index \(1,\)"),
        (lambda: check_logits(np.zeros((2, 1))), "at least two classes on the last axis"),
        (lambda: check_logits(np.zeros((0, 3))), "empty batch"),
        (lambda: check_logits(np.zeros(3), axis=1), "axis 1 is out of range"),
        (lambda: check_logits(np.zeros(3), axis=0.5), "whole number"),
        (
            lambda: class_indices([3], (1, 3)),
            r"class index 3 in y is out of range; expected 0\.\.2",
        ),
        (lambda: class_indices([[0.0, 1.0]], (1, 3), name="Y", logits="X"), "Y of shape .* X of"),
        (lambda: class_indices([[1, 1, 0]], (1, 3)), r"row \(0,\) sums to 2"),
        (lambda: class_indices([0.0], (1, 3)), "must be integers"),
        (lambda: check_reduction("none"), "reduction must be 'sum' or 'mean'"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()

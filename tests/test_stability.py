"""derivation.stability: thresholds from np.finfo, naive versions failing, exact break points."""

import numpy as np
import pytest

from derivation import numeric as N
from derivation.stability import (
    exp_thresholds,
    first_failure,
    naive_cross_entropy,
    naive_softmax,
    route_breaks,
)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_thresholds_are_where_exp_leaves_the_range(dtype):
    t = exp_thresholds(dtype)
    with np.errstate(over="ignore", under="ignore"):
        assert np.isfinite(np.exp(dtype(t["overflow"] * 0.999)))
        assert np.isinf(np.exp(dtype(t["overflow"] * 1.001)))
        assert np.exp(-dtype(t["underflow"] * 0.999)) > 0
        assert np.exp(-dtype(t["underflow"] * 1.001)) == 0
    assert t["normal"] < t["overflow"] < t["underflow"]


def test_known_values():
    t64, t32 = exp_thresholds(np.float64), exp_thresholds(np.float32)
    assert t64["overflow"] == pytest.approx(709.78, abs=0.01)
    assert t64["underflow"] == pytest.approx(745.13, abs=0.01)
    assert t32["overflow"] == pytest.approx(88.72, abs=0.01)
    assert t32["underflow"] == pytest.approx(103.97, abs=0.01)


def test_naive_softmax_turns_nan_where_the_stable_one_does_not():
    assert np.isnan(naive_softmax(np.array([710.0, 0.0]))).any()
    assert np.all(np.isfinite(N.softmax(np.array([710.0, 0.0]))))
    np.testing.assert_allclose(naive_softmax(np.array([1.0, 2.0])), N.softmax([1.0, 2.0]))


def test_naive_loss_is_nan_even_for_a_perfect_prediction():
    z = np.array([[800.0, 0.0]])
    assert np.isnan(naive_cross_entropy(z, [0]))
    assert N.cross_entropy(z, [0]) == 0.0


def test_first_failure_finds_the_last_bit():
    x = first_failure(lambda v: v * v > 2.0, 1.0, 2.0)
    assert x * x > 2.0 and np.nextafter(x, 0) ** 2 <= 2.0
    with pytest.raises(ValueError, match="expected no failure"):
        first_failure(lambda v: True, 0.0, 1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_route_breaks_exactly_there(dtype):
    breaks = route_breaks(dtype)
    t = exp_thresholds(dtype)
    assert breaks["-y/h overflows"] == pytest.approx(t["overflow"], rel=1e-6)
    assert breaks["h underflows"] == pytest.approx(t["underflow"], rel=1e-6)
    first = dtype(breaks["-y/h overflows"])
    just_before = np.nextafter(first, dtype(0))
    assert np.all(np.isfinite(N.jacobian_route_grad(np.array([[0, just_before]], dtype), [0])))
    assert np.all(np.isinf(N.jacobian_route_grad(np.array([[0, first]], dtype), [0])))
    gone = np.array([[0, breaks["h underflows"]]], dtype)
    assert np.all(np.isnan(N.jacobian_route_grad(gone, [0])))
    assert np.all(np.isfinite(N.cross_entropy_grad(gone, [0])))


def test_the_naive_versions_stay_naive_in_float16_while_the_package_widens():
    z = np.array([11.1, 0.0], dtype=np.float16)  # e^11.1 overflows float16
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(naive_softmax(z)).any()
    stable = N.softmax(z)
    assert stable.dtype == np.float16 and np.all(np.isfinite(stable))
    assert stable[1] == np.float16(N.softmax(z.astype(np.float32))[1])

"""Where softmax code breaks in floating point, computed rather than quoted.

The naive functions here are the unstable versions people write first; they
exist to be compared with the stable ones in :mod:`derivation.numeric`.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import numpy as np
from numpy.typing import ArrayLike

from .checks import check_logits, class_indices
from .numeric import one_hot, softmax

__all__ = [
    "exact_h_minus_one",
    "exp_thresholds",
    "first_failure",
    "naive_cross_entropy",
    "naive_softmax",
    "route_breaks",
]


def exp_thresholds(dtype: np.dtype | type) -> dict[str, float]:
    """The arguments at which ``exp`` and ``1/h`` leave the range of ``dtype``.

    Parameters
    ----------
    dtype : numpy floating dtype
        float16, float32 or float64.

    Returns
    -------
    dict
        ``"overflow"``: ``log(max)``, beyond which ``exp(x)`` is inf (and
        naive softmax of a logit this large is inf/inf = NaN);
        ``"normal"``: ``-log(tiny)``, beyond which ``exp(-x)`` is subnormal
        (precision is lost);
        ``"underflow"``: ``-log(smallest subnormal / 2)``, beyond which
        ``exp(-x)`` rounds to 0.

    Examples
    --------
    >>> {k: round(v, 2) for k, v in exp_thresholds(np.float64).items()}
    {'overflow': 709.78, 'normal': 708.4, 'underflow': 745.13}
    """
    info = np.finfo(dtype)
    if info.dtype.kind != "f":
        raise ValueError(f"dtype must be a floating type, got {dtype!r}")
    smallest = float(info.smallest_subnormal)
    return {
        "overflow": float(np.log(float(info.max))),
        "normal": -float(np.log(float(info.tiny))),
        "underflow": -float(np.log(smallest)) + float(np.log(2.0)),  # smallest/2 is 0 in float64
    }


def naive_softmax(z: ArrayLike) -> np.ndarray:
    """Softmax WITHOUT subtracting the maximum: ``exp(z) / sum(exp(z))``.

    Overflows to ``inf / inf = NaN`` once a logit exceeds
    ``exp_thresholds(dtype)["overflow"]``.  For demonstration only.
    """
    z = check_logits(z)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def naive_cross_entropy(z: ArrayLike, y: ArrayLike) -> np.floating:
    """``-sum(Y * log(P))`` with P from the stable softmax, as often written.

    When any probability underflows to 0, ``log(0) = -inf`` and ``0 * -inf``
    is NaN: the loss is NaN even if the true class is predicted perfectly.
    For demonstration only.
    """
    z = check_logits(z)
    Y = one_hot(class_indices(y, z.shape).reshape(-1), z.shape[-1]).reshape(z.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(Y * np.log(softmax(z))).sum()


def first_failure(
    fails: Callable[[float], bool], lo: float, hi: float, *, dtype: type = np.float64
) -> float:
    """The smallest ``x`` in ``(lo, hi]`` where ``fails(x)`` is True, to the last bit.

    Bisection on the floating-point numbers between ``lo`` and ``hi``;
    ``fails`` must be False at ``lo``, True at ``hi``, and switch once.

    Parameters
    ----------
    fails : callable
        ``fails(x) -> bool``.
    lo, hi : float
        A point where it holds and one where it fails.
    dtype : numpy floating type, default float64
        The grid of numbers to search (``x`` is passed as this type).

    Returns
    -------
    float
        The first failing value: its predecessor in ``dtype`` does not fail.

    Examples
    --------
    >>> first_failure(lambda x: x > 2.5, 0.0, 10.0)
    2.5000000000000004
    """
    lo, hi = dtype(lo), dtype(hi)
    if fails(lo) or not fails(hi):
        raise ValueError(f"expected no failure at lo={lo} and a failure at hi={hi}")
    while np.nextafter(lo, hi) < hi:
        mid = dtype(lo + (hi - lo) / 2)
        if mid in (lo, hi):
            mid = np.nextafter(lo, hi)
        if fails(mid):
            hi = mid
        else:
            lo = mid
    return float(hi)


def route_breaks(dtype: type = np.float64) -> dict[str, float]:
    """The exact logit gaps where the student's route stops being finite.

    Logits ``(0, gap)`` with the true class the one at 0, so its probability
    ``h = 1 / (1 + e^gap)`` shrinks as the gap grows.

    Returns
    -------
    dict
        ``"-y/h overflows"``: the first gap at which ``-y/h`` is -inf while
        ``h`` is still positive (its reciprocal exceeds the largest number);
        ``"h underflows"``: the first gap at which ``h`` itself is 0.
    """
    dtype = np.dtype(dtype).type

    def h_of(gap):
        return softmax(np.array([0.0, gap], dtype=dtype))[0]

    def overflows(gap):
        with np.errstate(divide="ignore", over="ignore"):
            return not np.isfinite(dtype(-1) / h_of(gap))

    top = dtype(2 * exp_thresholds(dtype)["underflow"])
    return {
        "-y/h overflows": first_failure(overflows, 1.0, top, dtype=dtype),
        "h underflows": first_failure(lambda g: h_of(g) == 0, 1.0, top, dtype=dtype),
    }


def exact_h_minus_one(z: ArrayLike, c: int) -> float:
    """``softmax(z)[c] - 1`` computed with mpmath, correctly rounded to float64.

    The working precision grows with the spread of the logits, so that
    ``exp(-gap)`` is resolved next to 1 at any gap.

    Parameters
    ----------
    z : array_like, shape (K,)
        One row of logits (finite floats).
    c : int
        The class whose probability is meant.

    Returns
    -------
    float
        The exact value, rounded once to float64.

    Examples
    --------
    >>> exact_h_minus_one([0.0, 40.0], 1)
    -4.248354255291589e-18
    """
    z = np.asarray(check_logits(z), dtype=np.float64)
    if z.ndim != 1 or not 0 <= c < z.size:
        raise ValueError(f"expected one row of logits and a class in 0..{z.size - 1}, got c={c}")
    digits = int(60 + float(np.ptp(z)) / 2.3)
    with mpmath.workdps(digits):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
        return float(e[c] / mpmath.fsum(e) - 1)

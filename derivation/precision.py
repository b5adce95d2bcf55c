"""Low precision: bfloat16, float16, float32 and float64, and where the softmax gradient breaks.

Formats
-------
float16, float32 and float64 are NumPy's.  bfloat16 (8 significant bits, the
exponent range of float32) is not a NumPy dtype: :func:`to_bfloat16` rounds
float32 values to the nearest bfloat16 (ties to even, on the float32 bit
pattern) and keeps them in a float32 array, which holds every bfloat16 value
exactly.  An operation "in bfloat16" is done in float32 and its result rounded
to bfloat16, as hardware that computes in float32 and stores bfloat16 does.
For float16, NumPy likewise computes ``exp`` and ``log`` in float32 and rounds
the result.

Thresholds
----------
For logits ``z = (g, 0, ..., 0)`` (the top class ahead by a gap ``g`` of
K - 1 equal others), :func:`top_gradient` computes the top class's gradient
entry ``h_1 - 1`` (its true class: ``-(1 - h_1)``) the way the usual kernel
does, each operation rounded to the format: ``e = exp(z - max)``,
``s = e_1 + e_2 + ...`` from left to right, ``h_1 = e_1 / s``, then
``h_1 - 1``.  :func:`threshold` finds the smallest representable number at
which a property starts to hold, by bisection over the format's bit
patterns, and confirms it on its neighbours.  :func:`thresholds` gives, per
format: the gap from which ``h_1 - 1`` is exactly 0 (the gradient of a
confident, right sample vanishes), the logit from which ``exp`` overflows,
the gap from which the loss ``-log h_1`` is exactly 0, and the gap from which
the loss of the *other* class, ``-log h_2``, is infinite (``h_2``
underflowed to 0), all computed naively, as written.

Two remedies are shown: loss scaling (:func:`scaled_round_trip`), and the
fused log-softmax kernel (:func:`fused_grad`), which computes
``log h = z - max - log sum e^{z - max}`` and the gradient ``exp(log h) - y``
without ever dividing by ``h``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from .checks import as_float

__all__ = [
    "FORMATS",
    "PRECISION_BITS",
    "fused_grad",
    "largest",
    "naive_route_grad",
    "next_down",
    "next_up",
    "round_to",
    "scaled_round_trip",
    "smallest",
    "threshold",
    "thresholds",
    "to_bfloat16",
    "top_gradient",
    "top_loss",
]

Format = Literal["bfloat16", "float16", "float32", "float64"]
FORMATS = ("bfloat16", "float16", "float32", "float64")
#: significant bits (the leading one included) of each format
PRECISION_BITS = {"bfloat16": 8, "float16": 11, "float32": 24, "float64": 53}
_CARRIER = {"bfloat16": np.float32, "float16": np.float16, "float32": np.float32,
            "float64": np.float64}  # fmt: skip
_UINT = {"bfloat16": np.uint16, "float16": np.uint16, "float32": np.uint32, "float64": np.uint64}
#: the bit pattern of the largest finite number of each format
_LARGEST_BITS = {"bfloat16": 0x7F7F, "float16": 0x7BFF, "float32": 0x7F7FFFFF,
                 "float64": 0x7FEFFFFFFFFFFFFF}  # fmt: skip


def _check_format(fmt: object) -> str:
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    return fmt


def to_bfloat16(x: ArrayLike) -> np.ndarray:
    """Round to the nearest bfloat16 (ties to even), kept as float32.

    Parameters
    ----------
    x : array_like
        Numbers; converted to float32 first (float64 input is therefore rounded
        twice, which can differ from a direct rounding only at a tie).

    Returns
    -------
    ndarray of float32, same shape
        Each value a bfloat16: its low 16 bits are 0.  NaN stays NaN (a quiet
        NaN), infinities stay infinite, and values beyond the largest bfloat16
        (by half an ulp or more) become infinite.

    Examples
    --------
    >>> to_bfloat16([1.0 + 2.0**-8, 1.0 + 3 * 2.0**-8, np.nan]).tolist()  # ties go to even
    [1.0, 1.015625, nan]
    """
    x = np.asarray(x, dtype=np.float32)
    bits = x.view(np.uint32).astype(np.uint64)
    nan = np.isnan(x)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    rounded = np.where(nan, (bits | 0x00400000) & 0xFFFF0000, rounded)
    return rounded.astype(np.uint32).view(np.float32).reshape(x.shape)


def round_to(x: ArrayLike, fmt: Format) -> np.ndarray:
    """``x`` rounded to the nearest number of ``fmt`` (ties to even).

    Parameters
    ----------
    x : array_like
        Real numbers.
    fmt : {"bfloat16", "float16", "float32", "float64"}

    Returns
    -------
    ndarray
        float16, float32 or float64; bfloat16 values are held in float32.

    Examples
    --------
    >>> round_to(1 / 3, "bfloat16"), round_to(1 / 3, "float16")
    (array(0.33398438, dtype=float32), array(0.3333, dtype=float16))
    """
    _check_format(fmt)
    with np.errstate(over="ignore"):
        if fmt == "bfloat16":
            return to_bfloat16(x)
        return np.asarray(x).astype(_CARRIER[fmt])


def _in(fmt: str, f: Callable, *args) -> np.ndarray:
    """``f(*args)`` computed in the format's carrier dtype, then rounded to the format."""
    carrier = _CARRIER[fmt]
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        return round_to(f(*(np.asarray(a, dtype=carrier) for a in args)), fmt)


def _row_sum(e: np.ndarray, fmt: str) -> np.ndarray:
    """The sum of each row of ``e`` (m, K), left to right, rounded to ``fmt`` at every addition."""
    s = e[:, 0]
    for k in range(1, e.shape[1]):
        s = _in(fmt, np.add, s, e[:, k])
    return s


def _bits(x: float, fmt: str) -> int:
    value = np.asarray(round_to(x, fmt))
    if fmt == "bfloat16":
        return int(value.view(np.uint32)) >> 16
    return int(value.view(_UINT[fmt]))


def _value(bits: int, fmt: str) -> float:
    if fmt == "bfloat16":
        return float(np.asarray(bits << 16, dtype=np.uint32).view(np.float32))
    return float(np.asarray(bits, dtype=_UINT[fmt]).view(_CARRIER[fmt]))


def _positive_number(x: object, fmt: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise ValueError(f"expected a real number, got {x!r}")
    x = float(x)
    if not np.isfinite(x) or x <= 0 or float(round_to(x, fmt)) != x:
        raise ValueError(f"expected a positive finite number representable in {fmt}, got {x!r}")
    return x


def largest(fmt: Format) -> float:
    """The largest finite number of ``fmt``.

    Examples
    --------
    >>> largest("float16"), largest("bfloat16") == (2 - 2**-7) * 2.0**127
    (65504.0, True)
    """
    _check_format(fmt)
    return _value(_LARGEST_BITS[fmt], fmt)


def smallest(fmt: Format) -> float:
    """The smallest positive number of ``fmt`` (a subnormal one).

    Examples
    --------
    >>> smallest("float16") == 2.0**-24, smallest("bfloat16") == 2.0**-133
    (True, True)
    """
    _check_format(fmt)
    return _value(1, fmt)


def next_up(x: float, fmt: Format) -> float:
    """The next larger number of ``fmt`` after the positive number ``x`` (itself in ``fmt``).

    Examples
    --------
    >>> next_up(1.0, "bfloat16"), next_up(1.0, "float16")
    (1.0078125, 1.0009765625)
    """
    _check_format(fmt)
    return _value(_bits(_positive_number(x, fmt), fmt) + 1, fmt)


def next_down(x: float, fmt: Format) -> float:
    """The next smaller number of ``fmt`` before the positive number ``x`` (itself in ``fmt``).

    Examples
    --------
    >>> next_down(1.0, "bfloat16")
    0.99609375
    """
    _check_format(fmt)
    return _value(_bits(_positive_number(x, fmt), fmt) - 1, fmt)


def threshold(holds: Callable[[float], bool], fmt: Format, low: float, high: float,
              confirm: int = 4) -> float:  # fmt: skip
    """The smallest number of ``fmt`` in (low, high] from which ``holds`` is true.

    Bisection over the bit patterns of the positive numbers of ``fmt`` (they
    are ordered as the numbers are), then a confirmation: ``holds`` is false at
    the number just below the result and true at it and at the ``confirm``
    numbers just above it.

    Parameters
    ----------
    holds : callable
        A property of one number, false at ``low`` and true at ``high``.
    fmt : {"bfloat16", "float16", "float32", "float64"}
    low, high : float
        Positive numbers of ``fmt``.
    confirm : int, default 4
        How many numbers above the result must also satisfy ``holds``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``holds(low)`` or not ``holds(high)``, or the confirmation fails
        (the property does not switch once near the result).

    Examples
    --------
    >>> threshold(lambda x: x >= 0.3, "float16", 0.25, 1.0)
    0.300048828125
    """
    _check_format(fmt)
    lo, hi = _bits(_positive_number(low, fmt), fmt), _bits(_positive_number(high, fmt), fmt)
    if holds(_value(lo, fmt)) or not holds(_value(hi, fmt)):
        raise ValueError(f"the property must be false at low={low} and true at high={high}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(_value(mid, fmt)) else (mid, hi)
    above = [_value(hi + n, fmt) for n in range(confirm + 1)]
    if holds(_value(hi - 1, fmt)) or not all(holds(v) for v in above):
        raise ValueError(f"the property does not switch once near {_value(hi, fmt)} in {fmt}")
    return _value(hi, fmt)


def _logits(gap: float, classes: int) -> list[float]:
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"classes must be a whole number >= 2, got {classes!r}")
    if not np.isfinite(gap) or gap < 0:
        raise ValueError(f"the gap must be finite and >= 0, got {gap!r}")
    return [float(gap)] + [0.0] * (classes - 1)


def _naive_softmax(gap: float, fmt: str, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """``e = exp(z - max)`` and ``h = e / s`` for z = (gap, 0, ...), each operation rounded."""
    z = round_to(_logits(gap, classes), fmt)
    d = _in(fmt, np.subtract, z, z.max())
    e = _in(fmt, np.exp, d)
    s = e[0]
    for term in e[1:]:  # left to right, rounded at every addition
        s = _in(fmt, np.add, s, term)
    return e, _in(fmt, np.divide, e, s)


def top_gradient(gap: float, fmt: Format, classes: int = 2) -> float:
    """The top class's gradient entry ``h_1 - 1``, computed in ``fmt`` as usual.

    Parameters
    ----------
    gap : float
        The logits are ``(gap, 0, ..., 0)``: class 1 is the true class, ahead by ``gap``.
    fmt : {"bfloat16", "float16", "float32", "float64"}
    classes : int, default 2
        K; the K - 1 other logits are 0.

    Returns
    -------
    float
        ``h_1 - 1`` with ``e = exp(z - max)``, ``s`` summed left to right,
        ``h_1 = e_1 / s`` and the subtraction, each rounded to ``fmt``.
        Exactly, ``-(K - 1) e^{-gap} / (1 + (K - 1) e^{-gap})``.

    Examples
    --------
    >>> top_gradient(5.0, "bfloat16"), top_gradient(6.0, "bfloat16")
    (-0.0078125, 0.0)
    """
    _check_format(fmt)
    _, h = _naive_softmax(gap, fmt, classes)
    return float(_in(fmt, np.subtract, h[0], 1.0))


def top_loss(gap: float, fmt: Format, classes: int = 2, true_class: int = 0) -> float:
    """The loss ``-log h_c`` computed naively in ``fmt`` (``h`` as in :func:`top_gradient`).

    Parameters
    ----------
    gap : float
        Logits ``(gap, 0, ..., 0)``.
    fmt : {"bfloat16", "float16", "float32", "float64"}
    classes : int, default 2
    true_class : int, default 0
        0: the top class (the loss of a right, confident sample: rounds to 0
        once ``h_1`` rounds to 1); 1: another class (infinite once ``h_2``
        underflows to 0).

    Returns
    -------
    float

    Examples
    --------
    >>> top_loss(20.0, "float16", true_class=1), top_loss(20.0, "float16")
    (inf, 0.0)
    """
    _check_format(fmt)
    _, h = _naive_softmax(gap, fmt, classes)
    if isinstance(true_class, bool) or true_class not in range(classes):
        raise ValueError(f"true_class must be a class index 0..{classes - 1}, got {true_class!r}")
    return float(_in(fmt, np.negative, _in(fmt, np.log, h[true_class]))) + 0.0  # no -0.0


def thresholds(fmt: Format, classes: int = 2) -> dict[str, float]:
    """Where the naive computations of the softmax and its loss break down in ``fmt``.

    Parameters
    ----------
    fmt : {"bfloat16", "float16", "float32", "float64"}
    classes : int, default 2
        K, with K - 1 equal other logits (for the gaps).

    Returns
    -------
    dict
        ``"gradient is 0"``: the smallest gap at which ``h_1 - 1`` is exactly
        0 (:func:`top_gradient`); ``"exp overflows"``: the smallest logit whose
        ``exp`` is infinite; ``"loss is 0"``: the smallest gap at which
        ``-log h_1`` is exactly 0; ``"loss is inf"``: the smallest gap at which
        ``-log h_2`` is infinite.  Each a number of ``fmt``, found by
        :func:`threshold` and confirmed on its neighbours.

    Examples
    --------
    >>> thresholds("float16")["exp overflows"]
    11.09375
    """
    _check_format(fmt)
    high = 8192.0  # a power of two: a number of every format
    with np.errstate(over="ignore"):
        return {
            "gradient is 0": threshold(lambda g: top_gradient(g, fmt, classes) == 0, fmt,
                                       1.0, high),
            "exp overflows": threshold(lambda x: np.isinf(_in(fmt, np.exp, x)), fmt, 1.0, high),
            "loss is 0": threshold(lambda g: top_loss(g, fmt, classes) == 0, fmt, 1.0, high),
            "loss is inf": threshold(lambda g: np.isinf(top_loss(g, fmt, classes, 1)), fmt,
                                     1.0, high),
        }  # fmt: skip


# --------------------------------------------------------------------------- remedies
def scaled_round_trip(g: ArrayLike, scale: float, fmt: Format = "float16") -> np.ndarray:
    """Store gradients in ``fmt`` with loss scaling, and read them back.

    Multiplying the loss by ``scale`` multiplies every gradient by it; the
    gradients are rounded to ``fmt`` at that size and divided by ``scale`` in
    float64 afterwards.  With ``scale = 1`` this is plain rounding.

    Parameters
    ----------
    g : array_like
        True gradients (float64).
    scale : float
        The loss scale S > 0 (a power of two keeps the scaling itself exact).
    fmt : {"bfloat16", "float16", "float32", "float64"}, default "float16"

    Returns
    -------
    ndarray of float64, same shape
        ``round_to(S g, fmt) / S``.

    Examples
    --------
    >>> scaled_round_trip([1e-8], 1.0)  # below float16's smallest number: 0
    array([0.])
    >>> f"{scaled_round_trip([1e-8], 2.0**16)[0]:.4e}"  # scaled by S = 2^16: kept
    '9.9972e-09'

    """
    _check_format(fmt)
    g = as_float(g, "g").astype(np.float64)
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating)):
        raise ValueError(f"scale must be a positive real number, got {scale!r}")
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be finite and > 0, got {scale!r}")
    return round_to(g * scale, fmt).astype(np.float64) / scale


def _rows(z: ArrayLike, y: ArrayLike, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    z, y = as_float(z, "z"), as_float(y, "y")
    if z.ndim != 2 or z.shape[1] < 2 or z.shape[0] == 0 or y.shape != z.shape:
        raise ValueError(
            f"z must be a non-empty (m, K) matrix with K >= 2 and y of its shape; "
            f"got z {z.shape} and y {y.shape}"
        )
    return round_to(z, fmt), round_to(y, fmt)


def fused_grad(z: ArrayLike, y: ArrayLike, fmt: Format) -> np.ndarray:
    """The fused log-softmax kernel's gradient, every operation rounded to ``fmt``.

    ``log h = (z - max) - log sum_l e^{z_l - max}`` and the gradient
    ``exp(log h) - y``: no division by ``h`` anywhere, so an ``h`` that
    underflows to 0 gives the entry ``-y``, not NaN.

    Parameters
    ----------
    z, y : array_like, shape (m, K)
        Logits and labels.
    fmt : {"bfloat16", "float16", "float32", "float64"}

    Returns
    -------
    ndarray, shape (m, K), of the format's carrier dtype

    Examples
    --------
    >>> fused_grad([[0.0, 20.0]], [[1.0, 0.0]], "float16")
    array([[-1.,  1.]], dtype=float16)
    """
    _check_format(fmt)
    z, y = _rows(z, y, fmt)
    d = _in(fmt, np.subtract, z, z.max(axis=1, keepdims=True))
    log_s = _in(fmt, np.log, _row_sum(_in(fmt, np.exp, d), fmt))
    log_h = _in(fmt, np.subtract, d, log_s[:, None])
    return _in(fmt, np.subtract, _in(fmt, np.exp, log_h), y)


def naive_route_grad(z: ArrayLike, y: ArrayLike, fmt: Format) -> np.ndarray:
    """The chain rule through h, as written: ``-y / h`` times the softmax Jacobian, in ``fmt``.

    ``h = e / s`` with ``e = exp(z - max)``; ``dJ/dh = -y / h``; the gradient
    is ``(dJ/dh)^T (diag h - h h^T)``.  Where an ``h_k`` underflows to 0 and
    ``y_k = 1``, ``-y_k / h_k`` is infinite and the row becomes NaN.

    Parameters
    ----------
    z, y : array_like, shape (m, K)
        Logits and labels.
    fmt : {"bfloat16", "float16", "float32", "float64"}

    Returns
    -------
    ndarray, shape (m, K), of the format's carrier dtype

    Examples
    --------
    >>> naive_route_grad([[0.0, 20.0]], [[1.0, 0.0]], "float16")
    array([[nan, nan]], dtype=float16)
    """
    _check_format(fmt)
    z, y = _rows(z, y, fmt)
    e = _in(fmt, np.exp, _in(fmt, np.subtract, z, z.max(axis=1, keepdims=True)))
    h = _in(fmt, np.divide, e, _row_sum(e, fmt)[:, None])
    upstream = _in(fmt, np.divide, _in(fmt, np.negative, y), h)
    jac = _in(fmt, np.subtract, h[:, :, None] * np.eye(z.shape[1]), h[:, :, None] * h[:, None, :])
    return _in(fmt, lambda u, j: np.einsum("ik,ikl->il", u, j), upstream, jac)

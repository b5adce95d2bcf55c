"""What :func:`derivation.gradcheck.gradcheck` refuses, and the limits it checks before judging.

- *Input*: the analytic gradient must be real numbers shaped like ``x``, in
  float32 or a finer dtype (a float16 gradient would stretch the verdict's
  bands until a sign flip passes); a user's floor must be a finite positive
  real number.
- *The floating-point range*: a gradient whose largest entry ``G`` is below
  ``finfo.tiny / finfo.eps`` of the working dtype (float64 for the complex
  step, ``x``'s dtype for finite differences; for the complex step also below
  ``tiny / h``, where ``Im f(x + ih)`` leaves the normal range) is made of
  subnormal numbers, or underflowed to zero in the numerical quotient: a zero
  or negated gradient looks the same as the right one there.  Such a check is
  "cannot check", and so is one where both gradients are exactly zero (see
  :func:`below_range`).
- *Complex safety*: the complex step is right only for a complex-analytic
  ``f``; ``np.abs``, ``np.linalg.norm``, ``np.vdot``, ``.real``,
  ``np.maximum`` and comparisons drop or bend the imaginary part it relies on
  and leave a real-valued answer that looks exact.  :func:`complex_disagreement`
  compares it with central differences and their own measured error bound.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from .differences import Method, difference_table
from .noise import COMPLEX_SMALL, estimate_noise

__all__ = [
    "ALL_ZERO",
    "BELOW_RANGE",
    "NOT_COMPLEX_SAFE",
    "analytic_gradient",
    "below_range",
    "check_floor",
    "complex_disagreement",
    "largest",
    "not_complex_safe",
    "range_limit",
]

#: the reason given where the complex step and central differences disagree
NOT_COMPLEX_SAFE = (
    "f is not complex-safe here (np.abs, np.linalg.norm, .real drop the imaginary part the "
    "complex step relies on): the complex step and central differences disagree by more than "
    "both their error bounds; use method='central' (if f is analytic but oscillates faster than "
    "central differences' step, which sees that as noise, neither method can check it)"
)
#: the reason given where the gradient is below the floating-point range
BELOW_RANGE = (
    "the gradient is below the floating-point range the numerical gradient can resolve "
    "(its largest entry {size:.1e} is under {limit:.1e}, where numbers are subnormal or "
    "underflow to zero, and a zero or negated gradient looks like the right one); scale f up"
)
#: the reason given where both gradients are exactly zero
ALL_ZERO = (
    "both gradients are exactly zero: f is constant here, or its change underflowed below the "
    "floating-point range, and a check cannot tell the two apart; if f should change, scale it up"
)


def not_complex_safe(h: float | None) -> str:
    """The reason for a disagreement of the complex step with central differences."""
    if h is None or float(h) <= COMPLEX_SMALL:
        return NOT_COMPLEX_SAFE
    return (
        f"{NOT_COMPLEX_SAFE}; or the step h={float(h):.2g} is too large for f here, far from "
        "the asymptotic regime of the complex step: try a smaller h (the default is 1e-20)"
    )


def analytic_gradient(raw: object, x: np.ndarray) -> tuple[np.ndarray, np.dtype]:
    """The analytic gradient as float64 and its own dtype.

    Raises
    ------
    TypeError
        If it is not numbers (strings, objects, booleans).
    ValueError
        If it has a nonzero imaginary part, a shape other than ``x``'s, or a
        floating dtype coarser than float32 (float16).
    """
    arr = np.asarray(raw)
    if arr.dtype.kind == "O":
        bad = [v for v in arr.ravel() if not isinstance(v, numbers.Number) or isinstance(v, bool)]
        if bad:
            raise TypeError(
                f"the analytic gradient must hold numbers, but it holds {type(bad[0]).__name__} "
                f"{bad[0]!r}; return a NumPy array of floats"
            )
        coarse = [v for v in arr.ravel() if isinstance(v, np.floating) and v.itemsize < 4]
        if coarse:
            _refuse_coarse(np.dtype(type(coarse[0])))
        arr = arr.astype(np.complex128 if any(isinstance(v, complex) for v in arr.flat) else
                         np.float64)  # fmt: skip
    if arr.dtype.kind not in "iufc":
        raise TypeError(
            f"the analytic gradient must be an array of real numbers, got dtype {arr.dtype} "
            f"({type(raw).__name__}); return a NumPy array of floats"
        )
    if arr.dtype.kind == "f" and arr.dtype.itemsize < 4:
        _refuse_coarse(arr.dtype)
    if arr.dtype.kind == "c":
        imaginary = np.abs(arr.imag)
        if np.any(imaginary != 0):
            raise ValueError(
                f"the analytic gradient has an imaginary part (up to {imaginary.max():.1e}); "
                "the gradient of a real function is real: did it get complex input, or take "
                "a complex intermediate such as np.sqrt of a negative number?"
            )
        arr = arr.real
    if arr.shape != x.shape:
        raise ValueError(f"the analytic gradient has shape {arr.shape}, but x has shape {x.shape}")
    own = arr.dtype if arr.dtype.kind == "f" else x.dtype
    return arr.astype(np.float64), own


def _refuse_coarse(dtype: np.dtype) -> None:
    raise ValueError(
        f"the analytic gradient is {dtype}, too coarse to check: its rounding (about "
        f"{float(np.finfo(dtype).eps):.0e}) would stretch the verdict's bands until a sign flip "
        "passed; compute the gradient in float32 or float64"
    )


def check_floor(floor: object) -> float:
    """A user's absolute floor: a finite positive real number (TypeError, ValueError if not)."""
    if isinstance(floor, bool) or not isinstance(floor, numbers.Real):
        raise TypeError(f"floor must be a positive real number, got {type(floor).__name__}")
    value = float(floor)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(
            f"floor must be a finite positive number (entries smaller than it are compared in "
            f"absolute terms), got {value}; leave it out for a floor scaled to the problem"
        )
    return value


def largest(*arrays: np.ndarray) -> float:
    """The largest finite absolute value in the arrays (0 if none)."""
    sizes = np.abs(np.concatenate([a.ravel() for a in arrays]))
    sizes = sizes[np.isfinite(sizes)]
    return float(sizes.max()) if sizes.size else 0.0


def range_limit(method: Method, dtype: np.dtype, h: float | None) -> float:
    """The smallest largest entry ``G`` a check can resolve (see the module's docstring)."""
    info = np.finfo(np.float64 if method == "complex" else dtype)
    limit = float(info.tiny) / float(info.eps)
    if method == "complex":
        limit = max(limit, float(info.tiny) / (1e-20 if h is None else float(h)))
    return limit


def below_range(size: float, method: Method, dtype: np.dtype, h: float | None) -> str:
    """Why a check whose largest entry is ``size`` (``G``) cannot be made; "" if it can.

    ``G`` below :func:`range_limit` (zero included: the true gradient may have
    underflowed, and a zero gradient then looks like the right one; a constant
    ``f`` is no exception, since a check cannot tell its zero from an underflow).
    """
    limit = range_limit(method, dtype, h)
    if size >= limit:
        return ""
    if size == 0:
        return ALL_ZERO
    return BELOW_RANGE.format(size=size, limit=limit)


def complex_disagreement(
    f: Callable[[np.ndarray], object],
    x: np.ndarray,
    numerical: np.ndarray,
    bound: np.ndarray,
) -> np.ndarray | None:
    """How far the complex step is from central differences beyond both error bounds.

    Parameters
    ----------
    f : callable
        The function; called at real points near ``x`` (copies).
    x : ndarray
        The point (checked real array).
    numerical, bound : ndarray, shape of x
        The complex-step gradient and its error bound.

    Returns
    -------
    ndarray or None
        Per entry, ``|n_complex - n_central| + E_central`` where that gap is
        more than twice ``E_complex + E_central``, and 0 elsewhere; None where
        central differences cannot be taken at all (``f`` raises next to ``x``).
        A non-analytic term smaller than central differences' own bound (``f``
        noisy) is not seen.
    """
    try:
        table = difference_table(f, x, "central")
        estimate = estimate_noise(f, x, table)
    except (ArithmeticError, ValueError):
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(numerical - table.grad)
        apart = np.isfinite(gap) & (gap > 2 * (bound + estimate.error))
        return np.where(apart, gap + estimate.error, 0.0)

"""Numerical differentiation of a scalar function, entry by entry.

Three numerical methods, each differentiating ``f`` entry by entry.  Finite
differences take the step ``h_i = h * max(1, |x_i|)`` (so that it is the same
size relative to ``x_i`` however large ``x_i`` is, and survives rounding); the
complex step takes ``h_i = h`` (see below):

- ``"central"``: ``(f(x + h) - f(x - h)) / 2h``, error ``O(h^2)`` from
  truncation plus about ``eps |f| / h`` from rounding; best near ``h = eps^(1/3)``,
  reaching about 1e-10 relative in float64.
- ``"forward"``: ``(f(x + h) - f(x)) / h``, error ``O(h)`` plus ``eps |f| / h``;
  best near ``h = sqrt(eps)``, about 1e-8.
- ``"complex"``: ``Im f(x + ih) / h``.  No subtraction, so no cancellation: the
  step can be tiny (1e-20) and the result is exact to rounding, about 1e-16.
  ``f`` must accept complex input and be analytic (no ``abs``, no comparisons
  on the perturbed values); the package's softmax, log-softmax, cross-entropy
  and cost are.  The point is perturbed in complex128, so even for float32
  ``x`` this numerical gradient is accurate to float64.  The imaginary step is
  not scaled by ``|x_i|``: it never meets the real part in a subtraction, so
  rounding does not call for it, and a scaled step would stop being small
  (at logits of 1e100 it would be 1e80, far beyond the period 2 pi of
  ``exp(i h)``).

:func:`difference_table` also takes every quotient with a wider step and a
narrower one (``h / 3``) and keeps the fourth differences of ``f`` (central),
the raw material of the noise and truncation estimates in
:mod:`derivation.noise`.

``f`` is always called with a fresh copy of the point, so a function that works
in place cannot spoil the result.  :mod:`derivation.gradcheck` compares these
numerical gradients with analytic ones.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "DifferenceTable",
    "Method",
    "as_real_input",
    "default_step",
    "difference_quotients",
    "difference_table",
    "numerical_grad",
    "step_of",
    "value_of",
]

Method = Literal["central", "forward", "complex"]

#: the narrow step of :func:`difference_table` is the step divided by this
NARROW = 3.0


def as_real_input(x: ArrayLike) -> np.ndarray:
    """``x`` as a finite, non-empty float32 or float64 array (whole numbers become float64).

    Raises
    ------
    ValueError
        If ``x`` is not floating-point, is float16, is empty, or holds NaN or inf.
    """
    arr = np.asarray(x)
    if not isinstance(x, np.ndarray) and arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise ValueError(
            f"x must be a floating-point array (float32 or float64), got dtype {arr.dtype}"
        )
    if arr.dtype.itemsize < 4:
        raise ValueError(
            f"x is {arr.dtype}, too coarse to differentiate numerically (a relative step below "
            f"its 1e-3 rounding is lost); convert it with x.astype(np.float32)"
        )
    if arr.size == 0:
        raise ValueError("x is empty; expected at least one entry to differentiate by")
    if not np.all(np.isfinite(arr)):
        raise ValueError("x contains NaN or inf; expected finite numbers")
    return arr


def default_step(method: Method, dtype: np.dtype | type = np.float64) -> float:
    """The step ``h`` that balances truncation and rounding for ``method``.

    Parameters
    ----------
    method : {"central", "forward", "complex"}
        The difference formula.
    dtype : numpy dtype, default float64
        Precision of the computation; its machine epsilon sets the step.

    Returns
    -------
    float
        ``eps**(1/3)`` for central, ``eps**(1/2)`` for forward, ``1e-20`` for
        complex step.  :func:`numerical_grad` multiplies it by
        ``max(1, |x_i|)`` for finite differences (see :func:`step_of`).
    """
    eps = float(np.finfo(dtype).eps)
    steps = {"central": eps ** (1 / 3), "forward": eps**0.5, "complex": 1e-20}
    if method not in steps:
        raise ValueError(f"method must be 'central', 'forward' or 'complex', got {method!r}")
    return steps[method]


def step_of(method: Method, base: float, value: float) -> float:
    """The step of one entry: ``base * max(1, |value|)``, or ``base`` for the complex step."""
    return base if method == "complex" else base * max(1.0, abs(value))


def _base_step(method: Method, dtype: np.dtype, h: float | None) -> float:
    if h is not None and (isinstance(h, bool) or not isinstance(h, numbers.Real)):
        raise TypeError(
            f"step h must be a finite positive real number, got {type(h).__name__} {h!r}; "
            "leave it out for the default step"
        )
    base = default_step(method, dtype) if h is None else float(h)
    if not (np.isfinite(base) and base > 0):
        raise ValueError(f"step h must be a finite positive number, got {h}")
    return base


def _scalar(value, method: str) -> complex | float:
    """``f``'s result as one number; TypeError if it is not a number, ValueError if it is not
    one, or (finite differences) has an imaginary part, or (complex step) has none."""
    out = np.asarray(value)
    if out.size != 1:
        raise ValueError(f"f must return a single number, got an array of shape {out.shape}")
    out = out.reshape(())[()]
    if isinstance(out, np.generic):
        bad = out.dtype.kind not in "iufc"
    else:  # a Python object
        bad = isinstance(out, bool) or not isinstance(out, numbers.Number)
    if bad:
        raise TypeError(
            f"f must return a real number, got {type(out).__name__} {out!r}; return a float"
        )
    if method != "complex" and np.iscomplexobj(out) and np.imag(out) != 0:
        raise ValueError(
            f"f returned the complex number {complex(out)} for real input; the real part is not "
            "taken silently: return a real number (or use method='complex' for a complex-step "
            "function)"
        )
    if method == "complex" and not np.iscomplexobj(out):
        raise ValueError(
            "f returned a real number for complex input, so it is not complex-step safe "
            "(it may use abs, max or .real on its input); use method='central'"
        )
    return out


def _check_step(actual: float, step: float, idx: tuple, dtype: np.dtype) -> None:
    if actual == 0:
        raise ValueError(
            f"step h={step:.1e} is too small to change x{list(idx)} in {dtype}; use a larger h"
        )


def value_of(
    f: Callable[[np.ndarray], object], point: np.ndarray, method: Method
) -> complex | float:
    """``f`` at a copy of ``point``, checked: complex for the complex step, else real.

    Raises TypeError if ``f`` does not return a number, ValueError if it returns
    an array, a complex number with an imaginary part for real input (finite
    differences) or a real one for complex input (complex step).
    """
    out = _scalar(f(point.copy()), method)
    return complex(out) if method == "complex" else float(np.real(out))


def _quotient(f, work: np.ndarray, idx: tuple, step: float, method: Method, f0: float, dtype):
    """One difference quotient of ``f`` in entry ``idx`` of ``work``, the step taken, and
    the values of ``f`` it used (up, down; down is ``f0`` for forward, both NaN for complex).

    ``work`` is restored afterwards; ``f`` receives copies of it.
    """
    old = work[idx]
    try:
        if method == "complex":
            work[idx] = old + 1j * step
            return float(np.imag(value_of(f, work, method))) / step, step, (np.nan, np.nan)
        work[idx] = old + step
        up_x = work[idx]
        if method == "forward":
            actual = float(np.real(up_x - old))  # the step as stored, after rounding
            _check_step(actual, step, idx, dtype)
            up = value_of(f, work, method)
            return (up - f0) / actual, actual, (up, f0)
        up = value_of(f, work, method)
        work[idx] = old - step
        actual = float(np.real(up_x - work[idx]))  # the steps as stored, after rounding
        _check_step(actual, step, idx, dtype)
        down = value_of(f, work, method)
        return (up - down) / actual, actual / 2, (up, down)
    finally:
        work[idx] = old


@dataclass(frozen=True)
class DifferenceTable:
    """Every difference quotient of :func:`difference_table`, and what it was made of.

    Attributes
    ----------
    method : str
        The numerical method.
    grad : ndarray, float64, shape of x
        The numerical gradient ``D(h)``.
    wide : ndarray, float64, shape of x
        The same quotients with the step ``ratio * h``.
    ratio : float
        2 for finite differences, 3 for the complex step (whose imaginary parts
        scale exactly by 2, so that twice the step would repeat every rounding).
    f0 : float
        ``f(x)``.
    steps : ndarray, float64, shape of x
        The step of each entry, as stored after rounding (half the distance
        between the two points for central differences).
    fourth : ndarray or None
        Central differences only: the fourth difference
        ``f(x-2h) - 4 f(x-h) + 6 f(x) - 4 f(x+h) + f(x+2h)`` of each entry, in
        units of ``f``.  For a smooth ``f`` it is about ``h^4`` times the
        fourth derivative, far below rounding; for a noisy one it is noise,
        with a variance of ``70 sigma^2``.
    narrow : ndarray or None
        The same quotients with the step ``h / NARROW`` (NaN where that step
        does not change ``x``): with ``wide``, a third step that tells whether
        ``h`` is small enough for Richardson's estimate (see
        :mod:`derivation.noise`).
    """

    method: str
    grad: np.ndarray
    wide: np.ndarray
    ratio: float
    f0: float
    steps: np.ndarray
    fourth: np.ndarray | None
    narrow: np.ndarray | None = None

    @property
    def order(self) -> int:
        """The order ``p`` of the truncation error ``O(h^p)``: 1 forward, 2 otherwise."""
        return 1 if self.method == "forward" else 2

    @property
    def truncation(self) -> np.ndarray:
        """The truncation error of ``grad``, estimated from ``wide`` (Richardson).

        ``|D(rh) - D(h)| / (r^p - 1)`` with the order ``p`` = 1 for forward
        differences and 2 for central differences and the complex step.
        """
        with np.errstate(invalid="ignore", over="ignore"):
            return np.abs(self.wide - self.grad) / (self.ratio**self.order - 1)


def difference_table(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    method: Method,
    h: float | None = None,
) -> DifferenceTable:
    """The numerical gradient with the step ``h``, a wider and a narrower step, in one pass.

    ``x`` must already be a checked real array (see :func:`as_real_input`).
    Costs ``6n + 1`` calls of ``f`` for central, ``3n + 1`` for forward and
    complex differences (``n = x.size``); ``f`` always receives a fresh copy.
    """
    base = _base_step(method, x.dtype, h)
    ratio = 3.0 if method == "complex" else 2.0
    work = x.astype(np.complex128 if method == "complex" else x.dtype, copy=True)
    grad, wide, steps = (np.empty(x.shape, dtype=np.float64) for _ in range(3))
    fourth = np.empty(x.shape, dtype=np.float64) if method == "central" else None
    narrow = np.full(x.shape, np.nan)
    f0 = float(np.real(_scalar(f(work.copy()), method)))
    if not np.isfinite(f0):
        raise ValueError(f"f(x) is {f0}; expected a finite number to differentiate")
    for idx in np.ndindex(x.shape):  # f is called as it is, warnings and all
        step = step_of(method, base, float(np.real(work[idx])))
        grad[idx], steps[idx], near = _quotient(f, work, idx, step, method, f0, x.dtype)
        wide[idx], _, far = _quotient(f, work, idx, ratio * step, method, f0, x.dtype)
        try:
            narrow[idx] = _quotient(f, work, idx, step / NARROW, method, f0, x.dtype)[0]
        except ValueError:  # the narrow step does not change x: no third step there
            pass
        if fourth is not None:
            with np.errstate(invalid="ignore", over="ignore"):
                fourth[idx] = far[0] - 4 * near[0] + 6 * f0 - 4 * near[1] + far[1]
    return DifferenceTable(method, grad, wide, ratio, f0, steps, fourth, narrow)


def difference_quotients(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    method: Method,
    h: float | None,
    *,
    truncation: bool = False,
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray | None]:
    """The numerical gradient, ``f(x)``, the step taken for each entry, and the truncation.

    The engine behind :func:`numerical_grad`.  With ``truncation`` (finite
    differences only), each quotient is also taken with twice the step: the
    truncation error of ``D(h)`` is about ``|D(2h) - D(h)| / 3`` for central
    (``O(h^2)``) and ``|D(2h) - D(h)|`` for forward differences (``O(h)``);
    see :class:`DifferenceTable`.  ``f`` always receives a fresh copy.
    """
    if truncation and method != "complex":
        table = difference_table(f, x, method, h)
        return table.grad, table.f0, table.steps, table.truncation
    base = _base_step(method, x.dtype, h)
    work = x.astype(np.complex128 if method == "complex" else x.dtype, copy=True)
    grad = np.empty(x.shape, dtype=np.float64)
    steps = np.empty(x.shape, dtype=np.float64)
    f0 = float(np.real(_scalar(f(work.copy()), method)))
    if not np.isfinite(f0):
        raise ValueError(f"f(x) is {f0}; expected a finite number to differentiate")
    for idx in np.ndindex(x.shape):
        step = step_of(method, base, float(np.real(work[idx])))
        grad[idx], steps[idx], _ = _quotient(f, work, idx, step, method, f0, x.dtype)
    return grad, f0, steps, None


def numerical_grad(
    f: Callable[[np.ndarray], float],
    x: ArrayLike,
    method: Method = "central",
    h: float | None = None,
) -> np.ndarray:
    """Differentiate a scalar function numerically, one entry of ``x`` at a time.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to one number.  For ``"complex"`` it
        must accept a complex array and return a complex number.  It is
        called with a fresh copy every time, so it may modify its argument.
    x : array_like
        The point (any shape), float32 or float64.  Not modified.
    method : {"central", "forward", "complex"}, default "central"
        The difference formula (see the module's docstring).
    h : float, optional
        Relative step.  Default: :func:`default_step` for the method and the
        dtype of ``x``.  Entry ``i`` is perturbed by ``h * max(1, |x_i|)``
        (finite differences) or by ``i h`` (complex step).

    Returns
    -------
    ndarray, same shape as ``x``, float64
        The numerical gradient.

    Raises
    ------
    ValueError
        If ``x`` is not a finite, non-empty floating array, ``f`` does not
        return one number (or, for "complex", a complex one; for finite
        differences, a complex one with an imaginary part), ``f(x)`` is not
        finite, or the step does not change ``x`` in its dtype.
    TypeError
        If ``f`` returns something else than a number (a str, a bool), or
        ``h`` is not a real number.

    Examples
    --------
    >>> g = numerical_grad(lambda v: (v**3).sum(), np.array([1.0, 2.0]), method="complex")
    >>> g.tolist()
    [3.0, 12.0]
    >>> def in_place(v):  # modifies its argument: harmless, it gets a copy
    ...     v *= v
    ...     return v.sum()
    >>> numerical_grad(in_place, np.array([1.0, -3.0])).round(6).tolist()
    [2.0, -6.0]
    """
    return difference_quotients(f, as_real_input(x), method, h)[0]

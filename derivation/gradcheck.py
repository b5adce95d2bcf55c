"""Gradient checking: compare an analytic gradient with a numerical one.

Use it on your own code::

    result = gradcheck(lambda z: my_loss(z, y), lambda z: my_grad(z, y), z)
    print(result)           # the largest relative error, where, and a verdict
    assert result.ok

Three numerical methods, each differentiating ``f`` entry by entry:

- ``"central"``: ``(f(x + h) - f(x - h)) / 2h``, error ``O(h^2)`` from
  truncation plus about ``eps / h`` from rounding; best near ``h = eps^(1/3)``,
  reaching about 1e-10 relative in float64.
- ``"forward"``: ``(f(x + h) - f(x)) / h``, error ``O(h)`` plus ``eps / h``;
  best near ``h = sqrt(eps)``, about 1e-8.
- ``"complex"``: ``Im f(x + ih) / h``.  No subtraction, so no cancellation: the
  step can be tiny (1e-20) and the result is exact to rounding, about 1e-16.
  ``f`` must accept complex input and be analytic (no ``abs``, no comparisons
  on the perturbed values); the package's softmax, log-softmax, cross-entropy
  and cost are.

Verdicts follow the CS231n notes on gradient checking: a relative error
``<= 1e-7`` is fine; up to 1e-4 is suspicious for a smooth function like
softmax; up to 1e-2 is uncomfortable; above 1e-2 the gradient is probably wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "GradCheck",
    "comparison_table",
    "default_step",
    "error_vs_step",
    "gradcheck",
    "numerical_grad",
    "relative_error",
]

Method = Literal["central", "forward", "complex"]

#: (upper bound of the relative error, verdict, what it means), from the CS231n notes
BANDS = (
    (1e-7, "fine", "the gradient is right"),
    (1e-4, "suspicious", "acceptable only for kinked functions; softmax is smooth"),
    (1e-2, "uncomfortable", "most likely a bug"),
    (np.inf, "wrong", "the gradient is wrong"),
)


def _real_input(x: ArrayLike) -> np.ndarray:
    arr = np.asarray(x)
    if not isinstance(x, np.ndarray) and arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise ValueError(
            f"x must be a floating-point array (float32 or float64), got dtype {arr.dtype}"
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
        ``max(1, |x_i|)``.
    """
    eps = float(np.finfo(dtype).eps)
    steps = {"central": eps ** (1 / 3), "forward": eps**0.5, "complex": 1e-20}
    if method not in steps:
        raise ValueError(f"method must be 'central', 'forward' or 'complex', got {method!r}")
    return steps[method]


def _scalar(value, method: str) -> complex | float:
    out = np.asarray(value)
    if out.size != 1:
        raise ValueError(f"f must return a single number, got an array of shape {out.shape}")
    out = out.reshape(())[()]
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
        must accept a complex array and return a complex number.
    x : array_like
        The point (any shape), float32 or float64.  Not modified.
    method : {"central", "forward", "complex"}, default "central"
        The difference formula (see the module's docstring).
    h : float, optional
        Step.  Default: :func:`default_step` for the method and the dtype of
        ``x``, times ``max(1, |x_i|)`` for each entry.

    Returns
    -------
    ndarray, same shape as ``x``, float64
        The numerical gradient.

    Examples
    --------
    >>> g = numerical_grad(lambda v: (v**3).sum(), np.array([1.0, 2.0]), method="complex")
    >>> g.tolist()
    [3.0, 12.0]
    """
    x = _real_input(x)
    base = default_step(method, x.dtype) if h is None else float(h)
    if not base > 0:
        raise ValueError(f"step h must be positive, got {h}")
    work = x.astype(np.complex128 if method == "complex" else x.dtype, copy=True)
    grad = np.empty(x.shape, dtype=np.float64)
    f0 = float(np.real(_scalar(f(x.copy()), "central"))) if method == "forward" else None
    for idx in np.ndindex(x.shape):
        old = work[idx]
        step = base * max(1.0, abs(float(np.real(old))))
        if method == "complex":
            work[idx] = old + 1j * step
            grad[idx] = np.imag(_scalar(f(work), method)) / step
        elif method == "forward":
            work[idx] = old + step
            actual = float(np.real(work[idx] - old))  # the step as stored, after rounding
            _check_step(actual, step, idx, x.dtype)
            grad[idx] = (float(np.real(_scalar(f(work), method))) - f0) / actual
        else:
            work[idx] = old + step
            up_x = work[idx]
            up = float(np.real(_scalar(f(work), method)))
            work[idx] = old - step
            actual = float(np.real(up_x - work[idx]))  # the steps as stored, after rounding
            _check_step(actual, step, idx, x.dtype)
            down = float(np.real(_scalar(f(work), method)))
            grad[idx] = (up - down) / actual
        work[idx] = old
    return grad


def relative_error(a: ArrayLike, b: ArrayLike, floor: float = 1e-10) -> np.ndarray:
    """Entry-wise ``|a - b| / max(|a|, |b|, floor)``.

    The floor keeps entries where both gradients are (nearly) zero from
    dividing by zero: below it, the error is measured in absolute terms.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"gradients have different shapes: {a.shape} and {b.shape}")
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


@dataclass(frozen=True)
class GradCheck:
    """The outcome of :func:`gradcheck`.

    Attributes
    ----------
    analytic, numerical : ndarray
        The two gradients, same shape as ``x``.
    relative_error : ndarray
        Entry-wise relative error (see :func:`relative_error`).
    max_error : float
        The largest relative error.
    worst : tuple of int
        Index of the entry with the largest error.
    verdict : str
        ``"fine"``, ``"suspicious"``, ``"uncomfortable"`` or ``"wrong"``.
    meaning : str
        What the verdict means.
    method : str
        The numerical method used.
    """

    analytic: np.ndarray
    numerical: np.ndarray
    relative_error: np.ndarray
    max_error: float
    worst: tuple[int, ...]
    verdict: str
    meaning: str
    method: str

    @property
    def ok(self) -> bool:
        """True when the verdict is ``"fine"``."""
        return self.verdict == "fine"

    def __str__(self) -> str:
        a, n = self.analytic[self.worst], self.numerical[self.worst]
        return (
            f"{self.verdict}: largest relative error {self.max_error:.1e} at index "
            f"{self.worst} (analytic {a:.6g}, numerical {n:.6g}; {self.method}); {self.meaning}"
        )


def verdict(error: float) -> tuple[str, str]:
    """The CS231n band of a relative error: (verdict, meaning)."""
    for bound, name, meaning in BANDS:
        if error <= bound:
            return name, meaning
    return BANDS[-1][1], BANDS[-1][2]  # NaN


def gradcheck(
    f: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], ArrayLike] | ArrayLike,
    x: ArrayLike,
    *,
    method: Method = "complex",
    h: float | None = None,
    floor: float = 1e-10,
) -> GradCheck:
    """Check an analytic gradient against a numerical one.

    Parameters
    ----------
    f : callable
        The scalar function (see :func:`numerical_grad`).
    grad : callable or array_like
        The gradient to check: a function of ``x``, or its value at ``x``.
    x : array_like
        The point, float64 preferably (float32 rounding alone gives errors
        near 1e-3 with finite differences).
    method : {"complex", "central", "forward"}, default "complex"
        Complex step is the most accurate; use "central" when ``f`` is not
        complex-safe.
    h : float, optional
        Step (default: :func:`default_step`).
    floor : float, default 1e-10
        See :func:`relative_error`.

    Returns
    -------
    GradCheck
        Errors, the worst entry and a verdict; ``str()`` explains it.

    Raises
    ------
    ValueError
        If the gradient's shape differs from ``x``'s.

    Examples
    --------
    >>> x = np.array([0.5, -1.0])
    >>> str(gradcheck(lambda v: (v**2).sum(), lambda v: 2 * v, x)).split(":")[0]
    'fine'
    >>> gradcheck(lambda v: (v**2).sum(), lambda v: v, x).verdict
    'wrong'
    """
    x = _real_input(x)
    analytic = np.asarray(grad(x.copy()) if callable(grad) else grad, dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(
            f"the analytic gradient has shape {analytic.shape}, but x has shape {x.shape}"
        )
    numerical = numerical_grad(f, x, method=method, h=h)
    errors = relative_error(analytic, numerical, floor)
    worst = tuple(int(i) for i in np.unravel_index(np.nanargmax(np.nan_to_num(errors, nan=np.inf)),
                                                   errors.shape))  # fmt: skip
    largest = float(errors[worst])
    name, meaning = verdict(largest)
    return GradCheck(analytic, numerical, errors, largest, worst, name, meaning, method)


def error_vs_step(
    f: Callable[[np.ndarray], float],
    exact: ArrayLike,
    x: ArrayLike,
    steps: ArrayLike,
    method: Method = "central",
) -> np.ndarray:
    """The largest relative error of a numerical gradient, for each step size.

    Parameters
    ----------
    f : callable
        The scalar function.
    exact : array_like
        The exact gradient at ``x`` (same shape).
    x : array_like
        The point; its dtype sets the precision of the finite differences.
    steps : array_like, shape (s,)
        Step sizes ``h`` to try (used as given, not scaled).
    method : {"central", "forward", "complex"}, default "central"

    Returns
    -------
    ndarray, shape (s,)
        ``max relative_error(exact, numerical_grad(f, x, method, h))`` per step.
        A step too small to change ``x`` at all gives an error of 1.
    """
    steps = np.asarray(steps, dtype=np.float64)
    if steps.ndim != 1 or steps.size == 0 or np.any(steps <= 0):
        raise ValueError("steps must be a non-empty 1-D array of positive numbers")
    x = _real_input(x)
    # with the step fixed, numerical_grad still scales it by max(1, |x_i|); keep |x| <= 1 to
    # see exactly the step asked for
    errors = []
    for h in steps:
        try:
            errors.append(relative_error(exact, numerical_grad(f, x, method=method, h=h)).max())
        except ValueError:  # the step does not change x at all
            errors.append(1.0)
    return np.nan_to_num(np.array(errors), nan=1.0, posinf=1.0)


def comparison_table(columns: dict[str, ArrayLike], *, reference: str, digits: int = 12) -> str:
    """Gradients side by side, one row per entry, and each one's largest relative error.

    Parameters
    ----------
    columns : dict of name -> array_like
        Gradients of the same shape.
    reference : str
        The column the others' relative errors are measured against.
    digits : int, default 12
        Significant digits shown.

    Returns
    -------
    str
        A plain-text table: one row per entry (index, then each column), then
        a row ``max rel. error`` in scientific notation.
    """
    if reference not in columns:
        raise ValueError(f"reference {reference!r} is not one of the columns {list(columns)}")
    arrays = {name: np.asarray(v, dtype=np.float64) for name, v in columns.items()}
    shape = arrays[reference].shape
    for name, arr in arrays.items():
        if arr.shape != shape:
            raise ValueError(f"column {name!r} has shape {arr.shape}, expected {shape}")
    width = max(digits + 8, *(len(n) for n in arrays)) + 2
    lines = ["entry".ljust(16) + "".join(name.rjust(width) for name in arrays)]
    for idx in np.ndindex(shape):
        cells = "".join(f"{arr[idx]:{width}.{digits}g}" for arr in arrays.values())
        lines.append(str(idx).ljust(16) + cells)
    errors = [relative_error(arrays[reference], arr).max() for arr in arrays.values()]
    lines.append("max rel. error".ljust(16) + "".join(f"{e:{width}.1e}" for e in errors))
    return "\n".join(lines)

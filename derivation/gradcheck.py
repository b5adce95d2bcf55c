"""Gradient checking: compare an analytic gradient with a numerical one.

Use it on your own code::

    result = gradcheck(lambda z: my_loss(z, y), lambda z: my_grad(z, y), z)
    print(result)           # the largest relative error, where, and a verdict
    assert result.ok

The numerical gradient comes from :mod:`derivation.differences` (central or
forward differences, or the complex step; see there for their accuracy), with
the step ``h_i = h * max(1, |x_i|)``.

``f`` and ``grad`` are always called with copies of ``x``: a function that
works in place cannot spoil the check.

*How the verdict is reached.*  Entry by entry, the relative error is
``|a - n| / max(|a|, |n|, floor)`` for the analytic gradient ``a`` and the
numerical one ``n``.  The verdict is the
band of the largest one.  The bands follow the CS231n notes on gradient
checking, made for float64 and central differences: a relative error
``<= 1e-7`` is fine; up to 1e-4 is suspicious for a smooth function like
softmax; up to 1e-2 is uncomfortable; above that the gradient is probably
wrong.

*The bands depend on the precision.*  The "fine" bound is the largest of 1e-7,
``100 eps`` of the coarser of ``x``'s and the analytic gradient's dtypes (the
gradient's own rounding: a few ulps per operation) and ``10 x`` the accuracy
of the numerical method (complex: the float64 ``eps``; central:
``eps^(2/3)``; forward: ``eps^(1/2)``, with the ``eps`` of ``x``'s dtype).
The other bounds are ``max(1e-4, 10 fine)`` and ``max(1e-2, 100 fine)``.  So
float64 keeps the CS231n bands (1e-7, 1e-4, 1e-2) with every method but
forward (1.5e-7); float32 has 1.2e-5 with the complex step, 2.4e-4 with
central and 3.5e-3 with forward differences.

*The floor scales with the problem.*  A fixed absolute floor (say 1e-10) would
measure every entry smaller than it in absolute terms, and then an all-zero
gradient passes wherever the true one is small: cross-entropy at confident
logits has a gradient of about 1e-17.  Instead, the floor of entry ``i`` is
what rounding and truncation alone can make the two gradients differ by there,
divided by the "fine" bound, so that such a discrepancy lands inside "fine":

    noise_i = eps_a G + eps_n G                             (complex step)
    noise_i = eps_a G + eps_x |f(x)| / h_i + T_i             (central, forward)
    floor_i = 4 noise_i / fine

``G`` is the largest entry of either gradient in absolute value, ``eps_a`` the
machine epsilon of the analytic gradient's dtype, ``eps_n`` that of float64
(the complex step works in complex128), ``eps_x`` that of ``x``, ``h_i`` the
step of entry ``i``, and ``T_i`` its truncation error, estimated by repeating
the difference with the step doubled (``|D(2h) - D(h)| / 3`` for central,
``|D(2h) - D(h)|`` for forward differences; this doubles the cost of the
finite-difference checks).  The factor 4 is a safety margin, measured on
random cross-entropy, cost and polynomial problems (logit scales 0.1 to 30):
the largest error of a right gradient stayed below 0.6 of the "fine" bound
with every method and dtype, except forward differences in float32 on a sum
of cubes, up to 1.8 x (there the rounding of ``f`` exceeds ``eps |f(x)|``,
because its terms cancel; prefer the complex step, or central differences).
Every term scales with the sizes of ``f`` and of the gradients: multiplying
``f`` by 1e-20 multiplies the floor by 1e-20 and leaves every verdict as it
was.  An entry above its floor is compared in relative terms,
so a zero or a sign-flipped gradient there has a relative error of 1 or 2:
"wrong".  A bug is called "wrong" once it moves an entry by more than about
``100 x`` the noise; in float32 with finite differences, where the noise is
large, small bugs may only be "uncomfortable" (never "fine").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .differences import Method, as_real_input, default_step, difference_quotients, numerical_grad

__all__ = [
    "GradCheck",
    "bands",
    "comparison_table",
    "default_step",
    "error_vs_step",
    "fine_bound",
    "gradcheck",
    "numerical_grad",
    "relative_error",
]

#: margin of the floor over the estimated noise (see the module's docstring)
SAFETY = 4.0

#: (upper bound of the relative error, verdict, what it means), from the CS231n notes
BANDS = (
    (1e-7, "fine", "the gradient is right"),
    (1e-4, "suspicious", "acceptable only for kinked functions; softmax is smooth"),
    (1e-2, "uncomfortable", "most likely a bug"),
    (np.inf, "wrong", "the gradient is wrong"),
)


def relative_error(a: ArrayLike, b: ArrayLike, floor: ArrayLike = 1e-10) -> np.ndarray:
    """Entry-wise ``|a - b| / max(|a|, |b|, floor)``.

    Parameters
    ----------
    a, b : array_like
        Two gradients of the same shape.
    floor : float or array_like, default 1e-10
        Where both entries are smaller than it, the error is measured in
        absolute terms (divided by the floor), so that two (nearly) zero
        entries do not divide zero by zero.  An array gives each entry its
        own floor; :func:`gradcheck` passes one scaled to the problem.

    Returns
    -------
    ndarray, float64, same shape as ``a``
        The relative errors; NaN where either entry is NaN.

    Examples
    --------
    >>> relative_error([1.0, 0.0, 2e-12], [1.1, 0.0, -2e-12]).round(4).tolist()
    [0.0909, 0.0, 0.04]
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"gradients have different shapes: {a.shape} and {b.shape}")
    with np.errstate(invalid="ignore", over="ignore"):
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
    fine_below : float
        The largest relative error still called "fine" for this dtype and
        method (see the module's docstring).
    floor : ndarray or float
        The floor of :func:`relative_error` that was used, per entry.
    dtype : str
        The precision the bands were chosen for: the coarser of ``x``'s and
        the analytic gradient's.
    """

    analytic: np.ndarray
    numerical: np.ndarray
    relative_error: np.ndarray
    max_error: float
    worst: tuple[int, ...]
    verdict: str
    meaning: str
    method: str
    fine_below: float = 1e-7
    floor: np.ndarray | float = 1e-10
    dtype: str = "float64"

    @property
    def ok(self) -> bool:
        """True when the verdict is ``"fine"``."""
        return self.verdict == "fine"

    def __str__(self) -> str:
        a, n = self.analytic[self.worst], self.numerical[self.worst]
        return (
            f"{self.verdict}: largest relative error {self.max_error:.1e} at index "
            f"{self.worst} (analytic {a:.6g}, numerical {n:.6g}; {self.method}, {self.dtype}, "
            f"fine up to {self.fine_below:.1e}); {self.meaning}"
        )


def bands(fine: float = 1e-7) -> tuple[tuple[float, str, str], ...]:
    """The verdict bands when relative errors up to ``fine`` are fine.

    ``fine = 1e-7`` gives the CS231n bands :data:`BANDS`; a larger one (a
    coarser dtype or method) stretches the others to ``max(1e-4, 10 fine)``
    and ``max(1e-2, 100 fine)``.

    Examples
    --------
    >>> [b[0] for b in bands(1e-7)]
    [1e-07, 0.0001, 0.01, inf]
    """
    limits = (fine, max(BANDS[1][0], 10 * fine), max(BANDS[2][0], 100 * fine), np.inf)
    pairs = zip(limits, BANDS, strict=True)
    return tuple((limit, name, meaning) for limit, (_, name, meaning) in pairs)


def verdict(error: float, fine: float = 1e-7) -> tuple[str, str]:
    """The band of a relative error: (verdict, meaning); see :func:`bands`."""
    for bound, name, meaning in bands(fine):
        if error <= bound:
            return name, meaning
    return BANDS[-1][1], BANDS[-1][2]  # NaN


def _eps(dtype: np.dtype) -> float:
    """Machine epsilon of a floating or complex dtype (float64's for anything else)."""
    dtype = np.dtype(dtype)
    return float(np.finfo(dtype).eps) if dtype.kind in "fc" else float(np.finfo(np.float64).eps)


def fine_bound(
    method: Method,
    dtype: np.dtype | type = np.float64,
    grad_dtype: np.dtype | type | None = None,
) -> float:
    """The largest relative error called "fine" for ``method`` at this precision.

    Parameters
    ----------
    method : {"complex", "central", "forward"}
        The numerical method.
    dtype : numpy dtype, default float64
        The dtype of ``x``: it sets the rounding of finite differences.
    grad_dtype : numpy dtype, optional
        The dtype of the analytic gradient (default: ``dtype``).

    Returns
    -------
    float
        ``max(1e-7, 100 eps_grad, 10 accuracy)``, where the accuracy of the
        method is ``eps`` of float64 for the complex step (it works in
        complex128), ``eps^(2/3)`` for central and ``eps^(1/2)`` for forward
        differences (``eps`` of ``dtype``).

    Examples
    --------
    >>> fine_bound("complex"), f"{fine_bound('complex', np.float32):.1e}"
    (1e-07, '1.2e-05')
    """
    default_step(method)  # validates the method
    eps_x = _eps(dtype)
    eps_a = max(eps_x, _eps(dtype if grad_dtype is None else grad_dtype))
    accuracy = {
        "complex": _eps(np.float64),
        "central": eps_x ** (2 / 3),
        "forward": eps_x**0.5,
    }[method]
    return max(BANDS[0][0], 100 * eps_a, 10 * accuracy)


def _noise_floor(
    analytic: np.ndarray,
    numerical: np.ndarray,
    f0: float,
    steps: np.ndarray,
    truncation: np.ndarray | None,
    eps: tuple[float, float],
    fine: float,
) -> np.ndarray:
    """Per-entry floor: SAFETY x the discrepancy that rounding alone can cause, / fine.

    ``eps`` is (epsilon of x's dtype, epsilon of the analytic gradient's);
    ``truncation`` is None for the complex step.
    """
    eps_x, eps_a = eps
    with np.errstate(invalid="ignore", over="ignore"):
        sizes = np.abs(np.concatenate([analytic.ravel(), numerical.ravel()]))
        largest = float(np.nanmax(sizes)) if not np.all(np.isnan(sizes)) else 0.0
        noise = np.full(analytic.shape, eps_a * largest)
        if truncation is None:  # complex step: rounding in complex128 only
            noise += _eps(np.float64) * largest
        else:
            noise += eps_x * abs(f0) / steps + np.nan_to_num(truncation, nan=0.0)
        return np.maximum(SAFETY * noise / fine, np.finfo(np.float64).tiny)


def gradcheck(
    f: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], ArrayLike] | ArrayLike,
    x: ArrayLike,
    *,
    method: Method = "complex",
    h: float | None = None,
    floor: float | None = None,
) -> GradCheck:
    """Check an analytic gradient against a numerical one.

    Parameters
    ----------
    f : callable
        The scalar function (see :func:`numerical_grad`); called with copies
        of ``x`` only.
    grad : callable or array_like
        The gradient to check: a function of ``x`` (called with a copy), or
        its value at ``x``.
    x : array_like
        The point, float32 or float64.  The verdict's bands depend on the
        dtype (see the module's docstring and :func:`fine_bound`).
    method : {"complex", "central", "forward"}, default "complex"
        Complex step is the most accurate; use "central" when ``f`` is not
        complex-safe.
    h : float, optional
        Relative step (default: :func:`default_step`).
    floor : float, optional
        An absolute floor for :func:`relative_error`, as in older versions.
        Default: a floor per entry, scaled to the sizes of ``f(x)`` and of
        the gradients (see the module's docstring), so that a zero or
        sign-flipped gradient is caught however small the true one is.

    Returns
    -------
    GradCheck
        Errors, the worst entry and a verdict; ``str()`` explains it.

    Raises
    ------
    ValueError
        If the gradient's shape differs from ``x``'s, or ``f(x)`` is not finite.

    Examples
    --------
    >>> x = np.array([0.5, -1.0])
    >>> str(gradcheck(lambda v: (v**2).sum(), lambda v: 2 * v, x)).split(":")[0]
    'fine'
    >>> gradcheck(lambda v: (v**2).sum(), lambda v: v, x).verdict
    'wrong'

    However small the true gradient, a zero one is not "fine":

    >>> tiny = lambda v: 1e-30 * (v**2).sum()
    >>> gradcheck(tiny, np.zeros(2), x).verdict, gradcheck(tiny, lambda v: 2e-30 * v, x).verdict
    ('wrong', 'fine')
    """
    x = as_real_input(x)
    raw = grad(x.copy()) if callable(grad) else grad
    analytic = np.asarray(raw, dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(
            f"the analytic gradient has shape {analytic.shape}, but x has shape {x.shape}"
        )
    raw_dtype = np.asarray(raw).dtype
    grad_dtype = raw_dtype if raw_dtype.kind == "f" else x.dtype
    estimate = floor is None  # the floor is then scaled by the noise, truncation included
    numerical, f0, steps, truncation = difference_quotients(f, x, method, h, truncation=estimate)
    fine = fine_bound(method, x.dtype, grad_dtype)
    eps_x = _eps(x.dtype)
    eps_a = max(eps_x, _eps(grad_dtype))
    coarse = x.dtype if eps_x >= eps_a else grad_dtype
    if floor is None:
        floor = _noise_floor(analytic, numerical, f0, steps, truncation, (eps_x, eps_a), fine)
    errors = relative_error(analytic, numerical, floor)
    worst = tuple(int(i) for i in np.unravel_index(np.nanargmax(np.nan_to_num(errors, nan=np.inf)),
                                                   errors.shape))  # fmt: skip
    largest = float(errors[worst])
    name, meaning = verdict(largest, fine)
    return GradCheck(
        analytic, numerical, errors, largest, worst, name, meaning, method,
        fine_below=fine, floor=floor, dtype=str(np.dtype(coarse)),
    )  # fmt: skip


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
    x = as_real_input(x)
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

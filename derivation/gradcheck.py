"""Gradient checking: compare an analytic gradient with a numerical one.

Use it on your own code::

    result = gradcheck(lambda z: my_loss(z, y), lambda z: my_grad(z, y), z)
    print(result)           # the largest relative error, where, and a verdict
    assert result.ok

The numerical gradient comes from :mod:`derivation.differences` (central or
forward differences, or the complex step; see there for their accuracy and
steps), and the bound of its error from :mod:`derivation.noise`, which
measures it: rounding, truncation and the noise of ``f`` itself.

``f`` and ``grad`` are always called with copies of ``x``: a function that
works in place cannot spoil the check.

*The verdicts, and what each guarantees.*  Entry by entry, ``a`` is the
analytic gradient, ``n`` the numerical one, ``E_i`` the bound of the error of
``n_i`` (plus the rounding of ``a_i``), ``G`` the largest entry of either
gradient in absolute value and ``fine`` the fine bound (below).  An entry is
*checkable* when ``E_i <= fine G``: the numerical gradient is accurate there
to the fine bound, measured against the gradient's size.  The relative error
is ``e_i = |a_i - n_i| / max(|a_i|, |n_i|, floor_i)``, with the floor
``floor_i = 4 E_i / fine`` (at most ``4 G``) where the entry is checkable and
``G`` where it is not (or the ``floor`` given, if larger, but never above
``G``: a user's floor cannot turn the check off).  ``E_i`` includes the checks
of :mod:`derivation.gradcheck_guards`: where the complex step and central
differences disagree beyond both their bounds, ``E_i`` is at least that
disagreement; and a ``G`` below the floating-point range the numerical
gradient resolves (subnormal, or zero) makes no entry checkable.

- ``"fine"``: every entry is checkable and ``e_i <= fine``.  So every entry of
  the analytic gradient is within ``fine max(|a_i|, |n_i|, floor_i) + E_i``
  of the true gradient (at most ``5 fine G``; for an entry larger than its
  floor, ``fine |a_i| + E_i``), as far as ``E`` bounds the numerical error.
  This is the tolerance "fine" states; a gradient off by more is not "fine".
- ``"suspicious"``, ``"uncomfortable"``: every entry is checkable, and the
  largest ``e_i`` is in that band (below).
- ``"wrong"``: at least one entry differs by more than its error bound
  allows: a checkable entry with ``e_i`` in the "wrong" band, or an entry
  that is not checkable but where ``|a_i - n_i| > 100 E_i`` and
  ``|a_i - n_i| / max(|a_i|, |n_i|)`` is in the "wrong" band.  A NaN or inf
  in the analytic gradient is wrong too.
- ``"cannot check"``: some entry is not checkable and none is wrong.  The
  numerical gradient is too noisy or too coarse there to tell a right
  gradient from a wrong one; :attr:`GradCheck.reason` says why and what to
  try (another method, a smaller step, a deterministic or float64 ``f``,
  float32 input, ``method='central'`` for an ``f`` that is not complex-safe,
  scaling ``f`` up).  Not "fine": a wrong gradient would get the same verdict.

*The bands* follow the CS231n notes on gradient checking, made for float64
and central differences: a relative error ``<= 1e-7`` is fine; up to 1e-4 is
suspicious for a smooth function like softmax; up to 1e-2 is uncomfortable;
above that the gradient is probably wrong.

*The bands depend on the precision.*  The "fine" bound is the largest of 1e-7,
``100 eps`` of the coarser of ``x``'s and the analytic gradient's dtypes (the
gradient's own rounding: a few ulps per operation) and ``10 x`` the accuracy
of the numerical method (complex: the float64 ``eps``; central:
``eps^(2/3)``; forward: ``eps^(1/2)``, with the ``eps`` of ``x``'s dtype).
The other bounds are ``max(1e-4, 10 fine)`` and ``max(1e-2, 100 fine)``.  So
float64 keeps the CS231n bands (1e-7, 1e-4, 1e-2) with every method but
forward (1.5e-7); float32 has 1.2e-5 with the complex step, 2.4e-4 with
central and 3.5e-3 with forward differences.

*The error bound scales with the problem.*  A fixed absolute floor (say
1e-10) would measure every entry smaller than it in absolute terms, and then
an all-zero gradient passes wherever the true one is small: cross-entropy at
confident logits has a gradient of about 1e-17.  Instead ``E_i`` is what
rounding, truncation and measured noise can make the two gradients differ by:

    E_i = eps_a G + eps_n G + 2 sigma_D + T_i              (complex step)
    E_i = eps_a G + max(eps_x |f(x)| / h_i, 2 c sigma / h_i) + T_i  (central, forward)

(``|f(x)|`` no smaller than ``finfo.tiny``, where the spacing of numbers stops
shrinking),

``eps_a`` is the machine epsilon of the analytic gradient's dtype, ``eps_n``
that of float64 (the complex step works in complex128), ``eps_x`` that of
``x``, ``h_i`` the step of entry ``i``, ``T_i`` its truncation error
(estimated from a second, wider step; inf where a third, narrower step shows
that ``h`` is too large for that estimate), ``sigma`` the measured noise of
``f`` and ``sigma_D`` the scatter of the complex-step quotients (see
:mod:`derivation.noise`; the check calls ``f`` ``6n + 1`` (central) or
``3n + 1`` (forward) plus about 40 times for finite differences, and
``3n + 1`` times for the complex step plus the ``6n + 41`` or so of its
cross-check with central differences, ``n = x.size``).  The factor 4 in the floor is a
safety margin, measured on 400 random quadratic, cubic, cross-entropy and
linear-layer problems (``tests/gradcheck_cases.py``; logit scales 0.1 to
20), with and without noise: where every entry was checkable, the largest
relative error of a right gradient stayed below 0.5 of the "fine" bound with
every method and dtype.  Every term scales with the sizes of ``f`` and of
the gradients: multiplying ``f`` by 1e-20 multiplies ``E`` by 1e-20 and
leaves every verdict as it was.  An entry above its floor is compared in
relative terms, so a zero or a sign-flipped gradient there has a relative
error of 1 or 2: "wrong".

*Noise is not a licence.*  Where ``E_i`` grows (a noisy ``f``, a float32
loss on float64 input, a fast oscillation, a step too large), the entry stops
being checkable: the verdict becomes "cannot check", or "wrong" where the
discrepancy is still far above the noise.  It never becomes "fine" because
everything is noisy.  Forward differences are the first to stop: their
rounding, ``eps^(1/2) |f(x)| / max(1, |x_i|)``, reaches their fine bound of
``10 eps^(1/2) G`` once ``|f(x)|`` is a few times ``G``; use the complex step
or central differences there.

*The complex step needs an analytic f.*  ``np.abs``, ``np.linalg.norm``,
``np.vdot``, ``.real`` or ``np.sign`` drop or bend the imaginary part the
complex step relies on, and its quotient then misses a term with no trace of
noise.  So the complex step is cross-checked with central differences: where
the two disagree by more than twice the sum of their bounds, ``E_i`` becomes
that disagreement (plus central's bound) and the verdict "cannot check"
(reason: f is not complex-safe; use ``method='central'``), or "wrong" where
the analytic gradient is far from both.

*What it cannot see.*  ``E`` is measured, not proven: noise that shows in
none of the check's evaluations (a rare spike) escapes it.  The complex
step's cross-check sees a non-analytic term only where it is larger than
central differences' own bound: under noise of ``f`` that hides it from them,
the complex step's verdict rests on ``f`` being analytic, as it says it
does.  And the numerical gradient is the derivative at the scale of the step:
an oscillation much faster than the step is noise to finite differences
("cannot check"), while its own derivative belongs to the true gradient; the
complex step sees it, but its cross-check cannot tell that from a
non-analytic term, so that too is "cannot check".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .differences import (
    Method,
    as_real_input,
    default_step,
    difference_table,
    numerical_grad,
)
from .gradcheck_guards import (
    analytic_gradient,
    below_range,
    check_floor,
    complex_disagreement,
    largest,
    not_complex_safe,
)
from .noise import NoiseEstimate, advice, estimate_noise
from .style import significant, subscript

__all__ = [
    "CANNOT_CHECK",
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

#: margin of the floor over the error bound (see the module's docstring)
SAFETY = 4.0
#: an entry that is not checkable is wrong when it differs by more than this times its bound
WRONG_MARGIN = 100.0

#: (upper bound of the relative error, verdict, what it means), from the CS231n notes
BANDS = (
    (1e-7, "fine", "the gradient is right"),
    (1e-4, "suspicious", "acceptable only for kinked functions; softmax is smooth"),
    (1e-2, "uncomfortable", "most likely a bug"),
    (np.inf, "wrong", "the gradient is wrong"),
)

#: the verdict when the numerical gradient is too noisy to tell right from wrong, and its meaning
CANNOT_CHECK = (
    "cannot check",
    "the numerical gradient is too noisy here to tell a right gradient from a wrong one",
)


#: the meaning of "cannot check" where the cause is not noise (see gradcheck_guards)
UNRESOLVED = "the numerical gradient cannot tell a right gradient from a wrong one here"


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
        Entry-wise relative error (see :func:`relative_error`), with the floor
        :attr:`floor`.
    max_error : float
        The largest relative error among the entries the verdict rests on:
        the wrong ones for "wrong", all entries otherwise.
    worst : tuple of int
        Index of that entry.
    verdict : str
        ``"fine"``, ``"suspicious"``, ``"uncomfortable"``, ``"wrong"`` or
        ``"cannot check"`` (see the module's docstring for what each
        guarantees).
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
    error_bound : ndarray or None
        ``E_i``: the bound of the numerical gradient's error in each entry,
        plus the analytic gradient's rounding (inf where it is unknown).
    checkable : ndarray of bool or None
        Where ``E_i <= fine_below * G``: the entries a verdict can rest on.
    reason : str
        For "cannot check": why the numerical gradient is too noisy, and what
        to try; empty otherwise.
    noise : NoiseEstimate or None
        The measurements behind ``error_bound`` (see :mod:`derivation.noise`).
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
    error_bound: np.ndarray | None = None
    checkable: np.ndarray | None = None
    reason: str = ""
    noise: NoiseEstimate | None = None

    @property
    def max_error_text(self) -> str:
        """``max_error`` as the notebooks print it: two significant figures, a real minus
        sign, short e-notation (``1.3``, ``5.3e−16``) rather than ``1.3e+00``."""
        return significant(self.max_error)

    @property
    def ok(self) -> bool:
        """True when the verdict is ``"fine"``."""
        return self.verdict == "fine"

    def __str__(self) -> str:
        a, n = self.analytic[self.worst], self.numerical[self.worst]
        where = f"{self.method}, {self.dtype}, fine up to {self.fine_below:.1e}"
        if self.verdict == CANNOT_CHECK[0] and self.checkable is not None:
            assert self.error_bound is not None
            bound = float(self.error_bound[self.worst])
            size = largest(self.analytic, self.numerical)
            return (
                f"{self.verdict}: {self.meaning} ({int((~self.checkable).sum())} of "
                f"{self.checkable.size} entries; at index {self.worst} the numerical gradient's "
                f"error bound is {bound:.1e}, above {self.fine_below:.1e} x its largest entry "
                f"{size:.3g}; analytic {a:.6g}, numerical {n:.6g}; {where}); {self.reason}"
            )
        return (
            f"{self.verdict}: largest relative error {self.max_error:.1e} at index "
            f"{self.worst} (analytic {a:.6g}, numerical {n:.6g}; {where}); {self.meaning}"
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
        of ``x`` and of points near it only.
    grad : callable or array_like
        The gradient to check: a function of ``x`` (called with a copy), or
        its value at ``x``.  Real numbers shaped like ``x`` (a complex array
        whose imaginary part is exactly zero is accepted).
    x : array_like
        The point, float32 or float64.  The verdict's bands depend on the
        dtype (see the module's docstring and :func:`fine_bound`).
    method : {"complex", "central", "forward"}, default "complex"
        Complex step is the most accurate; use "central" when ``f`` is not
        complex-safe.
    h : float, optional
        Relative step (default: :func:`default_step`).  A step too large for
        ``f`` (outside the asymptotic regime of the method's truncation) makes
        the entries it spoils "cannot check", never "wrong".
    floor : float, optional
        A finite positive absolute floor for :func:`relative_error`, as in
        older versions: entries smaller than it are compared in absolute
        terms (the one measured from the noise is used where it is larger).
        Capped at the largest entry ``G``, so that no floor turns the check off.
        Default: the floor of the module's docstring, scaled to the sizes of
        ``f(x)`` and of the gradients, so that a zero or sign-flipped
        gradient is caught however small the true one is.

    Returns
    -------
    GradCheck
        Errors, the worst entry and a verdict: "fine", "suspicious",
        "uncomfortable", "wrong" or "cannot check" (what each guarantees is in
        the module's docstring); ``str()`` explains it.

    Raises
    ------
    ValueError
        If the gradient's shape differs from ``x``'s, it has a nonzero
        imaginary part or is float16, ``x`` is float16, ``f(x)`` is not finite,
        ``f`` returns a complex number with an imaginary part for real input
        (finite differences), or ``floor`` or ``h`` is not a finite positive
        number.
    TypeError
        If the gradient is not numbers (strings, objects), ``f`` returns
        something else than a number (a str, a bool), or ``floor`` or ``h`` is
        not a real number.

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

    However noisy ``f``, a wrong gradient is not "fine" either:

    >>> rng = np.random.default_rng(0)
    >>> noisy = lambda v: (v**2).sum() + 1e-4 * rng.normal()
    >>> gradcheck(noisy, lambda v: -2 * v, x, method="central").verdict
    'cannot check'

    Nor is a gradient that misses a term the complex step cannot see (``np.abs``):

    >>> absolute = lambda v: (v**2).sum() + np.abs(v).sum()
    >>> gradcheck(absolute, lambda v: 2 * v, x).reason.split(" (")[0]
    'f is not complex-safe here'
    """
    x = as_real_input(x)
    analytic, grad_dtype = analytic_gradient(grad(x.copy()) if callable(grad) else grad, x)
    absolute = 0.0 if floor is None else check_floor(floor)
    table = difference_table(f, x, method, h)
    numerical = table.grad
    fine = fine_bound(method, x.dtype, grad_dtype)
    eps_x = _eps(x.dtype)
    eps_a = max(eps_x, _eps(grad_dtype))
    coarse = x.dtype if eps_x >= eps_a else grad_dtype
    estimate = estimate_noise(f, x, table, h)
    size = largest(analytic, numerical)
    rounding = (eps_a + (_eps(np.float64) if method == "complex" else 0.0)) * size
    bound = estimate.error + rounding
    apart = None
    if method == "complex":
        apart = complex_disagreement(f, x, numerical, bound)
        bound = bound if apart is None else np.maximum(bound, apart)
    unresolved = below_range(size, method, x.dtype, h)
    checkable = (bound <= fine * size) & (not unresolved)
    with np.errstate(invalid="ignore", over="ignore"):
        floors = np.where(checkable, SAFETY * bound / fine, size)
        floors = np.maximum(np.maximum(floors, min(absolute, size)), np.finfo(np.float64).tiny)
        errors = relative_error(analytic, numerical, floors)
        gap = np.abs(analytic - numerical)
        plain = relative_error(analytic, numerical, np.finfo(np.float64).tiny)
    wrong_limit = bands(fine)[2][0]
    ranked = np.nan_to_num(errors, nan=np.inf)
    wrong = (checkable & (ranked > wrong_limit)) | ~np.isfinite(analytic)
    wrong |= ~checkable & (gap > WRONG_MARGIN * bound) & (plain > wrong_limit) & (not unresolved)
    reason = ""
    if wrong.any():
        name, meaning = BANDS[-1][1], BANDS[-1][2]
        pool = np.where(wrong, ranked, -1.0)
    elif not checkable.all():
        name, meaning = CANNOT_CHECK
        pool = np.where(checkable, -1.0, np.nan_to_num(bound, nan=np.inf))
    else:
        name, meaning = verdict(float(ranked.max()), fine)
        pool = ranked
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(pool), pool.shape))
    if name == CANNOT_CHECK[0]:
        cause = unresolved or (not_complex_safe(h) if apart is not None and apart[worst] else "")
        if cause and np.isfinite(estimate.resolution):  # else: f did not change, as advice says
            reason, meaning = cause, UNRESOLVED
        else:
            reason = advice(estimate, method, table.f0, worst, eps_x, h)
    return GradCheck(
        analytic, numerical, errors, float(errors[worst]), worst, name, meaning, method,
        fine_below=fine, floor=floors, dtype=str(np.dtype(coarse)), error_bound=bound,
        checkable=checkable, reason=reason, noise=estimate,
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
    # with the step fixed, finite differences still scale it by max(1, |x_i|); keep |x| <= 1 to
    # see exactly the step asked for
    errors = []
    for h in steps:
        try:
            errors.append(relative_error(exact, numerical_grad(f, x, method=method, h=h)).max())
        except ValueError:  # the step does not change x at all
            errors.append(1.0)
    return np.nan_to_num(np.array(errors), nan=1.0, posinf=1.0)


def comparison_table(columns: dict[str, ArrayLike], *, reference: str, digits: int = 12,
                     entries: str = "index") -> str:  # fmt: skip
    """Gradients side by side, one row per entry, and each one's largest relative error.

    Parameters
    ----------
    columns : dict of name -> array_like
        Gradients of the same shape.
    reference : str
        The column the others' relative errors are measured against.
    digits : int, default 12
        Significant digits shown.
    entries : {"index", "Θ"}, default "index"
        How rows are named: by the 0-based index, e.g. ``(0, 1)``, or, for a
        gradient by Θ of shape (K, n), in the article's ``Θ_kj`` (class k from 1,
        feature j from 0), e.g. ``∂J/∂Θ₁₁``.

    Returns
    -------
    str
        A plain-text table: one row per entry (its name, then each column), then
        a row ``max rel. error`` in scientific notation.

    Examples
    --------
    >>> print(comparison_table({"a": [[1.0, 2.0]], "b": [[1.0, 2.0]]}, reference="a",
    ...                        digits=3, entries="Θ").splitlines()[2])
    ∂J/∂Θ₁₁                   2            2
    """
    if entries not in ("index", "Θ"):
        raise ValueError(f"entries must be 'index' or 'Θ', got {entries!r}")
    if reference not in columns:
        raise ValueError(f"reference {reference!r} is not one of the columns {list(columns)}")
    arrays = {name: np.asarray(v, dtype=np.float64) for name, v in columns.items()}
    shape = arrays[reference].shape
    for name, arr in arrays.items():
        if arr.shape != shape:
            raise ValueError(f"column {name!r} has shape {arr.shape}, expected {shape}")
    if entries == "Θ" and len(shape) != 2:
        raise ValueError(f"entries='Θ' names a (K, n) gradient by Θ; got shape {shape}")
    width = max(digits + 8, *(len(n) for n in arrays)) + 2
    lines = ["entry".ljust(16) + "".join(name.rjust(width) for name in arrays)]
    for idx in np.ndindex(shape):
        cells = "".join(f"{arr[idx]:{width}.{digits}g}" for arr in arrays.values())
        name = (
            str(idx) if entries == "index" else f"∂J/∂Θ{subscript(idx[0] + 1)}{subscript(idx[1])}"
        )
        lines.append(name.ljust(16) + cells)
    errors = [relative_error(arrays[reference], arr).max() for arr in arrays.values()]
    lines.append("max rel. error".ljust(16) + "".join(f"{e:{width}.1e}" for e in errors))
    return "\n".join(lines)

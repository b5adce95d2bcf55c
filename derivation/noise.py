"""How large the error of a numerical gradient is, measured rather than assumed.

A difference quotient is only as good as ``f`` is smooth at the scale of its
step.  Rounding in float64 is the mild case; a loss computed in float32 on
float64 input, a random term, a fast oscillation or a step that is too large
can make the numerical gradient wrong by more than the gradient itself, and a
check that trusts it then passes anything.  :func:`estimate_noise` bounds the
error of each entry of a numerical gradient from four measurements:

- *rounding*, the model ``eps |f(x)| / h_i`` (finite differences);
- *rounding*: below ``finfo.tiny`` the spacing of floating-point numbers no
  longer shrinks with ``|f(x)|``, so the model uses ``max(|f(x)|, tiny)``;
- *truncation*, from the same quotient with a wider step (Richardson:
  ``|D(2h) - D(h)| / 3`` central, ``|D(2h) - D(h)|`` forward,
  ``|D(3h) - D(h)| / 8`` complex step).  Richardson's estimate holds only
  where ``h`` is small enough for the error to be ``c h^p``; a third,
  narrower step ``h / 3`` checks that: the two differences
  ``D(rh) - D(h)`` and ``D(h) - D(h/3)`` must be in the ratio
  ``(r^p - 1) / (1 - 3^-p)`` (3.4 central, 1.5 forward, 9 complex step)
  within a factor of 2, wherever they stand out of the noise (for the
  complex step, of a few ulps; there the test is made only for steps above
  1e-10, where truncation can count).  Where they do
  not (a step near the period of a sine, say, or where an exponential's
  higher terms still count), the truncation error is unknown (inf): that entry
  cannot be checked with this step;
- *the noise of f*, ``sigma``: the scatter of ``f`` about a smooth curve at the
  scale of the step, estimated as in Moré and Wild's ECnoise (SIAM J. Sci.
  Comput. 33(3), 2011) from the higher differences of ``f`` along two random
  directions (9 points each), pooled with every entry's own fourth difference
  (central differences) and with repeated evaluations of ``f(x)`` (which find
  noise that is not deterministic).  The probe's step is ``h / 10``; where
  ``f`` does not change at all along a direction, the step is below its
  resolution (a float32 loss on float64 input, a rounded result): the probe
  widens the step 100-fold (up to 1e-2) to measure that resolution; if ``f``
  still does not change, its noise is unknown and no entry can be checked.
  A second look at 100 times the step (up to 1e-3) finds a coarse rounding
  hidden under a little fine noise;
- for the complex step, which has no subtraction, the noise is the scatter of
  ``D(3h) - D(h)`` over the entries (``f`` computed in complex64, say).

The bound of entry ``i`` is ``max(rounding_i, 2 c sigma / h_i) + truncation_i``
(rounding is one source of the noise; the measured ``sigma`` replaces the
model where it is larger), with ``c`` the noise gain of the quotient
(``1/sqrt 2`` central, ``sqrt 2`` forward) and 2 a confidence factor for a
measured standard deviation (for the complex step ``2 sigma_D``).  It costs
``2 x 2 x 9 + 2`` more calls of ``f`` at most (finite differences; each
widening 18 more).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import factorial

import numpy as np

from .differences import NARROW, DifferenceTable, Method, default_step, value_of

__all__ = ["CONFIDENCE", "NoiseEstimate", "advice", "estimate_noise", "noise_of_f", "settled"]

#: measured standard deviations are multiplied by this to bound an error
CONFIDENCE = 2.0
#: points on each probe line, t = -4 ... 4
PROBE_POINTS = 9
#: the largest relative step of a probe widened because f did not change along it
PROBE_LIMIT = 1e-2
#: the largest relative step of the probe's second, wider look
WIDE_LIMIT = 1e-3
#: evaluations of f(x) repeated, to find noise that is not deterministic
REPEATS = 2
#: complex steps up to this are taken as small enough for Richardson's estimate without a test
COMPLEX_SMALL = 1e-10


@dataclass(frozen=True)
class NoiseEstimate:
    """The error bound of a numerical gradient, entry by entry, and where it comes from.

    Attributes
    ----------
    error : ndarray, float64, shape of x
        The bound of ``|numerical - true|`` for each entry (inf where ``f``'s
        noise could not be measured or the quotient is not finite).
    rounding, truncation, noise : ndarray, float64, shape of x
        Its three parts (see the module's docstring).
    sigma : float
        The measured noise of ``f`` in units of ``f`` (finite differences), or
        the scatter of the quotients in units of the gradient (complex step);
        inf when ``f`` did not change at all.
    spread : float
        The largest difference between repeated evaluations of ``f(x)``; not
        zero means ``f`` is not deterministic.
    resolution : float
        The relative step (like ``h``) at which the probes saw ``f`` change:
        ``h / 10``, ``10 h``, ...; inf if not up to 1e-2.
    settled : ndarray of bool or None
        Where the three steps agree that ``h`` is small enough for
        Richardson's estimate (see the module's docstring); where not, the
        truncation (and ``error``) is inf.
    """

    error: np.ndarray
    rounding: np.ndarray
    truncation: np.ndarray
    noise: np.ndarray
    sigma: float
    spread: float
    resolution: float
    settled: np.ndarray | None = None


def _gamma(k: int) -> float:
    """ECnoise's normalisation: ``E[(Delta^k e)^2] = sigma^2 / gamma_k`` for white noise e."""
    return factorial(k) ** 2 / factorial(2 * k)


def noise_of_f(values: np.ndarray) -> tuple[float, bool]:
    """The standard deviation of the noise in equally spaced values of ``f`` (ECnoise).

    Parameters
    ----------
    values : ndarray, shape (lines, points)
        ``f`` at equally spaced points along each line (at least 9 points).

    Returns
    -------
    sigma : float
        For each line, ECnoise's estimate: the first order ``k`` (3 or 4;
        lower orders still hold the smooth part at the steps used here) whose
        ``sigma_k = sqrt(gamma_k mean((Delta^k f)^2))`` agrees within a
        factor of 4 with those of the next two orders, and whose differences
        change sign (noise does; a smooth ``f`` contributes about
        ``s^k f^(k)`` at spacing ``s``, of one sign and falling with ``k``).
        Pooled (root mean square) over the lines that pass.  If none passes: the smallest
        ``sigma_k`` of orders 3 to 6 (an upper bound of the noise).
    accepted : bool
        Whether some line passed the test, that is, noise was seen.

    Examples
    --------
    >>> t = np.linspace(-1, 1, 9)
    >>> sigma, seen = noise_of_f(np.array([np.exp(t)]))  # smooth: no noise seen
    >>> bool(sigma < 1e-2), seen
    (True, False)
    >>> noise = np.random.default_rng(0).normal(scale=1e-3, size=(200, 9))
    >>> sigma, seen = noise_of_f(np.exp(t) + noise)
    >>> bool(0.5e-3 < sigma < 2e-3), seen
    (True, True)
    """
    found, bounds = [], []  # sigma of each line that passes; bound of each line
    for row in values:
        scale = _scale(row)
        diffs = [np.diff(row / scale, n=k) for k in range(1, 7)]
        sigmas = [np.sqrt(_gamma(k + 1) * np.mean(d**2)) for k, d in enumerate(diffs)]
        bounds.append(scale * min(sigmas[2:]))
        for k in (2, 3):  # orders 3 and 4
            near = sigmas[k : k + 3]
            if max(near) <= 4 * min(near) and diffs[k].max() > 0 > diffs[k].min():
                found.append(scale * sigmas[k])
                break
    if found:
        return _rms(np.array(found)), True
    return float(min(bounds)), False


def _scale(values: np.ndarray) -> float:
    """The largest finite absolute value (1 if none or zero): divides before squaring."""
    sizes = np.abs(values[np.isfinite(values)])
    return float(sizes.max()) if sizes.size and sizes.max() > 0 else 1.0


def _rms(values: np.ndarray) -> float:
    """Root mean square, without overflow (inf if any value is not finite)."""
    if not np.all(np.isfinite(values)):
        return np.inf
    scale = _scale(values)
    return scale * float(np.sqrt(np.mean((values / scale) ** 2)))


def _probe(f: Callable[[np.ndarray], float], x: np.ndarray, h: float) -> tuple[float, float]:
    """ECnoise along two random directions: (sigma of f, relative step where f changed).

    The probe starts at the step ``h / 10`` (small enough that a smooth ``f``
    leaves no trace in the third and higher differences), and widens it
    100-fold while ``f`` does not change along either line (up to a relative
    step of 1e-2).  Then it looks once more at 100 times that step, if that is
    at most 1e-3, where only noise that passes ECnoise's test counts: a loss
    rounded to float32, with a little float64 noise on top, looks smooth and
    quiet at the small step and shows its rounding only at the wider one
    (where ``f`` is not finite or raises, beyond the differences' own points,
    that look is skipped).  The directions are Gaussian, scaled like the steps, and fixed (seeded),
    so that the estimate is deterministic for a deterministic ``f``.
    """
    rng = np.random.default_rng(20110301)
    scale = np.maximum(1.0, np.abs(x.astype(np.float64))) / np.sqrt(x.size)
    directions = rng.normal(size=(2, *x.shape)) * scale
    t = np.arange(PROBE_POINTS) - PROBE_POINTS // 2

    def look(step: float, optional: bool = False) -> tuple[float, bool] | None:
        try:
            values = np.array(
                [[_real(f, (x + k * step * p).astype(x.dtype)) for k in t] for p in directions]
            )
        except (ArithmeticError, ValueError):  # outside f's domain, beyond the differences' 2h
            if optional:
                return None
            raise
        if not np.all(np.isfinite(values)):
            return None if optional else (np.inf, True)
        # a line along which f does not change (an invariance, such as softmax's shift) says
        # nothing about the noise: only lines with mostly distinct values count
        resolved = [len(np.unique(row)) > PROBE_POINTS // 2 for row in values]
        return noise_of_f(values[resolved]) if any(resolved) else None

    step = h / 10
    while (found := look(step)) is None:
        step *= 100.0
        if step > PROBE_LIMIT:
            return np.inf, np.inf
    sigma = found[0]
    if 100 * step <= WIDE_LIMIT and (wide := look(100 * step, True)) is not None and wide[1]:
        sigma = max(sigma, wide[0])
    return sigma, step


def _real(f: Callable[[np.ndarray], float], point: np.ndarray) -> float:
    return float(value_of(f, point, "central"))


def settled(table: DifferenceTable, level: np.ndarray) -> np.ndarray:
    """Where the step is small enough for Richardson's truncation estimate.

    Parameters
    ----------
    table : DifferenceTable
        With its three steps ``h / 3``, ``h`` and ``r h``.
    level : ndarray, shape of x
        The noise of ``D(h)`` (rounding and measured noise).

    Returns
    -------
    ndarray of bool, shape of x
        False where ``D(rh) - D(h)`` and ``D(h) - D(h/3)`` stand out of the
        noise but are not in the ratio ``(r^p - 1) / (1 - 3^-p)`` within a
        factor of 2; True elsewhere (and where there is no narrow step).

    Examples
    --------
    >>> from derivation.differences import difference_table
    >>> x = np.array([0.37, -0.69])
    >>> sine = lambda v: np.sin(2 * v).sum()
    >>> level = np.full(2, 1e-10)  # rounding of the quotients at the default step
    >>> settled(difference_table(sine, x, "central"), level).tolist()
    [True, True]
    >>> settled(difference_table(sine, x, "central", h=np.pi), level).tolist()
    [False, False]
    """
    if table.narrow is None:
        return np.ones(table.grad.shape, dtype=bool)
    rho = (table.ratio**table.order - 1) / (1 - NARROW**-table.order)
    with np.errstate(invalid="ignore", over="ignore"):
        big, small = table.wide - table.grad, table.grad - table.narrow
        noise = 2 * level + rho * (1 + NARROW) * level
        allowed = 0.5 * np.maximum(np.abs(big), rho * np.abs(small)) + 2 * noise
        off = np.abs(big - rho * small) > allowed
    return ~(off & np.isfinite(table.narrow))


def estimate_noise(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    table: DifferenceTable,
    h: float | None = None,
) -> NoiseEstimate:
    """Bound the error of the numerical gradient ``table.grad``, entry by entry.

    Parameters
    ----------
    f : callable
        The function ``table`` was made from (called with copies of points
        near ``x``; for the complex step it is not called again).
    x : ndarray
        The point, a checked real array (:func:`derivation.differences.as_real_input`).
    table : DifferenceTable
        From :func:`derivation.differences.difference_table` for ``f`` at ``x``.
    h : float, optional
        The relative step ``table`` was made with (default: the method's).

    Returns
    -------
    NoiseEstimate
        The bound and its parts (see the module's docstring).

    Examples
    --------
    >>> from derivation.differences import difference_table
    >>> x = np.array([0.3, -1.2])
    >>> cube = lambda v: (v**3).sum()
    >>> quiet = estimate_noise(cube, x, difference_table(cube, x, "central"))
    >>> bool(quiet.error.max() < 1e-8)
    True
    >>> rng = np.random.default_rng(0)
    >>> noisy = lambda v: (v**3).sum() + 1e-6 * rng.normal()
    >>> loud = estimate_noise(noisy, x, difference_table(noisy, x, "central"))
    >>> bool(loud.error.min() > 0.1), bool(loud.spread > 0)
    (True, True)
    """
    method: Method = table.method  # type: ignore[assignment]
    truncation = np.nan_to_num(table.truncation, nan=np.inf)
    if method == "complex":
        with np.errstate(invalid="ignore", over="ignore"):
            scatter = _rms(table.wide - table.grad) / np.sqrt(2)
        noise = np.full(x.shape, CONFIDENCE * scatter)
        rounding = np.zeros(x.shape)
        spread, resolution = 0.0, 0.0
        sigma = scatter
    else:
        base = default_step(method, x.dtype) if h is None else float(h)
        repeats = [_real(f, x) for _ in range(REPEATS)]
        spread = float(max(abs(r - table.f0) for r in repeats))
        sigma, resolution = _probe(f, x, base)
        if table.fourth is not None:
            sigma = max(sigma, _rms(table.fourth) / np.sqrt(70))
        sigma = max(sigma, spread)
        gain = 1 / np.sqrt(2) if method == "central" else np.sqrt(2)
        info = np.finfo(x.dtype)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            noise = CONFIDENCE * gain * sigma / table.steps
            rounding = float(info.eps) * max(abs(table.f0), float(info.tiny)) / table.steps
    with np.errstate(invalid="ignore", over="ignore"):
        level = np.maximum(rounding, noise)
        if method == "complex":  # the scatter is truncation at a large step: a few ulps instead
            level = np.full(x.shape, 4 * float(np.finfo(np.float64).eps) * _rms(table.grad))
        calm = settled(table, level)
        if method == "complex" and (h is None or h <= COMPLEX_SMALL):
            calm = np.ones(x.shape, dtype=bool)  # truncation, about h^2 f3, is nil at such steps
        truncation = np.where(calm, truncation, np.inf)
        error = np.maximum(rounding, noise) + truncation  # rounding is one source of noise
    error = np.where(np.isfinite(table.grad), error, np.inf)
    return NoiseEstimate(error, rounding, truncation, noise, sigma, spread, resolution, calm)


def advice(
    estimate: NoiseEstimate,
    method: str,
    f0: float,
    worst: tuple[int, ...],
    eps: float,
    h: float | None = None,
) -> str:
    """Why the numerical gradient is too noisy at entry ``worst``, and what to try.

    Parameters
    ----------
    estimate : NoiseEstimate
        From :func:`estimate_noise`.
    method : {"complex", "central", "forward"}
        The numerical method.
    f0 : float
        ``f(x)``.
    worst : tuple of int
        The entry to explain (the one with the largest error bound).
    eps : float
        The machine epsilon of ``x``'s dtype.
    h : float, optional
        The step asked for (None: the default).

    Returns
    -------
    str
        The cause, then what to try.
    """
    if not np.isfinite(estimate.resolution):
        return (
            "f did not change at all when x moved along a random direction, even by a "
            "relative step of 1e-2: "
            "it is constant there or rounds its result coarsely, so its noise is unknown; "
            "try a much larger h, or compute f in float64"
        )
    if estimate.spread > 0:
        return (
            f"f is not deterministic: two evaluations at the same x differ by "
            f"{estimate.spread:.1e}; fix its random seed or remove the random term"
        )
    if estimate.settled is not None and not estimate.settled[worst]:
        return (
            "the step is too large for f here: the quotients with the steps h/3, h and a wider "
            "one do not shrink as the method's order says (a step near a period of f, or "
            "higher-order terms that still count), so the truncation error is unknown; try a "
            "smaller h"
        )
    if np.isinf(estimate.error[worst]) and np.isfinite(estimate.sigma):
        return (
            "the difference quotient is not finite there (f overflows or is NaN next to x); "
            "try a smaller h"
        )
    parts = {
        "rounding": estimate.rounding[worst],
        "truncation": estimate.truncation[worst],
        "noise": estimate.noise[worst],
    }
    large = method == "complex" and h is not None and h > COMPLEX_SMALL  # default: 1e-20
    if large or max(parts, key=lambda k: parts[k]) == "truncation":
        default = default_step(method)  # type: ignore[arg-type]
        return (
            f"the step is too large: the quotients with two steps differ, a truncation error "
            f"of about {parts['truncation']:.1e}; use a smaller h (the default is {default:.0e}"
            f"{' in float64' if method != 'complex' else ''})"
        )
    if method == "complex":
        return (
            "the complex-step quotients with the steps h and 3h disagree (f may be computed in "
            "complex64, or not be analytic); compute f in complex128, or use method='central'"
        )
    relative = estimate.sigma / abs(f0) if f0 != 0 else np.inf
    tries = ["method='complex' if f is complex-safe"]
    if relative <= 100 * eps:
        cause = (
            f"rounding: f's values scatter by {estimate.sigma:.1e} ({relative / eps:.1f} ulps of "
            f"f(x)), and the division by the step magnifies that beyond the fine bound of the "
            f"gradient (f is large compared with its gradient)"
        )
        tries += ["method='central'"] if method == "forward" else []
    else:
        cause = (
            f"f is noisy at the scale of the step: its values scatter by {estimate.sigma:.1e}, "
            f"{relative:.0e} of |f(x)| (a float32 computation gives about 1e-07), and the "
            f"division by the step magnifies that"
        )
        better = relative ** (1 / (3 if method == "central" else 2)) if relative < 1 else 1.0
        if better > 2 * (default_step(method) if h is None else h):  # type: ignore[arg-type]
            tries.append(f"a larger step such as h={better:.0e}")
        tries.append("a deterministic float64 f")
    return f"{cause}; try {', or '.join(tries)}"

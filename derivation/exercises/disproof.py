"""Proving an answer wrong where the checker's points cannot see the difference (exp(-3000)).

What lives here: :func:`disproven`, which looks for one point at which an
answer and the right step differ, evaluated in outward-rounded interval
arithmetic at a precision chosen for that point, within a time limit; and
:func:`needed_precision`, its estimate of that precision.

The checker's points are evaluated at up to 4096 bits, so a wrong answer
whose difference from the right step is below about ``2**-4096``
(``-h1*h2 + exp(-3000)``, ``(h1 - y1)/m + exp(-1000*m)``) agrees with it at
every point.  Here fresh points with exact rational coordinates are drawn
(three in a small region, where ``m`` is between 1 and 2 and ``exp(-1000*m)``
is at least ``exp(-2000)``, and three near and three far, as the checker's),
and at each the precision is estimated from the spread of the magnitudes of
every part of both expressions at 128 bits: enough bits to resolve the
smallest part next to the largest, with a margin.  The points whose estimate
is at most :data:`MAX_PRECISION` are evaluated at it, cheapest first, until
one shows disjoint intervals.

Disjoint intervals prove the two expressions different at an exact point, so
"wrong" from here is sound; the estimate only decides whether the difference
is found.  Nothing here ever calls two expressions equal: when no point shows
a difference in time, the caller keeps its "unproven".
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

import sympy as sp
from mpmath import libmp

from ..symbolic import model
from .intervals import DividesByZero, Unusable, contains_zero, disjoint, interval, iv
from .parsing import names
from .points import FAR, NEAR, Region

__all__ = ["MAX_PRECISION", "SMALL", "disproven", "exact_points", "needed_precision"]

MAX_PRECISION = 16384  # bits: resolves a difference down to about exp(-11000) next to 1
SMALL = Region(theta=(-1, 1), x1=(-1, 1), m=(1, 2), y=(-1, 1))  # exp(-1000*m) >= exp(-2000)
_MARGIN = 256  # bits beyond the spread of the magnitudes
_ESTIMATE_BITS = 128  # the precision of the estimate
# seconds of one exp or log at 16384 bits with mpmath's pure-Python backend (measured: 0.05),
# doubled; the cost grows about as the square of the precision
_SECONDS_AT_MAX = 0.1


def exact_points(
    rng: random.Random, *, one_hot: bool, count: int, region: Region
) -> list[dict[sp.Symbol, Fraction]]:
    """``count`` points with exact rational coordinates (the ``h_k`` are computed later).

    Parameters
    ----------
    rng : random.Random
        The generator (the checker's, seeded from :mod:`secrets`).
    one_hot : bool
        Whether ``y3 = 1 - y1 - y2``.
    count : int
        How many points.
    region : Region
        Where the coordinates lie.

    Returns
    -------
    list of dict
        Each maps ``Θ_kj``, ``x1``, ``m`` and ``y_k`` to a :class:`fractions.Fraction`.
    """
    m = model(3)

    def rational(bounds: tuple[int, int]) -> Fraction:
        scale = rng.randrange(10**6, 2 * 10**6)
        return Fraction(rng.randint(bounds[0] * scale, bounds[1] * scale), scale)

    found = []
    for _ in range(count):
        point: dict[sp.Symbol, Fraction] = {s: rational(region.theta) for s in m.theta}
        point[m.x1] = rational(region.x1)
        point[names()["m"]] = rational(region.m)
        for yk in m.y:
            point[yk] = rational(region.y)
        if one_hot:
            point[m.y[2]] = 1 - point[m.y[0]] - point[m.y[1]]
        found.append(point)
    return found


def _intervals(point: dict[sp.Symbol, Fraction], precision: int) -> dict[sp.Symbol, object]:
    """The point as intervals at ``precision`` bits, with the ``h_k`` the softmax there."""
    m = model(3)
    iv.prec = precision
    out = {s: iv.mpf(v.numerator) / v.denominator for s, v in point.items()}
    exps = [iv.exp(out[m.theta[k, 0]] + out[m.theta[k, 1]] * out[m.x1]) for k in range(3)]
    total = exps[0] + exps[1] + exps[2]
    for k in range(3):
        out[m.h[k]] = exps[k] / total
    return out


def _magnitude(value: object) -> int | None:
    """About log2 of the smallest absolute value in a nonzero interval (None if it holds 0)."""
    if contains_zero(value):
        return None
    low, high = value._mpi_
    if any(v in (libmp.finf, libmp.fninf, libmp.fnan) for v in (low, high)):
        return None
    nearest = low if libmp.mpf_lt(libmp.fzero, low) else high
    _, _, exponent, bits = nearest
    return exponent + bits


def needed_precision(exprs: tuple[sp.Expr, ...], point: dict[sp.Symbol, Fraction]) -> int | None:
    """Bits that resolve the smallest part of ``exprs`` next to the largest, at ``point``.

    An estimate from one evaluation at 128 bits: the spread of the magnitudes
    of every part (``exp(-3000)`` next to ``h1*h2`` needs about 4330 bits),
    plus a margin.  None if the expressions cannot be evaluated there.
    """
    memo: dict = {}
    here = _intervals(point, _ESTIMATE_BITS)
    try:
        for expr in exprs:
            interval(expr, here, memo)
    except (Unusable, DividesByZero, ArithmeticError, ValueError):
        return None
    sizes = [s for s in map(_magnitude, memo.values()) if s is not None]
    if not sizes:
        return _ESTIMATE_BITS
    return max(sizes) - min(sizes) + _MARGIN


def _transcendental(expr: sp.Expr) -> int:
    return sum(1 for node in sp.preorder_traversal(expr) if isinstance(node, (sp.exp, sp.log)))


def disproven(
    expr: sp.Expr,
    target: sp.Expr,
    rng: random.Random,
    *,
    one_hot: bool,
    remaining: Callable[[], float],
) -> bool:
    """Whether some exact point shows ``expr`` and ``target`` different (sound: never a guess).

    Parameters
    ----------
    expr, target : sympy.Expr
        The answer and the right step, as the parser builds them.
    rng : random.Random
        The generator of the points.
    one_hot : bool
        Whether ``y3 = 1 - y1 - y2`` at the points.
    remaining : callable
        Seconds of the check's budget left; a point whose estimated cost
        exceeds them is not tried.

    Returns
    -------
    bool
        True if the two are proven different at a point; False if no point
        tried in time shows it (which proves nothing).
    """
    points = []
    for region in (SMALL, NEAR, FAR):
        points += exact_points(rng, one_hot=one_hot, count=3, region=region)
    estimated = []
    for point in points:
        bits = needed_precision((expr, target), point)
        if bits is not None and bits <= MAX_PRECISION:
            estimated.append((bits, len(estimated), point))
    operations = _transcendental(expr) + _transcendental(target) + 3  # the softmax's exps
    for bits, _, point in sorted(estimated, key=lambda e: e[:2]):
        bits = max(bits, 64)
        if operations * _SECONDS_AT_MAX * (bits / MAX_PRECISION) ** 2 > remaining():
            return False
        here = _intervals(point, bits)
        try:
            mine, right = interval(expr, here, {}), interval(target, here, {})
        except (Unusable, DividesByZero, ArithmeticError, ValueError):
            continue
        if disjoint(mine, right):
            return True
    return False

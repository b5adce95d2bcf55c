"""Random exact points, and what an answer's values there prove (for the answer checker).

What lives here: :func:`draw`, which draws points with exact rational
coordinates from a generator the caller passes (the checker seeds a fresh one
from :mod:`secrets` at every check, so no learner can aim an answer at them),
in a region near the origin (:data:`NEAR`) or far from it (:data:`FAR`);
:func:`values`, the outward-rounded intervals of an expression at those
points; and the conclusions the checker draws from two lists of values
(:func:`may_agree`, :func:`usable`, :func:`constant_factor`); and
:class:`Sample`, the points of one check, which can grow.

At a point the hypotheses ``h_k`` are the softmax of the logits
``Θ_k0 + Θ_k1 x1`` there, so that an answer may use the explicit softmax in
their place, and with ``one_hot`` the labels satisfy ``y3 = 1 - y1 - y2``
exactly.  A value is an interval of :data:`derivation.exercises.intervals.iv`
tight to a relative 2**-64, or :data:`ANY` (no tight interval: an overflowing
``exp``, say) or :data:`DIVIDES_BY_ZERO` (a zero denominator, or the log of a
number <= 0, is possible there).  Disjoint intervals prove two expressions
different; nothing here ever calls two expressions equal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp
from mpmath import libmp

from ..symbolic import model
from .intervals import DividesByZero, Unusable, contains_zero, disjoint, interval, iv, tight
from .parsing import names

__all__ = [
    "ANY",
    "DIVIDES_BY_ZERO",
    "FAR",
    "NEAR",
    "Region",
    "Sample",
    "changes_sign",
    "constant_factor",
    "draw",
    "is_interval",
    "may_agree",
    "mirrors",
    "usable",
    "values",
]

ANY = object()  # a point at which the value cannot be bounded tightly (exp overflow, ...)
DIVIDES_BY_ZERO = object()  # a point where it divides by zero or takes the log of x <= 0


@dataclass(frozen=True)
class Region:
    """Where the coordinates of a point are drawn from (closed intervals)."""

    theta: tuple[int, int]
    x1: tuple[int, int]
    m: tuple[int, int]
    y: tuple[int, int]


NEAR = Region(theta=(-2, 2), x1=(-2, 2), m=(2, 9), y=(-1, 2))
FAR = Region(theta=(-6, 6), x1=(-12, 12), m=(1, 300), y=(-8, 8))


def draw(
    rng: random.Random, *, one_hot: bool, count: int, region: Region, precision: int
) -> tuple[dict[sp.Symbol, object], ...]:
    """``count`` random points with exact rational coordinates, as intervals.

    Parameters
    ----------
    rng : random.Random
        The generator (seeded by the caller; the checker seeds it from :mod:`secrets`).
    one_hot : bool
        Whether ``y3 = 1 - y1 - y2`` at every point.
    count : int
        How many points.
    region : Region
        Where the coordinates lie.
    precision : int
        Bits of the intervals of the ``h_k`` (computed from the logits).

    Returns
    -------
    tuple of dict
        Each maps the answer symbols (``h_k``, ``y_k``, ``x1``, ``Θ_kj``, ``m``) to intervals.
    """
    m = model(3)
    iv.prec = precision
    points = []

    def rational(bounds: tuple[int, int]) -> object:
        scale = rng.randrange(10**6, 2 * 10**6)  # a fresh denominator for every coordinate
        value = Fraction(rng.randint(bounds[0] * scale, bounds[1] * scale), scale)
        return iv.mpf(value.numerator) / value.denominator

    for _ in range(count):
        point: dict[sp.Symbol, object] = {s: rational(region.theta) for s in m.theta}
        point[m.x1] = rational(region.x1)
        point[names()["m"]] = rational(region.m)
        for yk in m.y:
            point[yk] = rational(region.y)
        if one_hot:
            point[m.y[2]] = 1 - point[m.y[0]] - point[m.y[1]]
        _set_hypotheses(point)
        points.append(point)
    return tuple(points)


def _set_hypotheses(point: dict) -> None:
    """Set the point's h_k to the softmax of its logits Θ_k0 + Θ_k1 x1 (at ``iv.prec``)."""
    m = model(3)
    exps = [iv.exp(point[m.theta[k, 0]] + point[m.theta[k, 1]] * point[m.x1]) for k in range(3)]
    total = exps[0] + exps[1] + exps[2]
    for k in range(3):
        point[m.h[k]] = exps[k] / total


def mirrors(point: dict, precision: int) -> tuple[dict, ...]:
    """The point with every weight Θ_kj negated, with x1 negated, and with both.

    A guard (a denominator, a log argument) that is an odd function of them, such
    as ``Θ_11``, ``x1`` or a logit ``Θ_10 + Θ_11 x1``, changes sign between a point
    and one of its mirrors, so that a log of a number <= 0 is found whatever the
    random points were.  The ``h_k`` are recomputed; ``m`` and the labels stay.
    """
    m = model(3)
    iv.prec = precision
    out = []
    for flip_theta, flip_x in ((True, False), (False, True), (True, True)):
        q = dict(point)
        if flip_theta:
            for s in m.theta:
                q[s] = -point[s]
        if flip_x:
            q[m.x1] = -point[m.x1]
        _set_hypotheses(q)
        out.append(q)
    return tuple(out)


def changes_sign(found: tuple) -> bool:
    """Whether some values are surely positive and others surely negative.

    The variables range over a connected set (all real Θ and x1, m > 0, labels in
    [0, 1]), so a continuous part that is positive at one point and negative at
    another is 0 somewhere between them: a denominator that changes sign divides by
    zero for some values of the variables, whether or not a point lands there.
    """
    signs = {1 if v.a > 0 else -1 for v in found if is_interval(v) and (v.a > 0 or v.b < 0)}
    return signs == {1, -1}


def values(
    expr: sp.Expr, points: tuple[dict, ...], precision: int, memos: list[dict] | None = None
) -> tuple[object, ...]:
    """The intervals of ``expr`` at the points (or :data:`ANY`, :data:`DIVIDES_BY_ZERO`).

    ``memos`` (one dict per point) lets several expressions share the values
    of their common parts at each point.
    """
    found = []
    for i, point in enumerate(points):
        iv.prec = precision
        try:
            value = interval(expr, point, None if memos is None else memos[i])
            found.append(value if tight(value) else ANY)
        except DividesByZero:
            found.append(DIVIDES_BY_ZERO)
        except (Unusable, ArithmeticError, ValueError):
            found.append(ANY)
    return tuple(found)


def is_interval(value: object) -> bool:
    """Whether ``value`` is an interval (not :data:`ANY` nor :data:`DIVIDES_BY_ZERO`)."""
    return value is not ANY and value is not DIVIDES_BY_ZERO


def usable(found: tuple) -> bool:
    """Whether some point gave an interval."""
    return any(is_interval(v) for v in found)


def may_agree(a: tuple, b: tuple) -> bool:
    """False when some point proves the two expressions different."""
    for p, q in zip(a, b, strict=True):
        if is_interval(p) and is_interval(q) and disjoint(p, q):
            return False
        if (p is DIVIDES_BY_ZERO) != (q is DIVIDES_BY_ZERO):
            return False
    return True


def constant_factor(a: tuple, b: tuple) -> sp.Rational | None:
    """A small rational c with a = c b at every point, if the intervals allow one."""
    pairs = [
        (p, q)
        for p, q in zip(a, b, strict=True)
        if is_interval(p) and is_interval(q) and not contains_zero(q)
    ]
    if not pairs:
        return None
    ratios = [p / q for p, q in pairs]
    low = ratios[0]._mpi_[0]
    if low in (libmp.finf, libmp.fninf, libmp.fnan):
        return None
    sign, mantissa, exponent, _ = low
    exact = Fraction(-mantissa if sign else mantissa) * Fraction(2) ** exponent
    factor = exact.limit_denominator(10**60)
    if factor in (0, 1):
        return None
    c = iv.mpf(factor.numerator) / factor.denominator
    if any(disjoint(r, c) for r in ratios):
        return None
    return sp.Rational(factor.numerator, factor.denominator)


@dataclass
class Sample:
    """The random points of one check (near and far, with and without one-hot labels).

    The first points are evaluated at ``precision`` bits; the points :meth:`grow`
    adds, at ``grown`` bits, so that a difference too small for the
    first precision (``exp(-300*(x1 - 1)**2 - 300)``) can still show.
    """

    rng: random.Random
    precision: int
    grown: int = 4096  # bits of the points grow() adds
    count: int = 3  # points of each region
    points: dict[bool, list] = field(default_factory=dict)  # (point, precision, memo)
    found: dict[tuple, tuple] = field(default_factory=dict)

    def at(self, one_hot: bool) -> list:
        if one_hot not in self.points:
            self.points[one_hot] = []
            self._add(one_hot, self.precision)
        return self.points[one_hot]

    def _add(self, one_hot: bool, precision: int) -> None:
        for region in (NEAR, FAR):
            drawn = draw(
                self.rng, one_hot=one_hot, count=self.count, region=region, precision=precision
            )
            self.points[one_hot] += [(point, precision, {}) for point in drawn]

    def guard_values(self, expr: sp.Expr, one_hot: bool) -> tuple:
        """The values of a guard at the points and at their :func:`mirrors`."""
        key = ("guard", expr, one_hot, len(self.at(one_hot)))
        if key not in self.found:
            found = list(self.values(expr, one_hot))
            for point, precision, _ in self.points[one_hot]:
                found += values(expr, mirrors(point, precision), precision)
            self.found[key] = tuple(found)
        return self.found[key]

    def grow(self) -> None:
        """Draw ``count`` more points in each region, for each kind of labels used so far."""
        for one_hot in list(self.points):
            self._add(one_hot, max(self.precision, self.grown))

    def values(self, expr: sp.Expr, one_hot: bool) -> tuple:
        points = self.at(one_hot)
        key = (expr, one_hot, len(points))
        if key not in self.found:
            self.found[key] = tuple(
                value
                for point, precision, memo in points
                for value in values(expr, (point,), precision, [memo])
            )
        return self.found[key]

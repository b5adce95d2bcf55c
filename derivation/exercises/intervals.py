"""Outward-rounded interval arithmetic on SymPy expressions, for the answer checker.

What lives here: :func:`interval`, which evaluates an expression built by
:mod:`derivation.exercises.parsing` (rationals, symbols, ``+``, ``*``, integer
powers, ``exp``, ``log``, ``e`` and ``pi``) at a point whose coordinates are
mpmath intervals, and the few tests on intervals the checker needs
(:func:`tight`, :func:`contains_zero`, :func:`disjoint`, :func:`bound`,
:func:`moderate`).  All of it uses the one interval context :data:`iv`, whose
working precision the caller sets before evaluating.

The random points themselves, and what the checker concludes from the
values there, are in :mod:`derivation.exercises.checker`.
"""

from __future__ import annotations

import functools

import sympy as sp
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext

__all__ = [
    "DividesByZero",
    "Unusable",
    "bound",
    "contains_zero",
    "disjoint",
    "interval",
    "iv",
    "moderate",
    "tight",
]

iv = MPIntervalContext()  # the one interval context; callers set ``iv.prec`` first
_LARGEST_EXPONENT = 10_000
_TIGHT = (0, 1, -64, 1)  # 2**-64 as a raw mpf


class Unusable(Exception):
    """No honest interval for this expression at this point (an unknown symbol, exp overflow)."""


class DividesByZero(Exception):
    """The expression divides by zero, or takes the log of a number <= 0, at this point."""


def interval(expr: sp.Basic, point: dict, memo: dict | None = None) -> object:
    """The interval of ``expr`` at ``point`` (a dict from symbols to intervals of :data:`iv`).

    ``memo`` (a dict, for this point and this precision only) keeps the
    interval of every sub-expression evaluated, so that several expressions
    with common parts cost one evaluation of each part.
    """
    if memo is None:
        return _interval(expr, point, {})
    return _interval(expr, point, memo)


def _interval(expr: sp.Basic, point: dict, memo: dict) -> object:
    if expr in memo:
        return memo[expr]
    value = _evaluate(expr, point, memo)
    memo[expr] = value
    return value


def _evaluate(expr: sp.Basic, point: dict, memo: dict) -> object:
    if isinstance(expr, sp.Rational):
        return iv.mpf(int(expr.p)) / int(expr.q)
    if isinstance(expr, sp.Symbol):
        if expr not in point:
            raise Unusable
        return point[expr]
    if isinstance(expr, sp.Add):
        parts = [_interval(a, point, memo) for a in expr.args]
        return functools.reduce(lambda p, q: p + q, parts)
    if isinstance(expr, sp.Mul):
        parts = [_interval(a, point, memo) for a in expr.args]
        return functools.reduce(lambda p, q: p * q, parts)
    if isinstance(expr, sp.Pow) and isinstance(expr.exp, sp.Integer):
        base, n = _interval(expr.base, point, memo), int(expr.exp)
        if n < 0 and contains_zero(base):
            raise DividesByZero
        return base**n
    if isinstance(expr, sp.exp):
        argument = _interval(expr.args[0], point, memo)
        if bound(argument) > _LARGEST_EXPONENT:
            raise Unusable  # exp of a huge number: no honest interval at this precision
        return iv.exp(argument)
    if isinstance(expr, sp.log):
        argument = _interval(expr.args[0], point, memo)
        if contains_zero(argument):
            raise DividesByZero
        if libmp.mpf_lt(argument._mpi_[0], libmp.fzero):
            raise DividesByZero  # log of a negative number: undefined for real numbers
        return iv.log(argument)
    if expr == sp.E:
        return iv.e
    if expr == sp.pi:
        return iv.pi
    raise Unusable


def tight(value) -> bool:
    """Whether the interval is narrow enough to tell values apart (relative 2**-64)."""
    low, high = value._mpi_
    if any(v in (libmp.finf, libmp.fninf, libmp.fnan) for v in (low, high)):
        return False
    size = libmp.fone
    for end in (libmp.mpf_abs(low), libmp.mpf_abs(high)):
        if libmp.mpf_lt(size, end):
            size = end
    width = libmp.mpf_sub(high, low, 64, libmp.round_ceiling)
    return libmp.mpf_le(width, libmp.mpf_mul(size, _TIGHT))


def moderate(number: sp.Expr, limit: float) -> bool:
    """Whether a constant expression is known to lie within ±``limit``."""
    iv.prec = 256
    try:
        value = interval(number, {})
    except (Unusable, DividesByZero, ArithmeticError, ValueError):
        return False
    return bound(value) <= limit


def contains_zero(value) -> bool:
    """Whether the interval contains 0."""
    low, high = value._mpi_
    return not libmp.mpf_lt(libmp.fzero, low) and not libmp.mpf_lt(high, libmp.fzero)


def bound(value) -> float:
    """The largest absolute value in the interval, as a float."""
    low, high = value._mpi_
    return max(abs(libmp.to_float(low)), abs(libmp.to_float(high)))


def disjoint(a, b) -> bool:
    """Whether two intervals have no point in common."""
    (a_low, a_high), (b_low, b_high) = a._mpi_, b._mpi_
    return libmp.mpf_lt(a_high, b_low) or libmp.mpf_lt(b_high, a_low)

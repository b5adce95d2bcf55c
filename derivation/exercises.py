"""Exercises that answer back: a safe parser, a step checker with hints, function checks.

A learner's answer is text such as ``"-h1*h2"``.  It is parsed with Python's
``ast`` module and rebuilt in SymPy from a whitelist of names, numbers and
operations; nothing is ever evaluated (no ``eval``, no ``sympify`` of the
text).  So, served by Voilà, an answer box cannot run code on the server.

An answer box may face a whole class, so the checker is also bounded in time
and memory (at most 300 characters, about 2 s and 200 MB, measured by
``benchmarks/bench_answers.py``):

* :func:`parse` bounds what it *builds*, not only the text: the bits of every
  number, the degree and the number of terms the expression would have once
  expanded, and the nesting of ``exp``/``log``.  Nothing is expanded while
  parsing.  A number written with a decimal point means its exact decimal
  value (``1.00000001`` is not 1).
* :func:`check` first evaluates the answer and the right step at a few seeded
  random points with exact rational coordinates (and ``y3 = 1 - y1 - y2``
  where the labels may be assumed to sum to one), in outward-rounded interval
  arithmetic (mpmath), with the hypotheses ``h_k`` given by the softmax at
  that point.  Disjoint intervals prove "not equal" at once; a wrong answer
  differs almost everywhere.  Only an answer that agrees at every point goes on
  to :func:`derivation.symbolic.equal`, which proves it; that proof runs under
  a hard time limit (a ``SIGALRM`` timer when the check runs in the main
  thread, as it does in a Jupyter kernel), and an answer too large to decide
  in time is told so.  Division by zero and the log of a number ≤ 0 (at every
  point, or in the text itself, as in ``0/0``) make an answer "undefined".

The limits are the module's constants (``MAX_BITS``, ``MAX_DEGREE``,
``MAX_TERMS``, ``MAX_NESTING``, ``TIME_BUDGET``).  Outside the main thread no
timer can be set, and the bounds alone must keep a check small: the hostile
suite of ``tests/test_hostile_answers.py`` is also run that way.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import math
import random
import signal
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import sympy as sp
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext

from . import numeric
from .gradcheck import gradcheck
from .symbolic import equal, model

__all__ = [
    "EXERCISES",
    "Feedback",
    "TooComplexError",
    "UndefinedAnswerError",
    "check",
    "check_function",
    "parse",
]

MAX_LENGTH = 300
MAX_NODES = 250  # ast nodes, operators and contexts included
MAX_EXPONENT = 4
MAX_NUMBER = 1000
MAX_BITS = 1024  # bits of the numbers an expanded answer can contain
MAX_DEGREE = 24  # total degree of the expanded answer
MAX_TERMS = 2500  # terms of the expanded answer (an upper bound)
MAX_NESTING = 3  # exp(...) and log(...) inside one another
TIME_BUDGET = 1.6  # seconds of work per check, enforced where a timer can be set
_FUNCTIONS = {"exp": sp.exp, "log": sp.log}
_M = sp.Symbol("m", positive=True)
_NAMES_HINT = "use the names h1 ... y3, x1, m, Theta10 ... and exp, log"


class TooComplexError(ValueError):
    """An answer whose expanded form would be too large to check in time."""


class UndefinedAnswerError(ValueError):
    """An answer that is undefined, such as ``0/0``, ``1/0``, ``log(0)`` or ``log(-1)``."""


@functools.cache
def _names() -> dict[str, sp.Basic]:
    m = model(3)
    names = {f"h{k}": m.h[k - 1] for k in (1, 2, 3)}
    names |= {f"y{k}": m.y[k - 1] for k in (1, 2, 3)}
    names |= {"x1": m.x1, "m": _M}
    names |= {f"Theta{k}{j}": m.theta[k - 1, j] for k in (1, 2, 3) for j in (0, 1)}
    return names


# --------------------------------------------------------------------------- parsing
@dataclass(frozen=True)
class _Cost:
    """Upper bounds on what expanding an expression would produce."""

    degree: int = 0
    terms: int = 1
    bits: int = 0
    nesting: int = 0

    def plus(self, other: _Cost) -> _Cost:
        bits = self.bits + other.bits + 1 if self.bits and other.bits else self.bits + other.bits
        return _Cost(
            max(self.degree, other.degree),
            self.terms + other.terms,
            bits,
            max(self.nesting, other.nesting),
        )

    def times(self, other: _Cost) -> _Cost:
        return _Cost(
            self.degree + other.degree,
            self.terms * other.terms,
            self.bits + other.bits,
            max(self.nesting, other.nesting),
        )

    def power(self, n: int) -> _Cost:
        # the n-th power of a sum of t terms has at most C(t + n - 1, n) terms
        terms = math.comb(self.terms + n - 1, n)
        return _Cost(self.degree * n, terms, self.bits * n, self.nesting)

    def checked(self) -> _Cost:
        if self.nesting > MAX_NESTING:
            raise TooComplexError(f"exp and log are nested more than {MAX_NESTING} deep")
        if self.degree > MAX_DEGREE or self.terms > MAX_TERMS:
            raise TooComplexError(
                "expanded, the answer would have degree "
                f"{'> ' + str(MAX_DEGREE) if self.degree > MAX_DEGREE else self.degree} and up to "
                f"{'> ' + str(MAX_TERMS) if self.terms > MAX_TERMS else self.terms} terms"
            )
        if self.bits > MAX_BITS:
            raise TooComplexError(f"its numbers would grow beyond {MAX_BITS} bits")
        return self


_UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def _defined(expr: sp.Expr) -> sp.Expr:
    if expr.has(*_UNDEFINED):
        raise UndefinedAnswerError("the answer is undefined (it divides by zero, or takes log 0)")
    return expr


def parse(text: str) -> sp.Expr:
    """Turn an answer such as ``"-h1*h2"`` into a SymPy expression, safely.

    Allowed: numbers (up to 1000 in size; a decimal number means its exact
    value), the names ``h1 h2 h3 y1 y2 y3 x1 m Theta10 ... Theta31``,
    ``+ - * /``, ``**`` with a whole-number exponent of at most 4,
    parentheses, and ``exp(...)``, ``log(...)``.  Everything else is rejected
    before anything is built, and so is an answer whose expanded form would be
    too large (see the module's docstring).  Nothing is expanded.

    Parameters
    ----------
    text : str
        The learner's answer, at most 300 characters.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        With a message saying what is not allowed.  Two subclasses say more:
        :class:`TooComplexError` for an answer too large to check, and
        :class:`UndefinedAnswerError` for ``0/0``, ``1/0``, ``log(0)`` and the like.

    Examples
    --------
    >>> parse("-h1*h2")
    -h_1*h_2
    >>> parse("0.5*h1 - 1.00000001*h2")
    h_1/2 - 100000001*h_2/100000000
    >>> parse("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: '__import__' is not allowed here; ...
    >>> parse("(((h1 + h2)**4)**4)**4")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    derivation.exercises.TooComplexError: expanded, the answer would have degree ...
    >>> parse("0/0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    derivation.exercises.UndefinedAnswerError: the answer is undefined ...
    """
    return _parse(text)[0]


def _parse(text: str) -> tuple[sp.Expr, _Cost]:
    if not isinstance(text, str):
        raise ValueError(f"the answer must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the answer is too long ({len(text)} characters; at most {MAX_LENGTH})")
    source = text.strip()
    if not source:
        raise ValueError("the answer is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as err:
        raise ValueError(
            f"this is not a formula Python can read: {err.__class__.__name__}"
        ) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ValueError(f"the answer is too complicated (more than {MAX_NODES} parts)")
    return _Builder(source).build(tree.body)


class _Builder:
    """Rebuild a whitelisted ``ast`` tree in SymPy, bounding its cost at every node."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.names = _names()

    def build(self, node: ast.AST) -> tuple[sp.Expr, _Cost]:
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner, cost = self.build(node.operand)
            return (-inner if isinstance(node.op, ast.USub) else inner), cost
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            value = self.number(node)
            return value, _Cost(bits=value.p.bit_length() + value.q.bit_length()).checked()
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                raise ValueError(f"{node.id!r} is not allowed here; {_NAMES_HINT}")
            return self.names[node.id], _Cost(degree=1)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = type(node).__name__
        raise ValueError(
            f"{what} is not allowed in an answer: only numbers, names, + - * / ** and ( )"
        )

    def binop(self, node: ast.BinOp) -> tuple[sp.Expr, _Cost]:
        if isinstance(node.op, ast.Pow):
            n = self.exponent(node.right)
            base, cost = self.build(node.left)
            cost = cost.power(abs(n)).checked()
            return _defined(base**n), cost
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise ValueError(
                f"{type(node.op).__name__} is not allowed in an answer: only + - * / ** and ( )"
            )
        (a, ca), (b, cb) = self.build(node.left), self.build(node.right)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            cost = ca.plus(cb).checked()
            return (a + b if isinstance(node.op, ast.Add) else a - b), cost
        cost = ca.times(cb).checked()
        return _defined(a * b if isinstance(node.op, ast.Mult) else a / b), cost

    @staticmethod
    def exponent(node: ast.AST) -> int:
        sign = 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            sign = -1 if isinstance(node.op, ast.USub) else 1
            node = node.operand
        if not (
            isinstance(node, ast.Constant)
            and type(node.value) is int
            and node.value <= MAX_EXPONENT
        ):
            raise ValueError(f"powers must be small whole numbers (at most {MAX_EXPONENT})")
        return sign * node.value

    def number(self, node: ast.Constant) -> sp.Rational:
        if type(node.value) is int:
            if node.value > MAX_NUMBER:
                raise ValueError(f"numbers must be at most {MAX_NUMBER}")
            return sp.Integer(node.value)
        # a float literal means its exact decimal value, read from the text itself
        literal = ast.get_source_segment(self.source, node) or repr(node.value)
        try:
            decimal = Decimal(literal)
        except InvalidOperation:
            raise ValueError(f"cannot read the number {literal!r}") from None
        if not decimal.is_finite() or abs(decimal.as_tuple().exponent) > 2000:
            raise ValueError(f"numbers must be at most {MAX_NUMBER}")
        if abs(decimal) > MAX_NUMBER:
            raise ValueError(f"numbers must be at most {MAX_NUMBER}")
        exact = Fraction(decimal)
        return sp.Rational(exact.numerator, exact.denominator)

    def call(self, node: ast.Call) -> tuple[sp.Expr, _Cost]:
        if not isinstance(node.func, ast.Name):
            raise ValueError("only exp(...) and log(...) may be called in an answer")
        if node.func.id not in _FUNCTIONS:
            raise ValueError(f"{node.func.id!r} is not allowed here; {_NAMES_HINT}")
        if len(node.args) != 1 or node.keywords:
            raise ValueError(f"{node.func.id} takes exactly one argument")
        inner, cost = self.build(node.args[0])
        cost = _Cost(1, 1, cost.bits, cost.nesting + 1).checked()
        if node.func.id == "exp" and not inner.free_symbols and not _moderate(inner):
            raise TooComplexError(f"exp of a number beyond ±{MAX_NUMBER} is too large to check")
        result = _defined(_FUNCTIONS[node.func.id](inner))
        if result.has(sp.I):
            raise UndefinedAnswerError(
                "the answer takes the log of a negative number (undefined for real numbers)"
            )
        return result, cost


# --------------------------------------------------------------------------- exercises
@dataclass(frozen=True)
class Exercise:
    """One fill-in step: the question, the right answer, and the mistakes it recognises.

    ``one_hot`` says whether the labels may be assumed to sum to one
    (``y1 + y2 + y3 = 1``), as they do for one-hot or probability labels.
    """

    key: str
    question: str
    answer: str
    mistakes: tuple[tuple[str, str], ...]  # (wrong answer, hint)
    one_hot: bool = True


_E = Exercise
EXERCISES = {e.key: e for e in (
    _E("dh2/dTheta10", "∂h_2/∂Θ_10 (the quotient rule of Part II)", "-h1*h2", (
        ("0", "diagonal-only Jacobian: h_2 depends on Θ_10 through the shared denominator v, "
              "so the off-diagonal term −h_2 h_1 does not vanish"),
        ("h1*h2", "a lost minus sign: v' = e^{z_1} enters the quotient rule as −u v'"),
        ("h2*(1 - h2)", "a swapped index: that is ∂h_2/∂Θ_20, the diagonal entry"),
        ("-2*h1*h2", "a factor of two too many"),
    )),
    _E("part2", "Part II of ∂J/∂Θ_10, (∂J/∂h_2)(∂h_2/∂Θ_10)", "y2*h1", (
        ("-y2*h1", "a lost minus sign: (−y_2/h_2)·(−h_2 h_1) is positive"),
        ("y1*h2", "swapped indices: the derivative is by Θ_10, so h_1 survives, with label y_2"),
        ("0", "diagonal-only Jacobian: Part II is not zero, h_2 depends on Θ_10 through v"),
        ("-y2/h2", "you stopped at ∂J/∂h_2: multiply by ∂h_2/∂Θ_10 = −h_2 h_1"),
    )),
    _E("dJ/dTheta10", "∂J^{(i)}/∂Θ_10 for one sample (the combination (21))", "h1 - y1", (
        ("-y1*(1 - h1)", "diagonal-only Jacobian: you kept Part I and dropped Parts II and III"),
        ("y1 - h1", "a lost minus sign: it is h_1 − y_1"),
        ("h2 - y2", "a swapped index: Θ_10 belongs to class 1"),
        ("2*(h1 - y1)", "a factor of two too many (the cost has no square)"),
        ("(h1 - y1)*x1", "an extra factor x_1: Θ_10 multiplies x_0 = 1"),
    )),
    _E("dJ/dTheta11", "∂J^{(i)}/∂Θ_11 for one sample (22)", "(h1 - y1)*x1", (
        ("h1 - y1", "a missing factor x_j: Θ_11 multiplies x_1, so every Part carries x_1"),
        ("(y1 - h1)*x1", "a lost minus sign"),
        ("2*(h1 - y1)*x1", "a factor of two too many"),
    )),
    _E("mean", "∂J/∂Θ_10 of the MEAN cost over m samples, for one sample's share", "(h1 - y1)/m", (
        ("h1 - y1", "the 1/m of a mean is missing: the mean cost divides every gradient by m"),
        ("m*(h1 - y1)", "the factor m is upside down: a mean divides by m"),
    )),
)}  # fmt: skip


@dataclass(frozen=True)
class Feedback:
    """The checker's answer: right or not, a message that says why, and its kind.

    Attributes
    ----------
    correct : bool
        Whether the answer is right.
    message : str
        What to tell the learner.
    mistake : str or None
        The hint of a recognised mistake, if any.
    verdict : str
        From :func:`check`: ``"right"``, ``"mistake"`` (a known one),
        ``"wrong"``, ``"unreadable"``, ``"undefined"``, ``"too complex"`` or
        ``"unproven"`` (equal at every point tried, but SymPy cannot prove it).
        From :func:`check_function`: ``"right"``, ``"wrong"``, ``"raised"``,
        ``"wrong type"`` (None, complex, not numbers) or ``"wrong shape"``.
        Empty when built by hand.
    """

    correct: bool
    message: str
    mistake: str | None = None
    verdict: str = ""

    def __str__(self) -> str:
        return ("✔ " if self.correct else "✘ ") + self.message


_TOO_COMPLEX = "too complex to check — simplify it"


def check(key: str, answer: str) -> Feedback:
    """Check a learner's answer to exercise ``key``; recognise known mistakes.

    Never raises for any ``answer`` (only for an unknown ``key``), and takes
    at most about 2 s: see the module's docstring for how.

    Parameters
    ----------
    key : str
        One of ``EXERCISES``.
    answer : str
        The answer as text (parsed safely by :func:`parse`).

    Returns
    -------
    Feedback
        Correct (proven equal by SymPy, with ``y1 + y2 + y3 = 1`` where the
        exercise allows it), a recognised mistake with its hint, a constant
        factor, or a generic hint; or why the answer could not be checked.

    Raises
    ------
    ValueError
        If ``key`` is not an exercise.

    Examples
    --------
    >>> str(check("dh2/dTheta10", "-h1*h2"))
    '✔ right: SymPy proves it equal to the article’s step'
    >>> print(check("dh2/dTheta10", "h1*h2"))
    ✘ a lost minus sign: v' = e^{z_1} enters the quotient rule as −u v'
    >>> print(check("dh2/dTheta10", "-1.00000001*h1*h2"))
    ✘ off by a constant factor 100000001/100000000: check signs and factors of two
    >>> print(check("mean", "(h1*(y1 + y2 + y3) - y1)/m"))
    ✔ right, using y1 + y2 + y3 = 1; simplify it to (h1 - y1)/m
    >>> check("part2", "0/0").verdict
    'undefined'
    """
    if key not in EXERCISES:
        raise ValueError(f"unknown exercise {key!r}; expected one of {list(EXERCISES)}")
    try:
        with _time_limit(TIME_BUDGET):
            return _check(EXERCISES[key], answer)
    except _OutOfTime:
        return Feedback(False, _TOO_COMPLEX, verdict="too complex")
    except Exception as err:  # a defect of the checker must not reach the learner as a traceback
        return Feedback(
            False,
            f"could not check this answer ({type(err).__name__}); try writing it more simply",
            verdict="unreadable",
        )


def _check(exercise: Exercise, answer: str) -> Feedback:
    try:
        expr, cost = _parse(answer)
    except TooComplexError as err:
        return Feedback(False, f"{_TOO_COMPLEX} ({err})", verdict="too complex")
    except UndefinedAnswerError as err:
        return Feedback(False, str(err), verdict="undefined")
    except ValueError as err:
        return Feedback(False, f"cannot read the answer: {err}", verdict="unreadable")
    one_hot = exercise.one_hot
    mine = _values(expr, _precision(cost), one_hot)
    if all(v is _DIVIDES_BY_ZERO for v in mine):
        return Feedback(
            False,
            "the answer is undefined: it divides by zero or takes the log of a number ≤ 0"
            + (" when y1 + y2 + y3 = 1" if one_hot and expr.has(*model(3).y) else ""),
            verdict="undefined",
        )
    if any(v is _DIVIDES_BY_ZERO for v in mine):
        return Feedback(
            False,
            "the answer is undefined for some values of the variables: it divides by zero or "
            "takes the log of a number ≤ 0 there",
            verdict="undefined",
        )
    if not _usable(mine) and cost.terms > _BLIND_TERMS:
        return Feedback(
            False,
            f"{_TOO_COMPLEX} (I cannot evaluate it: exp of a huge number?)",
            verdict="too complex",
        )
    target = _reference(exercise.answer, one_hot)
    if _may_agree(mine, target.values):
        without_labels_rule = _may_agree(
            _values(expr, _precision(cost), False), _reference(exercise.answer, False).values
        )
        if without_labels_rule and _proven(expr, target.expr, one_hot=False):
            return Feedback(
                True, "right: SymPy proves it equal to the article’s step", verdict="right"
            )
        if one_hot and _proven(expr, target.expr, one_hot=True):
            return Feedback(
                True,
                f"right, using y1 + y2 + y3 = 1; simplify it to {exercise.answer}",
                verdict="right",
            )
        if _usable(mine) and _usable(target.values):
            return Feedback(
                False,
                "equal to the right step at every point I tried, but SymPy "
                "cannot prove it: simplify it (e.g. no log(exp(...)))",
                verdict="unproven",
            )
    for wrong, hint in exercise.mistakes:
        reference = _reference(wrong, one_hot)
        if _may_agree(mine, reference.values) and _proven(expr, reference.expr, one_hot=one_hot):
            return Feedback(False, hint, hint, verdict="mistake")
    factor = _constant_factor(mine, target.values)
    if factor is not None and _proven(expr, factor * target.expr, one_hot=one_hot):
        return Feedback(
            False,
            f"off by a constant factor {factor}: check signs and factors of two",
            verdict="wrong",
        )
    return Feedback(
        False,
        "not equal to the right step, and not a mistake I know: check each "
        "factor of the chain rule and the quotient rule",
        verdict="wrong",
    )


def _proven(a: sp.Expr, b: sp.Expr, *, one_hot: bool) -> bool:
    """SymPy's proof of ``a = b``; an error inside SymPy counts as "not proven"."""
    try:
        return bool(equal(a, b, one_hot=one_hot))
    except (ValueError, TypeError, ArithmeticError, RecursionError, sp.PolynomialError):
        return False


# --------------------------------------------------------------------------- time limit
class _OutOfTime(BaseException):
    """Raised by the timer of :func:`_time_limit`.

    A ``BaseException``, so that an ``except Exception`` inside SymPy lets it through.
    """


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_OutOfTime` in the block after ``seconds`` (main thread only).

    A repeating ``ITIMER_REAL`` timer, so that a broad ``except`` somewhere in
    SymPy cannot swallow the limit; it stops raising as soon as the block is
    left.  A handler and a timer that were already set (e.g. pytest-timeout's)
    are put back afterwards.  Outside the main thread, or when the current
    handler was not set from Python and so could not be put back, no timer is
    set, and the bounds of :func:`parse` alone keep the check small.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "setitimer")
        or signal.getsignal(signal.SIGALRM) is None
    ):
        yield
        return
    armed = [True]

    def alarm(signum, frame):
        if armed[0]:
            raise _OutOfTime

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        for _ in range(3):  # the timer may fire once more before it is disarmed
            try:
                armed[0] = False
                break
            except _OutOfTime:
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:
            remaining = max(old_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, old_interval)


# --------------------------------------------------------------------------- evaluation at points
_POINTS = 3
_POINT_PRECISION = 4096  # bits of the points' own values (h_k computed from the logits)
_ANY = object()  # a point at which the value cannot be bounded tightly (exp overflow, ...)
_DIVIDES_BY_ZERO = object()  # a point where it divides by zero or takes the log of x <= 0
_iv = MPIntervalContext()


class _Unusable(Exception):
    pass


class _DividesByZero(Exception):
    pass


def _precision(cost: _Cost) -> int:
    return min(2 * cost.bits + 256, _POINT_PRECISION)


@functools.cache
def _points(one_hot: bool) -> tuple[dict[sp.Symbol, object], ...]:
    """Seeded random points with exact rational coordinates, as tight intervals.

    The ``h_k`` are the softmax of the logits at the point, so that an answer
    may use the explicit softmax in their place.  With ``one_hot`` the labels
    satisfy ``y3 = 1 - y1 - y2`` exactly.
    """
    rng = random.Random(20241)
    m = model(3)
    _iv.prec = _POINT_PRECISION
    points = []

    def rational(low: int, high: int) -> object:
        value = Fraction(rng.randint(low * 97, high * 97), 97) + Fraction(1, 7919)
        return _iv.mpf(value.numerator) / value.denominator

    for _ in range(_POINTS):
        point: dict[sp.Symbol, object] = {s: rational(-2, 2) for s in m.theta}
        point[m.x1] = rational(-2, 2)
        point[_M] = rational(2, 9)
        for yk in m.y:
            point[yk] = rational(-1, 2)
        if one_hot:
            point[m.y[2]] = 1 - point[m.y[0]] - point[m.y[1]]
        exps = [
            _iv.exp(point[m.theta[k, 0]] + point[m.theta[k, 1]] * point[m.x1]) for k in range(3)
        ]
        total = exps[0] + exps[1] + exps[2]
        for k in range(3):
            point[m.h[k]] = exps[k] / total
        points.append(point)
    return tuple(points)


def _values(expr: sp.Expr, precision: int, one_hot: bool) -> tuple[object, ...]:
    """The intervals of ``expr`` at the points (or ``_ANY``, ``_DIVIDES_BY_ZERO``)."""
    values = []
    for point in _points(one_hot):
        _iv.prec = precision
        try:
            value = _interval(expr, point)
            values.append(value if _tight(value) else _ANY)
        except _DividesByZero:
            values.append(_DIVIDES_BY_ZERO)
        except (_Unusable, ArithmeticError, ValueError):
            values.append(_ANY)
    return tuple(values)


_LARGEST_EXPONENT = 10_000
_BLIND_TERMS = 32  # the largest answer SymPy is asked about when no point can be evaluated


def _interval(expr: sp.Basic, point: dict) -> object:
    if isinstance(expr, sp.Rational):
        return _iv.mpf(int(expr.p)) / int(expr.q)
    if isinstance(expr, sp.Symbol):
        if expr not in point:
            raise _Unusable
        return point[expr]
    if isinstance(expr, sp.Add):
        parts = [_interval(a, point) for a in expr.args]
        return functools.reduce(lambda p, q: p + q, parts)
    if isinstance(expr, sp.Mul):
        parts = [_interval(a, point) for a in expr.args]
        return functools.reduce(lambda p, q: p * q, parts)
    if isinstance(expr, sp.Pow) and isinstance(expr.exp, sp.Integer):
        base, n = _interval(expr.base, point), int(expr.exp)
        if n < 0 and _contains_zero(base):
            raise _DividesByZero
        return base**n
    if isinstance(expr, sp.exp):
        argument = _interval(expr.args[0], point)
        if _bound(argument) > _LARGEST_EXPONENT:
            raise _Unusable  # exp of a huge number: no honest interval at this precision
        return _iv.exp(argument)
    if isinstance(expr, sp.log):
        argument = _interval(expr.args[0], point)
        if _contains_zero(argument):
            raise _DividesByZero
        if libmp.mpf_lt(argument._mpi_[0], libmp.fzero):
            raise _DividesByZero  # log of a negative number: undefined for real numbers
        return _iv.log(argument)
    if expr == sp.E:
        return _iv.e
    if expr == sp.pi:
        return _iv.pi
    raise _Unusable


_TIGHT = (0, 1, -64, 1)  # 2**-64 as a raw mpf


def _tight(value) -> bool:
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


def _moderate(number: sp.Expr) -> bool:
    """Whether a constant expression is known to lie within ±MAX_NUMBER."""
    _iv.prec = 256
    try:
        value = _interval(number, {})
    except (_Unusable, _DividesByZero, ArithmeticError, ValueError):
        return False
    return _bound(value) <= MAX_NUMBER


def _contains_zero(value) -> bool:
    low, high = value._mpi_
    return not libmp.mpf_lt(libmp.fzero, low) and not libmp.mpf_lt(high, libmp.fzero)


def _bound(value) -> float:
    low, high = value._mpi_
    return max(abs(libmp.to_float(low)), abs(libmp.to_float(high)))


def _is_interval(value: object) -> bool:
    return value is not _ANY and value is not _DIVIDES_BY_ZERO


def _usable(values: tuple) -> bool:
    return any(_is_interval(v) for v in values)


def _disjoint(a, b) -> bool:
    (a_low, a_high), (b_low, b_high) = a._mpi_, b._mpi_
    return libmp.mpf_lt(a_high, b_low) or libmp.mpf_lt(b_high, a_low)


def _may_agree(a: tuple, b: tuple) -> bool:
    """False when some point proves the two expressions different."""
    for p, q in zip(a, b, strict=True):
        if _is_interval(p) and _is_interval(q) and _disjoint(p, q):
            return False
        if (p is _DIVIDES_BY_ZERO) != (q is _DIVIDES_BY_ZERO):
            return False
    return True


def _constant_factor(a: tuple, b: tuple) -> sp.Rational | None:
    """A small rational c with a = c b at every point, if the intervals allow one."""
    pairs = [
        (p, q)
        for p, q in zip(a, b, strict=True)
        if _is_interval(p) and _is_interval(q) and not _contains_zero(q)
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
    c = _iv.mpf(factor.numerator) / factor.denominator
    if any(_disjoint(r, c) for r in ratios):
        return None
    return sp.Rational(factor.numerator, factor.denominator)


@dataclass(frozen=True)
class _Reference:
    expr: sp.Expr
    values: tuple


@functools.cache
def _reference(text: str, one_hot: bool) -> _Reference:
    expr, _ = _parse(text)
    return _Reference(expr, _values(expr, _POINT_PRECISION, one_hot))


# --------------------------------------------------------------------------- numeric tasks
_TASKS = ("softmax", "cross_entropy_grad", "theta_grad")


def check_function(task: str, function: Callable, *, seed: int = 0) -> Feedback:
    """Check a learner's ``"softmax"``, ``"cross_entropy_grad"`` or ``"theta_grad"`` function.

    The function is called on copies of random inputs and its result compared
    with the package's, computed from the original inputs (so a function that
    works in place is judged on what it returns, and one that changes its input
    cannot change the reference); gradients are also run through
    :func:`derivation.gradcheck.gradcheck`.  Whatever the function does (an
    exception, ``None``, complex or non-numeric results, a wrong shape) becomes
    feedback that names it.

    The learner's code runs in the kernel, in this process, with the kernel's
    rights: it is trusted code, unlike the typed answers of :func:`check`.
    Only ``KeyboardInterrupt`` (the kernel's interrupt button) stops the check.

    Parameters
    ----------
    task : {"softmax", "cross_entropy_grad", "theta_grad"}
        ``softmax(z)``; ``cross_entropy_grad(z, labels)`` of the summed
        cross-entropy; ``theta_grad(theta, X, Y)`` of the article's cost.
    function : callable
        The learner's function.
    seed : int, default 0
        Seed of the random inputs.

    Returns
    -------
    Feedback
        With the largest relative error in the message, wrapped at 100 columns.

    Raises
    ------
    ValueError
        If ``task`` is not one of the three tasks.

    Examples
    --------
    >>> print(check_function("softmax", numeric.softmax))
    ✔ right: largest relative error 0.0e+00
    >>> print(check_function("softmax", lambda z: None))
    ✘ your function returned None — did you forget `return`?
    """
    if task not in _TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(_TASKS)}")
    feedback = _check_function(task, function, seed)
    message = "\n".join(
        textwrap.fill(line, width=98, break_long_words=False, break_on_hyphens=False)
        for line in feedback.message.splitlines()
    )
    return dataclasses.replace(feedback, message=message)


def _check_function(task: str, function: Callable, seed: int) -> Feedback:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(5, 4)) * 2
    labels = rng.integers(0, 4, size=5)
    if task == "softmax":
        right = numeric.softmax(z)
        mine = _call(function, z.copy())
        feedback = _compare(mine, right)
        if feedback.correct:
            big = np.array([[1000.0, 0.0, -1000.0]])
            answer = _call(function, big.copy())
            if isinstance(answer, Feedback):
                return answer
            if not _finite(answer):
                return Feedback(
                    False,
                    "NaN or inf for logits (1000, 0, −1000): subtract the row's maximum before exp",
                    verdict="wrong",
                )
            extreme = _compare(answer, numeric.softmax(big))
            if not extreme.correct:
                return Feedback(
                    False, f"for logits (1000, 0, −1000): {extreme.message}", verdict="wrong"
                )
        return feedback
    if task == "cross_entropy_grad":
        right = numeric.cross_entropy_grad(z, labels)
        mine = _call(function, z.copy(), labels.copy())
        feedback = _compare(mine, right)
        if feedback.correct or feedback.verdict != "wrong":
            return feedback
        try:
            result = gradcheck(lambda v: numeric.cross_entropy(v, labels), mine, z.copy())
        except Exception as err:  # gradcheck refuses what it cannot compare: say so
            return Feedback(False, f"{feedback.message};\ngradcheck: {err}", verdict="wrong")
        return Feedback(False, f"{feedback.message};\ngradcheck says {result}", verdict="wrong")
    X, Y, theta = numeric.example_problem()
    right = numeric.theta_grad(theta, X, Y)
    mine = _call(function, theta.copy(), X.copy(), Y.copy())
    return _compare(mine, right)


def _call(function: Callable, *args: np.ndarray) -> object:
    """The function's result as an array (or None), or a Feedback naming what went wrong."""
    try:
        with np.errstate(all="ignore"):
            result = function(*args)
    except (Exception, SystemExit) as err:
        text = str(err).strip()
        if len(text) > 200:
            text = text[:200] + "…"
        hint = " — a missing keepdims=True?" if "broadcast" in text else ""
        return Feedback(
            False, f"your function raised {type(err).__name__}: {text}{hint}", verdict="raised"
        )
    if result is None or isinstance(result, np.ndarray):
        return result
    try:
        return np.asarray(result)
    except (Exception, SystemExit) as err:
        return Feedback(
            False,
            f"your function returned a {type(result).__name__} that is not an array of numbers "
            f"({type(err).__name__}; rows of different lengths?)",
            verdict="wrong type",
        )


def _finite(value: object) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind in "iuf"
        and bool(np.all(np.isfinite(value)))
    )


def _compare(mine: object, right: np.ndarray) -> Feedback:
    if isinstance(mine, Feedback):
        return mine
    if mine is None:
        return Feedback(
            False, "your function returned None — did you forget `return`?", verdict="wrong type"
        )
    if not isinstance(mine, np.ndarray) or mine.dtype.kind not in "iufc":
        kinds = {"U": "text", "S": "bytes", "O": "Python objects", "b": "booleans"}
        if isinstance(mine, np.ndarray):
            what = kinds.get(mine.dtype.kind, str(mine.dtype))
        else:
            what = type(mine).__name__
        return Feedback(
            False, f"your function returned {what}, not an array of numbers", verdict="wrong type"
        )
    if mine.dtype.kind == "c":
        return Feedback(
            False,
            "your function returned complex numbers; the result is real "
            "(take .real only if the imaginary part is zero by design)",
            verdict="wrong type",
        )
    if mine.shape != right.shape:
        hint = ""
        if mine.shape == right.shape[:-1] or mine.shape == ():
            hint = " — a sum without keepdims=True, or the wrong axis?"
        return Feedback(
            False,
            f"your function returned shape {mine.shape}, expected {right.shape}{hint}",
            verdict="wrong shape",
        )
    mine = mine.astype(float)
    if not np.all(np.isfinite(mine)):
        return Feedback(False, "your function returned NaN or inf", verdict="wrong")
    error = float(np.max(np.abs(mine - right) / np.maximum(np.abs(right), 1e-12)))
    if error <= 1e-10:
        return Feedback(True, f"right: largest relative error {error:.1e}", verdict="right")
    return Feedback(
        False, f"wrong: largest relative error {error:.1e} against the package", verdict="wrong"
    )

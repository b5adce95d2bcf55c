"""The step checker: the exercises, their feedback, and how an answer is judged in time.

What lives here: :data:`EXERCISES` (each an :class:`Exercise`: the question,
the right step and the mistakes it recognises), :class:`Feedback`,
:func:`check`, the evaluation at seeded random points that decides most
answers before SymPy is asked, and the time budget (``TIME_BUDGET``) with the
timer that enforces it.  The parser and its bounds are in
:mod:`derivation.exercises.parsing`; the interval arithmetic used at the
points is in :mod:`derivation.exercises.intervals`.

An answer box may face a whole class, so a check is bounded in time and memory
(at most 300 characters, about 2 s and 200 MB, measured by
``benchmarks/bench_answers.py``).  :func:`check` first evaluates the answer and
the right step at a few seeded random points with exact rational coordinates
(and ``y3 = 1 - y1 - y2`` where the labels may be assumed to sum to one), in
outward-rounded interval arithmetic (mpmath), with the hypotheses ``h_k`` given
by the softmax at that point.  Disjoint intervals prove "not equal" at once; a
wrong answer differs almost everywhere.  Only an answer that agrees at every
point goes on to :func:`derivation.symbolic.equal`, which proves it; that proof
runs under a hard time limit (a ``SIGALRM`` timer when the check runs in the
main thread, as it does in a Jupyter kernel), and an answer too large to decide
in time is told so.  Division by zero and the log of a number <= 0 (at every
point, or in the text itself, as in ``0/0``) make an answer "undefined".

Outside the main thread no timer can be set, and the bounds of
:func:`derivation.exercises.parsing.parse` alone must keep a check small: the
hostile suite of ``tests/test_hostile_answers.py`` is also run that way.
``TIME_BUDGET`` is read here at each check, so it is this module's attribute
that a test changes.
"""

from __future__ import annotations

import contextlib
import functools
import random
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from mpmath import libmp

from ..symbolic import equal, model
from .intervals import DividesByZero, Unusable, contains_zero, disjoint, interval, iv, tight
from .parsing import Cost, TooComplexError, UndefinedAnswerError, names, parse_with_cost

__all__ = ["EXERCISES", "TIME_BUDGET", "Exercise", "Feedback", "check"]

TIME_BUDGET = 1.6  # seconds of work per check, enforced where a timer can be set


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
        The answer as text (parsed safely by :func:`derivation.exercises.parse`).

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
        expr, cost = parse_with_cost(answer)
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
_BLIND_TERMS = 32  # the largest answer SymPy is asked about when no point can be evaluated


def _precision(cost: Cost) -> int:
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
    iv.prec = _POINT_PRECISION
    points = []

    def rational(low: int, high: int) -> object:
        value = Fraction(rng.randint(low * 97, high * 97), 97) + Fraction(1, 7919)
        return iv.mpf(value.numerator) / value.denominator

    for _ in range(_POINTS):
        point: dict[sp.Symbol, object] = {s: rational(-2, 2) for s in m.theta}
        point[m.x1] = rational(-2, 2)
        point[names()["m"]] = rational(2, 9)
        for yk in m.y:
            point[yk] = rational(-1, 2)
        if one_hot:
            point[m.y[2]] = 1 - point[m.y[0]] - point[m.y[1]]
        exps = [iv.exp(point[m.theta[k, 0]] + point[m.theta[k, 1]] * point[m.x1]) for k in range(3)]
        total = exps[0] + exps[1] + exps[2]
        for k in range(3):
            point[m.h[k]] = exps[k] / total
        points.append(point)
    return tuple(points)


def _values(expr: sp.Expr, precision: int, one_hot: bool) -> tuple[object, ...]:
    """The intervals of ``expr`` at the points (or ``_ANY``, ``_DIVIDES_BY_ZERO``)."""
    values = []
    for point in _points(one_hot):
        iv.prec = precision
        try:
            value = interval(expr, point)
            values.append(value if tight(value) else _ANY)
        except DividesByZero:
            values.append(_DIVIDES_BY_ZERO)
        except (Unusable, ArithmeticError, ValueError):
            values.append(_ANY)
    return tuple(values)


def _is_interval(value: object) -> bool:
    return value is not _ANY and value is not _DIVIDES_BY_ZERO


def _usable(values: tuple) -> bool:
    return any(_is_interval(v) for v in values)


def _may_agree(a: tuple, b: tuple) -> bool:
    """False when some point proves the two expressions different."""
    for p, q in zip(a, b, strict=True):
        if _is_interval(p) and _is_interval(q) and disjoint(p, q):
            return False
        if (p is _DIVIDES_BY_ZERO) != (q is _DIVIDES_BY_ZERO):
            return False
    return True


def _constant_factor(a: tuple, b: tuple) -> sp.Rational | None:
    """A small rational c with a = c b at every point, if the intervals allow one."""
    pairs = [
        (p, q)
        for p, q in zip(a, b, strict=True)
        if _is_interval(p) and _is_interval(q) and not contains_zero(q)
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


@dataclass(frozen=True)
class _Reference:
    expr: sp.Expr
    values: tuple


@functools.cache
def _reference(text: str, one_hot: bool) -> _Reference:
    expr, _ = parse_with_cost(text)
    return _Reference(expr, _values(expr, _POINT_PRECISION, one_hot))

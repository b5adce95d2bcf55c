"""The step checker: the exercises, their feedback, and how an answer is judged in time.

What lives here: :data:`EXERCISES` (each an :class:`Exercise`: the question,
the right step and the mistakes it recognises), :class:`Feedback`,
:func:`check` (which runs each check in a worker process, within its budget in
any thread), :func:`check_in_process` (the same check in this process, with a
timer where one can be set), :func:`start_worker`, and the budgets
(``TIME_BUDGET``, ``GRACE``, ``MEMORY_BUDGET``).  The parser and its bounds are
in :mod:`derivation.exercises.parsing`; the random points and the interval
arithmetic used there are in :mod:`derivation.exercises.points` and
:mod:`derivation.exercises.intervals`; the worker process is
:mod:`derivation.exercises.worker`, and the timer :mod:`derivation.exercises.timer`.

How an answer is judged.  The answer is parsed (a whitelist, never
evaluated), with every denominator, 0th power's base and log argument recorded
before SymPy can cancel it.  Then it and the right step are evaluated at random
points with exact rational coordinates (three near the origin and three far
from it, drawn from a generator seeded from :mod:`secrets` at every check, so
that no answer can be aimed at them), in outward-rounded interval arithmetic,
with the hypotheses ``h_k`` the softmax at the point and ``y3 = 1 - y1 - y2``
where the labels may be assumed to sum to one.  A denominator that is 0, or a
log argument <= 0, at every point (or proven 0 by SymPy where the intervals
cannot tell) makes the answer "undefined", so ``X/X`` and ``X**0`` with
``X = h1 + h2 + h3 - 1`` are undefined although SymPy builds them as 1; at
some points, "undefined for some values".  Disjoint intervals prove "not
equal".  An answer that agrees at every point goes on to
:func:`derivation.symbolic.equal`, which proves it; if SymPy cannot, six more
points (near and far, at 4096 bits) are drawn, and then
:func:`derivation.exercises.disproof.disproven` looks, within the budget less a
reserve, for an exact point where the difference shows at a precision chosen
for it (up to 16384 bits: ``-h1*h2 + exp(-3000)`` is "wrong"); only if none
shows is the answer called "unproven".  A wrong answer is then matched against
the known mistakes, a constant factor and a missing term.  The points are
evidence for "undefined" and "wrong", never for "right": a denominator or log
argument that fails only in a small region (``log(30 - x1)`` fails for
x1 >= 30 only), or a difference below what 16384-bit intervals resolve
(``exp(-exp(9))``), can go unseen, and such an answer is "right" only if SymPy
proves it so.

The budget: about 2 s and 200 MB per check.  :func:`check` sends the check to
a long-lived worker process (:class:`derivation.exercises.worker.Worker`,
started at the first check or by :func:`start_worker`), where it runs in the
main thread under a ``SIGPROF`` timer of ``TIME_BUDGET`` seconds of CPU time
and an address-space limit of ``MEMORY_BUDGET`` MB above the warmed-up worker.
The budget is CPU time, not time on the clock, so that a loaded machine (a
class on one server) makes a check slower but never changes its verdict: on a
quiet machine the two are the same, and a check ends within about 2 s.  As a
last resort the caller kills and replaces the worker if no verdict comes
within ``TIME_BUDGET + GRACE`` seconds on the clock (a worker that is starved
or stuck), and the verdict is then "too complex".  So the budget holds in any
thread of the caller, e.g. a widget callback under Voilà.
The worker's start-up (about a second or two, once per kernel, and again after
a kill) and the wait for a check running in another thread are not part of
the budget.  Answers that are not text or are longer than ``MAX_LENGTH`` are
refused in this process, at once.

Where no process can be started (``sys.platform == "emscripten"``, i.e.
Pyodide and JupyterLite; Windows; or when starting the worker fails),
:func:`check` falls back to :func:`check_in_process`.  There the time budget
holds only in the main thread and only where ``signal.setitimer`` exists
(not in Pyodide); elsewhere only the bounds of the parser (length, nodes,
degree, terms, bits, nesting) limit a check, and some answers within them
(products of nested ``exp(1000*exp(...))``) take several seconds.  Memory is
not limited in this fallback either, beyond what those bounds imply.

``TIME_BUDGET`` is read at each check (and sent to the worker), so it is this
module's attribute that a test changes.
"""

from __future__ import annotations

import functools
import random
import secrets
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..style import plain
from ..symbolic import equal, model
from . import generated
from . import points as pts
from .disproof import disproven
from .parsing import MAX_LENGTH, Cost, Parsed, TooComplexError, UndefinedAnswerError, parse_answer
from .timer import TimeUp, time_limit
from .worker import OutOfTime, Unavailable, Worker, can_start_processes

__all__ = [
    "DEMO",
    "EXERCISES",
    "GRACE",
    "MEMORY_BUDGET",
    "TIME_BUDGET",
    "Exercise",
    "Feedback",
    "check",
    "check_in_process",
    "exercise",
    "start_worker",
    "where_checked",
]

TIME_BUDGET = 1.6  # seconds of work per check: CPU time in the worker, the clock in-process
GRACE = 8.4  # seconds on the clock after TIME_BUDGET at which the caller kills the worker
MEMORY_BUDGET = 200  # megabytes a check may add to the warmed-up worker


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
    source: str = "the article’s step"  # what a right answer is proven equal to
    #: the hint ladder, opened one rung at a time: a hint, a stronger hint, the worked step
    #: (empty: :mod:`derivation.exercises.ladders` holds it)
    ladder: tuple[str, ...] = ()


_E = Exercise
#: the key of the step that notebook 09 demonstrates the checker on: not one of its exercises
DEMO = "demo: dh1/dTheta10"
_SECOND = "the second derivative"  # notebook 11's answers are not steps of the article
EXERCISES = {e.key: e for e in (
    _E("dh2/dTheta10", "∂h_2/∂Θ_10 (the quotient rule of Part II)", "-h1*h2", (
        ("0", "diagonal-only Jacobian: h_2 depends on Θ_10 through the shared denominator "
              "v = Σ_k e^{z_k}, so this entry is not zero; use the quotient rule, u = e^{z_2}"),
        ("h1*h2", "a lost minus sign: in (u′v − uv′)/v², u = e^{z_2} does not depend on Θ_10, "
                  "so only the term −uv′ is left"),
        ("h2*(1 - h2)", "a swapped index: that is ∂h_2/∂Θ_20, the diagonal entry"),
        ("-2*h1*h2", "a factor of two too many: the v² of the quotient rule brings no 2"),
    )),
    _E("part2", "Part II of ∂J^{(i)}/∂Θ_10, (∂J^{(i)}/∂h_2)(∂h_2/∂Θ_10)", "y2*h1", (
        ("-y2*h1", "a lost minus sign: look at the sign of each of the two factors"),
        ("y1*h2", "swapped indices: the label of Part II is y_2, and ∂h_2/∂Θ_10 cancels its h_2"),
        ("0", "diagonal-only Jacobian: Part II is not zero, h_2 depends on Θ_10 through v"),
        ("-y2/h2", "you stopped at ∂J^{(i)}/∂h_2: multiply by ∂h_2/∂Θ_10, your answer to A1"),
    )),
    _E("dJ/dTheta10", "∂J^{(i)}/∂Θ_10 for one sample (the combination (21))", "h1 - y1", (
        ("-y1*(1 - h1)", "diagonal-only Jacobian: you kept Part I and dropped Parts II and III"),
        ("y1 - h1", "a lost minus sign: J^{(i)} = −Σ_k y_k log h_k; carry its minus through "
                    "all three Parts"),
        ("h2 - y2", "a swapped index: Θ_10 belongs to class 1"),
        ("2*(h1 - y1)", "a factor of two too many (the cost has no square)"),
        ("(h1 - y1)*x1", "an extra factor x_1: Θ_10 multiplies x_0 = 1"),
    )),
    _E("dJ/dTheta11", "∂J^{(i)}/∂Θ_11 for one sample (22)", "(h1 - y1)*x1", (
        ("h1 - y1", "a missing factor x_j: Θ_11 multiplies x_1, not x_0 = 1; what is ∂z_1/∂Θ_11?"),
        ("(y1 - h1)*x1", "a lost minus sign"),
        ("2*(h1 - y1)*x1", "a factor of two too many"),
    )),
    _E("mean", "one sample's share of ∂(J/m)/∂Θ_10, the mean cost's gradient", "(h1 - y1)/m", (
        ("h1 - y1", "the 1/m of a mean is missing: that is the share of the summed cost J"),
        ("m*(h1 - y1)", "the factor m: does a mean multiply the sum by m, or divide it?"),
    )),
    # not an exercise: the step 09 demonstrates the checker on (Part I's, done in notebook 02)
    _E(DEMO, "∂h_1/∂Θ_10 (Part I's quotient rule, from notebook 02)", "h1*(1 - h1)", (
        ("1 - h1", "a lost factor h_1: (u′v − uv′)/v² = h_1 − h_1² = h_1(1 − h_1)"),
        ("h1*(1 - h2)", "a swapped index: the diagonal entry has h_1 in both factors"),
    )),
    # notebook 11: the Hessian of LSE, through the logits to Θ
    _E("d2J/dTheta21^2", "∂²J^{(i)}/∂Θ_21², from J^{(i)} = LSE(z) − yᵀz with "
                         "z_k = Θ_{k0} + Θ_{k1} x_1", "h2*(1 - h2)*x1**2", (
        ("h2*(1 - h2)", "the chain rule's factors are missing: z_2 depends on Θ_21 through "
                        "x_1, and each of the two derivatives brings ∂z_2/∂Θ_21"),
        ("h2*(1 - h2)*x1", "one factor x_1 only: both derivatives are by Θ_21"),
        ("-h2**2*x1**2", "the Kronecker delta term is missing: on the diagonal δₖₗ = 1"),
        ("(h2 - y2)*x1", "one derivative only: that is (23); differentiate it by Θ_21 once more"),
    ), source=_SECOND),
    _E("d2J/dTheta10dTheta21", "∂²J^{(i)}/∂Θ_10∂Θ_21, from J^{(i)} = LSE(z) − yᵀz with "
                               "z_k = Θ_{k0} + Θ_{k1} x_1", "-h1*h2*x1", (
        ("0", "diagonal-only Hessian: Θ_10 and Θ_21 belong to different classes, but both "
              "logits enter LSE(z), whose Hessian has off-diagonal entries"),
        ("h1*h2*x1", "a lost minus sign: the off-diagonal entries of diag(h) − hhᵀ are negative"),
        ("-h1*h2*x1**2", "a factor x_1 too many: Θ_10 multiplies x_0 = 1"),
        ("-h1*h2", "the factor x_1 is missing: ∂z_2/∂Θ_21 is x_1"),
    ), source=_SECOND),
    _E("d2J/dTheta10dTheta11", "∂²J^{(i)}/∂Θ_10∂Θ_11, from J^{(i)} = LSE(z) − yᵀz with "
                               "z_k = Θ_{k0} + Θ_{k1} x_1", "h1*(1 - h1)*x1", (
        ("-h1**2*x1", "the Kronecker delta term is missing: both parameters belong to class 1, "
                      "so δₖₗ = 1"),
        ("h1*(1 - h1)*x1**2", "a factor x_1 too many: Θ_10 multiplies x_0 = 1"),
        ("h1*(1 - h1)", "the factor x_1 is missing: ∂z_1/∂Θ_11 is x_1"),
        ("(h1 - y1)*x1", "one derivative only: that is (23) for Θ_11; differentiate it by Θ_10"),
    ), source=_SECOND),
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
        ``"unproven"`` (equal at every point tried, near and far, but SymPy
        cannot prove it).
        From :func:`check_function`: ``"right"``, ``"wrong"``, ``"raised"``,
        ``"wrong type"`` (None, complex, not numbers) or ``"wrong shape"``.
        Empty when built by hand.
    """

    correct: bool
    message: str
    mistake: str | None = None
    verdict: str = ""

    def __str__(self) -> str:
        """The verdict as printed: ✔ or ✘ and the message in plain Unicode (h₂, not h_2)."""
        return ("✔ " if self.correct else "✘ ") + plain(self.message)


_TOO_COMPLEX = "too complex to check — simplify it"
_CANNOT_EVALUATE = f"{_TOO_COMPLEX} (I cannot evaluate it: exp of a huge number?)"
_WORKER = Worker(
    "derivation.exercises.checker:_check_in_worker",
    warm_up="derivation.exercises.checker:_warm_up",
    megabytes=MEMORY_BUDGET,
)


def check(key: str, answer: str) -> Feedback:
    """Check a learner's answer to exercise ``key``; recognise known mistakes.

    Never raises for any ``answer`` (only for an unknown ``key``), and takes
    at most about 2 s and 200 MB in any thread: the check runs in a worker
    process, killed at the time budget (see the module's docstring, which also
    says what is bounded where no process can be started).

    Parameters
    ----------
    key : str
        One of ``EXERCISES``.
    answer : str
        The answer as text (parsed safely by :func:`derivation.exercises.parse`;
        ``−``, ``×``, ``·``, ``h1²`` and ``h₁`` are read as ``-``, ``*``, ``**2`` and ``h1``).

    Returns
    -------
    Feedback
        Correct (proven equal by SymPy, with ``y1 + y2 + y3 = 1`` where the
        exercise allows it), a recognised mistake with its hint, a constant
        factor, a missing term, or a generic hint; or why the answer could not
        be checked.  The message quotes at most 80 characters of the answer.

    Raises
    ------
    ValueError
        If ``key`` is not an exercise.

    Examples
    --------
    >>> str(check("dh2/dTheta10", "-h1*h2"))
    '✔ right: SymPy proves it equal to the article’s step'
    >>> print(check("dJ/dTheta10", "2*(h1 - y1)"))
    ✘ a factor of two too many (the cost has no square)
    >>> print(check("dh2/dTheta10", "−h₁×h₂"))
    ✔ right: SymPy proves it equal to the article’s step
    >>> print(check("dh2/dTheta10", "-1.00000001*h1*h2"))
    ✘ off by a constant factor 100000001/100000000: check signs and factors of two
    >>> print(check("mean", "(h1*(y1 + y2 + y3) - y1)/m"))
    ✔ right, using y1 + y2 + y3 = 1; simplify it to (h1 - y1)/m
    >>> check("part2", "0/0").verdict
    'undefined'
    >>> check("dh2/dTheta10", "-h1 h2").message[:57]
    'cannot read the answer: write * between h1 and h2 (as in '
    """
    exercise = _exercise(key)
    if not isinstance(answer, str) or len(answer) > MAX_LENGTH:
        return _judge(exercise, answer, TIME_BUDGET, None)  # refused at once, never sent
    budget = TIME_BUDGET
    try:
        return _WORKER.call((key, answer, budget), budget + GRACE)
    except OutOfTime:
        return Feedback(False, _TOO_COMPLEX, verdict="too complex")
    except Unavailable:
        return _judge(exercise, answer, budget, None)
    except RuntimeError as err:
        return _defect(err)


def check_in_process(key: str, answer: str, *, rng: random.Random | None = None) -> Feedback:
    """:func:`check`, run in this process (the fallback where no worker process can be used).

    The time budget is enforced by a ``SIGALRM`` timer only in the main thread
    and where ``signal.setitimer`` exists; memory is not limited (see the
    module's docstring).

    Parameters
    ----------
    key : str
        One of ``EXERCISES``.
    answer : str
        The answer as text.
    rng : random.Random, optional
        The generator of the points; by default a new one seeded from :mod:`secrets`.

    Returns
    -------
    Feedback
    """
    return _judge(_exercise(key), answer, TIME_BUDGET, rng)


def where_checked(*, platform: str | None = None) -> str:
    """A few lines for the reader (at most 96 columns): where :func:`check` runs here, and
    what bounds it.

    Parameters
    ----------
    platform : str, optional
        ``sys.platform`` to describe (default: this one's); ``"emscripten"`` is Pyodide.

    Examples
    --------
    >>> where_checked(platform="linux")[:52]
    'Answers are checked in a separate process, stopped a'
    >>> "no time budget" in where_checked(platform="emscripten")
    True
    """
    return textwrap.fill(_where(sys.platform if platform is None else platform), 96)


def _where(platform: str) -> str:
    unbounded = ("answers are checked in the kernel itself, with no time budget: only the "
                 "parser's bounds (length, degree, terms, nesting) limit a check, and a "
                 "pathological answer within them can take several seconds. The verdicts are "
                 "the same.")  # fmt: skip
    if platform == "emscripten":
        return "This kernel runs in the browser (Pyodide); it cannot start processes: " + unbounded
    if platform == "win32" or (platform == sys.platform and not can_start_processes()):
        return "No worker process can be started here: " + unbounded
    return (f"Answers are checked in a separate process, stopped after {TIME_BUDGET:g} s of CPU "
            f"time or {MEMORY_BUDGET} MB, so no answer can hang the kernel; an answer stopped "
            "there is \"too complex\".")  # fmt: skip


def start_worker() -> None:
    """Start the checker's worker process in the background (an answer box may call it early)."""
    _WORKER.start()


def exercise(key: str) -> Exercise:
    """The exercise of ``key``: one of :data:`EXERCISES`, or a homework variant's step.

    A homework key (``"hw ..."``, made by :mod:`derivation.exercises.generated`)
    is built from the key itself, so the worker process builds the same exercise.

    Raises
    ------
    ValueError
        If ``key`` is neither.
    """
    if isinstance(key, str):
        if key in EXERCISES:
            return EXERCISES[key]
        built = generated.build(key)
        if built is not None:
            return built
    raise ValueError(
        f"unknown exercise {key!r}; expected one of {list(EXERCISES)} or a homework "
        "variant's key such as 'hw dh3/dTheta11 x1=17/10'"
    )


_exercise = exercise


def _check_in_worker(key: str, answer: str, budget: float) -> Feedback:
    """The worker's side of :func:`check`: a ``MemoryError`` ends the worker (it is replaced)."""
    return _judge(_exercise(key), answer, budget, None, worker=True)


def _warm_up() -> None:
    for key, exercise in EXERCISES.items():  # builds the model and SymPy's caches
        _judge(exercise, exercise.answer, 60.0, None)
        check_in_process(key, exercise.mistakes[0][0])


def _defect(err: BaseException) -> Feedback:
    return Feedback(
        False,
        f"could not check this answer ({type(err).__name__}); try writing it more simply",
        verdict="unreadable",
    )


def _judge(
    exercise: Exercise,
    answer: object,
    budget: float,
    rng: random.Random | None,
    *,
    worker: bool = False,
) -> Feedback:
    """The whole check in this process, under the timer where one can be set."""
    clock = time.process_time if worker else time.monotonic
    start, rng = clock(), rng or random.Random(secrets.randbits(128))
    try:
        with time_limit(budget, cpu=worker):
            left = functools.partial(_left, budget, clock, start)
            return _check(exercise, answer, rng, remaining=left, cpu=worker)
    except MemoryError:
        if worker:
            raise  # the worker reports it and exits; the caller says "too complex"
        return Feedback(False, _TOO_COMPLEX, verdict="too complex")
    except (TimeUp, RecursionError):
        return Feedback(False, _TOO_COMPLEX, verdict="too complex")
    except Exception as err:  # a defect of the checker must not reach the learner as a traceback
        return _defect(err)


def _check(
    exercise: Exercise,
    answer: object,
    rng: random.Random,
    *,
    remaining: Callable[[], float] = lambda: TIME_BUDGET,
    cpu: bool = False,
) -> Feedback:
    try:
        parsed = parse_answer(answer)
    except TooComplexError as err:
        return Feedback(False, f"{_TOO_COMPLEX} ({err})", verdict="too complex")
    except UndefinedAnswerError as err:
        return Feedback(False, str(err), verdict="undefined")
    except ValueError as err:
        return Feedback(False, f"cannot read the answer: {err}", verdict="unreadable")
    expr, cost = parsed.expr, parsed.cost
    one_hot = exercise.one_hot
    sample = pts.Sample(rng, _precision(cost), grown=_POINT_PRECISION)
    undefined = _undefined(parsed, sample, one_hot)
    if undefined is not None:
        return undefined
    mine = sample.values(expr, one_hot)
    if not pts.usable(mine) and cost.terms > _BLIND_TERMS:
        return Feedback(False, _CANNOT_EVALUATE, verdict="too complex")
    target = _parsed(exercise.answer).expr
    if pts.may_agree(mine, sample.values(target, one_hot)):
        without_labels_rule = pts.may_agree(
            sample.values(expr, False), sample.values(target, False)
        )
        if without_labels_rule and _proven(expr, target, one_hot=False):
            return Feedback(
                True, f"right: SymPy proves it equal to {exercise.source}", verdict="right"
            )
        if one_hot and _proven(expr, target, one_hot=True):
            return Feedback(
                True,
                f"right, using y1 + y2 + y3 = 1; simplify it to {exercise.answer}",
                verdict="right",
            )
        seen = pts.usable(mine) and pts.usable(sample.values(target, one_hot))
        if seen:
            sample.grow()  # more points, near and far, before "unproven"
            mine = sample.values(expr, one_hot)
        if pts.may_agree(mine, sample.values(target, one_hot)) and not _disproven(
            expr, target, rng, one_hot=one_hot, remaining=remaining, cpu=cpu
        ):
            if not seen:  # no point could evaluate it: "wrong" only if SymPy names why
                return _diagnose(exercise, expr, sample, different=False)
            return Feedback(
                False,
                "equal to the right step at every point I tried, but SymPy "
                "cannot prove it: simplify it (e.g. no log(exp(...)))",
                verdict="unproven",
            )
    return _diagnose(exercise, expr, sample)


def _diagnose(
    exercise: Exercise, expr: sp.Expr, sample: pts.Sample, *, different: bool = True
) -> Feedback:
    """Why an answer that is not the right step is wrong: a known mistake, a factor, a term.

    ``different`` says whether it is proven different from the right step; if not,
    an answer none of these explain is "too complex" (it could not be evaluated).
    """
    one_hot = exercise.one_hot
    mine = sample.values(expr, one_hot)
    for wrong, hint in exercise.mistakes:
        reference = _parsed(wrong).expr
        if pts.may_agree(mine, sample.values(reference, one_hot)) and _proven(
            expr, reference, one_hot=one_hot
        ):
            return Feedback(False, hint, hint, verdict="mistake")
    target = _parsed(exercise.answer).expr
    target_values = sample.values(target, one_hot)
    factor = pts.constant_factor(mine, target_values)
    if factor is not None and _proven(expr, factor * target, one_hot=one_hot):
        return Feedback(
            False,
            f"off by a constant factor {factor}: check signs and factors of two",
            verdict="wrong",
        )
    terms = sp.Add.make_args(sp.expand(target))
    for term in terms if len(terms) > 1 else ():
        whole = expr + term
        if pts.may_agree(sample.values(whole, one_hot), target_values) and _proven(
            whole, target, one_hot=one_hot
        ):
            return Feedback(False, _missing(term, len(terms)), verdict="wrong")
    if not different:
        return Feedback(False, _CANNOT_EVALUATE, verdict="too complex")
    return Feedback(
        False,
        "not equal to the right step, and not a mistake I know: check each "
        "factor of the chain rule and the quotient rule",
        verdict="wrong",
    )


def _missing(term: sp.Expr, terms: int) -> str:
    """The message for a missing term: the term itself only where naming it leaves work to do.

    With two terms in the right step, naming the missing one would give the
    whole answer away, so only its kind is named (what it contains).
    """
    if terms >= 3:
        return f"a term is missing: {_notation(term)}"
    m = model(3)
    kinds = [
        kind
        for kind, symbols in (
            ("a label y_k", m.y),
            ("a hypothesis h_k", m.h),
            ("a parameter Θ_kj", tuple(m.theta)),
            ("the feature x_1", (m.x1,)),
        )
        if term.has(*symbols)
    ]
    if any(s.name == "m" for s in term.free_symbols):
        kinds.append("the number of samples m")
    what = " and ".join(kinds) if kinds else "no variable (a constant)"
    return f"a term is missing: one with {what}; which part of the chain rule gives it?"


def _notation(expr: sp.Expr) -> str:
    return sp.sstr(expr).replace("Theta_", "Θ_").replace("**", "^")


def _undefined(parsed: Parsed, sample: pts.Sample, one_hot: bool) -> Feedback | None:
    """Say "undefined" if a guard (a denominator, a 0th power's base, a log argument) fails
    at every point (or at some points)."""
    everywhere, somewhere = [], []
    for guard in parsed.guards:
        found = sample.guard_values(guard.defined, one_hot)
        if all(v is pts.DIVIDES_BY_ZERO for v in found):
            everywhere.append(guard)
        elif any(v is pts.DIVIDES_BY_ZERO for v in found):
            somewhere.append(guard)
        elif guard.kind != "log" and pts.changes_sign(sample.guard_values(guard.part, one_hot)):
            somewhere.append(guard)  # continuous, positive here and negative there: 0 between
        elif (
            guard.kind in ("denominator", "power")
            and not pts.usable(found)
            and _proven(guard.part, sp.Integer(0), one_hot=one_hot)
        ):
            everywhere.append(guard)  # the intervals cannot tell; SymPy proves it is 0
    mine = sample.values(parsed.expr, one_hot)
    if everywhere or all(v is pts.DIVIDES_BY_ZERO for v in mine):
        labels = one_hot and any(g.part.has(*model(3).y) for g in everywhere)
        labels = labels or (one_hot and not everywhere and parsed.expr.has(*model(3).y))
        return Feedback(
            False,
            f"the answer is undefined: {_why(everywhere)}"
            + (" when y1 + y2 + y3 = 1" if labels else ""),
            verdict="undefined",
        )
    if somewhere or any(v is pts.DIVIDES_BY_ZERO for v in mine):
        return Feedback(
            False,
            f"the answer is undefined for some values of the variables: {_why(somewhere)} there",
            verdict="undefined",
        )
    return None


def _left(budget: float, clock: Callable[[], float], start: float) -> float:
    return budget - (clock() - start)


def _why(guards: list) -> str:  # 0**0 is named where only 0th powers fail
    if guards and all(g.kind == "power" for g in guards):
        return "it raises 0 to the power 0 (X**0 is undefined where X = 0)"
    return "it divides by zero or takes the log of a number ≤ 0"


def _disproven(expr, target, rng, *, one_hot: bool, remaining: Callable, cpu: bool) -> bool:
    """:func:`~derivation.exercises.disproof.disproven`, stopped ``_RESERVE`` s before the
    budget ends by a timer of its own: out of time, the answer stays "unproven"."""

    def left() -> float:
        return remaining() - _RESERVE

    try:
        with time_limit(max(left(), 1e-3), cpu=cpu):
            return left() > 0 and disproven(expr, target, rng, one_hot=one_hot, remaining=left)
    except TimeUp:
        return False


def _proven(a: sp.Expr, b: sp.Expr, *, one_hot: bool) -> bool:
    """SymPy's proof of ``a = b``; an error inside SymPy counts as "not proven"."""
    try:
        return bool(equal(a, b, one_hot=one_hot))
    except (ValueError, TypeError, ArithmeticError, RecursionError, sp.PolynomialError):
        return False


# --------------------------------------------------------------------------- the points of a check
_POINT_PRECISION = 4096  # the most bits the points and values are computed with
_BLIND_TERMS = 32  # the largest answer SymPy is asked about when no point can be evaluated
_RESERVE = 0.3  # seconds of the budget kept for the diagnosis after the search for a difference


def _precision(cost: Cost) -> int:
    return min(2 * cost.bits + 256, _POINT_PRECISION)


@functools.cache
def _parsed(text: str) -> Parsed:
    return parse_answer(text)

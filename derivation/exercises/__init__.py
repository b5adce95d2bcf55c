"""Exercises that answer back: a safe parser, a step checker with hints, function checks.

A learner types a step of the derivation (``"-h1*h2"``) and :func:`check`
says whether it is right, names a known mistake, or says why it cannot be
checked; :func:`check_function` does the same for a learner's own NumPy
function.  Typed answers are parsed from a whitelist and never evaluated, and
every check is bounded in time and memory (at most 300 characters, about 2 s
and 200 MB), so an answer box can face a whole class.

Modules
-------
parsing
    :func:`parse`, the safe parser, and its bounds (``MAX_LENGTH``,
    ``MAX_NODES``, ``MAX_EXPONENT``, ``MAX_NUMBER``, ``MAX_BITS``,
    ``MAX_DEGREE``, ``MAX_TERMS``, ``MAX_NESTING``), with
    :class:`TooComplexError` and :class:`UndefinedAnswerError`; it records
    every denominator and log argument before SymPy can cancel them.
keyboard
    What a learner types: ``−``, ``×``, ``·``, ``h1²``, ``h₁``, ``Θ₁₀`` read as
    Python's signs, hints for text Python cannot read ("write * between h1
    and h2"), and :func:`quote`, which shortens a quoted answer to 80 characters.
checker
    :data:`EXERCISES`, :class:`Exercise`, :class:`Feedback` and :func:`check`:
    the evaluation at random points, the proof by SymPy, the diagnosis of a
    wrong answer, and the budgets (``TIME_BUDGET``, ``MEMORY_BUDGET``), held in
    a worker process; :func:`check_in_process` and :func:`start_worker`.
points
    The random exact points of a check and what the values there prove.
intervals
    The outward-rounded interval arithmetic the checker evaluates answers in.
worker
    The long-lived worker process that runs a check within its time and memory.
functions
    :func:`check_function`, for a learner's softmax, gradient and (H - Y)^T X.
generated
    The exercises of a homework variant, built from their ``"hw ..."`` key
    (never stored); :func:`exercise` finds a key in :data:`EXERCISES` or here.
ladders
    A hint ladder per exercise (hint, stronger hint, worked step), opened one
    rung at a time by :class:`derivation.answer_boxes.HintLadder`.

Everything a notebook or widget uses is importable from here.  The limits are
read by the module that defines them, so a test that changes one (say
``TIME_BUDGET``) sets it on that module (``derivation.exercises.checker``).
"""

from .checker import (
    DEMO,
    EXERCISES,
    Exercise,
    Feedback,
    check,
    check_in_process,
    exercise,
    start_worker,
    where_checked,
)
from .checker import MEMORY_BUDGET as MEMORY_BUDGET
from .checker import TIME_BUDGET as TIME_BUDGET
from .functions import check_function
from .keyboard import quote
from .parsing import MAX_BITS as MAX_BITS
from .parsing import MAX_DEGREE as MAX_DEGREE
from .parsing import MAX_EXPONENT as MAX_EXPONENT
from .parsing import MAX_LENGTH as MAX_LENGTH
from .parsing import MAX_NESTING as MAX_NESTING
from .parsing import MAX_NODES as MAX_NODES
from .parsing import MAX_NUMBER as MAX_NUMBER
from .parsing import MAX_TERMS as MAX_TERMS
from .parsing import TooComplexError, UndefinedAnswerError, parse

__all__ = [
    "DEMO",
    "EXERCISES",
    "Feedback",
    "TooComplexError",
    "UndefinedAnswerError",
    "check",
    "check_function",
    "check_in_process",
    "exercise",
    "parse",
    "quote",
    "start_worker",
    "where_checked",
]

# The public classes keep the name they had before the split into modules, so that
# tracebacks, doctests and pickles still say ``derivation.exercises.TooComplexError``.
for _cls in (Exercise, Feedback, TooComplexError, UndefinedAnswerError):
    _cls.__module__ = __name__
del _cls

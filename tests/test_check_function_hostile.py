"""check_function and a hostile result: whatever the returned object (or exception) does.

Everything check_function does with what a learner's function returns or raises
(isinstance, np.asarray, len, ==, str) may run the learner's code: an object
whose ``__class__``, ``__len__``, ``__float__`` or ``__eq__`` raises or returns
nonsense, an ``__array__`` that asks for terabytes, a ``__str__`` that recurses
or never returns.  Each becomes one feedback; nothing escapes.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from derivation.exercises import Feedback, check_function


def _raise(error):
    def function(*args):
        raise error

    return function


# --------------------------------------------------------------------------- hostile results
class _ClassRaises:
    @property
    def __class__(self):
        raise RuntimeError("boom")


class _LenRaises:
    def __len__(self):
        raise RuntimeError("no length")

    def __getitem__(self, i):
        return 0.0


class _LenNonsense:
    def __len__(self):
        return -1

    def __getitem__(self, i):
        return 0.0


class _FloatRaises:
    def __float__(self):
        raise RuntimeError("no float")


class _EqNonsense:
    def __eq__(self, other):
        raise RuntimeError("no comparing")

    __hash__ = None

    def __bool__(self):
        raise RuntimeError("no truth")


class _HugeArray:
    def __array__(self, dtype=None, copy=None):
        return np.ones((10**6, 10**6))  # 8 TB: refused before anything is allocated


class _StrRecurses:
    def __str__(self):
        return str(self)

    __repr__ = __str__


class _Meta(type):
    @property
    def __name__(cls):
        raise RuntimeError("no name")


class _Nameless(metaclass=_Meta):
    def __array__(self, dtype=None, copy=None):
        raise ValueError("no array")


class _NamelessError(Exception, metaclass=_Meta):
    pass


class _StrSubclass(str):
    def __contains__(self, item):
        raise RuntimeError("no contains")

    def strip(self, *args):
        raise RuntimeError("no strip")


class _WeirdText(Exception):
    def __str__(self):
        return _StrSubclass("weird")


@pytest.mark.parametrize("task", ["softmax", "cross_entropy_grad", "theta_grad"])
@pytest.mark.parametrize(
    ("result", "verdict", "words"),
    [
        (_ClassRaises(), "wrong type", "Python objects"),
        (_LenRaises(), "wrong type", "not an array of numbers"),
        (_LenNonsense(), "wrong type", "not an array of numbers"),
        (_FloatRaises(), "wrong type", "Python objects"),
        ([[_FloatRaises()] * 4] * 5, "wrong type", "Python objects"),
        (_EqNonsense(), "wrong type", "Python objects"),
        (_HugeArray(), "wrong type", "MemoryError"),
        (_StrRecurses(), "wrong type", "Python objects"),
        (_Nameless(), "wrong type", "returned a _Nameless that is not"),  # name read past it
        (np.broadcast_to(0.0, (10**6, 10**6)), "wrong shape", "(1000000, 1000000)"),
    ],
    ids=["__class__", "__len__-raises", "__len__-nonsense", "__float__", "list-of-them",
         "__eq__", "huge-__array__", "str-recurses", "metaclass-name", "huge-view"],
)  # fmt: skip
def test_a_hostile_result_becomes_feedback(task, result, verdict, words):
    feedback = check_function(task, lambda *args: result)
    assert isinstance(feedback, Feedback) and not feedback.correct
    assert feedback.verdict == verdict and words in feedback.message, feedback.message


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (_NamelessError("x"), "raised _NamelessError: x"),  # the name read past the metaclass
        (_WeirdText(), "raised _WeirdText:"),
        (ValueError(_StrRecurses()), "raised ValueError:"),  # an argument's str() not asked
        (ValueError("broadcast", _StrRecurses()), "broadcast — a missing keepdims=True?"),
    ],
    ids=["metaclass-name", "str-subclass", "argument-recurses", "mixed"],
)
def test_a_hostile_exception_becomes_feedback_without_asking_it_for_text(error, words):
    feedback = check_function("softmax", _raise(error))
    assert feedback.verdict == "raised" and words in feedback.message, feedback.message


_NEVER_RETURNS = """
from derivation.exercises import check_function
class LoudError(Exception):
    def __str__(self):
        while True:
            pass
def function(z):
    raise LoudError("never shown")
print(check_function("softmax", function))
"""


def test_an_exception_whose_str_never_returns_is_not_asked_for_it():
    """In a subprocess: if the checker asked, it would hang; 60 s only detects that."""
    run = subprocess.run([sys.executable, "-c", _NEVER_RETURNS], capture_output=True, text=True,
                         timeout=60, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "raised LoudError: never shown" in run.stdout, run.stdout

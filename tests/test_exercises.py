"""derivation.exercises: answers proven right, known mistakes named, hostile input refused."""

import os
import subprocess
import sys

import numpy as np
import pytest

from derivation import exercises, numeric
from derivation.exercises import EXERCISES, check, check_function, parse


@pytest.mark.parametrize("key", list(EXERCISES))
def test_the_right_answer_is_accepted_and_each_mistake_named(key):
    exercise = EXERCISES[key]
    assert check(key, exercise.answer).correct
    for wrong, hint in exercise.mistakes:
        feedback = check(key, wrong)
        assert not feedback.correct and feedback.mistake == hint


def test_every_listed_mistake_kind_has_a_hint():
    hints = " ".join(h for e in EXERCISES.values() for _, h in e.mistakes)
    for kind in ("diagonal-only Jacobian", "lost minus sign", "swapped index", "missing factor x_j",
                 "factor of two", "1/m of a mean"):  # fmt: skip
        assert kind in hints, kind
    assert "y1 + y2 + y3 = 1" in check("dJ/dTheta10", "h1*(y1 + y2 + y3) - y1").message


def test_equivalent_forms_are_right_and_unknown_errors_get_a_generic_hint():
    assert check("dh2/dTheta10", "-(h2*h1)").correct
    assert check("dJ/dTheta11", "x1*h1 - x1*y1").correct
    assert "constant factor 3" in check("dJ/dTheta10", "3*(h1 - y1)").message
    assert "not a mistake I know" in check("dJ/dTheta10", "h3").message


HOSTILE = [
    "__import__('os').system('touch /tmp/pwned')",
    "h1.__class__.__mro__",
    "(lambda: 1)()",
    "h1**10**10",
    "9**9**9**9",
    "2**99999",
    "[x for x in ()]",
    "open('/etc/passwd')",
    "globals()",
    "h1; import os",
    "exec('1')",
    "(" * 250 + ")" * 250,
    "1e400",
    "h1 @ h2",
    "y1 if h1 else y2",
    "Theta10.subs(1, 2)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_answers_are_refused_without_running_anything(text):
    with pytest.raises(ValueError):
        parse(text)
    feedback = check("part2", text)
    assert not feedback.correct and feedback.message.startswith("cannot read the answer")
    assert not os.path.exists("/tmp/pwned")


def test_the_parser_never_evaluates(monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    for text in [*HOSTILE, "-h1*h2", "exp(log(h1))"]:
        try:
            parse(text)
        except ValueError:
            pass


def test_a_kernel_survives_hostile_answers():
    code = "from derivation.exercises import check\n"
    code += "".join(f"print(check('part2', {t!r}).correct)\n" for t in HOSTILE)
    code += "print('alive')\n"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == "alive" and "True" not in run.stdout


def test_function_checks():
    assert check_function("softmax", numeric.softmax).correct

    def naive(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    with np.errstate(over="ignore", invalid="ignore"):
        assert "maximum" in check_function("softmax", naive).message
    right = check_function("cross_entropy_grad", lambda z, y: numeric.cross_entropy_grad(z, y))
    assert right.correct and "relative error" in right.message
    wrong = check_function("cross_entropy_grad", lambda z, y: numeric.softmax(z))
    assert not wrong.correct and "gradcheck" in wrong.message
    loop = check_function("theta_grad", lambda t, X, Y: (numeric.hypotheses(t, X) - Y).T @ X)
    assert loop.correct
    crash = check_function("theta_grad", lambda t, X, Y: 1 / 0)
    assert "ZeroDivisionError" in crash.message
    with pytest.raises(ValueError, match="unknown task"):
        check_function("relu", numeric.softmax)
    with pytest.raises(ValueError, match="unknown exercise"):
        exercises.check("nope", "1")

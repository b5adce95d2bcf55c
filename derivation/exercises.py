"""Exercises that answer back: a safe parser, a step checker with hints, function checks.

A learner's answer is text such as ``"-h1*h2"``.  It is parsed with Python's
``ast`` module and rebuilt in SymPy from a whitelist of names, numbers and
operations; nothing is ever evaluated (no ``eval``, no ``sympify`` of the
text).  So, served by Voilà, an answer box cannot run code on the server.
The checker proves the answer equal to the right step with
:func:`derivation.symbolic.equal`, or recognises the mistake and says which one.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import numeric
from .gradcheck import gradcheck
from .symbolic import equal, model

__all__ = ["EXERCISES", "Feedback", "check", "check_function", "parse"]

MAX_LENGTH = 300
MAX_NODES = 120
MAX_EXPONENT = 4
MAX_NUMBER = 1000
_FUNCTIONS = {"exp": sp.exp, "log": sp.log}


def _names() -> dict[str, sp.Basic]:
    m = model(3)
    names = {f"h{k}": m.h[k - 1] for k in (1, 2, 3)}
    names |= {f"y{k}": m.y[k - 1] for k in (1, 2, 3)}
    names |= {"x1": m.x1, "m": sp.Symbol("m", positive=True)}
    names |= {f"Theta{k}{j}": m.theta[k - 1, j] for k in (1, 2, 3) for j in (0, 1)}
    return names


def parse(text: str) -> sp.Expr:
    """Turn an answer such as ``"-h1*h2"`` into a SymPy expression, safely.

    Allowed: numbers (up to 1000), the names ``h1 h2 h3 y1 y2 y3 x1 m
    Theta10 ... Theta31``, ``+ - * /``, ``**`` with a whole-number exponent
    of at most 4, parentheses, and ``exp(...)``, ``log(...)``.  Everything
    else is rejected before anything is built.

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
        With a message saying what is not allowed.

    Examples
    --------
    >>> parse("-h1*h2")
    -h_1*h_2
    >>> parse("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: '__import__' is not allowed here; ...
    """
    if not isinstance(text, str):
        raise ValueError(f"the answer must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the answer is too long ({len(text)} characters; at most {MAX_LENGTH})")
    if not text.strip():
        raise ValueError("the answer is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as err:
        raise ValueError(
            f"this is not a formula Python can read: {err.__class__.__name__}"
        ) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ValueError(f"the answer is too complicated (more than {MAX_NODES} parts)")
    return _build(tree.body, _names())


def _build(node: ast.AST, names: dict[str, sp.Basic]) -> sp.Expr:
    ops = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul,
           ast.Div: lambda a, b: a / b}  # fmt: skip
    if isinstance(node, ast.BinOp) and type(node.op) in ops:
        return ops[type(node.op)](_build(node.left, names), _build(node.right, names))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = node.right
        if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.op, ast.USub):
            exponent, sign = exponent.operand, -1
        else:
            sign = 1
        if not (isinstance(exponent, ast.Constant) and type(exponent.value) is int
                and exponent.value <= MAX_EXPONENT):  # fmt: skip
            raise ValueError(f"powers must be small whole numbers (at most {MAX_EXPONENT})")
        return _build(node.left, names) ** (sign * exponent.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _build(node.operand, names)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if abs(node.value) > MAX_NUMBER:
            raise ValueError(f"numbers must be at most {MAX_NUMBER}")
        return sp.nsimplify(node.value) if type(node.value) is float else sp.Integer(node.value)
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ValueError(
                f"{node.id!r} is not allowed here; use the names h1 ... y3, x1, m, Theta10 ... "
                "and exp, log"
            )
        return names[node.id]
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ValueError("only exp(...) and log(...) may be called in an answer")
        if node.func.id not in _FUNCTIONS:
            raise ValueError(
                f"{node.func.id!r} is not allowed here; use the names h1 ... y3, x1, m, "
                "Theta10 ... and exp, log"
            )
        if len(node.args) != 1 or node.keywords:
            raise ValueError(f"{node.func.id} takes exactly one argument")
        return _FUNCTIONS[node.func.id](_build(node.args[0], names))
    what = type(node).__name__
    raise ValueError(f"{what} is not allowed in an answer: only numbers, names, + - * / ** and ( )")


# --------------------------------------------------------------------------- exercises
@dataclass(frozen=True)
class Exercise:
    """One fill-in step: the question, the right answer, and the mistakes it recognises."""

    key: str
    question: str
    answer: str
    mistakes: tuple[tuple[str, str], ...]  # (wrong answer, hint)


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
    """The checker's answer: right or not, and a message that says why."""

    correct: bool
    message: str
    mistake: str | None = None

    def __str__(self) -> str:
        return ("✔ " if self.correct else "✘ ") + self.message


def check(key: str, answer: str) -> Feedback:
    """Check a learner's answer to exercise ``key``; recognise known mistakes.

    Parameters
    ----------
    key : str
        One of ``EXERCISES``.
    answer : str
        The answer as text (parsed safely by :func:`parse`).

    Returns
    -------
    Feedback
        Correct (proven equal by SymPy, with one-hot labels), a recognised
        mistake with its hint, or a generic hint.

    Examples
    --------
    >>> str(check("dh2/dTheta10", "-h1*h2"))
    '✔ right: SymPy proves it equal to the article’s step'
    >>> print(check("dh2/dTheta10", "h1*h2"))
    ✘ a lost minus sign: v' = e^{z_1} enters the quotient rule as −u v'
    """
    if key not in EXERCISES:
        raise ValueError(f"unknown exercise {key!r}; expected one of {list(EXERCISES)}")
    exercise = EXERCISES[key]
    try:
        expr = parse(answer)
    except ValueError as err:
        return Feedback(False, f"cannot read the answer: {err}")
    target = parse(exercise.answer)
    if _same(expr, target):
        if not equal(expr, target, one_hot=False):
            return Feedback(True, "right, using y1 + y2 + y3 = 1; simplify it to "
                                  f"{exercise.answer}")  # fmt: skip
        return Feedback(True, "right: SymPy proves it equal to the article’s step")
    for wrong, hint in exercise.mistakes:
        if _same(expr, parse(wrong)):
            return Feedback(False, hint, hint)
    ratio = sp.simplify(expr / target) if target != 0 else None
    if ratio is not None and ratio.is_number:
        return Feedback(False, f"off by a constant factor {ratio}: check signs and factors of two")
    return Feedback(False, "not equal to the right step, and not a mistake I know: check each "
                           "factor of the chain rule and the quotient rule")  # fmt: skip


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    free = (a - b).free_symbols - set(model(3)._context.definitions) - set(model(3).y)
    if free & {sp.Symbol("m", positive=True)}:
        return sp.simplify(a - b) == 0
    return equal(a, b, one_hot=True)


# --------------------------------------------------------------------------- numeric tasks
def check_function(task: str, function: Callable, *, seed: int = 0) -> Feedback:
    """Check a learner's ``"softmax"``, ``"cross_entropy_grad"`` or ``"theta_grad"`` function.

    The function is called on random inputs and compared with the package;
    gradients are also run through :func:`derivation.gradcheck.gradcheck`.

    Returns
    -------
    Feedback
        With the largest relative error in the message.
    """
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(5, 4)) * 2
    labels = rng.integers(0, 4, size=5)
    try:
        if task == "softmax":
            mine, right = np.asarray(function(z), float), numeric.softmax(z)
            big = np.array([[1000.0, 0.0, -1000.0]])
            if not np.all(np.isfinite(np.asarray(function(big), float))):
                return Feedback(False, "NaN or inf for logits (1000, 0, −1000): subtract the "
                                       "row's maximum before exp")  # fmt: skip
        elif task == "cross_entropy_grad":
            mine, right = (
                np.asarray(function(z, labels), float),
                numeric.cross_entropy_grad(z, labels),
            )
            result = gradcheck(lambda v: numeric.cross_entropy(v, labels),
                               lambda v: function(v, labels), z)  # fmt: skip
            if not result.ok:
                return Feedback(False, f"gradcheck: {result}")
        elif task == "theta_grad":
            X, Y, theta = numeric.example_problem()
            mine, right = np.asarray(function(theta, X, Y), float), numeric.theta_grad(theta, X, Y)
        else:
            raise ValueError(
                f"unknown task {task!r}; expected softmax, cross_entropy_grad, theta_grad"
            )
    except ValueError:
        raise
    except Exception as err:  # the learner's code failed: say how, do not crash
        return Feedback(False, f"your function raised {type(err).__name__}: {err}")
    if mine.shape != right.shape:
        return Feedback(False, f"shape {mine.shape}, expected {right.shape}")
    error = float(np.max(np.abs(mine - right) / np.maximum(np.abs(right), 1e-12)))
    if error <= 1e-10:
        return Feedback(True, f"right: largest relative error {error:.1e}")
    return Feedback(False, f"wrong: largest relative error {error:.1e} against the package")

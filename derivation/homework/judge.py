"""Judging a variant's answers: points and feedback for each question.

The same functions judge an answer in the student's notebook (a self-check
that shows no solution) and in the grader's own process
(:mod:`derivation.homework.grade`), where the variant is drawn again from the
roster's id, never from the notebook.  Formulas go to the step checker
(:func:`derivation.exercises.check`, bounded in time and memory); numbers
are compared to 4 significant figures; a function is judged by its outputs on
inputs drawn at the time of the check.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..exercises import check
from ..style import plain
from .variants import POINTS, QUESTIONS, Variant

__all__ = ["RELATIVE", "Verdict", "code_cases", "judge", "judge_code_outputs", "judge_function"]

#: how close a number must be: 4 significant figures, rounded either way
RELATIVE = 1e-3


@dataclass(frozen=True)
class Verdict:
    """The points a question earned, out of how many, and why.

    ``str(verdict)`` is the line a student sees: ✔ or ✘, the points, the message.
    """

    question: str
    points: int
    possible: int
    message: str

    @property
    def correct(self) -> bool:
        """Whether the question earned all its points."""
        return self.points == self.possible

    def __str__(self) -> str:
        mark = "✔" if self.correct else "✘"
        return f"{mark} {self.question} ({self.points}/{self.possible}): {plain(self.message)}"


def _verdict(question: str, right: bool, message: str) -> Verdict:
    possible = POINTS[question]
    return Verdict(question, possible if right else 0, possible, message)


def judge(v: Variant, question: str, answer: object) -> Verdict:
    """Judge the answer to a formula (q1, q2) or number (q3, q4) question.

    Parameters
    ----------
    v : Variant
        Whose question it is.
    question : {"q1", "q2", "q3", "q4"}
    answer : object
        A formula as text for q1 and q2; a number (or its text) for q3 and q4.
        None, ``...`` and empty text are "not answered yet".

    Returns
    -------
    Verdict

    Raises
    ------
    ValueError
        For another question (q5 is judged by :func:`judge_function`).
    """
    if question not in QUESTIONS or question == "q5":
        raise ValueError(
            f"unknown question {question!r}: judge takes 'q1' to 'q4' (q5 is judge_function)"
        )
    if answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip()):
        return _verdict(question, False, "not answered yet")
    if question in ("q1", "q2"):
        if not isinstance(answer, str):
            return _verdict(
                question,
                False,
                f'expected a formula as text (e.g. "-0.5*h1*h2"), got {type(answer).__name__}',
            )
        feedback = check(v.key(question), answer)
        return _verdict(question, feedback.correct, feedback.message)
    return _judge_number(v, question, answer)


def _number(answer: object) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float | np.floating | np.integer):
        return float(answer)
    if isinstance(answer, str) and len(answer) <= 40:
        try:
            return float(answer.replace("−", "-"))
        except ValueError:
            return None
    return None


def _judge_number(v: Variant, question: str, answer: object) -> Verdict:
    value = _number(answer)
    if value is None:
        shown = repr(answer)[:40] if isinstance(answer, str) else type(answer).__name__
        return _verdict(question, False, f"expected a number (e.g. -0.1234), got {shown}")
    if not math.isfinite(value):
        return _verdict(question, False, f"expected a finite number, got {value}")
    expected = v.expected_value(question)
    if math.isclose(value, expected, rel_tol=RELATIVE):
        return _verdict(question, True, "right (to 4 significant figures)")
    if math.isclose(value, -expected, rel_tol=RELATIVE):
        return _verdict(question, False, "the sign is wrong")
    if math.isclose(value, expected, rel_tol=2e-2):
        return _verdict(
            question,
            False,
            "close, but not to 4 significant figures: keep more digits until the end",
        )
    return _verdict(question, False, _which_number(v, question, value))


def _which_number(v: Variant, question: str, value: float) -> str:
    """Name the entry the number belongs to, when it is another entry's, else say 'wrong'."""
    h, y, x = v.h, v.y, v.x
    if question == "q3":
        k, j = v.value_entry
        if math.isclose(value, h[k - 1] * x[j], rel_tol=RELATIVE):
            return "that is h_k x_j without the label: subtract y_k"
        if math.isclose(value, (h[k - 1] - y[k - 1]) * x[1 - j], rel_tol=RELATIVE):
            return f"that uses x_{1 - j}; Θ_{k}{j} multiplies x_{j}"
        for c in range(3):
            if c != k - 1 and math.isclose(value, (h[c] - y[c]) * x[j], rel_tol=RELATIVE):
                return f"that is another class's entry: Θ_{k}{j} belongs to class {k}"
        return (
            "wrong: compute z = Θx and h = softmax(z) from your numbers, then put them into "
            "the ∂J⁽ⁱ⁾/∂Θ_kj you derived (notebook 02, Part III)"
        )
    a, b = v.logit_pair
    jac = np.diag(h) - np.outer(h, h)
    if any(math.isclose(value, jac[i, j], rel_tol=RELATIVE) for i in range(3) for j in range(3)):
        return "that is another entry of the softmax Jacobian: check which h and which z"
    if a != b and math.isclose(value, 0.0, abs_tol=1e-9):
        return "diagonal-only Jacobian: the off-diagonal entries are not zero"
    return (
        "wrong: compute z = Θx and h = softmax(z) from your numbers, then the Jacobian's "
        "entry ∂h_a/∂z_b (notebook 04)"
    )


# ---------------------------------------------------------------------------------- code
def code_cases(v: Variant, rng: np.random.Generator | None = None) -> list[tuple]:
    """Inputs for q5, drawn now (from ``secrets`` unless ``rng`` is given).

    Three cases of (params, X, Y) in the variant's layout: small logits, a
    different m and D, and logits up to ±950, the largest +950 (where a
    softmax without the shift overflows).
    """
    rng = rng if rng is not None else np.random.default_rng(secrets.randbits(64))
    cases = []
    for m, d, largest in ((5, 2, None), (7, 3, None), (4, 2, 950.0)):
        X = np.hstack([np.ones((m, 1)), rng.uniform(-2.0, 2.0, (m, d - 1))])
        theta = rng.uniform(-1.5, 1.5, (3, d))
        if largest is not None:  # the largest logit is +950: exp overflows without the shift
            z = X @ theta.T
            peak = z.flat[np.argmax(np.abs(z))]
            theta = theta * (largest / peak)
        Y = np.eye(3)[rng.integers(0, 3, m)]
        params = theta if v.layout == "article" else theta.T.copy()
        cases.append((params, X, Y))
    return cases


def _data_term(v: Variant, params: np.ndarray, X: np.ndarray, Y: np.ndarray, reduction: str):
    from ..layouts import theta_gradient

    grad = theta_gradient(X, Y, params, layout=v.layout)
    return grad / len(X) if reduction == "mean" else grad


def _expected(v: Variant, params: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return _data_term(v, params, X, Y, v.reduction) + float(v.penalty) * params


def judge_code_outputs(v: Variant, cases: Sequence[tuple], outputs: Sequence[object]) -> Verdict:
    """Judge q5 from the outputs a function gave on ``cases`` (lists, arrays or errors).

    Parameters
    ----------
    v : Variant
    cases : list of (params, X, Y)
        From :func:`code_cases`.
    outputs : list
        One per case: the function's return value (array-like), or a string
        starting with ``"raised "`` when it raised.
    """
    for n, ((params, X, Y), out) in enumerate(zip(cases, outputs, strict=True), start=1):
        expected = _expected(v, params, X, Y)
        if isinstance(out, str):
            return _verdict("q5", False, f"case {n} {out}")
        if out is None or out is Ellipsis:
            return _verdict(
                "q5",
                False,
                f"case {n}: theta_grad returned nothing: write its body and return the array",
            )
        try:
            got = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            return _verdict("q5", False, f"case {n}: expected an array of numbers")
        if got.shape != expected.shape:
            return _verdict(
                "q5",
                False,
                f"case {n}: wrong shape: expected {expected.shape} "
                f"(the shape of theta), got {got.shape}",
            )
        if not np.all(np.isfinite(got)):
            return _verdict(
                "q5",
                False,
                f"case {n}: not finite (NaN or inf) at logits up to "
                f"{np.abs(X @ _theta(v, params).T).max():.0f}: shift "
                "the logits by their maximum",
            )
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            return _verdict("q5", False, f"case {n}: {_code_mistake(v, params, X, Y, got)}")
    return _verdict(
        "q5", True, f"right on {len(cases)} cases drawn now, logits up to ±1000 included"
    )


def _theta(v: Variant, params: np.ndarray) -> np.ndarray:
    return params if v.layout == "article" else params.T


def _code_mistake(v: Variant, params, X, Y, got: np.ndarray) -> str:
    lam = float(v.penalty)
    data = _data_term(v, params, X, Y, v.reduction)
    other = "sum" if v.reduction == "mean" else "mean"
    near = lambda a: np.allclose(got, a, rtol=1e-6, atol=1e-9)  # noqa: E731
    if near(_data_term(v, params, X, Y, other) + lam * params) or near(
        _data_term(v, params, X, Y, other)
    ):
        return (
            "that is the gradient of the summed cost; this variant asks for the mean J/m"
            if v.reduction == "mean"
            else "that is the gradient of the mean cost; this variant asks for the summed J"
        )
    if near(data):
        return f"the penalty is missing: add the gradient of (λ/2)·Σ theta², λ·theta, λ = {lam:g}"
    if near(data + lam / len(X) * params) or near(data + lam / 2 * params):
        return (
            f"the penalty's gradient is λ·theta with λ = {lam:g}, added once (not divided by m, "
            "not halved)"
        )
    product = "(H − Y)ᵀX" if v.layout == "article" else "Xᵀ(H − Y)"
    flipped = "(Y − H)ᵀX" if v.layout == "article" else "Xᵀ(Y − H)"
    scale = "/m" if v.reduction == "mean" else ""
    if near(-data + lam * params) or near(-data - lam * params):
        return f"the sign is wrong: the data term is {product}{scale}, not {flipped}{scale}"
    return f"wrong values: compare with {product}{scale} + λ·theta on a small case by hand"


def judge_function(v: Variant, fn: Callable, *, rng: np.random.Generator | None = None) -> Verdict:
    """Judge q5 by calling ``fn`` in this process on cases drawn now.

    The student's self-check; the grader calls the function in the student's
    kernel and judges its outputs here with :func:`judge_code_outputs`.
    """
    if not callable(fn):
        return _verdict(
            "q5", False, f"expected a function theta_grad(theta, X, Y), got {type(fn).__name__}"
        )
    cases = code_cases(v, rng)
    outputs = []
    for params, X, Y in cases:
        try:
            with np.errstate(all="ignore"):
                outputs.append(fn(params.copy(), X.copy(), Y.copy()))
        except Exception as err:  # the student's code: any error is the verdict
            outputs.append(f"raised {type(err).__name__}: {err}"[:200])
    return judge_code_outputs(v, cases, outputs)

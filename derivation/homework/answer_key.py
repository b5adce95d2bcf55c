"""The answer key of a variant, recomputed from its seed (for the instructor and the grader).

Nothing here is stored in what a student receives: the assignment command
writes the keys into the instructor's folder only.
"""

from __future__ import annotations

import numpy as np

from ..exercises import exercise
from .variants import POINTS, QUESTIONS, Variant

__all__ = ["key_text", "solution", "theta_grad"]


def theta_grad(v: Variant, params: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """q5's right function for variant ``v`` (its layout, its reduction and its penalty λ).

    Parameters
    ----------
    v : Variant
    params : ndarray, shape (K, D) or (D, K)
        Θ in the article's layout, W = Θᵀ in CS231n's (``v.layout``).
    X : ndarray, shape (m, D)
    Y : ndarray, shape (m, K)

    Returns
    -------
    ndarray, the shape of ``params``
    """
    from .judge import _expected  # one formula: the one the grader judges against

    return _expected(v, params, X, Y)


def solution(v: Variant, question: str):
    """The right answer to ``question``: a formula (q1, q2), a number (q3, q4), a function (q5)."""
    if question in ("q1", "q2"):
        return exercise(v.key(question)).answer
    if question in ("q3", "q4"):
        return float(f"{v.expected_value(question):.4g}")
    if question == "q5":
        return lambda params, X, Y: theta_grad(v, params, X, Y)
    raise ValueError(f"unknown question {question!r}; expected one of {list(QUESTIONS)}")


def key_text(v: Variant) -> str:
    """The answer key of one student, as the instructor's file holds it."""
    scale = " / m" if v.reduction == "mean" else ""
    product = "(H − Y)ᵀX" if v.layout == "article" else "Xᵀ(H − Y)"
    lines = [
        f"Answer key of student {v.student_id} (the instructor's only)",
        "",
        v.sheet(),
        "",
        "Answers:",
    ]
    for q in QUESTIONS:
        if q == "q5":
            answer = (
                f"{product}{scale} + {float(v.penalty):g}·theta, shape "
                f"{'(K, D)' if v.layout == 'article' else '(D, K)'}, with H = softmax of the "
                "logits shifted by their row maximum"
            )
        else:
            answer = str(solution(v, q))
        lines.append(f"  {q} ({POINTS[q]} points): {answer}")
    return "\n".join(lines) + "\n"

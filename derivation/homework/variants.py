"""Per-student variants: every student's own numbers, drawn from (student id, assignment).

A variant is drawn by a generator seeded from a hash of the student's id and
the assignment's name, so it is the same wherever it is drawn (the student's
notebook, the answer key, the grader) and nothing about it is stored: the
numbers, the questions and the right answers are all recomputed from the seed.

Every variant asks the same five questions about its own numbers:

q1 (2 points)
    ∂h_k/∂Θ_l1 (k ≠ l) at the variant's x_1, as a formula in h1, h2, h3.
q2 (2 points)
    ∂J^{(i)}/∂Θ_k1 for the variant's sample (its class and its x_1), as a formula.
q3 (2 points)
    The number ∂J^{(i)}/∂Θ_kj at the variant's Θ, x and y, to 4 significant figures.
q4 (2 points)
    The number ∂h_a/∂z_b, an entry of the softmax Jacobian at the variant's logits.
q5 (2 points)
    A function ``theta_grad(theta, X, Y)``: the gradient of the summed or the mean
    cost plus the variant's penalty (λ/2)·Σ theta², in the article's layout
    (K × D) or CS231n's (D × K), as the variant says.  λ (0.01 to 0.30) makes a
    copied function wrong for almost every other student (the layout and the
    reduction alone leave one pair in four alike).

Every variant is equally hard: Θ's entries and x_1 have one decimal, none of
them 0, ±1 or ±2 (nor x_1 = ±0.5, where two mistakes would give the same
answer); the three hypotheses lie between 0.1 and 0.75, at least 0.05 apart
(no ties); the asked-for numbers are at least 0.02 in size; and
the entries asked for in q1–q4 are drawn so that no two questions ask for
the same thing.

The variants stop students from copying each other's answers; they are not
a secret: the package that checks an answer can compute it.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..exercises.generated import gradient_key, jacobian_key

__all__ = [
    "ASSIGNMENT",
    "POINTS",
    "QUESTIONS",
    "Variant",
    "seed_of",
    "validate_id",
    "variant",
]

#: the default assignment's name (a course may give each term its own, for new numbers)
ASSIGNMENT = "softmax-gradients-1"
#: the questions of every variant, in order, with their points
POINTS = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 2}
QUESTIONS = tuple(POINTS)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TENTHS = [t for t in range(-25, 26) if abs(t) >= 3 and t % 10 != 0]  # ±0.3 … ±2.5, no ±1, ±2
_X1 = [t for t in _TENTHS if abs(t) >= 6]  # not ±0.5 either: 2·x₁ = ±1 would make two mistakes one


def validate_id(text: object, what: str = "student id") -> str:
    """``text`` if it is a usable id (it names files), else a ValueError that says why.

    >>> validate_id("s001")
    's001'
    >>> validate_id("../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: student id '../x' is not usable: expected 1 to 64 letters, digits, ...
    """
    if not isinstance(text, str) or _ID.fullmatch(text) is None:
        raise ValueError(
            f"{what} {text!r} is not usable: expected 1 to 64 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit"
        )
    return text


def seed_of(student_id: str, assignment: str = ASSIGNMENT) -> int:
    """The variant's seed: 64 bits of SHA-256 of the assignment and the student id.

    >>> seed_of("s001") == seed_of("s001") != seed_of("s002")
    True
    """
    validate_id(student_id)
    validate_id(assignment, "assignment")
    digest = hashlib.sha256(f"softmax-gradients|{assignment}|{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Variant:
    """One student's numbers and questions.

    Attributes
    ----------
    student_id, assignment : str
        What the variant was drawn from.
    theta : tuple of tuple of Fraction, shape (3, 2)
        Θ_kj, k = 1..3 (rows), j = 0, 1 (columns); exact tenths.
    x1 : Fraction
        The sample's feature (x_0 = 1).
    label : int
        The sample's class c (y_c = 1), 1..3.
    jacobian_pair : (int, int)
        (k, l) of q1, k ≠ l.
    gradient_class : int
        k of q2.
    value_entry : (int, int)
        (k, j) of q3.
    logit_pair : (int, int)
        (a, b) of q4.
    reduction : {"sum", "mean"}
        q5: the summed cost J or the mean J/m.
    layout : {"article", "cs231n"}
        q5: Θ's shape K × D ("article") or W = Θᵀ's D × K ("cs231n").
    penalty : Fraction
        q5: λ of the penalty (λ/2)·Σ theta² added to the cost, hundredths from
        0.01 to 0.30.
    """

    student_id: str
    assignment: str
    theta: tuple[tuple[Fraction, Fraction], ...]
    x1: Fraction
    label: int
    jacobian_pair: tuple[int, int]
    gradient_class: int
    value_entry: tuple[int, int]
    logit_pair: tuple[int, int]
    reduction: str
    layout: str
    penalty: Fraction

    # ------------------------------------------------------------------ numbers
    @property
    def x(self) -> np.ndarray:
        """The sample x = [1, x_1], shape (2,)."""
        return np.array([1.0, float(self.x1)])

    @property
    def y(self) -> np.ndarray:
        """The one-hot label, shape (3,)."""
        return np.eye(3)[self.label - 1]

    @property
    def theta_array(self) -> np.ndarray:
        """Θ as floats, shape (3, 2)."""
        return np.array([[float(v) for v in row] for row in self.theta])

    @property
    def logits(self) -> np.ndarray:
        """z = Θx, shape (3,)."""
        return self.theta_array @ self.x

    @property
    def h(self) -> np.ndarray:
        """The hypotheses h = softmax(z), shape (3,)."""
        z = self.logits
        e = np.exp(z - z.max())
        return e / e.sum()

    # ---------------------------------------------------------------- questions
    def key(self, question: str) -> str:
        """The checker's key of a formula question (q1 or q2)."""
        if question == "q1":
            return jacobian_key(*self.jacobian_pair, self.x1)
        if question == "q2":
            return gradient_key(self.gradient_class, self.label, self.x1)
        raise ValueError(f"{question!r} is not a formula question; expected 'q1' or 'q2'")

    def expected_value(self, question: str) -> float:
        """The right number of q3 or q4, recomputed from the variant's numbers."""
        h = self.h
        if question == "q3":
            k, j = self.value_entry
            return float((h[k - 1] - self.y[k - 1]) * self.x[j])
        if question == "q4":
            a, b = self.logit_pair
            return float(h[a - 1] * ((a == b) - h[b - 1]))
        raise ValueError(f"{question!r} is not a number question; expected 'q3' or 'q4'")

    def question(self, question: str) -> str:
        """What question ``question`` asks, in plain Unicode (no answer in it)."""
        from ..style import plain

        if question in ("q1", "q2"):
            from ..exercises import exercise

            return plain(exercise(self.key(question)).question) + (
                ". Type a formula (e.g. 0.5*h1*(1 - h2))."
            )
        if question == "q3":
            k, j = self.value_entry
            return plain(
                f"The number ∂J^{{(i)}}/∂Θ_{k}{j} for your sample, at your Θ, x and "
                "y, to 4 significant figures (e.g. -0.1234)."
            )
        if question == "q4":
            a, b = self.logit_pair
            return plain(
                f"The number ∂h_{a}/∂z_{b}, an entry of the softmax Jacobian at your "
                "logits z = Θx, to 4 significant figures."
            )
        if question == "q5":
            return _code_question(self.reduction, self.layout, self.penalty)
        raise ValueError(f"unknown question {question!r}; expected one of {list(QUESTIONS)}")

    def sheet(self) -> str:
        """The variant's numbers and its five questions, as printed for the student."""
        rows = "\n".join(
            f"    Θ{_SUB[k]}₀ = {float(r[0]):4.1f}   Θ{_SUB[k]}₁ = {float(r[1]):4.1f}"
            for k, r in enumerate(self.theta, start=1)
        )
        lines = [
            f"Student {self.student_id}, assignment {self.assignment}: your numbers",
            rows,
            f"    x = [1, {float(self.x1):g}]   (x₀ = 1, x₁ = {float(self.x1):g})",
            f"    this sample is of class {self.label}: y = {_one_hot(self.label)}",
            "",
        ]
        for q in QUESTIONS:
            lines.append(f"{q} ({POINTS[q]} points). {self.question(q)}")
        return "\n".join(lines)


_SUB = {1: "₁", 2: "₂", 3: "₃"}


def _one_hot(label: int) -> str:
    return "[" + ", ".join("1" if k == label else "0" for k in (1, 2, 3)) + "]"


def _code_question(reduction: str, layout: str, penalty: Fraction) -> str:
    cost = "the summed cost J = Σᵢ J⁽ⁱ⁾" if reduction == "sum" else "the mean cost J/m"
    if layout == "article":
        shape = "theta of shape (K, D) (the article's Θ), and return an array of that shape"
    else:
        shape = (
            "theta of shape (D, K) (CS231n's W = Θᵀ, logits X @ theta), and return an "
            "array of that shape"
        )
    return (
        f"Write theta_grad(theta, X, Y): the gradient of {cost} plus the penalty "
        f"(λ/2)·Σ theta² over every entry of theta, with your λ = {float(penalty):g}, by the "
        f"parameters, for {shape}; X has shape (m, D) with a first column of ones, Y is "
        "one-hot of shape (m, K). No loops over samples, and it must stay finite for logits "
        "up to ±1000."
    )


def variant(student_id: str, assignment: str = ASSIGNMENT) -> Variant:
    """Draw the variant of ``student_id`` for ``assignment`` (the same every time).

    Parameters
    ----------
    student_id : str
        1 to 64 letters, digits, ``.``, ``_`` or ``-`` (it names the student's files).
    assignment : str, default ASSIGNMENT
        The assignment's name, in the same alphabet.

    Returns
    -------
    Variant

    Raises
    ------
    ValueError
        If the id or the assignment is not usable.

    Examples
    --------
    >>> v = variant("s001")
    >>> v == variant("s001"), v == variant("s002")
    (True, False)
    """
    rng = random.Random(seed_of(student_id, assignment))
    while True:  # rejection: every variant meets the same conditions (a few draws on average)
        theta = tuple(
            (Fraction(rng.choice(_TENTHS), 10), Fraction(rng.choice(_TENTHS), 10)) for _ in range(3)
        )
        x1 = Fraction(rng.choice(_X1), 10)
        label = rng.randint(1, 3)
        k, l = rng.sample((1, 2, 3), 2)
        gradient_class = rng.choice([c for c in (1, 2, 3)])
        value_entry = (rng.randint(1, 3), rng.randint(0, 1))
        logit_pair = tuple(rng.sample((1, 2, 3), 2)) if rng.random() < 0.5 else (k,) * 2
        reduction = rng.choice(("sum", "mean"))
        layout = rng.choice(("article", "cs231n"))
        penalty = Fraction(rng.randint(1, 30), 100)
        drawn = Variant(
            student_id,
            assignment,
            theta,
            x1,
            label,
            (k, l),
            gradient_class,
            value_entry,
            logit_pair,
            reduction,
            layout,
            penalty,
        )
        if _fair(drawn):
            return drawn


def _fair(v: Variant) -> bool:
    """Whether a drawn variant is as hard as every other: no ties, no tiny or trivial numbers,
    and no two questions that ask for the same thing."""
    h = np.sort(v.h)
    if h[0] < 0.1 or h[-1] > 0.75 or np.min(np.diff(h)) < 0.05:
        return False
    if v.value_entry[0] == v.gradient_class:  # q3 would be q2's step, or it at x_0
        return False
    q3, q4 = v.expected_value("q3"), v.expected_value("q4")
    return min(abs(q3), abs(q4)) >= 0.02 and not math.isclose(abs(q3), abs(q4), rel_tol=0.05)

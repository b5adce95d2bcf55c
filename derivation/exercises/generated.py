"""Exercises built from their key: the steps of a homework variant (``"hw ..."`` keys).

A homework variant (:mod:`derivation.homework.variants`) asks for a step of
the derivation at the student's own numbers, e.g. ∂h_3/∂Θ_11 at x_1 = 17/10.
Such an exercise is not listed in :data:`derivation.exercises.EXERCISES`: its
key says everything needed to build it, so the checker's worker process
builds the same exercise from the same key, and nothing about a variant is
stored anywhere.

Two families of keys, with ``p/q`` the exact value of x_1:

``"hw dh{k}/dTheta{l}1 x1={p}/{q}"``
    ∂h_k/∂Θ_l1 for k ≠ l: the off-diagonal quotient rule, ``-(p/q)*hk*hl``.
``"hw dJ/dTheta{k}1 y={c} x1={p}/{q}"``
    ∂J^{(i)}/∂Θ_k1 for a sample of class c: ``(hk - [k = c])*(p/q)``.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

__all__ = ["build", "gradient_key", "jacobian_key"]

_JACOBIAN = re.compile(r"hw dh([123])/dTheta([123])1 x1=(-?\d{1,3})/(\d{1,3})")
_GRADIENT = re.compile(r"hw dJ/dTheta([123])1 y=([123]) x1=(-?\d{1,3})/(\d{1,3})")
_SOURCE = "your variant’s step"


def jacobian_key(k: int, l: int, x1: Fraction) -> str:
    """The key of ∂h_k/∂Θ_l1 at x_1 (k ≠ l).

    >>> jacobian_key(3, 1, Fraction(17, 10))
    'hw dh3/dTheta11 x1=17/10'
    """
    return f"hw dh{k}/dTheta{l}1 x1={x1.numerator}/{x1.denominator}"


def gradient_key(k: int, c: int, x1: Fraction) -> str:
    """The key of ∂J^{(i)}/∂Θ_k1 for one sample of class ``c`` at x_1.

    >>> gradient_key(2, 2, Fraction(-3, 2))
    'hw dJ/dTheta21 y=2 x1=-3/2'
    """
    return f"hw dJ/dTheta{k}1 y={c} x1={x1.numerator}/{x1.denominator}"


def _number(x1: Fraction) -> str:
    """x_1 as the sheet prints it: 1.7, -0.5 (every variant's x_1 has one decimal)."""
    return f"{float(x1):g}"


def _times(coefficient: Fraction, factor: str) -> str:
    """``coefficient*factor`` as a learner would type it: ``-1.7*h3*h1``, ``h2``, ``-(h2 - 1)``.

    >>> _times(Fraction(-17, 10), "h3*h1"), _times(Fraction(1), "(h2 - 1)")
    ('-1.7*h3*h1', '(h2 - 1)')
    """
    if coefficient == 1:
        return factor
    if coefficient == -1:
        return f"-{factor}"
    return f"{float(coefficient):g}*{factor}"


@functools.lru_cache(maxsize=512)
def build(key: str):
    """The :class:`~derivation.exercises.checker.Exercise` of a homework key, or None.

    Parameters
    ----------
    key : str
        A key made by :func:`jacobian_key` or :func:`gradient_key`.

    Returns
    -------
    Exercise or None
        None when ``key`` is not a homework key (or its numbers are out of range).
    """
    if (match := _JACOBIAN.fullmatch(key)) is not None:
        k, l, num, den = (int(g) for g in match.groups())
        if k == l or den == 0:
            return None
        return _jacobian(key, k, l, Fraction(num, den))
    if (match := _GRADIENT.fullmatch(key)) is not None:
        k, c, num, den = (int(g) for g in match.groups())
        if den == 0:
            return None
        return _gradient(key, k, c, Fraction(num, den))
    return None


def _jacobian(key: str, k: int, l: int, x1: Fraction):
    from .checker import Exercise  # the checker imports this module

    a, hh = _number(x1), f"h{k}*h{l}"
    return Exercise(
        key,
        f"∂h_{k}/∂Θ_{l}1 at x_1 = {a}, in terms of h1, h2, h3",
        _times(-x1, hh),
        (
            (
                "0",
                f"diagonal-only Jacobian: h_{k} depends on Θ_{l}1 through the shared "
                "denominator v = Σ_k e^{z_k}, so this entry is not zero",
            ),
            (
                _times(x1, hh),
                f"a lost minus sign: u = e^{{z_{k}}} does not depend on Θ_{l}1, "
                "so only the term −uv′ of the quotient rule is left",
            ),
            (
                f"-{hh}",
                f"the chain rule's factor is missing: z_{l} depends on Θ_{l}1 through x_1 = {a}",
            ),
            (
                _times(x1, f"h{k}*(1 - h{k})"),
                "a swapped index: that is a diagonal entry (the same class twice)",
            ),
            (
                _times(-2 * x1, hh),
                "a factor of two too many: the v² of the quotient rule brings no 2",
            ),
        ),
        source=_SOURCE,
        ladder=(
            f"Only the denominator v = e^{{z_1}} + e^{{z_2}} + e^{{z_3}} of h_{k} depends on "
            f"Θ_{l}1, through z_{l}.",
            f"The quotient rule with u = e^{{z_{k}}} (so u′ = 0) and "
            f"v′ = e^{{z_{l}}}·∂z_{l}/∂Θ_{l}1, where ∂z_{l}/∂Θ_{l}1 = x_1 = {a}; "
            "then write each e^{z_k}/v as h_k.",
            f"(0·v − e^{{z_{k}}}·e^{{z_{l}}}·({a}))/v² = {_times(-x1, hh)}",
        ),
    )


def _gradient(key: str, k: int, c: int, x1: Fraction):
    from .checker import Exercise  # the checker imports this module

    a = _number(x1)
    label = 1 if k == c else 0
    factor, other = (f"(h{k} - 1)", f"h{k}") if label else (f"h{k}", f"(h{k} - 1)")
    answer = _times(x1, factor)
    return Exercise(
        key,
        f"∂J^{{(i)}}/∂Θ_{k}1 for one sample of class {c} (so y_{c} = 1) at x_1 = {a}, "
        "in terms of h1, h2, h3",
        answer,
        (
            (
                _times(-x1, factor),
                "a lost minus sign: J^{(i)} = −Σ_k y_k log h_k; carry its "
                "minus through all three Parts",
            ),
            (factor.strip("()"), f"the factor x_1 = {a} is missing: Θ_{k}1 multiplies x_1"),
            (
                _times(x1, other),
                f"the label is wrong: this sample is of class {c}, so y_{k} = {label}",
            ),
            (_times(2 * x1, factor), "a factor of two too many (the cost has no square)"),
        ),
        one_hot=False,
        source=_SOURCE,
        ladder=(
            "The general form (23) holds for one sample: ∂J^{(i)}/∂Θ_kj = (h_k − y_k)x_j.",
            f"Here k = {k} and j = 1, so x_j = x_1 = {a}; the sample is of class {c}, so "
            f"y_{k} = {label}.",
            f"(h_{k} − {label})·({a}) = {answer}",
        ),
    )

"""Hint ladders: for each exercise a hint, a stronger hint, and the worked step.

A learner who is stuck opens the ladder one rung at a time
(:class:`derivation.answer_boxes.HintLadder`): rung 1 says which rule to use
and what depends on what, rung 2 writes out the set-up for this exercise (the
quotient rule's u and v, the chain rule's factors), and rung 3 is the worked
step, ending in ``= <the answer>``.  Rungs 1 and 2 never state the answer of
any exercise (``tests/test_exercises.py`` checks every formula in them with
the checker), and the formula after the last ``=`` of rung 3 is proven equal
to the answer by the checker.

The text is in the checker's style (``h_2``, ``Θ_10``, ``e^{z_2}``), rendered
by :func:`derivation.answer_boxes.typeset` as HTML or by
:func:`derivation.style.plain` as plain Unicode.  An exercise whose
:attr:`~derivation.exercises.checker.Exercise.ladder` is set (a generated
variant, say) brings its own ladder; :func:`ladder` prefers it.
"""

from __future__ import annotations

from .checker import DEMO, EXERCISES, _exercise

__all__ = ["LADDERS", "RUNGS", "ladder"]

#: the rungs of a ladder, in the order they open
RUNGS = ("hint", "stronger hint", "worked step")

_QUOTIENT = "(u′v − uv′)/v²"

#: the ladder of each exercise of notebooks 09 and 11 (and of 09's demonstration)
LADDERS: dict[str, tuple[str, str, str]] = {
    "dh2/dTheta10": (
        "h_2 = e^{z_2}/Σ_k e^{z_k} depends on Θ_10 only through its denominator, which "
        "contains e^{z_1}; use the quotient rule, as for Part I",
        f"the quotient rule {_QUOTIENT} with u = e^{{z_2}} and v = Σ_k e^{{z_k}}: u does not "
        "contain Θ_10, so u′ = 0, and v′ = e^{z_1} because ∂z_1/∂Θ_10 = 1 (Θ_10 multiplies "
        "x_0 = 1); then write each fraction e^{z_k}/v as h_k",
        f"{_QUOTIENT} = (0 · v − e^{{z_2}} e^{{z_1}})/v² = −(e^{{z_1}}/v)(e^{{z_2}}/v) = −h_1 h_2",
    ),
    "part2": (
        "Part II is a product of two factors: ∂J^{(i)}/∂h_2, from J^{(i)} = −Σ_k y_k log h_k, "
        "and ∂h_2/∂Θ_10, your answer to A1",
        "of the terms of J^{(i)} = −Σ_k y_k log h_k only −y_2 log h_2 contains h_2, so "
        "∂J^{(i)}/∂h_2 = −y_2/h_2; multiply it by your answer to A1 and see which h_k cancels",
        "the two minus signs cancel, and so does h_2: (−y_2/h_2)(−h_1 h_2) = y_2 h_1",
    ),
    "dJ/dTheta10": (
        "Θ_10 is in z_1, and z_1 is in the denominator of every h_k: so J^{(i)} depends on Θ_10 "
        "through h_1, h_2 and h_3, and (21) adds the three Parts I, II and III",
        "Part I is (∂J^{(i)}/∂h_1)(∂h_1/∂Θ_10), with ∂J^{(i)}/∂h_1 = −y_1/h_1 and ∂h_1/∂Θ_10 "
        "from the demonstration above A1; Part II is your answer to A2, and Part III is Part II "
        "with 3 in place of 2; add them, then use y_1 + y_2 + y_3 = 1",
        "Part I + Part II + Part III = −y_1(1 − h_1) + y_2 h_1 + y_3 h_1 "
        "= h_1(y_1 + y_2 + y_3) − y_1 = h_1 − y_1",
    ),
    "dJ/dTheta11": (
        "the same three Parts as for Θ_10: Θ_11 is in z_1 = Θ_10 + Θ_11 x_1 too; only the last "
        "factor of the chain rule, ∂z_1/∂Θ_11, is different",
        "by the chain rule through z_1, ∂J^{(i)}/∂Θ_11 = (∂J^{(i)}/∂z_1)(∂z_1/∂Θ_11); since "
        "∂z_1/∂Θ_10 = 1, the first factor is your answer to A3",
        "∂z_1/∂Θ_11 = x_1, so ∂J^{(i)}/∂Θ_11 = (∂J^{(i)}/∂z_1) x_1 = (h_1 − y_1) x_1",
    ),
    "mean": (
        "the mean cost J/m = (1/m) Σ_i J^{(i)} is the summed cost times the constant 1/m: what "
        "does a constant factor do to a derivative?",
        "one sample's share of ∂(J/m)/∂Θ_10 is (1/m) ∂J^{(i)}/∂Θ_10, and ∂J^{(i)}/∂Θ_10 is "
        "your answer to A3",
        "(1/m) ∂J^{(i)}/∂Θ_10 = (1/m)(h_1 − y_1) = (h_1 − y_1)/m",
    ),
    DEMO: (
        "h_1 = e^{z_1}/Σ_k e^{z_k} depends on Θ_10 in its numerator and in its denominator; "
        "use the quotient rule",
        f"the quotient rule {_QUOTIENT} with u = e^{{z_1}} and v = Σ_k e^{{z_k}}: u′ = e^{{z_1}} "
        "and v′ = e^{z_1}, because ∂z_1/∂Θ_10 = 1; then write e^{z_1}/v as h_1",
        f"{_QUOTIENT} = (e^{{z_1}} v − e^{{z_1}} e^{{z_1}})/v² = e^{{z_1}}/v − (e^{{z_1}}/v)² "
        "= h_1 − h_1² = h_1(1 − h_1)",
    ),
    "d2J/dTheta21^2": (
        "differentiate twice, through the logits: J^{(i)} depends on Θ_21 only through "
        "z_2 = Θ_20 + Θ_21 x_1, so each of the two derivatives is one by z_2 times ∂z_2/∂Θ_21",
        "the first derivative is (23): ∂J^{(i)}/∂Θ_21 = (h_2 − y_2) x_1; by Θ_21 again, y_2 "
        "and x_1 are constants and ∂h_2/∂Θ_21 = (∂h_2/∂z_2)(∂z_2/∂Θ_21), where ∂h_2/∂z_2 is a "
        "diagonal entry of the Hessian of LSE, diag(h) − hhᵀ",
        "∂h_2/∂z_2 = h_2(1 − h_2) and ∂z_2/∂Θ_21 = x_1, so ∂²J^{(i)}/∂Θ_21² "
        "= x_1 · h_2(1 − h_2) · x_1 = h_2(1 − h_2) x_1²",
    ),
    "d2J/dTheta10dTheta21": (
        "Θ_10 enters J^{(i)} only through z_1 and Θ_21 only through z_2: the second derivative "
        "is an off-diagonal entry of the Hessian of LSE, times one chain-rule factor for each "
        "parameter",
        "yᵀz is linear in z, so it drops out of a second derivative: ∂²J^{(i)}/∂Θ_10∂Θ_21 "
        "= (∂h_1/∂z_2)(∂z_1/∂Θ_10)(∂z_2/∂Θ_21), where the entry of diag(h) − hhᵀ in row k, "
        "column l is h_k(δₖₗ − h_l) and z_k = Θ_{k0} + Θ_{k1} x_1",
        "δ₁₂ = 0, so ∂h_1/∂z_2 = −h_1 h_2; ∂z_1/∂Θ_10 = 1 and ∂z_2/∂Θ_21 = x_1, so "
        "∂²J^{(i)}/∂Θ_10∂Θ_21 = −h_1 h_2 · 1 · x_1 = −h_1 h_2 x_1",
    ),
    "d2J/dTheta10dTheta11": (
        "Θ_10 and Θ_11 both belong to class 1, so both enter J^{(i)} through z_1 alone: the "
        "second derivative is a diagonal entry of the Hessian of LSE, times one chain-rule "
        "factor for each parameter",
        "yᵀz is linear in z, so it drops out of a second derivative: ∂²J^{(i)}/∂Θ_10∂Θ_11 "
        "= (∂h_1/∂z_1)(∂z_1/∂Θ_10)(∂z_1/∂Θ_11), where the entry of diag(h) − hhᵀ in row k, "
        "column l is h_k(δₖₗ − h_l) and z_1 = Θ_10 + Θ_11 x_1",
        "δ₁₁ = 1, so ∂h_1/∂z_1 = h_1(1 − h_1); ∂z_1/∂Θ_10 = 1 and ∂z_1/∂Θ_11 = x_1, so "
        "∂²J^{(i)}/∂Θ_10∂Θ_11 = h_1(1 − h_1) · 1 · x_1 = h_1(1 − h_1) x_1",
    ),
}


def ladder(key: str) -> tuple[str, ...]:
    """The hint ladder of exercise ``key``: a hint, a stronger hint, the worked step.

    Parameters
    ----------
    key : str
        One of :data:`derivation.exercises.EXERCISES` (or another key the
        checker knows, e.g. a homework variant's, if its exercise has a ladder).

    Returns
    -------
    tuple of str
        The rungs in the order they open, in the checker's text style
        (``h_2``, ``Θ_10``, ``e^{z_2}``): the exercise's own
        :attr:`~derivation.exercises.checker.Exercise.ladder` if it has one,
        else its entry of :data:`LADDERS`.

    Raises
    ------
    ValueError
        If ``key`` is not an exercise, or is one with no ladder.

    Examples
    --------
    >>> rungs = ladder("dh2/dTheta10")
    >>> len(rungs), rungs[2].endswith("= −h_1 h_2")
    (3, True)
    """
    own = _exercise(key).ladder  # a ValueError for an unknown key names the expected keys
    if own:
        return tuple(own)
    if key not in LADDERS:
        with_ladders = [k for k, e in EXERCISES.items() if e.ladder or k in LADDERS]
        raise ValueError(f"exercise {key!r} has no hint ladder; expected one of {with_ladders}")
    return LADDERS[key]

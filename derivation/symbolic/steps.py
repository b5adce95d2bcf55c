"""The article's derivation as steps: (7) to (23) for K = 3, every derivative for any K.

:func:`article_steps` writes the chain rule, the quotient rules and the Parts of
every dJ/dTheta_kj, the short route through the logits (:func:`short_route`),
the general form (23) and its sum over the samples, each a proven
:class:`~derivation.symbolic.claims.Step` with the article's number and label
where it has one (from the tables in :mod:`.notation`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from .claims import Step, claim
from .model import Model, model
from .notation import (
    ARTICLE_CONDITION_23,
    ARTICLE_LABELS,
    ARTICLE_PARTS,
    H_I,
    ROMAN,
    THETA,
    X_I,
    Y_I,
    Z_I,
    i_,
    j_,
    k_,
    l_,
    m_,
)
from .printing import Equation
from .prover import Context

__all__ = ["article_steps", "general_gradient", "short_route", "step"]


def _theta_name(k: int, j: int) -> str:
    return f"Theta_{k}{j}"


def _theta_tex(k: int, j: int) -> str:
    return rf"\Theta_{{{k}{j}}}"


def _difference_times(h: sp.Expr, y: sp.Expr, x: sp.Expr) -> sp.Expr:
    """``(h - y) x``, written in that order."""
    return sp.Mul(sp.Add(h, sp.Mul(-1, y, evaluate=False), evaluate=False), x, evaluate=False)


def _sum_i(expr: sp.Expr) -> sp.Sum:
    return sp.Sum(expr, (i_, 1, m_))


class _Builder:
    """Writes the steps of the derivation for one model."""

    def __init__(self, m: Model) -> None:
        self.m = m
        self.K = m.classes
        self.article = m.classes == 3
        self.u, self.v = sp.symbols("u v")
        self.du, self.dv = sp.Symbol("u'"), sp.Symbol("v'")
        self.steps: list[Step] = []

    def add(
        self,
        key: str,
        number: int | None,
        label: str | None,
        description: str,
        lhs: sp.Basic,
        chain: Iterable[sp.Basic],
        **kw,
    ) -> None:
        if not self.article:
            number, label = None, None
            kw.pop("article", None)
            kw.pop("article_note", None)
        self.steps.append(
            Step(key, number, label, description, lhs, tuple(chain), context=self.m.context, **kw)
        )

    # pieces -------------------------------------------------------------
    def x(self, j: int) -> sp.Expr:
        return self.m.x[j]

    def part_product(self, l: int, var: sp.Symbol) -> sp.Expr:
        m = self.m
        return sp.Mul(sp.Derivative(m.J, m.h[l]), sp.Derivative(m.h[l], var), evaluate=False)

    def times_x(self, expr: sp.Expr, j: int) -> sp.Expr:
        """``expr * x_j``, written without the factor when x_0 = 1."""
        return expr * self.x(j) if j else expr

    def quotient_result(self, l: int, k: int, j: int) -> sp.Expr:
        h = self.m.h
        return self.times_x(h[l] * (1 - h[l]) if l == k else -h[l] * h[k], j)

    def part_result(self, l: int, k: int, j: int) -> sp.Expr:
        y, h = self.m.y, self.m.h
        return self.times_x(-y[l] * (1 - h[l]) if l == k else y[l] * h[k], j)

    def uv(self, l: int) -> dict[sp.Symbol, sp.Expr]:
        exps = [sp.exp(z) for z in self.m.logits]
        return {self.u: exps[l], self.v: sp.Add(*exps)}

    # the article's printed forms ----------------------------------------
    @staticmethod
    def _article_dJ_dh(l: int, number: int) -> Equation:
        lhs = sp.Derivative(sp.Symbol("J"), sp.Symbol(f"h_{l + 1}"))
        return Equation(lhs, (-_sum_i(Y_I[l + 1, i_] / H_I[l + 1, i_]),),
                        f"({number})")  # fmt: skip

    @staticmethod
    def _article_part(l: int, number: int) -> Equation:
        J, hl = sp.Symbol("J"), sp.Symbol(f"h_{l + 1}")
        lhs = sp.Mul(sp.Derivative(J, hl), sp.Derivative(hl, THETA[1, 0]), evaluate=False)
        if l == 0:
            side = -_sum_i(sp.Mul(Y_I[1, i_], 1 - H_I[1, i_], evaluate=False))
        else:
            side = _sum_i(sp.Mul(Y_I[l + 1, i_], H_I[1, i_], evaluate=False))
        return Equation(lhs, (side,), f"({number})")

    # steps --------------------------------------------------------------
    def chain_rule(self, k: int, j: int, key: str, number: int | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        with sp.evaluate(False):
            total = sp.Add(*(self.part_product(l, var) for l in range(self.K)))
        self.add(
            key,
            number,
            ARTICLE_LABELS[number] if number else None,
            f"multivariable chain rule: J depends on {_theta_name(k + 1, j)} through every h_l",
            sp.Derivative(m.J, var),
            [total],
            title=rf"{_theta_tex(k + 1, j)}\text{{: chain rule}}",
        )

    def dJ_dh(self, l: int, number: int | None) -> None:
        m = self.m
        note = (
            "The article differentiates the summed cost $J$ as if all samples shared one "
            f"$h_{l + 1}$; each sample has its own $h_{l + 1}(x^{{(i)}})$, so the chain rule "
            "applies sample by sample (E2), and the sum over the samples comes last, in (23)."
        )
        self.add(
            f"dJ/dh_{l + 1}",
            number,
            ARTICLE_LABELS[number] if number else None,
            f"derivative of the cost by h_{l + 1}: only y_{l + 1} log h_{l + 1} depends on it",
            sp.Derivative(m.J, m.h[l]),
            [-m.y[l] / m.h[l]],
            part=ROMAN[l],
            title=rf"\text{{Part {ROMAN[l]}: }} \partial J / \partial h_{{{l + 1}}}",
            article=self._article_dJ_dh(l, number) if number else None,
            article_note=note if number else None,
        )

    def definitions(self, l: int, numbers: tuple[int | None, int | None]) -> None:
        """u (and, for Part I, v) of the quotient rule; each checked by h_l = u / v."""
        uv = self.uv(l)
        relation = (self.m.h[l], self.u / self.v)
        n_u, n_v = numbers
        self.add(
            f"u/h_{l + 1}",
            n_u,
            ARTICLE_LABELS[n_u] if n_u else None,
            f"quotient rule for h_{l + 1} = u/v: the numerator u",
            self.u,
            [uv[self.u]],
            where=((self.v, uv[self.v]),),
            relation=relation,
            kind="definition",
            part=ROMAN[l],
            title=rf"\text{{Part {ROMAN[l]}: the numerator of }} h_{{{l + 1}}}",
        )
        if l == 0:
            self.add(
                "v",
                n_v,
                ARTICLE_LABELS[n_v] if n_v else None,
                "the denominator v, the same for every h_l",
                self.v,
                [uv[self.v]],
                where=((self.u, uv[self.u]),),
                relation=relation,
                kind="definition",
                part=ROMAN[l],
                title=r"\text{the shared denominator}",
            )

    def quotient(self, l: int, k: int, j: int, key: str, number: int | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        u, v, du, dv = self.u, self.v, self.du, self.dv
        xj = self.x(j)
        uv = self.uv(l)
        exp_k = sp.exp(m.logits[k])
        du_value = xj * u if l == k else sp.Integer(0)
        dv_value = xj * u if l == k else xj * exp_k
        with sp.evaluate(False):
            rule = (du * v - u * dv) / v**2
            substituted = (du_value * v - u * dv_value) / v**2
            if l == k:
                split = xj * (u / v - (u / v) ** 2) if j else u / v - (u / v) ** 2
            else:
                split = -xj * (u / v) * (exp_k / v) if j else -(u / v) * (exp_k / v)
        where = (*uv.items(), (du, sp.Derivative(u, var)), (dv, sp.Derivative(v, var)))
        self.add(
            key,
            number,
            ARTICLE_LABELS[number] if number else None,
            f"quotient rule: derivative of h_{l + 1} by {_theta_name(k + 1, j)}",
            sp.Derivative(m.h[l], var),
            [rule, substituted, split, self.quotient_result(l, k, j)],
            where=where,
            part=ROMAN[l],
            title=rf"{_theta_tex(k + 1, j)}\text{{: quotient rule for }} h_{{{l + 1}}}",
        )

    def part(self, l: int, k: int, j: int, key: str, number: int | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        dJ_dh, dh_dtheta = -m.y[l] / m.h[l], self.quotient_result(l, k, j)
        with sp.evaluate(False):
            product = sp.Mul(dJ_dh, dh_dtheta)
        note = (
            f"The article's Part {ROMAN[l]} is a sum over samples of one sample's Part; "
            "that final line is right, but it multiplies the summed (8), (13) or (17) by one "
            "sample's derivative on the way (E2). Here it is one sample's Part."
        )
        self.add(
            key,
            number,
            ARTICLE_LABELS[number] if number else None,
            f"Part {ROMAN[l]}: the h_{l + 1} cancels",
            self.part_product(l, var),
            [product, self.part_result(l, k, j)],
            part=ROMAN[l],
            title=rf"{_theta_tex(k + 1, j)}\text{{: Part {ROMAN[l]}}}",
            article=self._article_part(l, number) if number and (k, j) == (0, 0) else None,
            article_note=note if number and (k, j) == (0, 0) else None,
        )

    def combination(self, k: int, j: int, key: str, number: int | None, label: str | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        y, h, xj = m.y, m.h, self.x(j)
        with sp.evaluate(False):
            parts = sp.Add(*(self.part_result(l, k, j) for l in range(self.K)))
            inner = sp.Add(-y[k], h[k] * sp.Add(*y))
            collected = xj * inner if j else inner
            final = (h[k] - y[k]) * xj if j else h[k] - y[k]
        article = note = None
        if number == 21:
            J = sp.Symbol("J")
            ys = [Y_I[c, i_] for c in (1, 2, 3)]
            h1 = H_I[1, i_]
            with sp.evaluate(False):
                terms = (
                    sp.Add(-ys[0], ys[0] * h1, ys[1] * h1, ys[2] * h1),
                    sp.Add(-ys[0], h1 * sp.Add(*ys)),
                    sp.Add(h1, -ys[0]),
                )
            sides = tuple(_sum_i(t) for t in terms)
            article = Equation(sp.Derivative(J, THETA[1, 0]), sides,
                               "(21)")  # fmt: skip
            note = ("The article's (21) is the same result summed over the samples, for the "
                    "data set's cost $J$; the summed form is (23) for $k = 1$, $j = 0$, proven "
                    "below.")  # fmt: skip
        elif number == 22:
            J = sp.Symbol("J")
            side = _sum_i(_difference_times(H_I[1, i_], Y_I[1, i_], X_I[1, i_]))
            article = Equation(sp.Derivative(J, THETA[1, 1]), (side,),
                               "(22)")  # fmt: skip
            note = (
                "The article's (22) is the summed form for the data set's cost $J$, with "
                "each sample's own $x_1^{(i)}$; it is (23) for $k = 1$, $j = 1$, proven below."
            )
        self.add(
            key,
            number,
            label,
            f"add the parts; y_1 + ... + y_{self.K} = 1 for one-hot labels (E3)",
            sp.Derivative(m.J, var),
            [parts, collected, final],
            one_hot_from=2,
            title=rf"{_theta_tex(k + 1, j)}\text{{: the Parts added}}",
            article=article,
            article_note=note,
        )

    def derivative(self, k: int, j: int, numbered: bool) -> None:
        """Chain rule, quotient rule and part for every h_l, then the combination."""
        name = _theta_name(k + 1, j)
        article_numbers = numbered and self.article
        self.chain_rule(
            k, j, f"{name}/chain" if not article_numbers else "7", 7 if article_numbers else None
        )
        for l in range(self.K):
            numbers = ARTICLE_PARTS.get(l) if article_numbers else None
            if numbers:
                dj_dh, u_number, v_number, q, p = numbers
                self.dJ_dh(l, dj_dh)
                self.definitions(l, (u_number, v_number))
                self.quotient(l, k, j, str(q), q)
                self.part(l, k, j, str(p), p)
            else:
                if numbered:  # classes != 3: the first derivative still defines everything
                    self.dJ_dh(l, None)
                    self.definitions(l, (None, None))
                self.quotient(l, k, j, f"{name}/quotient/h_{l + 1}", None)
                self.part(l, k, j, f"{name}/part/h_{l + 1}", None)
        combined = {(0, 0): 21, (0, 1): 22}.get((k, j)) if self.article else None
        if combined:
            label = ARTICLE_LABELS[combined]
            self.combination(k, j, str(combined), combined, label)
        else:
            self.combination(k, j, f"{name}/combination", None, None)

    def general_form(self) -> None:
        """(23) as displayed, for symbolic k and j, with x_0 = 1 (E1)."""
        K = self.K
        with sp.evaluate(False):
            rhs = sp.Mul(sp.Add(H_I[k_], -Y_I[k_]), X_I[j_])
        article = Equation(
            sp.Derivative(sp.Symbol("J"), THETA[k_, j_]),
            (_sum_i(_difference_times(H_I[k_, i_], Y_I[k_, i_], X_I[j_, i_])),),
            "(23)",
            note=ARTICLE_CONDITION_23,
        )
        self.add(
            "23",
            23,
            ARTICLE_LABELS[23],
            f"general form for every k = 1..{K} and j = 0, 1, with x_0 = 1 (E1: not 0)",
            sp.Derivative(self.m.J, THETA[k_, j_]),
            [rhs],
            where=((X_I[0], sp.Integer(1)),),
            indices=((k_, tuple(range(1, K + 1))), (j_, (0, 1))),
            one_hot_from=0,
            title=r"\text{general form, one sample}",
            article=article,
            article_note=(
                "The article's (23) is the gradient of the data set's cost $J$, the sum over "
                "the samples; here it is one sample's share, and the summed (23) is a claim "
                "of its own, proven for any number of samples $m$. Its condition "
                "$x_j^{(i)} = 0$ if $j = 0$ is erratum E1: the bias entry is $x_0^{(i)} = 1$, "
                "as in (1); with 0, every $\\partial J / \\partial \\Theta_{k0}$ would vanish, "
                "contradicting (21)."
            ),
        )

    def over_samples(self) -> None:
        """The summed (23) for a symbolic number of samples m, and (H - Y)^T X."""
        K = self.K
        J = sp.Symbol("J")
        H, Y, X = (sp.MatrixSymbol(n, m_, c) for n, c in (("H", K), ("Y", K), ("X", 2)))
        cost = -sp.Sum(sp.Sum(Y_I[l_, i_] * sp.log(H_I[l_, i_]), (l_, 1, K)), (i_, 1, m_))
        summed = _sum_i(_difference_times(H_I[k_, i_], Y_I[k_, i_], X_I[j_, i_]))
        matrix = MatrixElement(
            sp.MatMul(sp.Transpose(sp.MatAdd(H, sp.MatMul(-1, Y, evaluate=False),
                                             evaluate=False)), X, evaluate=False),
            k_, j_,
        )  # fmt: skip
        where = (
            (J, cost),
            (MatrixElement(H, i_, k_), H_I[k_, i_]),
            (MatrixElement(Y, i_, k_), Y_I[k_, i_]),
            (MatrixElement(X, i_, j_), X_I[j_, i_]),
            (X_I[0, i_], sp.Integer(1)),
        )
        self.steps.append(Step(
            "samples",
            23 if self.article else None,
            ARTICLE_LABELS[23] if self.article else None,
            "over the data set (5) the gradient is the sum of the per-sample ones (E2); "
            "as a matrix (H - Y)^T X, for any number of samples m",
            sp.Derivative(J, THETA[k_, j_]),
            (summed, matrix),
            where=where,
            indices=((k_, tuple(range(1, K + 1))), (j_, (0, 1))),
            one_hot_from=0,
            context=_samples_context(K),
            title=r"\text{summed over the samples}",
        ))  # fmt: skip

    def build(self) -> tuple[Step, ...]:
        self.derivative(0, 0, numbered=True)
        self.steps.extend(short_route(self.K))
        self.derivative(0, 1, numbered=False)
        for k in range(1, self.K):
            for j in (0, 1):
                self.derivative(k, j, numbered=False)
        self.general_form()
        self.over_samples()
        return tuple(self.steps)


@functools.cache
def _samples_context(K: int) -> Context:
    """The model over m samples: sample i has its own x_1^(i), y_k^(i) and h_k(x^(i))."""
    m = model(K)
    theta = m.theta
    x1 = X_I[1, i_]
    logits = [theta[c, 0] + theta[c, 1] * x1 for c in range(K)]
    exps = [sp.exp(v) for v in logits]
    den = sp.Add(*exps)
    e_symbols = [sp.Symbol(f"e_{c + 1}^{{(i)}}") for c in range(K)]
    return Context(
        definitions={H_I[c + 1, i_]: exps[c] / den for c in range(K)},
        logits=tuple((logits[c], theta[c, 1] * x1, e_symbols[c]) for c in range(K)),
        one_hot={Y_I[K, i_]: 1 - sp.Add(*(Y_I[c, i_] for c in range(1, K)))},
        labels=sp.Add(*(Y_I[c, i_] for c in range(1, K + 1)), evaluate=False),
        indexed={"Theta": lambda a, b: theta[a - 1, b]},
    )


@functools.cache
def short_route(classes: int = 3) -> tuple[Step, ...]:
    """The short route to (23) through the logits, each line proven.

    ``-log h_k = log sum_l e^{z_l} - z_k``; ``dJ/dz_k = h_k sum_l y_l - y_k =
    h_k - y_k`` (the last step only with ``sum y = 1``); ``dh_l/dz_k = h_l
    (delta_lk - h_k)``; ``dz_k/dTheta_kj = x_j``; and so ``dJ/dTheta_kj =
    (dJ/dz_k)(dz_k/dTheta_kj) = (h_k - y_k) x_j`` for all k and j at once.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K, from 2 to 10.

    Returns
    -------
    tuple of Step
        Each written for symbolic indices and proven for every index value.

    Examples
    --------
    >>> all(s.holds() for s in short_route())
    True
    """
    m = model(classes)
    K, ctx, J = m.classes, m.context, m.J
    classes_k = (k_, tuple(range(1, K + 1)))
    classes_l = (l_, tuple(range(1, K + 1)))
    features = (j_, (0, 1))
    log_sum = sp.log(sp.Sum(sp.exp(Z_I[l_]), (l_, 1, K)))
    label_sum = sp.Sum(Y_I[l_], (l_, 1, K))
    with sp.evaluate(False):
        steps = (
            claim("short/log h_k", "the log of a softmax output", -sp.log(H_I[k_]),
                  [sp.Add(log_sum, -Z_I[k_])], ctx, indices=(classes_k,),
                  title=r"\text{short route: } {-\log h_k}"),
            claim("short/dJ/dz_k", "the gradient by a logit", sp.Derivative(J, Z_I[k_]),
                  [sp.Add(H_I[k_] * label_sum, -Y_I[k_]), sp.Add(H_I[k_], -Y_I[k_])], ctx,
                  indices=(classes_k,), one_hot_from=1,
                  title=r"\text{short route: by a logit}"),
            claim("short/dh_l/dz_k", "the softmax Jacobian", sp.Derivative(H_I[l_], Z_I[k_]),
                  [H_I[l_] * sp.Add(sp.KroneckerDelta(l_, k_), -H_I[k_])], ctx,
                  indices=(classes_l, classes_k), title=r"\text{short route: the Jacobian}"),
            claim("short/dz_k/dTheta_kj", "Theta_kj enters J only through z_k",
                  sp.Derivative(Z_I[k_], THETA[k_, j_]), [X_I[j_]], ctx,
                  where=((X_I[0], sp.Integer(1)),), indices=(classes_k, features),
                  title=r"\text{short route: the logit by } \Theta_{kj}"),
            claim("short/dJ/dTheta_kj", "the chain rule through z_k alone gives (23)",
                  sp.Derivative(J, THETA[k_, j_]),
                  [sp.Mul(sp.Derivative(J, Z_I[k_]), sp.Derivative(Z_I[k_], THETA[k_, j_])),
                   sp.Mul(sp.Add(H_I[k_], -Y_I[k_]), X_I[j_])], ctx,
                  where=((X_I[0], sp.Integer(1)),), indices=(classes_k, features),
                  one_hot_from=1, title=r"\text{short route: (23) at once}"),
        )  # fmt: skip
    return steps


def general_gradient(k: int, j: int, *, classes: int = 3, x0: sp.Expr | int = 1) -> sp.Expr:
    """Return the article's general form (23), ``(h_k - y_k) x_j``, for one sample.

    Parameters
    ----------
    k : int
        Class, 1-based as in the article (1..K).
    j : int
        Feature: 0 for the bias entry, 1 for ``x_1``.
    classes : int, default 3
        Number of classes K.
    x0 : sympy expression or int, default 1
        Value used for the bias entry.  The article's text says 0 (erratum E1);
        pass ``x0=0`` to see what that would claim.

    Returns
    -------
    sympy.Expr
        ``(h_k - y_k) * x_j`` in the display symbols.

    Raises
    ------
    ValueError
        If ``k`` or ``j`` is out of range.
    """
    m = model(classes)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= m.classes:
        raise ValueError(f"class k must be one of 1..{m.classes}, got {k!r}")
    if j not in (0, 1) or isinstance(j, bool):
        raise ValueError(f"feature j must be 0 (bias) or 1 (x_1), got {j!r}")
    xj = sp.sympify(x0) if j == 0 else m.x1
    return (m.h[k - 1] - m.y[k - 1]) * xj


@functools.cache
def article_steps(classes: int = 3) -> tuple[Step, ...]:
    """Return the derivation of every ∂J/∂Θ_kj as an ordered sequence of steps.

    For K = 3 the sequence follows the article: (7) to (21) for ∂J/∂Θ_10, the
    short route through the logits, then ∂J/∂Θ_11 in full ending in (22), then
    ∂J/∂Θ_2j and ∂J/∂Θ_3j in full (steps the article skips), the general form
    (23) for one sample, and (23) summed over the samples with its matrix form
    (H - Y)^T X.  For other K the same steps are written for K classes, without
    the article's numbers.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K, from 2 to 10.

    Returns
    -------
    tuple of Step
        The steps in reading order.

    Raises
    ------
    ValueError
        If ``classes`` is not a whole number from 2 to 10.

    Examples
    --------
    >>> steps = article_steps()
    >>> sorted({s.number for s in steps if s.number}) == list(range(7, 24))
    True
    >>> step(12).rhs
    -y_1*(1 - h_1)
    """
    return _Builder(model(classes)).build()


def step(ref: int | str, *, classes: int = 3) -> Step:
    """Look up one step by the article's equation number or by its key.

    Parameters
    ----------
    ref : int or str
        An equation number 7..23 (K = 3 only; 23 is the per-sample form, the
        summed one is ``"samples"``) or a key such as
        ``"Theta_21/combination"``.
    classes : int, default 3
        Number of classes K.

    Returns
    -------
    Step

    Raises
    ------
    ValueError
        If no step has that number or key.
    """
    steps = article_steps(classes)
    for s in steps:
        if (
            (s.number == ref and not isinstance(ref, bool))
            if isinstance(ref, int)
            else s.key == ref
        ):
            return s
    numbers = sorted({s.number for s in steps if s.number is not None})
    hint = f"equation numbers {numbers[0]}..{numbers[-1]} or " if numbers else ""
    raise ValueError(
        f"unknown step {ref!r} for {classes} classes; expected {hint}one of the keys "
        f"such as {steps[-3].key!r} (see [s.key for s in article_steps({classes})])"
    )

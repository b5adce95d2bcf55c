"""The article's softmax layer for one sample in SymPy, and ``equal`` in its symbols."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import sympy as sp

from .notation import MAX_CLASSES
from .printing import Equation
from .prover import Context, prove_equal

__all__ = ["LogitModel", "Model", "check_classes", "equal", "logit_model", "model"]


def check_classes(classes: object) -> int:
    """Return ``classes`` if it is a whole number from 2 to MAX_CLASSES, else raise ValueError."""
    if isinstance(classes, bool) or not isinstance(classes, int):
        raise ValueError(
            f"classes must be a whole number, got {classes!r} ({type(classes).__name__})"
        )
    if classes < 2:
        raise ValueError(f"a softmax layer needs at least two classes, got classes={classes}")
    if classes > MAX_CLASSES:
        raise ValueError(
            f"classes={classes} is more than this explicit derivation spells out "
            f"(at most {MAX_CLASSES}); expected 2 <= classes <= {MAX_CLASSES}"
        )
    return classes


@dataclass(frozen=True, eq=False)
class Model:
    """The article's softmax layer for one sample, with ``classes`` classes.

    Attributes
    ----------
    classes : int
        Number of classes K (the article has K = 3).
    theta : sympy.ImmutableMatrix, shape (K, 2)
        ``Theta_k0`` (bias) and ``Theta_k1`` (weight of x_1) for k = 1..K.
    x : tuple of 2 sympy expressions
        ``(x_0, x_1)`` with ``x_0 = 1`` (erratum E1: the article says 0).
    y : tuple of K sympy.Symbol
        The label entries ``y_1 .. y_K`` of one sample.
    h : tuple of K sympy.Symbol
        The hypotheses as plain symbols ``h_1 .. h_K``, used in displayed steps.
    z : tuple of K sympy.Symbol
        The logits as plain symbols ``z_1 .. z_K``, used in displayed steps.
    J : sympy.Symbol
        The cost ``J^(i)`` of one sample, used in displayed steps.
    logits : tuple of K sympy.Expr
        ``z_k = Theta_k0 + Theta_k1 x_1``.
    hypotheses : tuple of K sympy.Expr
        The explicit ``h_k = exp(z_k) / sum_l exp(z_l)``, equations (2)-(4).
    cost : sympy.Expr
        The explicit per-sample cost, ``-sum_k y_k log h_k`` with
        ``log h_k = z_k - log sum_l exp(z_l)``.
    cost_in_h : sympy.Expr
        The same cost in terms of the symbols ``h_k``: ``-sum_k y_k log h_k``.
    context : Context
        What the prover knows about these symbols.
    """

    classes: int
    theta: sp.ImmutableMatrix
    x: tuple[sp.Expr, sp.Expr]
    y: tuple[sp.Symbol, ...]
    h: tuple[sp.Symbol, ...]
    z: tuple[sp.Symbol, ...]
    J: sp.Symbol
    logits: tuple[sp.Expr, ...]
    hypotheses: tuple[sp.Expr, ...]
    cost: sp.Expr
    cost_in_h: sp.Expr
    context: Context = field(repr=False)

    @property
    def x1(self) -> sp.Symbol:
        """The feature ``x_1``."""
        return self.x[1]

    def definitions(self) -> tuple[Equation, ...]:
        """Return the model's defining equations (2)-(5), per sample.

        Returns
        -------
        tuple of Equation
            ``h_k = e^{z_k} / sum_l e^{z_l}`` for each k, then the cost of one
            sample ``J^(i) = -sum_k y_k log h_k``.  Tagged with the article's
            numbers when K = 3.
        """
        tags = ("(2)", "(3)", "(4)") if self.classes == 3 else (None,) * self.classes
        eqs = [
            Equation(hk, (hyp,), tag)
            for hk, hyp, tag in zip(self.h, self.hypotheses, tags, strict=True)
        ]
        with sp.evaluate(False):
            terms = sp.Add(*(yk * sp.log(hk) for yk, hk in zip(self.y, self.h, strict=True)))
        tag = r"(5)\ \text{for one sample}" if self.classes == 3 else None
        eqs.append(Equation(self.J, (-terms,), tag))
        return tuple(eqs)


@functools.cache
def model(classes: int = 3) -> Model:
    """Build the article's model for one sample.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K, from 2 to 10.

    Returns
    -------
    Model
        Symbols and explicit expressions; the same object for the same K.

    Raises
    ------
    ValueError
        If ``classes`` is not a whole number from 2 to 10.

    Examples
    --------
    >>> m = model()
    >>> m.theta.shape, m.x[0]
    ((3, 2), 1)
    """
    K = check_classes(classes)
    theta = sp.ImmutableMatrix(
        [[sp.Symbol(f"Theta_{k}{j}") for j in (0, 1)] for k in range(1, K + 1)]
    )
    x1 = sp.Symbol("x_1")
    y = tuple(sp.Symbol(f"y_{k}") for k in range(1, K + 1))
    h = tuple(sp.Symbol(f"h_{k}") for k in range(1, K + 1))
    z = tuple(sp.Symbol(f"z_{k}") for k in range(1, K + 1))
    J = sp.Symbol("J^{(i)}")
    logits = tuple(theta[k, 0] + theta[k, 1] * x1 for k in range(K))
    exps = tuple(sp.exp(v) for v in logits)
    denominator = sp.Add(*exps)
    hypotheses = tuple(e / denominator for e in exps)
    # -sum_k y_k (z_k - log S), with the log-sum-exp term collected once
    linear = sp.Add(*(yk * v for yk, v in zip(y, logits, strict=True)))
    cost = -linear + sp.Add(*y) * sp.log(denominator)
    cost_in_h = -sp.Add(*(yk * sp.log(hk) for yk, hk in zip(y, h, strict=True)))
    # the same in the logit symbols, which are defined in turn by Theta and x_1:
    # a derivative by z_k keeps z_k and resolves the others
    z_exps = [sp.exp(v) for v in z]
    z_sum = sp.Add(*z_exps)
    definitions = {
        **dict(zip(z, logits, strict=True)),
        **{hk: e / z_sum for hk, e in zip(h, z_exps, strict=True)},
        J: -sp.Add(*(yk * v for yk, v in zip(y, z, strict=True))) + sp.Add(*y) * sp.log(z_sum),
    }
    e_symbols = sp.symbols(f"e_1:{K + 1}")
    x0 = sp.Symbol("x_0")
    indexed = {
        "Theta": lambda a, b: theta[a - 1, b],
        "h": lambda a: h[a - 1],
        "y": lambda a: y[a - 1],
        "z": lambda a: z[a - 1],
        "x": lambda b: (x0, x1)[b],
    }
    context = Context(
        definitions=definitions,
        logits=tuple((v, theta[k, 1] * x1, e_symbols[k]) for k, v in enumerate(logits)),
        one_hot={y[-1]: 1 - sp.Add(*y[:-1])},
        labels=sp.Add(*y, evaluate=False),
        cost_symbol=J,
        cost_in_h=cost_in_h,
        hypothesis_symbols=h,
        indexed=indexed,
    )
    return Model(
        classes=K, theta=theta, x=(sp.Integer(1), x1), y=y, h=h, z=z, J=J, logits=logits,
        hypotheses=hypotheses, cost=cost, cost_in_h=cost_in_h, context=context,
    )  # fmt: skip


def equal(
    a: sp.Basic,
    b: sp.Basic,
    *,
    classes: int = 3,
    one_hot: bool = True,
    where: Mapping[sp.Symbol, sp.Expr] | None = None,
) -> bool:
    """Prove or refute ``a = b`` in the model's symbols.

    Parameters
    ----------
    a, b : sympy.Basic
        Expressions in the model's symbols; they may contain the display
        symbols ``h_k``, ``z_k`` and ``J^(i)`` and unevaluated ``Derivative``
        objects such as ``Derivative(J, Theta_10)``, which are evaluated on the
        explicit model.
    classes : int, default 3
        Number of classes of the model the symbols belong to.
    one_hot : bool, default True
        Use ``y_1 + ... + y_K = 1`` (one-hot or probability labels).
    where : mapping, optional
        Extra local definitions, e.g. ``{u: exp(z_1)}``.

    Returns
    -------
    bool
        True when ``a - b`` is identically zero, False otherwise.

    Examples
    --------
    >>> m = model()
    >>> equal(sp.Derivative(m.J, m.theta[0, 0]), m.h[0] - m.y[0])
    True
    """
    ctx = model(classes).context
    return prove_equal(sp.sympify(a), sp.sympify(b), dict(where or {}), ctx, one_hot)


class LogitModel(NamedTuple):
    """Softmax in its logits, for K classes: the symbols and what they mean.

    ``z``, ``y``, ``h`` are the symbols ``z_1 .. z_K``, ``y_1 .. y_K``,
    ``h_1 .. h_K``; ``J`` the cost of one sample; ``context`` defines
    ``h_k = e^{z_k} / sum_l e^{z_l}`` and ``J = -sum_k y_k log h_k`` for the prover.
    """

    z: tuple[sp.Symbol, ...]
    y: tuple[sp.Symbol, ...]
    h: tuple[sp.Symbol, ...]
    J: sp.Symbol
    context: Context


@functools.cache
def logit_model(classes: int) -> LogitModel:
    """The softmax layer written in its logits z_k (no Θ, no x): the one place its context is built.

    Parameters
    ----------
    classes : int
        K, from 2 to 10.

    Returns
    -------
    LogitModel

    Examples
    --------
    >>> lm = logit_model(3)
    >>> prove_equal(sp.Derivative(lm.J, lm.z[0]), lm.h[0] - lm.y[0], {}, lm.context, True)
    True
    """
    K = check_classes(classes)
    z = sp.symbols(f"z_1:{K + 1}")
    y = sp.symbols(f"y_1:{K + 1}")
    h = sp.symbols(f"h_1:{K + 1}")
    J = sp.Symbol("J")
    exps = [sp.exp(v) for v in z]
    S = sp.Add(*exps)
    definitions = {hk: e / S for hk, e in zip(h, exps, strict=True)}
    linear = sp.Add(*(yk * zk for yk, zk in zip(y, z, strict=True)))
    definitions[J] = -linear + sp.Add(*y) * sp.log(S)
    e_symbols = sp.symbols(f"e_1:{K + 1}")
    context = Context(
        definitions=definitions,
        logits=tuple((v, v, e) for v, e in zip(z, e_symbols, strict=True)),
        one_hot={y[-1]: 1 - sp.Add(*y[:-1])},
        labels=sp.Add(*y, evaluate=False),
        cost_symbol=J,
        cost_in_h=-sp.Add(*(yk * sp.log(hk) for yk, hk in zip(y, h, strict=True))),
        hypothesis_symbols=h,
        indexed={"h": lambda a: h[a - 1], "y": lambda a: y[a - 1], "z": lambda a: z[a - 1]},
    )
    return LogitModel(z, y, h, J, context)

"""The article's softmax output layer in SymPy, and its derivation step by step.

The model is the one of the seed article: one feature ``x_1`` plus a bias entry
``x_0 = 1``, a parameter matrix Θ with rows ``(Theta_k0, Theta_k1)``, one-hot
labels ``y_k`` and the hypotheses

    h_k = exp(Theta_k0 + Theta_k1 x_1) / sum_l exp(Theta_l0 + Theta_l1 x_1).   (2)-(4)

Every step is written for ONE sample: ``J^(i) = -sum_k y_k log h_k`` with the
symbols carrying no sample index.  This is how the chain rule really applies
(erratum E2 of the article); the sum over the ``m`` samples of (5) is taken once,
in the step ``"samples"``.

Each :class:`Step` is a claim ``lhs = chain[0] = chain[1] = ...`` that
:meth:`Step.holds` proves with SymPy: derivatives are evaluated on the explicit
exponentials, every ``exp(z_k)`` is renamed to a symbol ``e_k`` (so each
expression becomes a rational function), and the numerator of the difference is
shown to be the zero polynomial.  That is exact (no numbers involved) and
about an order of magnitude faster than ``sympy.simplify``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.polys.fields import sfield
from sympy.printing.latex import LatexPrinter

__all__ = [
    "Equation",
    "JacobianRoute",
    "Model",
    "Step",
    "article_steps",
    "equal",
    "general_gradient",
    "jacobian_route",
    "lambdified_gradient",
    "latex",
    "model",
    "step",
]

_PLUS_MINUS = re.compile(r"\+ - ")  # an unevaluated a + (-b) prints as "a + - b"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_MAX_CLASSES = len(_ROMAN)


# --------------------------------------------------------------------------- printing
class _Printer(LatexPrinter):
    """LaTeX printer that keeps the order in which a step was written.

    ``Derivative(J, h_1)`` prints as a partial-derivative fraction, the way the
    article writes it, instead of SymPy's ``d/dh_1 J``.
    """

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (var, count), *rest = expr.variable_count
        if rest or count != 1:
            return super()._print_Derivative(expr)
        inner, wrt = self._print(expr.expr), self._print(var)
        if isinstance(expr.expr, sp.Symbol):
            return rf"\frac{{\partial {inner}}}{{\partial {wrt}}}"
        return rf"\frac{{\partial}}{{\partial {wrt}}}\left({inner}\right)"


def latex(expr: sp.Basic) -> str:
    """Return the LaTeX of ``expr`` as the notebooks show it.

    Parameters
    ----------
    expr : sympy.Basic
        Any SymPy expression; unevaluated sums and products keep their order.

    Returns
    -------
    str
        LaTeX source without surrounding dollar signs.
    """
    return _PLUS_MINUS.sub("- ", _Printer().doprint(expr))


@dataclass(frozen=True, repr=False)
class Equation:
    """A displayed equation ``lhs = rhs_1 = rhs_2 ...`` with an optional tag.

    Jupyter renders it through ``_repr_latex_``; ``str()`` gives plain text.
    """

    lhs: sp.Basic
    rhs: tuple[sp.Basic, ...]
    tag: str | None = None

    def latex(self) -> str:
        """Return the equation as LaTeX (an ``aligned`` block when it chains)."""
        left = latex(self.lhs)
        parts = [latex(r) for r in self.rhs]
        if len(parts) <= 1:
            body = left + "".join(f" = {p}" for p in parts)
        else:
            rows = [f"{left} &= {parts[0]}"] + [f"&= {p}" for p in parts[1:]]
            body = r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
        if self.tag:
            body += rf" \qquad \text{{{self.tag}}}"
        return body

    def _repr_latex_(self) -> str:
        return f"$$ {self.latex()} $$"

    def __str__(self) -> str:
        text = " = ".join(sp.sstr(e, order="none") for e in (self.lhs, *self.rhs))
        return f"{text}   {self.tag}" if self.tag else text

    __repr__ = __str__


# --------------------------------------------------------------------------- the model
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
    """

    classes: int
    theta: sp.ImmutableMatrix
    x: tuple[sp.Expr, sp.Expr]
    y: tuple[sp.Symbol, ...]
    h: tuple[sp.Symbol, ...]
    J: sp.Symbol
    logits: tuple[sp.Expr, ...]
    hypotheses: tuple[sp.Expr, ...]
    cost: sp.Expr
    cost_in_h: sp.Expr
    _context: _Context = field(repr=False)

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
        eqs.append(Equation(self.J, (-terms,), "(5), one sample" if self.classes == 3 else None))
        return tuple(eqs)


@dataclass(frozen=True, eq=False)
class _Context:
    """What a proof needs to know: definitions, exponentials and the one-hot rule."""

    definitions: Mapping[sp.Symbol, sp.Expr]
    cost_symbol: sp.Symbol | None
    cost_in_h: sp.Expr | None
    hypothesis_symbols: tuple[sp.Symbol, ...]
    logits: tuple[tuple[sp.Expr, sp.Expr, sp.Symbol], ...]  # (z, key term, e-symbol)
    one_hot: Mapping[sp.Symbol, sp.Expr]


def _check_classes(classes: object) -> int:
    if isinstance(classes, bool) or not isinstance(classes, int):
        raise ValueError(
            f"classes must be a whole number, got {classes!r} ({type(classes).__name__})"
        )
    if classes < 2:
        raise ValueError(f"a softmax layer needs at least two classes, got classes={classes}")
    if classes > _MAX_CLASSES:
        raise ValueError(
            f"classes={classes} is more than this explicit derivation spells out "
            f"(at most {_MAX_CLASSES}); expected 2 <= classes <= {_MAX_CLASSES}"
        )
    return classes


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
    K = _check_classes(classes)
    theta = sp.ImmutableMatrix(
        [[sp.Symbol(f"Theta_{k}{j}") for j in (0, 1)] for k in range(1, K + 1)]
    )
    x1 = sp.Symbol("x_1")
    y = tuple(sp.Symbol(f"y_{k}") for k in range(1, K + 1))
    h = tuple(sp.Symbol(f"h_{k}") for k in range(1, K + 1))
    J = sp.Symbol("J^{(i)}")
    logits = tuple(theta[k, 0] + theta[k, 1] * x1 for k in range(K))
    exps = tuple(sp.exp(z) for z in logits)
    denominator = sp.Add(*exps)
    hypotheses = tuple(e / denominator for e in exps)
    log_denominator = sp.log(denominator)
    # -sum_k y_k (z_k - log S), with the log-sum-exp term collected once
    linear = sp.Add(*(yk * z for yk, z in zip(y, logits, strict=True)))
    cost = -linear + sp.Add(*y) * log_denominator
    cost_in_h = -sp.Add(*(yk * sp.log(hk) for yk, hk in zip(y, h, strict=True)))
    e_symbols = sp.symbols(f"e_1:{K + 1}")
    # h_k -> explicit form, J -> explicit cost (cost_in_h serves derivatives by h_k)
    definitions = {**dict(zip(h, hypotheses, strict=True)), J: cost}
    context = _Context(
        definitions=definitions,
        cost_symbol=J,
        cost_in_h=cost_in_h,
        hypothesis_symbols=h,
        logits=tuple((z, theta[k, 1] * x1, e_symbols[k]) for k, z in enumerate(logits)),
        one_hot={y[-1]: 1 - sp.Add(*y[:-1])},
    )
    return Model(
        K, theta, (sp.Integer(1), x1), y, h, J, logits, hypotheses, cost, cost_in_h, context
    )


# --------------------------------------------------------------------------- proving
def _resolve(definitions: Mapping[sp.Basic, sp.Basic]) -> dict[sp.Basic, sp.Basic]:
    """Expand definitions that refer to other definitions, so one pass suffices."""
    resolved = dict(definitions)
    for _ in range(8):
        changed = False
        for key, value in resolved.items():
            new = value.xreplace(resolved)
            if new != value:
                resolved[key], changed = new, True
        if not changed:
            return resolved
    raise RuntimeError("definitions nest too deeply (a definition refers to itself?)")


def _substitute(expr: sp.Basic, definitions: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """Replace defined symbols, definitions within definitions included."""
    return expr.xreplace(_resolve(definitions)) if definitions else expr


@functools.lru_cache(maxsize=4096)
def _diff(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    return sp.diff(expr, var)


def _evaluate(expr: sp.Basic, where: Mapping[sp.Symbol, sp.Expr], ctx: _Context) -> sp.Basic:
    """Turn a displayed expression into an explicit one, derivatives taken."""
    expr = _substitute(expr, where)

    def derivative(node: sp.Derivative) -> sp.Expr:
        (var, count), *rest = node.variable_count
        if rest or count != 1:
            raise ValueError(f"only first derivatives by one variable are supported, got {node}")
        defs = {s: d for s, d in ctx.definitions.items() if s != var}
        if var in ctx.hypothesis_symbols and ctx.cost_symbol is not None:
            defs[ctx.cost_symbol] = ctx.cost_in_h  # dJ/dh_k: J as a function of the h's
        return _diff(_substitute(node.expr, defs), var)

    expr = expr.replace(lambda n: isinstance(n, sp.Derivative), derivative)
    return _substitute(expr, ctx.definitions)


@functools.lru_cache(maxsize=64)
def _exp_names(ctx: _Context) -> dict[sp.Expr, sp.Expr]:
    """``exp(c z_k) -> e_k**c`` for the small multiples c that derivatives produce."""
    return {sp.exp(c * z): e**c for z, _, e in ctx.logits for c in (1, 2, 3, -1, -2, -3)}


def _canonical(expr: sp.Basic, ctx: _Context) -> sp.Basic:
    """Rename each ``exp(c_1 z_1 + ... )`` to ``e_1**c_1 * ...`` (a rational function)."""

    def rename(node: sp.exp) -> sp.Expr:
        arg = sp.expand(node.args[0])
        powers, rest = [], arg
        for z, key, e in ctx.logits:
            c = arg.coeff(key)
            if c != 0:
                powers.append(e**c)
                rest -= c * z
        rest = sp.expand(rest)
        return sp.Mul(*powers) * (sp.exp(rest) if rest != 0 else 1)

    expr = expr.xreplace(_exp_names(ctx))  # the usual case: one pass, no search
    if not expr.has(sp.exp):
        return expr
    return expr.replace(lambda n: isinstance(n, sp.exp), rename)


def _independent_groups(expr: sp.Expr) -> list[sp.Expr]:
    """Split a sum into groups of terms that share no symbol (e.g. one per sample)."""
    terms = sp.Add.make_args(expr)
    groups: list[tuple[set, list]] = []
    for term in terms:
        symbols, members = set(term.free_symbols), [term]
        for g in [g for g in groups if g[0] & symbols]:
            groups.remove(g)
            symbols |= g[0]
            members += g[1]
        groups.append((symbols, members))
    return [sp.Add(*members) for _, members in groups]


def _numerator_vanishes(expr: sp.Expr) -> bool:
    """Exact: bring ``expr`` into a field of rational functions and compare with 0."""
    if expr == 0:
        return True
    try:
        _, element = sfield(expr)
    except (sp.PolificationFailed, sp.polys.polyerrors.GeneratorsNeeded):
        numerator, _ = sp.together(expr).as_numer_denom()
        return sp.expand(numerator) == 0
    return element.numer == 0


@functools.lru_cache(maxsize=4096)
def _is_zero(expr: sp.Expr) -> bool:
    """Exact test that a rational function is identically zero.

    Its denominators are products of sums of exponentials, never zero, so the
    expression vanishes exactly when its numerator is the zero polynomial.

    Groups of terms with disjoint symbols are tried one by one first (each zero
    implies the sum is zero); if one is not, the whole sum decides.
    """
    groups = _independent_groups(expr)
    if len(groups) > 1 and all(_numerator_vanishes(g) for g in groups):
        return True
    return _numerator_vanishes(expr)


@functools.lru_cache(maxsize=4096)
def _explicit(expr: sp.Basic, where: tuple, ctx: _Context) -> sp.Basic:
    """The explicit, exp-renamed form of a displayed expression (cached per side)."""
    return _canonical(_evaluate(expr, dict(where), ctx), ctx)


def _equal(a: sp.Basic, b: sp.Basic, where: Mapping, ctx: _Context, one_hot: bool) -> bool:
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        a, b = sp.ImmutableMatrix(a), sp.ImmutableMatrix(b)
        if a.shape != b.shape:
            return False
        return all(_equal(p, q, where, ctx, one_hot) for p, q in zip(a, b, strict=True))
    key = tuple(where.items())
    difference = _explicit(a, key, ctx) - _explicit(b, key, ctx)
    if one_hot:
        difference = difference.xreplace(dict(ctx.one_hot))
    return _is_zero(difference)


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
        symbols ``h_k`` and ``J^(i)`` and unevaluated ``Derivative`` objects such
        as ``Derivative(J, Theta_10)``, which are evaluated on the explicit model.
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
    """
    ctx = model(classes)._context
    return _equal(sp.sympify(a), sp.sympify(b), dict(where or {}), ctx, one_hot)


# --------------------------------------------------------------------------- steps
@dataclass(frozen=True, eq=False, repr=False)
class Step:
    """One step of the derivation: the claim ``lhs = chain[0] = chain[1] = ...``.

    Attributes
    ----------
    key : str
        Stable name: the equation number as a string for the article's steps
        (``"7"`` ... ``"23"``), a descriptive key for added ones
        (``"Theta_11/quotient/h_2"``, ``"samples"``).
    number : int or None
        The article's equation number, None for steps the article skips.
    label : str or None
        The article's LaTeX label (``eq:gradient-10``), None for added steps.
    description : str
        One line that says what the step does.
    lhs : sympy.Basic
        The left-hand side as displayed.
    chain : tuple of sympy.Basic
        The right-hand sides, each equal to the previous one.
    where : tuple of (Symbol, Expr) pairs
        Local definitions (u, v, u', v' of the quotient rule), shown after the
        equation and used when proving.
    one_hot_from : int or None
        Index in ``chain`` of the first equality that needs
        ``y_1 + ... + y_K = 1`` (erratum E3), None if no equality does.
    part : str or None
        ``"I"``, ``"II"``, ... for the steps of one part of the chain rule.
    kind : str
        ``"identity"``, or ``"definition"`` for the u and v of the quotient
        rule, which are checked by proving ``h_k = u / v``.
    """

    key: str
    number: int | None
    label: str | None
    description: str
    lhs: sp.Basic
    chain: tuple[sp.Basic, ...]
    where: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    one_hot_from: int | None = None
    part: str | None = None
    kind: str = "identity"
    proof: tuple[tuple[sp.Basic, sp.Basic], ...] = field(default=(), repr=False)
    context: _Context | None = field(default=None, repr=False)

    @property
    def rhs(self) -> sp.Basic:
        """The last right-hand side: the step's result."""
        return self.chain[-1]

    def links(self) -> tuple[tuple[sp.Basic, sp.Basic, bool], ...]:
        """Return the equalities this step claims, as ``(a, b, uses_one_hot)``."""
        if self.proof:
            return tuple((a, b, self.one_hot_from is not None) for a, b in self.proof)
        sides = (self.lhs, *self.chain)
        return tuple(
            (sides[i], sides[i + 1], self.one_hot_from is not None and i >= self.one_hot_from)
            for i in range(len(self.chain))
        )

    def check(self, *, one_hot: bool = True) -> tuple[bool, ...]:
        """Prove each equality of the step separately.

        Parameters
        ----------
        one_hot : bool, default True
            Whether the equalities that need ``sum_k y_k = 1`` may use it.
            With False, those equalities fail: this is erratum E3.

        Returns
        -------
        tuple of bool
            One verdict per link of :meth:`links`.
        """
        where = dict(self.where)
        return tuple(
            _equal(a, b, where, self.context, one_hot and needs) for a, b, needs in self.links()
        )

    def holds(self, *, one_hot: bool = True) -> bool:
        """Return True when SymPy proves every equality of the step."""
        return all(self.check(one_hot=one_hot))

    @property
    def tag(self) -> str:
        """The article's number as ``(n)``, or the step's key for added steps."""
        return f"({self.number})" if self.number is not None else f"[{self.key}]"

    def equation(self) -> Equation:
        """Return the step as a displayable :class:`Equation`."""
        return Equation(self.lhs, self.chain, self.tag)

    def latex(self) -> str:
        """Return the step, its local definitions and its tag as LaTeX."""
        text = self.equation().latex()
        if self.where and self.kind != "definition":
            defs = r",\quad ".join(f"{latex(s)} = {latex(d)}" for s, d in self.where)
            text += rf" \\ \text{{where }} {defs}"
        return text

    def _repr_latex_(self) -> str:
        return rf"$$ \begin{{gathered}} {self.latex()} \end{{gathered}} $$"

    def __repr__(self) -> str:
        return f"<Step {self.tag}: {self.description}>"


def _theta_name(k: int, j: int) -> str:
    return f"Theta_{k}{j}"


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
        self.steps.append(
            Step(key, number, label, description, lhs, tuple(chain), context=self.m._context, **kw)
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

    # steps --------------------------------------------------------------
    def chain_rule(self, k: int, j: int, key: str, number: int | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        with sp.evaluate(False):
            total = sp.Add(*(self.part_product(l, var) for l in range(self.K)))
        self.add(
            key,
            number,
            "eq:gradient-10" if number else None,
            f"multivariable chain rule: J depends on {_theta_name(k + 1, j)} through every h_l",
            sp.Derivative(m.J, var),
            [total],
        )

    def dJ_dh(self, l: int, number: int | None) -> None:
        m = self.m
        self.add(
            f"dJ/dh_{l + 1}",
            number,
            f"eq:gradient-10-{number - 7}" if number else None,
            f"derivative of the cost by h_{l + 1}: only y_{l + 1} log h_{l + 1} depends on it",
            sp.Derivative(m.J, m.h[l]),
            [-m.y[l] / m.h[l]],
            part=_ROMAN[l],
        )

    def definitions(self, l: int, numbers: tuple[int | None, int | None]) -> None:
        """u (and, for Part I, v) of the quotient rule; checked as h_l = u / v."""
        uv = self.uv(l)
        proof = ((self.m.h[l], self.u / self.v),)
        where = tuple(uv.items())
        n_u, n_v = numbers
        self.add(
            f"u/h_{l + 1}",
            n_u,
            f"eq:gradient-10-{n_u - 7}" if n_u else None,
            f"quotient rule for h_{l + 1} = u/v: the numerator u",
            self.u,
            [uv[self.u]],
            where=where,
            proof=proof,
            kind="definition",
            part=_ROMAN[l],
        )
        if l == 0:
            self.add(
                "v",
                n_v,
                f"eq:gradient-10-{n_v - 7}" if n_v else None,
                "the denominator v, the same for every h_l",
                self.v,
                [uv[self.v]],
                where=where,
                proof=proof,
                kind="definition",
                part=_ROMAN[l],
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
            f"eq:gradient-10-{number - 7}" if number else None,
            f"quotient rule: derivative of h_{l + 1} by {_theta_name(k + 1, j)}",
            sp.Derivative(m.h[l], var),
            [rule, substituted, split, self.quotient_result(l, k, j)],
            where=where,
            part=_ROMAN[l],
        )

    def part(self, l: int, k: int, j: int, key: str, number: int | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        dJ_dh, dh_dtheta = -m.y[l] / m.h[l], self.quotient_result(l, k, j)
        with sp.evaluate(False):
            product = sp.Mul(dJ_dh, dh_dtheta)
        self.add(
            key,
            number,
            f"eq:gradient-10-{number - 7}" if number else None,
            f"Part {_ROMAN[l]}: the h_{l + 1} cancels",
            self.part_product(l, var),
            [product, self.part_result(l, k, j)],
            part=_ROMAN[l],
        )

    def combination(self, k: int, j: int, key: str, number: int | None, label: str | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        y, h, xj = m.y, m.h, self.x(j)
        with sp.evaluate(False):
            parts = sp.Add(*(self.part_result(l, k, j) for l in range(self.K)))
            inner = sp.Add(-y[k], h[k] * sp.Add(*y))
            collected = xj * inner if j else inner
            final = (h[k] - y[k]) * xj if j else h[k] - y[k]
        self.add(
            key,
            number,
            label,
            f"add the parts; y_1 + ... + y_{self.K} = 1 for one-hot labels (E3)",
            sp.Derivative(m.J, var),
            [parts, collected, final],
            one_hot_from=2,
        )

    def derivative(self, k: int, j: int, numbered: bool) -> None:
        """Chain rule, quotient rule and part for every h_l, then the combination."""
        name = _theta_name(k + 1, j)
        article_numbers = numbered and self.article
        self.chain_rule(
            k, j, f"{name}/chain" if not article_numbers else "7", 7 if article_numbers else None
        )
        for l in range(self.K):
            if article_numbers and l < 3:
                base = (8, 13, 17)[l]
                self.dJ_dh(l, base)
                self.definitions(l, (9, 10) if l == 0 else (base + 1, None))
                q, p = (11, 12) if l == 0 else (base + 2, base + 3)
                self.quotient(l, k, j, str(q), q)
                self.part(l, k, j, str(p), p)
            else:
                if numbered:  # classes != 3: the first derivative still defines everything
                    self.dJ_dh(l, None)
                    self.definitions(l, (None, None))
                self.quotient(l, k, j, f"{name}/quotient/h_{l + 1}", None)
                self.part(l, k, j, f"{name}/part/h_{l + 1}", None)
        if (k, j) == (0, 0):
            self.combination(
                k, j, "21" if self.article else f"{name}/combination", 21, "eq:final-gradient-1"
            )
        elif (k, j) == (0, 1):
            self.combination(
                k, j, "22" if self.article else f"{name}/combination", 22, "eq:final-gradient-2"
            )
        else:
            self.combination(k, j, f"{name}/combination", None, None)

    def general_form(self) -> None:
        m = self.m
        theta_kj = sp.Symbol(r"\Theta_{kj}")
        h_k, y_k, x_j, x_0 = sp.symbols("h_k y_k x_j x_0")
        proof = tuple(
            (sp.Derivative(m.J, m.theta[a, b]), general_gradient(a + 1, b, classes=self.K))
            for a in range(self.K)
            for b in (0, 1)
        )
        self.add(
            "23",
            23,
            "eq:final-gradient-3",
            f"general form for every k = 1..{self.K} and j = 0, 1, with x_0 = 1 (E1: not 0)",
            sp.Derivative(m.J, theta_kj),
            [sp.Mul(h_k - y_k, x_j, evaluate=False)],
            where=((x_0, sp.Integer(1)),),
            one_hot_from=0,
            proof=proof,
        )

    def over_samples(self, samples: int = 2) -> None:
        """The sum over samples, once: grad J = sum_i grad J^(i) = (H - Y)^T X."""
        m, K = self.m, self.K
        n = samples
        x1 = [sp.Symbol(f"x_1^{{({i})}}") for i in range(1, n + 1)]
        ys = [[sp.Symbol(f"y_{k}^{{({i})}}") for k in range(1, K + 1)] for i in range(1, n + 1)]
        e_syms = [[sp.Symbol(f"e_{k}^{{({i})}}") for k in range(1, K + 1)] for i in range(1, n + 1)]
        logits = [[m.theta[k, 0] + m.theta[k, 1] * x1[i] for k in range(K)] for i in range(n)]
        costs = []
        H = []
        for i in range(n):
            exps = [sp.exp(z) for z in logits[i]]
            den = sp.Add(*exps)
            H.append([e / den for e in exps])
            costs.append(
                -sp.Add(*(ys[i][k] * logits[i][k] for k in range(K))) + sp.Add(*ys[i]) * sp.log(den)
            )
        total = sp.Add(*costs)
        X = sp.Matrix([[1, x1[i]] for i in range(n)])
        grad = (sp.Matrix(H) - sp.Matrix(ys)).T * X
        proof = tuple(
            (sp.Derivative(total, m.theta[a, b]), grad[a, b]) for a in range(K) for b in (0, 1)
        )
        ctx = _Context(
            definitions={},
            cost_symbol=None,
            cost_in_h=None,
            hypothesis_symbols=(),
            logits=tuple(
                (logits[i][k], m.theta[k, 1] * x1[i], e_syms[i][k])
                for i in range(n)
                for k in range(K)
            ),
            one_hot={ys[i][-1]: 1 - sp.Add(*ys[i][:-1]) for i in range(n)},
        )
        Hm, Ym = sp.MatrixSymbol("H", sp.Symbol("m"), K), sp.MatrixSymbol("Y", sp.Symbol("m"), K)
        Xm = sp.MatrixSymbol("X", sp.Symbol("m"), 2)
        self.steps.append(
            Step(
                "samples",
                None,
                None,
                f"over the data set (5) the gradient is the sum of the per-sample ones (E2); "
                f"as a matrix (H - Y)^T X (proven for m = {n} samples)",
                sp.Symbol(r"\nabla_{\Theta} J"),
                (
                    sp.Symbol(r"\sum_{i=1}^{m} \nabla_{\Theta} J^{(i)}"),
                    sp.MatMul(sp.Transpose(sp.MatAdd(Hm, -Ym, evaluate=False)), Xm, evaluate=False),
                ),
                one_hot_from=0,
                proof=proof,
                context=ctx,
            )
        )

    def build(self) -> tuple[Step, ...]:
        self.derivative(0, 0, numbered=True)
        self.derivative(0, 1, numbered=False)
        for k in range(1, self.K):
            for j in (0, 1):
                self.derivative(k, j, numbered=False)
        self.general_form()
        self.over_samples()
        return tuple(self.steps)


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

    For K = 3 the sequence follows the article: (7) to (21) for ∂J/∂Θ_10, then
    ∂J/∂Θ_11 in full ending in (22), then ∂J/∂Θ_2j and ∂J/∂Θ_3j in full (steps
    the article skips), the general form (23), and the sum over samples with
    its matrix form (H - Y)^T X.  For other K the same steps are written for
    K classes, without the article's numbers.

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
        An equation number 7..23 (K = 3 only) or a key such as
        ``"Theta_21/combination"`` or ``"samples"``.
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


@functools.cache
def lambdified_gradient(classes: int = 3):
    """Return SymPy's own ∂J^(i)/∂Θ as a NumPy function (an independent oracle).

    The derivatives are taken by ``sympy.diff`` of the explicit per-sample cost,
    without using any result of the derivation, then compiled by ``lambdify``.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K.

    Returns
    -------
    callable
        ``f(theta, x1, y)`` with ``theta`` of shape (K, 2), ``x1`` a float and
        ``y`` of shape (K,), returning the gradient of one sample's cost as an
        array of shape (K, 2).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambdified_gradient()
    >>> g = f(np.zeros((3, 2)), 2.0, np.array([1.0, 0.0, 0.0]))
    >>> np.round(g, 4).tolist()
    [[-0.6667, -1.3333], [0.3333, 0.6667], [0.3333, 0.6667]]
    """
    import numpy as np

    m = model(classes)
    grad = sp.Matrix(m.classes, 2, lambda k, j: sp.diff(m.cost, m.theta[k, j]))
    f = sp.lambdify((list(m.theta), m.x1, list(m.y)), grad, "numpy")

    def gradient(theta, x1, y):
        theta = np.asarray(theta, dtype=float)
        y = np.asarray(y, dtype=float)
        if theta.shape != (m.classes, 2) or y.shape != (m.classes,):
            raise ValueError(
                f"expected theta of shape ({m.classes}, 2) and y of shape ({m.classes},), "
                f"got {theta.shape} and {y.shape}"
            )
        return np.asarray(f(list(theta.ravel()), float(x1), list(y)), dtype=float)

    return gradient


# --------------------------------------------------------------------------- the Jacobian route
@dataclass(frozen=True, eq=False, repr=False)
class JacobianRoute:
    """The student's route for one sample, in SymPy (second seed).

    Attributes
    ----------
    z : tuple of Symbol
        Logits ``z_1 .. z_K``.
    p : tuple of Symbol
        Probabilities ``p_1 .. p_K`` as display symbols.
    y : tuple of Symbol
        Label entries ``y_1 .. y_K``.
    dE_dp : sympy.Matrix, shape (1, K)
        ``-y_j / p_j``, the derivative of ``E = -sum_j y_j log p_j`` by ``p``.
    jacobian : sympy.Matrix, shape (K, K)
        ``diag(p) - p p^T`` in the display symbols.
    chained : sympy.Matrix, shape (1, K)
        ``dE_dp * jacobian``, multiplied out.
    """

    z: tuple[sp.Symbol, ...]
    p: tuple[sp.Symbol, ...]
    y: tuple[sp.Symbol, ...]
    dE_dp: sp.Matrix
    jacobian: sp.Matrix
    chained: sp.Matrix
    _explicit_p: tuple[sp.Expr, ...] = field(repr=False)
    _context: _Context = field(repr=False)

    def _subs(self, expr: sp.Basic) -> sp.Basic:
        return expr.xreplace(dict(zip(self.p, self._explicit_p, strict=True)))

    def jacobian_holds(self) -> bool:
        """Prove that SymPy's own Jacobian of softmax equals ``diag(p) - p p^T``."""
        explicit = sp.Matrix(self._explicit_p).jacobian(sp.Matrix(self.z))
        return all(
            _equal(a, self._subs(b), {}, self._context, False)
            for a, b in zip(explicit, self.jacobian, strict=True)
        )

    def chain_holds(self, *, one_hot: bool = True) -> bool:
        """Prove that ``(-y / p) (diag(p) - p p^T) = p - y`` (needs sum y = 1)."""
        target = sp.Matrix([[pk - yk for pk, yk in zip(self.p, self.y, strict=True)]])
        return all(
            _equal(self._subs(a), self._subs(b), {}, self._context, one_hot)
            for a, b in zip(self.chained, target, strict=True)
        )


@functools.cache
def jacobian_route(classes: int = 3) -> JacobianRoute:
    """Build the student's route ``dE/dz = (-y / p) (diag(p) - p p^T)`` in SymPy.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K, from 2 to 10.

    Returns
    -------
    JacobianRoute
        Its ``jacobian_holds()`` and ``chain_holds()`` prove the two claims.

    Examples
    --------
    >>> route = jacobian_route(3)
    >>> route.jacobian_holds(), route.chain_holds(), route.chain_holds(one_hot=False)
    (True, True, False)
    """
    K = _check_classes(classes)
    z = sp.symbols(f"z_1:{K + 1}")
    p = sp.symbols(f"p_1:{K + 1}")
    y = sp.symbols(f"y_1:{K + 1}")
    exps = [sp.exp(v) for v in z]
    explicit = tuple(e / sp.Add(*exps) for e in exps)
    dE_dp = sp.Matrix([[-yk / pk for yk, pk in zip(y, p, strict=True)]])
    jac = sp.Matrix(K, K, lambda j, k: p[j] * (1 - p[j]) if j == k else -p[j] * p[k])
    chained = (dE_dp * jac).applyfunc(sp.expand)
    e_symbols = sp.symbols(f"e_1:{K + 1}")
    ctx = _Context(
        definitions={},
        cost_symbol=None,
        cost_in_h=None,
        hypothesis_symbols=(),
        logits=tuple((v, v, e) for v, e in zip(z, e_symbols, strict=True)),
        one_hot={y[-1]: 1 - sp.Add(*y[:-1])},
    )
    return JacobianRoute(z, p, y, dE_dp, jac, chained, explicit, ctx)

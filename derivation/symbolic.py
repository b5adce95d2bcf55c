"""The article's softmax output layer in SymPy, and its derivation step by step.

The model is the one of the seed article: one feature ``x_1`` plus a bias entry
``x_0 = 1``, a parameter matrix Θ with rows ``(Theta_k0, Theta_k1)``, logits
``z_k = Theta_k0 + Theta_k1 x_1``, one-hot labels ``y_k`` and the hypotheses

    h_k = exp(z_k) / sum_l exp(z_l).                                      (2)-(4)

Every step is written for ONE sample: ``J^(i) = -sum_k y_k log h_k`` with the
symbols carrying no sample index.  This is how the chain rule really applies
(erratum E2 of the article).  The sum over the ``m`` samples of (5) is taken once,
in the summed form of (23), which is proven for a symbolic number of samples.

Every claim is a :class:`Step`: what is displayed (``lhs = chain[0] = ...`` and
its ``where`` definitions) is exactly what :meth:`Step.check` proves, one
verdict per equals sign:

- derivatives are evaluated on the explicit exponentials, every ``exp(z_k)``
  is renamed to a symbol ``e_k`` (so each side is a rational function), and the
  difference is brought into a field of rational functions and compared with 0.
  That is exact (no numbers involved).
- a definition (``u = ...``) is checked by what it claims: with the displayed
  value, the displayed relation (``h_1 = u / v``) must hold.
- a claim written for symbolic indices (``k``, ``j``, ``l``), such as the
  general form (23), is proven by instantiating the displayed expression, and
  nothing else, for every index value.
- sums over a symbolic number of samples ``m`` are compared summand by summand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.polys.rings import PolyRing
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

__all__ = [
    "ArticleForm",
    "Context",
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
    "short_route",
    "step",
]

_PLUS_MINUS = re.compile(r"\+ - ")  # an unevaluated a + (-b) prints as "a + - b"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_MAX_CLASSES = len(_ROMAN)

# Indexed symbols of the displayed general claims (k, l classes; j feature; i sample)
THETA = sp.IndexedBase("Theta")
H_I, Y_I, X_I, Z_I = (sp.IndexedBase(n) for n in ("h", "y", "x", "z"))
k_, l_, j_, i_ = sp.symbols("k l j i", integer=True)
m_ = sp.Symbol("m", integer=True, positive=True)


# --------------------------------------------------------------------------- printing
class _Printer(LatexPrinter):
    """LaTeX printer that keeps the order in which a step was written.

    ``Derivative(J, h_1)`` prints as a partial-derivative fraction, the way the
    article writes it; indexed symbols print in the article's notation
    (``h_k(x^{(i)})``, ``y_k^{(i)}``, ``\\Theta_{kj}``).
    """

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        variables = [v for v, count in expr.variable_count for _ in range(count)]
        inner = self._print(expr.expr)
        if len(variables) == 1:
            wrt = rf"\partial {self._print(variables[0])}"
            order = ""
        else:
            wrt = " ".join(rf"\partial {self._print(v)}" for v in variables)
            order = f"^{{{len(variables)}}}"
        if isinstance(expr.expr, (sp.Symbol, sp.Indexed)):
            return rf"\frac{{\partial{order} {inner}}}{{{wrt}}}"
        return rf"\frac{{\partial{order}}}{{{wrt}}}\left({inner}\right)"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        name = str(expr.base)
        idx = [self._print(i) for i in expr.indices]
        if name == "Theta":
            return rf"\Theta_{{{''.join(idx)}}}"
        if len(idx) == 2 and name == "h":
            return rf"h_{{{idx[0]}}}(x^{{({idx[1]})}})"
        if len(idx) == 2:
            return rf"{name}_{{{idx[0]}}}^{{({idx[1]})}}"
        return rf"{name}_{{{idx[0]}}}"

    def _print_Idx(self, expr: sp.Idx) -> str:
        return self._print(expr.label)

    def _print_MatrixElement(self, expr: MatrixElement) -> str:
        parent = self._print(expr.parent)
        if not isinstance(expr.parent, sp.MatrixSymbol):
            parent = rf"\left({parent}\right)"
        return rf"{parent}_{{{self._print(expr.i)}{self._print(expr.j)}}}"

    def _print_Sum(self, expr: sp.Sum) -> str:
        """A sum over several ranges as nested sums, the outermost first (as written)."""
        if len(expr.limits) == 1:
            return super()._print_Sum(expr)
        sums = "".join(
            rf"\sum_{{{self._print(v)}={self._print(a)}}}^{{{self._print(b)}}} "
            for v, a, b in reversed(expr.limits)
        )
        return sums + self.parenthesize(expr.function, PRECEDENCE["Add"])


@functools.lru_cache(maxsize=8192)
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


def _tag(text: str) -> str:
    r"""A tag in words and math, e.g. ``r"\Theta_{11}\text{: chain rule}"``, set apart."""
    return rf" \qquad \left[\,{text}\,\right]"


@dataclass(frozen=True, repr=False)
class Equation:
    """A displayed equation ``lhs = rhs_1 = rhs_2 ...`` with an optional tag.

    The tag is LaTeX (``(8)`` or words in ``\\text{...}``).  Jupyter renders it
    through ``_repr_latex_``; ``str()`` gives plain text.
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
            body += rf" \qquad {self.tag}" if self.tag.startswith("(") else _tag(self.tag)
        return body

    def _repr_latex_(self) -> str:
        return f"$$ {self.latex()} $$"

    def __str__(self) -> str:
        text = " = ".join(sp.sstr(e, order="none") for e in (self.lhs, *self.rhs))
        return f"{text}   {_plain(self.tag)}" if self.tag else text

    __repr__ = __str__


def _plain(tag: str) -> str:
    """A LaTeX tag as plain text, for ``repr``."""
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", tag)
    text = re.sub(r"\\Theta_\{(\d+)\}", r"Theta_\1", text)
    return text.replace("\\", "").replace("{", "").replace("}", "")


# --------------------------------------------------------------------------- proof context
@dataclass(frozen=True, eq=False)
class Context:
    """What a proof needs to know about the symbols of a claim.

    Attributes
    ----------
    definitions : mapping Symbol -> Expr
        Display symbols and what they stand for (``h_k``, ``z_k``, ``J^(i)``);
        definitions may refer to other definitions.
    logits : tuple of (z, key term, e-symbol)
        Each explicit logit, the term that identifies it inside an exponent,
        and the symbol ``e_k`` that ``exp(z_k)`` is renamed to.
    one_hot : mapping Symbol -> Expr
        The substitution that encodes ``y_1 + ... + y_K = 1``.
    cost_symbol, cost_in_h, hypothesis_symbols
        For ``dJ/dh_k``: J as a function of the symbols ``h_k``.
    indexed : mapping str -> callable
        How an indexed display symbol with whole-number indices becomes the
        model's symbol (``Theta[1, 0] -> Theta_10``), for claims written with
        symbolic indices.
    method : {"rational", "symbolic"}
        ``"rational"``: the explicit sides are rational functions of the
        renamed exponentials, compared exactly.  ``"symbolic"``: for a symbolic
        number of classes (sums to K, Kronecker deltas): the difference is
        evaluated with ``doit``, the index ranges in ``facts`` are applied, and
        ``sympy.simplify`` must give 0.
    facts : mapping
        Relations known to be true, such as ``K >= k``, for ``"symbolic"``.
    """

    definitions: Mapping[sp.Symbol, sp.Expr]
    logits: tuple[tuple[sp.Expr, sp.Expr, sp.Symbol], ...] = ()
    one_hot: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    cost_symbol: sp.Symbol | None = None
    cost_in_h: sp.Expr | None = None
    hypothesis_symbols: tuple[sp.Symbol, ...] = ()
    indexed: Mapping[str, Callable[..., sp.Expr]] = field(default_factory=dict)
    method: str = "rational"
    facts: Mapping[sp.Basic, bool] = field(default_factory=dict)


_Context = Context  # the name used before the prover became public


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

    @property
    def _context(self) -> Context:  # kept for code written before `context` was public
        return self.context

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
    K = _check_classes(classes)
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
        cost_symbol=J,
        cost_in_h=cost_in_h,
        hypothesis_symbols=h,
        indexed=indexed,
    )
    return Model(
        classes=K, theta=theta, x=(sp.Integer(1), x1), y=y, h=h, z=z, J=J, logits=logits,
        hypotheses=hypotheses, cost=cost, cost_in_h=cost_in_h, context=context,
    )  # fmt: skip


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
    raise ValueError("definitions nest too deeply (does a definition refer to itself?)")


@functools.lru_cache(maxsize=1024)
def _resolved_where(where: tuple) -> dict[sp.Basic, sp.Basic]:
    """Local definitions, resolved once per distinct set (many sides share one)."""
    return _resolve(dict(where))


@functools.lru_cache(maxsize=256)
def _resolved(ctx: Context, keep: frozenset = frozenset()) -> dict[sp.Basic, sp.Basic]:
    """The context's definitions, resolved, with the symbols in ``keep`` left alone."""
    return _resolve({s: d for s, d in ctx.definitions.items() if s not in keep})


def _substitute(expr: sp.Basic, definitions: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """Replace defined symbols, definitions within definitions included."""
    return expr.xreplace(_resolve(definitions)) if definitions else expr


@functools.lru_cache(maxsize=4096)
def _diff(expr: sp.Expr, var: sp.Basic) -> sp.Expr:
    """``sympy.diff``, taken under a sum over the samples (the derivative of a sum is the
    sum of the derivatives), which spares SymPy's costly questions about the sum."""
    if expr.has(sp.Sum):
        if isinstance(expr, sp.Sum) and var not in {lim[0] for lim in expr.limits}:
            return sp.Sum(_diff(expr.function, var), *expr.limits)
        if expr.is_Add:
            return sp.Add(*(_diff(term, var) for term in expr.args))
        if expr.is_Mul:
            constant = [f for f in expr.args if not f.has(var)]
            rest = [f for f in expr.args if f.has(var)]
            if len(rest) == 1:
                return sp.Mul(*constant) * _diff(rest[0], var)
    return sp.diff(expr, var)


def _is_derivative(node: sp.Basic) -> bool:
    return isinstance(node, sp.Derivative)


@functools.lru_cache(maxsize=4096)
def _to_differentiate(expr: sp.Basic, where: tuple, ctx: Context, variables: tuple) -> sp.Expr:
    """What a derivative's expression stands for, ready to be differentiated by ``variables``.

    The local definitions ``where`` first, then the context's, with the variables
    themselves left alone; a log of a quotient is split (log(e^a / S) = a - log S,
    the same function, far cheaper to differentiate).  Cached: the same expression
    is differentiated by many variables.
    """
    local = _resolved_where(where) if where else {}
    inner = _finite_sums(expr.xreplace(local)) if local else expr
    inner = inner.replace(_is_derivative, lambda n: _derivative(n, where, ctx))
    defs = dict(_resolved(ctx, frozenset(variables)))
    if ctx.cost_symbol is not None and any(v in ctx.hypothesis_symbols for v in variables):
        defs[ctx.cost_symbol] = ctx.cost_in_h  # dJ/dh_k: J as a function of the h's
        for v in variables:
            defs.pop(v, None)
    inner = inner.xreplace(defs)
    if inner.has(sp.log):
        inner = sp.expand_log(inner, force=True)
    return inner


def _derivative(node: sp.Derivative, where: tuple, ctx: Context) -> sp.Expr:
    variables = tuple(v for v, count in node.variable_count for _ in range(count))
    inner = _to_differentiate(node.expr, where, ctx, variables)
    for v in variables:
        inner = _diff(inner, v)
    return inner


def _evaluate(expr: sp.Basic, where: Mapping[sp.Basic, sp.Expr], ctx: Context) -> sp.Basic:
    """Turn a displayed expression into an explicit one, derivatives taken.

    A derivative is taken of what its expression stands for: the local
    definitions ``where`` first, then the context's, with the variables it
    differentiates by left alone.
    """
    key = tuple(where.items())
    expr = expr.replace(_is_derivative, lambda n: _derivative(n, key, ctx))
    if where:  # definitions such as u' = du/dTheta bring their own derivatives
        local = _resolved_where(key)
        expr = _finite_sums(expr.xreplace(local))
        expr = expr.replace(_is_derivative, lambda n: _derivative(n, key, ctx))
    return expr.xreplace(_resolved(ctx))


@functools.lru_cache(maxsize=64)
def _exp_names(ctx: Context) -> dict[sp.Expr, sp.Expr]:
    """``exp(c z_k) -> e_k**c`` for the small multiples c that derivatives produce."""
    return {sp.exp(c * z): e**c for z, _, e in ctx.logits for c in (1, 2, 3, -1, -2, -3)}


def _canonical(expr: sp.Basic, ctx: Context) -> sp.Basic:
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

    if expr.has(sp.log):  # log h_k = z_k - log sum exp(z_l): the logs must cancel exactly
        expr = sp.expand_log(expr, force=True)
    expr = expr.xreplace(_exp_names(ctx))  # the usual case: one pass, no search
    if not expr.has(sp.exp):
        return expr
    return expr.replace(lambda n: isinstance(n, sp.exp), rename)


@functools.lru_cache(maxsize=256)
def _ring(gens: tuple) -> PolyRing:
    return PolyRing(gens, sp.QQ)


def _fraction(expr: sp.Expr, ring: PolyRing, gens: dict) -> tuple:
    """``expr`` as a numerator polynomial over a factored denominator, node by node.

    The denominator is a dict {polynomial: power}.  Sums are brought over the
    product of their terms' denominator factors, each at its highest power, so
    nothing is expanded twice and no gcd is ever computed.  Exact.
    Raises ValueError for anything that is not a rational function of ``gens``.
    """
    if expr in gens:
        return gens[expr], {}
    if expr.is_Rational:
        return ring.ground_new(sp.QQ(int(expr.p), int(expr.q))), {}
    if expr.is_Add:
        parts = [_fraction(term, ring, gens) for term in expr.args]
        common: dict = {}
        for _, den in parts:
            for f, n in den.items():
                common[f] = max(common.get(f, 0), n)
        num = ring.zero
        for a, den in parts:
            for f, n in common.items():
                if n > den.get(f, 0):
                    a = a * f ** (n - den.get(f, 0))
            num += a
        return num, common
    if expr.is_Mul:
        num, den = ring.one, {}
        for factor in expr.args:
            a, d = _fraction(factor, ring, gens)
            num = num * a
            for f, n in d.items():
                den[f] = den.get(f, 0) + n
        return num, den
    if expr.is_Pow and expr.exp.is_Integer:
        a, d = _fraction(expr.base, ring, gens)
        n = int(expr.exp)
        if n >= 0:
            return a**n, {f: p * n for f, p in d.items()}
        if a == 0:
            raise ValueError("division by zero")
        num = ring.one
        for f, p in d.items():
            num = num * f ** (p * -n)
        if a.is_ground:  # a number: fold it into the numerator
            return num * ring.ground_new(1 / a.LC) ** -n, {}
        return num, {a: -n}
    raise ValueError(f"not a rational function: {expr}")


def _generators(expr: sp.Expr) -> tuple | None:
    """The atoms of a rational function (symbols, indexed symbols), or None.

    None when a leftover ``exp`` or ``log`` depends on another atom: then the
    expression is not a rational function of independent generators.
    """
    atoms = expr.atoms(sp.Symbol, sp.Indexed, sp.exp, sp.log)
    inside = set().union(*(a.free_symbols - {a} for a in atoms if isinstance(a, sp.Indexed)))
    atoms -= inside
    if any(isinstance(a, (sp.exp, sp.log)) for a in atoms):
        return None
    return tuple(sorted(atoms, key=sp.default_sort_key))


@functools.lru_cache(maxsize=4096)
def _is_zero(expr: sp.Expr) -> bool:
    """Exact test that a rational function is identically zero.

    Its denominators are products of sums of exponentials (or of nonzero
    polynomials), never identically zero, so the expression vanishes exactly
    when its numerator is the zero polynomial.  The numerator is built over the
    rationals node by node, with no symbolic expansion: exact and fast.
    """
    if expr == 0:
        return True
    gens = _generators(expr)
    if not gens:
        return sp.simplify(expr) == 0
    if gens is not None:
        ring = _ring(gens)
        try:
            numerator, _ = _fraction(expr, ring, dict(zip(gens, ring.gens, strict=True)))
        except ValueError:
            pass
        else:
            return numerator == 0
    return sp.simplify(expr) == 0


def _sums_to_summand(expr: sp.Expr) -> sp.Expr | None:
    """Write a combination of sums over one range ``i = 1..m`` as one summand in ``i``.

    Returns None when a term is not such a sum (then the claim is not proven).
    """
    summand, limits = sp.Integer(0), None
    for term in sp.Add.make_args(sp.expand(expr, deep=False, mul=True, multinomial=False)):
        factors = sp.Mul.make_args(term)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        coeff = sp.Mul(*(f for f in factors if not isinstance(f, sp.Sum)))
        if len(sums) != 1 or len(sums[0].limits) != 1:
            return None
        ((index, low, high),) = sums[0].limits
        if limits is None:
            limits = (low, high)
        if (low, high) != limits:
            return None
        summand += coeff * sums[0].function.xreplace({index: i_})
    return summand


def _finite_sums(expr: sp.Basic) -> sp.Basic:
    """Write out the sums whose limits are numbers (``sum_{l=1}^{3}``).

    A sum over several ranges keeps its symbolic ones (``sum_{i=1}^{m}``).
    """

    def write_out(node: sp.Sum) -> sp.Expr:
        fixed = [lim for lim in node.limits if lim[1].is_Integer and lim[2].is_Integer]
        free = [lim for lim in node.limits if lim not in fixed]
        if not fixed:
            return node
        names = [lim[0] for lim in fixed]
        ranges = [range(int(lim[1]), int(lim[2]) + 1) for lim in fixed]
        terms = [node.function.xreplace(dict(zip(names, map(sp.Integer, combo), strict=True)))
                 for combo in _product(ranges)]  # fmt: skip
        total = sp.Add(*terms)
        return sp.Sum(total, *free) if free else total

    if not expr.has(sp.Sum):
        return expr
    return expr.replace(lambda n: isinstance(n, sp.Sum), write_out)


def _prove_zero(difference: sp.Expr, ctx: Context, one_hot: bool) -> bool:
    if ctx.method == "symbolic":
        if one_hot:
            difference = difference.xreplace(dict(ctx.one_hot))
        difference = difference.doit().subs(dict(ctx.facts))
        return sp.simplify(sp.factor_terms(sp.expand(difference))) == 0
    if difference.has(sp.Sum):
        summand = _sums_to_summand(difference)
        if summand is None:
            return False
        difference = summand
    difference = _canonical(difference, ctx)
    if one_hot:
        difference = difference.xreplace(dict(ctx.one_hot))
    return _is_zero(difference)


@functools.lru_cache(maxsize=4096)
def _explicit(expr: sp.Basic, where: tuple, ctx: Context) -> sp.Basic:
    """The explicit form of a displayed expression (cached per side)."""
    return _finite_sums(_evaluate(_finite_sums(expr), dict(where), ctx))


def _is_matrix(x: sp.Basic) -> bool:
    return isinstance(x, (sp.MatrixBase, sp.MatrixExpr))


def _as_matrix(x: sp.Basic) -> sp.ImmutableMatrix:
    """An explicit matrix; a displayed product of explicit matrices is multiplied out."""
    if isinstance(x, sp.MatrixExpr) and not isinstance(x, sp.MatrixBase):
        x = x.doit()
    return sp.ImmutableMatrix(x)


def _equal(a: sp.Basic, b: sp.Basic, where: Mapping, ctx: Context, one_hot: bool) -> bool:
    if _is_matrix(a) or _is_matrix(b):
        a, b = _as_matrix(a), _as_matrix(b)
        if a.shape != b.shape:
            return False
        return all(_equal(p, q, where, ctx, one_hot) for p, q in zip(a, b, strict=True))
    key = tuple(where.items())
    try:
        difference = _explicit(a, key, ctx) - _explicit(b, key, ctx)
    except (TypeError, ValueError, NotImplementedError):
        return False
    return _prove_zero(difference, ctx, one_hot)


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
    return _equal(sp.sympify(a), sp.sympify(b), dict(where or {}), ctx, one_hot)


def _instantiate(expr: sp.Basic, values: Mapping[sp.Symbol, int], ctx: Context) -> sp.Basic:
    """Put whole numbers in for the indices and turn indexed symbols into the model's."""
    expr = expr.xreplace({s: sp.Integer(v) for s, v in values.items()})
    expr = _finite_sums(expr)

    def concrete(node: sp.Indexed) -> sp.Basic:
        name = str(node.base)
        if name not in ctx.indexed or not all(i.is_Integer for i in node.indices):
            return node
        return ctx.indexed[name](*(int(i) for i in node.indices))

    return expr.replace(lambda n: isinstance(n, sp.Indexed), concrete)


def _matrix_entries(expr: sp.Basic, where: Mapping) -> sp.Basic:
    """Evaluate the entries of displayed matrix products, e.g. ``((H - Y)^T X)_{kj}``.

    Rows of the data matrices are the samples ``i = 1..m``; an entry of a
    matrix symbol is what the displayed definition (``H_{ik} = h_k(x^{(i)})``)
    says.
    """
    entry_defs = {
        key.parent: (key.i, key.j, value)
        for key, value in where.items()
        if isinstance(key, MatrixElement)
    }

    def entry(M: sp.Basic, r: sp.Expr, c: sp.Expr) -> sp.Expr:
        if isinstance(M, sp.MatrixSymbol):
            if M not in entry_defs:
                raise ValueError(f"no displayed definition of the entries of {M}")
            row, col, value = entry_defs[M]
            return value.xreplace({row: r, col: c})
        if isinstance(M, sp.Transpose):
            return entry(M.arg, c, r)
        if isinstance(M, sp.MatAdd):
            return sp.Add(*(entry(a, r, c) for a in M.args))
        if isinstance(M, sp.MatMul):
            scalars = [a for a in M.args if not isinstance(a, sp.MatrixExpr)]
            mats = [a for a in M.args if isinstance(a, sp.MatrixExpr)]
            if len(mats) == 1:
                return sp.Mul(*scalars) * entry(mats[0], r, c)
            if len(mats) == 2:
                s = i_  # the samples' index: the inner dimension is m
                inner = mats[0].shape[1]
                if inner != m_:
                    raise ValueError("only products over the samples are supported")
                return sp.Mul(*scalars) * sp.Sum(
                    entry(mats[0], r, s) * entry(mats[1], s, c), (s, 1, m_)
                )
        raise ValueError(f"cannot evaluate the entries of {M}")

    return expr.replace(lambda n: isinstance(n, MatrixElement), lambda n: entry(n.parent, n.i, n.j))


# --------------------------------------------------------------------------- claims
@dataclass(frozen=True, eq=False, repr=False)
class Step:
    """One proven claim: what is displayed, and a proof of exactly that.

    The display is ``lhs = chain[0] = chain[1] = ...``, then the local
    definitions ``where``.  :meth:`check` gives one verdict per equals sign of
    the chain.

    Attributes
    ----------
    key : str
        Stable name: the equation number as a string for the article's steps
        (``"7"`` ... ``"23"``), a descriptive key for the others
        (``"Theta_11/quotient/h_2"``, ``"samples"``, ``"short/dJ/dz_k"``).
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
    where : tuple of (Basic, Expr) pairs
        Local definitions (u, v, u', v' of the quotient rule, x_0 = 1, the
        entries of H, Y, X), shown after the equation and used when proving.
    one_hot_from : int or None
        Index in ``chain`` of the first equality that needs
        ``y_1 + ... + y_K = 1`` (erratum E3), None if no equality does.
    part : str or None
        ``"I"``, ``"II"``, ... for the steps of one part of the chain rule.
    kind : str
        ``"identity"``; or ``"definition"``: ``lhs`` is a new symbol, and the
        claim is that with its displayed value the displayed ``relation``
        (``h_1 = u / v``) holds.
    relation : tuple (a, b) or None
        For a definition: the displayed equality that it must make true.
    indices : tuple of (Symbol, tuple of int)
        For a claim written with symbolic indices (k, j, l): every value each
        takes.  The displayed expressions are proven for every combination.
    context : Context
        What the prover knows about the symbols.
    title : str or None
        The tag of an added step, as LaTeX words (never an internal key).
    article : Equation or None
        The equation as the article prints it, where that differs.
    article_note : str or None
        One sentence on why the article's form differs (Markdown, math in ``$...$``).
    """

    key: str
    number: int | None
    label: str | None
    description: str
    lhs: sp.Basic
    chain: tuple[sp.Basic, ...]
    where: tuple[tuple[sp.Basic, sp.Expr], ...] = ()
    one_hot_from: int | None = None
    part: str | None = None
    kind: str = "identity"
    relation: tuple[sp.Basic, sp.Basic] | None = None
    indices: tuple[tuple[sp.Symbol, tuple[int, ...]], ...] = ()
    context: Context | None = field(default=None, repr=False)
    title: str | None = None
    article: Equation | None = field(default=None, repr=False)
    article_note: str | None = None

    @property
    def rhs(self) -> sp.Basic:
        """The last right-hand side: the step's result."""
        return self.chain[-1]

    def _instances(self):
        if not self.indices:
            yield {}
            return
        names, ranges = zip(*self.indices, strict=True)
        for combo in _product(ranges):
            yield dict(zip(names, combo, strict=True))

    def _where(self, values: Mapping) -> dict:
        where = {}
        for s, d in self.where:
            if values and not isinstance(s, MatrixElement):  # an entry's indices are its own
                s, d = _instantiate(s, values, self.context), _instantiate(d, values, self.context)
            where[s] = d
        return where

    def _verdict(self, a: sp.Basic, b: sp.Basic, where: dict, values: Mapping, needs: bool,
                 one_hot: bool) -> bool:  # fmt: skip
        if any(isinstance(s, MatrixElement) for s in where):  # entries, as displayed
            a, b = _matrix_entries(a, where), _matrix_entries(b, where)
            where = {s: d for s, d in where.items() if not isinstance(s, MatrixElement)}
        if values:
            a, b = _instantiate(a, values, self.context), _instantiate(b, values, self.context)
        return _equal(a, b, where, self.context, one_hot and needs)

    def check(self, *, one_hot: bool = True) -> tuple[bool, ...]:
        """Prove each equals sign of the displayed claim separately.

        Parameters
        ----------
        one_hot : bool, default True
            Whether the equalities that need ``sum_k y_k = 1`` may use it.
            With False, those equalities fail: this is erratum E3.

        Returns
        -------
        tuple of bool
            One verdict per equals sign of ``lhs = chain[0] = ...``.
        """
        return _verdicts(self, one_hot)

    def _prove(self, one_hot: bool) -> tuple[bool, ...]:
        if self.kind == "definition":
            return (self._definition_holds(),)
        sides = (self.lhs, *self.chain)
        verdicts = []
        for n in range(len(self.chain)):
            needs = self.one_hot_from is not None and n >= self.one_hot_from
            verdicts.append(all(
                self._verdict(sides[n], sides[n + 1], self._where(values), values, needs,
                              one_hot)
                for values in self._instances()
            ))  # fmt: skip
        return tuple(verdicts)

    def _definition_holds(self) -> bool:
        if not isinstance(self.lhs, sp.Symbol) or self.relation is None or len(self.chain) != 1:
            return False
        if self.lhs in self.context.definitions:
            return False  # it would redefine a symbol of the model
        where = {**dict(self.where), self.lhs: self.chain[0]}
        a, b = self.relation
        return _equal(a, b, where, self.context, False)

    def holds(self, *, one_hot: bool = True) -> bool:
        """Return True when SymPy proves every equality of the step."""
        return all(self.check(one_hot=one_hot))

    @property
    def tag(self) -> str:
        """The tag as LaTeX: the article's number ``(n)``, or words for added steps."""
        if self.number is not None:
            return f"({self.number})"
        return self.title or rf"\text{{{self.description}}}"

    def equation(self) -> Equation:
        """Return the step as a displayable :class:`Equation`."""
        return Equation(self.lhs, self.chain, self.tag)

    def latex(self) -> str:
        """Return the step, its local definitions and its tag as LaTeX."""
        text = self.equation().latex()
        lines = []
        if self.where:
            lines.append(r",\quad ".join(f"{latex(s)} = {latex(d)}" for s, d in self.where))
        if self.relation is not None:
            a, b = self.relation
            lines.append(rf"\text{{so that }} {latex(a)} = {latex(b)}")
        if self.indices:
            ranges = ", ".join(
                rf"{latex(s)} \in \{{{', '.join(str(v) for v in vals)}\}}"
                for s, vals in self.indices
            )
            lines.append(rf"\text{{for every }} {ranges}")
        if self.where:
            lines[0] = rf"\text{{where }} {lines[0]}"
        return text + "".join(rf" \\ {line}" for line in lines)

    def _repr_latex_(self) -> str:
        return rf"$$ \begin{{gathered}} {self.latex()} \end{{gathered}} $$"

    def __repr__(self) -> str:
        return f"<Step {_plain(self.tag)}: {self.description}>"

    def beside_article(self) -> ArticleForm:
        """The article's printed form above this step's, and why they differ.

        Raises
        ------
        ValueError
            If the article prints this step as it is here (``article`` is None).
        """
        if self.article is None:
            raise ValueError(f"the article prints {_plain(self.tag)} as it is here")
        return ArticleForm(self)


@dataclass(frozen=True)
class ArticleForm:
    """A step shown twice: as the article prints it, and as proven here, with the reason.

    Jupyter shows it as Markdown with both equations typeset.
    """

    step: Step

    def _repr_markdown_(self) -> str:
        s = self.step
        return (
            f"**As the article prints it:**\n$$ {s.article.latex()} $$\n"
            f"**As proven here:**\n$$ \\begin{{gathered}} {s.latex()} \\end{{gathered}} $$\n"
            f"*Why they differ:* {s.article_note}"
        )

    def __repr__(self) -> str:
        s = self.step
        return f"article: {s.article}\nhere:    {s.equation()}\nwhy:     {s.article_note}"


@functools.lru_cache(maxsize=8192)
def _verdicts(claim: Step, one_hot: bool) -> tuple[bool, ...]:
    """A claim's verdicts, proven once (a Step is immutable; a changed one is a new Step)."""
    return claim._prove(one_hot)


def _product(ranges):
    if not ranges:
        yield ()
        return
    for first in ranges[0]:
        for rest in _product(ranges[1:]):
            yield (first, *rest)


def claim(
    key: str,
    description: str,
    lhs: sp.Basic,
    chain: Iterable[sp.Basic],
    context: Context,
    **kw,
) -> Step:
    """Make a proven claim that is not one of the article's numbered steps.

    Parameters
    ----------
    key : str
        Its name.
    description : str
        What it says, in one line; also its tag unless ``title`` is given.
    lhs, chain :
        The displayed ``lhs = chain[0] = ...``.
    context : Context
        What the prover knows about the symbols.
    **kw
        Any other :class:`Step` field (``where``, ``one_hot_from``, ``indices``,
        ``title``, ``kind``, ``relation``).

    Returns
    -------
    Step
    """
    if "where" in kw:
        kw["where"] = tuple((sp.sympify(a), sp.sympify(b)) for a, b in kw["where"])
    return Step(key, None, None, description, lhs, tuple(chain), context=context, **kw)


__all__.append("claim")


# --------------------------------------------------------------------------- the article's steps
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
                        rf"({number})\ \text{{as the article prints it}}")  # fmt: skip

    @staticmethod
    def _article_part(l: int, number: int) -> Equation:
        J, hl = sp.Symbol("J"), sp.Symbol(f"h_{l + 1}")
        lhs = sp.Mul(sp.Derivative(J, hl), sp.Derivative(hl, THETA[1, 0]), evaluate=False)
        if l == 0:
            side = -_sum_i(sp.Mul(Y_I[1, i_], 1 - H_I[1, i_], evaluate=False))
        else:
            side = _sum_i(sp.Mul(Y_I[l + 1, i_], H_I[1, i_], evaluate=False))
        return Equation(lhs, (side,), rf"({number})\ \text{{as the article prints it}}")

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
            f"eq:gradient-10-{_LABELS[number]}" if number else None,
            f"derivative of the cost by h_{l + 1}: only y_{l + 1} log h_{l + 1} depends on it",
            sp.Derivative(m.J, m.h[l]),
            [-m.y[l] / m.h[l]],
            part=_ROMAN[l],
            title=rf"\text{{Part {_ROMAN[l]}: }} \partial J / \partial h_{{{l + 1}}}",
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
            f"eq:gradient-10-{_LABELS[n_u]}" if n_u else None,
            f"quotient rule for h_{l + 1} = u/v: the numerator u",
            self.u,
            [uv[self.u]],
            where=((self.v, uv[self.v]),),
            relation=relation,
            kind="definition",
            part=_ROMAN[l],
            title=rf"\text{{Part {_ROMAN[l]}: the numerator of }} h_{{{l + 1}}}",
        )
        if l == 0:
            self.add(
                "v",
                n_v,
                f"eq:gradient-10-{_LABELS[n_v]}" if n_v else None,
                "the denominator v, the same for every h_l",
                self.v,
                [uv[self.v]],
                where=((self.u, uv[self.u]),),
                relation=relation,
                kind="definition",
                part=_ROMAN[l],
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
            f"eq:gradient-10-{_LABELS[number]}" if number else None,
            f"quotient rule: derivative of h_{l + 1} by {_theta_name(k + 1, j)}",
            sp.Derivative(m.h[l], var),
            [rule, substituted, split, self.quotient_result(l, k, j)],
            where=where,
            part=_ROMAN[l],
            title=rf"{_theta_tex(k + 1, j)}\text{{: quotient rule for }} h_{{{l + 1}}}",
        )

    def part(self, l: int, k: int, j: int, key: str, number: int | None) -> None:
        m, var = self.m, self.m.theta[k, j]
        dJ_dh, dh_dtheta = -m.y[l] / m.h[l], self.quotient_result(l, k, j)
        with sp.evaluate(False):
            product = sp.Mul(dJ_dh, dh_dtheta)
        note = (
            f"The article's Part {_ROMAN[l]} is a sum over samples of one sample's Part; "
            "that final line is right, but it multiplies the summed (8), (13) or (17) by one "
            "sample's derivative on the way (E2). Here it is one sample's Part."
        )
        self.add(
            key,
            number,
            f"eq:gradient-10-{_LABELS[number]}" if number else None,
            f"Part {_ROMAN[l]}: the h_{l + 1} cancels",
            self.part_product(l, var),
            [product, self.part_result(l, k, j)],
            part=_ROMAN[l],
            title=rf"{_theta_tex(k + 1, j)}\text{{: Part {_ROMAN[l]}}}",
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
                               r"(21)\ \text{as the article prints it}")  # fmt: skip
            note = ("The article's (21) is the same result summed over the samples, for the "
                    "data set's cost $J$; the summed form is (23) for $k = 1$, $j = 0$, proven "
                    "below.")  # fmt: skip
        elif number == 22:
            J = sp.Symbol("J")
            side = _sum_i(_difference_times(H_I[1, i_], Y_I[1, i_], X_I[1, i_]))
            article = Equation(sp.Derivative(J, THETA[1, 1]), (side,),
                               r"(22)\ \text{as the article prints it}")  # fmt: skip
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
            numbers = _ARTICLE_PARTS.get(l) if article_numbers else None
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
            label = _LABEL_NAMES[combined]
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
            r"(23)\ \text{as the article prints it}",
        )
        self.add(
            "23",
            23,
            "eq:final-gradient-3",
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
                "of its own, proven for any number of samples $m$."
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
            "eq:final-gradient-3" if self.article else None,
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


#: the article's numbers in Parts I-III: dJ/dh, u, v (Part I only), quotient rule, Part
_ARTICLE_PARTS = {0: (8, 9, 10, 11, 12), 1: (13, 14, None, 15, 16), 2: (17, 18, None, 19, 20)}
#: the article's labels: eq:gradient-10-<n> for (8)..(20), by equation number
_LABELS = {n: n - 7 for n in range(8, 21)}
_LABEL_NAMES = {21: "eq:final-gradient-1", 22: "eq:final-gradient-2"}


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
        Probabilities (the article's ``h_k``) as display symbols.
    y : tuple of Symbol
        Label entries ``y_1 .. y_K``.
    dE_dp : sympy.Matrix, shape (1, K)
        ``-y_k / h_k``, the derivative of ``J = -sum_k y_k log h_k`` by ``h``.
    jacobian : sympy.Matrix, shape (K, K)
        ``diag(h) - h h^T`` in the display symbols.
    chained : sympy.Matrix, shape (1, K)
        ``dE_dp * jacobian``, multiplied out.
    jacobian_step, chain_step : Step
        The two claims, as displayed and proven.
    """

    z: tuple[sp.Symbol, ...]
    p: tuple[sp.Symbol, ...]
    y: tuple[sp.Symbol, ...]
    dE_dp: sp.Matrix
    jacobian: sp.Matrix
    chained: sp.Matrix
    jacobian_step: Step
    chain_step: Step

    def steps(self) -> tuple[Step, Step]:
        """The two claims of the route."""
        return self.jacobian_step, self.chain_step

    def jacobian_holds(self) -> bool:
        """Prove that SymPy's own Jacobian of softmax equals ``diag(h) - h h^T``."""
        return self.jacobian_step.holds()

    def chain_holds(self, *, one_hot: bool = True) -> bool:
        """Prove that ``(-y / h) (diag(h) - h h^T) = h - y`` (needs sum y = 1)."""
        return self.chain_step.holds(one_hot=one_hot)


@functools.cache
def jacobian_route(classes: int = 3) -> JacobianRoute:
    """Build the student's route ``dJ/dz = (-y / h) (diag(h) - h h^T)`` in SymPy.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K, from 2 to 10.

    Returns
    -------
    JacobianRoute
        Its ``jacobian_step`` and ``chain_step`` are the two claims, proven by
        ``holds()``.

    Examples
    --------
    >>> route = jacobian_route(3)
    >>> route.jacobian_holds(), route.chain_holds(), route.chain_holds(one_hot=False)
    (True, True, False)
    """
    K = _check_classes(classes)
    z = sp.symbols(f"z_1:{K + 1}")
    h = sp.symbols(f"h_1:{K + 1}")
    y = sp.symbols(f"y_1:{K + 1}")
    exps = [sp.exp(v) for v in z]
    S = sp.Add(*exps)
    e_symbols = sp.symbols(f"e_1:{K + 1}")
    ctx = Context(
        definitions={hk: e / S for hk, e in zip(h, exps, strict=True)},
        logits=tuple((v, v, e) for v, e in zip(z, e_symbols, strict=True)),
        one_hot={y[-1]: 1 - sp.Add(*y[:-1])},
    )
    dJ_dh = sp.Matrix([[-yk / hk for yk, hk in zip(y, h, strict=True)]])
    jac = sp.Matrix(K, K, lambda a, b: h[a] * (1 - h[a]) if a == b else -h[a] * h[b])
    chained = (dJ_dh * jac).applyfunc(sp.expand)
    partials = sp.ImmutableMatrix(K, K, lambda a, b: sp.Derivative(h[a], z[b]))
    jacobian_step = claim(
        "jacobian",
        "the softmax Jacobian",
        partials,
        [jac],
        ctx,
        title=r"\text{the softmax Jacobian}",
    )
    target = sp.Matrix([[hk - yk for hk, yk in zip(h, y, strict=True)]])
    chain_step = claim(
        "jacobian route",
        "the gradient by the logits through the Jacobian",
        sp.MatMul(dJ_dh, jac, evaluate=False),
        [chained, target],
        ctx,
        one_hot_from=1,
        title=r"\text{the Jacobian route}",
    )
    return JacobianRoute(z, h, y, dJ_dh, jac, chained, jacobian_step, chain_step)

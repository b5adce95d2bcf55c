"""The prover: what a displayed expression stands for, and an exact test that two are equal.

A :class:`Context` says what the symbols of a claim mean.  :func:`prove_equal`
evaluates both sides (local definitions, then the context's; derivatives
taken on the explicit exponentials), renames every ``exp(z_k)`` to a symbol
``e_k``, and checks that the difference is the zero rational function, built
node by node with exact arithmetic.  Sums over a symbolic number of samples
are compared summand by summand; claims for a symbolic number of classes use
SymPy's ``simplify`` instead (``method="symbolic"``).  :func:`instantiate` puts
whole numbers in for symbolic indices, and :func:`matrix_entries` evaluates
the entries of displayed matrix products.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.polys.rings import PolyRing

from .notation import i_, m_

__all__ = ["Context", "clear_caches", "explicit", "instantiate", "matrix_entries", "prove_equal"]


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
        The substitution that encodes ``y_1 + ... + y_K = 1``.  A claim may use
        it only where its display states ``labels = 1`` (see ``Step.one_hot_from``).
    labels : sympy.Basic or None
        The sum of the labels as a claim displays it when it uses one-hot labels
        (``y_1 + y_2 + y_3``, or ``sum_{l=1}^{K} y_l``; ``h_1 + ... + h_K`` for a
        claim about any distribution h); ``one_hot`` makes it 1.
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
    labels: sp.Basic | None = None
    cost_symbol: sp.Symbol | None = None
    cost_in_h: sp.Expr | None = None
    hypothesis_symbols: tuple[sp.Symbol, ...] = ()
    indexed: Mapping[str, Callable[..., sp.Expr]] = field(default_factory=dict)
    method: str = "rational"
    facts: Mapping[sp.Basic, bool] = field(default_factory=dict)


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
                 for combo in itertools.product(*ranges)]  # fmt: skip
        total = sp.Add(*terms)
        return sp.Sum(total, *free) if free else total

    if not expr.has(sp.Sum):
        return expr
    return expr.replace(lambda n: isinstance(n, sp.Sum), write_out)


def _labels_to_one(expr: sp.Basic, one_hot: Mapping) -> sp.Basic:
    """Put 1 for every sum of the labels in ``one_hot``, whatever its summation index is called."""
    expr = expr.xreplace(dict(one_hot))
    sums = [s for s in one_hot if isinstance(s, sp.Sum) and len(s.limits) == 1]
    if not sums or not expr.has(sp.Sum):
        return expr

    def is_label_sum(node: sp.Basic) -> bool:
        if not isinstance(node, sp.Sum) or len(node.limits) != 1:
            return False
        index, low, high = node.limits[0]
        for s in sums:
            own, own_low, own_high = s.limits[0]
            if (low, high) == (own_low, own_high) and (
                node.function.xreplace({index: own}) == s.function
            ):
                return True
        return False

    return expr.replace(is_label_sum, lambda node: sp.Integer(1))


def _bound(expr: sp.Basic) -> set:
    """Every index that a sum in ``expr`` runs over."""
    return {lim[0] for s in expr.atoms(sp.Sum) for lim in s.limits}


def _renamed(expr: sp.Basic) -> tuple[sp.Basic, int]:
    """``expr`` with every sum's index renamed by its height, and the height of ``expr``.

    A sum with no sum inside it runs over ``_index0``, one with such sums inside
    over ``_index1``, and so on: a sum's index is never the name of one inside it
    (nothing is captured), and sums that differ only in the name of their index
    (``sum_l y_l`` and ``sum_p y_p``) become the same expression.
    """
    if not expr.args:
        return expr, -1
    if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
        index, low, high = expr.limits[0]
        inner, height = _renamed(expr.function)
        dummy = sp.Symbol(f"_index{height + 1}", integer=True)
        return sp.Sum(inner.xreplace({index: dummy}), (dummy, low, high)), height + 1
    if isinstance(expr, sp.Sum):
        return expr, 0
    parts = [_renamed(a) for a in expr.args]
    return expr.func(*(p for p, _ in parts)), max(h for _, h in parts)


def _split_sum(node: sp.Sum) -> sp.Expr:
    """A sum of a sum of terms as a sum of sums, with the factors its index is not in outside."""
    index, low, high = node.limits[0]
    terms = []
    for term in sp.Add.make_args(sp.expand(node.function)):
        factors = sp.Mul.make_args(term)
        outside = [f for f in factors if index not in f.free_symbols]
        inside = [f for f in factors if index in f.free_symbols]
        terms.append(sp.Mul(*outside) * sp.Sum(sp.Mul(*inside), (index, low, high)))
    return sp.Add(*terms)


def _same_dummies(expr: sp.Basic) -> sp.Basic:
    """Sums split and renamed so that only their structure, not their index's name, counts."""
    if not expr.has(sp.Sum):
        return expr
    expr = expr.replace(lambda n: isinstance(n, sp.Sum) and len(n.limits) == 1, _split_sum)
    return _renamed(expr)[0]


def _delta_cases(expr: sp.Expr, depth: int = 0) -> list[sp.Expr]:
    """``expr`` in every case of its Kronecker deltas: ``delta_kl`` with k = l, and with k != l.

    ``h_l (delta_kl - h_k)`` and ``h_k (delta_kl - h_l)`` are equal because
    ``delta_kl h_l = delta_kl h_k``; simplification does not see it, but each
    case does.  Only deltas of two free indices are split (never an index a sum
    runs over), so every case is a fact about the same expression.
    """
    bound = _bound(expr)
    for delta in sorted(expr.atoms(sp.KroneckerDelta), key=sp.default_sort_key):
        a, b = delta.args[:2]
        if depth < 4 and all(isinstance(x, (sp.Symbol, sp.Idx)) and x not in bound
                             for x in (a, b)):  # fmt: skip
            same = expr.xreplace({b: a})
            different = expr.xreplace({delta: sp.Integer(0)})
            return [*_delta_cases(same, depth + 1), *_delta_cases(different, depth + 1)]
    return [expr]


def _simplifies_to_zero(expr: sp.Expr) -> bool:
    """``sympy.simplify`` says 0; a failure inside SymPy is "not proven", never an error."""
    failures = (StopIteration, RuntimeError, TypeError, ValueError, NotImplementedError,
                AttributeError)  # fmt: skip
    try:  # RecursionError is a RuntimeError
        return sp.simplify(sp.factor_terms(sp.expand(expr))) == 0
    except failures:
        return False


def _prove_zero(difference: sp.Expr, ctx: Context, one_hot: bool) -> bool:
    if ctx.method == "symbolic":
        if one_hot:
            difference = _labels_to_one(difference, ctx.one_hot)
        difference = _same_dummies(difference.doit().subs(dict(ctx.facts)))
        return all(_simplifies_to_zero(case) for case in _delta_cases(difference))
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


def explicit(expr: sp.Basic, where: tuple, ctx: Context) -> sp.Basic:
    """What a displayed expression stands for, derivatives taken (no renaming, no proof).

    Parameters
    ----------
    expr : sympy.Basic
        A displayed side.
    where : tuple of (Basic, Expr) pairs
        The claim's local definitions.
    ctx : Context
        What the claim's symbols mean.
    """
    return _explicit(expr, tuple(where), ctx)


def _is_matrix(x: sp.Basic) -> bool:
    return isinstance(x, (sp.MatrixBase, sp.MatrixExpr))


def _as_matrix(x: sp.Basic) -> sp.ImmutableMatrix:
    """An explicit matrix; a displayed product of explicit matrices is multiplied out."""
    if isinstance(x, sp.MatrixExpr) and not isinstance(x, sp.MatrixBase):
        x = x.doit()
    return sp.ImmutableMatrix(x)


def prove_equal(a: sp.Basic, b: sp.Basic, where: Mapping, ctx: Context, one_hot: bool) -> bool:
    if _is_matrix(a) or _is_matrix(b):
        a, b = _as_matrix(a), _as_matrix(b)
        if a.shape != b.shape:
            return False
        return all(prove_equal(p, q, where, ctx, one_hot) for p, q in zip(a, b, strict=True))
    key = tuple(where.items())
    try:
        difference = _explicit(a, key, ctx) - _explicit(b, key, ctx)
    except (TypeError, ValueError, NotImplementedError):
        return False
    return _prove_zero(difference, ctx, one_hot)


def instantiate(expr: sp.Basic, values: Mapping[sp.Symbol, int], ctx: Context) -> sp.Basic:
    """Put whole numbers in for the indices and turn indexed symbols into the model's."""
    expr = expr.xreplace({s: sp.Integer(v) for s, v in values.items()})
    expr = _finite_sums(expr)

    def concrete(node: sp.Indexed) -> sp.Basic:
        name = str(node.base)
        if name not in ctx.indexed or not all(i.is_Integer for i in node.indices):
            return node
        return ctx.indexed[name](*(int(i) for i in node.indices))

    return expr.replace(lambda n: isinstance(n, sp.Indexed), concrete)


def matrix_entries(expr: sp.Basic, where: Mapping) -> sp.Basic:
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


def clear_caches() -> None:
    """Forget every cached proof step (for benchmarks that time proofs from cold)."""
    for cached in (_diff, _is_zero, _explicit, _exp_names, _resolved, _resolved_where,
                   _to_differentiate, _ring):  # fmt: skip
        cached.cache_clear()
    sp.core.cache.clear_cache()

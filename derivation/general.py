"""Any number of classes: the softmax gradient proven for symbolic K and for K = 2 ... 8.

Three kinds of proof, all by SymPy:

- :func:`general_proof` works with a symbolic number of classes ``K``:
  indexed logits ``z[l]``, sums over ``l = 1..K`` and ``KroneckerDelta``.
  It proves ``dh_k/dz_j = h_k (delta_kj - h_j)`` and
  ``dJ/dz_k = h_k sum_l y_l - y_k``, and then, *using* ``sum_l y_l = 1``
  (one-hot labels), ``dJ/dz_k = h_k - y_k``.
- :func:`explicit_proofs` writes the K + K^2 derivatives out for one explicit
  K, each a :class:`derivation.symbolic.Step` proven like the article's steps.
- :func:`sigmoid_case` and :func:`hessian_proof`: for K = 2 softmax is the
  logistic sigmoid and the gradient is logistic regression's ``(y - t) x``;
  the Hessian of the loss in the logits is the softmax Jacobian, positive
  semidefinite (``v^T H v`` is a variance).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from .symbolic import Equation, Step, _check_classes, _Context, _equal

__all__ = [
    "GeneralProof",
    "explicit_proofs",
    "general_proof",
    "hessian_proof",
    "l2_gradient",
    "sigmoid_case",
]


# --------------------------------------------------------------------------- symbolic K
@dataclass(frozen=True)
class GeneralProof:
    """The softmax gradient for a symbolic number of classes K.

    Attributes
    ----------
    equations : tuple of Equation
        The definitions and results, for display.
    holds : dict of str -> bool
        Each claim and whether SymPy proved it: ``"dh_k/dz_j"``,
        ``"dJ/dz_k (any labels)"``, ``"dJ/dz_k (one-hot)"``, and
        ``"dJ/dz_k = h_k - y_k without sum y = 1"`` (False: the assumption is needed).
    """

    equations: tuple[Equation, ...]
    holds: dict[str, bool]


def _in_range(expr: sp.Basic, indices: tuple[sp.Idx, ...], K: sp.Symbol) -> sp.Basic:
    """Resolve the Piecewise ranges ``K >= j`` that SymPy adds: every index lies in 1..K."""
    facts = {sp.Ge(K, i): True for i in indices} | {sp.Le(i, K): True for i in indices}
    facts |= {sp.Ge(i, 1): True for i in indices}
    return expr.subs(facts)


def _is_zero(expr: sp.Basic) -> bool:
    return sp.simplify(sp.factor_terms(sp.expand(expr))) == 0


@functools.cache
def general_proof() -> GeneralProof:
    """Prove the softmax derivatives for any number of classes K (symbolic K).

    Returns
    -------
    GeneralProof

    Examples
    --------
    >>> proof = general_proof()
    >>> proof.holds["dJ/dz_k (one-hot)"], proof.holds["dJ/dz_k = h_k - y_k without sum y = 1"]
    (True, False)
    """
    K = sp.Symbol("K", integer=True, positive=True)
    z, y = sp.IndexedBase("z"), sp.IndexedBase("y")
    l, k, j, m = (sp.Idx(name, (1, K)) for name in "lkjm")
    S = sp.Sum(sp.exp(z[m]), (m, 1, K))  # its own index m: S does not depend on l
    h_k, h_j = sp.exp(z[k]) / S, sp.exp(z[j]) / S
    J = -sp.Sum(y[l] * (z[l] - sp.log(S)), (l, 1, K))  # -sum_l y_l log h_l
    sum_y = sp.Sum(y[l], (l, 1, K))

    dh = _in_range(sp.diff(h_k, z[j]).doit(), (j, k, l, m), K)
    jacobian_claim = h_k * (sp.KroneckerDelta(k, j) - h_j)
    dJ = _in_range(sp.diff(J, z[k]).doit(), (j, k, l, m), K)
    any_labels = h_k * sum_y - y[k]  # proven equal to dJ below (simplify moves S out of the sum)
    one_hot = h_k - y[k]
    with_sum_one = any_labels.subs(sum_y, 1)  # the one place where sum_l y_l = 1 is used

    # for display: plain index symbols (an Idx prints its range)
    kk, jj, ll, mm = sp.symbols("k j l m", integer=True)
    hk, hj, Jsym = sp.Symbol("h_k"), sp.Symbol("h_j"), sp.Symbol("J")
    delta = sp.KroneckerDelta(kk, jj)
    denominator = sp.Sum(sp.exp(z[mm]), (mm, 1, K))
    loss = sp.Sum(y[ll] * sp.log(sp.Symbol("h_l")), (ll, 1, K))
    labels_sum = sp.Sum(y[ll], (ll, 1, K))
    with sp.evaluate(False):  # keep the written order; the sums above are built normally
        equations = (
            Equation(hk, (sp.exp(z[kk]) / denominator,), "definition"),
            Equation(Jsym, (-loss,), "one sample"),
            Equation(sp.Derivative(hk, z[jj]), (hk * (delta - hj),), "every k, j"),
            Equation(sp.Derivative(Jsym, z[kk]), (hk * labels_sum - y[kk],), "any labels"),
            Equation(sp.Derivative(Jsym, z[kk]), (hk - y[kk],), "one-hot labels"),
        )
    return GeneralProof(
        equations,
        {
            "dh_k/dz_j": _is_zero(dh - jacobian_claim),
            "dJ/dz_k (any labels)": _is_zero(dJ - any_labels),
            "dJ/dz_k (one-hot)": _is_zero(dJ - any_labels) and _is_zero(with_sum_one - one_hot),
            "dJ/dz_k = h_k - y_k without sum y = 1": _is_zero(dJ - one_hot),
        },
    )


# --------------------------------------------------------------------------- explicit K
def _logit_model(K: int):
    z = sp.symbols(f"z_1:{K + 1}")
    y = sp.symbols(f"y_1:{K + 1}")
    h = sp.symbols(f"h_1:{K + 1}")
    J = sp.Symbol("J")
    exps = [sp.exp(v) for v in z]
    S = sp.Add(*exps)
    explicit = [e / S for e in exps]
    cost = -sp.Add(*(yk * zk for yk, zk in zip(y, z, strict=True))) + sp.Add(*y) * sp.log(S)
    cost_in_h = -sp.Add(*(yk * sp.log(hk) for yk, hk in zip(y, h, strict=True)))
    e_symbols = sp.symbols(f"e_1:{K + 1}")
    definitions = dict(zip(h, explicit, strict=True))
    definitions[J] = cost
    ctx = _Context(
        definitions=definitions,
        cost_symbol=J,
        cost_in_h=cost_in_h,
        hypothesis_symbols=h,
        logits=tuple((v, v, e) for v, e in zip(z, e_symbols, strict=True)),
        one_hot={y[-1]: 1 - sp.Add(*y[:-1])},
    )
    return z, y, h, J, ctx


@functools.cache
def explicit_proofs(classes: int) -> tuple[Step, ...]:
    """The K derivatives dJ/dz_k and the K^2 derivatives dh_k/dz_j, written out and provable.

    Parameters
    ----------
    classes : int
        K, from 2 to 10.

    Returns
    -------
    tuple of Step
        ``"dJ/dz_k"`` steps (``h_k sum_l y_l - y_k = h_k - y_k``, the last
        equality using one-hot labels) and ``"dh_k/dz_j"`` steps; call
        ``holds()`` on each.

    Examples
    --------
    >>> steps = explicit_proofs(2)
    >>> len(steps), all(s.holds() for s in steps)
    (6, True)
    """
    K = _check_classes(classes)
    z, y, h, J, ctx = _logit_model(K)
    steps = []
    for k in range(K):
        with sp.evaluate(False):
            collected = sp.Add(h[k] * sp.Add(*y), -y[k])
        steps.append(Step(
            f"dJ/dz_{k + 1}", None, None, f"gradient of the loss by logit z_{k + 1}",
            sp.Derivative(J, z[k]), (collected, h[k] - y[k]), one_hot_from=1, context=ctx,
        ))  # fmt: skip
    for k in range(K):
        for j in range(K):
            rhs = h[k] * (1 - h[k]) if j == k else -h[k] * h[j]
            steps.append(Step(
                f"dh_{k + 1}/dz_{j + 1}", None, None, "softmax Jacobian entry",
                sp.Derivative(h[k], z[j]), (rhs,), context=ctx,
            ))  # fmt: skip
    return tuple(steps)


# --------------------------------------------------------------------------- K = 2 and the Hessian
@functools.cache
def sigmoid_case() -> dict[str, bool]:
    """For K = 2: softmax is the sigmoid, and the gradient is logistic regression's.

    With ``a, b`` the two logits, ``softmax([a, b])_1 = sigma(a - b)``; with
    the article's model for K = 2, ``w = Theta_1 - Theta_2`` and target
    ``t = y_1``, the logistic loss ``-t log sigma(w x) - (1 - t) log(1 - sigma(w x))``
    has the gradient ``(sigma(w x) - t) x_j`` by ``Theta_1j``: the ``(y - t) x``
    of P. Sadowski's notes, and the article's ``(h_1 - y_1) x_j``.

    Returns
    -------
    dict of str -> bool
        ``"softmax_1 = sigmoid(a - b)"``, ``"softmax_2 = 1 - sigmoid(a - b)"``,
        ``"logistic gradient = (h_1 - y_1) x_j"``.
    """
    from .symbolic import model

    a, b = sp.symbols("a b")
    ea, eb = sp.symbols("e_a e_b")
    ctx2 = _Context({}, None, None, (), ((a, a, ea), (b, b, eb)), {})
    sigma = 1 / (1 + sp.exp(-(a - b)))
    soft = [sp.exp(a) / (sp.exp(a) + sp.exp(b)), sp.exp(b) / (sp.exp(a) + sp.exp(b))]
    m = model(2)
    t = m.y[0]
    w = [m.theta[0, jj] - m.theta[1, jj] for jj in (0, 1)]
    u = w[0] + w[1] * m.x1
    s = 1 / (1 + sp.exp(-u))
    logistic = -t * sp.log(s) - (1 - t) * sp.log(1 - s)
    results = {
        "softmax_1 = sigmoid(a - b)": _equal(soft[0], sigma, {}, ctx2, False),
        "softmax_2 = 1 - sigmoid(a - b)": _equal(soft[1], 1 - sigma, {}, ctx2, False),
    }
    logistic_ok = True
    for jj in (0, 1):
        lhs = sp.Derivative(logistic, m.theta[0, jj])
        rhs = (m.h[0] - m.y[0]) * m.x[jj]
        logistic_ok &= _equal(lhs, rhs, {}, m._context, True)  # y_2 = 1 - y_1 = 1 - t
    results["logistic gradient = (h_1 - y_1) x_j"] = logistic_ok
    return results


@functools.cache
def hessian_proof(classes: int = 3) -> dict[str, bool]:
    """The Hessian of the loss in the logits is diag(h) - hh^T, and v^T H v is a variance.

    Parameters
    ----------
    classes : int, default 3
        K, from 2 to 10.

    Returns
    -------
    dict of str -> bool
        ``"d2J/dz_i dz_j = h_i (delta_ij - h_j)"`` for every i, j (using
        ``sum_l y_l = 1``: in general the Hessian is that matrix times the sum), and
        ``"v^T H v = sum h v^2 - (sum h v)^2"`` (a variance of v under h,
        hence >= 0: the loss is convex in the logits).
    """
    K = _check_classes(classes)
    z, _, h, J, ctx = _logit_model(K)
    ok = True
    for i in range(K):
        for j in range(K):
            lhs = sp.diff(ctx.definitions[J], z[i], z[j])
            rhs = h[i] * ((1 if i == j else 0) - h[j])
            ok &= _equal(lhs, rhs, {}, ctx, True)  # the Hessian is (sum_l y_l) (diag h - hh^T)
    v = sp.symbols(f"v_1:{K + 1}")
    H = sp.Matrix(K, K, lambda i, j: h[i] * ((1 if i == j else 0) - h[j]))
    V = sp.Matrix(v)
    quadratic = sp.expand((V.T * H * V)[0])
    variance = sp.expand(sum(hk * vk**2 for hk, vk in zip(h, v, strict=True))
                         - sum(hk * vk for hk, vk in zip(h, v, strict=True)) ** 2)  # fmt: skip
    return {
        "d2J/dz_i dz_j = h_i (delta_ij - h_j)": bool(ok),
        "v^T H v = sum h v^2 - (sum h v)^2": sp.expand(quadratic - variance) == 0,
    }


@functools.cache
def l2_gradient(classes: int = 3) -> tuple[Equation, bool, bool]:
    """The gradient of an L2 cost on the softmax output, proven; it keeps the Jacobian.

    ``E = 1/2 sum_j (h_j - y_j)^2``; the chain rule through ``h`` gives
    ``dE/dz_k = sum_j (h_j - y_j) h_j (delta_jk - h_k)``.

    Returns
    -------
    equation : Equation
        ``dE/dz_1`` written out for ``classes`` classes.
    holds : bool
        SymPy proves it.
    is_h_minus_y : bool
        Whether it equals ``h_1 - y_1`` (False: nothing cancels).
    """
    K = _check_classes(classes)
    z, y, h, _, ctx = _logit_model(K)
    E = sp.Symbol("E")
    explicit = sp.Rational(1, 2) * sp.Add(*((ctx.definitions[hj] - yj) ** 2
                                            for hj, yj in zip(h, y, strict=True)))  # fmt: skip
    rhs = sp.Add(*((h[j] - y[j]) * h[j] * ((1 if j == 0 else 0) - h[0]) for j in range(K)))
    lhs = sp.Derivative(explicit, z[0])
    return (
        Equation(sp.Derivative(E, z[0]), (rhs,), "L2 cost"),
        _equal(lhs, rhs, {}, ctx, False),
        _equal(lhs, h[0] - y[0], {}, ctx, True),
    )

"""Any number of classes: the softmax gradient proven for symbolic K and for K = 2 ... 10.

Every result here is a :class:`derivation.symbolic.Step`, the same claim type
as the article's steps: what is displayed is what ``holds()`` proves.

- :func:`general_proof` works with a symbolic number of classes ``K``:
  indexed logits ``z_l``, sums over ``l = 1..K`` and ``KroneckerDelta``.
  It proves ``dh_k/dz_l = h_k (delta_kl - h_l)`` and
  ``dJ/dz_k = h_k sum_l y_l - y_k``, and then, *using* ``sum_l y_l = 1``
  (one-hot labels), ``= h_k - y_k``.
- :func:`explicit_proofs` writes the K + K^2 derivatives out for one explicit
  K, each proven like the article's steps.
- :func:`sigmoid_case`, :func:`hessian_proof` and :func:`l2_gradient`: for
  K = 2 softmax is the logistic sigmoid and the gradient is logistic
  regression's ``(y - t) x``; the Hessian of the loss in the logits is the
  softmax Jacobian, and ``v^T (diag h - hh^T) v = sum_k h_k (v_k - mu)^2`` is a
  variance (proven), hence >= 0 (argued: h_k > 0, squares >= 0); an L2 cost
  keeps the Jacobian in its gradient.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import sympy as sp

from .symbolic import Context, Step, check_classes, claim, logit_model, model
from .symbolic.notation import H_I, THETA, X_I, Z_I, j_, k_, l_

__all__ = [
    "SymbolicK",
    "explicit_proofs",
    "general_proof",
    "hessian_proof",
    "l2_gradient",
    "sigmoid_case",
    "symbolic_K",
]


# --------------------------------------------------------------------------- symbolic K
class SymbolicK(NamedTuple):
    """The symbols of the proof for a symbolic number of classes, to write one's own forms.

    ``K`` the number of classes; ``k``, ``l`` class indices (``sympy.Idx`` from 1 to
    K) and ``q`` the index of the softmax's sum; ``z``, ``y`` the indexed logits
    and labels; ``h_k``, ``h_l`` and ``J`` the display symbols; ``S`` the sum
    ``sum_q e^{z_q}``; ``delta`` is ``KroneckerDelta(k, l)``.
    """

    K: sp.Symbol
    k: sp.Idx
    l: sp.Idx
    q: sp.Idx
    z: sp.IndexedBase
    y: sp.IndexedBase
    h_k: sp.Symbol
    h_l: sp.Symbol
    J: sp.Symbol
    S: sp.Sum
    delta: sp.Expr


@functools.cache
def symbolic_K() -> SymbolicK:
    """The symbols :func:`general_proof` is written in.

    Examples
    --------
    >>> from dataclasses import replace
    >>> s = symbolic_K()
    >>> jacobian, _ = general_proof()
    >>> replace(jacobian, chain=(s.h_l * (s.delta - s.h_k),)).holds()  # the transposed form
    True
    """
    K = sp.Symbol("K", integer=True, positive=True)
    z, y = sp.IndexedBase("z"), sp.IndexedBase("y")
    k, l, q = (sp.Idx(name, (1, K)) for name in "klq")
    S = sp.Sum(sp.exp(z[q]), (q, 1, K))  # its own index q: S depends on no other index
    h_k, h_l, J = sp.Symbol("h_k"), sp.Symbol("h_l"), sp.Symbol("J")
    return SymbolicK(K, k, l, q, z, y, h_k, h_l, J, S, sp.KroneckerDelta(k, l))


@functools.cache
def general_proof() -> tuple[Step, ...]:
    """Prove the softmax derivatives for any number of classes K (symbolic K).

    The prover treats ``delta_kl`` by cases (k = l, and k != l), so every true
    form of the Jacobian passes: ``h_k (delta_kl - h_l)``, the transposed
    ``h_l (delta_kl - h_k)``, ``delta_kl h_k - h_k h_l`` ...; and a sum of the
    labels passes whatever its index is called.  The symbols are
    :func:`symbolic_K`'s.

    Returns
    -------
    tuple of Step
        ``"dh_k/dz_l"`` (the Jacobian, every k and l) and ``"dJ/dz_k"``
        (``h_k sum_l y_l - y_k = h_k - y_k``; the second equals sign uses
        ``sum_l y_l = 1``, which it displays, so ``check(one_hot=False)`` is
        ``(True, False)``).

    Examples
    --------
    >>> jacobian, gradient = general_proof()
    >>> jacobian.holds(), gradient.check(), gradient.check(one_hot=False)
    (True, (True, True), (True, False))
    """
    K, k, l, q, z, y, h_k, h_l, J, S, _ = symbolic_K()
    labels = sp.Sum(y[l], (l, 1, K))
    facts = {sp.Ge(K, i): True for i in (k, l, q)} | {sp.Le(i, K): True for i in (k, l, q)}
    facts |= {sp.Ge(i, 1): True for i in (k, l, q)}
    ctx = Context(
        definitions={
            h_k: sp.exp(z[k]) / S,
            h_l: sp.exp(z[l]) / S,
            J: -sp.Sum(y[l] * (z[l] - sp.log(S)), (l, 1, K)),
        },
        one_hot={labels: sp.Integer(1)},
        labels=labels,
        method="symbolic",
        facts=facts,
    )
    h_k_is = (h_k, sp.exp(z[k]) / S)
    h_l_is = (h_l, sp.exp(z[l]) / S)
    cost = (J, -sp.Sum(y[l] * sp.log(h_l), (l, 1, K)))
    with sp.evaluate(False):
        jacobian = h_k * sp.Add(sp.KroneckerDelta(k, l), -h_l)
        any_labels, one_hot = sp.Add(h_k * labels, -y[k]), sp.Add(h_k, -y[k])
    return (
        claim("dh_k/dz_l", "the softmax Jacobian, for any K", sp.Derivative(h_k, z[l]),
              [jacobian], ctx, where=(h_k_is, h_l_is),
              title=r"\text{the Jacobian, any } K"),
        claim("dJ/dz_k", "the gradient by a logit, for any K", sp.Derivative(J, z[k]),
              [any_labels, one_hot], ctx, where=(cost, h_l_is, h_k_is),
              one_hot_from=1, title=r"\text{the gradient, any } K"),
    )  # fmt: skip


# --------------------------------------------------------------------------- explicit K
@functools.cache
def explicit_proofs(classes: int) -> tuple[Step, ...]:
    """The K derivatives dJ/dz_k and the K^2 derivatives dh_k/dz_l, written out and provable.

    Parameters
    ----------
    classes : int
        K, from 2 to 10.

    Returns
    -------
    tuple of Step
        ``"dJ/dz_k"`` steps (``h_k sum_l y_l - y_k = h_k - y_k``, the last
        equality using one-hot labels) and ``"dh_k/dz_l"`` steps; call
        ``holds()`` on each.

    Examples
    --------
    >>> steps = explicit_proofs(2)
    >>> len(steps), all(s.holds() for s in steps)
    (6, True)
    """
    K = check_classes(classes)
    z, y, h, J, ctx = logit_model(K)
    steps = []
    for k in range(K):
        with sp.evaluate(False):
            collected = sp.Add(h[k] * sp.Add(*y), -y[k])
        steps.append(claim(
            f"dJ/dz_{k + 1}", f"gradient of the loss by logit z_{k + 1}",
            sp.Derivative(J, z[k]), (collected, h[k] - y[k]), ctx, one_hot_from=1,
            title=rf"\text{{by the logit }} z_{{{k + 1}}}",
        ))  # fmt: skip
    for k in range(K):
        for j in range(K):
            rhs = h[k] * (1 - h[k]) if j == k else -h[k] * h[j]
            steps.append(claim(
                f"dh_{k + 1}/dz_{j + 1}", "softmax Jacobian entry",
                sp.Derivative(h[k], z[j]), (rhs,), ctx,
                title=rf"\text{{Jacobian entry }} ({k + 1}, {j + 1})",
            ))  # fmt: skip
    return tuple(steps)


# --------------------------------------------------------------------------- K = 2 and the Hessian
@functools.cache
def sigmoid_case() -> tuple[Step, ...]:
    """For K = 2: softmax is the sigmoid, and the gradient is logistic regression's.

    With ``a, b`` the two logits, ``softmax([a, b])_1 = sigma(a - b)``; with
    the article's model for K = 2, ``w = Theta_1 - Theta_2`` and target
    ``t = y_1``, the logistic loss ``-t log sigma(u) - (1 - t) log(1 - sigma(u))``
    with ``u = w_0 + w_1 x_1`` has the gradient ``(sigma(u) - t) x_j`` by
    ``Theta_1j``: the ``(y - t) x`` of P. Sadowski's notes, and the article's
    ``(h_1 - y_1) x_j``.

    Returns
    -------
    tuple of Step
        ``"softmax_1 = sigmoid"``, ``"softmax_2 = 1 - sigmoid"`` and
        ``"logistic gradient"`` (for j = 0 and 1).

    Examples
    --------
    >>> [s.holds() for s in sigmoid_case()]
    [True, True, True]
    """
    a, b = sp.symbols("a b")
    ea, eb = sp.symbols("e_a e_b")
    ctx2 = Context({}, logits=((a, a, ea), (b, b, eb)))
    sigma = 1 / (1 + sp.exp(-(a - b)))
    soft = [sp.exp(a) / (sp.exp(a) + sp.exp(b)), sp.exp(b) / (sp.exp(a) + sp.exp(b))]
    m = model(2)
    t, L, u = sp.symbols("t L u")
    w = [m.theta[0, jj] - m.theta[1, jj] for jj in (0, 1)]
    s = 1 / (1 + sp.exp(-u))
    with sp.evaluate(False):
        logistic = -t * sp.log(s) - (1 - t) * sp.log(1 - s)
        rhs = sp.Mul(sp.Add(m.h[0], -m.y[0]), X_I[j_])
    return (
        claim("softmax_1 = sigmoid", "two-class softmax is the sigmoid of the difference",
              soft[0], [sigma], ctx2, title=r"K = 2\text{: } h_1 = \sigma(a - b)"),
        claim("softmax_2 = 1 - sigmoid", "and its other output is one minus it",
              soft[1], [1 - sigma], ctx2, title=r"K = 2\text{: } h_2 = 1 - \sigma(a - b)"),
        claim("logistic gradient", "the logistic loss has the article's gradient",
              sp.Derivative(L, THETA[1, j_]), [rhs], m.context,
              where=((L, logistic), (t, m.y[0]), (u, w[0] + w[1] * m.x1), (X_I[0], sp.Integer(1))),
              indices=((j_, (0, 1)),), title=r"\text{logistic regression's gradient}"),
    )  # fmt: skip


@functools.cache
def hessian_proof(classes: int = 3) -> tuple[Step, ...]:
    """The Hessian of the loss in the logits is diag(h) - hh^T, and its quadratic form a variance.

    Parameters
    ----------
    classes : int, default 3
        K, from 2 to 10.

    Returns
    -------
    tuple of Step
        ``"hessian"``: ``d2J/dz_k dz_l = h_k (delta_kl - h_l)`` for every k, l
        (using ``sum_l y_l = 1``, displayed: in general the Hessian is that
        matrix times the sum); ``"sum of h"``: the softmax outputs sum to one;
        ``"variance"``: for any ``h`` with ``sum_k h_k = 1`` (displayed),
        ``d^T (diag h - hh^T) d = sum_k h_k d_k^2 - dbar^2 = sum_k h_k (d_k - dbar)^2``
        with ``dbar = sum_l h_l d_l``, the variance of d under h.

    Notes
    -----
    SymPy proves the three identities.  That the variance is never negative is
    the argument that follows them, not part of a proof: each ``h_k`` is
    positive (an exponential over a sum of exponentials) and each
    ``(d_k - dbar)^2`` is a square, so every term is >= 0.  Hence the Hessian is
    positive semidefinite and the loss is convex in the logits.

    Examples
    --------
    >>> [s.holds() for s in hessian_proof(2)]
    [True, True, True]
    """
    K = check_classes(classes)
    _, _, h, J, ctx = logit_model(K)
    classes_k = (k_, tuple(range(1, K + 1)))
    classes_l = (l_, tuple(range(1, K + 1)))
    v = sp.symbols(f"d_1:{K + 1}")  # a direction d in logit space, as notebook 07 names it
    mu = sp.Symbol(r"\bar{d}")  # its mean under h
    M = sp.ImmutableMatrix(K, K, lambda a, b: h[a] * ((1 if a == b else 0) - h[b]))
    V = sp.ImmutableMatrix(v)
    total = sp.Add(*h, evaluate=False)
    distribution = Context({}, one_hot={h[-1]: 1 - sp.Add(*h[:-1])}, labels=total)
    with sp.evaluate(False):
        entry = H_I[k_] * sp.Add(sp.KroneckerDelta(k_, l_), -H_I[l_])
        mean = sp.Add(*(hk * vk for hk, vk in zip(h, v, strict=True)))
        spread = sp.Add(sp.Add(*(hk * vk**2 for hk, vk in zip(h, v, strict=True))), -(mu**2))
        squares = sp.Add(*(hk * sp.Add(vk, -mu) ** 2 for hk, vk in zip(h, v, strict=True)))
    return (
        claim("hessian", "the Hessian in the logits is the softmax Jacobian",
              sp.Derivative(J, Z_I[k_], Z_I[l_]), [entry], ctx,
              indices=(classes_k, classes_l), one_hot_from=0,
              title=r"\text{the Hessian } \nabla^2 J"),
        claim("sum of h", "the softmax outputs sum to one", total, [sp.Integer(1)], ctx,
              title=r"\text{softmax outputs sum to one}"),
        claim("variance", "a quadratic form of the Jacobian is the variance of d under h",
              sp.MatMul(V.T, M, V, evaluate=False),
              [sp.ImmutableMatrix([[spread]]), sp.ImmutableMatrix([[squares]])], distribution,
              where=((mu, mean),), one_hot_from=1, title=r"\text{a variance}"),
    )  # fmt: skip


@functools.cache
def l2_gradient(classes: int = 3) -> tuple[Step, Step]:
    """The gradient of an L2 cost on the softmax output, proven; it keeps the Jacobian.

    ``J_L2 = 1/2 sum_l (h_l - y_l)^2`` (00's notation table; the student of notebook 04
    called it E); the chain rule through ``h`` gives
    ``dJ_L2/dz_1 = sum_l (h_l - y_l) h_l (delta_l1 - h_1)``.

    Returns
    -------
    gradient : Step
        ``dJ_L2/dz_1`` written out for ``classes`` classes; ``holds()`` is True.
    not_h_minus_y : Step
        The claim ``dJ_L2/dz_1 = h_1 - y_1``; ``holds()`` is False: nothing cancels.

    Examples
    --------
    >>> gradient, not_h_minus_y = l2_gradient(3)
    >>> gradient.holds(), not_h_minus_y.holds()
    (True, False)
    """
    K = check_classes(classes)
    z, y, h, _, ctx = logit_model(K)
    E = sp.Symbol(r"J_{\text{L2}}")
    with sp.evaluate(False):
        cost = sp.Rational(1, 2) * sp.Add(*((hj - yj) ** 2 for hj, yj in zip(h, y, strict=True)))
    rhs = sp.Add(*((h[j] - y[j]) * h[j] * ((1 if j == 0 else 0) - h[0]) for j in range(K)))
    where = ((E, cost),)
    return (
        claim("l2 gradient", "the gradient of an L2 cost keeps the Jacobian",
              sp.Derivative(E, z[0]), [rhs], ctx, where=where, title=r"\text{the L2 gradient}"),
        claim("l2 is h - y", "the L2 gradient is not h_1 - y_1",
              sp.Derivative(E, z[0]), [h[0] - y[0]], ctx, where=where, one_hot_from=0,
              title=r"\text{the L2 gradient (refuted)}"),
    )  # fmt: skip

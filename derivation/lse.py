"""Log-sum-exp: softmax is its gradient, the softmax Jacobian its Hessian, and h - y follows.

``LSE(z) = log sum_l e^{z_l}``.  Its gradient is the softmax ``h``, its Hessian
``diag(h) - hh^T`` is the covariance of the one-hot vector ``o`` of a class drawn
from ``h`` (the outcome), and the cross-entropy of one sample is ``J = LSE(z) - y^T z`` when
``sum_l y_l = 1``: so ``dJ/dz_k = h_k - y_k`` in one line.  Notebook 11 tells the story.

Proven claims (each a :class:`derivation.symbolic.Step`, proven as displayed)
--------------------------------------------------------------------------------
- :func:`lse_proofs`: for a symbolic number of classes K, the gradient and
  Hessian of LSE, ``J = LSE(z) sum_l y_l - y^T z = LSE(z) - y^T z``, the
  gradient in one line, the vector-Jacobian product ``h_k (g_k - sum_l g_l h_l)``
  and, with ``g = dJ/dh = -y/h``, ``h_k - y_k`` from it;
- :func:`second_proof_of_23`: the article's (23) by the log-sum-exp route, for any K
  (written into the generated document, ``python -m derivation``);
- :func:`covariance_proofs`: for explicit K, ``E[o] = h``, ``E[o o^T] = diag(h)``,
  ``nabla^2 LSE = diag(h) - hh^T``, the null vector ``1``, and the two identities
  behind the bound: every eigenvalue ``mu <= 1/2``;
- :func:`information_proofs`: cross-entropy = entropy + KL divergence.

NumPy helpers
-------------
:func:`logsumexp` (stable), :func:`vjp` (``h * (g - <g, h>)`` without the
Jacobian), :func:`entropy`, :func:`kl_divergence`, :func:`distribution_cross_entropy`,
:func:`one_hot_moments`, :func:`sample_one_hot`, :func:`hessian_eigen`,
:func:`variance_along`, :func:`gershgorin_bound`; and :func:`eigenvalue_figure`,
which imports matplotlib only when it is called.  The gradient and Hessian of LSE
are :func:`derivation.numeric.softmax` and :func:`derivation.numeric.softmax_jacobian`.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from .checks import as_float, check_finite, check_logits
from .general import symbolic_K
from .numeric import softmax, softmax_jacobian
from .symbolic import Context, Step, check_classes, claim, logit_model
from .symbolic.notation import THETA, X_I, j_

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "LSESymbols",
    "covariance_proofs",
    "distribution_cross_entropy",
    "eigenvalue_figure",
    "entropy",
    "gershgorin_bound",
    "hessian_eigen",
    "information_proofs",
    "kl_divergence",
    "logsumexp",
    "lse_proofs",
    "lse_symbols",
    "one_hot_moments",
    "sample_one_hot",
    "second_proof_of_23",
    "variance_along",
    "vjp",
]


# =========================================================================== proven claims
class LSESymbols(NamedTuple):
    """The symbols of the log-sum-exp proofs for a symbolic K, to write one's own forms.

    Those of :func:`derivation.general.symbolic_K` (``K``, ``k``, ``l``, ``q``,
    ``y``, ``h_k``, ``h_l``, ``J``, ``delta``), except that the logits ``z`` are
    real here (logits are; it lets SymPy write ``log h_l = z_l - LSE(z)``), with
    ``denominator = sum_q e^{z_q}``, the display symbol ``LSE`` (``LSE(z) = log
    denominator``), a
    vector ``g`` for the vector-Jacobian product, and ``context``.
    """

    K: sp.Symbol
    k: sp.Idx
    l: sp.Idx
    q: sp.Idx
    z: sp.IndexedBase
    y: sp.IndexedBase
    g: sp.IndexedBase
    h_k: sp.Symbol
    h_l: sp.Symbol
    J: sp.Symbol
    denominator: sp.Sum
    LSE: sp.Symbol
    delta: sp.Expr
    context: Context


@functools.cache
def lse_symbols() -> LSESymbols:
    """The symbols and the prover's context of :func:`lse_proofs`.

    Examples
    --------
    >>> s = lse_symbols()
    >>> s.context.definitions[s.LSE]
    log(Sum(exp(z[q]), (q, 1, K)))
    """
    K, k, l, q, _, y, h_k, h_l, J, _, delta = symbolic_K()
    z, g = sp.IndexedBase("z", real=True), sp.IndexedBase("g", real=True)
    den = sp.Sum(sp.exp(z[q]), (q, 1, K))
    LSE = sp.Symbol(r"\operatorname{LSE}(z)")
    labels = sp.Sum(y[l], (l, 1, K))
    facts = {sp.Ge(K, i): True for i in (k, l, q)} | {sp.Le(i, K): True for i in (k, l, q)}
    facts |= {sp.Ge(i, 1): True for i in (k, l, q)}
    context = Context(
        definitions={
            h_k: sp.exp(z[k]) / den,
            h_l: sp.exp(z[l]) / den,
            LSE: sp.log(den),
            J: -sp.Sum(y[l] * (z[l] - sp.log(den)), (l, 1, K)),
        },
        one_hot={labels: sp.Integer(1)},
        labels=labels,
        method="symbolic",
        facts=facts,
    )
    return LSESymbols(K, k, l, q, z, y, g, h_k, h_l, J, den, LSE, delta, context)


def _minus(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """``a - b`` kept in the order written."""
    return sp.Add(a, sp.Mul(-1, b), evaluate=False)


@functools.cache
def lse_proofs() -> tuple[Step, ...]:
    """The log-sum-exp view of softmax cross-entropy, proven for a symbolic number of classes.

    Returns
    -------
    tuple of Step
        ``"dLSE/dz_k"``: ``dLSE/dz_k = h_k`` (softmax is the gradient of LSE);
        ``"d2LSE/dz_k dz_l"``: ``= h_k (delta_kl - h_l)`` (the softmax Jacobian
        is the Hessian of LSE); ``"J = LSE - y^T z"``:
        ``J = LSE(z) sum_l y_l - sum_l y_l z_l = LSE(z) - sum_l y_l z_l``, the
        second equals sign using ``sum_l y_l = 1`` (displayed);
        ``"one line"``: ``d/dz_k (LSE(z) - sum_l y_l z_l) = dLSE/dz_k - y_k = h_k - y_k``;
        ``"vjp"``: ``sum_l g_l dh_l/dz_k = sum_l g_l h_l (delta_lk - h_k)
        = h_k (g_k - sum_l g_l h_l)`` for any g; ``"vjp of J"``: the same with
        ``g_l = -y_l / h_l``, which is ``h_k sum_l y_l - y_k = h_k - y_k``
        (using ``sum_l y_l = 1``, displayed).

    Examples
    --------
    >>> [s.holds() for s in lse_proofs()]
    [True, True, True, True, True, True]
    >>> lse_proofs()[2].check(one_hot=False)  # J = LSE - y^T z needs sum y = 1
    (True, False)
    """
    K, k, l, _, z, y, g, h_k, h_l, J, den, LSE, delta, ctx = lse_symbols()
    labels = ctx.labels
    h_k_is, h_l_is = (h_k, sp.exp(z[k]) / den), (h_l, sp.exp(z[l]) / den)
    lse_is = (LSE, sp.log(den))
    linear = sp.Sum(y[l] * z[l], (l, 1, K))
    gh = sp.Sum(g[l] * h_l, (l, 1, K))
    with sp.evaluate(False):
        hessian = h_k * sp.Add(delta, -h_l)
        collected = sp.Add(LSE * labels, -linear)
        lse_form = sp.Add(LSE, -linear)
        one_line = sp.Derivative(sp.Add(LSE, -linear), z[k])
        rule = sp.Add(sp.Derivative(LSE, z[k]), -y[k])
        gathered = sp.Add(h_k * labels, -y[k])
    entries = sp.Sum(g[l] * h_l * sp.Add(sp.KroneckerDelta(l, k), -h_k, evaluate=False),
                     (l, 1, K))  # fmt: skip
    vjp_lhs = sp.Sum(g[l] * sp.Derivative(h_l, z[k]), (l, 1, K))
    cost = (J, -sp.Sum(y[l] * sp.log(h_l), (l, 1, K)))
    return (
        claim("dLSE/dz_k", "softmax is the gradient of log-sum-exp, for any K",
              sp.Derivative(LSE, z[k]), [h_k], ctx, where=(lse_is, h_k_is),
              title=r"\text{softmax is the gradient of LSE}"),
        claim("d2LSE/dz_k dz_l", "the softmax Jacobian is the Hessian of log-sum-exp",
              sp.Derivative(LSE, z[k], z[l]), [hessian], ctx, where=(lse_is, h_k_is, h_l_is),
              title=r"\text{the Jacobian is the Hessian of LSE}"),
        claim("J = LSE - y^T z", "the cost is log-sum-exp minus a linear function",
              J, [collected, lse_form], ctx, where=(cost, h_l_is, lse_is), one_hot_from=1,
              title=r"\text{the cost through LSE}"),
        claim("one line", "the gradient of LSE(z) - y^T z, in one line",
              one_line, [rule, h_k - y[k]], ctx, where=(h_k_is,),
              title=r"\text{the gradient in one line}"),
        claim("vjp", "the vector-Jacobian product of softmax, for any g",
              vjp_lhs, [entries, h_k * _minus(g[k], gh)], ctx, where=(h_k_is, h_l_is),
              title=r"\text{the vector-Jacobian product}"),
        claim("vjp of J", "with g = dJ/dh = -y/h the product is h - y",
              vjp_lhs, [h_k * _minus(g[k], gh), gathered, h_k - y[k]], ctx,
              where=((g[l], -y[l] / h_l), (g[k], -y[k] / h_k), h_k_is, h_l_is),
              one_hot_from=2,
              title=r"\text{the product for the cross-entropy}"),
    )  # fmt: skip


@functools.cache
def second_proof_of_23() -> tuple[Step, ...]:
    """The article's (23) by the log-sum-exp route, for any number of classes K.

    With the article's logits ``z_l = Theta_l0 + Theta_l1 x_1`` (``x_0 = 1``) and
    ``J = LSE(z) sum_l y_l - sum_l y_l z_l`` (proven by :func:`lse_proofs`),
    ``dJ/dTheta_kj = d/dTheta_kj (LSE(z) - sum_l y_l z_l) = (h_k - y_k) x_j``
    for j = 0 and 1; the first equals sign uses ``sum_l y_l = 1`` (displayed).
    ``LSE(z)`` is not defined again in the display: the two claims before it define it.

    Returns
    -------
    tuple of Step
        The three claims the document writes: ``"dLSE/dz_k"``,
        ``"J = LSE - y^T z"`` (from :func:`lse_proofs`) and ``"23 by LSE"``.

    Examples
    --------
    >>> [s.holds() for s in second_proof_of_23()]
    [True, True, True]
    >>> second_proof_of_23()[-1].check(one_hot=False)
    (False, True)
    """
    K, k, l, q, z, y, _, h_k, _, J, den, LSE, _, ctx = lse_symbols()
    x1 = X_I[1]
    logits = {z[i]: THETA[i, 0] + THETA[i, 1] * x1 for i in (k, l, q)}
    theta_ctx = replace(ctx, definitions={**ctx.definitions, **logits})
    linear = sp.Sum(y[l] * z[l], (l, 1, K))
    with sp.evaluate(False):
        cost = sp.Add(LSE * ctx.labels, -linear)
        route = sp.Derivative(sp.Add(LSE, -linear), THETA[k, j_])
        result = sp.Mul(sp.Add(h_k, -y[k]), X_I[j_])
        logit = sp.Add(THETA[l, 0], THETA[l, 1] * x1)
    by_lse = claim(
        "23 by LSE", "(23) again, by log-sum-exp, for any K", sp.Derivative(J, THETA[k, j_]),
        [route, result], theta_ctx,
        where=((J, cost), (z[l], logit), (X_I[0], sp.Integer(1)), (h_k, sp.exp(z[k]) / den)),
        indices=((j_, (0, 1)),), one_hot_from=0,
        title=r"(23)\text{ by log-sum-exp, any } K",
    )  # fmt: skip
    proofs = {s.key: s for s in lse_proofs()}
    return proofs["dLSE/dz_k"], proofs["J = LSE - y^T z"], by_lse


@functools.cache
def covariance_proofs(classes: int = 3) -> tuple[Step, ...]:
    """The one-hot class drawn from h: its mean, second moment and covariance, for explicit K.

    Parameters
    ----------
    classes : int, default 3
        K, from 2 to 10.

    Returns
    -------
    tuple of Step
        ``"mean"``: the sum over k of ``h_k`` times column k of the identity
        matrix is h (E[o], o the one-hot outcome);
        ``"second moment"``: the same sum of ``h_k`` times column k times its
        transpose is ``diag(h)`` (E[o o^T]);
        ``"hessian of LSE"``: ``nabla^2 LSE(z) = diag(h) - hh^T`` = E[oo^T] - E[o] E[o]^T,
        the covariance of o, with the K x K second derivatives of LSE shown once,
        as the definition of ``nabla^2 LSE(z)``;
        ``"null vector"``: ``nabla^2 LSE(z) (r 1 + d) = nabla^2 LSE(z) d`` for
        any number r and direction d, using ``sum_k h_k = 1`` (displayed), with
        ``nabla^2 LSE(z)`` shown once as its entries ``h_k (delta_kl - h_l)``:
        1 is a null vector;
        ``"row sum"``: the off-diagonal magnitudes of row 1 add up to
        ``h_1 (1 - h_1)``, the diagonal entry (using ``sum_k h_k = 1``);
        ``"square"``: ``1/2 - 2 h_1 (1 - h_1) = 2 (h_1 - 1/2)^2``.

    Notes
    -----
    The last two are the identities of an argument that is not itself a proof
    by SymPy: by Gershgorin's circle theorem every eigenvalue lies within the
    off-diagonal row sum of a diagonal entry, so ``mu <= 2 h_k (1 - h_k)``
    for some k, and ``2 h_k (1 - h_k) <= 1/2`` because a square is >= 0.

    Examples
    --------
    >>> [s.holds() for s in covariance_proofs(2)]
    [True, True, True, True, True, True]
    """
    K = check_classes(classes)
    z, _, h, _, model_ctx = logit_model(K)
    LSE = sp.Symbol(r"\operatorname{LSE}(z)")
    lse_ctx = replace(model_ctx, definitions={**model_ctx.definitions,
                                              LSE: sp.log(sp.Add(*map(sp.exp, z)))})  # fmt: skip
    total = sp.Add(*h, evaluate=False)
    distribution = Context({}, one_hot={h[-1]: 1 - sp.Add(*h[:-1])}, labels=total)
    unit = [sp.ImmutableMatrix(K, 1, lambda a, _, k=k: 1 if a == k else 0) for k in range(K)]
    hv = sp.ImmutableMatrix(h)
    diag = sp.ImmutableMatrix(sp.diag(*h))
    cov = sp.ImmutableMatrix(K, K, lambda a, b: h[a] * ((1 if a == b else 0) - h[b]))
    d = sp.ImmutableMatrix(sp.symbols(f"d_1:{K + 1}"))
    r = sp.Symbol("r")
    ones = sp.ImmutableMatrix.ones(K, 1)
    hessian = sp.ImmutableMatrix(K, K, lambda a, b: sp.Derivative(LSE, z[a], z[b]))
    nabla2 = sp.MatrixSymbol(r"\nabla^{2} \operatorname{LSE}(z)", K, K)  # named: written once
    with sp.evaluate(False):
        mean = sp.MatAdd(*(sp.MatMul(hk, col) for hk, col in zip(h, unit, strict=True)))
        second = sp.MatAdd(*(sp.MatMul(hk, col, col.T) for hk, col in zip(h, unit, strict=True)))
        centred = sp.MatAdd(diag, sp.MatMul(-1, hv, hv.T))
        shifted = sp.MatMul(nabla2, sp.MatAdd(sp.MatMul(r, ones), d))
        row = sp.Add(*(h[0] * hl for hl in h[1:]))
        factored = h[0] * sp.Add(*h[1:])
        diagonal = h[0] * sp.Add(1, -h[0])
        bound = sp.Add(sp.Rational(1, 2), -2 * h[0] * sp.Add(1, -h[0]))
        square = 2 * sp.Pow(sp.Add(h[0], -sp.Rational(1, 2)), 2)
    return (
        claim("mean", "the mean of the one-hot class drawn from h is h", mean, [hv],
              distribution, title=r"\text{the mean}"),
        claim("second moment", "its second moment is diag(h)", second, [diag], distribution,
              title=r"\text{the second moment}"),
        claim("hessian of LSE", "the Hessian of LSE is the covariance of o", nabla2,
              [centred], lse_ctx, where=((nabla2, hessian),),
              title=r"\text{the Hessian of LSE is a covariance}"),
        claim("null vector", "moving the logits along 1 changes nothing", shifted,
              [sp.MatMul(nabla2, d)], distribution, one_hot_from=0, where=((nabla2, cov),),
              title=r"\text{the null vector } 1"),
        claim("row sum", "the off-diagonal row sum equals the diagonal entry", row,
              [factored, diagonal], distribution, one_hot_from=1,
              title=r"\text{a row of the covariance}"),
        claim("square", "twice a variance h(1 - h) is at most 1/2", bound, [square],
              distribution, title=r"\text{the bound one half}"),
    )  # fmt: skip


@functools.cache
def information_proofs(classes: int = 3) -> tuple[Step, ...]:
    """Cross-entropy is entropy plus KL divergence, proven for explicit K and positive y, h.

    Parameters
    ----------
    classes : int, default 3
        K, from 2 to 10.

    Returns
    -------
    tuple of Step
        ``"cross-entropy"``: ``-sum_k y_k log h_k = ℋ(y) + KL(y || h)`` with the
        entropy ``ℋ(y) = -sum_k y_k log y_k`` (a script H: ``H`` is the matrix of
        hypotheses) and ``KL(y || h) = sum_k y_k log(y_k / h_k)`` (displayed as
        definitions).  No sum to one is needed.

    Examples
    --------
    >>> [s.holds() for s in information_proofs(2)]
    [True]
    """
    K = check_classes(classes)
    y = sp.symbols(f"y_1:{K + 1}", positive=True)
    h = sp.symbols(f"h_1:{K + 1}", positive=True)
    cal_h, KL = sp.Symbol(r"\mathcal{H}(y)"), sp.Symbol(r"\operatorname{KL}(y \,\|\, h)")
    with sp.evaluate(False):
        cross = sp.Add(*(-yk * sp.log(hk) for yk, hk in zip(y, h, strict=True)))
        ent = sp.Add(*(-yk * sp.log(yk) for yk in y))
        kl = sp.Add(*(yk * sp.log(yk / hk) for yk, hk in zip(y, h, strict=True)))
        split = sp.Add(cal_h, KL)
    return (
        claim("cross-entropy", "cross-entropy is entropy plus KL divergence", cross, [split],
              Context({}), where=((cal_h, ent), (KL, kl)),
              title=r"\text{cross-entropy} = \text{entropy} + \text{KL}"),
    )  # fmt: skip


# =========================================================================== NumPy
def _widen(z: np.ndarray) -> np.ndarray:
    return z.astype(np.float32) if z.dtype == np.float16 else z


def logsumexp(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """``log sum_l exp(z_l)`` along the class axis, finite for any finite logits.

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits, K >= 2, finite; float32 or float64 (float16 is computed in float32).
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, shape ``z.shape`` without ``axis``
        LSE of each slice, in the dtype of ``z``.

    Notes
    -----
    With ``z_max`` the largest logit,
    ``LSE(z) = z_max + log1p(sum_{l != argmax} e^{z_l - z_max})``:
    no exponential overflows (the largest is left out, it is 1), and ``log1p``
    keeps the small sum that ``log(1 + small)`` would round away.  Its gradient is
    :func:`derivation.numeric.softmax`, its Hessian
    :func:`derivation.numeric.softmax_jacobian`.

    Raises
    ------
    ValueError
        For fewer than two classes, an empty batch, NaN or infinite logits, or
        an integer or boolean array.

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]))  # 1000 + log 2, where exp(1000) overflows
    1000.6931471805599
    >>> logsumexp([[0.0, -100.0]])  # log1p keeps e^-100
    array([3.72007598e-44])
    """
    z = check_logits(z, axis=axis)
    wide = np.moveaxis(_widen(z), axis, -1)
    top = wide.argmax(axis=-1)[..., None]
    z_max = np.take_along_axis(wide, top, axis=-1)
    shifted = np.exp(wide - z_max)
    np.put_along_axis(shifted, top, 0, axis=-1)
    out = z_max[..., 0] + np.log1p(shifted.sum(axis=-1))
    return out.astype(z.dtype, copy=False)


def _distribution(p: ArrayLike, name: str, axis: int = -1) -> np.ndarray:
    """``p`` as a float array of probability vectors along ``axis`` (>= 0, summing to 1)."""
    p = check_logits(p, name, axis=axis)
    if p.min() < 0:
        raise ValueError(f"{name} has a negative entry ({p.min():g}); expected probabilities, >= 0")
    sums = p.sum(axis=axis)
    tol = 64 * np.finfo(p.dtype).eps * p.shape[axis]
    if np.any(np.abs(sums - 1) > tol):
        raise ValueError(
            f"{name} must sum to 1 along axis {axis} (a probability vector); got sums from "
            f"{sums.min():.6g} to {sums.max():.6g}"
        )
    return p


def _same_shape(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{names} must have the same shape, got {a.shape} and {b.shape}")


def vjp(h: ArrayLike, g: ArrayLike, axis: int = -1) -> np.ndarray:
    """The vector-Jacobian product of softmax, ``(dh/dz)^T g = h * (g - <g, h>)``, in O(K).

    Parameters
    ----------
    h : array_like, shape (..., K)
        Softmax outputs (probability vectors along ``axis``).
    g : array_like, shape (..., K)
        The upstream gradient ``dJ/dh``, finite.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, shape (..., K)
        ``sum_l g_l dh_l/dz_k = h_k (g_k - sum_l g_l h_l)`` for every k: the
        product with ``diag(h) - hh^T`` (symmetric), without building it, so
        O(K) time and memory per row instead of O(K^2).

    Raises
    ------
    ValueError
        If ``h`` is not a probability vector, ``g`` is not finite, or the shapes differ.

    See Also
    --------
    derivation.routes.vjp_route_grad : the student's route, this product with
        ``g = -y / h`` from logits and labels (``h - y``, division included).

    Examples
    --------
    >>> vjp([0.5, 0.5], [1.0, 0.0])
    array([ 0.25, -0.25])
    """
    h = _distribution(h, "h", axis)
    g = as_float(g, "g")
    check_finite(g, "g")
    _same_shape(h, g, "h and g")
    return h * (g - (g * h).sum(axis=axis, keepdims=True))


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x log y`` with ``0 log y = 0`` (the limit), for x >= 0."""
    with np.errstate(divide="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def entropy(y: ArrayLike, axis: int = -1) -> np.ndarray:
    """The entropy ``-sum_k y_k log y_k`` of probability vectors, ℋ(y) (``0 log 0 = 0``).

    Parameters
    ----------
    y : array_like, shape (..., K)
        Probability vectors along ``axis``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, shape ``y.shape`` without ``axis``
        In nats; 0 for a one-hot vector, ``log K`` for the uniform one.

    Raises
    ------
    ValueError
        If ``y`` is not a probability vector (negative, not summing to 1, NaN, K < 2).

    Examples
    --------
    >>> entropy([[1.0, 0.0], [0.5, 0.5]]).round(4)
    array([0.    , 0.6931])
    """
    y = _distribution(y, "y", axis)
    return -_xlogy(y, y).sum(axis=axis) + 0.0


def kl_divergence(y: ArrayLike, h: ArrayLike, axis: int = -1) -> np.ndarray:
    """The Kullback-Leibler divergence ``KL(y || h) = sum_k y_k log(y_k / h_k)``.

    Parameters
    ----------
    y, h : array_like, shape (..., K)
        Probability vectors along ``axis``; terms with ``y_k = 0`` are 0.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, shape without ``axis``
        >= 0 (a sum that rounds below 0 is returned as 0), and 0 when ``h = y``;
        ``inf`` where some ``y_k > 0`` has ``h_k = 0``.

    Raises
    ------
    ValueError
        If either is not a probability vector, or the shapes differ.

    Examples
    --------
    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    >>> float(kl_divergence([1.0, 0.0], [0.5, 0.5])).__round__(4)  # log 2
    0.6931
    """
    y, h = _distribution(y, "y", axis), _distribution(h, "h", axis)
    _same_shape(y, h, "y and h")
    with np.errstate(divide="ignore"):
        ratio = np.where(y > 0, y / np.where(y > 0, h, 1.0), 1.0)
    return np.maximum(_xlogy(y, ratio).sum(axis=axis), 0.0)  # >= 0: rounding is clipped


def distribution_cross_entropy(y: ArrayLike, h: ArrayLike, axis: int = -1) -> np.ndarray:
    """The cross-entropy ``-sum_k y_k log h_k`` of two probability vectors (soft labels too).

    Parameters
    ----------
    y, h : array_like, shape (..., K)
        The labels (any probability vector, not only one-hot) and the hypotheses.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, shape without ``axis``
        ``entropy(y) + kl_divergence(y, h)``; ``inf`` where some ``y_k > 0`` has ``h_k = 0``.
        For logits, :func:`derivation.numeric.cross_entropy` is the accurate route.

    Raises
    ------
    ValueError
        If either is not a probability vector, or the shapes differ.

    Examples
    --------
    >>> float(distribution_cross_entropy([0.5, 0.5], [0.5, 0.5])).__round__(4)  # log 2
    0.6931
    """
    y, h = _distribution(y, "y", axis), _distribution(h, "h", axis)
    _same_shape(y, h, "y and h")
    return -_xlogy(y, h).sum(axis=axis) + 0.0


def one_hot_moments(h: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, second moment and covariance of the one-hot outcome ``o``, a class drawn from h.

    Computed from the definition, as sums over the K outcomes (the columns of
    the identity matrix) with probabilities ``h_k``, not from the formula
    ``diag(h) - hh^T``.

    Parameters
    ----------
    h : array_like, shape (..., K)
        Probability vectors.

    Returns
    -------
    mean : ndarray, shape (..., K)
        ``E[o]``: the sum over k of ``h_k`` times column k of the identity.
    second : ndarray, shape (..., K, K)
        ``E[o o^T]``: the same sum of ``h_k`` times column k times its transpose.
    covariance : ndarray, shape (..., K, K)
        ``E[o o^T] - E[o] E[o]^T``.

    Examples
    --------
    >>> mean, second, cov = one_hot_moments([0.5, 0.5])
    >>> cov
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    h = _distribution(h, "h")
    units = np.eye(h.shape[-1])
    mean = np.einsum("...k,kl->...l", h, units)
    second = np.einsum("...k,kl,km->...lm", h, units, units)
    return mean, second, second - mean[..., :, None] * mean[..., None, :]


def sample_one_hot(h: ArrayLike, size: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``size`` classes from one probability vector h, as one-hot rows.

    Parameters
    ----------
    h : array_like, shape (K,)
        A probability vector.
    size : int
        How many draws, >= 1.
    rng : numpy.random.Generator
        The source of randomness (no global state).

    Returns
    -------
    ndarray, shape (size, K)
        One-hot rows.

    Examples
    --------
    >>> sample_one_hot([0.0, 1.0], 2, np.random.default_rng(0))
    array([[0., 1.],
           [0., 1.]])
    """
    h = _distribution(h, "h")
    if h.ndim != 1:
        raise ValueError(f"h must be one probability vector, shape (K,); got shape {h.shape}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a whole number >= 1, got {size!r}")
    classes = rng.choice(h.shape[0], size=int(size), p=h / h.sum())
    return np.eye(h.shape[0])[classes]


def hessian_eigen(z: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues and eigenvectors of ``nabla^2 LSE(z) = diag(h) - hh^T``, h = softmax(z).

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits.

    Returns
    -------
    eigenvalues : ndarray, shape (..., K)
        Ascending; the first is 0 (up to rounding), along ``1 / sqrt(K)``, and
        all lie in [0, 1/2].
    eigenvectors : ndarray, shape (..., K, K)
        Unit eigenvectors in the columns, in the same order.

    Examples
    --------
    >>> hessian_eigen([0.0, 0.0])[0].round(4) + 0.0
    array([0. , 0.5])
    """
    values, vectors = np.linalg.eigh(softmax_jacobian(z))
    return values, vectors


def variance_along(h: ArrayLike, d: ArrayLike) -> np.ndarray:
    """``Var[d^T o]`` for the one-hot o drawn from h: ``sum_k h_k (d_k - dbar)^2``.

    Parameters
    ----------
    h : array_like, shape (..., K)
        Probability vectors.
    d : array_like, shape (..., K)
        A direction; ``d^T o = d_k`` when class k is drawn.

    Returns
    -------
    ndarray, shape (...)
        The variance, with ``dbar = sum_k h_k d_k``; equal to ``d^T (diag h - hh^T) d``.

    Examples
    --------
    >>> float(variance_along([0.5, 0.5], [1.0, -1.0]))
    1.0
    """
    h = _distribution(h, "h")
    d = as_float(d, "d")
    check_finite(d, "d")
    _same_shape(h, d, "h and d")
    mean = (h * d).sum(axis=-1, keepdims=True)
    return (h * (d - mean) ** 2).sum(axis=-1)


def gershgorin_bound(h: ArrayLike) -> np.ndarray:
    """``max_k 2 h_k (1 - h_k)``: no eigenvalue of ``diag(h) - hh^T`` is larger, and it is <= 1/2.

    Row k has the diagonal entry ``h_k (1 - h_k)`` and off-diagonal magnitudes
    that add up to the same (:func:`covariance_proofs`), so Gershgorin's circle
    theorem puts every eigenvalue in ``[0, 2 h_k (1 - h_k)]`` for some k.

    Parameters
    ----------
    h : array_like, shape (..., K)
        Probability vectors.

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    >>> float(gershgorin_bound([0.5, 0.5]))
    0.5
    """
    h = _distribution(h, "h")
    return (2 * h * (1 - h)).max(axis=-1)


def eigenvalue_figure(a: ArrayLike, *, every: int = 8, ax: Axes | None = None) -> Axes:
    """The eigenvalues of ``nabla^2 LSE`` for the logits ``z = (a, 0, 0)``, and the variances.

    Lines: the three eigenvalues against a; markers (every ``every``-th a):
    ``Var[d^T o]`` along each unit eigenvector d, which lie on the lines; a dashed
    line at the bound 1/2.  Imports matplotlib when called (the module does not).

    Parameters
    ----------
    a : array_like, 1-D
        The first logit; the others are 0.
    every : int, default 8
        Put a variance marker at every ``every``-th value of a.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from .style import CLASS_COLOURS, LINE_STYLES, MARKERS

    a = as_float(np.atleast_1d(a), "a")
    check_finite(a, "a")
    if a.ndim != 1 or a.size < 2:
        raise ValueError(f"a must be a 1-D array of at least 2 values, got shape {a.shape}")
    z = np.stack([a, np.zeros_like(a), np.zeros_like(a)], axis=-1)
    values, vectors = hessian_eigen(z)
    h = softmax(z)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    names = ("smallest (along $\\mathbf{1}$)", "middle", "largest")
    for i in range(3):
        ax.plot(a, values[:, i], color=CLASS_COLOURS[i], linestyle=LINE_STYLES[i],
                label=f"{names[i]} eigenvalue")  # fmt: skip
        marks = slice(None, None, every)
        spread = variance_along(h[marks], vectors[marks, :, i])
        ax.plot(a[marks], spread, MARKERS[i], color=CLASS_COLOURS[i], fillstyle="none")
    ax.axhline(0.5, color="#555555", linestyle=(0, (4, 3)), linewidth=1,
               label="bound $1/2$")  # fmt: skip
    ax.plot([], [], "o", color="#555555", fillstyle="none",
            label=r"$\mathrm{Var}[d^\top o]$ along its eigenvector $d$")  # fmt: skip
    ax.set_xlabel("$a$, with logits $z = (a, 0, 0)$")
    ax.set_ylabel(r"eigenvalue of $\nabla^2 \operatorname{LSE}(z)$")
    ax.set_ylim(-0.02, 0.56)
    ax.legend(loc="center left", fontsize=8, frameon=False)
    return ax

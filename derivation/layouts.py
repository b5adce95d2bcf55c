"""Shapes and layouts: the one gradient written as ``(H - Y)^T X`` or as ``X^T (H - Y)``.

The article keeps one row of parameters per class, ``Theta`` of shape (K, D),
and its gradient is ``(H - Y)^T X`` (K x D).  CS231n and most code keep one
column per class, ``W = Theta^T`` of shape (D, K), so that the logits are
``X W``; the gradient is then ``X^T (H - Y)`` (D x K), the transpose of the
same numbers.  :func:`theta_gradient` gives either; :func:`factor_shapes` says
the shape of each factor (for a reader to follow); :func:`layout_proof` proves
the two equal entry by entry for any number of samples m.

The same choice comes back for the derivative of a vector by a vector.  In
numerator layout ``dz/dx`` has one row per output (``z = Theta x`` gives
``dz/dx = Theta``); in denominator layout it is the transpose.  A gradient
``g = dJ/dz`` is pulled back as the vector-Jacobian product ``g^T (dz/dx)`` in
numerator layout, or ``(dz/dx) g`` in denominator layout (:func:`vjp`); mixing
the two multiplies by the wrong side, which is harmless only for a symmetric
Jacobian such as the softmax's.
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike
from sympy.matrices.expressions.matexpr import MatrixElement

from .article import theta_grad
from .checks import as_float, check_finite
from .symbolic import Context, Step, claim
from .symbolic.notation import H_I, X_I, Y_I, i_, j_, k_, m_

__all__ = [
    "JACOBIAN_LAYOUTS",
    "LAYOUTS",
    "factor_shapes",
    "jacobian",
    "layout_proof",
    "theta_gradient",
    "vjp",
]

Layout = Literal["article", "cs231n"]
JacobianLayout = Literal["numerator", "denominator"]
#: parameter layouts: the article's Theta (K x D) and CS231n's W = Theta^T (D x K)
LAYOUTS = ("article", "cs231n")
#: layouts of the derivative of a vector by a vector
JACOBIAN_LAYOUTS = ("numerator", "denominator")


def _check_layout(layout: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(layout, str) or layout not in allowed:
        raise ValueError(f"layout must be one of {allowed}, got {layout!r}")
    return layout


def theta_gradient(X: ArrayLike, Y: ArrayLike, params: ArrayLike, layout: Layout = "article"):
    """The gradient of the article's cost (5) in either parameter layout.

    Parameters
    ----------
    X : array_like, shape (m, D)
        Design matrix (first column of ones in the article).
    Y : array_like, shape (m, K) or (m,)
        One-hot rows, or class indices.
    params : array_like
        ``Theta`` of shape (K, D) for ``layout="article"``; ``W = Theta^T`` of
        shape (D, K) for ``layout="cs231n"``.
    layout : {"article", "cs231n"}, default "article"
        How the parameters are laid out.

    Returns
    -------
    ndarray
        ``(H - Y)^T X``, shape (K, D), for "article"; ``X^T (H - Y)``, shape
        (D, K), for "cs231n": always the shape of ``params``.  Both are
        computed by :func:`derivation.article.theta_grad`.

    Raises
    ------
    ValueError
        For an unknown layout, or shapes that do not fit together.

    Examples
    --------
    >>> from derivation.article import example_problem
    >>> X, Y, theta = example_problem()
    >>> theta_gradient(X, Y, theta.T, layout="cs231n").shape
    (2, 3)
    >>> np.array_equal(theta_gradient(X, Y, theta.T, "cs231n"), theta_gradient(X, Y, theta).T)
    True
    """
    _check_layout(layout, LAYOUTS)
    params = np.asarray(params)
    if params.ndim != 2:
        raise ValueError(f"params must be a matrix, got shape {params.shape}")
    if layout == "article":
        return theta_grad(params, X, Y)
    return theta_grad(params.T, X, Y).T


def factor_shapes(layout: Layout, m: int | str = "m", K: int = 3, d: int = 2) -> str:
    """Each factor of the gradient's formula with its shape, and the result's shape.

    Parameters
    ----------
    layout : {"article", "cs231n"}
        Which formula: ``(H - Y)^T X`` or ``X^T (H - Y)``.
    m : int or str, default "m"
        The number of samples (a whole number, or a name such as "m").
    K, d : int
        The numbers of classes, K, and of inputs, D.

    Returns
    -------
    str
        One line, e.g. ``"(H − Y)ᵀ: 3 × m, X: m × 2 → 3 × 2"``.

    Examples
    --------
    >>> factor_shapes("article")
    '(H − Y)ᵀ: 3 × m, X: m × 2 → 3 × 2'
    >>> factor_shapes("cs231n", m=5)
    'Xᵀ: 2 × 5, H − Y: 5 × 3 → 2 × 3'
    """
    _check_layout(layout, LAYOUTS)
    if not (isinstance(m, str) and m.isidentifier()) and not (
        isinstance(m, (int, np.integer)) and not isinstance(m, bool) and m >= 1
    ):
        raise ValueError(f"m must be a whole number >= 1 or a name, got {m!r}")
    for name, value in (("K", K), ("d", d)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if layout == "article":
        return f"(H − Y)ᵀ: {K} × {m}, X: {m} × {d} → {K} × {d}"
    return f"Xᵀ: {d} × {m}, H − Y: {m} × {K} → {d} × {K}"


def jacobian(theta: ArrayLike, layout: JacobianLayout = "numerator") -> np.ndarray:
    """The derivative of ``z = Theta x`` by ``x``, in either layout.

    Parameters
    ----------
    theta : array_like, shape (K, D)
        The linear map.
    layout : {"numerator", "denominator"}, default "numerator"
        Numerator layout: one row per output ``z_k`` (K x D), ``Theta`` itself.
        Denominator layout: one row per input ``x_j`` (D x K), ``Theta^T``.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> jacobian([[1.0, 2.0]], "denominator")
    array([[1.],
           [2.]])
    """
    _check_layout(layout, JACOBIAN_LAYOUTS)
    theta = as_float(theta, "theta")
    check_finite(theta, "theta")
    if theta.ndim != 2 or theta.size == 0:
        raise ValueError(f"theta must be a non-empty matrix, got shape {theta.shape}")
    return theta.copy() if layout == "numerator" else theta.T.copy()


def vjp(g: ArrayLike, jac: ArrayLike, layout: JacobianLayout = "numerator") -> np.ndarray:
    """Pull a gradient ``g = dJ/dz`` back through a Jacobian: ``dJ/dx``.

    Parameters
    ----------
    g : array_like, shape (K,)
        The gradient by the outputs.
    jac : array_like
        ``dz/dx``: shape (K, D) in numerator layout, (D, K) in denominator layout.
    layout : {"numerator", "denominator"}, default "numerator"
        The layout ``jac`` is in.

    Returns
    -------
    ndarray, shape (D,)
        ``g^T jac`` (numerator layout) or ``jac g`` (denominator layout): the
        same vector.

    Raises
    ------
    ValueError
        If ``g`` is not a vector whose length is the Jacobian's output size.

    Examples
    --------
    >>> vjp([1.0, 0.0], [[1.0, 2.0], [3.0, 4.0]])  # the first row: z_1's derivatives
    array([1., 2.])
    >>> vjp([1.0, 0.0], [[1.0, 3.0], [2.0, 4.0]], "denominator")
    array([1., 2.])
    """
    _check_layout(layout, JACOBIAN_LAYOUTS)
    g, jac = as_float(g, "g"), as_float(jac, "jac")
    check_finite(g, "g")
    check_finite(jac, "jac")
    outputs = 0 if layout == "numerator" else 1
    if jac.ndim != 2 or g.ndim != 1 or g.shape[0] != jac.shape[outputs]:
        raise ValueError(
            f"in {layout} layout g must be a vector of length jac.shape[{outputs}]; "
            f"got g of shape {g.shape} and jac of shape {jac.shape}"
        )
    return g @ jac if layout == "numerator" else jac @ g


@functools.cache
def layout_proof(classes: int = 3) -> Step:
    """Prove ``((H - Y)^T X)_kj = ((X^T (H - Y))^T)_kj = sum_i (h_k - y_k) x_j``.

    For every class k (``classes`` of them), both features j = 0, 1 and a
    symbolic number of samples m: the article's matrix and the transpose of
    CS231n's are the same matrix, and each entry is the article's (23).
    Nothing about the labels is used.

    Parameters
    ----------
    classes : int, default 3
        K, from 2 to 10.

    Returns
    -------
    Step

    Examples
    --------
    >>> layout_proof(2).check()
    (True, True)
    """
    if isinstance(classes, bool) or not isinstance(classes, int) or not 2 <= classes <= 10:
        raise ValueError(f"classes must be a whole number from 2 to 10, got {classes!r}")
    K = classes
    H, Y, X = (sp.MatrixSymbol(n, m_, c) for n, c in (("H", K), ("Y", K), ("X", 2)))
    diff = sp.MatAdd(H, sp.MatMul(-1, Y, evaluate=False), evaluate=False)
    article = sp.MatMul(sp.Transpose(diff), X, evaluate=False)
    cs231n = sp.Transpose(sp.MatMul(sp.Transpose(X), diff, evaluate=False))
    with sp.evaluate(False):
        summand = sp.Mul(sp.Add(H_I[k_, i_], -Y_I[k_, i_]), X_I[j_, i_])
    where = (
        (MatrixElement(H, i_, k_), H_I[k_, i_]),
        (MatrixElement(Y, i_, k_), Y_I[k_, i_]),
        (MatrixElement(X, i_, j_), X_I[j_, i_]),
    )
    return claim(
        "layouts", "the article's (H - Y)^T X is the transpose of CS231n's X^T (H - Y)",
        MatrixElement(article, k_, j_),
        [MatrixElement(cs231n, k_, j_), sp.Sum(summand, (i_, 1, m_))],
        Context({}), where=where,
        indices=((k_, tuple(range(1, K + 1))), (j_, (0, 1))),
        title=r"\text{two layouts, one gradient}",
    )  # fmt: skip

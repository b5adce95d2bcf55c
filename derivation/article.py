"""The article's model in NumPy: a feature and a bias, K classes, the cost (5), its gradient (23).

A sample is ``x = [1, x_1]`` (:func:`design_matrix`, equation (1)); the
parameters ``theta`` have one row per class, shape (K, 2); the hypotheses (2)-(4)
are ``H = softmax(X theta^T)`` (:func:`hypotheses`); the cost (5) is the summed
cross-entropy (:func:`cost`) and its gradient is ``(H - Y)^T X``
(:func:`theta_grad`), assembled from the chain rule's Parts by
:func:`article_parts`.  :func:`example_problem` is the small data set the
notebooks share.

Everything numerical comes from :mod:`derivation.numeric` (softmax, the loss and
``p - y``); the input checks from :mod:`derivation.checks`.  These names are also
reached as ``derivation.numeric.<name>``, where they lived first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .checks import as_float, check_finite, class_indices
from .numeric import cross_entropy, cross_entropy_grad, one_hot, softmax

__all__ = [
    "article_parts",
    "cost",
    "design_matrix",
    "example_problem",
    "hypotheses",
    "theta_grad",
]


def _check_problem(theta: ArrayLike, X: ArrayLike, *, allow_complex: bool = False):
    theta = as_float(theta, "theta", allow_complex=allow_complex)
    X = as_float(X, "X")
    check_finite(theta, "theta")
    check_finite(X, "X")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty (samples x features) matrix, got shape {X.shape}")
    if theta.ndim != 2 or theta.shape[1] != X.shape[1] or theta.shape[0] < 2:
        raise ValueError(
            f"theta must have shape (K, {X.shape[1]}) with K >= 2 classes to match "
            f"X of shape {X.shape}, got {theta.shape}"
        )
    return theta, X


def _problem_logits(theta: np.ndarray, X: np.ndarray, Y: ArrayLike | None = None):
    """The logits ``X @ theta.T`` (m, K), finite, and (if ``Y`` is given) Y's class indices.

    Messages name theta, X and Y, the caller's arguments, not the internal ``z``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        Z = X @ theta.T
    bad = ~np.isfinite(Z)
    if bad.any():
        i, k = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"the logits X @ theta.T are not finite at sample {i}, class {k} "
            f"(theta[{k}] = {theta[k]}, X[{i}] = {X[i]}): theta or X is too large"
        )
    if Y is None:
        return Z
    return Z, class_indices(Y, Z.shape, name="Y", logits="X @ theta.T")


def design_matrix(x1: ArrayLike) -> NDArray[np.float64]:
    """Prepend the bias entry x_0 = 1 to each sample's feature, as in (1).

    Parameters
    ----------
    x1 : array_like, shape (m,)
        The feature x_1 of each sample.

    Returns
    -------
    ndarray, shape (m, 2)
        Rows ``[1, x_1^(i)]``.

    Examples
    --------
    >>> design_matrix([2.0, -1.0])
    array([[ 1.,  2.],
           [ 1., -1.]])
    """
    x1 = as_float(x1, "x1")
    check_finite(x1, "x1")
    if x1.ndim != 1 or x1.size == 0:
        raise ValueError(f"x1 must be a non-empty 1-D array of features, got shape {x1.shape}")
    return np.column_stack([np.ones_like(x1), x1])


def hypotheses(theta: ArrayLike, X: ArrayLike) -> np.ndarray:
    """The hypotheses (2)-(4) for every sample: ``H = softmax(X theta^T)``.

    Parameters
    ----------
    theta : array_like, shape (K, n)
        One row of parameters per class (n = 2 in the article).
    X : array_like, shape (m, n)
        Design matrix, first column all ones.

    Returns
    -------
    ndarray, shape (m, K)
        ``H[i, k] = h_{k+1}(x^(i))``; rows sum to 1.
    """
    theta, X = _check_problem(theta, X, allow_complex=True)
    return softmax(_problem_logits(theta, X))


def cost(theta: ArrayLike, X: ArrayLike, Y: ArrayLike) -> np.generic:
    """The article's cost (5): ``J = -sum_i sum_k y_k^(i) log h_k(x^(i))``, a sum.

    Parameters
    ----------
    theta : array_like, shape (K, n)
        Parameters (complex allowed, for complex-step checks).
    X : array_like, shape (m, n)
        Design matrix.
    Y : array_like, shape (m, K) or (m,)
        One-hot rows, or integer class indices 0..K-1.

    Returns
    -------
    NumPy scalar
        The summed cross-entropy (no 1/m).
    """
    theta, X = _check_problem(theta, X, allow_complex=True)
    return cross_entropy(*_problem_logits(theta, X, Y), reduction="sum")


def theta_grad(theta: ArrayLike, X: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """The gradient (23) in matrix form: ``dJ/dtheta = (H - Y)^T X``.

    Parameters
    ----------
    theta : array_like, shape (K, n)
        Parameters.
    X : array_like, shape (m, n)
        Design matrix.
    Y : array_like, shape (m, K) or (m,)
        One-hot rows, or integer class indices 0..K-1.

    Returns
    -------
    ndarray, shape (K, n)
        Entry ``[k, j]`` is ``sum_i (h_k(x^(i)) - y_k^(i)) x_j^(i)``.

    Examples
    --------
    >>> X = design_matrix([2.0])
    >>> theta_grad(np.zeros((3, 2)), X, [0]).round(4)
    array([[-0.6667, -1.3333],
           [ 0.3333,  0.6667],
           [ 0.3333,  0.6667]])
    """
    theta, X = _check_problem(theta, X)
    return cross_entropy_grad(*_problem_logits(theta, X, Y)).T @ X


def article_parts(theta: ArrayLike, x1: float, y: int, k: int = 0, j: int = 0) -> np.ndarray:
    """The chain rule's Parts for one sample: ``(dJ/dh_l)(dh_l/dTheta_kj)`` for each l.

    Parts I, II, III of the article for ``k = 0`` (class 1); their sum is
    ``(h_k - y_k) x_j``, the article's (21) and (22).

    Parameters
    ----------
    theta : array_like, shape (K, 2)
        Parameters.
    x1 : float
        The sample's feature (``x_0 = 1`` is implied).
    y : int
        The sample's class index, 0..K-1.
    k : int, default 0
        Class of the parameter (0 for Theta_1j).
    j : int, default 0
        0 for the bias Theta_k0, 1 for Theta_k1.

    Returns
    -------
    ndarray, shape (K,)
        Part l is ``-y_l (delta_lk - h_k) x_j``: the ``1/h_l`` of ``dJ/dh_l``
        cancelled against the ``h_l`` of the quotient rule (so no division).

    Examples
    --------
    >>> article_parts(np.zeros((3, 2)), 2.0, 0).round(4)  # Part I, II, III of dJ/dTheta_10
    array([-0.6667,  0.    ,  0.    ])
    """
    theta, X = _check_problem(theta, design_matrix([float(x1)]))
    K = theta.shape[0]
    if not (0 <= k < K and j in (0, 1)):
        raise ValueError(f"expected 0 <= k < {K} and j in (0, 1), got k={k}, j={j}")
    h = hypotheses(theta, X)[0]
    onehot = one_hot(class_indices(np.array([y]), (1, K)), K)[0]
    delta = np.eye(K)[k]
    return -onehot * (delta - h[k]) * X[0, j] + 0.0  # + 0.0: no -0.0 for absent labels


def example_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A small fixed data set in the article's setting, used across the notebooks.

    Returns
    -------
    X : ndarray, shape (5, 2)
        Design matrix ``[1, x_1]`` for five samples.
    Y : ndarray, shape (5, 3)
        One-hot labels: classes 1, 1, 2, 3, 3 of the article.
    theta : ndarray, shape (3, 2)
        A parameter matrix that is not yet trained.
    """
    x1 = np.array([-2.0, -0.5, 0.5, 1.5, 2.5])
    Y = one_hot(np.array([0, 0, 1, 2, 2]), 3)
    theta = np.array([[0.2, -1.0], [0.1, 0.3], [-0.3, 0.8]])
    return design_matrix(x1), Y, theta

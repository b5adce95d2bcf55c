"""The article's softmax layer in NumPy: hypotheses, cost and the gradient (H - Y)^T X.

Conventions: samples on the first axis, classes on the last axis (``axis=-1``);
``X`` is the design matrix with a column of ones (x_0 = 1) and the feature x_1;
``theta`` has one row ``(Theta_k0, Theta_k1)`` per class, shape (K, 2).
Labels are one-hot rows ``Y`` of shape (m, K) or integer class indices 0..K-1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "cost",
    "design_matrix",
    "example_problem",
    "hypotheses",
    "log_softmax",
    "numerical_grad",
    "one_hot",
    "softmax",
    "theta_grad",
]


# --------------------------------------------------------------------------- validation
def _float_array(a: ArrayLike, name: str) -> NDArray[np.floating]:
    """Return ``a`` as a float array; reject booleans, objects, NaN and inf."""
    arr = np.asarray(a)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise ValueError(f"{name} must hold real numbers (a float array), got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)):
        bad = "NaN" if np.isnan(arr).any() else "inf"
        raise ValueError(f"{name} contains {bad}; expected finite numbers")
    return arr


def _check_logits(z: ArrayLike, axis: int = -1, name: str = "z") -> NDArray[np.floating]:
    """Validate logits and return them with the class axis moved last."""
    z = _float_array(z, name)
    if z.ndim == 0:
        raise ValueError(f"{name} must have a class axis (last axis), got a scalar")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis {axis} does not exist for {name} of shape {z.shape}")
    z = np.moveaxis(z, axis, -1)
    if z.shape[-1] < 2:
        raise ValueError(f"softmax needs at least two classes on the last axis, got {z.shape[-1]}")
    if z.size == 0:
        raise ValueError(f"{name} is empty (shape {z.shape}); expected at least one sample")
    return z


def one_hot(labels: ArrayLike, classes: int) -> NDArray[np.float64]:
    """Turn integer class indices into one-hot rows.

    Parameters
    ----------
    labels : array_like of int, shape (m,)
        Class indices ``0 .. classes - 1`` (class 1 of the article is index 0).
    classes : int
        Number of classes K (at least 2).

    Returns
    -------
    ndarray, shape (m, K)
        Row i has a 1 in column ``labels[i]`` and 0 elsewhere.

    Raises
    ------
    ValueError
        If labels are not whole numbers, out of range, or not one-dimensional.

    Examples
    --------
    >>> one_hot([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"classes must be a whole number >= 2, got {classes!r}")
    lab = np.asarray(labels)
    if lab.ndim != 1:
        raise ValueError(f"labels must be one-dimensional class indices, got shape {lab.shape}")
    if lab.size == 0:
        raise ValueError("labels are empty; expected at least one sample")
    if lab.dtype.kind == "f" and np.all(np.isfinite(lab)) and np.all(lab == np.round(lab)):
        lab = lab.astype(np.int64)
    if lab.dtype.kind not in "iu":
        raise ValueError(f"labels must be integer class indices, got dtype {lab.dtype}")
    if lab.min() < 0 or lab.max() >= classes:
        raise ValueError(
            f"labels must lie in 0..{classes - 1} for {classes} classes, "
            f"got values from {lab.min()} to {lab.max()}"
        )
    return np.eye(classes)[lab]


def _targets(y: ArrayLike, m: int, classes: int) -> NDArray[np.floating]:
    """Accept one-hot rows (m, K) or integer indices (m,); return one-hot rows."""
    arr = np.asarray(y)
    if arr.ndim == 1 and arr.dtype.kind in "iu":
        if arr.shape[0] != m:
            raise ValueError(f"got {arr.shape[0]} labels for {m} samples; expected one per sample")
        return one_hot(arr, classes)
    arr = _float_array(arr, "Y")
    if arr.shape != (m, classes):
        raise ValueError(
            f"one-hot labels must have shape ({m}, {classes}) (samples x classes), got {arr.shape}"
        )
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("one-hot labels must contain only 0 and 1")
    sums = arr.sum(axis=-1)
    if not np.all(sums == 1):
        row = int(np.flatnonzero(sums != 1)[0])
        raise ValueError(
            f"each one-hot row must sum to 1 (exactly one class); row {row} sums to {sums[row]:g}"
        )
    return arr


def _check_problem(theta: ArrayLike, X: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    theta = _float_array(theta, "theta")
    X = _float_array(X, "X")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty (samples x features) matrix, got shape {X.shape}")
    if theta.ndim != 2 or theta.shape[1] != X.shape[1] or theta.shape[0] < 2:
        raise ValueError(
            f"theta must have shape (K, {X.shape[1]}) with K >= 2 classes to match "
            f"X of shape {X.shape}, got {theta.shape}"
        )
    return theta, X


# --------------------------------------------------------------------------- softmax
def softmax(z: ArrayLike, axis: int = -1) -> NDArray[np.floating]:
    """Softmax along the class axis, stable for any finite logits.

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits; K >= 2.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, same shape as ``z``
        Probabilities ``exp(z_k) / sum_l exp(z_l)``; each slice sums to 1.

    Notes
    -----
    The maximum of each slice is subtracted first.  Softmax does not change
    when a constant is added to every logit, and afterwards the largest
    exponent is ``exp(0) = 1``, so nothing overflows.

    Examples
    --------
    >>> softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    """
    z = _check_logits(z, axis)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.moveaxis(e / e.sum(axis=-1, keepdims=True), -1, axis)


def log_softmax(z: ArrayLike, axis: int = -1) -> NDArray[np.floating]:
    """Logarithm of the softmax, through log-sum-exp (no log of 0).

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, same shape as ``z``
        ``z_k - log sum_l exp(z_l)``.

    Examples
    --------
    >>> log_softmax([0.0, 0.0]).round(4)
    array([-0.6931, -0.6931])
    """
    z = _check_logits(z, axis)
    shifted = z - z.max(axis=-1, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return np.moveaxis(out, -1, axis)


# --------------------------------------------------------------------------- the article's model
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
    x1 = _float_array(x1, "x1")
    if x1.ndim != 1 or x1.size == 0:
        raise ValueError(f"x1 must be a non-empty 1-D array of features, got shape {x1.shape}")
    return np.column_stack([np.ones_like(x1), x1])


def hypotheses(theta: ArrayLike, X: ArrayLike) -> NDArray[np.floating]:
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
    theta, X = _check_problem(theta, X)
    return softmax(X @ theta.T)


def cost(theta: ArrayLike, X: ArrayLike, Y: ArrayLike) -> float:
    """The article's cost (5): ``J = -sum_i sum_k y_k^(i) log h_k(x^(i))``, a sum.

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
    float
        The summed cross-entropy (no 1/m), computed through log-softmax.
    """
    theta, X = _check_problem(theta, X)
    Y = _targets(Y, X.shape[0], theta.shape[0])
    return float(-(Y * log_softmax(X @ theta.T)).sum())


def theta_grad(theta: ArrayLike, X: ArrayLike, Y: ArrayLike) -> NDArray[np.floating]:
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
    Y = _targets(Y, X.shape[0], theta.shape[0])
    return (hypotheses(theta, X) - Y).T @ X


# --------------------------------------------------------------------------- checking
def numerical_grad(f: Callable[[np.ndarray], float], x: ArrayLike, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function, entry by entry.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to a float.
    x : array_like
        Point at which to differentiate (any shape).
    h : float, default 1e-6
        Step; the error is about ``h**2`` (truncation) plus ``eps / h`` (round-off).

    Returns
    -------
    ndarray, same shape as ``x``
        ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` for each entry i.
    """
    x = np.array(_float_array(x, "x"), dtype=np.float64)
    if not h > 0:
        raise ValueError(f"step h must be positive, got {h}")
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f(x)
        x[idx] = old - h
        down = f(x)
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


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

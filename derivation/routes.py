"""The student's routes to the gradient of softmax cross-entropy, kept as the student wrote them.

- :func:`jacobian_route_grad`: ``-Y / H`` times one ``K x K`` softmax Jacobian per
  row (the route of the student's question in notebook 04; O(n K^2), and NaN where a
  probability underflows);
- :func:`vjp_route_grad`: the same as a vector-Jacobian product, as autodiff
  frameworks compute it (O(n K), the same weakness);
- :func:`l2_loss_and_grad`: the L2 cost on the softmax output the student tried first.

Compare them with :func:`derivation.numeric.cross_entropy_grad`, ``p - y``.
These names are also reached as ``derivation.numeric.<name>``, where they lived first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_logits, class_indices
from .numeric import one_hot, softmax, softmax_jacobian

__all__ = ["jacobian_route_grad", "l2_loss_and_grad", "vjp_route_grad"]


def jacobian_route_grad(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The student's route (notebook 04): ``dE/dz_i = (-y_i / p_i) @ J_i`` per row.

    ``E = -sum(Y * log(P))`` (a sum).  Written as the student wrote it: the
    derivative of the loss by the probabilities, ``-Y / H``, times one
    ``K x K`` softmax Jacobian per row.  Mathematically equal to ``H - Y``.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits.
    y : array_like
        Integer class indices of shape (m,) or one-hot rows of shape (m, K).

    Returns
    -------
    ndarray, shape (m, K)
        The gradient by this route.  Where a probability underflows to 0,
        ``-Y / H`` is ``-inf`` or ``0/0 = NaN`` and the whole row turns NaN:
        that is the route's numerical weakness, kept on purpose (no warning).
        It also costs O(n K^2) time and memory instead of O(n K).
    """
    z = check_logits(z)
    if z.ndim != 2:
        raise ValueError(f"z must be a batch of rows, shape (m, K); got shape {z.shape}")
    Y = one_hot(class_indices(y, z.shape), z.shape[-1]).astype(z.dtype)
    P = softmax(z)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        dE_dP = -Y / P
        return np.einsum("nj,njk->nk", dE_dP, softmax_jacobian(z))


def vjp_route_grad(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The student's route as frameworks compute it: a vector-Jacobian product per row.

    ``g = dJ/dh = -y / h``, then ``g^T (diag(h) - h h^T) = h * (g - h . g)``
    (``h ∘ g - h (h·g)``) row by row, without ever storing a ``K x K``
    Jacobian: O(m K) time and memory, like a softmax layer's backward pass
    in an autodiff framework.  Mathematically equal to ``h - y``.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits.
    y : array_like
        Integer class indices of shape (m,) or one-hot rows of shape (m, K).

    Returns
    -------
    ndarray, shape (m, K)
        The gradient of ``J = -sum(Y * log(H))`` by this route.  The division
        ``-y / h`` is kept on purpose: where a probability underflows (or its
        reciprocal overflows) the row is no longer finite, exactly as on
        :func:`jacobian_route_grad`.

    Examples
    --------
    >>> vjp_route_grad([[0.0, 0.0]], [0])
    array([[-0.5,  0.5]])
    """
    z = check_logits(z)
    if z.ndim != 2:
        raise ValueError(f"z must be a batch of rows, shape (m, K); got shape {z.shape}")
    Y = one_hot(class_indices(y, z.shape), z.shape[-1]).astype(z.dtype)
    h = softmax(z)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        g = -Y / h
        return h * (g - (h * g).sum(axis=-1, keepdims=True))


def l2_loss_and_grad(z: ArrayLike, y: ArrayLike) -> tuple[np.generic, np.ndarray]:
    """An L2 cost on the softmax output, ``E = 1/2 sum (p - y)^2``, and its gradient.

    The student of notebook 04's question first trained with an L2 cost.  On a softmax
    output nothing cancels: ``dE/dz = J^T (p - y)`` with the Jacobian
    ``J = diag(p) - p p^T``, which is close to 0 wherever the softmax
    saturates, even when the prediction is wrong.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits.
    y : array_like
        Integer class indices of shape (m,) or one-hot rows.

    Returns
    -------
    loss : NumPy scalar
        ``1/2 sum (p - y)^2`` over all rows and classes.
    grad : ndarray, shape (m, K)
        ``(p - y) J`` for each row (J is symmetric).
    """
    z = check_logits(z)
    if z.ndim != 2:
        raise ValueError(f"z must be a batch of rows, shape (m, K); got shape {z.shape}")
    Y = one_hot(class_indices(y, z.shape), z.shape[-1]).astype(z.dtype)
    r = softmax(z) - Y
    return 0.5 * (r * r).sum(), np.einsum("nj,njk->nk", r, softmax_jacobian(z))

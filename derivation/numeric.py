"""Softmax, log-softmax, cross-entropy and its gradient ``p - y`` in NumPy: the reference.

What lives where
----------------
- here: :func:`softmax`, :func:`log_softmax`, :func:`softmax_jacobian`,
  :func:`one_hot`, and the loss with its gradient (:func:`cross_entropy`,
  :func:`cross_entropy_grad`, :func:`cross_entropy_and_grad`);
  :func:`reference_cross_entropy_and_grad` is the method of the last three
  written plainly, to be read;
- :mod:`derivation.fastpath`: what the three public cross-entropy functions run,
  the same method made fast (cache blocking, no shift where none is needed, a
  column loop, the correction below applied only where it matters); it agrees
  with the reference to the ulps its docstring states (``tests/test_fastpath.py``);
- :mod:`derivation.checks`: the input checks and their messages;
- :mod:`derivation.article` (the article's model: :func:`design_matrix`,
  :func:`hypotheses`, :func:`cost`, :func:`theta_grad`, :func:`article_parts`,
  :func:`example_problem`) and :mod:`derivation.routes` (the student's routes:
  :func:`jacobian_route_grad`, :func:`vjp_route_grad`, :func:`l2_loss_and_grad`).
  Both use this module, and their names are still reached here
  (``numeric.theta_grad``), loaded on first use.

Conventions: batch first, classes on the last axis.  Logits ``z`` have shape
``(..., K)`` with K >= 2; labels ``y`` are integer class indices ``0..K-1`` of
shape ``z.shape[:-1]`` or one-hot rows of shape ``z.shape``.  float32 and
float64 inputs keep their dtype.  float16 logits given to :func:`softmax`,
:func:`log_softmax`, :func:`softmax_jacobian` and the cross-entropy functions
are computed in float32 and the results returned as float16: in float16
itself a sum of K ones overflows from K = 65520 on (softmax would be 0
everywhere at K = 70 000), and ``exp`` overflows beyond 11.  The student's
routes keep the dtype they are given, weaknesses included.  Complex logits are
accepted by the functions that compute values (softmax, log-softmax,
cross-entropy, the article's cost), so that complex-step differentiation works
on them; see :mod:`derivation.gradcheck`.

Accuracy, in four steps
-----------------------
With ``m`` the largest logit of a row, ``d = z - m`` and ``e = exp(d)``:

1. The shift.  Softmax does not change when a constant is added to every
   logit; after subtracting ``m`` the largest ``e_k`` is 1, so nothing
   overflows and the row sum ``s = sum_k e_k`` is at least 1.

2. The loss as ``log1p`` of the others' sum.  With ``c`` the true class and
   ``others = sum_{k != c} e_k``, ``-log p_c = log(s / e_c) = log1p(others / e_c)``.
   When ``p_c >= 1/2`` that is how it is computed: ``log(1 + small)`` would
   round ``1 + small`` first (at a gap of 30 that loses 3 of the 16 digits, at
   100 all of them, and the loss of a confident row comes out 0).  When
   ``p_c < 1/2`` the loss is at least ``log 2`` and ``log(s) - d_c`` is accurate
   (and stays finite where ``e_c`` underflows).

3. ``p_c - 1`` as ``-sum_{k != c} p_k``.  When the true class has probability
   ``p ≈ 1``, ``p - 1`` rounds to 0 in float64 at a logit gap of about 37
   (NumPy, PyTorch and JAX all compute it that way).  Here that entry is
   ``-others / s``, which has no cancellation: within a few ulps of the exact
   value at any gap.

4. The TwoSum correction of ``z - m``.  ``d = fl(z - m)`` is rounded to half an
   ulp of ``d``, and ``exp(d)`` turns that absolute error into a relative one of
   up to ``|d| eps / 2``: about 350 ulps at a gap of 700.  So the exact error
   ``r`` of the subtraction is computed as well (TwoSum: ``d + r == z - m``
   exactly, :func:`_two_diff`) and ``exp(d + r)`` is taken as ``exp(d) (1 + r)``
   (``r`` is tiny: the first-order term is exact to far below an ulp).
   :func:`log_softmax` and the reference correct every entry; the fast path
   skips the correction where it cannot matter: rows whose maximum is far from 0
   need it nowhere (by Sterbenz's lemma ``z_k - m`` is exact for every entry
   that is not negligible against the sum), and entries ``e_k`` below
   ``2**-30 others / K`` change no row's sum by more than ``2**-22`` of an ulp
   and no gradient entry by more than ``2**-48`` of the row's largest
   probability; it also needs no shift at all while every logit of a block is
   within 345 (float64) or 38 (float32) of 0.  :func:`softmax` does not make
   this correction.

With these, :func:`log_softmax` and :func:`cross_entropy` are within 2 ulps of
mpmath on rows of 2 to 8 logits at every gap from 0 to 1e4 (the tests check 4;
the error of the row sum grows like ``log2 K`` ulps for longer rows), and
``cross_entropy(z[None], [c])`` agrees with ``-log_softmax(z)[c]`` to the same
ulps.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import fastpath
from .checks import check_finite, check_logits, check_reduction, class_indices

__all__ = [
    "article_parts",
    "cost",
    "cross_entropy",
    "cross_entropy_and_grad",
    "cross_entropy_grad",
    "design_matrix",
    "example_problem",
    "hypotheses",
    "jacobian_route_grad",
    "l2_loss_and_grad",
    "log_softmax",
    "one_hot",
    "reference_cross_entropy_and_grad",
    "softmax",
    "softmax_jacobian",
    "theta_grad",
    "vjp_route_grad",
]

if TYPE_CHECKING:  # for readers and type checkers; at run time, __getattr__ below
    from .article import (
        article_parts,
        cost,
        design_matrix,
        example_problem,
        hypotheses,
        theta_grad,
    )
    from .routes import jacobian_route_grad, l2_loss_and_grad, vjp_route_grad

#: names that live in modules built on this one, still reached as ``numeric.<name>``
_ELSEWHERE = {
    **dict.fromkeys(
        ("article_parts", "cost", "design_matrix", "example_problem", "hypotheses", "theta_grad"),
        "article",
    ),
    **dict.fromkeys(("jacobian_route_grad", "l2_loss_and_grad", "vjp_route_grad"), "routes"),
}

Reduction = Literal["sum", "mean"]


def __getattr__(name: str):
    """``numeric.theta_grad`` and the other names of :mod:`~derivation.article` and
    :mod:`~derivation.routes`, imported on first use (those modules import this one)."""
    if name in _ELSEWHERE:
        value = getattr(importlib.import_module(f".{_ELSEWHERE[name]}", __package__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_ELSEWHERE})


def _widen(z: np.ndarray) -> np.ndarray:
    """float16 as float32 (the precision the package computes float16 in); others as they are."""
    return z.astype(np.float32) if z.dtype == np.float16 else z


def _two_diff(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``d = fl(a - b)`` and its exact rounding error ``r``: ``d + r == a - b`` exactly.

    TwoSum (Knuth), for any magnitudes: ``back = d - a`` is ``-b`` rounded, and
    what the subtraction lost on either side is ``(a - (d - back)) - (b + back)``.
    ``r`` is 0 where ``d`` overflowed (a spread beyond the largest float).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.subtract(a, b)
        back = d - a
        r = (a - (d - back)) - (b + back)
    overflowed = ~np.isfinite(d)
    if overflowed.any():
        r[overflowed] = 0
    return d, r


# --------------------------------------------------------------------------- labels
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


# --------------------------------------------------------------------------- softmax
def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Softmax along the class axis, finite for any finite logits.

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits, K >= 2; float32, float64 or complex.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, same shape and dtype as ``z``
        ``p_k = exp(z_k) / sum_l exp(z_l)``; each slice sums to 1.

    Notes
    -----
    The maximum of each slice is subtracted first.  Softmax does not change when
    a constant is added to every logit, and afterwards the largest exponent is
    ``exp(0) = 1``: nothing overflows, and the sum is at least 1.

    Examples
    --------
    >>> softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    >>> softmax(np.zeros((3, 1)), axis=0).ravel().round(4)  # classes on axis 0
    array([0.3333, 0.3333, 0.3333])
    """
    z = check_logits(z, allow_complex=True, axis=axis)
    wide = np.moveaxis(_widen(z), axis, -1)
    e = np.exp(wide - wide.real.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return np.moveaxis(e.astype(z.dtype, copy=False), -1, axis)


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Logarithm of the softmax, through log-sum-exp (never ``log(0)``).

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, same shape and dtype as ``z``
        ``z_k - log sum_l exp(z_l)``.

    Notes
    -----
    With ``m`` the largest logit of a row, ``d = z - m`` (and its exact rounding
    error ``r``) and ``e = exp(d)``, which is 1 at the maximum:

        log_softmax(z)_k = d_k + r_k - log1p(sum_{l != argmax} e_l)

    ``log1p`` keeps the largest entry, ``-log1p(small)``, accurate where
    ``log(1 + small)`` would round ``1 + small`` (at a gap of 30 that lost 3 of
    the 16 digits, and at 100 all of them).  Within 2 ulps of the exact value
    (mpmath) for every entry at every gap (see the module's docstring), and
    consistent with :func:`cross_entropy`: ``cross_entropy(z[None], [c]) ==
    -log_softmax(z)[c]`` to those ulps.

    Examples
    --------
    >>> log_softmax([0.0, 0.0]).round(4)
    array([-0.6931, -0.6931])
    >>> log_softmax([0.0, -100.0])  # the largest entry is -log1p(e^-100), not 0
    array([-3.72007598e-44, -1.00000000e+02])
    """
    z = check_logits(z, allow_complex=True, axis=axis)
    wide = np.moveaxis(_widen(z), axis, -1)
    top = wide.real.argmax(axis=-1)[..., None]
    d, r = _two_diff(wide, np.take_along_axis(wide, top, axis=-1))
    e = np.exp(d)
    e += e * r  # exp(d + r), to first order: r is at most half an ulp of d
    np.put_along_axis(e, top, 0, axis=-1)
    out = d - np.log1p(e.sum(axis=-1, keepdims=True))
    out += r
    return np.moveaxis(out.astype(z.dtype, copy=False), -1, axis)


def softmax_jacobian(z: ArrayLike) -> np.ndarray:
    """The softmax Jacobian ``diag(p) - p p^T`` of every row of logits.

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits.

    Returns
    -------
    ndarray, shape (..., K, K)
        ``J[..., j, k] = dp_j / dz_k = p_j (delta_jk - p_k)``.  Symmetric, and
        each row and column sums to zero.

    Notes
    -----
    The diagonal ``p_j (1 - p_j)`` is computed with ``1 - p_j`` written as the
    sum of the other probabilities for the largest ``p_j``, so it stays accurate
    when that probability is close to 1.

    Examples
    --------
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    z = check_logits(z)
    dtype, z = z.dtype, _widen(z)
    p = softmax(z)
    jac = -p[..., :, None] * p[..., None, :]
    rest = 1 - p
    top = p.argmax(axis=-1)[..., None]
    masked = p.copy()
    np.put_along_axis(masked, top, 0, axis=-1)
    np.put_along_axis(rest, top, masked.sum(axis=-1, keepdims=True), axis=-1)
    diagonal = np.einsum("...kk->...k", jac)  # a writable view of the diagonal
    diagonal[...] = p * rest
    return jac.astype(dtype, copy=False)


# --------------------------------------------------------------------------- cross-entropy
def _prepare(z: ArrayLike, y: ArrayLike, reduction: str, *, allow_complex: bool = False):
    """Validate; return logits, their rows as (n, K), and the class indices (n,).

    The finite check is left to the caller (the fast path does it block by
    block).  float16 rows come back as float32 (see the module's docstring).
    """
    check_reduction(reduction)
    z = check_logits(z, allow_complex=allow_complex, require_finite=False)
    idx = class_indices(y, z.shape)
    return z, np.ascontiguousarray(_widen(z).reshape(-1, z.shape[-1])), idx.reshape(-1)


def reference_cross_entropy_and_grad(
    z: ArrayLike, y: ArrayLike, reduction: Reduction = "sum"
) -> tuple[np.generic, np.ndarray]:
    """The loss and its gradient by the method of this module, in plain NumPy (to read).

    What :func:`cross_entropy_and_grad` computes, without the devices of
    :mod:`derivation.fastpath`: every row is shifted by its maximum and every
    entry corrected.  Slower (several passes over memory), and equal to it to
    the ulps stated in :mod:`derivation.fastpath`.

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits, float32 or float64 (float16 is computed in float32).
    y : array_like
        Integer class indices of shape ``z.shape[:-1]`` or one-hot rows.
    reduction : {"sum", "mean"}, default "sum"
        How the rows' losses are combined; "mean" divides loss and gradient by n.

    Returns
    -------
    loss : NumPy scalar
        As :func:`cross_entropy`.
    grad : ndarray, same shape and dtype as ``z``
        As :func:`cross_entropy_grad`.

    Examples
    --------
    >>> loss, grad = reference_cross_entropy_and_grad([[0.0, 40.0]], [1])
    >>> f"{loss:.6e}", f"{grad[0, 1]:.12e}"  # -log p_c and p_c - 1, neither rounded to 0
    ('4.248354e-18', '-4.248354255292e-18')
    """
    z, rows, c = _prepare(z, y, reduction)
    check_finite(rows, "z")
    n = rows.shape[0]
    i = np.arange(n)
    d, r = _two_diff(rows, rows.max(axis=1, keepdims=True))  # d + r == z - max, exactly
    e = np.exp(d)
    e += e * r  # exp(d + r) = exp(d) (1 + r), to far below an ulp
    e_c = e[i, c]
    e[i, c] = 0
    others = e.sum(axis=1)  # sum_{k != c} e_k
    s = others + e_c
    confident = e_c >= 0.5 * s  # p_c >= 1/2: -log p_c = log1p(others / e_c)
    with np.errstate(divide="ignore"):
        ratio = others / np.where(confident, e_c, 1)
    losses = np.where(confident, np.log1p(ratio), (np.log(s) - d[i, c]) - r[i, c])
    scale = (1.0 / n if reduction == "mean" else 1.0) / s
    grad = e * scale[:, None]  # p_k = e_k / s
    grad[i, c] = -others * scale  # p_c - 1 = -sum_{k != c} p_k
    loss = losses.sum()
    if reduction == "mean":
        loss = loss / n
    return z.dtype.type(loss), grad.reshape(z.shape).astype(z.dtype, copy=False)


def cross_entropy(z: ArrayLike, y: ArrayLike, reduction: Reduction = "sum") -> np.generic:
    """Cross-entropy of softmax(z) against the labels: ``-sum_i log p_{i, c_i}``.

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits; float32, float64 or complex (for complex-step checks).
    y : array_like
        Integer class indices of shape ``z.shape[:-1]`` or one-hot rows of
        shape ``z.shape``.
    reduction : {"sum", "mean"}, default "sum"
        ``"sum"`` as in the article and the student's code; ``"mean"`` divides
        by the number of rows n, as frameworks do.

    Returns
    -------
    NumPy scalar of the logits' dtype
        The loss.

    Notes
    -----
    ``-log p_c`` is computed as ``log1p(sum_{k != c} e_k / e_c)`` when
    ``p_c >= 1/2`` and as ``log sum_k e_k - (z_c - max)`` otherwise, with
    ``e = exp(z - max)``: accurate to a few ulps at any logit gap.

    Examples
    --------
    >>> float(cross_entropy([[0.0, 0.0]], [0]).round(4))
    0.6931
    >>> float(cross_entropy([[0.0, 60.0]], [1]))  # -log(1 - e^-60): exact, not 0
    8.75651076269652e-27
    """
    z, z2, idx = _prepare(z, y, reduction, allow_complex=True)
    loss = fastpath.loss_and_grad(z2, idx, want_grad=False)[0].sum()
    loss = loss / z2.shape[0] if reduction == "mean" else loss
    return loss if z2.dtype == z.dtype else z.dtype.type(loss)


def cross_entropy_grad(z: ArrayLike, y: ArrayLike, reduction: Reduction = "sum") -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits: ``p - y``.

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits, float32 or float64.
    y : array_like
        Integer class indices of shape ``z.shape[:-1]`` or one-hot rows.
    reduction : {"sum", "mean"}, default "sum"
        Must match the loss; "mean" divides the gradient by n.

    Returns
    -------
    ndarray, same shape and dtype as ``z``
        ``p - y`` (divided by n for "mean"); each row sums to zero.  The true
        class's entry ``p_c - 1`` is computed as ``-sum_{k != c} p_k``.

    Examples
    --------
    >>> cross_entropy_grad([[0.0, 0.0, 0.0]], [2]).round(4)
    array([[ 0.3333,  0.3333, -0.6667]])
    >>> f"{cross_entropy_grad([[0.0, 40.0]], [1])[0, 1]:.12e}"  # p - 1, not rounded to 0
    '-4.248354255292e-18'
    """
    return cross_entropy_and_grad(z, y, reduction)[1]


def cross_entropy_and_grad(
    z: ArrayLike, y: ArrayLike, reduction: Reduction = "sum", *, out: np.ndarray | None = None
) -> tuple[np.generic, np.ndarray]:
    """Loss and gradient in one pass over the logits (use this for training).

    Parameters
    ----------
    z : array_like, shape (..., K)
        Logits, float32 or float64.
    y : array_like
        Integer class indices of shape ``z.shape[:-1]`` or one-hot rows.
    reduction : {"sum", "mean"}, default "sum"
        How the rows' losses are combined.
    out : ndarray, optional
        A C-contiguous array of ``z``'s shape and dtype to write the gradient
        into (saves an allocation per call in a training loop).  May be ``z``
        itself, to overwrite the logits.  An ``out`` that overlaps ``z`` only
        in part (another view of the same buffer, shifted) is detected: the
        logits are then read from a copy, so the gradient is still right.

    Returns
    -------
    loss : NumPy scalar
        As :func:`cross_entropy`.
    grad : ndarray, same shape and dtype as ``z``
        As :func:`cross_entropy_grad` (``out`` if given).

    Notes
    -----
    Runs :func:`derivation.fastpath.loss_and_grad`: rows are processed in
    blocks of about 2**19 entries, so that the shift, the exponential, the row
    sums and the scaling of a block happen while it is in the CPU's cache.

    Examples
    --------
    >>> z = np.array([[0.0, 0.0], [1.0, -1.0]])
    >>> loss, grad = cross_entropy_and_grad(z, [0, 1], out=z)  # overwrite the logits
    >>> grad is z, z.round(4)
    (True, array([[-0.5   ,  0.5   ],
           [ 0.8808, -0.8808]]))
    """
    z, z2, idx = _prepare(z, y, reduction)
    n = z2.shape[0]
    flat_out = None
    if out is not None:
        if (
            not isinstance(out, np.ndarray)
            or out.shape != z.shape
            or out.dtype != z.dtype
            or not out.flags.c_contiguous
        ):
            raise ValueError(
                f"out must be a C-contiguous array of shape {z.shape} and dtype {z.dtype}, "
                f"got {type(out).__name__} of shape {np.shape(out)}, "
                f"dtype {getattr(out, 'dtype', None)}"
            )
        if out.dtype == z2.dtype:  # else float16: computed in float32, copied at the end
            flat_out = out.reshape(z2.shape)
    scale_by = 1.0 / n if reduction == "mean" else 1.0
    loss, grad = fastpath.loss_and_grad(z2, idx, scale_by=scale_by, out=flat_out)
    loss = loss.sum()
    if reduction == "mean":
        loss = loss / n
    if z2.dtype != z.dtype:  # float16, computed in float32
        loss, grad = z.dtype.type(loss), grad.astype(z.dtype)
        if out is not None:
            out.reshape(z2.shape)[...] = grad
    return loss, (out if out is not None else grad.reshape(z.shape))

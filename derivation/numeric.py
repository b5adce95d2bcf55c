"""Softmax, cross-entropy and their gradients in NumPy: stable, accurate, validated.

Conventions: batch first, classes on the last axis.  Logits ``z`` have shape
``(..., K)`` with K >= 2; labels ``y`` are integer class indices ``0..K-1`` of
shape ``z.shape[:-1]`` or one-hot rows of shape ``z.shape``.  float32 and
float64 inputs keep their dtype.  float16 logits given to :func:`softmax`,
:func:`log_softmax`, :func:`softmax_jacobian` and the cross-entropy functions
are computed in float32 and the results returned as float16: in float16
itself a sum of K ones overflows from K = 65520 on (softmax would be 0
everywhere at K = 70 000), and ``exp`` overflows beyond 11.  The student's
routes (:func:`jacobian_route_grad`, :func:`l2_loss_and_grad`) keep the dtype
they are given, weaknesses included.  Complex logits are accepted by the functions
that compute values (softmax, log-softmax, cross-entropy, the article's cost),
so that complex-step differentiation works on them; see :mod:`derivation.gradcheck`.

The article's model (one feature plus bias, Θ of shape (K, 2)) is here too:
:func:`design_matrix`, :func:`hypotheses`, :func:`cost` and
``theta_grad = (H - Y)^T X``.

Accuracy: when the true class has probability p ≈ 1, ``p - 1`` rounds to 0 in
float64 at a logit gap of about 37 (NumPy, PyTorch and JAX all compute it that
way).  Here that entry is computed as ``-sum_{k != c} p_k``, which has no
cancellation, and the loss as ``log1p(sum_{k != c} e_k / e_c)``: both stay
within a few ulps of the exact value at any gap.

One more rounding matters at large gaps: ``d = z - max`` is rounded to half
an ulp of ``d``, and ``exp(d)`` turns that absolute error into a relative one
of up to ``|d| eps / 2``: about 350 ulps at a gap of 700.  Wherever the
package shifts by the maximum (log-softmax always, cross-entropy when a logit
exceeds 345 in float64 or 38 in float32), the exact error ``r`` of the
subtraction is computed as well (TwoSum: ``d + r == z - max`` exactly) and
``exp(d + r)`` is taken as ``exp(d) (1 + r)``.  The cross-entropy functions
apply it only where it matters: skipped, it would change no row's sum by more
than ``2**-22`` of an ulp and no gradient entry by more than ``2**-48`` of the
row's largest probability.  Rows whose maximum is far from 0 need it nowhere
(the subtraction is exact for every entry that is not negligible against the
sum; see ``_correct_shift``), so that it costs little.  With it, :func:`log_softmax`
and :func:`cross_entropy` are within 2 ulps of mpmath on rows of 2 to 8
logits at every gap from 0 to 1e4 (the tests check 4; the error of the row
sum grows like ``log2 K`` ulps for longer rows), and
``cross_entropy(z[None], [c])`` agrees with ``-log_softmax(z)[c]`` to the
same ulps.  :func:`softmax` does not make this correction.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

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
    "softmax",
    "softmax_jacobian",
    "theta_grad",
]

Reduction = Literal["sum", "mean"]


# --------------------------------------------------------------------------- validation
def _as_float(a: ArrayLike, name: str, *, allow_complex: bool = False) -> np.ndarray:
    """Return ``a`` as a floating (or, if allowed, complex) array.

    Python lists and scalars of whole numbers become float64; NumPy arrays
    keep their dtype and must already be floating: an integer or boolean
    array where a float is needed is an error, not a silent conversion.
    """
    arr = np.asarray(a)
    if not isinstance(a, np.ndarray) and arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    kinds = "fc" if allow_complex else "f"
    if arr.dtype.kind not in kinds:
        wanted = "floating point or complex" if allow_complex else "floating point"
        raise ValueError(
            f"{name} must be {wanted} (float32 or float64), got dtype {arr.dtype}; "
            f"convert it first, e.g. {name}.astype(np.float64)"
        )
    return arr


def _check_finite(arr: np.ndarray, name: str) -> None:
    """Raise a ValueError naming the first NaN or infinite entry, if any."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        value = arr[where]
        kind = "NaN" if np.isnan(value) else "an infinite value"
        raise ValueError(f"{name} contains {kind} at index {where}; expected finite numbers")


def _check_logits(
    z: ArrayLike,
    name: str = "z",
    *,
    allow_complex: bool = False,
    check_finite: bool = True,
    axis: int = -1,
) -> np.ndarray:
    """Logits as a float array with a class axis (``axis``) of at least 2 and at least one row."""
    z = _as_float(z, name, allow_complex=allow_complex)
    where = "the last axis" if axis == -1 else f"axis {axis}"
    if z.ndim == 0:
        raise ValueError(f"{name} must have a class axis ({where}), got a scalar")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"axis must be a whole number, got {axis!r}")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis {axis} is out of range for {name} of shape {z.shape}")
    if z.shape[axis] < 2:
        raise ValueError(
            f"softmax needs at least two classes on {where} of {name}, "
            f"got shape {z.shape} (K = {z.shape[axis]})"
        )
    if z.size == 0:
        raise ValueError(f"{name} is an empty batch (shape {z.shape}); expected at least one row")
    if check_finite:
        _check_finite(z, name)
    return z


def _widen(z: np.ndarray) -> np.ndarray:
    """float16 as float32 (the precision the package computes float16 in); others as they are."""
    return z.astype(np.float32) if z.dtype == np.float16 else z


def _class_indices(
    y: ArrayLike, shape: tuple[int, ...], *, name: str = "y", logits: str = "z"
) -> np.ndarray:
    """Labels as integer class indices of shape ``shape[:-1]``, validated.

    Accepts integer indices (shape ``shape[:-1]``) or one-hot rows (``shape``).
    ``name`` and ``logits`` are what the messages call the labels and the
    logits: the caller's own names for them (``Y`` and ``X @ theta.T`` for
    the article's model).
    """
    K = shape[-1]
    lab = np.asarray(y)
    if lab.shape == shape[:-1] and lab.dtype.kind in "iu":
        if lab.size and (lab.min() < 0 or lab.max() >= K):
            bad = lab[(lab < 0) | (lab >= K)].flat[0]
            raise ValueError(
                f"class index {bad} in {name} is out of range; expected 0..{K - 1} for K = {K}"
            )
        return lab.astype(np.intp, copy=False)
    if lab.shape == shape:
        if lab.dtype.kind not in "biuf":
            raise ValueError(f"one-hot {name} must be numbers, got dtype {lab.dtype}")
        if not np.all((lab == 0) | (lab == 1)):
            raise ValueError(f"one-hot {name} must contain only 0 and 1 (one class per row)")
        sums = lab.sum(axis=-1)
        if not np.all(sums == 1):
            row = tuple(int(i) for i in np.argwhere(sums != 1)[0])
            raise ValueError(
                f"each one-hot row of {name} must sum to 1 (exactly one class); row {row} "
                f"sums to {sums[row]:g}"
            )
        return lab.argmax(axis=-1)
    if lab.shape == shape[:-1]:
        raise ValueError(
            f"class indices in {name} must be integers, got dtype {lab.dtype}; "
            "pass integer indices or one-hot rows"
        )
    raise ValueError(
        f"{name} of shape {lab.shape} and {logits} of shape {shape} do not match: expected "
        f"class indices of shape {shape[:-1]} or one-hot rows of shape {shape}"
    )


def _check_reduction(reduction: str) -> None:
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")


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
    z = _check_logits(z, allow_complex=True, axis=axis)
    wide = np.moveaxis(_widen(z), axis, -1)
    e = np.exp(wide - wide.real.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return np.moveaxis(e.astype(z.dtype, copy=False), -1, axis)


def _shift_by_max(z: np.ndarray, top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``d = z - top`` per row and the exact rounding error ``r`` of that subtraction.

    ``top`` is a column (shape ``(..., 1)``) of the maxima; see :func:`_two_diff`.
    """
    d, r = np.empty_like(z), np.empty_like(z)
    _two_diff(z, top, d, r, np.empty_like(z))
    return d, r


def _two_diff(
    z: np.ndarray,
    top: np.ndarray,
    d: np.ndarray,
    r: np.ndarray,
    t: np.ndarray,
    *,
    finite: bool = False,
) -> None:
    """Write ``d = fl(z - top)`` and its exact rounding error ``r`` (``t``: scratch).

    TwoSum (Knuth): ``d + r == z - top`` exactly, for any magnitudes.  ``r``
    is 0 where ``d`` overflowed (a spread beyond the largest float); pass
    ``finite=True`` when the caller knows that the spread does not overflow.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        np.subtract(z, top, out=d)
        np.subtract(d, z, out=r)  # -top, rounded
        np.subtract(d, r, out=t)
        np.subtract(z, t, out=t)  # z - (d - (d - z))
        np.add(r, top, out=r)
        np.subtract(t, r, out=r)  # r = (z - (d - back)) - (top + back)
        if not finite and not np.all(np.isfinite(d)):
            np.copyto(r, 0, where=~np.isfinite(d))


#: a shifted block is corrected in chunks of about this many elements where most entries need
#: it (they stay in cache, and the scratch arrays are small: fresh memory costs a page fault
#: per 4 KiB)
_CHUNK_ELEMENTS = 2**15

#: an entry of a shifted row whose ``e_k`` is at most this fraction of ``others / K`` keeps
#: ``exp(d_k)`` without the rounding correction (see :func:`_correct_shift`)
_NEGLIGIBLE = 2.0**-30

#: the selected entries are corrected one by one (gathered, then scattered back) while they
#: are at most this fraction of the block; beyond it, the whole block is corrected in chunks
#: (about as fast at this fraction: 14% of the entries at K = 10 with wide logits)
_SPARSE_FRACTION = 1 / 4


def _scratch(work: dict, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
    """A scratch array of ``work`` of this shape: made when first needed, reused after."""
    if name not in work or len(work[name]) < shape[0]:
        work[name] = np.empty(shape, dtype)
    return work[name][: shape[0]]


def _shifted_exp(zb: np.ndarray, eb: np.ndarray, at_c: np.ndarray, finite: bool, work: dict):
    """``eb = exp(zb - top)`` with ``top`` the rows' maxima, not yet corrected.

    Returns ``(z, top, d_c, r_c)``: the block's logits (a copy when ``eb`` is
    ``zb``'s memory: :func:`_correct_shift` reads them after ``eb`` is written),
    the maxima (a column) and, per row, ``d_c + r_c = z_c - top`` exactly for the
    true class (``at_c``: its flat positions in the block).  ``finite``: the
    block's spread ``max - min`` is known not to overflow.
    """
    if np.may_share_memory(zb, eb):
        copy = _scratch(work, "z", zb.shape, zb.dtype)
        np.copyto(copy, zb)
        zb = copy
    top = _row_max(zb)
    zc = np.reshape(zb, -1, copy=False).take(at_c)
    dc, rc = np.empty_like(zc), np.empty_like(zc)
    _two_diff(zc, top[:, 0], dc, rc, np.empty_like(zc), finite=finite)
    with np.errstate(over="ignore", invalid="ignore"):  # a spread beyond the largest float: -inf
        np.subtract(zb, top, out=eb)
    np.exp(eb, out=eb)
    return zb, top, dc, rc


def _correct_shift(
    z: np.ndarray, top: np.ndarray, e: np.ndarray, others: np.ndarray, finite: bool, work: dict
) -> np.ndarray:
    """Correct ``e = exp(d)`` to ``exp(d + r) = e (1 + r)`` where that can matter.

    ``d = fl(z - top)`` and ``r`` its exact rounding error (:func:`_two_diff`);
    ``e`` has the true class's entries set to 0 and ``others`` is its row sums.
    Returns ``others`` corrected, and corrects ``e`` in place.  The true class's
    entry is corrected by the caller.

    Which entries: ``e_k`` enters the results through the row sums (the loss and
    ``p_c - 1``) and through its own gradient entry ``e_k / s``.  ``r_k`` is at
    most half an ulp of ``d_k``, and ``e_k > 0`` needs ``d_k > -746`` (float64;
    ``-104`` in float32), so ``|r_k| <= 2**-44`` (float32: ``2**-18``).  An entry
    with ``e_k <= 2**-30 others / K`` (``_NEGLIGIBLE``) moves its row's sum by at
    most ``2**-74 others / K``; all of them together by ``2**-74`` relative
    (float32: ``2**-48``), far below an ulp (``2**-52``, ``2**-23``), so they are
    left as they are.  Their gradient entries ``e_k / s`` keep the relative error
    of :func:`softmax` (``|r_k|``: up to 256 ulps at ``d_k = -700``), at most
    ``2**-74`` of the row's sum in absolute terms.

    Which rows: the entries above that bound have ``d_k > -lam`` with
    ``lam = log(K / (2**-30 others))``.  By Sterbenz's lemma ``z_k - top`` is
    exact (``r_k = 0``) when ``top / 2 <= z_k <= top`` (``top > 0``: where
    ``d_k >= -top / 2``) and when ``2 top <= z_k <= top`` (``top < 0``: where
    ``d_k >= top``).  A row whose maximum is at least ``2 (lam + 1)`` or at most
    ``-(lam + 1)`` therefore needs no correction at all (the 1 covers the
    rounding of ``exp`` and ``log``).  With wide logits that is nearly every row:
    when the true class is not the row's maximum, ``others >= 1`` and ``lam <=
    log(K) + 21``.  Only the other rows are corrected (:func:`_correct_entries`):
    a maximum close to 0, or a true class far ahead of the others.
    """
    n, K = e.shape
    with np.errstate(divide="ignore"):  # others = 0: lam = inf, the row is checked (nothing to do)
        lam1 = np.log(others.real * (_NEGLIGIBLE / K))
    np.subtract(1, lam1, out=lam1)  # lam + 1
    t = top[:, 0]
    rows = np.flatnonzero((t < 2 * lam1) & (t > -lam1))
    if len(rows) == 0:
        return others
    if len(rows) > n // 2:
        return _correct_entries(z, top, e, others, finite, work)
    e_rows, others_rows = e[rows], others[rows]  # copies: corrected, then written back
    others[rows] = _correct_entries(z[rows], top[rows], e_rows, others_rows, finite, work)
    e[rows] = e_rows
    return others


def _correct_entries(
    z: np.ndarray, top: np.ndarray, e: np.ndarray, others: np.ndarray, finite: bool, work: dict
) -> np.ndarray:
    """:func:`_correct_shift` for every entry of these rows above the negligible bound.

    With wide logits only one to three entries per row are above it (the row's
    maximum among them, for which ``r = 0``): they are gathered, corrected and
    scattered back, at the cost of two passes over the rows (a comparison and
    its nonzero entries) instead of the eight of a full correction.  When more
    than ``_SPARSE_FRACTION`` of the entries matter (logits close together, far
    from 0), and for complex logits, every entry is corrected, chunk by chunk.
    """
    n, K = e.shape
    if e.dtype.kind == "f":
        mask = _scratch(work, "mask", e.shape, np.bool_)
        np.greater(e, (others * (_NEGLIGIBLE / K))[:, None], out=mask)  # all False if others = 0
        if np.count_nonzero(mask) <= _SPARSE_FRACTION * e.size:
            at = np.flatnonzero(mask)
            row = at // K
            e_flat = np.reshape(e, -1, copy=False)
            es, ds, rs, ts = (e_flat.take(at), *(np.empty(len(at), e.dtype) for _ in range(3)))
            zs = np.reshape(z, -1, copy=False).take(at)
            _two_diff(zs, top[:, 0].take(row), ds, rs, ts, finite=True)  # e_k > 0: d_k finite
            rs *= es
            e_flat[at] = es + rs
            others += np.bincount(row, weights=rs, minlength=n).astype(e.dtype, copy=False)
            return others
    ones = np.ones(K, e.dtype)
    step = max(1, _CHUNK_ELEMENTS // K)
    shape = (min(n, step), K)
    d_buf, r_buf = _scratch(work, "d", shape, e.dtype), _scratch(work, "r", shape, e.dtype)
    t_buf = _scratch(work, "t", shape, e.dtype)
    for a in range(0, n, step):
        b = min(n, a + step)
        d, r = d_buf[: b - a], r_buf[: b - a]
        _two_diff(z[a:b], top[a:b], d, r, t_buf[: b - a], finite=finite)
        r *= e[a:b]  # 0 at the true class
        e[a:b] += r
        others[a:b] += r @ ones
    return others


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
    z = _check_logits(z, allow_complex=True, axis=axis)
    wide = np.moveaxis(_widen(z), axis, -1)
    top = wide.real.argmax(axis=-1)[..., None]
    d, r = _shift_by_max(wide, np.take_along_axis(wide, top, axis=-1))
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
    z = _check_logits(z)
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
#: elements per block of rows: small enough that a block stays in the CPU's cache
#: while it is shifted, exponentiated, summed and scaled (one trip to memory)
_BLOCK_ELEMENTS = 2**19

#: |z| below which exp(z) needs no shift: no overflow, no subnormal, and
#: K e^(2 limit) (the largest ratio s / e_c) still fits, for K up to 10**5
_NO_SHIFT_LIMIT = {"f": {4: 38.0, 8: 345.0}, "c": {8: 38.0, 16: 345.0}}


def _loss_rows(others, ec, zc, s) -> np.ndarray:
    """-log p_c per row, without cancellation at either end of the range.

    ``others = sum_{k != c} e_k``, ``ec = e_c`` and ``s = others + ec`` per row,
    with ``e = exp(z - shift)``; ``zc = (d_c, r_c)`` with ``d_c + r_c = z_c - max``
    exactly when the rows were shifted by their maximum (then ``e_c`` may have
    underflowed), else None.
    """
    confident = ec.real >= 0.5 * s.real  # p_c >= 1/2: log(s / e_c) = log1p(others / e_c)
    if zc is None:  # unshifted: e_c is a normal number, s / e_c is accurate
        return np.where(confident, np.log1p(others / ec), np.log(s / ec))
    safe_ec = np.where(confident, ec, 1)
    return np.where(confident, np.log1p(others / safe_ec), (np.log(s) - zc[0]) - zc[1])


def _row_max(z: np.ndarray) -> np.ndarray:
    """Maximum of each row, shape (n, 1); a loop over columns when rows are short.

    NumPy's reduction along short contiguous rows pays a fixed cost per row;
    for K <= 32, K element-wise maxima over columns are several times faster.
    (``argmax`` and a gather take half the time of ``max`` on rows of 100 in
    cache, but no less on a block fresh from memory, as here.)
    """
    zr = z.real
    if zr.shape[1] > 32:
        return zr.max(axis=1, keepdims=True)
    m = zr[:, 0].copy()
    for k in range(1, zr.shape[1]):
        np.maximum(m, zr[:, k], out=m)
    return m[:, None]


def _blocks(z2: np.ndarray, idx: np.ndarray, want_grad: bool, scale_by: float, out):
    """Loss per row and (optionally) the gradient of rows ``z2`` (n, K), block by block.

    For each block: ``e = exp(z - shift)`` with the true class's entry taken
    out, ``others = sum_{k != c} e_k``, ``s = others + e_c``; the loss is
    ``log1p(others / e_c)`` when ``p_c >= 1/2``, else ``log(s / e_c)`` (or
    ``log(s) - (z_c - max)`` when shifted, where e_c may underflow); the
    gradient is ``e / s`` with ``-others / s`` (that is p_c - 1, without
    cancellation) at the true class, times ``scale_by``.

    The shift is 0 when every logit of the block lies within
    ``_NO_SHIFT_LIMIT`` (the usual case: saves a row maximum and a
    subtraction), else the row's maximum; then the rounding error ``r`` of
    ``z - max`` is carried along (``e = exp(d) (1 + r)``; see the module's
    docstring) for the true class and wherever else it can change the result
    (:func:`_correct_shift`), so that the result stays within a few ulps at any gap.

    The true classes' entries are read and written at their flat positions
    (``take``, and assignment to a flat view): two to three times faster than
    indexing with a pair of index arrays.
    """
    n, K = z2.shape
    step = max(1, _BLOCK_ELEMENTS // K)
    grad = None
    if want_grad:
        grad = np.empty_like(z2) if out is None else out
    scratch = None if want_grad else np.empty((min(n, step), K), z2.dtype)
    loss = np.empty(n, dtype=z2.dtype)
    ones = np.ones(K, dtype=z2.dtype)
    limit = _NO_SHIFT_LIMIT.get(z2.dtype.kind, {}).get(z2.dtype.itemsize)
    work: dict = {}  # the shifted path's scratch arrays, made when first needed
    for start in range(0, n, step):
        stop = min(n, start + step)
        zb, ib = z2[start:stop], idx[start:stop]
        eb = grad[start:stop] if want_grad else scratch[: stop - start]
        e_flat = np.reshape(eb, -1, copy=False)  # eb's rows are contiguous: a view
        at_c = np.arange(0, (stop - start) * K, K) + ib  # flat positions of the true classes
        if z2.dtype.kind == "c":
            _check_finite(zb, "z")
        lo, hi = zb.real.min(), zb.real.max()
        if limit is not None and -limit <= lo and hi <= limit:  # False for NaN
            np.exp(zb, out=eb)
            zc = None
        else:
            if not (np.isfinite(lo) and np.isfinite(hi)):
                _check_finite(zb, "z")  # names the entry
            with np.errstate(over="ignore"):
                finite = bool(np.isfinite(hi - lo))
            zb, top, dc, rc = _shifted_exp(zb, eb, at_c, finite, work)
            zc = (dc, rc)  # d_c + r_c = z_c - max
        ec = e_flat.take(at_c)
        e_flat[at_c] = 0
        others = eb @ ones
        if zc is not None:
            others = _correct_shift(zb, top, eb, others, finite, work)
            ec += ec * rc  # exp(d_c + r_c)
        s = others + ec
        loss[start:stop] = _loss_rows(others, ec, zc, s)
        if want_grad:
            scale = scale_by / s
            eb *= scale[:, None]
            e_flat[at_c] = -others * scale
    return loss, grad


def _prepare(z: ArrayLike, y: ArrayLike, reduction: str, *, allow_complex: bool = False):
    """Validate; return logits, their rows as (n, K), and the class indices (n,).

    The finite check is left to :func:`_blocks`, which does it block by block.
    float16 rows come back as float32 (see the module's docstring).
    """
    _check_reduction(reduction)
    z = _check_logits(z, allow_complex=allow_complex, check_finite=False)
    idx = _class_indices(y, z.shape)
    return z, np.ascontiguousarray(_widen(z).reshape(-1, z.shape[-1])), idx.reshape(-1)


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """True when ``a`` and ``b`` are the very same elements (start, shape, strides, dtype)."""
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
    )


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
    loss = _blocks(z2, idx, want_grad=False, scale_by=1.0, out=None)[0].sum()
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
    Rows are processed in blocks of about 2**19 entries, so that the shift,
    the exponential, the row sums and the scaling of a block happen while it
    is in the CPU's cache.

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
            if np.may_share_memory(flat_out, z2) and not _same_memory(flat_out, z2):
                z2 = z2.copy()  # partial overlap: writing a block would change later logits
    scale_by = 1.0 / n if reduction == "mean" else 1.0
    loss, grad = _blocks(z2, idx, want_grad=True, scale_by=scale_by, out=flat_out)
    loss = loss.sum()
    if reduction == "mean":
        loss = loss / n
    if z2.dtype != z.dtype:  # float16, computed in float32
        loss, grad = z.dtype.type(loss), grad.astype(z.dtype)
        if out is not None:
            out.reshape(z2.shape)[...] = grad
    return loss, (out if out is not None else grad.reshape(z.shape))


def jacobian_route_grad(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The student's route (second seed): ``dE/dz_i = (-y_i / p_i) @ J_i`` per row.

    ``E = -sum(Y * log(P))`` (a sum).  Written as the student wrote it: the
    derivative of the loss by the probabilities, ``-Y / P``, times one
    ``K x K`` softmax Jacobian per row.  Mathematically equal to ``P - Y``.

    Parameters
    ----------
    z : array_like, shape (n, K)
        Logits.
    y : array_like
        Integer class indices of shape (n,) or one-hot rows of shape (n, K).

    Returns
    -------
    ndarray, shape (n, K)
        The gradient by this route.  Where a probability underflows to 0,
        ``-Y / P`` is ``-inf`` or ``0/0 = NaN`` and the whole row turns NaN:
        that is the route's numerical weakness, kept on purpose (no warning).
        It also costs O(n K^2) time and memory instead of O(n K).
    """
    z = _check_logits(z)
    if z.ndim != 2:
        raise ValueError(f"z must be a batch of rows, shape (n, K); got shape {z.shape}")
    Y = one_hot(_class_indices(y, z.shape), z.shape[-1]).astype(z.dtype)
    P = softmax(z)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        dE_dP = -Y / P
        return np.einsum("nj,njk->nk", dE_dP, softmax_jacobian(z))


__all__ += ["vjp_route_grad"]


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
    z = _check_logits(z)
    if z.ndim != 2:
        raise ValueError(f"z must be a batch of rows, shape (m, K); got shape {z.shape}")
    Y = one_hot(_class_indices(y, z.shape), z.shape[-1]).astype(z.dtype)
    h = softmax(z)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        g = -Y / h
        return h * (g - (h * g).sum(axis=-1, keepdims=True))


def l2_loss_and_grad(z: ArrayLike, y: ArrayLike) -> tuple[np.generic, np.ndarray]:
    """An L2 cost on the softmax output, ``E = 1/2 sum (p - y)^2``, and its gradient.

    The student of the second seed first trained with an L2 cost.  On a softmax
    output nothing cancels: ``dE/dz = J^T (p - y)`` with the Jacobian
    ``J = diag(p) - p p^T``, which is close to 0 wherever the softmax
    saturates, even when the prediction is wrong.

    Parameters
    ----------
    z : array_like, shape (n, K)
        Logits.
    y : array_like
        Integer class indices of shape (n,) or one-hot rows.

    Returns
    -------
    loss : NumPy scalar
        ``1/2 sum (p - y)^2`` over all rows and classes.
    grad : ndarray, shape (n, K)
        ``(p - y) J`` for each row (J is symmetric).
    """
    z = _check_logits(z)
    if z.ndim != 2:
        raise ValueError(f"z must be a batch of rows, shape (n, K); got shape {z.shape}")
    Y = one_hot(_class_indices(y, z.shape), z.shape[-1]).astype(z.dtype)
    r = softmax(z) - Y
    return 0.5 * (r * r).sum(), np.einsum("nj,njk->nk", r, softmax_jacobian(z))


# --------------------------------------------------------------------------- the article's model
def _check_problem(theta: ArrayLike, X: ArrayLike, *, allow_complex: bool = False):
    theta = _as_float(theta, "theta", allow_complex=allow_complex)
    X = _as_float(X, "X")
    _check_finite(theta, "theta")
    _check_finite(X, "X")
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
    return Z, _class_indices(Y, Z.shape, name="Y", logits="X @ theta.T")


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
    x1 = _as_float(x1, "x1")
    _check_finite(x1, "x1")
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
    onehot = one_hot(_class_indices(np.array([y]), (1, K)), K)[0]
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

"""The fast path behind :func:`derivation.numeric.cross_entropy_and_grad`: the same numbers, faster.

:mod:`derivation.numeric` says what is computed and why it is accurate (its
reference, :func:`~derivation.numeric.reference_cross_entropy_and_grad`, is the
same method in plain NumPy).  This module computes it about as fast as PyTorch
(``benchmarks/bench_cross_entropy.py``), with four devices that change the
speed and not the method:

- cache blocking: rows are processed in blocks of about ``BLOCK_ELEMENTS``
  entries, so that the shift, the exponential, the row sums and the scaling of a
  block happen while it is in the CPU's cache (:func:`loss_and_grad`);
- no shift where none is needed: a block whose logits all lie within
  ``NO_SHIFT_LIMIT`` is exponentiated as it is (no row maximum, no subtraction,
  no rounding error to correct);
- a column loop for the row maxima of short rows (:func:`row_max`);
- a selective TwoSum correction: after a shift by the row maximum, ``exp(d)`` is
  corrected to ``exp(d + r)`` only in the rows and entries where that can change
  the result (``_correct_shift``, bounded by ``NEGLIGIBLE``), the others being
  exact already (Sterbenz) or too small to count.

Agreement with the reference (``tests/test_fastpath.py``, on typical and wide
logits, float32 and float64, short and long rows): the loss, the true class's
entry ``p_c - 1`` and every gradient entry that counts agree within
``8 + 2 log2 K`` ulps (measured: at most 6 on rows of up to 8 logits, 17 at
K = 1000).  Both sides are within a few ulps of the exact value; they differ
because a typical block is not shifted and the row sums are added in another
order.  The entries the selective correction leaves alone
(``p_k <= NEGLIGIBLE (1 - p_c) / K``) agree within ``2**-20`` eps, absolutely.

The module's tables and thresholds are public so that a test can switch a
device off (``monkeypatch.setattr(fastpath, "NO_SHIFT_LIMIT", {})`` forces the
shift; ``NEGLIGIBLE = 0`` corrects every entry).
"""

from __future__ import annotations

import numpy as np

from .checks import check_finite

__all__ = [
    "BLOCK_ELEMENTS",
    "CHUNK_ELEMENTS",
    "NEGLIGIBLE",
    "NO_SHIFT_LIMIT",
    "SPARSE_FRACTION",
    "loss_and_grad",
    "row_max",
    "two_diff",
]

#: elements per block of rows: small enough that a block stays in the CPU's cache
#: while it is shifted, exponentiated, summed and scaled (one trip to memory)
BLOCK_ELEMENTS = 2**19

#: |z| below which exp(z) needs no shift: no overflow, no subnormal, and
#: K e^(2 limit) (the largest ratio s / e_c) still fits, for K up to 10**5
NO_SHIFT_LIMIT = {"f": {4: 38.0, 8: 345.0}, "c": {8: 38.0, 16: 345.0}}

#: a shifted block is corrected in chunks of about this many elements where most entries need
#: it (they stay in cache, and the scratch arrays are small: fresh memory costs a page fault
#: per 4 KiB)
CHUNK_ELEMENTS = 2**15

#: an entry of a shifted row whose ``e_k`` is at most this fraction of ``others / K`` keeps
#: ``exp(d_k)`` without the rounding correction (see :func:`_correct_shift`)
NEGLIGIBLE = 2.0**-30

#: the selected entries are corrected one by one (gathered, then scattered back) while they
#: are at most this fraction of the block; beyond it, the whole block is corrected in chunks
#: (about as fast at this fraction: 14% of the entries at K = 10 with wide logits)
SPARSE_FRACTION = 1 / 4


def _flat_view(a: np.ndarray) -> np.ndarray:
    """``a`` as one flat view of its memory, so that writing to it writes to ``a``.

    ``np.reshape(a, -1, copy=False)`` says the same but needs NumPy 2.1, and the
    browser's Pyodide has 2.0; a C-contiguous array always reshapes to a view.
    """
    if not a.flags.c_contiguous:
        raise ValueError(f"internal error: a flat view needs a C-contiguous array, got {a.shape}")
    return a.reshape(-1)


def two_diff(
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


def row_max(z: np.ndarray) -> np.ndarray:
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
    top = row_max(zb)
    zc = zb.ravel().take(at_c)
    dc, rc = np.empty_like(zc), np.empty_like(zc)
    two_diff(zc, top[:, 0], dc, rc, np.empty_like(zc), finite=finite)
    with np.errstate(over="ignore", invalid="ignore"):  # a spread beyond the largest float: -inf
        np.subtract(zb, top, out=eb)
    np.exp(eb, out=eb)
    return zb, top, dc, rc


def _correct_shift(
    z: np.ndarray, top: np.ndarray, e: np.ndarray, others: np.ndarray, finite: bool, work: dict
) -> np.ndarray:
    """Correct ``e = exp(d)`` to ``exp(d + r) = e (1 + r)`` where that can matter.

    ``d = fl(z - top)`` and ``r`` its exact rounding error (:func:`two_diff`);
    ``e`` has the true class's entries set to 0 and ``others`` is its row sums.
    Returns ``others`` corrected, and corrects ``e`` in place.  The true class's
    entry is corrected by the caller.

    Which entries: ``e_k`` enters the results through the row sums (the loss and
    ``p_c - 1``) and through its own gradient entry ``e_k / s``.  ``r_k`` is at
    most half an ulp of ``d_k``, and ``e_k > 0`` needs ``d_k > -746`` (float64;
    ``-104`` in float32), so ``|r_k| <= 2**-44`` (float32: ``2**-18``).  An entry
    with ``e_k <= 2**-30 others / K`` (``NEGLIGIBLE``) moves its row's sum by at
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
        lam1 = np.log(others.real * (NEGLIGIBLE / K))
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
    than ``SPARSE_FRACTION`` of the entries matter (logits close together, far
    from 0), and for complex logits, every entry is corrected, chunk by chunk.
    """
    n, K = e.shape
    if e.dtype.kind == "f":
        mask = _scratch(work, "mask", e.shape, np.bool_)
        np.greater(e, (others * (NEGLIGIBLE / K))[:, None], out=mask)  # all False if others = 0
        if np.count_nonzero(mask) <= SPARSE_FRACTION * e.size:
            at = np.flatnonzero(mask)
            row = at // K
            e_flat = _flat_view(e)
            es, ds, rs, ts = (e_flat.take(at), *(np.empty(len(at), e.dtype) for _ in range(3)))
            zs = z.ravel().take(at)
            two_diff(zs, top[:, 0].take(row), ds, rs, ts, finite=True)  # e_k > 0: d_k finite
            rs *= es
            e_flat[at] = es + rs
            others += np.bincount(row, weights=rs, minlength=n).astype(e.dtype, copy=False)
            return others
    ones = np.ones(K, e.dtype)
    step = max(1, CHUNK_ELEMENTS // K)
    shape = (min(n, step), K)
    d_buf, r_buf = _scratch(work, "d", shape, e.dtype), _scratch(work, "r", shape, e.dtype)
    t_buf = _scratch(work, "t", shape, e.dtype)
    for a in range(0, n, step):
        b = min(n, a + step)
        d, r = d_buf[: b - a], r_buf[: b - a]
        two_diff(z[a:b], top[a:b], d, r, t_buf[: b - a], finite=finite)
        r *= e[a:b]  # 0 at the true class
        e[a:b] += r
        others[a:b] += r @ ones
    return others


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """True when ``a`` and ``b`` are the very same elements (start, shape, strides, dtype)."""
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
    )


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


def loss_and_grad(
    z2: np.ndarray,
    idx: np.ndarray,
    *,
    want_grad: bool = True,
    scale_by: float = 1.0,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Loss per row and (optionally) the gradient of rows ``z2`` (n, K), block by block.

    Parameters
    ----------
    z2 : ndarray, shape (n, K)
        Logits, C-contiguous, float32, float64 or (loss only) complex; validated
        by the caller except for finiteness, which is checked here block by block.
    idx : ndarray of int, shape (n,)
        The true class of each row.
    want_grad : bool, default True
        False: the loss only (complex logits allowed).
    scale_by : float, default 1.0
        Factor of the gradient (``1 / n`` for a mean).
    out : ndarray, shape (n, K), optional
        Where to write the gradient (C-contiguous, ``z2``'s dtype); may be ``z2``
        itself.  An ``out`` that overlaps ``z2`` only in part is detected, and
        the logits read from a copy.

    Returns
    -------
    loss : ndarray, shape (n,)
        ``-log p_c`` of each row.
    grad : ndarray, shape (n, K), or None
        ``scale_by (p - y)``; None when ``want_grad`` is False.

    Notes
    -----

    For each block: ``e = exp(z - shift)`` with the true class's entry taken
    out, ``others = sum_{k != c} e_k``, ``s = others + e_c``; the loss is
    ``log1p(others / e_c)`` when ``p_c >= 1/2``, else ``log(s / e_c)`` (or
    ``log(s) - (z_c - max)`` when shifted, where e_c may underflow); the
    gradient is ``e / s`` with ``-others / s`` (that is p_c - 1, without
    cancellation) at the true class, times ``scale_by``.

    The shift is 0 when every logit of the block lies within
    ``NO_SHIFT_LIMIT`` (the usual case: saves a row maximum and a
    subtraction), else the row's maximum; then the rounding error ``r`` of
    ``z - max`` is carried along (``e = exp(d) (1 + r)``; see
    :mod:`derivation.numeric`) for the true class and wherever else it can change the result
    (:func:`_correct_shift`), so that the result stays within a few ulps at any gap.

    The true classes' entries are read and written at their flat positions
    (``take``, and assignment to a flat view): two to three times faster than
    indexing with a pair of index arrays.
    """
    n, K = z2.shape
    if out is not None and np.may_share_memory(out, z2) and not _same_memory(out, z2):
        z2 = z2.copy()  # partial overlap: writing a block would change later logits
    step = max(1, BLOCK_ELEMENTS // K)
    grad = None
    if want_grad:
        grad = np.empty_like(z2) if out is None else out
    scratch = None if want_grad else np.empty((min(n, step), K), z2.dtype)
    loss = np.empty(n, dtype=z2.dtype)
    ones = np.ones(K, dtype=z2.dtype)
    limit = NO_SHIFT_LIMIT.get(z2.dtype.kind, {}).get(z2.dtype.itemsize)
    work: dict = {}  # the shifted path's scratch arrays, made when first needed
    for start in range(0, n, step):
        stop = min(n, start + step)
        zb, ib = z2[start:stop], idx[start:stop]
        eb = grad[start:stop] if want_grad else scratch[: stop - start]
        e_flat = _flat_view(eb)  # eb's rows are contiguous: a view
        at_c = np.arange(0, (stop - start) * K, K) + ib  # flat positions of the true classes
        if z2.dtype.kind == "c":
            check_finite(zb, "z")
        lo, hi = zb.real.min(), zb.real.max()
        if limit is not None and -limit <= lo and hi <= limit:  # False for NaN
            np.exp(zb, out=eb)
            zc = None
        else:
            if not (np.isfinite(lo) and np.isfinite(hi)):
                check_finite(zb, "z")  # names the entry
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

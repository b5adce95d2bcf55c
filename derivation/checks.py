"""Input checks shared by the numeric modules: one place for the messages a user reads.

Every function here validates and converts; none computes.  Bad input gets a
``ValueError`` that says what was wrong and what was expected (the tests match
these messages, so change them with care):

- :func:`as_float`: an array of floats (or complex), never a silent conversion
  of an integer or boolean array;
- :func:`check_finite`: names the first NaN or infinite entry;
- :func:`check_logits`: logits with a class axis of at least 2 and at least one row;
- :func:`class_indices`: labels as integer class indices or one-hot rows, turned into indices;
- :func:`check_reduction`: ``"sum"`` or ``"mean"``.

Used by :mod:`derivation.numeric` (and its fast path, :mod:`derivation.fastpath`),
:mod:`derivation.article`, :mod:`derivation.routes`, :mod:`derivation.bugs` and
:mod:`derivation.stability`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["as_float", "check_finite", "check_logits", "check_reduction", "class_indices"]


def as_float(a: ArrayLike, name: str, *, allow_complex: bool = False) -> np.ndarray:
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


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise a ValueError naming the first NaN or infinite entry, if any."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        value = arr[where]
        kind = "NaN" if np.isnan(value) else "an infinite value"
        raise ValueError(f"{name} contains {kind} at index {where}; expected finite numbers")


def check_logits(
    z: ArrayLike,
    name: str = "z",
    *,
    allow_complex: bool = False,
    require_finite: bool = True,
    axis: int = -1,
) -> np.ndarray:
    """Logits as a float array with a class axis (``axis``) of at least 2 and at least one row.

    Parameters
    ----------
    z : array_like
        The logits.
    name : str, default "z"
        What the messages call them.
    allow_complex : bool, default False
        Accept complex logits (for complex-step differentiation).
    require_finite : bool, default True
        Reject NaN and infinite entries (:func:`check_finite`); False when the
        caller checks them later (the fast path does, block by block).
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        ``z`` as an array (see :func:`as_float`).

    Examples
    --------
    >>> check_logits([1.0])
    Traceback (most recent call last):
    ...
    ValueError: softmax needs at least two classes on the last axis of z, got shape (1,) (K = 1)
    """
    z = as_float(z, name, allow_complex=allow_complex)
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
    if require_finite:
        check_finite(z, name)
    return z


def class_indices(
    y: ArrayLike, shape: tuple[int, ...], *, name: str = "y", logits: str = "z"
) -> np.ndarray:
    """Labels as integer class indices of shape ``shape[:-1]``, validated.

    Accepts integer indices (shape ``shape[:-1]``) or one-hot rows (``shape``).
    ``name`` and ``logits`` are what the messages call the labels and the
    logits: the caller's own names for them (``Y`` and ``X @ theta.T`` for
    the article's model).

    Examples
    --------
    >>> class_indices([[0, 1], [1, 0]], (2, 2))  # one-hot rows
    array([1, 0])
    >>> class_indices([2], (1, 2))
    Traceback (most recent call last):
    ...
    ValueError: class index 2 in y is out of range; expected 0..1 for K = 2
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


def check_reduction(reduction: str) -> None:
    """Accept ``"sum"`` and ``"mean"``, the two ways the rows' losses are combined."""
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")

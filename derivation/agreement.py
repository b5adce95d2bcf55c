"""Numerical agreement said in one line: ``✔ H = numeric.hypotheses(Θ, X): largest difference 0``.

The numeric counterpart of :class:`derivation.symbolic.claims.Verdict`: where a
notebook compares two arrays, it shows what was compared and how closely they
agree instead of a bare ``True`` (which says neither).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .style import significant
from .symbolic.printing import verdict_html

__all__ = ["Agreement", "agree", "holds"]


@dataclass(frozen=True)
class Agreement:
    """One numerical check and its outcome, shown as a line.

    Attributes
    ----------
    label : str
        What was checked, as the reader writes it (``"Y = Y by hand"``).
    ok : bool
        Whether it holds.
    detail : str
        How closely, or where it fails (``"largest difference 2.2e−16"``); may be empty.
    """

    label: str
    ok: bool
    detail: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.ok, bool):
            raise TypeError(f"an Agreement's ok must be a bool, got {self.ok!r}")
        if not self.label.strip() or "\n" in self.label:
            raise ValueError(f"an Agreement needs a one-line label, got {self.label!r}")

    def __bool__(self) -> bool:
        return self.ok

    def line(self) -> str:
        """The check as one line of plain text."""
        mark = "✔" if self.ok else "✘"
        return f"{mark} {self.label}: {self.detail}" if self.detail else f"{mark} {self.label}"

    def __repr__(self) -> str:
        return self.line()

    def _repr_html_(self) -> str:
        return verdict_html(self.line(), self.ok)


def agree(label: str, a: ArrayLike, b: ArrayLike, *, exact: bool = False,
          rtol: float = 1e-12, atol: float = 1e-15) -> Agreement:  # fmt: skip
    """Compare two arrays and say how closely they agree.

    Parameters
    ----------
    label : str
        What is compared, e.g. ``"H = numeric.hypotheses(Θ, X)"``.
    a, b : array_like
        The two arrays, of one shape.
    exact : bool, default False
        Require equality entry by entry (``np.array_equal``) instead of ``np.allclose``.
    rtol, atol : float
        The tolerances of ``np.allclose`` when not ``exact``.

    Returns
    -------
    Agreement
        ``ok`` is whether they agree; ``detail`` gives the largest difference (or
        says that they are identical, or that the shapes differ).

    Examples
    --------
    >>> agree("a = b", [1.0, 2.0], [1.0, 2.0], exact=True)
    ✔ a = b: identical, entry by entry
    >>> agree("a = b", [1.0, 2.0], [1.0, 2.0 + 1e-9])
    ✘ a = b: largest difference 1e−9
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return Agreement(label, False, f"shapes {a.shape} and {b.shape} differ")
    if a.size == 0:
        return Agreement(label, True, "both empty")
    if exact:
        same = bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc"))
        if same:
            return Agreement(label, True, "identical, entry by entry")
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a.astype(np.complex128) - b.astype(np.complex128))
    largest = float(np.nanmax(diff)) if not np.all(np.isnan(diff)) else float("nan")
    ok = False if exact else bool(np.allclose(a, b, rtol=rtol, atol=atol))
    return Agreement(label, ok, f"largest difference {significant(largest)}")


def holds(label: str, condition: object) -> Agreement:
    """A yes/no fact about numbers, as a line: ``holds("J never rises", np.all(...))``.

    Parameters
    ----------
    label : str
        The fact as the reader says it.
    condition : bool or numpy bool
        Whether it holds (a NumPy bool is accepted; an array is not).

    Returns
    -------
    Agreement

    Examples
    --------
    >>> holds("every row of H sums to 1", True)
    ✔ every row of H sums to 1
    """
    if isinstance(condition, np.ndarray) and condition.shape != ():
        raise TypeError(f"holds() needs one bool, got an array of shape {condition.shape}")
    if not isinstance(condition, bool | np.bool_):
        raise TypeError(f"holds() needs a bool, got {type(condition).__name__}")
    return Agreement(label, bool(condition))

"""The collection's shared style: class colours and markers, Part names, number formatting.

Used by the figures (:mod:`derivation.plots`), the SVG views
(:mod:`derivation.views`) and the explorers, so that class k, Part II or a
number looks the same everywhere.  Importing it loads no plotting library.
"""

from __future__ import annotations

from .symbolic.notation import ROMAN

__all__ = ["CLASS_COLOURS", "LINE_STYLES", "MARKERS", "class_colour", "marker", "part_name"]

#: Okabe-Ito colours for classes 1, 2, 3, ... (colour-blind safe)
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
#: matplotlib line styles and markers, one per class, so classes differ without colour too
LINE_STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P")


def class_colour(k: int) -> str:
    """The colour of class ``k`` (0-based); beyond six classes the palette repeats.

    Examples
    --------
    >>> class_colour(0), class_colour(6)
    ('#0072B2', '#0072B2')
    """
    return CLASS_COLOURS[k % len(CLASS_COLOURS)]


def marker(k: int) -> str:
    """The marker of class ``k`` (0-based), repeating like the colours."""
    return MARKERS[k % len(MARKERS)]


def part_name(ell: int) -> str:
    """``"Part I"``, ``"Part II"``, ... for the Part of class ``ell`` (0-based).

    Raises
    ------
    ValueError
        Beyond the numerals the derivation supports (never wraps round to "Part I").

    Examples
    --------
    >>> part_name(0), part_name(6)
    ('Part I', 'Part VII')
    """
    if not 0 <= ell < len(ROMAN):
        raise ValueError(f"Parts are numbered I to {ROMAN[-1]}; got Part number {ell + 1}")
    return f"Part {ROMAN[ell]}"

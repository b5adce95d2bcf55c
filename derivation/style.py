"""The collection's shared style: class colours and markers, Part names, number formatting.

Used by the figures (:mod:`derivation.plots`), the SVG views
(:mod:`derivation.views`) and the explorers, so that class k, Part II or a
number looks the same everywhere.  Importing it loads no plotting library.
"""

from __future__ import annotations

import math
import re

from .symbolic.notation import ROMAN

__all__ = [
    "CLASS_COLOURS", "LINE_STYLES", "MARKERS", "class_colour", "fmt", "marker", "part_name",
    "plain", "significant", "subscript", "subscripts",
]  # fmt: skip

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


# --------------------------------------------------------------------------- numbers
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")


def subscript(text: object) -> str:
    """``text`` in Unicode subscript characters, e.g. ``subscript(10) == "₁₀"``."""
    return str(text).translate(_SUB)


def fmt(value: float, digits: int = 4, *, tiny: str | None = None) -> str:
    """A number as the views print it: exact zeros as ``0``, tiny values not as ``-0.0000``.

    A value too small for ``digits`` decimals is printed in short e-notation,
    or as ``tiny`` when given (the heatmap's cells use ``"≈0"``).

    >>> [fmt(v) for v in (0.0, -0.0, 0.5, -0.38171, 4.5e-05, -1.2e-17, float("nan"))]
    ['0', '0', '0.5000', '−0.3817', '4.5e−5', '−1.2e−17', 'NaN']
    >>> fmt(-6.2e-09, tiny="≈0")
    '≈0'
    """
    if math.isnan(value):
        return "NaN"
    if value == 0:
        return "0"
    if abs(value) >= 0.5 * 10**-digits:
        text = f"{value:.{digits}f}"
    elif tiny is not None:
        return tiny
    else:
        mantissa, exponent = f"{value:.1e}".split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def significant(value: float, figures: int = 2) -> str:
    """``value`` to ``figures`` significant figures, short e-notation, Unicode minus.

    >>> [significant(v) for v in (0.0, 6.607e-05, 0.000281, -3.9e-20, 0.3693)]
    ['0', '6.6e−5', '0.00028', '−3.9e−20', '0.37']
    """
    if value == 0:
        return "0"
    text = f"{value:.{figures}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


# --------------------------------------------------------------------------- checker text
_SUPER = str.maketrans("0123456789+-−=()in⊤", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁱⁿᵀ")


def subscripts(text: str) -> str:
    """TeX-style subscripts as Unicode: ``h_2``, ``Θ_10``, ``Σ_k``, ``x_{j}`` -> h₂, Θ₁₀, Σₖ, xⱼ."""
    text = re.sub(r"_\{([0-9a-z+-]+)\}", lambda m: subscript(m[1]), text)
    return re.sub(r"(?<=[A-Za-zΘΣ])_([0-9]+|[a-z])", lambda m: subscript(m[1]), text)


def _power(match: re.Match) -> str:
    inner = match[1]
    if all(c in "0123456789+-−=()in⊤" for c in inner):
        return inner.translate(_SUPER)
    return f"^({inner})"


def plain(text: str) -> str:
    """Checker text as plain Unicode, for printing: no TeX left in it.

    >>> plain("∂J^{(i)}/∂h_2, u = e^{z_2}, Σ_k e^{z_k}, h_1², Θ_10")
    '∂J⁽ⁱ⁾/∂h₂, u = exp(z₂), Σₖ exp(zₖ), h₁², Θ₁₀'
    """
    out = subscripts(text)
    out = re.sub(r"\be\^\{([^{}]*)\}", r"exp(\1)", out)
    return re.sub(r"\^\{([^{}]*)\}", _power, out)

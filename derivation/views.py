"""Fast SVG views for the live explorers: bars, signed bars, an annotated heatmap.

Re-rendering a matplotlib figure takes about 100 ms here; these views take
about a millisecond, so a widget can redraw on every slider step.  Every
number shown is also in the markup (``<text class=... data-index=...>``), which
is what the browser tests read.  Colours match :mod:`derivation.plots`: the
colour-blind-safe Okabe-Ito palette for classes and the diverging ``RdBu_r``
map, centred on zero, for signed matrices.
"""

from __future__ import annotations

from html import escape

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex
from numpy.typing import ArrayLike

from .plots import CLASS_COLOURS

__all__ = ["bars", "heatmap", "stacked_parts"]

_DIVERGING = colormaps["RdBu_r"]
_FONT = 'font-family="sans-serif" font-size="12"'


def _fmt(v: float) -> str:
    return "NaN" if np.isnan(v) else f"{v:.4f}"


def bars(values: ArrayLike, *, title: str, css_class: str, signed: bool = False,
         limit: float = 1.0, width: int = 260, height: int = 150) -> str:  # fmt: skip
    """Vertical bars, one per class, with the value written above (or below) each.

    Parameters
    ----------
    values : array_like, shape (K,)
        The heights; NaN is drawn as an empty slot labelled "NaN".
    title : str
        Caption above the bars.
    css_class : str
        Class of the value labels (e.g. ``"p-value"``), for tests and styling.
    signed : bool, default False
        Draw a zero line in the middle and bars up or down.
    limit : float, default 1
        The value that fills the half (signed) or full height.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    v = np.asarray(values, dtype=float)
    K = v.size
    top, bottom = 28, height - 22
    zero = (top + bottom) / 2 if signed else bottom
    scale = (zero - top) / max(limit, 1e-300)
    slot = (width - 20) / K
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="{width / 2}" y="16" text-anchor="middle" {_FONT}>{escape(title)}</text>',
             f'<line x1="10" x2="{width - 10}" y1="{zero}" y2="{zero}" stroke="#444"/>']  # fmt: skip
    for k, value in enumerate(v):
        x = 10 + k * slot + slot * 0.15
        w = slot * 0.7
        colour = CLASS_COLOURS[k % len(CLASS_COLOURS)]
        if np.isfinite(value):
            h = min(abs(value), limit) * scale
            y = zero - h if value >= 0 else zero
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"/>')  # fmt: skip
            ty = y - 4 if value >= 0 else y + h + 12
        else:
            ty = zero - 4
        parts.append(f'<text class="{css_class}" data-index="{k}" x="{x + w / 2:.1f}" y="{ty:.1f}" '
                     f'text-anchor="middle" {_FONT}>{_fmt(value)}</text>')  # fmt: skip
        parts.append(f'<text x="{x + w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                     f'{_FONT}>{k + 1}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def heatmap(matrix: ArrayLike, *, title: str, css_class: str = "jacobian-value",
            limit: float | None = None, cell: int = 44) -> str:  # fmt: skip
    """A signed matrix as coloured cells with the value printed in each.

    Parameters
    ----------
    matrix : array_like, shape (K, K)
        The values; the colour map is ``RdBu_r`` centred on zero.
    title : str
        Caption.
    css_class : str, default "jacobian-value"
        Class of the value labels; each carries ``data-row`` and ``data-col``.
    limit : float, optional
        The value shown at full colour (default: the largest magnitude).

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    m = np.asarray(matrix, dtype=float)
    K = m.shape[0]
    finite = np.abs(m[np.isfinite(m)])
    lim = limit if limit is not None else (finite.max() if finite.size and finite.max() > 0 else 1)
    size = K * cell
    parts = [f'<svg width="{size + 20}" height="{size + 44}" role="img" aria-label="{escape(title)}">',
             f'<text x="{(size + 20) / 2}" y="16" text-anchor="middle" {_FONT}>{escape(title)}</text>']  # fmt: skip
    for r in range(K):
        for c in range(K):
            value = m[r, c]
            shade = (
                _DIVERGING(0.5 + 0.5 * np.clip(value / lim, -1, 1))
                if np.isfinite(value)
                else (1, 1, 1, 1)
            )
            dark = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] < 0.5
            x, y = 10 + c * cell, 26 + r * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{to_hex(shade)}" '
                         f'stroke="white"/>')  # fmt: skip
            parts.append(f'<text class="{css_class}" data-row="{r}" data-col="{c}" x="{x + cell / 2}" '
                         f'y="{y + cell / 2 + 4}" text-anchor="middle" font-family="sans-serif" '
                         f'font-size="10" fill="{"white" if dark else "black"}">{_fmt(value)}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def stacked_parts(parts: ArrayLike, totals: ArrayLike, *, labels: list[str], title: str,
                  width: int = 300, height: int = 220) -> str:  # fmt: skip
    """Signed stacked bars: the Parts of each derivative, with their sum marked.

    Parameters
    ----------
    parts : array_like, shape (L, D)
        Part l of derivative d (positive parts stack up from zero, negative down).
    totals : array_like, shape (D,)
        The sum of each column, drawn as a black tick with its value.
    labels : list of str
        One name per derivative (column).
    title : str
        Caption.

    Returns
    -------
    str
        An ``<svg>`` element; the totals carry ``class="part-total"``.
    """
    p = np.asarray(parts, dtype=float)
    t = np.asarray(totals, dtype=float)
    L, D = p.shape
    top, bottom = 28, height - 40
    zero = (top + bottom) / 2
    extent = max(
        np.clip(p, 0, None).sum(axis=0).max(), -np.clip(p, None, 0).sum(axis=0).min(), 1e-12
    )
    scale = (zero - top) / extent
    slot = (width - 20) / D
    out = [f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
           f'<text x="{width / 2}" y="16" text-anchor="middle" {_FONT}>{escape(title)}</text>',
           f'<line x1="10" x2="{width - 10}" y1="{zero}" y2="{zero}" stroke="#444"/>']  # fmt: skip
    roman = ("I", "II", "III", "IV", "V", "VI")
    for d in range(D):
        x, w = 10 + d * slot + slot * 0.25, slot * 0.5
        up, down = zero, zero
        for ell in range(L):
            value = p[ell, d]
            h = abs(value) * scale
            if value >= 0:
                up -= h
                y = up
            else:
                y = down
                down += h
            out.append(f'<rect class="part" data-part="{ell}" data-col="{d}" x="{x:.1f}" y="{y:.1f}" '
                       f'width="{w:.1f}" height="{h:.1f}" fill="{CLASS_COLOURS[ell % 6]}" '
                       f'stroke="white"><title>Part {roman[ell % 6]}: {_fmt(value)}</title></rect>')  # fmt: skip
        ty = zero - t[d] * scale
        out.append(f'<line x1="{x - 8:.1f}" x2="{x + w + 8:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
                   f'stroke="black" stroke-width="3"/>')  # fmt: skip
        out.append(f'<text class="part-total" data-col="{d}" x="{x + w + 10:.1f}" y="{ty + 4:.1f}" '
                   f'{_FONT}>{_fmt(t[d])}</text>')  # fmt: skip
        out.append(f'<text x="{x + w / 2:.1f}" y="{height - 22}" text-anchor="middle" '
                   f'{_FONT}>{escape(labels[d])}</text>')  # fmt: skip
    legend = " ".join(f'<tspan fill="{CLASS_COLOURS[ell % 6]}">■</tspan> Part {roman[ell % 6]}'
                      for ell in range(L))  # fmt: skip
    out.append(f'<text x="10" y="{height - 6}" {_FONT}>{legend}  — sum</text></svg>')
    return "".join(out)

"""Fast SVG views for the live explorers: bars, signed bars, a heatmap, curves.

Re-rendering a matplotlib figure takes 100 ms to 1 s here; these views take
about a millisecond, so a widget can redraw on every slider step.  They are
sized for a projector: every number is at least 14 px, labels are typeset
with Unicode sub- and superscripts (h₁, xⱼ), and each view reserves room for
its title, its value labels and its axis labels, so that nothing overlaps or
is clipped up to K = 6.  Every number shown is also in the markup
(``<text class=... data-index=...>``), which is what the browser tests read.

For a screen reader, each view is an ``<svg role="img">`` whose ``aria-label``
summarises it, followed by a visually hidden table (:func:`value_table`, in a
``<div class="sr-only">``) with every number it shows, as shown; the table is
part of the same HTML string, so it is replaced with the view on every update.
Colours match :mod:`derivation.plots`: the colour-blind-safe Okabe-Ito palette
for classes and the diverging ``RdBu_r`` map, centred on zero, for signed
matrices.
"""

from __future__ import annotations

import base64
import re
from html import escape, unescape

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex
from numpy.typing import ArrayLike

from .style import class_colour, fmt, part_name, significant, subscript

__all__ = [
    "JACOBIAN_LIMIT",
    "bars",
    "curves",
    "fmt",
    "heatmap",
    "significant",
    "stacked_parts",
    "subscript",
    "value_table",
]

_DIVERGING = colormaps["RdBu_r"]
#: the smallest font anywhere in the views, in px (readable from the back of a hall)
FONT_PX = 14
_FONT = f'font-family="sans-serif" font-size="{FONT_PX}"'
_TITLE = 'font-family="sans-serif" font-size="15" font-weight="bold"'
#: the largest |entry| that diag(p) - pp^T can have: p(1 - p) <= 1/4 and p_k p_l <= 1/4
JACOBIAN_LIMIT = 0.25
#: the usual "visually hidden" rules, inline so that they hold wherever the HTML is shown
#: (a widget, a static picture, an exported page): out of sight, still read by screen readers
SR_ONLY = ("position: absolute; top: 0; left: 0; width: 1px; height: 1px; padding: 0; margin: -1px; "
           "overflow: hidden; clip: rect(0, 0, 0, 0); clip-path: inset(50%); "
           "white-space: nowrap; border: 0")  # fmt: skip


def _svg(width: float, height: float, title: str, label: str | None = None) -> list[str]:
    """The opening of a view: ``label`` (default: the title) is its accessible name."""
    return [f'<svg width="{width:.0f}" height="{height:.0f}" role="img" '
            f'aria-label="{escape(label or title)}" style="overflow: visible">',
            f'<text class="view-title" x="{width / 2:.1f}" y="18" text-anchor="middle" '
            f'{_TITLE}>{escape(title)}</text>']  # fmt: skip


def as_images(html: str) -> str:
    """``html`` with each inline ``<svg>`` view turned into an ``<img>`` of it.

    A notebook that is not trusted shows HTML through a sanitizer that drops
    ``<svg>`` (leaving its texts run together) but keeps an ``<img>`` whose
    source is a ``data:`` URI; the view's accessible name becomes the alt text.

    >>> out = as_images('<p>a</p><svg width="2" aria-label="x &amp; y"><text>1</text></svg>')
    >>> out.startswith('<p>a</p><img alt="x &amp; y" src="data:image/svg+xml;base64,')
    True
    >>> "<svg" in out
    False
    """

    def image(match: re.Match) -> str:
        svg = match[0].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        label = re.search(r'aria-label="([^"]*)"', svg)
        alt = escape(unescape(label[1])) if label else "a view of the explorer"
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        size = re.search(r'width="(\d+)" height="(\d+)"', svg)
        box = f' width="{size[1]}" height="{size[2]}"' if size else ""
        return f'<img alt="{alt}" src="data:image/svg+xml;base64,{data}"{box}>'

    return re.sub(r"<svg\b.*?</svg>", image, html, flags=re.S)


def value_table(caption: str, rows: list[str], columns: list[str], cells: list[list[str]]) -> str:
    """A visually hidden table of a view's numbers: its text alternative for screen readers.

    Parameters
    ----------
    caption : str
        What the table shows (the view's title).
    rows : list of str, length R
        Row headers (``<th scope="row">``).
    columns : list of str, length C
        Column headers (``<th scope="col">``), after an empty corner cell.
    cells : list of list of str, shape (R, C)
        The numbers, formatted as the view shows them.

    Returns
    -------
    str
        A ``<table>`` in a ``<div class="sr-only view-table">`` with the :data:`SR_ONLY`
        style (a table is never narrower than its text, a div can be 1 px).

    Raises
    ------
    ValueError
        If ``cells`` is not R rows of C entries.

    Examples
    --------
    >>> value_table("h", ["h₁"], ["value"], [["0.5000"]]).count("<td>0.5000</td>")
    1
    """
    if len(cells) != len(rows) or any(len(row) != len(columns) for row in cells):
        shape = [len(row) for row in cells]
        raise ValueError(f"cells must be {len(rows)} rows of {len(columns)} entries, got {shape}")
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    body = "".join(
        f'<tr><th scope="row">{escape(r)}</th>{"".join(f"<td>{escape(v)}</td>" for v in row)}</tr>'
        for r, row in zip(rows, cells, strict=True)
    )
    return (f'<div class="sr-only view-table" style="{SR_ONLY}"><table><caption>'
            f"{escape(caption)}</caption><tr><td></td>{head}</tr>{body}</table></div>")  # fmt: skip


def bars(values: ArrayLike, *, title: str, css_class: str, signed: bool = False,
         limit: float = 1.0, symbol: str = "h", width: int | None = None,
         height: int = 180, digits: int | None = None) -> str:  # fmt: skip
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
        The value that fills the half (signed) or full height; larger values
        are drawn at the limit (their label still says the value).
    symbol : str, default "h"
        Name of the entries, shown under each bar with its index (h₁, h₂, ...).
    width : int, optional
        Default: 60 px per class (K = 4: 66; K >= 5: 56, with 3 decimals), at least 200.
    digits : int, optional
        Decimals of the value labels. Default: 4, or 3 for K >= 5 (so that six
        bars, a heatmap and six more bars fit one row of a notebook at 1280 px).

    Returns
    -------
    str
        An ``<svg>`` element whose ``aria-label`` lists the values, followed by
        their hidden :func:`value_table`.
    """
    v = np.asarray(values, dtype=float)
    K = v.size
    names = [f"{symbol}{subscript(k + 1)}" for k in range(K)]
    digits = digits if digits is not None else (4 if K <= 4 else 3)
    shown = [fmt(value, digits) for value in v]
    width = width or max(200, 20 + (60 if K <= 3 else 66 if K == 4 else 56) * K)
    top, bottom = 44, height - (60 if signed else 26)
    zero = (top + bottom) / 2 if signed else bottom
    scale = (zero - top) / max(limit, 1e-300)
    slot = (width - 20) / K
    summary = ", ".join(f"{n} = {t}" for n, t in zip(names, shown, strict=True))
    parts = _svg(width, height, title, f"{title}: {summary}")
    parts.append(f'<line x1="10" x2="{width - 10}" y1="{zero}" y2="{zero}" stroke="#444"/>')
    for k, value in enumerate(v):
        x = 10 + k * slot + slot * 0.15
        w = slot * 0.7
        colour = class_colour(k)
        if np.isfinite(value):
            h = min(abs(value), limit) * scale
            y = zero - h if value >= 0 else zero
            parts.append(f'<rect class="bar" data-index="{k}" x="{x:.1f}" y="{y:.1f}" '
                         f'width="{w:.1f}" height="{h:.1f}" fill="{colour}"/>')  # fmt: skip
            ty = y - 5 if value >= 0 else y + h + FONT_PX + 1
        else:
            ty = zero - 5
        parts.append(f'<text class="{css_class} value-label" data-index="{k}" x="{x + w / 2:.1f}" '
                     f'y="{ty:.1f}" text-anchor="middle" {_FONT}>{shown[k]}</text>')  # fmt: skip
        label_y = height - (24 if signed else 6)
        parts.append(f'<text class="axis-label" x="{x + w / 2:.1f}" y="{label_y}" '
                     f'text-anchor="middle" {_FONT}>{escape(names[k])}</text>')  # fmt: skip
    if signed:
        parts.append(f'<text class="axis-label bar-scale" x="{width / 2:.1f}" y="{height - 4}" '
                     f'text-anchor="middle" {_FONT}>bars to ±{limit:g}</text>')  # fmt: skip
    parts.append("</svg>")
    parts.append(value_table(title, names, ["value"], [[t] for t in shown]))
    return "".join(parts)


def heatmap(matrix: ArrayLike, *, title: str, css_class: str = "jacobian-value",
            limit: float | None = JACOBIAN_LIMIT, cell: int = 58,
            digits: int = 4) -> str:  # fmt: skip
    """A signed matrix as coloured cells with the value printed in each.

    Parameters
    ----------
    matrix : array_like, shape (K, K)
        The values; the colour map is ``RdBu_r`` centred on zero.
    title : str
        Caption.
    css_class : str, default "jacobian-value"
        Class of the value labels; each carries ``data-row`` and ``data-col``.
    limit : float or None, default JACOBIAN_LIMIT (0.25)
        The magnitude shown at full colour.  The default is the largest
        |entry| any softmax Jacobian can have, so colours compare across
        states (a near-zero matrix looks near white).  None: the largest
        magnitude of this matrix (auto scale).
    cell : int, default 58
        Side of a cell in px (a 14 px number needs about 56 px at 4 digits).
    digits : int, default 4
        Decimals printed in each cell.

    Returns
    -------
    str
        An ``<svg>`` element (the colour scale used is written in its title;
        its ``aria-label`` names the matrix, its diagonal and the scale),
        followed by the hidden :func:`value_table` of every entry.
    """
    m = np.asarray(matrix, dtype=float)
    K = m.shape[0]
    finite = np.abs(m[np.isfinite(m)])
    auto = finite.max() if finite.size and finite.max() > 0 else 1.0
    lim = auto if limit is None else limit
    scale = f"±{significant(lim, 2)}" if limit is not None else f"auto ±{significant(lim)}"
    size = K * cell
    two_lines = len(title) + len(scale) > 24
    top = 48 if two_lines else 30
    width, height = max(size + 44, 200), size + top + 6
    left = (width - size) / 2 + 10
    shown = [[fmt(value, digits, tiny="≈0") for value in row] for row in m]
    diagonal = ", ".join(shown[k][k] for k in range(K))
    label = (f"{title}: a {K} × {K} matrix, diagonal {diagonal}, colours {scale}; "
             "every entry is in the table that follows")  # fmt: skip
    parts = _svg(width, height, title if two_lines else f"{title}   colours {scale}", label)
    if two_lines:
        parts.append(f'<text class="axis-label heatmap-scale" x="{width / 2:.1f}" y="38" '
                     f'text-anchor="middle" {_FONT}>colours {scale}</text>')  # fmt: skip
    for r in range(K):
        parts.append(f'<text class="axis-label" x="{left - 6:.1f}" y="{top + r * cell + cell / 2 + 5:.1f}" '
                     f'text-anchor="end" {_FONT}>{r + 1}</text>')  # fmt: skip
        for c in range(K):
            value = m[r, c]
            shade = (
                _DIVERGING(0.5 + 0.5 * np.clip(value / lim, -1, 1))
                if np.isfinite(value)
                else (1, 1, 1, 1)
            )
            dark = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] < 0.5
            x, y = left + c * cell, top + r * cell
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{cell}" height="{cell}" '
                         f'fill="{to_hex(shade)}" stroke="white"/>')  # fmt: skip
            parts.append(f'<text class="{css_class} value-label" data-row="{r}" data-col="{c}" '
                         f'x="{x + cell / 2:.1f}" y="{y + cell / 2 + 5}" text-anchor="middle" '
                         f'font-family="sans-serif" font-size="{FONT_PX}" '
                         f'fill="{"white" if dark else "black"}">{shown[r][c]}</text>')  # fmt: skip
    parts.append("</svg>")
    numbers = [str(k + 1) for k in range(K)]
    parts.append(value_table(f"{title}, row k, column l", numbers, numbers, shown))
    return "".join(parts)


def stacked_parts(parts: ArrayLike, totals: ArrayLike, *, labels: list[str], title: str,
                  width: int = 380, height: int = 250) -> str:  # fmt: skip
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
        An ``<svg>`` element (the totals carry ``class="part-total"``; its
        ``aria-label`` gives the sums), followed by the hidden
        :func:`value_table` of every Part and sum.
    """
    p = np.asarray(parts, dtype=float)
    t = np.asarray(totals, dtype=float)
    L, D = p.shape
    top, bottom = 44, height - 52
    zero = (top + bottom) / 2
    extent = max(
        np.clip(p, 0, None).sum(axis=0).max(), -np.clip(p, None, 0).sum(axis=0).min(), 1e-12
    )
    scale = (zero - top) / extent
    slot = (width - 20) / D
    sums = ", ".join(f"{name} = {fmt(total)}" for name, total in zip(labels, t, strict=True))
    out = _svg(width, height, title, f"{title}: the sums {sums}")
    out.append(f'<line x1="10" x2="{width - 10}" y1="{zero}" y2="{zero}" stroke="#444"/>')
    for d in range(D):
        x, w = 10 + d * slot + slot * 0.12, slot * 0.36
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
                       f'width="{w:.1f}" height="{h:.1f}" fill="{class_colour(ell)}" '
                       f'stroke="white"><title>{part_name(ell)}: {fmt(value)}</title></rect>')  # fmt: skip
        ty = zero - t[d] * scale
        out.append(f'<line x1="{x - 6:.1f}" x2="{x + w + 6:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
                   f'stroke="black" stroke-width="3"/>')  # fmt: skip
        out.append(f'<text class="part-total value-label" data-col="{d}" x="{x + w + 10:.1f}" '
                   f'y="{ty + 5:.1f}" {_FONT}>{fmt(t[d])}</text>')  # fmt: skip
        out.append(f'<text class="axis-label" x="{x + w / 2:.1f}" y="{height - 30}" '
                   f'text-anchor="middle" {_FONT}>{escape(labels[d])}</text>')  # fmt: skip
    legend = " ".join(f'<tspan fill="{class_colour(ell)}">■</tspan> {part_name(ell)}'
                      for ell in range(L))  # fmt: skip
    out.append(f'<text class="axis-label" x="10" y="{height - 8}" {_FONT}>{legend}  ▬ sum</text>')
    out.append("</svg>")
    rows = [part_name(ell) for ell in range(L)] + ["sum"]
    cells = [[fmt(value) for value in row] for row in p] + [[fmt(total) for total in t]]
    out.append(value_table(title, rows, list(labels), cells))
    return "".join(out)


def curves(x: ArrayLike, ys: ArrayLike, *, title: str, xlabel: str, names: list[str],
           y_range: tuple[float, float] = (0.0, 1.0), log: bool = False,
           points: ArrayLike | None = None, marker: tuple[float, float] | None = None,
           width: int = 400, height: int = 250) -> str:  # fmt: skip
    """Line plot of a few curves over a common x, optionally log y, with marks.

    Parameters
    ----------
    x : array_like, shape (n,)
        Common abscissa (increasing).
    ys : array_like, shape (c, n)
        One row per curve; curve i has colour ``style.class_colour(i)``.
    title, xlabel : str
        Caption and x-axis label.
    names : list of str
        Legend entries, one per curve.
    y_range : (float, float), default (0, 1)
        The y interval drawn (positive with ``log``).
    log : bool, default False
        Logarithmic y axis.
    points : array_like, shape (m, 2), optional
        ``(x, class)`` pairs drawn as small ticks at the top, in the class colour.
    marker : (float, float), optional
        One point drawn as a black dot (e.g. the current step); class ``marker``.

    Returns
    -------
    str
        An ``<svg>`` element; its ``aria-label`` names the curves, the axes'
        ranges and the marked point (the curves themselves have no table).
    """
    x = np.asarray(x, dtype=float)
    ys = np.atleast_2d(np.asarray(ys, dtype=float))
    left, right, top, bottom = 58, width - 12, 54, height - 44
    lo, hi = (np.log10(y_range[0]), np.log10(y_range[1])) if log else y_range

    def sx(v):
        return left + (np.asarray(v) - x[0]) / (x[-1] - x[0]) * (right - left)

    def sy(v):
        v = np.log10(np.maximum(v, 1e-300)) if log else np.asarray(v)
        return bottom - (np.clip(v, lo, hi) - lo) / (hi - lo) * (bottom - top)

    label = (
        f"{title}: {', '.join(names)} against {xlabel} from {fmt(x[0], 1)} to "
        f"{fmt(x[-1], 1)}, y from {y_range[0]:g} to {y_range[1]:g}{' (log scale)' if log else ''}"
    )
    if marker is not None:
        label += f"; the marked point: {xlabel} = {marker[0]:g}, {significant(marker[1], 4)}"
    out = _svg(width, height, title, label)
    out.append(f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
               f'fill="none" stroke="#888"/>')  # fmt: skip
    ticks = [10.0**e for e in range(int(np.ceil(lo)), int(np.floor(hi)) + 1)] if log \
        else list(np.linspace(*y_range, 3))  # fmt: skip
    for t in ticks:
        label = f"{t:g}"
        out.append(f'<text class="axis-label" x="{left - 9}" y="{sy(t) + 5:.1f}" text-anchor="end" '
                   f'{_FONT}>{label}</text>')  # fmt: skip
    for t in np.linspace(x[0], x[-1], 5):
        out.append(f'<text class="axis-label" x="{sx(t):.1f}" y="{bottom + 21}" '
                   f'text-anchor="middle" {_FONT}>{fmt(t, 0) if t else "0"}</text>')  # fmt: skip
    out.append(f'<text class="axis-label" x="{(left + right) / 2}" y="{height - 6}" '
               f'text-anchor="middle" {_FONT}>{escape(xlabel)}</text>')  # fmt: skip
    if points is not None:
        for px, cls in np.asarray(points, dtype=float):
            out.append(f'<line x1="{sx(px):.1f}" x2="{sx(px):.1f}" y1="{top + 2}" y2="{top + 10}" '
                       f'stroke="{class_colour(int(cls))}" stroke-width="2"/>')  # fmt: skip
    dashes = ("", ' stroke-dasharray="8 4"', ' stroke-dasharray="2 3"')
    for i, row in enumerate(ys):
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(sx(x), sy(row), strict=True))
        out.append(f'<polyline class="curve" data-index="{i}" points="{path}" fill="none" '
                   f'stroke="{class_colour(i)}" stroke-width="2.5"{dashes[i % 3]}/>')  # fmt: skip
    if marker is not None:
        out.append(f'<circle class="marker" cx="{sx(marker[0]):.1f}" cy="{sy(marker[1]):.1f}" '
                   f'r="5" fill="black"/>')  # fmt: skip
    step = (right - left) / max(len(names), 1)
    for i, name in enumerate(names):
        out.append(f'<text class="legend" x="{left + i * step:.1f}" y="40" {_FONT} '
                   f'fill="{class_colour(i)}">━ {escape(name)}</text>')  # fmt: skip
    out.append("</svg>")
    return "".join(out)

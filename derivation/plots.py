"""Matplotlib figures for the notebooks; each takes ``ax=None`` and returns the Axes.

Colours come from the Okabe-Ito palette, which stays distinguishable for
colour-blind readers; each class also has its own line style and marker.
Mathematics in labels is typeset (``"$h_k$"``, never ``"h_k"``), numbers
written on a figure have a real minus sign and are at least :data:`VALUE_FONTSIZE`
points, so that they stay readable when a notebook shows the figure at its own size.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter
from numpy.typing import ArrayLike

from . import numeric
from .style import CLASS_COLOURS, LINE_STYLES, MARKERS, class_colour, fmt, marker, part_name

__all__ = [
    "CLASS_COLOURS",
    "VALUE_FONTSIZE",
    "decision_regions",
    "error_vs_gap",
    "error_vs_step",
    "gradient_bars",
    "hypotheses_along_x1",
    "jacobian_heatmap",
    "loss_along_logit",
    "loss_curves",
    "part_bars",
    "probability_bars",
]

_STYLES = LINE_STYLES
_MARKERS = MARKERS
#: points; the numbers written on bars and cells (12.5 px at the notebooks' 100 dpi)
VALUE_FONTSIZE = 9


def hypotheses_along_x1(
    theta: ArrayLike,
    X: ArrayLike | None = None,
    Y: ArrayLike | None = None,
    *,
    x1_range: tuple[float, float] = (-4.0, 4.0),
    ax: Axes | None = None,
) -> Axes:
    """Plot every h_k(x) as a function of the feature x_1, with the samples.

    Parameters
    ----------
    theta : array_like, shape (K, 2)
        Parameters ``(Theta_k0, Theta_k1)`` per class.
    X : array_like, shape (m, 2), optional
        Design matrix of samples to mark at height 1 in their class's colour.
    Y : array_like, shape (m, K), optional
        One-hot labels of those samples (required with ``X``).
    x1_range : (float, float), default (-4, 4)
        The interval of x_1 to draw.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes with one curve per class and, if given, the samples.
    """
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2 or theta.shape[1] != 2:
        raise ValueError(f"theta must have shape (K, 2), got {theta.shape}")
    lo, hi = x1_range
    if not lo < hi:
        raise ValueError(f"x1_range must be (low, high) with low < high, got {x1_range}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    grid = np.linspace(lo, hi, 301)
    H = numeric.hypotheses(theta, numeric.design_matrix(grid))
    for k in range(theta.shape[0]):
        ax.plot(
            grid,
            H[:, k],
            linestyle=_STYLES[k % len(_STYLES)],
            color=class_colour(k),
            label=f"$h_{k + 1}$",
        )
    if X is not None:
        if Y is None:
            raise ValueError("Y (one-hot labels) is needed to colour the samples given in X")
        X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        for k in range(theta.shape[0]):
            rows = Y[:, k] == 1
            ax.scatter(
                X[rows, 1],
                np.ones(rows.sum()),
                marker=marker(k),
                color=class_colour(k),
                edgecolor="black",
                zorder=3,
                label=f"samples of class {k + 1}",
            )
    ax.set(xlabel="$x_1$", ylabel="probability", ylim=(-0.03, 1.08), xlim=(lo, hi))
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return ax


def _curves(curves, ax, xlabel, ylabel, markers, *, log_x=True):
    for i, (label, (xs, ys)) in enumerate(curves.items()):
        (ax.loglog if log_x else ax.semilogy)(
            xs,
            np.maximum(np.asarray(ys, dtype=float), 1e-17),
            linestyle=_STYLES[i % len(_STYLES)],
            marker=markers[i % len(markers)],
            markersize=4,
            color=class_colour(i),
            label=label,
        )
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return ax


def error_vs_step(
    curves: dict[str, tuple[ArrayLike, ArrayLike]],
    *,
    marks: dict[str, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Log-log plot of a numerical gradient's relative error against the step δ.

    Parameters
    ----------
    curves : dict of label -> (steps, errors)
        One curve per method and precision (see
        :func:`derivation.gradcheck.error_vs_step`).  Errors below 1e-17 are
        drawn at 1e-17.
    marks : dict of label -> float, optional
        Vertical dotted lines, e.g. the default steps, labelled in 11-point type
        (a label like ``r"$\\varepsilon^{1/2}$"`` has a smaller superscript).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    _curves(curves, ax, r"step $\delta$", "largest relative error", _MARKERS)
    for i, (label, delta) in enumerate((marks or {}).items()):
        ax.axvline(delta, color="grey", linestyle=":", linewidth=1)
        ax.annotate(label, (delta, 1e-16 * 10 ** (2 * i)), rotation=90, color="dimgrey",
                    fontsize=11, xytext=(3, 0), textcoords="offset points")  # fmt: skip
    return ax


def error_vs_gap(curves: dict[str, tuple[ArrayLike, ArrayLike]], *, ax: Axes | None = None) -> Axes:
    """Relative errors (log scale) against the logit gap (linear scale).

    An error that grows like ``exp(gap)`` is a straight line on these axes.

    Parameters
    ----------
    curves : dict of label -> (gaps, errors)
        One curve per way of computing; errors below 1e-17 are drawn at 1e-17.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    return _curves(curves, ax, "logit gap", "relative error", _MARKERS, log_x=False)


def _class_bars(values, ax, ylabel, ylim):
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size < 2:
        raise ValueError(f"expected one value per class (at least two), got shape {v.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(3.4, 2.6))
    colours = [class_colour(k) for k in range(v.size)]
    container = ax.bar(np.arange(1, v.size + 1), v, color=colours, edgecolor="black")
    ax.bar_label(container, fmt=lambda value: fmt(value, 3), fontsize=VALUE_FONTSIZE, padding=2)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set(xlabel="class $k$", ylabel=ylabel, ylim=ylim, xticks=np.arange(1, v.size + 1))
    return ax


def probability_bars(p: ArrayLike, *, ax: Axes | None = None) -> Axes:
    """The probabilities h_k as bars, one colour per class, values written on them.

    Parameters
    ----------
    p : array_like, shape (K,)
        Probabilities.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        Its first container holds the bars (``ax.containers[0]``).
    """
    return _class_bars(p, ax, "$h_k$", (0, 1.12))


def gradient_bars(g: ArrayLike, *, ax: Axes | None = None) -> Axes:
    """The gradient h - y as signed bars (the true class's bar points down).

    Parameters
    ----------
    g : array_like, shape (K,)
        Gradient of the loss by the logits.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    limit = max(1.0, float(np.max(np.abs(g)))) * 1.15
    return _class_bars(g, ax, r"$\partial J / \partial z_k$", (-limit, limit))


def jacobian_heatmap(jacobian: ArrayLike, *, ax: Axes | None = None) -> Axes:
    """The softmax Jacobian as a heatmap, centred on zero, with each value printed.

    Parameters
    ----------
    jacobian : array_like, shape (K, K)
        ``diag(h) - h h^T``, the matrix of ``dh_k / dz_l``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` is the heatmap; the colour map is ``RdBu_r``
        (colour-blind safe), symmetric about 0.
    """
    m = np.asarray(jacobian, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"the Jacobian must be a square matrix, got shape {m.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(3.4, 3.0))
    limit = max(float(np.max(np.abs(m))), 1e-12)
    image = ax.imshow(m, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (r, c), value in np.ndenumerate(m):
        dark = abs(value) > 0.6 * limit
        ax.text(c, r, fmt(value, 3, tiny="≈0"), ha="center", va="center", fontsize=VALUE_FONTSIZE,
                color="white" if dark else "black")  # fmt: skip
    ticks = np.arange(m.shape[0])
    ax.set(xticks=ticks, yticks=ticks, xticklabels=ticks + 1, yticklabels=ticks + 1)
    ax.set(xlabel="$l$ (logit $z_l$)", ylabel="$k$ (probability $h_k$)")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def part_bars(parts: ArrayLike, labels: list[str], *, ax: Axes | None = None) -> Axes:
    """Stacked signed bars: the chain rule's Parts of each derivative, sum marked.

    Parameters
    ----------
    parts : array_like, shape (L, D)
        Part l of derivative d.
    labels : list of str
        One name per derivative, as mathtext (``r"$\\partial J / \\partial \\Theta_{10}$"``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The sums are drawn as black horizontal ticks.
    """
    p = np.asarray(parts, dtype=float)
    if p.ndim != 2 or p.shape[1] != len(labels):
        raise ValueError(f"parts must have shape (parts, {len(labels)}), got {p.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.0))
    x = np.arange(p.shape[1])
    up, down = np.zeros(p.shape[1]), np.zeros(p.shape[1])
    for ell in range(p.shape[0]):
        base = np.where(p[ell] >= 0, up, down)
        ax.bar(x, p[ell], 0.5, bottom=base, color=class_colour(ell), edgecolor="white",
               label=part_name(ell))  # fmt: skip
        up += np.clip(p[ell], 0, None)
        down += np.clip(p[ell], None, 0)
    totals = p.sum(axis=0)
    ax.scatter(x, totals, marker="_", s=900, color="black", linewidths=3, zorder=3, label="sum")
    for xi, t in zip(x, totals, strict=True):
        ax.annotate(fmt(t, 3), (xi, t), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize=VALUE_FONTSIZE)  # fmt: skip
    ax.axhline(0, color="black", linewidth=0.8)
    lo, hi = min(down.min(), totals.min(), 0.0), max(up.max(), totals.max(), 0.0)
    pad = 0.15 * max(hi - lo, 1e-12)
    ax.set_ylim(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0))
    ax.set(xticks=x, xticklabels=labels, ylabel="contribution")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return ax


def loss_along_logit(
    z: ArrayLike, true_class: int, k: int = 0, *, span: float = 6.0, ax: Axes | None = None
) -> Axes:
    """The cross-entropy loss as logit ``z_k`` moves, the others fixed; ``z_k`` marked.

    Parameters
    ----------
    z : array_like, shape (K,)
        The current logits.
    true_class : int
        The true class, 0-based.
    k : int, default 0
        Which logit to move.
    span : float, default 6
        Draw ``z_k`` from ``z_k - span`` to ``z_k + span``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        One line (the loss, from :func:`derivation.numeric.cross_entropy`) and
        one marker at the current value.
    """
    z = np.asarray(z, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.4, 2.6))
    grid = np.linspace(z[k] - span, z[k] + span, 241)
    rows = np.repeat(z[None, :], grid.size, axis=0)
    rows[:, k] = grid
    losses = [numeric.cross_entropy(row[None, :], [true_class]) for row in rows]
    ax.plot(grid, losses, color=class_colour(k))
    ax.plot([z[k]], [numeric.cross_entropy(z[None, :], [true_class])], "o", color="black")
    ax.set(xlabel=f"$z_{k + 1}$", ylabel=f"loss $J$ (true class {true_class + 1})")
    return ax


def _plain_log_ticks(axis) -> None:
    """Label a logarithmic axis 20, 50, 100, 200, ... rather than 2 × 10¹, 5 × 10¹, 10².

    Over more than four decades the powers of ten stay, as matplotlib writes them.
    """

    def plain(default):
        def label(value, position):
            lo, hi = sorted(axis.get_view_interval())
            if lo <= 0 or hi / lo > 1e4:
                return default(value, position)
            leading = round(value / 10 ** np.floor(np.log10(value)), 6)
            return f"{value:g}" if leading in (1, 2, 5) else ""

        return FuncFormatter(label)

    axis.set_major_formatter(plain(axis.get_major_formatter()))
    axis.set_minor_formatter(plain(axis.get_minor_formatter()))


def loss_curves(curves: dict[str, ArrayLike], *, ylabel: str = "loss", log: bool = True,
                ax: Axes | None = None) -> Axes:  # fmt: skip
    """One line per training run: a value (the loss) against the step number.

    Parameters
    ----------
    curves : dict of label -> array_like, shape (steps + 1,)
        E.g. ``History.cross_entropy`` of each run.
    ylabel : str, default "loss"
    log : bool, default True
        Logarithmic y axis, its ticks labelled as plain numbers (20, 50, 100, ...).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for i, (label, values) in enumerate(curves.items()):
        ax.plot(np.asarray(values, dtype=float), linestyle=_STYLES[i % len(_STYLES)],
                color=class_colour(i), label=label)  # fmt: skip
    ax.set(xlabel="gradient-descent step", ylabel=ylabel, yscale="log" if log else "linear")
    if log:
        _plain_log_ticks(ax.yaxis)
    ax.legend(frameon=False)
    return ax


def decision_regions(theta: ArrayLike, X: ArrayLike, labels: ArrayLike, *,
                     ax: Axes | None = None, resolution: int = 200) -> Axes:  # fmt: skip
    """The most probable class over the plane of two features, with the samples.

    Parameters
    ----------
    theta : array_like, shape (K, 3)
        Parameters of a two-feature model (bias, x_1, x_2).
    X : array_like, shape (m, 3)
        Design matrix of the samples (bias column first).
    labels : array_like of int, shape (m,)
        Their classes (0-based).
    ax : matplotlib Axes, optional
    resolution : int, default 200
        Grid points per axis.

    Returns
    -------
    matplotlib.axes.Axes
        Regions in light class colours, samples as class markers.
    """
    theta, X, labels = np.asarray(theta, float), np.asarray(X, float), np.asarray(labels)
    if theta.shape[1] != 3 or X.shape[1] != 3:
        raise ValueError(f"expected a two-feature model (3 columns), got {theta.shape}, {X.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4))
    lo, hi = X[:, 1:].min(axis=0) - 1, X[:, 1:].max(axis=0) + 1
    g1, g2 = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([np.ones(g1.size), g1.ravel(), g2.ravel()])
    winner = np.argmax(grid @ theta.T, axis=1).reshape(g1.shape)
    K = theta.shape[0]
    from matplotlib.colors import ListedColormap

    ax.contourf(g1, g2, winner, levels=np.arange(-0.5, K), alpha=0.25,
                cmap=ListedColormap([class_colour(k) for k in range(K)]))  # fmt: skip
    for k in range(K):
        rows = labels == k
        ax.scatter(X[rows, 1], X[rows, 2], marker=marker(k), color=class_colour(k),
                   edgecolor="black", label=f"class {k + 1}")  # fmt: skip
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax

"""derivation.plots: every figure returns its Axes, with the data it was given."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from derivation import numeric as N
from derivation import plots


def test_plots_return_their_axes():
    X, Y, theta = N.example_problem()
    ax = plots.hypotheses_along_x1(theta, X, Y)
    assert len(ax.get_lines()) == 3
    ax = plots.error_vs_step({"a": ([1e-3, 1e-2], [1e-8, 0.0])}, marks={"h*": 1e-3})
    assert ax.get_xscale() == "log" and len(ax.get_lines()) == 2
    ax = plots.error_vs_gap({"naive": ([10, 20], [1e-16, 1e-8])})
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="theta"):
        plots.hypotheses_along_x1(np.zeros(3))
    plt.close("all")


def test_static_figures():
    p = N.softmax(np.array([0.0, 1.0, 2.0]))
    assert len(plots.probability_bars(p).containers[0]) == 3
    assert len(plots.gradient_bars(p - [0, 0, 1]).containers[0]) == 3
    ax = plots.jacobian_heatmap(N.softmax_jacobian(np.array([0.0, 1.0, 2.0])))
    assert ax.images[0].get_cmap().name == "RdBu_r" and len(ax.texts) == 9
    clim = ax.images[0].get_clim()
    assert clim[0] == -clim[1]  # centred on zero
    ax = plots.part_bars(np.array([[-0.5, 0.1], [0.2, 0.3], [0.1, 0.0]]), ["a", "b"])
    assert len(ax.containers) == 3
    ax = plots.loss_along_logit(np.array([2.0, 1.0, 0.1]), 0, k=0)
    x, y = ax.lines[1].get_data()
    assert x[0] == 2.0 and y[0] == pytest.approx(float(N.cross_entropy([[2.0, 1.0, 0.1]], [0])))
    with pytest.raises(ValueError, match="square"):
        plots.jacobian_heatmap(np.zeros((2, 3)))
    plt.close("all")


# --------------------------------------------------------------------------- typeset text
#: maths written as plain text: an index or a power, a derivative as dJ/dz, a Greek or
#: operator character, a model letter standing alone, eps, or a minus between two symbols
PLAIN_MATHS = re.compile(
    r"_|\^|\bd[A-Z]/d|[∂∑√α-ωΑ-Ω]|(?<![\w$'])[JHXYhxyz](?![\w$'])|\beps\b"
    r"|(?<![\w$])[A-Za-z]\w? ?- ?[A-Za-z0-9]\w?(?![\w$])"
)


def plain_maths(text):
    """The maths written as plain text in ``text``: whatever matches outside ``$...$``."""
    outside = " $ ".join(text.split("$")[::2])
    return PLAIN_MATHS.findall(outside)


def figure_texts(fig):
    """Every text a reader sees: titles, axis and tick labels, legends, annotations."""
    texts = []
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        texts += ax.texts + ax.get_xticklabels() + ax.get_yticklabels()
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
    return [t for t in texts if t.get_text() and t.get_visible()]


def all_figures():
    """Each figure of the module, drawn with the labels the notebooks give it."""
    X, Y, theta = N.example_problem()
    z = np.array([2.0, 1.0, 0.1])
    yield plots.hypotheses_along_x1(theta, X, Y)
    yield plots.error_vs_step({"central, float64": ([1e-3, 1e-2], [1e-8, 1e-9])},
                              marks={r"$\varepsilon^{1/3}$": 1e-3})  # fmt: skip
    yield plots.error_vs_gap({"naive $h_2 - 1$": ([10, 20], [1e-16, 1e-8])})
    yield plots.probability_bars(N.softmax(z))
    yield plots.gradient_bars(N.softmax(z) - [1, 0, 0])
    yield plots.jacobian_heatmap(N.softmax_jacobian(z))
    names = [rf"$\partial J / \partial \Theta_{{{k}}}$" for k in (10, 11)]
    yield plots.part_bars([[0.0, 0.0], [0.24, 0.12], [0.0, 0.0]], names)
    yield plots.loss_along_logit(z, 0)
    yield plots.loss_curves({"cross-entropy $J$": [3.0, 2.0, 1.0]})
    X2 = np.column_stack([np.ones(3), [0.0, 1.0, 2.0], [1.0, 0.0, 2.0]])
    yield plots.decision_regions(np.zeros((3, 3)), X2, np.array([0, 1, 2]))


@pytest.mark.parametrize(
    "text",
    ["ε^(1/2)", "h_2 - 1", "h_k(x) after 300 steps", "∂J/∂Θ10", "dJ/dz", "cross-entropy J",
     "eps", "z1 - z2", "η = 0.01", "$h_1$ and h_2"],
)  # fmt: skip
def test_plain_maths_is_found(text):
    assert plain_maths(text), text


@pytest.mark.parametrize(
    "text",
    [r"$\varepsilon^{1/2}$", "naive $h_2 - 1$", r"$h_k(x)$ after 300 steps", "cross-entropy $J$",
     "gradient-descent step", "loss $J$ (true class 1)", "Part II", "class $k$",
     r"step 30: $J = 17.9$", "largest relative error", "central, float64", "−0.341"],
)  # fmt: skip
def test_typeset_maths_passes(text):
    assert not plain_maths(text), text


def test_every_figure_typesets_its_maths_and_writes_it_large_enough():
    for ax in all_figures():
        ax.figure.canvas.draw()
        for text in figure_texts(ax.figure):
            label = text.get_text()
            assert not plain_maths(label), f"plain-text maths in {label!r}"
            assert text.get_fontsize() >= plots.VALUE_FONTSIZE, f"{label!r} is too small"
        plt.close(ax.figure)


def test_numbers_on_figures_have_a_real_minus_sign():
    ax = plots.gradient_bars(np.array([-0.341, 0.2424, 0.0986]))
    assert [t.get_text() for t in ax.texts] == ["−0.341", "0.242", "0.099"]
    ax = plots.jacobian_heatmap(N.softmax_jacobian(np.array([2.0, 1.0, 0.1])))
    assert all("-" not in t.get_text() for t in ax.texts)
    assert any(t.get_text().startswith("−") for t in ax.texts)
    plt.close("all")


def test_a_log_loss_axis_reads_as_plain_numbers():
    ax = plots.loss_curves({"cross-entropy $J$": np.geomspace(1100.0, 17.0, 301)})
    ax.figure.canvas.draw()
    shown = [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True)]
    assert {"20", "50", "100", "200", "500", "1000"} <= set(shown)
    assert not [t for t in shown if "10^" in t or "times" in t]
    plt.close("all")

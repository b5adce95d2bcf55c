"""derivation.plots: every figure returns its Axes, with the data it was given."""

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

"""Smaller helpers: the Jacobian route in SymPy, comparison tables, step sweeps, timing, plots."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from derivation import numeric as N
from derivation import plots
from derivation.gradcheck import comparison_table, error_vs_step
from derivation.symbolic import jacobian_route
from derivation.timing import median_seconds


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_the_jacobian_route_is_proven(classes):
    route = jacobian_route(classes)
    assert route.jacobian.shape == (classes, classes)
    assert route.jacobian_holds()
    assert route.chain_holds()
    assert not route.chain_holds(one_hot=False)


def test_comparison_table_lists_entries_and_errors():
    g = np.array([[1.0, -2.0]])
    text = comparison_table({"a": g, "b": g * (1 + 1e-9)}, reference="a")
    lines = text.splitlines()
    assert lines[0].split() == ["entry", "a", "b"]
    assert len(lines) == 4 and lines[-1].startswith("max rel. error")
    assert "1.0e-09" in lines[-1]
    with pytest.raises(ValueError, match="reference"):
        comparison_table({"a": g}, reference="c")
    with pytest.raises(ValueError, match="shape"):
        comparison_table({"a": g, "b": g.ravel()}, reference="a")


def test_error_vs_step_has_the_u_shape_for_central_differences():
    z = np.array([[0.3, -0.2, 0.1]])
    exact = N.cross_entropy_grad(z, [1])
    steps = np.logspace(-14, -1, 14)
    errors = error_vs_step(lambda v: N.cross_entropy(v, [1]), exact, z, steps, "central")
    best = errors.argmin()
    assert 0 < best < len(steps) - 1 and errors[best] < 1e-9
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]
    flat = error_vs_step(lambda v: N.cross_entropy(v, [1]), exact, z, steps, "complex")
    assert flat[steps <= 1e-6].max() < 1e-13  # no round-off at all: only O(h^2) truncation
    with pytest.raises(ValueError, match="positive"):
        error_vs_step(lambda v: 0.0, exact, z, [0.0])


def test_median_seconds():
    assert 0 < median_seconds(lambda: sum(range(100)), repeat=3, min_time=0.001) < 0.01
    with pytest.raises(ValueError, match="repeat"):
        median_seconds(lambda: None, repeat=0)


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


def test_views_carry_every_number_and_handle_nan():
    from derivation import views

    def count(svg, css_class):  # an element may carry more classes than the one asked for
        return len(re.findall(rf'class="(?:[^"]* )?{css_class}(?: [^"]*)?"', svg))

    svg = views.bars([0.25, np.nan, 0.75], title="h", css_class="h-value")
    assert svg.startswith("<svg") and count(svg, "h-value") == 3 and ">NaN<" in svg
    grid = views.heatmap(np.array([[0.25, -0.25], [-0.25, 0.25]]), title="dh/dz")
    assert count(grid, "jacobian-value") == 4 and re.search(">[-−]0.2500<", grid)  # − or -
    parts = np.array([[-0.5, 0.1], [0.2, 0.3]])
    stacked = views.stacked_parts(parts, [-0.3, 0.4], labels=["a", "b"], title="parts")
    assert count(stacked, "part") == 4 and re.search(">[-−]0.3000<", stacked)


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


def test_article_parts_are_the_article_parts():
    import sympy as sp

    from derivation.symbolic import model, step

    theta, x1, label = np.array([[0.3, -0.7], [0.1, 0.4], [-0.2, 0.9]]), 1.3, 1
    m = model()
    h = N.hypotheses(theta, N.design_matrix([x1]))[0]
    values = {**dict(zip(m.h, h, strict=True)), **dict(zip(m.y, np.eye(3)[label], strict=True))}
    values[m.x1] = x1
    for j, refs in (
        (0, (12, 16, 20)),
        (1, ("Theta_11/part/h_1", "Theta_11/part/h_2", "Theta_11/part/h_3")),
    ):
        expected = [float(sp.sympify(step(r).rhs).subs(values)) for r in refs]
        np.testing.assert_allclose(N.article_parts(theta, x1, label, 0, j), expected, atol=1e-15)
    with pytest.raises(ValueError, match="expected"):
        N.article_parts(theta, x1, label, 3, 0)
